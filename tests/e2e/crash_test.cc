// Crash tests in SQLite's spirit: kill the server with SIGKILL while writes are
// in flight, restart it on the same database, and check that every write the
// server acknowledged survived and that no ticket lacks the events recording it.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

constexpr int kThreads = 4;
// Writes acknowledged before the kill; the kill itself lands while each thread
// has a request in flight.
constexpr size_t kAcknowledgedBeforeKill = 120;
// A bound on each thread's loop so a server that never gets killed cannot spin forever.
constexpr int kMaxRequestsPerThread = 5000;

// What the writer threads share. The main thread waits on `changed` for enough
// acknowledgements (or for every writer to give up), then kills the server.
struct Progress {
  std::mutex mu;
  std::condition_variable changed;
  size_t acknowledged = 0;        // GUARDED_BY(mu)
  int writers_done = 0;           // GUARDED_BY(mu)
  bool killed = false;            // GUARDED_BY(mu)
  std::vector<std::string> errors;  // unexpected answers before the kill; GUARDED_BY(mu)

  void Ack() {
    std::lock_guard lock(mu);
    ++acknowledged;
    changed.notify_all();
  }
  // A failed request: expected once the server is killed, an error before.
  void Failed(const std::string& what) {
    std::lock_guard lock(mu);
    if (!killed) errors.push_back(what);
  }
  void WriterDone() {
    std::lock_guard lock(mu);
    ++writers_done;
    changed.notify_all();
  }
  void WaitForAcksOrWriters(size_t acks) {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return acknowledged >= acks || writers_done == kThreads; });
  }
  void MarkKilled() {
    std::lock_guard lock(mu);
    killed = true;
  }
};

class CrashTest : public ::testing::TestWithParam<storage::Engine> {
 protected:
  void SetUp() override {
    auto desk = Desk::Create(GetParam());
    ASSERT_TRUE(desk.ok()) << desk.status().ToString();
    desk_ = std::move(*desk);
  }
  void TearDown() override {
    if (HasFailure() && desk_ && desk_->server().running()) std::cerr << desk_->server().Logs();
  }

  // Kills the server once enough writes were acknowledged, joins the writers and
  // restarts the server on the same database.
  void KillMidWriteAndRestart(Progress& progress, std::vector<std::thread>& writers) {
    progress.WaitForAcksOrWriters(kAcknowledgedBeforeKill);
    progress.MarkKilled();
    desk_->server().Kill();
    for (auto& writer : writers) writer.join();
    {
      std::lock_guard lock(progress.mu);
      ASSERT_TRUE(progress.errors.empty()) << progress.errors.size() << " failures before the kill, first: "
                                           << progress.errors.front();
      ASSERT_GE(progress.acknowledged, kAcknowledgedBeforeKill) << "the writers stopped early";
    }
    Status restarted = desk_->Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  }

  // All events of a ticket, following the cursor.
  boost::json::array Events(HttpClient& client, int64_t id, std::string* error) {
    boost::json::array all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      HttpResponse r = client.Get("/api/v1/tickets/" + std::to_string(id) + "/events?limit=200" +
                                      (cursor.empty() ? "" : "&cursor=" + cursor),
                                  desk_->agent.token);
      if (r.status != 200) {
        *error = r.Describe();
        return {};
      }
      for (const auto& e : Items(r)) all.push_back(e);
      boost::json::value json = r.Json();
      if (json.at("next_cursor").is_null()) return all;
      cursor = std::string(json.at("next_cursor").as_string());
    }
    *error = "event pagination did not end";
    return {};
  }

  std::unique_ptr<Desk> desk_;
};

