// Business calendars, SLA policies (leads and admins write, staff read) and a
// ticket's SLA state (staff only). Rules live in sla::SlaService.
#include "http/api.h"
#include "http/json_io.h"
#include "sla/sla_service.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

value CalendarJson(const sla::Calendar& c) {
  object hours;
  for (int d = 0; d < sla::kWeekdays; ++d) {
    array day;
    for (const auto& iv : c.hours[d]) {
      day.push_back(object{{"start", sla::FormatClockTime(iv.start_minute)}, {"end", sla::FormatClockTime(iv.end_minute)}});
    }
    hours[sla::WeekdayName(d)] = std::move(day);
  }
  array holidays;
  for (const auto& h : c.holidays) {
    holidays.push_back(object{{"date", h.date}, {"recurring", h.recurring}, {"name", h.name}});
  }
  return object{{"id", c.id},
                {"name", c.name},
                {"time_zone", c.time_zone},
                {"hours", std::move(hours)},
                {"holidays", std::move(holidays)},
                {"created_at", FormatTimestamp(c.created_at)},
                {"updated_at", FormatTimestamp(c.updated_at)}};
}

template <typename T>
array ToArray(const std::vector<T>& items) {
  array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

value PolicyJson(const sla::SlaPolicy& p) {
  return object{{"id", p.id},
                {"name", p.name},
                {"position", p.position},
                {"calendar_id", p.calendar_id},
                {"conditions", object{{"priorities", ToArray(p.conditions.priorities)},
                                      {"queue_ids", ToArray(p.conditions.queue_ids)},
                                      {"tags", ToArray(p.conditions.tags)},
                                      {"requester_groups", ToArray(p.conditions.requester_groups)}}},
                {"targets", object{{"first_response", OptionalInt(p.targets.first_response)},
                                   {"next_response", OptionalInt(p.targets.next_response)},
                                   {"resolution", OptionalInt(p.targets.resolution)}}},
                {"pause_on", ToArray(p.pause_on)},
                {"warn_at_percent", p.warn_at_percent},
                {"pause_while_escalated", p.pause_while_escalated},
                {"created_at", FormatTimestamp(p.created_at)},
                {"updated_at", FormatTimestamp(p.updated_at)}};
}

value TicketSlaJson(const sla::TicketSla& t) {
  array targets;
  for (const auto& c : t.targets) {
    targets.push_back(object{{"kind", sla::TargetKindName(c.kind)},
                             {"target_minutes", c.target_minutes},
                             {"state", sla::ClockStateName(c.state)},
                             {"due_at", OptionalTime(c.due_at)},
                             {"warn_at", OptionalTime(c.warn_at)},
                             {"warning", c.warning},
                             {"remaining_minutes", c.remaining_minutes},
                             {"met_at", OptionalTime(c.met_at)},
                             {"breached_at", OptionalTime(c.breached_at)}});
  }
  value policy = nullptr;
  if (t.policy) policy = object{{"id", t.policy->id}, {"name", t.policy->name}};
  return object{{"ticket_id", t.ticket_id}, {"policy", std::move(policy)}, {"targets", std::move(targets)}};
}

// Reads the nested parts of a calendar body, naming each bad part by its path
// (hours.mon[0].start, holidays[2].date).
void ReadCalendarBody(const object& body, FieldReader& in, sla::CalendarInput& out) {
  out.name = in.String("name");
  out.time_zone = in.String("time_zone");
  if (const value* hours = body.if_contains("hours"); hours && !hours->is_null()) {
    if (!hours->is_object()) {
      in.AddError("hours", "must be an object of weekdays (mon..sun) to arrays of {start, end}");
    } else {
      std::map<std::string, std::vector<sla::HoursText>> days;
      for (const auto& [key, day] : hours->as_object()) {
        std::string field = "hours." + std::string(key);
        if (!day.is_array()) {
          in.AddError(field, "must be an array of {start, end}");
          continue;
        }
        std::vector<sla::HoursText> intervals;
        for (size_t i = 0; i < day.as_array().size(); ++i) {
          const value& iv = day.as_array()[i];
          std::string at = field + "[" + std::to_string(i) + "]";
          if (!iv.is_object()) {
            in.AddError(at, "must be an object {start, end}");
            continue;
          }
          sla::HoursText text;
          for (const auto& [k, v] : iv.as_object()) {
            if (k != "start" && k != "end") in.AddError(at + "." + std::string(k), "unknown field");
          }
          for (const char* name : {"start", "end"}) {
            const value* v = iv.as_object().if_contains(name);
            if (!v || !v->is_string()) {
              in.AddError(at + "." + name, "must be a time HH:MM");
              continue;
            }
            (std::string_view(name) == "start" ? text.start : text.end) = std::string(v->as_string());
          }
          intervals.push_back(std::move(text));
        }
        days[std::string(key)] = std::move(intervals);
      }
      out.hours = std::move(days);
    }
  }
  if (const value* holidays = body.if_contains("holidays"); holidays && !holidays->is_null()) {
    if (!holidays->is_array()) {
      in.AddError("holidays", "must be an array of {date, recurring, name}");
    } else {
      std::vector<sla::Holiday> list;
      for (size_t i = 0; i < holidays->as_array().size(); ++i) {
        const value& h = holidays->as_array()[i];
        std::string at = "holidays[" + std::to_string(i) + "]";
        if (!h.is_object()) {
          in.AddError(at, "must be an object {date, recurring, name}");
          continue;
        }
        sla::Holiday holiday;
        for (const auto& [k, v] : h.as_object()) {
          std::string field = at + "." + std::string(k);
          if (k == "date") {
            if (v.is_string()) holiday.date = std::string(v.as_string());
            else in.AddError(field, "must be a date YYYY-MM-DD");
          } else if (k == "recurring") {
            if (v.is_bool()) holiday.recurring = v.as_bool();
            else if (!v.is_null()) in.AddError(field, "must be true or false");
          } else if (k == "name") {
            if (v.is_string()) holiday.name = std::string(v.as_string());
            else if (!v.is_null()) in.AddError(field, "must be a string");
          } else {
            in.AddError(field, "unknown field");
          }
        }
        if (!h.as_object().contains("date")) in.AddError(at + ".date", "is required");
        list.push_back(std::move(holiday));
      }
      out.holidays = std::move(list);
    }
  }
}

std::optional<int64_t> PositiveOrNull(const value& v, bool* ok) {
  *ok = true;
  if (v.is_null()) return std::nullopt;
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.as_uint64());
  *ok = false;
  return std::nullopt;
}

