// Ticket work over HTTP, end to end, on both engines: filing, idempotent retries,
// optimistic concurrency, listing, comments, events, links, merges, sessions and
// tokens, sign-in throttling and the operational endpoints.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <latch>
#include <map>
#include <thread>
#include <set>
#include <sstream>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::array;
using boost::json::object;

std::string TicketPath(int64_t id, std::string_view rest = "") {
  return "/api/v1/tickets/" + std::to_string(id) + std::string(rest);
}

class TicketsApiTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<HttpClient>(desk().Client());
  }

  HttpClient& client() { return *client_; }

  // Files a ticket; 0 (and a failure) when the server refuses.
  int64_t File(const std::string& token, object body, const Headers& headers = {}) {
    if (!body.contains("body")) body["body"] = "Filed by the e2e tests.";
    HttpResponse r = client().Post("/api/v1/tickets", body, token, headers);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Int(r.Json(), "id");
  }

  boost::json::value Ticket(int64_t id, const std::string& token) {
    HttpResponse r = client().Get(TicketPath(id), token);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }

  // All items of a paged collection, following next_cursor.
  array AllPages(const std::string& target, const std::string& token) {
    array all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string url = target + (target.find('?') == std::string::npos ? "?" : "&") + "limit=200";
      if (!cursor.empty()) url += "&cursor=" + cursor;
      HttpResponse r = client().Get(url, token);
      EXPECT_EQ(r.status, 200) << url << ": " << r.Describe();
      if (r.status != 200) return all;
      for (const auto& item : Items(r)) all.push_back(item);
      boost::json::value json = r.Json();
      if (json.at("next_cursor").is_null()) return all;
      cursor = std::string(json.at("next_cursor").as_string());
    }
    ADD_FAILURE() << "pagination of " << target << " did not end";
    return all;
  }

  array Events(int64_t id, const std::string& token) { return AllPages(TicketPath(id, "/events"), token); }
  array Comments(int64_t id, const std::string& token) { return AllPages(TicketPath(id, "/comments"), token); }

  std::unique_ptr<HttpClient> client_;
};

std::set<int64_t> Ids(const array& items) {
  std::set<int64_t> ids;
  for (const auto& item : items) ids.insert(Int(item, "id"));
  return ids;
}

bool HasLink(const boost::json::value& ticket, std::string_view kind, int64_t other) {
  for (const auto& link : ticket.at("links").as_array()) {
    if (Str(link, "kind") == kind && Int(link, "ticket_id") == other) return true;
  }
  return false;
}

TEST_P(TicketsApiTest, CreateAnswers201WithLocationAndETag) {
  HttpResponse r = client().Post("/api/v1/tickets",
                                 object{{"subject", "VPN drops every hour"},
                                        {"body", "It drops **exactly** on the hour."},
                                        {"priority", "high"},
                                        {"tags", array{"VPN", "network", "vpn"}}},
                                 desk().requester.token);
  ASSERT_EQ(r.status, 201) << r.Describe();
  boost::json::value t = r.Json();
  int64_t id = Int(t, "id");
  ASSERT_GT(id, 0);
  EXPECT_EQ(r.Header("Location").value_or(""), TicketPath(id));
  EXPECT_EQ(r.Header("ETag").value_or(""), "\"1\"");
  EXPECT_EQ(r.Header("Content-Type").value_or("").rfind("application/json", 0), 0u);
  EXPECT_EQ(Str(t, "subject"), "VPN drops every hour");
  EXPECT_EQ(Str(t, "status"), "new");
  EXPECT_EQ(Str(t, "priority"), "high");
  EXPECT_EQ(Int(t, "version"), 1);
  EXPECT_EQ(Int(t.at("requester"), "id"), desk().requester.id);
  EXPECT_TRUE(t.at("assignee").is_null());
  EXPECT_EQ(boost::json::serialize(t.at("tags")), R"(["network","vpn"])") << "tags are lower-cased, unique, sorted";
  EXPECT_NE(Str(t, "body_html").find("<strong>exactly</strong>"), std::string::npos) << Str(t, "body_html");

  HttpResponse fetched = client().Get(*r.Header("Location"), desk().requester.token);
  ASSERT_EQ(fetched.status, 200) << fetched.Describe();
  EXPECT_EQ(fetched.Header("ETag").value_or(""), "\"1\"");
  EXPECT_EQ(fetched.Json(), t);
}

TEST_P(TicketsApiTest, CreateResolvesQueuesByNameOrId) {
  std::string name = UniqueName("ingestion");
  HttpResponse queue = client().Post("/api/v1/queues", object{{"name", name}}, desk().lead.token);
  ASSERT_EQ(queue.status, 201) << queue.Describe();
  int64_t queue_id = Int(queue.Json(), "id");
  int64_t by_name = File(desk().requester.token, object{{"subject", "By name"}, {"queue", name}});
  int64_t by_id = File(desk().requester.token, object{{"subject", "By id"}, {"queue", queue_id}});
  for (int64_t id : {by_name, by_id}) {
    boost::json::value t = Ticket(id, desk().requester.token);
    EXPECT_EQ(Int(t.at("queue"), "id"), queue_id);
    EXPECT_EQ(Str(t.at("queue"), "name"), name);
  }
  HttpResponse unknown = client().Post("/api/v1/tickets",
                                       object{{"subject", "Nowhere"}, {"body", "x"}, {"queue", "no-such-queue"}},
                                       desk().requester.token);
  EXPECT_TRUE(IsFieldError(unknown, "queue"));
}

