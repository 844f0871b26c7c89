// How fast do many durable timers that fall due at once all fire, and does any
// fire twice? Schedules N timers due now in one transaction, then starts the
// job workers of `nodes` nodes (each with its own connection pool, as separate
// `opsdesk serve` processes would have) and times until every timer has fired
// and every job is recorded done.
//
//   build/bench/timers_fire --engine sqlite
//   scripts/with-postgres.sh build/bench/timers_fire --engine postgresql --nodes 3
//
// Options: --timers N (10000), --nodes N (1 on SQLite, which has one writer),
// --threads N worker threads per node (4), --batch N claim batch (50).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "jobs/job_service.h"
#include "jobs/job_worker.h"
#include "storage/migrations.h"
#include "storage/testing.h"

using namespace opsdesk;

namespace {

int64_t CountDone(storage::Database& db) {
  int64_t n = -1;
  (void)db.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT COUNT(*) FROM jobs WHERE state = 'done'");
    if (row.ok() && *row) n = (*row)->Int(0);
    return Status::Ok();
  });
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::string engine_name = "sqlite";
  int timers = 10000, nodes = 0, threads = 4, batch = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--engine") engine_name = argv[i + 1];
    else if (flag == "--timers") timers = std::atoi(argv[i + 1]);
    else if (flag == "--nodes") nodes = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--batch") batch = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  storage::Engine engine = engine_name == "sqlite" ? storage::Engine::kSqlite : storage::Engine::kPostgres;
  if (nodes <= 0) nodes = engine == storage::Engine::kSqlite ? 1 : 3;
  InitCrypto();
  SystemClock clock;
  auto test_db = storage::TestDatabase::Create(engine);
  if (!test_db.ok()) {
    std::fprintf(stderr, "database: %s\n", test_db.status().ToString().c_str());
    return 1;
  }
  storage::Database& db = (*test_db)->db();
  if (Status st = storage::Migrate(db, clock); !st.ok()) {
    std::fprintf(stderr, "migrate: %s\n", st.ToString().c_str());
    return 1;
  }

  // Each node: its own Database (connection pool) on PostgreSQL; SQLite has
  // one writer per file, so its nodes (normally one) share the handle.
  std::vector<std::unique_ptr<storage::Database>> node_dbs;
  std::vector<std::unique_ptr<std::atomic<int>>> fired_counts;
  for (int i = 0; i < timers; ++i) fired_counts.push_back(std::make_unique<std::atomic<int>>(0));
  std::atomic<int> fired{0};
  std::vector<std::unique_ptr<jobs::JobService>> services;
  std::vector<std::atomic<int>> per_node(nodes);
  for (int n = 0; n < nodes; ++n) {
    storage::Database* node_db = &db;
    if (engine == storage::Engine::kPostgres) {
      auto opened = storage::Database::Open((*test_db)->url());
      if (!opened.ok()) {
        std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
        return 1;
      }
      node_dbs.push_back(std::move(*opened));
      node_db = node_dbs.back().get();
    }
    jobs::JobOptions options;
    options.node_id = "bench-node-" + std::to_string(n);
    options.claim_batch = batch;
    services.push_back(std::make_unique<jobs::JobService>(*node_db, clock, options));
    services.back()->RegisterHandler("bench.timer", [&, n](const jobs::Job& job) {
      int index = std::atoi(job.payload.c_str());
      fired_counts[index]->fetch_add(1);
      fired.fetch_add(1);
      per_node[n].fetch_add(1);
      return Status::Ok();
    });
  }

  auto t0 = std::chrono::steady_clock::now();
  TimestampMs now = clock.NowMs();
  Status scheduled = db.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < timers; ++i) {
      auto id = jobs::JobService::Schedule(tx, "bench.timer", std::to_string(i), now,
                                           "bench:" + std::to_string(i), 8, now);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  if (!scheduled.ok()) {
    std::fprintf(stderr, "schedule: %s\n", scheduled.ToString().c_str());
    return 1;
  }
  double schedule_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::unique_ptr<jobs::JobWorker>> workers;
  for (auto& s : services) workers.push_back(std::make_unique<jobs::JobWorker>(*s, jobs::WorkerOptions{threads, 200}));
  auto start = std::chrono::steady_clock::now();
  for (auto& w : workers) w->Start();
  auto deadline = start + std::chrono::seconds(120);
  while (fired.load() < timers && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double fired_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  while (CountDone(db) < timers && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double done_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& w : workers) w->Stop();

  int twice = 0, never = 0;
  for (const auto& c : fired_counts) {
    if (c->load() == 0) ++never;
    if (c->load() > 1) ++twice;
  }
  std::printf("engine=%s nodes=%d threads/node=%d batch=%d timers=%d\n", storage::EngineName(engine), nodes, threads,
              batch, timers);
  std::printf("scheduled in one transaction: %.3f s\n", schedule_s);
  std::printf("all fired after: %.3f s (%.0f timers/s); all recorded done after: %.3f s\n", fired_s,
              timers / fired_s, done_s);
  std::printf("fired=%d never=%d twice=%d done_rows=%lld per node:", fired.load(), never, twice,
              static_cast<long long>(CountDone(db)));
  for (auto& n : per_node) std::printf(" %d", n.load());
  std::printf("\n");
  bool ok = never == 0 && twice == 0 && fired_s <= 5.0;
  std::printf("%s\n", ok ? "PASS: every timer fired exactly once within 5 s" : "FAIL");
  return ok ? 0 : 1;
}
