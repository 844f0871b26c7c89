#include "testing/registered_routes.h"

#include "automation/escalation_rules.h"
#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "catalog/catalog_service.h"
#include "common/clock.h"
#include "escalation/escalation_service.h"
#include "http/api.h"
#include "jobs/job_service.h"
#include "kb/kb_service.h"
#include "live/live_hub.h"
#include "notify/notify_service.h"
#include "notify/signed_link.h"
#include "oncall/oncall_service.h"
#include "queues/queue_service.h"
#include "sla/sla_service.h"
#include "storage/testing.h"
#include "tickets/ticket_service.h"

namespace opsdesk::test_util {

Result<RouteSet> RegisteredRoutes() {
  auto test_db = storage::TestDatabase::Create(storage::Engine::kSqlite);
  if (!test_db.ok()) return test_db.status();
  storage::Database& db = (*test_db)->db();
  ManualClock clock(0);
  auth::AuthService auth(db, clock);
  auth::UserService users(db, clock);
  queues::QueueService queues(db, clock);
  tickets::TicketService tickets(db, clock);
  live::LocalBus bus;
  live::LiveHub hub(bus, clock);
  jobs::JobService jobs(db, clock);
  notify::NotifyService notify(db, clock, jobs, {}, nullptr, nullptr);
  oncall::OnCallService oncall(db, clock);
  sla::SlaService sla(db, clock);
  escalation::EscalationService escalations(db, clock, jobs, oncall, &notify,
                                            notify::LinkSigner("0123456789abcdef0123456789abcdef"), {});
  automation::EscalationRuleService rules(db, clock);
  kb::KbService kb(db, clock);
  catalog::CatalogService catalog(db, clock, oncall, kb);
  search::SearchService search(db);
  kb::UsageService kb_usage(db, clock, kb, tickets);
  http::Api api(http::ApiServices{db, clock, auth, users, queues, tickets, hub, notify, oncall, sla, escalations,
                                  rules, catalog, kb, search, kb_usage});
  RouteSet routes;
  for (const auto& route : api.router().routes()) routes.emplace(route.method, route.pattern);
  return routes;
}

}  // namespace opsdesk::test_util
