// Remembers, for a short time, which user a token authenticated as, so the
// request path skips a database read. Revocations made through this node (sign
// out, token revoked, user changed or deactivated) take effect at once; made
// through another node sharing the database, within `ttl_ms`. A cached entry
// never outlives its token's own expiry. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/user.h"
#include "common/clock.h"

namespace opsdesk::auth {

class TokenCache {
 public:
  TokenCache(const Clock& clock, int64_t ttl_ms) : clock_(clock), ttl_ms_(ttl_ms) {}

  std::optional<User> Find(const std::string& token_hash);
  void Remember(const std::string& token_hash, const User& user, std::optional<TimestampMs> token_expires_at);
  void ForgetToken(const std::string& token_hash);
  void ForgetUser(int64_t user_id);

 private:
  struct Entry {
    User user;
    TimestampMs valid_until = 0;
  };
  static constexpr size_t kMaxEntries = 100000;

  const Clock& clock_;
  const int64_t ttl_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace opsdesk::auth
