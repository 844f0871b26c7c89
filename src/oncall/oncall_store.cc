#include "oncall/oncall_store.h"

#include <limits>

namespace opsdesk::oncall::store {
namespace {

constexpr const char* kScheduleColumns =
    "id, team_id, name, description, time_zone, version, created_at, updated_at";

Schedule ScheduleFromRow(const storage::Row& row) {
  Schedule s;
  s.id = row.Int(0);
  s.team_id = row.Int(1);
  s.name = row.Text(2);
  s.description = row.Text(3);
  s.time_zone = row.Text(4);
  s.version = row.Int(5);
  s.created_at = row.Int(6);
  s.updated_at = row.Int(7);
  return s;
}

Result<std::vector<Layer>> LoadLayers(storage::Transaction& tx, int64_t id) {
  auto rows = tx.Query(
      "SELECT layer_index, name, rotation, rotation_hours, start_date, handoff_time FROM oncall_layers "
      "WHERE schedule_id = ? ORDER BY layer_index",
      {id});
  if (!rows.ok()) return rows.status();
  std::vector<Layer> layers;
  for (const auto& row : *rows) {
    Layer layer;
    layer.name = row.Text(1);
    layer.rotation = ParseRotationKind(row.Text(2)).value_or(RotationKind::kCustom);
    layer.rotation_hours = static_cast<int>(row.Int(3));
    layer.start_date = row.Text(4);
    layer.handoff_time = row.Text(5);
    layers.push_back(std::move(layer));
  }
  auto members = tx.Query(
      "SELECT layer_index, user_id FROM oncall_layer_participants WHERE schedule_id = ? ORDER BY layer_index, seq",
      {id});
  if (!members.ok()) return members.status();
  for (const auto& m : *members) {
    size_t index = static_cast<size_t>(m.Int(0));
    if (index < layers.size()) layers[index].participant_ids.push_back(m.Int(1));
  }
  return layers;
}

Result<std::vector<ScheduleOverride>> LoadOverrides(storage::Transaction& tx, int64_t id,
                                                    std::optional<TimestampMs> ending_after) {
  auto rows = tx.Query(
      "SELECT id, schedule_id, user_id, start_at, end_at, created_by, created_at FROM oncall_overrides "
      "WHERE schedule_id = ? AND end_at > ? ORDER BY start_at, id",
      {id, ending_after.value_or(std::numeric_limits<int64_t>::min())});
  if (!rows.ok()) return rows.status();
  std::vector<ScheduleOverride> out;
  for (const auto& r : *rows) {
    out.push_back({r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.OptInt(5), r.Int(6)});
  }
  return out;
}

Status CompleteSchedule(storage::Transaction& tx, Schedule& s, TimestampMs now) {
  OPSDESK_ASSIGN_OR_RETURN(s.layers, LoadLayers(tx, s.id));
  OPSDESK_ASSIGN_OR_RETURN(s.overrides, LoadOverrides(tx, s.id, now));
  return Status::Ok();
}

constexpr const char* kPolicyColumns =
    "id, team_id, name, description, repeat_count, notify_lead_when_exhausted, created_at, updated_at";

Status CompletePolicy(storage::Transaction& tx, EscalationPolicy& p) {
  auto levels = tx.Query(
      "SELECT level_index, ack_timeout_minutes FROM escalation_levels WHERE policy_id = ? ORDER BY level_index",
      {p.id});
  if (!levels.ok()) return levels.status();
  for (const auto& row : *levels) p.levels.push_back({{}, static_cast<int>(row.Int(1))});
  auto targets = tx.Query(
      "SELECT level_index, kind, user_id, schedule_id, team_id FROM escalation_targets WHERE policy_id = ? "
      "ORDER BY level_index, seq",
      {p.id});
  if (!targets.ok()) return targets.status();
  for (const auto& row : *targets) {
    size_t index = static_cast<size_t>(row.Int(0));
    if (index >= p.levels.size()) continue;
    TargetKind kind = ParseTargetKind(row.Text(1)).value_or(TargetKind::kUser);
    int64_t id = kind == TargetKind::kUser ? row.Int(2) : kind == TargetKind::kSchedule ? row.Int(3) : row.Int(4);
    p.levels[index].targets.push_back({kind, id});
  }
  auto queues = tx.Query("SELECT id FROM queues WHERE escalation_policy_id = ? ORDER BY id", {p.id});
  if (!queues.ok()) return queues.status();
  for (const auto& row : *queues) p.queue_ids.push_back(row.Int(0));
  return Status::Ok();
}

EscalationPolicy PolicyFromRow(const storage::Row& row) {
  EscalationPolicy p;
  p.id = row.Int(0);
  p.team_id = row.Int(1);
  p.name = row.Text(2);
  p.description = row.Text(3);
  p.repeat = static_cast<int>(row.Int(4));
  p.notify_lead_when_exhausted = row.Bool(5);
  p.created_at = row.Int(6);
  p.updated_at = row.Int(7);
  return p;
}

}  // namespace

Result<std::optional<Schedule>> FindSchedule(storage::Transaction& tx, int64_t id, TimestampMs now) {
  auto row = tx.QueryOne(std::string("SELECT ") + kScheduleColumns + " FROM oncall_schedules WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Schedule>();
  Schedule s = ScheduleFromRow(**row);
  OPSDESK_RETURN_IF_ERROR(CompleteSchedule(tx, s, now));
  return std::optional<Schedule>(std::move(s));
}

Result<std::vector<Schedule>> ListSchedules(storage::Transaction& tx, std::optional<int64_t> team_id,
                                            TimestampMs now) {
  std::string sql = std::string("SELECT ") + kScheduleColumns + " FROM oncall_schedules";
  storage::Params params;
  if (team_id) {
    sql += " WHERE team_id = ?";
    params.push_back(*team_id);
  }
  sql += " ORDER BY name, id";
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<Schedule> out;
  for (const auto& row : *rows) {
    Schedule s = ScheduleFromRow(row);
    OPSDESK_RETURN_IF_ERROR(CompleteSchedule(tx, s, now));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<int64_t>> ScheduleVersion(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne("SELECT version FROM oncall_schedules WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>((*row)->Int(0));
}

Result<bool> ScheduleNameTaken(storage::Transaction& tx, int64_t team_id, const std::string& name,
                               std::optional<int64_t> except_id) {
  auto row = tx.QueryOne("SELECT id FROM oncall_schedules WHERE team_id = ? AND name = ? AND id <> ?",
                         {team_id, name, except_id.value_or(0)});
  if (!row.ok()) return row.status();
  return row->has_value();
}

Result<int64_t> InsertSchedule(storage::Transaction& tx, const ScheduleInput& input, TimestampMs now) {
  auto row = tx.QueryOne(
      "INSERT INTO oncall_schedules (team_id, name, description, time_zone, version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
      {input.team_id, input.name, input.description, input.time_zone, now, now});
  if (!row.ok()) return row.status();
  int64_t id = (*row)->Int(0);
  OPSDESK_RETURN_IF_ERROR(ReplaceLayers(tx, id, input.layers));
  return id;
}

Status UpdateSchedule(storage::Transaction& tx, int64_t id, const ScheduleInput& input, TimestampMs now) {
  return tx
      .Exec(
          "UPDATE oncall_schedules SET team_id = ?, name = ?, description = ?, time_zone = ?, "
          "version = version + 1, updated_at = ? WHERE id = ?",
          {input.team_id, input.name, input.description, input.time_zone, now, id})
      .status();
}

Status ReplaceLayers(storage::Transaction& tx, int64_t id, const std::vector<Layer>& layers) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM oncall_layer_participants WHERE schedule_id = ?", {id}).status());
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM oncall_layers WHERE schedule_id = ?", {id}).status());
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO oncall_layers (schedule_id, layer_index, name, rotation, rotation_hours, start_date, "
                "handoff_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {id, static_cast<int64_t>(i), l.name, RotationKindName(l.rotation), l.rotation_hours, l.start_date,
                 l.handoff_time})
            .status());
    for (size_t seq = 0; seq < l.participant_ids.size(); ++seq) {
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO oncall_layer_participants (schedule_id, layer_index, seq, user_id) VALUES (?, ?, ?, ?)",
                  {id, static_cast<int64_t>(i), static_cast<int64_t>(seq), l.participant_ids[seq]})
              .status());
    }
  }
  return Status::Ok();
}

