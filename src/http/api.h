// The JSON API: routes under /api/v1 plus /healthz, /readyz and /metrics.
// Handlers translate JSON to service calls and back; they hold no SQL, no
// permission rules and no event writing (those live in the services).
#pragma once

#include <memory>
#include <string>

#include "automation/escalation_rules.h"
#include "auth/auth_service.h"
#include "catalog/catalog_service.h"
#include "auth/user_service.h"
#include "common/clock.h"
#include "escalation/escalation_service.h"
#include "http/json_io.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/static_files.h"
#include "kb/kb_service.h"
#include "kb/usage_service.h"
#include "live/live_hub.h"
#include "notify/notify_service.h"
#include "oncall/oncall_service.h"
#include "queues/queue_service.h"
#include "search/search_service.h"
#include "sla/sla_service.h"
#include "storage/database.h"
#include "tickets/ticket_service.h"

namespace opsdesk::http {

struct ApiServices {
  storage::Database& db;
  const Clock& clock;
  auth::AuthService& auth;
  auth::UserService& users;
  queues::QueueService& queues;
  tickets::TicketService& tickets;
  live::LiveHub& live;
  notify::NotifyService& notify;
  oncall::OnCallService& oncall;
  sla::SlaService& sla;
  escalation::EscalationService& escalations;
  automation::EscalationRuleService& rules;
  catalog::CatalogService& catalog;
  kb::KbService& kb;
  search::SearchService& search;
  kb::UsageService& kb_usage;
};

// The web session cookie set by POST /auth/login.
constexpr const char* kSessionCookie = "opsdesk_session";

class Api {
 public:
  explicit Api(ApiServices services);

  // The server's handler: routes, authenticates, calls, records metrics.
  Response Handle(const Request& request);

  const Router& router() const { return router_; }

  // Serves the web front end for paths no API route claims. REQUIRES: called
  // before the server starts; `files` outlives this Api.
  void SetStaticFiles(const StaticFiles* files) { static_files_ = files; }

 private:
  Response Dispatch(const Request& request, const Router::Match& match);

  ApiServices services_;
  Router router_;
  Metrics metrics_;
  const StaticFiles* static_files_ = nullptr;
};

// Route registration, one function per area (src/http/<area>_handlers.cc).
void RegisterAuthRoutes(Router& router, ApiServices& services);
void RegisterUserRoutes(Router& router, ApiServices& services);
void RegisterQueueRoutes(Router& router, ApiServices& services);
void RegisterTicketRoutes(Router& router, ApiServices& services);
void RegisterWorkspaceRoutes(Router& router, ApiServices& services);
void RegisterLiveRoutes(Router& router, ApiServices& services);
void RegisterNotifyRoutes(Router& router, ApiServices& services);
void RegisterOnCallRoutes(Router& router, ApiServices& services);
void RegisterSlaRoutes(Router& router, ApiServices& services);
void RegisterEscalationRoutes(Router& router, ApiServices& services);
void RegisterAutomationRoutes(Router& router, ApiServices& services);
void RegisterCatalogRoutes(Router& router, ApiServices& services);
void RegisterKbRoutes(Router& router, ApiServices& services);
void RegisterSearchRoutes(Router& router, ApiServices& services);
void RegisterSystemRoutes(Router& router, ApiServices& services, Metrics& metrics);

// Parses a positive integer path parameter; nullopt when it is not one.
std::optional<int64_t> IdParam(const CallContext& ctx, const std::string& name = "id");

// The "queue" member of a JSON body: a queue name ("ingestion") or id (42);
// nullopt when absent or null (which removes the queue where that is allowed).
// Adds a "queue" field error for anything else.
std::optional<tickets::QueueRef> ReadQueueRef(const boost::json::object& body, FieldReader& in);

}  // namespace opsdesk::http
