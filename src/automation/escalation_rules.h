// Automatic escalation rules (docs/ESCALATION.md): "an urgent ticket unanswered
// for 15 business minutes goes to engineering as sev2", "an SLA breach goes to
// the leads". Leads and admins manage them; agents read them; requesters are
// refused. The SLA watcher (sla_watch.h) evaluates them for every open ticket.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::automation {

struct EscalationRule {
  int64_t id = 0;
  std::string name;
  std::string trigger;             // unanswered | sla_breach
  std::optional<int64_t> minutes;  // unanswered: business minutes without a first response
  std::vector<std::string> priorities;  // empty: any
  std::vector<int64_t> queue_ids;       // empty: any
  std::string tier;                     // l2 | engineering
  std::string severity;                 // sev1..sev4
  bool enabled = true;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// Create: name, trigger, tier and severity are required (and minutes for
// unanswered). Patch: what is set replaces the stored value.
struct RuleInput {
  std::optional<std::string> name;
  std::optional<std::string> trigger;
  std::optional<int64_t> minutes;
  std::optional<std::vector<std::string>> priorities;
  std::optional<std::vector<int64_t>> queue_ids;
  std::optional<std::string> tier;
  std::optional<std::string> severity;
  std::optional<bool> enabled;
};

class EscalationRuleService {
 public:
  EscalationRuleService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<EscalationRule> Create(const auth::Actor& actor, const RuleInput& input);
  Result<std::vector<EscalationRule>> List(const auth::Actor& actor);  // by id
  Result<EscalationRule> Get(const auth::Actor& actor, int64_t id);
  Result<EscalationRule> Update(const auth::Actor& actor, int64_t id, const RuleInput& patch);
  Status Delete(const auth::Actor& actor, int64_t id);  // kConflict once it has escalated a ticket

  // The enabled rules, in the caller's transaction.
  static Result<std::vector<EscalationRule>> LoadEnabled(storage::Transaction& tx);
  static Result<std::optional<EscalationRule>> Load(storage::Transaction& tx, int64_t id);

 private:
  storage::Database& db_;
  const Clock& clock_;
};

// Whether the rule's priority and queue conditions hold for the ticket.
bool RuleMatches(const EscalationRule& rule, const std::string& priority, const std::optional<int64_t>& queue_id);

}  // namespace opsdesk::automation
