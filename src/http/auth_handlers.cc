// POST /auth/login, POST /auth/logout, GET /me, personal API tokens.
#include "http/api.h"
#include "http/json_io.h"
#include "http/views.h"

namespace opsdesk::http {
namespace {

// The session cookie. HttpOnly keeps scripts from reading it; SameSite=Lax keeps
// it off cross-site subrequests; Secure when the request came over TLS, which
// opsdesk sees as X-Forwarded-Proto: https from the TLS-terminating proxy in
// front of it (the server itself speaks plain HTTP on loopback).
std::string SessionCookie(const Request& request, const std::string& value, int64_t max_age_seconds) {
  std::string cookie = std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                       std::to_string(max_age_seconds);
  auto proto = request.Header("X-Forwarded-Proto");
  if (proto && EqualsIgnoreCase(*proto, "https")) cookie += "; Secure";
  return cookie;
}

}  // namespace

void RegisterAuthRoutes(Router& router, ApiServices& s) {
  router.Add("POST", "/api/v1/auth/login", [&s](CallContext& ctx) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"email", "password"});
    auto email = in.String("email", true);
    auto password = in.String("password", true);
    if (Status st = in.Finish("sign-in is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto result = s.auth.Login(*email, *password, ctx.request.remote_address);
    if (!result.ok()) return ErrorResponse(result.status(), ctx.request);
    Response response = JsonResponse(200, boost::json::object{{"token", result->token.secret},
                                                              {"expires_at", OptionalTime(result->token.expires_at)},
                                                              {"user", UserJson(result->user)}});
    response.headers.emplace_back(
        "Set-Cookie", SessionCookie(ctx.request, result->token.secret, auth::AuthService::kSessionLifetimeMs / 1000));
    return response;
  }, /*requires_auth=*/false);

  router.Add("POST", "/api/v1/auth/logout", [&s](CallContext& ctx) {
    if (Status st = s.auth.Logout(*ctx.token); !st.ok()) return ErrorResponse(st, ctx.request);
    Response response;
    response.status = 204;
    response.headers.emplace_back("Set-Cookie", SessionCookie(ctx.request, "", 0));
    return response;
  });

  router.Add("GET", "/api/v1/me", [](CallContext& ctx) { return JsonResponse(200, UserJson(*ctx.user)); });

  router.Add("POST", "/api/v1/tokens", [&s](CallContext& ctx) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"name", "expires_in_days"});
    auto name = in.String("name", true);
    auto days = in.Int("expires_in_days");
    if (Status st = in.Finish("token is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    if (days && (*days < 0 || *days > 3650)) {
      return ErrorResponse(Status::InvalidArgument("token is not valid", {{"expires_in_days", "must be between 0 and 3650"}}),
                           ctx.request);
    }
    auto token = s.auth.CreateToken(ctx.actor(), ctx.user->id, *name, static_cast<int>(days.value_or(0)));
    if (!token.ok()) return ErrorResponse(token.status(), ctx.request);
    return JsonResponse(201, IssuedTokenJson(*token));
  });

  router.Add("GET", "/api/v1/tokens", [&s](CallContext& ctx) {
    auto tokens = s.auth.ListTokens(ctx.actor());
    if (!tokens.ok()) return ErrorResponse(tokens.status(), ctx.request);
    boost::json::array items;
    for (const auto& t : *tokens) items.push_back(TokenJson(t));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("DELETE", "/api/v1/tokens/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("token not found"), ctx.request);
    if (Status st = s.auth.RevokeToken(ctx.actor(), *id); !st.ok()) return ErrorResponse(st, ctx.request);
    Response response;
    response.status = 204;
    return response;
  });
}

}  // namespace opsdesk::http
