// TicketService::Views and TicketService::BulkUpdate against both real engines:
// each view's count equals what List returns for its filter; a bulk change goes
// through the same rules as Update, ticket by ticket, writes its events, and
// writes nothing at all when the request is not valid.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/random.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/ticket_desk.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket.h"
#include "tickets/ticket_service.h"

namespace opsdesk::tickets {
namespace {

using auth::Actor;
using auth::Role;
using auth::User;
using storage::Engine;


class TicketBulkTest : public test_util::TicketDeskTest {
 protected:
  // Every row a change could touch, as text: equal snapshots, nothing written.
  std::string Snapshot() {
    return TicketDeskTest::Snapshot({
        "SELECT id, subject, status, priority, queue_id, assignee_id, tags, updated_at, version FROM tickets "
        "ORDER BY id",
        "SELECT ticket_id, tag FROM ticket_tags ORDER BY ticket_id, tag",
        "SELECT id, ticket_id, kind, field, before_value, after_value FROM ticket_events ORDER BY id"
    });
  }

  // A ticket filed by alice, then changed by the agent as `patch` says.
  Ticket File(const std::string& subject, const TicketPatch& patch = {}, std::vector<std::string> tags = {},
              std::optional<QueueRef> queue = std::nullopt) {
    NewTicket input;
    input.subject = subject;
    input.body = "Something is wrong with " + subject;
    input.tags = std::move(tags);
    input.queue = std::move(queue);
    auto created = svc().Create(Alice(), input);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return {};
    clock_.Advance(10);
    if (patch.IsEmpty()) return created->ticket;
    auto changed = svc().Update(Agent(), created->ticket.id, patch);
    EXPECT_TRUE(changed.ok()) << changed.status().ToString();
    clock_.Advance(10);
    return changed.ok() ? *changed : created->ticket;
  }

  static TicketPatch Patch(const std::string& status, std::optional<int64_t> assignee = std::nullopt) {
    TicketPatch patch;
    patch.status = status;
    if (assignee) patch.assignee_id.emplace(*assignee);
    return patch;
  }

  Ticket Get(int64_t id) {
    auto ticket = svc().Get(Agent(), id);
    EXPECT_TRUE(ticket.ok()) << ticket.status().ToString();
    return ticket.ok() ? *ticket : Ticket{};
  }

  size_t ListCount(const Actor& actor, TicketFilter filter) {
    filter.limit = kMaxPageLimit;
    auto page = svc().List(actor, filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return 0;
    EXPECT_FALSE(page->next_cursor.has_value()) << "fixture has more tickets than one page";
    return page->items.size();
  }

  std::map<std::string, int64_t> CountsById(const std::vector<TicketView>& views) {
    std::map<std::string, int64_t> counts;
    for (const auto& v : views) counts[v.id] = v.count;
    return counts;
  }

  int64_t FieldEvents(int64_t ticket_id, const std::string& field) {
    return Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'field_changed' AND field = ?",
                 {ticket_id, field});
  }

};

// ---------------------------------------------------------------------------
// Views

class TicketViewsTest : public TicketBulkTest {
 protected:
  void SetUp() override {
    TicketBulkTest::SetUp();
    if (HasFatalFailure()) return;
    // Queues whose byte order differs from a linguistic collation's
    // ("a-z" < "ab" by bytes; "ab" < "a-z" when punctuation is ignored).
    queues::QueueService queues(db(), clock_);
    ASSERT_OK_AND_ASSIGN(dash_, queues.CreateQueue(Actor::System(), {"a-z", std::nullopt, ""}));
    ASSERT_OK_AND_ASSIGN(plain_, queues.CreateQueue(Actor::System(), {"ab", std::nullopt, ""}));
    QueueRef ingestion{ingestion_.id, std::nullopt};
    QueueRef query_engine{query_engine_.id, std::nullopt};
    QueueRef dash{dash_.id, std::nullopt};
    File("new, unassigned, ingestion", {}, {}, ingestion);
    File("new, unassigned, no queue");
    File("open, mine, ingestion", Patch("open", agent_.id), {}, ingestion);
    File("pending, mine, query-engine", Patch("pending", agent_.id), {}, query_engine);
    File("on_hold, agent2, ingestion", Patch("on_hold", agent2_.id), {}, ingestion);
    File("pending, unassigned, a-z", Patch("pending"), {}, dash);
    File("solved, mine, ingestion", Patch("solved", agent_.id), {}, ingestion);
    File("closed, mine, query-engine", Patch("closed", agent_.id), {}, query_engine);
    File("closed, unassigned", Patch("closed"));
  }

