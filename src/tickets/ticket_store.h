// SQL for the tickets area. Private to src/tickets/: other areas go through
// TicketService. Every function runs inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "tickets/ticket.h"

namespace opsdesk::tickets::store {

// Takes the ticket's row lock until the transaction ends, so a read-modify-write
// of the ticket cannot interleave with another transaction's on PostgreSQL. A
// no-op write is the portable way: SQLite has no FOR UPDATE (and one writer).
Status LockTickets(storage::Transaction& tx, std::vector<int64_t> ids);

Result<std::optional<Ticket>> LoadTicket(storage::Transaction& tx, int64_t id, bool with_links);
// The SLA due times come from ticket_sla_due as `d` (one row per ticket):
// kInner lets an ORDER BY on d walk its index (sort by due); kLeft keeps the
// tickets the outer loop of the query.
enum class DueJoin { kLeft, kInner };
// `where_sql` and `order_sql` may name t (tickets) and d (ticket_sla_due).
Result<std::vector<Ticket>> QueryTickets(storage::Transaction& tx, const std::string& where_sql,
                                         const storage::Params& params, const std::string& order_sql, int limit,
                                         DueJoin due_join = DueJoin::kLeft);

Result<int64_t> InsertTicket(storage::Transaction& tx, const Ticket& ticket);
// Writes the ticket's mutable columns and bumps its version; false when the
// stored version is not `expected_version` (someone else changed it).
Result<bool> UpdateTicketRow(storage::Transaction& tx, const Ticket& ticket, int64_t expected_version);
Status ReplaceTags(storage::Transaction& tx, int64_t ticket_id, const std::vector<std::string>& tags);
// Bumps version and updated_at without other changes (a comment or link).
Status TouchTicket(storage::Transaction& tx, int64_t ticket_id, TimestampMs at);

Status AppendEvent(storage::Transaction& tx, const TicketEvent& event);
Result<std::vector<TicketEvent>> LoadEvents(storage::Transaction& tx, int64_t ticket_id, int64_t after_id,
                                            bool include_internal, int limit);

Result<Comment> InsertComment(storage::Transaction& tx, const Comment& comment);
Result<std::vector<Comment>> LoadComments(storage::Transaction& tx, int64_t ticket_id, int64_t after_id,
                                          bool include_internal, int limit);

Result<bool> InsertLink(storage::Transaction& tx, int64_t ticket_id, const std::string& kind, int64_t other_id,
                        std::optional<int64_t> actor_id, TimestampMs at);

std::string JoinTags(const std::vector<std::string>& tags);

}  // namespace opsdesk::tickets::store
