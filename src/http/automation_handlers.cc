// Automatic escalation rules and the escalation clocks' targets per severity
// (docs/ESCALATION.md). Leads and admins change them; agents read them.
#include "automation/escalation_rules.h"
#include "escalation/escalation_service.h"
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;

template <typename T>
array ToArray(const std::vector<T>& items) {
  array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

object RuleJson(const automation::EscalationRule& r) {
  return object{{"id", r.id},
                {"name", r.name},
                {"trigger", r.trigger},
                {"minutes", OptionalInt(r.minutes)},
                {"priorities", ToArray(r.priorities)},
                {"queue_ids", ToArray(r.queue_ids)},
                {"tier", r.tier},
                {"severity", r.severity},
                {"enabled", r.enabled},
                {"created_at", FormatTimestamp(r.created_at)},
                {"updated_at", FormatTimestamp(r.updated_at)}};
}

object TargetsJson(const escalation::SeverityTargets& t) {
  return object{{"severity", t.severity}, {"ack_minutes", t.ack_minutes}, {"response_minutes", t.response_minutes}};
}

// Refuses non-managers before the body is read, so they learn nothing from it.
std::optional<Response> RefuseUnlessManager(const CallContext& ctx, const char* what) {
  if (ctx.actor().IsLeadOrAdmin()) return std::nullopt;
  return ErrorResponse(Status::PermissionDenied(std::string("only leads and admins manage ") + what), ctx.request);
}

Result<automation::RuleInput> ReadRule(const CallContext& ctx) {
  auto body = ParseJsonObject(ctx.request);
  if (!body.ok()) return body.status();
  FieldReader in(*body, {"name", "trigger", "minutes", "priorities", "queue_ids", "tier", "severity", "enabled"});
  automation::RuleInput input;
  input.name = in.String("name");
  input.trigger = in.String("trigger");
  input.minutes = in.Int("minutes");
  input.priorities = in.StringArray("priorities");
  input.queue_ids = in.IdArray("queue_ids");
  input.tier = in.String("tier");
  input.severity = in.String("severity");
  input.enabled = in.Bool("enabled");
  OPSDESK_RETURN_IF_ERROR(in.Finish("escalation rule is not valid"));
  return input;
}

}  // namespace

void RegisterAutomationRoutes(Router& router, ApiServices& services) {
  ApiServices& s = services;

  router.Add("POST", "/api/v1/escalation-rules", [&s](CallContext& ctx) {
    if (auto refused = RefuseUnlessManager(ctx, "escalation rules")) return *refused;
    auto input = ReadRule(ctx);
    if (!input.ok()) return ErrorResponse(input.status(), ctx.request);
    auto created = s.rules.Create(ctx.actor(), *input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, RuleJson(*created));
  });

  router.Add("GET", "/api/v1/escalation-rules", [&s](CallContext& ctx) {
    auto rules = s.rules.List(ctx.actor());
    if (!rules.ok()) return ErrorResponse(rules.status(), ctx.request);
    array items;
    for (const auto& r : *rules) items.push_back(RuleJson(r));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/escalation-rules/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation rule not found"), ctx.request);
    auto rule = s.rules.Get(ctx.actor(), *id);
    if (!rule.ok()) return ErrorResponse(rule.status(), ctx.request);
    return JsonResponse(200, RuleJson(*rule));
  });

  router.Add("PATCH", "/api/v1/escalation-rules/{id}", [&s](CallContext& ctx) {
    if (auto refused = RefuseUnlessManager(ctx, "escalation rules")) return *refused;
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation rule not found"), ctx.request);
    auto input = ReadRule(ctx);
    if (!input.ok()) return ErrorResponse(input.status(), ctx.request);
    auto rule = s.rules.Update(ctx.actor(), *id, *input);
    if (!rule.ok()) return ErrorResponse(rule.status(), ctx.request);
    return JsonResponse(200, RuleJson(*rule));
  });

  router.Add("DELETE", "/api/v1/escalation-rules/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("escalation rule not found"), ctx.request);
    if (Status st = s.rules.Delete(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });

  router.Add("GET", "/api/v1/escalation-targets", [&s](CallContext& ctx) {
    auto targets = s.escalations.ListTargets(ctx.actor());
    if (!targets.ok()) return ErrorResponse(targets.status(), ctx.request);
    array items;
    for (const auto& t : *targets) items.push_back(TargetsJson(t));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("PUT", "/api/v1/escalation-targets/{severity}", [&s](CallContext& ctx) {
    if (auto refused = RefuseUnlessManager(ctx, "escalation targets")) return *refused;
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"ack_minutes", "response_minutes"});
    escalation::SeverityTargets targets;
    targets.severity = ctx.params.count("severity") ? ctx.params.at("severity") : "";
    auto ack = in.Int("ack_minutes", true);
    auto response = in.Int("response_minutes", true);
    if (Status st = in.Finish("escalation targets are not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    targets.ack_minutes = *ack;
    targets.response_minutes = *response;
    auto set = s.escalations.SetTargets(ctx.actor(), targets);
    if (!set.ok()) return ErrorResponse(set.status(), ctx.request);
    return JsonResponse(200, TargetsJson(*set));
  });
}

}  // namespace opsdesk::http
