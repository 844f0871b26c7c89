#include "automation/sla_watch.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "common/text.h"
#include "sla/sla_service.h"

namespace opsdesk::automation {
namespace {

namespace json = boost::json;

constexpr const char* kOpenStatuses = "('new', 'open', 'pending', 'on_hold')";

bool IsDone(const std::string& status) { return status == "solved" || status == "closed"; }

// "<target>:<cycle start>": one warning and one breach per clock cycle.
std::string CycleKey(const std::string& target, TimestampMs started_at) {
  return target + ":" + std::to_string(started_at);
}

// The cycles that already have an sla_warning / sla_breached event.
struct Marks {
  std::set<std::string> warned;
  std::set<std::string> breached;
};

Marks ReadMarks(const std::vector<tickets::TicketEvent>& events) {
  Marks marks;
  for (const auto& e : events) {
    if (e.kind != "sla_warning" && e.kind != "sla_breached") continue;
    try {
      json::object data = json::parse(e.after.value_or("{}")).as_object();
      std::string key = CycleKey(std::string(data.at("target").as_string()), data.at("started_at").as_int64());
      (e.kind == "sla_warning" ? marks.warned : marks.breached).insert(key);
    } catch (const std::exception&) {
      // An event this code did not write; it marks nothing.
    }
  }
  return marks;
}

// Timelines as compact text: per clock "kind target started stopped|- paused n
// from to ..." (a running span's end as '*'), clocks separated by ';'. Parsed
// for every open ticket after a calendar change, so no JSON.
std::string EncodeTimelines(const std::vector<sla::ClockTimeline>& timelines) {
  std::string out;
  auto num = [&](TimestampMs v) {
    out += v == sla::kOpenEnd ? std::string("*") : std::to_string(v);
    out += ' ';
  };
  for (const auto& t : timelines) {
    out += std::to_string(static_cast<int>(t.kind)) + ' ' + std::to_string(t.target_minutes) + ' ';
    num(t.started_at);
    if (t.stopped_at) num(*t.stopped_at);
    else out += "- ";
    out += t.paused_now ? "1 " : "0 ";
    out += std::to_string(t.spans.size()) + ' ';
    for (const auto& span : t.spans) {
      num(span.from);
      num(span.to);
    }
    out += ';';
  }
  return out;
}

std::optional<std::vector<sla::ClockTimeline>> DecodeTimelines(const std::string& text) {
  std::vector<sla::ClockTimeline> out;
  const char* p = text.c_str();
  const char* const text_end = text.c_str() + text.size();
  auto skip = [&] { while (*p == ' ') ++p; };
  auto num = [&](int64_t* v) -> bool {
    skip();
    if (*p == '*') {
      ++p;
      *v = sla::kOpenEnd;
      return true;
    }
    // from_chars, not strtoll: no locale, and a recompute decodes a million numbers.
    auto [end, ec] = std::from_chars(p, text_end, *v);
    if (ec != std::errc()) return false;
    p = end;
    return true;
  };
  for (;;) {
    skip();
    if (*p == '\0') return out;
    sla::ClockTimeline t;
    int64_t kind = 0, count = 0, paused = 0, started = 0;
    if (!num(&kind) || kind < 0 || kind > 2 || !num(&t.target_minutes) || !num(&started)) return std::nullopt;
    t.kind = static_cast<sla::TargetKind>(kind);
    t.started_at = started;
    skip();
    if (*p == '-') {
      ++p;
    } else {
      int64_t stopped = 0;
      if (!num(&stopped)) return std::nullopt;
      t.stopped_at = stopped;
    }
    if (!num(&paused) || !num(&count) || count < 0 || count > 100000) return std::nullopt;
    t.paused_now = paused != 0;
    t.spans.resize(static_cast<size_t>(count));
    for (auto& span : t.spans) {
      if (!num(&span.from) || !num(&span.to)) return std::nullopt;
    }
    skip();
    if (*p != ';') return std::nullopt;
    ++p;
    out.push_back(std::move(t));
  }
}

Result<std::vector<tickets::TicketEvent>> LoadEvents(storage::Transaction& tx, int64_t ticket_id) {
  auto rows = tx.Query(
      "SELECT id, ticket_id, actor_id, at, kind, field, after_value, is_internal FROM ticket_events "
      "WHERE ticket_id = ? ORDER BY id",
      {ticket_id});
  if (!rows.ok()) return rows.status();
  std::vector<tickets::TicketEvent> out;
  for (const auto& r : *rows) {
    out.push_back(tickets::TicketEvent{r.Int(0), r.Int(1), r.OptInt(2), r.Int(3), r.Text(4), r.OptText(5),
                                       std::nullopt, r.OptText(6), r.Bool(7)});
  }
  return out;
}

std::string EncodeMarks(const Marks& marks) {
  std::string out;
  for (const auto& k : marks.warned) out += "w:" + k + ' ';
  for (const auto& k : marks.breached) out += "b:" + k + ' ';
  return out;
}

Marks DecodeMarks(const std::string& text) {
  Marks marks;
  for (const auto& part : Split(text, ' ')) {
    if (part.size() < 3 || part[1] != ':') continue;
    (part[0] == 'w' ? marks.warned : marks.breached).insert(part.substr(2));
  }
  return marks;
}

Result<int64_t> PayloadInt(const jobs::Job& job, const char* name) {
  try {
    return json::parse(job.payload).at(name).as_int64();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad ") + job.kind + " job payload: " + e.what());
  }
}

// On PostgreSQL, a refresh that relies on a pending sweep holds this lock
// shared from that decision until it commits, and a sweep, once claimed, takes
// it exclusively in a transaction of its own (a barrier: it waits for every
// such refresh to commit) before it reads. Otherwise a sweep running on another
// node could read, and schedule past, the tickets just before such a refresh
// commits, and that ticket's instant would wait for some unrelated later sweep.
// The barrier holds no other lock, so it cannot deadlock with a refresh holding
// ticket rows. SQLite's single writer orders them anyway.
constexpr int64_t kSweepLock = 7268002;

Status LockSweep(storage::Transaction& tx, bool exclusive) {
  if (tx.engine() != storage::Engine::kPostgres) return Status::Ok();
  return tx.Query(exclusive ? "SELECT pg_advisory_xact_lock(?)" : "SELECT pg_advisory_xact_lock_shared(?)",
                  {kSweepLock})
      .status();
}

// "?, ?, ..." for n placeholders.
std::string Placeholders(size_t n, const char* one = "?") {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + std::string(one);
  return out;
}

// A PostgreSQL array literal ("{1,NULL,3}"), bound as one text parameter: a
// statement with one array instead of hundreds of parameters is planned in a
// fraction of the time, and PostgreSQL plans each execution anew.
std::string PgArray(size_t n, const std::function<std::optional<int64_t>(size_t)>& at) {
  std::string out = "{";
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    std::optional<int64_t> v = at(i);
    out += v ? std::to_string(*v) : std::string("NULL");
  }
  out += '}';
  return out;
}

// Statement texts are cached per connection: lists are padded to a power of
// two (repeating the last element, which changes nothing) so a handful of
// texts serve every batch size.
size_t PaddedSize(size_t n) {
  size_t size = 1;
  while (size < n) size *= 2;
  return size;
}

}  // namespace