TEST_P(TicketsApiTest, IdempotencyKeyReplaysTheFirstResult) {
  std::string tag = UniqueName("idem");
  std::string key = UniqueName("key");
  object body{{"subject", "Retried create"}, {"body", "The network flapped."}, {"tags", array{tag.c_str()}}};
  Headers idem{{"Idempotency-Key", key}};

  HttpResponse first = client().Post("/api/v1/tickets", body, desk().requester.token, idem);
  ASSERT_EQ(first.status, 201) << first.Describe();
  EXPECT_FALSE(first.Header("Idempotent-Replayed").has_value());
  HttpResponse second = client().Post("/api/v1/tickets", body, desk().requester.token, idem);
  ASSERT_EQ(second.status, 201) << second.Describe();
  EXPECT_EQ(second.Header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(Int(second.Json(), "id"), Int(first.Json(), "id"));
  EXPECT_EQ(second.Header("Location"), first.Header("Location"));
  EXPECT_EQ(Str(second.Json(), "subject"), "Retried create");

  HttpResponse listed = client().Get("/api/v1/tickets?tag=" + tag, desk().agent.token);
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_EQ(Items(listed).size(), 1u) << listed.Describe();

  // The same key with a different request is a conflict and creates nothing.
  object changed = body;
  changed["subject"] = "A different ticket";
  HttpResponse conflict = client().Post("/api/v1/tickets", changed, desk().requester.token, idem);
  EXPECT_TRUE(IsError(conflict, 409, "conflict"));
  HttpResponse relisted = client().Get("/api/v1/tickets?tag=" + tag, desk().agent.token);
  EXPECT_EQ(Items(relisted).size(), 1u) << relisted.Describe();

  // Keys belong to a user: someone else's identical retry is a new ticket.
  HttpResponse other = client().Post("/api/v1/tickets", body, desk().other_requester.token, idem);
  ASSERT_EQ(other.status, 201) << other.Describe();
  EXPECT_FALSE(other.Header("Idempotent-Replayed").has_value());
  EXPECT_NE(Int(other.Json(), "id"), Int(first.Json(), "id"));
  EXPECT_EQ(Items(client().Get("/api/v1/tickets?tag=" + tag, desk().agent.token)).size(), 2u);

  // The original replay still works after all that.
  HttpResponse third = client().Post("/api/v1/tickets", body, desk().requester.token, idem);
  EXPECT_EQ(Int(third.Json(), "id"), Int(first.Json(), "id"));
  EXPECT_EQ(third.Header("Idempotent-Replayed").value_or(""), "true");
}

TEST_P(TicketsApiTest, StaleIfMatchIsRefusedAndChangesNothing) {
  int64_t id = File(desk().agent.token, object{{"subject", "Concurrent edits"}});
  HttpResponse got = client().Get(TicketPath(id), desk().agent.token);
  ASSERT_EQ(got.Header("ETag").value_or(""), "\"1\"");

  HttpResponse first = client().Patch(TicketPath(id), object{{"priority", "high"}}, desk().agent.token,
                                      {{"If-Match", *got.Header("ETag")}});
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.Header("ETag").value_or(""), "\"2\"");
  EXPECT_EQ(Int(first.Json(), "version"), 2);
  size_t events_before = Events(id, desk().agent.token).size();

  // A second editor still holding version 1.
  HttpResponse stale = client().Patch(TicketPath(id), object{{"priority", "low"}, {"subject", "Overwritten"}},
                                      desk().lead.token, {{"If-Match", "\"1\""}});
  EXPECT_TRUE(IsError(stale, 412, "precondition_failed"));
  boost::json::value after = Ticket(id, desk().agent.token);
  EXPECT_EQ(Str(after, "priority"), "high");
  EXPECT_EQ(Str(after, "subject"), "Concurrent edits");
  EXPECT_EQ(Int(after, "version"), 2);
  EXPECT_EQ(Events(id, desk().agent.token).size(), events_before);

  // Weak and bare forms of the current version are accepted.
  HttpResponse weak = client().Patch(TicketPath(id), object{{"priority", "urgent"}}, desk().lead.token,
                                     {{"If-Match", "W/\"2\""}});
  ASSERT_EQ(weak.status, 200) << weak.Describe();
  HttpResponse bare =
      client().Patch(TicketPath(id), object{{"priority", "low"}}, desk().lead.token, {{"If-Match", "3"}});
  ASSERT_EQ(bare.status, 200) << bare.Describe();
  EXPECT_EQ(Int(bare.Json(), "version"), 4);
  HttpResponse garbage =
      client().Patch(TicketPath(id), object{{"priority", "high"}}, desk().lead.token, {{"If-Match", "soon"}});
  EXPECT_TRUE(IsFieldError(garbage, "If-Match"));
  EXPECT_EQ(Str(Ticket(id, desk().agent.token), "priority"), "low");
}

TEST_P(TicketsApiTest, ListFiltersAndCursorPagination) {
  std::string tag = UniqueName("batch");
  std::string queue = UniqueName("billing");
  ASSERT_EQ(client().Post("/api/v1/queues", object{{"name", queue}}, desk().admin.token).status, 201);
  std::vector<int64_t> created;
  std::set<int64_t> high;
  for (int i = 0; i < 7; ++i) {
    object body{{"subject", "Batch ticket " + std::to_string(i)},
                {"priority", i % 3 == 0 ? "high" : "normal"},
                {"tags", array{tag.c_str()}}};
    if (i == 5) body["queue"] = queue;
    created.push_back(File(desk().agent.token, body));
    if (i % 3 == 0) high.insert(created.back());
  }
  int64_t assigned = created[2];
  ASSERT_EQ(client().Patch(TicketPath(assigned), object{{"assignee_id", desk().agent.id}}, desk().lead.token).status,
            200);
  const std::string base = "/api/v1/tickets?tag=" + tag;
  auto ids_of = [&](const std::string& query, const std::string& token) {
    HttpResponse r = client().Get(base + query, token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.Describe();
    return Ids(Items(r));
  };
  EXPECT_EQ(ids_of("", desk().agent.token), std::set<int64_t>(created.begin(), created.end()));
  EXPECT_EQ(ids_of("&priority=high", desk().agent.token), high);
  EXPECT_EQ(ids_of("&assignee=me", desk().agent.token), std::set<int64_t>{assigned});
  EXPECT_EQ(ids_of("&assignee=" + std::to_string(desk().agent.id), desk().lead.token),
            std::set<int64_t>{assigned});
  EXPECT_EQ(ids_of("&assignee=none", desk().agent.token).size(), 6u);
  EXPECT_EQ(ids_of("&status=open", desk().agent.token), std::set<int64_t>{assigned}) << "assigning opens it";
  EXPECT_EQ(ids_of("&status=new,open", desk().agent.token).size(), 7u);
  EXPECT_EQ(ids_of("&queue=" + queue, desk().agent.token), std::set<int64_t>{created[5]});
  EXPECT_EQ(ids_of("&requester=me", desk().agent.token).size(), 7u);
  EXPECT_TRUE(ids_of("&requester=me", desk().requester.token).empty()) << "not the requester's tickets";

  // Cursor pagination in id order: 3 + 3 + 1, each id once, ascending.
  std::vector<int64_t> paged;
  std::string cursor;
  int pages = 0;
  for (; pages < 10; ++pages) {
    HttpResponse r = client().Get(base + "&sort=id&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                  desk().agent.token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    array items = Items(r);
    EXPECT_LE(items.size(), 3u);
    for (const auto& t : items) paged.push_back(Int(t, "id"));
    boost::json::value json = r.Json();
    if (json.at("next_cursor").is_null()) break;
    cursor = std::string(json.at("next_cursor").as_string());
  }
  EXPECT_EQ(pages + 1, 3);
  EXPECT_EQ(paged, created);

  // The default order (most recently updated first) pages without loss or repeats.
  std::multiset<int64_t> by_update;
  cursor.clear();
  for (pages = 0; pages < 10; ++pages) {
    HttpResponse r =
        client().Get(base + "&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), desk().agent.token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    for (const auto& t : Items(r)) by_update.insert(Int(t, "id"));
    boost::json::value json = r.Json();
    if (json.at("next_cursor").is_null()) break;
    cursor = std::string(json.at("next_cursor").as_string());
  }
  EXPECT_EQ(by_update, std::multiset<int64_t>(created.begin(), created.end()));

  EXPECT_EQ(client().Get(base + "&limit=200", desk().agent.token).status, 200);
  EXPECT_TRUE(IsFieldError(client().Get(base + "&limit=201", desk().agent.token), "limit"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&limit=0", desk().agent.token), "limit"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&limit=ten", desk().agent.token), "limit"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&cursor=not-a-cursor!", desk().agent.token), "cursor"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&status=lost", desk().agent.token), "status"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&priority=meh", desk().agent.token), "priority"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&sort=subject", desk().agent.token), "sort"));
  EXPECT_TRUE(IsFieldError(client().Get(base + "&assignee=nobody", desk().agent.token), "assignee"));
}

