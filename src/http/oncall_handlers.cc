// On-call schedules, overrides, who-is-on-call look-ups, escalation policies and
// the queue -> escalation policy pointer (docs/ONCALL.md).
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;

Response Forbidden(const CallContext& ctx, const char* what) {
  return ErrorResponse(Status::PermissionDenied(std::string("only leads and admins manage ") + what), ctx.request);
}

bool WriterOrDeny(const CallContext& ctx) { return ctx.actor().IsLeadOrAdmin(); }

// Moves a nested reader's field errors into the outer one as "prefix.field".
void Nest(FieldReader& outer, const std::string& prefix, const FieldReader& inner) {
  Status st = inner.Finish("nested");
  for (const auto& [field, message] : st.fields()) outer.AddError(prefix + "." + field, message);
}

std::optional<std::vector<int64_t>> IdArray(const object& body, std::string_view name, FieldReader& in,
                                            const std::string& report_as) {
  const auto* v = body.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  std::vector<int64_t> out;
  bool ok = v->is_array();
  if (ok) {
    for (const auto& item : v->as_array()) {
      if (!item.is_int64() || item.as_int64() <= 0) {
        ok = false;
      } else {
        out.push_back(item.as_int64());
      }
    }
  }
  if (!ok) {
    in.AddError(report_as, "must be an array of user ids");
    return std::nullopt;
  }
  return out;
}

std::optional<TimestampMs> TimeField(FieldReader& in, std::string_view name, bool required) {
  auto text = in.String(name, required);
  if (!text) return std::nullopt;
  TimestampMs ms = 0;
  if (!ParseTimestamp(*text, &ms)) {
    in.AddError(std::string(name), "must be an RFC 3339 time such as 2025-03-30T09:00:00Z");
    return std::nullopt;
  }
  return ms;
}

// ?name= as an RFC 3339 time; `fallback` when absent.
Result<TimestampMs> TimeQuery(const Request& request, const char* name, std::optional<TimestampMs> fallback) {
  auto text = request.QueryParam(name);
  if (!text) {
    if (fallback) return *fallback;
    return Status::InvalidArgument("invalid query", {{name, "is required"}});
  }
  TimestampMs ms = 0;
  if (!ParseTimestamp(*text, &ms)) {
    return Status::InvalidArgument("invalid query", {{name, "must be an RFC 3339 time such as 2025-03-30T09:00:00Z"}});
  }
  return ms;
}

Result<std::optional<int64_t>> TeamQuery(const Request& request) {
  auto text = request.QueryParam("team_id");
  if (!text) return std::optional<int64_t>();
  int64_t id = 0;
  try {
    size_t used = 0;
    id = std::stoll(*text, &used);
    if (used != text->size()) id = 0;
  } catch (const std::exception&) {
    id = 0;
  }
  if (id <= 0) return Status::InvalidArgument("invalid query", {{"team_id", "must be a team id"}});
  return std::optional<int64_t>(id);
}

// --- JSON out

object LayerJson(const oncall::Layer& l) {
  array participants;
  for (int64_t id : l.participant_ids) participants.push_back(id);
  return object{{"name", l.name},
                {"participant_ids", std::move(participants)},
                {"rotation", oncall::RotationKindName(l.rotation)},
                {"rotation_hours", l.rotation_hours},
                {"start_date", l.start_date},
                {"handoff_time", l.handoff_time}};
}

object OverrideJson(const oncall::ScheduleOverride& o) {
  return object{{"id", o.id},
                {"schedule_id", o.schedule_id},
                {"user_id", o.user_id},
                {"start_at", FormatTimestamp(o.start_at)},
                {"end_at", FormatTimestamp(o.end_at)},
                {"created_by", OptionalInt(o.created_by)},
                {"created_at", FormatTimestamp(o.created_at)}};
}

object ScheduleJson(const oncall::Schedule& s) {
  array layers, overrides;
  for (const auto& l : s.layers) layers.push_back(LayerJson(l));
  for (const auto& o : s.overrides) overrides.push_back(OverrideJson(o));
  return object{{"id", s.id},
                {"team_id", s.team_id},
                {"name", s.name},
                {"description", s.description},
                {"time_zone", s.time_zone},
                {"layers", std::move(layers)},
                {"overrides", std::move(overrides)},
                {"version", s.version},
                {"created_at", FormatTimestamp(s.created_at)},
                {"updated_at", FormatTimestamp(s.updated_at)}};
}