// One ticket as the watcher reads it, and what it decides to store.
struct SlaWatch::Watched {
  sla::TicketSnapshot ticket;
  std::optional<TimestampMs> due, warn, check;  // as stored
  // ticket_sla as stored (cached = a row exists).
  bool cached = false;
  std::optional<int64_t> cache_policy_id, cache_policy_updated_at, cache_first_response;
  std::string cache_timelines, cache_marks;
  bool has_events = false;  // events were read (else the cache is used)
  std::vector<tickets::TicketEvent> events;
};

// What one transaction's refreshes share: loaded once.
struct SlaWatch::Context {
  sla::SlaEvaluator evaluator;
  std::vector<EscalationRule> rules;
  TimestampMs now = 0;
};

SlaWatch::SlaWatch(storage::Database& db, const Clock& clock, jobs::JobService& jobs, notify::NotifyService* notify,
                   escalation::EscalationService* escalations, SlaWatchOptions options)
    : db_(db), clock_(clock), jobs_(jobs), notify_(notify), escalations_(escalations), options_(std::move(options)) {}

void SlaWatch::RegisterJobHandlers() {
  jobs_.RegisterHandler(sla::kSweepJob, [this](const jobs::Job& job) { return RunSweep(job); });
  jobs_.RegisterHandler(sla::kRecomputeJob, [this](const jobs::Job& job) { return RunRecompute(job); });
  if (escalations_) {
    jobs_.RegisterHandler(kAutoEscalateJob, [this](const jobs::Job& job) { return RunAutoEscalate(job); });
  }
}

Status SlaWatch::OnTicketCreated(storage::Transaction& tx, const tickets::Ticket& ticket) {
  return Refresh(tx, ticket.id);
}

Status SlaWatch::OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket, const tickets::Comment&) {
  return Refresh(tx, ticket.id);
}

Status SlaWatch::OnTicketUpdated(storage::Transaction& tx, const tickets::Ticket&, const tickets::Ticket& after) {
  return Refresh(tx, after.id);
}

