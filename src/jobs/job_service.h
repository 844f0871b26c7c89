// Durable timers and jobs: rows in the `jobs` table, written inside the
// transaction of whatever causes them (the outbox pattern) and run at least once
// by a worker on some node once they fall due.
//
// Claiming: a worker takes a batch of due jobs in one write transaction (on
// PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, so nodes never wait on each
// other or take the same row; on SQLite the single writer serialises claims),
// marks them `running` with a lease (due_at := lease end), commits, runs each
// handler, then records the outcomes in one more transaction. A node that dies
// mid-run leaves `running` rows whose lease runs out; they are due again and
// another claim takes them: at-least-once. Receivers dedupe by the job's
// idempotency key, which every delivery carries.
//
// Failures: a handler's non-OK status is retried with exponential backoff
// (retry_base_ms * 2^(attempt-1), capped) until max_attempts, then the job is
// `dead` (the dead-letter list) until someone retries it. A status of
// kInvalidArgument, kPermissionDenied, kFailedPrecondition or kNotFound is
// permanent: the job goes dead at once (retrying cannot help).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::jobs {

enum class JobState { kPending, kRunning, kDone, kDead };
const char* JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view text);

struct Job {
  int64_t id = 0;
  std::string kind;
  std::string payload;  // JSON text
  JobState state = JobState::kPending;
  TimestampMs due_at = 0;
  int attempts = 0;      // including the run in progress
  int max_attempts = 0;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> locked_by;
  std::optional<std::string> last_error;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  std::optional<TimestampMs> finished_at;
};

struct JobOptions {
  int max_attempts = 8;
  int64_t retry_base_ms = 1000;        // first retry after this, then doubling
  int64_t retry_cap_ms = 60 * 60 * 1000;
  int64_t lease_ms = 60 * 1000;        // longer than any handler may take
  int claim_batch = 50;
  std::string node_id;                 // locked_by; empty: host:pid:random
};

// Handlers run on worker threads, concurrently with each other; they must be
// thread-safe and must not assume a job runs only once.
using JobHandler = std::function<Status(const Job&)>;

struct ScheduleOptions {
  std::optional<std::string> idempotency_key;
  std::optional<int> max_attempts;  // default JobOptions::max_attempts
};

struct JobFilter {
  std::optional<std::string> kind;
  std::optional<JobState> state;
  std::optional<std::string> cursor;
  int limit = kDefaultPageLimit;
};

class JobService {
 public:
  JobService(storage::Database& db, const Clock& clock, JobOptions options = {});

  // Writes a job inside the caller's transaction: it exists exactly when that
  // transaction commits. With an idempotency key that some job (in any state)
  // already has, nothing is written and nullopt is returned; otherwise the new
  // job's id. `max_attempts` of 0 means the service's default.
  static Result<std::optional<int64_t>> Schedule(storage::Transaction& tx, const std::string& kind,
                                                 const std::string& payload, TimestampMs due_at,
                                                 const std::optional<std::string>& idempotency_key,
                                                 int max_attempts, TimestampMs now);
  // The same, with this service's clock and defaults.
  Result<std::optional<int64_t>> Schedule(storage::Transaction& tx, const std::string& kind,
                                          const std::string& payload, TimestampMs due_at,
                                          const ScheduleOptions& options = {});
  // Schedule in a transaction of its own.
  Result<std::optional<int64_t>> ScheduleNow(const std::string& kind, const std::string& payload,
                                             TimestampMs due_at, const ScheduleOptions& options = {});

  // REQUIRES: handlers are registered before workers start.
  void RegisterHandler(const std::string& kind, JobHandler handler);

  // Claims up to `max_jobs` (0: claim_batch) due jobs, runs them on this thread
  // and records the outcomes. Returns how many ran. Jobs of a kind with no
  // handler on this node are not claimed.
  Result<int> RunDueJobsOnce(int max_jobs = 0);

  // The earliest due_at among live (pending or running) jobs; nullopt when none.
  Result<std::optional<TimestampMs>> NextDueAt();

  Result<Job> Get(int64_t id);
  Result<Page<Job>> List(const JobFilter& filter);
  // Makes a dead job pending again, due now, with its attempts reset.
  // kFailedPrecondition unless it is dead; kNotFound when there is no such job
  // (or, with `kind`, none of that kind).
  Result<Job> Retry(int64_t id, const std::optional<std::string>& kind = std::nullopt);

  // The delay before retry number `attempt` (1-based) with these options.
  int64_t BackoffMs(int attempt) const;

  const JobOptions& options() const { return options_; }
  const std::string& node_id() const { return options_.node_id; }

  // Called after Schedule (possibly before the commit): a worker may wake early.
  void SetScheduledListener(std::function<void(TimestampMs due_at)> listener) { scheduled_ = std::move(listener); }

 private:
  struct Outcome {
    const Job* job;
    Status status;
  };
  Result<std::vector<Job>> Claim(int max_jobs);
  // Records outcomes[from..] and renews the lease of `renew`, in one transaction.
  Status RecordOutcomes(const std::vector<Outcome>& outcomes, size_t from, const std::vector<int64_t>& renew);

  storage::Database& db_;
  const Clock& clock_;
  JobOptions options_;
  std::map<std::string, JobHandler> handlers_;
  std::string kinds_sql_;  // "?, ?" for the registered kinds
  std::vector<std::string> kinds_;
  std::function<void(TimestampMs)> scheduled_;
};

}  // namespace opsdesk::jobs
