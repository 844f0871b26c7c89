// The SLA watcher on both engines with a ManualClock, wired the way `serve`
// wires it (notify, escalations and the watcher as ticket outboxes): warning and
// breach events fire once at the right instants from durable timers, replies
// and pauses move them, the lists' due columns follow, escalations pause the
// requester clock when the policy says so, automatic rules escalate once, and
// an escalation's own clocks stop at the engineering team's first response.
#include "automation/sla_watch.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "common/random.h"
#include "queues/queue_service.h"
#include "auth/user_service.h"
#include "sla/sla_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/migrated_database.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"

namespace opsdesk::automation {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'736'251'200'000;  // 2025-01-07T12:00:00Z, a Tuesday
constexpr int64_t kMin = 60'000;

class SlaWatchTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    ASSERT_OK_AND_ASSIGN(admin_, Insert("admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(lead_, Insert("lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(agent_, Insert("agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(engineer_, Insert("engineer@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(requester_, Insert("requester@example.com", Role::kRequester));
    queues::QueueService queues(db(), clock_);
    ASSERT_OK_AND_ASSIGN(queues::Team team, queues.CreateTeam(admin_, {"platform", "", {engineer_.user_id}}));
    ASSERT_OK_AND_ASSIGN(queue_, queues.CreateQueue(admin_, {"ingestion", team.id, ""}));
    oncall_ = std::make_unique<oncall::OnCallService>(db(), clock_);
    oncall::EscalationPolicyInput policy{team.id, "ingestion", "", {}, 0, true};
    policy.levels.push_back({{{oncall::TargetKind::kUser, engineer_.user_id}}, 10});
    ASSERT_OK_AND_ASSIGN(oncall::EscalationPolicy esc_policy, oncall_->CreatePolicy(admin_, policy));
    ASSERT_OK(oncall_->SetQueueEscalationPolicy(admin_, queue_.id, esc_policy.id).status());

    jobs_ = std::make_unique<jobs::JobService>(db(), clock_);
    notify::NotifyOptions notify_options;
    notify_options.email_enabled = true;
    notify_ = std::make_unique<notify::NotifyService>(db(), clock_, *jobs_, notify_options, nullptr, nullptr);
    escalations_ = std::make_unique<escalation::EscalationService>(
        db(), clock_, *jobs_, *oncall_, notify_.get(), notify::LinkSigner("0123456789abcdef0123456789abcdef"),
        escalation::EscalationOptions{});
    escalations_->RegisterJobHandlers();
    watch_ = std::make_unique<SlaWatch>(db(), clock_, *jobs_, notify_.get(), escalations_.get(), SlaWatchOptions{});
    watch_->RegisterJobHandlers();
    escalations_->SetTicketHook(
        [this](storage::Transaction& tx, int64_t ticket_id) { return watch_->Refresh(tx, ticket_id); });
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    tickets_->AddOutbox(notify_.get());
    tickets_->AddOutbox(escalations_.get());
    tickets_->AddOutbox(watch_.get());
    sla_ = std::make_unique<sla::SlaService>(db(), clock_);
    rules_ = std::make_unique<EscalationRuleService>(db(), clock_);

    sla::CalendarInput always;
    always.name = "24x7";
    always.time_zone = "UTC";
    std::map<std::string, std::vector<sla::HoursText>> hours;
    for (const char* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) hours[day] = {{"00:00", "24:00"}};
    always.hours = hours;
    ASSERT_OK_AND_ASSIGN(calendar_, sla_->CreateCalendar(admin_, always));
  }

  Result<Actor> Insert(const std::string& email, Role role) {
    auto user = test_util::InsertTestUser(db(), clock_.NowMs(), email, role);
    if (!user.ok()) return user.status();
    return Actor::Of(*user);
  }

  // A policy on the 24x7 calendar with a first-response target; the change
  // schedules an sla.recompute, which Drain() runs.
  sla::SlaPolicy Policy(int64_t first_response_minutes, bool pause_while_escalated = false) {
    sla::PolicyInput in;
    in.name = "standard";
    in.calendar_id = calendar_.id;
    in.targets = sla::PolicyTargets{first_response_minutes, std::nullopt, std::nullopt};
    in.pause_while_escalated = pause_while_escalated;
    auto created = sla_->CreatePolicy(admin_, in);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : sla::SlaPolicy{};
  }

  int64_t File(const std::string& priority = "normal") {
    tickets::NewTicket t;
    t.subject = "Ingestion lag";
    t.body = "Events are hours late.";
    t.requester_email = "requester@example.com";
    t.priority = priority;
    t.queue = tickets::QueueRef{queue_.id, std::nullopt};
    auto created = tickets_->Create(agent_, t);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->ticket.id : 0;
  }

  // Runs due jobs until none is due.
  void Drain() {
    for (int i = 0; i < 50; ++i) {
      auto ran = jobs_->RunDueJobsOnce();
      ASSERT_TRUE(ran.ok()) << ran.status().ToString();
      if (*ran == 0) return;
    }
    FAIL() << "jobs kept coming";
  }

  void AdvanceTo(TimestampMs at) {
    clock_.Set(at);
    Drain();
  }

  int64_t Count(const std::string& sql, const storage::Params& params = {}) {
    return test_util::QueryCount(db(), sql, params);
  }
  int64_t Events(int64_t ticket, const std::string& kind) {
    return Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND kind = ?", {ticket, kind});
  }
  tickets::Ticket Get(int64_t id, const Actor& as) {
    auto t = tickets_->Get(as, id);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : tickets::Ticket{};
  }

  storage::Database& db() { return test_db_->db(); }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<oncall::OnCallService> oncall_;
  std::unique_ptr<jobs::JobService> jobs_;
  std::unique_ptr<notify::NotifyService> notify_;
  std::unique_ptr<escalation::EscalationService> escalations_;
  std::unique_ptr<SlaWatch> watch_;
  std::unique_ptr<tickets::TicketService> tickets_;
  std::unique_ptr<sla::SlaService> sla_;
  std::unique_ptr<EscalationRuleService> rules_;
  sla::Calendar calendar_;
  queues::Queue queue_;
  Actor admin_, lead_, agent_, engineer_, requester_;
};

TEST_P(SlaWatchTest, WarningAndBreachFireOnceAtTheirInstantsFromDurableTimers) {
  Policy(60);
  Drain();
  int64_t id = File();
  tickets::Ticket t = Get(id, agent_);
  EXPECT_EQ(t.sla_due_at, kStart + 60 * kMin);
  EXPECT_EQ(t.sla_warn_at, kStart + 45 * kMin);  // 75 % by default
  // The timer: the ticket's next check instant, and a sweep job due then.
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM ticket_sla_due WHERE ticket_id = ? AND check_at = ?", {id, kStart + 45 * kMin}),
      1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'sla.sweep' AND state = 'pending' AND due_at = ?",
                  {kStart + 45 * kMin}),
            1);

  AdvanceTo(kStart + 44 * kMin);
  EXPECT_EQ(Events(id, "sla_warning"), 0);
  AdvanceTo(kStart + 45 * kMin);
  EXPECT_EQ(Events(id, "sla_warning"), 1);
  EXPECT_EQ(Events(id, "sla_breached"), 0);
  // Nobody holds the ticket: the lead hears of the warning.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND idempotency_key LIKE 'notify:sla.warning:%'"),
            1);

