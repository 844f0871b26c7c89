#include "common/result.h"

namespace opsdesk {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kPreconditionFailed: return "precondition_failed";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kLimitExceeded: return "limit_exceeded";
    case StatusCode::kUnsupportedMediaType: return "unsupported_media_type";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = std::string(StatusCodeName(code_)) + ": " + message_;
  for (const auto& [field, msg] : fields_) out += "; " + field + ": " + msg;
  return out;
}

}  // namespace opsdesk
