// Remembers, for a short time, which user a token authenticated as, so the
// request path skips a database read. Revocations made through this node (sign
// out, token revoked, user changed or deactivated) take effect at once; made
// through another node sharing the database, within `ttl_ms`. A cached entry
// never outlives its token's own expiry. Thread-safe.
//
// Entries are found by a keyed hash of the secret (SipHash-2-4 with a random
// key per cache) and confirmed by a constant-time comparison with the secret
// they were made for, so a hit costs no SHA-256 (which the database lookup
// needs, and which was a tenth of a ticket GET's instructions). Secrets stay
// in this process's memory for at most `ttl_ms`; at rest only their hashes
// exist.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/user.h"
#include "common/clock.h"

namespace opsdesk::auth {

class TokenCache {
 public:
  // REQUIRES: InitCrypto() has run (the key comes from libsodium).
  TokenCache(const Clock& clock, int64_t ttl_ms);

  std::optional<User> Find(const std::string& secret);
  void Remember(const std::string& secret, const User& user, std::optional<TimestampMs> token_expires_at);
  void ForgetToken(const std::string& secret);
  void ForgetUser(int64_t user_id);

 private:
  struct Entry {
    std::string secret;
    User user;
    TimestampMs valid_until = 0;
  };
  static constexpr size_t kMaxEntries = 100000;

  uint64_t KeyOf(const std::string& secret) const;

  const Clock& clock_;
  const int64_t ttl_ms_;
  std::array<unsigned char, crypto_shorthash_KEYBYTES> hash_key_;
  std::mutex mu_;
  std::unordered_map<uint64_t, Entry> entries_;  // GUARDED_BY(mu_); by KeyOf(secret)
};

}  // namespace opsdesk::auth
