// TicketService against both real engines: validation, the requester/staff
// policy, listing and pagination, changes and their events, comments, links,
// merges and idempotent creation. A fault-injecting wrapper around the real
// database checks that a change and its events commit together or not at all.
#include "tickets/ticket_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/random.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"
#include "testing/query_count.h"
#include "testing/ticket_desk.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket.h"

namespace opsdesk::tickets {
namespace {

using auth::Actor;
using auth::Role;
using auth::User;
using storage::Engine;

using test_util::StatusOf;


// ---------------------------------------------------------------------------
// Fault injection: a real database whose transactions fail the Nth statement
// containing a given piece of SQL, as LevelDB's FaultInjectionTestEnv wraps Env.

struct FaultPlan {
  std::string sql_contains;  // empty: never fail
  int fail_on_match = 0;     // 1 = the first matching statement fails
  int matches_seen = 0;
  bool fired = false;

  bool ShouldFail(std::string_view sql) {
    if (sql_contains.empty() || fired || sql.find(sql_contains) == std::string_view::npos) return false;
    if (++matches_seen < fail_on_match) return false;
    fired = true;
    return true;
  }
};

class FaultInjectionTransaction final : public storage::Transaction {
 public:
  FaultInjectionTransaction(storage::Transaction& inner, FaultPlan& plan) : inner_(inner), plan_(plan) {}
  Engine engine() const override { return inner_.engine(); }
  Result<storage::Rows> Query(std::string_view sql, const storage::Params& params) override {
    if (plan_.ShouldFail(sql)) return Status::Unavailable("injected fault");
    return inner_.Query(sql, params);
  }
  Result<int64_t> Exec(std::string_view sql, const storage::Params& params) override {
    if (plan_.ShouldFail(sql)) return Status::Unavailable("injected fault");
    return inner_.Exec(sql, params);
  }
  Status ExecScript(std::string_view sql) override {
    if (plan_.ShouldFail(sql)) return Status::Unavailable("injected fault");
    return inner_.ExecScript(sql);
  }

 private:
  storage::Transaction& inner_;
  FaultPlan& plan_;
};

class FaultInjectionDatabase final : public storage::Database {
 public:
  explicit FaultInjectionDatabase(storage::Database& inner) : inner_(inner) {}
  FaultPlan& plan() { return plan_; }

  Engine engine() const override { return inner_.engine(); }
  Status Write(const std::function<Status(storage::Transaction&)>& fn) override {
    return inner_.Write([&](storage::Transaction& tx) {
      FaultInjectionTransaction faulty(tx, plan_);
      return fn(faulty);
    });
  }
  Status Read(const std::function<Status(storage::Transaction&)>& fn) override {
    return inner_.Read([&](storage::Transaction& tx) {
      FaultInjectionTransaction faulty(tx, plan_);
      return fn(faulty);
    });
  }
  Status Ping() override { return inner_.Ping(); }
  storage::PoolStats Stats() const override { return inner_.Stats(); }

 private:
  storage::Database& inner_;
  FaultPlan plan_;
};

// ---------------------------------------------------------------------------
// Fixture helpers.

NewTicket Basic(const std::string& subject) {
  NewTicket ticket;
  ticket.subject = subject;
  ticket.body = "Something is wrong with " + subject;
  return ticket;
}

std::vector<int64_t> Ids(const std::vector<Ticket>& tickets) {
  std::vector<int64_t> ids;
  for (const auto& t : tickets) ids.push_back(t.id);
  return ids;
}

std::set<int64_t> IdSet(const std::vector<Ticket>& tickets) {
  std::set<int64_t> ids;
  for (const auto& t : tickets) ids.insert(t.id);
  return ids;
}

std::vector<std::pair<std::string, int64_t>> Links(const Ticket& ticket) {
  std::vector<std::pair<std::string, int64_t>> links;
  for (const auto& l : ticket.links) links.emplace_back(l.kind, l.ticket_id);
  return links;
}

// A field_changed event's field, before and after, for compact comparison.
struct Change {
  std::string field;
  std::optional<std::string> before;
  std::optional<std::string> after;
  bool operator==(const Change&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Change& c) {
  return os << c.field << ": " << c.before.value_or("<null>") << " -> " << c.after.value_or("<null>");
}

std::vector<Change> FieldChanges(const std::vector<TicketEvent>& events) {
  std::vector<Change> changes;
  for (const auto& e : events) {
    if (e.kind == "field_changed") changes.push_back(Change{e.field.value_or(""), e.before, e.after});
  }
  return changes;
}

class TicketServiceTest : public test_util::TicketDeskTest {
 protected:
  // Every row of every ticket-related table, as text: equal snapshots mean the
  // database holds exactly the same data.
  std::string Snapshot() {
    return TicketDeskTest::Snapshot({
        "SELECT id, subject, body, status, priority, queue_id, requester_id, assignee_id, tags, created_at, "
        "updated_at, version FROM tickets ORDER BY id",
        "SELECT ticket_id, tag FROM ticket_tags ORDER BY ticket_id, tag",
        "SELECT id, ticket_id, author_id, body, is_internal, created_at, moved_from_ticket_id FROM comments ORDER BY id",
        "SELECT ticket_id, kind, other_ticket_id FROM ticket_links ORDER BY ticket_id, kind, other_ticket_id",
        "SELECT id, ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal FROM ticket_events "
        "ORDER BY id",
        "SELECT id, email_norm, role FROM users ORDER BY id",
        "SELECT user_id, idem_key, request_hash, response_body FROM idempotency_keys ORDER BY user_id, idem_key"
    });
  }

  Result<Ticket> Create(const Actor& actor, const NewTicket& input) {
    auto outcome = svc().Create(actor, input);
    if (!outcome.ok()) return outcome.status();
    return outcome->ticket;
  }

  // A ticket filed by alice.
  Result<Ticket> AliceTicket(const std::string& subject = "Ingestion lag") { return Create(Alice(), Basic(subject)); }

  Result<Ticket> SetStatus(int64_t id, const std::string& status) {
    TicketPatch patch;
    patch.status = status;
    return svc().Update(Agent(), id, patch);
  }

  std::vector<TicketEvent> Events(const Actor& actor, int64_t ticket_id) {
    std::vector<TicketEvent> all;
    std::optional<std::string> cursor;
    do {
      auto page = svc().ListEvents(actor, ticket_id, cursor, 100);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      all.insert(all.end(), page->items.begin(), page->items.end());
      cursor = page->next_cursor;
    } while (cursor);
    return all;
  }

  std::vector<Comment> Comments(const Actor& actor, int64_t ticket_id) {
    auto page = svc().ListComments(actor, ticket_id, std::nullopt, kMaxPageLimit);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<Comment>{};
  }

