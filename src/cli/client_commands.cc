// `opsdesk ticket ...` and `opsdesk login`: API client commands. Human tables by
// default, --json for scripts; on failure a one-line error and exit code 1.
#include <CLI/CLI.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <unistd.h>
#include <iostream>
#include <sstream>

#include "cli/api_client.h"
#include "common/text.h"

namespace opsdesk::cli {
namespace {

struct ClientFlags {
  std::optional<std::string> server;
  std::optional<std::string> token;
  bool json = false;
};

void AddClientFlags(CLI::App* cmd, ClientFlags& flags) {
  cmd->add_option("--server", flags.server, "API base URL (default from config, OPSDESK_URL)");
  cmd->add_option("--token", flags.token, "API token (default from config, OPSDESK_TOKEN)");
  cmd->add_flag("--json", flags.json, "Print JSON instead of a table");
}

int Fail(const Status& status) {
  std::cerr << "opsdesk: " << status.message();
  for (const auto& [field, message] : status.fields()) std::cerr << "; " << field << ": " << message;
  std::cerr << "\n";
  return 1;
}

std::string Str(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "-";
  return boost::json::serialize(v);
}

std::string Field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? Str(*v) : "-";
}

std::string Nested(const boost::json::object& o, std::string_view key, std::string_view inner) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return "-";
  return Field(v->as_object(), inner);
}

std::string Clip(std::string text, size_t width) {
  if (Utf8Length(text) <= width) return text;
  size_t bytes = 0, chars = 0;
  while (bytes < text.size() && chars < width - 1) {
    ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) ++bytes;
    ++chars;
  }
  return text.substr(0, bytes) + "…";
}

void PrintTicketTable(const boost::json::array& items) {
  std::cout << std::left << std::setw(8) << "ID" << std::setw(10) << "STATUS" << std::setw(9) << "PRIORITY"
            << std::setw(16) << "QUEUE" << std::setw(22) << "ASSIGNEE" << "SUBJECT\n";
  for (const auto& item : items) {
    const auto& t = item.as_object();
    std::cout << std::left << std::setw(8) << Field(t, "id") << std::setw(10) << Field(t, "status") << std::setw(9)
              << Field(t, "priority") << std::setw(16) << Clip(Nested(t, "queue", "name"), 15) << std::setw(22)
              << Clip(Nested(t, "assignee", "email"), 21) << Clip(Field(t, "subject"), 60) << "\n";
  }
}

void PrintTicket(const boost::json::object& t) {
  std::cout << "#" << Field(t, "id") << "  " << Field(t, "subject") << "\n"
            << "status: " << Field(t, "status") << "   priority: " << Field(t, "priority")
            << "   queue: " << Nested(t, "queue", "name") << "   version: " << Field(t, "version") << "\n"
            << "requester: " << Nested(t, "requester", "email") << "   assignee: " << Nested(t, "assignee", "email")
            << "\n";
  if (const auto* tags = t.if_contains("tags"); tags && tags->is_array() && !tags->as_array().empty()) {
    std::cout << "tags:";
    for (const auto& tag : tags->as_array()) std::cout << " " << Str(tag);
    std::cout << "\n";
  }
  std::cout << "created: " << Field(t, "created_at") << "   updated: " << Field(t, "updated_at") << "\n\n"
            << Field(t, "body") << "\n";
}

void PrintEscalation(const boost::json::object& e) {
  std::cout << "escalation " << Field(e, "id") << "  ticket #" << Field(e, "ticket_id") << "  " << Field(e, "severity")
            << "  " << Field(e, "tier") << "  " << Field(e, "state") << "  level " << Field(e, "level") << "\n";
}

void PrintEscalationTable(const boost::json::array& items) {
  std::cout << std::left << std::setw(8) << "ID" << std::setw(9) << "TICKET" << std::setw(6) << "SEV" << std::setw(13)
            << "TIER" << std::setw(16) << "STATE" << std::setw(7) << "LEVEL" << "REASON\n";
  for (const auto& item : items) {
    const auto& e = item.as_object();
    std::cout << std::left << std::setw(8) << Field(e, "id") << std::setw(9) << Field(e, "ticket_id") << std::setw(6)
              << Field(e, "severity") << std::setw(13) << Field(e, "tier") << std::setw(16) << Field(e, "state")
              << std::setw(7) << Field(e, "level") << Clip(Field(e, "reason"), 60) << "\n";
  }
}

