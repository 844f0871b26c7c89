// EscalationService on both engines with a ManualClock: creation is atomic
// (row, events, jobs), paging resolves who is on call at that moment, ack
// timeouts advance levels, repeat, then unacknowledged; acknowledging stops
// paging; signed links; requesters never see escalation events.
#include "escalation/escalation_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "auth/user_service.h"
#include "common/random.h"
#include "queues/queue_service.h"
#include "storage/testing.h"
#include "testing/migrated_database.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"

namespace opsdesk::escalation {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

TimestampMs T(const std::string& rfc3339) {
  TimestampMs ms = 0;
  EXPECT_TRUE(ParseTimestamp(rfc3339, &ms)) << rfc3339;
  return ms;
}

constexpr int64_t kMinute = 60 * 1000;

class EscalationServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    ASSERT_OK_AND_ASSIGN(admin_, Insert("admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(lead_, Insert("lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(agent_, Insert("agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(agent2_, Insert("agent2@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(requester_, Insert("requester@example.com", Role::kRequester));
    ASSERT_OK_AND_ASSIGN(other_requester_, Insert("other@example.com", Role::kRequester));
    queues::QueueService queues(db(), clock_);
    ASSERT_OK_AND_ASSIGN(queues::Team team,
                         queues.CreateTeam(admin_, {"platform", "", {lead_.user_id, agent_.user_id}}));
    ASSERT_OK_AND_ASSIGN(queues::Queue q, queues.CreateQueue(admin_, {"ingestion", team.id, ""}));
    ASSERT_OK_AND_ASSIGN(queues::Queue bare, queues.CreateQueue(admin_, {"no-policy", team.id, ""}));
    (void)bare;
    oncall_ = std::make_unique<oncall::OnCallService>(db(), clock_);
    oncall::Layer layer;
    layer.participant_ids = {agent_.user_id, agent2_.user_id};
    layer.start_date = "2025-01-06";  // weekly, 09:00 UTC handoffs: agent, then agent2 from Jan 13
    ASSERT_OK_AND_ASSIGN(oncall::Schedule schedule,
                         oncall_->CreateSchedule(admin_, {team.id, "primary", "", "UTC", {layer}}));
    oncall::EscalationPolicyInput policy{team.id, "ingestion", "", {}, 1, true};
    policy.levels.push_back({{{oncall::TargetKind::kSchedule, schedule.id}}, 10});
    policy.levels.push_back({{{oncall::TargetKind::kUser, admin_.user_id}}, 20});
    ASSERT_OK_AND_ASSIGN(policy_, oncall_->CreatePolicy(admin_, policy));
    ASSERT_OK(oncall_->SetQueueEscalationPolicy(admin_, q.id, policy_.id).status());
    jobs_ = std::make_unique<jobs::JobService>(db(), clock_);
    notify::NotifyOptions notify_options;
    notify_options.public_url = "https://desk.example.com";
    notify_options.email_enabled = true;
    notify_ = std::make_unique<notify::NotifyService>(db(), clock_, *jobs_, notify_options, nullptr, nullptr);
    EscalationOptions options;
    options.public_url = "https://desk.example.com/";
    options.email_enabled = true;
    svc_ = std::make_unique<EscalationService>(db(), clock_, *jobs_, *oncall_, notify_.get(),
                                               notify::LinkSigner("0123456789abcdef0123456789abcdef"), options);
    svc_->RegisterJobHandlers();
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
  }

  Result<Actor> Insert(const std::string& email, Role role, bool is_active = true) {
    auto user = test_util::InsertTestUser(db(), clock_.NowMs(), email, role, is_active);
    if (!user.ok()) return user.status();
    return Actor::Of(*user);
  }

  int64_t FileTicket(std::optional<std::string> queue = "ingestion") {
    tickets::NewTicket t;
    t.subject = "Ingestion lag";
    t.body = "Events are hours late.";
    t.requester_email = "requester@example.com";
    if (queue) t.queue = tickets::QueueRef{std::nullopt, *queue};
    auto created = tickets_->Create(agent_, t);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->ticket.id : 0;
  }

  // Runs due jobs until none is due.
  void Drain() {
    for (int i = 0; i < 20; ++i) {
      auto ran = jobs_->RunDueJobsOnce();
      ASSERT_TRUE(ran.ok()) << ran.status().ToString();
      if (*ran == 0) return;
    }
  }

  int64_t Count(const std::string& sql, const storage::Params& params = {}) {
    return test_util::QueryCount(db(), sql, params);
  }
  int64_t Events(int64_t ticket, const std::string& kind) {
    return Count("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND kind = ? AND is_internal = 1",
                 {ticket, kind});
  }
  bool HasJob(const std::string& key) { return Count("SELECT COUNT(*) FROM jobs WHERE idempotency_key = ?", {key}) == 1; }
  std::string Key(int64_t id, const std::string& rest) { return "esc:" + std::to_string(id) + ":" + rest; }
  std::string JobPayload(const std::string& key) {
    std::string out;
    Status st = db().Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne("SELECT payload FROM jobs WHERE idempotency_key = ?", {key});
      if (!row.ok()) return row.status();
      if (*row) out = (*row)->Text(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  storage::Database& db() { return test_db_->db(); }
  EscalationService& svc() { return *svc_; }

  ManualClock clock_{T("2025-01-07T12:00:00Z")};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<oncall::OnCallService> oncall_;
  std::unique_ptr<jobs::JobService> jobs_;
  std::unique_ptr<notify::NotifyService> notify_;
  std::unique_ptr<EscalationService> svc_;
  std::unique_ptr<tickets::TicketService> tickets_;
  oncall::EscalationPolicy policy_;
  Actor admin_, lead_, agent_, agent2_, requester_, other_requester_;
};

TEST_P(EscalationServiceTest, CreateWritesRowEventAndJobsInOneTransaction) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss suspected", "sev2", "engineering"}));
  EXPECT_EQ(e.state, "triggered");
  EXPECT_EQ(e.policy_id, policy_.id);
  EXPECT_EQ(e.created_by, agent2_.user_id);
  EXPECT_EQ(Events(ticket, "escalated"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE idempotency_key = ? AND due_at = ? AND kind = 'escalation.page'",
                  {Key(e.id, "page:0"), clock_.NowMs()}),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE idempotency_key = ? AND due_at = ? AND kind = "
                  "'escalation.timeout'",
                  {Key(e.id, "timeout:0"), clock_.NowMs() + 10 * kMinute}),
            1);

  // A failure after the row and event are written leaves nothing behind.
  int64_t other = FileTicket();
  int64_t jobs_before = Count("SELECT COUNT(*) FROM jobs");
  svc().SetCreateFaultForTest([] { return Status::Internal("injected"); });
  EXPECT_EQ(svc().Create(agent2_, other, {"Again", "sev1", "engineering"}).status().code(), StatusCode::kInternal);
  svc().SetCreateFaultForTest(nullptr);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM escalations WHERE ticket_id = ?", {other}), 0);
  EXPECT_EQ(Events(other, "escalated"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), jobs_before);
}

TEST_P(EscalationServiceTest, ValidationConflictsAndPermissions) {
  int64_t ticket = FileTicket();
  auto bad = svc().Create(agent_, ticket, {"", "sev9", "sales"});
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().fields().count("reason"), 1u);
  EXPECT_EQ(bad.status().fields().count("severity"), 1u);
  EXPECT_EQ(bad.status().fields().count("tier"), 1u);
  auto no_queue = svc().Create(agent_, FileTicket(std::nullopt), {"Why", "sev3", "engineering"});
  ASSERT_EQ(no_queue.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_queue.status().fields().count("ticket"), 1u);
  EXPECT_EQ(svc().Create(agent_, FileTicket("no-policy"), {"Why", "sev3", "engineering"}).status().code(),
            StatusCode::kFailedPrecondition);
  // Tier l2 needs no policy.
  ASSERT_OK_AND_ASSIGN(Escalation l2, svc().Create(agent_, FileTicket(std::nullopt), {"Why", "sev3", "l2"}));
  EXPECT_FALSE(l2.policy_id.has_value());
  EXPECT_EQ(svc().Create(requester_, ticket, {"Help", "sev1", "engineering"}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().Create(other_requester_, ticket, {"Help", "sev1", "engineering"}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(svc().Create(agent_, 999999, {"Help", "sev1", "engineering"}).status().code(), StatusCode::kNotFound);
  ASSERT_OK(svc().Create(agent_, ticket, {"Help", "sev1", "engineering"}).status());
  EXPECT_EQ(svc().Create(agent_, ticket, {"Again", "sev1", "engineering"}).status().code(), StatusCode::kConflict);
  EXPECT_EQ(svc().List(requester_, "open").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ListForTicket(requester_, ticket).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc().ListForTicket(other_requester_, ticket).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc().List(agent_, "bogus").status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto open, svc().List(lead_, "open"));
  EXPECT_EQ(open.size(), 2u);
}

// Tier l2 is "senior specialists or the lead": it pages the queue team's leads
// and every active senior specialist, and no other agent.
TEST_P(EscalationServiceTest, TierL2PagesTheLeadsAndTheSeniorSpecialists) {
  auth::UserService users(db(), clock_);
  auth::UserPatch senior;
  senior.senior = true;
  ASSERT_OK_AND_ASSIGN(auth::User promoted, users.Update(admin_, agent2_.user_id, senior));
  EXPECT_TRUE(promoted.senior);
  ASSERT_OK_AND_ASSIGN(Actor retired, Insert("retired@example.com", Role::kAgent, /*is_active=*/false));
  ASSERT_OK(users.Update(admin_, retired.user_id, senior).status());
  // Only staff can be senior.
  EXPECT_EQ(users.Update(admin_, requester_.user_id, senior).status().code(), StatusCode::kInvalidArgument);

  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent_, ticket, {"Needs a senior", "sev3", "l2"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_TRUE(HasJob(Key(e.id, "page:0:email:" + std::to_string(lead_.user_id))));
  EXPECT_TRUE(HasJob(Key(e.id, "page:0:email:" + std::to_string(agent2_.user_id))));
  EXPECT_FALSE(HasJob(Key(e.id, "page:0:email:" + std::to_string(agent_.user_id))));
  EXPECT_FALSE(HasJob(Key(e.id, "page:0:email:" + std::to_string(retired.user_id))));
  EXPECT_EQ(Events(ticket, "escalation_paged"), 2);

  // A demotion to requester ends it.
  auth::UserPatch demote;
  demote.role = "requester";
  ASSERT_OK_AND_ASSIGN(auth::User demoted, users.Update(admin_, agent2_.user_id, demote));
  EXPECT_FALSE(demoted.senior);
}

TEST_P(EscalationServiceTest, PagesLevelsThenRepeatsThenUnacknowledged) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  // Step 0, level 0: whoever is on call in the schedule now (agent this week).
  std::string page0 = Key(e.id, "page:0:email:" + std::to_string(agent_.user_id));
  ASSERT_TRUE(HasJob(page0));
  EXPECT_FALSE(HasJob(Key(e.id, "page:0:email:" + std::to_string(agent2_.user_id))));
  boost::json::value mail = boost::json::parse(JobPayload(page0));
  std::string body(mail.at("body").as_string());
  EXPECT_NE(body.find("https://desk.example.com/api/v1/escalations/" + std::to_string(e.id) + "/ack?token="),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("https://desk.example.com/agent/tickets/" + std::to_string(ticket)), std::string::npos);
  EXPECT_EQ(std::string(mail.at("to").as_string()), "agent@example.com");
  EXPECT_EQ(Events(ticket, "escalation_paged"), 1);
  // Running the page again (at-least-once) pages nobody twice.
  jobs::Job again;
  again.payload = "{\"escalation_id\":" + std::to_string(e.id) + ",\"step\":0}";
  ASSERT_OK(svc().RunPage(again));
  EXPECT_EQ(Events(ticket, "escalation_paged"), 1);

  // No ack for 10 minutes: level 1 (the admin).
  clock_.Advance(10 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_TRUE(HasJob(Key(e.id, "page:1:email:" + std::to_string(admin_.user_id))));
  EXPECT_EQ(Events(ticket, "escalation_advanced"), 1);
  ASSERT_OK_AND_ASSIGN(Escalation at1, svc().Get(lead_, e.id));
  EXPECT_EQ(at1.step, 1);
  EXPECT_EQ(at1.level, 1);
  // Not yet: level 1 waits 20 minutes.
  clock_.Advance(19 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_FALSE(HasJob(Key(e.id, "page:2")));
  // repeat = 1: the levels run once more.
  clock_.Advance(1 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_TRUE(HasJob(Key(e.id, "page:2:email:" + std::to_string(agent_.user_id))));
  clock_.Advance(10 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_TRUE(HasJob(Key(e.id, "page:3:email:" + std::to_string(admin_.user_id))));
  clock_.Advance(20 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  ASSERT_OK_AND_ASSIGN(Escalation done, svc().Get(lead_, e.id));
  EXPECT_EQ(done.state, "unacknowledged");
  EXPECT_EQ(Events(ticket, "escalation_unacknowledged"), 1);
  EXPECT_EQ(Events(ticket, "escalation_paged"), 4);
  EXPECT_EQ(Events(ticket, "escalation_advanced"), 3);
  // The team's lead is told.
  EXPECT_TRUE(HasJob(Key(e.id, "unacknowledged:email:" + std::to_string(lead_.user_id))));
  EXPECT_FALSE(HasJob(Key(e.id, "page:4")));
  // Someone picks it up late: still possible.
  ASSERT_OK_AND_ASSIGN(Escalation late, svc().Acknowledge(agent_, e.id));
  EXPECT_EQ(late.state, "acknowledged");
}

TEST_P(EscalationServiceTest, PagesWhoeverIsOnCallAtThatMoment) {
  clock_.Set(T("2025-01-13T09:00:00Z"));  // the weekly handoff to agent2
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent_, ticket, {"Disk full", "sev2", "engineering"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_TRUE(HasJob(Key(e.id, "page:0:email:" + std::to_string(agent2_.user_id))));
  EXPECT_FALSE(HasJob(Key(e.id, "page:0:email:" + std::to_string(agent_.user_id))));
}

TEST_P(EscalationServiceTest, AcknowledgingStopsPagingAndResolveCancelAreFinal) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  clock_.Advance(3 * kMinute);
  ASSERT_OK_AND_ASSIGN(Escalation acked, svc().Acknowledge(agent_, e.id));
  EXPECT_EQ(acked.state, "acknowledged");
  EXPECT_EQ(acked.acknowledged_by, agent_.user_id);
  EXPECT_EQ(acked.acknowledged_at, clock_.NowMs());
  ASSERT_OK(svc().Acknowledge(agent2_, e.id).status());  // idempotent
  EXPECT_EQ(Events(ticket, "escalation_acknowledged"), 1);
  std::string after;
  ASSERT_OK(db().Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT after_value FROM ticket_events WHERE ticket_id = ? AND kind = ?",
                           {ticket, std::string("escalation_acknowledged")});
    if (!row.ok()) return row.status();
    after = (*row)->Text(0);
    return Status::Ok();
  }));
  EXPECT_EQ(boost::json::parse(after).at("ack_after_ms").as_int64(), 3 * kMinute);
  clock_.Advance(60 * kMinute);
  ASSERT_NO_FATAL_FAILURE(Drain());
  EXPECT_FALSE(HasJob(Key(e.id, "page:1")));
  EXPECT_EQ(Events(ticket, "escalation_advanced"), 0);
  ASSERT_OK_AND_ASSIGN(Escalation resolved, svc().Resolve(agent_, e.id));
  EXPECT_EQ(resolved.state, "resolved");
  EXPECT_EQ(svc().Cancel(agent_, e.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().Acknowledge(agent_, e.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc().Resolve(requester_, e.id).status().code(), StatusCode::kPermissionDenied);
  // A new escalation is allowed once the old one is closed; cancel de-escalates.
  ASSERT_OK_AND_ASSIGN(Escalation second, svc().Create(agent2_, ticket, {"Back again", "sev3", "engineering"}));
  ASSERT_OK_AND_ASSIGN(Escalation cancelled, svc().Cancel(lead_, second.id));
  EXPECT_EQ(cancelled.state, "cancelled");
  EXPECT_EQ(cancelled.cancelled_by, lead_.user_id);
  EXPECT_EQ(Events(ticket, "escalation_resolved"), 1);
  EXPECT_EQ(Events(ticket, "escalation_cancelled"), 1);
  ASSERT_OK_AND_ASSIGN(auto open, svc().List(lead_, "open"));
  EXPECT_TRUE(open.empty());
}

TEST_P(EscalationServiceTest, SignedLinkAcknowledges) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  ASSERT_OK_AND_ASSIGN(Escalation other, svc().Create(agent2_, FileTicket(), {"Other", "sev4", "engineering"}));
  auto token_of = [](const std::string& url) { return url.substr(url.find("token=") + 6); };
  std::string token = token_of(svc().AckUrl(e.id, clock_.NowMs() + 24 * 60 * kMinute));
  EXPECT_EQ(svc().AcknowledgeByLink(e.id, "garbage").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().AcknowledgeByLink(e.id, token + "0").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(svc().AcknowledgeByLink(other.id, token).status().code(), StatusCode::kUnauthenticated);
  std::string short_lived = token_of(svc().AckUrl(e.id, clock_.NowMs() + kMinute));
  clock_.Advance(2 * kMinute);
  EXPECT_EQ(svc().AcknowledgeByLink(e.id, short_lived).status().code(), StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(Escalation by_link, svc().AcknowledgeByLink(e.id, token));
  EXPECT_EQ(by_link.state, "acknowledged");
  EXPECT_FALSE(by_link.acknowledged_by.has_value());
  ASSERT_OK(svc().AcknowledgeByLink(e.id, token).status());  // a second click
  EXPECT_EQ(Events(ticket, "escalation_acknowledged"), 1);
}

// The e-mailed page carries a link personal to its recipient: following it
// records that person as who acknowledged, while they are still active staff.
TEST_P(EscalationServiceTest, APersonalLinkAcknowledgesAsItsRecipient) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  auto token_of = [](const std::string& url) { return url.substr(url.find("token=") + 6); };
  const TimestampMs expires = clock_.NowMs() + 24 * 60 * kMinute;
  // Sent to a requester (no longer staff) or to a deactivated agent: refused.
  EXPECT_EQ(svc().AcknowledgeByLink(e.id, token_of(svc().PersonalAckUrl(e.id, requester_.user_id, expires)))
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(Actor gone, Insert("gone@example.com", Role::kAgent, /*is_active=*/false));
  EXPECT_EQ(svc().AcknowledgeByLink(e.id, token_of(svc().PersonalAckUrl(e.id, gone.user_id, expires))).status().code(),
            StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(Escalation still, svc().Get(lead_, e.id));
  EXPECT_EQ(still.state, "triggered");

  ASSERT_OK_AND_ASSIGN(Escalation acked,
                       svc().AcknowledgeByLink(e.id, token_of(svc().PersonalAckUrl(e.id, agent_.user_id, expires))));
  EXPECT_EQ(acked.state, "acknowledged");
  EXPECT_EQ(acked.acknowledged_by, agent_.user_id);
  ASSERT_OK_AND_ASSIGN(auto events, tickets_->ListEvents(agent_, ticket, std::nullopt, 200));
  int found = 0;
  for (const auto& ev : events.items) {
    if (ev.kind != "escalation_acknowledged") continue;
    ++found;
    EXPECT_EQ(ev.actor_id, agent_.user_id);
    boost::json::value data = boost::json::parse(*ev.after);
    EXPECT_EQ(data.at("by").as_int64(), agent_.user_id);
    EXPECT_EQ(data.at("via").as_string(), "link");
  }
  EXPECT_EQ(found, 1);
}

TEST_P(EscalationServiceTest, RequestersNeverSeeEscalationEvents) {
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  ASSERT_OK(svc().Acknowledge(agent_, e.id).status());
  ASSERT_OK_AND_ASSIGN(auto mine, tickets_->ListEvents(requester_, ticket, std::nullopt, 200));
  for (const auto& ev : mine.items) EXPECT_EQ(ev.kind.find("escalat"), std::string::npos) << ev.kind;
  ASSERT_OK_AND_ASSIGN(auto staff, tickets_->ListEvents(agent_, ticket, std::nullopt, 200));
  int seen = 0;
  for (const auto& ev : staff.items) seen += ev.kind.find("escalat") != std::string::npos;
  EXPECT_EQ(seen, 3);  // escalated, escalation_paged, escalation_acknowledged
  EXPECT_EQ(svc().Get(requester_, e.id).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(EscalationServiceTest, EachPageIsAnEscalationTriggeredWebhookEvent) {
  notify::NewWebhook hook;
  hook.url = "https://hooks.example.com/pager";
  hook.event_types = {"escalation.triggered"};
  ASSERT_OK_AND_ASSIGN(notify::Webhook w, notify_->CreateWebhook(admin_, hook));
  int64_t ticket = FileTicket();
  ASSERT_OK_AND_ASSIGN(Escalation e, svc().Create(agent2_, ticket, {"Data loss", "sev1", "engineering"}));
  ASSERT_NO_FATAL_FAILURE(Drain());
  std::string key = "notify:escalation.triggered:" + std::to_string(e.id) + ":0:webhook:" + std::to_string(w.id);
  ASSERT_TRUE(HasJob(key));
  boost::json::value payload = boost::json::parse(JobPayload(key));
  boost::json::value body = boost::json::parse(payload.at("body").as_string());
  const auto& data = body.at("data").at("escalation");
  EXPECT_EQ(data.at("id").as_int64(), e.id);
  EXPECT_EQ(data.at("paged_user_ids").as_array().size(), 1u);
  EXPECT_NE(std::string(data.at("ack_url").as_string()).find("/ack?token="), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, EscalationServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) {
                           return std::string(storage::EngineName(info.param));
                         });

}  // namespace
}  // namespace opsdesk::escalation
