// Teams and queues. In our users' world a queue is usually a platform component
// (ingestion, query-engine, ...) owned by a team. Leads and admins manage them;
// staff read them; requesters read queue names so they can pick a component.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::queues {

struct Team {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::vector<int64_t> member_ids;
  TimestampMs created_at = 0;
};

struct Queue {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> team_id;
  std::string description;
  TimestampMs created_at = 0;
};

struct NewTeam {
  std::string name;
  std::string description;
  std::vector<int64_t> member_ids;  // must be staff users
};

struct NewQueue {
  std::string name;
  std::optional<int64_t> team_id;
  std::string description;
};

class QueueService {
 public:
  QueueService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<Team> CreateTeam(const auth::Actor& actor, const NewTeam& input);
  Result<std::vector<Team>> ListTeams(const auth::Actor& actor);
  // Adds or removes one member; staff users only.
  Result<Team> SetMembership(const auth::Actor& actor, int64_t team_id, int64_t user_id, bool is_member);

  Result<Queue> CreateQueue(const auth::Actor& actor, const NewQueue& input);
  Result<std::vector<Queue>> ListQueues(const auth::Actor& actor);

  // Inside another area's transaction.
  static Result<std::optional<Queue>> FindQueue(storage::Transaction& tx, int64_t id);
  static Result<std::optional<Queue>> FindQueueByName(storage::Transaction& tx, const std::string& name);

 private:
  static Result<std::optional<Team>> FindTeam(storage::Transaction& tx, int64_t id);

  storage::Database& db_;
  const Clock& clock_;
};

// Queue and team names: 1-64 characters of a-z, 0-9, '-', '_' and '.', so they
// read well in URLs, CLI flags and search filters (queue:ingestion).
std::string NameProblem(const std::string& name);

}  // namespace opsdesk::queues
