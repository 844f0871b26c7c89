// Status and Result<T>: how every fallible call in opsdesk reports failure.
//
// Expected failures (bad input, missing rows, permission refusals, conflicts) are
// values, not exceptions, in the spirit of LevelDB's Status and absl::StatusOr.
// Library exceptions are caught where the library is called and turned into a Status.
#pragma once

#include <cassert>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace opsdesk {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed or invalid input; `fields` says which
  kNotFound,
  kUnauthenticated,
  kPermissionDenied,
  kConflict,            // unique key taken, duplicate request in flight
  kPreconditionFailed,  // If-Match version is stale
  kFailedPrecondition,  // operation not allowed in the current state (closed ticket)
  kLimitExceeded,       // too large, too many (rate limits carry retry_after_s)
  kUnsupportedMediaType,
  kUnavailable,         // database unreachable, shutting down
  kInternal,
};

// The stable text form used in the JSON error body ("invalid_argument", ...).
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::map<std::string, std::string> fields = {}) {
    Status s(StatusCode::kInvalidArgument, std::move(message));
    s.fields_ = std::move(fields);
    return s;
  }
  static Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status Unauthenticated(std::string message) { return {StatusCode::kUnauthenticated, std::move(message)}; }
  static Status PermissionDenied(std::string message) { return {StatusCode::kPermissionDenied, std::move(message)}; }
  static Status Conflict(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
  static Status PreconditionFailed(std::string message) { return {StatusCode::kPreconditionFailed, std::move(message)}; }
  static Status FailedPrecondition(std::string message) { return {StatusCode::kFailedPrecondition, std::move(message)}; }
  static Status LimitExceeded(std::string message, int retry_after_s = 0) {
    Status s(StatusCode::kLimitExceeded, std::move(message));
    s.retry_after_s_ = retry_after_s;
    return s;
  }
  static Status Unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }
  static Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Per-field validation messages, keyed by the JSON field name.
  const std::map<std::string, std::string>& fields() const { return fields_; }
  // Seconds a client should wait before retrying; 0 when not a rate limit.
  int retry_after_s() const { return retry_after_s_; }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::map<std::string, std::string> fields_;
  int retry_after_s_ = 0;
};

// Holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(value_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }

  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace opsdesk

// Returns early with the status when `expr` (a Status) is not OK.
#define OPSDESK_RETURN_IF_ERROR(expr)         \
  do {                                        \
    ::opsdesk::Status opsdesk_status_ = (expr); \
    if (!opsdesk_status_.ok()) return opsdesk_status_; \
  } while (0)

#define OPSDESK_CONCAT_INNER(a, b) a##b
#define OPSDESK_CONCAT(a, b) OPSDESK_CONCAT_INNER(a, b)
// Declares `lhs` from a Result expression, or returns its status on error.
#define OPSDESK_ASSIGN_OR_RETURN(lhs, expr) \
  OPSDESK_ASSIGN_OR_RETURN_IMPL(OPSDESK_CONCAT(opsdesk_result_, __LINE__), lhs, expr)
#define OPSDESK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
