// SLA timers end to end, on the real clock: the watcher's durable sla.sweep
// timer (src/automation/sla_watch.h) turns a clock reaching its warning share
// into one sla_warning ticket event and one sla.warning webhook per ticket,
//   - exactly once when three `opsdesk serve` nodes share a PostgreSQL database
//     (one node on SQLite), whichever node claims each sweep, and
//   - after a kill -9 and a restart, for warnings that fell due while no server
//     ran (nothing of the timer lives in memory).
// A real webhook receiver in this process counts deliveries by X-Opsdesk-Delivery.
// Nothing is timed: the test waits (polling, with generous deadlines that only
// keep a broken watcher from hanging the run) for what must happen, then checks
// that it happened once.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "common/clock.h"
#include "harness.h"
#include "notify/notify_service.h"
#include "sla/sla_service.h"
#include "webhook_receiver.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

// Only so a watcher that never fires fails the test instead of hanging it; the
// warnings are due within seconds.
constexpr std::chrono::seconds kDeadline(90);

object Interval(const char* start, const char* end) { return object{{"start", start}, {"end", end}}; }

// 24x7 in UTC: one business minute is one minute of wall-clock time, so the
// warning instants are plain arithmetic on the filing time.
object AlwaysCalendar(const std::string& name) {
  object hours;
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) hours[d] = array{Interval("00:00", "24:00")};
  return object{{"name", name}, {"time_zone", "UTC"}, {"hours", hours}, {"holidays", array{}}};
}

std::optional<TimestampMs> OptTime(const value& v, std::string_view key) {
  const value* field = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  if (!field || !field->is_string()) return std::nullopt;
  TimestampMs ms = 0;
  if (!ParseTimestamp(std::string(field->as_string()), &ms)) return std::nullopt;
  return ms;
}

TimestampMs NowMs() {
  static const SystemClock clock;
  return clock.NowMs();
}

// Polls `done` every 50 ms until it holds; false after `deadline`.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds deadline = kDeadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Every event of ticket `id` that `token` may see, walking all pages.
array TicketEvents(HttpClient& client, int64_t id, const std::string& token, std::string* error) {
  array all;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    std::string target = "/api/v1/tickets/" + std::to_string(id) + "/events?limit=200";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    HttpResponse r = client.Get(target, token);
    if (r.status != 200) {
      *error = "GET " + target + ": " + r.Describe();
      return {};
    }
    for (auto& e : Items(r)) all.push_back(e);
    value body = r.Json();
    const value* next = body.as_object().if_contains("next_cursor");
    if (!next || !next->is_string()) return all;
    cursor = std::string(next->as_string());
  }
  *error = "too many pages of events";
  return {};
}

std::vector<object> OfKind(const array& events, std::string_view kind) {
  std::vector<object> out;
  for (const auto& e : events) {
    if (Str(e, "kind") == kind) out.push_back(e.as_object());
  }
  return out;
}

// What the receiver saw of sla.warning, by delivery id and by ticket.
struct Tally {
  std::map<std::string, int> per_delivery;   // X-Opsdesk-Delivery -> requests
  std::map<int64_t, std::set<std::string>> per_ticket;  // ticket id -> delivery ids
  std::vector<std::string> problems;          // anything that is not a well-formed sla.warning
};

Tally Count(const std::vector<ReceivedRequest>& requests) {
  Tally t;
  for (const auto& r : requests) {
    std::string delivery = r.Header("x-opsdesk-delivery");
    ++t.per_delivery[delivery];
    value body;
    try {
      body = boost::json::parse(r.body);
      // The body names the same delivery id as the header, and the ticket.
      if (Str(body, "event") != "sla.warning" || Str(body, "id") != delivery ||
          Str(body.at("data").at("sla"), "target") != "first_response") {
        t.problems.push_back("unexpected delivery " + delivery + ": " + r.body);
        continue;
      }
      t.per_ticket[Int(body.at("data").at("ticket"), "id")].insert(delivery);
    } catch (const std::exception& e) {
      t.problems.push_back("bad delivery " + delivery + " (" + e.what() + "): " + r.body);
    }
  }
  return t;
}

