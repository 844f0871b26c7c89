// sla_recompute_db: recomputing the SLA state of N open tickets (100,000 by
// default) after a calendar change, end to end through the database: what the
// sla.recompute job does (automation::SlaWatch::RecomputeAll) — read each
// ticket and its events, compute its clocks, write warning/breach events that
// fell due, keep its due times (ticket_sla_due) and schedule its next timer.
// Issue 5's target: < 1 s.
//
//   build/bench/sla_recompute_db [--engine sqlite|postgresql] [--tickets N] [--changes N]
//   scripts/with-postgres.sh build/bench/sla_recompute_db --engine postgresql
//
// Each ticket has four events (created, a first reply, pending, the requester's
// answer), so its first-response clock is met and its next-response and
// resolution clocks run on a Berlin office calendar. Three rounds are timed:
// the first recompute (every ticket gets its due columns and a timer), then a
// change of the calendar's hours followed by a recompute (every due time moves:
// new timers; --changes N: N changes, each timed, with min/median/max), then a
// recompute with nothing changed. SLA_BATCH=N in the
// environment sets the tickets per transaction (SlaWatchOptions::batch).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "automation/sla_watch.h"
#include "common/clock.h"
#include "common/random.h"
#include "jobs/job_service.h"
#include "sla/sla_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/user_fixtures.h"

using namespace opsdesk;

namespace {

// User and system CPU of this process (all threads): with PostgreSQL the rest
// of the wall time is the database server's.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

constexpr int64_t kMin = 60'000;
constexpr TimestampMs kNow = 1'764'064'800'000;  // 2025-11-25T10:00:00Z, a Tuesday

// N open tickets of user 1 (the requester; user 2 answers) with four events each,
// written in one transaction with plain inserts (the fastest honest way in).
Status Populate(storage::Database& db, int tickets) {
  return db.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < tickets; ++i) {
      // Spread over the last 30 days, so some clocks are over and some are not.
      TimestampMs created = kNow - 30LL * 24 * 60 * kMin + static_cast<int64_t>(i) * (30LL * 24 * 60 * kMin / tickets);
      auto row = tx.QueryOne(
          "INSERT INTO tickets (subject, body, body_html, status, priority, requester_id, created_at, updated_at) "
          "VALUES ('Ingestion lag', 'Events are late.', '<p>Events are late.</p>', 'open', 'normal', 1, ?, ?) "
          "RETURNING id",
          {created, created + 90 * kMin});
      if (!row.ok()) return row.status();
      int64_t id = (*row)->Int(0);
      auto event = [&](int64_t actor, TimestampMs at, const char* kind, const char* field, const char* before,
                       const char* after) {
        storage::Params p{id, actor, at, std::string(kind), std::string(field)};
        p.emplace_back(before ? storage::Value(std::string(before)) : storage::Value(nullptr));
        p.emplace_back(after ? storage::Value(std::string(after)) : storage::Value(nullptr));
        return tx
            .Exec("INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, "
                  "is_internal) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                  p)
            .status();
      };
      OPSDESK_RETURN_IF_ERROR(event(1, created, "created", "status", nullptr, "new"));
      OPSDESK_RETURN_IF_ERROR(event(2, created + 20 * kMin, "comment_added", "reply", nullptr, "1"));
      OPSDESK_RETURN_IF_ERROR(event(2, created + 21 * kMin, "field_changed", "status", "new", "pending"));
      OPSDESK_RETURN_IF_ERROR(event(1, created + 90 * kMin, "comment_added", "reply", nullptr, "2"));
      OPSDESK_RETURN_IF_ERROR(event(1, created + 90 * kMin, "field_changed", "status", "pending", "open"));
    }
    return Status::Ok();
  });
}

