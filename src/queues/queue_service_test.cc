// QueueService against both real engines: who may manage teams and queues, name
// rules, uniqueness, team membership (staff only) and queue-to-team references.
#include "queues/queue_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"
#include "testing/query_count.h"
#include "testing/user_fixtures.h"
#include "testing/migrated_database.h"

namespace opsdesk::queues {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

using test_util::StatusOf;

constexpr TimestampMs kStart = 1'700'000'000'000;

// Users inserted with plain SQL: these tests need ids and roles, not passwords.
Result<Actor> InsertUser(storage::Database& db, const std::string& email, Role role) {
  auto user = test_util::InsertTestUser(db, kStart, email, role);
  if (!user.ok()) return user.status();
  return Actor::Of(*user);
}

class QueueServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    svc_ = std::make_unique<QueueService>(db(), clock_);
    ASSERT_OK_AND_ASSIGN(admin_, InsertUser(db(), "admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(lead_, InsertUser(db(), "lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(agent_, InsertUser(db(), "agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(agent2_, InsertUser(db(), "agent2@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(requester_, InsertUser(db(), "requester@example.com", Role::kRequester));
  }

  storage::Database& db() { return test_db_->db(); }
  QueueService& svc() { return *svc_; }

  int64_t Count(const std::string& sql) {
    return test_util::QueryCount(db(), sql);
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<QueueService> svc_;
  Actor admin_, lead_, agent_, agent2_, requester_;
};

TEST_P(QueueServiceTest, OnlyLeadsAndAdminsCreateTeamsAndQueues) {
  for (const Actor* who : {&agent_, &requester_}) {
    SCOPED_TRACE(auth::RoleName(who->role));
    EXPECT_EQ(svc().CreateTeam(*who, {"platform", "", {}}).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(svc().CreateQueue(*who, {"ingestion", std::nullopt, ""}).status().code(),
              StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM teams"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM queues"), 0);

  ASSERT_OK_AND_ASSIGN(Team by_lead, svc().CreateTeam(lead_, {"platform", "Runs the platform", {}}));
  ASSERT_OK_AND_ASSIGN(Team by_admin, svc().CreateTeam(admin_, {"storage", "", {}}));
  EXPECT_NE(by_lead.id, by_admin.id);
  EXPECT_EQ(by_lead.name, "platform");
  EXPECT_EQ(by_lead.description, "Runs the platform");
  EXPECT_EQ(by_lead.created_at, kStart);

  ASSERT_OK_AND_ASSIGN(Queue q1, svc().CreateQueue(lead_, {"ingestion", by_lead.id, "Data in"}));
  ASSERT_OK_AND_ASSIGN(Queue q2, svc().CreateQueue(admin_, {"query-engine", std::nullopt, ""}));
  EXPECT_EQ(q1.team_id, by_lead.id);
  EXPECT_EQ(q1.description, "Data in");
  EXPECT_FALSE(q2.team_id.has_value());

  // Teams are for staff to read; queue names for everyone (requesters pick one).
  EXPECT_EQ(svc().ListTeams(requester_).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(std::vector<Team> teams, svc().ListTeams(agent_));
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[0].name, "platform");  // by name
  EXPECT_EQ(teams[1].name, "storage");
  ASSERT_OK_AND_ASSIGN(std::vector<Queue> queues, svc().ListQueues(requester_));
  ASSERT_EQ(queues.size(), 2u);
  EXPECT_EQ(queues[0].name, "ingestion");
  EXPECT_EQ(queues[1].name, "query-engine");
}

TEST_P(QueueServiceTest, NamesMustBeShortLowerCaseWords) {
  const std::vector<std::string> bad = {
      "", "Ingestion", "query engine", "ingestion/raw", "émission", std::string(65, 'q'), "tab\tname", "ops!"};
  for (const auto& name : bad) {
    SCOPED_TRACE(name);
    auto team = svc().CreateTeam(admin_, {name, "", {}});
    ASSERT_EQ(team.status().code(), StatusCode::kInvalidArgument) << team.status().ToString();
    EXPECT_EQ(team.status().fields().count("name"), 1u);
    auto queue = svc().CreateQueue(admin_, {name, std::nullopt, ""});
    ASSERT_EQ(queue.status().code(), StatusCode::kInvalidArgument) << queue.status().ToString();
    EXPECT_EQ(queue.status().fields().count("name"), 1u);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM teams"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM queues"), 0);

  for (const std::string& name : {std::string("a"), std::string(64, 'q'), std::string("ops-eu_1.x")}) {
    SCOPED_TRACE(name);
    ASSERT_OK(svc().CreateTeam(admin_, {name, "", {}}));
    ASSERT_OK(svc().CreateQueue(admin_, {name, std::nullopt, ""}));
  }
}

TEST_P(QueueServiceTest, DescriptionIsValidated) {
  auto team = svc().CreateTeam(admin_, {"platform", std::string(2001, 'd'), {}});
  ASSERT_EQ(team.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(team.status().fields().count("description"), 1u);
  auto queue = svc().CreateQueue(admin_, {"ingestion", std::nullopt, std::string("nul\0", 4)});
  ASSERT_EQ(queue.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.status().fields().count("description"), 1u);
  // Multi-line descriptions are fine.
  ASSERT_OK(svc().CreateQueue(admin_, {"ingestion", std::nullopt, "Line one\nLine two"}));
}

TEST_P(QueueServiceTest, DuplicateNamesConflict) {
  ASSERT_OK(svc().CreateTeam(admin_, {"platform", "", {}}));
  auto team = svc().CreateTeam(lead_, {"platform", "again", {}});
  EXPECT_EQ(team.status().code(), StatusCode::kConflict) << team.status().ToString();
  ASSERT_OK(svc().CreateQueue(admin_, {"ingestion", std::nullopt, ""}));
  auto queue = svc().CreateQueue(lead_, {"ingestion", std::nullopt, "again"});
  EXPECT_EQ(queue.status().code(), StatusCode::kConflict) << queue.status().ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM teams"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM queues"), 1);
  // Teams and queues are separate namespaces.
  ASSERT_OK(svc().CreateQueue(admin_, {"platform", std::nullopt, ""}));
}

TEST_P(QueueServiceTest, TeamMembersMustBeStaff) {
  auto with_requester = svc().CreateTeam(lead_, {"platform", "", {agent_.user_id, requester_.user_id}});
  ASSERT_EQ(with_requester.status().code(), StatusCode::kInvalidArgument) << with_requester.status().ToString();
  EXPECT_EQ(with_requester.status().fields().count("member_ids"), 1u);
  auto with_stranger = svc().CreateTeam(lead_, {"platform", "", {987654}});
  ASSERT_EQ(with_stranger.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(with_stranger.status().fields().count("member_ids"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM teams"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM team_members"), 0);

  // Repeated ids collapse; members come back sorted.
  ASSERT_OK_AND_ASSIGN(Team team, svc().CreateTeam(lead_, {"platform", "", {agent2_.user_id, agent_.user_id,
                                                                            agent2_.user_id, lead_.user_id}}));
  std::vector<int64_t> expected = {lead_.user_id, agent_.user_id, agent2_.user_id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(team.member_ids, expected);
}

TEST_P(QueueServiceTest, MembershipChangesOnlyForStaff) {
  ASSERT_OK_AND_ASSIGN(Team team, svc().CreateTeam(lead_, {"platform", "", {agent_.user_id}}));

  auto requester = svc().SetMembership(lead_, team.id, requester_.user_id, true);
  ASSERT_EQ(requester.status().code(), StatusCode::kInvalidArgument) << requester.status().ToString();
  EXPECT_EQ(requester.status().fields().count("user_id"), 1u);
  auto missing_user = svc().SetMembership(lead_, team.id, 987654, true);
  ASSERT_EQ(missing_user.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing_user.status().fields().count("user_id"), 1u);
  EXPECT_EQ(svc().SetMembership(lead_, team.id + 1000, agent2_.user_id, true).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(svc().SetMembership(agent_, team.id, agent2_.user_id, true).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().SetMembership(agent_, team.id, agent_.user_id, false).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM team_members"), 1);

  ASSERT_OK_AND_ASSIGN(Team added, svc().SetMembership(admin_, team.id, agent2_.user_id, true));
  std::vector<int64_t> both = {agent_.user_id, agent2_.user_id};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(added.member_ids, both);
  // Adding again changes nothing.
  ASSERT_OK_AND_ASSIGN(Team again, svc().SetMembership(admin_, team.id, agent2_.user_id, true));
  EXPECT_EQ(again.member_ids, both);

  ASSERT_OK_AND_ASSIGN(Team removed, svc().SetMembership(lead_, team.id, agent_.user_id, false));
  EXPECT_EQ(removed.member_ids, (std::vector<int64_t>{agent2_.user_id}));
  ASSERT_OK_AND_ASSIGN(std::vector<Team> teams, svc().ListTeams(agent_));
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0].member_ids, (std::vector<int64_t>{agent2_.user_id}));
}

TEST_P(QueueServiceTest, QueueTeamMustExist) {
  auto orphan = svc().CreateQueue(lead_, {"ingestion", int64_t{987654}, ""});
  ASSERT_EQ(orphan.status().code(), StatusCode::kInvalidArgument) << orphan.status().ToString();
  EXPECT_EQ(orphan.status().fields().count("team_id"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM queues"), 0);

  ASSERT_OK_AND_ASSIGN(Team team, svc().CreateTeam(lead_, {"platform", "", {}}));
  ASSERT_OK_AND_ASSIGN(Queue queue, svc().CreateQueue(lead_, {"ingestion", team.id, ""}));
  EXPECT_EQ(queue.team_id, team.id);
  Status status = db().Read([&](storage::Transaction& tx) -> Status {
    auto found = QueueService::FindQueueByName(tx, "ingestion");
    if (!found.ok()) return found.status();
    EXPECT_TRUE(found->has_value());
    if (*found) {
      EXPECT_EQ((*found)->id, queue.id);
    }
    auto by_id = QueueService::FindQueue(tx, queue.id);
    if (!by_id.ok()) return by_id.status();
    EXPECT_TRUE(by_id->has_value());
    if (*by_id) {
      EXPECT_EQ((*by_id)->team_id, team.id);
    }
    auto missing = QueueService::FindQueueByName(tx, "Ingestion");  // names are exact
    if (!missing.ok()) return missing.status();
    EXPECT_FALSE(missing->has_value());
    return Status::Ok();
  });
  ASSERT_OK(status);
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, QueueServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::queues
