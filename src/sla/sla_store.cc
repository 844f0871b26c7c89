#include "sla/sla_store.h"

#include "common/text.h"

namespace opsdesk::sla::store {
namespace {

constexpr const char* kCalendarColumns = "id, name, time_zone, created_at, updated_at";
constexpr const char* kPolicyColumns =
    "id, name, position_no, calendar_id, priorities, queue_ids, tags, first_response_minutes, "
    "next_response_minutes, resolution_minutes, pause_on, warn_at_percent, created_at, updated_at, pause_while_escalated, "
    "requester_groups";

SlaPolicy PolicyFromRow(const storage::Row& row) {
  SlaPolicy p;
  p.id = row.Int(0);
  p.name = row.Text(1);
  p.position = row.Int(2);
  p.calendar_id = row.Int(3);
  p.conditions.priorities = Split(row.Text(4), ' ');
  p.conditions.queue_ids = SplitIds(row.Text(5));
  p.conditions.tags = Split(row.Text(6), ' ');
  p.targets.first_response = row.OptInt(7);
  p.targets.next_response = row.OptInt(8);
  p.targets.resolution = row.OptInt(9);
  p.pause_on = Split(row.Text(10), ' ');
  p.warn_at_percent = row.Int(11);
  p.created_at = row.Int(12);
  p.updated_at = row.Int(13);
  p.pause_while_escalated = row.Bool(14);
  p.conditions.requester_groups = Split(row.Text(15), ' ');
  return p;
}

// Fills hours and holidays of the calendars in `calendars` (by id).
Status LoadDetails(storage::Transaction& tx, std::vector<Calendar>& calendars, std::optional<int64_t> only_id) {
  std::string where = only_id ? " WHERE calendar_id = ?" : "";
  storage::Params params;
  if (only_id) params.push_back(*only_id);
  auto hours = tx.Query("SELECT calendar_id, weekday, start_minute, end_minute FROM sla_calendar_hours" + where +
                            " ORDER BY calendar_id, weekday, start_minute",
                        params);
  if (!hours.ok()) return hours.status();
  auto holidays = tx.Query("SELECT calendar_id, holiday_date, recurring, name FROM sla_calendar_holidays" + where +
                               " ORDER BY calendar_id, holiday_date, recurring",
                           params);
  if (!holidays.ok()) return holidays.status();
  for (auto& c : calendars) {
    for (const auto& h : *hours) {
      int weekday = static_cast<int>(h.Int(1));
      if (h.Int(0) == c.id && weekday >= 0 && weekday < kWeekdays) {
        c.hours[weekday].push_back(WorkInterval{static_cast<int>(h.Int(2)), static_cast<int>(h.Int(3))});
      }
    }
    for (const auto& h : *holidays) {
      if (h.Int(0) == c.id) c.holidays.push_back(Holiday{h.Text(1), h.Bool(2), h.Text(3)});
    }
  }
  return Status::Ok();
}

Status WriteDetails(storage::Transaction& tx, const Calendar& c) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM sla_calendar_hours WHERE calendar_id = ?", {c.id}).status());
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM sla_calendar_holidays WHERE calendar_id = ?", {c.id}).status());
  for (int d = 0; d < kWeekdays; ++d) {
    for (const auto& iv : c.hours[d]) {
      OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO sla_calendar_hours (calendar_id, weekday, start_minute, end_minute) "
                                      "VALUES (?, ?, ?, ?)",
                                      {c.id, d, iv.start_minute, iv.end_minute})
                                  .status());
    }
  }
  for (const auto& h : c.holidays) {
    OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO sla_calendar_holidays (calendar_id, holiday_date, recurring, name) "
                                    "VALUES (?, ?, ?, ?)",
                                    {c.id, h.date, h.recurring, h.name})
                                .status());
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<Calendar>> LoadCalendar(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kCalendarColumns + " FROM sla_calendars WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Calendar>();
  std::vector<Calendar> one(1);
  one[0].id = (*row)->Int(0);
  one[0].name = (*row)->Text(1);
  one[0].time_zone = (*row)->Text(2);
  one[0].created_at = (*row)->Int(3);
  one[0].updated_at = (*row)->Int(4);
  OPSDESK_RETURN_IF_ERROR(LoadDetails(tx, one, id));
  return std::optional<Calendar>(std::move(one[0]));
}

