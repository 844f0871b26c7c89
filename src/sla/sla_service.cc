#include "sla/sla_service.h"

#include <algorithm>
#include <set>

#include "common/text.h"
#include "jobs/job_service.h"
#include "queues/queue_service.h"
#include "sla/sla_evaluator.h"
#include "sla/sla_store.h"
#include "tickets/ticket.h"

namespace opsdesk::sla {
namespace {

using Errors = std::map<std::string, std::string>;

Status CheckManager(const auth::Actor& actor, const char* what) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied(std::string("only leads and admins manage ") + what);
  return Status::Ok();
}

Status CheckStaff(const auth::Actor& actor, const char* what) {
  if (!actor.IsStaff()) return Status::PermissionDenied(std::string("only staff can read ") + what);
  return Status::Ok();
}

// Applies the fields `in` sets to `c`, collecting problems; `create` requires
// name, time_zone and hours.
void ApplyCalendarInput(const CalendarInput& in, bool create, Calendar& c, Errors& errors) {
  if (in.name) {
    if (auto p = TextFieldProblem(*in.name, 1, 100, false); !p.empty()) errors["name"] = p;
    else if (Trim(*in.name).size() != in.name->size()) errors["name"] = "must not start or end with spaces";
    c.name = *in.name;
  } else if (create) {
    errors["name"] = "is required";
  }
  if (in.time_zone) {
    if (!IsKnownTimeZone(*in.time_zone)) errors["time_zone"] = "is not a known IANA time zone, such as Europe/Berlin";
    c.time_zone = *in.time_zone;
  } else if (create) {
    errors["time_zone"] = "is required";
  }
  if (in.hours) {
    WeekHours hours;
    for (const auto& [key, intervals] : *in.hours) {
      std::string field = "hours." + key;
      auto day = ParseWeekday(key);
      if (!day) {
        errors[field] = "is not a weekday; use mon, tue, wed, thu, fri, sat or sun";
        continue;
      }
      if (intervals.size() > kMaxIntervalsPerDay) {
        errors[field] = "at most 12 intervals a day";
        continue;
      }
      std::vector<WorkInterval> list;
      for (size_t i = 0; i < intervals.size(); ++i) {
        std::string at = field + "[" + std::to_string(i) + "]";
        auto start = ParseClockTime(intervals[i].start, false);
        auto end = ParseClockTime(intervals[i].end, true);
        if (!start) errors[at + ".start"] = "must be a time HH:MM from 00:00 to 23:59";
        if (!end) errors[at + ".end"] = "must be a time HH:MM from 00:01 to 24:00";
        if (!start || !end) continue;
        if (*end <= *start) {
          errors[at] = "must end after it starts; an interval across midnight is two intervals";
          continue;
        }
        list.push_back({*start, *end});
      }
      std::sort(list.begin(), list.end(),
                [](const WorkInterval& a, const WorkInterval& b) { return a.start_minute < b.start_minute; });
      for (size_t i = 1; i < list.size(); ++i) {
        if (list[i].start_minute < list[i - 1].end_minute) errors[field] = "intervals must not overlap";
      }
      hours[*day] = std::move(list);
    }
    c.hours = std::move(hours);
  } else if (create) {
    errors["hours"] = "is required";
  }
  if (!errors.count("hours") && std::none_of(c.hours.begin(), c.hours.end(), [](const auto& d) { return !d.empty(); })) {
    bool day_errors = false;
    for (const auto& [k, v] : errors) day_errors = day_errors || k.rfind("hours.", 0) == 0;
    if (!day_errors) errors["hours"] = "must have at least one working interval";
  }
  if (in.holidays) {
    if (in.holidays->size() > kMaxHolidays) errors["holidays"] = "at most 500 holidays";
    std::set<std::pair<std::string, bool>> seen;
    for (size_t i = 0; i < in.holidays->size(); ++i) {
      const Holiday& h = (*in.holidays)[i];
      std::string at = "holidays[" + std::to_string(i) + "]";
      if (!IsValidDate(h.date)) errors[at + ".date"] = "must be a date YYYY-MM-DD";
      if (auto p = TextFieldProblem(h.name, 0, 100, false); !p.empty()) errors[at + ".name"] = p;
      if (!seen.emplace(h.recurring ? h.date.substr(std::min<size_t>(5, h.date.size())) : h.date, h.recurring).second) {
        errors[at + ".date"] = "is listed twice";
      }
    }
    c.holidays = *in.holidays;
    std::sort(c.holidays.begin(), c.holidays.end(),
              [](const Holiday& a, const Holiday& b) { return std::tie(a.date, a.recurring) < std::tie(b.date, b.recurring); });
  }
}

const std::vector<std::string> kPausable = {"new", "open", "pending", "on_hold"};

// Checks and normalises the fields of `in` that need no database; `create`
// requires name, calendar_id and a target.
void ApplyPolicyInput(const PolicyInput& in, bool create, SlaPolicy& p, Errors& errors) {
  if (in.name) {
    if (auto problem = TextFieldProblem(*in.name, 1, 100, false); !problem.empty()) errors["name"] = problem;
    else if (Trim(*in.name).size() != in.name->size()) errors["name"] = "must not start or end with spaces";
    p.name = *in.name;
  } else if (create) {
    errors["name"] = "is required";
  }
  if (in.position) {
    if (*in.position < 0 || *in.position > 1'000'000) errors["position"] = "must be from 0 to 1000000";
    p.position = *in.position;
  }
  if (in.calendar_id) {
    p.calendar_id = *in.calendar_id;
  } else if (create) {
    errors["calendar_id"] = "is required";
  }
  if (in.conditions) {
    PolicyConditions c;
    for (const auto& name : in.conditions->priorities) {
      if (!tickets::ParsePriority(name)) {
        errors["conditions.priorities"] = "each must be low, normal, high or urgent";
      } else if (std::find(c.priorities.begin(), c.priorities.end(), name) == c.priorities.end()) {
        c.priorities.push_back(name);
      }
    }
    for (int64_t id : in.conditions->queue_ids) {
      if (id <= 0) errors["conditions.queue_ids"] = "each must be a queue id";
      else if (std::find(c.queue_ids.begin(), c.queue_ids.end(), id) == c.queue_ids.end()) c.queue_ids.push_back(id);
    }
    for (const auto& raw : in.conditions->tags) {
      std::string tag = ToLowerAscii(Trim(raw));
      bool ok = !tag.empty() && tag.size() <= tickets::kMaxTagChars;
      for (char ch : tag) {
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                    ch == ':' || ch == '/');
      }
      if (!ok) errors["conditions.tags"] = "each tag must be 1-50 characters of a-z, 0-9, '-', '_', '.', ':' or '/'";
      else if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) c.tags.push_back(tag);
    }
    for (const auto& group : in.conditions->requester_groups) {
      bool ok = !group.empty() && group.size() <= 64;
      for (char ch : group) {
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                    ch == '_' || ch == '.');
      }
      if (!ok) {
        errors["conditions.requester_groups"] = "each group must be 1-64 letters, digits, '-', '_' or '.'";
      } else if (std::find(c.requester_groups.begin(), c.requester_groups.end(), group) == c.requester_groups.end()) {
        c.requester_groups.push_back(group);
      }
    }
    if (c.priorities.size() > 4 || c.queue_ids.size() > 100 || c.tags.size() > 100 || c.requester_groups.size() > 100) {
      errors["conditions"] = "at most 100 queue ids, 100 tags and 100 requester groups";
    }
    std::sort(c.requester_groups.begin(), c.requester_groups.end());
    std::sort(c.queue_ids.begin(), c.queue_ids.end());
    std::sort(c.tags.begin(), c.tags.end());
    p.conditions = std::move(c);
  }
  if (in.targets) {
    auto check = [&](const std::optional<int64_t>& v, const char* name) {
      if (v && (*v < 1 || *v > kMaxTargetMinutes)) {
        errors[std::string("targets.") + name] = "must be from 1 to 525600 business minutes";
      }
    };
    check(in.targets->first_response, "first_response");
    check(in.targets->next_response, "next_response");
    check(in.targets->resolution, "resolution");
    p.targets = *in.targets;
  }
  if ((create || in.targets) && !p.targets.first_response && !p.targets.next_response && !p.targets.resolution &&
      !errors.count("targets")) {
    errors["targets"] = "must set at least one of first_response, next_response and resolution";
  }
  if (in.pause_on) {
    std::vector<std::string> statuses;
    for (const auto& s : *in.pause_on) {
      if (std::find(kPausable.begin(), kPausable.end(), s) == kPausable.end()) {
        errors["pause_on"] = "may hold only new, open, pending and on_hold (solved and closed stop the clocks)";
      } else if (std::find(statuses.begin(), statuses.end(), s) == statuses.end()) {
        statuses.push_back(s);
      }
    }
    std::sort(statuses.begin(), statuses.end());
    p.pause_on = std::move(statuses);
  }
  if (in.warn_at_percent) {
    if (*in.warn_at_percent < 1 || *in.warn_at_percent > 100) errors["warn_at_percent"] = "must be from 1 to 100";
    p.warn_at_percent = *in.warn_at_percent;
  }
  if (in.pause_while_escalated) p.pause_while_escalated = *in.pause_while_escalated;
}

