// The component catalog on both engines: each queue with its owning team, the
// team's escalation policy, who is on call now and until when, the open
// tickets and escalations against it, and its SOPs; staff only.
#include "catalog/catalog_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/random.h"
#include "escalation/escalation_service.h"
#include "jobs/job_service.h"
#include "kb/kb_service.h"
#include "queues/queue_service.h"
#include "testing/migrated_database.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"

namespace opsdesk::catalog {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'736'251'200'000;  // 2025-01-07T12:00:00Z, a Tuesday

class CatalogServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    ASSERT_OK_AND_ASSIGN(auto admin, test_util::InsertTestUser(db(), kStart, "admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(auto agent, test_util::InsertTestUser(db(), kStart, "agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(engineer_,
                         test_util::InsertTestUser(db(), kStart, "engineer@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(auto requester,
                         test_util::InsertTestUser(db(), kStart, "requester@example.com", Role::kRequester));
    admin_ = Actor::Of(admin);
    agent_ = Actor::Of(agent);
    requester_ = Actor::Of(requester);
    queues::QueueService queues(db(), clock_);
    ASSERT_OK_AND_ASSIGN(team_, queues.CreateTeam(admin_, {"data-platform", "", {engineer_.id}}));
    ASSERT_OK_AND_ASSIGN(ingestion_, queues.CreateQueue(admin_, {"ingestion", team_.id, "Kafka to the lake"}));
    ASSERT_OK_AND_ASSIGN(billing_, queues.CreateQueue(admin_, {"billing", std::nullopt, ""}));
    oncall_ = std::make_unique<oncall::OnCallService>(db(), clock_);
    oncall::Layer layer;
    layer.participant_ids = {engineer_.id};
    layer.start_date = "2025-01-06";
    ASSERT_OK_AND_ASSIGN(auto schedule, oncall_->CreateSchedule(admin_, {team_.id, "primary", "", "UTC", {layer}}));
    schedule_id_ = schedule.id;
    oncall::EscalationPolicyInput policy{team_.id, "ingestion pager", "", {}, 0, true};
    policy.levels.push_back({{{oncall::TargetKind::kSchedule, schedule.id}}, 10});
    ASSERT_OK_AND_ASSIGN(policy_, oncall_->CreatePolicy(admin_, policy));
    ASSERT_OK(oncall_->SetQueueEscalationPolicy(admin_, ingestion_.id, policy_.id).status());
    kb_ = std::make_unique<kb::KbService>(db(), clock_);
    svc_ = std::make_unique<CatalogService>(db(), clock_, *oncall_, *kb_);
  }

  storage::Database& db() { return test_db_->db(); }

  // An article related to `queue_ids`, moved through `states` by the admin; a
  // minute passes before each, so later articles are newer.
  kb::Article Article(const std::string& title, const std::string& audience, std::vector<int64_t> queue_ids,
                      const std::vector<std::string>& states) {
    clock_.Advance(60'000);
    kb::ArticleInput in;
    in.title = title;
    in.body = "Steps.";
    in.category = "runbook";
    in.audience = audience;
    in.queue_ids = std::move(queue_ids);
    auto a = kb_->Create(agent_, in);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    for (const auto& state : states) {
      if (!a.ok()) break;
      a = kb_->Transition(admin_, a->id, state);
      EXPECT_TRUE(a.ok()) << state << ": " << a.status().ToString();
    }
    if (!a.ok()) return {};
    return *a;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<oncall::OnCallService> oncall_;
  std::unique_ptr<kb::KbService> kb_;
  std::unique_ptr<CatalogService> svc_;
  auth::User engineer_;
  Actor admin_, agent_, requester_;
  queues::Team team_;
  queues::Queue ingestion_, billing_;
  oncall::EscalationPolicy policy_;
  int64_t schedule_id_ = 0;
};

TEST_P(CatalogServiceTest, EachComponentNamesItsOwnersPolicyOnCallAndOpenWork) {
  tickets::TicketService tickets(db(), clock_);
  jobs::JobService jobs(db(), clock_);
  escalation::EscalationService escalations(db(), clock_, jobs, *oncall_, nullptr,
                                            notify::LinkSigner("0123456789abcdef0123456789abcdef"), {});
  for (int i = 0; i < 3; ++i) {
    tickets::NewTicket t;
    t.subject = "Lag " + std::to_string(i);
    t.body = "Late events.";
    t.requester_email = "requester@example.com";
    t.queue = tickets::QueueRef{ingestion_.id, std::nullopt};
    ASSERT_OK_AND_ASSIGN(auto created, tickets.Create(agent_, t));
    if (i == 0) ASSERT_OK(escalations.Create(agent_, created.ticket.id, {"stuck", "sev2", "engineering"}).status());
    if (i == 2) {
      tickets::TicketPatch solved;
      solved.status = "solved";
      ASSERT_OK(tickets.Update(agent_, created.ticket.id, solved).status());
    }
  }

  ASSERT_OK_AND_ASSIGN(auto list, svc_->List(agent_));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "billing");  // by name
  EXPECT_FALSE(list[0].team.has_value());
  EXPECT_FALSE(list[0].escalation_policy.has_value());
  EXPECT_TRUE(list[0].on_call.empty());
  EXPECT_EQ(list[0].open_tickets, 0);

  const Component& c = list[1];
  EXPECT_EQ(c.name, "ingestion");
  EXPECT_EQ(c.description, "Kafka to the lake");
  ASSERT_TRUE(c.team.has_value());
  EXPECT_EQ(c.team->name, "data-platform");
  ASSERT_TRUE(c.escalation_policy.has_value());
  EXPECT_EQ(c.escalation_policy->name, "ingestion pager");
  ASSERT_EQ(c.on_call.size(), 1u);
  EXPECT_EQ(c.on_call[0].schedule_id, schedule_id_);
  EXPECT_EQ(c.on_call[0].user_id, engineer_.id);
  EXPECT_EQ(c.on_call[0].display_name, engineer_.display_name);
  EXPECT_EQ(c.open_tickets, 2);
  EXPECT_EQ(c.open_escalations, 1);

  ASSERT_OK_AND_ASSIGN(Component one, svc_->Get(agent_, ingestion_.id));
  EXPECT_EQ(one.open_escalations, 1);
  EXPECT_EQ(svc_->Get(agent_, 9999).status().code(), StatusCode::kNotFound);
}

TEST_P(CatalogServiceTest, RequestersAreRefused) {
  EXPECT_EQ(svc_->List(requester_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc_->Get(requester_, ingestion_.id).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(CatalogServiceTest, AComponentListsItsPublishedSopsNewestFirst) {
  // A component whose id contains the ingestion's id as a substring ("1" in
  // "11"): its articles must not match, the stored list being "11 ...".
  std::optional<queues::Queue> lookalike;
  queues::QueueService queues(db(), clock_);
  for (int i = 0; i < 30 && !lookalike; ++i) {
    ASSERT_OK_AND_ASSIGN(auto q, queues.CreateQueue(admin_, {"extra-" + std::to_string(i), std::nullopt, ""}));
    std::string id = std::to_string(q.id);
    if (id != std::to_string(ingestion_.id) && id.find(std::to_string(ingestion_.id)) != std::string::npos) {
      lookalike = q;
    }
  }
  ASSERT_TRUE(lookalike.has_value());

  kb::Article runbook = Article("Ingestion lag runbook", "internal", {ingestion_.id}, {"published"});
  Article("Draft: replay a partition", "internal", {ingestion_.id}, {});
  Article("In review: rotate Kafka certs", "internal", {ingestion_.id}, {"in_review"});
  Article("Old consumer restart", "internal", {ingestion_.id}, {"published", "archived"});
  Article("Billing refunds", "internal", {billing_.id}, {"published"});
  Article("Lookalike component", "internal", {lookalike->id}, {"published"});
  kb::Article faq = Article("Why is my data late?", "public", {billing_.id, ingestion_.id}, {"published"});

  ASSERT_OK_AND_ASSIGN(Component c, svc_->Get(agent_, ingestion_.id));
  ASSERT_EQ(c.sops.size(), 2u);
  EXPECT_EQ(c.sops[0].id, faq.id);  // newest change first
  EXPECT_EQ(c.sops[0].title, "Why is my data late?");
  EXPECT_EQ(c.sops[0].category, "runbook");
  EXPECT_EQ(c.sops[0].audience, "public");
  EXPECT_EQ(c.sops[0].updated_at, faq.updated_at);
  EXPECT_EQ(c.sops[1].id, runbook.id);
  EXPECT_EQ(c.sops[1].audience, "internal");

  // Billing: its own and the shared one; the lists carry no SOPs.
  ASSERT_OK_AND_ASSIGN(Component billing, svc_->Get(agent_, billing_.id));
  ASSERT_EQ(billing.sops.size(), 2u);
  EXPECT_EQ(billing.sops[0].id, faq.id);
  EXPECT_EQ(billing.sops[1].title, "Billing refunds");
  ASSERT_OK_AND_ASSIGN(auto list, svc_->List(agent_));
  for (const auto& listed : list) EXPECT_TRUE(listed.sops.empty()) << listed.name;

  // An edit to an older SOP makes it the newest.
  clock_.Advance(60'000);
  kb::ArticleInput edit;
  edit.body = "Steps, revised.";
  ASSERT_OK(kb_->Update(admin_, runbook.id, edit).status());
  ASSERT_OK_AND_ASSIGN(c, svc_->Get(agent_, ingestion_.id));
  ASSERT_EQ(c.sops.size(), 2u);
  EXPECT_EQ(c.sops[0].id, runbook.id);

  // Requesters are refused the catalog, and the knowledge base's own rules give
  // them only the public SOP by the catalog's query.
  EXPECT_EQ(svc_->Get(requester_, ingestion_.id).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(auto visible, kb_->ListPublishedForComponent(requester_, ingestion_.id, kMaxComponentSops));
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0].id, faq.id);
}

TEST_P(CatalogServiceTest, AComponentListsAtMostTwentySops) {
  for (int i = 0; i < kMaxComponentSops + 2; ++i) {
    Article("SOP " + std::to_string(i), "internal", {ingestion_.id}, {"published"});
  }
  ASSERT_OK_AND_ASSIGN(Component c, svc_->Get(agent_, ingestion_.id));
  ASSERT_EQ(c.sops.size(), static_cast<size_t>(kMaxComponentSops));
  EXPECT_EQ(c.sops.front().title, "SOP " + std::to_string(kMaxComponentSops + 1));
  EXPECT_EQ(c.sops.back().title, "SOP 2");
}

INSTANTIATE_TEST_SUITE_P(Engines, CatalogServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });

}  // namespace
}  // namespace opsdesk::catalog
