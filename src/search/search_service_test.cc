// Search on both engines through the real indexes: what each part of a ticket
// and an article is found by, what the filters and operators do, that the
// indexes follow every write (replies, notes, subject edits, merges, article
// saves), and what a requester can never reach.
#include "search/search_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "auth/user_service.h"
#include "kb/kb_service.h"
#include "testing/ticket_desk.h"

namespace opsdesk::search {
namespace {

using auth::Actor;
using storage::Engine;
using tickets::NewComment;
using tickets::NewTicket;
using tickets::Ticket;

class SearchTest : public test_util::TicketDeskTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(TicketDeskTest::SetUp());
    search_ = std::make_unique<SearchService>(db());
    kb_ = std::make_unique<kb::KbService>(db(), clock_);
  }

  Actor Lead() const { return Actor::Of(lead_); }

  Ticket File(const Actor& who, const std::string& subject, const std::string& body,
              std::optional<std::string> queue = std::nullopt, std::vector<std::string> tags = {},
              std::optional<std::string> on_behalf_of = std::nullopt) {
    NewTicket in;
    in.subject = subject;
    in.body = body;
    if (queue) in.queue = tickets::QueueRef{std::nullopt, *queue};
    in.tags = std::move(tags);
    in.requester_email = on_behalf_of;
    auto created = svc().Create(who, in);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    clock_.Advance(1000);
    return created.ok() ? created->ticket : Ticket{};
  }

  void Comment(const Actor& who, int64_t ticket_id, const std::string& body, bool internal) {
    auto added = svc().AddComment(who, ticket_id, NewComment{body, internal});
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    clock_.Advance(1000);
  }

  kb::Article Article(const std::string& title, const std::string& body, const std::string& audience,
                      bool publish) {
    kb::ArticleInput in;
    in.title = title;
    in.body = body;
    in.audience = audience;
    auto a = kb_->Create(Agent(), in);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok()) return {};
    if (publish) {
      auto p = kb_->Transition(Lead(), a->id, "published");
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      return p.ok() ? *p : *a;
    }
    return *a;
  }

  std::vector<SearchHit> Hits(const Actor& who, const std::string& q, bool as_you_type = false) {
    SearchRequest request;
    request.q = q;
    request.as_you_type = as_you_type;
    request.limit = kMaxSearchLimit;
    auto page = search_->Search(who, request);
    EXPECT_TRUE(page.ok()) << q << ": " << page.status().ToString();
    return page.ok() ? page->items : std::vector<SearchHit>{};
  }

  // "ticket:12 article:3 ..." in result order.
  std::string Found(const Actor& who, const std::string& q, bool as_you_type = false) {
    std::string out;
    for (const auto& hit : Hits(who, q, as_you_type)) {
      if (!out.empty()) out += ' ';
      out += hit.type + ":" + std::to_string(hit.id);
    }
    return out;
  }

  // The ids of the first `pages` pages of a search, following the cursor.
  std::vector<int64_t> PageThrough(SearchRequest request, int pages) {
    std::vector<int64_t> ids;
    for (int page_no = 0; page_no < pages; ++page_no) {
      auto page = search_->Search(Agent(), request);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const auto& h : page->items) ids.push_back(h.id);
      if (!page->next_cursor) break;
      request.cursor = page->next_cursor;
    }
    return ids;
  }

  static std::string T(const Ticket& t) { return "ticket:" + std::to_string(t.id); }
  static std::string A(const kb::Article& a) { return "article:" + std::to_string(a.id); }

  std::unique_ptr<SearchService> search_;
  std::unique_ptr<kb::KbService> kb_;
};