TEST_P(TicketsApiTest, CommentsAndInternalNotes) {
  int64_t id = File(desk().requester.token, object{{"subject", "Laptop will not boot"}});
  HttpResponse reply = client().Post(TicketPath(id, "/comments"), object{{"body", "Hold the power button."}},
                                     desk().agent.token);
  ASSERT_EQ(reply.status, 201) << reply.Describe();
  EXPECT_FALSE(reply.Json().at("internal").as_bool());
  EXPECT_EQ(Int(reply.Json().at("author"), "id"), desk().agent.id);
  EXPECT_EQ(Int(reply.Json(), "ticket_id"), id);
  EXPECT_EQ(Str(Ticket(id, desk().agent.token), "status"), "open") << "an agent's first reply opens the ticket";

  HttpResponse note = client().Post(TicketPath(id, "/comments"),
                                    object{{"body", "Probably the *battery*."}, {"internal", true}},
                                    desk().agent.token);
  ASSERT_EQ(note.status, 201) << note.Describe();
  EXPECT_TRUE(note.Json().at("internal").as_bool());
  EXPECT_NE(Str(note.Json(), "body_html").find("<em>battery</em>"), std::string::npos);

  HttpResponse answer =
      client().Post(TicketPath(id, "/comments"), object{{"body", "That worked, thanks!"}}, desk().requester.token);
  ASSERT_EQ(answer.status, 201) << answer.Describe();

  array staff = Comments(id, desk().agent.token);
  ASSERT_EQ(staff.size(), 3u);
  EXPECT_EQ(Str(staff[0], "body"), "Hold the power button.");
  EXPECT_EQ(Str(staff[1], "body"), "Probably the *battery*.");
  EXPECT_EQ(Str(staff[2], "body"), "That worked, thanks!");
  array own = Comments(id, desk().requester.token);
  ASSERT_EQ(own.size(), 2u);
  for (const auto& c : own) EXPECT_FALSE(c.at("internal").as_bool());

  // One comment per page, in order.
  HttpResponse page = client().Get(TicketPath(id, "/comments?limit=1"), desk().agent.token);
  ASSERT_EQ(Items(page).size(), 1u);
  EXPECT_FALSE(page.Json().at("next_cursor").is_null());

  EXPECT_TRUE(IsFieldError(client().Post(TicketPath(id, "/comments"), object{{"body", "  "}}, desk().agent.token),
                           "body"));
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"status", "closed"}}, desk().agent.token).status, 200);
  HttpResponse late = client().Post(TicketPath(id, "/comments"), object{{"body", "Too late"}}, desk().requester.token);
  EXPECT_TRUE(IsError(late, 409, "failed_precondition"));
  EXPECT_EQ(Comments(id, desk().agent.token).size(), 3u);
}

TEST_P(TicketsApiTest, EventsRecordEveryChange) {
  int64_t id = File(desk().requester.token, object{{"subject", "Printer jam"}, {"priority", "low"}});
  array events = Events(id, desk().agent.token);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Str(events[0], "kind"), "created");
  EXPECT_EQ(Int(events[0], "actor_id"), desk().requester.id);
  EXPECT_NE(Str(events[0], "after").find("status=new"), std::string::npos) << boost::json::serialize(events[0]);
  EXPECT_NE(Str(events[0], "after").find("priority=low"), std::string::npos) << boost::json::serialize(events[0]);

  ASSERT_EQ(client()
                .Patch(TicketPath(id), object{{"priority", "urgent"}, {"subject", "Printer jam (3rd floor)"}},
                       desk().agent.token)
                .status,
            200);
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"assignee_id", desk().agent.id}}, desk().agent.token).status, 200);
  // A patch that changes nothing records nothing.
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"priority", "urgent"}}, desk().agent.token).status, 200);

  events = Events(id, desk().agent.token);
  std::map<std::string, boost::json::value> changed;
  for (const auto& e : events) {
    if (Str(e, "kind") == "field_changed") {
      EXPECT_FALSE(changed.count(Str(e, "field"))) << "field changed twice: " << boost::json::serialize(e);
      changed[Str(e, "field")] = e;
      EXPECT_EQ(Int(e, "actor_id"), desk().agent.id);
    }
  }
  ASSERT_EQ(changed.size(), 4u) << boost::json::serialize(events);
  EXPECT_EQ(Str(changed["priority"], "before"), "low");
  EXPECT_EQ(Str(changed["priority"], "after"), "urgent");
  EXPECT_EQ(Str(changed["subject"], "before"), "Printer jam");
  EXPECT_EQ(Str(changed["subject"], "after"), "Printer jam (3rd floor)");
  EXPECT_TRUE(changed["assignee_id"].at("before").is_null());
  EXPECT_EQ(Str(changed["assignee_id"], "after"), std::to_string(desk().agent.id));
  EXPECT_EQ(Str(changed["status"], "before"), "new");
  EXPECT_EQ(Str(changed["status"], "after"), "open");
  // Events are listed oldest first.
  for (size_t i = 1; i < events.size(); ++i) EXPECT_LT(Int(events[i - 1], "id"), Int(events[i], "id"));

  // The ticket's own state agrees with its history.
  boost::json::value t = Ticket(id, desk().requester.token);
  EXPECT_EQ(Str(t, "priority"), "urgent");
  EXPECT_EQ(Int(t.at("assignee"), "id"), desk().agent.id);
  EXPECT_EQ(Int(t, "version"), 3);
}

