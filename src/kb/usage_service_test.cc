// How the knowledge base is used, on both engines: links from tickets with the
// exact version, usage counts, the gaps list, drafts from solved tickets,
// helpful votes, and deflection from the portal's suggestion sessions.
#include "kb/usage_service.h"

#include <gtest/gtest.h>

#include "testing/ticket_desk.h"

namespace opsdesk::kb {
namespace {

using auth::Actor;
using storage::Engine;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

class UsageServiceTest : public test_util::TicketDeskTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TicketDeskTest::SetUp());
    kb_ = std::make_unique<KbService>(db(), clock_);
    usage_ = std::make_unique<UsageService>(db(), clock_, *kb_, svc());
  }

  Actor Lead() const { return Actor::Of(lead_); }

  Article Make(const std::string& title, const std::string& audience, bool publish) {
    ArticleInput in;
    in.title = title;
    in.body = "Steps for " + title + ".";
    in.audience = audience;
    auto a = kb_->Create(Agent(), in);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok() || !publish) return a.ok() ? *a : Article{};
    auto p = kb_->Transition(Lead(), a->id, "published");
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : *a;
  }

  tickets::Ticket File(const Actor& who, const std::string& subject, std::optional<std::string> queue = std::nullopt,
                       std::vector<std::string> tags = {}) {
    tickets::NewTicket in;
    in.subject = subject;
    in.body = "Problem: " + subject;
    if (queue) in.queue = tickets::QueueRef{std::nullopt, *queue};
    in.tags = std::move(tags);
    auto t = svc().Create(who, in);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->ticket : tickets::Ticket{};
  }

  void Solve(int64_t ticket_id) {
    tickets::TicketPatch patch;
    patch.status = "solved";
    auto r = svc().Update(Agent(), ticket_id, patch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }

  std::unique_ptr<KbService> kb_;
  std::unique_ptr<UsageService> usage_;
};