Result<std::vector<SlaWatch::Watched>> SlaWatch::LoadWatched(storage::Transaction& tx, const std::string& where_sql,
                                                             const storage::Params& params, const Context& ctx,
                                                             bool read_events) {
  // On PostgreSQL the tickets' rows stay locked to the end of the transaction,
  // so a refresh never interleaves with a change to the same ticket on another
  // node (a change holds the row from its first write: store::LockTickets or
  // its UPDATE), nor with another refresh of it; SQLite has one writer. The
  // lock is FOR NO KEY UPDATE, the one those UPDATEs take: it excludes them
  // and other refreshes, but not inserts elsewhere that merely reference the
  // ticket (events, comments). The ticket_sla_due rows need no lock of their
  // own: only a transaction holding the ticket's row writes them.
  // ticket_sla_due: an inner join, every ticket has its row (migration 0014).
  std::string lock = tx.engine() == storage::Engine::kPostgres ? " FOR NO KEY UPDATE OF t" : "";
  auto rows = tx.Query(
      "SELECT t.id, t.status, t.priority, t.queue_id, t.tags, t.requester_id, t.created_at, d.due_at, "
      "d.warn_at, d.check_at, u.group_name, s.ticket_id, s.policy_id, s.policy_updated_at, s.timelines, "
      "s.marks, s.first_response_at "
      "FROM tickets t JOIN ticket_sla_due d ON d.ticket_id = t.id JOIN users u ON u.id = t.requester_id "
      "LEFT JOIN ticket_sla s ON s.ticket_id = t.id " +
          where_sql + lock,
      params);
  if (!rows.ok()) return rows.status();
  std::vector<Watched> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    Watched w;
    w.ticket.id = r.Int(0);
    w.ticket.status = r.Text(1);
    w.ticket.priority = r.Text(2);
    w.ticket.queue_id = r.OptInt(3);
    w.ticket.tags = Split(r.Text(4), ' ');
    w.ticket.requester_id = r.Int(5);
    w.ticket.created_at = r.Int(6);
    w.due = r.OptInt(7);
    w.warn = r.OptInt(8);
    w.check = r.OptInt(9);
    w.ticket.requester_group = r.OptText(10).value_or("");
    w.cached = !r.IsNull(11);
    if (w.cached) {
      w.cache_policy_id = r.OptInt(12);
      w.cache_policy_updated_at = r.OptInt(13);
      w.cache_timelines = r.Text(14);
      w.cache_marks = r.Text(15);
      w.cache_first_response = r.OptInt(16);
    }
    // The cache serves while it was built for the policy that applies now.
    const sla::SlaPolicy* policy = ctx.evaluator.PolicyFor(w.ticket);
    bool valid = w.cached && (policy ? (w.cache_policy_id == policy->id &&
                                        w.cache_policy_updated_at == policy->updated_at)
                                     : !w.cache_policy_id.has_value());
    w.has_events = read_events || !valid;
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const Watched& a, const Watched& b) { return a.ticket.id < b.ticket.id; });
  std::vector<Watched*> need;
  for (auto& w : out) {
    if (w.has_events) need.push_back(&w);
  }
  if (need.empty()) return out;

  // Every event of those tickets in one query: a range when the ids are dense
  // (a recompute walks them in order), a padded list when they are not (a sweep).
  std::string events_where;
  storage::Params event_params;
  const int64_t first = need.front()->ticket.id, last = need.back()->ticket.id;
  if (static_cast<size_t>(last - first) < 2 * need.size()) {
    events_where = "ticket_id BETWEEN ? AND ?";
    event_params = {first, last};
  } else {
    size_t n = PaddedSize(need.size());
    events_where = "ticket_id IN (" + Placeholders(n) + ")";
    for (size_t i = 0; i < n; ++i) event_params.emplace_back(need[std::min(i, need.size() - 1)]->ticket.id);
  }
  auto events = tx.Query(
      // before_value is never needed by the clocks: not read.
      "SELECT id, ticket_id, actor_id, at, kind, field, after_value, is_internal FROM ticket_events "
      "WHERE " + events_where + " ORDER BY ticket_id, id",
      event_params);
  if (!events.ok()) return events.status();
  size_t at = 0;
  for (const auto& r : *events) {
    const int64_t ticket_id = r.Int(1);
    while (at < need.size() && need[at]->ticket.id < ticket_id) ++at;
    if (at == need.size()) break;
    if (need[at]->ticket.id != ticket_id) continue;  // in the range, not selected
    need[at]->events.push_back(tickets::TicketEvent{r.Int(0), ticket_id, r.OptInt(2), r.Int(3), r.Text(4),
                                                  r.OptText(5), std::nullopt, r.OptText(6), r.Bool(7)});
  }
  return out;
}

Status SlaWatch::Refresh(storage::Transaction& tx, int64_t ticket_id) {
  Context ctx;
  OPSDESK_ASSIGN_OR_RETURN(ctx.evaluator, sla::SlaEvaluator::Load(tx));
  OPSDESK_ASSIGN_OR_RETURN(ctx.rules, EscalationRuleService::LoadEnabled(tx));
  ctx.now = clock_.NowMs();
  // Nothing to watch: skip the ticket's events entirely (a desk without SLAs
  // pays two small reads per change).
  if (!ctx.evaluator.has_policies() && ctx.rules.empty()) {
    return tx
        .Exec("UPDATE ticket_sla_due SET due_at = NULL, warn_at = NULL, check_at = NULL "
              "WHERE ticket_id = ? AND (due_at IS NOT NULL OR warn_at IS NOT NULL OR check_at IS NOT NULL)",
              {ticket_id})
        .status();
  }
  OPSDESK_ASSIGN_OR_RETURN(auto watched, LoadWatched(tx, "WHERE t.id = ?", {ticket_id}, ctx, /*read_events=*/true));
  return RefreshAll(tx, watched, ctx);
}