  // At risk now: the breaching-soon view and the sla filter find it.
  tickets::TicketFilter at_risk;
  at_risk.sla = tickets::SlaFilter::kAtRisk;
  ASSERT_OK_AND_ASSIGN(auto page, tickets_->List(agent_, at_risk));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, id);
  tickets::TicketFilter breached;
  breached.sla = tickets::SlaFilter::kBreached;
  ASSERT_OK_AND_ASSIGN(page, tickets_->List(agent_, breached));
  EXPECT_TRUE(page.items.empty());

  AdvanceTo(kStart + 60 * kMin);  // due now, not yet past it
  EXPECT_EQ(Events(id, "sla_breached"), 0);
  AdvanceTo(kStart + 60 * kMin + 1);
  EXPECT_EQ(Events(id, "sla_breached"), 1);
  ASSERT_OK_AND_ASSIGN(page, tickets_->List(agent_, breached));
  EXPECT_EQ(page.items.size(), 1u);
  // The event says which target, under which policy, and when it was due.
  std::string after;
  ASSERT_OK(db().Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT after_value, is_internal, actor_id FROM ticket_events WHERE ticket_id = ? AND "
                           "kind = 'sla_breached'",
                           {id});
    if (!row.ok()) return row.status();
    after = (*row)->Text(0);
    EXPECT_TRUE((*row)->Bool(1));
    EXPECT_TRUE((*row)->IsNull(2));
    return Status::Ok();
  }));
  ASSERT_FALSE(after.empty());
  boost::json::object data = boost::json::parse(after).as_object();
  EXPECT_EQ(data.at("target").as_string(), "first_response");
  EXPECT_EQ(data.at("policy").as_string(), "standard");
  EXPECT_EQ(data.at("due_at").as_string(), FormatTimestamp(kStart + 60 * kMin));

  // Timers that run again (at-least-once), a recompute and later changes add nothing.
  ASSERT_OK(watch_->Sweep().status());
  ASSERT_OK(db().Write([&](storage::Transaction& tx) { return watch_->Refresh(tx, id); }));
  ASSERT_OK(watch_->RecomputeAll().status());
  ASSERT_OK(tickets_->AddComment(agent_, id, {"looking", true}).status());
  EXPECT_EQ(Events(id, "sla_warning"), 1);
  EXPECT_EQ(Events(id, "sla_breached"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND idempotency_key LIKE 'notify:sla.breached:%'"),
            1);
}

