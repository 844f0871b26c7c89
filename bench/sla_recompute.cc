// sla_recompute: how long recomputing the SLA clocks of 100,000 open tickets
// takes, as after a calendar change (issue 5's target: < 1 s).
//
//   build/bench/sla_recompute [--tickets N]
//
// Each ticket has a first reply, a wait on the requester (pending), the
// requester's answer and, for half of them, a solve; the calendar is a Berlin
// office week (two intervals a day) with fixed and yearly holidays, the tickets
// spread over two years so DST changes fall inside many of them. This times the
// clock computation (sla::ComputeClocks) from events in memory; reading the
// events from the database is not included.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <date/date.h>

#include "sla/calendar.h"
#include "sla/clocks.h"

namespace opsdesk::sla {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;

TimestampMs Utc(int y, unsigned m, unsigned d) {
  auto tp = date::sys_days{date::year{y} / date::month{m} / date::day{d}};
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

int Run(int tickets_count) {
  Calendar office;
  office.time_zone = "Europe/Berlin";
  for (int d = 0; d < 5; ++d) office.hours[d] = {{8 * 60, 12 * 60}, {13 * 60, 18 * 60}};
  office.holidays = {{"2025-12-25", true, ""}, {"2025-12-26", true, ""}, {"2025-01-01", true, ""},
                     {"2025-05-01", true, ""}, {"2025-10-03", false, ""}};
  auto calendar = CompiledCalendar::Compile(office);
  if (!calendar.ok()) {
    std::fprintf(stderr, "sla_recompute: %s\n", calendar.status().ToString().c_str());
    return 1;
  }
  SlaPolicy policy;
  policy.id = 1;
  policy.name = "standard";
  policy.targets = {60, 120, 3 * 9 * 60};

  std::vector<std::pair<TicketSnapshot, std::vector<tickets::TicketEvent>>> tickets;
  tickets.reserve(tickets_count);
  const int64_t requester = 10, agent = 20;
  for (int i = 0; i < tickets_count; ++i) {
    TicketSnapshot t;
    t.id = i;
    t.requester_id = requester;
    t.created_at = Utc(2025, 1, 1) + static_cast<int64_t>(i) * 331 * kMin * 100'000 / tickets_count;
    TimestampMs c = t.created_at;
    std::vector<tickets::TicketEvent> ev = {
        {1, i, requester, c, "created", std::nullopt, std::nullopt, "status=new", false},
        {2, i, agent, c + 3 * kHour, "comment_added", "reply", std::nullopt, "1", false},
        {3, i, agent, c + 3 * kHour, "field_changed", "status", "new", "pending", false},
        {4, i, requester, c + 26 * kHour, "comment_added", "reply", std::nullopt, "2", false},
        {5, i, requester, c + 26 * kHour, "field_changed", "status", "pending", "open", false}};
    if (i % 2 == 0) ev.push_back({6, i, agent, c + 50 * kHour, "field_changed", "status", "open", "solved", false});
    tickets.emplace_back(std::move(t), std::move(ev));
  }

  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    int64_t breached = 0, targets = 0;
    for (const auto& [t, ev] : tickets) {
      auto clocks = ComputeClocks(t, ev, policy, *calendar, t.created_at + 80 * kHour);
      if (!clocks.ok()) {
        std::fprintf(stderr, "sla_recompute: %s\n", clocks.status().ToString().c_str());
        return 1;
      }
      targets += static_cast<int64_t>(clocks->size());
      for (const auto& c : *clocks) breached += c.state == ClockState::kBreached;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("RESULT label=sla_recompute round=%d tickets=%d targets=%lld breached=%lld seconds=%.3f\n", round,
                tickets_count, static_cast<long long>(targets), static_cast<long long>(breached), seconds);
  }
  return 0;
}

}  // namespace
}  // namespace opsdesk::sla

int main(int argc, char** argv) {
  int tickets = 100'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--tickets") == 0) tickets = std::atoi(argv[i + 1]);
  }
  return opsdesk::sla::Run(tickets);
}