void ReadPolicyBody(const object& body, FieldReader& in, sla::PolicyInput& out) {
  out.name = in.String("name");
  out.position = in.Int("position");
  out.calendar_id = in.Int("calendar_id");
  out.pause_on = in.StringArray("pause_on");
  out.warn_at_percent = in.Int("warn_at_percent");
  out.pause_while_escalated = in.Bool("pause_while_escalated");
  if (const value* c = body.if_contains("conditions"); c && !c->is_null()) {
    if (!c->is_object()) {
      in.AddError("conditions", "must be an object {priorities, queue_ids, tags, requester_groups}");
    } else {
      sla::PolicyConditions conditions;
      for (const auto& [k, v] : c->as_object()) {
        std::string field = "conditions." + std::string(k);
        if (v.is_null()) continue;
        if (k == "priorities" || k == "tags" || k == "requester_groups") {
          bool ok = v.is_array();
          std::vector<std::string> items;
          if (ok) {
            for (const auto& item : v.as_array()) {
              if (!item.is_string()) ok = false;
              else items.emplace_back(item.as_string());
            }
          }
          if (!ok) in.AddError(field, "must be an array of strings");
          (k == "tags" ? conditions.tags : k == "priorities" ? conditions.priorities : conditions.requester_groups) =
              std::move(items);
        } else if (k == "queue_ids") {
          bool ok = v.is_array();
          if (ok) {
            for (const auto& item : v.as_array()) {
              bool item_ok = false;
              auto id = PositiveOrNull(item, &item_ok);
              if (!item_ok || !id || *id <= 0) ok = false;
              else conditions.queue_ids.push_back(*id);
            }
          }
          if (!ok) in.AddError(field, "must be an array of queue ids");
        } else {
          in.AddError(field, "unknown field");
        }
      }
      out.conditions = std::move(conditions);
    }
  }
  if (const value* t = body.if_contains("targets"); t && !t->is_null()) {
    if (!t->is_object()) {
      in.AddError("targets", "must be an object {first_response, next_response, resolution} in business minutes");
    } else {
      sla::PolicyTargets targets;
      for (const auto& [k, v] : t->as_object()) {
        std::string field = "targets." + std::string(k);
        bool ok = false;
        auto minutes = PositiveOrNull(v, &ok);
        if (!ok) {
          in.AddError(field, "must be an integer number of business minutes, or null");
          continue;
        }
        if (k == "first_response") targets.first_response = minutes;
        else if (k == "next_response") targets.next_response = minutes;
        else if (k == "resolution") targets.resolution = minutes;
        else in.AddError(field, "unknown field");
      }
      out.targets = targets;
    }
  }
}



}  // namespace

