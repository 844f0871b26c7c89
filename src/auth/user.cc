#include "auth/user.h"

namespace opsdesk::auth {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kRequester: return "requester";
    case Role::kAgent: return "agent";
    case Role::kLead: return "lead";
    case Role::kAdmin: return "admin";
  }
  return "requester";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "requester") return Role::kRequester;
  if (text == "agent") return Role::kAgent;
  if (text == "lead") return Role::kLead;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

}  // namespace opsdesk::auth
