#include "automation/sla_watch.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

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
                                                             const storage::Params& params) {
  // On PostgreSQL the rows stay locked to the end of the transaction, so a
  // refresh never interleaves with a change to the same ticket on another
  // node; SQLite has one writer.
  std::string lock = tx.engine() == storage::Engine::kPostgres ? " FOR UPDATE OF t" : "";
  auto rows = tx.Query(
      "SELECT t.id, t.status, t.priority, t.queue_id, t.tags, t.requester_id, t.created_at, t.sla_due_at, "
      "t.sla_warn_at, t.sla_check_at, u.group_name FROM tickets t JOIN users u ON u.id = t.requester_id " +
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
    out.push_back(std::move(w));
  }
  if (out.empty()) return out;
  std::sort(out.begin(), out.end(), [](const Watched& a, const Watched& b) { return a.ticket.id < b.ticket.id; });

  // Every event of those tickets in one query: a range when the ids are dense
  // (a recompute walks them in order), a padded list when they are not (a sweep).
  std::string events_where;
  storage::Params event_params;
  const int64_t first = out.front().ticket.id, last = out.back().ticket.id;
  if (static_cast<size_t>(last - first) < 2 * out.size()) {
    events_where = "ticket_id BETWEEN ? AND ?";
    event_params = {first, last};
  } else {
    size_t n = PaddedSize(out.size());
    events_where = "ticket_id IN (" + Placeholders(n) + ")";
    for (size_t i = 0; i < n; ++i) event_params.emplace_back(out[std::min(i, out.size() - 1)].ticket.id);
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
    while (at < out.size() && out[at].ticket.id < ticket_id) ++at;
    if (at == out.size()) break;
    if (out[at].ticket.id != ticket_id) continue;  // in the range, not selected
    out[at].events.push_back(tickets::TicketEvent{r.Int(0), ticket_id, r.OptInt(2), r.Int(3), r.Text(4),
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
        .Exec("UPDATE tickets SET sla_due_at = NULL, sla_warn_at = NULL, sla_check_at = NULL "
              "WHERE id = ? AND (sla_due_at IS NOT NULL OR sla_warn_at IS NOT NULL OR sla_check_at IS NOT NULL)",
              {ticket_id})
        .status();
  }
  OPSDESK_ASSIGN_OR_RETURN(auto watched, LoadWatched(tx, "WHERE t.id = ?", {ticket_id}));
  return RefreshAll(tx, watched, ctx);
}

Status SlaWatch::RefreshAll(storage::Transaction& tx, std::vector<Watched>& watched, const Context& ctx) {
  const TimestampMs now = ctx.now;
  struct Update {
    int64_t id;
    std::optional<TimestampMs> due, warn, check;
  };
  std::vector<Update> updates;
  std::optional<TimestampMs> earliest_check;

  for (Watched& w : watched) {
    const int64_t ticket_id = w.ticket.id;
    OPSDESK_ASSIGN_OR_RETURN(sla::SlaEvaluation eval,
                             ctx.evaluator.Evaluate(std::move(w.ticket), std::move(w.events), now));
    const bool open = !IsDone(eval.ticket.status);
    std::optional<TimestampMs> wake, due, warn;
    auto wake_at = [&](TimestampMs at) {
      if (at > now && (!wake || at < *wake)) wake = at;
    };
    bool any_breach = false;

    const Marks marks = ReadMarks(eval.events);
    for (const auto& clock : eval.clocks) {
      const std::string target = sla::TargetKindName(clock.kind);
      const std::string key = CycleKey(target, clock.started_at);
      if (clock.breached_at) {
        any_breach = true;
        if (!marks.breached.count(key)) OPSDESK_RETURN_IF_ERROR(WriteClockEvent(tx, eval, clock, "sla_breached", now));
      } else if (clock.warning && !clock.met_at && !marks.warned.count(key)) {
        OPSDESK_RETURN_IF_ERROR(WriteClockEvent(tx, eval, clock, "sla_warning", now));
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

    // Automatic escalation rules: each fires once per ticket (the job's key).
    if (open && escalations_) {
      std::optional<std::optional<TimestampMs>> answered;  // computed on first need
      for (const auto& rule : ctx.rules) {
        if (!RuleMatches(rule, eval.ticket.priority, eval.ticket.queue_id)) continue;
        bool fire = false;
        if (rule.trigger == "sla_breach") {
          fire = any_breach;
        } else if (rule.trigger == "unanswered" && rule.minutes) {
          if (!answered) answered = sla::FirstResponseAt(eval.ticket, eval.events);
          if (*answered) continue;
          // Business minutes on the ticket's SLA calendar; round the clock without one.
          static const sla::CompiledCalendar kAlwaysOpen = sla::CompiledCalendar::AlwaysOpenUtc();
          const sla::CompiledCalendar& calendar = eval.calendar ? *eval.calendar : kAlwaysOpen;
          auto at = sla::AddBusinessMs(calendar, eval.ticket.created_at, *rule.minutes * 60'000);
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

  // One statement for the whole batch (UPDATE ... FROM VALUES: SQLite 3.33+ and
  // PostgreSQL), padded like the event query.
  for (size_t from = 0; from < updates.size(); from += static_cast<size_t>(options_.batch)) {
    size_t count = std::min(updates.size() - from, static_cast<size_t>(options_.batch));
    size_t padded = PaddedSize(count);
    storage::Params params;
    params.reserve(padded * 4);
    for (size_t i = 0; i < padded; ++i) {
      const Update& u = updates[from + std::min(i, count - 1)];
      params.emplace_back(u.id);
      params.emplace_back(u.due);
      params.emplace_back(u.warn);
      params.emplace_back(u.check);
    }
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("UPDATE tickets SET sla_due_at = v.column2, sla_warn_at = v.column3, sla_check_at = v.column4 "
                "FROM (VALUES " +
                    Placeholders(padded, "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
                                         "CAST(? AS BIGINT))") +
                    ") AS v WHERE tickets.id = v.column1",
                params)
            .status());
  }
  if (earliest_check) OPSDESK_RETURN_IF_ERROR(EnsureSweep(tx, *earliest_check));
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

Status SlaWatch::WriteClockEvent(storage::Transaction& tx, const sla::SlaEvaluation& eval,
                                 const sla::TargetClock& clock, const std::string& kind, TimestampMs now) {
  const std::string target = sla::TargetKindName(clock.kind);
  json::object data{{"target", target},
                    {"started_at", clock.started_at},
                    {"policy_id", eval.policy->id},
                    {"policy", eval.policy->name},
                    {"target_minutes", clock.target_minutes},
                    {"due_at", clock.due_at ? json::value(FormatTimestamp(*clock.due_at)) : json::value(nullptr)}};
  if (clock.breached_at) data["breached_at"] = FormatTimestamp(*clock.breached_at);
  auto id = tx.QueryOne(
      "INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal) "
      "VALUES (?, NULL, ?, ?, ?, NULL, ?, 1) RETURNING id",
      {eval.ticket.id, now, kind, target, json::serialize(data)});
  if (!id.ok()) return id.status();
  if (!notify_) return Status::Ok();

  const std::string event_type = kind == "sla_warning" ? "sla.warning" : "sla.breached";
  const std::string event_id = std::to_string((*id)->Int(0));
  auto ticket = tx.QueryOne("SELECT subject, assignee_id FROM tickets WHERE id = ?", {eval.ticket.id});
  if (!ticket.ok()) return ticket.status();
  std::string subject = *ticket ? (*ticket)->Text(0) : "";
  std::optional<int64_t> assignee = *ticket ? (*ticket)->OptInt(1) : std::nullopt;
  // The assignee hears of both; the leads of a breach, and of a warning on a
  // ticket nobody holds.
  std::vector<int64_t> recipients;
  if (assignee) recipients.push_back(*assignee);
  if (kind == "sla_breached" || !assignee) {
    auto leads = tx.Query("SELECT id FROM users WHERE role = 'lead' AND is_active = 1 ORDER BY id");
    if (!leads.ok()) return leads.status();
    for (const auto& row : *leads) recipients.push_back(row.Int(0));
  }
  std::string ticket_url = options_.public_url + "/tickets/" + std::to_string(eval.ticket.id);
  std::map<std::string, std::string> values{
      {"ticket_id", std::to_string(eval.ticket.id)},
      {"ticket_subject", subject},
      {"target", target},
      {"policy", eval.policy->name},
      {"warn_percent", std::to_string(eval.policy->warn_at_percent)},
      {"due_at", clock.due_at ? FormatTimestamp(*clock.due_at) : std::string("-")},
      {"ticket_url", ticket_url}};
  OPSDESK_RETURN_IF_ERROR(notify_->NotifyUsers(tx, event_type, event_id, recipients, values));
  json::object hook{{"ticket", json::object{{"id", eval.ticket.id}, {"subject", subject}, {"url", ticket_url}}},
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
          LoadWatched(tx, "WHERE t.sla_check_at <= ? ORDER BY t.sla_check_at, t.id LIMIT ?", {ctx.now, options_.batch}));
      batch = watched.size();
      OPSDESK_RETURN_IF_ERROR(RefreshAll(tx, watched, ctx));
      if (batch == static_cast<size_t>(options_.batch)) return Status::Ok();  // more to do
      // Done: the next sweep at the earliest instant still ahead.
      auto next = tx.QueryOne("SELECT MIN(sla_check_at) FROM tickets WHERE sla_check_at IS NOT NULL");
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
  int64_t refreshed = 0;
  const size_t batch = static_cast<size_t>(options_.batch);
  for (size_t from = 0; from < ids.size(); from += batch) {
    const size_t count = std::min(batch, ids.size() - from);
    const size_t padded = PaddedSize(count);
    storage::Params params;
    for (size_t i = 0; i < padded; ++i) params.emplace_back(ids[from + std::min(i, count - 1)]);
    status = db_.Write([&](storage::Transaction& tx) -> Status {
      ctx.now = clock_.NowMs();
      // Status is read again under the lock: a ticket solved since is refreshed
      // too (its clocks stop and its due columns clear).
      OPSDESK_ASSIGN_OR_RETURN(auto watched, LoadWatched(tx, "WHERE t.id IN (" + Placeholders(padded) + ")", params));
      refreshed += static_cast<int64_t>(watched.size());
      return RefreshAll(tx, watched, ctx);
    });
    if (!status.ok()) return status;
  }
  return refreshed;
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
