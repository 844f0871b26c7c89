#include "tickets/ticket.h"

namespace opsdesk::tickets {

const char* StatusName(TicketStatus status) {
  switch (status) {
    case TicketStatus::kNew: return "new";
    case TicketStatus::kOpen: return "open";
    case TicketStatus::kPending: return "pending";
    case TicketStatus::kOnHold: return "on_hold";
    case TicketStatus::kSolved: return "solved";
    case TicketStatus::kClosed: return "closed";
  }
  return "new";
}

std::optional<TicketStatus> ParseStatus(std::string_view text) {
  for (auto s : {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending, TicketStatus::kOnHold,
                 TicketStatus::kSolved, TicketStatus::kClosed}) {
    if (text == StatusName(s)) return s;
  }
  return std::nullopt;
}

const char* PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kLow: return "low";
    case Priority::kNormal: return "normal";
    case Priority::kHigh: return "high";
    case Priority::kUrgent: return "urgent";
  }
  return "normal";
}

std::optional<Priority> ParsePriority(std::string_view text) {
  for (auto p : {Priority::kLow, Priority::kNormal, Priority::kHigh, Priority::kUrgent}) {
    if (text == PriorityName(p)) return p;
  }
  return std::nullopt;
}

bool IsAllowedTransition(TicketStatus from, TicketStatus to) {
  if (from == to) return true;
  if (from == TicketStatus::kClosed) return false;
  if (to == TicketStatus::kNew) return false;
  return true;
}

}  // namespace opsdesk::tickets
