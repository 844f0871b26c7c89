// SLA clocks from hand-made event lists: first response met and breached,
// pauses, reopen, next response after a requester's reply, the warning
// threshold, business hours and a calendar without hours. Plus policy matching
// and a recomputation benchmark.
#include "sla/clocks.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "testing/status_matchers.h"

namespace opsdesk::sla {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kRequester = 10;
constexpr int64_t kAgent = 20;

TimestampMs Utc(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  auto tp = date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} +
            std::chrono::minutes{min};
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

const CompiledCalendar kAlwaysOpen = CompiledCalendar::AlwaysOpenUtc();

// Monday 2025-06-02 09:00 UTC.
const TimestampMs kT0 = Utc(2025, 6, 2, 9);

class Events {
 public:
  Events& Status(TimestampMs at, const std::string& from, const std::string& to, int64_t actor = kAgent) {
    return Add({0, 1, actor, at, "field_changed", "status", from, to, false});
  }
  Events& Reply(TimestampMs at, int64_t actor) {
    return Add({0, 1, actor, at, "comment_added", "reply", std::nullopt, "1", false});
  }
  Events& Note(TimestampMs at, int64_t actor) {
    return Add({0, 1, actor, at, "comment_added", "internal_note", std::nullopt, "1", true});
  }
  const std::vector<tickets::TicketEvent>& list() const { return list_; }