TEST_P(SearchTest, FindsTicketsBySubjectBodyRepliesAndNotesBestFirst) {
  Ticket in_body = File(Alice(), "Dashboard is empty", "Since the kafka upgrade the dashboard shows nothing.");
  Ticket in_subject = File(Alice(), "Kafka consumer lag on orders", "The orders topic is behind.");
  Ticket in_reply = File(Bob(), "Slow loads", "Loading takes minutes.");
  Comment(Agent(), in_reply.id, "This looks like the kafka broker restart.", false);
  Ticket in_note = File(Bob(), "Table missing", "Where is my table?");
  Comment(Agent(), in_note.id, "Caused by kafka retention, do not tell the requester yet.", true);
  Ticket unrelated = File(Alice(), "Password reset", "Please reset my password.");

  auto hits = Hits(Agent(), "kafka");
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].id, in_subject.id) << "a match in the subject ranks first";
  std::vector<int64_t> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  for (int64_t id : {in_body.id, in_reply.id, in_note.id}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  EXPECT_EQ(std::find(ids.begin(), ids.end(), unrelated.id), ids.end());
  EXPECT_EQ(hits[0].title, "Kafka consumer lag on orders");
  EXPECT_EQ(hits[0].status, "new");
  EXPECT_GT(hits[0].score, hits[3].score);
  for (const auto& h : hits) {
    EXPECT_NE(h.snippet_html.find("<mark>"), std::string::npos) << h.snippet_html;
    EXPECT_EQ(h.type, "ticket");
  }
  // Stemming: "restarting" finds "restart".
  EXPECT_EQ(Found(Agent(), "restarting"), T(in_reply));
}

TEST_P(SearchTest, PhrasesExclusionsPrefixesAndEveryWordRequired) {
  Ticket group = File(Alice(), "Consumer group stuck", "The consumer group never rebalances.");
  Ticket scattered = File(Alice(), "Group permissions", "The consumer cannot read; the group is wrong.");
  Ticket other = File(Alice(), "Rebalance storm", "Partitions move all day.");

  EXPECT_EQ(Found(Agent(), "\"consumer group\""), T(group));
  std::string both = Found(Agent(), "consumer group");
  EXPECT_NE(both.find(T(group)), std::string::npos);
  EXPECT_NE(both.find(T(scattered)), std::string::npos);
  EXPECT_EQ(both.find(T(other)), std::string::npos) << "every word is required";
  EXPECT_EQ(Found(Agent(), "consumer group -rebalances"), T(scattered));
  EXPECT_EQ(Found(Agent(), "partit*"), T(other));
  EXPECT_EQ(Found(Agent(), "sto"), "") << "not a prefix unless asked";
  EXPECT_EQ(Found(Agent(), "sto", /*as_you_type=*/true), T(other));
  EXPECT_EQ(Found(Agent(), "rebalance storm \"all day\""), T(other));
  // Words that are all punctuation match nothing and are no error.
  EXPECT_EQ(Found(Agent(), "!!!"), "");
}

