#include "jobs/job_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "common/random.h"

namespace opsdesk::jobs {
namespace {

constexpr const char* kJobColumns =
    "id, kind, payload, state, due_at, attempts, max_attempts, idempotency_key, locked_by, last_error, "
    "created_at, updated_at, finished_at";
constexpr size_t kMaxErrorChars = 1000;

Job JobFromRow(const storage::Row& row) {
  Job job;
  job.id = row.Int(0);
  job.kind = row.Text(1);
  job.payload = row.Text(2);
  job.state = ParseJobState(row.Text(3)).value_or(JobState::kPending);
  job.due_at = row.Int(4);
  job.attempts = static_cast<int>(row.Int(5));
  job.max_attempts = static_cast<int>(row.Int(6));
  job.idempotency_key = row.OptText(7);
  job.locked_by = row.OptText(8);
  job.last_error = row.OptText(9);
  job.created_at = row.Int(10);
  job.updated_at = row.Int(11);
  job.finished_at = row.OptInt(12);
  return job;
}

bool IsPermanent(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

std::string ClipError(std::string text) {
  if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
  return text;
}

std::string DefaultNodeId() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + RandomHex(4);
}

}  // namespace

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending: return "pending";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kDead: return "dead";
  }
  return "pending";
}

std::optional<JobState> ParseJobState(std::string_view text) {
  if (text == "pending") return JobState::kPending;
  if (text == "running") return JobState::kRunning;
  if (text == "done") return JobState::kDone;
  if (text == "dead") return JobState::kDead;
  return std::nullopt;
}