TEST_P(TicketsApiTest, ClosedIsFinal) {
  int64_t id = File(desk().requester.token, object{{"subject", "Close me"}});
  EXPECT_TRUE(IsFieldError(client().Patch(TicketPath(id), object{{"status", "lost"}}, desk().agent.token), "status"));
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"status", "pending"}}, desk().agent.token).status, 200);
  EXPECT_TRUE(IsFieldError(client().Patch(TicketPath(id), object{{"status", "new"}}, desk().agent.token), "status"))
      << "nothing returns to new";
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"status", "closed"}}, desk().agent.token).status, 200);
  HttpResponse reopen = client().Patch(TicketPath(id), object{{"status", "open"}}, desk().agent.token);
  EXPECT_TRUE(IsError(reopen, 409, "failed_precondition"));
  EXPECT_EQ(Str(Ticket(id, desk().agent.token), "status"), "closed");
  EXPECT_TRUE(IsError(client().Get(TicketPath(999999999), desk().agent.token), 404, "not_found"));
  EXPECT_TRUE(IsError(client().Patch(TicketPath(999999999), object{{"priority", "low"}}, desk().agent.token), 404,
                      "not_found"));
}

TEST_P(TicketsApiTest, LinksAreWrittenBothWays) {
  int64_t parent = File(desk().requester.token, object{{"subject", "Office move"}});
  int64_t child = File(desk().requester.token, object{{"subject", "Move the printer"}});
  HttpResponse linked = client().Post(TicketPath(parent, "/links"),
                                      object{{"kind", "parent"}, {"ticket_id", child}}, desk().agent.token);
  ASSERT_EQ(linked.status, 201) << linked.Describe();
  EXPECT_TRUE(HasLink(linked.Json(), "parent", child)) << linked.Describe();
  EXPECT_TRUE(HasLink(Ticket(child, desk().requester.token), "child", parent));
  EXPECT_TRUE(HasLink(Ticket(parent, desk().requester.token), "parent", child));

  // Linking again changes nothing.
  ASSERT_EQ(client()
                .Post(TicketPath(parent, "/links"), object{{"kind", "parent"}, {"ticket_id", child}},
                      desk().agent.token)
                .status,
            201);
  EXPECT_EQ(Ticket(parent, desk().agent.token).at("links").as_array().size(), 1u);
  int linked_events = 0;
  for (const auto& e : Events(child, desk().agent.token)) linked_events += Str(e, "kind") == "linked";
  EXPECT_EQ(linked_events, 1);

  EXPECT_TRUE(IsFieldError(client().Post(TicketPath(parent, "/links"),
                                         object{{"kind", "sibling"}, {"ticket_id", child}}, desk().agent.token),
                           "kind"));
  EXPECT_TRUE(IsFieldError(client().Post(TicketPath(parent, "/links"),
                                         object{{"kind", "related"}, {"ticket_id", parent}}, desk().agent.token),
                           "ticket_id"));
  EXPECT_TRUE(IsFieldError(client().Post(TicketPath(parent, "/links"),
                                         object{{"kind", "related"}, {"ticket_id", 999999999}}, desk().agent.token),
                           "ticket_id"));
  EXPECT_TRUE(IsError(client().Post(TicketPath(999999999, "/links"), object{{"kind", "related"}, {"ticket_id", parent}},
                                    desk().agent.token),
                      404, "not_found"));
}

TEST_P(TicketsApiTest, MergeMovesCommentsAndClosesTheSource) {
  int64_t source = File(desk().requester.token, object{{"subject", "Mail is down"}});
  int64_t target = File(desk().other_requester.token, object{{"subject", "Nobody gets mail"}});
  ASSERT_EQ(client().Post(TicketPath(source, "/comments"), object{{"body", "Since 9am."}}, desk().requester.token).status,
            201);
  ASSERT_EQ(client()
                .Post(TicketPath(source, "/comments"), object{{"body", "Same as the other one"}, {"internal", true}},
                      desk().agent.token)
                .status,
            201);

  HttpResponse merged =
      client().Post(TicketPath(source, "/merge"), object{{"target_id", target}}, desk().agent.token);
  ASSERT_EQ(merged.status, 200) << merged.Describe();
  EXPECT_EQ(Int(merged.Json(), "id"), target) << "the answer is the target";
  EXPECT_TRUE(HasLink(merged.Json(), "duplicated_by", source)) << merged.Describe();

  boost::json::value closed = Ticket(source, desk().agent.token);
  EXPECT_EQ(Str(closed, "status"), "closed");
  EXPECT_TRUE(HasLink(closed, "duplicate_of", target));
  EXPECT_TRUE(Comments(source, desk().agent.token).empty());
  array moved = Comments(target, desk().agent.token);
  ASSERT_EQ(moved.size(), 2u);
  for (const auto& c : moved) EXPECT_EQ(Int(c, "moved_from_ticket_id"), source);

  auto kinds = [&](int64_t id) {
    std::multiset<std::string> out;
    for (const auto& e : Events(id, desk().agent.token)) out.insert(Str(e, "kind"));
    return out;
  };
  EXPECT_EQ(kinds(source).count("merged_into"), 1u);
  EXPECT_EQ(kinds(target).count("merged_from"), 1u);
  EXPECT_EQ(kinds(target).count("comments_moved"), 1u);

  EXPECT_TRUE(IsError(client().Post(TicketPath(source, "/merge"), object{{"target_id", target}}, desk().agent.token),
                      409, "failed_precondition"))
      << "a closed ticket cannot be merged again";
  EXPECT_TRUE(IsFieldError(
      client().Post(TicketPath(target, "/merge"), object{{"target_id", target}}, desk().agent.token), "target_id"));
  EXPECT_TRUE(IsFieldError(
      client().Post(TicketPath(target, "/merge"), object{{"target_id", source}}, desk().agent.token), "target_id"))
      << "the target is closed";
}

