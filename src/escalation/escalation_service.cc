#include "escalation/escalation_service.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "common/text.h"
#include "notify/templates.h"
#include "sla/sla_evaluator.h"

namespace opsdesk::escalation {
namespace {

namespace json = boost::json;

constexpr const char* kColumns =
    "id, ticket_id, policy_id, tier, severity, reason, state, step, level_index, created_by, created_at, "
    "updated_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at, cancelled_by, cancelled_at, "
    "last_paged_step, rule_id, responded_by, responded_at, "
    "(SELECT ack_minutes FROM escalation_severity_targets st WHERE st.severity = escalations.severity), "
    "(SELECT response_minutes FROM escalation_severity_targets st WHERE st.severity = escalations.severity)";
constexpr int kListLimit = 200;

struct Loaded {
  Escalation e;
  int64_t last_paged_step = -1;
};

Loaded FromRow(const storage::Row& r) {
  Loaded l;
  Escalation& e = l.e;
  e.id = r.Int(0);
  e.ticket_id = r.Int(1);
  e.policy_id = r.OptInt(2);
  e.tier = r.Text(3);
  e.severity = r.Text(4);
  e.reason = r.Text(5);
  e.state = r.Text(6);
  e.step = r.Int(7);
  e.level = r.Int(8);
  e.created_by = r.OptInt(9);
  e.created_at = r.Int(10);
  e.updated_at = r.Int(11);
  e.acknowledged_by = r.OptInt(12);
  e.acknowledged_at = r.OptInt(13);
  e.resolved_by = r.OptInt(14);
  e.resolved_at = r.OptInt(15);
  e.cancelled_by = r.OptInt(16);
  e.cancelled_at = r.OptInt(17);
  l.last_paged_step = r.Int(18);
  e.rule_id = r.OptInt(19);
  e.responded_by = r.OptInt(20);
  e.responded_at = r.OptInt(21);
  e.ack_target_minutes = r.OptInt(22).value_or(0);
  e.response_target_minutes = r.OptInt(23).value_or(0);
  return l;
}

Result<Loaded> Load(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kColumns + " FROM escalations WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("escalation " + std::to_string(id) + " not found");
  return FromRow(**row);
}

std::optional<int64_t> ActorId(const auth::Actor* actor) {
  if (!actor || actor->is_system) return std::nullopt;
  return actor->user_id;
}

// An internal ticket event; `data` goes to after_value as JSON text.
Status AppendEvent(storage::Transaction& tx, int64_t ticket_id, std::optional<int64_t> actor_id, TimestampMs at,
                   const std::string& kind, const json::object& data) {
  return tx
      .Exec("INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, "
            "is_internal) VALUES (?, ?, ?, ?, 'escalation', NULL, ?, 1)",
            {ticket_id, actor_id, at, kind, json::serialize(data)})
      .status();
}

struct Person {
  int64_t id = 0;
  std::string email;
  std::string name;
};

Result<std::vector<Person>> People(storage::Transaction& tx, const std::string& sql, const storage::Params& params) {
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<Person> out;
  for (const auto& r : *rows) out.push_back(Person{r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

// The active leads of `team` (when given and it has any), else every active lead.
Result<std::vector<Person>> Leads(storage::Transaction& tx, std::optional<int64_t> team) {
  if (team) {
    auto in_team = People(tx,
                          "SELECT u.id, u.email, u.display_name FROM users u JOIN team_members m ON m.user_id = u.id "
                          "WHERE m.team_id = ? AND u.role = 'lead' AND u.is_active = 1 ORDER BY u.id",
                          {*team});
    if (!in_team.ok() || !in_team->empty()) return in_team;
  }
  return People(tx, "SELECT id, email, display_name FROM users WHERE role = 'lead' AND is_active = 1 ORDER BY id", {});
}

std::string JobPayload(int64_t id, int64_t step) {
  return json::serialize(json::object{{"escalation_id", id}, {"step", step}});
}

bool ParsePayload(const jobs::Job& job, int64_t* id, int64_t* step) {
  try {
    json::value v = json::parse(job.payload);
    *id = v.at("escalation_id").as_int64();
    *step = v.at("step").as_int64();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Status ScheduleStep(jobs::JobService& jobs, storage::Transaction& tx, int64_t id, int64_t step, TimestampMs now, int timeout_minutes) {
  std::string prefix = "esc:" + std::to_string(id) + ":";
  auto page = jobs.Schedule(tx, kPageJob, JobPayload(id, step), now,
                            jobs::ScheduleOptions{prefix + "page:" + std::to_string(step), std::nullopt});
  if (!page.ok()) return page.status();
  auto timeout = jobs.Schedule(tx, kTimeoutJob, JobPayload(id, step), now + int64_t{timeout_minutes} * 60 * 1000,
                               jobs::ScheduleOptions{prefix + "timeout:" + std::to_string(step), std::nullopt});
  return timeout.status();
}

Result<int> LevelTimeout(storage::Transaction& tx, int64_t policy_id, int64_t level) {
  auto row = tx.QueryOne("SELECT ack_timeout_minutes FROM escalation_levels WHERE policy_id = ? AND level_index = ?",
                         {policy_id, level});
  if (!row.ok()) return row.status();
  if (!*row) return Status::FailedPrecondition("escalation policy " + std::to_string(policy_id) + " has no level " +
                                               std::to_string(level));
  return static_cast<int>((*row)->Int(0));
}

struct TicketInfo {
  int64_t requester_id = 0;
  std::string subject;
  std::string status;
  std::optional<int64_t> queue_id;
  std::string queue_name;
  std::optional<int64_t> queue_team;
  std::optional<int64_t> queue_policy;
};

Result<std::optional<TicketInfo>> LoadTicket(storage::Transaction& tx, int64_t ticket_id) {
  auto row = tx.QueryOne(
      "SELECT t.requester_id, t.subject, t.status, t.queue_id, q.name, q.team_id, q.escalation_policy_id "
      "FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id = ?",
      {ticket_id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TicketInfo>();
  const auto& r = **row;
  TicketInfo t{r.Int(0), r.Text(1), r.Text(2), r.OptInt(3), r.OptText(4).value_or(""), r.OptInt(5), r.OptInt(6)};
  return std::optional<TicketInfo>(std::move(t));
}

bool IsState(const std::string& s) {
  return s == "triggered" || s == "acknowledged" || s == "resolved" || s == "unacknowledged" || s == "cancelled";
}

}  // namespace

EscalationService::EscalationService(storage::Database& db, const Clock& clock, jobs::JobService& jobs,
                                     oncall::OnCallService& oncall, notify::NotifyService* notify,
                                     notify::LinkSigner signer, EscalationOptions options)
    : db_(db),
      clock_(clock),
      jobs_(jobs),
      oncall_(oncall),
      notify_(notify),
      signer_(std::move(signer)),
      options_(std::move(options)) {
  while (!options_.public_url.empty() && options_.public_url.back() == '/') options_.public_url.pop_back();
}

void EscalationService::RegisterJobHandlers() {
  jobs_.RegisterHandler(kPageJob, [this](const jobs::Job& job) { return RunPage(job); });
  jobs_.RegisterHandler(kTimeoutJob, [this](const jobs::Job& job) { return RunTimeout(job); });
}

std::string EscalationService::AckUrl(int64_t id, TimestampMs expires_at) const {
  return options_.public_url + "/api/v1/escalations/" + std::to_string(id) +
         "/ack?token=" + signer_.SignLink(kAckPurpose, id, expires_at);
}

std::string EscalationService::PersonalAckUrl(int64_t id, int64_t user_id, TimestampMs expires_at) const {
  return options_.public_url + "/api/v1/escalations/" + std::to_string(id) +
         "/ack?token=" + signer_.SignPersonalLink(kAckPurpose, id, user_id, expires_at);
}

std::string EscalationService::TicketUrl(int64_t ticket_id) const {
  return options_.public_url + "/agent/tickets/" + std::to_string(ticket_id);
}

Status EscalationService::CheckTicketAccess(const auth::Actor& actor, int64_t ticket_id) {
  if (actor.IsStaff()) return Status::Ok();
  std::optional<int64_t> requester;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT requester_id FROM tickets WHERE id = ?", {ticket_id});
    if (!row.ok()) return row.status();
    if (*row) requester = (*row)->Int(0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!requester || *requester != actor.user_id) {
    return Status::NotFound("ticket " + std::to_string(ticket_id) + " not found");
  }
  return Status::PermissionDenied("only staff work with escalations");
}

Result<Escalation> EscalationService::Create(const auth::Actor& actor, int64_t ticket_id, const NewEscalation& input) {
  OPSDESK_RETURN_IF_ERROR(CheckTicketAccess(actor, ticket_id));
  std::map<std::string, std::string> errors;
  if (std::string p = TextFieldProblem(input.reason, 1, 2000, true); !p.empty()) errors["reason"] = p;
  if (input.severity != "sev1" && input.severity != "sev2" && input.severity != "sev3" && input.severity != "sev4") {
    errors["severity"] = "must be one of sev1, sev2, sev3, sev4";
  }
  if (input.tier != "l2" && input.tier != "engineering") errors["tier"] = "must be l2 or engineering";
  if (!errors.empty()) return Status::InvalidArgument("escalation is not valid", errors);

  Escalation out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(out, CreateInTx(tx, ActorId(&actor), ticket_id, input, std::nullopt));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Escalation> EscalationService::CreateByRule(int64_t ticket_id, const NewEscalation& input, int64_t rule_id) {
  Escalation out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto earlier = tx.QueryOne("SELECT id FROM escalations WHERE ticket_id = ? AND rule_id = ?", {ticket_id, rule_id});
    if (!earlier.ok()) return earlier.status();
    if (*earlier) {
      return Status::Conflict("rule " + std::to_string(rule_id) + " already escalated ticket " +
                              std::to_string(ticket_id));
    }
    OPSDESK_ASSIGN_OR_RETURN(out, CreateInTx(tx, std::nullopt, ticket_id, input, rule_id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Escalation> EscalationService::CreateInTx(storage::Transaction& tx, std::optional<int64_t> by,
                                                 int64_t ticket_id, const NewEscalation& input,
                                                 std::optional<int64_t> rule_id) {
    OPSDESK_ASSIGN_OR_RETURN(auto ticket, LoadTicket(tx, ticket_id));
    if (!ticket) return Status::NotFound("ticket " + std::to_string(ticket_id) + " not found");
    if (ticket->status == "closed") return Status::FailedPrecondition("ticket " + std::to_string(ticket_id) + " is closed");
    // One open escalation per ticket; the ticket row lock orders concurrent creates.
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE tickets SET version = version WHERE id = ?", {ticket_id}).status());
    auto open = tx.QueryOne(
        "SELECT id FROM escalations WHERE ticket_id = ? AND state IN ('triggered', 'acknowledged', 'unacknowledged')",
        {ticket_id});
    if (!open.ok()) return open.status();
    if (*open) {
      return Status::Conflict("ticket " + std::to_string(ticket_id) + " already has open escalation " +
                              std::to_string((*open)->Int(0)));
    }
    std::optional<int64_t> policy;
    int timeout = options_.l2_ack_timeout_minutes;
    if (input.tier == "engineering") {
      if (!ticket->queue_id) {
        return Status::InvalidArgument("escalation is not valid",
                                       {{"ticket", "has no queue (component), so no escalation policy to page"}});
      }
      if (!ticket->queue_policy) {
        return Status::FailedPrecondition("queue " + ticket->queue_name +
                                          " has no escalation policy; escalate with tier l2 or set one");
      }
      policy = ticket->queue_policy;
      OPSDESK_ASSIGN_OR_RETURN(timeout, LevelTimeout(tx, *policy, 0));
    }
    TimestampMs now = clock_.NowMs();
    auto row = tx.QueryOne(
        "INSERT INTO escalations (ticket_id, policy_id, tier, severity, reason, state, step, level_index, "
        "created_by, created_at, updated_at, rule_id) VALUES (?, ?, ?, ?, ?, 'triggered', 0, 0, ?, ?, ?, ?) RETURNING id",
        {ticket_id, policy, input.tier, input.severity, input.reason, by, now, now, rule_id});
    if (!row.ok()) return row.status();
    int64_t id = (*row)->Int(0);
    json::object data{{"escalation_id", id},
                      {"severity", input.severity},
                      {"tier", input.tier},
                      {"reason", input.reason},
                      {"policy_id", policy ? json::value(*policy) : json::value(nullptr)}};
    if (rule_id) data["rule_id"] = *rule_id;
    OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, ticket_id, by, now, "escalated", data));
    if (create_fault_) OPSDESK_RETURN_IF_ERROR(create_fault_());
    OPSDESK_RETURN_IF_ERROR(ScheduleStep(jobs_, tx, id, 0, now, timeout));
    OPSDESK_ASSIGN_OR_RETURN(Loaded loaded, Load(tx, id));
    if (loaded.e.tier == "engineering") OPSDESK_RETURN_IF_ERROR(MarkHold(tx, loaded.e, true, by, now));
    if (ticket_hook_) OPSDESK_RETURN_IF_ERROR(ticket_hook_(tx, ticket_id));
    return loaded.e;
}

Result<std::vector<Escalation>> EscalationService::ListForTicket(const auth::Actor& actor, int64_t ticket_id) {
  OPSDESK_RETURN_IF_ERROR(CheckTicketAccess(actor, ticket_id));
  std::vector<Escalation> out;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    auto exists = tx.QueryOne("SELECT id FROM tickets WHERE id = ?", {ticket_id});
    if (!exists.ok()) return exists.status();
    if (!*exists) return Status::NotFound("ticket " + std::to_string(ticket_id) + " not found");
    auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM escalations WHERE ticket_id = ? ORDER BY id DESC",
                         {ticket_id});
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) out.push_back(FromRow(r).e);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Escalation>> EscalationService::List(const auth::Actor& actor,
                                                        const std::optional<std::string>& state) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  std::string where;
  storage::Params params;
  if (state) {
    if (*state == "open") {
      where = " WHERE state IN ('triggered', 'acknowledged', 'unacknowledged')";
    } else if (IsState(*state)) {
      where = " WHERE state = ?";
      params.emplace_back(*state);
    } else {
      return Status::InvalidArgument(
          "invalid query", {{"state", "must be open, triggered, acknowledged, unacknowledged, resolved or cancelled"}});
    }
  }
  std::vector<Escalation> out;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM escalations" + where + " ORDER BY id DESC LIMIT " +
                             std::to_string(kListLimit),
                         params);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) out.push_back(FromRow(r).e);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Escalation> EscalationService::Get(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  Escalation out;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Loaded l, Load(tx, id));
    out = l.e;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Escalation> EscalationService::Acknowledge(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  return Transition(ActorId(&actor), id, "acknowledged", "api");
}

Result<Escalation> EscalationService::AcknowledgeByLink(int64_t id, const std::string& token) {
  auto claims = signer_.Verify(kAckPurpose, token, clock_.NowMs());
  if (!claims.ok()) return claims.status();
  if (claims->id != id) return Status::Unauthenticated("the link is not for this escalation");
  if (!claims->user_id) return Transition(std::nullopt, id, "acknowledged", "link");  // a webhook's link
  // A personal link (the e-mail page) acknowledges as the person it was sent
  // to, while that person may still act on escalations.
  std::optional<auth::Role> role;
  Status found = db_.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT role FROM users WHERE id = ? AND is_active = 1", {*claims->user_id});
    if (!row.ok()) return row.status();
    if (*row) role = auth::ParseRole((*row)->Text(0));
    return Status::Ok();
  });
  if (!found.ok()) return found;
  if (!role || *role == auth::Role::kRequester) {
    return Status::Unauthenticated("the link's recipient can no longer acknowledge escalations");
  }
  return Transition(claims->user_id, id, "acknowledged", "link");
}

Result<Escalation> EscalationService::Resolve(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  return Transition(ActorId(&actor), id, "resolved", "api");
}

Result<Escalation> EscalationService::Cancel(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  return Transition(ActorId(&actor), id, "cancelled", "api");
}

Result<Escalation> EscalationService::Transition(std::optional<int64_t> by, int64_t id, const std::string& to,
                                                 const std::string& via) {
  Escalation out;
  Status st = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Loaded l, Load(tx, id));
    Escalation& e = l.e;
    if (e.state == "resolved" || e.state == "cancelled") {
      return Status::FailedPrecondition("escalation " + std::to_string(id) + " is already " + e.state);
    }
    if (to == "acknowledged" && e.state == "acknowledged") {  // idempotent: a second click, a retried link
      out = e;
      return Status::Ok();
    }
    TimestampMs now = clock_.NowMs();
    std::string column = to == "acknowledged" ? "acknowledged" : to == "resolved" ? "resolved" : "cancelled";
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE escalations SET state = ?, updated_at = ?, " + column + "_by = ?, " +
                                        column + "_at = ? WHERE id = ?",
                                    {to, now, by, now, id})
                                .status());
    json::object data{{"escalation_id", id},
                      {"from_state", e.state},
                      {"by", by ? json::value(*by) : json::value(nullptr)},
                      {"via", via},
                      {"level", e.level},
                      {"step", e.step},
                      {"after_ms", now - e.created_at}};
    if (to == "acknowledged") data["ack_after_ms"] = now - e.created_at;
    std::string kind = "escalation_" + to;
    OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, e.ticket_id, by, now, kind, data));
    OPSDESK_ASSIGN_OR_RETURN(Loaded reloaded, Load(tx, id));
    out = reloaded.e;
    if (!out.IsOpen()) {
      OPSDESK_RETURN_IF_ERROR(MarkHold(tx, out, false, by, now));
      if (ticket_hook_) OPSDESK_RETURN_IF_ERROR(ticket_hook_(tx, out.ticket_id));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- jobs

Status EscalationService::RunPage(const jobs::Job& job) {
  int64_t id = 0, step = 0;
  if (!ParsePayload(job, &id, &step)) return Status::InvalidArgument("bad escalation job payload");
  // Who is paged is resolved now, outside the write (on-call look-ups read).
  Loaded l;
  std::optional<int64_t> queue_team;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(l, Load(tx, id));
    OPSDESK_ASSIGN_OR_RETURN(auto ticket, LoadTicket(tx, l.e.ticket_id));
    if (ticket) queue_team = ticket->queue_team;
    return Status::Ok();
  });
  if (!st.ok()) return st.code() == StatusCode::kNotFound ? Status::Ok() : st;
  if (l.e.state != "triggered" || l.e.step != step || l.last_paged_step >= step) return Status::Ok();
  TimestampMs now = clock_.NowMs();
  std::vector<int64_t> user_ids;
  bool by_policy = l.e.tier == "engineering" && l.e.policy_id;
  if (by_policy) {
    auto users = oncall_.ResolveLevel(auth::Actor::System(), *l.e.policy_id, static_cast<int>(l.e.level), now);
    if (!users.ok()) {
      if (users.status().code() == StatusCode::kNotFound || users.status().code() == StatusCode::kInvalidArgument) {
        spdlog::warn("escalation {}: policy level unavailable: {}", id, users.status().message());
      } else {
        return users.status();
      }
    } else {
      user_ids = *users;
    }
  }
  return db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Loaded cur, Load(tx, id));
    if (cur.e.state != "triggered" || cur.e.step != step || cur.last_paged_step >= step) return Status::Ok();
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("UPDATE escalations SET last_paged_step = ? WHERE id = ?", {step, id}).status());
    std::vector<Person> people;
    if (by_policy) {
      for (int64_t uid : user_ids) {
        OPSDESK_ASSIGN_OR_RETURN(auto p, People(tx, "SELECT id, email, display_name FROM users WHERE id = ?", {uid}));
        for (auto& x : p) people.push_back(std::move(x));
      }
    } else {
      OPSDESK_ASSIGN_OR_RETURN(people, Leads(tx, queue_team));
      if (cur.e.tier == "l2") {
        // The second tier is the desk's own: its senior specialists, whichever
        // component's team the ticket belongs to, with the leads.
        OPSDESK_ASSIGN_OR_RETURN(auto seniors,
                                 People(tx,
                                        "SELECT id, email, display_name FROM users WHERE senior = 1 AND is_active = 1 "
                                        "AND role <> 'requester' ORDER BY id",
                                        {}));
        for (auto& p : seniors) {
          bool already = std::any_of(people.begin(), people.end(), [&](const Person& q) { return q.id == p.id; });
          if (!already) people.push_back(std::move(p));
        }
      }
    }
    OPSDESK_ASSIGN_OR_RETURN(auto ticket, LoadTicket(tx, cur.e.ticket_id));
    std::string subject = ticket ? ticket->subject : "";
    // The webhook's link names nobody (whoever reads the chat channel may
    // follow it); each e-mail carries a link personal to its recipient.
    const TimestampMs link_expires = now + options_.link_ttl_ms;
    std::string ack_url = AckUrl(id, link_expires);
    std::map<std::string, std::string> values{{"escalation_id", std::to_string(id)},
                                              {"ticket_id", std::to_string(cur.e.ticket_id)},
                                              {"subject", subject},
                                              {"severity", cur.e.severity},
                                              {"reason", cur.e.reason},
                                              {"level", std::to_string(cur.e.level + 1)},
                                              {"ack_url", ack_url},
                                              {"ticket_url", TicketUrl(cur.e.ticket_id)}};
    std::string prefix = "esc:" + std::to_string(id) + ":page:" + std::to_string(step);
    json::array paged;
    for (const Person& p : people) {
      std::string channel = "none";
      if (options_.email_enabled) {
        values["ack_url"] = PersonalAckUrl(id, p.id, link_expires);
        notify::RenderedMessage message = notify::Render(*notify::EmailTemplateFor("escalation.paged"), values);
        json::object payload{{"to", p.email}, {"to_name", p.name}, {"subject", message.subject}, {"body", message.body}};
        auto scheduled = jobs_.Schedule(tx, notify::kEmailJob, json::serialize(payload), now,
                                        jobs::ScheduleOptions{prefix + ":email:" + std::to_string(p.id), std::nullopt});
        if (!scheduled.ok()) return scheduled.status();
        channel = "email";
      }
      paged.push_back(p.id);
      OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, cur.e.ticket_id, std::nullopt, now, "escalation_paged",
                                          json::object{{"escalation_id", id},
                                                       {"user_id", p.id},
                                                       {"level", cur.e.level},
                                                       {"step", step},
                                                       {"channel", channel}}));
    }
    if (people.empty()) {
      OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, cur.e.ticket_id, std::nullopt, now, "escalation_paged",
                                          json::object{{"escalation_id", id},
                                                       {"user_id", nullptr},
                                                       {"level", cur.e.level},
                                                       {"step", step},
                                                       {"channel", "none"},
                                                       {"note", "nobody to page at this level"}}));
    }
    if (notify_) {
      json::object data{{"escalation",
                         json::object{{"id", id},
                                      {"ticket_id", cur.e.ticket_id},
                                      {"severity", cur.e.severity},
                                      {"tier", cur.e.tier},
                                      {"reason", cur.e.reason},
                                      {"level", cur.e.level},
                                      {"step", step},
                                      {"paged_user_ids", paged},
                                      {"ack_url", ack_url},
                                      {"ticket_url", TicketUrl(cur.e.ticket_id)}}}};
      OPSDESK_RETURN_IF_ERROR(notify_->EmitWebhookEvent(tx, "escalation.triggered",
                                                        std::to_string(id) + ":" + std::to_string(step),
                                                        json::serialize(data)));
    }
    return Status::Ok();
  });
}

