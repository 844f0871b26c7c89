// The one JSON error shape every failing response has:
//   {"error":{"code":"invalid_argument","message":"...","fields":{...},"request_id":"..."}}
// and the table mapping status codes to HTTP statuses.
#pragma once

#include <boost/json.hpp>

#include <string>

#include "common/result.h"

namespace opsdesk::http {

// The HTTP status for a non-OK status code (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503, 500).
int HttpStatusFor(const Status& status);

// Serialises `status` in the error shape above.
std::string ErrorBody(const Status& status, const std::string& request_id);

// The inner object of that shape ({"code","message","fields"?}, no request_id),
// for answers that report several outcomes, such as a bulk change's items.
boost::json::object ErrorJson(const Status& status);

}  // namespace opsdesk::http