// The due times live in ticket_sla_due (migration 0014), one row per ticket:
// sort by due pages through tickets with and without one, and the at-risk and
// breached filters and the Breaching soon count follow the clocks.
TEST_P(SlaWatchTest, SortByDueAndTheAtRiskViewReadTheNarrowTable) {
  Policy(60);
  Drain();
  int64_t a = File();  // due at +60, warns at +45
  clock_.Advance(10 * kMin);
  int64_t b = File();  // due at +70, warns at +55
  int64_t answered = File();
  ASSERT_OK(tickets_->AddComment(agent_, answered, {"Answered.", false}).status());
  int64_t paused = File();
  tickets::TicketPatch pending;
  pending.status = "pending";
  ASSERT_OK(tickets_->Update(agent_, paused, pending).status());
  int64_t solved = File();
  tickets::TicketPatch solve;
  solve.status = "solved";
  ASSERT_OK(tickets_->Update(agent_, solved, solve).status());
  int64_t c = File();  // due at +70 like b: the id breaks the tie
  EXPECT_EQ(Get(a, agent_).sla_due_at, kStart + 60 * kMin);
  EXPECT_EQ(Get(b, agent_).sla_due_at, kStart + 70 * kMin);
  EXPECT_EQ(Get(c, agent_).sla_due_at, kStart + 70 * kMin);
  EXPECT_EQ(Get(b, agent_).sla_warn_at, kStart + 55 * kMin);

  // Every ticket has exactly one row; the old columns are gone.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_sla_due"), Count("SELECT COUNT(*) FROM tickets"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_sla_due WHERE due_at IS NOT NULL"), 3);
  // Solving cleared the due times its running clocks had, in the same
  // transaction: a ticket GET relies on it and does not read a solved or
  // closed ticket's row (ticket_store.cc).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_sla_due WHERE ticket_id = ? AND "
                  "(due_at IS NOT NULL OR warn_at IS NOT NULL OR check_at IS NOT NULL)",
                  {solved}),
            0);
  EXPECT_FALSE(Get(solved, agent_).sla_due_at);
  EXPECT_FALSE(Get(solved, agent_).sla_warn_at);
  EXPECT_FALSE(db().Read([](storage::Transaction& tx) {
                     return tx.Query("SELECT sla_due_at FROM tickets").status();
                   }).ok());

  // Sorted by due, two a page: due times first, then the rest by id, across
  // the page that holds both kinds.
  auto page_through = [&](tickets::TicketFilter filter) {
    filter.sort = tickets::TicketSort::kSlaDueAsc;
    filter.limit = 2;
    std::vector<int64_t> ids;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = tickets_->List(agent_, filter);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const auto& t : page->items) ids.push_back(t.id);
      if (!page->next_cursor) break;
      filter.cursor = page->next_cursor;
    }
    return ids;
  };
  EXPECT_EQ(page_through({}), (std::vector<int64_t>{a, b, c, answered, paused, solved}));
  tickets::TicketFilter open;
  open.statuses = {tickets::TicketStatus::kNew, tickets::TicketStatus::kOpen, tickets::TicketStatus::kPending,
                   tickets::TicketStatus::kOnHold};
  EXPECT_EQ(page_through(open), (std::vector<int64_t>{a, b, c, answered, paused}));

  auto breaching_soon = [&]() -> std::pair<int64_t, std::vector<int64_t>> {
    auto views = tickets_->Views(agent_);
    EXPECT_TRUE(views.ok()) << views.status().ToString();
    if (!views.ok()) return {};
    for (const auto& v : *views) {
      if (v.id != "breaching_soon") continue;
      std::vector<int64_t> ids;
      auto page = tickets_->List(agent_, v.filter);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (page.ok()) {
        for (const auto& t : page->items) ids.push_back(t.id);
      }
      return {v.count, ids};
    }
    ADD_FAILURE() << "no breaching_soon view";
    return {};
  };
  tickets::TicketFilter breached;
  breached.sla = tickets::SlaFilter::kBreached;
  auto ids_of = [&](const tickets::TicketFilter& filter) {
    std::vector<int64_t> ids;
    auto page = tickets_->List(agent_, filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) {
      for (const auto& t : page->items) ids.push_back(t.id);
    }
    return ids;
  };

  EXPECT_EQ(breaching_soon(), (std::pair<int64_t, std::vector<int64_t>>{0, {}}));
  AdvanceTo(kStart + 45 * kMin);
  EXPECT_EQ(breaching_soon(), (std::pair<int64_t, std::vector<int64_t>>{1, {a}}));
  AdvanceTo(kStart + 55 * kMin);
  EXPECT_EQ(breaching_soon(), (std::pair<int64_t, std::vector<int64_t>>{3, {a, b, c}}));
  EXPECT_TRUE(ids_of(breached).empty());
  AdvanceTo(kStart + 60 * kMin + 1);
  EXPECT_EQ(ids_of(breached), std::vector<int64_t>{a});
  // Answering b clears its due time: it leaves the view and the count.
  ASSERT_OK(tickets_->AddComment(agent_, b, {"On it.", false}).status());
  EXPECT_EQ(breaching_soon(), (std::pair<int64_t, std::vector<int64_t>>{2, {a, c}}));
  EXPECT_EQ(page_through(open), (std::vector<int64_t>{a, c, b, answered, paused}));
}