// The checks that need the database: the calendar and queues exist.
Status CheckPolicyReferences(storage::Transaction& tx, const SlaPolicy& p, Errors& errors) {
  auto calendar = store::LoadCalendar(tx, p.calendar_id);
  if (!calendar.ok()) return calendar.status();
  if (!*calendar) errors["calendar_id"] = "calendar does not exist";
  for (int64_t id : p.conditions.queue_ids) {
    auto queue = queues::QueueService::FindQueue(tx, id);
    if (!queue.ok()) return queue.status();
    if (!*queue) errors["conditions.queue_ids"] = "queue " + std::to_string(id) + " does not exist";
  }
  return Status::Ok();
}

}  // namespace

Result<Calendar> SlaService::CreateCalendar(const auth::Actor& actor, const CalendarInput& input) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "calendars"));
  Calendar c;
  Errors errors;
  ApplyCalendarInput(input, true, c, errors);
  if (!errors.empty()) return Status::InvalidArgument("calendar is not valid", errors);
  c.created_at = c.updated_at = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto existing = store::FindCalendarByName(tx, c.name);
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Conflict("a calendar with this name already exists");
    auto id = store::InsertCalendar(tx, c);
    if (!id.ok()) return id.status();
    c.id = *id;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return c;
}

Result<std::vector<Calendar>> SlaService::ListCalendars(const auth::Actor& actor) {
  OPSDESK_RETURN_IF_ERROR(CheckStaff(actor, "calendars"));
  std::vector<Calendar> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto all = store::LoadCalendars(tx);
    if (!all.ok()) return all.status();
    out = std::move(*all);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Calendar> SlaService::GetCalendar(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(CheckStaff(actor, "calendars"));
  std::optional<Calendar> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadCalendar(tx, id);
    if (!found.ok()) return found.status();
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!out) return Status::NotFound("calendar not found");
  return *out;
}