TEST_P(TicketsApiTest, LogoutRevokesTheToken) {
  auto token = Login(client(), desk().agent.email, desk().agent.password);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_EQ(client().Get("/api/v1/me", *token).status, 200);
  HttpResponse out = client().Send("POST", "/api/v1/auth/logout", {}, {{"Authorization", "Bearer " + *token}});
  ASSERT_EQ(out.status, 204) << out.Describe();
  EXPECT_TRUE(out.body.empty());
  EXPECT_NE(out.Header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_TRUE(IsError(client().Get("/api/v1/me", *token), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(client().Send("POST", "/api/v1/auth/logout", {}, {{"Authorization", "Bearer " + *token}}), 401,
                      "unauthenticated"));
  // Only that session ended.
  EXPECT_EQ(client().Get("/api/v1/me", desk().agent.token).status, 200);
}

TEST_P(TicketsApiTest, LoginAnswersTheUserAndASessionCookie) {
  HttpResponse r = client().Post("/api/v1/auth/login",
                                 object{{"email", desk().lead.email}, {"password", desk().lead.password}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Str(r.Json().at("user"), "email"), desk().lead.email);
  EXPECT_EQ(Str(r.Json().at("user"), "role"), "lead");
  EXPECT_FALSE(r.Json().at("expires_at").is_null());
  std::string cookie = r.Header("Set-Cookie").value_or("");
  EXPECT_EQ(cookie.rfind("opsdesk_session=" + Str(r.Json(), "token") + ";", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: no Secure flag, or browsers drop it";
  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/auth/login", object{{"email", desk().lead.email}}), "password"));

  // Behind a TLS-terminating proxy the cookie is Secure.
  HttpResponse tls = client().Post("/api/v1/auth/login",
                                   object{{"email", desk().lead.email}, {"password", desk().lead.password}}, "",
                                   {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(tls.status, 200) << tls.Describe();
  EXPECT_NE(tls.Header("Set-Cookie").value_or("").find("; Secure"), std::string::npos);
}

TEST_P(TicketsApiTest, PersonalTokensAreShownOnceAndRevocable) {
  HttpResponse created =
      client().Post("/api/v1/tokens", object{{"name", "ci pipeline"}, {"expires_in_days", 30}}, desk().agent.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  std::string secret = Str(created.Json(), "token");
  int64_t id = Int(created.Json(), "id");
  EXPECT_EQ(secret.rfind("odt_", 0), 0u);
  EXPECT_EQ(secret.size(), 68u);
  EXPECT_EQ(Str(created.Json(), "kind"), "personal");
  EXPECT_FALSE(created.Json().at("expires_at").is_null());

  HttpResponse me = client().Get("/api/v1/me", secret);
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(Int(me.Json(), "id"), desk().agent.id);

  HttpResponse listed = client().Get("/api/v1/tokens", desk().agent.token);
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_EQ(listed.body.find(secret), std::string::npos) << "the secret is shown only once";
  EXPECT_EQ(listed.body.find(secret.substr(4, 16)), std::string::npos);
  bool found = false;
  for (const auto& t : Items(listed)) {
    EXPECT_FALSE(t.as_object().contains("token")) << boost::json::serialize(t);
    EXPECT_EQ(Str(t, "kind"), "personal") << "sessions are not listed";
    if (Int(t, "id") == id) {
      found = true;
      EXPECT_EQ(Str(t, "name"), "ci pipeline");
      EXPECT_TRUE(t.at("revoked_at").is_null());
    }
  }
  EXPECT_TRUE(found) << listed.Describe();

  HttpResponse revoked = client().Delete("/api/v1/tokens/" + std::to_string(id), desk().agent.token);
  ASSERT_EQ(revoked.status, 204) << revoked.Describe();
  EXPECT_TRUE(IsError(client().Get("/api/v1/me", secret), 401, "unauthenticated"));
  EXPECT_TRUE(IsError(client().Delete("/api/v1/tokens/" + std::to_string(id), desk().agent.token), 404, "not_found"));
  for (const auto& t : Items(client().Get("/api/v1/tokens", desk().agent.token))) {
    if (Int(t, "id") == id) {
      EXPECT_FALSE(t.at("revoked_at").is_null());
    }
  }

  EXPECT_TRUE(IsFieldError(client().Post("/api/v1/tokens", object{{"name", ""}}, desk().agent.token), "name"));
  EXPECT_TRUE(IsFieldError(
      client().Post("/api/v1/tokens", object{{"name", "x"}, {"expires_in_days", 5000}}, desk().agent.token),
      "expires_in_days"));
  EXPECT_TRUE(IsError(client().Delete("/api/v1/tokens/abc", desk().agent.token), 404, "not_found"));
}

TEST_P(TicketsApiTest, RepeatedFailedLoginsAreThrottled) {
  auto user = CreateUserViaApi(client(), desk().admin.token, "requester");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  object wrong{{"email", user->email}, {"password", "definitely wrong"}};
  std::string message;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    HttpResponse r = client().Post("/api/v1/auth/login", wrong);
    ASSERT_TRUE(IsError(r, 401, "unauthenticated")) << "attempt " << attempt;
    message = Str(r.Json().at("error"), "message");
  }
  // An unknown address gets the same answer, so accounts cannot be discovered.
  HttpResponse unknown =
      client().Post("/api/v1/auth/login", object{{"email", "ghost@example.com"}, {"password", "whatever1"}});
  ASSERT_TRUE(IsError(unknown, 401, "unauthenticated"));
  EXPECT_EQ(Str(unknown.Json().at("error"), "message"), message);

  HttpResponse limited = client().Post("/api/v1/auth/login", wrong);
  ASSERT_TRUE(IsError(limited, 429, "limit_exceeded"));
  std::string retry_after = limited.Header("Retry-After").value_or("");
  ASSERT_FALSE(retry_after.empty());
  ASSERT_EQ(retry_after.find_first_not_of("0123456789"), std::string::npos) << retry_after;
  int seconds = std::stoi(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 15 * 60);
  // Even the right password waits now.
  HttpResponse right = client().Post("/api/v1/auth/login", object{{"email", user->email}, {"password", user->password}});
  EXPECT_TRUE(IsError(right, 429, "limit_exceeded"));
  // The account's existing session is untouched, and other accounts still sign in.
  EXPECT_EQ(client().Get("/api/v1/me", user->token).status, 200);
  EXPECT_TRUE(Login(client(), desk().requester.email, desk().requester.password).ok());
}

// The value of one sample line, or -1 when absent.
double Sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST_P(TicketsApiTest, HealthReadinessAndMetrics) {
  HttpResponse health = client().Get("/healthz");
  ASSERT_EQ(health.status, 200) << health.Describe();
  EXPECT_EQ(Str(health.Json(), "status"), "ok");
  HttpResponse ready = client().Get("/readyz");
  ASSERT_EQ(ready.status, 200) << ready.Describe();
  EXPECT_EQ(Str(ready.Json(), "status"), "ready");
  EXPECT_EQ(Str(ready.Json(), "database"), storage::EngineName(GetParam()));

  File(desk().requester.token, object{{"subject", "Counted"}});
  const std::string healthz_ok = R"(opsdesk_http_requests_total{method="GET",route="/healthz",status="200"})";
  HttpResponse before = client().Get("/metrics");
  ASSERT_EQ(before.status, 200) << before.Describe();
  EXPECT_EQ(before.Header("Content-Type").value_or("").rfind("text/plain", 0), 0u);
  EXPECT_NE(before.body.find("# TYPE opsdesk_http_requests_total counter"), std::string::npos);
  EXPECT_NE(before.body.find("opsdesk_http_requests_total{"), std::string::npos);
  EXPECT_NE(before.body.find("# TYPE opsdesk_tickets gauge"), std::string::npos);
  EXPECT_NE(before.body.find("opsdesk_tickets{status=\"new\"}"), std::string::npos) << before.body;
  double healthz_before = Sample(before.body, healthz_ok);
  EXPECT_GE(healthz_before, 1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client().Get("/healthz").status, 200);
  HttpResponse after = client().Get("/metrics");
  EXPECT_EQ(Sample(after.body, healthz_ok), healthz_before + 3) << after.body;

  // The ticket gauge agrees with what the API lists.
  std::string error;
  auto all = desk().AllTickets(desk().agent.token, &error);
  ASSERT_TRUE(error.empty()) << error;
  double total = 0;
  for (const char* status : {"new", "open", "pending", "on_hold", "solved", "closed"}) {
    double value = Sample(after.body, std::string("opsdesk_tickets{status=\"") + status + "\"}");
    if (value > 0) total += value;
  }
  EXPECT_EQ(total, static_cast<double>(all.size())) << after.body;
}

TEST_P(TicketsApiTest, RequestIdIsEchoed) {
  HttpResponse ok = client().Get("/healthz", "", {{"X-Request-Id", "e2e-trace.42_A"}});
  EXPECT_EQ(ok.Header("X-Request-Id").value_or(""), "e2e-trace.42_A");
  HttpResponse error = client().Get("/api/v1/me", "", {{"X-Request-Id", "e2e-unauthenticated"}});
  ASSERT_TRUE(IsError(error, 401, "unauthenticated"));
  EXPECT_EQ(error.Header("X-Request-Id").value_or(""), "e2e-unauthenticated");
  EXPECT_EQ(Str(error.Json().at("error"), "request_id"), "e2e-unauthenticated");

  // Without one, or with one that is not a safe token, the server makes its own.
  for (const Headers& headers : {Headers{}, Headers{{"X-Request-Id", "has spaces in it"}},
                                 Headers{{"X-Request-Id", std::string(65, 'a')}}}) {
    HttpResponse r = client().Get("/healthz", "", headers);
    std::string id = r.Header("X-Request-Id").value_or("");
    EXPECT_EQ(id.rfind("r-", 0), 0u) << id;
    EXPECT_EQ(id.size(), 18u) << id;
  }
  EXPECT_NE(client().Get("/healthz").Header("X-Request-Id"), client().Get("/healthz").Header("X-Request-Id"));
}

// Runs `body(thread_index)` on `threads` threads released together.
void RunTogether(int threads, const std::function<void(int)>& body) {
  std::latch start(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  }
  for (auto& worker : workers) worker.join();
}

TEST_P(TicketsApiTest, ConcurrentRetriesWithOneIdempotencyKeyCreateOneTicket) {
  constexpr int kThreads = 8;
  std::string tag = UniqueName("race");
  std::string key = UniqueName("race-key");
  object body{{"subject", "Raced create"}, {"body", "Sent eight times at once."}, {"tags", array{tag.c_str()}}};
  std::vector<HttpResponse> answers(kThreads);
  const uint16_t port = desk().port();
  const std::string token = desk().requester.token;
  RunTogether(kThreads, [&](int t) {
    HttpClient client(port);
    answers[t] = client.Post("/api/v1/tickets", body, token, {{"Idempotency-Key", key}});
  });
  std::set<int64_t> ids;
  int replayed = 0;
  for (const auto& r : answers) {
    EXPECT_EQ(r.status, 201) << r.Describe();
    ids.insert(Int(r.Json(), "id"));
    replayed += r.Header("Idempotent-Replayed").value_or("") == "true";
  }
  EXPECT_EQ(ids.size(), 1u) << "every retry answers the same ticket";
  EXPECT_EQ(replayed, kThreads - 1);
  EXPECT_EQ(Items(client().Get("/api/v1/tickets?tag=" + tag, desk().agent.token)).size(), 1u);
}

TEST_P(TicketsApiTest, ConcurrentIfMatchLetsExactlyOneWriterWin) {
  constexpr int kThreads = 6;
  int64_t id = File(desk().agent.token, object{{"subject", "Contended"}});
  const char* priorities[] = {"low", "high", "urgent"};
  std::vector<HttpResponse> answers(kThreads);
  const uint16_t port = desk().port();
  const std::string token = desk().agent.token;
  RunTogether(kThreads, [&](int t) {
    HttpClient client(port);
    answers[t] = client.Patch(TicketPath(id), object{{"priority", priorities[t % 3]}}, token, {{"If-Match", "\"1\""}});
  });
  int won = 0;
  std::string winner;
  for (const auto& r : answers) {
    if (r.status == 200) {
      ++won;
      winner = Str(r.Json(), "priority");
    } else {
      EXPECT_TRUE(IsError(r, 412, "precondition_failed"));
    }
  }
  EXPECT_EQ(won, 1);
  boost::json::value after = Ticket(id, desk().agent.token);
  EXPECT_EQ(Int(after, "version"), 2);
  EXPECT_EQ(Str(after, "priority"), winner);
  int changes = 0;
  for (const auto& e : Events(id, desk().agent.token)) changes += Str(e, "kind") == "field_changed";
  EXPECT_EQ(changes, 1);
}

// Without If-Match the client asked for no precondition, so concurrent changes
// must all apply (last writer wins) rather than fail with 412.
TEST_P(TicketsApiTest, ConcurrentChangesWithoutIfMatchAllApply) {
  constexpr int kThreads = 6;
  int64_t id = File(desk().agent.token, object{{"subject", "Busy ticket"}});
  std::vector<HttpResponse> answers(kThreads);
  const uint16_t port = desk().port();
  const std::string token = desk().agent.token;
  RunTogether(kThreads, [&](int t) {
    HttpClient client(port);
    if (t % 2 == 0) {
      answers[t] = client.Patch(TicketPath(id), object{{"subject", "Busy ticket, edit " + std::to_string(t)}}, token);
    } else {
      answers[t] = client.Post(TicketPath(id, "/comments"),
                               object{{"body", "note " + std::to_string(t)}, {"internal", true}}, token);
    }
  });
  int patched = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(answers[t].status, t % 2 == 0 ? 200 : 201)
        << (t % 2 == 0 ? "PATCH " : "comment ") << TicketPath(id) << " without If-Match: " << answers[t].Describe();
    patched += t % 2 == 0 && answers[t].status == 200;
  }
  boost::json::value after = Ticket(id, desk().agent.token);
  int subject_events = 0;
  int comment_events = 0;
  for (const auto& e : Events(id, desk().agent.token)) {
    subject_events += Str(e, "field") == "subject";
    comment_events += Str(e, "kind") == "comment_added";
  }
  EXPECT_EQ(subject_events, patched);
  EXPECT_EQ(Int(after, "version"), 1 + subject_events + comment_events);
}

TEST_P(TicketsApiTest, RequesterReplyReopensAPendingTicket) {
  int64_t id = File(desk().requester.token, object{{"subject", "Waiting on me"}});
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"status", "pending"}}, desk().agent.token).status, 200);
  ASSERT_EQ(
      client().Post(TicketPath(id, "/comments"), object{{"body", "Here is the log."}}, desk().requester.token).status,
      201);
  EXPECT_EQ(Str(Ticket(id, desk().agent.token), "status"), "open");
  array events = Events(id, desk().agent.token);
  ASSERT_FALSE(events.empty());
  const auto& last = events.back();
  EXPECT_EQ(Str(last, "field"), "status");
  EXPECT_EQ(Str(last, "before"), "pending");
  EXPECT_EQ(Str(last, "after"), "open");
  EXPECT_EQ(Int(last, "actor_id"), desk().requester.id);
}

TEST_P(TicketsApiTest, QueueAndAssigneeCanBeCleared) {
  std::string queue = UniqueName("clearable");
  ASSERT_EQ(client().Post("/api/v1/queues", object{{"name", queue}}, desk().admin.token).status, 201);
  int64_t id = File(desk().agent.token, object{{"subject", "Clear me"}, {"queue", queue}});
  ASSERT_EQ(client().Patch(TicketPath(id), object{{"assignee_id", desk().lead.id}}, desk().agent.token).status, 200);
  HttpResponse cleared =
      client().Patch(TicketPath(id), object{{"queue", nullptr}, {"assignee_id", nullptr}}, desk().agent.token);
  ASSERT_EQ(cleared.status, 200) << cleared.Describe();
  EXPECT_TRUE(cleared.Json().at("queue").is_null()) << cleared.Describe();
  EXPECT_TRUE(cleared.Json().at("assignee").is_null()) << cleared.Describe();
  array events = Events(id, desk().agent.token);
  bool queue_cleared = false, assignee_cleared = false;
  for (const auto& e : events) {
    if (Str(e, "field") == "queue_id" && e.at("after").is_null()) queue_cleared = true;
    if (Str(e, "field") == "assignee_id" && e.at("after").is_null()) {
      assignee_cleared = Str(e, "before") == std::to_string(desk().lead.id);
    }
  }
  EXPECT_TRUE(queue_cleared) << boost::json::serialize(events);
  EXPECT_TRUE(assignee_cleared) << boost::json::serialize(events);
}

TEST_P(TicketsApiTest, RenderedMarkdownIsSafe) {
  int64_t id = File(desk().requester.token,
                    object{{"subject", "Hostile markdown"},
                           {"body", "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
                                    "<img src=x onerror=alert(3)>\n\n**fine**"}});
  std::string html = Str(Ticket(id, desk().agent.token), "body_html");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("javascript:"), std::string::npos) << html;
  EXPECT_EQ(html.find("onerror"), std::string::npos) << html;
  EXPECT_NE(html.find("<strong>fine</strong>"), std::string::npos) << html;
}

TEST_P(TicketsApiTest, TagFilterIgnoresCaseAndUpdatedSinceFilters) {
  std::string tag = UniqueName("mixedcase");
  int64_t id = File(desk().agent.token, object{{"subject", "Tagged"}, {"tags", array{tag.c_str()}}});
  std::string upper = tag;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Ids(Items(client().Get("/api/v1/tickets?tag=" + upper, desk().agent.token))), std::set<int64_t>{id});
  std::string updated_at = Str(Ticket(id, desk().agent.token), "updated_at");
  EXPECT_EQ(Ids(Items(client().Get("/api/v1/tickets?tag=" + tag + "&updated_since=" + updated_at,
                                   desk().agent.token))),
            std::set<int64_t>{id});
  EXPECT_TRUE(Items(client().Get("/api/v1/tickets?tag=" + tag + "&updated_since=2999-01-01T00:00:00Z",
                                 desk().agent.token))
                  .empty());
}