TEST_P(CrashTest, AcknowledgedCreatesSurviveSigkill) {
  Progress progress;
  std::mutex acked_mu;
  std::map<int64_t, std::string> acked;  // id -> subject; GUARDED_BY(acked_mu)
  std::vector<std::thread> writers;
  const uint16_t port = desk_->port();
  const std::string token = desk_->requester.token;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      HttpClient client(port, /*keep_alive=*/true);
      for (int i = 0; i < kMaxRequestsPerThread; ++i) {
        std::string subject = "crash writer " + std::to_string(t) + " ticket " + std::to_string(i);
        HttpResponse r = client.Post("/api/v1/tickets", object{{"subject", subject}, {"body", "Written mid-crash."}},
                                     token);
        if (r.status != 201) {
          progress.Failed(subject + ": " + r.Describe());
          break;
        }
        {
          std::lock_guard lock(acked_mu);
          acked.emplace(Int(r.Json(), "id"), subject);
        }
        progress.Ack();
      }
      progress.WriterDone();
    });
  }
  KillMidWriteAndRestart(progress, writers);
  if (HasFatalFailure()) return;

  HttpClient client = desk_->Client();
  std::lock_guard lock(acked_mu);
  // Every acknowledged ticket is there, as it was acknowledged, with its created event.
  for (const auto& [id, subject] : acked) {
    HttpResponse r = client.Get("/api/v1/tickets/" + std::to_string(id), desk_->agent.token);
    ASSERT_EQ(r.status, 200) << "acknowledged ticket " << id << " is gone: " << r.Describe();
    EXPECT_EQ(Str(r.Json(), "subject"), subject);
  }
  // No ticket, acknowledged or not, lacks its created event.
  std::string error;
  auto all = desk_->AllTickets(desk_->agent.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_GE(all.size(), acked.size());
  std::set<int64_t> listed;
  for (const auto& ticket : all) {
    int64_t id = Int(ticket, "id");
    listed.insert(id);
    boost::json::array events = Events(client, id, &error);
    ASSERT_TRUE(error.empty()) << error;
    int created = 0;
    for (const auto& e : events) created += Str(e, "kind") == "created";
    EXPECT_EQ(created, 1) << "ticket " << id << " events: " << boost::json::serialize(events);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(Str(events[0], "kind"), "created") << "ticket " << id;
  }
  for (const auto& [id, subject] : acked) EXPECT_TRUE(listed.count(id)) << "ticket " << id << " missing from the list";

  // The restarted server takes new work, after the old ids.
  HttpResponse fresh = client.Post("/api/v1/tickets", object{{"subject", "After the crash"}, {"body", "b"}},
                                   desk_->requester.token);
  ASSERT_EQ(fresh.status, 201) << fresh.Describe();
  EXPECT_GT(Int(fresh.Json(), "id"), acked.rbegin()->first);
}

