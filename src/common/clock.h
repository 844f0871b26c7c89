// Time as a dependency: services read the time from a Clock so tests can move it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace opsdesk {

// Milliseconds since the Unix epoch, UTC. Every stored timestamp uses this unit.
using TimestampMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimestampMs NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock tests set and advance by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampMs start_ms) : now_ms_(start_ms) {}
  TimestampMs NowMs() const override { return now_ms_.load(); }
  void Set(TimestampMs ms) { now_ms_.store(ms); }
  void Advance(int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

 private:
  std::atomic<TimestampMs> now_ms_;
};

// RFC 3339 in UTC with milliseconds: 2026-11-25T04:21:05.123Z.
std::string FormatTimestamp(TimestampMs ms);
// Parses RFC 3339 (Z or +hh:mm offset, optional fraction). Returns false on bad input.
bool ParseTimestamp(const std::string& text, TimestampMs* out);

}  // namespace opsdesk
