// Users, roles and the actor on whose behalf a service call runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace opsdesk::auth {

// Ordered by privilege: each role can do what the ones before it can, except that
// requesters are a separate world (they see only their own tickets).
enum class Role { kRequester = 0, kAgent = 1, kLead = 2, kAdmin = 3 };

const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view text);

struct User {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::kRequester;
  bool is_active = true;
  std::string time_zone = "UTC";
  // A requester's group (department, organisation): SLA policies may apply to
  // some groups only. Empty: none.
  std::string group;
  // May publish, archive and edit published knowledge base articles as leads
  // do (docs/KB.md); leads and admins always may.
  bool kb_editor = false;
  bool senior = false;  // a senior specialist: paged for L2 escalations (agents only)
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// Who is calling. Services decide permissions from this alone.
struct Actor {
  int64_t user_id = 0;
  Role role = Role::kRequester;
  bool is_system = false;  // the CLI's offline commands and demo data: all rights

  static Actor System() { return Actor{0, Role::kAdmin, true}; }
  static Actor Of(const User& user) { return Actor{user.id, user.role, false}; }

  bool IsStaff() const { return is_system || role != Role::kRequester; }  // agent, lead, admin
  bool IsLeadOrAdmin() const { return is_system || role == Role::kLead || role == Role::kAdmin; }
  bool IsAdmin() const { return is_system || role == Role::kAdmin; }
};

}  // namespace opsdesk::auth
