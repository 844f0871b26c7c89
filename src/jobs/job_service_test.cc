// JobService over both engines: scheduling inside a caller's transaction,
// due/not due, claims and leases, backoff, dead letters, idempotency keys, and
// concurrent claimers that never run a job twice.
#include "jobs/job_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/random.h"
#include "jobs/job_worker.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/migrated_database.h"

namespace opsdesk::jobs {
namespace {

using storage::Engine;

constexpr TimestampMs kStart = 1'800'000'000'000;

class JobServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
  }

  storage::Database& db() { return test_db_->db(); }
  JobOptions Options(const std::string& node) {
    JobOptions o;
    o.node_id = node;
    o.max_attempts = 3;
    o.retry_base_ms = 1000;
    o.retry_cap_ms = 10'000;
    o.lease_ms = 30'000;
    return o;
  }
  int64_t Count(const std::string& sql, const storage::Params& params = {}) {
    return test_util::QueryCount(db(), sql, params);
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
};

TEST_P(JobServiceTest, ScheduleCommitsAndRollsBackWithTheCallersTransaction) {
  JobService jobs(db(), clock_, Options("a"));
  Status failed = db().Write([&](storage::Transaction& tx) -> Status {
    auto id = jobs.Schedule(tx, "test.kind", "{}", kStart, {std::string("key-rolled-back")});
    if (!id.ok()) return id.status();
    EXPECT_TRUE(id->has_value());
    return Status::Conflict("the caller's change failed");
  });
  EXPECT_EQ(failed.code(), StatusCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);

  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    return jobs.Schedule(tx, "test.kind", "{\"n\":1}", kStart, {std::string("key-committed")}).status();
  }));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND idempotency_key = 'key-committed'"), 1);
  // The rolled-back key was never taken.
  ASSERT_OK_AND_ASSIGN(auto again, jobs.ScheduleNow("test.kind", "{}", kStart, {std::string("key-rolled-back")}));
  EXPECT_TRUE(again.has_value());
}

TEST_P(JobServiceTest, IdempotencyKeyAdmitsOneJobEverAndDoesNotBreakTheTransaction) {
  JobService jobs(db(), clock_, Options("a"));
  ASSERT_OK_AND_ASSIGN(auto first, jobs.ScheduleNow("test.kind", "{}", kStart, {std::string("k1")}));
  ASSERT_TRUE(first.has_value());
  // A duplicate inside a bigger transaction: nothing is inserted, and the
  // transaction goes on (on PostgreSQL a unique violation would abort it).
  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    auto dup = jobs.Schedule(tx, "test.kind", "{}", kStart, {std::string("k1")});
    if (!dup.ok()) return dup.status();
    EXPECT_FALSE(dup->has_value());
    return jobs.Schedule(tx, "test.kind", "{}", kStart, {std::string("k2")}).status();
  }));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 2);
  // Jobs without a key never collide.
  ASSERT_OK(jobs.ScheduleNow("test.kind", "{}", kStart).status());
  ASSERT_OK(jobs.ScheduleNow("test.kind", "{}", kStart).status());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 4);
  // Still one after the first job is done.
  jobs.RegisterHandler("test.kind", [](const Job&) { return Status::Ok(); });
  ASSERT_OK_AND_ASSIGN(int ran, jobs.RunDueJobsOnce());
  EXPECT_EQ(ran, 4);
  ASSERT_OK_AND_ASSIGN(auto late, jobs.ScheduleNow("test.kind", "{}", kStart, {std::string("k1")}));
  EXPECT_FALSE(late.has_value());
}

TEST_P(JobServiceTest, RunsOnlyDueJobsInDueOrder) {
  JobService jobs(db(), clock_, Options("a"));
  std::vector<std::string> ran;
  jobs.RegisterHandler("timer", [&](const Job& job) {
    ran.push_back(job.payload);
    return Status::Ok();
  });
  ASSERT_OK(jobs.ScheduleNow("timer", "later", kStart + 5000).status());
  ASSERT_OK(jobs.ScheduleNow("timer", "now", kStart).status());
  ASSERT_OK(jobs.ScheduleNow("timer", "past", kStart - 1000).status());
  ASSERT_OK_AND_ASSIGN(auto next, jobs.NextDueAt());
  EXPECT_EQ(next, kStart - 1000);

  ASSERT_OK_AND_ASSIGN(int n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 2);
  std::sort(ran.begin(), ran.end());  // a batch runs in id order
  EXPECT_EQ(ran, (std::vector<std::string>{"now", "past"}));
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);

  clock_.Advance(4999);
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);
  clock_.Advance(1);
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(ran.back(), "later");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'done' AND finished_at IS NOT NULL"), 3);
  ASSERT_OK_AND_ASSIGN(next, jobs.NextDueAt());
  EXPECT_FALSE(next.has_value());
}

