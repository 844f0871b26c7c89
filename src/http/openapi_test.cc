// The OpenAPI document served at /api/v1/openapi.json must describe exactly the
// routes the server registers: a route added without documentation, or a
// documented route that no longer exists, fails here.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "testing/registered_routes.h"
#include "queues/queue_service.h"
#include "storage/testing.h"
#include "tickets/ticket_service.h"

namespace opsdesk::generated {
extern const std::string_view kOpenApiDocument;
}

namespace opsdesk::http {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApiTest, DocumentsEveryRegisteredRouteAndNothingElse) {
  auto routes = test_util::RegisteredRoutes();
  ASSERT_TRUE(routes.ok()) << routes.status().ToString();

  boost::json::value doc = boost::json::parse(generated::kOpenApiDocument);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  const auto& paths = doc.at("paths").as_object();

  size_t registered = 0;
  for (const auto& [method, pattern] : *routes) {
    ++registered;
    const auto* path = paths.if_contains(pattern);
    ASSERT_NE(path, nullptr) << pattern << " is not in openapi.json";
    EXPECT_TRUE(path->as_object().contains(Lower(method))) << method << " " << pattern << " is not in openapi.json";
  }
  size_t documented = 0;
  for (const auto& [path, operations] : paths) {
    for (const auto& [method, operation] : operations.as_object()) {
      ++documented;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      bool found = routes->count({upper, std::string(path)}) > 0;
      EXPECT_TRUE(found) << upper << " " << std::string(path) << " is documented but not served";
      EXPECT_TRUE(operation.as_object().contains("responses")) << upper << " " << std::string(path);
    }
  }
  EXPECT_EQ(registered, documented);
  EXPECT_GT(registered, 20u);
}

}  // namespace
}  // namespace opsdesk::http
