// Escalations end to end: the real server with a real SMTP server
// (scripts/with-mail.sh) pages the on-call engineer of the queue's escalation
// policy; the test takes the signed acknowledge link out of the delivered mail,
// follows it without a session, and reads the result back through the API and
// the CLI.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/random.h"
#include "harness.h"
#include "maildir.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kPublicUrl = "https://desk.opsdesk.test";


class EscalationE2eTest : public ::testing::TestWithParam<storage::Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    const char* smtp = std::getenv("OPSDESK_TEST_SMTP_URL");
    maildir_ = std::getenv("OPSDESK_TEST_MAILDIR") ? std::getenv("OPSDESK_TEST_MAILDIR") : "";
    if (!smtp || !*smtp || maildir_.empty()) {
      GTEST_SKIP() << "OPSDESK_TEST_SMTP_URL / OPSDESK_TEST_MAILDIR not set: run under scripts/with-mail.sh";
    }
    auto database = storage::TestDatabase::Create(GetParam());
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = std::move(*database);
    database_->Close();
    smtp_url_ = smtp;
    auto server = ServerProcess::Start(database_->url(), ServerEnv(smtp_url_));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    HttpClient client = Client();
    admin_.email = UniqueName("esc-admin") + "@example.com";
    admin_.password = "e2e password for admin";
    auto admin_id = AddUserWithCli(database_->url(), admin_.email, "Admin", "admin", admin_.password);
    ASSERT_TRUE(admin_id.ok()) << admin_id.status().ToString();
    admin_.id = *admin_id;
    auto token = Login(client, admin_.email, admin_.password);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    admin_.token = *token;
    for (auto [user, role] : {std::pair{&engineer_, "agent"}, std::pair{&agent_, "agent"}, std::pair{&lead_, "lead"},
                              std::pair{&requester_, "requester"}}) {
      auto created = CreateUserViaApi(client, admin_.token, role);
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      *user = *created;
    }
  }
  void TearDown() override {
    if (HasFailure() && server_ && server_->running()) std::cerr << server_->Logs();
    server_.reset();
    database_.reset();
  }

  HttpClient Client() const { return HttpClient(server_->port(), true); }

  // A short job lease, so that jobs a killed server had claimed are due again
  // within seconds.
  static Headers ServerEnv(const std::string& smtp_url) {
    return {{"OPSDESK_JOBS_POLL_MS", "50"},          {"OPSDESK_JOBS_LEASE_MS", "4000"},
            {"OPSDESK_MAIL_FROM", "desk@opsdesk.test"}, {"OPSDESK_PUBLIC_URL", kPublicUrl},
            {"OPSDESK_SMTP_URL", smtp_url}};
  }

  // How many delivered messages to `to` carry `needle`.
  int CountMail(const std::string& to, const std::string& needle) const {
    int n = 0;
    for (const auto& m : MaildirMessages(maildir_)) n += m.find(to) != std::string::npos && m.find(needle) != std::string::npos;
    return n;
  }

  // A queue whose escalation policy pages whoever is on call in a schedule with
  // the engineer as its only participant; returns the queue's name.
  std::string QueueWithPolicy() {
    HttpClient client = Client();
    HttpResponse team = client.Post(
        "/api/v1/teams", object{{"name", UniqueName("esc-team")}, {"member_ids", array{lead_.id, engineer_.id}}},
        admin_.token);
    EXPECT_EQ(team.status, 201) << team.Describe();
    int64_t team_id = Int(team.Json(), "id");
    HttpResponse schedule = client.Post(
        "/api/v1/schedules",
        object{{"team_id", team_id},
               {"name", "primary"},
               {"time_zone", "UTC"},
               {"layers", array{object{{"participant_ids", array{engineer_.id}},
                                       {"rotation", "daily"},
                                       {"start_date", "2025-01-06"},
                                       {"handoff_time", "09:00"}}}}},
        admin_.token);
    EXPECT_EQ(schedule.status, 201) << schedule.Describe();
    HttpResponse policy = client.Post(
        "/api/v1/escalation-policies",
        object{{"team_id", team_id},
               {"name", "ingestion"},
               {"levels", array{object{{"targets", array{object{{"type", "schedule"},
                                                               {"id", Int(schedule.Json(), "id")}}}},
                                       {"ack_timeout_minutes", 30}}}}},
        admin_.token);
    EXPECT_EQ(policy.status, 201) << policy.Describe();
    std::string name = UniqueName("ingestion");
    HttpResponse queue = client.Post("/api/v1/queues", object{{"name", name}, {"team_id", team_id}}, admin_.token);
    EXPECT_EQ(queue.status, 201) << queue.Describe();
    HttpResponse set = client.Send(
        "PUT", "/api/v1/queues/" + std::to_string(Int(queue.Json(), "id")) + "/escalation-policy",
        boost::json::serialize(object{{"escalation_policy_id", Int(policy.Json(), "id")}}),
        {{"Authorization", "Bearer " + admin_.token}, {"Content-Type", "application/json"}});
    EXPECT_EQ(set.status, 200) << set.Describe();
    return name;
  }

  int64_t FileTicket(const std::string& queue) {
    HttpClient client = Client();
    HttpResponse r = client.Post("/api/v1/tickets", object{{"subject", "Ingestion is hours behind"}, {"body", "Help."}},
                                 requester_.token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    int64_t id = Int(r.Json(), "id");
    HttpResponse moved =
        client.Patch("/api/v1/tickets/" + std::to_string(id), object{{"queue", queue}}, agent_.token);
    EXPECT_EQ(moved.status, 200) << moved.Describe();
    return id;
  }

  std::vector<std::string> EventKinds(int64_t ticket, const std::string& token) {
    std::vector<std::string> kinds;
    for (const auto& e : Items(Client().Get("/api/v1/tickets/" + std::to_string(ticket) + "/events?limit=200", token))) {
      kinds.push_back(Str(e, "kind"));
    }
    return kinds;
  }

  std::string maildir_;
  std::string smtp_url_;
  std::unique_ptr<storage::TestDatabase> database_;
  std::unique_ptr<ServerProcess> server_;
  TestUser admin_, engineer_, agent_, lead_, requester_;
};

