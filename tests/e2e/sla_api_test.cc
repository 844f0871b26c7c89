// Business calendars, SLA policies and a ticket's SLA over real HTTP on both
// engines: round trips, roles, bad input with field names, and the clocks
// following the ticket's real events.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

object Interval(const char* start, const char* end) { return object{{"start", start}, {"end", end}}; }

object OfficeCalendar(const std::string& name) {
  array day{Interval("13:00", "17:30"), Interval("09:00", "12:00")};
  return object{{"name", name},
                {"time_zone", "Europe/Berlin"},
                {"hours", object{{"mon", day}, {"tue", day}, {"wed", day}, {"thu", day}, {"fri", day}}},
                {"holidays", array{object{{"date", "2025-12-25"}, {"recurring", true}, {"name", "Christmas"}},
                                   object{{"date", "2026-04-03"}}}}};
}

object AlwaysCalendar(const std::string& name) {
  object hours;
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) hours[d] = array{Interval("00:00", "24:00")};
  return object{{"name", name}, {"time_zone", "UTC"}, {"hours", hours}};
}

TimestampMs Time(const boost::json::value& v, std::string_view key) {
  TimestampMs ms = 0;
  EXPECT_TRUE(ParseTimestamp(Str(v, key), &ms)) << key << " in " << boost::json::serialize(v);
  return ms;
}

class SlaApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }
  HttpClient& client() { return *client_; }

  int64_t Create(const std::string& path, const object& body) {
    HttpResponse r = client().Post(path, body, desk().admin.token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Int(r.Json(), "id");
  }

  std::unique_ptr<HttpClient> client_;
};

