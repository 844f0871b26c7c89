// The agent workspace over HTTP, end to end, on both engines: views and their
// counts (each equal to what GET /tickets lists for the view's query), bulk
// changes with per-ticket outcomes and whole-request validation, and the
// Markdown preview.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

std::string TicketPath(int64_t id) { return "/api/v1/tickets/" + std::to_string(id); }

class WorkspaceApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }

  HttpClient& client() { return *client_; }

  int64_t File(object body, const std::string& token = "") {
    if (!body.contains("body")) body["body"] = "Filed by the workspace tests.";
    HttpResponse r = client().Post("/api/v1/tickets", body, token.empty() ? desk().requester.token : token);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Int(r.Json(), "id");
  }

  boost::json::value Change(int64_t id, object patch) {
    HttpResponse r = client().Patch(TicketPath(id), patch, desk().agent.token);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }

  boost::json::value Ticket(int64_t id) {
    HttpResponse r = client().Get(TicketPath(id), desk().agent.token);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }

  // How many tickets GET /tickets lists with `query` (all pages).
  int64_t ListedCount(const object& query, const std::string& token) {
    std::string base = "/api/v1/tickets?limit=200";
    for (const auto& [key, value] : query) {
      base += '&';
      base += key;
      base += '=';
      base += value.as_string();
    }
    int64_t count = 0;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      HttpResponse r = client().Get(base + (cursor.empty() ? "" : "&cursor=" + cursor), token);
      EXPECT_EQ(r.status, 200) << base << ": " << r.Describe();
      if (r.status != 200) return -1;
      count += static_cast<int64_t>(Items(r).size());
      boost::json::value json = r.Json();
      if (json.at("next_cursor").is_null()) return count;
      cursor = std::string(json.at("next_cursor").as_string());
    }
    ADD_FAILURE() << "pagination of " << base << " did not end";
    return -1;
  }

  HttpResponse Bulk(const boost::json::value& body, const std::string& token = "") {
    return client().Post("/api/v1/tickets/bulk", body, token.empty() ? desk().agent.token : token);
  }

  std::unique_ptr<HttpClient> client_;
};

// ---------------------------------------------------------------------------
// Views

