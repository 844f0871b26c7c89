#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

extern char** environ;

namespace opsdesk::e2e {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Deadlines that only keep a hung child or server from hanging the whole run; no
// test depends on how long anything takes.
constexpr int kServerStartDeadlineMs = 60000;
constexpr int kCommandDeadlineMs = 120000;
constexpr int kStopDeadlineMs = 60000;
constexpr auto kHttpDeadline = std::chrono::seconds(60);

constexpr std::string_view kListeningPrefix = "opsdesk listening on http://";

// A child writing to a pipe we stopped reading, or our write to a child that has
// exited, must be an error return and not a SIGPIPE that ends the test binary.
void IgnoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

std::string ErrnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// HOME for every child: empty, private, never a real user's configuration.
const std::string& PrivateHome() {
  static TempDir home;  // removed at exit
  return home.path();
}

std::vector<std::string> ChildEnvironment(const Headers& extra) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(text.substr(0, eq));
    if (name.rfind("OPSDESK_", 0) == 0 || name == "XDG_CONFIG_HOME" || name == "HOME") continue;
    vars[name] = std::string(text.substr(eq + 1));
  }
  vars["HOME"] = PrivateHome();
  for (const auto& [name, value] : extra) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawn attributes shared by every child: default SIGPIPE (we ignore it here and
// an ignored disposition would survive exec) and an empty signal mask.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() {
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` to exit, at most `deadline_ms` (via a pidfd, so without polling
// in a sleep loop). Returns the decoded status, or nullopt when the deadline
// passed (the child is then still running and not reaped).
std::optional<int> WaitForExit(pid_t pid, int deadline_ms) {
#ifdef SYS_pidfd_open
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = poll(&p, 1, deadline_ms);
    } while (ready < 0 && errno == EINTR);
    close(pidfd);
    if (ready == 0) return std::nullopt;
  }
#endif
  int status = 0;
  pid_t got;
  do {
    got = waitpid(pid, &status, 0);
  } while (got < 0 && errno == EINTR);
  if (got != pid) return -1;
  return DecodeWaitStatus(status);
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

std::string ReadFileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "(cannot read " + path + ")";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text = "[...]" + text.substr(text.size() - max_bytes);
  return text;
}

std::string Clip(std::string_view text, size_t max = 600) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...(" + std::to_string(text.size()) + " bytes)";
}

std::string TrimLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  size_t start = 0;
  while (start < text.size() && text[start] == ' ') ++start;
  return text.substr(start);
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string OpsdeskBinary() { return OPSDESK_BINARY; }

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "opsdesk-e2e-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::cerr << ErrnoText("mkdtemp") << "\n";
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

// ---------------------------------------------------------------------------
// Child processes

std::string CommandResult::Describe() const {
  return "exit " + std::to_string(exit_code) + "\n--- stdout:\n" + Clip(out, 2000) + "\n--- stderr:\n" +
         Clip(err, 2000);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  IgnoreSigpipe();
  CommandResult result;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    result.err = ErrnoText("pipe2");
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears FD_CLOEXEC on the target; every other descriptor of ours is
  // close-on-exec, so the child holds no pipe end of another child or server.
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<std::string> args = argv;
  std::vector<std::string> env = ChildEnvironment(options.env);
  auto c_args = CStrings(args);
  auto c_env = CStrings(env);
  SpawnAttr attr;
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr.attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    result.err = std::string("posix_spawn ") + args[0] + ": " + std::strerror(rc);
    return result;
  }
  // Small inputs (passwords, bodies) fit in the pipe buffer, so this cannot block
  // on a child that is itself blocked writing its output.
  size_t written = 0;
  while (written < options.stdin_text.size()) {
    ssize_t n = write(in[1], options.stdin_text.data() + written, options.stdin_text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child closed stdin or exited
    written += static_cast<size_t>(n);
  }
  close(in[1]);

  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kCommandDeadlineMs);
  while (open_count > 0) {
    int left_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    int ready = poll(fds, 2, left_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[8192];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  auto code = WaitForExit(pid, kCommandDeadlineMs);
  if (!code) {
    kill(pid, SIGKILL);
    code = WaitForExit(pid, kCommandDeadlineMs);
  }
  result.exit_code = code.value_or(-1);
  if (timed_out) result.err += "\n(e2e harness: command did not finish in time and was killed)";
  return result;
}

CommandResult RunOpsdesk(const std::vector<std::string>& args, const CommandOptions& options) {
  std::vector<std::string> argv{OpsdeskBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, options);
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& db_url) { return Start(db_url, {}); }

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& db_url, const Headers& extra_env) {
  IgnoreSigpipe();
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->log_dir_ = std::make_unique<TempDir>();
  server->stdout_log_ = server->log_dir_->path() + "/stdout.log";
  server->stderr_log_ = server->log_dir_->path() + "/stderr.log";

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::Internal(ErrnoText("pipe2"));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, server->stderr_log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args{OpsdeskBinary(), "serve", "--listen", "127.0.0.1:0", "--db", db_url};
  std::vector<std::string> env = ChildEnvironment(extra_env);
  auto c_args = CStrings(args);
  auto c_env = CStrings(env);
  SpawnAttr attr;
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr.attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return Status::Internal(std::string("posix_spawn ") + args[0] + ": " + std::strerror(rc));
  }
  server->pid_ = pid;
  server->stdout_fd_ = out[0];

  // Read lines until the listening line (spdlog's own lines may come first).
  std::string pending;
  std::string before;  // everything read before and including the listening line
  std::optional<uint16_t> port;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kServerStartDeadlineMs);
  std::string failure;
  while (!port) {
    int left_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left_ms <= 0) {
      failure = "the server printed no listening line in time";
      break;
    }
    pollfd p{server->stdout_fd_, POLLIN, 0};
    int ready = poll(&p, 1, left_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above ends the loop
    if (ready < 0) {
      failure = ErrnoText("poll");
      break;
    }
    char buffer[4096];
    ssize_t n = read(server->stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure = "the server exited before listening";
      break;
    }
    pending.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while (!port && (newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      before += line + "\n";
      if (line.rfind(kListeningPrefix, 0) != 0) continue;
      std::string_view rest = std::string_view(line).substr(kListeningPrefix.size());
      size_t colon = rest.find(':');
      size_t space = rest.find(' ');
      if (colon == std::string_view::npos || space == std::string_view::npos || space < colon) {
        failure = "cannot parse the listening line: " + line;
        break;
      }
      std::string digits(rest.substr(colon + 1, space - colon - 1));
      int value = std::atoi(digits.c_str());
      if (value <= 0 || value > 65535) {
        failure = "cannot parse the port in: " + line;
        break;
      }
      port = static_cast<uint16_t>(value);
    }
    if (!failure.empty()) break;
  }
  {
    std::ofstream log(server->stdout_log_, std::ios::binary | std::ios::trunc);
    log << before << pending;
  }
  if (!port) {
    kill(pid, SIGKILL);
    server->pid_ = -1;
    WaitForExit(pid, kStopDeadlineMs);
    CloseFd(server->stdout_fd_);
    return Status::Unavailable("starting `opsdesk serve --db " + db_url + "` failed: " + failure + "\n" +
                               server->Logs());
  }
  server->port_ = *port;
  // Keep draining stdout (the access log) so the server never blocks on the pipe.
  server->drain_ = std::thread([fd = server->stdout_fd_, path = server->stdout_log_] {
    std::ofstream log(path, std::ios::binary | std::ios::app);
    char buffer[8192];
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      log.write(buffer, n);
      log.flush();
    }
  });
  return server;
}

ServerProcess::~ServerProcess() {
  if (running()) Stop();
  if (drain_.joinable()) drain_.join();
  CloseFd(stdout_fd_);
}

int ServerProcess::Signal(int signal_number) {
  if (!running()) return -1;
  kill(pid_, signal_number);
  auto code = WaitForExit(pid_, kStopDeadlineMs);
  if (!code) {
    std::cerr << "e2e harness: server pid " << pid_ << " did not exit after signal " << signal_number
              << "; killing it\n";
    kill(pid_, SIGKILL);
    code = WaitForExit(pid_, kStopDeadlineMs);
    code = -2;  // reported as a failure to stop
  }
  pid_ = -1;
  // The pipe reaches EOF once the process is gone; the drain thread then ends.
  if (drain_.joinable()) drain_.join();
  CloseFd(stdout_fd_);
  return *code;
}

int ServerProcess::Stop() { return Signal(SIGTERM); }

void ServerProcess::Kill() { Signal(SIGKILL); }

std::string ServerProcess::Logs(size_t max_bytes) const {
  return "--- server stderr (" + stderr_log_ + "):\n" + ReadFileTail(stderr_log_, max_bytes) +
         "\n--- server stdout (" + stdout_log_ + "):\n" + ReadFileTail(stdout_log_, max_bytes) + "\n";
}

// ---------------------------------------------------------------------------
// HTTP

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return std::nullopt;
}

boost::json::value HttpResponse::Json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return value;
}

std::string HttpResponse::Describe() const {
  if (status == 0) return "no response: " + error;
  return std::to_string(status) + " " + Clip(body);
}

struct HttpClient::Connection {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;

  // Runs one asynchronous operation to completion on this thread; the stream's
  // deadline turns a silent server into beast::error::timeout.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    open = false;
  }
};

HttpClient::HttpClient(uint16_t port, bool keep_alive) : port_(port), keep_alive_(keep_alive) {}
HttpClient::~HttpClient() {
  if (connection_ && connection_->open) connection_->Close();
}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::Send(std::string_view method, std::string_view target, std::string_view body,
                              const Headers& headers) {
  if (!connection_) connection_ = std::make_unique<Connection>();
  Connection& c = *connection_;
  for (int attempt = 0;; ++attempt) {
    bool reused = c.open;
    HttpResponse response;
    if (!c.open) {
      c.stream.expires_after(kHttpDeadline);
      tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
      beast::error_code ec = c.Run([&](auto handler) { c.stream.async_connect(endpoint, handler); });
      if (ec) {
        c.Close();
        response.error = "connect: " + ec.message();
        return response;
      }
      c.open = true;
    }
    bhttp::request<bhttp::string_body> request;
    bhttp::verb verb = bhttp::string_to_verb(method);
    if (verb == bhttp::verb::unknown) {
      request.method_string(method);
    } else {
      request.method(verb);
    }
    request.target(target);
    request.version(11);
    request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    request.set(bhttp::field::user_agent, "opsdesk-e2e");
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.body() = std::string(body);
    request.prepare_payload();
    request.keep_alive(keep_alive_);

    c.stream.expires_after(kHttpDeadline);
    beast::error_code write_ec = c.Run([&](auto handler) { bhttp::async_write(c.stream, request, handler); });
    // Even when the write failed (the server may answer 413 and close before
    // taking the whole body) the answer may be waiting to be read.
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    if (verb == bhttp::verb::head) parser.skip(true);
    c.stream.expires_after(kHttpDeadline);
    beast::error_code read_ec = c.Run([&](auto handler) { bhttp::async_read(c.stream, c.buffer, parser, handler); });
    if (read_ec) {
      bool got_nothing = !parser.got_some();
      c.Close();
      // A reused keep-alive connection the server closed meanwhile: once more on a new one.
      if (reused && got_nothing && attempt == 0) continue;
      response.error = "read: " + read_ec.message() + (write_ec ? " (write: " + write_ec.message() + ")" : "");
      return response;
    }
    auto& message = parser.get();
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = message.body();
    if (!keep_alive_ || !message.keep_alive() || write_ec) c.Close();
    return response;
  }
}

namespace {

Headers WithAuth(std::string_view token, const Headers& headers, bool json_body) {
  Headers out;
  if (!token.empty()) out.emplace_back("Authorization", "Bearer " + std::string(token));
  if (json_body) out.emplace_back("Content-Type", "application/json");
  out.insert(out.end(), headers.begin(), headers.end());
  return out;
}

}  // namespace

HttpResponse HttpClient::Get(std::string_view target, std::string_view token, const Headers& headers) {
  return Send("GET", target, {}, WithAuth(token, headers, false));
}

HttpResponse HttpClient::Delete(std::string_view target, std::string_view token, const Headers& headers) {
  return Send("DELETE", target, {}, WithAuth(token, headers, false));
}

HttpResponse HttpClient::Post(std::string_view target, const boost::json::value& body, std::string_view token,
                              const Headers& headers) {
  return Send("POST", target, boost::json::serialize(body), WithAuth(token, headers, true));
}

HttpResponse HttpClient::Patch(std::string_view target, const boost::json::value& body, std::string_view token,
                               const Headers& headers) {
  return Send("PATCH", target, boost::json::serialize(body), WithAuth(token, headers, true));
}

HttpResponse HttpClient::Put(std::string_view target, std::string_view token, const Headers& headers) {
  return Send("PUT", target, {}, WithAuth(token, headers, false));
}

::testing::AssertionResult HasErrorShape(const HttpResponse& response) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "; response: " << response.Describe();
  };
  if (response.status < 400) return fail("not an error status");
  auto content_type = response.Header("Content-Type");
  if (!content_type || content_type->rfind("application/json", 0) != 0) {
    return fail("Content-Type is " + content_type.value_or("(none)") + ", not application/json");
  }
  boost::json::value json = response.Json();
  if (!json.is_object()) return fail("body is not a JSON object");
  const auto& top = json.as_object();
  if (top.size() != 1 || !top.contains("error")) return fail("body must have exactly the key \"error\"");
  if (!top.at("error").is_object()) return fail("\"error\" is not an object");
  const auto& error = top.at("error").as_object();
  for (const char* key : {"code", "message"}) {
    const auto* v = error.if_contains(key);
    if (!v || !v->is_string() || v->as_string().empty()) {
      return fail(std::string("error.") + key + " is missing or not a non-empty string");
    }
  }
  if (const auto* fields = error.if_contains("fields")) {
    if (!fields->is_object() || fields->as_object().empty()) return fail("error.fields is not a non-empty object");
    for (const auto& [name, message] : fields->as_object()) {
      if (!message.is_string() || message.as_string().empty()) {
        return fail("error.fields." + std::string(name) + " is not a non-empty string");
      }
    }
  }
  if (const auto* id = error.if_contains("request_id")) {
    auto header = response.Header("X-Request-Id");
    if (!id->is_string() || !header || *header != std::string(id->as_string())) {
      return fail("error.request_id differs from the X-Request-Id header");
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsError(const HttpResponse& response, int status, std::string_view code) {
  if (response.status != status) {
    return ::testing::AssertionFailure() << "expected HTTP " << status << ", got " << response.Describe();
  }
  auto shape = HasErrorShape(response);
  if (!shape) return shape;
  std::string actual = Str(response.Json().at("error"), "code");
  if (actual != code) {
    return ::testing::AssertionFailure() << "expected error code " << code << ", got " << actual << "; "
                                         << response.Describe();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsFieldError(const HttpResponse& response, std::string_view field) {
  auto error = IsError(response, 422, "invalid_argument");
  if (!error) return error;
  boost::json::value json = response.Json();
  const auto* fields = json.at("error").as_object().if_contains("fields");
  if (!fields || !fields->as_object().contains(field)) {
    return ::testing::AssertionFailure() << "error.fields does not name " << field << "; " << response.Describe();
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Users and tokens

Result<int64_t> AddUserWithCli(const std::string& db_url, const std::string& email, const std::string& name,
                               const std::string& role, const std::string& password) {
  CommandResult run = RunOpsdesk(
      {"user", "add", "--db", db_url, "--email", email, "--name", name, "--role", role, "--password-stdin"},
      CommandOptions{password + "\n", {}});
  std::string id_text = TrimLine(run.out);
  if (run.exit_code != 0 || id_text.empty() || id_text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Internal("opsdesk user add failed: " + run.Describe());
  }
  return std::stoll(id_text);
}

Result<std::string> CreateTokenWithCli(const std::string& db_url, const std::string& email) {
  CommandResult run = RunOpsdesk({"token", "create", "--db", db_url, "--email", email});
  std::string token = TrimLine(run.out);
  if (run.exit_code != 0 || token.empty() || token.find('\n') != std::string::npos) {
    return Status::Internal("opsdesk token create failed: " + run.Describe());
  }
  return token;
}

Result<std::string> Login(HttpClient& client, const std::string& email, const std::string& password) {
  HttpResponse response =
      client.Post("/api/v1/auth/login", boost::json::object{{"email", email}, {"password", password}});
  if (response.status != 200) return Status::Internal("login as " + email + " failed: " + response.Describe());
  std::string token = Str(response.Json(), "token");
  if (token.empty()) return Status::Internal("login answer has no token: " + response.Describe());
  return token;
}

Result<TestUser> CreateUserViaApi(HttpClient& client, const std::string& admin_token, const std::string& role) {
  TestUser user;
  user.role = role;
  user.email = UniqueName(role) + "@example.com";
  user.password = "e2e password for " + role;
  HttpResponse created = client.Post(
      "/api/v1/users",
      boost::json::object{
          {"email", user.email}, {"display_name", "E2E " + role}, {"role", role}, {"password", user.password}},
      admin_token);
  if (created.status != 201) return Status::Internal("creating a " + role + " failed: " + created.Describe());
  user.id = Int(created.Json(), "id");
  auto token = Login(client, user.email, user.password);
  if (!token.ok()) return token.status();
  user.token = *token;
  return user;
}

// ---------------------------------------------------------------------------
// Desk

Result<std::unique_ptr<Desk>> Desk::Create(storage::Engine engine) {
  std::unique_ptr<Desk> desk(new Desk());
  desk->engine_ = engine;
  auto database = storage::TestDatabase::Create(engine);
  if (!database.ok()) return database.status();
  desk->database_ = std::move(*database);
  // The server owns the database from here; the schema or file stays until ~Desk.
  desk->database_->Close();
  desk->db_url_ = desk->database_->url();
  auto server = ServerProcess::Start(desk->db_url_);
  if (!server.ok()) return server.status();
  desk->server_ = std::move(*server);

  HttpClient client(desk->port(), /*keep_alive=*/true);
  desk->admin.role = "admin";
  desk->admin.email = UniqueName("admin") + "@example.com";
  desk->admin.password = "e2e password for admin";
  auto admin_id = AddUserWithCli(desk->db_url_, desk->admin.email, "E2E admin", "admin", desk->admin.password);
  if (!admin_id.ok()) return admin_id.status();
  desk->admin.id = *admin_id;
  auto admin_token = Login(client, desk->admin.email, desk->admin.password);
  if (!admin_token.ok()) return admin_token.status();
  desk->admin.token = *admin_token;
  for (auto [user, role] : {std::pair{&desk->lead, "lead"}, std::pair{&desk->agent, "agent"},
                            std::pair{&desk->requester, "requester"}, std::pair{&desk->other_requester, "requester"}}) {
    auto created = CreateUserViaApi(client, desk->admin.token, role);
    if (!created.ok()) return created.status();
    *user = *created;
  }
  return desk;
}

Desk::~Desk() {
  server_.reset();    // stop the server before the schema or file goes away
  database_.reset();
}

Status Desk::Restart() {
  if (server_ && server_->running()) server_->Stop();
  server_.reset();
  auto server = ServerProcess::Start(db_url_);
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  return Status::Ok();
}

std::vector<boost::json::object> Desk::AllTickets(const std::string& token, std::string* error) {
  std::vector<boost::json::object> tickets;
  HttpClient client = Client();
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    std::string target = "/api/v1/tickets?limit=200&sort=id";
    if (!cursor.empty()) target += "&cursor=" + PercentEncode(cursor);
    HttpResponse response = client.Get(target, token);
    boost::json::value json = response.Json();
    if (response.status != 200 || !json.is_object() || !json.as_object().contains("items")) {
      *error = "GET " + target + ": " + response.Describe();
      return {};
    }
    for (const auto& item : json.at("items").as_array()) tickets.push_back(item.as_object());
    const auto& next = json.at("next_cursor");
    if (next.is_null()) return tickets;
    cursor = std::string(next.as_string());
  }
  *error = "pagination did not end";
  return {};
}

// ---------------------------------------------------------------------------
// EngineTest

namespace {

std::map<storage::Engine, std::unique_ptr<Desk>>& SharedDesks() {
  static auto* desks = new std::map<storage::Engine, std::unique_ptr<Desk>>();
  return *desks;
}

}  // namespace

void EngineTest::TearDownTestSuite() { SharedDesks().clear(); }

void EngineTest::SetUp() {
  auto& desks = SharedDesks();
  auto it = desks.find(GetParam());
  if (it == desks.end()) {
    auto desk = Desk::Create(GetParam());
    ASSERT_TRUE(desk.ok()) << "cannot set up a " << storage::EngineName(GetParam())
                           << " desk: " << desk.status().ToString();
    it = desks.emplace(GetParam(), std::move(*desk)).first;
  }
  desk_ = it->second.get();
}

void EngineTest::TearDown() {
  if (HasFailure() && desk_ && desk_->server().running()) {
    std::cerr << "=== " << storage::EngineName(GetParam()) << " server logs for the failed test\n"
              << desk_->server().Logs();
  }
}

std::string EngineParamName(const ::testing::TestParamInfo<storage::Engine>& info) {
  return storage::EngineName(info.param);
}

std::string Str(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  const auto* field = v.as_object().if_contains(key);
  if (!field || !field->is_string()) return "";
  return std::string(field->as_string());
}

int64_t Int(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) return 0;
  const auto* field = v.as_object().if_contains(key);
  if (!field) return 0;
  if (field->is_int64()) return field->as_int64();
  if (field->is_uint64()) return static_cast<int64_t>(field->as_uint64());
  return 0;
}

boost::json::array Items(const HttpResponse& response) {
  boost::json::value json = response.Json();
  if (!json.is_object()) return {};
  const auto* items = json.as_object().if_contains("items");
  if (!items || !items->is_array()) return {};
  return items->as_array();
}

}  // namespace opsdesk::e2e
