// Durable jobs across a cluster: three `opsdesk serve` processes on one
// PostgreSQL database (one on SQLite) share 300 webhook deliveries that fall due
// at once; the receiver, counting by delivery id, sees each exactly once.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/clock.h"
#include "harness.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "webhook_receiver.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

constexpr int kDeliveries = 300;

class JobsClusterTest : public ::testing::TestWithParam<storage::Engine> {};

TEST_P(JobsClusterTest, DueDeliveriesFireExactlyOnceAcrossNodes) {
  const int nodes = GetParam() == storage::Engine::kPostgres ? 3 : 1;
  auto database = storage::TestDatabase::Create(GetParam());
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  (*database)->Close();
  const std::string url = (*database)->url();
  // Small claims, so that every node gets a share while the others deliver.
  Headers env = {{"OPSDESK_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"},
                 {"OPSDESK_JOBS_POLL_MS", "50"},
                 {"OPSDESK_JOBS_CLAIM_BATCH", "10"}};
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < nodes; ++i) {
    auto server = ServerProcess::Start(url, env);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    servers.push_back(std::move(*server));
  }
  std::string email = UniqueName("cluster-admin") + "@example.com";
  ASSERT_TRUE(AddUserWithCli(url, email, "Admin", "admin", "cluster admin password").ok());
  HttpClient client(servers[0]->port(), true);
  auto token = Login(client, email, "cluster admin password");
  ASSERT_TRUE(token.ok()) << token.status().ToString();

  WebhookReceiver receiver;
  HttpResponse hook = client.Post(
      "/api/v1/webhooks", object{{"url", receiver.Url("/cluster")}, {"event_types", array{"ticket.created"}}}, *token);
  ASSERT_EQ(hook.status, 201) << hook.Describe();
  int64_t webhook_id = Int(hook.Json(), "id");

  // All due at once, written in one transaction as another service would.
  auto db = storage::Database::Open(url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  SystemClock clock;
  TimestampMs now = clock.NowMs();
  Status scheduled = (*db)->Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < kDeliveries; ++i) {
      object payload{{"webhook_id", webhook_id}, {"event", "cluster.test"}, {"body", "{\"n\":" + std::to_string(i) + "}"}};
      auto id = jobs::JobService::Schedule(tx, notify::kWebhookJob, boost::json::serialize(payload), now,
                                           "cluster:" + std::to_string(i), 8, now);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(scheduled.ok()) << scheduled.ToString();

  bool all = receiver.WaitFor(
      [](const auto& rs) {
        std::set<std::string> ids;
        for (const auto& r : rs) ids.insert(r.Header("x-opsdesk-delivery"));
        return ids.size() >= static_cast<size_t>(kDeliveries);
      },
      std::chrono::seconds(60));
  auto requests = receiver.Requests();
  ASSERT_TRUE(all) << "received " << requests.size() << " of " << kDeliveries;
  // Every job's outcome is recorded before the test looks at the table.
  int64_t done = 0;
  for (int tries = 0; tries < 600 && done < kDeliveries; ++tries) {
    (void)(*db)->Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne("SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'done'", {notify::kWebhookJob});
      if (row.ok() && *row) done = (*row)->Int(0);
      return Status::Ok();
    });
    if (done < kDeliveries) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(done, kDeliveries);
  std::map<std::string, int> per_id;
  for (const auto& r : receiver.Requests()) ++per_id[r.Header("x-opsdesk-delivery")];
  EXPECT_EQ(per_id.size(), static_cast<size_t>(kDeliveries));
  for (const auto& [id, n] : per_id) EXPECT_EQ(n, 1) << id << " fired " << n << " times";
  EXPECT_EQ(receiver.Requests().size(), static_cast<size_t>(kDeliveries));

  int64_t workers = 0;
  (void)(*db)->Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT COUNT(DISTINCT locked_by) FROM jobs WHERE kind = ?", {notify::kWebhookJob});
    if (row.ok() && *row) workers = (*row)->Int(0);
    return Status::Ok();
  });
  std::cout << "[ cluster  ] " << kDeliveries << " deliveries by " << workers << " node(s)" << std::endl;
  if (nodes > 1) EXPECT_GT(workers, 1) << "one node did all the work";
  db->reset();
  for (auto& s : servers) {
    if (HasFailure()) std::cerr << s->Logs();
    EXPECT_EQ(s->Stop(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, JobsClusterTest,
                         ::testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