object PolicyJson(const oncall::EscalationPolicy& p) {
  array levels, queues;
  for (const auto& level : p.levels) {
    array targets;
    for (const auto& t : level.targets) targets.push_back(object{{"type", oncall::TargetKindName(t.kind)}, {"id", t.id}});
    levels.push_back(object{{"targets", std::move(targets)}, {"ack_timeout_minutes", level.ack_timeout_minutes}});
  }
  for (int64_t id : p.queue_ids) queues.push_back(id);
  return object{{"id", p.id},
                {"team_id", p.team_id},
                {"name", p.name},
                {"description", p.description},
                {"levels", std::move(levels)},
                {"repeat", p.repeat},
                {"notify_lead_when_exhausted", p.notify_lead_when_exhausted},
                {"queue_ids", std::move(queues)},
                {"created_at", FormatTimestamp(p.created_at)},
                {"updated_at", FormatTimestamp(p.updated_at)}};
}

// --- JSON in

std::optional<std::vector<oncall::Layer>> ReadLayers(const object& body, FieldReader& in) {
  const auto* v = body.if_contains("layers");
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    in.AddError("layers", "must be an array of layers");
    return std::nullopt;
  }
  std::vector<oncall::Layer> layers;
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    std::string prefix = "layers[" + std::to_string(i) + "]";
    const auto& item = v->as_array()[i];
    if (!item.is_object()) {
      in.AddError(prefix, "must be an object");
      continue;
    }
    const object& lo = item.as_object();
    FieldReader lr(lo, {"name", "participant_ids", "rotation", "rotation_hours", "start_date", "handoff_time"});
    oncall::Layer layer;
    layer.name = lr.String("name").value_or("");
    layer.participant_ids = IdArray(lo, "participant_ids", lr, "participant_ids").value_or(std::vector<int64_t>{});
    auto rotation = lr.String("rotation", true);
    if (rotation) {
      auto kind = oncall::ParseRotationKind(*rotation);
      if (!kind) {
        lr.AddError("rotation", "must be one of daily, weekly, custom");
      } else {
        layer.rotation = *kind;
      }
    }
    auto hours = lr.Int("rotation_hours", layer.rotation == oncall::RotationKind::kCustom);
    if (hours && (*hours < 0 || *hours > 100000)) {
      lr.AddError("rotation_hours", "must be from 1 to 8760 hours");
    } else {
      layer.rotation_hours = hours ? static_cast<int>(*hours)
                             : layer.rotation == oncall::RotationKind::kDaily ? 24
                                                                              : 168;
    }
    layer.start_date = lr.String("start_date", true).value_or("");
    layer.handoff_time = lr.String("handoff_time", true).value_or("");
    Nest(in, prefix, lr);
    layers.push_back(std::move(layer));
  }
  return layers;
}

std::optional<std::vector<oncall::EscalationLevel>> ReadLevels(const object& body, FieldReader& in) {
  const auto* v = body.if_contains("levels");
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    in.AddError("levels", "must be an array of levels");
    return std::nullopt;
  }
  std::vector<oncall::EscalationLevel> levels;
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    std::string prefix = "levels[" + std::to_string(i) + "]";
    const auto& item = v->as_array()[i];
    if (!item.is_object()) {
      in.AddError(prefix, "must be an object");
      continue;
    }
    const object& lo = item.as_object();
    FieldReader lr(lo, {"targets", "ack_timeout_minutes"});
    oncall::EscalationLevel level;
    auto timeout = lr.Int("ack_timeout_minutes", true);
    if (timeout) level.ack_timeout_minutes = static_cast<int>(std::clamp<int64_t>(*timeout, -1, 100000));
    const auto* targets = lo.if_contains("targets");
    bool ok = targets && targets->is_array();
    if (ok) {
      for (const auto& t : targets->as_array()) {
        const object* to = t.if_object();
        const auto* type = to ? to->if_contains("type") : nullptr;
        const auto* id = to ? to->if_contains("id") : nullptr;
        auto kind = type && type->is_string() ? oncall::ParseTargetKind(type->as_string()) : std::nullopt;
        if (!kind || !id || !id->is_int64() || to->size() != 2) {
          ok = false;
          break;
        }
        level.targets.push_back({*kind, id->as_int64()});
      }
    }
    if (!ok) {
      lr.AddError("targets",
                  "must be an array of {type: user|schedule|team_on_call, id: integer}");
    }
    Nest(in, prefix, lr);
    levels.push_back(std::move(level));
  }
  return levels;
}

}  // namespace

