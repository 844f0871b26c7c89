// Escalation policies: who is paged, in which order, and what happens when
// nobody acknowledges. Pure model; OnCallService stores and resolves them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace opsdesk::oncall {

enum class TargetKind {
  kUser,         // that user
  kSchedule,     // whoever is on call in that schedule
  kTeamOnCall,   // whoever is on call in any of that team's schedules
};

const char* TargetKindName(TargetKind kind);  // "user", "schedule", "team_on_call"
std::optional<TargetKind> ParseTargetKind(std::string_view text);

struct EscalationTarget {
  TargetKind kind = TargetKind::kUser;
  int64_t id = 0;  // a user, schedule or team id
  bool operator==(const EscalationTarget&) const = default;
};

struct EscalationLevel {
  std::vector<EscalationTarget> targets;  // 1..10
  int ack_timeout_minutes = 30;           // 1..1440: then the next level is paged
  bool operator==(const EscalationLevel&) const = default;
};

struct EscalationPolicy {
  int64_t id = 0;
  int64_t team_id = 0;
  std::string name;
  std::string description;
  std::vector<EscalationLevel> levels;  // 1..20, paged in order
  int repeat = 0;                       // 0..9: run all levels this many more times
  // When the last level of the last run times out, the page is marked
  // unacknowledged; with this set the owning team's leads are also told
  // (delivery belongs to the notification area).
  bool notify_lead_when_exhausted = true;
  std::vector<int64_t> queue_ids;  // queues (components) that escalate through it; read-only
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// Which level the `step`-th page of an incident goes to (step 0 is the first
// page): steps run through the levels, then again `repeat` more times. Empty
// once the policy is exhausted.
inline std::optional<size_t> LevelForStep(const EscalationPolicy& policy, int64_t step) {
  if (policy.levels.empty() || step < 0) return std::nullopt;
  int64_t per_run = static_cast<int64_t>(policy.levels.size());
  if (step >= per_run * (int64_t{policy.repeat} + 1)) return std::nullopt;
  return static_cast<size_t>(step % per_run);
}

}  // namespace opsdesk::oncall
