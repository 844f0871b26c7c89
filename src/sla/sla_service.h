// Business calendars, SLA policies and a ticket's SLA state.
//
// Leads and admins manage calendars and policies; agents read them; requesters
// are refused (kPermissionDenied), and so is a requester asking for a ticket's
// SLA (the SLA is an internal commitment, not shown on the portal). The state of
// a ticket's clocks is computed on read from its events (src/sla/clocks.h),
// never stored. docs/SLA.md has the rules.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "sla/calendar.h"
#include "sla/clocks.h"
#include "storage/database.h"

namespace opsdesk::sla {

// Jobs (src/jobs) the SLA watcher (src/automation) handles: the sweep of the
// tickets whose warning, due or rule instant has come, and every open ticket
// after a policy or calendar changed.
inline constexpr const char* kSweepJob = "sla.sweep";
inline constexpr const char* kRecomputeJob = "sla.recompute";

// Working hours as written: "HH:MM" strings, validated by the service.
struct HoursText {
  std::string start;
  std::string end;  // "24:00" allowed
};

// Create: name, time_zone and hours are required. Patch: what is set replaces
// the stored value (hours and holidays as a whole).
struct CalendarInput {
  std::optional<std::string> name;
  std::optional<std::string> time_zone;
  std::optional<std::map<std::string, std::vector<HoursText>>> hours;  // "mon".."sun"; missing days: closed
  std::optional<std::vector<Holiday>> holidays;
};

// Create: name, calendar_id and at least one target are required. Patch: what is
// set replaces the stored value (conditions and targets as a whole).
struct PolicyInput {
  std::optional<std::string> name;
  std::optional<int64_t> position;  // create: after the last policy when unset
  std::optional<int64_t> calendar_id;
  std::optional<PolicyConditions> conditions;
  std::optional<PolicyTargets> targets;
  std::optional<std::vector<std::string>> pause_on;  // default pending, on_hold
  std::optional<int64_t> warn_at_percent;            // default 75
  std::optional<bool> pause_while_escalated;         // default false
};

struct TicketSla {
  int64_t ticket_id = 0;
  std::optional<SlaPolicy> policy;  // nullopt: no policy matches the ticket
  std::vector<TargetClock> targets;
};

constexpr int64_t kMaxTargetMinutes = 525'600;  // a year of business minutes
constexpr size_t kMaxIntervalsPerDay = 12;
constexpr size_t kMaxHolidays = 500;

class SlaService {
 public:
  SlaService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<Calendar> CreateCalendar(const auth::Actor& actor, const CalendarInput& input);
  Result<std::vector<Calendar>> ListCalendars(const auth::Actor& actor);  // by name
  Result<Calendar> GetCalendar(const auth::Actor& actor, int64_t id);
  Result<Calendar> UpdateCalendar(const auth::Actor& actor, int64_t id, const CalendarInput& patch);
  // kConflict while a policy uses it.
  Status DeleteCalendar(const auth::Actor& actor, int64_t id);

  Result<SlaPolicy> CreatePolicy(const auth::Actor& actor, const PolicyInput& input);
  Result<std::vector<SlaPolicy>> ListPolicies(const auth::Actor& actor);  // by (position, id): match order
  Result<SlaPolicy> GetPolicy(const auth::Actor& actor, int64_t id);
  Result<SlaPolicy> UpdatePolicy(const auth::Actor& actor, int64_t id, const PolicyInput& patch);
  Status DeletePolicy(const auth::Actor& actor, int64_t id);

  // The policy that matches the ticket now and its clocks at the clock's now.
  // Staff only; kNotFound for a missing ticket.
  Result<TicketSla> GetTicketSla(const auth::Actor& actor, int64_t ticket_id);

 private:
  // Every change to a policy or a calendar moves due times: one sla.recompute
  // job, in the changing transaction, brings every open ticket up to date.
  Status ScheduleRecompute(storage::Transaction& tx);

  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace opsdesk::sla
