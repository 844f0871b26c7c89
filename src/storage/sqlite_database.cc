#include "storage/sqlite_database.h"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "storage/sqlite_bm25.h"

namespace opsdesk::storage {
namespace {

// Largest number of Write calls folded into one physical commit. Bounded so one
// batch's latency stays small when the queue is long.
constexpr size_t kMaxBatch = 512;

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Status::Conflict(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(message);
    case SQLITE_READONLY: return Status::FailedPrecondition(message);
    default: return Status::Internal(message);
  }
}

// One sqlite3 handle and its prepared statements, used by one thread at a time.
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool is_writer,
                                                  const OpenOptions& options) {
    auto conn = std::make_unique<Connection>();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (is_writer ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &conn->db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      auto status = Status::Unavailable("cannot open SQLite database " + path + ": " +
                                        (conn->db_ ? sqlite3_errmsg(conn->db_) : sqlite3_errstr(rc)));
      return status;
    }
    sqlite3_busy_timeout(conn->db_, options.busy_timeout_ms);
    sqlite3_extended_result_codes(conn->db_, 1);
    // WAL lets readers proceed during a write; synchronous=FULL fsyncs the WAL on
    // every commit, which is what makes an acknowledged write durable.
    std::string pragmas =
        "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
        // 8 MiB of page cache per connection: nine connections stay well under
        // the 150 MB RSS budget on a 1M-ticket desk, and the OS page cache holds
        // the rest. No mmap: mapped pages would count against the process too.
        "PRAGMA cache_size=-8192; PRAGMA mmap_size=0;";
    if (is_writer) {
      pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
    } else {
      pragmas += " PRAGMA query_only=ON;";
    }
    char* err = nullptr;
    rc = sqlite3_exec(conn->db_, pragmas.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Unavailable("cannot configure SQLite database " + path + ": " + message);
    }
    // Search ranks with it (search/search_service.cc).
    OPSDESK_RETURN_IF_ERROR(RegisterBm25Counted(conn->db_));
    return conn;
  }

  sqlite3* db() { return db_; }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(sql);  // no copy of the text to look it up
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

 private:
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(Connection& conn) : conn_(conn) {}
  Engine engine() const override { return Engine::kSqlite; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    Rows rows;
    auto status = Run(sql, params, &rows);
    if (!status.ok()) return status;
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    auto status = Run(sql, params, nullptr);
    if (!status.ok()) return status;
    return static_cast<int64_t>(sqlite3_changes64(conn_.db()));
  }

  Status ExecScript(std::string_view sql) override {
    std::string script(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(conn_.db(), script.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Internal("script failed: " + message);
    }
    return Status::Ok();
  }

 private:
  Status Run(std::string_view sql, const Params& params, Rows* rows) {
    auto prepared = conn_.Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    sqlite3_stmt* stmt = *prepared;
    // Reset on every exit so the cached statement releases its read lock.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};

    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Status::Internal("statement expects " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                              " parameters, got " + std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      int index = static_cast<int>(i + 1);
      int rc;
      if (v.is_null()) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (v.is_int()) {
        rc = sqlite3_bind_int64(stmt, index, v.AsInt());
      } else if (v.is_double()) {
        rc = sqlite3_bind_double(stmt, index, v.AsDouble());
      } else {
        std::string text = v.AsText();
        rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return SqliteError(conn_.db(), rc, "bind");
    }

    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqliteError(conn_.db(), rc, "step");
      if (!rows) continue;
      int columns = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: values.emplace_back(nullptr); break;
          case SQLITE_INTEGER: values.emplace_back(static_cast<long long>(sqlite3_column_int64(stmt, c))); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
          default: {
            const unsigned char* text = sqlite3_column_text(stmt, c);
            int bytes = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(reinterpret_cast<const char*>(text), bytes));
          }
        }
      }
      rows->emplace_back(std::move(values));
    }
  }

  Connection& conn_;
};

// Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT, ...). They run
// several times per request, so they go through the connection's statement
// cache instead of being parsed by sqlite3_exec every time.
Status ExecSimple(Connection& conn, const char* sql) {
  auto prepared = conn.Prepare(sql);
  if (!prepared.ok()) return prepared.status();
  int rc = sqlite3_step(*prepared);
  sqlite3_reset(*prepared);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return SqliteError(conn.db(), rc, sql);
  }
  return Status::Ok();
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, OpenOptions options, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), options_(options), writer_(std::move(writer)) {
    writer_thread_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteDatabase() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_thread_.join();
    // Readers close before the writer so the last connection to close (the writer)
    // checkpoints and removes the WAL.
    idle_readers_.clear();
    writer_.reset();
  }

  Engine engine() const override { return Engine::kSqlite; }

  Status Write(const std::function<Status(Transaction&)>& fn) override {
    Job job{&fn, {}};
    auto done = job.done.get_future();
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return Status::Unavailable("database is closing");
      queue_.push_back(&job);
    }
    queue_cv_.notify_one();
    return done.get();
  }

  Status Read(const std::function<Status(Transaction&)>& fn) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Status status = RunRead(**conn, fn);
    ReleaseReader(std::move(*conn));
    return status;
  }

  Status Ping() override {
    return Read([](Transaction& tx) { return tx.Query("SELECT 1").status(); });
  }

  PoolStats Stats() const override {
    PoolStats stats;
    std::lock_guard lock(readers_mu_);
    stats.connections_open = static_cast<int>(readers_open_) + 1;
    stats.connections_in_use = static_cast<int>(readers_open_ - idle_readers_.size()) + (writer_busy_ ? 1 : 0);
    stats.transactions_committed = committed_.load();
    stats.commits_flushed = flushed_.load();
    return stats;
  }

 private:
  struct Job {
    const std::function<Status(Transaction&)>* fn;
    std::promise<Status> done;
  };

  static Status RunFn(const std::function<Status(Transaction&)>& fn, Transaction& tx) {
    try {
      return fn(tx);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("transaction threw: ") + e.what());
    }
  }

  Status RunRead(Connection& conn, const std::function<Status(Transaction&)>& fn) {
    OPSDESK_RETURN_IF_ERROR(ExecSimple(conn, "BEGIN"));
    SqliteTransaction tx(conn);
    Status status = RunFn(fn, tx);
    Status end = ExecSimple(conn, status.ok() ? "COMMIT" : "ROLLBACK");
    return status.ok() ? end : status;
  }

  // The writer thread: takes every queued Write, runs each in its own savepoint
  // inside one transaction, commits once, then answers them all. Callers that
  // arrive while a commit is being fsynced form the next batch, so throughput
  // grows with concurrency while each acknowledgement still follows its fsync.
  void WriterLoop() {
    while (true) {
      std::vector<Job*> batch;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        while (!queue_.empty() && batch.size() < kMaxBatch) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      writer_busy_ = true;
      RunBatch(batch);
    }
  }

  void RunBatch(const std::vector<Job*>& batch) {
    Connection& conn = *writer_;
    std::vector<Status> results(batch.size());
    Status begin = ExecSimple(conn, "BEGIN IMMEDIATE");
    if (!begin.ok()) {
      writer_busy_ = false;
      for (Job* job : batch) job->done.set_value(begin);
      return;
    }
    SqliteTransaction tx(conn);
    bool any_ok = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (sqlite3_get_autocommit(conn.db())) {
        // An earlier job's error (I/O, disk full) ended the whole transaction.
        results[i] = Status::Unavailable("write batch aborted by an earlier storage error");
        continue;
      }
      Status savepoint = ExecSimple(conn, "SAVEPOINT job");
      if (!savepoint.ok()) {
        results[i] = savepoint;
        continue;
      }
      results[i] = RunFn(*batch[i]->fn, tx);
      if (results[i].ok()) {
        Status release = ExecSimple(conn, "RELEASE job");
        if (!release.ok()) results[i] = release;
        any_ok = any_ok || release.ok();
      } else if (!sqlite3_get_autocommit(conn.db())) {
        (void)ExecSimple(conn, "ROLLBACK TO job");
        (void)ExecSimple(conn, "RELEASE job");
      }
    }
    if (!sqlite3_get_autocommit(conn.db())) {
      Status commit = any_ok ? ExecSimple(conn, "COMMIT") : ExecSimple(conn, "ROLLBACK");
      if (!commit.ok()) {
        (void)ExecSimple(conn, "ROLLBACK");
        for (auto& r : results) {
          if (r.ok()) r = commit;
        }
      } else if (any_ok) {
        flushed_++;
      }
    } else {
      for (auto& r : results) {
        if (r.ok()) r = Status::Unavailable("write batch rolled back by a storage error");
      }
    }
    // Stats() must not show the writer busy once a caller has its answer.
    writer_busy_ = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (results[i].ok()) committed_++;
      batch[i]->done.set_value(results[i]);
    }
  }

  Result<std::unique_ptr<Connection>> AcquireReader() {
    std::unique_lock lock(readers_mu_);
    while (true) {
      if (!idle_readers_.empty()) {
        auto conn = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return conn;
      }
      if (readers_open_ < static_cast<size_t>(options_.max_readers)) {
        readers_open_++;
        lock.unlock();
        auto conn = Connection::Open(path_, false, options_);
        if (!conn.ok()) {
          std::lock_guard relock(readers_mu_);
          readers_open_--;
        }
        return conn;
      }
      readers_cv_.wait(lock);
    }
  }

  void ReleaseReader(std::unique_ptr<Connection> conn) {
    {
      std::lock_guard lock(readers_mu_);
      idle_readers_.push_back(std::move(conn));
    }
    readers_cv_.notify_one();
  }

  const std::string path_;
  const OpenOptions options_;
  std::unique_ptr<Connection> writer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;   // GUARDED_BY(queue_mu_)
  std::thread writer_thread_;
  std::atomic<bool> writer_busy_{false};

  mutable std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // GUARDED_BY(readers_mu_)
  size_t readers_open_ = 0;                                // GUARDED_BY(readers_mu_)

  std::atomic<int64_t> committed_{0};
  std::atomic<int64_t> flushed_{0};
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  // SQLite's memory statistics take one process-wide mutex around every
  // allocation, which the I/O threads' concurrent reads then fight over.
  // sqlite3_config works only before SQLite initialises; if something else
  // initialised it first, the statistics stay on and nothing else changes.
  static std::once_flag configure_once;
  std::call_once(configure_once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  auto writer = Connection::Open(path, true, options);
  if (!writer.ok()) return writer.status();
  std::unique_ptr<Database> db = std::make_unique<SqliteDatabase>(path, options, std::move(*writer));
  return db;
}

}  // namespace opsdesk::storage