Result<Calendar> SlaService::UpdateCalendar(const auth::Actor& actor, int64_t id, const CalendarInput& patch) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "calendars"));
  Calendar result;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadCalendar(tx, id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("calendar not found");
    Calendar c = **found;
    Errors errors;
    ApplyCalendarInput(patch, false, c, errors);
    if (!errors.empty()) return Status::InvalidArgument("calendar change is not valid", errors);
    if (c.name != (*found)->name) {
      auto existing = store::FindCalendarByName(tx, c.name);
      if (!existing.ok()) return existing.status();
      if (*existing) return Status::Conflict("a calendar with this name already exists");
    }
    c.updated_at = clock_.NowMs();
    OPSDESK_RETURN_IF_ERROR(store::UpdateCalendar(tx, c));
    OPSDESK_RETURN_IF_ERROR(ScheduleRecompute(tx));
    result = std::move(c);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return result;
}

Status SlaService::DeleteCalendar(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "calendars"));
  return db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadCalendar(tx, id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("calendar not found");
    auto users = store::PoliciesUsingCalendar(tx, id);
    if (!users.ok()) return users.status();
    if (!users->empty()) {
      return Status::Conflict("calendar is used by SLA policy \"" + users->front().name + "\"");
    }
    return store::DeleteCalendar(tx, id);
  });
}

