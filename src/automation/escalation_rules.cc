#include "automation/escalation_rules.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "queues/queue_service.h"

namespace opsdesk::automation {
namespace {

using Errors = std::map<std::string, std::string>;

constexpr const char* kColumns =
    "id, name, trigger_kind, minutes, priorities, queue_ids, tier, severity, enabled, created_at, updated_at";
constexpr int64_t kMaxRuleMinutes = 525'600;

EscalationRule FromRow(const storage::Row& row) {
  EscalationRule r;
  r.id = row.Int(0);
  r.name = row.Text(1);
  r.trigger = row.Text(2);
  r.minutes = row.OptInt(3);
  r.priorities = Split(row.Text(4), ' ');
  r.queue_ids = SplitIds(row.Text(5));
  r.tier = row.Text(6);
  r.severity = row.Text(7);
  r.enabled = row.Bool(8);
  r.created_at = row.Int(9);
  r.updated_at = row.Int(10);
  return r;
}

bool OneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return true;
  }
  return false;
}

void Apply(const RuleInput& in, bool create, EscalationRule& r, Errors& errors) {
  if (in.name || create) {
    r.name = in.name.value_or("");
    if (std::string p = TextFieldProblem(r.name, 1, 200, false); !p.empty()) errors["name"] = p;
  }
  if (in.trigger || create) {
    r.trigger = in.trigger.value_or("");
    if (!OneOf(r.trigger, {"unanswered", "sla_breach"})) errors["trigger"] = "must be unanswered or sla_breach";
  }
  if (in.minutes) r.minutes = *in.minutes;
  if (r.trigger == "unanswered") {
    if (!r.minutes || *r.minutes < 1 || *r.minutes > kMaxRuleMinutes) {
      errors["minutes"] = "must be 1 to 525600 business minutes for an unanswered rule";
    }
  } else if (r.trigger == "sla_breach") {
    r.minutes.reset();  // the breach is the trigger
  }
  if (in.priorities) {
    std::vector<std::string> list = *in.priorities;
    for (const auto& p : list) {
      if (!OneOf(p, {"low", "normal", "high", "urgent"})) errors["priorities"] = "each must be low, normal, high or urgent";
    }
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    r.priorities = std::move(list);
  }
  if (in.queue_ids) r.queue_ids = *in.queue_ids;
  if (in.tier || create) {
    r.tier = in.tier.value_or("");
    if (!OneOf(r.tier, {"l2", "engineering"})) errors["tier"] = "must be l2 or engineering";
  }
  if (in.severity || create) {
    r.severity = in.severity.value_or("");
    if (!OneOf(r.severity, {"sev1", "sev2", "sev3", "sev4"})) errors["severity"] = "must be one of sev1, sev2, sev3, sev4";
  }
  if (in.enabled) r.enabled = *in.enabled;
}

Status CheckManager(const auth::Actor& actor) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("only leads and admins manage escalation rules");
  return Status::Ok();
}

Status CheckQueues(storage::Transaction& tx, const EscalationRule& r, Errors& errors) {
  for (int64_t id : r.queue_ids) {
    auto queue = queues::QueueService::FindQueue(tx, id);
    if (!queue.ok()) return queue.status();
    if (!*queue) errors["queue_ids"] = "queue " + std::to_string(id) + " does not exist";
  }
  return Status::Ok();
}

Result<bool> NameTaken(storage::Transaction& tx, const std::string& name, int64_t except_id) {
  auto row = tx.QueryOne("SELECT id FROM escalation_rules WHERE name = ? AND id <> ?", {name, except_id});
  if (!row.ok()) return row.status();
  return row->has_value();
}

}  // namespace

bool RuleMatches(const EscalationRule& rule, const std::string& priority, const std::optional<int64_t>& queue_id) {
  if (!rule.priorities.empty() &&
      std::find(rule.priorities.begin(), rule.priorities.end(), priority) == rule.priorities.end()) {
    return false;
  }
  if (!rule.queue_ids.empty() &&
      (!queue_id || std::find(rule.queue_ids.begin(), rule.queue_ids.end(), *queue_id) == rule.queue_ids.end())) {
    return false;
  }
  return true;
}