  std::vector<Ticket> ListAll(const Actor& actor, TicketFilter filter) {
    filter.limit = kMaxPageLimit;
    auto page = svc().List(actor, filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return {};
    EXPECT_FALSE(page->next_cursor.has_value());
    return page->items;
  }

};

// ---------------------------------------------------------------------------
// Create

struct InvalidTicketCase {
  const char* name;
  std::function<void(NewTicket&)> spoil;
  const char* field;
};

TEST_P(TicketServiceTest, CreateRejectsInvalidInputNamingTheField) {
  const std::vector<InvalidTicketCase> cases = {
      {"empty subject", [](NewTicket& t) { t.subject = ""; }, "subject"},
      {"251-char subject", [](NewTicket& t) { t.subject = std::string(251, 's'); }, "subject"},
      {"NUL in subject", [](NewTicket& t) { t.subject = std::string("disk\0full", 9); }, "subject"},
      {"newline in subject", [](NewTicket& t) { t.subject = "two\nlines"; }, "subject"},
      {"invalid UTF-8 subject", [](NewTicket& t) { t.subject = "caf\xC3"; }, "subject"},
      {"overlong UTF-8 subject", [](NewTicket& t) { t.subject = "a\xC0\xAF"; }, "subject"},
      {"invalid UTF-8 body", [](NewTicket& t) { t.body = "bad \xFF byte"; }, "body"},
      {"blank body", [](NewTicket& t) { t.body = " \n\t "; }, "body"},
      {"blank subject", [](NewTicket& t) { t.subject = "   "; }, "subject"},
      {"body over 64 KiB", [](NewTicket& t) { t.body = std::string(kMaxBodyBytes + 1, 'b'); }, "body"},
      {"unknown priority", [](NewTicket& t) { t.priority = "critical"; }, "priority"},
      {"tag with a space", [](NewTicket& t) { t.tags = {"ok", "not ok"}; }, "tags"},
      {"empty tag", [](NewTicket& t) { t.tags = {""}; }, "tags"},
      {"51-char tag", [](NewTicket& t) { t.tags = {std::string(51, 't')}; }, "tags"},
      {"21 tags",
       [](NewTicket& t) {
         t.tags.clear();
         for (int i = 0; i < 21; ++i) t.tags.push_back("tag" + std::to_string(i));
       },
       "tags"},
      {"bad requester e-mail", [](NewTicket& t) { t.requester_email = "not-an-address"; }, "requester_email"},
      // Would create a user with an invalid e-mail (SQLite) or fail inside the
      // engine as an internal error (PostgreSQL rejects invalid UTF-8).
      {"invalid UTF-8 requester e-mail", [](NewTicket& t) { t.requester_email = "caf\xFF@example.com"; },
       "requester_email"},
      {"invalid UTF-8 queue name", [](NewTicket& t) { t.queue = QueueRef{std::nullopt, "ingest\xFF"}; }, "queue"},
  };
  int64_t users_before = Count("SELECT COUNT(*) FROM users");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    NewTicket input = Basic("Valid subject");
    c.spoil(input);
    auto created = svc().Create(Agent(), input);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument) << created.status().ToString();
    EXPECT_EQ(created.status().fields().count(c.field), 1u) << created.status().ToString();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users_before);
}

TEST_P(TicketServiceTest, CreateReportsEveryInvalidFieldAtOnce) {
  NewTicket input;
  input.subject = "";
  input.body = "";
  input.priority = "whenever";
  input.tags = {"Bad Tag!"};
  auto created = svc().Create(Alice(), input);
  ASSERT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  const auto& fields = created.status().fields();
  EXPECT_EQ(fields.count("subject"), 1u);
  EXPECT_EQ(fields.count("body"), 1u);
  EXPECT_EQ(fields.count("priority"), 1u);
  EXPECT_EQ(fields.count("tags"), 1u);
}

TEST_P(TicketServiceTest, CreateAcceptsLimitsExactly) {
  // 250 code points (500 bytes): the subject limit counts characters, not bytes.
  std::string subject;
  for (int i = 0; i < 250; ++i) subject += "\xC3\xA9";  // é
  NewTicket input = Basic("x");
  input.subject = subject;
  input.body = std::string(kMaxBodyBytes, 'b');
  for (int i = 0; i < 20; ++i) input.tags.push_back("tag" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(Ticket ticket, Create(Alice(), input));
  EXPECT_EQ(ticket.subject, subject);
  EXPECT_EQ(ticket.body.size(), kMaxBodyBytes);
  EXPECT_EQ(ticket.tags.size(), 20u);
}

TEST_P(TicketServiceTest, RequesterFilesForThemselvesWithDefaults) {
  NewTicket input = Basic("Dashboards are empty");
  input.tags = {" Outage ", "db", "outage"};
  ASSERT_OK_AND_ASSIGN(Ticket ticket, Create(Alice(), input));
  EXPECT_GT(ticket.id, 0);
  EXPECT_EQ(ticket.requester.id, alice_.id);
  EXPECT_EQ(ticket.requester.email, "alice@example.com");
  EXPECT_EQ(ticket.status, TicketStatus::kNew);
  EXPECT_EQ(ticket.priority, Priority::kNormal);
  EXPECT_FALSE(ticket.assignee.has_value());
  EXPECT_FALSE(ticket.queue_id.has_value());
  EXPECT_EQ(ticket.tags, (std::vector<std::string>{"db", "outage"}));  // normalised, unique, sorted
  EXPECT_EQ(ticket.created_at, kStart);
  EXPECT_EQ(ticket.updated_at, kStart);
  EXPECT_EQ(ticket.version, 1);

  ASSERT_OK_AND_ASSIGN(Ticket stored, svc().Get(Alice(), ticket.id));
  EXPECT_EQ(stored.subject, "Dashboards are empty");
  EXPECT_EQ(stored.tags, ticket.tags);

  auto events = Events(Agent(), ticket.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "created");
  EXPECT_EQ(events[0].actor_id, alice_.id);
  EXPECT_EQ(events[0].at, kStart);
}

TEST_P(TicketServiceTest, CreateResolvesQueueByNameAndById) {
  NewTicket by_name = Basic("by name");
  by_name.queue = QueueRef{std::nullopt, "ingestion"};
  ASSERT_OK_AND_ASSIGN(Ticket a, Create(Alice(), by_name));
  EXPECT_EQ(a.queue_id, ingestion_.id);
  EXPECT_EQ(a.queue_name, "ingestion");

  NewTicket by_id = Basic("by id");
  by_id.queue = QueueRef{query_engine_.id, std::nullopt};
  ASSERT_OK_AND_ASSIGN(Ticket b, Create(Alice(), by_id));
  EXPECT_EQ(b.queue_id, query_engine_.id);
  EXPECT_EQ(b.queue_name, "query-engine");

  NewTicket unknown = Basic("unknown queue");
  unknown.queue = QueueRef{std::nullopt, "no-such-queue"};
  auto refused = Create(Alice(), unknown);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("queue"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 2);
}

TEST_P(TicketServiceTest, AgentFilesOnBehalfOfKnownRequester) {
  int64_t users_before = Count("SELECT COUNT(*) FROM users");
  NewTicket input = Basic("Filed by phone");
  input.requester_email = "  ALICE@Example.com ";  // matched case-insensitively
  ASSERT_OK_AND_ASSIGN(Ticket ticket, Create(Agent(), input));
  EXPECT_EQ(ticket.requester.id, alice_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users_before);
  // The requester sees it as their own.
  ASSERT_OK(svc().Get(Alice(), ticket.id));
  auto events = Events(Agent(), ticket.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_id, agent_.id);
}

TEST_P(TicketServiceTest, AgentFilingForUnknownAddressCreatesRequester) {
  int64_t users_before = Count("SELECT COUNT(*) FROM users");
  NewTicket input = Basic("Forwarded mail");
  input.requester_email = "Carol.Jones@Example.com";
  ASSERT_OK_AND_ASSIGN(Ticket ticket, Create(Agent(), input));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users_before + 1);
  EXPECT_EQ(ticket.requester.email, "Carol.Jones@Example.com");
  EXPECT_EQ(ticket.requester.display_name, "Carol.Jones");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE id = ? AND role = 'requester' AND password_hash IS NULL "
                  "AND email_norm = 'carol.jones@example.com' AND is_active = 1",
                  {ticket.requester.id}),
            1);

  // A second ticket for the same address (any case) reuses the account.
  NewTicket again = Basic("Another one");
  again.requester_email = "carol.jones@example.com";
  ASSERT_OK_AND_ASSIGN(Ticket second, Create(Agent(), again));
  EXPECT_EQ(second.requester.id, ticket.requester.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users_before + 1);
}

TEST_P(TicketServiceTest, RequesterMayNotFileOnBehalfOfOthers) {
  std::string before = Snapshot();
  NewTicket input = Basic("Sneaky");
  input.requester_email = "bob@example.com";
  auto refused = Create(Alice(), input);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  input.requester_email = "stranger@example.com";  // would otherwise create a user
  refused = Create(Alice(), input);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_EQ(Snapshot(), before);
}