 private:
  Events& Add(tickets::TicketEvent e) {
    e.id = static_cast<int64_t>(list_.size()) + 2;
    list_.push_back(std::move(e));
    return *this;
  }
  std::vector<tickets::TicketEvent> list_{
      {1, 1, kRequester, kT0, "created", std::nullopt, std::nullopt, "status=new", false}};
};

TicketSnapshot Ticket() {
  TicketSnapshot t;
  t.id = 1;
  t.requester_id = kRequester;
  t.created_at = kT0;
  return t;
}

SlaPolicy Policy(std::optional<int64_t> first, std::optional<int64_t> next, std::optional<int64_t> resolution) {
  SlaPolicy p;
  p.id = 7;
  p.name = "standard";
  p.targets = {first, next, resolution};
  return p;
}

std::vector<TargetClock> Compute(const Events& events, const SlaPolicy& policy, TimestampMs now,
                                 const CompiledCalendar& calendar = CompiledCalendar::AlwaysOpenUtc()) {
  auto clocks = ComputeClocks(Ticket(), events.list(), policy, calendar, now);
  EXPECT_TRUE(clocks.ok()) << clocks.status().ToString();
  return clocks.ok() ? *clocks : std::vector<TargetClock>{};
}

const TargetClock* Find(const std::vector<TargetClock>& clocks, TargetKind kind) {
  for (const auto& c : clocks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

TEST(SlaClocksTest, FirstResponseRunsThenIsMet) {
  Events events;
  SlaPolicy policy = Policy(60, std::nullopt, std::nullopt);
  auto running = Compute(events, policy, kT0 + 20 * kMin);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].kind, TargetKind::kFirstResponse);
  EXPECT_EQ(running[0].state, ClockState::kRunning);
  EXPECT_EQ(running[0].due_at, kT0 + 60 * kMin);
  EXPECT_EQ(running[0].warn_at, kT0 + 45 * kMin);
  EXPECT_FALSE(running[0].warning);
  EXPECT_EQ(running[0].remaining_minutes, 40);
  EXPECT_FALSE(running[0].met_at);
  EXPECT_FALSE(running[0].breached_at);

  // Internal notes and the requester's own replies are not a first response.
  events.Note(kT0 + 25 * kMin, kAgent).Reply(kT0 + 30 * kMin, kRequester).Reply(kT0 + 50 * kMin, kAgent);
  auto met = Compute(events, policy, kT0 + 3 * kHour);
  ASSERT_EQ(met.size(), 1u);
  EXPECT_EQ(met[0].state, ClockState::kMet);
  EXPECT_EQ(met[0].met_at, kT0 + 50 * kMin);
  EXPECT_EQ(met[0].due_at, kT0 + 60 * kMin);
  EXPECT_EQ(met[0].remaining_minutes, 10);
  EXPECT_FALSE(met[0].breached_at);
  EXPECT_FALSE(met[0].warning);

  // Events after `now` are not seen yet.
  auto before_reply = Compute(events, policy, kT0 + 40 * kMin);
  EXPECT_EQ(before_reply[0].state, ClockState::kRunning);
}

TEST(SlaClocksTest, FirstResponseBreachedWhileOpenAndWhenLate) {
  SlaPolicy policy = Policy(60, std::nullopt, std::nullopt);
  Events events;
  auto open = Compute(events, policy, kT0 + 90 * kMin);
  EXPECT_EQ(open[0].state, ClockState::kBreached);
  EXPECT_EQ(open[0].breached_at, kT0 + 60 * kMin);
  EXPECT_EQ(open[0].remaining_minutes, -30);
  EXPECT_TRUE(open[0].warning);
  // At the due instant itself the clock is not breached yet.
  EXPECT_EQ(Compute(events, policy, kT0 + 60 * kMin)[0].state, ClockState::kRunning);

  events.Reply(kT0 + 75 * kMin, kAgent);
  auto late = Compute(events, policy, kT0 + 2 * kHour);
  EXPECT_EQ(late[0].state, ClockState::kBreached);
  EXPECT_EQ(late[0].breached_at, kT0 + 60 * kMin);
  EXPECT_EQ(late[0].met_at, kT0 + 75 * kMin);
  EXPECT_EQ(late[0].remaining_minutes, -15);

  // A reply exactly at the due instant is in time.
  Events exact;
  exact.Reply(kT0 + 60 * kMin, kAgent);
  EXPECT_EQ(Compute(exact, policy, kT0 + 2 * kHour)[0].state, ClockState::kMet);
}

TEST(SlaClocksTest, PendingAndOnHoldPause) {
  SlaPolicy policy = Policy(std::nullopt, std::nullopt, 240);
  Events events;
  events.Reply(kT0 + 10 * kMin, kAgent)
      .Status(kT0 + 10 * kMin, "new", "open")
      .Status(kT0 + 60 * kMin, "open", "pending")  // 60 minutes used
      .Status(kT0 + 5 * kHour, "pending", "open")
      .Status(kT0 + 6 * kHour, "open", "on_hold")  // 120 used
      .Status(kT0 + 8 * kHour, "on_hold", "open");

  auto paused = Compute(events, policy, kT0 + 2 * kHour);
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_EQ(paused[0].state, ClockState::kPaused);
  EXPECT_EQ(paused[0].remaining_minutes, 180);
  EXPECT_EQ(paused[0].due_at, kT0 + 2 * kHour + 180 * kMin);  // as if it resumed now

  auto running = Compute(events, policy, kT0 + 9 * kHour);  // 180 used
  EXPECT_EQ(running[0].state, ClockState::kRunning);
  EXPECT_EQ(running[0].remaining_minutes, 60);
  EXPECT_EQ(running[0].due_at, kT0 + 10 * kHour);
  EXPECT_EQ(running[0].warn_at, kT0 + 9 * kHour);  // 75% of 240 = 180 minutes used
  EXPECT_TRUE(running[0].warning);

  // Pauses are per policy: without on_hold among them the clock breaches earlier.
  policy.pause_on = {"pending"};
  auto no_hold = Compute(events, policy, kT0 + 9 * kHour);
  EXPECT_EQ(no_hold[0].state, ClockState::kBreached);
  EXPECT_EQ(no_hold[0].breached_at, kT0 + 8 * kHour);
}

TEST(SlaClocksTest, PausesStopResponseClocksToo) {
  SlaPolicy policy = Policy(60, std::nullopt, std::nullopt);
  Events events;
  events.Status(kT0 + 30 * kMin, "new", "on_hold").Status(kT0 + 3 * kHour, "on_hold", "open");
  auto paused = Compute(events, policy, kT0 + 2 * kHour);
  EXPECT_EQ(paused[0].state, ClockState::kPaused);
  EXPECT_EQ(paused[0].remaining_minutes, 30);
  auto resumed = Compute(events, policy, kT0 + 3 * kHour + 10 * kMin);
  EXPECT_EQ(resumed[0].state, ClockState::kRunning);
  EXPECT_EQ(resumed[0].due_at, kT0 + 3 * kHour + 30 * kMin);
}

TEST(SlaClocksTest, SolvingMeetsAndReopeningResumesResolution) {
  SlaPolicy policy = Policy(60, std::nullopt, 180);
  Events events;
  events.Reply(kT0 + 10 * kMin, kAgent)
      .Status(kT0 + 10 * kMin, "new", "open")
      .Status(kT0 + 100 * kMin, "open", "solved");  // 100 minutes used
  auto solved = Compute(events, policy, kT0 + 5 * kHour);
  const TargetClock* resolution = Find(solved, TargetKind::kResolution);
  ASSERT_NE(resolution, nullptr);
  EXPECT_EQ(resolution->state, ClockState::kMet);
  EXPECT_EQ(resolution->met_at, kT0 + 100 * kMin);
  EXPECT_EQ(resolution->remaining_minutes, 80);

  // The requester answers and the ticket reopens: the clock resumes with the
  // time already used; the hours the ticket sat solved do not count.
  events.Reply(kT0 + 6 * kHour, kRequester).Status(kT0 + 6 * kHour, "solved", "open");
  auto reopened = Compute(events, policy, kT0 + 6 * kHour + 30 * kMin);
  resolution = Find(reopened, TargetKind::kResolution);
  EXPECT_EQ(resolution->state, ClockState::kRunning);
  EXPECT_EQ(resolution->remaining_minutes, 50);
  EXPECT_EQ(resolution->due_at, kT0 + 6 * kHour + 80 * kMin);
  EXPECT_FALSE(resolution->met_at);
  // The first response stays met.
  EXPECT_EQ(Find(reopened, TargetKind::kFirstResponse)->state, ClockState::kMet);

  auto breached = Compute(events, policy, kT0 + 8 * kHour);
  resolution = Find(breached, TargetKind::kResolution);
  EXPECT_EQ(resolution->state, ClockState::kBreached);
  EXPECT_EQ(resolution->breached_at, kT0 + 6 * kHour + 80 * kMin);

  // Closed after the breach: breached, with the time it finally stopped.
  events.Status(kT0 + 9 * kHour, "open", "closed");
  auto closed = Compute(events, policy, kT0 + 10 * kHour);
  resolution = Find(closed, TargetKind::kResolution);
  EXPECT_EQ(resolution->state, ClockState::kBreached);
  EXPECT_EQ(resolution->met_at, kT0 + 9 * kHour);
  EXPECT_FALSE(resolution->warning);
}

TEST(SlaClocksTest, SolvingWithoutAReplyFulfilsTheFirstResponse) {
  SlaPolicy policy = Policy(60, std::nullopt, std::nullopt);
  Events events;
  events.Status(kT0 + 20 * kMin, "new", "solved");
  auto clocks = Compute(events, policy, kT0 + 2 * kHour);
  EXPECT_EQ(clocks[0].state, ClockState::kMet);
  EXPECT_EQ(clocks[0].met_at, kT0 + 20 * kMin);
}

TEST(SlaClocksTest, NextResponseFollowsEachRequesterReply) {
  SlaPolicy policy = Policy(60, 30, std::nullopt);
  Events events;
  // Before the first response, a requester's follow-up starts no next-response clock.
  events.Reply(kT0 + 5 * kMin, kRequester);
  EXPECT_EQ(Find(Compute(events, policy, kT0 + 10 * kMin), TargetKind::kNextResponse), nullptr);

  events.Reply(kT0 + 20 * kMin, kAgent).Reply(kT0 + 2 * kHour, kRequester);
  auto waiting = Compute(events, policy, kT0 + 2 * kHour + 10 * kMin);
  const TargetClock* next = Find(waiting, TargetKind::kNextResponse);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->state, ClockState::kRunning);
  EXPECT_EQ(next->due_at, kT0 + 2 * kHour + 30 * kMin);
  EXPECT_EQ(next->remaining_minutes, 20);

