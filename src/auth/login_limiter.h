// Counts failed logins per account and per client address and refuses further
// attempts for a while once either passes its limit (in-memory, per node).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <deque>

#include "common/clock.h"

namespace opsdesk::auth {

struct LoginLimits {
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
  int64_t window_ms = 15 * 60 * 1000;
};

class LoginLimiter {
 public:
  LoginLimiter(const Clock& clock, LoginLimits limits) : clock_(clock), limits_(limits) {}

  // Seconds until another attempt is allowed; 0 when allowed now.
  int RetryAfterSeconds(const std::string& account, const std::string& address);
  void RecordFailure(const std::string& account, const std::string& address);
  // A successful login clears the account's failures (not the address's).
  void RecordSuccess(const std::string& account);

 private:
  // Failure times inside the window, oldest first.
  using Failures = std::deque<TimestampMs>;
  int RetryAfter(Failures& failures, int limit, TimestampMs now);

  const Clock& clock_;
  const LoginLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> by_account_;  // GUARDED_BY(mu_)
  std::unordered_map<std::string, Failures> by_address_;  // GUARDED_BY(mu_)
};

}  // namespace opsdesk::auth