// ---------------------------------------------------------------------------
// Get

TEST_P(TicketServiceTest, RequesterCannotSeeSomeoneElsesTicket) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(svc().Get(Alice(), ticket.id));
  ASSERT_OK(svc().Get(Agent(), ticket.id));
  ASSERT_OK(svc().Get(Actor::Of(lead_), ticket.id));

  auto hidden = svc().Get(Bob(), ticket.id);
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);
  // The refusal looks exactly like a ticket that does not exist.
  auto missing = svc().Get(Bob(), ticket.id + 1000);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().Get(Agent(), ticket.id + 1000).status().code(), StatusCode::kNotFound);

  // The same holds for comments and history.
  EXPECT_EQ(svc().ListComments(Bob(), ticket.id, std::nullopt, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().ListEvents(Bob(), ticket.id, std::nullopt, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().AddComment(Bob(), ticket.id, {"me too", false}).status().code(), StatusCode::kNotFound);
  TicketPatch solve;
  solve.status = "solved";
  EXPECT_EQ(svc().Update(Bob(), ticket.id, solve).status().code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------
// List

class TicketListTest : public TicketServiceTest {
 protected:
  void SetUp() override {
    TicketServiceTest::SetUp();
    if (HasFatalFailure()) return;
    // t1: alice, ingestion, high, {db}, agent, open
    NewTicket n1 = Basic("one");
    n1.queue = QueueRef{std::nullopt, "ingestion"};
    n1.priority = "high";
    n1.tags = {"db"};
    ASSERT_OK_AND_ASSIGN(t1_, Create(Alice(), n1));
    clock_.Advance(1000);
    // t2: alice, query-engine, low, no tags, unassigned, new
    NewTicket n2 = Basic("two");
    n2.queue = QueueRef{query_engine_.id, std::nullopt};
    n2.priority = "low";
    ASSERT_OK_AND_ASSIGN(t2_, Create(Alice(), n2));
    clock_.Advance(1000);
    // t3: bob, ingestion, urgent, {db, outage}, agent2, pending
    NewTicket n3 = Basic("three");
    n3.queue = QueueRef{std::nullopt, "ingestion"};
    n3.priority = "urgent";
    n3.tags = {"db", "outage"};
    ASSERT_OK_AND_ASSIGN(t3_, Create(Bob(), n3));
    clock_.Advance(1000);
    // t4: bob, no queue, normal, {outage}, unassigned, new
    NewTicket n4 = Basic("four");
    n4.tags = {"outage"};
    ASSERT_OK_AND_ASSIGN(t4_, Create(Bob(), n4));
    clock_.Advance(1000);

    TicketPatch assign1;
    assign1.assignee_id.emplace(agent_.id);  // opens it
    ASSERT_OK(svc().Update(Agent(), t1_.id, assign1));
    TicketPatch assign3;
    assign3.assignee_id.emplace(agent2_.id);
    assign3.status = "pending";
    ASSERT_OK(svc().Update(Agent(), t3_.id, assign3));
    after_setup_ = clock_.NowMs();
  }

  std::set<int64_t> Matching(const TicketFilter& filter, const Actor& actor) { return IdSet(ListAll(actor, filter)); }
  std::set<int64_t> Matching(const TicketFilter& filter) { return Matching(filter, Agent()); }

  Ticket t1_, t2_, t3_, t4_;
  TimestampMs after_setup_ = 0;
};

TEST_P(TicketListTest, FiltersSelectExactlyTheMatchingTickets) {
  TicketFilter all;
  EXPECT_EQ(Matching(all), (std::set<int64_t>{t1_.id, t2_.id, t3_.id, t4_.id}));

  TicketFilter f;
  f.statuses = {TicketStatus::kNew};
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t2_.id, t4_.id}));
  f.statuses = {TicketStatus::kOpen, TicketStatus::kPending};
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t1_.id, t3_.id}));
  f.statuses = {TicketStatus::kClosed};
  EXPECT_EQ(Matching(f), (std::set<int64_t>{}));

  TicketFilter by_queue_name;
  by_queue_name.queue = QueueRef{std::nullopt, "ingestion"};
  EXPECT_EQ(Matching(by_queue_name), (std::set<int64_t>{t1_.id, t3_.id}));
  TicketFilter by_queue_id;
  by_queue_id.queue = QueueRef{query_engine_.id, std::nullopt};
  EXPECT_EQ(Matching(by_queue_id), (std::set<int64_t>{t2_.id}));
  TicketFilter by_unknown_queue;
  by_unknown_queue.queue = QueueRef{std::nullopt, "nope"};
  EXPECT_EQ(Matching(by_unknown_queue), (std::set<int64_t>{}));

  TicketFilter by_assignee;
  by_assignee.assignee_id = agent_.id;
  EXPECT_EQ(Matching(by_assignee), (std::set<int64_t>{t1_.id}));
  TicketFilter unassigned;
  unassigned.unassigned = true;
  EXPECT_EQ(Matching(unassigned), (std::set<int64_t>{t2_.id, t4_.id}));

  TicketFilter by_requester;
  by_requester.requester_id = bob_.id;
  EXPECT_EQ(Matching(by_requester), (std::set<int64_t>{t3_.id, t4_.id}));

  TicketFilter by_priority;
  by_priority.priority = Priority::kUrgent;
  EXPECT_EQ(Matching(by_priority), (std::set<int64_t>{t3_.id}));
  by_priority.priority = Priority::kNormal;
  EXPECT_EQ(Matching(by_priority), (std::set<int64_t>{t4_.id}));

  TicketFilter by_tag;
  by_tag.tag = "outage";
  EXPECT_EQ(Matching(by_tag), (std::set<int64_t>{t3_.id, t4_.id}));
  by_tag.tag = "DB";  // tags are lower-case; the filter is too
  EXPECT_EQ(Matching(by_tag), (std::set<int64_t>{t1_.id, t3_.id}));

  TicketFilter combined;
  combined.queue = QueueRef{std::nullopt, "ingestion"};
  combined.tag = "outage";
  EXPECT_EQ(Matching(combined), (std::set<int64_t>{t3_.id}));
}

TEST_P(TicketListTest, UpdatedSinceIsInclusive) {
  clock_.Advance(60'000);
  TimestampMs changed_at = clock_.NowMs();
  TicketPatch patch;
  patch.priority = "high";
  ASSERT_OK(svc().Update(Agent(), t2_.id, patch));

  TicketFilter f;
  f.updated_since = changed_at;
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t2_.id}));
  f.updated_since = changed_at + 1;
  EXPECT_EQ(Matching(f), (std::set<int64_t>{}));
  f.updated_since = kStart;
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t1_.id, t2_.id, t3_.id, t4_.id}));
}

TEST_P(TicketListTest, TagFilterFollowsTagChanges) {
  TicketPatch patch;
  patch.tags = std::vector<std::string>{"billing"};
  ASSERT_OK(svc().Update(Agent(), t4_.id, patch));
  TicketFilter f;
  f.tag = "outage";
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t3_.id}));
  f.tag = "billing";
  EXPECT_EQ(Matching(f), (std::set<int64_t>{t4_.id}));
}

// Filter values arrive from URL query parameters, which may hold any bytes. A
// value no ticket can match is an empty result on both engines, not an error
// from one of them.
TEST_P(TicketListTest, FilterValuesThatCannotMatchGiveEmptyPage) {
  TicketFilter by_tag;
  by_tag.tag = "outage\xFF";
  EXPECT_EQ(Matching(by_tag), (std::set<int64_t>{}));
  TicketFilter by_queue;
  by_queue.queue = QueueRef{std::nullopt, "ingestion\xC3"};
  EXPECT_EQ(Matching(by_queue), (std::set<int64_t>{}));
  by_queue.queue = QueueRef{std::nullopt, "no-such-queue"};
  EXPECT_EQ(Matching(by_queue), (std::set<int64_t>{}));
}