  // A second requester reply does not restart the clock; the agent's reply stops it.
  events.Reply(kT0 + 2 * kHour + 15 * kMin, kRequester).Reply(kT0 + 2 * kHour + 25 * kMin, kAgent);
  auto answered = Compute(events, policy, kT0 + 3 * kHour);
  next = Find(answered, TargetKind::kNextResponse);
  EXPECT_EQ(next->state, ClockState::kMet);
  EXPECT_EQ(next->met_at, kT0 + 2 * kHour + 25 * kMin);

  // The next cycle is breached; the list shows the latest cycle.
  events.Reply(kT0 + 4 * kHour, kRequester);
  auto late = Compute(events, policy, kT0 + 5 * kHour);
  next = Find(late, TargetKind::kNextResponse);
  EXPECT_EQ(next->state, ClockState::kBreached);
  EXPECT_EQ(next->breached_at, kT0 + 4 * kHour + 30 * kMin);
  EXPECT_EQ(next->remaining_minutes, -30);
  EXPECT_EQ(Find(late, TargetKind::kFirstResponse)->state, ClockState::kMet);
}

TEST(SlaClocksTest, WarningThresholdIsPerPolicy) {
  SlaPolicy policy = Policy(100, std::nullopt, std::nullopt);
  policy.warn_at_percent = 50;
  Events events;
  auto before = Compute(events, policy, kT0 + 49 * kMin);
  EXPECT_EQ(before[0].warn_at, kT0 + 50 * kMin);
  EXPECT_FALSE(before[0].warning);
  auto after = Compute(events, policy, kT0 + 50 * kMin);
  EXPECT_TRUE(after[0].warning);
  EXPECT_EQ(after[0].state, ClockState::kRunning);
  policy.warn_at_percent = 100;
  EXPECT_FALSE(Compute(events, policy, kT0 + 99 * kMin)[0].warning);
  EXPECT_EQ(Compute(events, policy, kT0 + 99 * kMin)[0].warn_at, kT0 + 100 * kMin);
}

