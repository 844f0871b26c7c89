#include "storage/postgres_database.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace opsdesk::storage {

namespace {

// Type OIDs from the server's catalog (catalog/pg_type_d.h is a server header, not
// part of libpq-dev's public surface). These values are fixed by PostgreSQL.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// A connection keeps at most this many named prepared statements. The application's
// SQL is a fixed set of constants, so this only bites code that builds SQL text
// dynamically (IN lists of varying length); such statements then run unprepared
// instead of growing server memory without bound.
constexpr size_t kMaxPreparedPerConnection = 512;

// RewritePlaceholders, also reporting how many placeholders it numbered.
std::string RewriteAndCount(std::string_view sql, int* param_count);

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimTrailingNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Data exceptions (SQLSTATE class 22) quote the offending input in their primary
// message (`invalid input syntax for type integer: "abc"`), and that input is a
// bound parameter. Quoted spans are blanked so parameter values never reach logs or
// HTTP error bodies.
std::string RedactQuoted(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool in_quotes = false;
  for (char c : message) {
    if (c == '"') {
      out += c;
      if (!in_quotes) out += "...";
      in_quotes = !in_quotes;
    } else if (!in_quotes) {
      out += c;
    }
  }
  return out;
}

bool IsConnectionFailure(std::string_view sqlstate) {
  return sqlstate.substr(0, 2) == "08" ||  // connection_exception
         sqlstate == "57P01" ||            // admin_shutdown
         sqlstate == "57P02" ||            // crash_shutdown
         sqlstate == "57P03" ||            // cannot_connect_now
         sqlstate == "53300";              // too_many_connections
}

// Turns a failed libpq call into a Status. Uses only the server's primary message,
// never PQresultErrorMessage: the DETAIL line of a constraint violation repeats the
// row's values ("Key (email)=(a@b.c) already exists").
Status StatusFromFailure(PGconn* conn, const PGresult* result) {
  const char* sqlstate_c = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = sqlstate_c ? sqlstate_c : "";
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;

  if (PQstatus(conn) == CONNECTION_BAD || IsConnectionFailure(sqlstate)) {
    std::string message = primary ? primary : TrimTrailingNewlines(PQerrorMessage(conn));
    return Status::Unavailable("postgresql connection failed: " + message);
  }
  if (primary == nullptr) {
    // Client-side failure (out of memory, protocol error): libpq's own text.
    return Status::Internal("postgresql: " + TrimTrailingNewlines(PQerrorMessage(conn)));
  }
  std::string message = sqlstate.substr(0, 2) == "22" ? RedactQuoted(primary) : std::string(primary);
  message += " (SQLSTATE " + std::string(sqlstate) + ")";
  if (sqlstate == "23505" || sqlstate == "23503" || sqlstate == "40001" || sqlstate == "40P01") {
    return Status::Conflict(message);
  }
  return Status::Internal("postgresql: " + message);
}

// Runs parameterless SQL (transaction control, session settings, scripts).
Status ExecSimple(PGconn* conn, const char* sql) {
  PgResult result(PQexec(conn, sql));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return Status::Ok();
  }
  return StatusFromFailure(conn, result.get());
}

// Parameter text in the form the server's input functions accept.
std::string DoubleText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  // Shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

Value ConvertField(Oid type, const char* text, int length) {
  std::string_view s(text, static_cast<size_t>(length));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(s.data(), s.data() + s.size(), v);
      return Value(static_cast<long long>(v));
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      // from_chars accepts "Infinity", "-Infinity" and "NaN", as the server prints them.
      double v = 0;
      std::from_chars(s.data(), s.data() + s.size(), v);
      return Value(v);
    }
    case kBoolOid:
      return Value(static_cast<long long>(s == "t" ? 1 : 0));
    default:
      return Value(std::string(s));
  }
}

Rows ConvertRows(const PGresult* result) {
  int row_count = PQntuples(result);
  int column_count = PQnfields(result);
  std::vector<Oid> types(column_count);
  for (int column_idx = 0; column_idx < column_count; ++column_idx) {
    types[column_idx] = PQftype(result, column_idx);
  }
  Rows rows;
  rows.reserve(row_count);
  for (int row_idx = 0; row_idx < row_count; ++row_idx) {
    std::vector<Value> values;
    values.reserve(column_count);
    for (int column_idx = 0; column_idx < column_count; ++column_idx) {
      if (PQgetisnull(result, row_idx, column_idx)) {
        values.emplace_back();
      } else {
        values.push_back(ConvertField(types[column_idx], PQgetvalue(result, row_idx, column_idx),
                                      PQgetlength(result, row_idx, column_idx)));
      }
    }
    rows.emplace_back(std::move(values));
  }
  return rows;
}