Result<std::vector<EscalationRule>> EscalationRuleService::LoadEnabled(storage::Transaction& tx) {
  auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM escalation_rules WHERE enabled = 1 ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<EscalationRule> out;
  for (const auto& row : *rows) out.push_back(FromRow(row));
  return out;
}

Result<std::optional<EscalationRule>> EscalationRuleService::Load(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kColumns + " FROM escalation_rules WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<EscalationRule>();
  return std::optional<EscalationRule>(FromRow(**row));
}

Result<EscalationRule> EscalationRuleService::Create(const auth::Actor& actor, const RuleInput& input) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor));
  EscalationRule r;
  Errors errors;
  Apply(input, true, r, errors);
  if (!errors.empty()) return Status::InvalidArgument("escalation rule is not valid", errors);
  r.created_at = r.updated_at = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(CheckQueues(tx, r, errors));
    if (!errors.empty()) return Status::InvalidArgument("escalation rule is not valid", errors);
    OPSDESK_ASSIGN_OR_RETURN(bool taken, NameTaken(tx, r.name, 0));
    if (taken) return Status::Conflict("an escalation rule with this name already exists");
    auto row = tx.QueryOne(
        "INSERT INTO escalation_rules (name, trigger_kind, minutes, priorities, queue_ids, tier, severity, enabled, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {r.name, r.trigger, r.minutes, Join(r.priorities, ' '), JoinIds(r.queue_ids), r.tier, r.severity, r.enabled,
         r.created_at, r.updated_at});
    if (!row.ok()) return row.status();
    r.id = (*row)->Int(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return r;
}

Result<std::vector<EscalationRule>> EscalationRuleService::List(const auth::Actor& actor) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff read escalation rules");
  std::vector<EscalationRule> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM escalation_rules ORDER BY id");
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) out.push_back(FromRow(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<EscalationRule> EscalationRuleService::Get(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff read escalation rules");
  std::optional<EscalationRule> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(out, Load(tx, id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!out) return Status::NotFound("escalation rule not found");
  return *out;
}

Result<EscalationRule> EscalationRuleService::Update(const auth::Actor& actor, int64_t id, const RuleInput& patch) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor));
  EscalationRule r;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, Load(tx, id));
    if (!found) return Status::NotFound("escalation rule not found");
    r = *found;
    Errors errors;
    Apply(patch, false, r, errors);
    if (errors.empty()) OPSDESK_RETURN_IF_ERROR(CheckQueues(tx, r, errors));
    if (!errors.empty()) return Status::InvalidArgument("escalation rule change is not valid", errors);
    OPSDESK_ASSIGN_OR_RETURN(bool taken, NameTaken(tx, r.name, id));
    if (taken) return Status::Conflict("an escalation rule with this name already exists");
    r.updated_at = clock_.NowMs();
    return tx
        .Exec("UPDATE escalation_rules SET name = ?, trigger_kind = ?, minutes = ?, priorities = ?, queue_ids = ?, "
              "tier = ?, severity = ?, enabled = ?, updated_at = ? WHERE id = ?",
              {r.name, r.trigger, r.minutes, Join(r.priorities, ' '), JoinIds(r.queue_ids), r.tier, r.severity,
               r.enabled, r.updated_at, id})
        .status();
  });
  if (!status.ok()) return status;
  return r;
}

Status EscalationRuleService::Delete(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor));
  return db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto found, Load(tx, id));
    if (!found) return Status::NotFound("escalation rule not found");
    auto used = tx.QueryOne("SELECT id FROM escalations WHERE rule_id = ? LIMIT 1", {id});
    if (!used.ok()) return used.status();
    if (*used) return Status::Conflict("the rule has escalated tickets; disable it instead");
    return tx.Exec("DELETE FROM escalation_rules WHERE id = ?", {id}).status();
  });
}

}  // namespace opsdesk::automation