TEST_P(JobServiceTest, JobsOfKindsWithoutAHandlerAreNotClaimed) {
  JobService jobs(db(), clock_, Options("a"));
  jobs.RegisterHandler("mine", [](const Job&) { return Status::Ok(); });
  ASSERT_OK(jobs.ScheduleNow("someone.elses", "{}", kStart).status());
  ASSERT_OK_AND_ASSIGN(int n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND attempts = 0"), 1);
}

TEST_P(JobServiceTest, FailuresBackOffExponentiallyThenGoDeadAndCanBeRetried) {
  JobService jobs(db(), clock_, Options("a"));
  int calls = 0;
  bool succeed = false;
  jobs.RegisterHandler("flaky", [&](const Job& job) {
    ++calls;
    EXPECT_EQ(job.attempts, calls <= 3 ? calls : calls - 3);
    return succeed ? Status::Ok() : Status::Unavailable("receiver down");
  });
  ASSERT_OK_AND_ASSIGN(auto id, jobs.ScheduleNow("flaky", "{}", kStart));
  EXPECT_EQ(jobs.BackoffMs(1), 1000);
  EXPECT_EQ(jobs.BackoffMs(2), 2000);
  EXPECT_EQ(jobs.BackoffMs(3), 4000);
  EXPECT_EQ(jobs.BackoffMs(10), 10'000);  // capped

  ASSERT_OK(jobs.RunDueJobsOnce().status());
  ASSERT_OK_AND_ASSIGN(Job job, jobs.Get(*id));
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.due_at, kStart + 1000);
  EXPECT_NE(job.last_error.value_or("").find("receiver down"), std::string::npos);

  clock_.Advance(999);  // not yet
  ASSERT_OK_AND_ASSIGN(int n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);
  clock_.Advance(1);
  ASSERT_OK(jobs.RunDueJobsOnce().status());
  ASSERT_OK_AND_ASSIGN(job, jobs.Get(*id));
  EXPECT_EQ(job.attempts, 2);
  EXPECT_EQ(job.due_at, clock_.NowMs() + 2000);

  clock_.Advance(2000);
  ASSERT_OK(jobs.RunDueJobsOnce().status());
  ASSERT_OK_AND_ASSIGN(job, jobs.Get(*id));
  EXPECT_EQ(job.state, JobState::kDead);  // max_attempts = 3
  EXPECT_EQ(job.attempts, 3);
  EXPECT_TRUE(job.finished_at.has_value());
  clock_.Advance(1'000'000);
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);  // dead jobs stay dead

  JobFilter dead;
  dead.state = JobState::kDead;
  ASSERT_OK_AND_ASSIGN(auto page, jobs.List(dead));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, *id);

  // Retrying only applies to dead jobs.
  ASSERT_OK_AND_ASSIGN(auto other, jobs.ScheduleNow("flaky", "{}", clock_.NowMs() + 100'000));
  EXPECT_EQ(jobs.Retry(*other).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(jobs.Retry(*id, std::string("another.kind")).status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(job, jobs.Retry(*id));
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_EQ(job.attempts, 0);
  succeed = true;
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 1);
  ASSERT_OK_AND_ASSIGN(job, jobs.Get(*id));
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_FALSE(job.last_error.has_value());
}

TEST_P(JobServiceTest, PermanentFailuresGoDeadAtOnce) {
  JobService jobs(db(), clock_, Options("a"));
  jobs.RegisterHandler("refused", [](const Job&) { return Status::PermissionDenied("refused: private address"); });
  jobs.RegisterHandler("throws", [](const Job&) -> Status { throw std::runtime_error("boom"); });
  ASSERT_OK_AND_ASSIGN(auto refused, jobs.ScheduleNow("refused", "{}", kStart));
  ASSERT_OK_AND_ASSIGN(auto throws, jobs.ScheduleNow("throws", "{}", kStart));
  ASSERT_OK(jobs.RunDueJobsOnce().status());
  ASSERT_OK_AND_ASSIGN(Job job, jobs.Get(*refused));
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_EQ(job.attempts, 1);
  // An exception is an ordinary (retried) failure.
  ASSERT_OK_AND_ASSIGN(job, jobs.Get(*throws));
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_NE(job.last_error.value_or("").find("boom"), std::string::npos);
}

TEST_P(JobServiceTest, AnExpiredLeaseMakesTheJobClaimableAgainAndTheLoserChangesNothing) {
  JobService a(db(), clock_, Options("node-a"));
  JobService b(db(), clock_, Options("node-b"));
  int b_runs = 0;
  b.RegisterHandler("work", [&](const Job& job) {
    ++b_runs;
    EXPECT_EQ(job.attempts, 2);
    return Status::Ok();
  });
  // Node a claims the job and stalls past its lease; meanwhile node b, seeing
  // the lease run out, claims and finishes it. Then a's late failure must not
  // overwrite b's result.
  int a_runs = 0;
  a.RegisterHandler("work", [&](const Job& job) {
    ++a_runs;
    EXPECT_EQ(job.attempts, 1);
    auto early = b.RunDueJobsOnce();
    EXPECT_TRUE(early.ok() && *early == 0) << "claimed while a's lease holds";
    clock_.Advance(30'000);
    auto late = b.RunDueJobsOnce();
    EXPECT_TRUE(late.ok() && *late == 1);
    return Status::Unavailable("a timed out");
  });
  ASSERT_OK_AND_ASSIGN(auto id, a.ScheduleNow("work", "{}", kStart));
  ASSERT_OK(a.RunDueJobsOnce().status());
  EXPECT_EQ(a_runs, 1);
  EXPECT_EQ(b_runs, 1);
  ASSERT_OK_AND_ASSIGN(Job job, a.Get(*id));
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.locked_by, "node-b");
}

TEST_P(JobServiceTest, ACrashedNodesJobRunsAfterTheLeaseAndAJobThatKeepsCrashingGoesDead) {
  JobService jobs(db(), clock_, Options("survivor"));
  int runs = 0;
  jobs.RegisterHandler("work", [&](const Job&) {
    ++runs;
    return Status::Ok();
  });
  ASSERT_OK_AND_ASSIGN(auto id, jobs.ScheduleNow("work", "{}", kStart));
  ASSERT_OK_AND_ASSIGN(auto doomed, jobs.ScheduleNow("work", "{}", kStart));
  // Claimed by nodes that then died: running, leases until kStart + 30 s; the
  // doomed one was on its last attempt.
  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET state = 'running', attempts = 1, locked_by = 'dead-node', "
                                    "due_at = ?, locked_until = ? WHERE id = ?",
                                    {kStart + 30'000, kStart + 30'000, *id})
                                .status());
    return tx.Exec("UPDATE jobs SET state = 'running', attempts = 3, locked_by = 'dead-node', due_at = ?, "
                   "locked_until = ? WHERE id = ?",
                   {kStart + 30'000, kStart + 30'000, *doomed})
        .status();
  }));
  ASSERT_OK_AND_ASSIGN(int n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 0);
  clock_.Advance(30'000);
  ASSERT_OK_AND_ASSIGN(n, jobs.RunDueJobsOnce());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(runs, 1);
  ASSERT_OK_AND_ASSIGN(Job job, jobs.Get(*id));
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.attempts, 2);
  ASSERT_OK_AND_ASSIGN(job, jobs.Get(*doomed));
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_NE(job.last_error.value_or("").find("lease"), std::string::npos);
}

