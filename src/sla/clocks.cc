#include "sla/clocks.h"

#include <algorithm>

namespace opsdesk::sla {
namespace {

constexpr int64_t kMinuteMs = 60'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool IsDone(const std::string& status) { return status == "solved" || status == "closed"; }

using Span = ClockSpan;

struct StatusPeriod {
  TimestampMs from = 0;
  TimestampMs to = 0;
  std::string status;
  bool held = false;  // waiting on engineering (sla_paused .. sla_resumed)
};

bool IsHoldEvent(const tickets::TicketEvent& e) { return e.kind == "sla_paused" || e.kind == "sla_resumed"; }

// The ticket's statuses over [created_at, now], from the status events, and
// whether an escalation hold (sla_paused .. sla_resumed) was on.
std::vector<StatusPeriod> StatusPeriods(const TicketSnapshot& ticket,
                                        const std::vector<const tickets::TicketEvent*>& events, TimestampMs now) {
  std::vector<StatusPeriod> periods;
  std::string current = "new";
  bool held = false;
  TimestampMs from = ticket.created_at;
  for (const auto* e : events) {
    bool status_change = e->kind == "field_changed" && e->field.value_or("") == "status" && e->after;
    if (!status_change && !IsHoldEvent(*e)) continue;
    TimestampMs at = std::max(e->at, ticket.created_at);
    periods.push_back({from, at, current, held});
    if (status_change) {
      current = *e->after;
    } else {
      held = e->kind == "sla_paused";
    }
    from = at;
  }
  periods.push_back({from, std::max(from, now), current, held});
  return periods;
}

// The parts of [start, end) during which the clock runs: the ticket's status is
// not in `stopped` (nor done, when that stops it) and no honoured hold is on.
std::vector<Span> RunningSpans(const std::vector<StatusPeriod>& periods, TimestampMs start, TimestampMs end,
                               const std::vector<std::string>& stopped, bool also_stop_when_done, bool honour_holds) {
  std::vector<Span> spans;
  for (const auto& p : periods) {
    if (Contains(stopped, p.status) || (also_stop_when_done && IsDone(p.status)) || (honour_holds && p.held)) {
      continue;
    }
    TimestampMs from = std::max(p.from, start), to = std::min(p.to, end);
    if (from >= to) continue;
    if (!spans.empty() && spans.back().to == from) {
      spans.back().to = to;
    } else {
      spans.push_back({from, to});
    }
  }
  return spans;
}

// When the ticket became solved or closed, for a ticket that is done now: the
// start of the trailing run of done periods (a hold event may split one).
TimestampMs DoneSince(const std::vector<StatusPeriod>& periods) {
  size_t i = periods.size() - 1;
  while (i > 0 && IsDone(periods[i - 1].status)) --i;
  return periods[i].from;
}

// One clock from its timeline at `now`: the spans are cut at now (an open last
// span runs to now; a span that starts later does not count yet).
Result<TargetClock> Evaluate(const ClockTimeline& in, int64_t warn_at_percent, const CompiledCalendar& calendar,
                             TimestampMs now) {
  TargetClock out;
  out.kind = in.kind;
  out.target_minutes = in.target_minutes;
  out.started_at = in.started_at;
  const int64_t target = in.target_minutes * kMinuteMs;
  const int64_t warn = target * warn_at_percent / 100;
  const TimestampMs end = in.stopped_at.value_or(now);
  int64_t used = 0;
  for (Span span : in.spans) {
    span.to = std::min(span.to, now);
    if (span.from >= span.to) continue;
    auto business = BusinessMsBetween(calendar, span.from, span.to);
    if (!business.ok()) return business.status();
    if (!out.warn_at && used + *business >= warn) {
      auto at = AddBusinessMs(calendar, span.from, warn - used);
      if (!at.ok()) return at.status();
      out.warn_at = *at;
    }
    if (!out.due_at && used + *business >= target) {
      auto at = AddBusinessMs(calendar, span.from, target - used);
      if (!at.ok()) return at.status();
      out.due_at = *at;
    }
    used += *business;
  }
  // Not reached yet: project from the end of what is known, without further pauses.
  if (!out.warn_at) {
    auto at = AddBusinessMs(calendar, end, warn - used);
    if (!at.ok()) return at.status();
    out.warn_at = *at;
  }
  if (!out.due_at) {
    auto at = AddBusinessMs(calendar, end, target - used);
    if (!at.ok()) return at.status();
    out.due_at = *at;
  }
  // Open past the instant it reached its target.
  bool breached = *out.due_at < end;
  out.remaining_minutes = FloorDiv(target - used, kMinuteMs);
  if (breached) out.breached_at = out.due_at;
  if (in.stopped_at) {
    out.met_at = in.stopped_at;
    out.state = breached ? ClockState::kBreached : ClockState::kMet;
  } else {
    out.state = breached ? ClockState::kBreached : in.paused_now ? ClockState::kPaused : ClockState::kRunning;
    out.warning = used >= warn;
  }
  return out;
}

}  // namespace

const char* TargetKindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kFirstResponse: return "first_response";
    case TargetKind::kNextResponse: return "next_response";
    case TargetKind::kResolution: return "resolution";
  }
  return "?";
}