TEST(SlaClocksTest, BusinessHoursAndCalendarsWithoutHours) {
  Calendar office;
  office.time_zone = "Europe/Berlin";
  for (int d = 0; d < 5; ++d) office.hours[d] = {{9 * 60, 17 * 60}};
  ASSERT_OK_AND_ASSIGN(CompiledCalendar calendar, CompiledCalendar::Compile(office));
  // Filed Friday 2025-06-06 at 16:00 Berlin (14:00 UTC): an 8-hour resolution
  // target is due Monday 16:00 Berlin (1 hour on Friday, 7 on Monday).
  TicketSnapshot t = Ticket();
  t.created_at = Utc(2025, 6, 6, 14);
  std::vector<tickets::TicketEvent> events = {
      {1, 1, kRequester, t.created_at, "created", std::nullopt, std::nullopt, "status=new", false}};
  SlaPolicy policy = Policy(std::nullopt, std::nullopt, 8 * 60);
  ASSERT_OK_AND_ASSIGN(auto clocks, ComputeClocks(t, events, policy, calendar, Utc(2025, 6, 8, 12)));
  ASSERT_EQ(clocks.size(), 1u);
  EXPECT_EQ(clocks[0].due_at, Utc(2025, 6, 9, 14));
  EXPECT_EQ(clocks[0].remaining_minutes, 7 * 60);  // only Friday's last hour is used
  EXPECT_EQ(clocks[0].state, ClockState::kRunning);

  Calendar closed;
  closed.time_zone = "UTC";
  ASSERT_OK_AND_ASSIGN(CompiledCalendar none, CompiledCalendar::Compile(closed));
  auto failed = ComputeClocks(t, events, policy, none, Utc(2025, 6, 8, 12));
  EXPECT_EQ(failed.status().code(), StatusCode::kFailedPrecondition);
  // A policy without targets has no clocks, whatever the calendar.
  ASSERT_OK_AND_ASSIGN(auto empty, ComputeClocks(t, events, Policy(std::nullopt, std::nullopt, std::nullopt), none,
                                                 Utc(2025, 6, 8, 12)));
  EXPECT_TRUE(empty.empty());
}

