// Live updates and presence over real HTTP: the Server-Sent Events stream at
// GET /api/v1/live, who hears what, presence on tickets, and (on PostgreSQL)
// two server processes on one database hearing each other's changes.
//
// "Did not hear X" is checked against a later sentinel event: a hub delivers a
// subscriber's events in the order they happened, so once the sentinel has
// arrived, anything before it that was going to arrive has.
#include <gtest/gtest.h>

#include "event_stream.h"
#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

std::string TicketPath(int64_t id, std::string_view rest = "") {
  return "/api/v1/tickets/" + std::to_string(id) + std::string(rest);
}

std::function<bool(const SseEvent&)> TicketEvent(int64_t ticket_id, std::string_view kind) {
  return [ticket_id, kind = std::string(kind)](const SseEvent& e) {
    if (e.event != "ticket") return false;
    auto json = e.Json();
    return json.is_object() && Int(json, "ticket_id") == ticket_id && Str(json, "kind") == kind;
  };
}

// A presence event for `ticket_id` whose viewers satisfy `check`.
std::function<bool(const SseEvent&)> PresenceEvent(int64_t ticket_id,
                                                   std::function<bool(const boost::json::array&)> check) {
  return [ticket_id, check](const SseEvent& e) {
    if (e.event != "presence") return false;
    auto json = e.Json();
    return json.is_object() && Int(json, "ticket_id") == ticket_id && check(json.at("viewers").as_array());
  };
}

bool Mentions(const std::vector<SseEvent>& events, int64_t ticket_id) {
  for (const auto& e : events) {
    auto json = e.Json();
    if (json.is_object() && json.as_object().contains("ticket_id") && Int(json, "ticket_id") == ticket_id) {
      return true;
    }
  }
  return false;
}

class LiveTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }

  std::unique_ptr<EventStream> Open(const std::string& token, uint16_t port = 0) {
    auto stream = EventStream::Open(port ? port : desk().port(), token);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    if (!stream.ok()) return nullptr;
    // The greeting means the subscription is in place.
    EXPECT_TRUE((*stream)->WaitFor([](const SseEvent& e) { return e.event == "hello"; }));
    return std::move(*stream);
  }

  int64_t File(const std::string& token, const std::string& subject) {
    HttpResponse r = client_->Post("/api/v1/tickets", object{{"subject", subject}, {"body", "Live test."}}, token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Int(r.Json(), "id");
  }

  void Comment(int64_t ticket, const std::string& token, bool internal) {
    HttpResponse r = client_->Post(TicketPath(ticket, "/comments"),
                                   object{{"body", internal ? "Internal: check the logs" : "Public reply"},
                                          {"internal", internal}},
                                   token);
    EXPECT_EQ(r.status, 201) << r.Describe();
  }

  std::unique_ptr<HttpClient> client_;
};

TEST_P(LiveTest, StreamNeedsSignInAndIsAnEventStream) {
  HttpResponse anonymous = client_->Get("/api/v1/live");
  EXPECT_TRUE(IsError(anonymous, 401, "unauthenticated")) << anonymous.Describe();
  auto stream = EventStream::Open(desk().port(), desk().agent.token);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  auto hello = (*stream)->WaitFor([](const SseEvent& e) { return e.event == "hello"; });
  ASSERT_TRUE(hello);
  EXPECT_EQ(Int(hello->Json(), "user_id"), desk().agent.id);
}

TEST_P(LiveTest, AgentsHearEveryChangeAsItHappens) {
  auto agent = Open(desk().agent.token);
  ASSERT_TRUE(agent);
  int64_t ticket = File(desk().requester.token, "Live: new ticket appears");
  auto created = agent->WaitFor(TicketEvent(ticket, "created"));
  ASSERT_TRUE(created) << "no created event";
  EXPECT_EQ(Int(created->Json(), "actor_id"), desk().requester.id);

  HttpResponse patched = client_->Patch(TicketPath(ticket), object{{"priority", "urgent"}}, desk().lead.token);
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  ASSERT_TRUE(agent->WaitFor(TicketEvent(ticket, "updated")));

  Comment(ticket, desk().lead.token, /*internal=*/true);
  ASSERT_TRUE(agent->WaitFor(TicketEvent(ticket, "commented"))) << "staff hear internal notes";
}