void RegisterOnCallRoutes(Router& router, ApiServices& s) {
  // --- schedules
  router.Add("GET", "/api/v1/schedules", [&s](CallContext& ctx) {
    auto team = TeamQuery(ctx.request);
    if (!team.ok()) return ErrorResponse(team.status(), ctx.request);
    auto schedules = s.oncall.ListSchedules(ctx.actor(), *team);
    if (!schedules.ok()) return ErrorResponse(schedules.status(), ctx.request);
    array items;
    for (const auto& sc : *schedules) items.push_back(ScheduleJson(sc));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("POST", "/api/v1/schedules", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "on-call schedules");
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"team_id", "name", "description", "time_zone", "layers"});
    oncall::ScheduleInput input;
    input.team_id = in.Int("team_id", true).value_or(0);
    input.name = in.String("name", true).value_or("");
    input.description = in.String("description").value_or("");
    input.time_zone = in.String("time_zone", true).value_or("UTC");
    input.layers = ReadLayers(*body, in).value_or(std::vector<oncall::Layer>{});
    if (Status st = in.Finish("schedule is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.oncall.CreateSchedule(ctx.actor(), input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, ScheduleJson(*created));
  });

  router.Add("GET", "/api/v1/schedules/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    auto schedule = s.oncall.GetSchedule(ctx.actor(), *id);
    if (!schedule.ok()) return ErrorResponse(schedule.status(), ctx.request);
    return JsonResponse(200, ScheduleJson(*schedule));
  });

  router.Add("PATCH", "/api/v1/schedules/{id}", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "on-call schedules");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"team_id", "name", "description", "time_zone", "layers"});
    oncall::SchedulePatch patch;
    patch.team_id = in.Int("team_id");
    patch.name = in.String("name");
    patch.description = in.String("description");
    patch.time_zone = in.String("time_zone");
    patch.layers = ReadLayers(*body, in);
    if (Status st = in.Finish("schedule change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto updated = s.oncall.UpdateSchedule(ctx.actor(), *id, patch);
    if (!updated.ok()) return ErrorResponse(updated.status(), ctx.request);
    return JsonResponse(200, ScheduleJson(*updated));
  });

  router.Add("DELETE", "/api/v1/schedules/{id}", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "on-call schedules");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    if (Status st = s.oncall.DeleteSchedule(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    Response r;
    r.status = 204;
    return r;
  });

  router.Add("POST", "/api/v1/schedules/{id}/overrides", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "on-call schedules");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"user_id", "start_at", "end_at"});
    oncall::NewOverride input;
    input.user_id = in.Int("user_id", true).value_or(0);
    auto start = TimeField(in, "start_at", true);
    auto end = TimeField(in, "end_at", true);
    if (Status st = in.Finish("override is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    input.start_at = *start;
    input.end_at = *end;
    auto created = s.oncall.AddOverride(ctx.actor(), *id, input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, OverrideJson(*created));
  });

  router.Add("DELETE", "/api/v1/schedules/{id}/overrides/{override_id}", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "on-call schedules");
    auto id = IdParam(ctx);
    auto override_id = IdParam(ctx, "override_id");
    if (!id || !override_id) return ErrorResponse(Status::NotFound("override not found"), ctx.request);
    if (Status st = s.oncall.DeleteOverride(ctx.actor(), *id, *override_id); !st.ok()) {
      return ErrorResponse(st, ctx.request);
    }
    Response r;
    r.status = 204;
    return r;
  });

  router.Add("GET", "/api/v1/schedules/{id}/on-call", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    auto at = TimeQuery(ctx.request, "at", s.clock.NowMs());
    if (!at.ok()) return ErrorResponse(at.status(), ctx.request);
    auto who = s.oncall.WhoIsOnCall(ctx.actor(), *id, *at);
    if (!who.ok()) return ErrorResponse(who.status(), ctx.request);
    return JsonResponse(200, object{{"schedule_id", *id},
                                    {"at", FormatTimestamp(*at)},
                                    {"user_id", OptionalInt(who->user_id)},
                                    {"until", OptionalTime(who->until)}});
  });

  router.Add("GET", "/api/v1/schedules/{id}/shifts", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("schedule not found"), ctx.request);
    auto from = TimeQuery(ctx.request, "from", std::nullopt);
    if (!from.ok()) return ErrorResponse(from.status(), ctx.request);
    auto to = TimeQuery(ctx.request, "to", std::nullopt);
    if (!to.ok()) return ErrorResponse(to.status(), ctx.request);
    auto shifts = s.oncall.Shifts(ctx.actor(), *id, *from, *to);
    if (!shifts.ok()) return ErrorResponse(shifts.status(), ctx.request);
    array items;
    for (const auto& sh : *shifts) {
      items.push_back(object{{"user_id", sh.user_id},
                             {"start_at", FormatTimestamp(sh.start_at)},
                             {"end_at", FormatTimestamp(sh.end_at)}});
    }
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/teams/{id}/on-call", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("team not found"), ctx.request);
    auto at = TimeQuery(ctx.request, "at", s.clock.NowMs());
    if (!at.ok()) return ErrorResponse(at.status(), ctx.request);
    auto on_call = s.oncall.TeamOnCall(ctx.actor(), *id, *at);
    if (!on_call.ok()) return ErrorResponse(on_call.status(), ctx.request);
    array schedules;
    for (const auto& o : *on_call) {
      schedules.push_back(object{{"schedule_id", o.schedule_id},
                                 {"schedule_name", o.schedule_name},
                                 {"user_id", OptionalInt(o.user_id)},
                                 {"until", OptionalTime(o.until)}});
    }
    return JsonResponse(200,
                        object{{"team_id", *id}, {"at", FormatTimestamp(*at)}, {"schedules", std::move(schedules)}});
  });

  // --- escalation policies
  router.Add("GET", "/api/v1/escalation-policies", [&s](CallContext& ctx) {
    auto team = TeamQuery(ctx.request);
    if (!team.ok()) return ErrorResponse(team.status(), ctx.request);
    auto policies = s.oncall.ListPolicies(ctx.actor(), *team);
    if (!policies.ok()) return ErrorResponse(policies.status(), ctx.request);
    array items;
    for (const auto& p : *policies) items.push_back(PolicyJson(p));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("POST", "/api/v1/escalation-policies", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "escalation policies");
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"team_id", "name", "description", "levels", "repeat", "notify_lead_when_exhausted"});
    oncall::EscalationPolicyInput input;
    input.team_id = in.Int("team_id", true).value_or(0);
    input.name = in.String("name", true).value_or("");
    input.description = in.String("description").value_or("");
    if (!in.Has("levels")) in.AddError("levels", "is required");
    input.levels = ReadLevels(*body, in).value_or(std::vector<oncall::EscalationLevel>{});
    input.repeat = static_cast<int>(std::clamp<int64_t>(in.Int("repeat").value_or(0), -1, 1000));
    input.notify_lead_when_exhausted = in.Bool("notify_lead_when_exhausted").value_or(true);
    if (Status st = in.Finish("escalation policy is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.oncall.CreatePolicy(ctx.actor(), input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, PolicyJson(*created));
  });

  router.Add("GET", "/api/v1/escalation-policies/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation policy not found"), ctx.request);
    auto policy = s.oncall.GetPolicy(ctx.actor(), *id);
    if (!policy.ok()) return ErrorResponse(policy.status(), ctx.request);
    return JsonResponse(200, PolicyJson(*policy));
  });

  router.Add("PATCH", "/api/v1/escalation-policies/{id}", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "escalation policies");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation policy not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"team_id", "name", "description", "levels", "repeat", "notify_lead_when_exhausted"});
    oncall::EscalationPolicyPatch patch;
    patch.team_id = in.Int("team_id");
    patch.name = in.String("name");
    patch.description = in.String("description");
    patch.levels = ReadLevels(*body, in);
    if (auto repeat = in.Int("repeat")) patch.repeat = static_cast<int>(std::clamp<int64_t>(*repeat, -1, 1000));
    patch.notify_lead_when_exhausted = in.Bool("notify_lead_when_exhausted");
    if (Status st = in.Finish("escalation policy change is not valid"); !st.ok()) {
      return ErrorResponse(st, ctx.request);
    }
    auto updated = s.oncall.UpdatePolicy(ctx.actor(), *id, patch);
    if (!updated.ok()) return ErrorResponse(updated.status(), ctx.request);
    return JsonResponse(200, PolicyJson(*updated));
  });

  router.Add("DELETE", "/api/v1/escalation-policies/{id}", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "escalation policies");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation policy not found"), ctx.request);
    if (Status st = s.oncall.DeletePolicy(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    Response r;
    r.status = 204;
    return r;
  });

  // --- queues (components) -> escalation policy
  router.Add("PUT", "/api/v1/queues/{id}/escalation-policy", [&s](CallContext& ctx) {
    if (!WriterOrDeny(ctx)) return Forbidden(ctx, "queues");
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("queue not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"escalation_policy_id"});
    if (!in.Has("escalation_policy_id")) in.AddError("escalation_policy_id", "is required (null for none)");
    auto policy = in.Int("escalation_policy_id");
    if (Status st = in.Finish("queue escalation is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto set = s.oncall.SetQueueEscalationPolicy(ctx.actor(), *id, policy);
    if (!set.ok()) return ErrorResponse(set.status(), ctx.request);
    return JsonResponse(200, object{{"queue_id", set->queue_id},
                                    {"escalation_policy_id", OptionalInt(set->escalation_policy_id)}});
  });
}

}  // namespace opsdesk::http