  queues::Queue dash_, plain_;
};

TEST_P(TicketViewsTest, ViewsComeInOrderWithTheirCounts) {
  ASSERT_OK_AND_ASSIGN(auto views, svc().Views(Agent()));
  std::vector<std::string> ids;
  for (const auto& v : views) ids.push_back(v.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"mine", "unassigned", "all_open", "pending", "breaching_soon", "queue:a-z",
                                           "queue:ab", "queue:ingestion", "queue:query-engine"}));
  EXPECT_EQ(views[0].name, "My open tickets");
  EXPECT_EQ(views[1].name, "Unassigned");
  EXPECT_EQ(views[2].name, "All open");
  EXPECT_EQ(views[3].name, "Pending");
  EXPECT_EQ(views[4].name, "Breaching soon");
  EXPECT_EQ(views[7].name, "ingestion");
  EXPECT_EQ(CountsById(views), (std::map<std::string, int64_t>{{"mine", 2},
                                                               {"unassigned", 3},
                                                               {"all_open", 6},
                                                               {"pending", 2},
                                                               {"breaching_soon", 0},
                                                               {"queue:a-z", 1},
                                                               {"queue:ab", 0},
                                                               {"queue:ingestion", 3},
                                                               {"queue:query-engine", 1}}));
}

TEST_P(TicketViewsTest, EachCountIsWhatListReturnsForTheViewsFilter) {
  for (const Actor& actor : {Agent(), Agent2(), Actor::Of(lead_)}) {
    ASSERT_OK_AND_ASSIGN(auto views, svc().Views(actor));
    ASSERT_EQ(views.size(), 9u);
    for (const auto& v : views) {
      EXPECT_EQ(static_cast<size_t>(v.count), ListCount(actor, v.filter)) << v.id << " for user " << actor.user_id;
    }
  }
}

TEST_P(TicketViewsTest, FiltersSayWhatTheViewsMean) {
  ASSERT_OK_AND_ASSIGN(auto views, svc().Views(Agent2()));
  const std::vector<TicketStatus> open = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending,
                                          TicketStatus::kOnHold};
  EXPECT_EQ(views[0].filter.statuses, open);
  EXPECT_EQ(views[0].filter.assignee_id, agent2_.id);
  EXPECT_EQ(views[0].count, 1);
  EXPECT_TRUE(views[1].filter.unassigned);
  EXPECT_FALSE(views[1].filter.assignee_id.has_value());
  EXPECT_EQ(views[2].filter.statuses, open);
  EXPECT_FALSE(views[2].filter.unassigned);
  EXPECT_FALSE(views[2].filter.assignee_id.has_value());
  EXPECT_EQ(views[3].filter.statuses, std::vector<TicketStatus>{TicketStatus::kPending});
  EXPECT_EQ(views[4].filter.statuses, open);
  EXPECT_EQ(views[4].filter.sla, tickets::SlaFilter::kAtRisk);
  EXPECT_EQ(views[4].filter.sort, tickets::TicketSort::kSlaDueAsc);
  ASSERT_TRUE(views[7].filter.queue.has_value());
  EXPECT_EQ(views[7].filter.queue->id, ingestion_.id);
  EXPECT_EQ(views[7].filter.queue->name, "ingestion");
  EXPECT_EQ(views[7].filter.statuses, open);
}

TEST_P(TicketViewsTest, CountsFollowChanges) {
  ASSERT_OK_AND_ASSIGN(auto before, svc().Views(Agent()));
  Ticket t = File("another", Patch("pending", agent_.id), {}, QueueRef{plain_.id, std::nullopt});
  ASSERT_OK_AND_ASSIGN(auto after, svc().Views(Agent()));
  auto b = CountsById(before), a = CountsById(after);
  EXPECT_EQ(a["mine"], b["mine"] + 1);
  EXPECT_EQ(a["pending"], b["pending"] + 1);
  EXPECT_EQ(a["all_open"], b["all_open"] + 1);
  EXPECT_EQ(a["queue:ab"], 1);
  EXPECT_EQ(a["unassigned"], b["unassigned"]);
  ASSERT_OK(svc().Update(Agent(), t.id, Patch("closed")));
  ASSERT_OK_AND_ASSIGN(auto closed, svc().Views(Agent()));
  EXPECT_EQ(CountsById(closed), b);
}

