// Search over real HTTP on both engines: what each caller finds (a requester:
// their own tickets' public text and published public articles only, by the
// search, the suggestions and the filters alike), malformed queries answered
// with the error shape naming q, and the agent's article panel.
#include <gtest/gtest.h>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

class SearchApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }

  // "ticket:1 article:2" for what `token` finds.
  std::string Found(const std::string& q, const std::string& token, std::string_view path = "/api/v1/search") {
    HttpResponse r = client_->Get(std::string(path) + "?q=" + PercentEncode(q), token);
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::string out;
    for (const auto& item : Items(r)) {
      out += (out.empty() ? "" : " ") + Str(item, "type") + ":" + std::to_string(Int(item, "id"));
    }
    return out;
  }

  int64_t Publish(const std::string& title, const std::string& body, const std::string& audience) {
    HttpResponse a = client_->Post("/api/v1/articles",
                                   object{{"title", title}, {"body", body}, {"audience", audience}}, desk().lead.token);
    EXPECT_EQ(a.status, 201) << a.Describe();
    int64_t id = Int(a.Json(), "id");
    HttpResponse p = client_->Post("/api/v1/articles/" + std::to_string(id) + "/state",
                                   object{{"state", "published"}}, desk().lead.token);
    EXPECT_EQ(p.status, 200) << p.Describe();
    return id;
  }

  std::unique_ptr<HttpClient> client_;
};

TEST_P(SearchApiTest, EachCallerFindsExactlyWhatTheyMayRead) {
  HttpResponse filed = client_->Post(
      "/api/v1/tickets", object{{"subject", "Quibbleflux export stalls"}, {"body", "The <b>export</b> never ends."}},
      desk().requester.token);
  ASSERT_EQ(filed.status, 201) << filed.Describe();
  const int64_t ticket = Int(filed.Json(), "id");
  const std::string tpath = "/api/v1/tickets/" + std::to_string(ticket);
  ASSERT_EQ(client_->Post(tpath + "/comments", object{{"body", "Try the wobblecrank option."}}, desk().agent.token)
                .status,
            201);
  ASSERT_EQ(client_->Post(tpath + "/comments", object{{"body", "Snarfblat cluster is sick."}, {"internal", true}},
                          desk().agent.token)
                .status,
            201);
  const int64_t public_article = Publish("Quibbleflux exports", "How quibbleflux exports work.", "public");
  const int64_t internal_article = Publish("Quibbleflux runbook", "Restart the snarfblat cluster.", "internal");
  const std::string t = "ticket:" + std::to_string(ticket);
  const std::string pa = "article:" + std::to_string(public_article);
  const std::string ia = "article:" + std::to_string(internal_article);

  // The agent finds the ticket by its subject, its reply and its note.
  std::string agent = Found("quibbleflux", desk().agent.token);
  EXPECT_NE(agent.find(t), std::string::npos) << agent;
  EXPECT_NE(agent.find(pa), std::string::npos) << agent;
  EXPECT_NE(agent.find(ia), std::string::npos) << agent;
  EXPECT_EQ(Found("wobblecrank", desk().agent.token), t);
  EXPECT_EQ(Found("snarfblat type:ticket", desk().agent.token), t);

  // The requester: the ticket by its public text, the public article, nothing more.
  std::string mine = Found("quibbleflux", desk().requester.token);
  EXPECT_NE(mine.find(t), std::string::npos) << mine;
  EXPECT_NE(mine.find(pa), std::string::npos) << mine;
  EXPECT_EQ(mine.find(ia), std::string::npos) << mine;
  EXPECT_EQ(Found("wobblecrank", desk().requester.token), t);
  EXPECT_EQ(Found("snarfblat", desk().requester.token), "") << "an internal note, or an internal article";
  EXPECT_EQ(Found("snarfblat status:published", desk().requester.token), "");
  EXPECT_EQ(Found("snarfblat", desk().requester.token, "/api/v1/search/suggestions"), "");
  // Another requester finds neither the ticket nor anything in it.
  EXPECT_EQ(Found("quibbleflux", desk().other_requester.token), pa);
  EXPECT_EQ(Found("wobblecrank", desk().other_requester.token), "");
  EXPECT_EQ(Found("quibbleflux type:ticket", desk().other_requester.token), "");

  // Snippets are escaped HTML with the matches marked.
  HttpResponse r = client_->Get("/api/v1/search?q=export%20type:ticket%20quibbleflux", desk().agent.token);
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_EQ(Items(r).size(), 1u);
  std::string snippet = Str(Items(r)[0], "snippet");
  EXPECT_NE(snippet.find("<mark>"), std::string::npos) << snippet;
  EXPECT_EQ(snippet.find("<b>"), std::string::npos) << snippet;
  EXPECT_EQ(Str(Items(r)[0], "title"), "Quibbleflux export stalls");

  // Suggestions while typing: the public article for the requester, both for staff.
  EXPECT_EQ(Found("my quibblefl", desk().requester.token, "/api/v1/search/suggestions") , "");
  HttpResponse typing = client_->Get("/api/v1/search/suggestions?as_you_type=true&q=my%20quibblefl",
                                     desk().requester.token);
  ASSERT_EQ(typing.status, 200) << typing.Describe();
  ASSERT_EQ(Items(typing).size(), 1u);
  EXPECT_EQ(Int(Items(typing)[0], "id"), public_article);

  // The agent's panel on the ticket offers both articles; requesters may not ask.
  HttpResponse panel = client_->Get(tpath + "/suggested-articles", desk().agent.token);
  ASSERT_EQ(panel.status, 200) << panel.Describe();
  EXPECT_EQ(Items(panel).size(), 2u);
  EXPECT_TRUE(IsError(client_->Get(tpath + "/suggested-articles", desk().requester.token), 403, "permission_denied"));
}

TEST_P(SearchApiTest, MalformedQueriesNameTheFieldAndThePlace) {
  HttpResponse unterminated = client_->Get("/api/v1/search?q=%22consumer%20group", desk().agent.token);
  EXPECT_TRUE(IsFieldError(unterminated, "q")) << unterminated.Describe();
  EXPECT_NE(unterminated.body.find("character"), std::string::npos) << unterminated.body;
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search?q=colour:red", desk().agent.token), "q"));
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search", desk().agent.token), "q"));
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search?q=x&limit=0", desk().agent.token), "limit"));
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search?q=x&cursor=bogus", desk().agent.token), "cursor"));
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search?q=%FF%FE", desk().agent.token), "q"));
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/search/suggestions?q=%FF%FE", desk().agent.token), "q"));
  EXPECT_EQ(client_->Get("/api/v1/search?q=x", "").status, 401);
  // The server is still serving.
  EXPECT_EQ(client_->Get("/api/v1/search?q=anything", desk().agent.token).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Engines, SearchApiTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
