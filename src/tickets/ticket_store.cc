#include "tickets/ticket_store.h"

#include <algorithm>

#include "common/text.h"
#include "markdown/markdown.h"

namespace opsdesk::tickets::store {
namespace {

// Columns of a ticket with its requester, assignee and queue names and its SLA
// due times (ticket_sla_due, migration 0014) joined in.
constexpr const char* kTicketHead =
    "SELECT t.id, t.subject, t.body, t.status, t.priority, t.queue_id, q.name, "
    "t.requester_id, r.email, r.display_name, t.assignee_id, a.email, a.display_name, "
    "t.tags, t.created_at, t.updated_at, t.version, t.body_html, ";
constexpr const char* kTicketFrom =
    "FROM tickets t JOIN users r ON r.id = t.requester_id "
    "LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN queues q ON q.id = t.queue_id ";

const std::string& TicketColumns() {
  static const std::string sql = std::string(kTicketHead) + "d.due_at, d.warn_at " + kTicketFrom;
  return sql;
}

// One ticket by id. A solved or closed ticket has no due times (the watcher
// clears them in the transaction that closes it), so for one its
// ticket_sla_due row is not even looked up: on a large desk that table
// outgrows a reader's page cache, and the look-up was a second page read for
// most ticket GETs.
const std::string& OneTicketSql() {
  static const std::string sql = std::string(kTicketHead) +
                                 "CASE WHEN t.status IN ('solved', 'closed') THEN NULL "
                                 "ELSE (SELECT due_at FROM ticket_sla_due WHERE ticket_id = t.id) END, "
                                 "CASE WHEN t.status IN ('solved', 'closed') THEN NULL "
                                 "ELSE (SELECT warn_at FROM ticket_sla_due WHERE ticket_id = t.id) END " +
                                 kTicketFrom + "WHERE t.id = ?";
  return sql;
}
// Every ticket has its ticket_sla_due row, so both joins give the same rows; the
// LEFT JOIN keeps tickets the outer loop (the lists' own indexes), the inner
// join lets a sort by due time walk ticket_sla_due_due.
constexpr const char* kDueLeftJoin = "LEFT JOIN ticket_sla_due d ON d.ticket_id = t.id ";
constexpr const char* kDueInnerJoin = "JOIN ticket_sla_due d ON d.ticket_id = t.id ";

Ticket TicketFromRow(const storage::Row& row) {
  Ticket t;
  t.id = row.Int(0);
  t.subject = row.Text(1);
  t.body = row.Text(2);
  t.status = ParseStatus(row.Text(3)).value_or(TicketStatus::kNew);
  t.priority = ParsePriority(row.Text(4)).value_or(Priority::kNormal);
  t.queue_id = row.OptInt(5);
  t.queue_name = row.IsNull(6) ? "" : row.Text(6);
  t.requester = PersonRef{row.Int(7), row.Text(8), row.Text(9)};
  if (!row.IsNull(10)) t.assignee = PersonRef{row.Int(10), row.Text(11), row.Text(12)};
  t.tags = Split(row.Text(13), ' ');
  t.created_at = row.Int(14);
  t.updated_at = row.Int(15);
  t.version = row.Int(16);
  // Rows from before migration 0002 have no stored rendering.
  t.body_html = row.IsNull(17) ? markdown::RenderHtml(t.body) : row.Text(17);
  t.sla_due_at = row.OptInt(18);
  t.sla_warn_at = row.OptInt(19);
  return t;
}

}  // namespace

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& tag : tags) {
    if (!out.empty()) out += ' ';
    out += tag;
  }
  return out;
}

Status LockTickets(storage::Transaction& tx, std::vector<int64_t> ids) {
  // Always in ascending id order, so two transactions locking the same pair
  // cannot deadlock.
  std::sort(ids.begin(), ids.end());
  for (int64_t id : ids) {
    OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE tickets SET version = version WHERE id = ?", {id}).status());
  }
  return Status::Ok();
}

