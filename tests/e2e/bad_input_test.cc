// Hostile and sloppy input over HTTP: every case must get its precise error
// status and the one error shape, must not create or change anything, and must
// leave the server serving.
#include <gtest/gtest.h>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

enum class Caller { kAgent, kAdmin };

struct BadCase {
  std::string name;
  std::string method;
  std::string target;  // "{victim}" is replaced by the victim ticket's id
  std::optional<std::string> content_type;  // nullopt: no Content-Type header
  std::string body;
  int status;
  std::string code;   // expected error.code
  std::string field;  // for 422: the field error.fields must name
  Caller caller = Caller::kAgent;
  Headers extra_headers = {};
};

std::string Ticket(const std::string& subject, const std::string& body) {
  return boost::json::serialize(object{{"subject", subject}, {"body", body}});
}

const std::string kJson = "application/json";
const std::string kTickets = "/api/v1/tickets";

std::vector<BadCase> BadCases() {
  const std::string big_body(64 * 1024 + 1, 'a');
  const std::string over_limit = Ticket("Too big", std::string((1 << 20) + 1024, 'x'));
  std::string exactly_limit = Ticket("At the limit", "");
  exactly_limit.insert(exactly_limit.size() - 2, std::string((1 << 20) - exactly_limit.size(), 'x'));
  return {
      // Not JSON, or not an object: 400 without fields.
      {"truncated JSON", "POST", kTickets, kJson, R"({"subject": "x", "body": )", 400, "invalid_argument", ""},
      {"trailing garbage", "POST", kTickets, kJson, R"({"subject":"x","body":"y"} and more)", 400,
       "invalid_argument", ""},
      {"single quotes", "POST", kTickets, kJson, R"({'subject':'x','body':'y'})", 400, "invalid_argument", ""},
      {"trailing comma", "POST", kTickets, kJson, R"({"subject":"x","body":"y",})", 400, "invalid_argument", ""},
      {"empty body", "POST", kTickets, kJson, "", 400, "invalid_argument", ""},
      {"top-level array", "POST", kTickets, kJson, R"([{"subject":"x","body":"y"}])", 400, "invalid_argument", ""},
      {"top-level string", "POST", kTickets, kJson, R"("subject")", 400, "invalid_argument", ""},
      {"top-level null", "POST", kTickets, kJson, "null", 400, "invalid_argument", ""},
      {"invalid UTF-8 byte in a string", "POST", kTickets, kJson, "{\"subject\":\"bad \xff\xfe byte\",\"body\":\"b\"}",
       400, "invalid_argument", ""},
      {"overlong UTF-8 encoding", "POST", kTickets, kJson, "{\"subject\":\"\xc0\xaf\",\"body\":\"b\"}", 400,
       "invalid_argument", ""},
      {"truncated UTF-8 sequence", "POST", kTickets, kJson, "{\"subject\":\"ok\",\"body\":\"\xe2\x82\"}", 400,
       "invalid_argument", ""},
      {"UTF-8 encoded surrogate", "POST", kTickets, kJson, "{\"subject\":\"\xed\xa0\x80\",\"body\":\"b\"}", 400,
       "invalid_argument", ""},
      {"100000 nested arrays", "POST", kTickets, kJson, std::string(100000, '['), 400, "invalid_argument", ""},
      {"100000 nested objects", "POST", kTickets, kJson, [] {
         std::string s;
         for (int i = 0; i < 100000; ++i) s += "{\"a\":";
         return s;
       }(),
       400, "invalid_argument", ""},
      {"nesting past 32 levels inside a field", "POST", kTickets, kJson,
       R"({"subject":"s","body":"b","tags":)" + std::string(40, '[') + std::string(40, ']') + "}", 400,
       "invalid_argument", ""},

      // Field errors: 422 naming the field.
      {"subject is a number", "POST", kTickets, kJson, R"({"subject":5,"body":"b"})", 422, "invalid_argument",
       "subject"},
      {"body is a boolean", "POST", kTickets, kJson, R"({"subject":"s","body":true})", 422, "invalid_argument",
       "body"},
      {"priority is a number", "POST", kTickets, kJson, R"({"subject":"s","body":"b","priority":3})", 422,
       "invalid_argument", "priority"},
      {"priority is unknown", "POST", kTickets, kJson, R"({"subject":"s","body":"b","priority":"asap"})", 422,
       "invalid_argument", "priority"},
      {"tags is a string", "POST", kTickets, kJson, R"({"subject":"s","body":"b","tags":"vpn"})", 422,
       "invalid_argument", "tags"},
      {"tags holds a number", "POST", kTickets, kJson, R"({"subject":"s","body":"b","tags":["vpn",7]})", 422,
       "invalid_argument", "tags"},
      {"tag with a space", "POST", kTickets, kJson, R"({"subject":"s","body":"b","tags":["two words"]})", 422,
       "invalid_argument", "tags"},
      {"queue is a boolean", "POST", kTickets, kJson, R"({"subject":"s","body":"b","queue":true})", 422,
       "invalid_argument", "queue"},
      {"queue id is negative", "POST", kTickets, kJson, R"({"subject":"s","body":"b","queue":-4})", 422,
       "invalid_argument", "queue"},
      {"requester_email is not an address", "POST", kTickets, kJson,
       R"({"subject":"s","body":"b","requester_email":"not-an-address"})", 422, "invalid_argument",
       "requester_email"},
      {"subject missing", "POST", kTickets, kJson, R"({"body":"b"})", 422, "invalid_argument", "subject"},
      {"subject null", "POST", kTickets, kJson, R"({"subject":null,"body":"b"})", 422, "invalid_argument",
       "subject"},
      {"unknown field", "POST", kTickets, kJson, R"({"subject":"s","body":"b","severity":"sev1"})", 422,
       "invalid_argument", "severity"},
      {"misspelt field", "POST", kTickets, kJson, R"({"subjet":"s","body":"b"})", 422, "invalid_argument",
       "subjet"},
      {"NUL escape in subject", "POST", kTickets, kJson, R"({"subject":"abc\u0000def","body":"b"})", 422,
       "invalid_argument", "subject"},
      {"control character in subject", "POST", kTickets, kJson, R"({"subject":"bell\u0007","body":"b"})", 422,
       "invalid_argument", "subject"},
      {"newline in subject", "POST", kTickets, kJson, R"({"subject":"two\nlines","body":"b"})", 422,
       "invalid_argument", "subject"},
      {"NUL escape in body", "POST", kTickets, kJson, R"({"subject":"s","body":"a\u0000b"})", 422,
       "invalid_argument", "body"},
      {"empty subject", "POST", kTickets, kJson, Ticket("", "b"), 422, "invalid_argument", "subject"},
      {"blank body", "POST", kTickets, kJson, Ticket("s", " \n\t "), 422, "invalid_argument", "body"},
      {"subject of 251 characters", "POST", kTickets, kJson, Ticket(std::string(251, 's'), "b"), 422,
       "invalid_argument", "subject"},
      {"body over 64 KiB", "POST", kTickets, kJson, Ticket("s", big_body), 422, "invalid_argument", "body"},
      {"21 tags", "POST", kTickets, kJson, [] {
         boost::json::array tags;
         for (int i = 0; i < 21; ++i) tags.push_back(boost::json::string(std::string(1, 'a' + i)));
         return boost::json::serialize(object{{"subject", "s"}, {"body", "b"}, {"tags", tags}});
       }(),
       422, "invalid_argument", "tags"},
      {"tag of 51 characters", "POST", kTickets, kJson,
       boost::json::serialize(object{{"subject", "s"}, {"body", "b"}, {"tags", boost::json::array{std::string(51, 't')}}}),
       422, "invalid_argument", "tags"},
      // At the 1 MiB limit exactly the server reads the body and judges its fields.
      {"request body of exactly 1 MiB", "POST", kTickets, kJson, exactly_limit, 422, "invalid_argument", "body"},
      {"Idempotency-Key over 255 characters", "POST", kTickets, kJson, Ticket("s", "b"), 422,
       "invalid_argument", "Idempotency-Key", Caller::kAgent, Headers{{"Idempotency-Key", std::string(256, 'k')}}},
      // Beast refuses a control character in a header value before any handler runs.
      {"header value with a control character", "POST", kTickets, kJson, Ticket("s", "b"), 400,
       "invalid_argument", "", Caller::kAgent, Headers{{"Idempotency-Key", "key\x01"}}},

      // Limits and media types.
      {"request body over 1 MiB", "POST", kTickets, kJson, over_limit, 413, "limit_exceeded", ""},
      {"text/plain", "POST", kTickets, "text/plain", Ticket("s", "b"), 415, "unsupported_media_type", ""},
      {"no Content-Type", "POST", kTickets, std::nullopt, Ticket("s", "b"), 415, "unsupported_media_type", ""},
      {"form encoded", "POST", kTickets, "application/x-www-form-urlencoded", "subject=s&body=b", 415,
       "unsupported_media_type", ""},
      {"application/jsonp", "POST", kTickets, "application/jsonp", Ticket("s", "b"), 415,
       "unsupported_media_type", ""},
      {"headers over 16 KiB", "GET", kTickets, std::nullopt, "", 431, "limit_exceeded", "", Caller::kAgent,
       Headers{{"X-Padding", std::string(20 * 1024, 'p')}}},

      // Ids in paths.
      {"non-numeric ticket id", "GET", "/api/v1/tickets/abc", std::nullopt, "", 404, "not_found", ""},
      {"zero ticket id", "GET", "/api/v1/tickets/0", std::nullopt, "", 404, "not_found", ""},
      {"negative ticket id", "GET", "/api/v1/tickets/-1", std::nullopt, "", 404, "not_found", ""},
      {"fractional ticket id", "GET", "/api/v1/tickets/1.5", std::nullopt, "", 404, "not_found", ""},
      {"ticket id with a suffix", "GET", "/api/v1/tickets/{victim}abc", std::nullopt, "", 404, "not_found", ""},
      {"ticket id overflowing 64 bits", "GET", "/api/v1/tickets/99999999999999999999999", std::nullopt, "", 404,
       "not_found", ""},
      {"non-numeric id on PATCH", "PATCH", "/api/v1/tickets/abc", kJson, R"({"priority":"low"})", 404, "not_found",
       ""},
      {"non-numeric id on comments", "POST", "/api/v1/tickets/abc/comments", kJson, R"({"body":"x"})", 404,
       "not_found", ""},
      {"non-numeric id on events", "GET", "/api/v1/tickets/abc/events", std::nullopt, "", 404, "not_found", ""},
      {"non-numeric user id", "GET", "/api/v1/users/me", std::nullopt, "", 404, "not_found", ""},
      {"malformed percent escape in the path", "GET", "/api/v1/tickets/%zz", std::nullopt, "", 400,
       "invalid_argument", ""},
      {"encoded NUL in the path", "GET", "/api/v1/tickets/1%00", std::nullopt, "", 400, "invalid_argument", ""},

      // Changes to the victim ticket.
      {"PATCH with malformed JSON", "PATCH", "/api/v1/tickets/{victim}", kJson, R"({"status":)", 400,
       "invalid_argument", ""},
      {"PATCH assignee_id as a string", "PATCH", "/api/v1/tickets/{victim}", kJson, R"({"assignee_id":"me"})", 422,
       "invalid_argument", "assignee_id"},
      {"PATCH assignee is a requester", "PATCH", "/api/v1/tickets/{victim}", kJson, "", 422, "invalid_argument",
       "assignee_id"},
      {"PATCH unknown field", "PATCH", "/api/v1/tickets/{victim}", kJson, R"({"status":"open","colour":"red"})",
       422, "invalid_argument", "colour"},
      {"PATCH subject with NUL", "PATCH", "/api/v1/tickets/{victim}", kJson, R"({"subject":"a\u0000"})", 422,
       "invalid_argument", "subject"},
      {"PATCH status unknown", "PATCH", "/api/v1/tickets/{victim}", kJson, R"({"status":"done"})", 422,
       "invalid_argument", "status"},
      {"PATCH wrong Content-Type", "PATCH", "/api/v1/tickets/{victim}", "text/json", R"({"status":"open"})", 415,
       "unsupported_media_type", ""},
      {"comment body is a number", "POST", "/api/v1/tickets/{victim}/comments", kJson, R"({"body":5})", 422,
       "invalid_argument", "body"},
      {"comment internal is a string", "POST", "/api/v1/tickets/{victim}/comments", kJson,
       R"({"body":"x","internal":"yes"})", 422, "invalid_argument", "internal"},
      {"comment unknown field", "POST", "/api/v1/tickets/{victim}/comments", kJson,
       R"({"body":"x","attachments":[]})", 422, "invalid_argument", "attachments"},
      {"comment over 64 KiB", "POST", "/api/v1/tickets/{victim}/comments", kJson,
       boost::json::serialize(object{{"body", big_body}}), 422, "invalid_argument", "body"},
      {"link ticket_id is a string", "POST", "/api/v1/tickets/{victim}/links", kJson,
       R"({"kind":"related","ticket_id":"1"})", 422, "invalid_argument", "ticket_id"},
      {"merge target_id missing", "POST", "/api/v1/tickets/{victim}/merge", kJson, "{}", 422, "invalid_argument",
       "target_id"},
      {"merge target_id too large", "POST", "/api/v1/tickets/{victim}/merge", kJson,
       R"({"target_id":18446744073709551615})", 422, "invalid_argument", "target_id"},

      // Queries.
      {"limit above 200", "GET", "/api/v1/tickets?limit=201", std::nullopt, "", 422, "invalid_argument", "limit"},
      {"negative limit", "GET", "/api/v1/tickets?limit=-1", std::nullopt, "", 422, "invalid_argument", "limit"},
      {"limit with a suffix", "GET", "/api/v1/tickets?limit=5x", std::nullopt, "", 422, "invalid_argument", "limit"},
      {"updated_since not a timestamp", "GET", "/api/v1/tickets?updated_since=yesterday", std::nullopt, "", 422,
       "invalid_argument", "updated_since"},
      {"requester not an id", "GET", "/api/v1/tickets?requester=bob", std::nullopt, "", 422, "invalid_argument",
       "requester"},
      {"comments limit above 200", "GET", "/api/v1/tickets/{victim}/comments?limit=1000", std::nullopt, "", 422,
       "invalid_argument", "limit"},
      {"events cursor forged", "GET", "/api/v1/tickets/{victim}/events?cursor=AAAA", std::nullopt, "", 422,
       "invalid_argument", "cursor"},

      // Users, teams and queues (as admin, so permission is not what refuses).
      {"user e-mail invalid", "POST", "/api/v1/users", kJson,
       R"({"email":"not an address","display_name":"X","role":"agent"})", 422, "invalid_argument", "email",
       Caller::kAdmin},
      {"user role unknown", "POST", "/api/v1/users", kJson,
       R"({"email":"role@example.com","display_name":"X","role":"superuser"})", 422, "invalid_argument", "role",
       Caller::kAdmin},
      {"user time zone unknown", "POST", "/api/v1/users", kJson,
       R"({"email":"tz@example.com","display_name":"X","time_zone":"Mars/Olympus_Mons"})", 422, "invalid_argument",
       "time_zone", Caller::kAdmin},
      {"user password too short", "POST", "/api/v1/users", kJson,
       R"({"email":"pw@example.com","display_name":"X","password":"short"})", 422, "invalid_argument", "password",
       Caller::kAdmin},
      {"team member_ids of strings", "POST", "/api/v1/teams", kJson, R"({"name":"t1","member_ids":["1"]})", 422,
       "invalid_argument", "member_ids", Caller::kAdmin},
      {"queue name with spaces", "POST", "/api/v1/queues", kJson, R"({"name":"Two Words"})", 422,
       "invalid_argument", "name", Caller::kAdmin},
      {"queue team_id unknown", "POST", "/api/v1/queues", kJson, R"({"name":"orphan","team_id":999999})", 422,
       "invalid_argument", "team_id", Caller::kAdmin},
  };
}

class BadInputTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    HttpClient client = desk().Client();
    HttpResponse victim = client.Post(
        "/api/v1/tickets", object{{"subject", "The victim"}, {"body", "Everything bounces off me."}},
        desk().requester.token);
    ASSERT_EQ(victim.status, 201) << victim.Describe();
    victim_ = Int(victim.Json(), "id");
  }

  size_t TicketCount() {
    std::string error;
    auto all = desk().AllTickets(desk().agent.token, &error);
    EXPECT_TRUE(error.empty()) << error;
    return all.size();
  }

  // The victim's observable state: the ticket itself, its comments and its events.
  std::string VictimState() {
    HttpClient client = desk().Client();
    std::string id = std::to_string(victim_);
    return client.Get("/api/v1/tickets/" + id, desk().agent.token).body +
           client.Get("/api/v1/tickets/" + id + "/comments", desk().agent.token).body +
           client.Get("/api/v1/tickets/" + id + "/events", desk().agent.token).body;
  }

  int64_t victim_ = 0;
};

TEST_P(BadInputTest, EveryBadRequestIsRefusedAndChangesNothing) {
  const size_t tickets_before = TicketCount();
  const std::string victim_before = VictimState();
  ASSERT_NE(victim_before.find("The victim"), std::string::npos);
  HttpClient probe = desk().Client(/*keep_alive=*/false);
  for (BadCase c : BadCases()) {
    SCOPED_TRACE(c.name);
    std::string id = std::to_string(victim_);
    for (size_t at; (at = c.target.find("{victim}")) != std::string::npos;) c.target.replace(at, 8, id);
    if (c.name == "PATCH assignee is a requester") {
      c.body = boost::json::serialize(object{{"assignee_id", desk().requester.id}});
    }
    Headers headers{{"Authorization",
                     "Bearer " + (c.caller == Caller::kAdmin ? desk().admin.token : desk().agent.token)}};
    if (c.content_type) headers.emplace_back("Content-Type", *c.content_type);
    headers.insert(headers.end(), c.extra_headers.begin(), c.extra_headers.end());
    headers.emplace_back("X-Request-Id", "bad-input-case");

    // A fresh connection per case: some refusals close the connection.
    HttpClient client = desk().Client(/*keep_alive=*/false);
    HttpResponse r = client.Send(c.method, c.target, c.body, headers);
    EXPECT_EQ(r.status, c.status) << r.Describe();
    EXPECT_TRUE(HasErrorShape(r));
    // Refusals after the header was parsed keep the caller's request id.
    if (c.status != 431 && c.name != "header value with a control character") {
      EXPECT_EQ(r.Header("X-Request-Id").value_or(""), "bad-input-case") << r.Describe();
    }
    if (r.status == c.status) {
      boost::json::value error = r.Json().at("error");
      EXPECT_EQ(Str(error, "code"), c.code) << r.Describe();
      const auto* fields = error.as_object().if_contains("fields");
      if (c.field.empty()) {
        EXPECT_EQ(fields, nullptr) << "no field to blame: " << r.Describe();
      } else {
        ASSERT_NE(fields, nullptr) << r.Describe();
        EXPECT_TRUE(fields->as_object().contains(c.field)) << r.Describe();
      }
    }

    HttpResponse health = probe.Get("/healthz");
    ASSERT_EQ(health.status, 200) << "the server stopped answering after this case: " << health.Describe();
    EXPECT_EQ(TicketCount(), tickets_before);
  }
  EXPECT_EQ(VictimState(), victim_before);
}