void PrintArticle(const boost::json::object& a) {
  std::cout << "article " << Field(a, "id") << "  " << Field(a, "title") << "\n"
            << "state: " << Field(a, "state") << "   audience: " << Field(a, "audience")
            << "   category: " << Field(a, "category") << "   version: " << Field(a, "version") << "\n"
            << "review due: " << Field(a, "review_due_at") << "   updated: " << Field(a, "updated_at") << "\n\n"
            << Field(a, "body") << "\n";
}

void PrintArticleTable(const boost::json::array& items) {
  std::cout << std::left << std::setw(8) << "ID" << std::setw(11) << "STATE" << std::setw(10) << "AUDIENCE"
            << std::setw(6) << "VER" << std::setw(16) << "CATEGORY" << "TITLE\n";
  for (const auto& item : items) {
    const auto& a = item.as_object();
    std::cout << std::left << std::setw(8) << Field(a, "id") << std::setw(11) << Field(a, "state") << std::setw(10)
              << Field(a, "audience") << std::setw(6) << Field(a, "version") << std::setw(16)
              << Clip(Field(a, "category"), 15) << Clip(Field(a, "title"), 60) << "\n";
  }
}

// A ticket's SLA clocks (GET /tickets/{id}/sla): one line per target.
void PrintTicketSla(const boost::json::object& sla) {
  std::cout << "ticket #" << Field(sla, "ticket_id") << "  policy: " << Nested(sla, "policy", "name") << "\n";
  const auto* targets = sla.if_contains("targets");
  if (!targets || !targets->is_array() || targets->as_array().empty()) {
    std::cout << "no SLA clocks\n";
    return;
  }
  std::cout << std::left << std::setw(16) << "TARGET" << std::setw(10) << "STATE" << std::setw(26) << "DUE"
            << std::setw(11) << "REMAINING" << "MET / BREACHED\n";
  for (const auto& item : targets->as_array()) {
    const auto& c = item.as_object();
    std::string done = Field(c, "met_at") != "-" ? "met " + Field(c, "met_at")
                       : Field(c, "breached_at") != "-" ? "breached " + Field(c, "breached_at")
                                                         : "-";
    std::string remaining = Field(c, "remaining_minutes");
    if (remaining != "-") remaining += " min";
    std::cout << std::left << std::setw(16) << Field(c, "kind") << std::setw(10) << Field(c, "state") << std::setw(26)
              << Field(c, "due_at") << std::setw(11) << remaining << done << "\n";
  }
}

// Who is on call for a team (GET /teams/{id}/on-call): one line per schedule.
void PrintOnCall(const boost::json::object& on_call) {
  std::cout << "team " << Field(on_call, "team_id") << " at " << Field(on_call, "at") << "\n";
  std::cout << std::left << std::setw(10) << "SCHEDULE" << std::setw(24) << "NAME" << std::setw(10) << "USER"
            << "UNTIL\n";
  for (const auto& item : on_call.at("schedules").as_array()) {
    const auto& o = item.as_object();
    std::cout << std::left << std::setw(10) << Field(o, "schedule_id") << std::setw(24)
              << Clip(Field(o, "schedule_name"), 23) << std::setw(10) << Field(o, "user_id") << Field(o, "until")
              << "\n";
  }
}

void PrintDeliveryTable(const boost::json::array& items) {
  std::cout << std::left << std::setw(8) << "ID" << std::setw(9) << "WEBHOOK" << std::setw(24) << "EVENT"
            << std::setw(9) << "STATE" << std::setw(10) << "ATTEMPTS" << "LAST ERROR\n";
  for (const auto& item : items) {
    const auto& d = item.as_object();
    std::cout << std::left << std::setw(8) << Field(d, "id") << std::setw(9) << Field(d, "webhook_id")
              << std::setw(24) << Clip(Field(d, "event_type"), 23) << std::setw(9) << Field(d, "state")
              << std::setw(10) << (Field(d, "attempts") + "/" + Field(d, "max_attempts"))
              << Clip(Field(d, "last_error"), 60) << "\n";
  }
}

