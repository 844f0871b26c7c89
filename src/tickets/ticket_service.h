// Tickets: filing, reading, listing, changing, commenting, linking and merging.
//
// Every change writes its ticket events in the same transaction as the change.
// Permissions (as Zammad's ticket policy): requesters file for themselves, see
// only their own tickets and never an internal note or internal event; staff
// (agents, leads, admins) see and work every ticket. A ticket a requester may not
// see answers kNotFound, so its existence is not revealed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "storage/database.h"
#include "tickets/ticket.h"

namespace opsdesk::tickets {

// A queue named by its name or its id.
struct QueueRef {
  std::optional<int64_t> id;
  std::optional<std::string> name;
};

struct NewTicket {
  std::string subject;
  std::string body;
  std::optional<std::string> priority;  // default normal
  std::optional<QueueRef> queue;
  std::vector<std::string> tags;
  std::optional<std::string> requester_email;  // staff only: file on behalf of someone
};

struct TicketPatch {
  std::optional<std::string> subject;
  std::optional<std::string> status;
  std::optional<std::string> priority;
  std::optional<std::optional<QueueRef>> queue;         // set to nullopt inside: remove queue
  std::optional<std::optional<int64_t>> assignee_id;    // set to nullopt inside: unassign
  std::optional<std::vector<std::string>> tags;         // replaces the whole set
  // Applied to the ticket's current tags inside the transaction (bulk changes);
  // not combined with `tags`.
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  std::optional<int64_t> expected_version;              // If-Match
  bool IsEmpty() const {
    return !subject && !status && !priority && !queue && !assignee_id && !tags && add_tags.empty() &&
           remove_tags.empty();
  }
};

// One change applied to many tickets (POST /tickets/bulk).
struct BulkChange {
  std::optional<std::string> status;
  std::optional<std::string> priority;
  std::optional<std::optional<QueueRef>> queue;       // set to nullopt inside: remove queue
  std::optional<std::optional<int64_t>> assignee_id;  // set to nullopt inside: unassign
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  bool IsEmpty() const {
    return !status && !priority && !queue && !assignee_id && add_tags.empty() && remove_tags.empty();
  }
};

// What happened to one ticket of a bulk change: `ticket` when status is OK.
struct BulkItemResult {
  int64_t id = 0;
  Status status;
  std::optional<Ticket> ticket;
};

constexpr size_t kMaxBulkTickets = 200;

// kSlaDueAsc: the nearest SLA due time first; tickets without one last.
enum class TicketSort { kUpdatedDesc, kUpdatedAsc, kCreatedDesc, kCreatedAsc, kIdDesc, kIdAsc, kSlaDueAsc };
std::optional<TicketSort> ParseTicketSort(std::string_view text);  // "-updated_at", "id", "sla_due_at", ...

// kAtRisk: an SLA clock has reached its warning (or is breached); kBreached:
// one is past its due time. Both judged on the stored due times (ticket_sla_due).
enum class SlaFilter { kAny, kAtRisk, kBreached };
std::optional<SlaFilter> ParseSlaFilter(std::string_view text);  // at_risk | breached

struct TicketFilter {
  std::vector<TicketStatus> statuses;  // any of
  std::optional<QueueRef> queue;
  std::optional<int64_t> assignee_id;
  bool unassigned = false;
  std::optional<int64_t> requester_id;
  std::optional<Priority> priority;
  std::optional<std::string> tag;
  std::optional<TimestampMs> updated_since;
  SlaFilter sla = SlaFilter::kAny;
  TicketSort sort = TicketSort::kUpdatedDesc;
  std::optional<std::string> cursor;
  int limit = kDefaultPageLimit;
};

// A saved view of the agent workspace: its filter (what GET /tickets with the
// matching query parameters lists) and how many tickets it holds now.
struct TicketView {
  std::string id;    // mine | unassigned | all_open | pending | queue:<name>
  std::string name;  // for display
  TicketFilter filter;
  int64_t count = 0;
};

struct NewComment {
  std::string body;
  bool is_internal = false;
};

struct NewLink {
  std::string kind;  // duplicate_of | related | parent | child
  int64_t other_ticket_id = 0;
};

// The outcome of a create that carried an Idempotency-Key.
struct CreateOutcome {
  Ticket ticket;
  bool replayed = false;  // true when this is the first request's result again
};

// Called after a change committed, on the thread that made it; must not block.
using TicketChangeListener = std::function<void(const TicketChange&)>;

// The notification outbox (src/notify) hooks in here. Called inside the
// transaction that makes the change, so whatever it schedules commits or rolls
// back with the change; an error fails the change.
class TicketOutbox {
 public:
  virtual ~TicketOutbox() = default;
  virtual Status OnTicketCreated(storage::Transaction& tx, const Ticket& ticket) = 0;
  // `ticket` as it was before the comment.
  virtual Status OnCommentAdded(storage::Transaction& tx, const Ticket& ticket, const Comment& comment) = 0;
  // Any other change to the ticket's fields (status, priority, queue, tags,
  // assignee, a merge closing it); `after` as written.
  virtual Status OnTicketUpdated(storage::Transaction& tx, const Ticket& before, const Ticket& after) {
    (void)tx, (void)before, (void)after;
    return Status::Ok();
  }
};

class TicketService {
 public:
  TicketService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Live updates (src/live) listen here. REQUIRES: set before concurrent use.
  void SetChangeListener(TicketChangeListener listener) { listener_ = std::move(listener); }
  // Notifications, SLA timers: each outbox hears every change, in the order
  // added. REQUIRES: added before concurrent use; `outbox` outlives this.
  void AddOutbox(TicketOutbox* outbox) { outboxes_.push_back(outbox); }

