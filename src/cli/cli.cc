#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <sstream>

#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "cli/api_client.h"
#include "cli/serve.h"
#include "common/random.h"
#include "config/config.h"
#include "storage/migrations.h"

namespace opsdesk::cli {
namespace {

int Fail(const Status& status) {
  std::cerr << "opsdesk: " << status.message();
  for (const auto& [field, message] : status.fields()) std::cerr << "; " << field << ": " << message;
  std::cerr << "\n";
  return 1;
}

// Opens and migrates the database for the offline admin commands.
Result<std::unique_ptr<storage::Database>> OpenMigrated(const std::string& url, const Clock& clock) {
  auto db = storage::Database::Open(url);
  if (!db.ok()) return db.status();
  if (Status st = storage::Migrate(**db, clock); !st.ok()) return st;
  return db;
}

std::string ResolveDbUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* v = std::getenv("OPSDESK_DB"); v && *v) return v;
  return "sqlite:var/opsdesk.db";
}

std::string ReadPasswordFromStdin() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

void AddClientCommands(CLI::App& app, int* exit_code);

int Main(int argc, char** argv) {
  InitCrypto();
  CLI::App app{"opsdesk: the operations desk server and its command line"};
  app.require_subcommand(1);
  int exit_code = 0;
  SystemClock clock;

  // serve
  auto* serve = app.add_subcommand("serve", "Run the HTTP server until SIGTERM");
  std::optional<std::string> listen, db_flag, config_file, log_level, web_root;
  bool demo_data = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--db", db_flag, "sqlite:PATH or postgresql://...");
  serve->add_option("--config", config_file, "TOML config file")->check(CLI::ExistingFile);
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error");
  serve->add_option("--web-root", web_root, "Directory of the built web front end (default web/dist)");
  serve->add_flag("--demo-data", demo_data, "Load the demo data set into an empty database");
  serve->callback([&] {
    config::ServerConfig cfg;
    if (config_file) {
      if (Status st = config::LoadConfigFile(*config_file, &cfg); !st.ok()) {
        exit_code = Fail(st);
        return;
      }
    }
    if (Status st = config::ApplyEnvironment(&cfg); !st.ok()) {
      exit_code = Fail(st);
      return;
    }
    if (listen) cfg.listen = *listen;
    if (db_flag) cfg.db = *db_flag;
    if (log_level) cfg.log_level = *log_level;
    if (web_root) cfg.web_root = *web_root;
    if (demo_data) cfg.demo_data = true;
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    exit_code = Serve(cfg);
  });

  // migrate
  auto* migrate = app.add_subcommand("migrate", "Apply pending schema migrations");
  std::string migrate_db;
  migrate->add_option("--db", migrate_db, "sqlite:PATH or postgresql://...");
  migrate->callback([&] {
    auto db = storage::Database::Open(ResolveDbUrl(migrate_db));
    if (!db.ok()) {
      exit_code = Fail(db.status());
      return;
    }
    if (Status st = storage::Migrate(**db, clock); !st.ok()) {
      exit_code = Fail(st);
      return;
    }
    std::cout << "schema at version " << storage::LatestSchemaVersion() << "\n";
  });

  // user add
  auto* user = app.add_subcommand("user", "Manage users directly in the database");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Create a user; prints the new user's id");
  std::string ua_db, ua_email, ua_name, ua_role = "requester", ua_tz = "UTC";
  bool ua_password_stdin = false;
  user_add->add_option("--db", ua_db, "sqlite:PATH or postgresql://...");
  user_add->add_option("--email", ua_email, "E-mail address")->required();
  user_add->add_option("--name", ua_name, "Display name")->required();
  user_add->add_option("--role", ua_role, "requester, agent, lead or admin");
  user_add->add_option("--time-zone", ua_tz, "IANA time zone");
  user_add->add_flag("--password-stdin", ua_password_stdin, "Read the password from standard input");
  user_add->callback([&] {
    auto db = OpenMigrated(ResolveDbUrl(ua_db), clock);
    if (!db.ok()) {
      exit_code = Fail(db.status());
      return;
    }
    auth::NewUser input{ua_email, ua_name, ua_role, std::nullopt, ua_tz, true};
    if (ua_password_stdin) input.password = ReadPasswordFromStdin();
    auth::UserService users(**db, clock);
    auto created = users.Create(auth::Actor::System(), input);
    if (!created.ok()) {
      exit_code = Fail(created.status());
      return;
    }
    std::cout << created->id << "\n";
  });

  // token create
  auto* token = app.add_subcommand("token", "Manage personal API tokens directly in the database");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create a personal API token; prints it once");
  std::string tc_db, tc_email, tc_name = "cli";
  int tc_days = 0;
  token_create->add_option("--db", tc_db, "sqlite:PATH or postgresql://...");
  token_create->add_option("--email", tc_email, "The user the token acts as")->required();
  token_create->add_option("--name", tc_name, "A name to recognise the token by");
  token_create->add_option("--expires-in-days", tc_days, "0: never expires");
  token_create->callback([&] {
    auto db = OpenMigrated(ResolveDbUrl(tc_db), clock);
    if (!db.ok()) {
      exit_code = Fail(db.status());
      return;
    }
    std::optional<auth::User> found;
    Status st = (*db)->Read([&](storage::Transaction& tx) -> Status {
      auto u = auth::UserService::FindByEmail(tx, tc_email);
      if (!u.ok()) return u.status();
      found = *u;
      return Status::Ok();
    });
    if (!st.ok()) {
      exit_code = Fail(st);
      return;
    }
    if (!found) {
      exit_code = Fail(Status::NotFound("no user with e-mail " + tc_email));
      return;
    }
    auth::AuthService auth(**db, clock);
    auto issued = auth.CreateToken(auth::Actor::System(), found->id, tc_name, tc_days);
    if (!issued.ok()) {
      exit_code = Fail(issued.status());
      return;
    }
    std::cout << issued->secret << "\n";
  });

  AddClientCommands(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}

}  // namespace opsdesk::cli
