// Users: creation, look-up, listing and changes. Admins manage users; staff may
// read the directory (to pick assignees); everyone may read themselves.
#pragma once

#include <optional>
#include <string>

#include "auth/token_cache.h"
#include "auth/user.h"
#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::auth {

struct NewUser {
  std::string email;
  std::string display_name;
  std::string role = "requester";
  std::optional<std::string> password;  // none: the user cannot sign in with a password
  std::string time_zone = "UTC";
  bool is_active = true;
  std::string group;  // empty: none
};

struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<std::string> role;
  std::optional<bool> is_active;
  std::optional<std::string> time_zone;
  std::optional<std::string> password;
  std::optional<std::string> group;  // "" removes it
  std::optional<bool> kb_editor;      // agents only
  std::optional<bool> senior;         // agents only: L2, paged with the leads
};

struct UserFilter {
  std::optional<Role> role;
  std::optional<bool> is_active;
  std::optional<std::string> cursor;
  int limit = kDefaultPageLimit;
};

class UserService {
 public:
  // `token_cache`, when given, forgets a user's tokens whenever the user changes,
  // so a role change or deactivation applies to the very next request.
  UserService(storage::Database& db, const Clock& clock, TokenCache* token_cache = nullptr)
      : db_(db), clock_(clock), token_cache_(token_cache) {}

  // kInvalidArgument with per-field messages; kConflict when the e-mail is taken
  // (compared case-insensitively); kPermissionDenied unless admin.
  Result<User> Create(const Actor& actor, const NewUser& input);
  Result<User> Get(const Actor& actor, int64_t id);
  // Staff only. Ordered by id.
  Result<Page<User>> List(const Actor& actor, const UserFilter& filter);
  Result<User> Update(const Actor& actor, int64_t id, const UserPatch& patch);

  // Inside another area's transaction: the user with this e-mail, if any.
  static Result<std::optional<User>> FindByEmail(storage::Transaction& tx, std::string_view email);
  static Result<std::optional<User>> FindById(storage::Transaction& tx, int64_t id);
  // The active user owning an unrevoked, unexpired token with this SHA-256, in
  // one query: it runs on every authenticated request.
  // `expires_at`, when given, receives the token's expiry.
  static Result<std::optional<User>> FindByTokenHash(storage::Transaction& tx, const std::string& token_hash,
                                                     TimestampMs now,
                                                     std::optional<TimestampMs>* expires_at = nullptr);

 private:
  storage::Database& db_;
  const Clock& clock_;
  TokenCache* token_cache_;
};

bool IsKnownTimeZone(const std::string& name);

}  // namespace opsdesk::auth