const char* ClockStateName(ClockState state) {
  switch (state) {
    case ClockState::kRunning: return "running";
    case ClockState::kPaused: return "paused";
    case ClockState::kMet: return "met";
    case ClockState::kBreached: return "breached";
  }
  return "?";
}

bool PolicyMatches(const SlaPolicy& policy, const TicketSnapshot& ticket) {
  const PolicyConditions& c = policy.conditions;
  if (!c.priorities.empty() && !Contains(c.priorities, ticket.priority)) return false;
  if (!c.queue_ids.empty() &&
      (!ticket.queue_id || std::find(c.queue_ids.begin(), c.queue_ids.end(), *ticket.queue_id) == c.queue_ids.end())) {
    return false;
  }
  if (!c.requester_groups.empty() && !Contains(c.requester_groups, ticket.requester_group)) return false;
  if (!c.tags.empty()) {
    bool any = false;
    for (const auto& tag : ticket.tags) any = any || Contains(c.tags, tag);
    if (!any) return false;
  }
  return true;
}

const SlaPolicy* SelectPolicy(const std::vector<SlaPolicy>& ordered, const TicketSnapshot& ticket) {
  for (const auto& policy : ordered) {
    if (PolicyMatches(policy, ticket)) return &policy;
  }
  return nullptr;
}

std::optional<TimestampMs> FirstResponseAt(const TicketSnapshot& ticket,
                                           const std::vector<tickets::TicketEvent>& events) {
  std::optional<TimestampMs> first;
  for (const auto& e : events) {
    bool staff_reply = e.kind == "comment_added" && e.field.value_or("") == "reply" && !e.is_internal &&
                       e.actor_id && *e.actor_id != ticket.requester_id;
    bool done = e.kind == "field_changed" && e.field.value_or("") == "status" && e.after && IsDone(*e.after);
    if (staff_reply || done) {
      TimestampMs at = std::max(e.at, ticket.created_at);
      if (!first || at < *first) first = at;
    }
  }
  return first;
}