// A recompute writes each transaction's tickets in parts while the next part's
// clocks are computed on another thread, and on PostgreSQL runs its
// transactions (three here) in two lanes at once: the result is what
// refreshing each ticket on its own gives.
TEST_P(SlaWatchTest, ARecomputeInPartsMatchesRefreshingEachTicket) {
  Policy(600);
  Drain();
  std::vector<int64_t> ids;
  for (int i = 0; i < 9; ++i) {
    ids.push_back(File());
    clock_.Advance(7 * kMin);
  }
  std::map<int64_t, std::optional<TimestampMs>> before;
  for (int64_t id : ids) before[id] = Get(id, agent_).sla_due_at;
  sla::CalendarInput office;
  std::map<std::string, std::vector<sla::HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) hours[day] = {{"09:00", "12:00"}};
  office.hours = hours;
  ASSERT_OK(sla_->UpdateCalendar(admin_, calendar_.id, office).status());

  SlaWatch in_parts(db(), clock_, *jobs_, nullptr, nullptr, SlaWatchOptions{.batch = 4});  // parts of one ticket
  ASSERT_OK_AND_ASSIGN(int64_t refreshed, in_parts.RecomputeAll());
  EXPECT_EQ(refreshed, 9);
  std::map<int64_t, std::optional<TimestampMs>> recomputed;
  for (int64_t id : ids) {
    recomputed[id] = Get(id, agent_).sla_due_at;
    ASSERT_TRUE(recomputed[id].has_value());
    EXPECT_NE(recomputed[id], before[id]) << "the office hours move every due time";
  }
  for (int64_t id : ids) {
    ASSERT_OK(db().Write([&](storage::Transaction& tx) { return watch_->Refresh(tx, id); }));
    EXPECT_EQ(Get(id, agent_).sla_due_at, recomputed[id]) << id;
  }
}

TEST_P(SlaWatchTest, APolicyForARequesterGroupAppliesToThatGroupsTickets) {
  sla::PolicyInput in;
  in.name = "finance";
  in.calendar_id = calendar_.id;
  in.conditions = sla::PolicyConditions{{}, {}, {}, {"finance"}};
  in.targets = sla::PolicyTargets{30, std::nullopt, std::nullopt};
  ASSERT_OK(sla_->CreatePolicy(admin_, in).status());
  Drain();
  int64_t before = File();
  EXPECT_FALSE(Get(before, agent_).sla_due_at.has_value());  // the requester has no group yet

  auth::UserService users(db(), clock_);
  auth::UserPatch bad;
  bad.group = "has spaces";
  auto refused = users.Update(admin_, requester_.user_id, bad);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("group"), 1u);
  auth::UserPatch finance;
  finance.group = "finance";
  ASSERT_OK_AND_ASSIGN(auth::User changed, users.Update(admin_, requester_.user_id, finance));
  EXPECT_EQ(changed.group, "finance");

  int64_t after = File();
  EXPECT_EQ(Get(after, agent_).sla_due_at, kStart + 30 * kMin);
  ASSERT_OK_AND_ASSIGN(sla::TicketSla read, sla_->GetTicketSla(agent_, after));
  ASSERT_TRUE(read.policy.has_value());
  EXPECT_EQ(read.policy->name, "finance");
  // The requester's group is read at every refresh: the older ticket follows too.
  ASSERT_OK(watch_->RecomputeAll().status());
  EXPECT_EQ(Get(before, agent_).sla_due_at, kStart + 30 * kMin);
}

TEST_P(SlaWatchTest, AReplyBeforeTheWarningStopsTheClockAndItsTimers) {
  Policy(60);
  Drain();
  int64_t id = File();
  clock_.Advance(10 * kMin);
  ASSERT_OK(tickets_->AddComment(agent_, id, {"On it.", false}).status());
  tickets::Ticket t = Get(id, agent_);
  EXPECT_FALSE(t.sla_due_at.has_value());
  EXPECT_FALSE(t.sla_warn_at.has_value());
  AdvanceTo(kStart + 3 * 60 * kMin);
  EXPECT_EQ(Events(id, "sla_warning"), 0);
  EXPECT_EQ(Events(id, "sla_breached"), 0);
}