TEST_P(SearchTest, FiltersNarrowAndNegatedFiltersExclude) {
  Ticket open_ingest = File(Agent(), "Backfill failed", "backfill of events", "ingestion", {"vip"},
                            "alice@example.com");
  Ticket new_query = File(Agent(), "Backfill slow", "backfill of query results", "query-engine", {},
                          "bob@example.com");
  Ticket assigned = File(Agent(), "Backfill stuck", "backfill never ends", "ingestion", {"vip"},
                         "bob@example.com");
  tickets::TicketPatch to_open;
  to_open.status = "open";
  ASSERT_OK(svc().Update(Agent(), open_ingest.id, to_open));
  tickets::TicketPatch assign;
  assign.assignee_id = agent2_.id;
  ASSERT_OK(svc().Update(Agent(), assigned.id, assign));
  kb::Article sop = Article("Backfill SOP", "How to run a backfill.", "internal", true);

  auto set = [&](const std::string& q) {
    auto hits = Hits(Agent(), q);
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.type + ":" + std::to_string(h.id));
    std::sort(out.begin(), out.end());
    std::string joined;
    for (const auto& s : out) joined += (joined.empty() ? "" : " ") + s;
    return joined;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    std::string joined;
    for (const auto& s : v) joined += (joined.empty() ? "" : " ") + s;
    return joined;
  };
  EXPECT_EQ(set("backfill"), sorted({T(open_ingest), T(new_query), T(assigned), A(sop)}));
  EXPECT_EQ(set("backfill type:ticket"), sorted({T(open_ingest), T(new_query), T(assigned)}));
  EXPECT_EQ(set("backfill type:article"), A(sop));
  EXPECT_EQ(set("backfill -type:article"), sorted({T(open_ingest), T(new_query), T(assigned)}));
  // Assigning a new ticket opens it.
  EXPECT_EQ(set("backfill status:open"), sorted({T(open_ingest), T(assigned)}));
  EXPECT_EQ(set("backfill status:open status:new"), sorted({T(open_ingest), T(new_query), T(assigned)}));
  EXPECT_EQ(set("backfill -status:new"), sorted({T(open_ingest), T(assigned), A(sop)}));
  EXPECT_EQ(set("backfill status:new"), T(new_query));
  EXPECT_EQ(set("backfill status:published"), A(sop));
  EXPECT_EQ(set("backfill queue:ingestion"), sorted({T(open_ingest), T(assigned)}));
  EXPECT_EQ(set("backfill -queue:ingestion type:ticket"), T(new_query));
  EXPECT_EQ(set("backfill queue:nonexistent"), "");
  EXPECT_EQ(set("backfill tag:vip"), sorted({T(open_ingest), T(assigned)}));
  EXPECT_EQ(set("backfill -tag:vip type:ticket"), T(new_query));
  EXPECT_EQ(set("backfill author:bob@example.com"), sorted({T(new_query), T(assigned)}));
  EXPECT_EQ(set("backfill assignee:agent2@example.com"), T(assigned));
  EXPECT_EQ(set("backfill assignee:none"), sorted({T(open_ingest), T(new_query)}));
  EXPECT_EQ(set("backfill -assignee:none type:ticket"), T(assigned));
  // Filters alone list newest first.
  EXPECT_EQ(Found(Agent(), "queue:ingestion type:ticket"), T(assigned) + " " + T(open_ingest));
  // Dates are creation days in UTC: kStart is 2023-11-14.
  EXPECT_EQ(set("backfill after:2023-11-14 type:ticket"), sorted({T(open_ingest), T(new_query), T(assigned)}));
  EXPECT_EQ(set("backfill after:2023-11-15"), "");
  EXPECT_EQ(set("backfill before:2023-11-14"), "");
  EXPECT_EQ(set("backfill before:2023-11-15 type:ticket"), sorted({T(open_ingest), T(new_query), T(assigned)}));
}

TEST_P(SearchTest, IndexesFollowEveryWrite) {
  Ticket source = File(Alice(), "Old name", "nothing here");
  EXPECT_EQ(Found(Agent(), "zeppelin"), "");
  tickets::TicketPatch rename;
  rename.subject = "Zeppelin notebook crashes";
  ASSERT_OK(svc().Update(Agent(), source.id, rename));
  EXPECT_EQ(Found(Agent(), "zeppelin"), T(source));
  EXPECT_EQ(Found(Agent(), "old name"), "") << "the old subject is gone from the index";

  Comment(Alice(), source.id, "Also the interpreter hangs", false);
  EXPECT_EQ(Found(Agent(), "interpreter"), T(source));

  // A merge moves the source's comments: the target is found by them, the source not.
  Ticket target = File(Alice(), "Notebooks broken", "see other ticket");
  ASSERT_OK(svc().Merge(Agent(), source.id, target.id));
  EXPECT_EQ(Found(Agent(), "interpreter"), T(target));
  EXPECT_EQ(Found(Alice(), "interpreter"), T(target));

  kb::Article draft = Article("Quota handling", "Raise the quota.", "internal", false);
  EXPECT_EQ(Found(Agent(), "quota"), A(draft));
  kb::ArticleInput edit;
  edit.body = "Ask the platform team for a larger allowance.";
  edit.expected_version = draft.version;
  ASSERT_OK(kb_->Update(Agent(), draft.id, edit));
  EXPECT_EQ(Found(Agent(), "allowance"), A(draft));
  EXPECT_EQ(Found(Agent(), "raise"), "") << "the old body is gone from the index";
  EXPECT_EQ(Found(Agent(), "quota"), A(draft)) << "the title still matches";
}

