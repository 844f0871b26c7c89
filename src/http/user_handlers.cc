// Users (admins manage; staff read the directory) and teams and queues.
#include "http/api.h"
#include "http/json_io.h"
#include "http/views.h"

namespace opsdesk::http {

void RegisterUserRoutes(Router& router, ApiServices& s) {
  router.Add("POST", "/api/v1/users", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only admins can create users"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"email", "display_name", "role", "password", "time_zone", "is_active", "group"});
    auth::NewUser user;
    user.email = in.String("email", true).value_or("");
    user.display_name = in.String("display_name", true).value_or("");
    user.role = in.String("role").value_or("requester");
    user.password = in.String("password");
    user.time_zone = in.String("time_zone").value_or("UTC");
    user.group = in.String("group").value_or("");
    user.is_active = in.Bool("is_active").value_or(true);
    if (Status st = in.Finish("user is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.users.Create(ctx.actor(), user);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, UserJson(*created));
  });

  router.Add("GET", "/api/v1/users", [&s](CallContext& ctx) {
    auth::UserFilter filter;
    if (Status st = ReadPaging(ctx.request, &filter.limit, &filter.cursor); !st.ok()) {
      return ErrorResponse(st, ctx.request);
    }
    if (auto role = ctx.request.QueryParam("role")) {
      filter.role = auth::ParseRole(*role);
      if (!filter.role) {
        return ErrorResponse(Status::InvalidArgument("invalid query", {{"role", "must be one of requester, agent, lead, admin"}}),
                             ctx.request);
      }
    }
    if (auto active = ctx.request.QueryParam("is_active")) {
      if (*active != "true" && *active != "false") {
        return ErrorResponse(Status::InvalidArgument("invalid query", {{"is_active", "must be true or false"}}),
                             ctx.request);
      }
      filter.is_active = *active == "true";
    }
    auto page = s.users.List(ctx.actor(), filter);
    if (!page.ok()) return ErrorResponse(page.status(), ctx.request);
    boost::json::array items;
    for (const auto& u : page->items) items.push_back(UserJson(u));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("GET", "/api/v1/users/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("user not found"), ctx.request);
    auto user = s.users.Get(ctx.actor(), *id);
    if (!user.ok()) return ErrorResponse(user.status(), ctx.request);
    return JsonResponse(200, UserJson(*user));
  });

  router.Add("PATCH", "/api/v1/users/{id}", [&s](CallContext& ctx) {
    if (!ctx.actor().IsAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only admins can change users"), ctx.request);
    }
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("user not found"), ctx.request);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body,
                   {"display_name", "role", "is_active", "time_zone", "password", "group", "kb_editor", "senior"});
    auth::UserPatch patch;
    patch.display_name = in.String("display_name");
    patch.role = in.String("role");
    patch.is_active = in.Bool("is_active");
    patch.time_zone = in.String("time_zone");
    if (in.IsNull("group")) patch.group = "";
    else patch.group = in.String("group");
    patch.password = in.String("password");
    patch.kb_editor = in.Bool("kb_editor");
    patch.senior = in.Bool("senior");
    if (Status st = in.Finish("user change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto user = s.users.Update(ctx.actor(), *id, patch);
    if (!user.ok()) return ErrorResponse(user.status(), ctx.request);
    return JsonResponse(200, UserJson(*user));
  });
}

void RegisterQueueRoutes(Router& router, ApiServices& s) {
  router.Add("POST", "/api/v1/teams", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage teams"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "description", "member_ids"});
    queues::NewTeam team;
    team.name = in.String("name", true).value_or("");
    team.description = in.String("description").value_or("");
    if (body->contains("member_ids")) {
      const auto& v = body->at("member_ids");
      bool ok = v.is_array();
      if (ok) {
        for (const auto& m : v.as_array()) {
          if (!m.is_int64() || m.as_int64() <= 0) ok = false;
          else team.member_ids.push_back(m.as_int64());
        }
      }
      if (!ok) in.AddError("member_ids", "must be an array of user ids");
    }
    if (Status st = in.Finish("team is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.queues.CreateTeam(ctx.actor(), team);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, TeamJson(*created));
  });

  router.Add("GET", "/api/v1/teams", [&s](CallContext& ctx) {
    auto teams = s.queues.ListTeams(ctx.actor());
    if (!teams.ok()) return ErrorResponse(teams.status(), ctx.request);
    boost::json::array items;
    for (const auto& t : *teams) items.push_back(TeamJson(t));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("PUT", "/api/v1/teams/{id}/members/{user_id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    auto user_id = IdParam(ctx, "user_id");
    if (!id || !user_id) return ErrorResponse(Status::NotFound("team or user not found"), ctx.request);
    auto team = s.queues.SetMembership(ctx.actor(), *id, *user_id, true);
    if (!team.ok()) return ErrorResponse(team.status(), ctx.request);
    return JsonResponse(200, TeamJson(*team));
  });

  router.Add("DELETE", "/api/v1/teams/{id}/members/{user_id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    auto user_id = IdParam(ctx, "user_id");
    if (!id || !user_id) return ErrorResponse(Status::NotFound("team or user not found"), ctx.request);
    auto team = s.queues.SetMembership(ctx.actor(), *id, *user_id, false);
    if (!team.ok()) return ErrorResponse(team.status(), ctx.request);
    return JsonResponse(200, TeamJson(*team));
  });

  router.Add("POST", "/api/v1/queues", [&s](CallContext& ctx) {
    if (!ctx.actor().IsLeadOrAdmin()) {
      return ErrorResponse(Status::PermissionDenied("only leads and admins manage queues"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "team_id", "description"});
    queues::NewQueue queue;
    queue.name = in.String("name", true).value_or("");
    queue.team_id = in.Int("team_id");
    queue.description = in.String("description").value_or("");
    if (Status st = in.Finish("queue is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto created = s.queues.CreateQueue(ctx.actor(), queue);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return JsonResponse(201, QueueJson(*created));
  });

  router.Add("GET", "/api/v1/queues", [&s](CallContext& ctx) {
    auto queues = s.queues.ListQueues(ctx.actor());
    if (!queues.ok()) return ErrorResponse(queues.status(), ctx.request);
    boost::json::array items;
    for (const auto& q : *queues) items.push_back(QueueJson(q));
    return PageResponse(std::move(items), std::nullopt);
  });
}

}  // namespace opsdesk::http