JobService::JobService(storage::Database& db, const Clock& clock, JobOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {
  if (options_.node_id.empty()) options_.node_id = DefaultNodeId();
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.claim_batch = std::max(1, options_.claim_batch);
  options_.retry_base_ms = std::max<int64_t>(1, options_.retry_base_ms);
  options_.retry_cap_ms = std::max(options_.retry_base_ms, options_.retry_cap_ms);
}

Result<std::optional<int64_t>> JobService::Schedule(storage::Transaction& tx, const std::string& kind,
                                                    const std::string& payload, TimestampMs due_at,
                                                    const std::optional<std::string>& idempotency_key,
                                                    int max_attempts, TimestampMs now) {
  if (kind.empty()) return Status::InvalidArgument("job kind must not be empty");
  // ON CONFLICT DO NOTHING rather than a failing insert: on PostgreSQL a unique
  // violation would abort the caller's whole transaction.
  auto row = tx.QueryOne(
      "INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, idempotency_key, created_at, "
      "updated_at) VALUES (?, ?, 'pending', ?, 0, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
      {kind, payload, due_at, std::max(1, max_attempts), idempotency_key, now, now});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>((*row)->Int(0));
}

Result<std::optional<int64_t>> JobService::Schedule(storage::Transaction& tx, const std::string& kind,
                                                    const std::string& payload, TimestampMs due_at,
                                                    const ScheduleOptions& options) {
  auto id = Schedule(tx, kind, payload, due_at, options.idempotency_key,
                     options.max_attempts.value_or(options_.max_attempts), clock_.NowMs());
  if (id.ok() && *id && scheduled_) scheduled_(due_at);
  return id;
}

Result<std::optional<int64_t>> JobService::ScheduleNow(const std::string& kind, const std::string& payload,
                                                       TimestampMs due_at, const ScheduleOptions& options) {
  std::optional<int64_t> id;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto scheduled = Schedule(tx, kind, payload, due_at, options);
    if (!scheduled.ok()) return scheduled.status();
    id = *scheduled;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return id;
}

void JobService::RegisterHandler(const std::string& kind, JobHandler handler) {
  handlers_[kind] = std::move(handler);
  kinds_.clear();
  kinds_sql_.clear();
  for (const auto& [k, h] : handlers_) {
    kinds_sql_ += kinds_.empty() ? "?" : ", ?";
    kinds_.push_back(k);
  }
}

int64_t JobService::BackoffMs(int attempt) const {
  int64_t delay = options_.retry_base_ms;
  for (int i = 1; i < attempt && delay < options_.retry_cap_ms; ++i) delay *= 2;
  return std::min(delay, options_.retry_cap_ms);
}

Result<std::vector<Job>> JobService::Claim(int max_jobs) {
  std::vector<Job> claimed;
  if (kinds_.empty()) return claimed;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    claimed.clear();
    TimestampMs now = clock_.NowMs();
    std::string sql =
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, due_at = ?, "
        "updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE state IN ('pending', 'running') AND due_at <= ? "
        "AND kind IN (" + kinds_sql_ + ") ORDER BY due_at, id LIMIT ?";
    // Nodes sharing PostgreSQL skip rows another node is claiming right now
    // instead of waiting for it; SQLite has one writer, so there is no race.
    if (tx.engine() == storage::Engine::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
    sql += std::string(") RETURNING ") + kJobColumns;
    TimestampMs lease_end = now + options_.lease_ms;
    storage::Params params{options_.node_id, lease_end, lease_end, now, now};
    for (const auto& k : kinds_) params.emplace_back(k);
    params.emplace_back(max_jobs);
    auto rows = tx.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) claimed.push_back(JobFromRow(row));
    // A job whose lease ran out after its last attempt (its node died each
    // time) is not run again: it goes to the dead letters.
    for (auto it = claimed.begin(); it != claimed.end();) {
      if (it->attempts > it->max_attempts) {
        OPSDESK_RETURN_IF_ERROR(
            tx.Exec("UPDATE jobs SET state = 'dead', attempts = attempts - 1, locked_until = NULL, "
                    "finished_at = ?, updated_at = ?, last_error = ? WHERE id = ?",
                    {now, now, "the lease of the last attempt ran out (the worker stopped)", it->id})
                .status());
        it = claimed.erase(it);
      } else {
        ++it;
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  std::sort(claimed.begin(), claimed.end(), [](const Job& a, const Job& b) { return a.id < b.id; });
  return claimed;
}

Result<int> JobService::RunDueJobsOnce(int max_jobs) {
  auto claimed = Claim(max_jobs > 0 ? max_jobs : options_.claim_batch);
  if (!claimed.ok()) return claimed.status();
  if (claimed->empty()) return 0;
  std::vector<Outcome> outcomes;
  outcomes.reserve(claimed->size());
  // Outcomes are recorded in one transaction per batch, and also whenever
  // kFlushEvery passed since the last record: slow handlers (webhooks) then
  // leave at most that much finished-but-unrecorded work behind if the node
  // dies, which is what would run a second time after the lease. Each such
  // record also renews the lease of the batch's jobs still to run.
  constexpr auto kFlushEvery = std::chrono::milliseconds(100);
  size_t recorded = 0;
  auto last_flush = std::chrono::steady_clock::now();
  Status status;
  for (const Job& job : *claimed) {
    Status result;
    auto it = handlers_.find(job.kind);
    try {
      result = it == handlers_.end() ? Status::Internal("no handler for job kind " + job.kind) : it->second(job);
    } catch (const std::exception& e) {
      result = Status::Internal(std::string("handler threw: ") + e.what());
    }
    if (!result.ok()) {
      spdlog::warn("job {} ({}) attempt {}/{} failed: {}", job.id, job.kind, job.attempts, job.max_attempts,
                   result.ToString());
    }
    outcomes.push_back({&job, std::move(result)});
    bool last = outcomes.size() == claimed->size();
    if (last || std::chrono::steady_clock::now() - last_flush >= kFlushEvery) {
      std::vector<int64_t> still_to_run;
      for (size_t i = outcomes.size(); i < claimed->size(); ++i) still_to_run.push_back((*claimed)[i].id);
      status = RecordOutcomes(outcomes, recorded, still_to_run);
      if (!status.ok()) return status;
      recorded = outcomes.size();
      last_flush = std::chrono::steady_clock::now();
    }
  }
  return static_cast<int>(outcomes.size());
}

Status JobService::RecordOutcomes(const std::vector<Outcome>& outcomes, size_t from,
                                  const std::vector<int64_t>& renew) {
  // Only rows this node still holds are changed: after a lost lease another
  // node owns the job.
  return db_.Write([&](storage::Transaction& tx) -> Status {
    TimestampMs now = clock_.NowMs();
    std::string done_ids;
    storage::Params done_params{now, now, options_.node_id};
    for (size_t i = from; i < outcomes.size(); ++i) {
      const auto& o = outcomes[i];
      const Job& job = *o.job;
      if (o.status.ok()) {
        done_ids += done_ids.empty() ? "?" : ", ?";
        done_params.emplace_back(job.id);
        continue;
      }
      bool dead = IsPermanent(o.status) || job.attempts >= job.max_attempts;
      std::string error = ClipError(o.status.ToString());
      if (dead) {
        OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET state = 'dead', locked_until = NULL, last_error = ?, "
                                        "finished_at = ?, updated_at = ? WHERE id = ? AND state = 'running' "
                                        "AND locked_by = ?",
                                        {error, now, now, job.id, options_.node_id})
                                    .status());
      } else {
        OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET state = 'pending', locked_until = NULL, last_error = ?, "
                                        "due_at = ?, updated_at = ? WHERE id = ? AND state = 'running' "
                                        "AND locked_by = ?",
                                        {error, now + BackoffMs(job.attempts), now, job.id, options_.node_id})
                                    .status());
      }
    }
    if (!renew.empty()) {
      std::string ids;
      storage::Params params{now + options_.lease_ms, now + options_.lease_ms, now, options_.node_id};
      for (int64_t id : renew) {
        ids += ids.empty() ? "?" : ", ?";
        params.emplace_back(id);
      }
      OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET due_at = ?, locked_until = ?, updated_at = ? WHERE "
                                      "state = 'running' AND locked_by = ? AND id IN (" + ids + ")",
                                      params)
                                  .status());
    }
    if (!done_ids.empty()) {
      OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET state = 'done', locked_until = NULL, last_error = NULL, "
                                      "finished_at = ?, updated_at = ? WHERE state = 'running' AND locked_by = ? "
                                      "AND id IN (" + done_ids + ")",
                                      done_params)
                                  .status());
    }
    return Status::Ok();
  });
}