// One database, its servers, an admin and a requester. The servers allow-list
// the receiver's address and poll for due jobs often, so waits stay short.
class SlaTimerRig {
 public:
  static Result<std::unique_ptr<SlaTimerRig>> Create(storage::Engine engine, int nodes) {
    std::unique_ptr<SlaTimerRig> rig(new SlaTimerRig());
    auto database = storage::TestDatabase::Create(engine);
    if (!database.ok()) return database.status();
    rig->database_ = std::move(*database);
    // The servers own the database from here; the file or schema stays until the rig goes.
    rig->database_->Close();
    for (int i = 0; i < nodes; ++i) {
      if (Status st = rig->StartNode(); !st.ok()) return st;
    }
    rig->admin.email = UniqueName("sla-timer-admin") + "@example.com";
    rig->admin.password = "sla timer admin password";
    auto admin_id = AddUserWithCli(rig->url(), rig->admin.email, "Admin", "admin", rig->admin.password);
    if (!admin_id.ok()) return admin_id.status();
    rig->admin.id = *admin_id;
    HttpClient client = rig->Client(0);
    auto token = Login(client, rig->admin.email, rig->admin.password);
    if (!token.ok()) return token.status();
    rig->admin.token = *token;
    auto requester = CreateUserViaApi(client, rig->admin.token, "requester");
    if (!requester.ok()) return requester.status();
    rig->requester = *requester;
    return rig;
  }

  // Servers first (SIGTERM), then the database they use. A failed test shows
  // the servers' logs, also when an assertion ended it early.
  ~SlaTimerRig() {
    if (::testing::Test::HasFailure()) std::cerr << Logs();
    nodes_.clear();
    reader_.reset();
    database_.reset();
  }

  Status StartNode() {
    // A short lease: a sweep the killed node had claimed is due again soon.
    Headers env = {{"OPSDESK_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"},
                   {"OPSDESK_JOBS_POLL_MS", "50"},
                   {"OPSDESK_JOBS_LEASE_MS", "4000"}};
    auto server = ServerProcess::Start(url(), env);
    if (!server.ok()) return server.status();
    nodes_.push_back(std::move(*server));
    return Status::Ok();
  }