TEST_P(TicketServiceTest, UpdateWithInvalidUtf8QueueNameIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::string before = Snapshot();
  TicketPatch patch;
  patch.queue.emplace(QueueRef{std::nullopt, "query-engine\xFF"});
  auto refused = svc().Update(Agent(), ticket.id, patch);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
  EXPECT_EQ(refused.status().fields().count("queue"), 1u);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketListTest, RequesterListsOnlyOwnTicketsWhateverTheFilter) {
  TicketFilter none;
  EXPECT_EQ(Matching(none, Alice()), (std::set<int64_t>{t1_.id, t2_.id}));
  EXPECT_EQ(Matching(none, Bob()), (std::set<int64_t>{t3_.id, t4_.id}));

  TicketFilter asks_for_bob;
  asks_for_bob.requester_id = bob_.id;
  EXPECT_EQ(Matching(asks_for_bob, Alice()), (std::set<int64_t>{}));

  TicketFilter asks_for_self;
  asks_for_self.requester_id = alice_.id;
  EXPECT_EQ(Matching(asks_for_self, Alice()), (std::set<int64_t>{t1_.id, t2_.id}));

  // Other filters still narrow the requester's own tickets, never widen them.
  TicketFilter by_queue;
  by_queue.queue = QueueRef{std::nullopt, "ingestion"};
  EXPECT_EQ(Matching(by_queue, Alice()), (std::set<int64_t>{t1_.id}));
  TicketFilter by_tag;
  by_tag.tag = "outage";
  EXPECT_EQ(Matching(by_tag, Alice()), (std::set<int64_t>{}));
}

TEST_P(TicketServiceTest, EachSortOrderOrdersTheWholeList) {
  // created_at and updated_at set so that the six orders all differ.
  clock_.Set(kStart + 3000);
  ASSERT_OK_AND_ASSIGN(Ticket a, AliceTicket("a"));
  clock_.Set(kStart + 1000);
  ASSERT_OK_AND_ASSIGN(Ticket b, AliceTicket("b"));
  clock_.Set(kStart + 2000);
  ASSERT_OK_AND_ASSIGN(Ticket c, AliceTicket("c"));
  const std::pair<const Ticket*, TimestampMs> updates[] = {{&a, 5000}, {&b, 4000}, {&c, 6000}};
  for (const auto& [ticket, at] : updates) {
    clock_.Set(kStart + at);
    TicketPatch patch;
    patch.priority = "high";
    ASSERT_OK(svc().Update(Agent(), ticket->id, patch));
  }

  const std::vector<std::pair<TicketSort, std::vector<int64_t>>> cases = {
      {TicketSort::kCreatedAsc, {b.id, c.id, a.id}}, {TicketSort::kCreatedDesc, {a.id, c.id, b.id}},
      {TicketSort::kUpdatedAsc, {b.id, a.id, c.id}}, {TicketSort::kUpdatedDesc, {c.id, a.id, b.id}},
      {TicketSort::kIdAsc, {a.id, b.id, c.id}},      {TicketSort::kIdDesc, {c.id, b.id, a.id}},
  };
  for (const auto& [sort, expected] : cases) {
    SCOPED_TRACE(static_cast<int>(sort));
    TicketFilter f;
    f.sort = sort;
    EXPECT_EQ(Ids(ListAll(Agent(), f)), expected);
  }
  // The default is most recently updated first.
  EXPECT_EQ(Ids(ListAll(Agent(), TicketFilter{})), (std::vector<int64_t>{c.id, a.id, b.id}));
}

TEST_P(TicketServiceTest, CursorPaginationVisitsEveryTicketOnce) {
  // Seven tickets, two per timestamp, so pages break inside runs of equal sort values.
  constexpr int kTickets = 7;
  constexpr int kPageSize = 3;
  for (int i = 0; i < kTickets; ++i) {
    if (i % 2 == 0) clock_.Advance(1000);
    ASSERT_OK(AliceTicket("ticket " + std::to_string(i)));
  }
  for (TicketSort sort : {TicketSort::kUpdatedDesc, TicketSort::kUpdatedAsc, TicketSort::kCreatedDesc,
                          TicketSort::kCreatedAsc, TicketSort::kIdDesc, TicketSort::kIdAsc}) {
    SCOPED_TRACE(static_cast<int>(sort));
    TicketFilter whole;
    whole.sort = sort;
    std::vector<int64_t> expected = Ids(ListAll(Agent(), whole));
    ASSERT_EQ(expected.size(), static_cast<size_t>(kTickets));

    std::vector<int64_t> walked;
    std::vector<size_t> page_sizes;
    TicketFilter f;
    f.sort = sort;
    f.limit = kPageSize;
    for (int guard = 0; guard < 10; ++guard) {
      ASSERT_OK_AND_ASSIGN(Page<Ticket> page, svc().List(Agent(), f));
      page_sizes.push_back(page.items.size());
      for (const auto& t : page.items) walked.push_back(t.id);
      if (!page.next_cursor) break;
      f.cursor = page.next_cursor;
    }
    EXPECT_EQ(walked, expected);
    EXPECT_EQ(std::set<int64_t>(walked.begin(), walked.end()).size(), walked.size()) << "duplicates";
    EXPECT_EQ(page_sizes, (std::vector<size_t>{3, 3, 1}));
  }
}

