// The `opsdesk` command line against a running server: the offline admin
// commands that open the database (migrate, user add, token create) and the API
// client commands (ticket ..., login), with flags, environment and config file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "harness.h"

namespace opsdesk::e2e {
namespace {

using boost::json::object;

// Failure as the CLI promises it: a non-zero exit and exactly one line on stderr.
::testing::AssertionResult FailsWithOneLine(const CommandResult& run, std::string_view mentions = "") {
  if (run.exit_code == 0) return ::testing::AssertionFailure() << "exit 0; " << run.Describe();
  if (run.err.rfind("opsdesk: ", 0) != 0 || run.err.back() != '\n' ||
      std::count(run.err.begin(), run.err.end(), '\n') != 1) {
    return ::testing::AssertionFailure() << "stderr is not one 'opsdesk: ...' line; " << run.Describe();
  }
  if (!mentions.empty() && run.err.find(mentions) == std::string::npos) {
    return ::testing::AssertionFailure() << "stderr does not mention '" << mentions << "'; " << run.Describe();
  }
  return ::testing::AssertionSuccess();
}

boost::json::value ParseJson(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) return nullptr;
  return value;
}

class CliTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    // Personal tokens made by the CLI, as an operator would for automation.
    auto agent = CreateTokenWithCli(desk().db_url(), desk().agent.email);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    auto requester = CreateTokenWithCli(desk().db_url(), desk().requester.email);
    ASSERT_TRUE(requester.ok()) << requester.status().ToString();
    agent_token_ = *agent;
    requester_token_ = *requester;
  }

  // `opsdesk ARGS... --server URL --token TOKEN`.
  CommandResult Client(std::vector<std::string> args, const std::string& token, CommandOptions options = {}) {
    args.insert(args.end(), {"--server", desk().server().base_url(), "--token", token});
    return RunOpsdesk(args, options);
  }

  HttpClient Http() { return desk().Client(); }

  std::string agent_token_;
  std::string requester_token_;
};

TEST_P(CliTest, UserAddPrintsTheNewId) {
  std::string email = UniqueName("cli-agent") + "@example.com";
  CommandResult run = RunOpsdesk({"user", "add", "--db", desk().db_url(), "--email", email, "--name", "CLI Agent",
                                  "--role", "agent", "--password-stdin"},
                                 CommandOptions{"a long enough password\n", {}});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  ASSERT_FALSE(run.out.empty());
  ASSERT_EQ(run.out.back(), '\n') << run.Describe();
  std::string id = run.out.substr(0, run.out.size() - 1);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(id.find_first_not_of("0123456789"), std::string::npos) << "stdout is the id alone: " << run.Describe();

  HttpClient http = Http();
  HttpResponse user = http.Get("/api/v1/users/" + id, desk().admin.token);
  ASSERT_EQ(user.status, 200) << user.Describe();
  EXPECT_EQ(Str(user.Json(), "email"), email);
  EXPECT_EQ(Str(user.Json(), "display_name"), "CLI Agent");
  EXPECT_EQ(Str(user.Json(), "role"), "agent");
  auto token = Login(http, email, "a long enough password");
  ASSERT_TRUE(token.ok()) << "the password from stdin signs in: " << token.status().ToString();

  CommandResult again = RunOpsdesk({"user", "add", "--db", desk().db_url(), "--email", email, "--name", "Twin"});
  EXPECT_TRUE(FailsWithOneLine(again, "already exists"));
  EXPECT_TRUE(again.out.empty()) << again.Describe();
  CommandResult bad_role = RunOpsdesk({"user", "add", "--db", desk().db_url(), "--email",
                                       UniqueName("x") + "@example.com", "--name", "X", "--role", "overlord"});
  EXPECT_TRUE(FailsWithOneLine(bad_role, "role"));
}

TEST_P(CliTest, MigrateSucceedsTwice) {
  CommandResult first = RunOpsdesk({"migrate", "--db", desk().db_url()});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_EQ(first.out.rfind("schema at version ", 0), 0u) << first.Describe();
  CommandResult second = RunOpsdesk({"migrate", "--db", desk().db_url()});
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_EQ(second.out, first.out);
  // The running server is unaffected.
  HttpClient http = Http();
  EXPECT_EQ(http.Get("/readyz").status, 200);
  EXPECT_EQ(http.Get("/api/v1/me", desk().agent.token).status, 200);
}