TEST_P(SlaApiTest, CalendarsRoundTrip) {
  std::string name = UniqueName("berlin");
  HttpResponse created = client().Post("/api/v1/calendars", OfficeCalendar(name), desk().lead.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  boost::json::value c = created.Json();
  EXPECT_EQ(Str(c, "name"), name);
  EXPECT_EQ(Str(c, "time_zone"), "Europe/Berlin");
  const auto& mon = c.at("hours").at("mon").as_array();
  ASSERT_EQ(mon.size(), 2u);  // sorted
  EXPECT_EQ(Str(mon[0], "start"), "09:00");
  EXPECT_EQ(Str(mon[1], "end"), "17:30");
  EXPECT_TRUE(c.at("hours").at("sat").as_array().empty());
  ASSERT_EQ(c.at("holidays").as_array().size(), 2u);
  EXPECT_FALSE(c.at("holidays").as_array()[1].at("recurring").as_bool());
  std::string path = "/api/v1/calendars/" + std::to_string(Int(c, "id"));

  HttpResponse fetched = client().Get(path, desk().agent.token);
  ASSERT_EQ(fetched.status, 200) << fetched.Describe();
  EXPECT_EQ(fetched.Json(), c);
  bool listed = false;
  for (const auto& item : Items(client().Get("/api/v1/calendars", desk().agent.token))) {
    listed = listed || Str(item, "name") == name;
  }
  EXPECT_TRUE(listed);
  EXPECT_TRUE(IsError(client().Get(path, desk().requester.token), 403, "permission_denied"));

  HttpResponse patched =
      client().Patch(path, object{{"time_zone", "America/New_York"}, {"holidays", array{}}}, desk().admin.token);
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_EQ(Str(patched.Json(), "time_zone"), "America/New_York");
  EXPECT_TRUE(patched.Json().at("holidays").as_array().empty());
  EXPECT_EQ(patched.Json().at("hours"), c.at("hours"));
  EXPECT_TRUE(IsError(client().Patch(path, object{{"time_zone", "UTC"}}, desk().agent.token), 403,
                      "permission_denied"));

  HttpResponse duplicate = client().Post("/api/v1/calendars", OfficeCalendar(name), desk().admin.token);
  EXPECT_TRUE(IsError(duplicate, 409, "conflict"));

  HttpResponse deleted = client().Delete(path, desk().admin.token);
  EXPECT_EQ(deleted.status, 204) << deleted.Describe();
  EXPECT_TRUE(IsError(client().Get(path, desk().agent.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Delete(path, desk().admin.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/calendars/abc", desk().agent.token), 404, "not_found"));
}

TEST_P(SlaApiTest, CalendarBadInputNamesFields) {
  object bad = OfficeCalendar(UniqueName("bad"));
  bad["time_zone"] = "Europe/Atlantis";
  bad["colour"] = "blue";
  bad["hours"].as_object()["mon"] = array{Interval("9:00", "12:00"), Interval("22:00", "06:00")};
  bad["hours"].as_object()["tue"] = "09:00-17:00";
  bad["hours"].as_object()["someday"] = array{};
  bad["holidays"] = array{object{{"date", "2025-13-01"}}, object{{"name", "no date"}}, object{{"date", "2025-01-01"}, {"when", 1}}};
  // JSON shape problems first (the handler), ...
  HttpResponse r = client().Post("/api/v1/calendars", bad, desk().admin.token);
  for (const char* field : {"colour", "hours.tue", "holidays[1].date", "holidays[2].when"}) {
    EXPECT_TRUE(IsFieldError(r, field)) << field << ": " << r.Describe();
  }
  // ... then the calendar's rules (the service).
  bad.erase("colour");
  bad["hours"].as_object().erase("tue");
  bad["holidays"] = array{object{{"date", "2025-13-01"}}, object{{"date", "2025-01-01"}, {"recurring", true}}};
  HttpResponse rules = client().Post("/api/v1/calendars", bad, desk().admin.token);
  for (const char* field : {"time_zone", "hours.mon[0].start", "hours.mon[1]", "hours.someday", "holidays[0].date"}) {
    EXPECT_TRUE(IsFieldError(rules, field)) << field << ": " << rules.Describe();
  }
  object missing{{"name", UniqueName("missing")}};
  HttpResponse incomplete = client().Post("/api/v1/calendars", missing, desk().admin.token);
  EXPECT_TRUE(IsFieldError(incomplete, "time_zone"));
  EXPECT_TRUE(IsFieldError(incomplete, "hours"));
  HttpResponse not_object = client().Post("/api/v1/calendars", object{{"name", "x"}, {"time_zone", "UTC"}, {"hours", 5}},
                                          desk().admin.token);
  EXPECT_TRUE(IsFieldError(not_object, "hours"));

  HttpResponse malformed = client().Send("POST", "/api/v1/calendars", "{\"name\":", {{"Authorization", "Bearer " + desk().admin.token},
                                                                                    {"Content-Type", "application/json"}});
  EXPECT_TRUE(IsError(malformed, 400, "invalid_argument")) << malformed.Describe();
  HttpResponse text = client().Send("POST", "/api/v1/calendars", "name=x",
                                    {{"Authorization", "Bearer " + desk().admin.token}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415) << text.Describe();
  // Roles are checked before the body: an agent's bad body is still 403.
  EXPECT_TRUE(IsError(client().Post("/api/v1/calendars", bad, desk().agent.token), 403, "permission_denied"));
}

TEST_P(SlaApiTest, PoliciesRoundTripAndBadInput) {
  int64_t calendar = Create("/api/v1/calendars", AlwaysCalendar(UniqueName("always")));
  std::string tag = UniqueName("policytag");
  object body{{"name", UniqueName("vip")},
              {"calendar_id", calendar},
              {"position", 5},
              {"conditions", object{{"priorities", array{"urgent", "high"}}, {"tags", array{tag}}}},
              {"targets", object{{"first_response", 30}, {"resolution", 240}}},
              {"pause_on", array{"on_hold"}},
              {"warn_at_percent", 80}};
  HttpResponse created = client().Post("/api/v1/sla-policies", body, desk().lead.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  boost::json::value p = created.Json();
  EXPECT_EQ(Int(p, "position"), 5);
  EXPECT_EQ(Int(p, "calendar_id"), calendar);
  EXPECT_EQ(Int(p.at("targets"), "first_response"), 30);
  EXPECT_TRUE(p.at("targets").at("next_response").is_null());
  EXPECT_EQ(p.at("conditions").at("queue_ids").as_array().size(), 0u);
  EXPECT_EQ(p.at("pause_on"), (array{"on_hold"}));
  EXPECT_EQ(Int(p, "warn_at_percent"), 80);
  std::string path = "/api/v1/sla-policies/" + std::to_string(Int(p, "id"));

  EXPECT_EQ(client().Get(path, desk().agent.token).Json(), p);
  EXPECT_TRUE(IsError(client().Get("/api/v1/sla-policies", desk().requester.token), 403, "permission_denied"));
  // Listed in match order.
  array items = Items(client().Get("/api/v1/sla-policies", desk().agent.token));
  for (size_t i = 1; i < items.size(); ++i) {
    EXPECT_LE(Int(items[i - 1], "position"), Int(items[i], "position"));
  }

  HttpResponse patched = client().Patch(path, object{{"targets", object{{"next_response", 60}}}, {"position", 2}},
                                        desk().admin.token);
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_EQ(Int(patched.Json(), "position"), 2);
  EXPECT_TRUE(patched.Json().at("targets").at("first_response").is_null());
  EXPECT_EQ(Int(patched.Json().at("targets"), "next_response"), 60);

  // The calendar is in use.
  EXPECT_TRUE(IsError(client().Delete("/api/v1/calendars/" + std::to_string(calendar), desk().admin.token), 409,
                      "conflict"));
  EXPECT_TRUE(IsError(client().Post("/api/v1/sla-policies", body, desk().admin.token), 409, "conflict"));

  object bad{{"name", UniqueName("bad")},
             {"calendar_id", calendar + 100000},
             {"conditions", object{{"priorities", array{"whenever"}}, {"queue_ids", array{"ingestion"}}, {"team", 1}}},
             {"targets", object{{"first_response", "soon"}, {"resolution", 0}, {"eventually", 5}}},
             {"pause_on", array{"closed"}},
             {"warn_at_percent", 150},
             {"extra", true}};
  HttpResponse r = client().Post("/api/v1/sla-policies", bad, desk().admin.token);
  for (const char* field : {"conditions.queue_ids", "conditions.team", "targets.first_response", "targets.eventually",
                            "extra"}) {
    EXPECT_TRUE(IsFieldError(r, field)) << field << ": " << r.Describe();
  }
  bad["conditions"] = object{{"priorities", array{"whenever"}}};
  bad["targets"] = object{{"resolution", 0}};
  bad.erase("extra");
  HttpResponse service_errors = client().Post("/api/v1/sla-policies", bad, desk().admin.token);
  for (const char* field : {"conditions.priorities", "targets.resolution", "pause_on", "warn_at_percent"}) {
    EXPECT_TRUE(IsFieldError(service_errors, field)) << field << ": " << service_errors.Describe();
  }
  bad["conditions"] = object{};
  bad["targets"] = object{{"resolution", 10}};
  bad["pause_on"] = array{};
  bad["warn_at_percent"] = 50;
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/sla-policies", bad, desk().admin.token), "calendar_id"));
  EXPECT_TRUE(IsError(client().Post("/api/v1/sla-policies", bad, desk().requester.token), 403, "permission_denied"));

  EXPECT_EQ(client().Delete(path, desk().lead.token).status, 204);
  EXPECT_TRUE(IsError(client().Get(path, desk().agent.token), 404, "not_found"));
  EXPECT_EQ(client().Delete("/api/v1/calendars/" + std::to_string(calendar), desk().admin.token).status, 204);
}

TEST_P(SlaApiTest, TicketSlaFollowsTheTicket) {
  int64_t calendar = Create("/api/v1/calendars", AlwaysCalendar(UniqueName("always")));
  std::string tag = UniqueName("slatag");
  std::string policy_name = UniqueName("standard");
  int64_t policy = Create("/api/v1/sla-policies",
                          object{{"name", policy_name},
                                 {"calendar_id", calendar},
                                 {"position", 0},
                                 {"conditions", object{{"tags", array{tag}}}},
                                 {"targets", object{{"first_response", 60}, {"resolution", 480}}}});

  HttpResponse filed = client().Post(
      "/api/v1/tickets", object{{"subject", "Broken pipe"}, {"body", "It leaks."}, {"tags", array{tag}}},
      desk().requester.token);
  ASSERT_EQ(filed.status, 201) << filed.Describe();
  int64_t id = Int(filed.Json(), "id");
  TimestampMs created = Time(filed.Json(), "created_at");
  std::string sla_path = "/api/v1/tickets/" + std::to_string(id) + "/sla";

  HttpResponse sla = client().Get(sla_path, desk().agent.token);
  ASSERT_EQ(sla.status, 200) << sla.Describe();
  boost::json::value s = sla.Json();
  EXPECT_EQ(Int(s, "ticket_id"), id);
  EXPECT_EQ(Int(s.at("policy"), "id"), policy);
  EXPECT_EQ(Str(s.at("policy"), "name"), policy_name);
  const array targets = s.at("targets").as_array();
  ASSERT_EQ(targets.size(), 2u) << sla.Describe();
  EXPECT_EQ(Str(targets[0], "kind"), "first_response");
  EXPECT_EQ(Str(targets[0], "state"), "running");
  EXPECT_EQ(Time(targets[0], "due_at"), created + 60 * 60'000);
  EXPECT_EQ(Time(targets[0], "warn_at"), created + 45 * 60'000);
  EXPECT_FALSE(targets[0].at("warning").as_bool());
  EXPECT_LE(Int(targets[0], "remaining_minutes"), 60);
  EXPECT_GE(Int(targets[0], "remaining_minutes"), 55);
  EXPECT_TRUE(targets[0].at("met_at").is_null());
  EXPECT_TRUE(targets[0].at("breached_at").is_null());
  EXPECT_EQ(Str(targets[1], "kind"), "resolution");
  EXPECT_EQ(Int(targets[1], "target_minutes"), 480);

  // Requesters do not see SLAs, not even on their own ticket.
  EXPECT_TRUE(IsError(client().Get(sla_path, desk().requester.token), 403, "permission_denied"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/tickets/99999999/sla", desk().agent.token), 404, "not_found"));

  HttpResponse reply = client().Post("/api/v1/tickets/" + std::to_string(id) + "/comments",
                                     object{{"body", "We are on it."}}, desk().agent.token);
  ASSERT_EQ(reply.status, 201) << reply.Describe();
  boost::json::value after = client().Get(sla_path, desk().agent.token).Json();
  EXPECT_EQ(Str(after.at("targets").as_array()[0], "state"), "met");
  EXPECT_EQ(Time(after.at("targets").as_array()[0], "met_at"), Time(reply.Json(), "created_at"));

  // Put on hold: the resolution clock pauses. Solved: it is met.
  ASSERT_EQ(client().Patch("/api/v1/tickets/" + std::to_string(id), object{{"status", "on_hold"}}, desk().agent.token).status,
            200);
  EXPECT_EQ(Str(client().Get(sla_path, desk().agent.token).Json().at("targets").as_array()[1], "state"), "paused");
  ASSERT_EQ(client().Patch("/api/v1/tickets/" + std::to_string(id), object{{"status", "solved"}}, desk().agent.token).status,
            200);
  EXPECT_EQ(Str(client().Get(sla_path, desk().agent.token).Json().at("targets").as_array()[1], "state"), "met");

  // A ticket no policy matches.
  HttpResponse plain = client().Post("/api/v1/tickets", object{{"subject", "Plain"}, {"body", "No tags."}},
                                     desk().requester.token);
  ASSERT_EQ(plain.status, 201);
  boost::json::value none =
      client().Get("/api/v1/tickets/" + std::to_string(Int(plain.Json(), "id")) + "/sla", desk().agent.token).Json();
  EXPECT_TRUE(none.at("policy").is_null()) << boost::json::serialize(none);
  EXPECT_TRUE(none.at("targets").as_array().empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, SlaApiTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
