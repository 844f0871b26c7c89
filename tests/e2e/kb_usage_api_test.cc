// How articles are used, over real HTTP on both engines: an agent links the
// SOP that solved a ticket, the article counts it, the lead's gaps list and
// deflection figures, a draft from a solved ticket, and helpful votes.
#include <gtest/gtest.h>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

class KbUsageApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }

  int64_t Published(const std::string& title, const std::string& audience) {
    HttpResponse a = client_->Post("/api/v1/articles",
                                   object{{"title", title}, {"body", "Steps."}, {"audience", audience}},
                                   desk().lead.token);
    EXPECT_EQ(a.status, 201) << a.Describe();
    int64_t id = Int(a.Json(), "id");
    EXPECT_EQ(client_->Post("/api/v1/articles/" + std::to_string(id) + "/state", object{{"state", "published"}},
                            desk().lead.token)
                  .status,
              200);
    return id;
  }

  int64_t SolvedTicket(const std::string& subject) {
    HttpResponse t = client_->Post("/api/v1/tickets", object{{"subject", subject}, {"body", "It broke."}},
                                   desk().requester.token);
    EXPECT_EQ(t.status, 201) << t.Describe();
    int64_t id = Int(t.Json(), "id");
    EXPECT_EQ(client_->Post("/api/v1/tickets/" + std::to_string(id) + "/comments",
                            object{{"body", "Fixed by rotating the key."}}, desk().agent.token)
                  .status,
              201);
    EXPECT_EQ(client_->Patch("/api/v1/tickets/" + std::to_string(id), object{{"status", "solved"}},
                             desk().agent.token)
                  .status,
              200);
    return id;
  }

  std::unique_ptr<HttpClient> client_;
};

