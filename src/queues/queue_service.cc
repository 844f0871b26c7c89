#include "queues/queue_service.h"

#include "common/text.h"

namespace opsdesk::queues {
namespace {

Queue QueueFromRow(const storage::Row& row) {
  return Queue{row.Int(0), row.Text(1), row.OptInt(2), row.Text(3), row.Int(4)};
}

constexpr const char* kQueueColumns = "id, name, team_id, description, created_at";

}  // namespace

std::string NameProblem(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 64) return "must be at most 64 characters";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return "may contain only lower-case letters, digits, '-', '_' and '.'";
  }
  return "";
}

Result<std::optional<Team>> QueueService::FindTeam(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne("SELECT id, name, description, created_at FROM teams WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Team>();
  Team team{(*row)->Int(0), (*row)->Text(1), (*row)->Text(2), {}, (*row)->Int(3)};
  auto members = tx.Query("SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id", {id});
  if (!members.ok()) return members.status();
  for (const auto& m : *members) team.member_ids.push_back(m.Int(0));
  return std::optional<Team>(team);
}

Result<std::optional<Queue>> QueueService::FindQueue(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kQueueColumns + " FROM queues WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Queue>();
  return std::optional<Queue>(QueueFromRow(**row));
}

Result<std::optional<Queue>> QueueService::FindQueueByName(storage::Transaction& tx, const std::string& name) {
  // Names are ASCII (NameProblem), so invalid UTF-8 names no queue. Answering
  // here keeps PostgreSQL, which rejects such a parameter as an error, in step
  // with SQLite, which finds nothing.
  if (!IsValidUtf8(name)) return std::optional<Queue>();
  auto row = tx.QueryOne(std::string("SELECT ") + kQueueColumns + " FROM queues WHERE name = ?", {name});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Queue>();
  return std::optional<Queue>(QueueFromRow(**row));
}

static Status CheckStaffMember(storage::Transaction& tx, int64_t user_id, std::map<std::string, std::string>& errors) {
  auto row = tx.QueryOne("SELECT role FROM users WHERE id = ?", {user_id});
  if (!row.ok()) return row.status();
  if (!*row) {
    errors["member_ids"] = "user " + std::to_string(user_id) + " does not exist";
  } else if ((*row)->Text(0) == "requester") {
    errors["member_ids"] = "user " + std::to_string(user_id) + " is a requester; teams hold staff";
  }
  return Status::Ok();
}

Result<Team> QueueService::CreateTeam(const auth::Actor& actor, const NewTeam& input) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("only leads and admins manage teams");
  std::map<std::string, std::string> errors;
  if (auto p = NameProblem(input.name); !p.empty()) errors["name"] = p;
  if (auto p = TextFieldProblem(input.description, 0, 2000, true); !p.empty()) errors["description"] = p;
  if (!errors.empty()) return Status::InvalidArgument("team is not valid", errors);
  Team team;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    std::map<std::string, std::string> member_errors;
    for (int64_t id : input.member_ids) OPSDESK_RETURN_IF_ERROR(CheckStaffMember(tx, id, member_errors));
    if (!member_errors.empty()) return Status::InvalidArgument("team is not valid", member_errors);
    auto existing = tx.QueryOne("SELECT id FROM teams WHERE name = ?", {input.name});
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Conflict("a team with this name already exists");
    auto row = tx.QueryOne("INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?) RETURNING id",
                           {input.name, input.description, clock_.NowMs()});
    if (!row.ok()) return row.status();
    int64_t id = (*row)->Int(0);
    for (int64_t member : input.member_ids) {
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", {id, member})
              .status());
    }
    auto found = FindTeam(tx, id);
    if (!found.ok()) return found.status();
    team = **found;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return team;
}

Result<std::vector<Team>> QueueService::ListTeams(const auth::Actor& actor) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff can list teams");
  std::vector<Team> teams;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT id, name, description, created_at FROM teams ORDER BY name");
    if (!rows.ok()) return rows.status();
    auto members = tx.Query("SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id");
    if (!members.ok()) return members.status();
    for (const auto& row : *rows) {
      Team team{row.Int(0), row.Text(1), row.Text(2), {}, row.Int(3)};
      for (const auto& m : *members) {
        if (m.Int(0) == team.id) team.member_ids.push_back(m.Int(1));
      }
      teams.push_back(std::move(team));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return teams;
}

Result<Team> QueueService::SetMembership(const auth::Actor& actor, int64_t team_id, int64_t user_id, bool is_member) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("only leads and admins manage teams");
  Team team;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = FindTeam(tx, team_id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("team not found");
    if (is_member) {
      std::map<std::string, std::string> errors;
      OPSDESK_RETURN_IF_ERROR(CheckStaffMember(tx, user_id, errors));
      if (!errors.empty()) return Status::InvalidArgument("member is not valid", {{"user_id", errors["member_ids"]}});
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", {team_id, user_id})
              .status());
    } else {
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", {team_id, user_id}).status());
    }
    auto updated = FindTeam(tx, team_id);
    if (!updated.ok()) return updated.status();
    team = **updated;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return team;
}

Result<Queue> QueueService::CreateQueue(const auth::Actor& actor, const NewQueue& input) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("only leads and admins manage queues");
  std::map<std::string, std::string> errors;
  if (auto p = NameProblem(input.name); !p.empty()) errors["name"] = p;
  if (auto p = TextFieldProblem(input.description, 0, 2000, true); !p.empty()) errors["description"] = p;
  if (!errors.empty()) return Status::InvalidArgument("queue is not valid", errors);
  Queue queue;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    if (input.team_id) {
      auto team = FindTeam(tx, *input.team_id);
      if (!team.ok()) return team.status();
      if (!*team) return Status::InvalidArgument("queue is not valid", {{"team_id", "team does not exist"}});
    }
    auto existing = FindQueueByName(tx, input.name);
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Conflict("a queue with this name already exists");
    auto row = tx.QueryOne(std::string("INSERT INTO queues (name, team_id, description, created_at) "
                                       "VALUES (?, ?, ?, ?) RETURNING ") +
                               kQueueColumns,
                           {input.name, input.team_id, input.description, clock_.NowMs()});
    if (!row.ok()) return row.status();
    queue = QueueFromRow(**row);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return queue;
}

Result<std::vector<Queue>> QueueService::ListQueues(const auth::Actor& actor) {
  std::vector<Queue> queues;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(std::string("SELECT ") + kQueueColumns + " FROM queues ORDER BY name");
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) queues.push_back(QueueFromRow(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return queues;
}

}  // namespace opsdesk::queues
