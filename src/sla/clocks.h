// SLA policies and the clocks they run on a ticket.
//
// Everything here is pure: a ticket snapshot, its events (the ticket_events
// rows, read, never copied), a policy, a compiled calendar and "now" go in; the
// state of each target comes out. docs/SLA.md states the rules with examples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "sla/calendar.h"
#include "tickets/ticket.h"

namespace opsdesk::sla {

// Which tickets a policy applies to. Each non-empty list must match (AND across
// lists); within a list any entry matches (OR). All lists empty: every ticket.
struct PolicyConditions {
  std::vector<std::string> priorities;  // low | normal | high | urgent
  std::vector<int64_t> queue_ids;
  std::vector<std::string> tags;        // the ticket carries at least one
  std::vector<std::string> requester_groups;  // the requester's group (auth::User::group)
  bool operator==(const PolicyConditions&) const = default;
};

// Targets in business minutes of the policy's calendar; unset: not measured.
struct PolicyTargets {
  std::optional<int64_t> first_response;
  std::optional<int64_t> next_response;
  std::optional<int64_t> resolution;
  bool operator==(const PolicyTargets&) const = default;
};

struct SlaPolicy {
  int64_t id = 0;
  std::string name;
  int64_t position = 0;  // policies are tried by (position, id); the first match applies
  int64_t calendar_id = 0;
  PolicyConditions conditions;
  PolicyTargets targets;
  std::vector<std::string> pause_on = {"on_hold", "pending"};  // statuses that stop the clocks; sorted
  int64_t warn_at_percent = 75;
  // The clocks also stop while the ticket waits on engineering: between an
  // sla_paused and the next sla_resumed ticket event (docs/SLA.md).
  bool pause_while_escalated = false;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// The ticket fields policies match on and clocks start from.
struct TicketSnapshot {
  int64_t id = 0;
  std::string status = "new";
  std::string priority = "normal";
  std::optional<int64_t> queue_id;
  std::vector<std::string> tags;
  int64_t requester_id = 0;
  std::string requester_group;  // empty: none
  TimestampMs created_at = 0;
};

bool PolicyMatches(const SlaPolicy& policy, const TicketSnapshot& ticket);
// The first policy, in the given order, that matches; nullptr when none does.
const SlaPolicy* SelectPolicy(const std::vector<SlaPolicy>& ordered, const TicketSnapshot& ticket);

enum class TargetKind { kFirstResponse, kNextResponse, kResolution };
enum class ClockState { kRunning, kPaused, kMet, kBreached };
const char* TargetKindName(TargetKind kind);
const char* ClockStateName(ClockState state);

struct TargetClock {
  TargetKind kind = TargetKind::kFirstResponse;
  int64_t target_minutes = 0;
  ClockState state = ClockState::kRunning;
  // When this clock (for next_response: this cycle) started: the ticket's
  // creation or the requester's reply. Names the cycle in sla_* events.
  TimestampMs started_at = 0;
  // When the clock reaches its target: counting the pauses that happened, and
  // assuming no further pause (a paused clock: as if it resumed now; a stopped
  // clock: as if it had kept running).
  std::optional<TimestampMs> due_at;
  // When the clock reaches warn_at_percent of its target, on the same terms.
  std::optional<TimestampMs> warn_at;
  // Whether the clock, still open (not stopped by a reply or solve), has used at
  // least warn_at_percent of its target.
  bool warning = false;
  // Business minutes left (negative once over), rounded down, at now or at stop.
  int64_t remaining_minutes = 0;
  std::optional<TimestampMs> met_at;       // the clock stopped (reply, solve); also set when it stopped late
  std::optional<TimestampMs> breached_at;  // the clock passed its target while open
};

// When the ticket was first answered: the first public reply by someone other
// than the requester, or the ticket becoming solved or closed; nullopt if not yet.
std::optional<TimestampMs> FirstResponseAt(const TicketSnapshot& ticket,
                                           const std::vector<tickets::TicketEvent>& events);

// The calendar-free part of one clock: when it ran and how it stands. It
// depends only on the ticket's events and the policy (targets, pauses), so
// after a calendar change the clock follows from it without reading events
// (the SLA watcher keeps it per ticket, src/automation).
constexpr TimestampMs kOpenEnd = INT64_MAX;  // a span still running
struct ClockSpan {
  TimestampMs from = 0;
  TimestampMs to = 0;  // kOpenEnd: runs on
  bool operator==(const ClockSpan&) const = default;
};
struct ClockTimeline {
  TargetKind kind = TargetKind::kFirstResponse;
  int64_t target_minutes = 0;
  TimestampMs started_at = 0;
  std::vector<ClockSpan> spans;  // when the clock ran, in order
  std::optional<TimestampMs> stopped_at;  // stopped for good (reply, solve)
  bool paused_now = false;                // paused by the status (or a hold) when built
  bool operator==(const ClockTimeline&) const = default;
};

// The timelines of every target the policy sets, from the events up to `now`.
std::vector<ClockTimeline> BuildTimelines(const TicketSnapshot& ticket,
                                          const std::vector<tickets::TicketEvent>& events,
                                          const SlaPolicy& policy, TimestampMs now);
// The clocks at `now` (not before the timelines were built, with no event since).
Result<std::vector<TargetClock>> EvaluateTimelines(const std::vector<ClockTimeline>& timelines,
                                                   int64_t warn_at_percent, const CompiledCalendar& calendar,
                                                   TimestampMs now);

// The clocks of every target the policy sets, in the order first_response,
// next_response, resolution. next_response is listed only once a requester's
// reply after the first response has started it, and shows its latest cycle.
// Events after `now` are ignored. Fails only when the calendar has no working
// hours.
Result<std::vector<TargetClock>> ComputeClocks(const TicketSnapshot& ticket,
                                               const std::vector<tickets::TicketEvent>& events,
                                               const SlaPolicy& policy, const CompiledCalendar& calendar,
                                               TimestampMs now);

}  // namespace opsdesk::sla