  const std::string& url() const { return database_->url(); }
  ServerProcess& node(size_t i) { return *nodes_.at(i); }
  HttpClient Client(size_t i) { return HttpClient(nodes_.at(i)->port(), true); }
  // The nodes still running (a killed one stays in the list).
  std::vector<size_t> Live() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->running()) out.push_back(i);
    }
    return out;
  }

  // A 24x7 calendar, one policy for every ticket (first response in 1 business
  // minute, warning at `warn_percent` of it) and a webhook for sla.warning.
  // Returns the webhook's id.
  Result<int64_t> ConfigureSla(int warn_percent, const std::string& hook_url) {
    HttpClient client = Client(0);
    HttpResponse calendar = client.Post("/api/v1/calendars", AlwaysCalendar(UniqueName("always")), admin.token);
    if (calendar.status != 201) return Status::Internal("calendar: " + calendar.Describe());
    HttpResponse policy = client.Post("/api/v1/sla-policies",
                                      object{{"name", UniqueName("one-minute")},
                                             {"calendar_id", Int(calendar.Json(), "id")},
                                             {"targets", object{{"first_response", 1}}},
                                             {"warn_at_percent", warn_percent}},
                                      admin.token);
    if (policy.status != 201) return Status::Internal("policy: " + policy.Describe());
    HttpResponse hook =
        client.Post("/api/v1/webhooks", object{{"url", hook_url}, {"event_types", array{"sla.warning"}}}, admin.token);
    if (hook.status != 201) return Status::Internal("webhook: " + hook.Describe());
    return Int(hook.Json(), "id");
  }

  // Files a ticket as the requester through node `i`; its id, or 0 (with a
  // test failure) when that failed.
  int64_t FileTicket(size_t i, const std::string& subject) {
    HttpClient client = Client(i);
    HttpResponse r = client.Post("/api/v1/tickets", object{{"subject", subject}, {"body", "Please answer soon."}},
                                 requester.token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return r.status == 201 ? Int(r.Json(), "id") : 0;
  }

  // True once no job that could still write an sla_warning (a sweep due by
  // `upto`, a recompute, any sweep in flight) or deliver one is left: then every
  // warning that will ever be written for those instants has been written and
  // sent, and counting them cannot miss a late duplicate. `*dead` counts
  // webhook deliveries that gave up.
  bool Quiet(TimestampMs upto, int64_t* dead, std::string* error) {
    auto db = Reader();
    if (!db.ok()) {
      *error = db.status().ToString();
      return false;
    }
    int64_t busy = -1;
    Status read = (*db)->Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne(
          "SELECT "
          " (SELECT COUNT(*) FROM jobs WHERE kind IN (?, ?) AND (state = 'running' OR (state = 'pending' AND due_at <= ?)))"
          " + (SELECT COUNT(*) FROM jobs WHERE kind = ? AND state IN ('pending', 'running')),"
          " (SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'dead')",
          {std::string(sla::kSweepJob), std::string(sla::kRecomputeJob), upto, std::string(notify::kWebhookJob),
           std::string(notify::kWebhookJob)});
      if (!row.ok()) return row.status();
      busy = (*row)->Int(0);
      *dead = (*row)->Int(1);
      return Status::Ok();
    });
    if (!read.ok()) *error = read.ToString();
    return read.ok() && busy == 0;
  }

  // How many sla_warning events the database holds for `ids` (read directly,
  // for when no server runs).
  Result<int64_t> StoredWarnings(const std::vector<int64_t>& ids) {
    auto db = Reader();
    if (!db.ok()) return db.status();
    int64_t n = 0;
    Status read = (*db)->Read([&](storage::Transaction& tx) -> Status {
      for (int64_t id : ids) {
        auto row = tx.QueryOne("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'sla_warning'", {id});
        if (!row.ok()) return row.status();
        n += (*row)->Int(0);
      }
      return Status::Ok();
    });
    if (!read.ok()) return read;
    return n;
  }

  // How many distinct workers ran sweeps (informational).
  int64_t SweepWorkers() {
    auto db = Reader();
    if (!db.ok()) return -1;
    int64_t n = -1;
    (void)(*db)->Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne("SELECT COUNT(DISTINCT locked_by) FROM jobs WHERE kind = ? AND state = 'done'",
                             {std::string(sla::kSweepJob)});
      if (row.ok() && *row) n = (*row)->Int(0);
      return Status::Ok();
    });
    return n;
  }

  std::string Logs() {
    std::string out;
    for (size_t i = 0; i < nodes_.size(); ++i) out += "--- node " + std::to_string(i) + "\n" + nodes_[i]->Logs(6000);
    return out;
  }

  // Stops every running node; each must shut down gracefully.
  void StopAll() {
    for (auto& n : nodes_) {
      if (n->running()) {
        EXPECT_EQ(n->Stop(), 0) << "node on port " << n->port();
      }
    }
  }

  TestUser admin, requester;

 private:
  SlaTimerRig() = default;

  // The test's own connection for looking at jobs and events directly.
  Result<storage::Database*> Reader() {
    if (!reader_) {
      auto db = storage::Database::Open(url(), storage::OpenOptions{1, 5000});
      if (!db.ok()) return db.status();
      reader_ = std::move(*db);
    }
    return reader_.get();
  }

  std::unique_ptr<storage::TestDatabase> database_;
  std::unique_ptr<storage::Database> reader_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