TEST_P(TicketServiceTest, ListRejectsForeignCursor) {
  TicketFilter f;
  f.cursor = "not a cursor!";
  auto page = svc().List(Agent(), f);
  ASSERT_EQ(page.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(page.status().fields().count("cursor"), 1u);
}

// ---------------------------------------------------------------------------
// Update

TEST_P(TicketServiceTest, EachChangedFieldEmitsFieldChangedEvent) {
  NewTicket input = Basic("Old subject");
  input.queue = QueueRef{std::nullopt, "ingestion"};
  input.tags = {"db"};
  ASSERT_OK_AND_ASSIGN(Ticket ticket, Create(Alice(), input));
  clock_.Advance(5000);

  TicketPatch patch;
  patch.subject = "New subject";
  patch.status = "pending";
  patch.priority = "urgent";
  patch.queue.emplace(QueueRef{std::nullopt, "query-engine"});
  patch.assignee_id.emplace(agent2_.id);
  patch.tags = std::vector<std::string>{"outage", "db", "sev1"};
  ASSERT_OK_AND_ASSIGN(Ticket updated, svc().Update(Agent(), ticket.id, patch));
  EXPECT_EQ(updated.subject, "New subject");
  EXPECT_EQ(updated.status, TicketStatus::kPending);  // explicit status wins over "assigning opens"
  EXPECT_EQ(updated.priority, Priority::kUrgent);
  EXPECT_EQ(updated.queue_id, query_engine_.id);
  ASSERT_TRUE(updated.assignee.has_value());
  EXPECT_EQ(updated.assignee->id, agent2_.id);
  EXPECT_EQ(updated.tags, (std::vector<std::string>{"db", "outage", "sev1"}));
  EXPECT_EQ(updated.version, ticket.version + 1);
  EXPECT_EQ(updated.updated_at, clock_.NowMs());
  EXPECT_EQ(updated.created_at, ticket.created_at);

  auto events = Events(Agent(), ticket.id);
  std::vector<Change> changes = FieldChanges(events);
  const std::vector<Change> expected = {
      {"subject", "Old subject", "New subject"},
      {"status", "new", "pending"},
      {"priority", "normal", "urgent"},
      {"queue_id", std::to_string(ingestion_.id), std::to_string(query_engine_.id)},
      {"assignee_id", std::nullopt, std::to_string(agent2_.id)},
      {"tags", "db", "db outage sev1"},
  };
  EXPECT_EQ(changes, expected);
  for (const auto& e : events) {
    if (e.kind != "field_changed") continue;
    EXPECT_EQ(e.actor_id, agent_.id);
    EXPECT_EQ(e.at, clock_.NowMs());
  }

  // Removing the queue and the assignee records the old values and no new ones.
  clock_.Advance(1000);
  TicketPatch clear;
  clear.queue.emplace(std::nullopt);
  clear.assignee_id.emplace(std::nullopt);
  ASSERT_OK_AND_ASSIGN(Ticket cleared, svc().Update(Agent(), ticket.id, clear));
  EXPECT_FALSE(cleared.queue_id.has_value());
  EXPECT_EQ(cleared.queue_name, "");
  EXPECT_FALSE(cleared.assignee.has_value());
  changes = FieldChanges(Events(Agent(), ticket.id));
  ASSERT_EQ(changes.size(), expected.size() + 2);
  EXPECT_EQ(changes[expected.size()], (Change{"queue_id", std::to_string(query_engine_.id), std::nullopt}));
  EXPECT_EQ(changes[expected.size() + 1], (Change{"assignee_id", std::to_string(agent2_.id), std::nullopt}));
}

TEST_P(TicketServiceTest, UpdateWithoutChangesWritesNothing) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket("Same"));
  std::string before = Snapshot();
  clock_.Advance(1000);
  TicketPatch patch;
  patch.subject = "Same";
  patch.priority = "normal";
  ASSERT_OK_AND_ASSIGN(Ticket unchanged, svc().Update(Agent(), ticket.id, patch));
  EXPECT_EQ(unchanged.version, ticket.version);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, StaleIfMatchVersionChangesNothing) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket("Versioned"));
  TicketPatch first;
  first.priority = "high";
  first.expected_version = ticket.version;
  ASSERT_OK_AND_ASSIGN(Ticket v2, svc().Update(Agent(), ticket.id, first));
  EXPECT_EQ(v2.version, ticket.version + 1);

  std::string before = Snapshot();
  clock_.Advance(1000);
  TicketPatch stale;
  stale.subject = "Lost update";
  stale.expected_version = ticket.version;  // the version before `first`
  auto refused = svc().Update(Agent(), ticket.id, stale);
  EXPECT_EQ(refused.status().code(), StatusCode::kPreconditionFailed) << refused.status().ToString();
  EXPECT_EQ(Snapshot(), before);

  stale.expected_version = v2.version;
  ASSERT_OK_AND_ASSIGN(Ticket v3, svc().Update(Agent(), ticket.id, stale));
  EXPECT_EQ(v3.subject, "Lost update");
  EXPECT_EQ(v3.version, v2.version + 1);
}

TEST_P(TicketServiceTest, ClosedIsFinal) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(SetStatus(ticket.id, "closed"));
  std::string before = Snapshot();

  for (const char* status : {"open", "solved", "pending"}) {
    SCOPED_TRACE(status);
    auto refused = SetStatus(ticket.id, status);
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  }
  TicketPatch subject;
  subject.subject = "Edited after closing";
  EXPECT_EQ(svc().Update(Agent(), ticket.id, subject).status().code(), StatusCode::kFailedPrecondition);
  TicketPatch assign;
  assign.assignee_id.emplace(agent_.id);
  EXPECT_EQ(svc().Update(Agent(), ticket.id, assign).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, NothingReturnsToNew) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(SetStatus(ticket.id, "open"));
  std::string before = Snapshot();
  auto refused = SetStatus(ticket.id, "new");
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
  EXPECT_EQ(refused.status().fields().count("status"), 1u);
  EXPECT_EQ(Snapshot(), before);

  auto unknown = SetStatus(ticket.id, "reopened");
  ASSERT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().fields().count("status"), 1u);
}

TEST_P(TicketServiceTest, StatusMovesFreelyBetweenOpenStates) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  for (const char* status : {"pending", "on_hold", "open", "solved", "open", "solved", "closed"}) {
    SCOPED_TRACE(status);
    ASSERT_OK_AND_ASSIGN(Ticket t, SetStatus(ticket.id, status));
    EXPECT_STREQ(StatusName(t.status), status);
  }
}

TEST_P(TicketServiceTest, RequesterMayOnlyMarkSolved) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::string before = Snapshot();

  TicketPatch priority;
  priority.priority = "urgent";
  EXPECT_EQ(svc().Update(Alice(), ticket.id, priority).status().code(), StatusCode::kPermissionDenied);
  TicketPatch reopen;
  reopen.status = "open";
  EXPECT_EQ(svc().Update(Alice(), ticket.id, reopen).status().code(), StatusCode::kPermissionDenied);
  TicketPatch closed;
  closed.status = "closed";
  EXPECT_EQ(svc().Update(Alice(), ticket.id, closed).status().code(), StatusCode::kPermissionDenied);
  TicketPatch solve_and_retitle;
  solve_and_retitle.status = "solved";
  solve_and_retitle.subject = "Mine now";
  EXPECT_EQ(svc().Update(Alice(), ticket.id, solve_and_retitle).status().code(), StatusCode::kPermissionDenied);
  TicketPatch solve;
  solve.status = "solved";
  EXPECT_EQ(svc().Update(Bob(), ticket.id, solve).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Snapshot(), before);

  ASSERT_OK_AND_ASSIGN(Ticket solved, svc().Update(Alice(), ticket.id, solve));
  EXPECT_EQ(solved.status, TicketStatus::kSolved);
  EXPECT_EQ(FieldChanges(Events(Alice(), ticket.id)), (std::vector<Change>{{"status", "new", "solved"}}));
}

TEST_P(TicketServiceTest, AssigningNewTicketOpensIt) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  TicketPatch assign;
  assign.assignee_id.emplace(agent_.id);
  ASSERT_OK_AND_ASSIGN(Ticket assigned, svc().Update(Agent(), ticket.id, assign));
  EXPECT_EQ(assigned.status, TicketStatus::kOpen);
  ASSERT_TRUE(assigned.assignee.has_value());
  EXPECT_EQ(assigned.assignee->id, agent_.id);
  EXPECT_EQ(assigned.assignee->email, "agent@example.com");
  auto changes = FieldChanges(Events(Agent(), ticket.id));
  EXPECT_EQ(changes, (std::vector<Change>{{"status", "new", "open"},
                                          {"assignee_id", std::nullopt, std::to_string(agent_.id)}}));

  // Re-assigning an open ticket leaves its status alone.
  ASSERT_OK(SetStatus(ticket.id, "pending"));
  TicketPatch reassign;
  reassign.assignee_id.emplace(agent2_.id);
  ASSERT_OK_AND_ASSIGN(Ticket reassigned, svc().Update(Agent(), ticket.id, reassign));
  EXPECT_EQ(reassigned.status, TicketStatus::kPending);
}

TEST_P(TicketServiceTest, AssigneeMustBeActiveStaff) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::string before = Snapshot();
  for (int64_t candidate : {bob_.id, alice_.id, retired_.id, int64_t{987654}}) {
    SCOPED_TRACE(candidate);
    TicketPatch patch;
    patch.assignee_id.emplace(candidate);
    auto refused = svc().Update(Agent(), ticket.id, patch);
    ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
    EXPECT_EQ(refused.status().fields().count("assignee_id"), 1u);
  }
  EXPECT_EQ(Snapshot(), before);
  for (const User* staff : {&agent_, &lead_}) {
    TicketPatch patch;
    patch.assignee_id.emplace(staff->id);
    ASSERT_OK(svc().Update(Agent(), ticket.id, patch));
  }
}