std::vector<ClockTimeline> BuildTimelines(const TicketSnapshot& ticket,
                                          const std::vector<tickets::TicketEvent>& all_events,
                                          const SlaPolicy& policy, TimestampMs now) {
  now = std::max(now, ticket.created_at);
  std::vector<const tickets::TicketEvent*> events;
  events.reserve(all_events.size());
  for (const auto& e : all_events) {
    if (e.at <= now) events.push_back(&e);
  }
  std::stable_sort(events.begin(), events.end(), [](const auto* a, const auto* b) {
    return a->at != b->at ? a->at < b->at : a->id < b->id;
  });
  // The current status lasts until some later event: its period is open.
  std::vector<StatusPeriod> periods = StatusPeriods(ticket, events, now);
  periods.back().to = kOpenEnd;
  const std::string& current = periods.back().status;
  const bool holds = policy.pause_while_escalated;
  const bool paused_now = Contains(policy.pause_on, current) || (holds && periods.back().held);

  // Walk the events once: the first response, and the next-response cycles that
  // requester replies open after it.
  std::optional<TimestampMs> first_response_at;
  std::optional<Span> last_cycle;
  bool cycle_open = false;
  for (const auto* e : events) {
    bool public_reply = e->kind == "comment_added" && e->field.value_or("") == "reply" && !e->is_internal;
    bool by_requester = e->actor_id && *e->actor_id == ticket.requester_id;
    bool staff_reply = public_reply && e->actor_id && !by_requester;
    bool requester_reply = public_reply && by_requester;
    bool done = e->kind == "field_changed" && e->field.value_or("") == "status" && e->after && IsDone(*e->after);
    TimestampMs at = std::max(e->at, ticket.created_at);
    if (staff_reply || done) {
      if (!first_response_at) first_response_at = at;
      if (cycle_open) {
        last_cycle->to = at;
        cycle_open = false;
      }
    } else if (requester_reply && first_response_at && !cycle_open) {
      last_cycle = Span{at, kOpenEnd};
      cycle_open = true;
    }
  }

  std::vector<ClockTimeline> clocks;
  if (policy.targets.first_response) {
    ClockTimeline in;
    in.kind = TargetKind::kFirstResponse;
    in.target_minutes = *policy.targets.first_response;
    in.started_at = ticket.created_at;
    in.stopped_at = first_response_at;
    in.spans = RunningSpans(periods, ticket.created_at, first_response_at.value_or(kOpenEnd), policy.pause_on, false,
                            holds);
    in.paused_now = paused_now;
    clocks.push_back(std::move(in));
  }
  if (policy.targets.next_response && last_cycle) {
    ClockTimeline in;
    in.kind = TargetKind::kNextResponse;
    in.target_minutes = *policy.targets.next_response;
    in.started_at = last_cycle->from;
    if (!cycle_open) in.stopped_at = last_cycle->to;
    in.spans = RunningSpans(periods, last_cycle->from, last_cycle->to, policy.pause_on, false, holds);
    in.paused_now = paused_now;
    clocks.push_back(std::move(in));
  }
  if (policy.targets.resolution) {
    ClockTimeline in;
    in.kind = TargetKind::kResolution;
    in.target_minutes = *policy.targets.resolution;
    in.started_at = ticket.created_at;
    if (IsDone(current)) in.stopped_at = DoneSince(periods);
    in.spans = RunningSpans(periods, ticket.created_at, kOpenEnd, policy.pause_on, true, holds);
    in.paused_now = paused_now;
    clocks.push_back(std::move(in));
  }
  return clocks;
}

Result<std::vector<TargetClock>> EvaluateTimelines(const std::vector<ClockTimeline>& timelines,
                                                   int64_t warn_at_percent, const CompiledCalendar& calendar,
                                                   TimestampMs now) {
  std::vector<TargetClock> clocks;
  clocks.reserve(timelines.size());
  for (const auto& t : timelines) {
    auto clock = Evaluate(t, warn_at_percent, calendar, now);
    if (!clock.ok()) return clock.status();
    clocks.push_back(std::move(*clock));
  }
  return clocks;
}

Result<std::vector<TargetClock>> ComputeClocks(const TicketSnapshot& ticket,
                                               const std::vector<tickets::TicketEvent>& events,
                                               const SlaPolicy& policy, const CompiledCalendar& calendar,
                                               TimestampMs now) {
  now = std::max(now, ticket.created_at);
  return EvaluateTimelines(BuildTimelines(ticket, events, policy, now), policy.warn_at_percent, calendar, now);
}

}  // namespace opsdesk::sla
