// Test fixtures for users. Test-only: include from *_test.cc files.
#pragma once

#include <string>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::test_util {

// Inserts an active (or inactive) user with plain SQL and no password: argon2id
// hashing is deliberately slow, and fixture users never sign in by password.
inline Result<auth::User> InsertTestUser(storage::Database& db, TimestampMs now, const std::string& email,
                                         auth::Role role, bool is_active = true) {
  auth::User user;
  user.email = email;
  user.display_name = email.substr(0, email.find('@'));
  user.role = role;
  user.is_active = is_active;
  user.created_at = user.updated_at = now;
  Status status = db.Write([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne(
        "INSERT INTO users (email, email_norm, display_name, role, is_active, time_zone, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'UTC', ?, ?) RETURNING id",
        {email, email, user.display_name, auth::RoleName(role), is_active, now, now});
    if (!row.ok()) return row.status();
    user.id = (*row)->Int(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return user;
}

}  // namespace opsdesk::test_util