sla::CalendarInput Office(const std::string& start) {
  sla::CalendarInput in;
  in.name = "berlin office";
  in.time_zone = "Europe/Berlin";
  std::map<std::string, std::vector<sla::HoursText>> hours;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri"}) hours[day] = {{start, "12:00"}, {"13:00", "18:00"}};
  in.hours = hours;
  in.holidays = std::vector<sla::Holiday>{{"2025-12-25", true, "Christmas"}, {"2025-10-03", false, "Unity"}};
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  std::string engine_name = "sqlite";
  int tickets = 100'000;
  int changes = 1;  // calendar changes timed one after another
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--engine") && i + 1 < argc) engine_name = argv[++i];
    else if (!std::strcmp(argv[i], "--tickets") && i + 1 < argc) tickets = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--changes") && i + 1 < argc) changes = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: sla_recompute_db [--engine sqlite|postgresql] [--tickets N] [--changes N]\n");
      return 2;
    }
  }
  InitCrypto();
  storage::Engine engine = engine_name == "sqlite" ? storage::Engine::kSqlite : storage::Engine::kPostgres;
  auto test_db = storage::TestDatabase::Create(engine);
  if (!test_db.ok()) {
    std::fprintf(stderr, "sla_recompute_db: %s\n", test_db.status().ToString().c_str());
    return 1;
  }
  storage::Database& db = (*test_db)->db();
  ManualClock clock(kNow);
  if (Status st = storage::Migrate(db, clock); !st.ok()) {
    std::fprintf(stderr, "sla_recompute_db: %s\n", st.ToString().c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!test_util::InsertTestUser(db, kNow, "requester@example.com", auth::Role::kRequester).ok() ||
      !test_util::InsertTestUser(db, kNow, "agent@example.com", auth::Role::kAgent).ok()) {
    std::fprintf(stderr, "sla_recompute_db: could not insert users\n");
    return 1;
  }
  if (Status st = Populate(db, tickets); !st.ok()) {
    std::fprintf(stderr, "sla_recompute_db: populate: %s\n", st.ToString().c_str());
    return 1;
  }
  double populate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auth::Actor admin = auth::Actor::System();
  sla::SlaService sla(db, clock);
  auto calendar = sla.CreateCalendar(admin, Office("08:00"));
  sla::PolicyInput policy;
  policy.name = "standard";
  policy.calendar_id = calendar.ok() ? calendar->id : 0;
  policy.targets = sla::PolicyTargets{60, 120, 5 * 9 * 60};
  if (!calendar.ok() || !sla.CreatePolicy(admin, policy).ok()) {
    std::fprintf(stderr, "sla_recompute_db: could not create the calendar and policy\n");
    return 1;
  }
  jobs::JobService jobs(db, clock);
  automation::SlaWatchOptions watch_options;
  if (const char* b = std::getenv("SLA_BATCH")) watch_options.batch = std::atoi(b);
  automation::SlaWatch watch(db, clock, jobs, nullptr, nullptr, watch_options);

  std::printf("engine %s, %d open tickets with 5 events each (populated in %.1f s)\n", engine_name.c_str(), tickets,
              populate_s);
  auto round = [&](const char* what, double* seconds = nullptr) -> bool {
    const double cpu_start = ProcessCpuSeconds();
    auto start = std::chrono::steady_clock::now();
    auto refreshed = watch.RecomputeAll();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = ProcessCpuSeconds() - cpu_start;
    if (!refreshed.ok()) {
      std::fprintf(stderr, "sla_recompute_db: %s\n", refreshed.status().ToString().c_str());
      return false;
    }
    int64_t events = 0;
    (void)db.Read([&](storage::Transaction& tx) -> Status {
      auto row = tx.QueryOne("SELECT COUNT(*) FROM ticket_events WHERE kind IN ('sla_warning', 'sla_breached')");
      if (row.ok() && *row) events = (*row)->Int(0);
      return Status::Ok();
    });
    if (seconds) *seconds = s;
    std::printf("%-44s %lld tickets in %.3f s (%.0f tickets/s; opsdesk CPU %.3f s); SLA events so far: %lld\n",
                what, static_cast<long long>(*refreshed), s, *refreshed / s, cpu, static_cast<long long>(events));
    return true;
  };
  if (!round("first recompute (new policy)")) return 1;
  // The calendar's opening hour moves between 09:00 and 08:00: every due time
  // moves each time. More than one change gives the spread of this figure.
  std::vector<double> change_s;
  for (int i = 0; i < changes; ++i) {
    sla::CalendarInput change;
    change.hours = *Office(i % 2 == 0 ? "09:00" : "08:00").hours;
    if (!sla.UpdateCalendar(admin, calendar->id, change).ok()) return 1;
    double s = 0;
    if (!round("after a calendar change (every due moves)", &s)) return 1;
    change_s.push_back(s);
  }
  if (!round("again, nothing changed")) return 1;
  if (changes > 1) {
    std::sort(change_s.begin(), change_s.end());
    std::printf("calendar changes: %d, min %.3f s, median %.3f s, max %.3f s\n", changes, change_s.front(),
                change_s[change_s.size() / 2], change_s.back());
  }

  int64_t timers = -1, due_set = -1;
  (void)db.Read([&](storage::Transaction& tx) -> Status {
    auto a = tx.QueryOne("SELECT COUNT(*) FROM ticket_sla_due WHERE check_at IS NOT NULL");
    auto b = tx.QueryOne("SELECT COUNT(*) FROM ticket_sla_due WHERE due_at IS NOT NULL");
    if (a.ok() && *a) timers = (*a)->Int(0);
    if (b.ok() && *b) due_set = (*b)->Int(0);
    return Status::Ok();
  });
  std::printf("tickets with a check instant (timer): %lld; with a due time: %lld\n", static_cast<long long>(timers),
              static_cast<long long>(due_set));
  return 0;
}