TEST_P(SlaWatchTest, PendingPausesTheClockAndMovesTheDueTime) {
  Policy(60);
  Drain();
  int64_t id = File();
  clock_.Advance(10 * kMin);
  tickets::TicketPatch pending;
  pending.status = "pending";
  ASSERT_OK(tickets_->Update(agent_, id, pending).status());
  EXPECT_FALSE(Get(id, agent_).sla_due_at.has_value());  // paused: nothing runs
  AdvanceTo(kStart + 100 * kMin);
  EXPECT_EQ(Events(id, "sla_warning"), 0);
  tickets::TicketPatch open;
  open.status = "open";
  ASSERT_OK(tickets_->Update(agent_, id, open).status());
  // 10 minutes used, 50 left from now.
  EXPECT_EQ(Get(id, agent_).sla_due_at, kStart + 150 * kMin);
}

TEST_P(SlaWatchTest, RequestersNeverSeeDueTimes) {
  Policy(60);
  Drain();
  int64_t id = File();
  EXPECT_TRUE(Get(id, agent_).sla_due_at.has_value());
  EXPECT_FALSE(Get(id, requester_).sla_due_at.has_value());
  ASSERT_OK_AND_ASSIGN(auto page, tickets_->List(requester_, {}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_FALSE(page.items[0].sla_due_at.has_value());
  EXPECT_FALSE(page.items[0].sla_warn_at.has_value());
}

TEST_P(SlaWatchTest, APolicyCreatedLaterRecomputesOpenTicketsAndSortsThemByDue) {
  int64_t a = File("normal");
  clock_.Advance(5 * kMin);
  int64_t b = File("normal");
  int64_t c = File("normal");
  ASSERT_OK(tickets_->AddComment(agent_, c, {"Answered.", false}).status());
  EXPECT_FALSE(Get(a, agent_).sla_due_at.has_value());
  Policy(60);
  Drain();  // sla.recompute
  EXPECT_EQ(Get(a, agent_).sla_due_at, kStart + 60 * kMin);
  EXPECT_EQ(Get(b, agent_).sla_due_at, kStart + 65 * kMin);
  EXPECT_FALSE(Get(c, agent_).sla_due_at.has_value());
  tickets::TicketFilter by_due;
  by_due.sort = tickets::TicketSort::kSlaDueAsc;
  by_due.limit = 1;
  ASSERT_OK_AND_ASSIGN(auto first, tickets_->List(agent_, by_due));
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].id, a);
  by_due.cursor = first.next_cursor;
  ASSERT_OK_AND_ASSIGN(auto second, tickets_->List(agent_, by_due));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].id, b);
  by_due.cursor = second.next_cursor;
  ASSERT_OK_AND_ASSIGN(auto third, tickets_->List(agent_, by_due));
  ASSERT_EQ(third.items.size(), 1u);
  EXPECT_EQ(third.items[0].id, c);  // no due time: last
}

TEST_P(SlaWatchTest, ACalendarChangeMovesDueTimesFromTheCachedTimelines) {
  Policy(120);
  Drain();
  int64_t a = File();
  clock_.Advance(30 * kMin);
  int64_t b = File();
  tickets::TicketPatch pending;
  pending.status = "pending";
  ASSERT_OK(tickets_->Update(agent_, b, pending).status());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_sla WHERE ticket_id IN (?, ?)", {a, b}), 2);
  // Now office hours, 13:00-17:00 on weekdays (it is Tuesday 12:30 UTC).
  sla::CalendarInput office;
  std::map<std::string, std::vector<sla::HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) hours[day] = {{"13:00", "17:00"}};
  office.hours = hours;
  ASSERT_OK(sla_->UpdateCalendar(admin_, calendar_.id, office).status());
  // A corrupt cache row is rebuilt from the events, not trusted.
  ASSERT_OK(db().Write([&](storage::Transaction& tx) {
    return tx.Exec("UPDATE ticket_sla SET timelines = 'garbage' WHERE ticket_id = ?", {a}).status();
  }));
  Drain();  // sla.recompute
  for (int64_t id : {a, b}) {
    ASSERT_OK_AND_ASSIGN(sla::TicketSla fresh, sla_->GetTicketSla(agent_, id));  // from the events
    ASSERT_EQ(fresh.targets.size(), 1u);
    tickets::Ticket t = Get(id, agent_);
    if (fresh.targets[0].state == sla::ClockState::kPaused) {
      EXPECT_FALSE(t.sla_due_at.has_value()) << id;
    } else {
      EXPECT_EQ(t.sla_due_at, fresh.targets[0].due_at) << id;
    }
  }
  // The new hours apply from creation (docs/SLA.md): 12:00 is outside them, so
  // ticket a's 120 business minutes run from 13:00 to 15:00.
  EXPECT_EQ(Get(a, agent_).sla_due_at, kStart + 3 * 60 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_sla WHERE ticket_id = ? AND timelines = 'garbage'", {a}), 0);
}

