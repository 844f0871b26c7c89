#include "demo/demo_articles.h"

namespace opsdesk::demo {
namespace {

// clang-format off
const DemoArticle kArticles[] = {
    {"kafka-lag", "Kafka consumer lag on ingestion topics",
     "When a consumer group falls behind, check the lag per partition on the ingestion dashboard. Restart the "
     "stuck consumer, then watch the lag drain. If lag keeps growing, add partitions or consumers.",
     false},
    {"kafka-topic", "Requesting a new Kafka topic",
     "Topics are created by the ingestion team. File a ticket with the topic name, the expected throughput, the "
     "retention and the number of partitions.",
     false},
    {"warehouse-access", "Getting read access to a warehouse table",
     "Access to tables is granted per group. Ask your team lead to approve, then request the SELECT grant in the "
     "access portal. Grants are applied within an hour.",
     false},
    {"permission-denied", "Permission denied when querying a table",
     "A permission denied error means your group has no grant on the table or the schema. Check which group you "
     "are in and request the grant; a new grant can take an hour to propagate.",
     false},
    {"query-slow", "Why is my query slow?",
     "Slow queries usually scan too much data. Filter on the partition column, avoid SELECT *, and check the query "
     "plan in the query console. Large joins should use the bucketed tables.",
     false},
    {"query-timeout", "Queries fail with a timeout after 30 minutes",
     "Interactive queries are limited to 30 minutes. Long batch work belongs in a scheduled job. Split the query "
     "by date or ask for a batch quota.",
     false},
    {"spark-oom", "Spark job fails with an out of memory error",
     "Executors that run out of memory are lost and the job fails. Raise spark.executor.memory, lower the "
     "partition size, or repartition skewed keys before a join.",
     false},
    {"spark-shuffle", "Spark shuffle fetch failures",
     "Shuffle fetch failures happen when an executor dies or a node is decommissioned. Retry the job; if it "
     "repeats, enable the external shuffle service for the cluster.",
     true},
    {"airflow-dag", "Airflow DAG is not scheduled",
     "A DAG that never runs is usually paused or has a start date in the future. Unpause it in the scheduler UI "
     "and check the schedule interval and catchup settings.",
     false},
    {"airflow-task-retry", "Retrying a failed Airflow task",
     "Clear the failed task instance in the scheduler UI to run it again. Downstream tasks are cleared with it "
     "when you choose downstream. Do not mark it as success unless the data is correct.",
     false},
    {"backfill", "Running a backfill for past dates",
     "A backfill reprocesses past partitions. Use the backfill command with a start and end date, run it outside "
     "business hours for large ranges, and tell the data consumers.",
     false},
    {"quota", "Requesting more storage quota for a project",
     "Each project has a storage quota. When you hit it, writes fail with a quota exceeded error. Delete old data "
     "or file a request with the size you need and the reason.",
     false},
    {"retention", "How long data is kept: retention policies",
     "Raw data is kept for 90 days, curated tables for two years. Retention is set per dataset; ask the data "
     "owner before changing it, because deleted partitions cannot be restored.",
     true},
    {"restore", "Restoring a dropped table",
     "A dropped table can be restored from the snapshot taken every night, within seven days. File an urgent "
     "ticket with the table name and the time it was dropped.",
     true},
    {"password", "Resetting your platform password",
     "Use the self-service page to reset a forgotten password. The reset link is valid for one hour. Accounts are "
     "locked after five failed sign-ins and unlock after fifteen minutes.",
     false},
    {"api-token", "Creating an API token for automation",
     "Personal API tokens let scripts call the platform. Create one on your profile page, store it in a secret "
     "manager, and rotate it every 90 days.",
     false},
    {"notebook-kernel", "Notebook kernel keeps dying",
     "A notebook kernel that dies is usually out of memory. Load less data into the notebook, sample it, or move "
     "the work to a Spark job. Restart the kernel after freeing memory.",
     false},
    {"dashboard-stale", "Dashboard shows stale data",
     "Dashboards read from curated tables refreshed by scheduled jobs. When numbers look old, check the last "
     "refresh time of the source table and whether its job failed.",
     false},
    {"schema-change", "Changing a table schema safely",
     "Adding a nullable column is safe. Renaming or dropping a column breaks downstream queries: announce it, add "
     "the new column first, migrate readers, then drop the old one.",
     false},
    {"csv-upload", "Uploading a CSV file into a table",
     "Small CSV files can be uploaded in the data console. Files over 1 GB must go through object storage and a "
     "load job. The header row defines the column names.",
     false},
    {"billing-cost", "Understanding your compute bill",
     "The monthly bill is split by project and by engine. Query engine cost depends on the data scanned; Spark "
     "cost on executor hours. The billing dashboard shows the top queries by cost.",
     false},
    {"billing-budget", "Setting a budget alert for a project",
     "Budget alerts e-mail the project owners when spending passes a threshold. Set them in the billing settings; "
     "alerts are evaluated daily.",
     false},
    {"sso-login", "Cannot sign in with single sign-on",
     "If single sign-on fails, clear cookies for the identity provider and try again. New employees get access "
     "one day after their account is created in the directory.",
     false},
    {"data-lineage", "Finding where a table's data comes from",
     "The lineage view in the catalog shows the jobs and source tables that feed a table, and who owns them. Use "
     "it before changing or deleting a table.",
     false},
    {"catalog-search", "Finding datasets in the data catalog",
     "Search the catalog by table name, column, tag or owner. Certified datasets are marked and preferred for "
     "reporting.",
     false},
    {"pii", "Handling personal data (PII) in tables",
     "Columns with personal data must be tagged PII and masked for general readers. Only approved groups see the "
     "raw values; requests go through the privacy review.",
     true},
    {"streaming-late", "Late events in streaming pipelines",
     "Events that arrive after the watermark are dropped by default. Increase the allowed lateness for the "
     "stream, or reprocess the hour with a backfill.",
     false},
    {"connector-jdbc", "Connecting a BI tool over JDBC",
     "BI tools connect through the JDBC endpoint with a personal API token as the password. Use the query engine "
     "driver version listed on the connections page.",
     false},
    {"oncall-escalation", "When to escalate to the engineering on-call",
     "Escalate when a platform component is down for many users, data is lost, or an SLA is about to breach. "
     "Page the owning team's on-call through the escalation button and keep the ticket updated.",
     true},
    {"incident-status", "Checking the platform status during an incident",
     "The status page lists ongoing incidents per component with updates every 30 minutes. Link affected tickets "
     "to the incident so requesters are told when it is resolved.",
     true},
};
// clang-format on

}  // namespace

std::span<const DemoArticle> DemoArticles() { return kArticles; }

}  // namespace opsdesk::demo
