// The one small database interface opsdesk stores everything through, with two
// engines behind it: SQLite (embedded default) and PostgreSQL (libpq).
//
// SQL is written once, portably, with `?` placeholders; the PostgreSQL engine
// rewrites them to $1..$n. Values are NULL, 64-bit integers, doubles or text.
// Booleans are stored as integers 0/1 and timestamps as integer milliseconds since
// the Unix epoch, so both engines agree on every type.
//
// PostgreSQL infers parameter types from the statement: avoid a bare `? IS NULL`
// (write a cast such as `CAST(? AS BIGINT) IS NULL`) and compare text with text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace opsdesk::storage {

enum class Engine { kSqlite, kPostgres };
const char* EngineName(Engine engine);

// A bound parameter or a column value.
class Value {
 public:
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}               // NOLINT
  Value(int v) : v_(static_cast<int64_t>(v)) {}        // NOLINT
  Value(long v) : v_(static_cast<int64_t>(v)) {}       // NOLINT
  Value(long long v) : v_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(bool v) : v_(static_cast<int64_t>(v ? 1 : 0)) {}  // NOLINT
  Value(double v) : v_(v) {}                           // NOLINT
  Value(std::string v) : v_(std::move(v)) {}           // NOLINT
  Value(std::string_view v) : v_(std::string(v)) {}    // NOLINT
  Value(const char* v) : v_(std::string(v)) {}         // NOLINT
  template <typename T>
  Value(const std::optional<T>& v) : Value() {         // NOLINT
    if (v) *this = Value(*v);
  }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  // Conversions are lenient across numeric kinds (a SUM may come back as double
  // from one engine and integer from the other); NULL reads as 0 or "".
  int64_t AsInt() const;
  double AsDouble() const;
  std::string AsText() const;

 private:
  std::variant<std::nullptr_t, int64_t, double, std::string> v_;
};

using Params = std::vector<Value>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t col) const { return values_.at(col).is_null(); }
  int64_t Int(size_t col) const { return values_.at(col).AsInt(); }
  double Double(size_t col) const { return values_.at(col).AsDouble(); }
  std::string Text(size_t col) const { return values_.at(col).AsText(); }
  bool Bool(size_t col) const { return Int(col) != 0; }
  std::optional<int64_t> OptInt(size_t col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  std::optional<std::string> OptText(size_t col) const {
    return IsNull(col) ? std::nullopt : std::optional<std::string>(Text(col));
  }
  const Value& at(size_t col) const { return values_.at(col); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// One connection inside one transaction. Valid only inside the callback given to
// Database::Write or Database::Read; not thread-safe.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Engine engine() const = 0;

  // Runs one statement and returns every row it produced.
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;

  // The first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
};

struct PoolStats {
  int connections_open = 0;    // connections currently held by the pool
  int connections_in_use = 0;  // of those, checked out by a transaction now
  int64_t transactions_committed = 0;
  int64_t commits_flushed = 0;  // durable commits; below transactions_committed when batched
};

struct OpenOptions {
  int max_readers = 8;       // SQLite reader connections / PostgreSQL pool size
  int busy_timeout_ms = 5000;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens `url`: "sqlite:PATH" (created if missing) or "postgresql://..." /
  // "postgres://..." (any libpq connection URI). Does not run migrations.
  static Result<std::unique_ptr<Database>> Open(const std::string& url, const OpenOptions& options = {});

  virtual Engine engine() const = 0;

  // Runs `fn` in a read-write transaction. When `fn` returns OK the transaction
  // commits, and Write returns only once the commit is durable (fsynced). When `fn`
  // returns an error, none of its writes persist and that error is returned.
  // Concurrent callers may share one physical commit (group commit); each caller's
  // work still succeeds or fails on its own. `fn` must not call Write or Read.
  virtual Status Write(const std::function<Status(Transaction&)>& fn) = 0;

  // Runs `fn` against a consistent snapshot. Writes inside it fail.
  virtual Status Read(const std::function<Status(Transaction&)>& fn) = 0;

  // Whether the database answers a trivial query now.
  virtual Status Ping() = 0;
  virtual PoolStats Stats() const = 0;
};

}  // namespace opsdesk::storage