TEST_P(TicketsApiTest, HeadAnswersLikeGetWithoutABody) {
  HttpResponse head = client().Send("HEAD", "/healthz");
  ASSERT_EQ(head.status, 200) << head.Describe();
  EXPECT_TRUE(head.body.empty());
  HttpResponse get = client().Get("/healthz");
  EXPECT_EQ(head.Header("Content-Length"), get.Header("Content-Length"));
  HttpResponse anonymous = client().Send("HEAD", "/api/v1/me");
  EXPECT_EQ(anonymous.status, 401);
}

TEST_P(TicketsApiTest, EmailsAreCaseInsensitive) {
  std::string upper = desk().agent.email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(Login(client(), "  " + upper + " ", desk().agent.password).ok());
  HttpResponse twin = client().Post(
      "/api/v1/users", object{{"email", upper}, {"display_name", "Twin"}, {"role", "agent"}}, desk().admin.token);
  EXPECT_TRUE(IsError(twin, 409, "conflict"));
}

TEST_P(TicketsApiTest, RoleChangesTakeEffectOnExistingTokens) {
  std::string email = UniqueName("demoted") + "@example.com";
  HttpResponse user = client().Post("/api/v1/users",
                                    object{{"email", email}, {"display_name", "Soon demoted"}, {"role", "lead"}},
                                    desk().admin.token);
  ASSERT_EQ(user.status, 201) << user.Describe();
  auto token = CreateTokenWithCli(desk().db_url(), email);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(client().Post("/api/v1/queues", object{{"name", UniqueName("leadq")}}, *token).status, 201);
  ASSERT_EQ(client()
                .Patch("/api/v1/users/" + std::to_string(Int(user.Json(), "id")), object{{"role", "requester"}},
                       desk().admin.token)
                .status,
            200);
  EXPECT_TRUE(IsError(client().Post("/api/v1/queues", object{{"name", UniqueName("leadq")}}, *token), 403,
                      "permission_denied"));
  EXPECT_TRUE(IsError(client().Get("/api/v1/users", *token), 403, "permission_denied"));
}

