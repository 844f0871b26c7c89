// Live updates (Server-Sent Events) and presence on tickets.
#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::http {
namespace {

// One SSE frame. Data is single-line JSON, so one `data:` line suffices.
std::string SseFrame(const std::string& event, const std::string& data) {
  if (event == "ping") return ": ping\n\n";  // a comment: keeps the stream warm, no client event
  return "event: " + event + "\ndata: " + data + "\n\n";
}

Response ViewersResponse(int status, const std::vector<live::Viewer>& viewers) {
  boost::json::array items;
  for (const auto& v : viewers) {
    items.push_back(boost::json::object{{"user_id", v.user_id}, {"display_name", v.display_name}, {"state", v.state}});
  }
  return JsonResponse(status, boost::json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

}  // namespace

void RegisterLiveRoutes(Router& router, ApiServices& s) {
  router.Add("GET", "/api/v1/live", [&s](CallContext& ctx) {
    Response response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
    auth::User user = *ctx.user;
    live::LiveHub& hub = s.live;
    response.stream = [&hub, user](std::shared_ptr<StreamSink> sink) {
      // Reconnect after 3 s when the stream drops.
      if (!sink->Write("retry: 3000\n\n")) return;
      hub.Subscribe(user, [sink](const std::string& event, const std::string& data) {
        return sink->IsOpen() && sink->Write(SseFrame(event, data));
      });
    };
    return response;
  });

  auto presence_route = [&s](live::PresenceState state) {
    return [&s, route_state = state](CallContext& ctx) {
      live::PresenceState state = route_state;
      auto id = IdParam(ctx);
      if (!id) return ErrorResponse(Status::NotFound("no such ticket"), ctx.request);
      if (state != live::PresenceState::kLeft) {
        auto body = ParseJsonObject(ctx.request);
        if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
        FieldReader in(*body, {"state"});
        auto text = in.String("state", true);
        if (text && *text != "viewing" && *text != "typing") in.AddError("state", "must be viewing or typing");
        if (Status st = in.Finish("presence is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
        state = *text == "typing" ? live::PresenceState::kTyping : live::PresenceState::kViewing;
      }
      // Visibility first, so presence cannot probe for tickets.
      auto ticket = s.tickets.Get(ctx.actor(), *id);
      if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
      if (Status st = s.live.SetPresence(*ctx.user, *id, state); !st.ok()) return ErrorResponse(st, ctx.request);
      if (state == live::PresenceState::kLeft) {
        Response response;
        response.status = 204;
        return response;
      }
      return ViewersResponse(200, s.live.Viewers(*id));
    };
  };
  router.Add("PUT", "/api/v1/tickets/{id}/presence", presence_route(live::PresenceState::kViewing));
  router.Add("DELETE", "/api/v1/tickets/{id}/presence", presence_route(live::PresenceState::kLeft));

  router.Add("GET", "/api/v1/tickets/{id}/presence", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("no such ticket"), ctx.request);
    auto ticket = s.tickets.Get(ctx.actor(), *id);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    if (!ctx.actor().IsStaff()) return ErrorResponse(Status::PermissionDenied("presence is for agents"), ctx.request);
    return ViewersResponse(200, s.live.Viewers(*id));
  });
}

}  // namespace opsdesk::http