TEST_P(BadInputTest, DeepNestingDoesNotHurtOtherClients) {
  // A client on a kept-alive connection keeps working while others send hostile bodies.
  HttpClient steady = desk().Client(/*keep_alive=*/true);
  ASSERT_EQ(steady.Get("/api/v1/me", desk().agent.token).status, 200);
  for (int round = 0; round < 5; ++round) {
    HttpClient hostile = desk().Client(/*keep_alive=*/false);
    HttpResponse r = hostile.Send("POST", "/api/v1/tickets", std::string(200000, '['),
                                  {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}});
    EXPECT_TRUE(IsError(r, 400, "invalid_argument"));
    HttpResponse me = steady.Get("/api/v1/me", desk().agent.token);
    ASSERT_EQ(me.status, 200) << me.Describe();
    EXPECT_EQ(Str(me.Json(), "email"), desk().agent.email);
  }
}

TEST_P(BadInputTest, KeepAliveConnectionSurvivesFieldErrors) {
  HttpClient client = desk().Client(/*keep_alive=*/true);
  for (int i = 0; i < 3; ++i) {
    HttpResponse bad = client.Post("/api/v1/tickets", object{{"subject", 1}, {"body", "b"}}, desk().agent.token);
    EXPECT_TRUE(IsFieldError(bad, "subject"));
    EXPECT_NE(bad.Header("Connection").value_or(""), "close") << "a field error need not end the connection";
  }
  EXPECT_EQ(client.Get("/healthz").status, 200);
}