// The clocks of a ticket read from the cache: pure arithmetic, and most of the
// work after a calendar change, so it runs apart from the writes.
struct SlaWatch::Computed {
  bool ready = false;
  std::vector<sla::ClockTimeline> timelines;
  std::vector<sla::TargetClock> clocks;
};

size_t SlaWatch::ComputeThreads(size_t tickets) {
  return tickets >= 256 ? std::max(1u, std::min(4u, std::thread::hardware_concurrency())) : 1;
}

std::vector<SlaWatch::Computed> SlaWatch::ComputeFromCache(const std::vector<Watched>& watched, const Context& ctx,
                                                           size_t threads) {
  std::vector<Computed> computed(watched.size());
  auto compute_range = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const Watched& w = watched[i];
      if (w.has_events) continue;
      auto decoded = DecodeTimelines(w.cache_timelines);
      if (!decoded) continue;  // unreadable: rebuilt from the events by ApplyRefresh
      const sla::SlaPolicy* policy = ctx.evaluator.PolicyFor(w.ticket);
      const sla::CompiledCalendar* calendar = policy ? ctx.evaluator.CalendarOf(*policy) : nullptr;
      if (policy && !calendar) continue;
      if (policy) {
        auto clocks = sla::EvaluateTimelines(*decoded, policy->warn_at_percent, *calendar, ctx.now);
        if (!clocks.ok()) continue;  // reported by the serial path
        computed[i].clocks = std::move(*clocks);
      }
      computed[i].timelines = std::move(*decoded);
      computed[i].ready = true;
    }
  };
  if (threads > 1) {
    std::vector<std::thread> pool;
    const size_t per = (watched.size() + threads - 1) / threads;
    for (size_t t = 1; t < threads; ++t) {
      pool.emplace_back(compute_range, std::min(watched.size(), t * per), std::min(watched.size(), (t + 1) * per));
    }
    compute_range(0, std::min(watched.size(), per));
    for (auto& th : pool) th.join();
  } else {
    compute_range(0, watched.size());
  }
  return computed;
}

Status SlaWatch::RefreshAll(storage::Transaction& tx, std::vector<Watched>& watched, const Context& ctx) {
  std::vector<Computed> computed = ComputeFromCache(watched, ctx, ComputeThreads(watched.size()));
  std::optional<TimestampMs> earliest_check;
  OPSDESK_RETURN_IF_ERROR(ApplyRefresh(tx, watched, computed, ctx, earliest_check));
  if (earliest_check) OPSDESK_RETURN_IF_ERROR(EnsureSweep(tx, *earliest_check));
  return Status::Ok();
}