TEST_P(CrashTest, AcknowledgedChangesKeepTheirEvents) {
  // One ticket per writer, so each writer's changes are a simple sequence.
  HttpClient setup = desk_->Client();
  std::vector<int64_t> tickets;
  for (int t = 0; t < kThreads; ++t) {
    HttpResponse r = setup.Post("/api/v1/tickets",
                                object{{"subject", "Churned ticket " + std::to_string(t)}, {"body", "b"}},
                                desk_->requester.token);
    ASSERT_EQ(r.status, 201) << r.Describe();
    tickets.push_back(Int(r.Json(), "id"));
  }

  Progress progress;
  std::mutex acked_mu;
  std::map<int64_t, int64_t> acked_version;         // ticket -> highest acknowledged version
  std::map<int64_t, std::set<int64_t>> acked_comments;  // ticket -> acknowledged comment ids
  std::vector<std::thread> writers;
  const uint16_t port = desk_->port();
  const std::string token = desk_->agent.token;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      HttpClient client(port, /*keep_alive=*/true);
      const std::string path = "/api/v1/tickets/" + std::to_string(tickets[t]);
      for (int i = 0; i < kMaxRequestsPerThread; ++i) {
        // Alternate a priority change (which always changes something) with an internal note.
        if (i % 2 == 0) {
          const char* priority = (i / 2) % 2 == 0 ? "low" : "high";
          HttpResponse r = client.Patch(path, object{{"priority", priority}}, token);
          if (r.status != 200) {
            progress.Failed(path + " PATCH: " + r.Describe());
            break;
          }
          std::lock_guard lock(acked_mu);
          acked_version[tickets[t]] = std::max(acked_version[tickets[t]], Int(r.Json(), "version"));
        } else {
          HttpResponse r = client.Post(path + "/comments",
                                       object{{"body", "note " + std::to_string(i)}, {"internal", true}}, token);
          if (r.status != 201) {
            progress.Failed(path + " comment: " + r.Describe());
            break;
          }
          std::lock_guard lock(acked_mu);
          acked_comments[tickets[t]].insert(Int(r.Json(), "id"));
        }
        progress.Ack();
      }
      progress.WriterDone();
    });
  }
  KillMidWriteAndRestart(progress, writers);
  if (HasFatalFailure()) return;

  HttpClient client = desk_->Client();
  std::lock_guard lock(acked_mu);
  for (int64_t id : tickets) {
    SCOPED_TRACE("ticket " + std::to_string(id));
    HttpResponse r = client.Get("/api/v1/tickets/" + std::to_string(id), desk_->agent.token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    int64_t version = Int(r.Json(), "version");
    EXPECT_GE(version, acked_version[id]) << "an acknowledged change was lost";

    std::string error;
    boost::json::array events = Events(client, id, &error);
    ASSERT_TRUE(error.empty()) << error;
    int64_t priority_events = 0;
    std::set<int64_t> noted_comments;
    for (const auto& e : events) {
      if (Str(e, "kind") == "field_changed" && Str(e, "field") == "priority") ++priority_events;
      if (Str(e, "kind") == "comment_added") noted_comments.insert(std::stoll(Str(e, "after")));
    }
    // Priority changes and comments are the only changes, and each bumps the
    // version once: every version step has its event, and no event is extra.
    EXPECT_EQ(priority_events + static_cast<int64_t>(noted_comments.size()), version - 1)
        << boost::json::serialize(events);

    boost::json::array comments;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      HttpResponse c = client.Get("/api/v1/tickets/" + std::to_string(id) + "/comments?limit=200" +
                                      (cursor.empty() ? "" : "&cursor=" + cursor),
                                  desk_->agent.token);
      ASSERT_EQ(c.status, 200) << c.Describe();
      for (const auto& item : Items(c)) comments.push_back(item);
      boost::json::value json = c.Json();
      if (json.at("next_cursor").is_null()) break;
      cursor = std::string(json.at("next_cursor").as_string());
    }
    std::set<int64_t> stored;
    for (const auto& c : comments) stored.insert(Int(c, "id"));
    for (int64_t comment : acked_comments[id]) {
      EXPECT_TRUE(stored.count(comment)) << "acknowledged comment " << comment << " was lost";
    }
    EXPECT_EQ(noted_comments, stored) << "every stored comment has its event and no event lacks its comment";
  }
}

TEST_P(CrashTest, SigtermStopsCleanlyAndKeepsEveryAcknowledgedWrite) {
  Progress progress;
  std::mutex acked_mu;
  std::vector<int64_t> acked;  // GUARDED_BY(acked_mu)
  std::vector<std::thread> writers;
  const uint16_t port = desk_->port();
  const std::string token = desk_->agent.token;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      HttpClient client(port, /*keep_alive=*/true);
      for (int i = 0; i < kMaxRequestsPerThread; ++i) {
        HttpResponse r = client.Post(
            "/api/v1/tickets",
            object{{"subject", "stop writer " + std::to_string(t) + "/" + std::to_string(i)}, {"body", "b"}}, token);
        if (r.status != 201) {
          progress.Failed(r.Describe());
          break;
        }
        {
          std::lock_guard lock(acked_mu);
          acked.push_back(Int(r.Json(), "id"));
        }
        progress.Ack();
      }
      progress.WriterDone();
    });
  }
  progress.WaitForAcksOrWriters(kAcknowledgedBeforeKill);
  progress.MarkKilled();
  int exit_code = desk_->server().Stop();
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(exit_code, 0) << "a graceful stop exits 0";
  {
    std::lock_guard lock(progress.mu);
    ASSERT_TRUE(progress.errors.empty()) << progress.errors.front();
  }
  // Once stopped, nothing listens any more.
  EXPECT_EQ(HttpClient(port).Get("/healthz").status, 0);

  Status restarted = desk_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  HttpClient client = desk_->Client();
  std::lock_guard lock(acked_mu);
  ASSERT_GE(acked.size(), kAcknowledgedBeforeKill);
  for (int64_t id : acked) {
    HttpResponse r = client.Get("/api/v1/tickets/" + std::to_string(id), desk_->agent.token);
    EXPECT_EQ(r.status, 200) << "ticket " << id << ": " << r.Describe();
  }
  // Sessions live in the database, so they outlive the process.
  EXPECT_EQ(client.Get("/api/v1/me", desk_->requester.token).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrashTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
