#include "automation/sla_watch.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "sla/sla_service.h"

namespace opsdesk::automation {
namespace {

namespace json = boost::json;

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

Result<sla::SlaEvaluator> LoadEvaluator(storage::Transaction& tx) { return sla::SlaEvaluator::Load(tx); }

Result<int64_t> PayloadInt(const jobs::Job& job, const char* name) {
  try {
    return json::parse(job.payload).at(name).as_int64();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad ") + job.kind + " job payload: " + e.what());
  }
}

}  // namespace

SlaWatch::SlaWatch(storage::Database& db, const Clock& clock, jobs::JobService& jobs, notify::NotifyService* notify,
                   escalation::EscalationService* escalations, SlaWatchOptions options)
    : db_(db), clock_(clock), jobs_(jobs), notify_(notify), escalations_(escalations), options_(std::move(options)) {}

void SlaWatch::RegisterJobHandlers() {
  jobs_.RegisterHandler(sla::kCheckJob, [this](const jobs::Job& job) { return RunCheck(job); });
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

Status SlaWatch::Refresh(storage::Transaction& tx, int64_t ticket_id) {
  OPSDESK_ASSIGN_OR_RETURN(sla::SlaEvaluator evaluator, LoadEvaluator(tx));
  OPSDESK_ASSIGN_OR_RETURN(std::vector<EscalationRule> rules, EscalationRuleService::LoadEnabled(tx));
  return RefreshWith(tx, ticket_id, evaluator, rules, clock_.NowMs());
}

Status SlaWatch::RefreshWith(storage::Transaction& tx, int64_t ticket_id, const sla::SlaEvaluator& evaluator,
                             const std::vector<EscalationRule>& rules, TimestampMs now) {
  // Nothing to watch: skip the ticket's events entirely (the common case of a
  // desk without SLAs pays one policy query per change).
  if (!evaluator.has_policies() && rules.empty()) {
    return tx.Exec("UPDATE tickets SET sla_due_at = NULL, sla_warn_at = NULL WHERE id = ? AND sla_due_at IS NOT NULL",
                   {ticket_id})
        .status();
  }
  // The row lock orders this refresh against a ticket change or another timer.
  OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE tickets SET version = version WHERE id = ?", {ticket_id}).status());
  OPSDESK_ASSIGN_OR_RETURN(auto loaded, evaluator.Evaluate(tx, ticket_id, now));
  if (!loaded) return Status::Ok();  // deleted meanwhile
  const sla::SlaEvaluation& eval = *loaded;
  const bool open = !IsDone(eval.ticket.status);

  std::optional<TimestampMs> wake;
  auto wake_at = [&](TimestampMs at) {
    if (at > now && (!wake || at < *wake)) wake = at;
  };
  std::optional<TimestampMs> due, warn;
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
    const bool stopped = clock.met_at.has_value();
    if (!open || stopped) continue;
    if (clock.state == sla::ClockState::kRunning) {
      // A paused clock's due time moves; the status change that resumes it refreshes again.
      // Breached is "past due": the first instant after due_at.
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
    std::optional<TimestampMs> answered;
    bool answered_known = false;
    for (const auto& rule : rules) {
      if (!RuleMatches(rule, eval.ticket.priority, eval.ticket.queue_id)) continue;
      bool fire = false;
      if (rule.trigger == "sla_breach") {
        fire = any_breach;
      } else if (rule.trigger == "unanswered" && rule.minutes) {
        if (!answered_known) {
          answered = sla::FirstResponseAt(eval.ticket, eval.events);
          answered_known = true;
        }
        if (answered) continue;
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

  if (wake) {
    json::object payload{{"ticket_id", ticket_id}};
    std::string job_key = "sla:" + std::to_string(ticket_id) + ":" + std::to_string(*wake);
    auto scheduled = jobs_.Schedule(tx, sla::kCheckJob, json::serialize(payload), *wake, {job_key, std::nullopt});
    if (!scheduled.ok()) return scheduled.status();
  }
  return tx.Exec("UPDATE tickets SET sla_due_at = ?, sla_warn_at = ? WHERE id = ?", {due, warn, ticket_id}).status();
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

Status SlaWatch::RunCheck(const jobs::Job& job) {
  OPSDESK_ASSIGN_OR_RETURN(int64_t ticket_id, PayloadInt(job, "ticket_id"));
  return db_.Write([&](storage::Transaction& tx) -> Status { return Refresh(tx, ticket_id); });
}

Status SlaWatch::RunRecompute(const jobs::Job&) { return RecomputeAll().status(); }

Result<int64_t> SlaWatch::RecomputeAll() {
  int64_t refreshed = 0;
  int64_t after_id = 0;
  for (;;) {
    int64_t last = after_id;
    int batch = 0;
    Status status = db_.Write([&](storage::Transaction& tx) -> Status {
      batch = 0;
      last = after_id;
      OPSDESK_ASSIGN_OR_RETURN(sla::SlaEvaluator evaluator, LoadEvaluator(tx));
      OPSDESK_ASSIGN_OR_RETURN(std::vector<EscalationRule> rules, EscalationRuleService::LoadEnabled(tx));
      auto ids = tx.Query(
          "SELECT id FROM tickets WHERE id > ? AND status IN ('new', 'open', 'pending', 'on_hold') ORDER BY id LIMIT ?",
          {after_id, options_.recompute_batch});
      if (!ids.ok()) return ids.status();
      TimestampMs now = clock_.NowMs();
      for (const auto& row : *ids) {
        last = row.Int(0);
        OPSDESK_RETURN_IF_ERROR(RefreshWith(tx, last, evaluator, rules, now));
        ++batch;
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
    refreshed += batch;
    after_id = last;
    if (batch < options_.recompute_batch) break;
  }
  return refreshed;
}

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
