// End-to-end test harness: the real `opsdesk` binary as a child process on a
// fresh database, a small synchronous HTTP client, and helpers to run the CLI and
// to create users and tokens.
//
// Nothing here mocks anything: requests go over loopback TCP to the server the
// tests started, which talks to a real SQLite file or a real PostgreSQL schema.
// Nothing sleeps either: the harness waits for the server's listening line, for
// process exit and for socket reads, each bounded by a generous deadline only so a
// hung server fails the test instead of hanging the run.
#pragma once

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/database.h"
#include "storage/testing.h"

namespace opsdesk::e2e {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Path of the `opsdesk` binary under test (the OPSDESK_BINARY compile definition).
std::string OpsdeskBinary();

// A new directory under the system temp dir, removed (recursively) with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A name unique within this test run ("prefix-<pid>-<n>"), for e-mails, tags,
// queue and team names, so tests sharing a database never collide.
std::string UniqueName(std::string_view prefix);
// Percent-encodes a query parameter's value.
std::string PercentEncode(std::string_view text);

// ---------------------------------------------------------------------------
// Child processes

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by one
  std::string out;
  std::string err;
  std::string Describe() const;  // for assertion messages
};

struct CommandOptions {
  std::string stdin_text;  // written to the child's stdin, which is then closed
  // Set in the child's environment after the harness's cleaning (see RunCommand).
  Headers env;
};

// Runs argv[0] (an absolute path) and waits for it. The child gets this process's
// environment minus every OPSDESK_* variable and XDG_CONFIG_HOME, with HOME set to
// a private empty directory, so no real configuration leaks in; then
// `options.env` is applied.
CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});
// RunCommand with OpsdeskBinary() prepended.
CommandResult RunOpsdesk(const std::vector<std::string>& args, const CommandOptions& options = {});

// `opsdesk serve --listen 127.0.0.1:0 --db URL` as a child process.
//
// stdout is a pipe: Start() reads it until the line
// "opsdesk listening on http://127.0.0.1:PORT (database ...)", after which a thread
// keeps draining it (the access log goes there) into a file, so the server never
// blocks on a full pipe. stderr goes straight to a file. Both are in a private
// temporary directory; Logs() returns their tails for failure messages.
class ServerProcess {
 public:
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& db_url);
  // The same with extra environment variables for the server (OPSDESK_SMTP_URL, ...).
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& db_url, const Headers& env);

  // Stops the server (SIGTERM) if it still runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM and wait for exit (the server stops gracefully). Returns the exit
  // code as CommandResult::exit_code does; -1 when it was not running, -2 when it
  // did not exit within a minute and was killed.
  int Stop();
  // SIGKILL and wait: the server gets no chance to finish anything.
  void Kill();

  // The last `max_bytes` of stderr and of stdout, labelled.
  std::string Logs(size_t max_bytes = 12000) const;

 private:
  ServerProcess() = default;
  int Signal(int signal_number);

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int stdout_fd_ = -1;
  std::thread drain_;
  std::unique_ptr<TempDir> log_dir_;
  std::string stdout_log_;
  std::string stderr_log_;
};

// ---------------------------------------------------------------------------
// HTTP

struct HttpResponse {
  int status = 0;     // 0: no response (see error)
  std::string error;  // transport error when status == 0
  Headers headers;
  std::string body;

  // The first value of header `name` (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
  // The body parsed as JSON; null when it is not JSON.
  boost::json::value Json() const;
  // "STATUS body" (body clipped), for assertion messages.
  std::string Describe() const;
};