TEST_P(TicketsApiTest, TeamsAndQueuesRefuseDuplicatesAndNonStaffMembers) {
  std::string name = UniqueName("platform");
  HttpResponse team = client().Post("/api/v1/teams", object{{"name", name}, {"member_ids", array{desk().agent.id}}},
                                    desk().lead.token);
  ASSERT_EQ(team.status, 201) << team.Describe();
  EXPECT_EQ(boost::json::serialize(team.Json().at("member_ids")), "[" + std::to_string(desk().agent.id) + "]");
  EXPECT_TRUE(IsError(client().Post("/api/v1/teams", object{{"name", name}}, desk().lead.token), 409, "conflict"));
  std::string members = "/api/v1/teams/" + std::to_string(Int(team.Json(), "id")) + "/members/";
  EXPECT_TRUE(IsFieldError(client().Put(members + std::to_string(desk().requester.id), desk().lead.token), "user_id"));
  EXPECT_TRUE(IsError(client().Put("/api/v1/teams/999999/members/" + std::to_string(desk().agent.id), desk().lead.token),
                      404, "not_found"));
  HttpResponse added = client().Put(members + std::to_string(desk().lead.id), desk().lead.token);
  ASSERT_EQ(added.status, 200) << added.Describe();
  EXPECT_EQ(added.Json().at("member_ids").as_array().size(), 2u);
  HttpResponse removed = client().Delete(members + std::to_string(desk().agent.id), desk().lead.token);
  ASSERT_EQ(removed.status, 200) << removed.Describe();
  EXPECT_EQ(boost::json::serialize(removed.Json().at("member_ids")), "[" + std::to_string(desk().lead.id) + "]");

  std::string queue = UniqueName("dupq");
  HttpResponse q = client().Post("/api/v1/queues", object{{"name", queue}, {"team_id", Int(team.Json(), "id")}},
                                 desk().admin.token);
  ASSERT_EQ(q.status, 201) << q.Describe();
  EXPECT_EQ(Int(q.Json(), "team_id"), Int(team.Json(), "id"));
  EXPECT_TRUE(IsError(client().Post("/api/v1/queues", object{{"name", queue}}, desk().admin.token), 409, "conflict"));
  bool listed = false;
  for (const auto& item : Items(client().Get("/api/v1/queues", desk().requester.token))) {
    listed = listed || Str(item, "name") == queue;
  }
  EXPECT_TRUE(listed) << "requesters can read queue names";
}

