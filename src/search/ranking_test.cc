// Ranking sanity on a fixed corpus, on both engines: the demo knowledge base
// (30 articles a data platform team would keep, src/demo/demo_articles.cc, all
// made public here), and 20 questions written the way
// requesters and agents ask them. For each question the article that answers
// it must be among the first three suggestions. The questions share words
// with their answers (the ranking is lexical: BM25 on SQLite, ts_rank on
// PostgreSQL) but are not copies of the titles, and most of their words also
// occur in other articles, so the order matters.
#include <gtest/gtest.h>

#include <map>

#include "demo/demo_articles.h"
#include "kb/kb_service.h"
#include "search/search_service.h"
#include "testing/ticket_desk.h"

namespace opsdesk::search {
namespace {

using storage::Engine;

struct Question {
  const char* text;
  const char* expected;
};

const Question kQuestions[] = {
    {"my consumer group is way behind and the lag keeps growing", "kafka-lag"},
    {"how do I get a new topic created for our events", "kafka-topic"},
    {"I need select access on the orders table in the warehouse", "warehouse-access"},
    {"getting permission denied on a schema I used to query", "permission-denied"},
    {"query scans far too much data and is really slow", "query-slow"},
    {"my batch query got killed after 30 minutes timeout", "query-timeout"},
    {"spark executors lost out of memory job failed", "spark-oom"},
    {"the dag never runs, scheduler shows it paused", "airflow-dag"},
    {"how to rerun a failed task in airflow", "airflow-task-retry"},
    {"need to reprocess last month's partitions with a backfill", "backfill"},
    {"writes fail with quota exceeded on our project storage", "quota"},
    {"someone dropped a table yesterday, can it be restored from a snapshot", "restore"},
    {"forgot my password and my account is locked", "password"},
    {"token for a script to call the platform api", "api-token"},
    {"jupyter notebook kernel dies when loading data", "notebook-kernel"},
    {"numbers on the dashboard look old, refresh did not happen", "dashboard-stale"},
    {"upload a csv file with a header row into a new table", "csv-upload"},
    {"why is our compute bill so high this month", "billing-cost"},
    {"single sign-on login fails for a new employee", "sso-login"},
    {"late events dropped by the watermark in our stream", "streaming-late"},
};

class RankingTest : public test_util::TicketDeskTest {};

TEST_P(RankingTest, TheAnswerIsInTheTopThreeForEachQuestion) {
  kb::KbService kb(db(), clock_);
  SearchService search(db());
  auth::Actor lead = auth::Actor::Of(lead_);
  std::map<int64_t, std::string> key_of;
  for (const auto& a : demo::DemoArticles()) {
    kb::ArticleInput in;
    in.title = a.title;
    in.body = a.body;
    in.audience = "public";
    ASSERT_OK_AND_ASSIGN(kb::Article created, kb.Create(lead, in));
    ASSERT_OK(kb.Transition(lead, created.id, "published"));
    key_of[created.id] = a.key;
  }
  int in_top_one = 0;
  for (const auto& q : kQuestions) {
    ASSERT_OK_AND_ASSIGN(auto hits, search.SuggestArticles(Alice(), q.text, 3, false));
    std::string got;
    bool found = false;
    for (size_t i = 0; i < hits.size(); ++i) {
      got += (got.empty() ? "" : ", ") + key_of[hits[i].id];
      found = found || key_of[hits[i].id] == q.expected;
      if (i == 0 && key_of[hits[i].id] == q.expected) ++in_top_one;
    }
    EXPECT_TRUE(found) << "\"" << q.text << "\": expected " << q.expected << " in the top 3, got [" << got << "]";
  }
  // Printed, not asserted: how often the answer is first.
  std::cout << "[ ranking ] " << storage::EngineName(GetParam()) << ": answer first for " << in_top_one << " of "
            << std::size(kQuestions) << " questions\n";
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, RankingTest, testing::Values(Engine::kSqlite, Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::search