// Server notices (warnings only, given client_min_messages) go to the log rather
// than libpq's default of stderr.
void ForwardNotice(void* /*arg*/, const char* message) {
  spdlog::warn("postgresql notice: {}", TrimTrailingNewlines(message));
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct PreparedStatement {
  std::string name;
  int param_count = 0;
};

// One libpq connection and the statements prepared on it. Used by one thread at a
// time: the pool hands it out exclusively.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* get() const { return conn_; }
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

  // Runs `sql` (with `?` placeholders) and returns its result, or the error.
  Result<PgResult> Run(std::string_view sql, const Params& params) {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t param_idx = 0; param_idx < params.size(); ++param_idx) {
      const Value& param = params[param_idx];
      if (param.is_null()) continue;
      if (param.is_int()) {
        texts[param_idx] = std::to_string(param.AsInt());
      } else if (param.is_double()) {
        texts[param_idx] = DoubleText(param.AsDouble());
      } else {
        texts[param_idx] = param.AsText();
        // Text parameters travel NUL-terminated, and PostgreSQL text cannot hold
        // NUL anyway; refuse rather than silently truncate.
        if (texts[param_idx].find('\0') != std::string::npos) {
          return Status::InvalidArgument("text parameter " + std::to_string(param_idx + 1) +
                                         " contains a NUL byte");
        }
      }
      values[param_idx] = texts[param_idx].c_str();
    }

    auto found = prepared_.find(sql);
    if (found == prepared_.end()) {
      int param_count = 0;
      std::string rewritten = RewriteAndCount(sql, &param_count);
      if (static_cast<size_t>(param_count) != params.size()) return CountMismatch(param_count, params.size());
      if (prepared_.size() >= kMaxPreparedPerConnection) {
        PgResult result(PQexecParams(conn_, rewritten.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0));
        return Check(std::move(result));
      }
      PreparedStatement statement{"opsdesk_" + std::to_string(next_statement_id_++), param_count};
      PgResult prepared(PQprepare(conn_, statement.name.c_str(), rewritten.c_str(), 0, nullptr));
      if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
        return StatusFromFailure(conn_, prepared.get());
      }
      found = prepared_.emplace(std::string(sql), std::move(statement)).first;
    }
    const PreparedStatement& statement = found->second;
    if (static_cast<size_t>(statement.param_count) != params.size()) {
      return CountMismatch(statement.param_count, params.size());
    }
    PgResult result(PQexecPrepared(conn_, statement.name.c_str(), static_cast<int>(values.size()),
                                   values.data(), nullptr, nullptr, 0));
    return Check(std::move(result));
  }

 private:
  static Status CountMismatch(int expected, size_t given) {
    return Status::Internal("statement has " + std::to_string(expected) + " placeholders but " +
                            std::to_string(given) + " parameters were given");
  }

  Result<PgResult> Check(PgResult result) {
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
      return StatusFromFailure(conn_, result.get());
    }
    // COPY and other streaming modes would leave the connection mid-protocol.
    return Status::Internal(std::string("postgresql: unsupported result ") + PQresStatus(status));
  }

  PGconn* conn_;
  std::unordered_map<std::string, PreparedStatement, StringHash, std::equal_to<>> prepared_;
  int64_t next_statement_id_ = 0;
};