// A synchronous Beast HTTP/1.1 client for 127.0.0.1:port. Not thread-safe: use
// one per thread. Without keep-alive every request opens its own connection and
// asks the server to close it; with keep-alive the connection is reused (and
// reopened once if the server closed it meanwhile).
class HttpClient {
 public:
  explicit HttpClient(uint16_t port, bool keep_alive = false);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends exactly the given headers (plus Host, User-Agent, Content-Length and
  // Connection) and body. Never throws: a transport failure is status 0.
  HttpResponse Send(std::string_view method, std::string_view target, std::string_view body = {},
                    const Headers& headers = {});

  // JSON helpers: Authorization: Bearer `token` unless empty, and for bodies
  // Content-Type: application/json.
  HttpResponse Get(std::string_view target, std::string_view token = {}, const Headers& headers = {});
  HttpResponse Delete(std::string_view target, std::string_view token = {}, const Headers& headers = {});
  HttpResponse Post(std::string_view target, const boost::json::value& body, std::string_view token = {},
                    const Headers& headers = {});
  HttpResponse Patch(std::string_view target, const boost::json::value& body, std::string_view token = {},
                     const Headers& headers = {});
  HttpResponse Put(std::string_view target, std::string_view token = {}, const Headers& headers = {});

  uint16_t port() const { return port_; }

 private:
  struct Connection;
  uint16_t port_;
  bool keep_alive_;
  std::unique_ptr<Connection> connection_;
};

// Checks the one error shape: a JSON object {"error":{"code":"...","message":"...",
// ...}} with non-empty strings, "fields" (when present) an object of strings, and
// "request_id" (when present) equal to the X-Request-Id header.
::testing::AssertionResult HasErrorShape(const HttpResponse& response);
// HasErrorShape plus the given HTTP status and error code.
::testing::AssertionResult IsError(const HttpResponse& response, int status, std::string_view code);
// A 422 whose "fields" names `field`.
::testing::AssertionResult IsFieldError(const HttpResponse& response, std::string_view field);

// ---------------------------------------------------------------------------
// Users and tokens

struct TestUser {
  int64_t id = 0;
  std::string email;
  std::string password;
  std::string role;
  std::string token;  // a session token from POST /auth/login
};

// `opsdesk user add --db URL --email E --name N --role R --password-stdin`; the
// id it prints.
Result<int64_t> AddUserWithCli(const std::string& db_url, const std::string& email, const std::string& name,
                               const std::string& role, const std::string& password);
// `opsdesk token create --db URL --email E`; the token it prints.
Result<std::string> CreateTokenWithCli(const std::string& db_url, const std::string& email);
// POST /api/v1/auth/login; the session token.
Result<std::string> Login(HttpClient& client, const std::string& email, const std::string& password);
// POST /api/v1/users as `admin_token` (with a password), then logs the user in.
Result<TestUser> CreateUserViaApi(HttpClient& client, const std::string& admin_token, const std::string& role);

// ---------------------------------------------------------------------------
// A desk: a database of one engine, a server on it and one user of each role.

class Desk {
 public:
  // Creates the database (TestDatabase: a temporary SQLite file, or a private
  // PostgreSQL schema from OPSDESK_TEST_PG_URL), starts the server and creates
  // the admin with the CLI and the other users through the API.
  static Result<std::unique_ptr<Desk>> Create(storage::Engine engine);

  // Stops the server, then drops the database.
  ~Desk();

  storage::Engine engine() const { return engine_; }
  const std::string& db_url() const { return db_url_; }
  ServerProcess& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  HttpClient Client(bool keep_alive = true) const { return HttpClient(server_->port(), keep_alive); }

  // Starts a new server on the same database (after Stop() or Kill()).
  Status Restart();

  // Every ticket `token` can see, by walking all pages of GET /api/v1/tickets.
  // An empty result with *error set when a page fails.
  std::vector<boost::json::object> AllTickets(const std::string& token, std::string* error);

  TestUser admin, lead, agent, requester, other_requester;

 private:
  Desk() = default;
  storage::Engine engine_ = storage::Engine::kSqlite;
  std::unique_ptr<storage::TestDatabase> database_;
  std::string db_url_;
  std::unique_ptr<ServerProcess> server_;
};

// A suite parameterised over both engines sharing one Desk per engine for all of
// its tests (users cost an argon2id hash each, so they are made once). The desks
// are created on first use and destroyed after the suite. On a failed test the
// server's logs are printed.
class EngineTest : public ::testing::TestWithParam<storage::Engine> {
 protected:
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;
  Desk& desk() { return *desk_; }

 private:
  Desk* desk_ = nullptr;
};

// For INSTANTIATE_TEST_SUITE_P: names the instances "sqlite" and "postgresql".
std::string EngineParamName(const ::testing::TestParamInfo<storage::Engine>& info);

// The JSON helpers tests use most. They return copies, so they are safe on the
// temporary HttpResponse::Json() returns (a range-for over
// `r.Json().at("items").as_array()` would dangle).
std::string Str(const boost::json::value& v, std::string_view key);
int64_t Int(const boost::json::value& v, std::string_view key);
// The "items" array of a page response; empty when there is none.
boost::json::array Items(const HttpResponse& response);

}  // namespace opsdesk::e2e

namespace opsdesk::storage {
// So gtest names the engine in failure messages instead of printing its bytes.
inline void PrintTo(Engine engine, std::ostream* out) { *out << EngineName(engine); }
}  // namespace opsdesk::storage