TEST_P(KbUsageApiTest, LinksUsageGapsDraftsVotesAndDeflection) {
  const int64_t sop = Published("Rotate a service account key " + UniqueName("k"), "internal");
  const int64_t faq = Published("Service account FAQ " + UniqueName("f"), "public");
  const int64_t covered = SolvedTicket("Key expired " + UniqueName("t"));
  const int64_t gap = SolvedTicket("Key leaked " + UniqueName("t"));
  const std::string covered_path = "/api/v1/tickets/" + std::to_string(covered);

  HttpResponse link = client_->Post(covered_path + "/articles", object{{"article_id", sop}, {"kind", "resolved_with"}},
                                    desk().agent.token);
  ASSERT_EQ(link.status, 201) << link.Describe();
  EXPECT_EQ(Int(link.Json(), "article_version"), 1);
  EXPECT_EQ(Str(link.Json(), "kind"), "resolved_with");
  HttpResponse not_public = client_->Post(
      covered_path + "/articles", object{{"article_id", sop}, {"kind", "sent_to_requester"}}, desk().agent.token);
  EXPECT_TRUE(IsFieldError(not_public, "article_id")) << not_public.Describe();
  EXPECT_TRUE(IsFieldError(client_->Post(covered_path + "/articles", object{{"article_id", sop}, {"extra", 1}},
                                         desk().agent.token),
                           "extra"));

  HttpResponse usage = client_->Get("/api/v1/articles/" + std::to_string(sop) + "/usage", desk().agent.token);
  ASSERT_EQ(usage.status, 200) << usage.Describe();
  EXPECT_EQ(Int(usage.Json(), "ticket_count"), 1);
  const boost::json::value usage_json = usage.Json();
  ASSERT_EQ(usage_json.at("recent").as_array().size(), 1u) << usage.body;
  EXPECT_EQ(Int(usage_json.at("recent").as_array().at(0), "ticket_id"), covered);
  EXPECT_EQ(Items(client_->Get(covered_path + "/articles", desk().agent.token)).size(), 1u);

  // The gap is in the lead's list; the covered ticket is not.
  HttpResponse gaps = client_->Get("/api/v1/kb/gaps?days=7", desk().lead.token);
  ASSERT_EQ(gaps.status, 200) << gaps.Describe();
  bool gap_listed = false, covered_listed = false;
  const boost::json::value gaps_json = gaps.Json();
  for (const auto& g : gaps_json.at("groups").as_array()) {
    for (const auto& id : g.at("ticket_ids").as_array()) {
      gap_listed = gap_listed || id.as_int64() == gap;
      covered_listed = covered_listed || id.as_int64() == covered;
    }
  }
  EXPECT_TRUE(gap_listed) << gaps.body;
  EXPECT_FALSE(covered_listed) << gaps.body;
  EXPECT_TRUE(IsFieldError(client_->Get("/api/v1/kb/gaps?days=0", desk().lead.token), "days"));

  // A draft from the gap, with the agent's reply as its resolution.
  HttpResponse draft = client_->Post("/api/v1/tickets/" + std::to_string(gap) + "/draft-article", object{},
                                     desk().agent.token);
  ASSERT_EQ(draft.status, 201) << draft.Describe();
  EXPECT_EQ(Str(draft.Json(), "state"), "draft");
  EXPECT_NE(Str(draft.Json(), "body").find("Fixed by rotating the key."), std::string::npos) << draft.body;

  // Votes: the requester on the public article; the counts come back.
  const std::string faq_path = "/api/v1/articles/" + std::to_string(faq);
  HttpResponse vote = client_->Post(faq_path + "/feedback", object{{"helpful", false}, {"comment", "Outdated"}},
                                    desk().requester.token);
  ASSERT_EQ(vote.status, 201) << vote.Describe();
  EXPECT_EQ(Int(vote.Json(), "not_helpful_count"), 1);
  EXPECT_TRUE(IsFieldError(client_->Post(faq_path + "/feedback", object{{"helpful", "yes"}}, desk().requester.token),
                           "helpful"));
  HttpResponse votes = client_->Get(faq_path + "/feedback", desk().agent.token);
  ASSERT_EQ(votes.status, 200) << votes.Describe();
  EXPECT_EQ(Str(Items(votes).at(0), "comment"), "Outdated");

  // Deflection: a viewed suggestion, then a ticket filed from the same form.
  HttpResponse before = client_->Get("/api/v1/deflection?days=30", desk().lead.token);
  ASSERT_EQ(before.status, 200) << before.Describe();
  const std::string session = "e2e-" + UniqueName("s");
  ASSERT_EQ(client_->Post("/api/v1/deflection/views", object{{"session", session}, {"article_id", faq}},
                          desk().requester.token)
                .status,
            204);
  HttpResponse filed = client_->Post("/api/v1/tickets", object{{"subject", "Still stuck"}, {"body", "Help"}},
                                     desk().requester.token);
  ASSERT_EQ(filed.status, 201);
  ASSERT_EQ(client_->Post("/api/v1/deflection/filed", object{{"session", session}, {"ticket_id", Int(filed.Json(), "id")}},
                          desk().requester.token)
                .status,
            204);
  HttpResponse after = client_->Get("/api/v1/deflection?days=30", desk().lead.token);
  ASSERT_EQ(after.status, 200) << after.Describe();
  EXPECT_EQ(Int(after.Json(), "filed"), Int(before.Json(), "filed") + 1);
  EXPECT_TRUE(IsFieldError(client_->Post("/api/v1/deflection/views", object{{"session", "short"}, {"article_id", faq}},
                                         desk().requester.token),
                           "session"));

  ASSERT_EQ(client_->Delete(covered_path + "/articles/" + std::to_string(sop), desk().agent.token).status, 204);
  EXPECT_TRUE(IsError(client_->Delete(covered_path + "/articles/" + std::to_string(sop), desk().agent.token), 404,
                      "not_found"));
}

INSTANTIATE_TEST_SUITE_P(Engines, KbUsageApiTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