TEST_P(TicketsApiTest, UserDirectoryFiltersAndPages) {
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = client().Post(
        "/api/v1/users",
        object{{"email", UniqueName("dir") + "@example.com"}, {"display_name", "Dir " + std::to_string(i)},
               {"role", "agent"}, {"is_active", i != 1}},
        desk().admin.token);
    ASSERT_EQ(r.status, 201) << r.Describe();
  }
  array agents = AllPages("/api/v1/users?role=agent", desk().lead.token);
  ASSERT_GE(agents.size(), 3u);
  for (const auto& u : agents) EXPECT_EQ(Str(u, "role"), "agent") << boost::json::serialize(u);
  array inactive = AllPages("/api/v1/users?is_active=false", desk().lead.token);
  ASSERT_FALSE(inactive.empty());
  for (const auto& u : inactive) EXPECT_FALSE(u.at("is_active").as_bool());

  // One per page: every user exactly once, in id order.
  std::vector<int64_t> paged;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    HttpResponse r =
        client().Get("/api/v1/users?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor), desk().agent.token);
    ASSERT_EQ(r.status, 200) << r.Describe();
    for (const auto& u : Items(r)) paged.push_back(Int(u, "id"));
    boost::json::value json = r.Json();
    if (json.at("next_cursor").is_null()) break;
    cursor = std::string(json.at("next_cursor").as_string());
  }
  array all = AllPages("/api/v1/users", desk().agent.token);
  ASSERT_EQ(paged.size(), all.size());
  EXPECT_TRUE(std::is_sorted(paged.begin(), paged.end()));
  EXPECT_EQ(std::set<int64_t>(paged.begin(), paged.end()).size(), paged.size());
  EXPECT_TRUE(IsFieldError(client().Get("/api/v1/users?role=boss", desk().agent.token), "role"));
  EXPECT_TRUE(IsFieldError(client().Get("/api/v1/users?is_active=maybe", desk().agent.token), "is_active"));
}

TEST_P(TicketsApiTest, PasswordResetEndsSessionsButNotPersonalTokens) {
  auto user = CreateUserViaApi(client(), desk().admin.token, "agent");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  HttpResponse personal = client().Post("/api/v1/tokens", object{{"name", "script"}}, user->token);
  ASSERT_EQ(personal.status, 201) << personal.Describe();
  HttpResponse reset = client().Patch("/api/v1/users/" + std::to_string(user->id),
                                      object{{"password", "a brand new password"}}, desk().admin.token);
  ASSERT_EQ(reset.status, 200) << reset.Describe();
  EXPECT_TRUE(IsError(client().Get("/api/v1/me", user->token), 401, "unauthenticated"));
  EXPECT_EQ(client().Get("/api/v1/me", Str(personal.Json(), "token")).status, 200);
  EXPECT_FALSE(Login(client(), user->email, user->password).ok());
  EXPECT_TRUE(Login(client(), user->email, "a brand new password").ok());
}

TEST_P(TicketsApiTest, AdminsCannotLockThemselvesOut) {
  std::string me = "/api/v1/users/" + std::to_string(desk().admin.id);
  EXPECT_TRUE(IsFieldError(client().Patch(me, object{{"is_active", false}}, desk().admin.token), "is_active"));
  EXPECT_TRUE(IsFieldError(client().Patch(me, object{{"role", "agent"}}, desk().admin.token), "role"));
  HttpResponse still = client().Get("/api/v1/me", desk().admin.token);
  ASSERT_EQ(still.status, 200);
  EXPECT_EQ(Str(still.Json(), "role"), "admin");
}

INSTANTIATE_TEST_SUITE_P(Engines, TicketsApiTest,
                         testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