TEST_P(BadInputTest, LimitsAreInclusiveAndCountCharacters) {
  HttpClient client = desk().Client();
  // 250 two-byte characters: 500 bytes but exactly the 250-character limit.
  std::string accented;
  for (int i = 0; i < 250; ++i) accented += "\xc3\xa9";
  HttpResponse at_limit = client.Post("/api/v1/tickets", object{{"subject", accented}, {"body", "b"}},
                                      desk().agent.token);
  ASSERT_EQ(at_limit.status, 201) << at_limit.Describe();
  EXPECT_EQ(Str(at_limit.Json(), "subject"), accented);
  HttpResponse over = client.Post("/api/v1/tickets", object{{"subject", accented + "\xc3\xa9"}, {"body", "b"}},
                                  desk().agent.token);
  EXPECT_TRUE(IsFieldError(over, "subject"));

  std::string body(64 * 1024, 'b');
  HttpResponse full_body = client.Post("/api/v1/tickets", object{{"subject", "Big"}, {"body", body}},
                                       desk().agent.token);
  ASSERT_EQ(full_body.status, 201) << full_body.Describe();
  HttpResponse fetched = client.Get("/api/v1/tickets/" + std::to_string(Int(full_body.Json(), "id")),
                                    desk().agent.token);
  EXPECT_EQ(Str(fetched.Json(), "body").size(), body.size());
}

