#include "auth/user_service.h"

#include <date/tz.h>

#include "auth/password.h"
#include "common/text.h"

namespace opsdesk::auth {
namespace {

constexpr const char* kUserColumns =
    "id, email, display_name, role, is_active, time_zone, created_at, updated_at, group_name, kb_editor, senior";

User UserFromRow(const storage::Row& row) {
  User user;
  user.id = row.Int(0);
  user.email = row.Text(1);
  user.display_name = row.Text(2);
  user.role = ParseRole(row.Text(3)).value_or(Role::kRequester);
  user.is_active = row.Bool(4);
  user.time_zone = row.Text(5);
  user.created_at = row.Int(6);
  user.updated_at = row.Int(7);
  user.group = row.OptText(8).value_or("");
  user.kb_editor = row.size() > 9 && row.Bool(9);
  user.senior = row.size() > 10 && row.Bool(10);
  return user;
}

void CheckDisplayName(const std::string& name, std::map<std::string, std::string>& errors) {
  std::string problem = TextFieldProblem(name, 1, 100, false);
  if (!problem.empty()) errors["display_name"] = problem;
}

// Groups are matched by name in SLA policy conditions, stored space-separated:
// one word of letters, digits, '-', '_' and '.'.
void CheckGroup(const std::string& group, std::map<std::string, std::string>& errors) {
  if (group.empty()) return;
  bool ok = group.size() <= 64;
  for (char c : group) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.');
  }
  if (!ok) errors["group"] = "must be at most 64 letters, digits, '-', '_' or '.' (no spaces)";
}

void CheckTimeZone(const std::string& tz, std::map<std::string, std::string>& errors) {
  if (!IsKnownTimeZone(tz)) errors["time_zone"] = "must be an IANA time zone such as Europe/Berlin";
}

}  // namespace

bool IsKnownTimeZone(const std::string& name) {
  if (name == "UTC") return true;
  if (name.empty() || name.size() > 64 || !IsValidUtf8(name)) return false;
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

Result<std::optional<User>> UserService::FindByEmail(storage::Transaction& tx, std::string_view email) {
  auto row = tx.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE email_norm = ?",
                         {ToLowerAscii(Trim(email))});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<User>();
  return std::optional<User>(UserFromRow(**row));
}

Result<std::optional<User>> UserService::FindById(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<User>();
  return std::optional<User>(UserFromRow(**row));
}

Result<std::optional<User>> UserService::FindByTokenHash(storage::Transaction& tx, const std::string& token_hash,
                                                        TimestampMs now, std::optional<TimestampMs>* expires_at) {
  auto row = tx.QueryOne(
      "SELECT u.id, u.email, u.display_name, u.role, u.is_active, u.time_zone, u.created_at, u.updated_at, "
      "u.group_name, u.kb_editor, u.senior, t.expires_at "
      "FROM api_tokens t JOIN users u ON u.id = t.user_id "
      "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) "
      "AND u.is_active = 1",
      {token_hash, now});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<User>();
  if (expires_at) *expires_at = (*row)->OptInt(11);
  return std::optional<User>(UserFromRow(**row));
}

Result<User> UserService::Create(const Actor& actor, const NewUser& input) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins can create users");
  std::map<std::string, std::string> errors;
  std::string email = Trim(input.email);
  if (!IsValidUtf8(email) || !LooksLikeEmail(email)) errors["email"] = "must be a valid e-mail address";
  CheckDisplayName(input.display_name, errors);
  auto role = ParseRole(input.role);
  if (!role) errors["role"] = "must be one of requester, agent, lead, admin";
  CheckTimeZone(input.time_zone, errors);
  CheckGroup(input.group, errors);
  if (input.password) {
    std::string problem = PasswordProblem(*input.password);
    if (!problem.empty()) errors["password"] = problem;
  }
  if (!errors.empty()) return Status::InvalidArgument("user is not valid", errors);

  std::optional<std::string> hash;
  if (input.password) {
    auto hashed = HashPassword(*input.password);  // slow on purpose: outside the transaction
    if (!hashed.ok()) return hashed.status();
    hash = *hashed;
  }
  User user;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto existing = FindByEmail(tx, email);
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Conflict("a user with this e-mail already exists");
    TimestampMs now = clock_.NowMs();
    auto row = tx.QueryOne(
        std::string("INSERT INTO users (email, email_norm, display_name, role, is_active, time_zone, "
                    "password_hash, created_at, updated_at, group_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING ") +
            kUserColumns,
        {email, ToLowerAscii(email), input.display_name, input.role, input.is_active, input.time_zone, hash, now,
         now, input.group.empty() ? storage::Value(nullptr) : storage::Value(input.group)});
    if (!row.ok()) return row.status();
    user = UserFromRow(**row);
    return Status::Ok();
  });
  if (status.code() == StatusCode::kConflict) {
    return Status::Conflict("a user with this e-mail already exists");
  }
  if (!status.ok()) return status;
  return user;
}

