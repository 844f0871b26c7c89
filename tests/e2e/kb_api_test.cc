// The knowledge base over real HTTP on both engines: a draft saved twice with
// If-Match (a stale one is 412 and changes nothing), the diff and a restore,
// publishing by a lead, and what a requester can reach (published public
// articles, rendered safely) and cannot (drafts, internal articles, history).
#include <gtest/gtest.h>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

class KbApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }
  HttpClient& client() { return *client_; }
  std::unique_ptr<HttpClient> client_;
};

TEST_P(KbApiTest, DraftVersionsDiffRestoreAndPublish) {
  HttpResponse created = client().Post(
      "/api/v1/articles",
      object{{"title", "Reset a warehouse password"},
             {"body", "1. Open the console\n2. Click reset\n<script>alert(1)</script>\n"},
             {"audience", "public"},
             {"tags", array{"Passwords"}}},
      desk().agent.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string path = "/api/v1/articles/" + std::to_string(Int(created.Json(), "id"));
  EXPECT_EQ(Str(created.Json(), "state"), "draft");
  EXPECT_EQ(created.Json().at("tags").as_array().at(0).as_string(), "passwords");
  EXPECT_EQ(Str(created.Json(), "body_html").find("<script>"), std::string::npos);  // rendered safely
  ASSERT_TRUE(created.Header("ETag").has_value());
  EXPECT_EQ(*created.Header("ETag"), "\"1\"");

  HttpResponse saved = client().Patch(path, object{{"body", "1. Open the console\n2. Click \"Reset password\"\n"}},
                                      desk().agent.token, {{"If-Match", "\"1\""}});
  ASSERT_EQ(saved.status, 200) << saved.Describe();
  EXPECT_EQ(Int(saved.Json(), "version"), 2);
  HttpResponse stale = client().Patch(path, object{{"body", "lost"}}, desk().agent.token, {{"If-Match", "\"1\""}});
  EXPECT_TRUE(IsError(stale, 412, "precondition_failed")) << stale.Describe();
  HttpResponse bad = client().Patch(path, object{{"title", ""}, {"audience", "everyone"}}, desk().agent.token);
  EXPECT_TRUE(IsFieldError(bad, "title")) << bad.Describe();
  EXPECT_TRUE(IsFieldError(bad, "audience")) << bad.Describe();

  HttpResponse diff = client().Get(path + "/diff?from=1&to=2", desk().agent.token);
  ASSERT_EQ(diff.status, 200) << diff.Describe();
  const boost::json::value diff_json = diff.Json();
  const array& lines = diff_json.at("body").as_array();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(Str(lines[0], "op"), "equal");
  EXPECT_EQ(Str(lines[1], "op"), "delete");
  EXPECT_EQ(Str(lines[1], "text"), "2. Click reset");
  EXPECT_EQ(Str(lines[3], "op"), "insert");
  EXPECT_TRUE(IsFieldError(client().Get(path + "/diff?from=1", desk().agent.token), "to"));

  HttpResponse restored = client().Post(path + "/versions/1/restore", object{}, desk().agent.token);
  ASSERT_EQ(restored.status, 200) << restored.Describe();
  EXPECT_EQ(Int(restored.Json(), "version"), 3);
  HttpResponse versions = client().Get(path + "/versions", desk().agent.token);
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(versions.Json().at("items").as_array().size(), 3u);
  EXPECT_EQ(Str(versions.Json().at("items").as_array()[0], "note"), "restored from version 1");

  // Hidden from requesters while a draft: 404 on every route, absent from lists.
  for (const std::string& route : {path, path + "/versions", path + "/versions/1", path + "/events"}) {
    EXPECT_TRUE(IsError(client().Get(route, desk().requester.token), 404, "not_found")) << route;
  }
  HttpResponse portal = client().Get("/api/v1/articles?state=draft", desk().requester.token);
  ASSERT_EQ(portal.status, 200);
  EXPECT_TRUE(portal.Json().at("items").as_array().empty());

  EXPECT_TRUE(IsError(client().Post(path + "/state", object{{"state", "published"}}, desk().agent.token), 403,
                      "permission_denied"));
  HttpResponse published = client().Post(path + "/state", object{{"state", "published"}}, desk().lead.token);
  ASSERT_EQ(published.status, 200) << published.Describe();
  EXPECT_FALSE(published.Json().at("review_due_at").is_null());

  HttpResponse read = client().Get(path, desk().requester.token);
  ASSERT_EQ(read.status, 200) << read.Describe();
  EXPECT_EQ(Str(read.Json(), "title"), "Reset a warehouse password");
  EXPECT_FALSE(read.Json().as_object().contains("owner_id"));  // staff bookkeeping
  portal = client().Get("/api/v1/articles", desk().requester.token);
  ASSERT_EQ(portal.status, 200);
  EXPECT_EQ(portal.Json().at("items").as_array().size(), 1u);
  // History stays internal even for a public article.
  EXPECT_TRUE(IsError(client().Get(path + "/versions", desk().requester.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Patch(path, object{{"body", "x"}}, desk().requester.token), 404, "not_found"));

  HttpResponse events = client().Get(path + "/events", desk().agent.token);
  ASSERT_EQ(events.status, 200);
  ASSERT_EQ(events.Json().at("items").as_array().size(), 1u);
  EXPECT_EQ(Str(events.Json().at("items").as_array()[0], "after"), "published");
}

INSTANTIATE_TEST_SUITE_P(Engines, KbApiTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
