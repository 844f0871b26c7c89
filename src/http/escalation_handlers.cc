// Escalations of tickets (docs/ESCALATION.md): create and list per ticket, the
// open list, acknowledge (signed in, or by the signed link in a page), resolve,
// cancel.
#include "escalation/escalation_service.h"
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

using boost::json::object;

object ClockJson(const escalation::EscalationClock& c) {
  return object{{"target_minutes", c.target_minutes},
                {"due_at", FormatTimestamp(c.due_at)},
                {"met_at", OptionalTime(c.met_at)},
                {"state", c.state}};
}

object EscalationJson(const escalation::Escalation& e, TimestampMs now) {
  return object{{"id", e.id},
                {"ticket_id", e.ticket_id},
                {"policy_id", OptionalInt(e.policy_id)},
                {"tier", e.tier},
                {"severity", e.severity},
                {"reason", e.reason},
                {"state", e.state},
                {"open", e.IsOpen()},
                {"level", e.level},
                {"step", e.step},
                {"created_by", OptionalInt(e.created_by)},
                {"created_at", FormatTimestamp(e.created_at)},
                {"updated_at", FormatTimestamp(e.updated_at)},
                {"acknowledged_by", OptionalInt(e.acknowledged_by)},
                {"acknowledged_at", OptionalTime(e.acknowledged_at)},
                {"resolved_by", OptionalInt(e.resolved_by)},
                {"resolved_at", OptionalTime(e.resolved_at)},
                {"cancelled_by", OptionalInt(e.cancelled_by)},
                {"cancelled_at", OptionalTime(e.cancelled_at)},
                {"rule_id", OptionalInt(e.rule_id)},
                {"responded_by", OptionalInt(e.responded_by)},
                {"responded_at", OptionalTime(e.responded_at)},
                {"clocks", object{{"acknowledge", ClockJson(e.AckClock(now))},
                                  {"response", ClockJson(e.ResponseClock(now))}}}};
}

Response ListJson(const std::vector<escalation::Escalation>& list, TimestampMs now) {
  boost::json::array items;
  for (const auto& e : list) items.push_back(EscalationJson(e, now));
  return PageResponse(std::move(items), std::nullopt);
}

Response NotFound(const CallContext& ctx, const char* what) {
  return ErrorResponse(Status::NotFound(std::string(what) + " not found"), ctx.request);
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

void RegisterEscalationRoutes(Router& router, ApiServices& services) {
  ApiServices& s = services;

  router.Add("POST", "/api/v1/tickets/{id}/escalations", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx, "ticket");
    // Requesters are refused before the body is read (404 for a foreign ticket).
    if (!ctx.actor().IsStaff()) {
      auto refused = s.escalations.ListForTicket(ctx.actor(), *id);
      return ErrorResponse(refused.ok() ? Status::PermissionDenied("only staff escalate") : refused.status(),
                           ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"reason", "severity", "tier"});
    escalation::NewEscalation input;
    if (auto v = in.String("reason", true)) input.reason = *v;
    if (auto v = in.String("severity", true)) input.severity = *v;
    if (auto v = in.String("tier")) input.tier = *v;
    if (Status st = in.Finish("escalation is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.escalations.Create(ctx.actor(), *id, input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, EscalationJson(*created, s.clock.NowMs()));
  });

  router.Add("GET", "/api/v1/tickets/{id}/escalations", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx, "ticket");
    auto list = s.escalations.ListForTicket(ctx.actor(), *id);
    if (!list.ok()) return ErrorResponse(list.status(), ctx.request);
    return ListJson(*list, s.clock.NowMs());
  });

  router.Add("GET", "/api/v1/escalations", [&s](CallContext& ctx) {
    auto list = s.escalations.List(ctx.actor(), ctx.request.QueryParam("state"));
    if (!list.ok()) return ErrorResponse(list.status(), ctx.request);
    return ListJson(*list, s.clock.NowMs());
  });

  router.Add("GET", "/api/v1/escalations/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx, "escalation");
    auto e = s.escalations.Get(ctx.actor(), *id);
    if (!e.ok()) return ErrorResponse(e.status(), ctx.request);
    return JsonResponse(200, EscalationJson(*e, s.clock.NowMs()));
  });

  auto transition = [&s](const char* action) {
    std::string what = action;
    return [&s, what](CallContext& ctx) {
      auto id = IdParam(ctx);
      if (!id) return NotFound(ctx, "escalation");
      Result<escalation::Escalation> e = what == "ack"       ? s.escalations.Acknowledge(ctx.actor(), *id)
                                         : what == "resolve" ? s.escalations.Resolve(ctx.actor(), *id)
                                                             : s.escalations.Cancel(ctx.actor(), *id);
      if (!e.ok()) return ErrorResponse(e.status(), ctx.request);
      return JsonResponse(200, EscalationJson(*e, s.clock.NowMs()));
    };
  };
  router.Add("POST", "/api/v1/escalations/{id}/ack", transition("ack"));
  router.Add("POST", "/api/v1/escalations/{id}/resolve", transition("resolve"));
  router.Add("POST", "/api/v1/escalations/{id}/cancel", transition("cancel"));

  // The signed link from a page: no session; the token is the authority.
  router.Add(
      "GET", "/api/v1/escalations/{id}/ack",
      [&s](CallContext& ctx) {
        auto id = IdParam(ctx);
        if (!id) return NotFound(ctx, "escalation");
        auto e = s.escalations.AcknowledgeByLink(*id, ctx.request.QueryParam("token").value_or(""));
        if (!e.ok()) return ErrorResponse(e.status(), ctx.request);
        auto accept = ctx.request.Header("Accept");
        if (accept && accept->find("application/json") != std::string::npos) {
          return JsonResponse(200, EscalationJson(*e, s.clock.NowMs()));
        }
        Response r;
        r.status = 200;
        r.content_type = "text/html; charset=utf-8";
        std::string ticket = std::to_string(e->ticket_id);
        r.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Acknowledged</title></head><body>"
                 "<h1>Acknowledged</h1><p>Escalation #" +
                 std::to_string(e->id) + " of ticket #" + ticket + " is " + HtmlEscape(e->state) +
                 ". Paging has stopped.</p><p><a href=\"/agent/tickets/" + ticket +
                 "\">Open the ticket</a></p></body></html>";
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
      },
      false);
}

}  // namespace opsdesk::http