// Everything the staff and the requester see of one ticket after its warning:
// exactly one sla_warning event (internal, on first_response, written no
// earlier than the ticket's warning instant), whose delivery the receiver got;
// the SLA instants for staff only.
void CheckWarnedTicket(HttpClient& client, const SlaTimerRig& rig, int64_t ticket, int64_t hook,
                       const Tally& tally) {
  SCOPED_TRACE("ticket " + std::to_string(ticket));
  HttpResponse staff_view = client.Get("/api/v1/tickets/" + std::to_string(ticket), rig.admin.token);
  ASSERT_EQ(staff_view.status, 200) << staff_view.Describe();
  auto warn_at = OptTime(staff_view.Json(), "sla_warn_at");
  auto due_at = OptTime(staff_view.Json(), "sla_due_at");
  ASSERT_TRUE(warn_at.has_value()) << staff_view.Describe();
  ASSERT_TRUE(due_at.has_value()) << staff_view.Describe();
  EXPECT_LT(*warn_at, NowMs()) << "the warning was sent, so its instant has passed";
  EXPECT_LT(*warn_at, *due_at);

  std::string error;
  array events = TicketEvents(client, ticket, rig.admin.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  auto warnings = OfKind(events, "sla_warning");
  ASSERT_EQ(warnings.size(), 1u) << boost::json::serialize(events);
  const object& warning = warnings.front();
  EXPECT_TRUE(warning.at("internal").as_bool());
  EXPECT_EQ(Str(warning, "field"), "first_response");
  EXPECT_TRUE(warning.at("actor_id").is_null()) << "the watcher writes it, not a person";
  auto written_at = OptTime(warning, "at");
  ASSERT_TRUE(written_at.has_value());
  EXPECT_GE(*written_at, *warn_at) << "a warning is never written before its instant";
  // The event is the one the receiver was told about: the delivery id is made
  // from the event's id.
  std::string delivery =
      "notify:sla.warning:" + std::to_string(Int(warning, "id")) + ":webhook:" + std::to_string(hook);
  auto seen = tally.per_ticket.find(ticket);
  ASSERT_NE(seen, tally.per_ticket.end());
  EXPECT_EQ(seen->second, std::set<std::string>{delivery});

  // The requester: the same ticket without its SLA instants and without the
  // internal sla_warning event.
  HttpResponse own = client.Get("/api/v1/tickets/" + std::to_string(ticket), rig.requester.token);
  ASSERT_EQ(own.status, 200) << own.Describe();
  EXPECT_TRUE(own.Json().at("sla_due_at").is_null()) << own.Describe();
  EXPECT_TRUE(own.Json().at("sla_warn_at").is_null()) << own.Describe();
  array own_events = TicketEvents(client, ticket, rig.requester.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_FALSE(own_events.empty()) << "the requester sees the ticket's public history";
  EXPECT_TRUE(OfKind(own_events, "sla_warning").empty()) << boost::json::serialize(own_events);
}

// Waits until the receiver has a warning for every one of `tickets`, then until
// nothing that could add another is left; checks the tally and each ticket.
void ExpectOneWarningEach(SlaTimerRig& rig, WebhookReceiver& receiver, const std::vector<int64_t>& tickets,
                          int64_t hook) {
  const std::set<int64_t> expected(tickets.begin(), tickets.end());
  bool all = receiver.WaitFor(
      [&](const std::vector<ReceivedRequest>& rs) {
        Tally t = Count(rs);
        size_t warned = 0;
        for (int64_t id : expected) warned += t.per_ticket.count(id);
        return warned == expected.size();
      },
      kDeadline);
  ASSERT_TRUE(all) << "warnings for " << Count(receiver.Requests()).per_ticket.size() << " of " << tickets.size()
                   << " tickets";

  // The latest warning instant: every sweep due by then must have finished.
  const std::vector<size_t> live = rig.Live();
  ASSERT_FALSE(live.empty());
  TimestampMs upto = 0;
  HttpClient client = rig.Client(live.front());
  for (int64_t id : tickets) {
    HttpResponse t = client.Get("/api/v1/tickets/" + std::to_string(id), rig.admin.token);
    ASSERT_EQ(t.status, 200) << t.Describe();
    auto warn_at = OptTime(t.Json(), "sla_warn_at");
    ASSERT_TRUE(warn_at.has_value()) << t.Describe();
    upto = std::max(upto, *warn_at);
  }
  int64_t dead = 0;
  std::string error;
  ASSERT_TRUE(PollUntil([&] { return rig.Quiet(upto, &dead, &error); })) << "jobs still busy; " << error;
  EXPECT_EQ(dead, 0) << "webhook deliveries gave up";

  Tally tally = Count(receiver.Requests());
  EXPECT_TRUE(tally.problems.empty()) << ::testing::PrintToString(tally.problems);
  for (const auto& [delivery, n] : tally.per_delivery) EXPECT_EQ(n, 1) << delivery << " delivered " << n << " times";
  EXPECT_EQ(tally.per_ticket.size(), expected.size());
  for (const auto& [ticket, deliveries] : tally.per_ticket) {
    EXPECT_TRUE(expected.count(ticket)) << "a warning for a ticket nobody filed: " << ticket;
    EXPECT_EQ(deliveries.size(), 1u) << "ticket " << ticket << " was warned " << deliveries.size() << " times";
  }
  // Read through every node: they all answer from the one database.
  for (size_t i = 0; i < tickets.size(); ++i) {
    HttpClient node_client = rig.Client(live[i % live.size()]);
    CheckWarnedTicket(node_client, rig, tickets[i], hook, tally);
  }
}

class SlaTimerClusterTest : public ::testing::TestWithParam<storage::Engine> {};

// Twenty tickets, each with a warning 0.6 s (1% of one business minute) after
// its filing, filed through different nodes so their sweeps are claimed by
// whichever node polls first; each ticket still gets one warning and one
// webhook.
TEST_P(SlaTimerClusterTest, EachWarningFiresExactlyOnceAcrossNodes) {
  constexpr int kTickets = 20;
  const int nodes = GetParam() == storage::Engine::kPostgres ? 3 : 1;
  WebhookReceiver receiver;  // outlives the rig: servers never deliver to a closed port
  auto rig = SlaTimerRig::Create(GetParam(), nodes);
  ASSERT_TRUE(rig.ok()) << rig.status().ToString();
  auto hook = (*rig)->ConfigureSla(1, receiver.Url("/sla"));
  ASSERT_TRUE(hook.ok()) << hook.status().ToString();

  std::vector<int64_t> tickets;
  for (int i = 0; i < kTickets; ++i) {
    int64_t id = (*rig)->FileTicket(i % nodes, "Waiting " + std::to_string(i));
    ASSERT_GT(id, 0);
    tickets.push_back(id);
  }
  ExpectOneWarningEach(**rig, receiver, tickets, *hook);
  std::cout << "[ sla      ] " << kTickets << " warnings; sweeps run by " << (*rig)->SweepWorkers() << " of "
            << nodes << " node(s)" << std::endl;
  (*rig)->StopAll();
}

class SlaTimerRestartTest : public ::testing::TestWithParam<storage::Engine> {};

// Warnings 3 s (5% of one business minute) after filing; the only server is
// killed right after the filing and started again once every warning instant
// has passed. The new process finds the pending sweep in the jobs table and
// writes each warning, once.
TEST_P(SlaTimerRestartTest, WarningsThatFellDueWhileDownFireAfterRestart) {
  constexpr int kTickets = 4;
  WebhookReceiver receiver;
  auto rig = SlaTimerRig::Create(GetParam(), 1);
  ASSERT_TRUE(rig.ok()) << rig.status().ToString();
  auto hook = (*rig)->ConfigureSla(5, receiver.Url("/sla"));
  ASSERT_TRUE(hook.ok()) << hook.status().ToString();

  std::vector<int64_t> tickets;
  TimestampMs first_warning = INT64_MAX, last_warning = 0;
  {
    HttpClient client = (*rig)->Client(0);
    for (int i = 0; i < kTickets; ++i) {
      int64_t id = (*rig)->FileTicket(0, "Down " + std::to_string(i));
      ASSERT_GT(id, 0);
      tickets.push_back(id);
      HttpResponse t = client.Get("/api/v1/tickets/" + std::to_string(id), (*rig)->admin.token);
      ASSERT_EQ(t.status, 200) << t.Describe();
      auto warn_at = OptTime(t.Json(), "sla_warn_at");
      ASSERT_TRUE(warn_at.has_value()) << t.Describe();
      first_warning = std::min(first_warning, *warn_at);
      last_warning = std::max(last_warning, *warn_at);
    }
  }
  (*rig)->node(0).Kill();
  const TimestampMs killed_at = NowMs();

  // When the kill landed before the first instant (the usual case: filing takes
  // milliseconds, the warning is 3 s out), nothing was written before it, so
  // what the restarted node writes is all there is. On a machine slow enough
  // to miss that, the check below is moot but the exactly-once checks still
  // hold.
  if (killed_at < first_warning) {
    auto stored = (*rig)->StoredWarnings(tickets);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_EQ(*stored, 0) << "warnings written before their instant";
    EXPECT_TRUE(receiver.Requests().empty());
  } else {
    std::cout << "[ sla      ] the kill landed " << killed_at - first_warning
              << " ms after the first warning instant" << std::endl;
  }

  // Down until every warning instant has passed (polling the clock).
  ASSERT_TRUE(PollUntil([&] { return NowMs() > last_warning; }));
  Status restarted = (*rig)->StartNode();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  ExpectOneWarningEach(**rig, receiver, tickets, *hook);
  (*rig)->StopAll();
}

INSTANTIATE_TEST_SUITE_P(Engines, SlaTimerClusterTest,
                         ::testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, SlaTimerRestartTest,
                         ::testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