TEST_P(TicketViewsTest, RequestersHaveNoViews) {
  EXPECT_EQ(svc().Views(Alice()).status().code(), StatusCode::kPermissionDenied);
}

// ---------------------------------------------------------------------------
// Bulk changes

std::vector<int64_t> ResultIds(const std::vector<BulkItemResult>& results) {
  std::vector<int64_t> ids;
  for (const auto& r : results) ids.push_back(r.id);
  return ids;
}

TEST_P(TicketBulkTest, AppliesTheChangeToEachTicketWithItsEvents) {
  Ticket a = File("a"), b = File("b", Patch("open")), c = File("c", Patch("on_hold"));
  std::vector<int64_t> announced;
  svc().SetChangeListener([&](const TicketChange& change) { announced.push_back(change.ticket_id); });
  BulkChange change;
  change.status = "pending";
  change.priority = "urgent";
  change.assignee_id.emplace(agent2_.id);
  change.queue.emplace(QueueRef{std::nullopt, "ingestion"});
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {c.id, a.id, b.id}, change));
  EXPECT_EQ(ResultIds(results), (std::vector<int64_t>{c.id, a.id, b.id})) << "answers in request order";
  for (const auto& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.id << ": " << r.status.ToString();
    ASSERT_TRUE(r.ticket.has_value());
    EXPECT_EQ(r.ticket->id, r.id);
    Ticket stored = Get(r.id);
    EXPECT_EQ(stored.status, TicketStatus::kPending);
    EXPECT_EQ(stored.priority, Priority::kUrgent);
    EXPECT_EQ(stored.queue_id, ingestion_.id);
    ASSERT_TRUE(stored.assignee.has_value());
    EXPECT_EQ(stored.assignee->id, agent2_.id);
    EXPECT_EQ(stored.version, r.ticket->version);
    for (const char* field : {"status", "priority", "queue_id", "assignee_id"}) {
      EXPECT_EQ(FieldEvents(r.id, field), std::string(field) == "status" && r.id != a.id ? 2 : 1)
          << r.id << " " << field;
    }
  }
  EXPECT_EQ(announced, (std::vector<int64_t>{c.id, a.id, b.id}));
}

TEST_P(TicketBulkTest, AClosedTicketFailsAloneWhileTheOthersChange) {
  Ticket a = File("a", Patch("open")), closed = File("closed", Patch("closed")), b = File("b");
  int64_t closed_events = Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?", {closed.id});
  std::vector<int64_t> announced;
  svc().SetChangeListener([&](const TicketChange& change) { announced.push_back(change.ticket_id); });
  BulkChange change;
  change.status = "pending";
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {a.id, closed.id, b.id}, change));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(results[1].status.code(), StatusCode::kFailedPrecondition) << results[1].status.ToString();
  EXPECT_FALSE(results[1].ticket.has_value());
  EXPECT_TRUE(results[2].status.ok()) << results[2].status.ToString();
  EXPECT_EQ(Get(a.id).status, TicketStatus::kPending);
  EXPECT_EQ(Get(b.id).status, TicketStatus::kPending);
  Ticket still = Get(closed.id);
  EXPECT_EQ(still.status, TicketStatus::kClosed);
  EXPECT_EQ(still.version, closed.version);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?", {closed.id}), closed_events);
  EXPECT_EQ(announced, (std::vector<int64_t>{a.id, b.id}));
}

TEST_P(TicketBulkTest, EachTicketFollowsTheStatusRules) {
  Ticket fresh = File("new"), open = File("open", Patch("open"));
  BulkChange change;
  change.status = "new";  // nothing returns to new; a new ticket is already there
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {fresh.id, open.id}, change));
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_EQ(results[1].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(results[1].status.fields().count("status"), 1u) << results[1].status.ToString();
  EXPECT_EQ(Get(open.id).status, TicketStatus::kOpen);

  // Assigning a new ticket opens it, as a single change does.
  BulkChange assign;
  assign.assignee_id.emplace(agent_.id);
  ASSERT_OK_AND_ASSIGN(auto assigned, svc().BulkUpdate(Agent(), {fresh.id}, assign));
  ASSERT_TRUE(assigned[0].status.ok()) << assigned[0].status.ToString();
  EXPECT_EQ(assigned[0].ticket->status, TicketStatus::kOpen);
}

