// The routes the real API registers, for tests that check tables kept beside
// them (the OpenAPI document, the permissions matrix).
#pragma once

#include <set>
#include <string>
#include <utility>

#include "common/result.h"

namespace opsdesk::test_util {

using RouteSet = std::set<std::pair<std::string, std::string>>;  // (method, pattern)

// Builds the whole service graph and the Api on a throw-away SQLite database
// (as serve does, without a server) and returns its routes.
Result<RouteSet> RegisteredRoutes();

}  // namespace opsdesk::test_util
