// Who may call what: every route the API registers, called by every kind of
// caller, against the real server on both engines.
//
// The route table below must list exactly the routes src/http/*_handlers.cc
// register (RouteTableCoversEveryRegisteredRoute builds the real router to check),
// so a new route cannot ship without its row of expected statuses.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "common/clock.h"
#include "harness.h"
#include "testing/registered_routes.h"
#include "http/api.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "queues/queue_service.h"
#include "storage/testing.h"
#include "tickets/ticket_service.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

enum Who { kAnonymous, kBadToken, kRequester, kOtherRequester, kAgent, kLead, kAdmin, kWhoCount };

constexpr std::array<Who, kWhoCount> kEveryone = {kAnonymous, kBadToken, kRequester, kOtherRequester,
                                                  kAgent,     kLead,     kAdmin};

const char* WhoName(Who who) {
  switch (who) {
    case kAnonymous: return "anonymous";
    case kBadToken: return "unknown token";
    case kRequester: return "requester";
    case kOtherRequester: return "other requester";
    case kAgent: return "agent";
    case kLead: return "lead";
    case kAdmin: return "admin";
    case kWhoCount: break;
  }
  return "?";
}

// Well-formed, but no token the server ever issued.
const std::string kUnknownToken = "odt_" + std::string(64, '0');

using Expected = std::array<int, kWhoCount>;

// An authenticated route: 401 without a valid token, then per role.
Expected Authed(int requester, int other_requester, int agent, int lead, int admin) {
  return {401, 401, requester, other_requester, agent, lead, admin};
}
Expected Everyone(int status) {
  Expected out;
  out.fill(status);
  return out;
}

// The concrete request one caller sends for a route.
struct Call {
  std::string path;
  std::optional<boost::json::value> body = std::nullopt;
  std::optional<std::string> token = std::nullopt;  // replaces the caller's own token (logout uses a spare)
  // Sent as HEAD: for streaming routes, whose GET body never ends.
  bool head_only = false;
};

struct RouteCase {
  std::string method;
  std::string pattern;
  Expected expected;
  std::function<Call(Who)> make;
};

// What the walk works on, made once per desk.
struct World {
  Desk* desk = nullptr;
  int64_t requester_ticket = 0;   // filed by the requester
  int64_t link_target = 0;        // filed by the requester
  int64_t merge_target = 0;       // filed by the requester
  int64_t team = 0;
  int64_t victim_user = 0;        // the user PATCH /users/{id} changes

  const TestUser* User(Who who) const {
    switch (who) {
      case kRequester: return &desk->requester;
      case kOtherRequester: return &desk->other_requester;
      case kAgent: return &desk->agent;
      case kLead: return &desk->lead;
      case kAdmin: return &desk->admin;
      default: return nullptr;
    }
  }
  std::string Token(Who who) const {
    if (who == kBadToken) return kUnknownToken;
    const TestUser* user = User(who);
    return user ? user->token : "";
  }
};

std::string TicketPath(int64_t id, std::string_view rest = "") {
  return "/api/v1/tickets/" + std::to_string(id) + std::string(rest);
}