TEST_P(TicketBulkTest, AMissingTicketIsNotFoundAndTheOthersChange) {
  Ticket a = File("a");
  BulkChange change;
  change.priority = "high";
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {a.id + 1000, a.id}, change));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].id, a.id + 1000);
  EXPECT_EQ(results[0].status.code(), StatusCode::kNotFound);
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_EQ(Get(a.id).priority, Priority::kHigh);
}

TEST_P(TicketBulkTest, AddsAndRemovesTagsOnEachTicketsCurrentSet) {
  Ticket a = File("a", {}, {"db", "outage"}), b = File("b", {}, {"db"}), c = File("c");
  BulkChange change;
  change.add_tags = {"Urgent-Fix", "db"};
  change.remove_tags = {"OUTAGE", "never-there"};
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {a.id, b.id, c.id}, change));
  for (const auto& r : results) ASSERT_TRUE(r.status.ok()) << r.id << ": " << r.status.ToString();
  EXPECT_EQ(Get(a.id).tags, (std::vector<std::string>{"db", "urgent-fix"}));
  EXPECT_EQ(Get(b.id).tags, (std::vector<std::string>{"db", "urgent-fix"}));
  EXPECT_EQ(Get(c.id).tags, (std::vector<std::string>{"db", "urgent-fix"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_tags WHERE tag = 'urgent-fix'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_tags WHERE tag = 'outage'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND field = 'tags' AND "
                  "before_value = 'db outage' AND after_value = 'db urgent-fix'",
                  {a.id}),
            1);
  // The tag filter sees the new set.
  TicketFilter tagged;
  tagged.tag = "urgent-fix";
  EXPECT_EQ(ListCount(Agent(), tagged), 3u);

  // Removing tags a ticket does not have changes nothing and writes no event.
  int64_t events = Count("SELECT COUNT(*) FROM ticket_events");
  BulkChange noop;
  noop.remove_tags = {"absent"};
  ASSERT_OK_AND_ASSIGN(auto unchanged, svc().BulkUpdate(Agent(), {a.id}, noop));
  EXPECT_TRUE(unchanged[0].status.ok());
  EXPECT_EQ(unchanged[0].ticket->version, Get(a.id).version);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events"), events);
}

TEST_P(TicketBulkTest, TheTagLimitAppliesPerTicket) {
  std::vector<std::string> twenty;
  for (int i = 0; i < 20; ++i) twenty.push_back("t" + std::to_string(i));
  std::sort(twenty.begin(), twenty.end());
  Ticket full = File("full", {}, twenty), roomy = File("roomy", {}, {"t0"});
  BulkChange change;
  change.add_tags = {"extra"};
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {full.id, roomy.id}, change));
  EXPECT_EQ(results[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(results[0].status.fields().count("add_tags"), 1u) << results[0].status.ToString();
  EXPECT_TRUE(results[1].status.ok()) << results[1].status.ToString();
  EXPECT_EQ(Get(full.id).tags, twenty);
  EXPECT_EQ(Get(roomy.id).tags, (std::vector<std::string>{"extra", "t0"}));
}

TEST_P(TicketBulkTest, UnassignsAndRemovesTheQueue) {
  Ticket a = File("a", Patch("open", agent_.id), {}, QueueRef{ingestion_.id, std::nullopt});
  BulkChange change;
  change.assignee_id.emplace(std::nullopt);
  change.queue.emplace(std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {a.id}, change));
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  Ticket stored = Get(a.id);
  EXPECT_FALSE(stored.assignee.has_value());
  EXPECT_FALSE(stored.queue_id.has_value());
  EXPECT_EQ(FieldEvents(a.id, "assignee_id"), 2);
  EXPECT_EQ(FieldEvents(a.id, "queue_id"), 1);
}