Result<std::optional<Ticket>> LoadTicket(storage::Transaction& tx, int64_t id, bool with_links) {
  auto row = tx.QueryOne(OneTicketSql(), {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Ticket>();
  Ticket ticket = TicketFromRow(**row);
  if (with_links) {
    auto links = tx.Query(
        "SELECT kind, other_ticket_id FROM ticket_links WHERE ticket_id = ? ORDER BY kind, other_ticket_id", {id});
    if (!links.ok()) return links.status();
    for (const auto& l : *links) ticket.links.push_back(TicketLink{l.Text(0), l.Int(1)});
  }
  return std::optional<Ticket>(std::move(ticket));
}

Result<std::vector<Ticket>> QueryTickets(storage::Transaction& tx, const std::string& where_sql,
                                         const storage::Params& params, const std::string& order_sql, int limit,
                                         DueJoin due_join) {
  storage::Params all = params;
  all.emplace_back(limit);
  auto rows = tx.Query(TicketColumns() + (due_join == DueJoin::kInner ? kDueInnerJoin : kDueLeftJoin) +
                           where_sql + " " + order_sql + " LIMIT ?",
                       all);
  if (!rows.ok()) return rows.status();
  std::vector<Ticket> tickets;
  tickets.reserve(rows->size());
  for (const auto& row : *rows) tickets.push_back(TicketFromRow(row));
  return tickets;
}

Result<int64_t> InsertTicket(storage::Transaction& tx, const Ticket& t) {
  auto row = tx.QueryOne(
      "INSERT INTO tickets (subject, body, body_html, status, priority, queue_id, requester_id, assignee_id, tags, "
      "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
      {t.subject, t.body, markdown::RenderHtml(t.body), StatusName(t.status), PriorityName(t.priority), t.queue_id, t.requester.id,
       t.assignee ? std::optional<int64_t>(t.assignee->id) : std::nullopt, JoinTags(t.tags), t.created_at,
       t.updated_at});
  if (!row.ok()) return row.status();
  int64_t id = (*row)->Int(0);
  OPSDESK_RETURN_IF_ERROR(ReplaceTags(tx, id, t.tags));
  return id;
}

Result<bool> UpdateTicketRow(storage::Transaction& tx, const Ticket& t, int64_t expected_version) {
  auto changed = tx.Exec(
      "UPDATE tickets SET subject = ?, status = ?, priority = ?, queue_id = ?, assignee_id = ?, tags = ?, "
      "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
      {t.subject, StatusName(t.status), PriorityName(t.priority), t.queue_id,
       t.assignee ? std::optional<int64_t>(t.assignee->id) : std::nullopt, JoinTags(t.tags), t.updated_at, t.id,
       expected_version});
  if (!changed.ok()) return changed.status();
  return *changed == 1;
}

Status ReplaceTags(storage::Transaction& tx, int64_t ticket_id, const std::vector<std::string>& tags) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM ticket_tags WHERE ticket_id = ?", {ticket_id}).status());
  for (const auto& tag : tags) {
    OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)", {ticket_id, tag}).status());
  }
  return Status::Ok();
}

Status TouchTicket(storage::Transaction& tx, int64_t ticket_id, TimestampMs at) {
  return tx.Exec("UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ?", {at, ticket_id}).status();
}

Status AppendEvent(storage::Transaction& tx, const TicketEvent& e) {
  return tx
      .Exec("INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {e.ticket_id, e.actor_id, e.at, e.kind, e.field, e.before, e.after, e.is_internal})
      .status();
}

Result<std::vector<TicketEvent>> LoadEvents(storage::Transaction& tx, int64_t ticket_id, int64_t after_id,
                                            bool include_internal, int limit) {
  auto rows = tx.Query(
      "SELECT id, ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal FROM ticket_events "
      "WHERE ticket_id = ? AND id > ? AND (is_internal = 0 OR ? = 1) ORDER BY id LIMIT ?",
      {ticket_id, after_id, include_internal ? 1 : 0, limit});
  if (!rows.ok()) return rows.status();
  std::vector<TicketEvent> events;
  for (const auto& r : *rows) {
    events.push_back(TicketEvent{r.Int(0), r.Int(1), r.OptInt(2), r.Int(3), r.Text(4), r.OptText(5), r.OptText(6),
                                 r.OptText(7), r.Bool(8)});
  }
  return events;
}

Result<Comment> InsertComment(storage::Transaction& tx, const Comment& c) {
  std::string body_html = markdown::RenderHtml(c.body);
  auto row = tx.QueryOne(
      "INSERT INTO comments (ticket_id, author_id, body, body_html, is_internal, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {c.ticket_id, c.author.id, c.body, body_html, c.is_internal, c.created_at});
  if (!row.ok()) return row.status();
  Comment out = c;
  out.body_html = std::move(body_html);
  out.id = (*row)->Int(0);
  return out;
}

Result<std::vector<Comment>> LoadComments(storage::Transaction& tx, int64_t ticket_id, int64_t after_id,
                                          bool include_internal, int limit) {
  auto rows = tx.Query(
      "SELECT c.id, c.ticket_id, c.author_id, u.email, u.display_name, c.body, c.is_internal, c.created_at, "
      "c.moved_from_ticket_id, c.body_html FROM comments c JOIN users u ON u.id = c.author_id "
      "WHERE c.ticket_id = ? AND c.id > ? AND (c.is_internal = 0 OR ? = 1) ORDER BY c.id LIMIT ?",
      {ticket_id, after_id, include_internal ? 1 : 0, limit});
  if (!rows.ok()) return rows.status();
  std::vector<Comment> comments;
  for (const auto& r : *rows) {
    std::string body = r.Text(5);
    std::string body_html = r.IsNull(9) ? markdown::RenderHtml(body) : r.Text(9);
    comments.push_back(Comment{r.Int(0), r.Int(1), PersonRef{r.Int(2), r.Text(3), r.Text(4)}, std::move(body),
                               std::move(body_html), r.Bool(6), r.Int(7), r.OptInt(8)});
  }
  return comments;
}

Result<bool> InsertLink(storage::Transaction& tx, int64_t ticket_id, const std::string& kind, int64_t other_id,
                        std::optional<int64_t> actor_id, TimestampMs at) {
  auto changed = tx.Exec(
      "INSERT INTO ticket_links (ticket_id, kind, other_ticket_id, created_at, created_by) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING",
      {ticket_id, kind, other_id, at, actor_id});
  if (!changed.ok()) return changed.status();
  return *changed == 1;
}

}  // namespace opsdesk::tickets::store
