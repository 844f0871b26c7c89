// Remembers, for a short time, which user a token authenticated as, so the
// request path skips a database read. Revocations made through this node (sign
// out, token revoked, user changed or deactivated) take effect at once; made
// through another node sharing the database, within `ttl_ms`. A cached entry
// never outlives its token's own expiry. Thread-safe.
//
// Entries are found by a keyed 64-bit hash of the secret (SipHash-2-4) and
// confirmed by a constant-time comparison of a second, 128-bit keyed hash
// (SipHash-1-3-128), both with random keys made per cache, so a hit costs no
// SHA-256 (which the database lookup needs, and which was a tenth of a ticket
// GET's instructions). Secrets themselves are never kept.
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
  using Check = std::array<unsigned char, crypto_shorthash_siphashx24_BYTES>;
  struct Entry {
    Check check;  // CheckOf(secret)
    User user;
    TimestampMs valid_until = 0;
  };
  static constexpr size_t kMaxEntries = 100000;

  uint64_t KeyOf(const std::string& secret) const;
  Check CheckOf(const std::string& secret) const;

  const Clock& clock_;
  const int64_t ttl_ms_;
  std::array<unsigned char, crypto_shorthash_KEYBYTES> key_hash_key_;
  std::array<unsigned char, crypto_shorthash_siphashx24_KEYBYTES> check_hash_key_;
  std::mutex mu_;
  std::unordered_map<uint64_t, Entry> entries_;  // GUARDED_BY(mu_); by KeyOf(secret)
};

}  // namespace opsdesk::auth
