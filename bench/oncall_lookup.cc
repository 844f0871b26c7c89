// oncall_lookup: how long "who is on call at T" takes (target: < 10 us).
//
//   build/bench/oncall_lookup
//   build/bench/oncall_lookup --benchmark_filter=Compiled
//
// Compiled*: the in-memory snapshot alone (CompiledSchedule), for a realistic
// schedule: Europe/Berlin, three layers (weekly primary of 6, 12-hour follow-the-
// sun of 4, a daily layer starting mid-year), 300 overrides over two years,
// looked up at random instants over those years, DST changes included.
// Service*: OnCallService::WhoIsOnCall on a SQLite file, i.e. the snapshot plus
// the one indexed read of the schedule's version that keeps it current.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "oncall/oncall_service.h"
#include "oncall/rotation.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace opsdesk::oncall {
namespace {

constexpr TimestampMs kFrom = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr TimestampMs kSpan = 2LL * 365 * 24 * 3600 * 1000;

ScheduleDefinition RealisticSchedule() {
  ScheduleDefinition def;
  def.time_zone = "Europe/Berlin";
  Layer primary;
  primary.participant_ids = {1, 2, 3, 4, 5, 6};
  primary.start_date = "2025-01-06";
  Layer sun;
  sun.participant_ids = {7, 8, 9, 10};
  sun.rotation = RotationKind::kCustom;
  sun.rotation_hours = 12;
  sun.start_date = "2025-01-01";
  sun.handoff_time = "07:30";
  Layer daily;
  daily.participant_ids = {11, 12, 13};
  daily.rotation = RotationKind::kDaily;
  daily.rotation_hours = 24;
  daily.start_date = "2025-07-01";
  def.layers = {sun, primary, daily};
  std::mt19937_64 rng(7);
  for (int i = 1; i <= 300; ++i) {
    TimestampMs start = kFrom + static_cast<TimestampMs>(rng() % static_cast<uint64_t>(kSpan));
    TimestampMs length = 3'600'000 * static_cast<TimestampMs>(1 + rng() % 48);
    def.overrides.push_back({i, static_cast<int64_t>(20 + rng() % 5), start, start + length});
  }
  return def;
}

std::vector<TimestampMs> Instants(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<TimestampMs> out(n);
  for (auto& t : out) t = kFrom + static_cast<TimestampMs>(rng() % static_cast<uint64_t>(kSpan));
  return out;
}

void BM_CompiledUserAt(benchmark::State& state) {
  auto compiled = CompiledSchedule::Compile(RealisticSchedule());
  if (!compiled.ok()) {
    state.SkipWithError(compiled.status().ToString().c_str());
    return;
  }
  auto instants = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*compiled)->UserAt(instants[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompiledUserAt);

void BM_CompiledWhoAndUntil(benchmark::State& state) {
  auto compiled = CompiledSchedule::Compile(RealisticSchedule());
  if (!compiled.ok()) {
    state.SkipWithError(compiled.status().ToString().c_str());
    return;
  }
  auto instants = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*compiled)->At(instants[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompiledWhoAndUntil);

void BM_CompileSnapshot(benchmark::State& state) {
  ScheduleDefinition def = RealisticSchedule();
  for (auto _ : state) benchmark::DoNotOptimize(CompiledSchedule::Compile(def));
}
BENCHMARK(BM_CompileSnapshot);

void BM_ServiceWhoIsOnCallSqlite(benchmark::State& state) {
  auto test_db = storage::TestDatabase::Create(storage::Engine::kSqlite);
  if (!test_db.ok()) {
    state.SkipWithError(test_db.status().ToString().c_str());
    return;
  }
  storage::Database& db = (*test_db)->db();
  SystemClock clock;
  if (!storage::Migrate(db, clock).ok()) {
    state.SkipWithError("migrate failed");
    return;
  }
  std::vector<int64_t> users;
  Status seeded = db.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < 6; ++i) {
      std::string email = "oncall" + std::to_string(i) + "@example.com";
      auto row = tx.QueryOne(
          "INSERT INTO users (email, email_norm, display_name, role, is_active, time_zone, created_at, updated_at) "
          "VALUES (?, ?, ?, 'agent', 1, 'UTC', 0, 0) RETURNING id",
          {email, email, email});
      if (!row.ok()) return row.status();
      users.push_back((*row)->Int(0));
    }
    return tx.Exec("INSERT INTO teams (name, description, created_at) VALUES ('platform', '', 0)").status();
  });
  if (!seeded.ok()) {
    state.SkipWithError(seeded.ToString().c_str());
    return;
  }
  OnCallService svc(db, clock);
  auth::Actor system = auth::Actor::System();
  Layer primary;
  primary.participant_ids = users;
  primary.start_date = "2025-01-06";
  auto schedule = svc.CreateSchedule(system, {1, "primary", "", "Europe/Berlin", {primary}});
  if (!schedule.ok()) {
    state.SkipWithError(schedule.status().ToString().c_str());
    return;
  }
  auto instants = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(svc.WhoIsOnCall(system, schedule->id, instants[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceWhoIsOnCallSqlite);

}  // namespace
}  // namespace opsdesk::oncall

BENCHMARK_MAIN();