TEST_P(SearchTest, RequesterSearchesOnlyTheirOwnPublicTextAndPublishedPublicArticles) {
  Ticket mine = File(Alice(), "Spark job fails", "Executor lost.");
  Comment(Agent(), mine.id, "Public answer: increase executor memory.", false);
  Comment(Agent(), mine.id, "Internal: the zorblax cluster is overloaded, escalate.", true);
  Ticket theirs = File(Bob(), "Spark shuffle errors", "Shuffle fetch failed, zorblax mentioned.");
  kb::Article public_published = Article("Spark executor memory", "Raise spark.executor.memory.", "public", true);
  kb::Article internal_published = Article("Spark cluster runbook", "Restart the spark history server.",
                                           "internal", true);
  kb::Article public_draft = Article("Spark tuning draft", "Spark draft notes.", "public", false);

  // Staff see everything.
  std::string staff = Found(Agent(), "spark");
  for (const auto& id : {T(mine), T(theirs), A(public_published), A(internal_published), A(public_draft)}) {
    EXPECT_NE(staff.find(id), std::string::npos) << id;
  }
  // Alice: her ticket and the published public article, nothing else.
  std::string alice = Found(Alice(), "spark");
  EXPECT_NE(alice.find(T(mine)), std::string::npos);
  EXPECT_NE(alice.find(A(public_published)), std::string::npos);
  EXPECT_EQ(alice.find(T(theirs)), std::string::npos);
  EXPECT_EQ(alice.find(A(internal_published)), std::string::npos);
  EXPECT_EQ(alice.find(A(public_draft)), std::string::npos);
  // An internal note never matches for her, nor does another person's ticket,
  // and no filter widens what she can read.
  EXPECT_EQ(Found(Alice(), "zorblax"), "");
  EXPECT_EQ(Hits(Agent(), "zorblax").size(), 2u);
  EXPECT_EQ(Found(Alice(), "overloaded"), "");
  EXPECT_EQ(Found(Alice(), "spark author:bob@example.com"), "");
  EXPECT_EQ(Found(Alice(), "spark status:draft"), "");
  EXPECT_EQ(Found(Alice(), "spark status:published type:article"), A(public_published));
  EXPECT_EQ(Found(Alice(), "type:ticket"), T(mine));
  EXPECT_EQ(Found(Alice(), "status:open"), T(mine));
  // Her snippets never show the note, even where the note would fit the query best.
  for (const auto& hit : Hits(Alice(), "executor")) {
    EXPECT_EQ(hit.snippet_html.find("zorblax"), std::string::npos) << hit.snippet_html;
    EXPECT_EQ(hit.snippet_html.find("overloaded"), std::string::npos) << hit.snippet_html;
  }
  for (const auto& hit : Hits(Alice(), "spark")) {
    EXPECT_EQ(hit.snippet_html.find("escalate"), std::string::npos) << hit.snippet_html;
  }
  // Bob cannot reach Alice's ticket by any word of it.
  EXPECT_EQ(Found(Bob(), "executor lost"), "");
  EXPECT_EQ(Found(Bob(), "increase executor memory type:ticket"), "");
}