Status SlaWatch::ApplyRefresh(storage::Transaction& tx, std::vector<Watched>& watched,
                              std::vector<Computed>& computed, const Context& ctx,
                              std::optional<TimestampMs>& earliest_check) {
  const TimestampMs now = ctx.now;
  struct Update {
    int64_t id;
    std::optional<TimestampMs> due, warn, check;
  };
  std::vector<Update> updates;

  struct CacheRow {
    int64_t ticket_id;
    std::optional<int64_t> policy_id, policy_updated_at;
    std::string timelines, marks;
    std::optional<TimestampMs> first_response;
  };
  std::vector<CacheRow> cache_rows;

  for (size_t index = 0; index < watched.size(); ++index) {
    Watched& w = watched[index];
    const int64_t ticket_id = w.ticket.id;
    const sla::SlaPolicy* policy = ctx.evaluator.PolicyFor(w.ticket);
    const sla::CompiledCalendar* calendar = policy ? ctx.evaluator.CalendarOf(*policy) : nullptr;
    if (policy && !calendar) return Status::Internal("SLA policy's calendar was not loaded");
    std::vector<sla::ClockTimeline> timelines;
    std::vector<sla::TargetClock> clocks;
    Marks marks;
    std::optional<TimestampMs> first_response;
    if (!w.has_events && computed[index].ready) {
      timelines = std::move(computed[index].timelines);
      clocks = std::move(computed[index].clocks);
      marks = DecodeMarks(w.cache_marks);
      first_response = w.cache_first_response;
    } else {
      if (!w.has_events) {  // the cache was unreadable: rebuild from the events
        OPSDESK_ASSIGN_OR_RETURN(w.events, LoadEvents(tx, ticket_id));
        w.has_events = true;
      }
      if (policy) {
        timelines = sla::BuildTimelines(w.ticket, w.events, *policy, now);
        OPSDESK_ASSIGN_OR_RETURN(clocks, sla::EvaluateTimelines(timelines, policy->warn_at_percent, *calendar, now));
      }
      marks = ReadMarks(w.events);
      first_response = sla::FirstResponseAt(w.ticket, w.events);
    }

    const bool open = !IsDone(w.ticket.status);
    std::optional<TimestampMs> wake, due, warn;
    auto wake_at = [&](TimestampMs at) {
      if (at > now && (!wake || at < *wake)) wake = at;
    };
    bool any_breach = false;
    bool marks_changed = false;
    for (const auto& clock : clocks) {
      const std::string target = sla::TargetKindName(clock.kind);
      const std::string key = CycleKey(target, clock.started_at);
      if (clock.breached_at) {
        any_breach = true;
        if (!marks.breached.count(key)) {
          OPSDESK_RETURN_IF_ERROR(WriteClockEvent(tx, w.ticket, *policy, clock, "sla_breached", now));
          marks.breached.insert(key);
          marks_changed = true;
        }
      } else if (clock.warning && !clock.met_at && !marks.warned.count(key)) {
        OPSDESK_RETURN_IF_ERROR(WriteClockEvent(tx, w.ticket, *policy, clock, "sla_warning", now));
        marks.warned.insert(key);
        marks_changed = true;
      }
      if (!open || clock.met_at) continue;
      if (clock.state == sla::ClockState::kRunning) {
        // A paused clock's due time moves; the change that resumes it refreshes
        // again. Breached is "past due": the first instant after due_at.
        if (clock.due_at) wake_at(*clock.due_at + 1);
        if (clock.warn_at && !marks.warned.count(key)) wake_at(*clock.warn_at);
      }
      if (clock.state == sla::ClockState::kRunning || clock.state == sla::ClockState::kBreached) {
        if (clock.due_at && (!due || *clock.due_at < *due)) due = clock.due_at;
        if (clock.warn_at && (!warn || *clock.warn_at < *warn)) warn = clock.warn_at;
      }
    }

    // The cache follows what was just read or written.
    if (w.has_events || marks_changed) {
      CacheRow row{ticket_id,
                   policy ? std::optional<int64_t>(policy->id) : std::nullopt,
                   policy ? std::optional<int64_t>(policy->updated_at) : std::nullopt,
                   w.has_events ? EncodeTimelines(timelines) : w.cache_timelines,
                   EncodeMarks(marks),
                   first_response};
      bool same = w.cached && row.policy_id == w.cache_policy_id && row.policy_updated_at == w.cache_policy_updated_at &&
                  row.timelines == w.cache_timelines && row.marks == w.cache_marks &&
                  row.first_response == w.cache_first_response;
      if (!same) cache_rows.push_back(std::move(row));
    }

    // Automatic escalation rules: each fires once per ticket (the job's key).
    if (open && escalations_) {
      for (const auto& rule : ctx.rules) {
        if (!RuleMatches(rule, w.ticket.priority, w.ticket.queue_id)) continue;
        bool fire = false;
        if (rule.trigger == "sla_breach") {
          fire = any_breach;
        } else if (rule.trigger == "unanswered" && rule.minutes) {
          if (first_response) continue;
          // Business minutes on the ticket's SLA calendar; round the clock without one.
          static const sla::CompiledCalendar kAlwaysOpen = sla::CompiledCalendar::AlwaysOpenUtc();
          const sla::CompiledCalendar& rule_calendar = calendar ? *calendar : kAlwaysOpen;
          auto at = sla::AddBusinessMs(rule_calendar, w.ticket.created_at, *rule.minutes * 60'000);
          if (!at.ok()) return at.status();
          if (*at <= now) {
            fire = true;
          } else {
            wake_at(*at);
          }
        }
        if (!fire) continue;
        json::object payload{{"ticket_id", ticket_id}, {"rule_id", rule.id}};
        std::string job_key = "autoesc:" + std::to_string(rule.id) + ":" + std::to_string(ticket_id);
        auto scheduled = jobs_.Schedule(tx, kAutoEscalateJob, json::serialize(payload), now, {job_key, std::nullopt});
        if (!scheduled.ok()) return scheduled.status();
      }
    }

    if (due != w.due || warn != w.warn || wake != w.check) {
      updates.push_back({ticket_id, due, warn, wake});
      if (wake && (!earliest_check || *wake < *earliest_check)) earliest_check = wake;
    }
  }

  // The cache rows: multi-row upserts in chunks of powers of two (the statement
  // texts stay few; a row may not repeat in one upsert on PostgreSQL).
  for (size_t from = 0; from < cache_rows.size();) {
    size_t chunk = 1;
    while (chunk * 2 <= cache_rows.size() - from && chunk * 2 <= static_cast<size_t>(options_.batch)) chunk *= 2;
    storage::Params params;
    params.reserve(chunk * 6);
    for (size_t i = from; i < from + chunk; ++i) {
      const CacheRow& r = cache_rows[i];
      params.emplace_back(r.ticket_id);
      params.emplace_back(r.policy_id);
      params.emplace_back(r.policy_updated_at);
      params.emplace_back(r.timelines);
      params.emplace_back(r.marks);
      params.emplace_back(r.first_response);
    }
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO ticket_sla (ticket_id, policy_id, policy_updated_at, timelines, marks, "
                "first_response_at) VALUES " +
                    Placeholders(chunk, "(?, ?, ?, ?, ?, ?)") +
                    " ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, "
                    "policy_updated_at = excluded.policy_updated_at, timelines = excluded.timelines, "
                    "marks = excluded.marks, first_response_at = excluded.first_response_at",
                params)
            .status());
    from += chunk;
  }

  // One statement for the whole batch (UPDATE ... FROM VALUES: SQLite 3.33+ and
  // PostgreSQL), padded like the event query.
  for (size_t from = 0; from < updates.size(); from += static_cast<size_t>(options_.batch)) {
    size_t count = std::min(updates.size() - from, static_cast<size_t>(options_.batch));
    if (tx.engine() == storage::Engine::kPostgres) {
      // Four arrays (see PgArray) and the ids' range.
      int64_t low = updates[from].id, high = low;
      for (size_t i = from; i < from + count; ++i) {
        low = std::min(low, updates[i].id);
        high = std::max(high, updates[i].id);
      }
      const Update* u = &updates[from];
      storage::Params params{PgArray(count, [&](size_t i) { return std::optional<int64_t>(u[i].id); }),
                             PgArray(count, [&](size_t i) { return u[i].due; }),
                             PgArray(count, [&](size_t i) { return u[i].warn; }),
                             PgArray(count, [&](size_t i) { return u[i].check; }), low, high};
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("UPDATE ticket_sla_due SET due_at = v.due_at, warn_at = v.warn_at, check_at = v.check_at "
                  "FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) "
                  "AS v (ticket_id, due_at, warn_at, check_at) "
                  "WHERE ticket_sla_due.ticket_id = v.ticket_id AND ticket_sla_due.ticket_id BETWEEN ? AND ?",
                  params)
              .status());
      continue;
    }
    size_t padded = PaddedSize(count);
    storage::Params params;
    params.reserve(padded * 4 + 2);
    int64_t low = updates[from].id, high = low;
    for (size_t i = 0; i < padded; ++i) {
      const Update& u = updates[from + std::min(i, count - 1)];
      params.emplace_back(u.id);
      params.emplace_back(u.due);
      params.emplace_back(u.warn);
      params.emplace_back(u.check);
      low = std::min(low, u.id);
      high = std::max(high, u.id);
    }
    // The range of the ids keeps PostgreSQL from joining the VALUES with a scan
    // of the whole table (it rates a few hundred probes of the key index above
    // reading every narrow row).
    params.emplace_back(low);
    params.emplace_back(high);
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("UPDATE ticket_sla_due SET due_at = v.column2, warn_at = v.column3, check_at = v.column4 "
                "FROM (VALUES " +
                    Placeholders(padded, "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
                                         "CAST(? AS BIGINT))") +
                    ") AS v WHERE ticket_sla_due.ticket_id = v.column1 AND ticket_sla_due.ticket_id BETWEEN ? AND ?",
                params)
            .status());
  }
  return Status::Ok();
}

