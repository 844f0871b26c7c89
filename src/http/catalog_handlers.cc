// The component catalog (src/catalog): staff read it. One component's page
// also lists its SOPs (published knowledge base articles related to it).
#include "catalog/catalog_service.h"
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

value RefJson(const std::optional<catalog::NamedRef>& ref) {
  if (!ref) return nullptr;
  return object{{"id", ref->id}, {"name", ref->name}};
}

object ComponentJson(const catalog::Component& c) {
  array on_call;
  for (const auto& o : c.on_call) {
    on_call.push_back(object{{"schedule_id", o.schedule_id},
                             {"schedule_name", o.schedule_name},
                             {"user_id", OptionalInt(o.user_id)},
                             {"display_name", o.user_id ? value(o.display_name) : value(nullptr)},
                             {"until", OptionalTime(o.until)}});
  }
  return object{{"id", c.id},
                {"name", c.name},
                {"description", c.description},
                {"team", RefJson(c.team)},
                {"escalation_policy", RefJson(c.escalation_policy)},
                {"on_call", std::move(on_call)},
                {"open_tickets", c.open_tickets},
                {"open_escalations", c.open_escalations}};
}

// GET /components/{id}: the component with its SOPs, newest change first.
object ComponentDetailJson(const catalog::Component& c) {
  object out = ComponentJson(c);
  array sops;
  for (const auto& sop : c.sops) {
    sops.push_back(object{{"id", sop.id},
                          {"title", sop.title},
                          {"category", sop.category},
                          {"audience", sop.audience},
                          {"updated_at", FormatTimestamp(sop.updated_at)}});
  }
  out["sops"] = std::move(sops);
  return out;
}

}  // namespace

void RegisterCatalogRoutes(Router& router, ApiServices& services) {
  ApiServices& s = services;

  router.Add("GET", "/api/v1/components", [&s](CallContext& ctx) {
    auto list = s.catalog.List(ctx.actor());
    if (!list.ok()) return ErrorResponse(list.status(), ctx.request);
    array items;
    for (const auto& c : *list) items.push_back(ComponentJson(c));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/components/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("component not found"), ctx.request);
    auto c = s.catalog.Get(ctx.actor(), *id);
    if (!c.ok()) return ErrorResponse(c.status(), ctx.request);
    return JsonResponse(200, ComponentDetailJson(*c));
  });
}

}  // namespace opsdesk::http
