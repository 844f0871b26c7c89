// On-call schedules, overrides and escalation policies (docs/ONCALL.md).
//
// Leads and admins write; staff read; requesters are refused everything.
// Look-ups (who is on call, shifts, escalation levels) run on an immutable
// in-memory snapshot per schedule (CompiledSchedule), keyed by the schedule's
// version, so each look-up costs one small indexed read plus arithmetic; any
// node notices a change made by another node through the version.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "oncall/escalation.h"
#include "oncall/rotation.h"
#include "storage/database.h"

namespace opsdesk::oncall {

struct ScheduleOverride {
  int64_t id = 0;
  int64_t schedule_id = 0;
  int64_t user_id = 0;
  TimestampMs start_at = 0;  // inclusive
  TimestampMs end_at = 0;    // exclusive
  std::optional<int64_t> created_by;
  TimestampMs created_at = 0;
};

struct Schedule {
  int64_t id = 0;
  int64_t team_id = 0;
  std::string name;
  std::string description;
  std::string time_zone;
  std::vector<Layer> layers;                 // bottom to top
  std::vector<ScheduleOverride> overrides;   // those not yet over (end_at > now), by start
  int64_t version = 1;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

struct ScheduleInput {
  int64_t team_id = 0;
  std::string name;
  std::string description;
  std::string time_zone = "UTC";
  std::vector<Layer> layers;
};

// Absent fields stay; `layers` replaces all layers.
struct SchedulePatch {
  std::optional<int64_t> team_id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> time_zone;
  std::optional<std::vector<Layer>> layers;
};

struct NewOverride {
  int64_t user_id = 0;
  TimestampMs start_at = 0;
  TimestampMs end_at = 0;
};

struct ScheduleOnCall {
  int64_t schedule_id = 0;
  std::string schedule_name;
  std::optional<int64_t> user_id;  // nobody when empty
  std::optional<TimestampMs> until;
};

struct EscalationPolicyInput {
  int64_t team_id = 0;
  std::string name;
  std::string description;
  std::vector<EscalationLevel> levels;
  int repeat = 0;
  bool notify_lead_when_exhausted = true;
};

struct EscalationPolicyPatch {
  std::optional<int64_t> team_id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<EscalationLevel>> levels;
  std::optional<int> repeat;
  std::optional<bool> notify_lead_when_exhausted;
};

struct QueueEscalation {
  int64_t queue_id = 0;
  std::optional<int64_t> escalation_policy_id;
};

// Limits the service enforces.
inline constexpr int kMaxLayers = 10;
inline constexpr int kMaxLevels = 20;
inline constexpr int kMaxTargetsPerLevel = 10;
inline constexpr int kMaxRepeat = 9;
inline constexpr int64_t kMaxShiftsSpanMs = 35LL * 24 * 3600 * 1000;
inline constexpr int64_t kMaxOverrideMs = 366LL * 24 * 3600 * 1000;

class OnCallService {
 public:
  OnCallService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Schedules.
  Result<Schedule> CreateSchedule(const auth::Actor& actor, const ScheduleInput& input);
  Result<std::vector<Schedule>> ListSchedules(const auth::Actor& actor, std::optional<int64_t> team_id = std::nullopt);
  Result<Schedule> GetSchedule(const auth::Actor& actor, int64_t id);
  Result<Schedule> UpdateSchedule(const auth::Actor& actor, int64_t id, const SchedulePatch& patch);
  // Conflict while an escalation policy pages it.
  Status DeleteSchedule(const auth::Actor& actor, int64_t id);

  Result<ScheduleOverride> AddOverride(const auth::Actor& actor, int64_t schedule_id, const NewOverride& input);
  Status DeleteOverride(const auth::Actor& actor, int64_t schedule_id, int64_t override_id);

  // Look-ups.
  Result<OnCallAt> WhoIsOnCall(const auth::Actor& actor, int64_t schedule_id, TimestampMs at);
  // [from, to), at most kMaxShiftsSpanMs.
  Result<std::vector<Shift>> Shifts(const auth::Actor& actor, int64_t schedule_id, TimestampMs from, TimestampMs to);
  // Each of the team's schedules (by name) and who is on call in it.
  Result<std::vector<ScheduleOnCall>> TeamOnCall(const auth::Actor& actor, int64_t team_id, TimestampMs at);

  // Escalation policies.
  Result<EscalationPolicy> CreatePolicy(const auth::Actor& actor, const EscalationPolicyInput& input);
  Result<std::vector<EscalationPolicy>> ListPolicies(const auth::Actor& actor,
                                                     std::optional<int64_t> team_id = std::nullopt);
  Result<EscalationPolicy> GetPolicy(const auth::Actor& actor, int64_t id);
  Result<EscalationPolicy> UpdatePolicy(const auth::Actor& actor, int64_t id, const EscalationPolicyPatch& patch);
  // Conflict while a queue points at it.
  Status DeletePolicy(const auth::Actor& actor, int64_t id);
  // The active users paged at level `level_index` (0-based) at `at`: the targets'
  // users in target order, without repeats; schedules and teams with nobody on
  // call add nobody. InvalidArgument ("level") when there is no such level.
  Result<std::vector<int64_t>> ResolveLevel(const auth::Actor& actor, int64_t policy_id, int level_index,
                                            TimestampMs at);

  // Points a queue (component) at an escalation policy, or at none.
  Result<QueueEscalation> SetQueueEscalationPolicy(const auth::Actor& actor, int64_t queue_id,
                                                   std::optional<int64_t> policy_id);

  // The compiled snapshot of a schedule inside a caller's transaction (cached by
  // version). NotFound when there is no such schedule.
  Result<std::shared_ptr<const CompiledSchedule>> Snapshot(storage::Transaction& tx, int64_t schedule_id);

 private:
  Status CheckScheduleInput(storage::Transaction& tx, const ScheduleInput& input);
  Status CheckPolicyInput(storage::Transaction& tx, const EscalationPolicyInput& input);

  storage::Database& db_;
  const Clock& clock_;
  struct CacheEntry {
    int64_t version = 0;
    std::shared_ptr<const CompiledSchedule> compiled;
  };
  std::mutex cache_mu_;
  std::map<int64_t, CacheEntry> cache_;
};

}  // namespace opsdesk::oncall
