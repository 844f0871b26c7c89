// Sign-in, bearer tokens and personal API tokens.
//
// Tokens are "odt_" + 64 hex digits (256 random bits). Only their SHA-256 is
// stored, so a copy of the database does not let anyone sign in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/login_limiter.h"
#include "auth/token_cache.h"
#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::auth {

struct IssuedToken {
  int64_t id = 0;
  std::string secret;  // shown once
  std::string name;
  std::string kind;  // session | personal
  TimestampMs created_at = 0;
  std::optional<TimestampMs> expires_at;
};

struct TokenInfo {
  int64_t id = 0;
  std::string name;
  std::string kind;
  TimestampMs created_at = 0;
  std::optional<TimestampMs> expires_at;
  std::optional<TimestampMs> revoked_at;
};

struct LoginResult {
  IssuedToken token;
  User user;
};

class AuthService {
 public:
  static constexpr int64_t kSessionLifetimeMs = 30LL * 24 * 3600 * 1000;

  // `token_cache`, when given, answers Authenticate for recently seen tokens.
  AuthService(storage::Database& db, const Clock& clock, LoginLimits limits = {}, TokenCache* token_cache = nullptr)
      : db_(db), clock_(clock), limiter_(clock, limits), token_cache_(token_cache) {}

  // kUnauthenticated for a wrong e-mail or password (the same message for both, so
  // the answer does not reveal which accounts exist); kLimitExceeded with
  // retry_after_s after too many failures for the account or the address.
  Result<LoginResult> Login(const std::string& email, const std::string& password, const std::string& address);
  // Revokes the token used for the request.
  Status Logout(const std::string& secret);
  // The active user a token belongs to; kUnauthenticated when unknown, revoked,
  // expired or the user is deactivated.
  Result<User> Authenticate(const std::string& secret);

  // Personal API tokens for automation. `expires_in_days` 0 means no expiry.
  Result<IssuedToken> CreateToken(const Actor& actor, int64_t user_id, const std::string& name, int expires_in_days);
  Result<std::vector<TokenInfo>> ListTokens(const Actor& actor);
  Status RevokeToken(const Actor& actor, int64_t token_id);

 private:
  Result<IssuedToken> Issue(storage::Transaction& tx, int64_t user_id, const std::string& kind,
                            const std::string& name, std::optional<TimestampMs> expires_at);

  storage::Database& db_;
  const Clock& clock_;
  LoginLimiter limiter_;
  TokenCache* token_cache_;
};

}  // namespace opsdesk::auth
