// The knowledge base on both engines: every save a version, diffs and restores,
// the state rules and who may make each move, review dates and the stale list,
// and what requesters may see (published public articles, by every path).
#include "kb/kb_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "auth/user_service.h"
#include "common/random.h"
#include "queues/queue_service.h"
#include "testing/migrated_database.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"

namespace opsdesk::kb {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'764'064'800'000;  // 2025-11-25T10:00:00Z
constexpr int64_t kDay = 24LL * 3600 * 1000;

class KbServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    auto user = [&](const char* email, Role role) {
      auto u = test_util::InsertTestUser(db(), kStart, email, role);
      EXPECT_TRUE(u.ok());
      return u.ok() ? Actor::Of(*u) : Actor{};
    };
    admin_ = user("admin@example.com", Role::kAdmin);
    lead_ = user("lead@example.com", Role::kLead);
    agent_ = user("agent@example.com", Role::kAgent);
    agent2_ = user("agent2@example.com", Role::kAgent);
    requester_ = user("requester@example.com", Role::kRequester);
    queues::QueueService queues(db(), clock_);
    ASSERT_OK_AND_ASSIGN(queue_, queues.CreateQueue(admin_, {"ingestion", std::nullopt, ""}));
    svc_ = std::make_unique<KbService>(db(), clock_);
  }

  ArticleInput Input(const std::string& title, const std::string& body, const std::string& audience = "internal") {
    ArticleInput in;
    in.title = title;
    in.body = body;
    in.audience = audience;
    return in;
  }

  Article Published(const std::string& title, const std::string& audience) {
    auto a = svc_->Create(agent_, Input(title, "Steps.\n", audience));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    auto p = svc_->Transition(lead_, a->id, "published");
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Article{};
  }

  storage::Database& db() { return test_db_->db(); }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<KbService> svc_;
  Actor admin_, lead_, agent_, agent2_, requester_;
  queues::Queue queue_;
};

TEST_P(KbServiceTest, EverySaveIsAVersionAndOldOnesCanBeDiffedAndRestored) {
  ArticleInput in = Input("Restart the ingestion consumer", "1. Check lag\n2. Restart the broker\n3. Watch\n");
  in.category = "SOP";
  in.tags = std::vector<std::string>{"Kafka", "lag", "kafka"};
  in.queue_ids = std::vector<int64_t>{queue_.id};
  ASSERT_OK_AND_ASSIGN(Article a, svc_->Create(agent_, in));
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.state, "draft");
  EXPECT_EQ(a.owner_id, agent_.user_id);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"kafka", "lag"}));
  EXPECT_NE(a.body_html.find("<ol>"), std::string::npos);

  clock_.Advance(1000);
  ArticleInput edit;
  edit.body = "1. Check lag\n2. Restart the consumer\n3. Watch\n";
  edit.expected_version = 1;
  ASSERT_OK_AND_ASSIGN(Article v2, svc_->Update(agent2_, a.id, edit));
  EXPECT_EQ(v2.version, 2);
  // A stale expected version changes nothing.
  edit.body = "lost";
  EXPECT_EQ(svc_->Update(agent_, a.id, edit).status().code(), StatusCode::kPreconditionFailed);
  // Saving the same content is no new version.
  ArticleInput same;
  same.title = "Restart the ingestion consumer";
  ASSERT_OK_AND_ASSIGN(Article unchanged, svc_->Update(agent_, a.id, same));
  EXPECT_EQ(unchanged.version, 2);

  ArticleInput retitle;
  retitle.title = "Restart the ingestion consumer safely";
  ASSERT_OK(svc_->Update(agent_, a.id, retitle).status());

  ASSERT_OK_AND_ASSIGN(auto versions, svc_->ListVersions(agent_, a.id));
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version, 3);  // newest first
  EXPECT_EQ(versions[1].author_id, agent2_.user_id);

  ASSERT_OK_AND_ASSIGN(ArticleDiff d, svc_->Diff(agent_, a.id, 1, 3));
  ASSERT_EQ(d.fields.size(), 1u);
  EXPECT_EQ(d.fields[0].field, "title");
  ASSERT_EQ(d.body.size(), 4u);
  EXPECT_EQ(d.body[1].op, DiffOp::kDelete);
  EXPECT_EQ(d.body[1].text, "2. Restart the broker");
  EXPECT_EQ(d.body[2].op, DiffOp::kInsert);
  EXPECT_EQ(d.body[2].text, "2. Restart the consumer");
  EXPECT_EQ(svc_->Diff(agent_, a.id, 1, 9).status().code(), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(Article restored, svc_->Restore(agent_, a.id, 1));
  EXPECT_EQ(restored.version, 4);
  EXPECT_EQ(restored.title, "Restart the ingestion consumer");
  EXPECT_EQ(restored.body, in.body);
  ASSERT_OK_AND_ASSIGN(ArticleVersion v4, svc_->GetVersion(agent_, a.id, 4));
  EXPECT_EQ(v4.note, "restored from version 1");
}

