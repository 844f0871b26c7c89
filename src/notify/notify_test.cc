// Notifications: templates, signed links, the SSRF guard, webhook signatures,
// the e-mail format, and the outbox written by the ticket service (both engines).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/random.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "notify/senders.h"
#include "notify/signed_link.h"
#include "notify/ssrf_guard.h"
#include "notify/templates.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"
#include "testing/migrated_database.h"

namespace opsdesk::notify {
namespace {

using auth::Actor;
using auth::Role;
using storage::Engine;

constexpr TimestampMs kStart = 1'800'000'000'000;

TEST(TemplatesTest, SubstitutesPlaceholdersOnce) {
  EXPECT_EQ(RenderTemplate("Hi {{name}}, {{ name }}! {{missing}}.", {{"name", "Ann"}}), "Hi Ann, Ann! .");
  // Values are not expanded again, and unterminated braces stay as they are.
  EXPECT_EQ(RenderTemplate("{{a}} {{b", {{"a", "{{b}}"}, {"b", "x"}}), "{{b}} {{b");
  auto tmpl = EmailTemplateFor("ticket.replied");
  ASSERT_TRUE(tmpl.has_value());
  RenderedMessage m = Render(*tmpl, {{"ticket_id", "42"}, {"ticket_subject", "Disk full"},
                                     {"comment_body", "Cleaned up."}, {"author_name", "Agent"},
                                     {"recipient_name", "Ann"}, {"ticket_url", "https://desk/tickets/42"}});
  EXPECT_EQ(m.subject, "Re: [#42] Disk full");
  EXPECT_NE(m.body.find("Agent replied to your ticket #42 \"Disk full\""), std::string::npos);
  EXPECT_NE(m.body.find("Cleaned up."), std::string::npos);
  EXPECT_NE(m.body.find("https://desk/tickets/42"), std::string::npos);
  EXPECT_FALSE(EmailTemplateFor("no.such.event").has_value());
}

TEST(SignedLinkTest, VerifiesItsOwnTokensOnlyForTheSamePurposeAndBeforeExpiry) {
  InitCrypto();
  LinkSigner signer("0123456789abcdef0123456789abcdef");
  std::string token = signer.SignLink("ack", 77, kStart + 1000);
  ASSERT_OK_AND_ASSIGN(int64_t id, signer.VerifyLink("ack", token, kStart));
  EXPECT_EQ(id, 77);
  EXPECT_EQ(signer.VerifyLink("ack", token, kStart + 1000).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(signer.VerifyLink("view", token, kStart).status().code(), StatusCode::kUnauthenticated);
  LinkSigner other("another key, also long enough!!");
  EXPECT_FALSE(other.VerifyLink("ack", token, kStart).ok());
  // Changing the id or the expiry breaks the MAC.
  std::string forged = "78" + token.substr(2);
  EXPECT_FALSE(signer.VerifyLink("ack", forged, kStart).ok());
  std::string extended = token;
  extended.replace(token.find('.') + 1, 13, std::to_string(kStart + 9999));
  EXPECT_FALSE(signer.VerifyLink("ack", extended, kStart).ok());
  for (const char* bad : {"", "x", "1.2", "1.2.", "a.b.c", "1.2.zz"}) {
    EXPECT_FALSE(signer.VerifyLink("ack", bad, kStart).ok()) << bad;
  }
}

TEST(SignedLinkTest, APersonalLinkNamesItsRecipientAndCannotBeReassigned) {
  InitCrypto();
  LinkSigner signer("0123456789abcdef0123456789abcdef");
  std::string token = signer.SignPersonalLink("ack", 77, 5, kStart + 1000);
  ASSERT_OK_AND_ASSIGN(LinkSigner::Claims claims, signer.Verify("ack", token, kStart));
  EXPECT_EQ(claims.id, 77);
  EXPECT_EQ(claims.user_id, 5);
  // A link naming nobody verifies with no recipient.
  ASSERT_OK_AND_ASSIGN(LinkSigner::Claims anonymous, signer.Verify("ack", signer.SignLink("ack", 77, kStart + 1000), kStart));
  EXPECT_FALSE(anonymous.user_id.has_value());
  // The recipient is inside the MAC: another user id, or dropping it, fails.
  const size_t user_at = token.find('.', token.find('.') + 1) + 1;
  std::string other_user = token;
  other_user.replace(user_at, 1, "6");
  EXPECT_FALSE(signer.Verify("ack", other_user, kStart).ok());
  std::string without_user = token.substr(0, user_at) + token.substr(token.find('.', user_at) + 1);
  EXPECT_FALSE(signer.Verify("ack", without_user, kStart).ok());
  // Expiry and purpose bind as for other links; VerifyLink refuses a personal one.
  EXPECT_EQ(signer.Verify("ack", token, kStart + 1000).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(signer.Verify("view", token, kStart).ok());
  EXPECT_FALSE(signer.VerifyLink("ack", token, kStart).ok());
  for (const char* bad : {"1.2.3.4.5", "1.2.x.abc", "1.2..abc"}) EXPECT_FALSE(signer.Verify("ack", bad, kStart).ok()) << bad;
}

TEST(SsrfGuardTest, ClassifiesAddresses) {
  for (const char* forbidden :
       {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe", "[::1]", "not an address"}) {
    EXPECT_TRUE(IsForbiddenAddress(forbidden)) << forbidden;
  }
  for (const char* allowed : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_FALSE(IsForbiddenAddress(allowed)) << allowed;
  }
}

TEST(SsrfGuardTest, ParsesOnlyHttpUrlsWithoutCredentials) {
  ASSERT_OK_AND_ASSIGN(ParsedUrl url, ParseWebhookUrl("https://Hooks.Example.com/x?y=1"));
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "hooks.example.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_FALSE(url.host_is_ip);
  ASSERT_OK_AND_ASSIGN(url, ParseWebhookUrl("http://[::1]:8080/"));
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_TRUE(url.host_is_ip);
  for (const char* bad : {"", "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/",
                          "http://user:pw@example.com/", "example.com/hook", "http://", "javascript:alert(1)"}) {
    auto parsed = ParseWebhookUrl(bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SsrfGuardTest, RefusesPrivateTargetsUnlessAllowListedAndPinsTheCheckedAddress) {
  // localhost resolves (from /etc/hosts) to loopback only.
  auto refused = ResolveWebhookTarget("http://localhost:9/hook", {});
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_EQ(ResolveWebhookTarget("http://127.0.0.1:9/", {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolveWebhookTarget("http://10.1.2.3/", {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolveWebhookTarget("http://169.254.169.254/latest/meta-data", {}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolveWebhookTarget("http://[::1]:9/", {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolveWebhookTarget("http://[::ffff:127.0.0.1]:9/", {}).status().code(), StatusCode::kPermissionDenied);
  // Allowing 127.0.0.1 allows that host, not every name that resolves to it.
  ASSERT_OK_AND_ASSIGN(WebhookTarget ip, ResolveWebhookTarget("http://127.0.0.1:9/", {"127.0.0.1"}));
  EXPECT_EQ(ip.address, "127.0.0.1");
  EXPECT_EQ(ip.resolve_entry, "");
  EXPECT_EQ(ResolveWebhookTarget("http://localhost:9/", {"127.0.0.1"}).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(WebhookTarget name, ResolveWebhookTarget("http://LOCALHOST:9/", {"localhost"}));
  EXPECT_TRUE(name.address == "127.0.0.1" || name.address == "::1") << name.address;
  EXPECT_EQ(name.resolve_entry.rfind("localhost:9:", 0), 0u) << name.resolve_entry;
  EXPECT_EQ(ResolveWebhookTarget("ftp://example.com/", {}).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(CheckWebhookUrlOnSave("http://10.0.0.1/", {}).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(CheckWebhookUrlOnSave("http://10.0.0.1/", {"10.0.0.1"}));
  ASSERT_OK(CheckWebhookUrlOnSave("https://hooks.example.com/", {}));  // names are checked per delivery
}

TEST(WebhookSenderTest, SignsWithHmacSha256AndRefusesBeforeConnecting) {
  InitCrypto();
  // RFC 4231, test case 2.
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  InitCurl();
  WebhookSender sender({{}, 1000});
  Status refused = sender.Deliver({"http://127.0.0.1:9/", "secret", "d1", "ticket.created", "{}"});
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied) << refused.ToString();
  // Allowed but nobody listens on port 9 (discard): a retryable failure.
  WebhookSender allowed({{"127.0.0.1"}, 1000});
  EXPECT_EQ(allowed.Deliver({"http://127.0.0.1:9/", "secret", "d1", "ticket.created", "{}"}).code(),
            StatusCode::kUnavailable);
}

TEST(EmailFormatTest, WritesHeadersWithCrlfAndNoInjection) {
  EmailMessage m;
  m.to = "ann@example.com";
  m.to_name = "Ann";
  m.subject = "Re: [#1] Drücker kaputt\r\nBcc: evil@example.com";
  m.body = "line one\nline two\n.\nend";
  m.delivery_id = "notify:ticket.replied:5:email:9";
  m.message_id = MessageIdFor(m.delivery_id, "desk@ops.example.com");
  EXPECT_EQ(m.message_id, "<notify.ticket.replied.5.email.9@ops.example.com>");
  std::string text = FormatEmail(m, "desk@ops.example.com", 0);
  EXPECT_NE(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("From: opsdesk <desk@ops.example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: \"Ann\" <ann@example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("Subject: =?UTF-8?B?"), std::string::npos);  // non-ASCII: RFC 2047
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(text.find("Message-ID: <notify.ticket.replied.5.email.9@ops.example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("X-Opsdesk-Delivery: notify:ticket.replied:5:email:9\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nline one\r\nline two\r\n.\r\nend\r\n"), std::string::npos);
}

class NotifyServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    jobs_ = std::make_unique<jobs::JobService>(db(), clock_);
    NotifyOptions options;
    options.public_url = "https://desk.example.com/";
    options.email_enabled = true;
    notify_ = std::make_unique<NotifyService>(db(), clock_, *jobs_, options, nullptr, nullptr);
    tickets_ = std::make_unique<tickets::TicketService>(db(), clock_);
    tickets_->AddOutbox(notify_.get());
    ASSERT_OK_AND_ASSIGN(admin_, test_util::InsertTestUser(db(), kStart, "admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(agent_, test_util::InsertTestUser(db(), kStart, "agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(ann_, test_util::InsertTestUser(db(), kStart, "ann@example.com", Role::kRequester));
  }

  storage::Database& db() { return test_db_->db(); }
  int64_t Count(const std::string& sql, const storage::Params& params = {}) {
    return test_util::QueryCount(db(), sql, params);
  }
  int64_t FileTicket(const std::string& subject) {
    auto created = tickets_->Create(Actor::Of(ann_), {subject, "It is broken.", std::nullopt, std::nullopt, {}});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->ticket.id : 0;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<jobs::JobService> jobs_;
  std::unique_ptr<NotifyService> notify_;
  std::unique_ptr<tickets::TicketService> tickets_;
  auth::User admin_, agent_, ann_;
};

TEST_P(NotifyServiceTest, WebhooksAreAdminOnlyAndValidated) {
  EXPECT_EQ(notify_->CreateWebhook(Actor::Of(agent_), {"https://hooks.example.com/", std::nullopt, {"ticket.created"}})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  auto bad = notify_->CreateWebhook(Actor::Of(admin_), {"ftp://x/", std::string("short"), {"ticket.nope"}});
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().fields().size(), 3u) << bad.status().ToString();
  EXPECT_EQ(notify_->CreateWebhook(Actor::Of(admin_), {"http://192.168.0.10/", std::nullopt, {"ticket.created"}})
                .status()
                .fields()
                .count("url"),
            1u);

  ASSERT_OK_AND_ASSIGN(Webhook hook, notify_->CreateWebhook(Actor::Of(admin_), {"https://hooks.example.com/in",
                                                                                  std::nullopt,
                                                                                  {"ticket.replied", "ticket.created",
                                                                                   "ticket.created"}}));
  ASSERT_TRUE(hook.secret.has_value());
  EXPECT_EQ(hook.secret->rfind("whsec_", 0), 0u);
  EXPECT_EQ(hook.event_types, (std::vector<std::string>{"ticket.created", "ticket.replied"}));
  ASSERT_OK_AND_ASSIGN(Webhook got, notify_->GetWebhook(Actor::Of(admin_), hook.id));
  EXPECT_FALSE(got.secret.has_value());  // never shown again
  WebhookPatch patch;
  patch.active = false;
  patch.event_types = std::vector<std::string>{"ticket.created"};
  ASSERT_OK_AND_ASSIGN(got, notify_->UpdateWebhook(Actor::Of(admin_), hook.id, patch));
  EXPECT_FALSE(got.active);
  ASSERT_OK(notify_->DeleteWebhook(Actor::Of(admin_), hook.id));
  EXPECT_EQ(notify_->DeleteWebhook(Actor::Of(admin_), hook.id).code(), StatusCode::kNotFound);
}

TEST_P(NotifyServiceTest, ANewTicketQueuesOneDeliveryPerSubscribedWebhookInItsTransaction) {
  ASSERT_OK_AND_ASSIGN(Webhook created_hook,
                       notify_->CreateWebhook(Actor::Of(admin_), {"https://a.example.com/", std::nullopt,
                                                                  {"ticket.created"}}));
  ASSERT_OK(notify_->CreateWebhook(Actor::Of(admin_), {"https://b.example.com/", std::nullopt, {"ticket.replied"}})
                .status());
  WebhookPatch off;
  off.active = false;
  ASSERT_OK_AND_ASSIGN(Webhook inactive,
                       notify_->CreateWebhook(Actor::Of(admin_), {"https://c.example.com/", std::nullopt,
                                                                  {"ticket.created"}}));
  ASSERT_OK(notify_->UpdateWebhook(Actor::Of(admin_), inactive.id, off).status());

  int64_t ticket = FileTicket("Printer on fire");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'webhook.deliver'"), 1);
  std::string key = "notify:ticket.created:" + std::to_string(ticket) + ":webhook:" + std::to_string(created_hook.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE idempotency_key = ? AND state = 'pending' AND due_at = ?",
                  {key, kStart}),
            1);
  ASSERT_OK_AND_ASSIGN(auto page, notify_->ListDeliveries(Actor::Of(admin_), std::nullopt, std::nullopt, 50));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].webhook_id, created_hook.id);
  EXPECT_EQ(page.items[0].event_type, "ticket.created");
  boost::json::value payload = boost::json::parse(page.items[0].job.payload);
  boost::json::value body = boost::json::parse(payload.at("body").as_string());
  EXPECT_EQ(body.at("id").as_string(), key);
  EXPECT_EQ(body.at("data").at("ticket").at("subject").as_string(), "Printer on fire");
  EXPECT_EQ(body.at("data").at("ticket").at("url").as_string(),
            "https://desk.example.com/tickets/" + std::to_string(ticket));

  // A ticket that fails validation inside the transaction queues nothing.
  tickets::NewTicket bad{"Bad queue", "body", std::nullopt, tickets::QueueRef{999, std::nullopt}, {}};
  EXPECT_FALSE(tickets_->Create(Actor::Of(ann_), bad).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 1);
}

TEST_P(NotifyServiceTest, AReplyEmailsTheRequesterUnlessTheyWroteItOrTurnedItOff) {
  ASSERT_OK(notify_->CreateWebhook(Actor::Of(admin_), {"https://b.example.com/", std::nullopt, {"ticket.replied"}})
                .status());
  int64_t ticket = FileTicket("VPN down");
  ASSERT_OK_AND_ASSIGN(auto reply, tickets_->AddComment(Actor::Of(agent_), ticket, {"Restarted the VPN.", false}));
  std::string key = "notify:ticket.replied:" + std::to_string(reply.id) + ":email:" + std::to_string(ann_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND idempotency_key = ?", {key}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'webhook.deliver'"), 1);
  ASSERT_OK_AND_ASSIGN(auto all, jobs_->List({std::string("email.send"), std::nullopt, std::nullopt, 10}));
  ASSERT_EQ(all.items.size(), 1u);
  boost::json::value payload = boost::json::parse(all.items[0].payload);
  EXPECT_EQ(payload.at("to").as_string(), "ann@example.com");
  EXPECT_EQ(payload.at("subject").as_string(), "Re: [#" + std::to_string(ticket) + "] VPN down");
  EXPECT_NE(std::string(payload.at("body").as_string()).find("Restarted the VPN."), std::string::npos);

  // An internal note notifies nobody; the requester's own reply e-mails nobody.
  ASSERT_OK(tickets_->AddComment(Actor::Of(agent_), ticket, {"internal", true}).status());
  ASSERT_OK(tickets_->AddComment(Actor::Of(ann_), ticket, {"Thanks!", false}).status());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'webhook.deliver'"), 2);

  // Preferences: default on, then off.
  ASSERT_OK_AND_ASSIGN(auto prefs, notify_->GetPreferences(Actor::Of(ann_)));
  ASSERT_EQ(prefs.size(), 4u);  // ticket.replied, sla.warning, sla.breached, escalation.unacknowledged
  EXPECT_EQ(prefs[0].event_type, "ticket.replied");
  EXPECT_TRUE(prefs[0].enabled);
  EXPECT_EQ(notify_->SetPreferences(Actor::Of(ann_), {{"ticket.replied", "sms", false}}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(prefs, notify_->SetPreferences(Actor::Of(ann_), {{"ticket.replied", "email", false}}));
  EXPECT_FALSE(prefs[0].enabled);
  ASSERT_OK(tickets_->AddComment(Actor::Of(agent_), ticket, {"Any better?", false}).status());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send'"), 1);
  ASSERT_OK(notify_->SetPreferences(Actor::Of(ann_), {{"ticket.replied", "email", true}}).status());
  ASSERT_OK(tickets_->AddComment(Actor::Of(agent_), ticket, {"And now?", false}).status());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE kind = 'email.send'"), 2);
}

TEST_P(NotifyServiceTest, LinkKeyIsMadeOnceAndShared) {
  ASSERT_OK_AND_ASSIGN(std::string first, LoadOrCreateLinkKey(db(), clock_));
  ASSERT_OK_AND_ASSIGN(std::string second, LoadOrCreateLinkKey(db(), clock_));
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.size(), 64u);
  ASSERT_OK_AND_ASSIGN(std::string configured, LoadOrCreateLinkKey(db(), clock_, "configured secret value"));
  EXPECT_EQ(configured, "configured secret value");
}

INSTANTIATE_TEST_SUITE_P(Engines, NotifyServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); });

}  // namespace
}  // namespace opsdesk::notify