// A search snippet (escaped HTML with <mark> around matches) for a terminal:
// matches in bold when standard output is one, the entities decoded.
std::string SnippetForTerminal(const std::string& html) {
  const bool tty = isatty(STDOUT_FILENO) != 0;
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
  std::string out;
  for (size_t i = 0; i < html.size();) {
    std::string_view rest = std::string_view(html).substr(i);
    if (rest.starts_with("<mark>")) {
      if (tty) out += "\033[1m";
      i += 6;
      continue;
    }
    if (rest.starts_with("</mark>")) {
      if (tty) out += "\033[0m";
      i += 7;
      continue;
    }
    bool decoded = false;
    for (const auto& [entity, text] : kEntities) {
      if (rest.starts_with(entity)) {
        out += text;
        i += entity.size();
        decoded = true;
        break;
      }
    }
    if (!decoded) out += html[i++];
  }
  return out;
}

void PrintSearchResults(const boost::json::array& items) {
  if (items.empty()) std::cout << "no matches\n";
  for (const auto& item : items) {
    const auto& h = item.as_object();
    std::string where = Field(h, "type") == "ticket" ? Field(h, "queue") : Field(h, "audience");
    std::cout << std::left << std::setw(8) << Field(h, "type") << std::setw(8) << Field(h, "id") << std::setw(11)
              << Field(h, "status") << std::setw(16) << Clip(where, 15) << Clip(Field(h, "title"), 70) << "\n"
              << "        " << SnippetForTerminal(Field(h, "snippet")) << "\n";
  }
}

// Runs `fn` with a client built from the flags, turning errors into exit codes.
template <typename Fn>
int WithClient(const ClientFlags& flags, Fn fn) {
  auto settings = LoadClientSettings(flags.server, flags.token);
  if (!settings.ok()) return Fail(settings.status());
  ApiClient client(*settings);
  return fn(client);
}

int PrintOrFail(const Result<boost::json::value>& result, bool json, const std::function<void(const boost::json::value&)>& human) {
  if (!result.ok()) return Fail(result.status());
  if (json) std::cout << boost::json::serialize(*result) << "\n";
  else human(*result);
  return 0;
}

}  // namespace