TEST_P(CliTest, TokenCreatePrintsAUsableToken) {
  CommandResult run = RunOpsdesk({"token", "create", "--db", desk().db_url(), "--email", desk().lead.email,
                                  "--name", "nightly report"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  ASSERT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.Describe();
  std::string token = run.out.substr(0, run.out.size() - 1);
  EXPECT_EQ(token.rfind("odt_", 0), 0u) << token;
  HttpClient http = Http();
  HttpResponse me = http.Get("/api/v1/me", token);
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(Str(me.Json(), "email"), desk().lead.email);
  HttpResponse listed = http.Get("/api/v1/tokens", token);
  bool named = false;
  for (const auto& t : Items(listed)) named = named || Str(t, "name") == "nightly report";
  EXPECT_TRUE(named) << listed.Describe();

  EXPECT_TRUE(FailsWithOneLine(
      RunOpsdesk({"token", "create", "--db", desk().db_url(), "--email", "nobody@example.com"}), "no user"));
}

TEST_P(CliTest, TicketWorkflow) {
  std::string queue = UniqueName("cli-queue");
  HttpClient http = Http();
  ASSERT_EQ(http.Post("/api/v1/queues", object{{"name", queue}}, desk().lead.token).status, 201);
  const std::string subject = "CLI: scanner offline " + UniqueName("s");

  // create --json, as the requester
  CommandResult created = Client({"ticket", "create", "--subject", subject, "--body", "It shows a red light.",
                                  "--queue", queue, "--json"},
                                 requester_token_);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  boost::json::value ticket = ParseJson(created.out);
  ASSERT_TRUE(ticket.is_object()) << created.Describe();
  int64_t id = Int(ticket, "id");
  ASSERT_GT(id, 0);
  EXPECT_EQ(Str(ticket, "subject"), subject);
  EXPECT_EQ(Str(ticket.at("queue"), "name"), queue);
  EXPECT_EQ(Int(ticket.at("requester"), "id"), desk().requester.id);
  const std::string sid = std::to_string(id);

  // create, human
  CommandResult human = Client({"ticket", "create", "--subject", "Second", "--body", "b"}, requester_token_);
  ASSERT_EQ(human.exit_code, 0) << human.Describe();
  EXPECT_EQ(human.out.rfind("created ticket #", 0), 0u) << human.Describe();

  // list
  CommandResult list = Client({"ticket", "list", "--queue", queue}, agent_token_);
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_EQ(list.out.rfind("ID", 0), 0u) << list.Describe();
  EXPECT_NE(list.out.find("SUBJECT"), std::string::npos) << list.Describe();
  EXPECT_NE(list.out.find(subject), std::string::npos) << list.Describe();
  EXPECT_NE(list.out.find(sid + " "), std::string::npos) << list.Describe();
  CommandResult list_json = Client({"ticket", "list", "--queue", queue, "--json"}, agent_token_);
  ASSERT_EQ(list_json.exit_code, 0) << list_json.Describe();
  boost::json::value page = ParseJson(list_json.out);
  ASSERT_TRUE(page.is_object()) << list_json.Describe();
  ASSERT_EQ(page.at("items").as_array().size(), 1u) << list_json.Describe();
  EXPECT_EQ(Int(page.at("items").as_array()[0], "id"), id);

  // show
  CommandResult show = Client({"ticket", "show", sid}, agent_token_);
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  EXPECT_NE(show.out.find("#" + sid + "  " + subject), std::string::npos) << show.Describe();
  EXPECT_NE(show.out.find("status: new"), std::string::npos) << show.Describe();
  EXPECT_NE(show.out.find("queue: " + queue), std::string::npos) << show.Describe();
  EXPECT_NE(show.out.find("It shows a red light."), std::string::npos) << show.Describe();

  // comment --internal
  const std::string note = "Scanner firmware is known bad " + UniqueName("n");
  CommandResult comment = Client({"ticket", "comment", sid, "--body", note, "--internal"}, agent_token_);
  ASSERT_EQ(comment.exit_code, 0) << comment.Describe();
  EXPECT_EQ(comment.out.rfind("added comment #", 0), 0u) << comment.Describe();
  HttpResponse staff_comments = http.Get("/api/v1/tickets/" + sid + "/comments", desk().agent.token);
  ASSERT_EQ(Items(staff_comments).size(), 1u) << staff_comments.Describe();
  EXPECT_TRUE(Items(staff_comments)[0].at("internal").as_bool());
  EXPECT_EQ(Str(Items(staff_comments)[0], "body"), note);
  CommandResult staff_show = Client({"ticket", "show", sid}, agent_token_);
  EXPECT_NE(staff_show.out.find("internal note by " + desk().agent.email), std::string::npos) << staff_show.Describe();
  EXPECT_NE(staff_show.out.find(note), std::string::npos);
  CommandResult requester_show = Client({"ticket", "show", sid}, requester_token_);
  ASSERT_EQ(requester_show.exit_code, 0) << requester_show.Describe();
  EXPECT_EQ(requester_show.out.find(note), std::string::npos) << "the requester never sees the internal note";
  CommandResult show_json = Client({"ticket", "show", sid, "--json"}, agent_token_);
  boost::json::value shown = ParseJson(show_json.out);
  ASSERT_TRUE(shown.is_object()) << show_json.Describe();
  EXPECT_EQ(Int(shown, "id"), id);
  EXPECT_EQ(shown.at("comments").as_array().size(), 1u);

  // update --priority high
  CommandResult update = Client({"ticket", "update", sid, "--priority", "high"}, agent_token_);
  ASSERT_EQ(update.exit_code, 0) << update.Describe();
  EXPECT_NE(update.out.find("ticket #" + sid + ": "), std::string::npos) << update.Describe();
  EXPECT_NE(update.out.find("priority high"), std::string::npos) << update.Describe();
  EXPECT_EQ(Str(http.Get("/api/v1/tickets/" + sid, desk().agent.token).Json(), "priority"), "high");

  // A stale --if-version is refused and changes nothing.
  CommandResult stale = Client({"ticket", "update", sid, "--priority", "low", "--if-version", "1"}, agent_token_);
  EXPECT_TRUE(FailsWithOneLine(stale));
  EXPECT_EQ(Str(http.Get("/api/v1/tickets/" + sid, desk().agent.token).Json(), "priority"), "high");

  // assign --to me
  CommandResult assign = Client({"ticket", "assign", sid, "--to", "me", "--json"}, agent_token_);
  ASSERT_EQ(assign.exit_code, 0) << assign.Describe();
  boost::json::value assigned = ParseJson(assign.out);
  ASSERT_TRUE(assigned.is_object()) << assign.Describe();
  EXPECT_EQ(Int(assigned.at("assignee"), "id"), desk().agent.id);
  EXPECT_EQ(Str(assigned, "status"), "open");
  boost::json::value fetched = http.Get("/api/v1/tickets/" + sid, desk().agent.token).Json();
  EXPECT_EQ(Int(fetched.at("assignee"), "id"), desk().agent.id);

  // close
  CommandResult close = Client({"ticket", "close", sid}, agent_token_);
  ASSERT_EQ(close.exit_code, 0) << close.Describe();
  EXPECT_NE(close.out.find("status closed"), std::string::npos) << close.Describe();
  EXPECT_NE(close.out.find("assignee " + desk().agent.email), std::string::npos) << close.Describe();
  EXPECT_EQ(Str(http.Get("/api/v1/tickets/" + sid, desk().agent.token).Json(), "status"), "closed");

  // Requesters cannot do staff work through the CLI either.
  CommandResult not_allowed = Client({"ticket", "update", sid, "--priority", "low"}, requester_token_);
  EXPECT_TRUE(FailsWithOneLine(not_allowed));
}

TEST_P(CliTest, ArticleWorkflow) {
  const std::string title = "Restart the consumer " + UniqueName("kb");
  CommandOptions stdin_body;
  stdin_body.stdin_text = "1. Check lag\n2. Restart\n";
  CommandResult created = Client({"article", "create", "--title", title, "--body", "-", "--category", "SOP", "--json"},
                                 agent_token_, stdin_body);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  boost::json::value article = ParseJson(created.out);
  ASSERT_TRUE(article.is_object()) << created.Describe();
  const std::string id = std::to_string(Int(article, "id"));
  EXPECT_EQ(Str(article, "state"), "draft");
  EXPECT_EQ(Str(article, "body"), "1. Check lag\n2. Restart\n");

  HttpClient http = Http();
  ASSERT_EQ(http.Patch("/api/v1/articles/" + id, object{{"body", "1. Check lag\n2. Restart the consumer\n"}},
                       desk().agent.token)
                .status,
            200);
  CommandResult diff = Client({"article", "diff", id, "--from", "1", "--to", "2"}, agent_token_);
  ASSERT_EQ(diff.exit_code, 0) << diff.Describe();
  EXPECT_EQ(diff.out, " 1. Check lag\n-2. Restart\n+2. Restart the consumer\n") << diff.Describe();

  // Agents submit for review; publishing is the lead's.
  CommandResult review = Client({"article", "state", id, "in_review"}, agent_token_);
  ASSERT_EQ(review.exit_code, 0) << review.Describe();
  EXPECT_NE(review.out.find("state: in_review"), std::string::npos) << review.Describe();
  EXPECT_TRUE(FailsWithOneLine(Client({"article", "state", id, "published"}, agent_token_), "leads"));

  CommandResult list = Client({"article", "list", "--state", "in_review"}, agent_token_);
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_EQ(list.out.rfind("ID", 0), 0u) << list.Describe();
  EXPECT_NE(list.out.find(title), std::string::npos) << list.Describe();
  CommandResult show = Client({"article", "show", id}, agent_token_);
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  EXPECT_NE(show.out.find("2. Restart the consumer"), std::string::npos) << show.Describe();
  // A requester cannot see the draft.
  EXPECT_TRUE(FailsWithOneLine(Client({"article", "show", id}, requester_token_), "not found"));
}

TEST_P(CliTest, SearchPrintsMatchesWithTheirSnippets) {
  // One word per engine: each engine's desk is its own database.
  const std::string word = std::string("florbix") + storage::EngineName(GetParam());
  HttpClient http = Http();
  HttpResponse filed = http.Post("/api/v1/tickets",
                                 object{{"subject", "Export " + word + " stalls"}, {"body", "The <nightly> export."}},
                                 desk().requester.token);
  ASSERT_EQ(filed.status, 201) << filed.Describe();
  const std::string id = std::to_string(Int(filed.Json(), "id"));

  CommandResult found = Client({"search", word, "type:ticket"}, agent_token_);
  ASSERT_EQ(found.exit_code, 0) << found.Describe();
  EXPECT_EQ(found.out.rfind("ticket  " + id, 0), 0u) << found.Describe();
  EXPECT_NE(found.out.find("Export " + word + " stalls"), std::string::npos) << found.Describe();
  EXPECT_EQ(found.out.find("<mark>"), std::string::npos) << "no HTML on a terminal: " << found.Describe();
  CommandResult json = Client({"search", "--json", word}, agent_token_);
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  boost::json::value parsed = ParseJson(json.out);
  ASSERT_TRUE(parsed.is_object()) << json.Describe();
  EXPECT_EQ(parsed.at("items").as_array().size(), 1u) << json.Describe();
  // The requester finds it; another requester does not.
  CommandResult none = Client({"search", word}, desk().other_requester.token);
  ASSERT_EQ(none.exit_code, 0) << none.Describe();
  EXPECT_EQ(none.out, "no matches\n") << none.Describe();
  EXPECT_TRUE(FailsWithOneLine(Client({"search", "\"unterminated"}, agent_token_), "quote"));
}

TEST_P(CliTest, ErrorsAreOneLineAndNonZero) {
  CommandResult missing = Client({"ticket", "show", "999999"}, agent_token_);
  EXPECT_TRUE(FailsWithOneLine(missing, "not found"));
  EXPECT_TRUE(missing.out.empty()) << missing.Describe();

  CommandResult invalid = Client({"ticket", "create", "--subject", std::string(300, 's'), "--body", "b"}, agent_token_);
  EXPECT_TRUE(FailsWithOneLine(invalid, "subject"));

  CommandResult bad_token = Client({"ticket", "list"}, "odt_" + std::string(64, 'f'));
  EXPECT_TRUE(FailsWithOneLine(bad_token));

  CommandResult no_server = RunOpsdesk({"ticket", "list", "--server", "http://127.0.0.1:1", "--token", agent_token_});
  EXPECT_TRUE(FailsWithOneLine(no_server));

  CommandResult nothing = Client({"ticket", "update", "1"}, agent_token_);
  EXPECT_TRUE(FailsWithOneLine(nothing, "nothing to change"));
}

TEST_P(CliTest, EnvironmentReplacesFlags) {
  CommandOptions env{"", {{"OPSDESK_URL", desk().server().base_url()}, {"OPSDESK_TOKEN", agent_token_}}};
  CommandResult list = RunOpsdesk({"ticket", "list", "--json", "--limit", "5"}, env);
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  ASSERT_TRUE(ParseJson(list.out).is_object()) << list.Describe();

  CommandResult created = RunOpsdesk({"ticket", "create", "--subject", "From the environment", "--body", "b", "--json"},
                                     env);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  boost::json::value ticket = ParseJson(created.out);
  EXPECT_EQ(Int(ticket.at("requester"), "id"), desk().agent.id) << "OPSDESK_TOKEN chose the caller";

  // Without a token the server refuses; a flag beats the environment.
  CommandOptions url_only{"", {{"OPSDESK_URL", desk().server().base_url()}}};
  EXPECT_TRUE(FailsWithOneLine(RunOpsdesk({"ticket", "list"}, url_only), "authentication"));
  CommandOptions wrong_token{"", {{"OPSDESK_URL", desk().server().base_url()}, {"OPSDESK_TOKEN", "odt_bogus"}}};
  EXPECT_TRUE(FailsWithOneLine(RunOpsdesk({"ticket", "list"}, wrong_token)));
  CommandResult flag_wins = RunOpsdesk({"ticket", "list", "--token", agent_token_}, wrong_token);
  EXPECT_EQ(flag_wins.exit_code, 0) << flag_wins.Describe();
}

TEST_P(CliTest, LoginSavesAConfigFileTheOtherCommandsUse) {
  TempDir home;
  CommandOptions in_home{desk().requester.password + "\n", {{"HOME", home.path()}}};
  CommandResult login = RunOpsdesk(
      {"login", "--server", desk().server().base_url(), "--email", desk().requester.email, "--password-stdin"},
      in_home);
  ASSERT_EQ(login.exit_code, 0) << login.Describe();
  EXPECT_NE(login.out.find("signed in as " + desk().requester.email), std::string::npos) << login.Describe();
  std::filesystem::path config = std::filesystem::path(home.path()) / ".config" / "opsdesk" / "config.toml";
  ASSERT_TRUE(std::filesystem::exists(config));
  auto perms = std::filesystem::status(config).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none)
      << "the saved token is readable by others";

  CommandResult created = RunOpsdesk({"ticket", "create", "--subject", "Via saved login", "--body", "b", "--json"},
                                     CommandOptions{"", {{"HOME", home.path()}}});
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(Int(ParseJson(created.out).at("requester"), "id"), desk().requester.id);

  CommandResult wrong = RunOpsdesk(
      {"login", "--server", desk().server().base_url(), "--email", desk().requester.email, "--password-stdin"},
      CommandOptions{"not the password\n", {{"HOME", home.path()}}});
  EXPECT_TRUE(FailsWithOneLine(wrong));
}

TEST_P(CliTest, BodyFromStdinTagsAndPaging) {
  const std::string tag = UniqueName("cli-tag");
  const std::string body = "Line one\nLine two with **markdown**\n";
  CommandResult created = Client({"ticket", "create", "--subject", "From stdin", "--body", "-", "--tag", tag, "--tag",
                                  "Second-Tag", "--priority", "urgent", "--json"},
                                 agent_token_, CommandOptions{body, {}});
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  boost::json::value ticket = ParseJson(created.out);
  EXPECT_EQ(Str(ticket, "body"), body);
  EXPECT_EQ(Str(ticket, "priority"), "urgent");
  EXPECT_EQ(boost::json::serialize(ticket.at("tags")), "[\"" + tag + "\",\"second-tag\"]");
  ASSERT_EQ(Client({"ticket", "create", "--subject", "Second of the tag", "--body", "b", "--tag", tag}, agent_token_)
                .exit_code,
            0);

  // --limit 1 pages, and the human output says how to get the next page.
  CommandResult first = Client({"ticket", "list", "--tag", tag, "--limit", "1"}, agent_token_);
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  size_t hint = first.out.find("next page: --cursor ");
  ASSERT_NE(hint, std::string::npos) << first.Describe();
  std::string cursor = first.out.substr(hint + 20);
  cursor = cursor.substr(0, cursor.find('\n'));
  CommandResult second = Client({"ticket", "list", "--tag", tag, "--limit", "1", "--cursor", cursor, "--json"},
                                agent_token_);
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  boost::json::value page = ParseJson(second.out);
  ASSERT_TRUE(page.is_object()) << second.Describe();
  EXPECT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_TRUE(page.at("next_cursor").is_null());

  CommandResult statuses = Client({"ticket", "list", "--tag", tag, "--status", "new,open", "--json"}, agent_token_);
  ASSERT_EQ(statuses.exit_code, 0) << statuses.Describe();
  EXPECT_EQ(ParseJson(statuses.out).at("items").as_array().size(), 2u);

  EXPECT_TRUE(FailsWithOneLine(Client({"ticket", "list", "--limit", "500"}, agent_token_), "limit"));
}

TEST_P(CliTest, UpdateCanRemoveTheQueue) {
  std::string queue = UniqueName("cli-q");
  HttpClient http = Http();
  ASSERT_EQ(http.Post("/api/v1/queues", object{{"name", queue}}, desk().admin.token).status, 201);
  CommandResult created =
      Client({"ticket", "create", "--subject", "Queued", "--body", "b", "--queue", queue, "--json"}, agent_token_);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  std::string id = std::to_string(Int(ParseJson(created.out), "id"));
  CommandResult cleared = Client({"ticket", "update", id, "--queue", "none", "--json"}, agent_token_);
  ASSERT_EQ(cleared.exit_code, 0) << cleared.Describe();
  EXPECT_TRUE(ParseJson(cleared.out).at("queue").is_null()) << cleared.Describe();
  EXPECT_TRUE(http.Get("/api/v1/tickets/" + id, desk().agent.token).Json().at("queue").is_null());
}

TEST_P(CliTest, AssignRefusesAMalformedUserId) {
  CommandResult created = Client({"ticket", "create", "--subject", "Assign me", "--body", "b", "--json"}, agent_token_);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  std::string id = std::to_string(Int(ParseJson(created.out), "id"));
  // "<agent id>abc" is not a user id; it must not be read as the agent's id.
  CommandResult run = Client({"ticket", "assign", id, "--to", std::to_string(desk().agent.id) + "abc"}, agent_token_);
  EXPECT_TRUE(FailsWithOneLine(run, "--to"));
  HttpClient http = Http();
  EXPECT_TRUE(http.Get("/api/v1/tickets/" + id, desk().agent.token).Json().at("assignee").is_null())
      << "the ticket was assigned from a malformed --to";
  CommandResult by_id = Client({"ticket", "assign", id, "--to", std::to_string(desk().lead.id), "--json"}, agent_token_);
  ASSERT_EQ(by_id.exit_code, 0) << by_id.Describe();
  EXPECT_EQ(Int(ParseJson(by_id.out).at("assignee"), "id"), desk().lead.id);
  CommandResult none = Client({"ticket", "assign", id, "--to", "none", "--json"}, agent_token_);
  ASSERT_EQ(none.exit_code, 0) << none.Describe();
  EXPECT_TRUE(ParseJson(none.out).at("assignee").is_null());
}

INSTANTIATE_TEST_SUITE_P(Engines, CliTest, testing::Values(storage::Engine::kSqlite, storage::Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::e2e
