// SlaService against both real engines: who may manage calendars and policies,
// validation with field names, uniqueness, ordering and first-match selection,
// and a ticket's SLA computed from the events TicketService wrote.
#include "sla/sla_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "auth/user.h"
#include "common/clock.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"
#include "testing/migrated_database.h"

namespace opsdesk::sla {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'748'854'800'000;  // 2025-06-02T09:00:00Z, a Monday
constexpr int64_t kMin = 60'000;

CalendarInput OfficeInput(const std::string& name, const std::string& zone = "Europe/Berlin") {
  CalendarInput in;
  in.name = name;
  in.time_zone = zone;
  std::map<std::string, std::vector<HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) hours[day] = {{"13:00", "17:30"}, {"09:00", "12:00"}};
  in.hours = hours;
  in.holidays = std::vector<Holiday>{{"2025-12-25", true, "Christmas"}, {"2025-06-09", false, "Whit Monday"}};
  return in;
}

CalendarInput AlwaysInput(const std::string& name) {
  CalendarInput in;
  in.name = name;
  in.time_zone = "UTC";
  std::map<std::string, std::vector<HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) hours[day] = {{"00:00", "24:00"}};
  in.hours = hours;
  return in;
}

PolicyInput PolicyOf(const std::string& name, int64_t calendar_id, std::optional<int64_t> first_response) {
  PolicyInput in;
  in.name = name;
  in.calendar_id = calendar_id;
  in.targets = PolicyTargets{first_response, std::nullopt, std::nullopt};
  return in;
}

class SlaServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    svc_ = std::make_unique<SlaService>(db(), clock_);
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    queues_ = std::make_unique<queues::QueueService>(db(), clock_);
    for (auto [who, email, role] : {std::tuple{&admin_, "admin@example.com", Role::kAdmin},
                                    std::tuple{&lead_, "lead@example.com", Role::kLead},
                                    std::tuple{&agent_, "agent@example.com", Role::kAgent},
                                    std::tuple{&requester_, "requester@example.com", Role::kRequester}}) {
      ASSERT_OK_AND_ASSIGN(auth::User user, test_util::InsertTestUser(db(), kStart, email, role));
      *who = Actor::Of(user);
    }
  }

  storage::Database& db() { return test_db_->db(); }
  SlaService& svc() { return *svc_; }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<SlaService> svc_;
  std::unique_ptr<tickets::TicketService> tickets_;
  std::unique_ptr<queues::QueueService> queues_;
  Actor admin_, lead_, agent_, requester_;
};

