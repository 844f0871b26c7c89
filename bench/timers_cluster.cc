// The timers_fire question for a real cluster: how fast do 10,000 durable
// timers that fall due at once fire when THREE SEPARATE `opsdesk serve`
// processes share one PostgreSQL database, and does any fire twice?
//
// Each timer is a webhook.deliver job (the kind of timer with an effect outside
// the database), aimed at an HTTP receiver in this process, so "fired" means a
// POST arrived over TCP, and "twice" means the receiver saw the same
// X-Opsdesk-Delivery id (the job's idempotency key) more than once. The jobs are
// written due now in one transaction before any server runs; then the servers
// are spawned back to back and the clock runs until the receiver holds every
// delivery id and the jobs table says every job is done. The servers are the
// real binary with their production job settings (4 worker threads, claims of
// 50, 200 ms poll) unless the options say otherwise.
//
//   scripts/with-postgres.sh build/bench/timers_cluster
//   scripts/with-postgres.sh build/bench/timers_cluster --timers 10000 --nodes 3
//
// Options: --timers N (10000), --nodes N (3), --threads N job worker threads per
// server and --batch N claim batch (both: the server's default), --binary PATH
// (the opsdesk binary; default ../opsdesk beside this bench's directory).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/random.h"
#include "jobs/job_service.h"
#include "notify/notify_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"

extern char** environ;

using namespace opsdesk;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

double Seconds(SteadyTime from, SteadyTime to) { return std::chrono::duration<double>(to - from).count(); }

// User plus system CPU seconds of this process (RUSAGE_SELF) or of its reaped
// children (RUSAGE_CHILDREN: the servers, once stopped).
double CpuSeconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

// The webhook receiver: a loopback socket served by several threads, each
// accepting its own connections, because the servers open a new connection per
// delivery (libcurl, Connection: close) from up to nodes x threads workers at
// once; one accepting thread would make the receiver the thing measured. It
// keeps only what the benchmark needs: how often each delivery id arrived and
// when the first and last request came.
class Receiver {
 public:
  explicit Receiver(int threads) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 1024) != 0) {
      std::perror("receiver: bind/listen");
      std::exit(1);
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~Receiver() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    close(listen_fd_);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/timers"; }

  // Waits until `distinct` delivery ids have arrived; false at the deadline.
  bool WaitForDistinct(size_t distinct, SteadyTime deadline) {
    std::unique_lock lock(mu_);
    return changed_.wait_until(lock, deadline, [&] { return per_id_.size() >= distinct; });
  }

  struct Tally {
    size_t requests = 0;
    size_t distinct = 0;
    size_t repeated_ids = 0;  // ids that arrived more than once
    size_t unreadable = 0;    // requests without a delivery id
    std::optional<SteadyTime> first, last, all_distinct;
  };
  Tally Count() {
    std::lock_guard lock(mu_);
    Tally t{requests_, per_id_.size(), 0, unreadable_, first_, last_, all_distinct_};
    for (const auto& [id, n] : per_id_) t.repeated_ids += n > 1;
    return t;
  }
  // The moment the count of distinct ids reached `n` is recorded by the thread
  // that received it, not by the waiting thread, which may wake late.
  void ExpectDistinct(size_t n) {
    std::lock_guard lock(mu_);
    expected_ = n;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;  // another thread took it
      Serve(fd);
      close(fd);
    }
  }

  // Reads one request (head, then Content-Length bytes of body), records its
  // delivery id and answers 200.
  void Serve(int fd) {
    std::string buffer;
    size_t head_end = std::string::npos;
    size_t need = 0;
    for (;;) {
      if (head_end == std::string::npos && (head_end = buffer.find("\r\n\r\n")) != std::string::npos) {
        need = head_end + 4 + ContentLength(buffer.substr(0, head_end));
      }
      if (head_end != std::string::npos && buffer.size() >= need) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return;
      char chunk[8192];
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    std::string id = HeaderValue(buffer.substr(0, head_end), "x-opsdesk-delivery");
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu_);
      ++requests_;
      if (!first_) first_ = now;
      last_ = now;
      if (id.empty()) {
        ++unreadable_;
      } else if (++per_id_[id] == 1 && per_id_.size() == expected_) {
        all_distinct_ = now;
      }
    }
    changed_.notify_all();
    static constexpr char kAnswer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!send(fd, kAnswer, sizeof kAnswer - 1, MSG_NOSIGNAL);
  }

  // The value of header `name` (lower case) in a request head; "" when absent.
  static std::string HeaderValue(const std::string& head, const std::string& name) {
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      pos += 2;
      size_t end = head.find("\r\n", pos);
      std::string line = head.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      size_t colon = line.find(':');
      if (colon == name.size()) {
        bool match = true;
        for (size_t i = 0; i < colon && match; ++i) {
          match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
        }
        if (match) {
          size_t start = line.find_first_not_of(' ', colon + 1);
          return start == std::string::npos ? "" : line.substr(start);
        }
      }
      pos = end;
    }
    return "";
  }
  static size_t ContentLength(const std::string& head) {
    std::string value = HeaderValue(head, "content-length");
    return value.empty() ? 0 : std::strtoul(value.c_str(), nullptr, 10);
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::unordered_map<std::string, int> per_id_;  // GUARDED_BY(mu_)
  size_t requests_ = 0, unreadable_ = 0;         // GUARDED_BY(mu_)
  size_t expected_ = 0;                          // GUARDED_BY(mu_)
  std::optional<SteadyTime> first_, last_, all_distinct_;  // GUARDED_BY(mu_)
};