TEST_P(BadInputTest, UnicodeRoundTripsExactly) {
  HttpClient client = desk().Client();
  const std::string subject = "Drucker kaputt \xe2\x80\x94 \xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba \xf0\x9f\x96\xa8";
  const std::string body = "Line one\nLine two\twith a tab \xf0\x9f\x94\xa5 and \"quotes\" and \\backslashes\\";
  HttpResponse created = client.Post("/api/v1/tickets", object{{"subject", subject}, {"body", body}},
                                     desk().requester.token);
  ASSERT_EQ(created.status, 201) << created.Describe();
  HttpResponse fetched =
      client.Get("/api/v1/tickets/" + std::to_string(Int(created.Json(), "id")), desk().requester.token);
  EXPECT_EQ(Str(fetched.Json(), "subject"), subject);
  EXPECT_EQ(Str(fetched.Json(), "body"), body);
  // \u escapes (including a surrogate pair) decode to the same text.
  HttpResponse escaped = client.Send(
      "POST", "/api/v1/tickets", R"({"subject":"Printer \ud83d\udda8","body":"caf\u00e9"})",
      {{"Authorization", "Bearer " + desk().requester.token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(escaped.status, 201) << escaped.Describe();
  EXPECT_EQ(Str(escaped.Json(), "subject"), "Printer \xf0\x9f\x96\xa8");
  EXPECT_EQ(Str(escaped.Json(), "body"), "caf\xc3\xa9");
}

TEST_P(BadInputTest, ContentTypeParametersAndCaseAreAccepted) {
  HttpClient client = desk().Client();
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON", "application/json ;charset=UTF-8"}) {
    HttpResponse r = client.Send("POST", "/api/v1/tickets", Ticket(std::string("Typed ") + type, "b"),
                                 {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", type}});
    EXPECT_EQ(r.status, 201) << type << ": " << r.Describe();
  }
}

TEST_P(BadInputTest, LoneSurrogateEscapeIsRefused) {
  HttpClient client = desk().Client();
  const size_t before = TicketCount();
  HttpResponse r = client.Send("POST", "/api/v1/tickets", R"({"subject":"half \ud800 a pair","body":"b"})",
                               {{"Authorization", "Bearer " + desk().agent.token}, {"Content-Type", "application/json"}});
  // Either refusal is acceptable; storing text that is not valid Unicode is not.
  EXPECT_TRUE(r.status == 400 || r.status == 422) << r.Describe();
  EXPECT_TRUE(HasErrorShape(r));
  EXPECT_EQ(TicketCount(), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, BadInputTest,
                         testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres), EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