// What the SLA watcher relies on after a calendar change: timelines built at
// one instant and evaluated later (no event in between) give exactly the
// clocks computed from the events at that later instant.
TEST(SlaTimelineTest, TimelinesBuiltEarlierEvaluateToTheSameClocksLater) {
  Calendar office;
  office.time_zone = "Europe/Berlin";
  for (int d = 0; d < 5; ++d) office.hours[d] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}};
  auto compiled = CompiledCalendar::Compile(office);
  ASSERT_TRUE(compiled.ok());
  std::mt19937 rng(1125);
  SlaPolicy policy = Policy(60, 120, 16 * 60);
  policy.pause_while_escalated = true;
  for (int round = 0; round < 400; ++round) {
    Events events;
    TimestampMs t = kT0;
    int n = static_cast<int>(rng() % 7);
    for (int i = 0; i < n; ++i) {
      t += static_cast<int64_t>(rng() % (6 * 60)) * kMin;
      switch (rng() % 6) {
        case 0: events.Reply(t, kAgent); break;
        case 1: events.Reply(t, kRequester); break;
        case 2: events.Status(t, "open", "pending"); break;
        case 3: events.Status(t, "pending", "open"); break;
        case 4: events.Status(t, "open", "solved"); break;
        default: events.Status(t, "solved", "open"); break;
      }
    }
    TimestampMs built = t + static_cast<int64_t>(rng() % (3 * 60)) * kMin;
    TimestampMs later = built + static_cast<int64_t>(rng() % (4 * 24 * 60)) * kMin;
    auto timelines = BuildTimelines(Ticket(), events.list(), policy, built);
    for (const CompiledCalendar* calendar : {static_cast<const CompiledCalendar*>(&*compiled), &kAlwaysOpen}) {
      auto from_timelines = EvaluateTimelines(timelines, policy.warn_at_percent, *calendar, later);
      auto from_events = ComputeClocks(Ticket(), events.list(), policy, *calendar, later);
      ASSERT_TRUE(from_timelines.ok() && from_events.ok());
      ASSERT_EQ(from_timelines->size(), from_events->size()) << "round " << round;
      for (size_t i = 0; i < from_events->size(); ++i) {
        const TargetClock& a = (*from_timelines)[i];
        const TargetClock& b = (*from_events)[i];
        SCOPED_TRACE("round " + std::to_string(round) + " clock " + TargetKindName(b.kind));
        EXPECT_EQ(a.state, b.state);
        EXPECT_EQ(a.due_at, b.due_at);
        EXPECT_EQ(a.warn_at, b.warn_at);
        EXPECT_EQ(a.warning, b.warning);
        EXPECT_EQ(a.remaining_minutes, b.remaining_minutes);
        EXPECT_EQ(a.met_at, b.met_at);
        EXPECT_EQ(a.breached_at, b.breached_at);
        EXPECT_EQ(a.started_at, b.started_at);
      }
    }
  }
}

TEST(SlaPolicyTest, FirstMatchingPolicyInOrderApplies) {
  SlaPolicy urgent = Policy(15, std::nullopt, std::nullopt);
  urgent.id = 1;
  urgent.conditions.priorities = {"urgent", "high"};
  SlaPolicy ingestion = Policy(30, std::nullopt, std::nullopt);
  ingestion.id = 2;
  ingestion.conditions.queue_ids = {5};
  ingestion.conditions.tags = {"vip", "outage"};
  SlaPolicy fallback = Policy(240, std::nullopt, std::nullopt);
  fallback.id = 3;
  std::vector<SlaPolicy> ordered = {urgent, ingestion, fallback};

  TicketSnapshot t = Ticket();
  EXPECT_EQ(SelectPolicy(ordered, t)->id, 3);
  t.priority = "high";
  EXPECT_EQ(SelectPolicy(ordered, t)->id, 1);
  t.priority = "normal";
  t.queue_id = 5;
  EXPECT_EQ(SelectPolicy(ordered, t)->id, 3);  // queue matches but no tag does: conditions are AND
  t.tags = {"billing", "outage"};
  EXPECT_EQ(SelectPolicy(ordered, t)->id, 2);
  t.queue_id = std::nullopt;
  EXPECT_EQ(SelectPolicy(ordered, t)->id, 3);
  EXPECT_EQ(SelectPolicy({urgent, ingestion}, t), nullptr);
}

TEST(SlaPolicyTest, RequesterGroupsMatchTheRequestersGroup) {
  SlaPolicy finance = Policy(30, std::nullopt, std::nullopt);
  finance.id = 1;
  finance.conditions.requester_groups = {"finance", "legal"};
  SlaPolicy fallback = Policy(240, std::nullopt, std::nullopt);
  fallback.id = 2;
  TicketSnapshot t = Ticket();
  EXPECT_EQ(SelectPolicy({finance, fallback}, t)->id, 2);  // no group
  t.requester_group = "data-science";
  EXPECT_EQ(SelectPolicy({finance, fallback}, t)->id, 2);
  t.requester_group = "legal";
  EXPECT_EQ(SelectPolicy({finance, fallback}, t)->id, 1);
  finance.conditions.priorities = {"urgent"};  // and the other conditions still apply
  EXPECT_EQ(SelectPolicy({finance, fallback}, t)->id, 2);
}

// The 100,000-ticket timing lives in bench/sla_recompute.cc (no timing in tests).

}  // namespace
}  // namespace opsdesk::sla