// One `opsdesk serve --listen 127.0.0.1:0 --db URL` child, started as the e2e
// harness starts one (tests/e2e/harness.cc ServerProcess): this process's
// environment without OPSDESK_* variables, plus `env`; stdout is read until the
// "opsdesk listening on" line (its time is recorded: the end of start-up) and
// then drained into a log file so the server never blocks on the pipe; stderr
// goes to a file. Killed on destruction if still running.
class Server {
 public:
  Server(const std::string& binary, const std::string& db_url, const std::vector<std::string>& env,
         const std::string& log_dir, int index)
      : stdout_log_(log_dir + "/node" + std::to_string(index) + ".out"),
        stderr_log_(log_dir + "/node" + std::to_string(index) + ".err") {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
      std::perror("pipe2");
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args{binary, "serve", "--listen", "127.0.0.1:0", "--db", db_url};
    std::vector<std::string> vars;
    for (char** e = environ; e && *e; ++e) {
      if (std::strncmp(*e, "OPSDESK_", 8) != 0) vars.emplace_back(*e);
    }
    vars.insert(vars.end(), env.begin(), env.end());
    auto c_args = CStrings(args);
    auto c_env = CStrings(vars);
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      std::fprintf(stderr, "posix_spawn %s: %s\n", binary.c_str(), std::strerror(rc));
      close(out[0]);
      pid_ = -1;
      return;
    }
    reader_ = std::thread([this, fd = out[0]] { ReadStdout(fd); });
  }
  ~Server() {
    Stop();
    if (reader_.joinable()) reader_.join();
  }

  pid_t pid() const { return pid_; }

  // Waits for the listening line; its time, or nullopt when the server exited
  // first or the deadline passed.
  std::optional<SteadyTime> WaitListening(SteadyTime deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return listening_.has_value() || stdout_closed_; });
    return listening_;
  }

  // SIGTERM (a graceful stop: running job batches finish and are recorded) and
  // wait; SIGKILL after a minute. Returns the exit status, -1 if not running.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 6000; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -2;
  }

  // The end of the server's stderr, for failure messages.
  std::string StderrTail() const {
    std::ifstream in(stderr_log_, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
  }

 private:
  static std::vector<char*> CStrings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
  }

  void ReadStdout(int fd) {
    std::ofstream log(stdout_log_, std::ios::binary | std::ios::trunc);
    std::string pending;
    bool seen = false;
    char buffer[8192];
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      log.write(buffer, n);
      if (seen) continue;
      pending.append(buffer, static_cast<size_t>(n));
      if (pending.find("opsdesk listening on http://") != std::string::npos) {
        seen = true;
        std::lock_guard lock(mu_);
        listening_ = std::chrono::steady_clock::now();
        cv_.notify_all();
      }
    }
    close(fd);
    std::lock_guard lock(mu_);
    stdout_closed_ = true;
    cv_.notify_all();
  }

  std::string stdout_log_, stderr_log_;
  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<SteadyTime> listening_;  // GUARDED_BY(mu_)
  bool stdout_closed_ = false;           // GUARDED_BY(mu_)
};