TEST_P(KbServiceTest, BadInputNamesEveryFieldAndWritesNothing) {
  ArticleInput in = Input("", std::string(300 * 1024, 'x'), "everyone");
  in.tags = std::vector<std::string>{"no spaces allowed"};
  in.queue_ids = std::vector<int64_t>{999};
  in.review_interval_days = 0;
  auto bad = svc_->Create(agent_, in);
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  for (const char* field : {"title", "body", "audience", "tags", "review_interval_days"}) {
    EXPECT_EQ(bad.status().fields().count(field), 1u) << field;
  }
  ArticleInput refs = Input("Title", "Body");
  refs.queue_ids = std::vector<int64_t>{999};
  refs.owner_id = requester_.user_id;
  auto bad_refs = svc_->Create(agent_, refs);
  ASSERT_EQ(bad_refs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_refs.status().fields().count("queue_ids"), 1u);
  EXPECT_EQ(bad_refs.status().fields().count("owner_id"), 1u);
  ArticleFilter all;
  ASSERT_OK_AND_ASSIGN(auto page, svc_->List(agent_, all));
  EXPECT_TRUE(page.items.empty());
}

TEST_P(KbServiceTest, StateRulesAndWhoMayMakeEachMove) {
  ASSERT_OK_AND_ASSIGN(Article a, svc_->Create(agent_, Input("Grant warehouse access", "Steps.")));
  // Agents submit for review and withdraw; they do not publish.
  EXPECT_EQ(svc_->Transition(agent_, a.id, "published").status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(a, svc_->Transition(agent_, a.id, "in_review"));
  EXPECT_EQ(a.state, "in_review");
  EXPECT_EQ(svc_->Transition(agent_, a.id, "archived").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(svc_->Transition(agent_, a.id, "gone").status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(a, svc_->Transition(lead_, a.id, "published"));
  EXPECT_EQ(a.state, "published");
  EXPECT_EQ(a.published_at, kStart);
  EXPECT_EQ(a.review_due_at, kStart + 180 * kDay);
  // Published: agents no longer edit; leads do.
  ArticleInput edit;
  edit.body = "Better steps.";
  EXPECT_EQ(svc_->Update(agent_, a.id, edit).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK(svc_->Update(lead_, a.id, edit).status());
  ASSERT_OK_AND_ASSIGN(a, svc_->Transition(admin_, a.id, "archived"));
  EXPECT_FALSE(a.review_due_at.has_value());
  ASSERT_OK_AND_ASSIGN(a, svc_->Transition(lead_, a.id, "draft"));
  ASSERT_OK_AND_ASSIGN(auto events, svc_->ListEvents(agent_, a.id));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].before, "in_review");
  EXPECT_EQ(events[1].after, "published");
  EXPECT_EQ(events[1].actor_id, lead_.user_id);
}

TEST_P(KbServiceTest, AgentsAnAdminMadeEditorsPublishAndEditAsLeadsDo) {
  auth::UserService users(db(), clock_);
  ASSERT_OK_AND_ASSIGN(Article a, svc_->Create(agent_, Input("Rotate a service account key", "Steps.")));
  EXPECT_EQ(svc_->Transition(agent2_, a.id, "published").status().code(), StatusCode::kPermissionDenied);
  auth::UserPatch make_editor;
  make_editor.kb_editor = true;
  ASSERT_OK_AND_ASSIGN(auth::User editor, users.Update(admin_, agent2_.user_id, make_editor));
  EXPECT_TRUE(editor.kb_editor);
  ASSERT_OK_AND_ASSIGN(a, svc_->Transition(agent2_, a.id, "published"));
  ArticleInput edit;
  edit.body = "Better steps.";
  ASSERT_OK(svc_->Update(agent2_, a.id, edit).status());
  EXPECT_EQ(svc_->Update(agent_, a.id, edit).status().code(), StatusCode::kPermissionDenied) << "not an editor";
  // Requesters cannot be editors; demoting an editor ends it.
  auth::UserPatch requester_editor;
  requester_editor.kb_editor = true;
  EXPECT_EQ(users.Update(admin_, requester_.user_id, requester_editor).status().fields().count("kb_editor"), 1u);
  auth::UserPatch demote;
  demote.role = "requester";
  ASSERT_OK_AND_ASSIGN(auth::User demoted, users.Update(admin_, agent2_.user_id, demote));
  EXPECT_FALSE(demoted.kb_editor);
  EXPECT_EQ(users.Update(lead_, agent_.user_id, make_editor).status().code(), StatusCode::kPermissionDenied)
      << "only admins make editors";
}

TEST_P(KbServiceTest, ArticlesPastTheirReviewDateAreStaleForOwnerAndLead) {
  ArticleInput in = Input("Rotate credentials", "Steps.");
  in.review_interval_days = 30;
  ASSERT_OK_AND_ASSIGN(Article a, svc_->Create(agent_, in));
  ASSERT_OK(svc_->Transition(lead_, a.id, "published").status());
  Published("Fresh one", "internal");
  ArticleFilter stale;
  stale.stale = true;
  ASSERT_OK_AND_ASSIGN(auto page, svc_->List(lead_, stale));
  EXPECT_TRUE(page.items.empty());
  clock_.Advance(31 * kDay);
  ASSERT_OK_AND_ASSIGN(page, svc_->List(lead_, stale));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, a.id);
  stale.owner_id = agent_.user_id;  // the owner's own list
  ASSERT_OK_AND_ASSIGN(page, svc_->List(agent_, stale));
  EXPECT_EQ(page.items.size(), 1u);
  // Someone else may not confirm it; the owner may.
  EXPECT_EQ(svc_->MarkReviewed(agent2_, a.id).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(a, svc_->MarkReviewed(agent_, a.id));
  EXPECT_EQ(a.review_due_at, kStart + 31 * kDay + 30 * kDay);
  ASSERT_OK_AND_ASSIGN(page, svc_->List(lead_, stale));
  EXPECT_TRUE(page.items.empty());
}

TEST_P(KbServiceTest, RequestersSeePublishedPublicArticlesOnlyByEveryPath) {
  Article pub = Published("How to reset your password", "public");
  Article internal = Published("Runbook: broker failover", "internal");
  ASSERT_OK_AND_ASSIGN(Article draft, svc_->Create(agent_, Input("Draft FAQ", "Soon.", "public")));

  ASSERT_OK_AND_ASSIGN(Article seen, svc_->Get(requester_, pub.id));
  EXPECT_EQ(seen.title, pub.title);
  for (int64_t hidden : {internal.id, draft.id, int64_t{9999}}) {
    SCOPED_TRACE(hidden);
    EXPECT_EQ(svc_->Get(requester_, hidden).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->ListVersions(requester_, hidden).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->GetVersion(requester_, hidden, 1).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->Diff(requester_, hidden, 1, 1).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->ListEvents(requester_, hidden).status().code(), StatusCode::kNotFound);
  }
  // No history for requesters even of public articles (drafts of them are internal work).
  EXPECT_EQ(svc_->ListVersions(requester_, pub.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc_->Create(requester_, Input("Mine", "x")).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc_->Update(requester_, pub.id, Input("Mine", "x")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc_->Transition(requester_, pub.id, "archived").status().code(), StatusCode::kNotFound);

  // Whatever the filter asks for, the list holds published public articles only.
  for (const char* state : {"draft", "published", "archived"}) {
    ArticleFilter f;
    f.state = state;
    f.audience = "internal";
    ASSERT_OK_AND_ASSIGN(auto page, svc_->List(requester_, f));
    ASSERT_EQ(page.items.size(), 1u) << state;
    EXPECT_EQ(page.items[0].id, pub.id);
  }
}

TEST_P(KbServiceTest, ListsFilterAndPage) {
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1000);
    ArticleInput in = Input("Article " + std::to_string(i), "Body");
    in.category = i % 2 ? "FAQ" : "SOP";
    in.tags = std::vector<std::string>{i < 2 ? "kafka" : "spark"};
    if (i == 4) in.queue_ids = std::vector<int64_t>{queue_.id};
    ASSERT_OK(svc_->Create(agent_, in).status());
  }
  ArticleFilter f;
  f.limit = 2;
  ASSERT_OK_AND_ASSIGN(auto p1, svc_->List(agent_, f));
  ASSERT_EQ(p1.items.size(), 2u);
  EXPECT_EQ(p1.items[0].title, "Article 4");  // newest change first
  f.cursor = p1.next_cursor;
  ASSERT_OK_AND_ASSIGN(auto p2, svc_->List(agent_, f));
  ASSERT_EQ(p2.items.size(), 2u);
  EXPECT_EQ(p2.items[0].title, "Article 2");
  ArticleFilter by;
  by.category = "FAQ";
  ASSERT_OK_AND_ASSIGN(auto faq, svc_->List(agent_, by));
  EXPECT_EQ(faq.items.size(), 2u);
  by = {};
  by.tag = "KAFKA";
  ASSERT_OK_AND_ASSIGN(auto kafka, svc_->List(agent_, by));
  EXPECT_EQ(kafka.items.size(), 2u);
  by = {};
  by.queue_id = queue_.id;
  ASSERT_OK_AND_ASSIGN(auto component, svc_->List(agent_, by));
  ASSERT_EQ(component.items.size(), 1u);
  EXPECT_EQ(component.items[0].title, "Article 4");
  ArticleFilter bad;
  bad.state = "deleted";
  EXPECT_EQ(svc_->List(agent_, bad).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, KbServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });

}  // namespace
}  // namespace opsdesk::kb