// Several claimers on separate connections (separate nodes on PostgreSQL) run
// each of many due jobs exactly once.
TEST_P(JobServiceTest, ConcurrentClaimersRunEveryJobExactlyOnce) {
  constexpr int kJobs = 600;
  constexpr int kNodes = 3;
  SystemClock real_clock;
  std::vector<std::unique_ptr<storage::Database>> dbs;
  for (int i = 0; i < kNodes; ++i) {
    if (GetParam() == Engine::kSqlite) break;  // one node: one file, one writer
    auto opened = storage::Database::Open(test_db_->url());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    dbs.push_back(std::move(*opened));
  }
  std::mutex mu;
  std::map<std::string, int> runs;
  std::vector<std::unique_ptr<JobService>> services;
  std::vector<std::unique_ptr<JobWorker>> workers;
  for (int i = 0; i < kNodes; ++i) {
    storage::Database& node_db = dbs.empty() ? db() : *dbs[i];
    JobOptions o = Options("node-" + std::to_string(i));
    o.claim_batch = 20;
    services.push_back(std::make_unique<JobService>(node_db, real_clock, o));
    services.back()->RegisterHandler("count", [&](const Job& job) {
      std::lock_guard lock(mu);
      ++runs[job.payload];
      return Status::Ok();
    });
  }
  ASSERT_OK(db().Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < kJobs; ++i) {
      OPSDESK_RETURN_IF_ERROR(
          services[0]->Schedule(tx, "count", "job-" + std::to_string(i), real_clock.NowMs()).status());
    }
    return Status::Ok();
  }));
  for (auto& s : services) workers.push_back(std::make_unique<JobWorker>(*s, WorkerOptions{3, 10}));
  for (auto& w : workers) w->Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Count("SELECT COUNT(*) FROM jobs WHERE state = 'done'") < kJobs &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& w : workers) w->Stop();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'done'"), kJobs);
  std::lock_guard lock(mu);
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs));
  for (const auto& [payload, count] : runs) EXPECT_EQ(count, 1) << payload;
  if (GetParam() == Engine::kPostgres) {
    // The work was shared.
    EXPECT_GT(Count("SELECT COUNT(DISTINCT locked_by) FROM jobs"), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, JobServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); });

}  // namespace
}  // namespace opsdesk::jobs