TEST_P(TicketServiceTest, UpdateRejectsInvalidFieldsAndUnknownQueue) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::string before = Snapshot();
  TicketPatch bad;
  bad.subject = std::string(251, 'x');
  bad.priority = "asap";
  bad.tags = std::vector<std::string>{"UPPER CASE"};
  auto refused = svc().Update(Agent(), ticket.id, bad);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("subject"), 1u);
  EXPECT_EQ(refused.status().fields().count("priority"), 1u);
  EXPECT_EQ(refused.status().fields().count("tags"), 1u);

  TicketPatch queue;
  queue.queue.emplace(QueueRef{std::nullopt, "missing"});
  auto no_queue = svc().Update(Agent(), ticket.id, queue);
  ASSERT_EQ(no_queue.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_queue.status().fields().count("queue"), 1u);
  EXPECT_EQ(Snapshot(), before);
}

// ---------------------------------------------------------------------------
// Comments

TEST_P(TicketServiceTest, InternalNotesAreHiddenFromRequester) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK_AND_ASSIGN(Comment note, svc().AddComment(Agent(), ticket.id, {"Customer is on the old build", true}));
  ASSERT_OK_AND_ASSIGN(Comment reply, svc().AddComment(Agent(), ticket.id, {"Could you upgrade?", false}));
  EXPECT_TRUE(note.is_internal);
  EXPECT_EQ(note.author.id, agent_.id);

  auto staff_view = Comments(Agent(), ticket.id);
  ASSERT_EQ(staff_view.size(), 2u);
  EXPECT_EQ(staff_view[0].id, note.id);
  EXPECT_EQ(staff_view[1].id, reply.id);
  auto requester_view = Comments(Alice(), ticket.id);
  ASSERT_EQ(requester_view.size(), 1u);
  EXPECT_EQ(requester_view[0].id, reply.id);
  EXPECT_EQ(requester_view[0].body, "Could you upgrade?");

  auto staff_events = Events(Agent(), ticket.id);
  auto requester_events = Events(Alice(), ticket.id);
  int internal_seen_by_staff = 0;
  for (const auto& e : staff_events) internal_seen_by_staff += e.is_internal ? 1 : 0;
  EXPECT_EQ(internal_seen_by_staff, 1);
  EXPECT_EQ(requester_events.size(), staff_events.size() - 1);
  for (const auto& e : requester_events) {
    EXPECT_FALSE(e.is_internal);
    EXPECT_NE(e.after, std::optional<std::string>(std::to_string(note.id))) << "the note's event leaked";
  }
}

TEST_P(TicketServiceTest, RequesterCannotWriteInternalNotes) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::string before = Snapshot();
  auto refused = svc().AddComment(Alice(), ticket.id, {"pretend note", true});
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, CommentBodyIsValidated) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  for (const std::string& body : {std::string(""), std::string("  \n "), std::string(kMaxBodyBytes + 1, 'x'),
                                  std::string("bad \xFF"), std::string("nul\0here", 8)}) {
    auto refused = svc().AddComment(Alice(), ticket.id, {body, false});
    ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().fields().count("body"), 1u);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments"), 0);
}

TEST_P(TicketServiceTest, RequesterReplyReopensPendingAndSolved) {
  for (const char* waiting : {"pending", "solved"}) {
    SCOPED_TRACE(waiting);
    ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket(std::string("waiting ") + waiting));
    ASSERT_OK(SetStatus(ticket.id, "open"));
    ASSERT_OK(SetStatus(ticket.id, waiting));
    ASSERT_OK_AND_ASSIGN(Ticket before, svc().Get(Agent(), ticket.id));
    clock_.Advance(1000);
    ASSERT_OK(svc().AddComment(Alice(), ticket.id, {"Still broken", false}));
    ASSERT_OK_AND_ASSIGN(Ticket after, svc().Get(Agent(), ticket.id));
    EXPECT_EQ(after.status, TicketStatus::kOpen);
    EXPECT_GT(after.version, before.version);
    EXPECT_EQ(after.updated_at, clock_.NowMs());
    auto changes = FieldChanges(Events(Alice(), ticket.id));
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.back(), (Change{"status", waiting, "open"}));
  }
}

TEST_P(TicketServiceTest, OtherRepliesDoNotReopen) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(SetStatus(ticket.id, "pending"));
  ASSERT_OK(svc().AddComment(Agent(), ticket.id, {"Any news?", false}));
  ASSERT_OK(svc().AddComment(Agent(), ticket.id, {"note to self", true}));
  ASSERT_OK_AND_ASSIGN(Ticket after, svc().Get(Agent(), ticket.id));
  EXPECT_EQ(after.status, TicketStatus::kPending);
}

TEST_P(TicketServiceTest, AgentPublicReplyOpensNewTicket) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(svc().AddComment(Agent(), ticket.id, {"internal first", true}));
  ASSERT_OK_AND_ASSIGN(Ticket still_new, svc().Get(Agent(), ticket.id));
  EXPECT_EQ(still_new.status, TicketStatus::kNew);
  ASSERT_OK(svc().AddComment(Agent(), ticket.id, {"Looking into it", false}));
  ASSERT_OK_AND_ASSIGN(Ticket opened, svc().Get(Agent(), ticket.id));
  EXPECT_EQ(opened.status, TicketStatus::kOpen);
}