Result<User> UserService::Get(const Actor& actor, int64_t id) {
  if (!actor.IsStaff() && actor.user_id != id) return Status::NotFound("user not found");
  std::optional<User> user;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto found = FindById(tx, id);
    if (!found.ok()) return found.status();
    user = *found;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!user) return Status::NotFound("user not found");
  return *user;
}

Result<Page<User>> UserService::List(const Actor& actor, const UserFilter& filter) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff can list users");
  int64_t after_id = 0;
  if (filter.cursor) {
    std::string ignored;
    if (!DecodeCursor(*filter.cursor, &ignored, &after_id)) {
      return Status::InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this server issued"}});
    }
  }
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE id > ?";
  storage::Params params{after_id};
  if (filter.role) {
    sql += " AND role = ?";
    params.emplace_back(RoleName(*filter.role));
  }
  if (filter.is_active) {
    sql += " AND is_active = ?";
    params.emplace_back(*filter.is_active);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(filter.limit + 1);
  Page<User> page;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) page.items.push_back(UserFromRow(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.items.size()) > filter.limit) {
    page.items.resize(filter.limit);
    page.next_cursor = EncodeCursor("", page.items.back().id);
  }
  return page;
}

Result<User> UserService::Update(const Actor& actor, int64_t id, const UserPatch& patch) {
  if (!actor.IsAdmin()) return Status::PermissionDenied("only admins can change users");
  std::map<std::string, std::string> errors;
  if (patch.display_name) CheckDisplayName(*patch.display_name, errors);
  if (patch.role && !ParseRole(*patch.role)) errors["role"] = "must be one of requester, agent, lead, admin";
  if (patch.time_zone) CheckTimeZone(*patch.time_zone, errors);
  if (patch.group) CheckGroup(*patch.group, errors);
  if (patch.password) {
    std::string problem = PasswordProblem(*patch.password);
    if (!problem.empty()) errors["password"] = problem;
  }
  if (!actor.is_system && actor.user_id == id) {
    // An admin locking themselves out leaves nobody to undo it.
    if (patch.is_active && !*patch.is_active) errors["is_active"] = "you cannot deactivate yourself";
    if (patch.role && *patch.role != "admin") errors["role"] = "you cannot remove your own admin role";
  }
  if (!errors.empty()) return Status::InvalidArgument("user change is not valid", errors);

  std::optional<std::string> hash;
  if (patch.password) {
    auto hashed = HashPassword(*patch.password);
    if (!hashed.ok()) return hashed.status();
    hash = *hashed;
  }
  User user;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = FindById(tx, id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("user not found");
    user = **found;
    if (patch.display_name) user.display_name = *patch.display_name;
    if (patch.role) user.role = *ParseRole(*patch.role);
    if (patch.is_active) user.is_active = *patch.is_active;
    if (patch.time_zone) user.time_zone = *patch.time_zone;
    if (patch.group) user.group = *patch.group;
    if (patch.kb_editor) user.kb_editor = *patch.kb_editor;
    else if (user.role == Role::kRequester) user.kb_editor = false;  // a demotion ends it
    if (user.kb_editor && user.role == Role::kRequester) {
      return Status::InvalidArgument("user change is not valid",
                                     {{"kb_editor", "requesters cannot edit the knowledge base"}});
    }
    if (patch.senior) user.senior = *patch.senior;
    else if (user.role == Role::kRequester) user.senior = false;  // a demotion ends it
    if (user.senior && user.role == Role::kRequester) {
      return Status::InvalidArgument("user change is not valid",
                                     {{"senior", "only staff can be senior specialists"}});
    }
    user.updated_at = clock_.NowMs();
    std::optional<std::string> group;
    if (!user.group.empty()) group = user.group;
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE users SET display_name = ?, role = ?, is_active = ?, time_zone = ?, "
                                    "group_name = ?, kb_editor = ?, senior = ?, updated_at = ? WHERE id = ?",
                                    {user.display_name, RoleName(user.role), user.is_active, user.time_zone, group,
                                     user.kb_editor, user.senior, user.updated_at, id})
                                .status());
    if (hash) {
      OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE users SET password_hash = ? WHERE id = ?", {*hash, id}).status());
      // A new password ends every session signed in with the old one.
      OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND kind = 'session' "
                                      "AND revoked_at IS NULL",
                                      {user.updated_at, id})
                                  .status());
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (token_cache_) token_cache_->ForgetUser(id);
  return user;
}

}  // namespace opsdesk::auth
