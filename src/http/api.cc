#include "http/api.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "http/json_io.h"

namespace opsdesk::http {
namespace {

std::optional<std::string> CookieValue(const Request& request, std::string_view name) {
  auto header = request.Header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return std::nullopt;
}

bool IsSafeMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

std::optional<int64_t> IdParam(const CallContext& ctx, const std::string& name) {
  auto it = ctx.params.find(name);
  if (it == ctx.params.end()) return std::nullopt;
  int64_t id = 0;
  const std::string& text = it->second;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Api::Api(ApiServices services) : services_(services) {
  RegisterAuthRoutes(router_, services_);
  RegisterUserRoutes(router_, services_);
  RegisterQueueRoutes(router_, services_);
  RegisterTicketRoutes(router_, services_);
  RegisterWorkspaceRoutes(router_, services_);
  RegisterLiveRoutes(router_, services_);
  RegisterNotifyRoutes(router_, services_);
  RegisterOnCallRoutes(router_, services_);
  RegisterSlaRoutes(router_, services_);
  RegisterEscalationRoutes(router_, services_);
  RegisterAutomationRoutes(router_, services_);
  RegisterCatalogRoutes(router_, services_);
  RegisterKbRoutes(router_, services_);
  RegisterSearchRoutes(router_, services_);
  RegisterSystemRoutes(router_, services_, metrics_);
}

Response Api::Handle(const Request& request) {
  auto started = std::chrono::steady_clock::now();
  Router::Match match = router_.Find(request.method, request.path);
  Response response;
  std::string_view route_name = match.route ? std::string_view(match.route->pattern) : "unmatched";
  std::optional<Response> static_file;
  if (!match.route && static_files_ && request.path.rfind("/api/", 0) != 0) {
    static_file = static_files_->Serve(request);
  }
  if (static_file) {
    route_name = "static";
    response = std::move(*static_file);
  } else if (!match.route) {
    response = ErrorResponse(match.path_known ? Status(StatusCode::kNotFound, "method not allowed for this path")
                                              : Status::NotFound("no such endpoint"),
                             request);
    if (match.path_known) response.status = 405;
  } else {
    try {
      response = Dispatch(request, match);
    } catch (const std::exception& e) {
      spdlog::error("request_id={} route={} unhandled exception: {}", request.request_id, route_name, e.what());
      response = ErrorResponse(Status::Internal("internal error"), request);
    }
  }
  AddSecurityHeaders(response);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.Record(request.method, route_name, response.status, seconds);
  return response;
}

Response Api::Dispatch(const Request& request, const Router::Match& match) {
  CallContext ctx{request, match.params, std::nullopt, std::nullopt};
  if (match.route->requires_auth) {
    std::optional<std::string> secret;
    bool from_cookie = false;
    if (auto header = request.Header("Authorization")) {
      if (header->rfind("Bearer ", 0) != 0) {
        return ErrorResponse(Status::Unauthenticated("Authorization must be 'Bearer <token>'"), request);
      }
      secret = header->substr(7);
    } else if ((secret = CookieValue(request, kSessionCookie))) {
      from_cookie = true;
    }
    if (!secret) return ErrorResponse(Status::Unauthenticated("authentication required"), request);
    // A cookie rides along on cross-site requests; a custom header cannot be sent
    // cross-site without a CORS preflight we never grant, so requiring it on
    // cookie-authenticated writes stops CSRF.
    if (from_cookie && !IsSafeMethod(request.method) && !request.Header("X-Requested-With")) {
      return ErrorResponse(Status::PermissionDenied("cookie-authenticated writes need the X-Requested-With header"),
                           request);
    }
    auto user = services_.auth.Authenticate(*secret);
    if (!user.ok()) return ErrorResponse(user.status(), request);
    ctx.user = std::move(*user);
    ctx.token = std::move(secret);
  }
  return match.route->handler(ctx);
}

}  // namespace opsdesk::http
