// The component catalog: each platform component (a queue) with the team that
// owns it, that team's escalation policy, who is on call for it now, how much
// is open against it and (one component at a time) its SOPs: the published
// knowledge base articles related to it. Known problems join once they exist.
// Staff only: requesters get kPermissionDenied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "kb/kb_service.h"
#include "oncall/oncall_service.h"
#include "storage/database.h"

namespace opsdesk::catalog {

struct NamedRef {
  int64_t id = 0;
  std::string name;
};

struct OnCallNow {
  int64_t schedule_id = 0;
  std::string schedule_name;
  std::optional<int64_t> user_id;  // nobody when unset
  std::string display_name;
  std::optional<TimestampMs> until;
};

// The most SOPs Get lists for a component (the newest changed).
constexpr int kMaxComponentSops = 20;

// A published article related to the component, as the catalog lists it.
struct Sop {
  int64_t id = 0;
  std::string title;
  std::string category;
  std::string audience;  // public | internal
  TimestampMs updated_at = 0;
};

struct Component {
  int64_t id = 0;  // the queue's id
  std::string name;
  std::string description;
  std::optional<NamedRef> team;               // the owning engineering team
  std::optional<NamedRef> escalation_policy;  // what an escalation to engineering pages
  std::vector<OnCallNow> on_call;             // one per schedule of the owning team
  int64_t open_tickets = 0;
  int64_t open_escalations = 0;
  std::vector<Sop> sops;  // Get only (List leaves it empty): newest change first
};

class CatalogService {
 public:
  CatalogService(storage::Database& db, const Clock& clock, oncall::OnCallService& oncall, kb::KbService& kb)
      : db_(db), clock_(clock), oncall_(oncall), kb_(kb) {}

  Result<std::vector<Component>> List(const auth::Actor& actor);  // by name
  // With its SOPs (at most kMaxComponentSops); kNotFound for no such queue.
  Result<Component> Get(const auth::Actor& actor, int64_t id);

 private:
  Result<std::vector<Component>> Load(const auth::Actor& actor, std::optional<int64_t> only_id);

  storage::Database& db_;
  const Clock& clock_;
  oncall::OnCallService& oncall_;
  kb::KbService& kb_;
};

}  // namespace opsdesk::catalog
