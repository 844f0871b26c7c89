#include "auth/login_limiter.h"

namespace opsdesk::auth {

int LoginLimiter::RetryAfter(Failures& failures, int limit, TimestampMs now) {
  while (!failures.empty() && failures.front() <= now - limits_.window_ms) failures.pop_front();
  if (static_cast<int>(failures.size()) < limit) return 0;
  // Allowed again when the oldest failure that keeps the count at the limit expires.
  TimestampMs until = failures[failures.size() - limit] + limits_.window_ms;
  return static_cast<int>((until - now + 999) / 1000);
}

int LoginLimiter::RetryAfterSeconds(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  TimestampMs now = clock_.NowMs();
  int wait = 0;
  if (auto it = by_account_.find(account); it != by_account_.end()) {
    wait = std::max(wait, RetryAfter(it->second, limits_.max_failures_per_account, now));
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    wait = std::max(wait, RetryAfter(it->second, limits_.max_failures_per_address, now));
  }
  return wait;
}

void LoginLimiter::RecordFailure(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  TimestampMs now = clock_.NowMs();
  // Bound memory under a flood of distinct accounts: forget everything rather than grow.
  if (by_account_.size() > 100000) by_account_.clear();
  if (by_address_.size() > 100000) by_address_.clear();
  by_account_[account].push_back(now);
  by_address_[address].push_back(now);
}

void LoginLimiter::RecordSuccess(const std::string& account) {
  std::lock_guard lock(mu_);
  by_account_.erase(account);
}

}  // namespace opsdesk::auth