TEST_P(SlaWatchTest, AnEngineeringEscalationPausesTheRequesterClockWhenThePolicySaysSo) {
  Policy(60, /*pause_while_escalated=*/true);
  Drain();
  int64_t id = File();
  clock_.Advance(20 * kMin);
  ASSERT_OK_AND_ASSIGN(auto esc, escalations_->Create(agent_, id, {"Pipeline stuck", "sev2", "engineering"}));
  EXPECT_EQ(Events(id, "sla_paused"), 1);
  EXPECT_FALSE(Get(id, agent_).sla_due_at.has_value());
  AdvanceTo(kStart + 120 * kMin);  // past the original due time: no breach while paused
  EXPECT_EQ(Events(id, "sla_breached"), 0);
  ASSERT_OK(escalations_->Resolve(engineer_, esc.id).status());
  EXPECT_EQ(Events(id, "sla_resumed"), 1);
  // 20 minutes used before the pause, 40 left from the resume.
  EXPECT_EQ(Get(id, agent_).sla_due_at, kStart + 160 * kMin);
  // The pause and resume carry their reason.
  std::string reason;
  ASSERT_OK(db().Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT after_value FROM ticket_events WHERE ticket_id = ? AND kind = 'sla_paused'", {id});
    if (!row.ok()) return row.status();
    reason = (*row)->Text(0);
    return Status::Ok();
  }));
  EXPECT_NE(reason.find("waiting on engineering"), std::string::npos) << reason;
}

TEST_P(SlaWatchTest, WithoutThePolicyFlagAnEscalationDoesNotPause) {
  Policy(60);
  Drain();
  int64_t id = File();
  ASSERT_OK(escalations_->Create(agent_, id, {"Pipeline stuck", "sev2", "engineering"}).status());
  EXPECT_EQ(Events(id, "sla_paused"), 0);
  EXPECT_EQ(Get(id, agent_).sla_due_at, kStart + 60 * kMin);
}