Status SlaWatch::EnsureSweep(storage::Transaction& tx, TimestampMs at) {
  OPSDESK_RETURN_IF_ERROR(LockSweep(tx, /*exclusive=*/false));
  auto pending = tx.QueryOne("SELECT MIN(due_at) FROM jobs WHERE kind = ? AND state = 'pending'",
                             {std::string(sla::kSweepJob)});
  if (!pending.ok()) return pending.status();
  if (*pending && !(*pending)->IsNull(0) && (*pending)->Int(0) <= at) return Status::Ok();
  auto scheduled =
      jobs_.Schedule(tx, sla::kSweepJob, "{}", at, {"sla-sweep:" + std::to_string(at), std::nullopt});
  return scheduled.status();
}

Status SlaWatch::WriteClockEvent(storage::Transaction& tx, const sla::TicketSnapshot& ticket,
                                 const sla::SlaPolicy& policy, const sla::TargetClock& clock, const std::string& kind,
                                 TimestampMs now) {
  const std::string target = sla::TargetKindName(clock.kind);
  json::object data{{"target", target},
                    {"started_at", clock.started_at},
                    {"policy_id", policy.id},
                    {"policy", policy.name},
                    {"target_minutes", clock.target_minutes},
                    {"due_at", clock.due_at ? json::value(FormatTimestamp(*clock.due_at)) : json::value(nullptr)}};
  if (clock.breached_at) data["breached_at"] = FormatTimestamp(*clock.breached_at);
  auto id = tx.QueryOne(
      "INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal) "
      "VALUES (?, NULL, ?, ?, ?, NULL, ?, 1) RETURNING id",
      {ticket.id, now, kind, target, json::serialize(data)});
  if (!id.ok()) return id.status();
  if (!notify_) return Status::Ok();

  const std::string event_type = kind == "sla_warning" ? "sla.warning" : "sla.breached";
  const std::string event_id = std::to_string((*id)->Int(0));
  auto row = tx.QueryOne("SELECT subject, assignee_id FROM tickets WHERE id = ?", {ticket.id});
  if (!row.ok()) return row.status();
  std::string subject = *row ? (*row)->Text(0) : "";
  std::optional<int64_t> assignee = *row ? (*row)->OptInt(1) : std::nullopt;
  // The assignee hears of both; the leads of a breach, and of a warning on a
  // ticket nobody holds.
  std::vector<int64_t> recipients;
  if (assignee) recipients.push_back(*assignee);
  if (kind == "sla_breached" || !assignee) {
    auto leads = tx.Query("SELECT id FROM users WHERE role = 'lead' AND is_active = 1 ORDER BY id");
    if (!leads.ok()) return leads.status();
    for (const auto& row : *leads) recipients.push_back(row.Int(0));
  }
  std::string ticket_url = options_.public_url + "/tickets/" + std::to_string(ticket.id);
  std::map<std::string, std::string> values{
      {"ticket_id", std::to_string(ticket.id)},
      {"ticket_subject", subject},
      {"target", target},
      {"policy", policy.name},
      {"warn_percent", std::to_string(policy.warn_at_percent)},
      {"due_at", clock.due_at ? FormatTimestamp(*clock.due_at) : std::string("-")},
      {"ticket_url", ticket_url}};
  OPSDESK_RETURN_IF_ERROR(notify_->NotifyUsers(tx, event_type, event_id, recipients, values));
  json::object hook{{"ticket", json::object{{"id", ticket.id}, {"subject", subject}, {"url", ticket_url}}},
                    {"sla", data}};
  return notify_->EmitWebhookEvent(tx, event_type, event_id, json::serialize(hook));
}