class PgTransaction final : public Transaction {
 public:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}

  Engine engine() const override { return Engine::kPostgres; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    auto result = conn_.Run(sql, params);
    if (!result.ok()) return Remember(result.status());
    return ConvertRows(result->get());
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    auto result = conn_.Run(sql, params);
    if (!result.ok()) return Remember(result.status());
    const char* tuples = PQcmdTuples(result->get());  // "" for statements without a count
    int64_t changed = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), changed);
    return changed;
  }

  Status ExecScript(std::string_view sql) override {
    // No placeholder rewriting: scripts take no parameters, and PostgreSQL's own
    // `?` operators (jsonb) must reach the server untouched.
    return Remember(ExecSimple(conn_.get(), std::string(sql).c_str()));
  }

  // The first statement error. After one, PostgreSQL refuses everything until
  // ROLLBACK, unlike SQLite, which undoes only the failed statement.
  const Status& first_error() const { return first_error_; }

 private:
  Status Remember(Status status) {
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    return status;
  }

  PgConnection& conn_;
  Status first_error_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, const OpenOptions& options)
      : url_(std::move(url)), max_connections_(options.max_readers > 0 ? options.max_readers : 1) {}

  ~PostgresDatabase() override {
    // REQUIRES: no transaction is running (callers own the Database's lifetime).
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();
  }

  Engine engine() const override { return Engine::kPostgres; }

  // Opens the first connection so a bad URL or a down server fails at startup.
  Status CheckConnection() {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Release(std::move(*conn));
    return Status::Ok();
  }

  Status Write(const std::function<Status(Transaction&)>& fn) override {
    Status status = RunTransaction("BEGIN", fn);
    if (status.ok()) committed_.fetch_add(1, std::memory_order_relaxed);
    return status;
  }

  Status Read(const std::function<Status(Transaction&)>& fn) override {
    return RunTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", fn);
  }

  Status Ping() override {
    // Through a transaction, so a stale pooled connection is replaced rather than
    // reported as an outage after a server restart.
    Status status = RunTransaction("BEGIN READ ONLY", [](Transaction& tx) -> Status {
      auto rows = tx.Query("SELECT 1");
      return rows.ok() ? Status::Ok() : rows.status();
    });
    if (!status.ok() && status.code() != StatusCode::kUnavailable) return Status::Unavailable(status.message());
    return status;
  }

  PoolStats Stats() const override {
    PoolStats stats;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats.connections_open = open_;
      stats.connections_in_use = in_use_;
    }
    stats.transactions_committed = committed_.load(std::memory_order_relaxed);
    // Every PostgreSQL COMMIT is flushed on its own; there is no group commit here.
    stats.commits_flushed = stats.transactions_committed;
    return stats;
  }

 private:
  struct Checkout {
    std::unique_ptr<PgConnection> conn;
    bool reused = false;  // came from the idle list, so it may have gone stale
  };

  Status RunTransaction(const char* begin_sql, const std::function<Status(Transaction&)>& fn) {
    // An idle connection may have been closed by the server (restart, idle timeout)
    // without libpq noticing until it is used. Nothing has run yet when BEGIN fails,
    // so retrying on a fresh connection is safe; every idle connection could be stale.
    for (int attempt = 0;; ++attempt) {
      auto checkout = AcquireCheckout();
      if (!checkout.ok()) return checkout.status();
      std::unique_ptr<PgConnection> conn = std::move(checkout->conn);
      Status begun = ExecSimple(conn->get(), begin_sql);
      if (!begun.ok()) {
        bool stale = checkout->reused && !conn->healthy();
        Release(std::move(conn));
        if (stale && attempt <= max_connections_) continue;
        return begun;
      }
      Status status;
      try {
        status = RunInTransaction(*conn, fn);
      } catch (...) {
        // fn should not throw, but if it does the slot must come back, or the pool
        // shrinks until every caller waits forever.
        (void)ExecSimple(conn->get(), "ROLLBACK");
        Release(std::move(conn));
        throw;
      }
      Release(std::move(conn));
      return status;
    }
  }

  Status RunInTransaction(PgConnection& conn, const std::function<Status(Transaction&)>& fn) {
    PgTransaction tx(conn);
    Status status = fn(tx);
    if (status.ok() && !tx.first_error().ok()) {
      // fn ignored a failed statement. The server has already aborted the
      // transaction (COMMIT would silently roll back), so report what failed.
      status = tx.first_error();
    }
    if (!status.ok()) {
      // A failed ROLLBACK leaves the connection unhealthy or mid-transaction, and
      // Release discards it; the caller's error is the one worth returning.
      (void)ExecSimple(conn.get(), "ROLLBACK");
      return status;
    }
    PgResult result(PQexec(conn.get(), "COMMIT"));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return StatusFromFailure(conn.get(), result.get());
    }
    // The server answers COMMIT of an aborted transaction with success and the tag
    // ROLLBACK. first_error() should have caught that; this guards the contract.
    if (std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0) {
      return Status::Internal("postgresql: transaction was rolled back at commit");
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<PgConnection>> Acquire() {
    auto checkout = AcquireCheckout();
    if (!checkout.ok()) return checkout.status();
    return std::move(checkout->conn);
  }

  // Waits for an idle connection or a free slot. Waits without a deadline: a slot
  // frees as soon as any transaction ends, and fn may not nest Write/Read.
  Result<Checkout> AcquireCheckout() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_connections_; });
      if (!idle_.empty()) {
        std::unique_ptr<PgConnection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (!conn->healthy()) {
          --open_;
          continue;  // its slot is free now; loop to open a replacement
        }
        ++in_use_;
        return Checkout{std::move(conn), true};
      }
      // Reserve the slot, then connect without holding the lock: connecting takes
      // a network round trip or more.
      ++open_;
      ++in_use_;
      lock.unlock();
      auto conn = Connect();
      lock.lock();
      if (!conn.ok()) {
        --open_;
        --in_use_;
        cv_.notify_one();
        return conn.status();
      }
      return Checkout{std::move(*conn), false};
    }
  }

  void Release(std::unique_ptr<PgConnection> conn) {
    // Only a healthy connection outside any transaction goes back to the pool; a
    // connection left mid-transaction (failed ROLLBACK) would leak its state.
    bool reusable = conn->healthy() && PQtransactionStatus(conn->get()) == PQTRANS_IDLE;
    std::unique_ptr<PgConnection> discard;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_use_;
      if (reusable) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
        discard = std::move(conn);
      }
    }
    cv_.notify_one();
    // discard's destructor closes the socket here, outside the lock.
  }

  Result<std::unique_ptr<PgConnection>> Connect() {
    // Keywords before dbname are defaults the URL may override; connect_timeout
    // keeps an unreachable host from blocking a caller for minutes.
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"10", "opsdesk", url_.c_str(), nullptr};
    auto conn = std::make_unique<PgConnection>(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
    if (conn->get() == nullptr) return Status::Unavailable("postgresql: out of memory while connecting");
    if (!conn->healthy()) {
      return Status::Unavailable("postgresql connection failed: " +
                                 TrimTrailingNewlines(PQerrorMessage(conn->get())));
    }
    PQsetNoticeProcessor(conn->get(), ForwardNotice, nullptr);
    // Notices such as "table does not exist, skipping" are noise in a server log.
    Status status = ExecSimple(conn->get(), "SET client_min_messages = warning");
    if (!status.ok()) return status;
    return conn;
  }

  const std::string url_;
  const int max_connections_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;    // idle + in use + being opened; guarded by mu_
  int in_use_ = 0;  // guarded by mu_
  std::atomic<int64_t> committed_{0};
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions& options) {
  auto db = std::make_unique<PostgresDatabase>(url, options);
  OPSDESK_RETURN_IF_ERROR(db->CheckConnection());
  return std::unique_ptr<Database>(std::move(db));
}