Result<std::vector<Calendar>> LoadCalendars(storage::Transaction& tx) {
  auto rows = tx.Query(std::string("SELECT ") + kCalendarColumns + " FROM sla_calendars ORDER BY name, id");
  if (!rows.ok()) return rows.status();
  std::vector<Calendar> out;
  for (const auto& row : *rows) {
    Calendar c;
    c.id = row.Int(0);
    c.name = row.Text(1);
    c.time_zone = row.Text(2);
    c.created_at = row.Int(3);
    c.updated_at = row.Int(4);
    out.push_back(std::move(c));
  }
  OPSDESK_RETURN_IF_ERROR(LoadDetails(tx, out, std::nullopt));
  return out;
}

Result<std::optional<int64_t>> FindCalendarByName(storage::Transaction& tx, const std::string& name) {
  auto row = tx.QueryOne("SELECT id FROM sla_calendars WHERE name = ?", {name});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>((*row)->Int(0));
}

Result<int64_t> InsertCalendar(storage::Transaction& tx, const Calendar& calendar) {
  auto row = tx.QueryOne(
      "INSERT INTO sla_calendars (name, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
      {calendar.name, calendar.time_zone, calendar.created_at, calendar.updated_at});
  if (!row.ok()) return row.status();
  Calendar stored = calendar;
  stored.id = (*row)->Int(0);
  OPSDESK_RETURN_IF_ERROR(WriteDetails(tx, stored));
  return stored.id;
}

Status UpdateCalendar(storage::Transaction& tx, const Calendar& calendar) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("UPDATE sla_calendars SET name = ?, time_zone = ?, updated_at = ? WHERE id = ?",
                                  {calendar.name, calendar.time_zone, calendar.updated_at, calendar.id})
                              .status());
  return WriteDetails(tx, calendar);
}

Status DeleteCalendar(storage::Transaction& tx, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM sla_calendar_hours WHERE calendar_id = ?", {id}).status());
  OPSDESK_RETURN_IF_ERROR(tx.Exec("DELETE FROM sla_calendar_holidays WHERE calendar_id = ?", {id}).status());
  return tx.Exec("DELETE FROM sla_calendars WHERE id = ?", {id}).status();
}

Result<std::optional<SlaPolicy>> LoadPolicy(storage::Transaction& tx, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kPolicyColumns + " FROM sla_policies WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<SlaPolicy>();
  return std::optional<SlaPolicy>(PolicyFromRow(**row));
}

Result<std::vector<SlaPolicy>> LoadPolicies(storage::Transaction& tx) {
  auto rows = tx.Query(std::string("SELECT ") + kPolicyColumns + " FROM sla_policies ORDER BY position_no, id");
  if (!rows.ok()) return rows.status();
  std::vector<SlaPolicy> out;
  for (const auto& row : *rows) out.push_back(PolicyFromRow(row));
  return out;
}

Result<std::optional<int64_t>> FindPolicyByName(storage::Transaction& tx, const std::string& name) {
  auto row = tx.QueryOne("SELECT id FROM sla_policies WHERE name = ?", {name});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>((*row)->Int(0));
}

Result<std::vector<SlaPolicy>> PoliciesUsingCalendar(storage::Transaction& tx, int64_t calendar_id) {
  auto rows = tx.Query(std::string("SELECT ") + kPolicyColumns +
                           " FROM sla_policies WHERE calendar_id = ? ORDER BY position_no, id",
                       {calendar_id});
  if (!rows.ok()) return rows.status();
  std::vector<SlaPolicy> out;
  for (const auto& row : *rows) out.push_back(PolicyFromRow(row));
  return out;
}