Status BumpScheduleVersion(storage::Transaction& tx, int64_t id, TimestampMs now) {
  return tx.Exec("UPDATE oncall_schedules SET version = version + 1, updated_at = ? WHERE id = ?", {now, id})
      .status();
}

Status DeleteSchedule(storage::Transaction& tx, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM oncall_overrides WHERE schedule_id = ?", {id}).status());
  OPSDESK_RETURN_IF_ERROR(ReplaceLayers(tx, id, {}));
  return tx.Exec("DELETE FROM oncall_schedules WHERE id = ?", {id}).status();
}

Result<std::vector<int64_t>> PoliciesUsingSchedule(storage::Transaction& tx, int64_t schedule_id) {
  auto rows = tx.Query("SELECT DISTINCT policy_id FROM escalation_targets WHERE schedule_id = ? ORDER BY policy_id",
                       {schedule_id});
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> out;
  for (const auto& row : *rows) out.push_back(row.Int(0));
  return out;
}

Result<ScheduleDefinition> LoadDefinition(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne("SELECT time_zone FROM oncall_schedules WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("schedule not found");
  ScheduleDefinition def;
  def.time_zone = (*row)->Text(0);
  OPSDESK_ASSIGN_OR_RETURN(def.layers, LoadLayers(tx, id));
  OPSDESK_ASSIGN_OR_RETURN(auto overrides, LoadOverrides(tx, id, std::nullopt));
  for (const auto& o : overrides) def.overrides.push_back({o.id, o.user_id, o.start_at, o.end_at});
  return def;
}

Result<ScheduleOverride> InsertOverride(storage::Transaction& tx, int64_t schedule_id, const NewOverride& input,
                                        std::optional<int64_t> created_by, TimestampMs now) {
  auto row = tx.QueryOne(
      "INSERT INTO oncall_overrides (schedule_id, user_id, start_at, end_at, created_by, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {schedule_id, input.user_id, input.start_at, input.end_at, created_by, now});
  if (!row.ok()) return row.status();
  return ScheduleOverride{(*row)->Int(0), schedule_id, input.user_id, input.start_at, input.end_at, created_by, now};
}

Result<bool> DeleteOverride(storage::Transaction& tx, int64_t schedule_id, int64_t override_id) {
  auto n = tx.Exec("DELETE FROM oncall_overrides WHERE id = ? AND schedule_id = ?", {override_id, schedule_id});
  if (!n.ok()) return n.status();
  return *n > 0;
}

Result<bool> TeamExists(storage::Transaction& tx, int64_t team_id) {
  auto row = tx.QueryOne("SELECT id FROM teams WHERE id = ?", {team_id});
  if (!row.ok()) return row.status();
  return row->has_value();
}

Result<std::string> OnCallUserProblem(storage::Transaction& tx, int64_t user_id) {
  auto row = tx.QueryOne("SELECT role, is_active FROM users WHERE id = ?", {user_id});
  if (!row.ok()) return row.status();
  std::string who = "user " + std::to_string(user_id);
  if (!*row) return who + " does not exist";
  if ((*row)->Text(0) == "requester") return who + " is a requester; only staff go on call";
  if (!(*row)->Bool(1)) return who + " is deactivated";
  return std::string();
}

Result<bool> UserIsActive(storage::Transaction& tx, int64_t user_id) {
  auto row = tx.QueryOne("SELECT is_active FROM users WHERE id = ?", {user_id});
  if (!row.ok()) return row.status();
  return *row && (*row)->Bool(0);
}

Result<std::vector<std::pair<int64_t, std::string>>> TeamSchedules(storage::Transaction& tx, int64_t team_id) {
  auto rows = tx.Query("SELECT id, name FROM oncall_schedules WHERE team_id = ? ORDER BY name, id", {team_id});
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& row : *rows) out.emplace_back(row.Int(0), row.Text(1));
  return out;
}

Result<std::optional<EscalationPolicy>> FindPolicy(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kPolicyColumns + " FROM escalation_policies WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<EscalationPolicy>();
  EscalationPolicy p = PolicyFromRow(**row);
  OPSDESK_RETURN_IF_ERROR(CompletePolicy(tx, p));
  return std::optional<EscalationPolicy>(std::move(p));
}

Result<std::vector<EscalationPolicy>> ListPolicies(storage::Transaction& tx, std::optional<int64_t> team_id) {
  std::string sql = std::string("SELECT ") + kPolicyColumns + " FROM escalation_policies";
  storage::Params params;
  if (team_id) {
    sql += " WHERE team_id = ?";
    params.push_back(*team_id);
  }
  sql += " ORDER BY name, id";
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<EscalationPolicy> out;
  for (const auto& row : *rows) {
    EscalationPolicy p = PolicyFromRow(row);
    OPSDESK_RETURN_IF_ERROR(CompletePolicy(tx, p));
    out.push_back(std::move(p));
  }
  return out;
}

Result<bool> PolicyNameTaken(storage::Transaction& tx, int64_t team_id, const std::string& name,
                             std::optional<int64_t> except_id) {
  auto row = tx.QueryOne("SELECT id FROM escalation_policies WHERE team_id = ? AND name = ? AND id <> ?",
                         {team_id, name, except_id.value_or(0)});
  if (!row.ok()) return row.status();
  return row->has_value();
}

Result<int64_t> InsertPolicy(storage::Transaction& tx, const EscalationPolicyInput& input, TimestampMs now) {
  auto row = tx.QueryOne(
      "INSERT INTO escalation_policies (team_id, name, description, repeat_count, notify_lead_when_exhausted, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {input.team_id, input.name, input.description, input.repeat, input.notify_lead_when_exhausted, now, now});
  if (!row.ok()) return row.status();
  int64_t id = (*row)->Int(0);
  OPSDESK_RETURN_IF_ERROR(ReplaceLevels(tx, id, input.levels));
  return id;
}

Status UpdatePolicy(storage::Transaction& tx, int64_t id, const EscalationPolicyInput& input, TimestampMs now) {
  return tx
      .Exec(
          "UPDATE escalation_policies SET team_id = ?, name = ?, description = ?, repeat_count = ?, "
          "notify_lead_when_exhausted = ?, updated_at = ? WHERE id = ?",
          {input.team_id, input.name, input.description, input.repeat, input.notify_lead_when_exhausted, now, id})
      .status();
}

Status ReplaceLevels(storage::Transaction& tx, int64_t id, const std::vector<EscalationLevel>& levels) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM escalation_targets WHERE policy_id = ?", {id}).status());
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM escalation_levels WHERE policy_id = ?", {id}).status());
  for (size_t i = 0; i < levels.size(); ++i) {
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO escalation_levels (policy_id, level_index, ack_timeout_minutes) VALUES (?, ?, ?)",
                {id, static_cast<int64_t>(i), levels[i].ack_timeout_minutes})
            .status());
    for (size_t seq = 0; seq < levels[i].targets.size(); ++seq) {
      const EscalationTarget& t = levels[i].targets[seq];
      std::optional<int64_t> user, schedule, team;
      (t.kind == TargetKind::kUser ? user : t.kind == TargetKind::kSchedule ? schedule : team) = t.id;
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO escalation_targets (policy_id, level_index, seq, kind, user_id, schedule_id, team_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  {id, static_cast<int64_t>(i), static_cast<int64_t>(seq), TargetKindName(t.kind), user, schedule,
                   team})
              .status());
    }
  }
  return Status::Ok();
}

Status DeletePolicy(storage::Transaction& tx, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(ReplaceLevels(tx, id, {}));
  return tx.Exec("DELETE FROM escalation_policies WHERE id = ?", {id}).status();
}

Result<bool> QueueExists(storage::Transaction& tx, int64_t queue_id) {
  auto row = tx.QueryOne("SELECT id FROM queues WHERE id = ?", {queue_id});
  if (!row.ok()) return row.status();
  return row->has_value();
}

Status SetQueuePolicy(storage::Transaction& tx, int64_t queue_id, std::optional<int64_t> policy_id) {
  return tx.Exec("UPDATE queues SET escalation_policy_id = ? WHERE id = ?", {policy_id, queue_id}).status();
}

}  // namespace opsdesk::oncall::store