// Files a ticket as `token`; 0 (and a test failure) when that fails.
int64_t FileTicket(HttpClient& client, const std::string& token, const std::string& subject) {
  HttpResponse r = client.Post("/api/v1/tickets", object{{"subject", subject}, {"body", "Filed by the e2e tests."}},
                               token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

// A spare personal token of `who` (for logout and token deletion), or nothing for
// callers without an account.
std::optional<std::pair<int64_t, std::string>> SpareToken(const World& w, Who who) {
  const TestUser* user = w.User(who);
  if (!user) return std::nullopt;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post("/api/v1/tokens", object{{"name", "spare"}}, user->token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return std::pair{Int(r.Json(), "id"), Str(r.Json(), "token")};
}

// A fresh business calendar made by the admin, for routes that change or delete
// one; 0 (and a test failure) when that fails.
int64_t MakeCalendar(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post(
      "/api/v1/calendars",
      object{{"name", UniqueName("walk-calendar")},
             {"time_zone", "Europe/Berlin"},
             {"hours", object{{"mon", boost::json::array{object{{"start", "09:00"}, {"end", "17:00"}}}}}}},
      w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

// A fresh SLA policy (at the end of the order, so it matches nothing new first).
int64_t MakeSlaPolicy(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post("/api/v1/sla-policies",
                               object{{"name", UniqueName("walk-policy")},
                                      {"position", 1000000},
                                      {"calendar_id", MakeCalendar(w)},
                                      {"targets", object{{"first_response", 60}}}},
                               w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

// On-call fixtures made by the admin, for routes that change or delete them; 0
// (and a test failure) when that fails.
int64_t MakeSchedule(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post(
      "/api/v1/schedules",
      object{{"team_id", w.team},
             {"name", UniqueName("walk-schedule")},
             {"time_zone", "Europe/Berlin"},
             {"layers", boost::json::array{object{{"participant_ids", boost::json::array{w.desk->agent.id}},
                                                  {"rotation", "weekly"},
                                                  {"start_date", "2025-01-06"},
                                                  {"handoff_time", "09:00"}}}}},
      w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

int64_t MakeEscalationPolicy(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post(
      "/api/v1/escalation-policies",
      object{{"team_id", w.team},
             {"name", UniqueName("walk-escalation")},
             {"levels", boost::json::array{object{
                            {"targets", boost::json::array{object{{"type", "user"}, {"id", w.desk->agent.id}}}},
                            {"ack_timeout_minutes", 15}}}}},
      w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

// A webhook made by the admin (inactive, so it never delivers), for routes that
// read, change or delete one; 0 (and a test failure) when that fails.
int64_t MakeWebhook(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse r = client.Post("/api/v1/webhooks",
                               object{{"url", "https://hooks.example.com/walk"},
                                      {"event_types", boost::json::array{"ticket.created"}},
                                      {"active", false}},
                               w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

// A dead webhook delivery: a webhook to a loopback name (refused by the SSRF
// guard, so its delivery goes dead at the first attempt) and a ticket for it;
// the webhook is removed again so a retried delivery is simply dropped.
int64_t MakeDeadDelivery(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  HttpResponse hook = client.Post("/api/v1/webhooks",
                                  object{{"url", "http://localhost:9/walk"},
                                         {"event_types", boost::json::array{"ticket.created"}}},
                                  w.desk->admin.token);
  EXPECT_EQ(hook.status, 201) << hook.Describe();
  FileTicket(client, w.desk->requester.token, "For a dead delivery");
  int64_t dead = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!dead && std::chrono::steady_clock::now() < deadline) {
    for (const auto& item : Items(client.Get("/api/v1/webhooks/deliveries?state=dead", w.desk->admin.token))) {
      if (Int(item, "webhook_id") == Int(hook.Json(), "id")) dead = Int(item, "id");
    }
    if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(dead, 0) << "no dead delivery appeared";
  client.Delete("/api/v1/webhooks/" + std::to_string(Int(hook.Json(), "id")), w.desk->admin.token);
  return dead;
}

// A fresh tier-l2 escalation (no policy needed) of a fresh ticket of the
// requester, made by the admin; 0 (and a test failure) when that fails.
int64_t MakeEscalation(const World& w) {
  if (!w.desk) return 0;
  HttpClient client = w.desk->Client();
  int64_t ticket = FileTicket(client, w.desk->requester.token, "Escalate me");
  HttpResponse r = client.Post(TicketPath(ticket, "/escalations"),
                               object{{"reason", "Walked"}, {"severity", "sev3"}, {"tier", "l2"}},
                               w.desk->admin.token);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Int(r.Json(), "id");
}

std::vector<RouteCase> RouteTable(World& w) {
  const Expected staff_only_write = Authed(403, 403, 403, 403, 201);
  std::vector<RouteCase> cases;
  auto add = [&](std::string method, std::string pattern, Expected expected, std::function<Call(Who)> make) {
    cases.push_back(RouteCase{std::move(method), std::move(pattern), expected, std::move(make)});
  };

  // --- auth_handlers.cc
  add("POST", "/api/v1/auth/login", {401, 401, 200, 200, 200, 200, 200}, [&w](Who who) {
    const TestUser* user = w.User(who);
    // Callers without an account try a wrong password for an unknown address.
    object body = user ? object{{"email", user->email}, {"password", user->password}}
                       : object{{"email", "nobody@example.com"}, {"password", "not the password"}};
    return Call{"/api/v1/auth/login", body, std::nullopt};
  });
  add("POST", "/api/v1/auth/logout", Authed(204, 204, 204, 204, 204), [&w](Who who) {
    auto spare = SpareToken(w, who);
    return Call{"/api/v1/auth/logout", std::nullopt,
                spare ? std::optional<std::string>(spare->second) : std::nullopt};
  });
  add("GET", "/api/v1/me", Authed(200, 200, 200, 200, 200), [](Who) { return Call{"/api/v1/me"}; });
  add("POST", "/api/v1/tokens", Authed(201, 201, 201, 201, 201),
      [](Who) { return Call{"/api/v1/tokens", object{{"name", "walk"}}}; });
  add("GET", "/api/v1/tokens", Authed(200, 200, 200, 200, 200), [](Who) { return Call{"/api/v1/tokens"}; });
  add("DELETE", "/api/v1/tokens/{id}", Authed(204, 204, 204, 204, 204), [&w](Who who) {
    auto spare = SpareToken(w, who);
    return Call{"/api/v1/tokens/" + std::to_string(spare ? spare->first : 1)};
  });

  // --- user_handlers.cc: users
  add("POST", "/api/v1/users", staff_only_write, [](Who) {
    return Call{"/api/v1/users", object{{"email", UniqueName("walk") + "@example.com"},
                                        {"display_name", "Walk"},
                                        {"role", "requester"}}};
  });
  add("GET", "/api/v1/users", Authed(403, 403, 200, 200, 200), [](Who) { return Call{"/api/v1/users"}; });
  add("GET", "/api/v1/users/{id}", Authed(404, 404, 200, 200, 200),
      [&w](Who) { return Call{"/api/v1/users/" + std::to_string(w.desk->agent.id)}; });
  add("PATCH", "/api/v1/users/{id}", Authed(403, 403, 403, 403, 200), [&w](Who) {
    return Call{"/api/v1/users/" + std::to_string(w.victim_user), object{{"display_name", "Renamed by the walk"}}};
  });

  // --- user_handlers.cc: teams and queues
  add("POST", "/api/v1/teams", Authed(403, 403, 403, 201, 201),
      [](Who) { return Call{"/api/v1/teams", object{{"name", UniqueName("team")}}}; });
  add("GET", "/api/v1/teams", Authed(403, 403, 200, 200, 200), [](Who) { return Call{"/api/v1/teams"}; });
  add("PUT", "/api/v1/teams/{id}/members/{user_id}", Authed(403, 403, 403, 200, 200), [&w](Who) {
    return Call{"/api/v1/teams/" + std::to_string(w.team) + "/members/" + std::to_string(w.desk->agent.id)};
  });
  add("DELETE", "/api/v1/teams/{id}/members/{user_id}", Authed(403, 403, 403, 200, 200), [&w](Who) {
    return Call{"/api/v1/teams/" + std::to_string(w.team) + "/members/" + std::to_string(w.desk->agent.id)};
  });
  add("POST", "/api/v1/queues", Authed(403, 403, 403, 201, 201),
      [](Who) { return Call{"/api/v1/queues", object{{"name", UniqueName("queue")}}}; });
  add("GET", "/api/v1/queues", Authed(200, 200, 200, 200, 200), [](Who) { return Call{"/api/v1/queues"}; });

  // --- ticket_handlers.cc
  add("POST", "/api/v1/tickets", Authed(201, 201, 201, 201, 201), [](Who who) {
    return Call{"/api/v1/tickets", object{{"subject", std::string("Filed by ") + WhoName(who)}, {"body", "Walk."}}};
  });
  add("GET", "/api/v1/tickets", Authed(200, 200, 200, 200, 200), [](Who) { return Call{"/api/v1/tickets"}; });
  add("GET", "/api/v1/tickets/{id}", Authed(200, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket)}; });
  // Requesters may only mark their ticket solved: a priority change is refused.
  add("PATCH", "/api/v1/tickets/{id}", Authed(403, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket), object{{"priority", "high"}}}; });
  add("POST", "/api/v1/tickets/{id}/comments", Authed(201, 404, 201, 201, 201), [&w](Who who) {
    return Call{TicketPath(w.requester_ticket, "/comments"),
                object{{"body", std::string("A reply from the ") + WhoName(who)}}};
  });
  add("GET", "/api/v1/tickets/{id}/comments", Authed(200, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/comments")}; });
  add("GET", "/api/v1/tickets/{id}/events", Authed(200, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/events")}; });
  add("POST", "/api/v1/tickets/{id}/links", Authed(403, 403, 201, 201, 201), [&w](Who) {
    return Call{TicketPath(w.requester_ticket, "/links"), object{{"kind", "related"}, {"ticket_id", w.link_target}}};
  });
  add("POST", "/api/v1/tickets/{id}/merge", Authed(403, 403, 200, 200, 200), [&w](Who who) {
    // A merge closes its source, so every caller gets a fresh one (the requester's own).
    HttpClient client = w.desk->Client();
    int64_t source = who == kAnonymous || who == kBadToken
                         ? w.requester_ticket
                         : FileTicket(client, w.desk->requester.token, "Merge source");
    return Call{TicketPath(source, "/merge"), object{{"target_id", w.merge_target}}};
  });

  // --- workspace_handlers.cc
  add("GET", "/api/v1/views", Authed(403, 403, 200, 200, 200), [](Who) { return Call{"/api/v1/views"}; });
  add("POST", "/api/v1/tickets/bulk", Authed(403, 403, 200, 200, 200), [&w](Who) {
    return Call{"/api/v1/tickets/bulk", object{{"ids", boost::json::array{w.requester_ticket}},
                                               {"changes", object{{"add_tags", boost::json::array{"walk"}}}}}};
  });
  add("POST", "/api/v1/markdown/preview", Authed(200, 200, 200, 200, 200),
      [](Who) { return Call{"/api/v1/markdown/preview", object{{"body", "**walk**"}}}; });

  // --- live_handlers.cc
  add("GET", "/api/v1/live", Authed(200, 200, 200, 200, 200),
      [](Who) { return Call{"/api/v1/live", std::nullopt, std::nullopt, /*head_only=*/true}; });
  add("PUT", "/api/v1/tickets/{id}/presence", Authed(403, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/presence"), object{{"state", "viewing"}}}; });
  add("GET", "/api/v1/tickets/{id}/presence", Authed(403, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/presence")}; });
  add("DELETE", "/api/v1/tickets/{id}/presence", Authed(403, 404, 204, 204, 204),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/presence")}; });

  // --- notify_handlers.cc: everyone has preferences; webhooks are admins' only
  add("GET", "/api/v1/me/notification-preferences", Authed(200, 200, 200, 200, 200),
      [](Who) { return Call{"/api/v1/me/notification-preferences"}; });
  add("PUT", "/api/v1/me/notification-preferences", Authed(200, 200, 200, 200, 200), [](Who) {
    return Call{"/api/v1/me/notification-preferences",
                object{{"preferences", boost::json::array{object{
                                           {"event_type", "ticket.replied"}, {"channel", "email"}, {"enabled", true}}}}}};
  });
  const Expected admin_only = Authed(403, 403, 403, 403, 200);
  add("POST", "/api/v1/webhooks", Authed(403, 403, 403, 403, 201), [](Who) {
    return Call{"/api/v1/webhooks", object{{"url", "https://hooks.example.com/walk"},
                                           {"event_types", boost::json::array{"ticket.replied"}},
                                           {"active", false}}};
  });
  add("GET", "/api/v1/webhooks", admin_only, [](Who) { return Call{"/api/v1/webhooks"}; });
  add("GET", "/api/v1/webhooks/deliveries", admin_only,
      [](Who) { return Call{"/api/v1/webhooks/deliveries?state=dead"}; });
  add("POST", "/api/v1/webhooks/deliveries/{id}/retry", admin_only, [&w](Who who) {
    int64_t id = who == kAdmin ? MakeDeadDelivery(w) : 1;
    return Call{"/api/v1/webhooks/deliveries/" + std::to_string(id) + "/retry"};
  });
  add("GET", "/api/v1/webhooks/{id}", admin_only,
      [&w](Who) { return Call{"/api/v1/webhooks/" + std::to_string(MakeWebhook(w))}; });
  add("PATCH", "/api/v1/webhooks/{id}", admin_only, [&w](Who) {
    return Call{"/api/v1/webhooks/" + std::to_string(MakeWebhook(w)), object{{"event_types", boost::json::array{"ticket.replied"}}}};
  });
  add("DELETE", "/api/v1/webhooks/{id}", Authed(403, 403, 403, 403, 204),
      [&w](Who) { return Call{"/api/v1/webhooks/" + std::to_string(MakeWebhook(w))}; });

  // --- sla_handlers.cc: leads and admins write, staff read, requesters never
  const object calendar_body{{"time_zone", "UTC"}, {"hours", object{{"sun", boost::json::array{object{{"start", "00:00"}, {"end", "24:00"}}}}}}};
  add("POST", "/api/v1/calendars", Authed(403, 403, 403, 201, 201), [calendar_body](Who) {
    object body = calendar_body;
    body["name"] = UniqueName("walk-calendar");
    return Call{"/api/v1/calendars", body};
  });
  add("GET", "/api/v1/calendars", Authed(403, 403, 200, 200, 200), [](Who) { return Call{"/api/v1/calendars"}; });
  add("GET", "/api/v1/calendars/{id}", Authed(403, 403, 200, 200, 200),
      [&w](Who) { return Call{"/api/v1/calendars/" + std::to_string(MakeCalendar(w))}; });
  add("PATCH", "/api/v1/calendars/{id}", Authed(403, 403, 403, 200, 200), [&w](Who) {
    return Call{"/api/v1/calendars/" + std::to_string(MakeCalendar(w)), object{{"time_zone", "America/New_York"}}};
  });
  add("DELETE", "/api/v1/calendars/{id}", Authed(403, 403, 403, 204, 204),
      [&w](Who) { return Call{"/api/v1/calendars/" + std::to_string(MakeCalendar(w))}; });
  add("POST", "/api/v1/sla-policies", Authed(403, 403, 403, 201, 201), [&w](Who who) {
    int64_t calendar = who == kLead || who == kAdmin ? MakeCalendar(w) : 1;
    return Call{"/api/v1/sla-policies", object{{"name", UniqueName("walk-policy")},
                                               {"position", 1000000},
                                               {"calendar_id", calendar},
                                               {"targets", object{{"resolution", 480}}}}};
  });
  add("GET", "/api/v1/sla-policies", Authed(403, 403, 200, 200, 200), [](Who) { return Call{"/api/v1/sla-policies"}; });
  add("GET", "/api/v1/sla-policies/{id}", Authed(403, 403, 200, 200, 200),
      [&w](Who) { return Call{"/api/v1/sla-policies/" + std::to_string(MakeSlaPolicy(w))}; });
  add("PATCH", "/api/v1/sla-policies/{id}", Authed(403, 403, 403, 200, 200), [&w](Who) {
    return Call{"/api/v1/sla-policies/" + std::to_string(MakeSlaPolicy(w)), object{{"warn_at_percent", 80}}};
  });
  add("DELETE", "/api/v1/sla-policies/{id}", Authed(403, 403, 403, 204, 204),
      [&w](Who) { return Call{"/api/v1/sla-policies/" + std::to_string(MakeSlaPolicy(w))}; });
  // Requesters are refused their own ticket's SLA too: it is not shown on the portal.
  add("GET", "/api/v1/tickets/{id}/sla", Authed(403, 403, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/sla")}; });

  // --- oncall_handlers.cc: leads and admins write, staff read, requesters never
  const Expected staff_read = Authed(403, 403, 200, 200, 200);
  auto schedule_path = [&w](std::string_view rest = "") {
    return "/api/v1/schedules/" + std::to_string(MakeSchedule(w)) + std::string(rest);
  };
  auto policy_path = [&w]() { return "/api/v1/escalation-policies/" + std::to_string(MakeEscalationPolicy(w)); };
  add("GET", "/api/v1/schedules", staff_read, [](Who) { return Call{"/api/v1/schedules"}; });
  add("POST", "/api/v1/schedules", Authed(403, 403, 403, 201, 201), [&w](Who) {
    return Call{"/api/v1/schedules",
                object{{"team_id", w.team}, {"name", UniqueName("walk-schedule")}, {"time_zone", "UTC"}}};
  });
  add("GET", "/api/v1/schedules/{id}", staff_read, [schedule_path](Who) { return Call{schedule_path("")}; });
  add("PATCH", "/api/v1/schedules/{id}", Authed(403, 403, 403, 200, 200),
      [schedule_path](Who) { return Call{schedule_path(""), object{{"description", "Walked"}}}; });
  add("DELETE", "/api/v1/schedules/{id}", Authed(403, 403, 403, 204, 204),
      [schedule_path](Who) { return Call{schedule_path("")}; });
  add("POST", "/api/v1/schedules/{id}/overrides", Authed(403, 403, 403, 201, 201), [&w, schedule_path](Who) {
    return Call{schedule_path("/overrides"),
                object{{"user_id", w.desk ? w.desk->agent.id : 1},
                       {"start_at", "2025-01-07T09:00:00Z"},
                       {"end_at", "2025-01-07T17:00:00Z"}}};
  });
  add("DELETE", "/api/v1/schedules/{id}/overrides/{override_id}", Authed(403, 403, 403, 204, 204), [&w](Who) {
    int64_t schedule = MakeSchedule(w);
    HttpClient client = w.desk->Client();
    HttpResponse o = client.Post("/api/v1/schedules/" + std::to_string(schedule) + "/overrides",
                                 object{{"user_id", w.desk->agent.id},
                                        {"start_at", "2025-01-07T09:00:00Z"},
                                        {"end_at", "2025-01-07T17:00:00Z"}},
                                 w.desk->admin.token);
    EXPECT_EQ(o.status, 201) << o.Describe();
    return Call{"/api/v1/schedules/" + std::to_string(schedule) + "/overrides/" + std::to_string(Int(o.Json(), "id"))};
  });
  add("GET", "/api/v1/schedules/{id}/on-call", staff_read,
      [schedule_path](Who) { return Call{schedule_path("/on-call?at=2025-01-07T12:00:00Z")}; });
  add("GET", "/api/v1/schedules/{id}/shifts", staff_read, [schedule_path](Who) {
    return Call{schedule_path("/shifts?from=2025-01-06T00:00:00Z&to=2025-01-13T00:00:00Z")};
  });
  add("GET", "/api/v1/teams/{id}/on-call", staff_read,
      [&w](Who) { return Call{"/api/v1/teams/" + std::to_string(w.team) + "/on-call"}; });
  add("GET", "/api/v1/escalation-policies", staff_read, [](Who) { return Call{"/api/v1/escalation-policies"}; });
  add("POST", "/api/v1/escalation-policies", Authed(403, 403, 403, 201, 201), [&w](Who) {
    return Call{"/api/v1/escalation-policies",
                object{{"team_id", w.team},
                       {"name", UniqueName("walk-escalation")},
                       {"levels", boost::json::array{object{
                                      {"targets", boost::json::array{object{{"type", "team_on_call"}, {"id", w.team}}}},
                                      {"ack_timeout_minutes", 5}}}}}};
  });
  add("GET", "/api/v1/escalation-policies/{id}", staff_read, [policy_path](Who) { return Call{policy_path()}; });
  add("PATCH", "/api/v1/escalation-policies/{id}", Authed(403, 403, 403, 200, 200),
      [policy_path](Who) { return Call{policy_path(), object{{"repeat", 2}}}; });
  add("DELETE", "/api/v1/escalation-policies/{id}", Authed(403, 403, 403, 204, 204),
      [policy_path](Who) { return Call{policy_path()}; });
  add("PUT", "/api/v1/queues/{id}/escalation-policy", Authed(403, 403, 403, 200, 200), [&w](Who) {
    HttpClient client = w.desk->Client();
    HttpResponse q = client.Post("/api/v1/queues", object{{"name", UniqueName("walk-component")}}, w.desk->admin.token);
    EXPECT_EQ(q.status, 201) << q.Describe();
    return Call{"/api/v1/queues/" + std::to_string(Int(q.Json(), "id")) + "/escalation-policy",
                object{{"escalation_policy_id", MakeEscalationPolicy(w)}}};
  });

  // --- escalation_handlers.cc: staff only; a requester's own ticket 403, another's 404
  auto escalation_path = [&w](std::string_view rest = "") {
    return "/api/v1/escalations/" + std::to_string(MakeEscalation(w)) + std::string(rest);
  };
  add("POST", "/api/v1/tickets/{id}/escalations", Authed(403, 404, 201, 201, 201), [&w](Who) {
    int64_t ticket = 0;
    if (w.desk) {
      HttpClient client = w.desk->Client();
      ticket = FileTicket(client, w.desk->requester.token, "Escalation walk");
    }
    return Call{TicketPath(ticket, "/escalations"), object{{"reason", "Walked"}, {"severity", "sev3"}, {"tier", "l2"}}};
  });
  add("GET", "/api/v1/tickets/{id}/escalations", Authed(403, 404, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/escalations")}; });
  add("GET", "/api/v1/escalations", Authed(403, 403, 200, 200, 200),
      [](Who) { return Call{"/api/v1/escalations?state=open"}; });
  add("GET", "/api/v1/escalations/{id}", Authed(403, 403, 200, 200, 200),
      [escalation_path](Who) { return Call{escalation_path()}; });
  add("POST", "/api/v1/escalations/{id}/ack", Authed(403, 403, 200, 200, 200),
      [escalation_path](Who) { return Call{escalation_path("/ack")}; });
  add("POST", "/api/v1/escalations/{id}/resolve", Authed(403, 403, 200, 200, 200),
      [escalation_path](Who) { return Call{escalation_path("/resolve")}; });
  add("POST", "/api/v1/escalations/{id}/cancel", Authed(403, 403, 200, 200, 200),
      [escalation_path](Who) { return Call{escalation_path("/cancel")}; });
  // The signed link needs no session; a bad token is 401 for everyone.
  add("GET", "/api/v1/escalations/{id}/ack", Everyone(401),
      [escalation_path](Who) { return Call{escalation_path("/ack?token=1.2.bad")}; });

  // --- automation_handlers.cc: leads and admins write, staff read, requesters never
  auto rule_path = [&w]() {
    HttpClient client = w.desk->Client();
    HttpResponse r = client.Post("/api/v1/escalation-rules",
                                 object{{"name", UniqueName("walk-rule")},
                                        {"trigger", "sla_breach"},
                                        {"tier", "l2"},
                                        {"severity", "sev3"},
                                        {"enabled", false}},
                                 w.desk->admin.token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return "/api/v1/escalation-rules/" + std::to_string(Int(r.Json(), "id"));
  };
  add("GET", "/api/v1/escalation-rules", staff_read, [](Who) { return Call{"/api/v1/escalation-rules"}; });
  add("POST", "/api/v1/escalation-rules", Authed(403, 403, 403, 201, 201), [](Who) {
    return Call{"/api/v1/escalation-rules", object{{"name", UniqueName("walk-rule")},
                                                   {"trigger", "unanswered"},
                                                   {"minutes", 15},
                                                   {"tier", "l2"},
                                                   {"severity", "sev2"},
                                                   {"enabled", false}}};
  });
  add("GET", "/api/v1/escalation-rules/{id}", staff_read, [rule_path](Who) { return Call{rule_path()}; });
  add("PATCH", "/api/v1/escalation-rules/{id}", Authed(403, 403, 403, 200, 200),
      [rule_path](Who) { return Call{rule_path(), object{{"severity", "sev4"}}}; });
  add("DELETE", "/api/v1/escalation-rules/{id}", Authed(403, 403, 403, 204, 204),
      [rule_path](Who) { return Call{rule_path()}; });
  add("GET", "/api/v1/escalation-targets", staff_read, [](Who) { return Call{"/api/v1/escalation-targets"}; });
  add("PUT", "/api/v1/escalation-targets/{severity}", Authed(403, 403, 403, 200, 200), [](Who) {
    return Call{"/api/v1/escalation-targets/sev4", object{{"ack_minutes", 240}, {"response_minutes", 1440}}};
  });

  // --- catalog_handlers.cc: staff read
  add("GET", "/api/v1/components", staff_read, [](Who) { return Call{"/api/v1/components"}; });
  add("GET", "/api/v1/components/{id}", staff_read, [&w](Who) {
    HttpClient client = w.desk->Client();
    HttpResponse q = client.Post("/api/v1/queues", object{{"name", UniqueName("walk-catalog")}}, w.desk->admin.token);
    EXPECT_EQ(q.status, 201) << q.Describe();
    return Call{"/api/v1/components/" + std::to_string(Int(q.Json(), "id"))};
  });

  // --- kb_handlers.cc: staff write; a draft or internal article is 404 for requesters
  auto article_path = [&w](std::string_view rest = "", bool publish = false) {
    HttpClient client = w.desk->Client();
    HttpResponse a = client.Post("/api/v1/articles", object{{"title", UniqueName("Walk article")}, {"body", "Steps."}},
                                 w.desk->admin.token);
    EXPECT_EQ(a.status, 201) << a.Describe();
    std::string path = "/api/v1/articles/" + std::to_string(Int(a.Json(), "id"));
    if (publish) {
      HttpResponse p = client.Post(path + "/state", object{{"state", "published"}}, w.desk->admin.token);
      EXPECT_EQ(p.status, 200) << p.Describe();
    }
    return path + std::string(rest);
  };
  const Expected staff_article = Authed(404, 404, 200, 200, 200);
  add("POST", "/api/v1/articles", Authed(403, 403, 201, 201, 201),
      [](Who) { return Call{"/api/v1/articles", object{{"title", UniqueName("Walk")}, {"body", "Steps."}}}; });
  add("GET", "/api/v1/articles", Authed(200, 200, 200, 200, 200), [](Who) { return Call{"/api/v1/articles?limit=5"}; });
  add("GET", "/api/v1/articles/{id}", staff_article, [article_path](Who) { return Call{article_path()}; });
  add("PATCH", "/api/v1/articles/{id}", staff_article,
      [article_path](Who) { return Call{article_path(), object{{"body", "Better steps."}}}; });
  add("POST", "/api/v1/articles/{id}/state", staff_article,
      [article_path](Who) { return Call{article_path("/state"), object{{"state", "in_review"}}}; });
  // The admin owns it: agents may not confirm the review, leads may.
  add("POST", "/api/v1/articles/{id}/reviewed", Authed(404, 404, 403, 200, 200),
      [article_path](Who) { return Call{article_path("/reviewed", true)}; });
  add("GET", "/api/v1/articles/{id}/versions", staff_article,
      [article_path](Who) { return Call{article_path("/versions")}; });
  add("GET", "/api/v1/articles/{id}/versions/{version}", staff_article,
      [article_path](Who) { return Call{article_path("/versions/1")}; });
  add("POST", "/api/v1/articles/{id}/versions/{version}/restore", staff_article,
      [article_path](Who) { return Call{article_path("/versions/1/restore")}; });
  add("GET", "/api/v1/articles/{id}/diff", staff_article,
      [article_path](Who) { return Call{article_path("/diff?from=1&to=1")}; });
  add("GET", "/api/v1/articles/{id}/events", staff_article,
      [article_path](Who) { return Call{article_path("/events")}; });

  // --- kb_handlers.cc, how articles are used: links and drafts are staff's,
  // votes are anyone's who can read the article, figures are the lead's
  auto published_id = [article_path]() {
    std::string path = article_path("", true);
    return std::stoll(path.substr(path.rfind('/') + 1));
  };
  add("POST", "/api/v1/tickets/{id}/articles", Authed(403, 403, 201, 201, 201), [&w, published_id](Who) {
    return Call{TicketPath(w.requester_ticket, "/articles"),
                object{{"article_id", published_id()}, {"kind", "resolved_with"}}};
  });
  add("GET", "/api/v1/tickets/{id}/articles", Authed(403, 403, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/articles")}; });
  add("DELETE", "/api/v1/tickets/{id}/articles/{article_id}", Authed(403, 403, 204, 204, 204),
      [&w, published_id](Who) {
        int64_t article = published_id();
        HttpClient client = w.desk->Client();
        HttpResponse l = client.Post(TicketPath(w.requester_ticket, "/articles"),
                                     object{{"article_id", article}, {"kind", "resolved_with"}}, w.desk->admin.token);
        EXPECT_EQ(l.status, 201) << l.Describe();
        return Call{TicketPath(w.requester_ticket, "/articles/" + std::to_string(article))};
      });
  add("POST", "/api/v1/tickets/{id}/draft-article", Authed(403, 403, 201, 201, 201), [&w](Who) {
    HttpClient client = w.desk->Client();
    int64_t ticket = FileTicket(client, w.desk->requester.token, "Solved for a draft");
    HttpResponse solved = client.Patch(TicketPath(ticket), object{{"status", "solved"}}, w.desk->agent.token);
    EXPECT_EQ(solved.status, 200) << solved.Describe();
    return Call{TicketPath(ticket, "/draft-article")};
  });
  add("GET", "/api/v1/articles/{id}/usage", staff_article,
      [article_path](Who) { return Call{article_path("/usage", true)}; });
  add("POST", "/api/v1/articles/{id}/feedback", Authed(201, 201, 201, 201, 201), [&w, published_id](Who) {
    // Public, so every requester may read it and vote.
    int64_t article = published_id();
    HttpClient client = w.desk->Client();
    std::string path = "/api/v1/articles/" + std::to_string(article);
    EXPECT_EQ(client.Patch(path, object{{"audience", "public"}}, w.desk->admin.token).status, 200);
    return Call{path + "/feedback", object{{"helpful", true}}};
  });
  add("GET", "/api/v1/articles/{id}/feedback", staff_article,
      [article_path](Who) { return Call{article_path("/feedback", true)}; });
  add("GET", "/api/v1/kb/gaps", Authed(403, 403, 403, 200, 200), [](Who) { return Call{"/api/v1/kb/gaps?days=7"}; });
  add("POST", "/api/v1/deflection/views", Authed(404, 404, 204, 204, 204), [published_id](Who) {
    // An internal article: requesters cannot have viewed it (404); staff views count nothing.
    return Call{"/api/v1/deflection/views", object{{"session", "walk-session-1"}, {"article_id", published_id()}}};
  });
  // Another requester's ticket is 404; staff filings count nothing.
  add("POST", "/api/v1/deflection/filed", Authed(204, 404, 204, 204, 204), [&w](Who) {
    return Call{"/api/v1/deflection/filed", object{{"session", "walk-session-1"}, {"ticket_id", w.requester_ticket}}};
  });
  add("GET", "/api/v1/deflection", Authed(403, 403, 403, 200, 200),
      [](Who) { return Call{"/api/v1/deflection?days=30"}; });

  // --- search_handlers.cc: everyone signed in searches what they may read
  // (what each finds: tests/e2e/search_api_test.cc); the ticket panel is staff's
  add("GET", "/api/v1/search", Authed(200, 200, 200, 200, 200),
      [](Who) { return Call{"/api/v1/search?q=filed%20status:open"}; });
  add("GET", "/api/v1/search/suggestions", Authed(200, 200, 200, 200, 200),
      [](Who) { return Call{"/api/v1/search/suggestions?q=steps&as_you_type=true"}; });
  add("GET", "/api/v1/tickets/{id}/suggested-articles", Authed(403, 403, 200, 200, 200),
      [&w](Who) { return Call{TicketPath(w.requester_ticket, "/suggested-articles")}; });

  // --- system_handlers.cc: no authentication
  add("GET", "/healthz", Everyone(200), [](Who) { return Call{"/healthz"}; });
  add("GET", "/readyz", Everyone(200), [](Who) { return Call{"/readyz"}; });
  add("GET", "/metrics", Everyone(200), [](Who) { return Call{"/metrics"}; });
  add("GET", "/api/v1/openapi.json", Everyone(200), [](Who) { return Call{"/api/v1/openapi.json"}; });
  return cases;
}

// The (method, pattern) pairs the real router registers.
std::set<std::pair<std::string, std::string>> RegisteredRoutes() {
  auto routes = test_util::RegisteredRoutes();
  EXPECT_TRUE(routes.ok()) << routes.status().ToString();
  return routes.ok() ? *routes : test_util::RouteSet{};
}

TEST(PermissionTableTest, RouteTableCoversEveryRegisteredRoute) {
  World unused;
  std::set<std::pair<std::string, std::string>> in_table;
  for (const auto& c : RouteTable(unused)) {
    EXPECT_TRUE(in_table.emplace(c.method, c.pattern).second) << "listed twice: " << c.method << " " << c.pattern;
  }
  std::set<std::pair<std::string, std::string>> registered = RegisteredRoutes();
  ASSERT_FALSE(registered.empty());
  for (const auto& route : registered) {
    EXPECT_TRUE(in_table.count(route)) << "route without expected statuses: " << route.first << " " << route.second;
  }
  for (const auto& route : in_table) {
    EXPECT_TRUE(registered.count(route)) << "table lists a route the server lacks: " << route.first << " "
                                         << route.second;
  }
}

class PermissionsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    w_.desk = &desk();
    HttpClient client = desk().Client();
    w_.requester_ticket = FileTicket(client, desk().requester.token, "Printer on fire");
    w_.link_target = FileTicket(client, desk().requester.token, "Related trouble");
    w_.merge_target = FileTicket(client, desk().requester.token, "Merge target");
    HttpResponse team = client.Post("/api/v1/teams", object{{"name", UniqueName("walkteam")}}, desk().admin.token);
    ASSERT_EQ(team.status, 201) << team.Describe();
    w_.team = Int(team.Json(), "id");
    HttpResponse victim = client.Post(
        "/api/v1/users",
        object{{"email", UniqueName("victim") + "@example.com"}, {"display_name", "Victim"}, {"role", "requester"}},
        desk().admin.token);
    ASSERT_EQ(victim.status, 201) << victim.Describe();
    w_.victim_user = Int(victim.Json(), "id");
    // One public reply and one internal note by staff on the requester's ticket.
    HttpResponse reply = client.Post(TicketPath(w_.requester_ticket, "/comments"),
                                     object{{"body", "We are looking into it."}}, desk().agent.token);
    ASSERT_EQ(reply.status, 201) << reply.Describe();
    HttpResponse note =
        client.Post(TicketPath(w_.requester_ticket, "/comments"),
                    object{{"body", "Internal: the printer is on a cursed VLAN."}, {"internal", true}},
                    desk().agent.token);
    ASSERT_EQ(note.status, 201) << note.Describe();
    ASSERT_TRUE(note.Json().at("internal").as_bool());
  }

  World w_;
};

TEST_P(PermissionsTest, EveryRouteAnswersEveryCallerAsExpected) {
  HttpClient client = desk().Client();
  for (const RouteCase& route : RouteTable(w_)) {
    for (Who who : kEveryone) {
      Call call = route.make(who);
      std::string token = call.token.value_or(w_.Token(who));
      Headers headers;
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      std::string body;
      if (call.body) {
        headers.emplace_back("Content-Type", "application/json");
        body = boost::json::serialize(*call.body);
      }
      std::string method = call.head_only ? "HEAD" : route.method;
      HttpResponse r = client.Send(method, call.path, body, headers);
      std::string where = method + " " + call.path + " as " + WhoName(who);
      EXPECT_EQ(r.status, route.expected[who]) << where << ": " << r.Describe();
      if (call.head_only) continue;  // a HEAD answer has no body to check
      if (r.status >= 400) {
        EXPECT_TRUE(HasErrorShape(r)) << where;
      }
      if (r.status == 401) {
        EXPECT_EQ(Str(r.Json().at("error"), "code"), "unauthenticated") << where;
        EXPECT_EQ(r.Header("WWW-Authenticate").value_or(""), "Bearer") << where;
      }
      if (r.status == 403) {
        EXPECT_EQ(Str(r.Json().at("error"), "code"), "permission_denied") << where;
      }
      if (r.status == 404) {
        EXPECT_EQ(Str(r.Json().at("error"), "code"), "not_found") << where;
      }
    }
  }
}

TEST_P(PermissionsTest, MalformedAuthorizationIsUnauthenticated) {
  HttpClient client = desk().Client();
  for (const std::string& value : {std::string("Basic dXNlcjpwYXNz"), std::string("Bearer"), std::string("Bearer "),
                                   std::string("bearer ") + desk().agent.token, std::string("Bearer not-a-token"),
                                   "Bearer " + desk().agent.token + "x"}) {
    HttpResponse r = client.Send("GET", "/api/v1/me", {}, {{"Authorization", value}});
    EXPECT_TRUE(IsError(r, 401, "unauthenticated")) << "Authorization: " << value;
  }
}

TEST_P(PermissionsTest, RequesterNeverSeesInternalNotesOrEvents) {
  HttpClient client = desk().Client();
  const std::string comments = TicketPath(w_.requester_ticket, "/comments");
  const std::string events = TicketPath(w_.requester_ticket, "/events");

  HttpResponse staff_comments = client.Get(comments, desk().agent.token);
  ASSERT_EQ(staff_comments.status, 200) << staff_comments.Describe();
  int staff_internal = 0;
  for (const auto& c : Items(staff_comments)) staff_internal += c.at("internal").as_bool();
  EXPECT_EQ(staff_internal, 1) << "staff see the internal note";
  EXPECT_EQ(Items(staff_comments).size(), 2u);

  HttpResponse own = client.Get(comments, desk().requester.token);
  ASSERT_EQ(own.status, 200) << own.Describe();
  const boost::json::array items = Items(own);
  ASSERT_EQ(items.size(), 1u) << own.Describe();
  EXPECT_FALSE(items[0].at("internal").as_bool());
  EXPECT_EQ(Str(items[0], "body"), "We are looking into it.");
  EXPECT_EQ(own.body.find("cursed VLAN"), std::string::npos) << own.body;

  HttpResponse staff_events = client.Get(events, desk().agent.token);
  ASSERT_EQ(staff_events.status, 200) << staff_events.Describe();
  int internal_events = 0;
  for (const auto& e : Items(staff_events)) internal_events += e.at("internal").as_bool();
  EXPECT_EQ(internal_events, 1) << staff_events.Describe();

  HttpResponse own_events = client.Get(events, desk().requester.token);
  ASSERT_EQ(own_events.status, 200) << own_events.Describe();
  const boost::json::array visible = Items(own_events);
  EXPECT_EQ(visible.size() + 1, Items(staff_events).size());
  for (const auto& e : visible) {
    EXPECT_FALSE(e.at("internal").as_bool()) << boost::json::serialize(e);
    EXPECT_NE(Str(e, "field"), "internal_note") << boost::json::serialize(e);
  }
  // Paging must not leak it either: one event per page.
  std::string cursor;
  size_t seen = 0;
  for (int page = 0; page < 100; ++page) {
    HttpResponse r = client.Get(events + "?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                desk().requester.token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    for (const auto& e : Items(r)) {
      EXPECT_FALSE(e.at("internal").as_bool()) << boost::json::serialize(e);
      ++seen;
    }
    if (r.Json().at("next_cursor").is_null()) break;
    cursor = std::string(r.Json().at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, visible.size());
}

TEST_P(PermissionsTest, RequesterCannotWriteInternalNotes) {
  HttpClient client = desk().Client();
  HttpResponse r = client.Post(TicketPath(w_.requester_ticket, "/comments"),
                               object{{"body", "Let me hide this"}, {"internal", true}}, desk().requester.token);
  EXPECT_TRUE(IsError(r, 403, "permission_denied"));
  HttpResponse staff = client.Get(TicketPath(w_.requester_ticket, "/comments"), desk().agent.token);
  EXPECT_EQ(staff.body.find("Let me hide this"), std::string::npos);
}

TEST_P(PermissionsTest, RequesterListsOnlyTheirOwnTickets) {
  HttpClient client = desk().Client();
  FileTicket(client, desk().other_requester.token, "Someone else's ticket");
  std::string error;
  auto mine = desk().AllTickets(desk().requester.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  bool found_own = false;
  for (const auto& t : mine) {
    EXPECT_EQ(Int(t.at("requester"), "id"), desk().requester.id) << boost::json::serialize(t);
    found_own = found_own || Int(t, "id") == w_.requester_ticket;
  }
  EXPECT_TRUE(found_own);

  auto theirs = desk().AllTickets(desk().other_requester.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_FALSE(theirs.empty());
  for (const auto& t : theirs) EXPECT_NE(Int(t, "id"), w_.requester_ticket);

  // Asking for someone else's tickets by filter yields nothing, not their tickets.
  HttpResponse filtered = client.Get("/api/v1/tickets?requester=" + std::to_string(desk().requester.id),
                                     desk().other_requester.token);
  ASSERT_EQ(filtered.status, 200) << filtered.Describe();
  EXPECT_TRUE(Items(filtered).empty()) << filtered.Describe();

  auto all = desk().AllTickets(desk().agent.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_GT(all.size(), mine.size());
}

TEST_P(PermissionsTest, RequesterMayOnlyMarkTheirTicketSolved) {
  HttpClient client = desk().Client();
  int64_t id = FileTicket(client, desk().requester.token, "Solved on its own");
  HttpResponse other = client.Patch(TicketPath(id), object{{"status", "solved"}}, desk().other_requester.token);
  EXPECT_TRUE(IsError(other, 404, "not_found"));
  HttpResponse subject = client.Patch(TicketPath(id), object{{"subject", "Renamed"}}, desk().requester.token);
  EXPECT_TRUE(IsError(subject, 403, "permission_denied"));
  HttpResponse close = client.Patch(TicketPath(id), object{{"status", "closed"}}, desk().requester.token);
  EXPECT_TRUE(IsError(close, 403, "permission_denied"));
  HttpResponse solved = client.Patch(TicketPath(id), object{{"status", "solved"}}, desk().requester.token);
  ASSERT_EQ(solved.status, 200) << solved.Describe();
  EXPECT_EQ(Str(solved.Json(), "status"), "solved");
  EXPECT_EQ(Str(solved.Json(), "subject"), "Solved on its own");
}

TEST_P(PermissionsTest, RequesterCannotFileForSomeoneElse) {
  HttpClient client = desk().Client();
  HttpResponse r = client.Post(
      "/api/v1/tickets",
      object{{"subject", "On behalf"}, {"body", "x"}, {"requester_email", desk().other_requester.email}},
      desk().requester.token);
  EXPECT_TRUE(IsError(r, 403, "permission_denied"));
  HttpResponse staff = client.Post(
      "/api/v1/tickets",
      object{{"subject", "On behalf"}, {"body", "x"}, {"requester_email", desk().other_requester.email}},
      desk().agent.token);
  ASSERT_EQ(staff.status, 201) << staff.Describe();
  EXPECT_EQ(Int(staff.Json().at("requester"), "id"), desk().other_requester.id);
}

TEST_P(PermissionsTest, UsersReadThemselvesButNotOthers) {
  HttpClient client = desk().Client();
  HttpResponse self = client.Get("/api/v1/users/" + std::to_string(desk().requester.id), desk().requester.token);
  ASSERT_EQ(self.status, 200) << self.Describe();
  EXPECT_EQ(Str(self.Json(), "email"), desk().requester.email);
  HttpResponse other =
      client.Get("/api/v1/users/" + std::to_string(desk().other_requester.id), desk().requester.token);
  EXPECT_TRUE(IsError(other, 404, "not_found"));
  // Nobody may promote themselves.
  for (const TestUser* user : {&desk().requester, &desk().agent, &desk().lead}) {
    HttpResponse promote =
        client.Patch("/api/v1/users/" + std::to_string(user->id), object{{"role", "admin"}}, user->token);
    EXPECT_TRUE(IsError(promote, 403, "permission_denied")) << user->role;
    HttpResponse me = client.Get("/api/v1/me", user->token);
    EXPECT_EQ(Str(me.Json(), "role"), user->role);
  }
}

TEST_P(PermissionsTest, TokensBelongToTheirOwner) {
  HttpClient client = desk().Client();
  HttpResponse created = client.Post("/api/v1/tokens", object{{"name", "agent automation"}}, desk().agent.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  std::string path = "/api/v1/tokens/" + std::to_string(Int(created.Json(), "id"));
  HttpResponse by_admin = client.Delete(path, desk().admin.token);
  EXPECT_TRUE(IsError(by_admin, 404, "not_found"));
  HttpResponse by_requester = client.Delete(path, desk().requester.token);
  EXPECT_TRUE(IsError(by_requester, 404, "not_found"));
  HttpResponse still = client.Get("/api/v1/me", Str(created.Json(), "token"));
  EXPECT_EQ(still.status, 200) << still.Describe();
  HttpResponse listed = client.Get("/api/v1/tokens", desk().requester.token);
  ASSERT_EQ(listed.status, 200);
  for (const auto& t : Items(listed)) EXPECT_NE(Int(t, "id"), Int(created.Json(), "id"));
}

TEST_P(PermissionsTest, DeactivatedUsersTokensStopWorking) {
  HttpClient client = desk().Client();
  std::string email = UniqueName("leaver") + "@example.com";
  HttpResponse user = client.Post("/api/v1/users",
                                  object{{"email", email}, {"display_name", "Leaver"}, {"role", "agent"}},
                                  desk().admin.token);
  ASSERT_EQ(user.status, 201) << user.Describe();
  auto token = CreateTokenWithCli(desk().db_url(), email);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_EQ(client.Get("/api/v1/me", *token).status, 200);
  HttpResponse off = client.Patch("/api/v1/users/" + std::to_string(Int(user.Json(), "id")),
                                  object{{"is_active", false}}, desk().admin.token);
  ASSERT_EQ(off.status, 200) << off.Describe();
  EXPECT_TRUE(IsError(client.Get("/api/v1/me", *token), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(client.Get("/api/v1/tickets", *token), 401, "unauthenticated"));
}

TEST_P(PermissionsTest, CookieSessionsNeedXRequestedWithForWrites) {
  HttpClient client = desk().Client();
  Headers cookie{{"Cookie", std::string(http::kSessionCookie) + "=" + desk().agent.token}};
  HttpResponse read = client.Get("/api/v1/me", "", cookie);
  ASSERT_EQ(read.status, 200) << read.Describe();
  EXPECT_EQ(Str(read.Json(), "email"), desk().agent.email);

  object ticket{{"subject", "Cookie ticket"}, {"body", "From a browser"}};
  Headers json = cookie;
  json.emplace_back("Content-Type", "application/json");
  HttpResponse forged = client.Send("POST", "/api/v1/tickets", boost::json::serialize(ticket), json);
  EXPECT_TRUE(IsError(forged, 403, "permission_denied"));
  json.emplace_back("X-Requested-With", "XMLHttpRequest");
  HttpResponse allowed = client.Send("POST", "/api/v1/tickets", boost::json::serialize(ticket), json);
  EXPECT_EQ(allowed.status, 201) << allowed.Describe();
}

TEST_P(PermissionsTest, UnknownPathsAndMethods) {
  HttpClient client = desk().Client();
  for (Who who : {kAnonymous, kAgent, kAdmin}) {
    HttpResponse missing = client.Get("/api/v1/nonexistent", w_.Token(who));
    EXPECT_TRUE(IsError(missing, 404, "not_found")) << WhoName(who);
    HttpResponse wrong_method = client.Send("DELETE", "/api/v1/tickets", {},
                                            w_.Token(who).empty() ? Headers{}
                                                                  : Headers{{"Authorization", "Bearer " + w_.Token(who)}});
    EXPECT_EQ(wrong_method.status, 405) << WhoName(who) << ": " << wrong_method.Describe();
    EXPECT_TRUE(HasErrorShape(wrong_method)) << WhoName(who);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, PermissionsTest,
                         testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