TEST_P(TicketBulkTest, RequestersAreRefusedAndNothingIsWritten) {
  Ticket own = File("alice's own");
  std::string before = Snapshot();
  BulkChange change;
  change.status = "solved";  // what a requester may do to one ticket, but not in bulk
  EXPECT_EQ(svc().BulkUpdate(Alice(), {own.id}, change).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Snapshot(), before);
}

struct InvalidBulkCase {
  const char* name;
  std::function<void(std::vector<int64_t>&, BulkChange&)> spoil;
  const char* field;
};

TEST_P(TicketBulkTest, AnInvalidRequestWritesNothingAndNamesTheField) {
  Ticket a = File("a"), b = File("b", Patch("open"));
  const int64_t user_ids[] = {alice_.id, retired_.id};
  const std::vector<InvalidBulkCase> cases = {
      {"no ids", [](auto& ids, auto&) { ids.clear(); }, "ids"},
      {"201 ids",
       [](auto& ids, auto&) {
         ids.clear();
         for (int64_t i = 1; i <= 201; ++i) ids.push_back(i);
       },
       "ids"},
      {"repeated id", [&](auto& ids, auto&) { ids.push_back(a.id); }, "ids"},
      {"zero id", [](auto& ids, auto&) { ids.push_back(0); }, "ids"},
      {"negative id", [](auto& ids, auto&) { ids.push_back(-4); }, "ids"},
      {"no change", [](auto&, auto& c) { c = BulkChange{}; }, "changes"},
      {"bad status", [](auto&, auto& c) { c.status = "done"; }, "changes.status"},
      {"bad priority", [](auto&, auto& c) { c.priority = "asap"; }, "changes.priority"},
      {"bad tag", [](auto&, auto& c) { c.add_tags = {"no spaces"}; }, "changes.add_tags"},
      {"bad removed tag", [](auto&, auto& c) { c.remove_tags = {"x!"}; }, "changes.remove_tags"},
      {"tag added and removed",
       [](auto&, auto& c) {
         c.add_tags = {"x"};
         c.remove_tags = {"X"};
       },
       "changes.remove_tags"},
      {"unknown queue", [](auto&, auto& c) { c.queue.emplace(QueueRef{std::nullopt, "nope"}); }, "changes.queue"},
      {"unknown queue id", [](auto&, auto& c) { c.queue.emplace(QueueRef{99999, std::nullopt}); }, "changes.queue"},
      {"requester assignee", [&](auto&, auto& c) { c.assignee_id.emplace(user_ids[0]); }, "changes.assignee_id"},
      {"inactive assignee", [&](auto&, auto& c) { c.assignee_id.emplace(user_ids[1]); }, "changes.assignee_id"},
      {"unknown assignee", [](auto&, auto& c) { c.assignee_id.emplace(99999); }, "changes.assignee_id"},
  };
  const std::string before = Snapshot();
  std::vector<int64_t> announced;
  svc().SetChangeListener([&](const TicketChange& change) { announced.push_back(change.ticket_id); });
  for (const auto& test_case : cases) {
    std::vector<int64_t> ids = {a.id, b.id};
    BulkChange change;
    change.status = "pending";  // valid for both tickets: only the spoiled part is wrong
    test_case.spoil(ids, change);
    auto result = svc().BulkUpdate(Agent(), ids, change);
    ASSERT_FALSE(result.ok()) << test_case.name;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << test_case.name;
    EXPECT_EQ(result.status().fields().count(test_case.field), 1u)
        << test_case.name << ": " << result.status().ToString();
    EXPECT_EQ(Snapshot(), before) << test_case.name;
  }
  EXPECT_TRUE(announced.empty());

  // The unspoiled request does change both.
  BulkChange change;
  change.status = "pending";
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Agent(), {a.id, b.id}, change));
  for (const auto& r : results) EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_NE(Snapshot(), before);
}

TEST_P(TicketBulkTest, TwoHundredTicketsAtOnce) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(File("t" + std::to_string(i)).id);
  BulkChange change;
  change.priority = "low";
  ASSERT_OK_AND_ASSIGN(auto results, svc().BulkUpdate(Actor::Of(lead_), ids, change));
  ASSERT_EQ(results.size(), 200u);
  EXPECT_EQ(ResultIds(results), ids);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE priority = 'low'"), 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events WHERE field = 'priority'"), 200);
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, TicketBulkTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, TicketViewsTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::tickets
