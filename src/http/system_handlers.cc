// /healthz, /readyz, /metrics and the OpenAPI document.
#include <fmt/format.h>

#include "http/api.h"
#include "http/json_io.h"

namespace opsdesk::generated {
extern const std::string_view kOpenApiDocument;
}

namespace opsdesk::http {

void RegisterSystemRoutes(Router& router, ApiServices& s, Metrics& metrics) {
  router.Add("GET", "/healthz", [](CallContext&) { return JsonResponse(200, boost::json::object{{"status", "ok"}}); },
             /*requires_auth=*/false);

  router.Add("GET", "/readyz", [&s](CallContext& ctx) {
    Status st = s.db.Ping();
    if (!st.ok()) return ErrorResponse(Status::Unavailable("database unreachable: " + st.message()), ctx.request);
    return JsonResponse(200, boost::json::object{{"status", "ready"}, {"database", storage::EngineName(s.db.engine())}});
  }, /*requires_auth=*/false);

  router.Add("GET", "/metrics", [&s, &metrics](CallContext& ctx) {
    std::string out = metrics.Render();
    storage::PoolStats pool = s.db.Stats();
    out += "# HELP opsdesk_db_connections Database connections held by the pool.\n";
    out += "# TYPE opsdesk_db_connections gauge\n";
    out += fmt::format("opsdesk_db_connections{{state=\"open\"}} {}\n", pool.connections_open);
    out += fmt::format("opsdesk_db_connections{{state=\"in_use\"}} {}\n", pool.connections_in_use);
    out += "# HELP opsdesk_db_transactions_committed_total Write transactions committed.\n";
    out += "# TYPE opsdesk_db_transactions_committed_total counter\n";
    out += fmt::format("opsdesk_db_transactions_committed_total {}\n", pool.transactions_committed);
    out += "# HELP opsdesk_db_commits_flushed_total Durable commits (several transactions may share one).\n";
    out += "# TYPE opsdesk_db_commits_flushed_total counter\n";
    out += fmt::format("opsdesk_db_commits_flushed_total {}\n", pool.commits_flushed);
    if (auto counts = s.tickets.CountByStatus(); counts.ok()) {
      out += "# HELP opsdesk_tickets Tickets by status.\n";
      out += "# TYPE opsdesk_tickets gauge\n";
      for (const auto& [status, count] : *counts) out += fmt::format("opsdesk_tickets{{status=\"{}\"}} {}\n", status, count);
    }
    Response response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = std::move(out);
    return response;
  }, /*requires_auth=*/false);

  router.Add("GET", "/api/v1/openapi.json", [](CallContext&) {
    Response response;
    response.body = std::string(generated::kOpenApiDocument);
    return response;
  }, /*requires_auth=*/false);
}

}  // namespace opsdesk::http
