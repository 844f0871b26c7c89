// The ticket model: tickets, comments, links and the events that record every change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace opsdesk::tickets {

enum class TicketStatus { kNew, kOpen, kPending, kOnHold, kSolved, kClosed };
enum class Priority { kLow, kNormal, kHigh, kUrgent };

const char* StatusName(TicketStatus status);
std::optional<TicketStatus> ParseStatus(std::string_view text);
const char* PriorityName(Priority priority);
std::optional<Priority> ParsePriority(std::string_view text);

// The transitions a ticket's status may take. `closed` is final and nothing
// returns to `new`; a change to the same status is not a transition.
bool IsAllowedTransition(TicketStatus from, TicketStatus to);

struct PersonRef {
  int64_t id = 0;
  std::string email;
  std::string display_name;
};

struct TicketLink {
  std::string kind;  // duplicate_of | duplicated_by | related | parent | child
  int64_t ticket_id = 0;
};

struct Ticket {
  int64_t id = 0;
  std::string subject;
  std::string body;       // Markdown
  std::string body_html;  // body rendered safely (cmark-gfm), stored at write time
  TicketStatus status = TicketStatus::kNew;
  Priority priority = Priority::kNormal;
  std::optional<int64_t> queue_id;
  std::string queue_name;  // "" when no queue
  PersonRef requester;
  std::optional<PersonRef> assignee;
  std::vector<std::string> tags;  // sorted, unique
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  int64_t version = 1;
  std::vector<TicketLink> links;  // filled by Get, not by List
  // The nearest due and warning instants of the ticket's running SLA clocks,
  // kept by the SLA watcher (src/automation); staff only (unset for requesters).
  std::optional<TimestampMs> sla_due_at;
  std::optional<TimestampMs> sla_warn_at;
};

struct Comment {
  int64_t id = 0;
  int64_t ticket_id = 0;
  PersonRef author;
  std::string body;       // Markdown
  std::string body_html;  // body rendered safely (cmark-gfm), stored at write time
  bool is_internal = false;
  TimestampMs created_at = 0;
  std::optional<int64_t> moved_from_ticket_id;
};

// One change to a ticket: who, when, what, before and after.
struct TicketEvent {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::optional<int64_t> actor_id;
  TimestampMs at = 0;
  std::string kind;  // created | field_changed | comment_added | linked | merged_into | merged_from | comment_moved
  std::optional<std::string> field;
  std::optional<std::string> before;
  std::optional<std::string> after;
  bool is_internal = false;  // never shown to requesters
};

// What live listeners hear after a change to a ticket committed: enough to
// decide who may hear of it and which views to refresh, never the content.
struct TicketChange {
  int64_t ticket_id = 0;
  int64_t requester_id = 0;     // requesters hear only of their own tickets
  std::optional<int64_t> actor_id;
  std::string kind;             // created | updated | commented | linked | merged
  bool is_internal = false;     // an internal note: requesters must not hear of it
};

// Limits shared by validation and documentation.
constexpr size_t kMaxSubjectChars = 250;
constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxTags = 20;
constexpr size_t kMaxTagChars = 50;

}  // namespace opsdesk::tickets
