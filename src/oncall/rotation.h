// On-call rotation arithmetic: who is on call in a schedule at an instant, until
// when, and the shifts of a window. Pure: no storage, no clock. The rules are in
// docs/ONCALL.md; in short:
//
// - A layer's k-th handoff happens at the local wall-clock time
//   start_date + handoff_time + k * rotation_hours in the schedule's zone,
//   i.e. at the first instant at which that zone's clock reads that time or
//   later (a time skipped by a DST jump hands off at the jump; a time that
//   occurs twice hands off at its first occurrence). Shift k belongs to
//   participant k mod n, from handoff k (inclusive) to handoff k+1 (exclusive).
// - Layers are ordered bottom to top; the highest layer that has someone on
//   call at T wins. A layer has nobody before its first handoff or when it
//   has no participants.
// - Overrides [start, end) replace the layers' answer; where overrides
//   overlap, the most recently created one (the highest id) wins.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace date {
class time_zone;
}

namespace opsdesk::oncall {

enum class RotationKind { kDaily, kWeekly, kCustom };

const char* RotationKindName(RotationKind kind);  // "daily", "weekly", "custom"
std::optional<RotationKind> ParseRotationKind(std::string_view text);

struct Layer {
  std::string name;
  std::vector<int64_t> participant_ids;  // in rotation order; may repeat a user
  RotationKind rotation = RotationKind::kWeekly;
  int rotation_hours = 168;              // daily: 24, weekly: 168, custom: 1..8760
  std::string start_date = "2025-01-06"; // YYYY-MM-DD in the schedule's zone: the first handoff's day
  std::string handoff_time = "09:00";    // HH:MM in the schedule's zone
};

struct Override {
  int64_t id = 0;  // precedence: the highest id wins where overrides overlap
  int64_t user_id = 0;
  TimestampMs start_at = 0;  // inclusive
  TimestampMs end_at = 0;    // exclusive
};

struct ScheduleDefinition {
  std::string time_zone = "UTC";
  std::vector<Layer> layers;  // bottom to top
  std::vector<Override> overrides;
};

// Who is on call at an instant. `user_id` empty: nobody. `until`: the first
// instant after `at` with a different answer (someone else, or nobody); empty
// when nothing changes within the look-ahead (a fixed answer from then on).
struct OnCallAt {
  std::optional<int64_t> user_id;
  std::optional<TimestampMs> until;
};

struct Shift {
  int64_t user_id = 0;
  TimestampMs start_at = 0;  // inclusive
  TimestampMs end_at = 0;    // exclusive
  bool operator==(const Shift&) const = default;
};

// Problems with one layer's fields, keyed by field name ("rotation_hours", ...).
std::map<std::string, std::string> LayerProblems(const Layer& layer);

// An immutable, precomputed schedule: lookups are arithmetic on the layers plus a
// binary search in the flattened override timeline. Safe to share between threads.
class CompiledSchedule {
 public:
  // InvalidArgument when the zone or a layer is not valid.
  static Result<std::shared_ptr<const CompiledSchedule>> Compile(const ScheduleDefinition& definition);

  // Who is on call at `at`, and until when.
  OnCallAt At(TimestampMs at) const;
  // Only the user (no `until`): the cheapest lookup.
  std::optional<int64_t> UserAt(TimestampMs at) const;
  // The shifts overlapping [from, to), clipped to it, adjacent shifts of one user
  // merged; times with nobody on call are left out.
  std::vector<Shift> Shifts(TimestampMs from, TimestampMs to) const;

  // Layer `layer`'s k-th handoff instant (k >= 0). For tests and docs.
  TimestampMs Handoff(size_t layer, int64_t k) const;

 private:
  struct CompiledLayer {
    std::vector<int64_t> participants;
    int64_t local_start_ms = 0;  // local wall-clock ms of handoff 0
    int64_t period_ms = 0;
    TimestampMs first_handoff = 0;
    // For participant index i: how many handoffs until someone else takes over
    // (0: the rotation never changes hands).
    std::vector<int64_t> steps_to_change;
  };
  struct OverrideSegment {
    TimestampMs start = 0;
    TimestampMs end = 0;
    int64_t user_id = 0;
  };

  CompiledSchedule() = default;
  TimestampMs ToSys(int64_t local_ms) const;
  int64_t ToLocal(TimestampMs at) const;
  // The index of the shift containing `at`; REQUIRES at >= layer.first_handoff.
  int64_t ShiftIndex(const CompiledLayer& layer, TimestampMs at) const;
  TimestampMs LayerHandoff(const CompiledLayer& layer, int64_t k) const;
  const OverrideSegment* OverrideAt(TimestampMs at) const;
  std::optional<int64_t> BaseUserAt(TimestampMs at) const;
  // The next instant after `at` at which the answer may change; empty if none.
  std::optional<TimestampMs> NextBoundary(TimestampMs at) const;
  // The first instant in (at, limit) whose answer differs from `user`; empty when none.
  std::optional<TimestampMs> NextChange(TimestampMs at, const std::optional<int64_t>& user, TimestampMs limit,
                                        int max_steps) const;

  const date::time_zone* zone_ = nullptr;
  std::vector<CompiledLayer> layers_;
  std::vector<OverrideSegment> overrides_;  // disjoint, sorted by start
};

}  // namespace opsdesk::oncall