Status EscalationService::RunTimeout(const jobs::Job& job) {
  int64_t id = 0, step = 0;
  if (!ParsePayload(job, &id, &step)) return Status::InvalidArgument("bad escalation job payload");
  Loaded l;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(l, Load(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st.code() == StatusCode::kNotFound ? Status::Ok() : st;
  if (l.e.state != "triggered" || l.e.step != step) return Status::Ok();  // acknowledged or closed: paging stops
  std::optional<size_t> next_level;
  bool notify_leads = true;
  std::optional<int64_t> team;
  if (l.e.tier == "engineering" && l.e.policy_id) {
    auto policy = oncall_.GetPolicy(auth::Actor::System(), *l.e.policy_id);
    if (policy.ok()) {
      next_level = oncall::LevelForStep(*policy, step + 1);
      notify_leads = policy->notify_lead_when_exhausted;
      team = policy->team_id;
    } else if (policy.status().code() != StatusCode::kNotFound) {
      return policy.status();
    }
  }
  TimestampMs now = clock_.NowMs();
  return db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Loaded cur, Load(tx, id));
    if (cur.e.state != "triggered" || cur.e.step != step) return Status::Ok();
    if (next_level) {
      auto timeout = LevelTimeout(tx, *cur.e.policy_id, static_cast<int64_t>(*next_level));
      if (timeout.ok()) {
        OPSDESK_RETURN_IF_ERROR(
            tx.Exec("UPDATE escalations SET step = ?, level_index = ?, updated_at = ? WHERE id = ?",
                    {step + 1, static_cast<int64_t>(*next_level), now, id})
                .status());
        OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, cur.e.ticket_id, std::nullopt, now, "escalation_advanced",
                                            json::object{{"escalation_id", id},
                                                         {"from_level", cur.e.level},
                                                         {"to_level", static_cast<int64_t>(*next_level)},
                                                         {"step", step + 1},
                                                         {"after_ms", now - cur.e.created_at}}));
        return ScheduleStep(jobs_, tx, id, step + 1, now, *timeout);
      }
      // The policy lost that level since: treat as exhausted.
    }
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("UPDATE escalations SET state = 'unacknowledged', updated_at = ? WHERE id = ?", {now, id}).status());
    OPSDESK_RETURN_IF_ERROR(AppendEvent(tx, cur.e.ticket_id, std::nullopt, now, "escalation_unacknowledged",
                                        json::object{{"escalation_id", id},
                                                     {"steps", step + 1},
                                                     {"after_ms", now - cur.e.created_at},
                                                     {"leads_notified", notify_leads && options_.email_enabled}}));
    if (!notify_leads || !options_.email_enabled) return Status::Ok();
    OPSDESK_ASSIGN_OR_RETURN(auto ticket, LoadTicket(tx, cur.e.ticket_id));
    if (!team && ticket) team = ticket->queue_team;
    OPSDESK_ASSIGN_OR_RETURN(auto leads, Leads(tx, team));
    std::map<std::string, std::string> values{{"escalation_id", std::to_string(id)},
                                              {"ticket_id", std::to_string(cur.e.ticket_id)},
                                              {"subject", ticket ? ticket->subject : ""},
                                              {"severity", cur.e.severity},
                                              {"reason", cur.e.reason},
                                              {"ack_url", ""},
                                              {"ticket_url", TicketUrl(cur.e.ticket_id)}};
    for (const Person& p : leads) {
      values["ack_url"] = PersonalAckUrl(id, p.id, now + options_.link_ttl_ms);
      notify::RenderedMessage message = notify::Render(*notify::EmailTemplateFor("escalation.unacknowledged"), values);
      json::object payload{{"to", p.email}, {"to_name", p.name}, {"subject", message.subject}, {"body", message.body}};
      auto scheduled = jobs_.Schedule(
          tx, notify::kEmailJob, json::serialize(payload), now,
          jobs::ScheduleOptions{"esc:" + std::to_string(id) + ":unacknowledged:email:" + std::to_string(p.id),
                                std::nullopt});
      if (!scheduled.ok()) return scheduled.status();
    }
    return Status::Ok();
  });
}