TEST_P(EscalationE2eTest, TheOnCallEngineerIsMailedAndAcknowledgesThroughTheSignedLink) {
  HttpClient client = Client();
  int64_t ticket = FileTicket(QueueWithPolicy());
  std::string base = "/api/v1/tickets/" + std::to_string(ticket) + "/escalations";

  EXPECT_TRUE(IsError(client.Post(base, object{{"reason", "x"}, {"severity", "sev2"}}, requester_.token), 403,
                      "permission_denied"));
  EXPECT_TRUE(IsFieldError(client.Post(base, object{{"reason", "x"}, {"severity", "sev9"}}, agent_.token), "severity"));
  HttpResponse created =
      client.Post(base, object{{"reason", "Data loss suspected"}, {"severity", "sev2"}}, agent_.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  int64_t id = Int(created.Json(), "id");
  EXPECT_EQ(Str(created.Json(), "state"), "triggered");
  EXPECT_EQ(Str(created.Json(), "tier"), "engineering");
  EXPECT_EQ(client.Post(base, object{{"reason", "Again"}, {"severity", "sev1"}}, agent_.token).status, 409);

  // The page arrives in the on-call engineer's mailbox.
  std::string delivery =
      "X-Opsdesk-Delivery: esc:" + std::to_string(id) + ":page:0:email:" + std::to_string(engineer_.id);
  auto mail = WaitForMail(maildir_, engineer_.email, delivery);
  ASSERT_TRUE(mail.has_value()) << "no page in " << maildir_;
  EXPECT_NE(mail->find("<" + engineer_.email + ">"), std::string::npos) << *mail;
  EXPECT_NE(mail->find("Subject: [sev2] Escalation #" + std::to_string(id)), std::string::npos) << *mail;
  EXPECT_NE(mail->find(std::string(kPublicUrl) + "/agent/tickets/" + std::to_string(ticket)), std::string::npos);
  std::string prefix = std::string(kPublicUrl) + "/api/v1/escalations/" + std::to_string(id) + "/ack?token=";
  size_t at = mail->find(prefix);
  ASSERT_NE(at, std::string::npos) << *mail;
  size_t end = mail->find_first_of("\r\n \t", at);
  std::string link = mail->substr(at + std::string(kPublicUrl).size(), end - at - std::string(kPublicUrl).size());

  // A tampered token is refused; the real one acknowledges without a session.
  EXPECT_TRUE(IsError(client.Get(link + "0"), 401, "unauthenticated"));
  EXPECT_EQ(Str(client.Get("/api/v1/escalations/" + std::to_string(id), lead_.token).Json(), "state"), "triggered");
  HttpResponse acked = client.Get(link);
  ASSERT_EQ(acked.status, 200) << acked.Describe();
  EXPECT_NE(acked.body.find("Acknowledged"), std::string::npos) << acked.body;
  EXPECT_EQ(client.Get(link).status, 200);  // idempotent
  HttpResponse read = client.Get("/api/v1/escalations/" + std::to_string(id), lead_.token);
  EXPECT_EQ(Str(read.Json(), "state"), "acknowledged");
  EXPECT_FALSE(read.Json().at("acknowledged_at").is_null());
  // The link was personal to the engineer it was mailed to.
  EXPECT_EQ(Int(read.Json(), "acknowledged_by"), engineer_.id);

  // History: staff see every step; the requester sees none of it.
  auto kinds = EventKinds(ticket, agent_.token);
  for (const char* kind : {"escalated", "escalation_paged", "escalation_acknowledged"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end()) << kind;
  }
  for (const auto& kind : EventKinds(ticket, requester_.token)) {
    EXPECT_EQ(kind.find("escalat"), std::string::npos) << kind;
  }
  EXPECT_EQ(client.Get(base, requester_.token).status, 403);

  // The leads' list of open escalations, through the CLI.
  CommandResult list = RunOpsdesk(
      {"escalation", "list", "--json", "--server", server_->base_url(), "--token", lead_.token});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  boost::json::value listed = boost::json::parse(list.out);
  ASSERT_EQ(listed.at("items").as_array().size(), 1u) << list.out;
  EXPECT_EQ(Str(listed.at("items").as_array()[0], "state"), "acknowledged");
  CommandResult resolve = RunOpsdesk(
      {"escalation", "resolve", std::to_string(id), "--server", server_->base_url(), "--token", engineer_.token});
  ASSERT_EQ(resolve.exit_code, 0) << resolve.Describe();
  EXPECT_NE(resolve.out.find("resolved"), std::string::npos) << resolve.out;
}

TEST_P(EscalationE2eTest, CliEscalatesToTheLeadsAndAcknowledges) {
  int64_t ticket = FileTicket(QueueWithPolicy());
  CommandResult escalate =
      RunOpsdesk({"ticket", "escalate", std::to_string(ticket), "--severity", "sev1", "--reason", "Customer outage",
                  "--tier", "l2", "--json", "--server", server_->base_url(), "--token", agent_.token});
  ASSERT_EQ(escalate.exit_code, 0) << escalate.Describe();
  boost::json::value e = boost::json::parse(escalate.out);
  int64_t id = Int(e, "id");
  EXPECT_EQ(Str(e, "tier"), "l2");
  // Tier l2 pages the leads of the queue's team.
  auto mail = WaitForMail(maildir_, lead_.email,
                          "X-Opsdesk-Delivery: esc:" + std::to_string(id) + ":page:0:email:" + std::to_string(lead_.id));
  ASSERT_TRUE(mail.has_value()) << "no page to the lead in " << maildir_;
  CommandResult ack = RunOpsdesk(
      {"escalation", "ack", std::to_string(id), "--server", server_->base_url(), "--token", lead_.token});
  ASSERT_EQ(ack.exit_code, 0) << ack.Describe();
  EXPECT_NE(ack.out.find("acknowledged"), std::string::npos) << ack.out;
  HttpResponse read = Client().Get("/api/v1/escalations/" + std::to_string(id), agent_.token);
  EXPECT_EQ(Int(read.Json(), "acknowledged_by"), lead_.id);
}

// The CLI answers the on-call engineer's and the specialist's questions: who is
// on call for the team, and where a ticket's SLA clocks stand.
TEST_P(EscalationE2eTest, TheCliShowsWhoIsOnCallAndATicketsSlaClocks) {
  HttpClient client = Client();
  std::string queue = QueueWithPolicy();
  int64_t team_id = 0;
  for (const auto& q : Items(client.Get("/api/v1/queues", admin_.token))) {
    if (Str(q, "name") == queue) team_id = Int(q, "team_id");
  }
  ASSERT_NE(team_id, 0);
  const std::string server = server_->base_url();
  CommandResult who = RunOpsdesk({"oncall", "who", "--team", std::to_string(team_id), "--json", "--server", server,
                                  "--token", agent_.token});
  ASSERT_EQ(who.exit_code, 0) << who.Describe();
  boost::json::value on_call = boost::json::parse(who.out);
  const auto& schedules = on_call.at("schedules").as_array();
  ASSERT_EQ(schedules.size(), 1u) << who.out;
  EXPECT_EQ(Int(schedules[0], "user_id"), engineer_.id);
  CommandResult table = RunOpsdesk(
      {"oncall", "who", "--team", std::to_string(team_id), "--at", "2026-01-07T12:00:00Z", "--server", server,
       "--token", agent_.token});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_NE(table.out.find("2026-01-07T12:00:00"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(std::to_string(engineer_.id)), std::string::npos) << table.out;
  EXPECT_NE(RunOpsdesk({"oncall", "who", "--team", "999999", "--server", server, "--token", agent_.token}).exit_code,
            0);

  // A first-response target on a round-the-clock calendar: the new ticket's
  // clock runs, due an hour after filing.
  HttpResponse calendar = client.Post(
      "/api/v1/calendars",
      object{{"name", UniqueName("always")}, {"time_zone", "UTC"},
             {"hours", object{{"mon", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"tue", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"wed", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"thu", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"fri", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"sat", array{object{{"start", "00:00"}, {"end", "24:00"}}}},
                              {"sun", array{object{{"start", "00:00"}, {"end", "24:00"}}}}}}},
      admin_.token);
  ASSERT_EQ(calendar.status, 201) << calendar.Describe();
  HttpResponse policy = client.Post("/api/v1/sla-policies",
                                    object{{"name", UniqueName("respond")},
                                           {"calendar_id", Int(calendar.Json(), "id")},
                                           {"targets", object{{"first_response", 60}}}},
                                    admin_.token);
  ASSERT_EQ(policy.status, 201) << policy.Describe();
  int64_t ticket = FileTicket(queue);
  CommandResult sla = RunOpsdesk({"ticket", "sla", std::to_string(ticket), "--server", server, "--token", agent_.token});
  ASSERT_EQ(sla.exit_code, 0) << sla.Describe();
  EXPECT_NE(sla.out.find("first_response"), std::string::npos) << sla.out;
  EXPECT_NE(sla.out.find("running"), std::string::npos) << sla.out;
  CommandResult sla_json =
      RunOpsdesk({"ticket", "sla", std::to_string(ticket), "--json", "--server", server, "--token", agent_.token});
  ASSERT_EQ(sla_json.exit_code, 0) << sla_json.Describe();
  boost::json::value parsed = boost::json::parse(sla_json.out);
  EXPECT_EQ(Int(parsed.at("policy"), "id"), Int(policy.Json(), "id"));
  const auto& targets = parsed.at("targets").as_array();
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(Str(targets[0], "kind"), "first_response");
  EXPECT_LE(Int(targets[0], "remaining_minutes"), 60);
  // A requester may not read another's ticket through it.
  CommandResult other = RunOpsdesk({"ticket", "sla", "999999", "--server", server, "--token", requester_.token});
  EXPECT_NE(other.exit_code, 0);
}

// An SMTP relay that accepts connections and never says a word: an e-mail
// sent to it stays in flight until the client gives up.
class SilentRelay {
 public:
  SilentRelay() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentRelay() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Crash with pages due: the server is killed (SIGKILL) while its page e-mails
// are claimed and stuck on a relay that never answers, and while later pages
// may not have been sent at all. A new server on the same database, with the
// real relay, delivers every page, each exactly once (nothing had arrived).
TEST_P(EscalationE2eTest, KilledWithPagesDueEveryPageArrivesOnceAfterTheRestart) {
  SilentRelay silent;
  ASSERT_NE(silent.port(), 0);
  std::string queue = QueueWithPolicy();
  constexpr int kTickets = 4;
  std::vector<int64_t> tickets;
  for (int i = 0; i < kTickets; ++i) tickets.push_back(FileTicket(queue));
  server_->Kill();
  auto stuck = ServerProcess::Start(database_->url(), ServerEnv("smtp://127.0.0.1:" + std::to_string(silent.port())));
  ASSERT_TRUE(stuck.ok()) << stuck.status().ToString();
  server_ = std::move(*stuck);

  HttpClient client = Client();
  std::vector<std::string> keys;  // the page e-mails' idempotency keys
  std::vector<std::string> deliveries;
  for (int64_t ticket : tickets) {
    HttpResponse created = client.Post("/api/v1/tickets/" + std::to_string(ticket) + "/escalations",
                                       object{{"reason", "Pipeline stalled"}, {"severity", "sev2"}}, agent_.token);
    ASSERT_EQ(created.status, 201) << created.Describe();
    keys.push_back("esc:" + std::to_string(Int(created.Json(), "id")) + ":page:0:email:" +
                   std::to_string(engineer_.id));
    deliveries.push_back("X-Opsdesk-Delivery: " + keys.back());
  }
  // Wait until the first page is recorded (its e-mail is then queued or on
  // its way to the silent relay), then kill.
  bool paged = false;
  for (int i = 0; i < 200 && !paged; ++i) {
    auto kinds = EventKinds(tickets.front(), agent_.token);
    paged = std::find(kinds.begin(), kinds.end(), "escalation_paged") != kinds.end();
    if (!paged) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(paged) << server_->Logs();
  server_->Kill();
  for (const auto& d : deliveries) ASSERT_EQ(CountMail(engineer_.email, d), 0) << d;

  auto restarted = ServerProcess::Start(database_->url(), ServerEnv(smtp_url_));
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  server_ = std::move(*restarted);
  for (const auto& d : deliveries) {
    ASSERT_TRUE(WaitForMail(maildir_, engineer_.email, d, std::chrono::seconds(60)).has_value()) << d;
  }
  // A duplicate could only come from another claim of the same job; once every
  // page's job is recorded done, none can run again.
  auto reader = storage::Database::Open(database_->url(), storage::OpenOptions{1, 5000});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string in;
  storage::Params params;
  for (const auto& key : keys) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(key);
  }
  int64_t done = 0;
  for (int i = 0; i < 600 && done < kTickets; ++i) {
    Status read = (*reader)->Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne("SELECT COUNT(*) FROM jobs WHERE state = 'done' AND idempotency_key IN (" + in + ")",
                             params);
      if (!row.ok()) return row.status();
      done = (*row)->Int(0);
      return Status::Ok();
    });
    ASSERT_TRUE(read.ok()) << read.ToString();
    if (done < kTickets) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(done, kTickets) << "the page e-mails' jobs did not finish";
  for (const auto& d : deliveries) EXPECT_EQ(CountMail(engineer_.email, d), 1) << d;
  for (int64_t ticket : tickets) {
    auto kinds = EventKinds(ticket, agent_.token);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "escalation_paged"), 1) << ticket;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, EscalationE2eTest,
                         ::testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