TEST_P(SearchTest, StaffRankTheNewestMatchesOfQueryAndFiltersRequestersAllTheirOwn) {
  SearchService windowed(db(), SearchService::Options{.rank_window = 3});
  // Five matches; the oldest has the word five times, the best match by far.
  Ticket best = File(Alice(), "Gateway gateway gateway", "gateway gateway");
  std::vector<Ticket> newer;
  for (int i = 0; i < 4; ++i) newer.push_back(File(Bob(), "Gateway " + std::to_string(i), "one mention"));
  SearchRequest request;
  request.q = "gateway";
  ASSERT_OK_AND_ASSIGN(auto staff, windowed.Search(Agent(), request));
  ASSERT_EQ(staff.items.size(), 3u) << "the three newest matches are ranked";
  for (const auto& h : staff.items) EXPECT_NE(h.id, best.id);
  // The window follows the filters: Alice's one ticket is within it.
  request.q = "gateway author:alice@example.com";
  ASSERT_OK_AND_ASSIGN(auto filtered, windowed.Search(Agent(), request));
  ASSERT_EQ(filtered.items.size(), 1u);
  EXPECT_EQ(filtered.items[0].id, best.id);
  request.q = "gateway before:2100-01-01 -author:bob@example.com";
  ASSERT_OK_AND_ASSIGN(auto dated, windowed.Search(Agent(), request));
  ASSERT_EQ(dated.items.size(), 1u);
  // A phrase or an exclusion inside the window: ranked by the words, kept by the query.
  File(Bob(), "Gateway note", "the gateway timeout again");
  File(Bob(), "Gateway report", "timeout of the gateway");
  request.q = "\"gateway timeout\"";
  ASSERT_OK_AND_ASSIGN(auto phrase, windowed.Search(Agent(), request));
  ASSERT_EQ(phrase.items.size(), 1u);
  EXPECT_EQ(phrase.items[0].title, "Gateway note");
  EXPECT_NE(phrase.items[0].snippet_html.find("<mark>"), std::string::npos);
  request.q = "gateway -timeout";
  ASSERT_OK_AND_ASSIGN(auto excluded, windowed.Search(Agent(), request));
  ASSERT_EQ(excluded.items.size(), 3u) << "the three newest without the word";
  for (const auto& h : excluded.items) EXPECT_TRUE(h.title != "Gateway report" && h.title != "Gateway note");
  // A requester ranks all of their own tickets.
  request.q = "gateway";
  ASSERT_OK_AND_ASSIGN(auto bob, windowed.Search(Bob(), request));
  EXPECT_EQ(bob.items.size(), 6u);
  // Without a window the best match comes first.
  ASSERT_OK_AND_ASSIGN(auto whole, search_->Search(Agent(), request));
  ASSERT_EQ(whole.items.size(), 7u);
  EXPECT_EQ(whole.items[0].id, best.id);
}

// PostgreSQL looks for the window among the newest tickets first (16 times
// the window) and widens: matches older than that are still found.
TEST_P(SearchTest, TheWindowReachesMatchesOlderThanTheNewestTickets) {
  SearchService windowed(db(), SearchService::Options{.rank_window = 2});
  Ticket oldest = File(Alice(), "Zookeeper session expired", "first");
  Ticket older = File(Alice(), "Zookeeper quorum lost", "second");
  for (int i = 0; i < 40; ++i) File(Bob(), "Filler " + std::to_string(i), "nothing to see");
  Ticket newest = File(Bob(), "Zookeeper again", "third");
  SearchRequest request;
  request.q = "zookeeper";
  ASSERT_OK_AND_ASSIGN(auto page, windowed.Search(Agent(), request));
  std::set<int64_t> ids;
  for (const auto& h : page.items) ids.insert(h.id);
  EXPECT_EQ(ids, (std::set<int64_t>{older.id, newest.id})) << "the two newest matches, one far back";
  request.q = "zookeeper quorum";
  ASSERT_OK_AND_ASSIGN(auto one, windowed.Search(Agent(), request));
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_EQ(one.items[0].id, older.id);
  request.q = "zookeeper session";  // nothing among the newest: straight to every ticket
  ASSERT_OK_AND_ASSIGN(auto first, windowed.Search(Agent(), request));
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].id, oldest.id);
}

// SQLite ranks articles by the index alone first, a few times the page: the
// articles a requester may read are found even when many she may not rank higher.
TEST_P(SearchTest, RequesterFindsPublicArticlesRankedBelowManyInternalOnes) {
  for (int i = 0; i < 30; ++i) {
    Article("Kafka runbook " + std::to_string(i), "kafka kafka kafka brokers", "internal", true);
  }
  kb::Article faq = Article("Streaming FAQ", "Questions about kafka and other things people ask.", "public", true);
  SearchRequest request;
  request.q = "kafka";
  request.limit = 1;
  ASSERT_OK_AND_ASSIGN(auto page, search_->Search(Alice(), request));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, faq.id);
  EXPECT_FALSE(page.next_cursor.has_value());
  ASSERT_OK_AND_ASSIGN(auto suggested, search_->SuggestArticles(Alice(), "kafka brokers", 1, false));
  ASSERT_EQ(suggested.size(), 1u);
  EXPECT_EQ(suggested[0].id, faq.id);
}