TEST_P(TicketServiceTest, ClosedTicketRefusesComments) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  ASSERT_OK(SetStatus(ticket.id, "closed"));
  std::string before = Snapshot();
  EXPECT_EQ(svc().AddComment(Alice(), ticket.id, {"hello?", false}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().AddComment(Agent(), ticket.id, {"note", true}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, CommentPagesWalkInOrder) {
  ASSERT_OK_AND_ASSIGN(Ticket ticket, AliceTicket());
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(Comment c, svc().AddComment(Alice(), ticket.id, {"reply " + std::to_string(i), false}));
    ids.push_back(c.id);
  }
  std::vector<int64_t> walked;
  std::optional<std::string> cursor;
  for (int guard = 0; guard < 10; ++guard) {
    ASSERT_OK_AND_ASSIGN(Page<Comment> page, svc().ListComments(Alice(), ticket.id, cursor, 2));
    for (const auto& c : page.items) walked.push_back(c.id);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  EXPECT_EQ(walked, ids);
}

// ---------------------------------------------------------------------------
// Events and atomicity

TEST_P(TicketServiceTest, EveryChangeHasItsEvent) {
  ASSERT_OK_AND_ASSIGN(Ticket a, AliceTicket("a"));
  ASSERT_OK_AND_ASSIGN(Ticket b, AliceTicket("b"));
  auto count_events = [&](int64_t id) {
    return Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?", {id});
  };
  EXPECT_EQ(count_events(a.id), 1);  // created

  TicketPatch patch;
  patch.priority = "high";
  ASSERT_OK(svc().Update(Agent(), a.id, patch));
  EXPECT_EQ(count_events(a.id), 2);
  ASSERT_OK(svc().AddComment(Agent(), a.id, {"note", true}));
  EXPECT_EQ(count_events(a.id), 3);
  ASSERT_OK(svc().AddLink(Agent(), a.id, {"related", b.id}));
  EXPECT_EQ(count_events(a.id), 4);
  EXPECT_EQ(count_events(b.id), 2);

  // A failed update leaves neither a change nor an event.
  std::string before = Snapshot();
  TicketPatch bad;
  bad.priority = "low";
  bad.assignee_id.emplace(bob_.id);  // a requester: refused after the priority was applied in memory
  ASSERT_FALSE(svc().Update(Agent(), a.id, bad).ok());
  EXPECT_EQ(Snapshot(), before);
}

// Fails a statement in the middle of each writing operation, after some of its
// writes already ran, and checks that none of them survived.
TEST_P(TicketServiceTest, ChangeAndEventsCommitTogetherOrNotAtAll) {
  // Fixture state shared by the cases: a source ticket with comments, a target.
  ASSERT_OK_AND_ASSIGN(Ticket source, AliceTicket("source"));
  ASSERT_OK_AND_ASSIGN(Ticket target, AliceTicket("target"));
  ASSERT_OK(svc().AddComment(Alice(), source.id, {"first", false}));
  ASSERT_OK(svc().AddComment(Agent(), source.id, {"note", true}));
  ASSERT_OK(SetStatus(source.id, "pending"));

  FaultInjectionDatabase faulty(db());
  TicketService faulty_svc(faulty, clock_);

  struct Op {
    const char* name;
    const char* sql_contains;
    int fail_on_match;
    std::function<Status()> run;
  };
  const std::vector<Op> ops = {
      {"create: the created event", "INSERT INTO ticket_events", 1,
       [&] {
         NewTicket input = Basic("phone call");
         input.requester_email = "new.caller@example.com";
         input.tags = {"x", "y"};
         return faulty_svc.Create(Agent(), input).status();
       }},
      {"create: the idempotency record", "INSERT INTO idempotency_keys", 1,
       [&] { return faulty_svc.Create(Alice(), Basic("keyed"), std::string("key-1")).status(); }},
      {"update: the third field event", "INSERT INTO ticket_events", 3,
       [&] {
         TicketPatch patch;
         patch.subject = "renamed";
         patch.priority = "urgent";
         patch.tags = std::vector<std::string>{"z"};
         patch.assignee_id.emplace(agent_.id);
         return faulty_svc.Update(Agent(), target.id, patch).status();
       }},
      {"comment: the reopening status event", "INSERT INTO ticket_events", 2,
       [&] { return faulty_svc.AddComment(Alice(), source.id, {"still broken", false}).status(); }},
      {"comment: touching the ticket", "SET updated_at", 1,
       [&] { return faulty_svc.AddComment(Agent(), target.id, {"hello", false}).status(); }},
      {"link: the other ticket's event", "INSERT INTO ticket_events", 2,
       [&] { return faulty_svc.AddLink(Agent(), source.id, {"parent", target.id}).status(); }},
      {"merge: the duplicate link's event on the target", "INSERT INTO ticket_events", 6,
       [&] { return faulty_svc.Merge(Agent(), source.id, target.id).status(); }},
      {"merge: closing the source", "UPDATE tickets SET subject", 1,
       [&] { return faulty_svc.Merge(Agent(), source.id, target.id).status(); }},
  };
  for (const auto& op : ops) {
    SCOPED_TRACE(op.name);
    std::string before = Snapshot();
    clock_.Advance(1000);
    faulty.plan() = FaultPlan{op.sql_contains, op.fail_on_match};
    Status status = op.run();
    EXPECT_TRUE(faulty.plan().fired) << "the fault was never reached; the case tests nothing";
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
    EXPECT_EQ(Snapshot(), before);
  }
  // With no fault the same operations succeed: the failures above were the
  // injected ones, not a broken fixture.
  faulty.plan() = FaultPlan{};
  ASSERT_OK(faulty_svc.Merge(Agent(), source.id, target.id));
}

// ---------------------------------------------------------------------------
// Idempotency

TEST_P(TicketServiceTest, SameKeySameInputReplaysTheFirstTicket) {
  NewTicket input = Basic("Payment failed");
  input.tags = {"billing"};
  ASSERT_OK_AND_ASSIGN(CreateOutcome first, svc().Create(Alice(), input, std::string("retry-123")));
  EXPECT_FALSE(first.replayed);
  clock_.Advance(1000);
  ASSERT_OK_AND_ASSIGN(CreateOutcome second, svc().Create(Alice(), input, std::string("retry-123")));
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.ticket.id, first.ticket.id);
  EXPECT_EQ(second.ticket.subject, "Payment failed");
  EXPECT_EQ(second.ticket.created_at, first.ticket.created_at);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_events WHERE kind = 'created'"), 1);
}

TEST_P(TicketServiceTest, SameKeyDifferentInputIsConflict) {
  ASSERT_OK(svc().Create(Alice(), Basic("First"), std::string("k")));
  std::string before = Snapshot();
  auto conflict = svc().Create(Alice(), Basic("Second"), std::string("k"));
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  NewTicket other_priority = Basic("First");
  other_priority.priority = "high";
  EXPECT_EQ(svc().Create(Alice(), other_priority, std::string("k")).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, KeysAreIndependentPerUser) {
  NewTicket input = Basic("Same words");
  ASSERT_OK_AND_ASSIGN(CreateOutcome alice, svc().Create(Alice(), input, std::string("shared-key")));
  ASSERT_OK_AND_ASSIGN(CreateOutcome bob, svc().Create(Bob(), input, std::string("shared-key")));
  EXPECT_FALSE(alice.replayed);
  EXPECT_FALSE(bob.replayed);
  EXPECT_NE(alice.ticket.id, bob.ticket.id);
  EXPECT_EQ(alice.ticket.requester.id, alice_.id);
  EXPECT_EQ(bob.ticket.requester.id, bob_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 2);
  // Bob's replay returns Bob's ticket, not Alice's.
  ASSERT_OK_AND_ASSIGN(CreateOutcome bob_again, svc().Create(Bob(), input, std::string("shared-key")));
  EXPECT_TRUE(bob_again.replayed);
  EXPECT_EQ(bob_again.ticket.id, bob.ticket.id);
}

TEST_P(TicketServiceTest, IdempotencyKeyIsValidated) {
  for (const std::string& key : {std::string(""), std::string(256, 'k'), std::string("line\nbreak")}) {
    auto refused = svc().Create(Alice(), Basic("x"), key);
    ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().fields().count("Idempotency-Key"), 1u);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 0);
}

// ---------------------------------------------------------------------------
// Links

TEST_P(TicketServiceTest, LinksAreWrittenBothWaysWithEvents) {
  ASSERT_OK_AND_ASSIGN(Ticket parent, AliceTicket("parent"));
  ASSERT_OK_AND_ASSIGN(Ticket child, AliceTicket("child"));
  ASSERT_OK_AND_ASSIGN(Ticket related, AliceTicket("related"));
  clock_.Advance(1000);

  ASSERT_OK_AND_ASSIGN(Ticket linked, svc().AddLink(Agent(), parent.id, {"parent", child.id}));
  EXPECT_EQ(Links(linked), (std::vector<std::pair<std::string, int64_t>>{{"parent", child.id}}));
  ASSERT_OK_AND_ASSIGN(Ticket other_side, svc().Get(Agent(), child.id));
  EXPECT_EQ(Links(other_side), (std::vector<std::pair<std::string, int64_t>>{{"child", parent.id}}));
  EXPECT_GT(other_side.version, child.version);
  EXPECT_EQ(other_side.updated_at, clock_.NowMs());

  ASSERT_OK(svc().AddLink(Agent(), parent.id, {"related", related.id}));
  ASSERT_OK_AND_ASSIGN(Ticket related_side, svc().Get(Alice(), related.id));
  EXPECT_EQ(Links(related_side), (std::vector<std::pair<std::string, int64_t>>{{"related", parent.id}}));

  auto last_event = [&](int64_t id) { return Events(Agent(), id).back(); };
  TicketEvent on_child = last_event(child.id);
  EXPECT_EQ(on_child.kind, "linked");
  EXPECT_EQ(on_child.field, "child");
  EXPECT_EQ(on_child.after, std::to_string(parent.id));
  EXPECT_EQ(on_child.actor_id, agent_.id);
  TicketEvent on_related = last_event(related.id);
  EXPECT_EQ(on_related.kind, "linked");
  EXPECT_EQ(on_related.field, "related");
  EXPECT_EQ(on_related.after, std::to_string(parent.id));
  auto parent_events = Events(Agent(), parent.id);
  ASSERT_EQ(parent_events.size(), 3u);
  EXPECT_EQ(parent_events[1].field, "parent");
  EXPECT_EQ(parent_events[1].after, std::to_string(child.id));
  EXPECT_EQ(parent_events[2].field, "related");
}

TEST_P(TicketServiceTest, DuplicateLinkIsNoOp) {
  ASSERT_OK_AND_ASSIGN(Ticket a, AliceTicket("a"));
  ASSERT_OK_AND_ASSIGN(Ticket b, AliceTicket("b"));
  ASSERT_OK(svc().AddLink(Agent(), a.id, {"related", b.id}));
  std::string before = Snapshot();
  clock_.Advance(1000);
  ASSERT_OK_AND_ASSIGN(Ticket again, svc().AddLink(Agent(), a.id, {"related", b.id}));
  EXPECT_EQ(Links(again), (std::vector<std::pair<std::string, int64_t>>{{"related", b.id}}));
  // The same link stated from the other side is the same link.
  ASSERT_OK(svc().AddLink(Agent(), b.id, {"related", a.id}));
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(TicketServiceTest, InvalidLinksAreRefused) {
  ASSERT_OK_AND_ASSIGN(Ticket a, AliceTicket("a"));
  ASSERT_OK_AND_ASSIGN(Ticket b, AliceTicket("b"));
  std::string before = Snapshot();

  auto self = svc().AddLink(Agent(), a.id, {"related", a.id});
  ASSERT_EQ(self.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(self.status().fields().count("ticket_id"), 1u);

  auto kind = svc().AddLink(Agent(), a.id, {"blocks", b.id});
  ASSERT_EQ(kind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kind.status().fields().count("kind"), 1u);
  // duplicated_by is only ever written as the inverse of duplicate_of.
  EXPECT_EQ(svc().AddLink(Agent(), a.id, {"duplicated_by", b.id}).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(svc().AddLink(Agent(), a.id, {"related", b.id + 1000}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().AddLink(Agent(), a.id + 1000, {"related", b.id}).status().code(), StatusCode::kNotFound);

  EXPECT_EQ(svc().AddLink(Alice(), a.id, {"related", b.id}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Snapshot(), before);
}

// ---------------------------------------------------------------------------
// Merge

TEST_P(TicketServiceTest, MergeMovesCommentsAndClosesSource) {
  ASSERT_OK_AND_ASSIGN(Ticket source, AliceTicket("duplicate report"));
  ASSERT_OK_AND_ASSIGN(Ticket target, Create(Bob(), Basic("original report")));
  ASSERT_OK_AND_ASSIGN(Comment s1, svc().AddComment(Alice(), source.id, {"details from alice", false}));
  ASSERT_OK_AND_ASSIGN(Comment s2, svc().AddComment(Agent(), source.id, {"same as the other one", true}));
  ASSERT_OK_AND_ASSIGN(Comment t1, svc().AddComment(Bob(), target.id, {"details from bob", false}));
  clock_.Advance(1000);

  ASSERT_OK_AND_ASSIGN(Ticket merged, svc().Merge(Agent(), source.id, target.id));
  EXPECT_EQ(merged.id, target.id);
  EXPECT_EQ(Links(merged), (std::vector<std::pair<std::string, int64_t>>{{"duplicated_by", source.id}}));
  EXPECT_EQ(merged.updated_at, clock_.NowMs());

  auto target_comments = Comments(Agent(), target.id);
  ASSERT_EQ(target_comments.size(), 3u);
  std::map<int64_t, std::optional<int64_t>> moved_from;
  for (const auto& c : target_comments) {
    moved_from[c.id] = c.moved_from_ticket_id;
    EXPECT_EQ(c.ticket_id, target.id);
  }
  EXPECT_EQ(moved_from[s1.id], source.id);
  EXPECT_EQ(moved_from[s2.id], source.id);
  EXPECT_FALSE(moved_from[t1.id].has_value());
  // A moved internal note stays internal.
  auto bob_view = Comments(Bob(), target.id);
  ASSERT_EQ(bob_view.size(), 2u);
  for (const auto& c : bob_view) EXPECT_NE(c.id, s2.id);
  EXPECT_TRUE(Comments(Agent(), source.id).empty());

  ASSERT_OK_AND_ASSIGN(Ticket closed, svc().Get(Agent(), source.id));
  EXPECT_EQ(closed.status, TicketStatus::kClosed);
  EXPECT_EQ(Links(closed), (std::vector<std::pair<std::string, int64_t>>{{"duplicate_of", target.id}}));

  auto has_event = [](const std::vector<TicketEvent>& events, const std::string& kind, const std::string& after) {
    return std::any_of(events.begin(), events.end(),
                       [&](const TicketEvent& e) { return e.kind == kind && e.after == after; });
  };
  auto source_events = Events(Agent(), source.id);
  auto target_events = Events(Agent(), target.id);
  EXPECT_TRUE(has_event(source_events, "merged_into", std::to_string(target.id)));
  EXPECT_TRUE(has_event(target_events, "merged_from", std::to_string(source.id)));
  EXPECT_FALSE(has_event(source_events, "merged_from", std::to_string(target.id)));
  auto source_changes = FieldChanges(source_events);
  ASSERT_FALSE(source_changes.empty());
  EXPECT_EQ(source_changes.back(), (Change{"status", "new", "closed"}));

  // The source is now closed: it takes no more comments and cannot be merged again.
  EXPECT_EQ(svc().AddComment(Alice(), source.id, {"hello?", false}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(svc().Merge(Agent(), source.id, target.id).ok());
}

TEST_P(TicketServiceTest, MergeIntoClosedOrItselfIsRefused) {
  ASSERT_OK_AND_ASSIGN(Ticket source, AliceTicket("source"));
  ASSERT_OK_AND_ASSIGN(Ticket closed, AliceTicket("closed"));
  ASSERT_OK(svc().AddComment(Alice(), source.id, {"keep me here", false}));
  ASSERT_OK(SetStatus(closed.id, "closed"));
  std::string before = Snapshot();

  auto into_closed = svc().Merge(Agent(), source.id, closed.id);
  EXPECT_FALSE(into_closed.ok());
  EXPECT_EQ(into_closed.status().code(), StatusCode::kInvalidArgument) << into_closed.status().ToString();
  EXPECT_EQ(into_closed.status().fields().count("target_id"), 1u);

  auto into_itself = svc().Merge(Agent(), source.id, source.id);
  EXPECT_EQ(into_itself.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(into_itself.status().fields().count("target_id"), 1u);

  EXPECT_EQ(svc().Merge(Agent(), closed.id, source.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().Merge(Agent(), source.id, source.id + 1000).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(svc().Merge(Alice(), source.id, closed.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Snapshot(), before);
}

// ---------------------------------------------------------------------------
// Counts

TEST_P(TicketServiceTest, CountByStatus) {
  ASSERT_OK_AND_ASSIGN(auto empty, svc().CountByStatus());
  EXPECT_TRUE(empty.empty());

  ASSERT_OK(AliceTicket("new 1"));
  ASSERT_OK(AliceTicket("new 2"));
  ASSERT_OK_AND_ASSIGN(Ticket open, AliceTicket("open"));
  ASSERT_OK(SetStatus(open.id, "open"));
  ASSERT_OK_AND_ASSIGN(Ticket closed, AliceTicket("closed"));
  ASSERT_OK(SetStatus(closed.id, "closed"));
  ASSERT_OK_AND_ASSIGN(Ticket on_hold, AliceTicket("on hold"));
  ASSERT_OK(SetStatus(on_hold.id, "on_hold"));

  ASSERT_OK_AND_ASSIGN(auto counts, svc().CountByStatus());
  EXPECT_EQ(counts, (std::vector<std::pair<std::string, int64_t>>{
                        {"closed", 1}, {"new", 2}, {"on_hold", 1}, {"open", 1}}));
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, TicketServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, TicketListTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::tickets