TEST_P(UsageServiceTest, LinksRecordTheVersionUsedAndCountTickets) {
  Article sop = Make("Restart the consumer", "internal", true);
  Article faq = Make("Reading the lag dashboard", "public", true);
  Article draft = Make("Unfinished", "public", false);
  auto t1 = File(Alice(), "Lag on orders");
  auto t2 = File(Bob(), "Lag on payments");

  ASSERT_OK_AND_ASSIGN(auto link, usage_->Link(Agent(), t1.id, sop.id, "resolved_with"));
  EXPECT_EQ(link.article_version, sop.version);
  EXPECT_EQ(link.article_title, "Restart the consumer");
  // The article changes: a new link records the new version, the old one keeps its own.
  ArticleInput edit;
  edit.body = "Better steps.";
  ASSERT_OK(kb_->Update(Lead(), sop.id, edit));
  ASSERT_OK_AND_ASSIGN(auto later, usage_->Link(Agent(), t2.id, sop.id, "resolved_with"));
  EXPECT_EQ(later.article_version, sop.version + 1);
  ASSERT_OK_AND_ASSIGN(auto sent, usage_->Link(Agent(), t2.id, faq.id, "sent_to_requester"));
  EXPECT_EQ(sent.kind, "sent_to_requester");

  ASSERT_OK_AND_ASSIGN(auto t1_links, usage_->ListForTicket(Agent(), t1.id));
  ASSERT_EQ(t1_links.size(), 1u);
  EXPECT_EQ(t1_links[0].article_version, sop.version);
  ASSERT_OK_AND_ASSIGN(auto usage, usage_->Usage(Agent(), sop.id));
  EXPECT_EQ(usage.ticket_count, 2);
  ASSERT_EQ(usage.recent.size(), 2u);
  EXPECT_EQ(usage.recent[0].ticket_id, t2.id) << "newest first";
  EXPECT_EQ(usage.recent[0].subject, "Lag on payments");

  // The ticket's history says so, internally.
  ASSERT_OK_AND_ASSIGN(auto events, svc().ListEvents(Agent(), t1.id, std::nullopt, 100));
  bool seen = false;
  for (const auto& e : events.items) seen = seen || e.kind == "article_linked";
  EXPECT_TRUE(seen);
  ASSERT_OK_AND_ASSIGN(auto alice_events, svc().ListEvents(Alice(), t1.id, std::nullopt, 100));
  for (const auto& e : alice_events.items) EXPECT_NE(e.kind, "article_linked") << "internal";

  // What cannot be linked, and by whom.
  EXPECT_EQ(usage_->Link(Agent(), t1.id, draft.id, "resolved_with").status().fields().count("article_id"), 1u);
  EXPECT_EQ(usage_->Link(Agent(), t1.id, sop.id, "sent_to_requester").status().fields().count("article_id"), 1u)
      << "an internal SOP is never sent to a requester";
  EXPECT_EQ(usage_->Link(Agent(), t1.id, sop.id, "used").status().fields().count("kind"), 1u);
  EXPECT_EQ(usage_->Link(Agent(), 999999, sop.id, "resolved_with").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(usage_->Link(Alice(), t1.id, faq.id, "resolved_with").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(usage_->Usage(Alice(), faq.id).status().code(), StatusCode::kNotFound);

  ASSERT_OK(usage_->Unlink(Agent(), t1.id, sop.id));
  EXPECT_EQ(usage_->Unlink(Agent(), t1.id, sop.id).code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto after, usage_->Usage(Agent(), sop.id));
  EXPECT_EQ(after.ticket_count, 1);
}

TEST_P(UsageServiceTest, GapsAreRecentlySolvedTicketsWithoutAnArticleByComponentAndTag) {
  Article sop = Make("Backfill SOP", "internal", true);
  auto old_one = File(Alice(), "Old backfill", "ingestion", {"backfill"});
  Solve(old_one.id);
  clock_.Advance(40 * kDay);
  auto covered = File(Alice(), "Covered backfill", "ingestion", {"backfill"});
  auto gap1 = File(Alice(), "Backfill A", "ingestion", {"backfill", "kafka"});
  auto gap2 = File(Bob(), "Backfill B", "ingestion", {"backfill"});
  auto untagged = File(Bob(), "Query slow", "query-engine");
  auto unsolved = File(Bob(), "Still open", "ingestion", {"backfill"});
  for (int64_t id : {covered.id, gap1.id, gap2.id, untagged.id}) Solve(id);
  ASSERT_OK(usage_->Link(Agent(), covered.id, sop.id, "resolved_with"));

  ASSERT_OK_AND_ASSIGN(KbGaps gaps, usage_->Gaps(Lead(), 30));
  EXPECT_EQ(gaps.total, 3) << "the old one, the covered one and the open one are not gaps";
  ASSERT_EQ(gaps.groups.size(), 3u);
  EXPECT_EQ(gaps.groups[0].queue, "ingestion");
  EXPECT_EQ(gaps.groups[0].tag, "backfill");
  EXPECT_EQ(gaps.groups[0].count, 2);
  EXPECT_EQ(gaps.groups[0].ticket_ids, (std::vector<int64_t>{gap2.id, gap1.id}));
  bool untagged_group = false, kafka_group = false;
  for (const auto& g : gaps.groups) {
    untagged_group = untagged_group || (g.queue == "query-engine" && !g.tag && g.ticket_ids == std::vector{untagged.id});
    kafka_group = kafka_group || (g.tag == "kafka" && g.ticket_ids == std::vector{gap1.id});
  }
  EXPECT_TRUE(untagged_group);
  EXPECT_TRUE(kafka_group);
  ASSERT_OK_AND_ASSIGN(KbGaps wide, usage_->Gaps(Lead(), 60));
  EXPECT_EQ(wide.total, 4);
  EXPECT_EQ(usage_->Gaps(Agent(), 30).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(usage_->Gaps(Lead(), 0).status().fields().count("days"), 1u);
  (void)unsolved;
}

TEST_P(UsageServiceTest, DraftsAnArticleFromASolvedTicket) {
  auto t = File(Alice(), "Cannot read the orders table", "ingestion", {"acl"});
  ASSERT_OK(svc().AddComment(Alice(), t.id, {"Any news?", false}));
  ASSERT_OK(svc().AddComment(Agent(), t.id, {"Granted SELECT on orders to your group.", false}));
  ASSERT_OK(svc().AddComment(Agent(), t.id, {"internal: done via the ACL tool", true}));
  EXPECT_EQ(usage_->DraftFromTicket(Agent(), t.id).status().code(), StatusCode::kFailedPrecondition);
  Solve(t.id);
  ASSERT_OK_AND_ASSIGN(Article draft, usage_->DraftFromTicket(Agent(), t.id));
  EXPECT_EQ(draft.state, "draft");
  EXPECT_EQ(draft.title, "Cannot read the orders table");
  EXPECT_NE(draft.body.find("## Problem\n\nProblem: Cannot read the orders table"), std::string::npos) << draft.body;
  EXPECT_NE(draft.body.find("## Resolution\n\nGranted SELECT on orders to your group."), std::string::npos)
      << draft.body;
  EXPECT_EQ(draft.body.find("internal: done"), std::string::npos) << "notes stay out of the draft";
  EXPECT_EQ(draft.tags, (std::vector<std::string>{"acl"}));
  EXPECT_EQ(draft.queue_ids, (std::vector<int64_t>{ingestion_.id}));
  EXPECT_EQ(usage_->DraftFromTicket(Alice(), t.id).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(UsageServiceTest, OneVotePerPersonTheLatestCounts) {
  Article faq = Make("Reset a password", "public", true);
  Article sop = Make("Internal runbook", "internal", true);
  ASSERT_OK_AND_ASSIGN(auto c1, usage_->RecordFeedback(Alice(), faq.id, true, ""));
  EXPECT_EQ(c1.helpful, 1);
  ASSERT_OK_AND_ASSIGN(auto c2, usage_->RecordFeedback(Bob(), faq.id, false, "Step 2 is out of date"));
  EXPECT_EQ(c2.not_helpful, 1);
  clock_.Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(auto c3, usage_->RecordFeedback(Alice(), faq.id, false, "Changed my mind"));
  EXPECT_EQ(c3.helpful, 0);
  EXPECT_EQ(c3.not_helpful, 2);
  ASSERT_OK_AND_ASSIGN(auto all, usage_->Feedback(Agent(), faq.id));
  ASSERT_EQ(all.items.size(), 2u);
  EXPECT_EQ(all.items[0].comment, "Changed my mind");
  EXPECT_EQ(all.items[0].article_version, faq.version);
  // Requesters vote only on what they can read, and never read the votes.
  EXPECT_EQ(usage_->RecordFeedback(Alice(), sop.id, true, "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(usage_->Feedback(Alice(), faq.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(usage_->RecordFeedback(Alice(), faq.id, true, std::string(3000, 'x')).status().fields().count("comment"),
            1u);
  ASSERT_OK_AND_ASSIGN(auto staff_vote, usage_->RecordFeedback(Agent(), sop.id, true, ""));
  EXPECT_EQ(staff_vote.helpful, 1);
}

TEST_P(UsageServiceTest, DeflectionCountsSettledSessionsThatViewedASuggestion) {
  Article faq = Make("Quota FAQ", "public", true);
  Article sop = Make("Quota runbook", "internal", true);
  // Alice views a suggestion and files anyway.
  ASSERT_OK(usage_->RecordSuggestionView(Alice(), "session-alice-1", faq.id));
  auto filed = File(Alice(), "Quota still exceeded");
  ASSERT_OK(usage_->RecordFiled(Alice(), "session-alice-1", filed.id));
  // Bob views one, twice, and goes away: deflected once the session settles.
  ASSERT_OK(usage_->RecordSuggestionView(Bob(), "session-bob-1", faq.id));
  ASSERT_OK(usage_->RecordSuggestionView(Bob(), "session-bob-1", faq.id));
  // Bob's second form files without viewing anything: not a suggestion session.
  auto plain = File(Bob(), "Something else");
  ASSERT_OK(usage_->RecordFiled(Bob(), "session-bob-2", plain.id));
  // What cannot be recorded.
  EXPECT_EQ(usage_->RecordSuggestionView(Bob(), "session-bob-1", sop.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(usage_->RecordSuggestionView(Bob(), "x", faq.id).fields().count("session"), 1u);
  EXPECT_EQ(usage_->RecordFiled(Bob(), "session-bob-1", filed.id).code(), StatusCode::kNotFound)
      << "not Bob's ticket";
  ASSERT_OK(usage_->RecordSuggestionView(Agent(), "session-agent", faq.id));  // staff: counted nowhere

  ASSERT_OK_AND_ASSIGN(auto now, usage_->Deflection(Lead(), 30));
  EXPECT_EQ(now.sessions, 1);
  EXPECT_EQ(now.filed, 1);
  EXPECT_EQ(now.open, 1) << "Bob's session is still in progress";
  clock_.Advance(kSuggestionSessionIdleMs + kMinute);
  ASSERT_OK_AND_ASSIGN(auto later, usage_->Deflection(Lead(), 30));
  EXPECT_EQ(later.sessions, 2);
  EXPECT_EQ(later.deflected, 1);
  EXPECT_EQ(later.open, 0);
  ASSERT_TRUE(later.rate.has_value());
  EXPECT_DOUBLE_EQ(*later.rate, 0.5);
  clock_.Advance(31 * kDay);
  ASSERT_OK_AND_ASSIGN(auto old, usage_->Deflection(Lead(), 30));
  EXPECT_EQ(old.sessions, 0);
  EXPECT_FALSE(old.rate.has_value());
  EXPECT_EQ(usage_->Deflection(Agent(), 30).status().code(), StatusCode::kPermissionDenied);
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, UsageServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::kb