// The opsdesk binary beside the bench directory: build/bench/timers_cluster ->
// build/opsdesk (CMake puts both there).
std::string DefaultBinary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "build/opsdesk";
  return (self.parent_path().parent_path() / "opsdesk").string();
}

int64_t CountQuery(storage::Database& db, const std::string& sql) {
  int64_t n = -1;
  (void)db.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne(sql, {std::string(notify::kWebhookJob)});
    if (row.ok() && *row) n = (*row)->Int(0);
    return Status::Ok();
  });
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int timers = 10000, nodes = 3, threads = 0, batch = 0;
  std::string binary = DefaultBinary();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--timers") timers = std::atoi(argv[i + 1]);
    else if (flag == "--nodes") nodes = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--batch") batch = std::atoi(argv[i + 1]);
    else if (flag == "--binary") binary = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "flag %s needs a value\n", argv[argc - 1]);
    return 2;
  }
  if (timers <= 0 || nodes <= 0) {
    std::fprintf(stderr, "--timers and --nodes must be positive\n");
    return 2;
  }
  if (access(binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "no opsdesk binary at %s (build the opsdesk target, or pass --binary)\n", binary.c_str());
    return 1;
  }
  InitCrypto();
  SystemClock clock;
  // A private schema on the server in OPSDESK_TEST_PG_URL; several processes
  // on one database is the point, so SQLite is not offered.
  auto test_db = storage::TestDatabase::Create(storage::Engine::kPostgres);
  if (!test_db.ok()) {
    std::fprintf(stderr, "database (run under scripts/with-postgres.sh): %s\n", test_db.status().ToString().c_str());
    return 1;
  }
  storage::Database& db = (*test_db)->db();
  if (Status st = storage::Migrate(db, clock); !st.ok()) {
    std::fprintf(stderr, "migrate: %s\n", st.ToString().c_str());
    return 1;
  }

  // Enough accepting threads that every worker of every node can be mid-POST.
  Receiver receiver(std::max(8, nodes * std::max(threads, 4)));
  receiver.ExpectDistinct(static_cast<size_t>(timers));

  // The webhook through the real service (URL checks included), as the system
  // actor: the loopback receiver passes because it is on the allow-list, as it
  // must then be on the servers'.
  std::string webhook_url = receiver.Url();
  int64_t webhook_id = 0;
  {
    jobs::JobService scheduler(db, clock);
    notify::NotifyOptions notify_options;
    notify_options.webhook_allow_hosts = {"127.0.0.1"};
    notify::NotifyService notify(db, clock, scheduler, notify_options, nullptr, nullptr);
    auto hook = notify.CreateWebhook(auth::Actor::System(), notify::NewWebhook{webhook_url, std::nullopt,
                                                                               {"ticket.created"}, true});
    if (!hook.ok()) {
      std::fprintf(stderr, "webhook: %s\n", hook.status().ToString().c_str());
      return 1;
    }
    webhook_id = hook->id;
  }

  // All due now, in one transaction, before any server runs: at start-up every
  // node finds the whole backlog overdue (a cluster coming back after an outage,
  // or a burst that fell due at once).
  auto t_schedule = std::chrono::steady_clock::now();
  TimestampMs now = clock.NowMs();
  Status scheduled = db.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < timers; ++i) {
      boost::json::object payload{
          {"webhook_id", webhook_id}, {"event", "bench.timer"}, {"body", "{\"n\":" + std::to_string(i) + "}"}};
      auto id = jobs::JobService::Schedule(tx, notify::kWebhookJob, boost::json::serialize(payload), now,
                                           "timer:" + std::to_string(i), 8, now);
      if (!id.ok()) return id.status();
    }
    return Status::Ok();
  });
  if (!scheduled.ok()) {
    std::fprintf(stderr, "schedule: %s\n", scheduled.ToString().c_str());
    return 1;
  }
  double schedule_s = Seconds(t_schedule, std::chrono::steady_clock::now());

  // Logs in a temporary directory, kept only when something went wrong.
  std::string log_dir = (std::filesystem::temp_directory_path() / "opsdesk-timers-cluster-XXXXXX").string();
  if (mkdtemp(log_dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  // Production job settings unless asked; no web front end, whose files the
  // server would read and gzip at start-up (not what this measures).
  std::vector<std::string> env{"OPSDESK_WEBHOOK_ALLOW_HOSTS=127.0.0.1", "OPSDESK_WEB_ROOT=" + log_dir + "/no-web-root"};
  if (threads > 0) env.push_back("OPSDESK_JOBS_THREADS=" + std::to_string(threads));
  if (batch > 0) env.push_back("OPSDESK_JOBS_CLAIM_BATCH=" + std::to_string(batch));

  // Spawned back to back, not one after another's start-up: the nodes race
  // for the backlog as a cluster restarting together would.
  auto t_spawn = std::chrono::steady_clock::now();
  double self_cpu_at_spawn = CpuSeconds(RUSAGE_SELF);
  std::vector<std::unique_ptr<Server>> servers;
  for (int n = 0; n < nodes; ++n) {
    servers.push_back(std::make_unique<Server>(binary, (*test_db)->url(), env, log_dir, n));
  }
  auto deadline = t_spawn + std::chrono::seconds(300);
  std::vector<SteadyTime> listening;
  for (int n = 0; n < nodes; ++n) {
    auto at = servers[n]->pid() > 0 ? servers[n]->WaitListening(deadline) : std::nullopt;
    if (!at) {
      std::fprintf(stderr, "node %d did not start; its stderr (logs in %s):\n%s\n", n, log_dir.c_str(),
                   servers[n]->StderrTail().c_str());
      return 1;
    }
    listening.push_back(*at);
  }

  bool all_received = receiver.WaitForDistinct(static_cast<size_t>(timers), deadline);
  auto t_received = std::chrono::steady_clock::now();
  // The receiver saw the POST before the node recorded the job done (one more
  // transaction per claimed batch): wait for the table too.
  const std::string done_sql = "SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'done'";
  while (CountQuery(db, done_sql) < timers && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto t_done = std::chrono::steady_clock::now();
  double self_cpu = CpuSeconds(RUSAGE_SELF) - self_cpu_at_spawn;
  // Stopped before counting repeats, so that any delivery still in flight (a
  // second run would be one) has arrived.
  std::vector<pid_t> pids;
  std::vector<int> exit_codes;
  for (auto& s : servers) {
    pids.push_back(s->pid());
    exit_codes.push_back(s->Stop());
  }

  // Where the time goes on a small machine: the servers' CPU (start-up to
  // stop) and this process's (mostly the receiver) while the timers fired;
  // PostgreSQL's backends are not counted.
  double servers_cpu = CpuSeconds(RUSAGE_CHILDREN);
  Receiver::Tally tally = receiver.Count();
  int64_t done = CountQuery(db, done_sql);
  int64_t rerun = CountQuery(db, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND attempts > 1");
  int64_t dead = CountQuery(db, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'dead'");
  std::map<std::string, int64_t> by_node;
  (void)db.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT locked_by, COUNT(*) FROM jobs WHERE kind = ? AND state = 'done' GROUP BY locked_by",
                         {std::string(notify::kWebhookJob)});
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) by_node[row.OptText(0).value_or("(none)")] = row.Int(1);
    return Status::Ok();
  });

  auto last_listening = *std::max_element(listening.begin(), listening.end());
  std::printf("timers=%d nodes=%d (separate `opsdesk serve` processes, PostgreSQL) threads/node=%s batch=%s\n", timers,
              nodes, threads > 0 ? std::to_string(threads).c_str() : "default",
              batch > 0 ? std::to_string(batch).c_str() : "default");
  std::printf("scheduled in one transaction: %.3f s\n", schedule_s);
  std::printf("start-up (spawn to listening line):");
  for (const auto& at : listening) std::printf(" %.3f s", Seconds(t_spawn, at));
  std::printf("\n");
  if (tally.first) std::printf("first delivery after spawn: %.3f s\n", Seconds(t_spawn, *tally.first));
  if (all_received && tally.all_distinct) {
    double from_spawn = Seconds(t_spawn, *tally.all_distinct);
    std::printf("all %d delivered: %.3f s after spawn, %.3f s after the first delivery (%.0f timers/s), "
                "%.3f s after the last node was listening\n",
                timers, from_spawn, Seconds(*tally.first, *tally.all_distinct),
                timers / Seconds(*tally.first, *tally.all_distinct), Seconds(last_listening, *tally.all_distinct));
  } else {
    std::printf("NOT all delivered within %.0f s: %zu distinct of %d\n", Seconds(t_spawn, t_received),
                tally.distinct, timers);
  }
  std::printf("all recorded done: %.3f s after spawn (%.3f s after the first delivery)\n", Seconds(t_spawn, t_done),
              tally.first ? Seconds(*tally.first, t_done) : 0.0);
  std::printf("requests=%zu distinct=%zu twice=%zu no-id=%zu done_rows=%lld rerun(attempts>1)=%lld dead=%lld\n",
              tally.requests, tally.distinct, tally.repeated_ids, tally.unreadable, static_cast<long long>(done),
              static_cast<long long>(rerun), static_cast<long long>(dead));
  std::printf("CPU: servers %.2f s in all, this process (receiver) %.2f s; %u cores\n", servers_cpu, self_cpu,
              std::thread::hardware_concurrency());
  // Per node: locked_by is "host:pid:random", so the pid names the process.
  std::printf("per node (jobs done, by locked_by):");
  for (int n = 0; n < nodes; ++n) {
    int64_t count = 0;
    std::string tag = ":" + std::to_string(pids[n]) + ":";
    for (auto it = by_node.begin(); it != by_node.end();) {
      if (it->first.find(tag) != std::string::npos) {
        count += it->second;
        it = by_node.erase(it);
      } else {
        ++it;
      }
    }
    std::printf(" node%d=%lld", n, static_cast<long long>(count));
  }
  for (const auto& [node, c] : by_node) std::printf(" other(%s)=%lld", node.c_str(), static_cast<long long>(c));
  std::printf("\n");
  bool clean_exit = true;
  for (int code : exit_codes) clean_exit = clean_exit && code == 0;
  bool ok = all_received && done == timers && tally.repeated_ids == 0 &&
            tally.requests == static_cast<size_t>(timers) && clean_exit;
  std::printf("%s\n", ok ? "OK: every timer fired exactly once, every job done"
                         : "FAILED: see the counts above");
  if (!ok) {
    std::printf("server logs kept in %s; exit codes:", log_dir.c_str());
    for (int code : exit_codes) std::printf(" %d", code);
    std::printf("\n");
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir, ignored);
  }
  return ok ? 0 : 1;
}
