#include "http/errors.h"

#include <boost/json.hpp>

namespace opsdesk::http {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    // Field-level validation failures are 422; a body that is not JSON, or not the
    // right shape at all, is 400 (the parser reports it without fields).
    case StatusCode::kInvalidArgument: return status.fields().empty() ? 400 : 422;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPreconditionFailed: return 412;
    case StatusCode::kLimitExceeded: return status.retry_after_s() > 0 ? 429 : 413;
    case StatusCode::kUnsupportedMediaType: return 415;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

boost::json::object ErrorJson(const Status& status) {
  boost::json::object error;
  error["code"] = StatusCodeName(status.code());
  error["message"] = status.message();
  if (!status.fields().empty()) {
    boost::json::object fields;
    for (const auto& [name, message] : status.fields()) fields[name] = message;
    error["fields"] = std::move(fields);
  }
  return error;
}

std::string ErrorBody(const Status& status, const std::string& request_id) {
  boost::json::object error = ErrorJson(status);
  if (!request_id.empty()) error["request_id"] = request_id;
  boost::json::object body;
  body["error"] = std::move(error);
  return boost::json::serialize(body);
}

}  // namespace opsdesk::http