// Articles that rank alike: the first page holds the newest of them, as when
// every match is ranked, and paging neither repeats nor skips one.
TEST_P(SearchTest, ArticlesThatRankAlikePageNewestFirstWithoutRepeats) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(Article("VPN setup", "How to set up the vpn client.", "public", true).id);
  SearchRequest request;
  request.q = "vpn type:article";
  request.limit = 1;
  EXPECT_EQ(PageThrough(request, 4), (std::vector<int64_t>{ids[29], ids[28], ids[27], ids[26]}));
}

TEST_P(SearchTest, PagesWithACursorAndRejectsBadRequests) {
  for (int i = 0; i < 7; ++i) File(Alice(), "Airflow DAG " + std::to_string(i), "airflow scheduler");
  SearchRequest request;
  request.q = "airflow";
  request.limit = 3;
  std::vector<int64_t> seen = PageThrough(request, 5);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "no result twice";

  auto field_error = [&](SearchRequest r, const std::string& field) {
    auto result = search_->Search(Agent(), r);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().fields().count(field), 1u) << result.status().ToString();
  };
  SearchRequest bad;
  bad.q = "\"unterminated";
  field_error(bad, "q");
  bad.q = "status:bogus";
  field_error(bad, "q");
  bad.q = "airflow";
  bad.limit = 0;
  field_error(bad, "limit");
  bad.limit = 10;
  bad.cursor = "not-a-cursor";
  field_error(bad, "cursor");
}

TEST_P(SearchTest, SuggestsPublishedArticlesForFreeText) {
  kb::Article quota = Article("Requesting more storage quota", "Open the quota form and ask for more storage.",
                              "public", true);
  kb::Article runbook = Article("Quota exhaustion runbook", "Internal steps when a tenant hits its storage quota.",
                                "internal", true);
  kb::Article draft = Article("Quota FAQ draft", "storage quota questions", "public", false);
  Article("Resetting a password", "Use the self-service page.", "public", true);

  auto ids = [](const std::vector<SearchHit>& hits) {
    std::string out;
    for (const auto& h : hits) out += (out.empty() ? "" : " ") + std::string("article:") + std::to_string(h.id);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto for_requester,
                       search_->SuggestArticles(Alice(), "I have run out of storage quota in my project", 5, false));
  EXPECT_EQ(ids(for_requester), A(quota));
  ASSERT_OK_AND_ASSIGN(auto for_agent, search_->SuggestArticles(Agent(), "tenant storage quota exhausted", 5, false));
  std::string agent_ids = ids(for_agent);
  EXPECT_EQ(agent_ids.find(A(draft)), std::string::npos) << "a draft is never suggested";
  ASSERT_EQ(for_agent.size(), 2u);
  EXPECT_EQ(for_agent[0].id, runbook.id) << "more of the words match the runbook";
  // As one types, the unfinished last word is a prefix.
  ASSERT_OK_AND_ASSIGN(auto typing, search_->SuggestArticles(Alice(), "need more quo", 5, true));
  EXPECT_EQ(ids(typing), A(quota));
  ASSERT_OK_AND_ASSIGN(auto nothing, search_->SuggestArticles(Alice(), "the and of it", 5, false));
  EXPECT_TRUE(nothing.empty());
  EXPECT_FALSE(search_->SuggestArticles(Alice(), "quota", 0, false).ok());
}

TEST_P(SearchTest, SuggestionsInALargeKnowledgeBaseSkipWordsInMostArticles) {
  SearchService pruning(db(), SearchService::Options{.min_articles_to_prune = 1});
  kb::Article lake = Article("Warehouse load failed", "data warehouse load", "public", true);
  kb::Article tables = Article("Warehouse tables", "data warehouse tables", "public", true);
  for (int i = 0; i < 4; ++i) Article("Data note " + std::to_string(i), "data everywhere", "public", true);
  // "data" is in all six articles: it would offer every one of them.
  ASSERT_OK_AND_ASSIGN(auto pruned, pruning.SuggestArticles(Alice(), "data warehouse", 10, false));
  ASSERT_EQ(pruned.size(), 2u);
  for (const auto& h : pruned) EXPECT_TRUE(h.id == lake.id || h.id == tables.id) << h.id;
  ASSERT_OK_AND_ASSIGN(auto whole, search_->SuggestArticles(Alice(), "data warehouse", 10, false));
  EXPECT_EQ(whole.size(), 6u) << "a small knowledge base keeps every word";
  EXPECT_TRUE(whole[0].id == lake.id || whole[0].id == tables.id);
  // When every word is that common, the rarest is kept.
  ASSERT_OK_AND_ASSIGN(auto common, pruning.SuggestArticles(Alice(), "data", 10, false));
  EXPECT_EQ(common.size(), 6u);
}

