#include "auth/token_cache.h"

#include <algorithm>

namespace opsdesk::auth {

std::optional<User> TokenCache::Find(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token_hash);
  if (it == entries_.end()) return std::nullopt;
  if (clock_.NowMs() >= it->second.valid_until) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void TokenCache::Remember(const std::string& token_hash, const User& user, std::optional<TimestampMs> token_expires_at) {
  TimestampMs valid_until = clock_.NowMs() + ttl_ms_;
  if (token_expires_at) valid_until = std::min(valid_until, *token_expires_at);
  std::lock_guard lock(mu_);
  // Bounded: under a flood of distinct tokens, start again rather than grow.
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[token_hash] = Entry{user, valid_until};
}

void TokenCache::ForgetToken(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  entries_.erase(token_hash);
}

void TokenCache::ForgetUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [user_id](const auto& entry) { return entry.second.user.id == user_id; });
}

}  // namespace opsdesk::auth