void RegisterSlaRoutes(Router& router, ApiServices& s) {
  router.Add("POST", "/api/v1/calendars", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage calendars"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "time_zone", "hours", "holidays"});
    sla::CalendarInput input;
    ReadCalendarBody(*body, in, input);
    if (Status st = in.Finish("calendar is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.sla.CreateCalendar(ctx.actor(), input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, CalendarJson(*created));
  });

  router.Add("GET", "/api/v1/calendars", [&s](CallContext& ctx) {
    auto calendars = s.sla.ListCalendars(ctx.actor());
    if (!calendars.ok()) return ErrorResponse(calendars.status(), ctx.request);
    array items;
    for (const auto& c : *calendars) items.push_back(CalendarJson(c));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/calendars/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("calendar not found"), ctx.request);
    auto calendar = s.sla.GetCalendar(ctx.actor(), *id);
    if (!calendar.ok()) return ErrorResponse(calendar.status(), ctx.request);
    return JsonResponse(200, CalendarJson(*calendar));
  });

  router.Add("PATCH", "/api/v1/calendars/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage calendars"), ctx.request);
    }
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("calendar not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "time_zone", "hours", "holidays"});
    sla::CalendarInput patch;
    ReadCalendarBody(*body, in, patch);
    if (Status st = in.Finish("calendar change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto calendar = s.sla.UpdateCalendar(ctx.actor(), *id, patch);
    if (!calendar.ok()) return ErrorResponse(calendar.status(), ctx.request);
    return JsonResponse(200, CalendarJson(*calendar));
  });

  router.Add("DELETE", "/api/v1/calendars/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage calendars"), ctx.request);
    }
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("calendar not found"), ctx.request);
    if (Status st = s.sla.DeleteCalendar(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });

  router.Add("POST", "/api/v1/sla-policies", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage SLA policies"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "position", "calendar_id", "conditions", "targets", "pause_on",
                                 "warn_at_percent", "pause_while_escalated"});
    sla::PolicyInput input;
    ReadPolicyBody(*body, in, input);
    if (Status st = in.Finish("SLA policy is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.sla.CreatePolicy(ctx.actor(), input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, PolicyJson(*created));
  });

  router.Add("GET", "/api/v1/sla-policies", [&s](CallContext& ctx) {
    auto policies = s.sla.ListPolicies(ctx.actor());
    if (!policies.ok()) return ErrorResponse(policies.status(), ctx.request);
    array items;
    for (const auto& p : *policies) items.push_back(PolicyJson(p));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/sla-policies/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("SLA policy not found"), ctx.request);
    auto policy = s.sla.GetPolicy(ctx.actor(), *id);
    if (!policy.ok()) return ErrorResponse(policy.status(), ctx.request);
    return JsonResponse(200, PolicyJson(*policy));
  });

  router.Add("PATCH", "/api/v1/sla-policies/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage SLA policies"), ctx.request);
    }
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("SLA policy not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "position", "calendar_id", "conditions", "targets", "pause_on",
                                 "warn_at_percent", "pause_while_escalated"});
    sla::PolicyInput patch;
    ReadPolicyBody(*body, in, patch);
    if (Status st = in.Finish("SLA policy change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto policy = s.sla.UpdatePolicy(ctx.actor(), *id, patch);
    if (!policy.ok()) return ErrorResponse(policy.status(), ctx.request);
    return JsonResponse(200, PolicyJson(*policy));
  });

  router.Add("DELETE", "/api/v1/sla-policies/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage SLA policies"), ctx.request);
    }
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("SLA policy not found"), ctx.request);
    if (Status st = s.sla.DeletePolicy(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });

  router.Add("GET", "/api/v1/tickets/{id}/sla", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    auto sla = s.sla.GetTicketSla(ctx.actor(), *id);
    if (!sla.ok()) return ErrorResponse(sla.status(), ctx.request);
    return JsonResponse(200, TicketSlaJson(*sla));
  });
}

}  // namespace opsdesk::http