Result<int64_t> NextPosition(storage::Transaction& tx) {
  auto row = tx.QueryOne("SELECT COALESCE(MAX(position_no), -1) + 1 FROM sla_policies");
  if (!row.ok()) return row.status();
  return *row ? (*row)->Int(0) : 0;
}

Result<int64_t> InsertPolicy(storage::Transaction& tx, const SlaPolicy& p) {
  auto row = tx.QueryOne(
      "INSERT INTO sla_policies (name, position_no, calendar_id, priorities, queue_ids, tags, first_response_minutes, "
      "next_response_minutes, resolution_minutes, pause_on, warn_at_percent, created_at, updated_at, pause_while_escalated, "
      "requester_groups) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {p.name, p.position, p.calendar_id, Join(p.conditions.priorities, ' '), JoinIds(p.conditions.queue_ids),
       Join(p.conditions.tags, ' '), p.targets.first_response, p.targets.next_response, p.targets.resolution,
       Join(p.pause_on, ' '), p.warn_at_percent, p.created_at, p.updated_at, p.pause_while_escalated,
       Join(p.conditions.requester_groups, ' ')});
  if (!row.ok()) return row.status();
  return (*row)->Int(0);
}

Status UpdatePolicy(storage::Transaction& tx, const SlaPolicy& p) {
  return tx
      .Exec("UPDATE sla_policies SET name = ?, position_no = ?, calendar_id = ?, priorities = ?, queue_ids = ?, "
            "tags = ?, first_response_minutes = ?, next_response_minutes = ?, resolution_minutes = ?, pause_on = ?, "
            "warn_at_percent = ?, updated_at = ?, pause_while_escalated = ?, requester_groups = ? WHERE id = ?",
            {p.name, p.position, p.calendar_id, Join(p.conditions.priorities, ' '), JoinIds(p.conditions.queue_ids),
             Join(p.conditions.tags, ' '), p.targets.first_response, p.targets.next_response, p.targets.resolution,
             Join(p.pause_on, ' '), p.warn_at_percent, p.updated_at, p.pause_while_escalated,
             Join(p.conditions.requester_groups, ' '), p.id})
      .status();
}

Status DeletePolicy(storage::Transaction& tx, int64_t id) {
  return tx.Exec("DELETE FROM sla_policies WHERE id = ?", {id}).status();
}

Result<std::optional<TicketSnapshot>> LoadTicketSnapshot(storage::Transaction& tx, int64_t ticket_id) {
  auto row = tx.QueryOne(
      "SELECT t.id, t.status, t.priority, t.queue_id, t.tags, t.requester_id, t.created_at, u.group_name "
      "FROM tickets t JOIN users u ON u.id = t.requester_id WHERE t.id = ?",
      {ticket_id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TicketSnapshot>();
  TicketSnapshot t;
  t.id = (*row)->Int(0);
  t.status = (*row)->Text(1);
  t.priority = (*row)->Text(2);
  t.queue_id = (*row)->OptInt(3);
  t.tags = Split((*row)->Text(4), ' ');
  t.requester_id = (*row)->Int(5);
  t.created_at = (*row)->Int(6);
  t.requester_group = (*row)->OptText(7).value_or("");
  return std::optional<TicketSnapshot>(std::move(t));
}

Result<std::vector<tickets::TicketEvent>> LoadTicketEvents(storage::Transaction& tx, int64_t ticket_id) {
  auto rows = tx.Query(
      "SELECT id, ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal FROM ticket_events "
      "WHERE ticket_id = ? ORDER BY id",
      {ticket_id});
  if (!rows.ok()) return rows.status();
  std::vector<tickets::TicketEvent> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    out.push_back(tickets::TicketEvent{r.Int(0), r.Int(1), r.OptInt(2), r.Int(3), r.Text(4), r.OptText(5),
                                       r.OptText(6), r.OptText(7), r.Bool(8)});
  }
  return out;
}

}  // namespace opsdesk::sla::store
