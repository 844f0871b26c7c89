// Ranking sanity on a fixed corpus, on both engines: a knowledge base of 30
// articles a data platform team would keep, and 20 questions written the way
// requesters and agents ask them. For each question the article that answers
// it must be among the first three suggestions. The questions share words
// with their answers (the ranking is lexical: BM25 on SQLite, ts_rank on
// PostgreSQL) but are not copies of the titles, and most of their words also
// occur in other articles, so the order matters.
#include <gtest/gtest.h>

#include <map>

#include "kb/kb_service.h"
#include "search/search_service.h"
#include "testing/ticket_desk.h"

namespace opsdesk::search {
namespace {

using storage::Engine;

struct CorpusArticle {
  const char* key;
  const char* title;
  const char* body;
};

const CorpusArticle kCorpus[] = {
    {"kafka-lag", "Kafka consumer lag on ingestion topics",
     "When a consumer group falls behind, check the lag per partition on the ingestion dashboard. Restart the "
     "stuck consumer, then watch the lag drain. If lag keeps growing, add partitions or consumers."},
    {"kafka-topic", "Requesting a new Kafka topic",
     "Topics are created by the ingestion team. File a ticket with the topic name, the expected throughput, the "
     "retention and the number of partitions."},
    {"warehouse-access", "Getting read access to a warehouse table",
     "Access to tables is granted per group. Ask your team lead to approve, then request the SELECT grant in the "
     "access portal. Grants are applied within an hour."},
    {"permission-denied", "Permission denied when querying a table",
     "A permission denied error means your group has no grant on the table or the schema. Check which group you "
     "are in and request the grant; a new grant can take an hour to propagate."},
    {"query-slow", "Why is my query slow?",
     "Slow queries usually scan too much data. Filter on the partition column, avoid SELECT *, and check the query "
     "plan in the query console. Large joins should use the bucketed tables."},
    {"query-timeout", "Queries fail with a timeout after 30 minutes",
     "Interactive queries are limited to 30 minutes. Long batch work belongs in a scheduled job. Split the query "
     "by date or ask for a batch quota."},
    {"spark-oom", "Spark job fails with an out of memory error",
     "Executors that run out of memory are lost and the job fails. Raise spark.executor.memory, lower the "
     "partition size, or repartition skewed keys before a join."},
    {"spark-shuffle", "Spark shuffle fetch failures",
     "Shuffle fetch failures happen when an executor dies or a node is decommissioned. Retry the job; if it "
     "repeats, enable the external shuffle service for the cluster."},
    {"airflow-dag", "Airflow DAG is not scheduled",
     "A DAG that never runs is usually paused or has a start date in the future. Unpause it in the scheduler UI "
     "and check the schedule interval and catchup settings."},
    {"airflow-task-retry", "Retrying a failed Airflow task",
     "Clear the failed task instance in the scheduler UI to run it again. Downstream tasks are cleared with it "
     "when you choose downstream. Do not mark it as success unless the data is correct."},
    {"backfill", "Running a backfill for past dates",
     "A backfill reprocesses past partitions. Use the backfill command with a start and end date, run it outside "
     "business hours for large ranges, and tell the data consumers."},
    {"quota", "Requesting more storage quota for a project",
     "Each project has a storage quota. When you hit it, writes fail with a quota exceeded error. Delete old data "
     "or file a request with the size you need and the reason."},
    {"retention", "How long data is kept: retention policies",
     "Raw data is kept for 90 days, curated tables for two years. Retention is set per dataset; ask the data "
     "owner before changing it, because deleted partitions cannot be restored."},
    {"restore", "Restoring a dropped table",
     "A dropped table can be restored from the snapshot taken every night, within seven days. File an urgent "
     "ticket with the table name and the time it was dropped."},
    {"password", "Resetting your platform password",
     "Use the self-service page to reset a forgotten password. The reset link is valid for one hour. Accounts are "
     "locked after five failed sign-ins and unlock after fifteen minutes."},
    {"api-token", "Creating an API token for automation",
     "Personal API tokens let scripts call the platform. Create one on your profile page, store it in a secret "
     "manager, and rotate it every 90 days."},
    {"notebook-kernel", "Notebook kernel keeps dying",
     "A notebook kernel that dies is usually out of memory. Load less data into the notebook, sample it, or move "
     "the work to a Spark job. Restart the kernel after freeing memory."},
    {"dashboard-stale", "Dashboard shows stale data",
     "Dashboards read from curated tables refreshed by scheduled jobs. When numbers look old, check the last "
     "refresh time of the source table and whether its job failed."},
    {"schema-change", "Changing a table schema safely",
     "Adding a nullable column is safe. Renaming or dropping a column breaks downstream queries: announce it, add "
     "the new column first, migrate readers, then drop the old one."},
    {"csv-upload", "Uploading a CSV file into a table",
     "Small CSV files can be uploaded in the data console. Files over 1 GB must go through object storage and a "
     "load job. The header row defines the column names."},
    {"billing-cost", "Understanding your compute bill",
     "The monthly bill is split by project and by engine. Query engine cost depends on the data scanned; Spark "
     "cost on executor hours. The billing dashboard shows the top queries by cost."},
    {"billing-budget", "Setting a budget alert for a project",
     "Budget alerts e-mail the project owners when spending passes a threshold. Set them in the billing settings; "
     "alerts are evaluated daily."},
    {"sso-login", "Cannot sign in with single sign-on",
     "If single sign-on fails, clear cookies for the identity provider and try again. New employees get access "
     "one day after their account is created in the directory."},
    {"data-lineage", "Finding where a table's data comes from",
     "The lineage view in the catalog shows the jobs and source tables that feed a table, and who owns them. Use "
     "it before changing or deleting a table."},
    {"catalog-search", "Finding datasets in the data catalog",
     "Search the catalog by table name, column, tag or owner. Certified datasets are marked and preferred for "
     "reporting."},
    {"pii", "Handling personal data (PII) in tables",
     "Columns with personal data must be tagged PII and masked for general readers. Only approved groups see the "
     "raw values; requests go through the privacy review."},
    {"streaming-late", "Late events in streaming pipelines",
     "Events that arrive after the watermark are dropped by default. Increase the allowed lateness for the "
     "stream, or reprocess the hour with a backfill."},
    {"connector-jdbc", "Connecting a BI tool over JDBC",
     "BI tools connect through the JDBC endpoint with a personal API token as the password. Use the query engine "
     "driver version listed on the connections page."},
    {"oncall-escalation", "When to escalate to the engineering on-call",
     "Escalate when a platform component is down for many users, data is lost, or an SLA is about to breach. "
     "Page the owning team's on-call through the escalation button and keep the ticket updated."},
    {"incident-status", "Checking the platform status during an incident",
     "The status page lists ongoing incidents per component with updates every 30 minutes. Link affected tickets "
     "to the incident so requesters are told when it is resolved."},
};

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
  for (const auto& a : kCorpus) {
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