TEST_P(LiveTest, RequestersHearOnlyTheirOwnTicketsAndNoInternalNotes) {
  int64_t own = File(desk().requester.token, "Live: my ticket");
  auto requester = Open(desk().requester.token);
  ASSERT_TRUE(requester);

  int64_t others = File(desk().other_requester.token, "Live: someone else's ticket");
  Comment(own, desk().agent.token, /*internal=*/true);
  HttpResponse presence =
      client_->Send("PUT", TicketPath(own, "/presence"), R"({"state":"typing"})",
                    {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(presence.status, 200) << presence.Describe();
  // The sentinel: a public reply on the requester's own ticket.
  Comment(own, desk().agent.token, /*internal=*/false);

  ASSERT_TRUE(requester->WaitFor(TicketEvent(own, "commented")));
  EXPECT_FALSE(Mentions(requester->seen(), others)) << "heard of another requester's ticket";
  int comment_events = 0;
  for (const auto& e : requester->seen()) {
    EXPECT_NE(e.event, "presence") << "requesters get no presence";
    if (TicketEvent(own, "commented")(e)) ++comment_events;
  }
  EXPECT_EQ(comment_events, 1) << "the internal note must not be announced to the requester";
}

TEST_P(LiveTest, PresenceShowsWhoViewsAndTypesAndWhoLeft) {
  int64_t ticket = File(desk().requester.token, "Live: collision");
  auto lead = Open(desk().lead.token);
  ASSERT_TRUE(lead);
  Headers agent_json = {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}};
  Headers lead_auth = {{"Authorization", "Bearer " + desk().lead.token}};

  HttpResponse viewing = client_->Send("PUT", TicketPath(ticket, "/presence"), R"({"state":"viewing"})", agent_json);
  ASSERT_EQ(viewing.status, 200) << viewing.Describe();
  ASSERT_EQ(Items(viewing).size(), 1u) << viewing.Describe();
  EXPECT_EQ(Int(Items(viewing)[0], "user_id"), desk().agent.id);

  auto agent_named = [&](std::string_view state) {
    return [&, state = std::string(state)](const boost::json::array& viewers) {
      return viewers.size() == 1 && Int(viewers[0], "user_id") == desk().agent.id && Str(viewers[0], "state") == state;
    };
  };
  ASSERT_TRUE(lead->WaitFor(PresenceEvent(ticket, agent_named("viewing"))));

  ASSERT_EQ(client_->Send("PUT", TicketPath(ticket, "/presence"), R"({"state":"typing"})", agent_json).status, 200);
  ASSERT_TRUE(lead->WaitFor(PresenceEvent(ticket, agent_named("typing"))));
  HttpResponse listed = client_->Send("GET", TicketPath(ticket, "/presence"), {}, lead_auth);
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  ASSERT_EQ(Items(listed).size(), 1u);
  EXPECT_EQ(Str(Items(listed)[0], "state"), "typing");

  HttpResponse left = client_->Send("DELETE", TicketPath(ticket, "/presence"), {}, agent_json);
  ASSERT_EQ(left.status, 204) << left.Describe();
  ASSERT_TRUE(lead->WaitFor(PresenceEvent(ticket, [](const boost::json::array& v) { return v.empty(); })));
}

TEST_P(LiveTest, PresenceRejectsBadInput) {
  int64_t ticket = File(desk().requester.token, "Live: bad presence");
  Headers agent_json = {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}};
  EXPECT_TRUE(IsFieldError(client_->Send("PUT", TicketPath(ticket, "/presence"), R"({"state":"dancing"})", agent_json),
                           "state"));
  EXPECT_TRUE(IsFieldError(client_->Send("PUT", TicketPath(ticket, "/presence"), R"({})", agent_json), "state"));
  EXPECT_TRUE(IsFieldError(
      client_->Send("PUT", TicketPath(ticket, "/presence"), R"({"state":"viewing","x":1})", agent_json), "x"));
  EXPECT_TRUE(IsError(client_->Send("PUT", TicketPath(ticket, "/presence"), "{", agent_json), 400, "invalid_argument"));
  EXPECT_TRUE(IsError(client_->Send("PUT", TicketPath(999999999, "/presence"), R"({"state":"viewing"})", agent_json),
                      404, "not_found"));
}

// Several nodes on one PostgreSQL database: a change made through one node
// reaches streams on the other, and so does presence.
TEST_P(LiveTest, ChangesAndPresenceCrossNodes) {
  if (GetParam() != storage::Engine::kPostgres) GTEST_SKIP() << "several nodes need PostgreSQL";
  auto second = ServerProcess::Start(desk().db_url());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  HttpClient node_b((*second)->port());

  auto on_a = Open(desk().agent.token);
  ASSERT_TRUE(on_a);
  auto on_b = Open(desk().lead.token, (*second)->port());
  ASSERT_TRUE(on_b);

  HttpResponse filed =
      node_b.Post("/api/v1/tickets", object{{"subject", "Filed on node B"}, {"body", "x"}}, desk().requester.token);
  ASSERT_EQ(filed.status, 201) << filed.Describe();
  int64_t ticket = Int(filed.Json(), "id");
  EXPECT_TRUE(on_a->WaitFor(TicketEvent(ticket, "created"))) << "node A did not hear node B's change";
  EXPECT_TRUE(on_b->WaitFor(TicketEvent(ticket, "created"))) << "node B did not hear its own change";

  Comment(ticket, desk().agent.token, /*internal=*/true);  // through node A
  EXPECT_TRUE(on_b->WaitFor(TicketEvent(ticket, "commented")));

  HttpResponse viewing = client_->Send(
      "PUT", TicketPath(ticket, "/presence"), R"({"state":"viewing"})",
      {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(viewing.status, 200) << viewing.Describe();
  EXPECT_TRUE(on_b->WaitFor(PresenceEvent(ticket, [&](const boost::json::array& v) {
    return v.size() == 1 && Int(v[0], "user_id") == desk().agent.id;
  })));
  HttpResponse listed = node_b.Get(TicketPath(ticket, "/presence"), desk().lead.token);
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_EQ(Items(listed).size(), 1u) << "node B knows who views the ticket on node A";
}

// A server with open streams still stops gracefully on SIGTERM.
TEST_P(LiveTest, OpenStreamsDoNotHoldUpShutdown) {
  auto server = ServerProcess::Start(desk().db_url());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto stream = Open(desk().agent.token, (*server)->port());
  ASSERT_TRUE(stream);
  EXPECT_EQ((*server)->Stop(), 0) << (*server)->Logs();
  EXPECT_FALSE(stream->WaitFor([](const SseEvent&) { return true; })) << "no event after the stop";
  EXPECT_TRUE(stream->closed());
}

INSTANTIATE_TEST_SUITE_P(Engines, LiveTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