namespace {

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

std::string RewriteAndCount(std::string_view sql, int* param_count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next_param = 1;
  size_t i = 0;
  const size_t n = sql.size();
  // Copies sql[i] up to and including the closing `quote`; a doubled quote is an
  // escaped one. With `backslash_escapes` (E'...'), a backslash escapes the next char.
  auto copy_quoted = [&](char quote, bool backslash_escapes) {
    out += sql[i++];
    while (i < n) {
      char c = sql[i];
      out += c;
      ++i;
      if (backslash_escapes && c == '\\' && i < n) {
        out += sql[i++];
      } else if (c == quote) {
        if (i < n && sql[i] == quote) {
          out += sql[i++];
        } else {
          return;
        }
      }
    }
  };
  while (i < n) {
    char c = sql[i];
    char prev = i > 0 ? sql[i - 1] : ' ';
    if (c == '\'') {
      // E'...' strings take backslash escapes; a plain identifier ending in e does not.
      bool escape_string = (prev == 'e' || prev == 'E') && (i < 2 || !IsIdentifierChar(sql[i - 2]));
      copy_quoted('\'', escape_string);
    } else if (c == '"') {
      copy_quoted('"', false);
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = n;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      // Block comments nest in PostgreSQL.
      int depth = 0;
      do {
        if (sql.compare(i, 2, "/*") == 0) {
          ++depth;
          out += "/*";
          i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
          --depth;
          out += "*/";
          i += 2;
        } else {
          out += sql[i++];
        }
      } while (i < n && depth > 0);
    } else if (c == '$' && !IsIdentifierChar(prev) && i + 1 < n && !(sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
      // Possibly a dollar-quoted string: $$...$$ or $tag$...$tag$.
      size_t tag_end = i + 1;
      while (tag_end < n && sql[tag_end] != '$' && IsIdentifierChar(sql[tag_end])) ++tag_end;
      if (tag_end < n && sql[tag_end] == '$') {
        std::string_view tag = sql.substr(i, tag_end - i + 1);
        size_t close = sql.find(tag, tag_end + 1);
        size_t end = close == std::string_view::npos ? n : close + tag.size();
        out.append(sql.substr(i, end - i));
        i = end;
      } else {
        out += sql[i++];
      }
    } else if (c == '?') {
      out += '$';
      out += std::to_string(next_param++);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  *param_count = next_param - 1;
  return out;
}

}  // namespace

std::string RewritePlaceholders(std::string_view sql) {
  int param_count = 0;
  return RewriteAndCount(sql, &param_count);
}

}  // namespace opsdesk::storage