TEST_P(SlaServiceTest, CalendarCrudAndRoles) {
  EXPECT_EQ(svc().CreateCalendar(agent_, OfficeInput("berlin")).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().CreateCalendar(requester_, OfficeInput("berlin")).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(Calendar berlin, svc().CreateCalendar(lead_, OfficeInput("berlin")));
  EXPECT_GT(berlin.id, 0);
  EXPECT_EQ(berlin.time_zone, "Europe/Berlin");
  ASSERT_EQ(berlin.hours[0].size(), 2u);  // sorted
  EXPECT_EQ(berlin.hours[0][0], (WorkInterval{540, 720}));
  EXPECT_EQ(berlin.hours[0][1], (WorkInterval{780, 1050}));
  EXPECT_TRUE(berlin.hours[5].empty());
  EXPECT_EQ(berlin.holidays.size(), 2u);
  EXPECT_EQ(berlin.created_at, kStart);

  ASSERT_OK_AND_ASSIGN(Calendar fetched, svc().GetCalendar(agent_, berlin.id));
  EXPECT_EQ(fetched.hours, berlin.hours);
  EXPECT_EQ(fetched.holidays, berlin.holidays);
  EXPECT_EQ(svc().GetCalendar(requester_, berlin.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().GetCalendar(agent_, berlin.id + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().ListCalendars(requester_).status().code(), StatusCode::kPermissionDenied);

  EXPECT_EQ(svc().CreateCalendar(admin_, OfficeInput("berlin", "UTC")).status().code(), StatusCode::kConflict);
  ASSERT_OK(svc().CreateCalendar(admin_, AlwaysInput("always")));
  ASSERT_OK_AND_ASSIGN(std::vector<Calendar> all, svc().ListCalendars(agent_));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "always");
  EXPECT_EQ(all[1].name, "berlin");
  EXPECT_EQ(all[0].hours[6].size(), 1u);

  clock_.Advance(1000);
  CalendarInput patch;
  patch.time_zone = "America/New_York";
  patch.holidays = std::vector<Holiday>{};
  EXPECT_EQ(svc().UpdateCalendar(agent_, berlin.id, patch).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(Calendar moved, svc().UpdateCalendar(admin_, berlin.id, patch));
  EXPECT_EQ(moved.time_zone, "America/New_York");
  EXPECT_EQ(moved.name, "berlin");
  EXPECT_EQ(moved.hours, berlin.hours);
  EXPECT_TRUE(moved.holidays.empty());
  EXPECT_EQ(moved.updated_at, kStart + 1000);
  CalendarInput rename;
  rename.name = "always";
  EXPECT_EQ(svc().UpdateCalendar(admin_, berlin.id, rename).status().code(), StatusCode::kConflict);

  // A calendar a policy uses cannot be deleted.
  ASSERT_OK_AND_ASSIGN(SlaPolicy policy, svc().CreatePolicy(admin_, PolicyOf("standard", berlin.id, 60)));
  EXPECT_EQ(svc().DeleteCalendar(admin_, berlin.id).code(), StatusCode::kConflict);
  EXPECT_EQ(svc().DeleteCalendar(agent_, berlin.id).code(), StatusCode::kPermissionDenied);
  ASSERT_OK(svc().DeletePolicy(lead_, policy.id));
  ASSERT_OK(svc().DeleteCalendar(lead_, berlin.id));
  EXPECT_EQ(svc().DeleteCalendar(lead_, berlin.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(test_util::QueryCount(db(), "SELECT COUNT(*) FROM sla_calendar_hours WHERE calendar_id = ?", {berlin.id}),
            0);
}

TEST_P(SlaServiceTest, CalendarValidationNamesFields) {
  CalendarInput empty;
  auto missing = svc().CreateCalendar(admin_, empty);
  ASSERT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().fields().count("name"), 1u);
  EXPECT_EQ(missing.status().fields().count("time_zone"), 1u);
  EXPECT_EQ(missing.status().fields().count("hours"), 1u);

  CalendarInput bad = OfficeInput("bad", "Europe/Atlantis");
  (*bad.hours)["funday"] = {{"09:00", "10:00"}};
  (*bad.hours)["sat"] = {{"22:00", "06:00"}};
  (*bad.hours)["sun"] = {{"9:00", "25:00"}};
  (*bad.hours)["mon"] = {{"09:00", "12:00"}, {"11:00", "13:00"}};
  bad.holidays = std::vector<Holiday>{{"2025-02-30", false, ""}, {"2024-12-25", true, ""}, {"2023-12-25", true, ""}};
  auto result = svc().CreateCalendar(admin_, bad);
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  const Status status = result.status();  // status() returns a copy
  const auto& f = status.fields();
  for (const char* field : {"time_zone", "hours.funday", "hours.sat[0]", "hours.sun[0].start", "hours.sun[0].end",
                            "hours.mon", "holidays[0].date", "holidays[2].date"}) {
    EXPECT_EQ(f.count(field), 1u) << field << " in " << result.status().ToString();
  }
  CalendarInput closed = AlwaysInput("closed");
  closed.hours = std::map<std::string, std::vector<HoursText>>{};
  auto no_hours = svc().CreateCalendar(admin_, closed);
  ASSERT_EQ(no_hours.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_hours.status().fields().count("hours"), 1u);
  EXPECT_EQ(test_util::QueryCount(db(), "SELECT COUNT(*) FROM sla_calendars"), 0);
}

TEST_P(SlaServiceTest, PolicyCrudValidationAndOrdering) {
  ASSERT_OK_AND_ASSIGN(Calendar cal, svc().CreateCalendar(admin_, AlwaysInput("always")));
  ASSERT_OK_AND_ASSIGN(queues::Queue queue, queues_->CreateQueue(admin_, {"ingestion", std::nullopt, ""}));
  EXPECT_EQ(svc().CreatePolicy(agent_, PolicyOf("p", cal.id, 60)).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ListPolicies(requester_).status().code(), StatusCode::kPermissionDenied);

  PolicyInput bad;
  bad.name = "";
  bad.position = -1;
  bad.calendar_id = cal.id + 100;
  bad.conditions = PolicyConditions{{"critical"}, {queue.id + 100}, {"bad tag!"}};
  bad.targets = PolicyTargets{0, 525'601, std::nullopt};
  bad.pause_on = std::vector<std::string>{"solved"};
  bad.warn_at_percent = 0;
  auto invalid = svc().CreatePolicy(admin_, bad);
  ASSERT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  for (const char* field : {"name", "position", "conditions.priorities", "conditions.tags", "targets.first_response",
                            "targets.next_response", "pause_on", "warn_at_percent"}) {
    EXPECT_EQ(invalid.status().fields().count(field), 1u) << field << " in " << invalid.status().ToString();
  }
  PolicyInput dangling = PolicyOf("dangling", cal.id + 100, 60);
  dangling.conditions = PolicyConditions{{}, {queue.id + 100}, {}};
  auto refs = svc().CreatePolicy(admin_, dangling);
  ASSERT_EQ(refs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refs.status().fields().count("calendar_id"), 1u);
  EXPECT_EQ(refs.status().fields().count("conditions.queue_ids"), 1u);
  auto no_targets = svc().CreatePolicy(admin_, PolicyOf("none", cal.id, std::nullopt));
  ASSERT_EQ(no_targets.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_targets.status().fields().count("targets"), 1u);

  // Defaults, and positions appended in creation order.
  ASSERT_OK_AND_ASSIGN(SlaPolicy standard, svc().CreatePolicy(lead_, PolicyOf("standard", cal.id, 240)));
  EXPECT_EQ(standard.position, 0);
  EXPECT_EQ(standard.pause_on, (std::vector<std::string>{"on_hold", "pending"}));
  EXPECT_EQ(standard.warn_at_percent, 75);
  PolicyInput urgent_in = PolicyOf("urgent", cal.id, 15);
  urgent_in.conditions = PolicyConditions{{"urgent", "high", "urgent"}, {}, {"VIP"}};
  urgent_in.pause_on = std::vector<std::string>{"on_hold"};
  urgent_in.warn_at_percent = 50;
  ASSERT_OK_AND_ASSIGN(SlaPolicy urgent, svc().CreatePolicy(admin_, urgent_in));
  EXPECT_EQ(urgent.position, 1);
  EXPECT_EQ(urgent.conditions.priorities, (std::vector<std::string>{"urgent", "high"}));
  EXPECT_EQ(urgent.conditions.tags, (std::vector<std::string>{"vip"}));
  PolicyInput ingest_in = PolicyOf("ingestion", cal.id, 30);
  ingest_in.conditions = PolicyConditions{{}, {queue.id}, {}};
  ingest_in.position = 1;
  ASSERT_OK_AND_ASSIGN(SlaPolicy ingestion, svc().CreatePolicy(admin_, ingest_in));
  EXPECT_EQ(svc().CreatePolicy(admin_, PolicyOf("standard", cal.id, 1)).status().code(), StatusCode::kConflict);

  ASSERT_OK_AND_ASSIGN(std::vector<SlaPolicy> ordered, svc().ListPolicies(agent_));
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0].name, "standard");
  EXPECT_EQ(ordered[1].name, "urgent");     // position 1, lower id
  EXPECT_EQ(ordered[2].name, "ingestion");  // position 1, higher id
  ASSERT_OK_AND_ASSIGN(SlaPolicy fetched, svc().GetPolicy(agent_, urgent.id));
  EXPECT_EQ(fetched.conditions, urgent.conditions);
  EXPECT_EQ(fetched.targets, urgent.targets);
  EXPECT_EQ(fetched.pause_on, (std::vector<std::string>{"on_hold"}));
  EXPECT_EQ(fetched.warn_at_percent, 50);

  // Move the catch-all last; targets are replaced as a whole.
  PolicyInput move;
  move.position = 10;
  move.targets = PolicyTargets{std::nullopt, std::nullopt, 480};
  EXPECT_EQ(svc().UpdatePolicy(agent_, standard.id, move).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(SlaPolicy moved, svc().UpdatePolicy(lead_, standard.id, move));
  EXPECT_EQ(moved.position, 10);
  EXPECT_EQ(moved.targets, (PolicyTargets{std::nullopt, std::nullopt, 480}));
  EXPECT_EQ(moved.name, "standard");
  PolicyInput clear;
  clear.targets = PolicyTargets{};
  auto cleared = svc().UpdatePolicy(lead_, standard.id, clear);
  ASSERT_EQ(cleared.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cleared.status().fields().count("targets"), 1u);
  PolicyInput rename;
  rename.name = "urgent";
  EXPECT_EQ(svc().UpdatePolicy(lead_, standard.id, rename).status().code(), StatusCode::kConflict);
  ASSERT_OK_AND_ASSIGN(ordered, svc().ListPolicies(agent_));
  EXPECT_EQ(ordered[2].name, "standard");
  EXPECT_EQ(svc().GetPolicy(agent_, ingestion.id + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().DeletePolicy(admin_, ingestion.id + 100).code(), StatusCode::kNotFound);
}

TEST_P(SlaServiceTest, TicketSlaUsesTheFirstMatchingPolicyAndTheEvents) {
  ASSERT_OK_AND_ASSIGN(Calendar cal, svc().CreateCalendar(admin_, AlwaysInput("always")));
  ASSERT_OK_AND_ASSIGN(tickets::CreateOutcome filed,
                       tickets_->Create(requester_, tickets::NewTicket{"Disk full", "The disk is full.", "normal"}));
  int64_t id = filed.ticket.id;

  // No policy: nothing to measure.
  ASSERT_OK_AND_ASSIGN(TicketSla none, svc().GetTicketSla(agent_, id));
  EXPECT_FALSE(none.policy);
  EXPECT_TRUE(none.targets.empty());
  EXPECT_EQ(svc().GetTicketSla(requester_, id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().GetTicketSla(agent_, id + 100).status().code(), StatusCode::kNotFound);

  PolicyInput urgent_in = PolicyOf("urgent", cal.id, 15);
  urgent_in.conditions = PolicyConditions{{"urgent"}, {}, {}};
  ASSERT_OK_AND_ASSIGN(SlaPolicy urgent, svc().CreatePolicy(admin_, urgent_in));
  PolicyInput standard_in = PolicyOf("standard", cal.id, 60);
  standard_in.targets->resolution = 480;
  ASSERT_OK_AND_ASSIGN(SlaPolicy standard, svc().CreatePolicy(admin_, standard_in));

  clock_.Advance(20 * kMin);
  ASSERT_OK_AND_ASSIGN(TicketSla sla, svc().GetTicketSla(agent_, id));
  ASSERT_TRUE(sla.policy);
  EXPECT_EQ(sla.policy->id, standard.id);
  ASSERT_EQ(sla.targets.size(), 2u);
  EXPECT_EQ(sla.targets[0].kind, TargetKind::kFirstResponse);
  EXPECT_EQ(sla.targets[0].state, ClockState::kRunning);
  EXPECT_EQ(sla.targets[0].due_at, kStart + 60 * kMin);
  EXPECT_EQ(sla.targets[0].remaining_minutes, 40);
  EXPECT_EQ(sla.targets[1].kind, TargetKind::kResolution);

  // Raising the priority makes the urgent policy apply from the ticket's creation:
  // its 15 minutes are already over.
  tickets::TicketPatch raise;
  raise.priority = "urgent";
  ASSERT_OK(tickets_->Update(agent_, id, raise));
  ASSERT_OK_AND_ASSIGN(sla, svc().GetTicketSla(agent_, id));
  EXPECT_EQ(sla.policy->id, urgent.id);
  ASSERT_EQ(sla.targets.size(), 1u);
  EXPECT_EQ(sla.targets[0].state, ClockState::kBreached);
  EXPECT_EQ(sla.targets[0].breached_at, kStart + 15 * kMin);

  // The agent's public reply (not an internal note) is the first response.
  clock_.Advance(5 * kMin);
  ASSERT_OK(tickets_->AddComment(agent_, id, {"Looking into it.", true}));
  ASSERT_OK_AND_ASSIGN(sla, svc().GetTicketSla(agent_, id));
  EXPECT_FALSE(sla.targets[0].met_at);
  ASSERT_OK(tickets_->AddComment(agent_, id, {"On it.", false}));
  ASSERT_OK_AND_ASSIGN(sla, svc().GetTicketSla(agent_, id));
  EXPECT_EQ(sla.targets[0].state, ClockState::kBreached);
  EXPECT_EQ(sla.targets[0].met_at, kStart + 25 * kMin);

  // Back to normal: the standard policy, met in time.
  tickets::TicketPatch lower;
  lower.priority = "normal";
  ASSERT_OK(tickets_->Update(agent_, id, lower));
  ASSERT_OK_AND_ASSIGN(sla, svc().GetTicketSla(lead_, id));
  EXPECT_EQ(sla.policy->id, standard.id);
  EXPECT_EQ(sla.targets[0].state, ClockState::kMet);
  EXPECT_EQ(sla.targets[1].state, ClockState::kRunning);
  EXPECT_EQ(sla.targets[1].remaining_minutes, 480 - 25);
}

INSTANTIATE_TEST_SUITE_P(Engines, SlaServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });

}  // namespace
}  // namespace opsdesk::sla