Result<int64_t> SlaWatch::Sweep() {
  Status barrier = db_.Write([](storage::Transaction& tx) { return LockSweep(tx, /*exclusive=*/true); });
  if (!barrier.ok()) return barrier;
  int64_t refreshed = 0;
  for (;;) {
    size_t batch = 0;
    Status status = db_.Write([&](storage::Transaction& tx) -> Status {
      Context ctx;
      ctx.now = clock_.NowMs();
      OPSDESK_ASSIGN_OR_RETURN(ctx.evaluator, sla::SlaEvaluator::Load(tx));
      OPSDESK_ASSIGN_OR_RETURN(ctx.rules, EscalationRuleService::LoadEnabled(tx));
      OPSDESK_ASSIGN_OR_RETURN(
          auto watched,
          LoadWatched(tx, "WHERE d.check_at <= ? ORDER BY d.check_at, d.ticket_id LIMIT ?", {ctx.now, options_.batch},
                      ctx, /*read_events=*/false));
      batch = watched.size();
      OPSDESK_RETURN_IF_ERROR(RefreshAll(tx, watched, ctx));
      if (batch == static_cast<size_t>(options_.batch)) return Status::Ok();  // more to do
      // Done: the next sweep at the earliest instant still ahead.
      auto next = tx.QueryOne("SELECT MIN(check_at) FROM ticket_sla_due WHERE check_at IS NOT NULL");
      if (!next.ok()) return next.status();
      if (*next && !(*next)->IsNull(0)) OPSDESK_RETURN_IF_ERROR(EnsureSweep(tx, (*next)->Int(0)));
      return Status::Ok();
    });
    if (!status.ok()) return status;
    refreshed += static_cast<int64_t>(batch);
    if (batch < static_cast<size_t>(options_.batch)) return refreshed;
  }
}

