// SQL for the SLA area. Private to src/sla/: other areas go through SlaService.
// Every function runs inside the caller's transaction.
#pragma once

#include <optional>
#include <vector>

#include "sla/calendar.h"
#include "sla/clocks.h"
#include "storage/database.h"
#include "tickets/ticket.h"

namespace opsdesk::sla::store {

Result<std::optional<Calendar>> LoadCalendar(storage::Transaction& tx, int64_t id);
Result<std::vector<Calendar>> LoadCalendars(storage::Transaction& tx);  // by name
Result<std::optional<int64_t>> FindCalendarByName(storage::Transaction& tx, const std::string& name);
Result<int64_t> InsertCalendar(storage::Transaction& tx, const Calendar& calendar);
// Writes name, zone, updated_at and replaces hours and holidays.
Status UpdateCalendar(storage::Transaction& tx, const Calendar& calendar);
Status DeleteCalendar(storage::Transaction& tx, int64_t id);

Result<std::optional<SlaPolicy>> LoadPolicy(storage::Transaction& tx, int64_t id);
Result<std::vector<SlaPolicy>> LoadPolicies(storage::Transaction& tx);  // by (position, id)
Result<std::optional<int64_t>> FindPolicyByName(storage::Transaction& tx, const std::string& name);
Result<std::vector<SlaPolicy>> PoliciesUsingCalendar(storage::Transaction& tx, int64_t calendar_id);
Result<int64_t> NextPosition(storage::Transaction& tx);
Result<int64_t> InsertPolicy(storage::Transaction& tx, const SlaPolicy& policy);
Status UpdatePolicy(storage::Transaction& tx, const SlaPolicy& policy);
Status DeletePolicy(storage::Transaction& tx, int64_t id);

// The ticket fields policies match on; nullopt when there is no such ticket.
Result<std::optional<TicketSnapshot>> LoadTicketSnapshot(storage::Transaction& tx, int64_t ticket_id);
// Every event of the ticket (internal ones too), by id.
Result<std::vector<tickets::TicketEvent>> LoadTicketEvents(storage::Transaction& tx, int64_t ticket_id);

}  // namespace opsdesk::sla::store