// Migration 0012 indexes what was written before it.
class SearchUpgradeTest : public testing::TestWithParam<Engine> {};

TEST_P(SearchUpgradeTest, TheMigrationIndexesExistingTicketsCommentsAndArticles) {
  ManualClock clock(1'700'000'000'000);
  ASSERT_OK_AND_ASSIGN(auto test_db, storage::TestDatabase::Create(GetParam()));
  storage::Database& db = test_db->db();
  ASSERT_OK(storage::Migrate(db, clock, /*up_to=*/11));
  ASSERT_OK_AND_ASSIGN(auth::User agent_user,
                       test_util::InsertTestUser(db, clock.NowMs(), "agent@example.com", auth::Role::kAgent));
  ASSERT_OK_AND_ASSIGN(auth::User old_user,
                       test_util::InsertTestUser(db, clock.NowMs(), "old@example.com", auth::Role::kRequester));
  Actor agent = Actor::Of(agent_user);
  // Rows as that schema held them (today's services expect today's schema).
  const int64_t now = clock.NowMs();
  int64_t ticket_id = 0, article_id = 0;
  ASSERT_OK(db.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(
        auto t, tx.QueryOne("INSERT INTO tickets (subject, body, status, priority, requester_id, created_at, "
                            "updated_at) VALUES ('Old ticket about vortexes', 'written before search existed', "
                            "'open', 'normal', ?, ?, ?) RETURNING id",
                            {old_user.id, now, now}));
    ticket_id = t->Int(0);
    for (auto [body, internal] : {std::pair{"a reply mentioning quasars", 0}, std::pair{"a note mentioning pulsars", 1}}) {
      OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO comments (ticket_id, author_id, body, is_internal, created_at) "
                                      "VALUES (?, ?, ?, ?, ?)",
                                      {ticket_id, agent_user.id, body, internal, now})
                                  .status());
    }
    OPSDESK_ASSIGN_OR_RETURN(
        auto a, tx.QueryOne("INSERT INTO kb_articles (title, body, body_html, audience, state, version, created_at, "
                            "updated_at) VALUES ('Nebula handbook', 'old article', '<p>old article</p>', 'internal', "
                            "'draft', 1, ?, ?) RETURNING id",
                            {now, now}));
    article_id = a->Int(0);
    return Status::Ok();
  }));

  ASSERT_OK(storage::Migrate(db, clock));
  SearchService search(db);
  for (const char* word : {"vortexes", "quasars", "pulsars"}) {
    SearchRequest request;
    request.q = word;
    ASSERT_OK_AND_ASSIGN(auto page, search.Search(agent, request));
    ASSERT_EQ(page.items.size(), 1u) << word;
    EXPECT_EQ(page.items[0].id, ticket_id) << word;
  }
  SearchRequest request;
  request.q = "nebula";
  ASSERT_OK_AND_ASSIGN(auto page, search.Search(agent, request));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, article_id);
  // The requester's own search leaves the backfilled note out.
  const std::optional<auth::User> requester = old_user;
  request.q = "pulsars";
  ASSERT_OK_AND_ASSIGN(auto hidden, search.Search(Actor::Of(*requester), request));
  EXPECT_TRUE(hidden.items.empty());
  request.q = "quasars";
  ASSERT_OK_AND_ASSIGN(auto shown, search.Search(Actor::Of(*requester), request));
  EXPECT_EQ(shown.items.size(), 1u);
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, SearchTest, testing::Values(Engine::kSqlite, Engine::kPostgres), EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, SearchUpgradeTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::search