Result<std::optional<TimestampMs>> JobService::NextDueAt() {
  std::optional<TimestampMs> next;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT MIN(due_at) FROM jobs WHERE state IN ('pending', 'running')");
    if (!row.ok()) return row.status();
    if (*row && !(*row)->IsNull(0)) next = (*row)->Int(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return next;
}

Result<Job> JobService::Get(int64_t id) {
  std::optional<Job> job;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", {id});
    if (!row.ok()) return row.status();
    if (*row) job = JobFromRow(**row);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!job) return Status::NotFound("job " + std::to_string(id) + " not found");
  return *job;
}

Result<Page<Job>> JobService::List(const JobFilter& filter) {
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1 = 1";
  storage::Params params;
  if (filter.kind) {
    sql += " AND kind = ?";
    params.emplace_back(*filter.kind);
  }
  if (filter.state) {
    sql += " AND state = ?";
    params.emplace_back(JobStateName(*filter.state));
  }
  if (filter.cursor) {
    std::string ignored;
    int64_t before_id = 0;
    if (!DecodeCursor(*filter.cursor, &ignored, &before_id)) {
      return Status::InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this server issued"}});
    }
    sql += " AND id < ?";
    params.emplace_back(before_id);
  }
  int limit = std::clamp(filter.limit, 1, kMaxPageLimit);
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(limit + 1);
  Page<Job> page;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(sql, params);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) page.items.push_back(JobFromRow(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    page.next_cursor = EncodeCursor("", page.items.back().id);
  }
  return page;
}

Result<Job> JobService::Retry(int64_t id, const std::optional<std::string>& kind) {
  std::optional<Job> job;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", {id});
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("job " + std::to_string(id) + " not found");
    Job found = JobFromRow(**row);
    if (kind && found.kind != *kind) return Status::NotFound("job " + std::to_string(id) + " not found");
    if (found.state != JobState::kDead) {
      return Status::FailedPrecondition(std::string("only dead jobs can be retried; this one is ") +
                                        JobStateName(found.state));
    }
    TimestampMs now = clock_.NowMs();
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE jobs SET state = 'pending', attempts = 0, due_at = ?, updated_at = ?, "
                                    "finished_at = NULL, locked_by = NULL, locked_until = NULL WHERE id = ?",
                                    {now, now, id})
                                .status());
    found.state = JobState::kPending;
    found.attempts = 0;
    found.due_at = now;
    found.updated_at = now;
    found.finished_at.reset();
    found.locked_by.reset();
    job = found;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (scheduled_) scheduled_(job->due_at);
  return *job;
}

}  // namespace opsdesk::jobs
