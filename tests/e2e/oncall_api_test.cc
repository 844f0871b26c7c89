// On-call over HTTP, end to end, on both engines: schedules with layers,
// overrides, who is on call (schedule and team), the week view, escalation
// policies, queues pointing at them, roles and bad input.
#include <gtest/gtest.h>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

class OnCallApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
    HttpResponse team = client().Post("/api/v1/teams", object{{"name", UniqueName("oncall")}}, desk().lead.token);
    ASSERT_EQ(team.status, 201) << team.Describe();
    team_ = Int(team.Json(), "id");
  }

  HttpClient& client() { return *client_; }

  object ScheduleBody(const std::string& name) {
    return object{{"team_id", team_},
                  {"name", name},
                  {"time_zone", "Europe/Berlin"},
                  {"layers", array{object{{"name", "primary"},
                                          {"participant_ids", array{desk().agent.id, desk().lead.id}},
                                          {"rotation", "daily"},
                                          {"start_date", "2025-03-27"},
                                          {"handoff_time", "09:00"}}}}};
  }

  int64_t CreateSchedule(const std::string& name) {
    HttpResponse r = client().Post("/api/v1/schedules", ScheduleBody(name), desk().lead.token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Int(r.Json(), "id");
  }

  HttpResponse Put(const std::string& path, const boost::json::value& body, const std::string& token) {
    return client().Send("PUT", path, boost::json::serialize(body),
                         {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  std::unique_ptr<HttpClient> client_;
  int64_t team_ = 0;
};

TEST_P(OnCallApiTest, WhoIsOnCallAcrossTheDstHandoff) {
  int64_t id = CreateSchedule(UniqueName("primary"));
  std::string base = "/api/v1/schedules/" + std::to_string(id);
  // Berlin springs forward on 30 Mar 2025: the 09:00 handoff moves from 08:00Z to 07:00Z.
  HttpResponse before = client().Get(base + "/on-call?at=2025-03-30T06:59:59.999Z", desk().agent.token);
  ASSERT_EQ(before.status, 200) << before.Describe();
  EXPECT_EQ(Int(before.Json(), "user_id"), desk().agent.id);
  EXPECT_EQ(Str(before.Json(), "until"), "2025-03-30T07:00:00.000Z");
  HttpResponse after = client().Get(base + "/on-call?at=2025-03-30T09:00:00%2B02:00", desk().agent.token);
  ASSERT_EQ(after.status, 200) << after.Describe();
  EXPECT_EQ(Int(after.Json(), "user_id"), desk().lead.id);
  EXPECT_EQ(Str(after.Json(), "at"), "2025-03-30T07:00:00.000Z");
  HttpResponse early = client().Get(base + "/on-call?at=2025-01-01T00:00:00Z", desk().agent.token);
  ASSERT_EQ(early.status, 200);
  EXPECT_TRUE(early.Json().at("user_id").is_null());
  EXPECT_EQ(Str(early.Json(), "until"), "2025-03-27T08:00:00.000Z");
  // Without ?at: now.
  EXPECT_EQ(client().Get(base + "/on-call", desk().agent.token).status, 200);

  HttpResponse team = client().Get("/api/v1/teams/" + std::to_string(team_) + "/on-call?at=2025-03-30T07:00:00Z",
                                   desk().agent.token);
  ASSERT_EQ(team.status, 200) << team.Describe();
  array schedules = team.Json().at("schedules").as_array();
  ASSERT_EQ(schedules.size(), 1u);
  EXPECT_EQ(Int(schedules[0], "schedule_id"), id);
  EXPECT_EQ(Int(schedules[0], "user_id"), desk().lead.id);
}

TEST_P(OnCallApiTest, ScheduleCrudAndOverrides) {
  int64_t id = CreateSchedule(UniqueName("crud"));
  std::string base = "/api/v1/schedules/" + std::to_string(id);
  HttpResponse got = client().Get(base, desk().agent.token);
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(Str(got.Json(), "time_zone"), "Europe/Berlin");
  array layers = got.Json().at("layers").as_array();
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(Str(layers[0], "rotation"), "daily");
  EXPECT_EQ(Int(layers[0], "rotation_hours"), 24);

  HttpResponse patched = client().Patch(
      base,
      object{{"layers", array{object{{"participant_ids", array{desk().lead.id, desk().agent.id}},
                                     {"rotation", "custom"},
                                     {"rotation_hours", 12},
                                     {"start_date", "2025-03-27"},
                                     {"handoff_time", "09:00"}}}}},
      desk().admin.token);
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_EQ(Int(patched.Json(), "version"), 2);
  EXPECT_EQ(Int(patched.Json().at("layers").as_array()[0], "rotation_hours"), 12);

  // 27 Mar 09:00 CET = 08:00Z: lead until 20:00Z, then agent.
  HttpResponse o = client().Post(base + "/overrides",
                                 object{{"user_id", desk().admin.id},
                                        {"start_at", "2025-03-27T10:00:00Z"},
                                        {"end_at", "2025-03-27T12:00:00Z"}},
                                 desk().lead.token);
  ASSERT_EQ(o.status, 201) << o.Describe();
  int64_t override_id = Int(o.Json(), "id");
  HttpResponse shifts =
      client().Get(base + "/shifts?from=2025-03-27T00:00:00Z&to=2025-03-28T00:00:00Z", desk().agent.token);
  ASSERT_EQ(shifts.status, 200) << shifts.Describe();
  array items = Items(shifts);
  ASSERT_EQ(items.size(), 4u) << shifts.Describe();
  EXPECT_EQ(Int(items[0], "user_id"), desk().lead.id);
  EXPECT_EQ(Str(items[0], "start_at"), "2025-03-27T08:00:00.000Z");
  EXPECT_EQ(Int(items[1], "user_id"), desk().admin.id);
  EXPECT_EQ(Int(items[2], "user_id"), desk().lead.id);
  EXPECT_EQ(Int(items[3], "user_id"), desk().agent.id);
  EXPECT_EQ(Str(items[3], "start_at"), "2025-03-27T20:00:00.000Z");
  EXPECT_EQ(Str(items[3], "end_at"), "2025-03-28T00:00:00.000Z");

  EXPECT_EQ(client().Delete(base + "/overrides/" + std::to_string(override_id), desk().agent.token).status, 403);
  EXPECT_EQ(client().Delete(base + "/overrides/" + std::to_string(override_id), desk().lead.token).status, 204);
  EXPECT_TRUE(IsError(client().Delete(base + "/overrides/" + std::to_string(override_id), desk().lead.token), 404,
                      "not_found"));
  HttpResponse listed = client().Get("/api/v1/schedules?team_id=" + std::to_string(team_), desk().agent.token);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(Items(listed).size(), 1u);

  EXPECT_EQ(client().Delete(base, desk().agent.token).status, 403);
  EXPECT_EQ(client().Delete(base, desk().lead.token).status, 204);
  EXPECT_TRUE(IsError(client().Get(base, desk().agent.token), 404, "not_found"));
}

TEST_P(OnCallApiTest, BadInputNamesTheField) {
  const std::string& lead = desk().lead.token;
  object bad_layer = ScheduleBody(UniqueName("bad"));
  bad_layer["layers"] = array{object{{"participant_ids", array{desk().requester.id}},
                                     {"rotation", "fortnightly"},
                                     {"start_date", "2025-13-01"},
                                     {"handoff_time", "25:00"},
                                     {"colour", "red"}}};
  HttpResponse r = client().Post("/api/v1/schedules", bad_layer, lead);
  EXPECT_TRUE(IsFieldError(r, "layers[0].rotation"));
  EXPECT_TRUE(IsFieldError(r, "layers[0].colour"));
  object custom = ScheduleBody(UniqueName("custom"));
  custom["layers"].as_array()[0].as_object()["rotation"] = "custom";
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/schedules", custom, lead), "layers[0].rotation_hours"));
  object service_level = ScheduleBody(UniqueName("svc"));
  service_level["layers"].as_array()[0].as_object()["participant_ids"] = array{desk().requester.id};
  service_level["layers"].as_array()[0].as_object()["start_date"] = "2025-02-30";
  HttpResponse svc = client().Post("/api/v1/schedules", service_level, lead);
  EXPECT_TRUE(IsFieldError(svc, "layers[0].participant_ids"));
  EXPECT_TRUE(IsFieldError(svc, "layers[0].start_date"));
  object zone = ScheduleBody(UniqueName("zone"));
  zone["time_zone"] = "Europe/Gondor";
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/schedules", zone, lead), "time_zone"));
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/schedules", object{{"name", "x"}}, lead), "team_id"));

  int64_t id = CreateSchedule(UniqueName("input"));
  std::string base = "/api/v1/schedules/" + std::to_string(id);
  EXPECT_TRUE(IsFieldError(client().Get(base + "/on-call?at=yesterday", desk().agent.token), "at"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "/shifts?from=2025-03-01T00:00:00Z", desk().agent.token), "to"));
  EXPECT_TRUE(IsFieldError(
      client().Get(base + "/shifts?from=2025-03-01T00:00:00Z&to=2025-05-01T00:00:00Z", desk().agent.token), "to"));
  EXPECT_TRUE(IsFieldError(client().Post(base + "/overrides",
                                         object{{"user_id", desk().agent.id},
                                                {"start_at", "2025-03-27T10:00:00Z"},
                                                {"end_at", "2025-03-27T09:00:00Z"}},
                                         lead),
                           "end_at"));
  EXPECT_TRUE(IsFieldError(
      client().Post(base + "/overrides", object{{"user_id", desk().agent.id}, {"start_at", "soon"}}, lead),
      "start_at"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/schedules/987654/on-call", desk().agent.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/schedules/abc", desk().agent.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/teams/987654/on-call", desk().agent.token), 404, "not_found"));
  EXPECT_TRUE(IsFieldError(client().Get("/api/v1/schedules?team_id=x", desk().agent.token), "team_id"));

  HttpResponse policy = client().Post(
      "/api/v1/escalation-policies",
      object{{"team_id", team_},
             {"name", "p"},
             {"levels", array{object{{"targets", array{object{{"type", "pager"}, {"id", 1}}}},
                                     {"ack_timeout_minutes", 5}}}}},
      lead);
  EXPECT_TRUE(IsFieldError(policy, "levels[0].targets"));
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/escalation-policies", object{{"team_id", team_}, {"name", "p"}}, lead),
                           "levels"));
}

TEST_P(OnCallApiTest, RequestersAreRefusedAgentsRead) {
  int64_t id = CreateSchedule(UniqueName("roles"));
  std::string base = "/api/v1/schedules/" + std::to_string(id);
  for (const std::string& path : {base, base + "/on-call", std::string("/api/v1/schedules"),
                                  std::string("/api/v1/escalation-policies"),
                                  "/api/v1/teams/" + std::to_string(team_) + "/on-call"}) {
    EXPECT_TRUE(IsError(client().Get(path, desk().requester.token), 403, "permission_denied")) << path;
    EXPECT_EQ(client().Get(path, desk().agent.token).status, 200) << path;
  }
  // Writes are refused before the body is even read.
  EXPECT_TRUE(IsError(client().Post("/api/v1/schedules", object{}, desk().agent.token), 403, "permission_denied"));
  EXPECT_TRUE(IsError(client().Patch(base, object{{"nonsense", 1}}, desk().agent.token), 403, "permission_denied"));
}

TEST_P(OnCallApiTest, EscalationPoliciesAndQueues) {
  int64_t schedule = CreateSchedule(UniqueName("esc"));
  object body{{"team_id", team_},
              {"name", UniqueName("policy")},
              {"repeat", 1},
              {"levels", array{object{{"targets", array{object{{"type", "schedule"}, {"id", schedule}}}},
                                      {"ack_timeout_minutes", 10}},
                               object{{"targets", array{object{{"type", "team_on_call"}, {"id", team_}},
                                                        object{{"type", "user"}, {"id", desk().admin.id}}}},
                                      {"ack_timeout_minutes", 30}}}}};
  EXPECT_EQ(client().Post("/api/v1/escalation-policies", body, desk().agent.token).status, 403);
  HttpResponse created = client().Post("/api/v1/escalation-policies", body, desk().lead.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  int64_t policy = Int(created.Json(), "id");
  EXPECT_EQ(Int(created.Json(), "repeat"), 1);
  EXPECT_TRUE(created.Json().at("notify_lead_when_exhausted").as_bool());
  array levels = created.Json().at("levels").as_array();
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(Str(levels[1].at("targets").as_array()[0], "type"), "team_on_call");
  std::string path = "/api/v1/escalation-policies/" + std::to_string(policy);

  HttpResponse q = client().Post("/api/v1/queues", object{{"name", UniqueName("component")}, {"team_id", team_}},
                                 desk().lead.token);
  ASSERT_EQ(q.status, 201) << q.Describe();
  std::string queue_path = "/api/v1/queues/" + std::to_string(Int(q.Json(), "id")) + "/escalation-policy";
  EXPECT_TRUE(IsError(Put(queue_path, object{{"escalation_policy_id", policy}}, desk().agent.token), 403,
                      "permission_denied"));
  EXPECT_TRUE(IsFieldError(Put(queue_path, object{}, desk().lead.token), "escalation_policy_id"));
  EXPECT_TRUE(IsFieldError(Put(queue_path, object{{"escalation_policy_id", 987654}}, desk().lead.token),
                           "escalation_policy_id"));
  HttpResponse set = Put(queue_path, object{{"escalation_policy_id", policy}}, desk().lead.token);
  ASSERT_EQ(set.status, 200) << set.Describe();
  EXPECT_EQ(Int(set.Json(), "escalation_policy_id"), policy);
  HttpResponse read = client().Get(path, desk().agent.token);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.Json().at("queue_ids").as_array().size(), 1u);
  EXPECT_TRUE(IsError(client().Delete(path, desk().admin.token), 409, "conflict"));
  EXPECT_TRUE(IsError(client().Delete("/api/v1/schedules/" + std::to_string(schedule), desk().admin.token), 409,
                      "conflict"));

  HttpResponse patched = client().Patch(path, object{{"notify_lead_when_exhausted", false}, {"repeat", 0}},
                                        desk().admin.token);
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_FALSE(patched.Json().at("notify_lead_when_exhausted").as_bool());
  EXPECT_EQ(patched.Json().at("levels").as_array().size(), 2u);

  HttpResponse cleared = Put(queue_path, object{{"escalation_policy_id", nullptr}}, desk().lead.token);
  ASSERT_EQ(cleared.status, 200) << cleared.Describe();
  EXPECT_TRUE(cleared.Json().at("escalation_policy_id").is_null());
  EXPECT_EQ(client().Delete(path, desk().lead.token).status, 204);
  EXPECT_TRUE(IsError(client().Get(path, desk().agent.token), 404, "not_found"));
}

INSTANTIATE_TEST_SUITE_P(Engines, OnCallApiTest,
                         testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