Result<int64_t> SlaWatch::RecomputeAll() {
  // The open tickets' ids first (a scan of the status index), then batches by
  // id list: asking for "status IN (...) AND id > ? ORDER BY id LIMIT n" per
  // batch would scan the status index again for every batch.
  // Policies, calendars and rules are read once: a change to them while this
  // runs schedules another recompute, which sees it.
  std::vector<int64_t> ids;
  Context ctx;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(ctx.evaluator, sla::SlaEvaluator::Load(tx));
    OPSDESK_ASSIGN_OR_RETURN(ctx.rules, EscalationRuleService::LoadEnabled(tx));
    auto rows = tx.Query(std::string("SELECT id FROM tickets WHERE status IN ") + kOpenStatuses);
    if (!rows.ok()) return rows.status();
    ids.reserve(rows->size());
    for (const auto& r : *rows) ids.push_back(r.Int(0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  std::sort(ids.begin(), ids.end());
  // PostgreSQL runs the batches in two lanes, each its own transaction on its
  // own connection: one backend reading, locking and updating 100,000 rows is
  // the limit there, and the lanes' tickets are disjoint, so they never wait
  // for each other. SQLite has one writer: one lane.
  const size_t batch = static_cast<size_t>(options_.batch);
  const size_t batches = (ids.size() + batch - 1) / batch;
  const size_t lanes =
      db_.engine() == storage::Engine::kPostgres
          ? std::min<size_t>({2, batches, std::max(1u, std::thread::hardware_concurrency())})
          : 1;
  std::atomic<int64_t> refreshed = 0;
  std::atomic<bool> failed = false;
  std::vector<Status> lane_status(std::max<size_t>(1, lanes));
  auto run_lane = [&](size_t lane) {
    Context lane_ctx = ctx;  // `now` moves per batch
    for (size_t b = lane; b < batches && !failed; b += lanes) {
      Status st;
      try {
        st = RecomputeBatch(ids, b * batch, std::min(ids.size(), (b + 1) * batch), lane_ctx, refreshed);
      } catch (const std::exception& e) {
        // An exception must not leave a lane's thread: it would end the process.
        st = Status::Internal(std::string("SLA recompute: ") + e.what());
      }
      if (!st.ok()) {
        lane_status[lane] = st;
        failed = true;
        return;
      }
    }
  };
  {
    std::vector<std::jthread> others;
    for (size_t lane = 1; lane < lanes; ++lane) others.emplace_back(run_lane, lane);
    run_lane(0);
  }
  for (const Status& st : lane_status) {
    if (!st.ok()) return st;
  }
  return refreshed.load();
}

Status SlaWatch::RecomputeBatch(const std::vector<int64_t>& ids, size_t from, size_t end, Context& ctx,
                                std::atomic<int64_t>& refreshed) {
  // Each transaction's tickets go in parts: while one part is written, the
  // next one, already read, has its clocks computed on another thread, so the
  // arithmetic overlaps the writes instead of adding to them.
  const size_t part = std::max<size_t>(1, static_cast<size_t>(options_.batch) / 4);
  int64_t done = 0;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    done = 0;  // from the start again when the engine retries the transaction
    ctx.now = clock_.NowMs();
    // Status is read again under the lock: a ticket solved since is refreshed
    // too (its clocks stop and its due columns clear).
    auto load = [&](size_t first) {
      const size_t count = std::min(part, end - first);
      // The id range names ticket_sla_due's rows too: without it PostgreSQL
      // joins that narrow table by scanning all of it, for every part.
      if (tx.engine() == storage::Engine::kPostgres) {
        storage::Params params{PgArray(count, [&](size_t i) { return ids[first + i]; }), ids[first],
                               ids[first + count - 1]};
        return LoadWatched(tx, "WHERE t.id = ANY (CAST(? AS BIGINT[])) AND d.ticket_id BETWEEN ? AND ?", params, ctx,
                           /*read_events=*/false);
      }
      const size_t padded = PaddedSize(count);
      storage::Params params;
      params.reserve(padded);
      for (size_t i = 0; i < padded; ++i) params.emplace_back(ids[first + std::min(i, count - 1)]);
      params.emplace_back(ids[first]);
      params.emplace_back(ids[first + count - 1]);
      return LoadWatched(tx, "WHERE t.id IN (" + Placeholders(padded) + ") AND d.ticket_id BETWEEN ? AND ?", params,
                         ctx, /*read_events=*/false);
    };
    OPSDESK_ASSIGN_OR_RETURN(std::vector<Watched> current, load(from));
    std::vector<Computed> computed = ComputeFromCache(current, ctx, ComputeThreads(current.size()));
    // The writer keeps one core; the next part's arithmetic gets the others.
    const size_t helpers = std::max<size_t>(1, ComputeThreads(part) - 1);
    std::optional<TimestampMs> earliest_check;
    for (size_t at = from; at < end; at += part) {
      std::vector<Watched> next;
      std::vector<Computed> next_computed;
      if (at + part < end) {
        OPSDESK_ASSIGN_OR_RETURN(next, load(at + part));
      }
      Status applied;
      {
        // A jthread joins when it goes out of scope, also when ApplyRefresh throws.
        std::jthread worker;
        if (!next.empty()) worker = std::jthread([&] { next_computed = ComputeFromCache(next, ctx, helpers); });
        applied = ApplyRefresh(tx, current, computed, ctx, earliest_check);
      }
      if (!applied.ok()) return applied;
      done += static_cast<int64_t>(current.size());
      current = std::move(next);
      computed = std::move(next_computed);
    }
    // Once, after every part's row locks: the sweep lock comes last, as in a refresh.
    if (earliest_check) OPSDESK_RETURN_IF_ERROR(EnsureSweep(tx, *earliest_check));
    return Status::Ok();
  });
  if (status.ok()) refreshed += done;
  return status;
}

Status SlaWatch::RunSweep(const jobs::Job&) { return Sweep().status(); }

Status SlaWatch::RunRecompute(const jobs::Job&) { return RecomputeAll().status(); }

Status SlaWatch::RunAutoEscalate(const jobs::Job& job) {
  OPSDESK_ASSIGN_OR_RETURN(int64_t ticket_id, PayloadInt(job, "ticket_id"));
  OPSDESK_ASSIGN_OR_RETURN(int64_t rule_id, PayloadInt(job, "rule_id"));
  std::optional<EscalationRule> rule;
  Status loaded = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(rule, EscalationRuleService::Load(tx, rule_id));
    return Status::Ok();
  });
  if (!loaded.ok()) return loaded;
  if (!rule || !rule->enabled) return Status::Ok();  // removed or disabled since
  escalation::NewEscalation input;
  input.tier = rule->tier;
  input.severity = rule->severity;
  input.reason = rule->trigger == "sla_breach"
                     ? "Automatic: SLA breached (rule \"" + rule->name + "\")"
                     : "Automatic: no first response after " + std::to_string(rule->minutes.value_or(0)) +
                           " business minutes (rule \"" + rule->name + "\")";
  auto created = escalations_->CreateByRule(ticket_id, input, rule_id);
  if (created.ok()) return Status::Ok();
  // Already escalated, closed, or no policy to page: nothing to retry.
  switch (created.status().code()) {
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      spdlog::info("escalation rule {} did not escalate ticket {}: {}", rule_id, ticket_id,
                   created.status().message());
      return Status::Ok();
    default:
      return created.status();
  }
}

}  // namespace opsdesk::automation