TEST_P(SlaWatchTest, AnUnansweredUrgentTicketIsEscalatedOnceByRule) {
  RuleInput rule;
  rule.name = "urgent unanswered";
  rule.trigger = "unanswered";
  rule.minutes = 15;
  rule.priorities = std::vector<std::string>{"urgent"};
  rule.tier = "engineering";
  rule.severity = "sev2";
  ASSERT_OK_AND_ASSIGN(EscalationRule created, rules_->Create(lead_, rule));
  int64_t urgent = File("urgent");
  int64_t normal = File("normal");
  AdvanceTo(kStart + 14 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations"), 0);
  AdvanceTo(kStart + 15 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ? AND rule_id = ? AND created_by IS NULL",
                  {urgent, created.id}),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ?", {normal}), 0);
  // Resolved, and still unanswered: the rule does not fire a second time.
  ASSERT_OK_AND_ASSIGN(auto list, escalations_->ListForTicket(agent_, urgent));
  ASSERT_OK(escalations_->Resolve(agent_, list[0].id).status());
  ASSERT_OK(watch_->RecomputeAll().status());
  Drain();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ?", {urgent}), 1);
}

// "Unanswered for N minutes" counts business minutes on the calendar of the
// ticket's SLA policy: filed ten minutes before closing, a 15-minute rule
// fires five minutes into the next working day, not overnight.
TEST_P(SlaWatchTest, TheUnansweredRuleCountsBusinessMinutesOnThePolicysCalendar) {
  sla::CalendarInput office;
  std::map<std::string, std::vector<sla::HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) hours[day] = {{"09:00", "17:00"}};
  office.hours = hours;
  ASSERT_OK(sla_->UpdateCalendar(admin_, calendar_.id, office).status());
  Policy(600);
  Drain();
  RuleInput rule;
  rule.name = "unanswered on business time";
  rule.trigger = "unanswered";
  rule.minutes = 15;
  rule.tier = "l2";
  rule.severity = "sev3";
  ASSERT_OK(rules_->Create(lead_, rule).status());
  const TimestampMs tuesday_1650 = kStart + (4 * 60 + 50) * kMin;  // kStart is Tuesday 12:00 UTC
  AdvanceTo(tuesday_1650);
  int64_t id = File();
  AdvanceTo(tuesday_1650 + 16 * kMin);  // round the clock it would have fired at 17:05
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ?", {id}), 0);
  const TimestampMs wednesday_0900 = kStart + 21 * 60 * kMin;
  AdvanceTo(wednesday_0900 + 4 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ?", {id}), 0);
  AdvanceTo(wednesday_0900 + 5 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ? AND tier = 'l2'", {id}), 1);
}

TEST_P(SlaWatchTest, AnAnsweredTicketIsNotEscalatedByTheUnansweredRule) {
  RuleInput rule;
  rule.name = "unanswered";
  rule.trigger = "unanswered";
  rule.minutes = 15;
  rule.tier = "l2";
  rule.severity = "sev3";
  ASSERT_OK(rules_->Create(lead_, rule).status());
  int64_t id = File();
  clock_.Advance(5 * kMin);
  ASSERT_OK(tickets_->AddComment(agent_, id, {"On it.", false}).status());
  AdvanceTo(kStart + 60 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations"), 0);
}

TEST_P(SlaWatchTest, AnSlaBreachEscalatesByRule) {
  RuleInput rule;
  rule.name = "breach to leads";
  rule.trigger = "sla_breach";
  rule.tier = "l2";
  rule.severity = "sev3";
  ASSERT_OK(rules_->Create(lead_, rule).status());
  Policy(30);
  Drain();
  int64_t id = File();
  AdvanceTo(kStart + 29 * kMin);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations"), 0);
  AdvanceTo(kStart + 30 * kMin + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ? AND tier = 'l2'", {id}), 1);
}

TEST_P(SlaWatchTest, RulesAreValidatedAndManagedByLeads) {
  RuleInput rule;
  rule.name = "x";
  rule.trigger = "unanswered";
  rule.tier = "l2";
  rule.severity = "sev3";
  EXPECT_EQ(rules_->Create(agent_, rule).status().code(), StatusCode::kPermissionDenied);
  auto missing_minutes = rules_->Create(lead_, rule);
  ASSERT_EQ(missing_minutes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing_minutes.status().fields().count("minutes"), 1u);
  rule.minutes = 10;
  rule.severity = "sev9";
  rule.queue_ids = std::vector<int64_t>{999};
  auto bad = rules_->Create(lead_, rule);
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().fields().count("severity"), 1u);
  rule.severity = "sev3";
  auto bad_queue = rules_->Create(lead_, rule);
  ASSERT_EQ(bad_queue.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_queue.status().fields().count("queue_ids"), 1u);
  rule.queue_ids = std::vector<int64_t>{queue_.id};
  ASSERT_OK_AND_ASSIGN(EscalationRule ok, rules_->Create(lead_, rule));
  EXPECT_EQ(rules_->Create(lead_, rule).status().code(), StatusCode::kConflict);
  ASSERT_OK_AND_ASSIGN(auto listed, rules_->List(agent_));
  EXPECT_EQ(listed.size(), 1u);
  EXPECT_EQ(rules_->List(requester_).status().code(), StatusCode::kPermissionDenied);
  RuleInput off;
  off.enabled = false;
  ASSERT_OK_AND_ASSIGN(EscalationRule disabled, rules_->Update(admin_, ok.id, off));
  EXPECT_FALSE(disabled.enabled);
  ASSERT_OK(rules_->Delete(lead_, ok.id));
  EXPECT_EQ(rules_->Get(agent_, ok.id).status().code(), StatusCode::kNotFound);
}

TEST_P(SlaWatchTest, AnEscalationsClocksStopAtAcknowledgementAndTheTeamsFirstResponse) {
  int64_t id = File();
  ASSERT_OK_AND_ASSIGN(auto esc, escalations_->Create(agent_, id, {"Pipeline stuck", "sev2", "engineering"}));
  EXPECT_EQ(esc.ack_target_minutes, 15);  // sev2 defaults
  EXPECT_EQ(esc.response_target_minutes, 60);
  EXPECT_EQ(esc.AckClock(clock_.NowMs()).state, "running");
  clock_.Advance(20 * kMin);
  EXPECT_EQ(esc.AckClock(clock_.NowMs()).state, "breached");
  ASSERT_OK_AND_ASSIGN(esc, escalations_->Acknowledge(engineer_, esc.id));
  EXPECT_EQ(esc.AckClock(clock_.NowMs()).state, "breached");  // acknowledged late
  // The escalating agent's own note is not the engineering response.
  ASSERT_OK(tickets_->AddComment(agent_, id, {"Any news?", true}).status());
  ASSERT_OK_AND_ASSIGN(esc, escalations_->Get(agent_, esc.id));
  EXPECT_FALSE(esc.responded_at.has_value());
  clock_.Advance(10 * kMin);
  ASSERT_OK(tickets_->AddComment(engineer_, id, {"Restarted the consumer.", true}).status());
  ASSERT_OK_AND_ASSIGN(esc, escalations_->Get(agent_, esc.id));
  EXPECT_EQ(esc.responded_by, engineer_.user_id);
  EXPECT_EQ(esc.responded_at, kStart + 30 * kMin);
  EXPECT_EQ(esc.ResponseClock(clock_.NowMs()).state, "met");
  EXPECT_EQ(Events(id, "escalation_responded"), 1);
  ASSERT_OK(tickets_->AddComment(engineer_, id, {"Still fine.", false}).status());
  EXPECT_EQ(Events(id, "escalation_responded"), 1);

  // Targets per severity: leads set them, agents read them.
  escalation::SeverityTargets sev2{"sev2", 5, 30};
  EXPECT_EQ(escalations_->SetTargets(agent_, sev2).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK(escalations_->SetTargets(lead_, sev2).status());
  EXPECT_EQ(escalations_->SetTargets(lead_, {"sev9", 5, 30}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(escalations_->SetTargets(lead_, {"sev2", 0, 30}).status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto targets, escalations_->ListTargets(agent_));
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[1].severity, "sev2");
  EXPECT_EQ(targets[1].ack_minutes, 5);
}

// Migration 0014 moves the due times of existing tickets out of the tickets row.
class SlaDueUpgradeTest : public testing::TestWithParam<Engine> {};

TEST_P(SlaDueUpgradeTest, TheMigrationCopiesEachTicketsDueTimesAndListsReadThem) {
  ManualClock clock(kStart);
  ASSERT_OK_AND_ASSIGN(auto test_db, storage::TestDatabase::Create(GetParam()));
  storage::Database& db = test_db->db();
  ASSERT_OK(storage::Migrate(db, clock, /*up_to=*/13));
  ASSERT_OK_AND_ASSIGN(auth::User agent_user,
                       test_util::InsertTestUser(db, kStart, "agent@example.com", auth::Role::kAgent));
  ASSERT_OK_AND_ASSIGN(auth::User requester,
                       test_util::InsertTestUser(db, kStart, "requester@example.com", auth::Role::kRequester));
  // Rows as that schema held them: late, early, none.
  struct Old {
    std::optional<int64_t> due, warn, check;
    int64_t id = 0;
  };
  std::vector<Old> old = {{kStart + 90 * kMin, kStart + 60 * kMin, kStart + 60 * kMin},
                          {kStart + 30 * kMin, kStart + 20 * kMin, kStart + 20 * kMin},
                          {std::nullopt, std::nullopt, std::nullopt}};
  ASSERT_OK(db.Write([&](storage::Transaction& tx) -> Status {
    for (auto& o : old) {
      OPSDESK_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("INSERT INTO tickets (subject, body, status, priority, requester_id, created_at, "
                                "updated_at, sla_due_at, sla_warn_at, sla_check_at) VALUES ('Old', 'old', 'open', "
                                "'normal', ?, ?, ?, ?, ?, ?) RETURNING id",
                                {requester.id, kStart, kStart, o.due, o.warn, o.check}));
      o.id = row->Int(0);
    }
    return Status::Ok();
  }));

  ASSERT_OK(storage::Migrate(db, clock));
  for (const auto& o : old) {
    ASSERT_OK(db.Read([&](storage::Transaction& tx) -> Status {
      OPSDESK_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("SELECT due_at, warn_at, check_at FROM ticket_sla_due WHERE ticket_id = ?", {o.id}));
      EXPECT_TRUE(row.has_value()) << o.id;
      if (!row) return Status::Ok();
      EXPECT_EQ(row->OptInt(0), o.due) << o.id;
      EXPECT_EQ(row->OptInt(1), o.warn) << o.id;
      EXPECT_EQ(row->OptInt(2), o.check) << o.id;
      return Status::Ok();
    }));
  }
  // The old columns are gone; a ticket inserted afterwards, by any path, has its row.
  EXPECT_FALSE(db.Read([](storage::Transaction& tx) {
                   return tx.Query("SELECT sla_due_at, sla_warn_at, sla_check_at FROM tickets").status();
                 }).ok());
  int64_t added = 0;
  ASSERT_OK(db.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("INSERT INTO tickets (subject, body, status, priority, requester_id, created_at, "
                              "updated_at) VALUES ('New', 'new', 'open', 'normal', ?, ?, ?) RETURNING id",
                              {requester.id, kStart, kStart}));
    added = row->Int(0);
    return Status::Ok();
  }));
  EXPECT_EQ(test_util::QueryCount(db, "SELECT COUNT(*) FROM ticket_sla_due WHERE ticket_id = ? AND due_at IS NULL "
                                      "AND warn_at IS NULL AND check_at IS NULL",
                                  {added}),
            1);

  // The API reads them: the ticket, sort by due, at risk.
  tickets::TicketService tickets(db, clock);
  Actor agent = Actor::Of(agent_user);
  ASSERT_OK_AND_ASSIGN(tickets::Ticket first, tickets.Get(agent, old[0].id));
  EXPECT_EQ(first.sla_due_at, old[0].due);
  EXPECT_EQ(first.sla_warn_at, old[0].warn);
  tickets::TicketFilter by_due;
  by_due.sort = tickets::TicketSort::kSlaDueAsc;
  ASSERT_OK_AND_ASSIGN(auto sorted, tickets.List(agent, by_due));
  std::vector<int64_t> ids;
  for (const auto& t : sorted.items) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{old[1].id, old[0].id, old[2].id, added}));
  clock.Set(kStart + 25 * kMin);
  tickets::TicketFilter at_risk;
  at_risk.sla = tickets::SlaFilter::kAtRisk;
  ASSERT_OK_AND_ASSIGN(auto risky, tickets.List(agent, at_risk));
  ASSERT_EQ(risky.items.size(), 1u);
  EXPECT_EQ(risky.items[0].id, old[1].id);
}

INSTANTIATE_TEST_SUITE_P(Engines, SlaWatchTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });
INSTANTIATE_TEST_SUITE_P(Engines, SlaDueUpgradeTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });

}  // namespace
}  // namespace opsdesk::automation