void AddClientCommands(CLI::App& app, int* exit_code) {
  // Everything below is captured by the callbacks, which run during app.parse,
  // while these statics are alive.
  static ClientFlags flags;

  auto* login = app.add_subcommand("login", "Sign in and save the server URL and a token to the config file");
  static std::string login_email;
  static bool login_password_stdin = false;
  login->add_option("--server", flags.server, "API base URL");
  login->add_option("--email", login_email, "Your e-mail address")->required();
  login->add_flag("--password-stdin", login_password_stdin, "Read the password from standard input")->required();
  login->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string password;
      std::getline(std::cin, password);
      auto result = client.Call("POST", "/api/v1/auth/login",
                                boost::json::object{{"email", login_email}, {"password", password}});
      if (!result.ok()) return Fail(result.status());
      auto settings = LoadClientSettings(flags.server, std::nullopt);
      std::filesystem::path dir = std::filesystem::path(std::getenv("HOME") ? std::getenv("HOME") : ".") / ".config" / "opsdesk";
      if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) dir = std::filesystem::path(xdg) / "opsdesk";
      std::filesystem::create_directories(dir);
      std::filesystem::path file = dir / "config.toml";
      {
        std::ofstream out(file, std::ios::trunc);
        out << "server = \"" << settings->server << "\"\ntoken = \"" << Str(result->at("token")) << "\"\n";
      }
      std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      std::cout << "signed in as " << Str(result->at("user").at("email")) << "; token saved to " << file.string()
                << "\n";
      return 0;
    });
  });

  auto* ticket = app.add_subcommand("ticket", "Work with tickets through the API");
  ticket->require_subcommand(1);

  // ticket create
  static std::string c_subject, c_body, c_priority, c_queue, c_requester;
  static std::vector<std::string> c_tags;
  auto* create = ticket->add_subcommand("create", "File a ticket");
  AddClientFlags(create, flags);
  create->add_option("--subject", c_subject, "One-line summary")->required();
  create->add_option("--body", c_body, "Description (Markdown); '-' reads standard input")->required();
  create->add_option("--priority", c_priority, "low, normal, high or urgent");
  create->add_option("--queue", c_queue, "Queue (component) name");
  create->add_option("--tag", c_tags, "A tag (repeatable)");
  create->add_option("--requester", c_requester, "File on behalf of this e-mail (agents)");
  create->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      if (c_body == "-") {
        std::ostringstream all;
        all << std::cin.rdbuf();
        c_body = all.str();
      }
      boost::json::object body{{"subject", c_subject}, {"body", c_body}};
      if (!c_priority.empty()) body["priority"] = c_priority;
      if (!c_queue.empty()) body["queue"] = c_queue;
      if (!c_requester.empty()) body["requester_email"] = c_requester;
      if (!c_tags.empty()) {
        boost::json::array tags;
        for (const auto& t : c_tags) tags.push_back(boost::json::string(t));
        body["tags"] = std::move(tags);
      }
      return PrintOrFail(client.Call("POST", "/api/v1/tickets", body), flags.json, [](const boost::json::value& v) {
        std::cout << "created ticket #" << Field(v.as_object(), "id") << "\n";
      });
    });
  });

  // ticket list
  static std::string l_status, l_queue, l_assignee, l_requester, l_priority, l_tag, l_sort, l_cursor;
  static int l_limit = 50;
  auto* list = ticket->add_subcommand("list", "List tickets");
  AddClientFlags(list, flags);
  list->add_option("--status", l_status, "Comma-separated statuses");
  list->add_option("--queue", l_queue, "Queue name or id");
  list->add_option("--assignee", l_assignee, "User id, 'me' or 'none'");
  list->add_option("--requester", l_requester, "User id or 'me'");
  list->add_option("--priority", l_priority, "low, normal, high or urgent");
  list->add_option("--tag", l_tag, "Tag");
  list->add_option("--sort", l_sort, "-updated_at (default), updated_at, -created_at, created_at, -id, id");
  list->add_option("--limit", l_limit, "1-200");
  list->add_option("--cursor", l_cursor, "next_cursor of the previous page");
  list->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string query = "?limit=" + std::to_string(l_limit);
      auto add = [&](const char* name, const std::string& value) {
        if (!value.empty()) query += std::string("&") + name + "=" + UrlEncode(value);
      };
      add("status", l_status);
      add("queue", l_queue);
      add("assignee", l_assignee);
      add("requester", l_requester);
      add("priority", l_priority);
      add("tag", l_tag);
      add("sort", l_sort);
      add("cursor", l_cursor);
      return PrintOrFail(client.Call("GET", "/api/v1/tickets" + query), flags.json, [](const boost::json::value& v) {
        PrintTicketTable(v.at("items").as_array());
        if (!v.at("next_cursor").is_null()) std::cout << "next page: --cursor " << Str(v.at("next_cursor")) << "\n";
      });
    });
  });

  // ticket show
  static int64_t s_id = 0;
  auto* show = ticket->add_subcommand("show", "Show a ticket and its conversation");
  AddClientFlags(show, flags);
  show->add_option("id", s_id, "Ticket id")->required();
  show->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      auto t = client.Call("GET", "/api/v1/tickets/" + std::to_string(s_id));
      if (!t.ok()) return Fail(t.status());
      auto comments = client.Call("GET", "/api/v1/tickets/" + std::to_string(s_id) + "/comments?limit=200");
      if (!comments.ok()) return Fail(comments.status());
      if (flags.json) {
        boost::json::object out = t->as_object();
        out["comments"] = comments->at("items");
        std::cout << boost::json::serialize(out) << "\n";
        return 0;
      }
      PrintTicket(t->as_object());
      for (const auto& c : comments->at("items").as_array()) {
        const auto& o = c.as_object();
        bool internal = o.at("internal").as_bool();
        std::cout << "\n--- " << (internal ? "internal note" : "reply") << " by " << Nested(o, "author", "email")
                  << " at " << Field(o, "created_at") << "\n"
                  << Field(o, "body") << "\n";
      }
      return 0;
    });
  });

  // ticket comment
  static int64_t m_id = 0;
  static std::string m_body;
  static bool m_internal = false;
  auto* comment = ticket->add_subcommand("comment", "Reply to a ticket or add an internal note");
  AddClientFlags(comment, flags);
  comment->add_option("id", m_id, "Ticket id")->required();
  comment->add_option("--body", m_body, "Text (Markdown); '-' reads standard input")->required();
  comment->add_flag("--internal", m_internal, "An internal note, hidden from the requester");
  comment->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      if (m_body == "-") {
        std::ostringstream all;
        all << std::cin.rdbuf();
        m_body = all.str();
      }
      return PrintOrFail(client.Call("POST", "/api/v1/tickets/" + std::to_string(m_id) + "/comments",
                                     boost::json::object{{"body", m_body}, {"internal", m_internal}}),
                         flags.json, [](const boost::json::value& v) {
                           std::cout << "added comment #" << Field(v.as_object(), "id") << "\n";
                         });
    });
  });

  // ticket update / assign / close share one PATCH.
  static int64_t u_id = 0;
  static std::optional<std::string> u_status, u_priority, u_queue, u_subject, u_tags, u_version;
  static std::string a_to;
  auto patch = [](boost::json::object body) {
    return WithClient(flags, [&](ApiClient& client) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (u_version) headers.emplace_back("If-Match", "\"" + *u_version + "\"");
      return PrintOrFail(client.Call("PATCH", "/api/v1/tickets/" + std::to_string(u_id), body, headers), flags.json,
                         [](const boost::json::value& v) {
                           const auto& t = v.as_object();
                           std::cout << "ticket #" << Field(t, "id") << ": status " << Field(t, "status")
                                     << ", priority " << Field(t, "priority") << ", assignee "
                                     << Nested(t, "assignee", "email") << ", version " << Field(t, "version") << "\n";
                         });
    });
  };

  auto* update = ticket->add_subcommand("update", "Change a ticket's fields");
  AddClientFlags(update, flags);
  update->add_option("id", u_id, "Ticket id")->required();
  update->add_option("--status", u_status, "new status");
  update->add_option("--priority", u_priority, "new priority");
  update->add_option("--queue", u_queue, "new queue name ('none' removes it)");
  update->add_option("--subject", u_subject, "new subject");
  update->add_option("--tags", u_tags, "comma-separated tags, replacing the current ones");
  update->add_option("--if-version", u_version, "fail unless the ticket is still at this version");
  update->callback([exit_code, patch] {
    boost::json::object body;
    if (u_status) body["status"] = *u_status;
    if (u_priority) body["priority"] = *u_priority;
    if (u_queue) body["queue"] = *u_queue == "none" ? boost::json::value(nullptr) : boost::json::value(*u_queue);
    if (u_subject) body["subject"] = *u_subject;
    if (u_tags) {
      boost::json::array tags;
      for (const auto& t : Split(*u_tags, ',')) tags.push_back(boost::json::string(t));
      body["tags"] = std::move(tags);
    }
    if (body.empty()) {
      *exit_code = Fail(Status::InvalidArgument("nothing to change: give --status, --priority, --queue, --subject or --tags"));
      return;
    }
    *exit_code = patch(body);
  });

  auto* assign = ticket->add_subcommand("assign", "Assign a ticket");
  AddClientFlags(assign, flags);
  assign->add_option("id", u_id, "Ticket id")->required();
  assign->add_option("--to", a_to, "User id, 'me' or 'none'")->required();
  assign->callback([exit_code, patch] {
    boost::json::value assignee;
    if (a_to == "none") {
      assignee = nullptr;
    } else if (a_to == "me") {
      int code = WithClient(flags, [&](ApiClient& client) {
        auto me = client.Call("GET", "/api/v1/me");
        if (!me.ok()) return Fail(me.status());
        assignee = me->at("id");
        return 0;
      });
      if (code != 0) {
        *exit_code = code;
        return;
      }
    } else {
      int64_t id = 0;
      auto [ptr, ec] = std::from_chars(a_to.data(), a_to.data() + a_to.size(), id);
      if (ec != std::errc() || ptr != a_to.data() + a_to.size() || id <= 0) {
        *exit_code = Fail(Status::InvalidArgument("--to must be a user id, 'me' or 'none'"));
        return;
      }
      assignee = id;
    }
    *exit_code = patch(boost::json::object{{"assignee_id", assignee}});
  });

  auto* close = ticket->add_subcommand("close", "Close a ticket");
  AddClientFlags(close, flags);
  close->add_option("id", u_id, "Ticket id")->required();
  close->callback([exit_code, patch] { *exit_code = patch(boost::json::object{{"status", "closed"}}); });

  // ticket escalate
  static int64_t e_id = 0;
  static std::string e_severity, e_reason, e_tier;
  auto* escalate = ticket->add_subcommand("escalate", "Escalate a ticket (pages on-call engineering or the leads)");
  AddClientFlags(escalate, flags);
  escalate->add_option("id", e_id, "Ticket id")->required();
  escalate->add_option("--severity", e_severity, "sev1, sev2, sev3 or sev4")->required();
  escalate->add_option("--reason", e_reason, "Why")->required();
  escalate->add_option("--tier", e_tier, "engineering (default: the queue's escalation policy) or l2 (the leads)");
  escalate->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      boost::json::object body{{"severity", e_severity}, {"reason", e_reason}};
      if (!e_tier.empty()) body["tier"] = e_tier;
      return PrintOrFail(client.Call("POST", "/api/v1/tickets/" + std::to_string(e_id) + "/escalations", body),
                         flags.json, [](const boost::json::value& v) { PrintEscalation(v.as_object()); });
    });
  });

  // ticket sla: the ticket's clocks (docs/SLA.md)
  static int64_t sla_id = 0;
  auto* sla = ticket->add_subcommand("sla", "Show a ticket's SLA clocks: due, remaining, met or breached");
  AddClientFlags(sla, flags);
  sla->add_option("id", sla_id, "Ticket id")->required();
  sla->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      return PrintOrFail(client.Call("GET", "/api/v1/tickets/" + std::to_string(sla_id) + "/sla"), flags.json,
                         [](const boost::json::value& v) { PrintTicketSla(v.as_object()); });
    });
  });

  // oncall who: who is on call for a team now or at a given instant (docs/ONCALL.md)
  auto* oncall = app.add_subcommand("oncall", "On-call schedules through the API");
  oncall->require_subcommand(1);
  static int64_t oc_team = 0;
  static std::string oc_at;
  auto* who = oncall->add_subcommand("who", "Who is on call for a team, per schedule");
  AddClientFlags(who, flags);
  who->add_option("--team", oc_team, "Team id")->required();
  who->add_option("--at", oc_at, "An instant (RFC 3339, e.g. 2026-12-24T18:00:00Z); default now");
  who->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string path = "/api/v1/teams/" + std::to_string(oc_team) + "/on-call";
      if (!oc_at.empty()) path += "?at=" + UrlEncode(oc_at);
      return PrintOrFail(client.Call("GET", path), flags.json,
                         [](const boost::json::value& v) { PrintOnCall(v.as_object()); });
    });
  });

  // webhook deliveries / retry: the dead-letter list, for admins (docs/ARCHITECTURE.md, notifications)
  auto* webhook = app.add_subcommand("webhook", "Webhook deliveries through the API (admins)");
  webhook->require_subcommand(1);
  static std::string wh_state;
  static int wh_limit = 50;
  auto* deliveries = webhook->add_subcommand("deliveries", "List webhook deliveries, newest first");
  AddClientFlags(deliveries, flags);
  deliveries->add_option("--state", wh_state, "pending, running, done or dead (the dead letters)");
  deliveries->add_option("--limit", wh_limit, "At most this many (1-200)");
  deliveries->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string path = "/api/v1/webhooks/deliveries?limit=" + std::to_string(wh_limit);
      if (!wh_state.empty()) path += "&state=" + UrlEncode(wh_state);
      return PrintOrFail(client.Call("GET", path), flags.json,
                         [](const boost::json::value& v) { PrintDeliveryTable(v.at("items").as_array()); });
    });
  });
  static int64_t wh_id = 0;
  auto* retry = webhook->add_subcommand("retry", "Send a dead delivery again (same delivery id)");
  AddClientFlags(retry, flags);
  retry->add_option("id", wh_id, "Delivery id")->required();
  retry->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      return PrintOrFail(
          client.Call("POST", "/api/v1/webhooks/deliveries/" + std::to_string(wh_id) + "/retry"), flags.json,
          [](const boost::json::value& v) { PrintDeliveryTable(boost::json::array{v}); });
    });
  });

  auto* esc = app.add_subcommand("escalation", "Work with escalations through the API");
  esc->require_subcommand(1);
  static int64_t x_id = 0;
  for (const char* action : {"ack", "resolve", "cancel"}) {
    std::string help = std::string(action) == "ack"       ? "Acknowledge an escalation (stops paging)"
                       : std::string(action) == "resolve" ? "Resolve an escalation"
                                                          : "Cancel an escalation (back to the specialist)";
    auto* cmd = esc->add_subcommand(action, help);
    AddClientFlags(cmd, flags);
    cmd->add_option("id", x_id, "Escalation id")->required();
    std::string verb = action;
    cmd->callback([exit_code, verb] {
      *exit_code = WithClient(flags, [&verb](ApiClient& client) {
        return PrintOrFail(client.Call("POST", "/api/v1/escalations/" + std::to_string(x_id) + "/" + verb),
                           flags.json, [](const boost::json::value& v) { PrintEscalation(v.as_object()); });
      });
    });
  }
  static std::string x_state = "open";
  auto* elist = esc->add_subcommand("list", "List escalations (default: open ones)");
  AddClientFlags(elist, flags);
  elist->add_option("--state", x_state, "open (default), all, triggered, acknowledged, unacknowledged, resolved, cancelled");
  elist->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string path = "/api/v1/escalations";
      if (x_state != "all") path += "?state=" + UrlEncode(x_state);
      return PrintOrFail(client.Call("GET", path), flags.json,
                         [](const boost::json::value& v) { PrintEscalationTable(v.at("items").as_array()); });
    });
  });

  // search: tickets and articles (docs/SEARCH.md)
  auto* search = app.add_subcommand(
      "search", "Search tickets and articles: words, \"phrases\", -exclusions, prefix*, filters such as status:open");
  AddClientFlags(search, flags);
  static std::vector<std::string> s_words;
  static int s_limit = 20;
  search->add_option("query", s_words, "The query (several arguments are joined by spaces)")->required();
  search->add_option("--limit", s_limit, "At most this many results (1-100)");
  search->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string q;
      for (const auto& word : s_words) q += (q.empty() ? "" : " ") + word;
      return PrintOrFail(client.Call("GET", "/api/v1/search?q=" + UrlEncode(q) + "&limit=" + std::to_string(s_limit)),
                         flags.json, [](const boost::json::value& v) { PrintSearchResults(v.at("items").as_array()); });
    });
  });

  // article: the knowledge base (docs/KB.md)
  auto* article = app.add_subcommand("article", "Work with knowledge-base articles through the API");
  article->require_subcommand(1);
  static int64_t k_id = 0;
  static std::string k_title, k_body, k_audience, k_category, k_state, k_owner;
  static bool k_stale = false;
  static int k_from = 0, k_to = 0;

  auto* klist = article->add_subcommand("list", "List articles (newest change first)");
  AddClientFlags(klist, flags);
  klist->add_option("--state", k_state, "draft, in_review, published or archived");
  klist->add_flag("--stale", k_stale, "Published articles past their review date");
  klist->add_option("--owner", k_owner, "me or a user id");
  klist->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string query;
      auto add = [&](const std::string& key, const std::string& value) {
        query += (query.empty() ? "?" : "&") + key + "=" + UrlEncode(value);
      };
      if (!k_state.empty()) add("state", k_state);
      if (k_stale) add("stale", "true");
      if (!k_owner.empty()) add("owner", k_owner);
      return PrintOrFail(client.Call("GET", "/api/v1/articles" + query), flags.json,
                         [](const boost::json::value& v) { PrintArticleTable(v.at("items").as_array()); });
    });
  });

  auto* kshow = article->add_subcommand("show", "Show an article");
  AddClientFlags(kshow, flags);
  kshow->add_option("id", k_id, "Article id")->required();
  kshow->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      return PrintOrFail(client.Call("GET", "/api/v1/articles/" + std::to_string(k_id)), flags.json,
                         [](const boost::json::value& v) { PrintArticle(v.as_object()); });
    });
  });

  auto* kcreate = article->add_subcommand("create", "Write a draft article");
  AddClientFlags(kcreate, flags);
  kcreate->add_option("--title", k_title, "Title")->required();
  kcreate->add_option("--body", k_body, "Body (Markdown); '-' reads standard input")->required();
  kcreate->add_option("--audience", k_audience, "internal (default) or public");
  kcreate->add_option("--category", k_category, "Category, e.g. SOP");
  kcreate->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      if (k_body == "-") {
        std::ostringstream all;
        all << std::cin.rdbuf();
        k_body = all.str();
      }
      boost::json::object body{{"title", k_title}, {"body", k_body}};
      if (!k_audience.empty()) body["audience"] = k_audience;
      if (!k_category.empty()) body["category"] = k_category;
      return PrintOrFail(client.Call("POST", "/api/v1/articles", body), flags.json,
                         [](const boost::json::value& v) { PrintArticle(v.as_object()); });
    });
  });

  auto* kstate = article->add_subcommand("state", "Move an article: in_review, published, archived or draft");
  AddClientFlags(kstate, flags);
  kstate->add_option("id", k_id, "Article id")->required();
  kstate->add_option("state", k_state, "The new state")->required();
  kstate->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      return PrintOrFail(client.Call("POST", "/api/v1/articles/" + std::to_string(k_id) + "/state",
                                     boost::json::object{{"state", k_state}}),
                         flags.json, [](const boost::json::value& v) { PrintArticle(v.as_object()); });
    });
  });

  auto* kdiff = article->add_subcommand("diff", "What changed between two versions");
  AddClientFlags(kdiff, flags);
  kdiff->add_option("id", k_id, "Article id")->required();
  kdiff->add_option("--from", k_from, "Version")->required();
  kdiff->add_option("--to", k_to, "Version")->required();
  kdiff->callback([exit_code] {
    *exit_code = WithClient(flags, [](ApiClient& client) {
      std::string path = "/api/v1/articles/" + std::to_string(k_id) + "/diff?from=" + std::to_string(k_from) +
                         "&to=" + std::to_string(k_to);
      return PrintOrFail(client.Call("GET", path), flags.json, [](const boost::json::value& v) {
        for (const auto& f : v.at("fields").as_array()) {
          std::cout << Field(f.as_object(), "field") << ": " << Field(f.as_object(), "before") << " -> "
                    << Field(f.as_object(), "after") << "\n";
        }
        for (const auto& line : v.at("body").as_array()) {
          std::string op = Field(line.as_object(), "op");
          std::cout << (op == "insert" ? "+" : op == "delete" ? "-" : " ") << Field(line.as_object(), "text") << "\n";
        }
      });
    });
  });
}

}  // namespace opsdesk::cli
