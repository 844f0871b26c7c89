#include "auth/token_cache.h"

#include <algorithm>
#include <cstring>

#include "common/random.h"

namespace opsdesk::auth {

TokenCache::TokenCache(const Clock& clock, int64_t ttl_ms) : clock_(clock), ttl_ms_(ttl_ms) {
  InitCrypto();
  crypto_shorthash_keygen(key_hash_key_.data());
  randombytes_buf(check_hash_key_.data(), check_hash_key_.size());
}

uint64_t TokenCache::KeyOf(const std::string& secret) const {
  unsigned char digest[crypto_shorthash_BYTES];
  crypto_shorthash(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   key_hash_key_.data());
  uint64_t key;
  std::memcpy(&key, digest, sizeof key);
  return key;
}

TokenCache::Check TokenCache::CheckOf(const std::string& secret) const {
  Check check;
  crypto_shorthash_siphashx24(check.data(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                              check_hash_key_.data());
  return check;
}

std::optional<User> TokenCache::Find(const std::string& secret) {
  const uint64_t key = KeyOf(secret);
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  // Another secret with the same 64-bit key is simply a miss.
  if (it == entries_.end()) return std::nullopt;
  const Check check = CheckOf(secret);
  if (sodium_memcmp(check.data(), it->second.check.data(), check.size()) != 0) return std::nullopt;
  if (clock_.NowMs() >= it->second.valid_until) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void TokenCache::Remember(const std::string& secret, const User& user, std::optional<TimestampMs> token_expires_at) {
  TimestampMs valid_until = clock_.NowMs() + ttl_ms_;
  if (token_expires_at) valid_until = std::min(valid_until, *token_expires_at);
  const uint64_t key = KeyOf(secret);
  std::lock_guard lock(mu_);
  // Bounded: under a flood of distinct tokens, start again rather than grow.
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = Entry{CheckOf(secret), user, valid_until};
}

void TokenCache::ForgetToken(const std::string& secret) {
  const uint64_t key = KeyOf(secret);
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void TokenCache::ForgetUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [user_id](const auto& entry) { return entry.second.user.id == user_id; });
}

}  // namespace opsdesk::auth