// --- the escalation's own clocks

namespace {

EscalationClock MakeClock(int64_t target_minutes, TimestampMs created_at, std::optional<TimestampMs> met_at,
                          std::optional<TimestampMs> closed_at, TimestampMs now) {
  EscalationClock c;
  c.target_minutes = target_minutes;
  c.due_at = created_at + target_minutes * 60'000;
  c.met_at = met_at;
  if (met_at) {
    c.state = *met_at <= c.due_at ? "met" : "breached";
  } else if (closed_at) {
    c.state = *closed_at <= c.due_at ? "stopped" : "breached";
  } else {
    c.state = now <= c.due_at ? "running" : "breached";
  }
  return c;
}

}  // namespace

EscalationClock Escalation::AckClock(TimestampMs now) const {
  return MakeClock(ack_target_minutes, created_at, acknowledged_at, resolved_at ? resolved_at : cancelled_at, now);
}

EscalationClock Escalation::ResponseClock(TimestampMs now) const {
  return MakeClock(response_target_minutes, created_at, responded_at, resolved_at ? resolved_at : cancelled_at, now);
}

Result<std::vector<SeverityTargets>> EscalationService::ListTargets(const auth::Actor& actor) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff work with escalations");
  std::vector<SeverityTargets> out;
  Status st = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(
        "SELECT severity, ack_minutes, response_minutes FROM escalation_severity_targets ORDER BY severity");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) out.push_back({r.Text(0), r.Int(1), r.Int(2)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<SeverityTargets> EscalationService::SetTargets(const auth::Actor& actor, const SeverityTargets& targets) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("only leads and admins set escalation targets");
  std::map<std::string, std::string> errors;
  if (targets.ack_minutes < 1 || targets.ack_minutes > 10080) errors["ack_minutes"] = "must be 1 to 10080 minutes";
  if (targets.response_minutes < 1 || targets.response_minutes > 43200) {
    errors["response_minutes"] = "must be 1 to 43200 minutes";
  }
  if (!errors.empty()) return Status::InvalidArgument("escalation targets are not valid", errors);
  Status st = db_.Write([&](storage::Transaction& tx) -> Status {
    auto n = tx.Exec("UPDATE escalation_severity_targets SET ack_minutes = ?, response_minutes = ? WHERE severity = ?",
                     {targets.ack_minutes, targets.response_minutes, targets.severity});
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::NotFound("no severity " + targets.severity + " (sev1..sev4)");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return targets;
}

// --- pauses of the requester-facing SLA while engineering works

Status EscalationService::MarkHold(storage::Transaction& tx, const Escalation& e, bool paused,
                                   std::optional<int64_t> by, TimestampMs now) {
  // The latest hold event says whether the clocks are paused now.
  auto last = tx.QueryOne(
      "SELECT kind FROM ticket_events WHERE ticket_id = ? AND kind IN ('sla_paused', 'sla_resumed') "
      "ORDER BY id DESC LIMIT 1",
      {e.ticket_id});
  if (!last.ok()) return last.status();
  bool paused_now = *last && (*last)->Text(0) == "sla_paused";
  if (paused == paused_now) return Status::Ok();
  if (paused) {
    // Only a policy that says so pauses (docs/SLA.md).
    OPSDESK_ASSIGN_OR_RETURN(sla::SlaEvaluator evaluator, sla::SlaEvaluator::Load(tx));
    OPSDESK_ASSIGN_OR_RETURN(auto eval, evaluator.Evaluate(tx, e.ticket_id, now));
    if (!eval || !eval->policy || !eval->policy->pause_while_escalated) return Status::Ok();
  }
  json::object data{{"escalation_id", e.id},
                    {"reason", paused ? "waiting on engineering (escalation " + std::to_string(e.id) + ")"
                                      : "escalation " + std::to_string(e.id) + " " + e.state}};
  return tx
      .Exec("INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, "
            "is_internal) VALUES (?, ?, ?, ?, 'sla', NULL, ?, 1)",
            {e.ticket_id, by, now, paused ? "sla_paused" : "sla_resumed", json::serialize(data)})
      .status();
}

// --- the engineering team's first response

Status EscalationService::OnTicketCreated(storage::Transaction&, const tickets::Ticket&) { return Status::Ok(); }

Status EscalationService::OnCommentAdded(storage::Transaction& tx, const tickets::Ticket& ticket,
                                         const tickets::Comment& comment) {
  auto row = tx.QueryOne(std::string("SELECT ") + kColumns +
                             " FROM escalations WHERE ticket_id = ? AND responded_at IS NULL AND "
                             "state IN ('triggered', 'acknowledged', 'unacknowledged')",
                         {ticket.id});
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();
  const Escalation e = FromRow(**row).e;
  const int64_t author = comment.author.id;
  if (e.created_by && *e.created_by == author) return Status::Ok();  // the escalating specialist
  bool counts = e.acknowledged_by && *e.acknowledged_by == author;
  if (!counts && e.tier == "l2") {
    auto lead = tx.QueryOne("SELECT id FROM users WHERE id = ? AND role IN ('lead', 'admin')", {author});
    if (!lead.ok()) return lead.status();
    counts = lead->has_value();
  }
  if (!counts && e.tier == "engineering") {
    auto member = tx.QueryOne(
        "SELECT m.user_id FROM team_members m JOIN queues q ON q.team_id = m.team_id "
        "JOIN tickets t ON t.queue_id = q.id WHERE t.id = ? AND m.user_id = ?",
        {ticket.id, author});
    if (!member.ok()) return member.status();
    counts = member->has_value();
  }
  if (!counts) return Status::Ok();
  TimestampMs now = comment.created_at;
  OPSDESK_RETURN_IF_ERROR(
      tx.Exec("UPDATE escalations SET responded_by = ?, responded_at = ?, updated_at = ? WHERE id = ?",
              {author, now, now, e.id})
          .status());
  json::object data{{"escalation_id", e.id},
                    {"by", author},
                    {"internal", comment.is_internal},
                    {"response_after_ms", now - e.created_at}};
  return AppendEvent(tx, ticket.id, author, now, "escalation_responded", data);
}

}  // namespace opsdesk::escalation
