// The on-call area's SQL. Private to src/oncall/: other areas go through
// OnCallService. Every function runs inside the caller's transaction and does
// no permission or validation checks.
#pragma once

#include <optional>
#include <vector>

#include "oncall/oncall_service.h"
#include "storage/database.h"

namespace opsdesk::oncall::store {

// Schedules. `now` decides which overrides are still listed (end_at > now).
Result<std::optional<Schedule>> FindSchedule(storage::Transaction& tx, int64_t id, TimestampMs now);
Result<std::vector<Schedule>> ListSchedules(storage::Transaction& tx, std::optional<int64_t> team_id, TimestampMs now);
Result<std::optional<int64_t>> ScheduleVersion(storage::Transaction& tx, int64_t id);
Result<bool> ScheduleNameTaken(storage::Transaction& tx, int64_t team_id, const std::string& name,
                               std::optional<int64_t> except_id);
Result<int64_t> InsertSchedule(storage::Transaction& tx, const ScheduleInput& input, TimestampMs now);
// Writes every column of `input` and bumps the version.
Status UpdateSchedule(storage::Transaction& tx, int64_t id, const ScheduleInput& input, TimestampMs now);
Status ReplaceLayers(storage::Transaction& tx, int64_t id, const std::vector<Layer>& layers);
Status BumpScheduleVersion(storage::Transaction& tx, int64_t id, TimestampMs now);
Status DeleteSchedule(storage::Transaction& tx, int64_t id);
// The policies (ids) that page a schedule directly.
Result<std::vector<int64_t>> PoliciesUsingSchedule(storage::Transaction& tx, int64_t schedule_id);
// Everything the rotation arithmetic needs, overrides of all times included.
Result<ScheduleDefinition> LoadDefinition(storage::Transaction& tx, int64_t id);

Result<ScheduleOverride> InsertOverride(storage::Transaction& tx, int64_t schedule_id, const NewOverride& input,
                                        std::optional<int64_t> created_by, TimestampMs now);
// Whether a row was deleted.
Result<bool> DeleteOverride(storage::Transaction& tx, int64_t schedule_id, int64_t override_id);

// Teams and users, as the checks need them.
Result<bool> TeamExists(storage::Transaction& tx, int64_t team_id);
// "" when the user may be on call (an active agent, lead or admin), else why not.
Result<std::string> OnCallUserProblem(storage::Transaction& tx, int64_t user_id);
Result<bool> UserIsActive(storage::Transaction& tx, int64_t user_id);
Result<std::vector<std::pair<int64_t, std::string>>> TeamSchedules(storage::Transaction& tx, int64_t team_id);

// Escalation policies.
Result<std::optional<EscalationPolicy>> FindPolicy(storage::Transaction& tx, int64_t id);
Result<std::vector<EscalationPolicy>> ListPolicies(storage::Transaction& tx, std::optional<int64_t> team_id);
Result<bool> PolicyNameTaken(storage::Transaction& tx, int64_t team_id, const std::string& name,
                             std::optional<int64_t> except_id);
Result<int64_t> InsertPolicy(storage::Transaction& tx, const EscalationPolicyInput& input, TimestampMs now);
Status UpdatePolicy(storage::Transaction& tx, int64_t id, const EscalationPolicyInput& input, TimestampMs now);
Status ReplaceLevels(storage::Transaction& tx, int64_t id, const std::vector<EscalationLevel>& levels);
Status DeletePolicy(storage::Transaction& tx, int64_t id);

// Queues.
Result<bool> QueueExists(storage::Transaction& tx, int64_t queue_id);
Status SetQueuePolicy(storage::Transaction& tx, int64_t queue_id, std::optional<int64_t> policy_id);

}  // namespace opsdesk::oncall::store