Result<SlaPolicy> SlaService::CreatePolicy(const auth::Actor& actor, const PolicyInput& input) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "SLA policies"));
  SlaPolicy p;
  Errors errors;
  ApplyPolicyInput(input, true, p, errors);
  if (!errors.empty()) return Status::InvalidArgument("SLA policy is not valid", errors);
  p.created_at = p.updated_at = clock_.NowMs();
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    Errors ref_errors;
    OPSDESK_RETURN_IF_ERROR(CheckPolicyReferences(tx, p, ref_errors));
    if (!ref_errors.empty()) return Status::InvalidArgument("SLA policy is not valid", ref_errors);
    auto existing = store::FindPolicyByName(tx, p.name);
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Conflict("an SLA policy with this name already exists");
    if (!input.position) {
      auto next = store::NextPosition(tx);
      if (!next.ok()) return next.status();
      p.position = *next;
    }
    auto id = store::InsertPolicy(tx, p);
    if (!id.ok()) return id.status();
    p.id = *id;
    return ScheduleRecompute(tx);
  });
  if (!status.ok()) return status;
  return p;
}

Result<std::vector<SlaPolicy>> SlaService::ListPolicies(const auth::Actor& actor) {
  OPSDESK_RETURN_IF_ERROR(CheckStaff(actor, "SLA policies"));
  std::vector<SlaPolicy> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto all = store::LoadPolicies(tx);
    if (!all.ok()) return all.status();
    out = std::move(*all);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<SlaPolicy> SlaService::GetPolicy(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(CheckStaff(actor, "SLA policies"));
  std::optional<SlaPolicy> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadPolicy(tx, id);
    if (!found.ok()) return found.status();
    out = std::move(*found);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!out) return Status::NotFound("SLA policy not found");
  return *out;
}

Result<SlaPolicy> SlaService::UpdatePolicy(const auth::Actor& actor, int64_t id, const PolicyInput& patch) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "SLA policies"));
  SlaPolicy result;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadPolicy(tx, id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("SLA policy not found");
    SlaPolicy p = **found;
    Errors errors;
    ApplyPolicyInput(patch, false, p, errors);
    if (errors.empty()) OPSDESK_RETURN_IF_ERROR(CheckPolicyReferences(tx, p, errors));
    if (!errors.empty()) return Status::InvalidArgument("SLA policy change is not valid", errors);
    if (p.name != (*found)->name) {
      auto existing = store::FindPolicyByName(tx, p.name);
      if (!existing.ok()) return existing.status();
      if (*existing) return Status::Conflict("an SLA policy with this name already exists");
    }
    p.updated_at = clock_.NowMs();
    OPSDESK_RETURN_IF_ERROR(store::UpdatePolicy(tx, p));
    OPSDESK_RETURN_IF_ERROR(ScheduleRecompute(tx));
    result = std::move(p);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return result;
}

Status SlaService::DeletePolicy(const auth::Actor& actor, int64_t id) {
  OPSDESK_RETURN_IF_ERROR(CheckManager(actor, "SLA policies"));
  return db_.Write([&](storage::Transaction& tx) -> Status {
    auto found = store::LoadPolicy(tx, id);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("SLA policy not found");
    OPSDESK_RETURN_IF_ERROR(store::DeletePolicy(tx, id));
    return ScheduleRecompute(tx);
  });
}

Status SlaService::ScheduleRecompute(storage::Transaction& tx) {
  TimestampMs now = clock_.NowMs();
  return jobs::JobService::Schedule(tx, kRecomputeJob, "{}", now, std::nullopt, 0, now).status();
}

Result<TicketSla> SlaService::GetTicketSla(const auth::Actor& actor, int64_t ticket_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff can read a ticket's SLA");
  TicketSla out;
  out.ticket_id = ticket_id;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto evaluator = SlaEvaluator::Load(tx);
    if (!evaluator.ok()) return evaluator.status();
    auto evaluation = evaluator->Evaluate(tx, ticket_id, clock_.NowMs());
    if (!evaluation.ok()) return evaluation.status();
    if (!*evaluation) return Status::NotFound("ticket not found");
    if ((*evaluation)->policy) out.policy = *(*evaluation)->policy;
    out.targets = std::move((*evaluation)->clocks);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace opsdesk::sla
