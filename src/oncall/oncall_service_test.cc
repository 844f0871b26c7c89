// OnCallService against both real engines: who may do what, validation naming
// fields, schedule CRUD with layers, overrides, look-ups through the cached
// snapshot, escalation policies and ResolveLevel, and queues pointing at them.
#include "oncall/oncall_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "testing/migrated_database.h"

namespace opsdesk::oncall {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

TimestampMs T(const std::string& rfc3339) {
  TimestampMs ms = 0;
  EXPECT_TRUE(ParseTimestamp(rfc3339, &ms)) << rfc3339;
  return ms;
}

Layer Weekly(std::vector<int64_t> who, std::string start_date = "2025-01-06") {
  Layer layer;
  layer.participant_ids = std::move(who);
  layer.start_date = std::move(start_date);
  return layer;
}

class OnCallServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    svc_ = std::make_unique<OnCallService>(db(), clock_);
    queues_ = std::make_unique<queues::QueueService>(db(), clock_);
    ASSERT_OK_AND_ASSIGN(admin_, Insert("admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(lead_, Insert("lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(agent_, Insert("agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(agent2_, Insert("agent2@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(requester_, Insert("requester@example.com", Role::kRequester));
    ASSERT_OK_AND_ASSIGN(queues::Team team, queues_->CreateTeam(admin_, {"platform", "", {agent_.user_id}}));
    team_ = team.id;
    ASSERT_OK_AND_ASSIGN(queues::Team other, queues_->CreateTeam(admin_, {"storage", "", {}}));
    other_team_ = other.id;
  }

  Result<Actor> Insert(const std::string& email, Role role, bool active = true) {
    auto user = test_util::InsertTestUser(db(), kStart, email, role, active);
    if (!user.ok()) return user.status();
    return Actor::Of(*user);
  }

  storage::Database& db() { return test_db_->db(); }
  OnCallService& svc() { return *svc_; }
  int64_t Count(const std::string& sql) { return test_util::QueryCount(db(), sql); }

  ScheduleInput Primary() {
    return ScheduleInput{team_, "primary", "", "Europe/Berlin", {Weekly({agent_.user_id, agent2_.user_id})}};
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<OnCallService> svc_;
  std::unique_ptr<queues::QueueService> queues_;
  Actor admin_, lead_, agent_, agent2_, requester_;
  int64_t team_ = 0, other_team_ = 0;
};

TEST_P(OnCallServiceTest, LeadsAndAdminsWriteStaffReadRequestersNothing) {
  for (const Actor* who : {&agent_, &requester_}) {
    SCOPED_TRACE(auth::RoleName(who->role));
    EXPECT_EQ(svc().CreateSchedule(*who, Primary()).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(svc().CreatePolicy(*who, {team_, "p", "", {{{{TargetKind::kUser, agent_.user_id}}, 5}}, 0, true})
                  .status()
                  .code(),
              StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM oncall_schedules"), 0);
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(lead_, Primary()));
  EXPECT_EQ(s.name, "primary");
  EXPECT_EQ(s.team_id, team_);
  EXPECT_EQ(s.time_zone, "Europe/Berlin");
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].participant_ids, (std::vector<int64_t>{agent_.user_id, agent2_.user_id}));
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.created_at, kStart);

  EXPECT_EQ(svc().GetSchedule(requester_, s.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ListSchedules(requester_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().WhoIsOnCall(requester_, s.id, kStart).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().UpdateSchedule(agent_, s.id, {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().DeleteSchedule(agent_, s.id).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().AddOverride(agent_, s.id, {agent_.user_id, kStart, kStart + 1000}).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(Schedule read, svc().GetSchedule(agent_, s.id));
  EXPECT_EQ(read.layers.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto listed, svc().ListSchedules(agent_));
  EXPECT_EQ(listed.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto by_team, svc().ListSchedules(agent_, other_team_));
  EXPECT_TRUE(by_team.empty());
  EXPECT_EQ(svc().GetSchedule(agent_, s.id + 100).status().code(), StatusCode::kNotFound);
}

TEST_P(OnCallServiceTest, ScheduleValidationNamesFields) {
  ScheduleInput bad = Primary();
  bad.name = "";
  bad.time_zone = "Europe/Atlantis";
  bad.team_id = 987654;
  Layer layer = Weekly({agent_.user_id, requester_.user_id});
  layer.handoff_time = "9am";
  Layer stranger = Weekly({987654});
  bad.layers = {layer, stranger};
  auto r = svc().CreateSchedule(admin_, bad);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  const Status st = r.status();
  const auto& f = st.fields();
  for (const char* field : {"name", "time_zone", "team_id", "layers[0].handoff_time", "layers[0].participant_ids",
                            "layers[1].participant_ids"}) {
    EXPECT_EQ(f.count(field), 1u) << field << " in " << r.status().ToString();
  }
  // Deactivated staff cannot be scheduled either.
  ASSERT_OK_AND_ASSIGN(Actor gone, Insert("gone@example.com", Role::kAgent, false));
  ScheduleInput inactive = Primary();
  inactive.layers = {Weekly({gone.user_id})};
  EXPECT_EQ(svc().CreateSchedule(admin_, inactive).status().fields().count("layers[0].participant_ids"), 1u);
  ScheduleInput too_many = Primary();
  too_many.layers.assign(11, Weekly({agent_.user_id}));
  EXPECT_EQ(svc().CreateSchedule(admin_, too_many).status().fields().count("layers"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM oncall_schedules"), 0);

  // Participants need not be members of the owning team (agent2 is not).
  ASSERT_OK(svc().CreateSchedule(admin_, Primary()));
  EXPECT_EQ(svc().CreateSchedule(admin_, Primary()).status().code(), StatusCode::kConflict);
  ScheduleInput other = Primary();
  other.team_id = other_team_;  // names are per team
  ASSERT_OK(svc().CreateSchedule(admin_, other));
}

TEST_P(OnCallServiceTest, UpdateReplacesLayersAndLookupsFollow) {
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(admin_, Primary()));
  // 6 Jan 2025 09:00 CET is 08:00 UTC.
  ASSERT_OK_AND_ASSIGN(OnCallAt first, svc().WhoIsOnCall(agent_, s.id, T("2025-01-13T07:59:59.999Z")));
  EXPECT_EQ(first.user_id, agent_.user_id);
  EXPECT_EQ(first.until, T("2025-01-13T08:00:00Z"));

  SchedulePatch patch;
  patch.name = "primary-eu";
  patch.layers = std::vector<Layer>{Weekly({agent2_.user_id, agent_.user_id})};
  ASSERT_OK_AND_ASSIGN(Schedule updated, svc().UpdateSchedule(lead_, s.id, patch));
  EXPECT_EQ(updated.name, "primary-eu");
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.time_zone, "Europe/Berlin");
  ASSERT_OK_AND_ASSIGN(OnCallAt second, svc().WhoIsOnCall(agent_, s.id, T("2025-01-13T07:59:59.999Z")));
  EXPECT_EQ(second.user_id, agent2_.user_id);  // the cached snapshot was rebuilt

  SchedulePatch zone;
  zone.time_zone = "UTC";
  ASSERT_OK(svc().UpdateSchedule(lead_, s.id, zone));
  ASSERT_OK_AND_ASSIGN(OnCallAt utc, svc().WhoIsOnCall(agent_, s.id, T("2025-01-13T08:30:00Z")));
  EXPECT_EQ(utc.user_id, agent2_.user_id);
  EXPECT_EQ(utc.until, T("2025-01-13T09:00:00Z"));

  SchedulePatch bad;
  bad.time_zone = "Nowhere/Special";
  EXPECT_EQ(svc().UpdateSchedule(lead_, s.id, bad).status().fields().count("time_zone"), 1u);
  EXPECT_EQ(svc().UpdateSchedule(lead_, s.id + 50, zone).status().code(), StatusCode::kNotFound);
}

TEST_P(OnCallServiceTest, OverridesTakePrecedenceAndCanBeRemoved) {
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(admin_, Primary()));
  TimestampMs tue = T("2025-01-07T08:00:00Z");
  TimestampMs wed = T("2025-01-08T08:00:00Z");
  ASSERT_OK_AND_ASSIGN(ScheduleOverride o, svc().AddOverride(lead_, s.id, {lead_.user_id, tue, wed}));
  EXPECT_EQ(o.created_by, lead_.user_id);
  ASSERT_OK_AND_ASSIGN(OnCallAt covered, svc().WhoIsOnCall(agent_, s.id, tue));
  EXPECT_EQ(covered.user_id, lead_.user_id);
  EXPECT_EQ(covered.until, wed);
  ASSERT_OK_AND_ASSIGN(OnCallAt before, svc().WhoIsOnCall(agent_, s.id, tue - 1));
  EXPECT_EQ(before.user_id, agent_.user_id);
  EXPECT_EQ(before.until, tue);
  ASSERT_OK_AND_ASSIGN(Schedule with, svc().GetSchedule(agent_, s.id));
  ASSERT_EQ(with.overrides.size(), 1u);
  EXPECT_EQ(with.overrides[0].id, o.id);

  // A later override wins where they overlap.
  ASSERT_OK(svc().AddOverride(lead_, s.id, {agent2_.user_id, tue + 3'600'000, tue + 7'200'000}));
  ASSERT_OK_AND_ASSIGN(OnCallAt nested, svc().WhoIsOnCall(agent_, s.id, tue + 3'600'000));
  EXPECT_EQ(nested.user_id, agent2_.user_id);
  ASSERT_OK_AND_ASSIGN(auto shifts, svc().Shifts(agent_, s.id, T("2025-01-07T00:00:00Z"), T("2025-01-09T00:00:00Z")));
  std::vector<Shift> expected = {{agent_.user_id, T("2025-01-07T00:00:00Z"), tue},
                                 {lead_.user_id, tue, tue + 3'600'000},
                                 {agent2_.user_id, tue + 3'600'000, tue + 7'200'000},
                                 {lead_.user_id, tue + 7'200'000, wed},
                                 {agent_.user_id, wed, T("2025-01-09T00:00:00Z")}};
  EXPECT_EQ(shifts, expected);

  // Past overrides drop out of the schedule's body but still answer for their time.
  clock_.Set(T("2025-02-01T00:00:00Z"));
  ASSERT_OK_AND_ASSIGN(Schedule later, svc().GetSchedule(agent_, s.id));
  EXPECT_TRUE(later.overrides.empty());
  ASSERT_OK_AND_ASSIGN(OnCallAt history, svc().WhoIsOnCall(agent_, s.id, tue));
  EXPECT_EQ(history.user_id, lead_.user_id);

  ASSERT_OK(svc().DeleteOverride(admin_, s.id, o.id));
  ASSERT_OK_AND_ASSIGN(OnCallAt removed, svc().WhoIsOnCall(agent_, s.id, tue));
  EXPECT_EQ(removed.user_id, agent_.user_id);
  EXPECT_EQ(svc().DeleteOverride(admin_, s.id, o.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().DeleteOverride(admin_, s.id + 1, o.id + 1).code(), StatusCode::kNotFound);
}

TEST_P(OnCallServiceTest, OverrideValidation) {
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(admin_, Primary()));
  auto backwards = svc().AddOverride(lead_, s.id, {agent_.user_id, kStart, kStart});
  EXPECT_EQ(backwards.status().fields().count("end_at"), 1u) << backwards.status().ToString();
  auto long_one = svc().AddOverride(lead_, s.id, {agent_.user_id, kStart, kStart + 400LL * 86'400'000});
  EXPECT_EQ(long_one.status().fields().count("end_at"), 1u);
  auto requester = svc().AddOverride(lead_, s.id, {requester_.user_id, kStart, kStart + 1000});
  EXPECT_EQ(requester.status().fields().count("user_id"), 1u);
  auto nobody = svc().AddOverride(lead_, s.id, {987654, kStart, kStart + 1000});
  EXPECT_EQ(nobody.status().fields().count("user_id"), 1u);
  EXPECT_EQ(svc().AddOverride(lead_, s.id + 9, {agent_.user_id, kStart, kStart + 1000}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM oncall_overrides"), 0);
}

TEST_P(OnCallServiceTest, ShiftsWindowIsBounded) {
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(admin_, Primary()));
  EXPECT_EQ(svc().Shifts(agent_, s.id, kStart, kStart).status().fields().count("to"), 1u);
  EXPECT_EQ(svc().Shifts(agent_, s.id, kStart, kStart + 36LL * 86'400'000).status().fields().count("to"), 1u);
  ASSERT_OK_AND_ASSIGN(auto month, svc().Shifts(agent_, s.id, kStart, kStart + 35LL * 86'400'000));
  EXPECT_EQ(month.size(), 5u);  // from 6 Jan: 4 whole weeks and the start of a fifth
}

TEST_P(OnCallServiceTest, AParticipantsOwnTimeZoneChangesNothing) {
  ASSERT_OK_AND_ASSIGN(Schedule s, svc().CreateSchedule(admin_, Primary()));
  ASSERT_OK_AND_ASSIGN(OnCallAt before, svc().WhoIsOnCall(agent_, s.id, T("2025-01-13T07:59:59.999Z")));
  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    return tx.Exec("UPDATE users SET time_zone = 'Asia/Tokyo' WHERE id = ?", {agent_.user_id}).status();
  }));
  OnCallService fresh(db(), clock_);  // no cached snapshot
  ASSERT_OK_AND_ASSIGN(OnCallAt after, fresh.WhoIsOnCall(agent_, s.id, T("2025-01-13T07:59:59.999Z")));
  EXPECT_EQ(after.user_id, before.user_id);
  EXPECT_EQ(after.until, before.until);
  EXPECT_EQ(after.until, T("2025-01-13T08:00:00Z"));  // 09:00 Berlin, not 09:00 Tokyo
}

TEST_P(OnCallServiceTest, TeamOnCallListsEachSchedule) {
  ASSERT_OK_AND_ASSIGN(Schedule primary, svc().CreateSchedule(admin_, Primary()));
  ScheduleInput secondary = Primary();
  secondary.name = "secondary";
  secondary.layers = {Weekly({agent2_.user_id, agent_.user_id})};
  ASSERT_OK_AND_ASSIGN(Schedule second, svc().CreateSchedule(admin_, secondary));
  ASSERT_OK_AND_ASSIGN(auto on_call, svc().TeamOnCall(agent_, team_, T("2025-01-08T00:00:00Z")));
  ASSERT_EQ(on_call.size(), 2u);
  EXPECT_EQ(on_call[0].schedule_id, primary.id);
  EXPECT_EQ(on_call[0].user_id, agent_.user_id);
  EXPECT_EQ(on_call[1].schedule_id, second.id);
  EXPECT_EQ(on_call[1].user_id, agent2_.user_id);
  ASSERT_OK_AND_ASSIGN(auto empty, svc().TeamOnCall(agent_, other_team_, kStart));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(svc().TeamOnCall(agent_, 987654, kStart).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().TeamOnCall(requester_, team_, kStart).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(OnCallServiceTest, EscalationPoliciesResolveLevels) {
  ASSERT_OK_AND_ASSIGN(Schedule primary, svc().CreateSchedule(admin_, Primary()));
  ScheduleInput secondary = Primary();
  secondary.name = "secondary";
  secondary.layers = {Weekly({agent2_.user_id, lead_.user_id})};
  ASSERT_OK(svc().CreateSchedule(admin_, secondary));
  EscalationPolicyInput input{team_, "platform-default", "Pages platform", {}, 2, true};
  input.levels = {
      {{{TargetKind::kSchedule, primary.id}}, 15},
      {{{TargetKind::kTeamOnCall, team_}, {TargetKind::kUser, lead_.user_id}}, 30},
      {{{TargetKind::kUser, admin_.user_id}}, 60},
  };
  ASSERT_OK_AND_ASSIGN(EscalationPolicy p, svc().CreatePolicy(lead_, input));
  EXPECT_EQ(p.levels, input.levels);
  EXPECT_EQ(p.repeat, 2);
  EXPECT_TRUE(p.notify_lead_when_exhausted);
  EXPECT_TRUE(p.queue_ids.empty());

  TimestampMs week1 = T("2025-01-08T00:00:00Z");  // primary: agent; secondary: agent2
  ASSERT_OK_AND_ASSIGN(auto level0, svc().ResolveLevel(agent_, p.id, 0, week1));
  EXPECT_EQ(level0, (std::vector<int64_t>{agent_.user_id}));
  ASSERT_OK_AND_ASSIGN(auto level1, svc().ResolveLevel(agent_, p.id, 1, week1));
  EXPECT_EQ(level1, (std::vector<int64_t>{agent_.user_id, agent2_.user_id, lead_.user_id}));
  TimestampMs week2 = T("2025-01-15T00:00:00Z");  // primary: agent2; secondary: lead
  ASSERT_OK_AND_ASSIGN(auto level1b, svc().ResolveLevel(agent_, p.id, 1, week2));
  EXPECT_EQ(level1b, (std::vector<int64_t>{agent2_.user_id, lead_.user_id}));  // lead once
  ASSERT_OK_AND_ASSIGN(auto before_start, svc().ResolveLevel(agent_, p.id, 0, kStart));
  EXPECT_TRUE(before_start.empty());  // nobody on call yet
  EXPECT_EQ(svc().ResolveLevel(agent_, p.id, 3, week1).status().fields().count("level"), 1u);
  EXPECT_EQ(svc().ResolveLevel(requester_, p.id, 0, week1).status().code(), StatusCode::kPermissionDenied);

  // Deactivated users are not paged.
  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    return tx.Exec("UPDATE users SET is_active = 0 WHERE id = ?", {agent_.user_id}).status();
  }));
  ASSERT_OK_AND_ASSIGN(auto without, svc().ResolveLevel(agent_, p.id, 1, week1));
  EXPECT_EQ(without, (std::vector<int64_t>{agent2_.user_id, lead_.user_id}));

  // The schedule cannot go while the policy pages it.
  EXPECT_EQ(svc().DeleteSchedule(admin_, primary.id).code(), StatusCode::kConflict);

  EscalationPolicyPatch patch;
  patch.levels = std::vector<EscalationLevel>{{{{TargetKind::kUser, admin_.user_id}}, 5}};
  patch.repeat = 0;
  patch.notify_lead_when_exhausted = false;
  ASSERT_OK_AND_ASSIGN(EscalationPolicy changed, svc().UpdatePolicy(admin_, p.id, patch));
  EXPECT_EQ(changed.levels.size(), 1u);
  EXPECT_EQ(changed.name, "platform-default");
  EXPECT_FALSE(changed.notify_lead_when_exhausted);
  ASSERT_OK(svc().DeleteSchedule(admin_, primary.id));
  EXPECT_EQ(svc().GetSchedule(agent_, primary.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().WhoIsOnCall(agent_, primary.id, week1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM oncall_layers"), 1);  // secondary's
}

TEST_P(OnCallServiceTest, PolicyValidationNamesFields) {
  EscalationPolicyInput bad{987654, "", "", {}, 10, true};
  auto r = svc().CreatePolicy(admin_, bad);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  for (const char* field : {"team_id", "name", "levels", "repeat"}) {
    EXPECT_EQ(r.status().fields().count(field), 1u) << field << " in " << r.status().ToString();
  }
  EscalationPolicyInput targets{team_, "p", "", {}, 0, true};
  targets.levels = {{{}, 5},
                    {{{TargetKind::kUser, requester_.user_id}}, 0},
                    {{{TargetKind::kSchedule, 987654}}, 5},
                    {{{TargetKind::kTeamOnCall, 987654}}, 5}};
  auto t = svc().CreatePolicy(admin_, targets);
  ASSERT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  for (const char* field : {"levels[0].targets", "levels[1].targets", "levels[1].ack_timeout_minutes",
                            "levels[2].targets", "levels[3].targets"}) {
    EXPECT_EQ(t.status().fields().count(field), 1u) << field << " in " << t.status().ToString();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalation_policies"), 0);
  EscalationPolicyInput ok{team_, "p", "", {{{{TargetKind::kUser, agent_.user_id}}, 5}}, 0, true};
  ASSERT_OK(svc().CreatePolicy(admin_, ok));
  EXPECT_EQ(svc().CreatePolicy(admin_, ok).status().code(), StatusCode::kConflict);
}

TEST_P(OnCallServiceTest, QueuesPointAtAPolicy) {
  ASSERT_OK_AND_ASSIGN(queues::Queue q, queues_->CreateQueue(admin_, {"ingestion", team_, ""}));
  EscalationPolicyInput input{team_, "p", "", {{{{TargetKind::kUser, agent_.user_id}}, 5}}, 0, true};
  ASSERT_OK_AND_ASSIGN(EscalationPolicy p, svc().CreatePolicy(admin_, input));
  EXPECT_EQ(svc().SetQueueEscalationPolicy(agent_, q.id, p.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().SetQueueEscalationPolicy(lead_, q.id + 10, p.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().SetQueueEscalationPolicy(lead_, q.id, p.id + 10).status().fields().count("escalation_policy_id"),
            1u);
  ASSERT_OK_AND_ASSIGN(QueueEscalation set, svc().SetQueueEscalationPolicy(lead_, q.id, p.id));
  EXPECT_EQ(set.escalation_policy_id, p.id);
  ASSERT_OK_AND_ASSIGN(EscalationPolicy with, svc().GetPolicy(agent_, p.id));
  EXPECT_EQ(with.queue_ids, (std::vector<int64_t>{q.id}));
  EXPECT_EQ(svc().DeletePolicy(admin_, p.id).code(), StatusCode::kConflict);
  ASSERT_OK(svc().SetQueueEscalationPolicy(lead_, q.id, std::nullopt));
  ASSERT_OK(svc().DeletePolicy(admin_, p.id));
  EXPECT_EQ(svc().GetPolicy(agent_, p.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalation_targets"), 0);
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, OnCallServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::oncall