  // Files a ticket. With an idempotency key, a retry of the same request returns
  // the first result and creates nothing; the same key with a different request
  // is kConflict. kInvalidArgument carries per-field messages.
  Result<CreateOutcome> Create(const auth::Actor& actor, const NewTicket& input,
                               const std::optional<std::string>& idempotency_key = std::nullopt);
  Result<Ticket> Get(const auth::Actor& actor, int64_t id);
  Result<Page<Ticket>> List(const auth::Actor& actor, const TicketFilter& filter);
  // kPreconditionFailed when expected_version is stale (nothing changes).
  Result<Ticket> Update(const auth::Actor& actor, int64_t id, const TicketPatch& patch);

  Result<Comment> AddComment(const auth::Actor& actor, int64_t ticket_id, const NewComment& input);
  Result<Page<Comment>> ListComments(const auth::Actor& actor, int64_t ticket_id, std::optional<std::string> cursor,
                                     int limit);
  Result<Page<TicketEvent>> ListEvents(const auth::Actor& actor, int64_t ticket_id, std::optional<std::string> cursor,
                                       int limit);

  // Links both ways (duplicate_of/duplicated_by, parent/child, related/related).
  Result<Ticket> AddLink(const auth::Actor& actor, int64_t ticket_id, const NewLink& input);
  // Moves the source's comments to the target, closes the source with a
  // duplicate_of link to the target; both tickets' histories record it.
  Result<Ticket> Merge(const auth::Actor& actor, int64_t source_id, int64_t target_id);

  // Applies one change to each ticket in its own transaction, through Update
  // (same rules and events); one ticket's failure does not stop the others.
  // Staff only. The whole request is validated before anything is written:
  // kInvalidArgument names ids, changes or changes.<field>.
  Result<std::vector<BulkItemResult>> BulkUpdate(const auth::Actor& actor, const std::vector<int64_t>& ids,
                                                 const BulkChange& change);

  // The workspace views with their counts: mine, unassigned, all_open, pending,
  // then one per queue by name. Staff only. Each count equals what List returns
  // for the view's filter.
  Result<std::vector<TicketView>> Views(const auth::Actor& actor);

  // Counts of tickets by status (for /metrics and dashboards).
  Result<std::vector<std::pair<std::string, int64_t>>> CountByStatus();

 private:
  void Announce(const TicketChange& change) const {
    if (listener_) listener_(change);
  }

  storage::Database& db_;
  const Clock& clock_;
  TicketChangeListener listener_;
  std::vector<TicketOutbox*> outboxes_;
};

}  // namespace opsdesk::tickets