TEST_P(WorkspaceApiTest, EachViewsCountIsWhatItsQueryLists) {
  std::string queue = UniqueName("views");
  ASSERT_EQ(client().Post("/api/v1/queues", object{{"name", queue}}, desk().lead.token).status, 201);
  File(object{{"subject", "new in queue"}, {"queue", queue}});
  File(object{{"subject", "new, no queue"}});
  Change(File(object{{"subject", "mine"}, {"queue", queue}}), object{{"assignee_id", desk().agent.id}});
  Change(File(object{{"subject", "mine, pending"}}), object{{"assignee_id", desk().agent.id}, {"status", "pending"}});
  Change(File(object{{"subject", "lead's, on hold"}, {"queue", queue}}),
         object{{"assignee_id", desk().lead.id}, {"status", "on_hold"}});
  Change(File(object{{"subject", "closed in queue"}, {"queue", queue}}), object{{"status", "closed"}});
  Change(File(object{{"subject", "solved, mine"}}), object{{"assignee_id", desk().agent.id}, {"status", "solved"}});

  for (const TestUser* user : {&desk().agent, &desk().lead, &desk().admin}) {
    HttpResponse r = client().Get("/api/v1/views", user->token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(r.Json().at("next_cursor").is_null());
    array items = Items(r);
    ASSERT_GE(items.size(), 5u) << r.Describe();
    EXPECT_EQ(Str(items[0], "id"), "mine");
    EXPECT_EQ(Str(items[0], "name"), "My open tickets");
    EXPECT_EQ(Str(items[1], "id"), "unassigned");
    EXPECT_EQ(Str(items[2], "id"), "all_open");
    EXPECT_EQ(Str(items[3], "id"), "pending");
    EXPECT_EQ(boost::json::serialize(items[0].at("query")),
              R"({"assignee":"me","status":"new,open,pending,on_hold"})");
    EXPECT_EQ(boost::json::serialize(items[1].at("query")),
              R"({"assignee":"none","status":"new,open,pending,on_hold"})");
    EXPECT_EQ(boost::json::serialize(items[3].at("query")), R"({"status":"pending"})");
    std::string previous_queue;
    bool found_queue = false;
    for (const auto& view : items) {
      const object& query = view.at("query").as_object();
      EXPECT_EQ(Int(view, "count"), ListedCount(query, user->token)) << user->role << ": " << Str(view, "id");
      std::string id = Str(view, "id");
      if (id.rfind("queue:", 0) == 0) {
        std::string name = Str(view, "name");
        EXPECT_EQ(id, "queue:" + name);
        EXPECT_LT(previous_queue, name) << "queues are ordered by name";
        previous_queue = name;
        EXPECT_EQ(Str(query, "queue"), name);
        if (name == queue) {
          found_queue = true;
          EXPECT_EQ(Int(view, "count"), 3) << "new, mine and on hold; not closed";
        }
      }
    }
    EXPECT_TRUE(found_queue) << r.Describe();
    if (user == &desk().agent) {
      EXPECT_GE(Int(items[0], "count"), 2);
    }
  }
}

TEST_P(WorkspaceApiTest, ViewsAreForStaffOnly) {
  EXPECT_TRUE(IsError(client().Get("/api/v1/views", desk().requester.token), 403, "permission_denied"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/views"), 401, "unauthenticated"));
}

// ---------------------------------------------------------------------------
// Bulk changes

TEST_P(WorkspaceApiTest, BulkChangesEveryTicketAndAnswersInRequestOrder) {
  int64_t a = File(object{{"subject", "bulk a"}, {"tags", array{"db"}}});
  int64_t b = File(object{{"subject", "bulk b"}, {"tags", array{"db", "stale"}}});
  int64_t c = File(object{{"subject", "bulk c"}});
  HttpResponse r = Bulk(object{{"ids", array{c, a, b}},
                               {"changes", object{{"status", "pending"},
                                                  {"priority", "high"},
                                                  {"assignee_id", desk().agent.id},
                                                  {"add_tags", array{"Bulk"}},
                                                  {"remove_tags", array{"stale"}}}}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  array items = Items(r);
  ASSERT_EQ(items.size(), 3u) << r.Describe();
  const int64_t order[] = {c, a, b};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Int(items[i], "id"), order[i]);
    ASSERT_TRUE(items[i].at("ok").as_bool()) << boost::json::serialize(items[i]);
    const auto& t = items[i].at("ticket");
    EXPECT_EQ(Int(t, "id"), order[i]);
    EXPECT_EQ(Str(t, "status"), "pending");
    EXPECT_EQ(Str(t, "priority"), "high");
    EXPECT_EQ(Int(t.at("assignee"), "id"), desk().agent.id);
    EXPECT_EQ(Ticket(order[i]), t) << "the answer is the stored ticket";
  }
  EXPECT_EQ(boost::json::serialize(Ticket(a).at("tags")), R"(["bulk","db"])");
  EXPECT_EQ(boost::json::serialize(Ticket(b).at("tags")), R"(["bulk","db"])");
  EXPECT_EQ(boost::json::serialize(Ticket(c).at("tags")), R"(["bulk"])");

  HttpResponse events = client().Get(TicketPath(b) + "/events", desk().agent.token);
  ASSERT_EQ(events.status, 200) << events.Describe();
  std::set<std::string> fields;
  for (const auto& e : Items(events)) {
    if (Str(e, "kind") == "field_changed") fields.insert(Str(e, "field"));
  }
  EXPECT_EQ(fields, (std::set<std::string>{"assignee_id", "priority", "status", "tags"}));
}

TEST_P(WorkspaceApiTest, OneTicketFailingDoesNotStopTheOthers) {
  int64_t open = File(object{{"subject", "fine"}});
  Change(open, object{{"status", "open"}});
  int64_t closed = File(object{{"subject", "closed"}});
  Change(closed, object{{"status", "closed"}});
  int64_t closed_version = Int(Ticket(closed), "version");
  int64_t missing = closed + 1'000'000;
  HttpResponse r = Bulk(object{{"ids", array{closed, missing, open}}, {"changes", object{{"priority", "urgent"}}}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  array items = Items(r);
  ASSERT_EQ(items.size(), 3u);

  EXPECT_EQ(Int(items[0], "id"), closed);
  EXPECT_FALSE(items[0].at("ok").as_bool());
  EXPECT_EQ(Str(items[0].at("error"), "code"), "failed_precondition");
  EXPECT_FALSE(Str(items[0].at("error"), "message").empty());
  EXPECT_FALSE(items[0].as_object().contains("ticket"));

  EXPECT_EQ(Int(items[1], "id"), missing);
  EXPECT_FALSE(items[1].at("ok").as_bool());
  EXPECT_EQ(Str(items[1].at("error"), "code"), "not_found");

  EXPECT_EQ(Int(items[2], "id"), open);
  EXPECT_TRUE(items[2].at("ok").as_bool());
  EXPECT_EQ(Str(Ticket(open), "priority"), "urgent");
  EXPECT_EQ(Int(Ticket(closed), "version"), closed_version);
  EXPECT_EQ(Str(Ticket(closed), "priority"), "normal");

  // A transition one ticket does not allow fails with the PATCH error and its field.
  HttpResponse back = Bulk(object{{"ids", array{open}}, {"changes", object{{"status", "new"}}}});
  ASSERT_EQ(back.status, 200) << back.Describe();
  ASSERT_FALSE(Items(back)[0].at("ok").as_bool()) << back.Describe();
  const auto error = Items(back)[0].at("error");
  EXPECT_EQ(Str(error, "code"), "invalid_argument");
  EXPECT_TRUE(error.at("fields").as_object().contains("status")) << back.Describe();
}

TEST_P(WorkspaceApiTest, InvalidBulkRequestsAre422AndChangeNothing) {
  int64_t id = File(object{{"subject", "untouched"}});
  boost::json::value before = Ticket(id);
  array too_many;
  for (int64_t i = 1; i <= 201; ++i) too_many.push_back(i);
  struct Case {
    const char* name;
    boost::json::value body;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"unknown field", object{{"ids", array{id}}, {"changes", object{{"priority", "low"}}}, {"dry_run", true}},
       "dry_run"},
      {"unknown change", object{{"ids", array{id}}, {"changes", object{{"priority", "low"}, {"subject", "x"}}}},
       "changes.subject"},
      {"201 ids", object{{"ids", too_many}, {"changes", object{{"priority", "low"}}}}, "ids"},
      {"no ids", object{{"ids", array{}}, {"changes", object{{"priority", "low"}}}}, "ids"},
      {"repeated id", object{{"ids", array{id, id}}, {"changes", object{{"priority", "low"}}}}, "ids"},
      {"ids not integers", object{{"ids", array{"1"}}, {"changes", object{{"priority", "low"}}}}, "ids"},
      {"ids missing", object{{"changes", object{{"priority", "low"}}}}, "ids"},
      {"bad status", object{{"ids", array{id}}, {"changes", object{{"status", "done"}}}}, "changes.status"},
      {"empty changes", object{{"ids", array{id}}, {"changes", object{}}}, "changes"},
      {"changes missing", object{{"ids", array{id}}}, "changes"},
      {"bad tag", object{{"ids", array{id}}, {"changes", object{{"add_tags", array{"two words"}}}}},
       "changes.add_tags"},
      {"unknown queue", object{{"ids", array{id}}, {"changes", object{{"queue", UniqueName("nope")}}}},
       "changes.queue"},
      {"requester assignee",
       object{{"ids", array{id}}, {"changes", object{{"assignee_id", desk().requester.id}, {"priority", "low"}}}},
       "changes.assignee_id"},
  };
  for (const auto& test_case : cases) {
    HttpResponse r = Bulk(test_case.body);
    EXPECT_TRUE(IsFieldError(r, test_case.field)) << test_case.name << ": " << r.Describe();
  }
  EXPECT_EQ(Ticket(id), before) << "nothing was written";
  EXPECT_TRUE(IsError(client().Send("POST", "/api/v1/tickets/bulk", "[1,2]",
                                    {{"Authorization", "Bearer " + desk().agent.token},
                                     {"Content-Type", "application/json"}}),
                      400, "invalid_argument"));
}

TEST_P(WorkspaceApiTest, RequestersCannotChangeTicketsInBulk) {
  int64_t own = File(object{{"subject", "mine to solve"}});
  boost::json::value before = Ticket(own);
  HttpResponse r = Bulk(object{{"ids", array{own}}, {"changes", object{{"status", "solved"}}}}, desk().requester.token);
  EXPECT_TRUE(IsError(r, 403, "permission_denied")) << r.Describe();
  // Refused before the body is read: a bad body is still 403.
  HttpResponse bad = Bulk(object{{"bogus", 1}}, desk().requester.token);
  EXPECT_TRUE(IsError(bad, 403, "permission_denied")) << bad.Describe();
  EXPECT_EQ(Ticket(own), before);
}

// ---------------------------------------------------------------------------
// Markdown preview

TEST_P(WorkspaceApiTest, PreviewRendersLikeTicketBodies) {
  HttpResponse r = client().Post("/api/v1/markdown/preview", object{{"body", "**x**"}}, desk().requester.token);
  ASSERT_EQ(r.status, 200) << r.Describe();
  std::string html = Str(r.Json(), "html");
  EXPECT_NE(html.find("<strong>x</strong>"), std::string::npos) << html;

  const std::string hostile =
      "Hello <script>alert('x')</script> and [click](javascript:alert(1)) and "
      "<a href=\"javascript:alert(2)\">raw</a>\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n";
  HttpResponse safe = client().Post("/api/v1/markdown/preview", object{{"body", hostile}}, desk().agent.token);
  ASSERT_EQ(safe.status, 200) << safe.Describe();
  std::string rendered = Str(safe.Json(), "html");
  EXPECT_EQ(rendered.find("<script"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("javascript:"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("<table>"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("<del>2</del>"), std::string::npos) << rendered;

  // Exactly what a ticket filed with that body stores as body_html.
  int64_t id = File(object{{"subject", "preview parity"}, {"body", hostile}});
  EXPECT_EQ(Str(Ticket(id), "body_html"), rendered);
}

TEST_P(WorkspaceApiTest, PreviewValidatesTheBody) {
  const std::string token = desk().agent.token;
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/markdown/preview", object{}, token), "body"));
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/markdown/preview", object{{"body", 5}}, token), "body"));
  EXPECT_TRUE(IsFieldError(
      client().Post("/api/v1/markdown/preview", object{{"body", std::string(64 * 1024 + 1, 'a')}}, token), "body"));
  EXPECT_TRUE(IsFieldError(
      client().Post("/api/v1/markdown/preview", object{{"body", "x"}, {"format", "gfm"}}, token), "format"));
  HttpResponse limit =
      client().Post("/api/v1/markdown/preview", object{{"body", std::string(64 * 1024, 'a')}}, token);
  EXPECT_EQ(limit.status, 200) << limit.Describe();
  EXPECT_TRUE(IsError(client().Post("/api/v1/markdown/preview", object{{"body", "x"}}), 401, "unauthenticated"));
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkspaceApiTest,
                         testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
