// load_generator: an HTTP/1.1 load generator for opsdesk and its peer, Request
// Tracker 5 (REST2), on loopback only. See docs/PERFORMANCE.md for the runs.
//
//   build/bench/load_generator --target opsdesk --port 8080 --token "$TOKEN" \
//       --mode get --connections 256 --requests 200000 --id-min 1 --id-max 1000000
//   build/bench/load_generator --target rt --port 8081 --header "Authorization: token 1-14-..." \
//       --mode create --connections 64 --requests 200 --seed 42 --first-index 2000001
//
// Modes:
//   create  POST a new ticket per request: ticket number first-index + i of the
//           seeded corpus (bench/ticket_corpus.h), the same tickets for both
//           targets. opsdesk: POST /api/v1/tickets; RT: POST /REST/2.0/ticket.
//   get     GET a uniformly random ticket id from [id-min, id-max].
//           opsdesk: /api/v1/tickets/{id}; RT: /REST/2.0/ticket/{id}.
//   list    GET --path (the same path every time), e.g.
//           /api/v1/tickets?status=open&queue=ingestion&limit=50
//           or, with --paths-file FILE, request n GETs line n % lines of FILE
//           (bench/run_search.sh: one search or keystroke per line, in order).
//           --per-path-out FILE writes each request's line number, status,
//           latency and response size, for per-query figures.
//   comment RT only: the corpus comments (bench::MakeComment) of tickets
//           first-index.., --comments-per-ticket per ticket; request n posts
//           comment n % K of ticket first-index + n / K to
//           /REST/2.0/ticket/{id}/correspond (a reply) or /comment (an
//           internal note), as data_generator --comments-per-ticket writes them.
//
// N connections each run requests back to back (a closed-loop client: a new
// request leaves when the previous answer has arrived), on one io_context run by
// --threads threads. Connections are opened before the clock starts. A request
// that the server answers with `Connection: close` is followed by a reconnect,
// and that connect counts towards the next request's latency.
//
// The run stops after --requests requests or --duration-s seconds, whichever
// comes first. Latency is measured from the first byte written (or the connect)
// to the last byte of the response read, for every request; percentiles are over
// successful requests. A request fails when the answer is not the expected status
// (201 for create, 200 otherwise) or the connection breaks; failures are counted
// by cause and reported, never dropped. An idempotent GET that finds its reused
// keep-alive connection closed by the server before any byte of the answer is
// retried once on a new connection; such retries are counted too.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ticket_corpus.h"

namespace opsdesk::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

enum class Target { kOpsdesk, kRt };
enum class Mode { kCreate, kGet, kList, kComment };

struct Options {
  Target target = Target::kOpsdesk;
  Mode mode = Mode::kGet;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int connections = 1;
  int threads = 1;
  int64_t requests = 1000;
  double duration_s = 60;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string label;
  // get
  int64_t id_min = 1;
  int64_t id_max = 1;
  // list
  std::string path;
  std::vector<std::string> paths;  // --paths-file
  std::string per_path_out;
  // comment
  int comments_per_ticket = 3;
  // create
  uint64_t seed = 42;
  int64_t first_index = 1;
  bool with_requester = false;  // send the corpus requester's e-mail
  bool with_status = false;     // RT only: create with the corpus status (loading data)
  std::string rt_base = "/REST/2.0";
  int timeout_s = 60;
};

void Usage() {
  std::cerr <<
      "usage: load_generator --target opsdesk|rt --port P --mode create|get|list [options]\n"
      "  --host H              loopback address (127.0.0.0/8 or ::1), default 127.0.0.1\n"
      "  --connections N       keep-alive connections (default 1)\n"
      "  --threads T           I/O threads of the generator (default 1)\n"
      "  --requests N          requests to send in all (default 1000)\n"
      "  --duration-s S        stop after S seconds even if requests remain (default 60)\n"
      "  --token T             opsdesk: sends 'Authorization: Bearer T'\n"
      "  --header 'Name: v'    extra request header, repeatable (RT: 'Authorization: token ...')\n"
      "  --cookie 'k=v'        sends 'Cookie: k=v'\n"
      "  --id-min A --id-max B get: ticket ids to draw from\n"
      "  --path P              list: the request target, e.g. '/api/v1/tickets?status=open&queue=ingestion&limit=50'\n"
      "  --paths-file FILE     list: request targets, one a line, used in turn (instead of --path)\n"
      "  --per-path-out FILE   list: one line per request: path line, HTTP status, latency us, bytes\n"
      "  --comments-per-ticket K  comment: comments per ticket (default 3)\n"
      "  --seed S              corpus seed (create) and id draw seed (get), default 42\n"
      "  --first-index I       create: first corpus ticket number (default 1)\n"
      "  --with-requester      create: file on behalf of the corpus requester (requester_email / Requestor)\n"
      "  --with-status         create, RT only: set the corpus status (mapped to RT's lifecycle)\n"
      "  --rt-base PATH        RT REST2 prefix (default /REST/2.0)\n"
      "  --label NAME          a name printed with the results\n"
      "  --timeout-s S         per-request timeout (default 60)\n";
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "load_generator: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--target") {
      std::string v = next();
      if (v == "opsdesk") o->target = Target::kOpsdesk;
      else if (v == "rt") o->target = Target::kRt;
      else return false;
    } else if (arg == "--mode") {
      std::string v = next();
      if (v == "create") o->mode = Mode::kCreate;
      else if (v == "get") o->mode = Mode::kGet;
      else if (v == "list") o->mode = Mode::kList;
      else if (v == "comment") o->mode = Mode::kComment;
      else return false;
    } else if (arg == "--host") o->host = next();
    else if (arg == "--port") o->port = static_cast<uint16_t>(std::atoi(next().c_str()));
    else if (arg == "--connections") o->connections = std::atoi(next().c_str());
    else if (arg == "--threads") o->threads = std::atoi(next().c_str());
    else if (arg == "--requests") o->requests = std::atoll(next().c_str());
    else if (arg == "--duration-s") o->duration_s = std::atof(next().c_str());
    else if (arg == "--token") o->headers.emplace_back("Authorization", "Bearer " + next());
    else if (arg == "--header") {
      std::string h = next();
      size_t colon = h.find(':');
      if (colon == std::string::npos) return false;
      size_t value_start = h.find_first_not_of(' ', colon + 1);
      o->headers.emplace_back(h.substr(0, colon), value_start == std::string::npos ? "" : h.substr(value_start));
    } else if (arg == "--cookie") o->headers.emplace_back("Cookie", next());
    else if (arg == "--id-min") o->id_min = std::atoll(next().c_str());
    else if (arg == "--id-max") o->id_max = std::atoll(next().c_str());
    else if (arg == "--path") o->path = next();
    else if (arg == "--paths-file") {
      std::string file = next();
      std::ifstream in(file);
      if (!in) {
        std::cerr << "load_generator: cannot read " << file << "\n";
        return false;
      }
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) o->paths.push_back(line);
      }
    } else if (arg == "--per-path-out") o->per_path_out = next();
    else if (arg == "--comments-per-ticket") o->comments_per_ticket = std::atoi(next().c_str());
    else if (arg == "--seed") o->seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (arg == "--first-index") o->first_index = std::atoll(next().c_str());
    else if (arg == "--with-requester") o->with_requester = true;
    else if (arg == "--with-status") o->with_status = true;
    else if (arg == "--rt-base") o->rt_base = next();
    else if (arg == "--label") o->label = next();
    else if (arg == "--timeout-s") o->timeout_s = std::atoi(next().c_str());
    else if (arg == "--help" || arg == "-h") {
      Usage();
      std::exit(0);
    } else {
      std::cerr << "load_generator: unknown argument " << arg << "\n";
      return false;
    }
  }
  if (o->port == 0 || o->connections <= 0 || o->threads <= 0 || o->requests <= 0 || o->duration_s <= 0) return false;
  if (o->mode == Mode::kGet && o->id_max < o->id_min) return false;
  if (o->mode == Mode::kList && o->path.empty() && o->paths.empty()) return false;
  if (o->mode == Mode::kComment && (o->target != Target::kRt || o->comments_per_ticket <= 0)) return false;
  return true;
}

// RT 5's default lifecycle has no pending/on_hold/solved/closed.
const char* RtStatus(const std::string& status) {
  // RT refuses to create a ticket as stalled, so waiting tickets start as new.
  if (status == "pending" || status == "on_hold") return "new";
  if (status == "solved" || status == "closed") return "resolved";
  return status == "open" ? "open" : "new";
}

// RT 5.0 priorities are numbers (0 Low, 50 Medium, 100 High by default).
int RtPriority(const std::string& priority) {
  if (priority == "low") return 0;
  if (priority == "high") return 75;
  if (priority == "urgent") return 100;
  return 50;
}

std::string CreateBody(const Options& o, int64_t corpus_index) {
  CorpusTicket t = MakeTicket(o.seed, corpus_index);
  std::string json;
  json.reserve(t.body.size() + 512);
  auto field = [&](std::string_view name, std::string_view value, bool first = false) {
    if (!first) json += ",";
    json += "\"";
    json += name;
    json += "\":\"";
    AppendJsonString(value, &json);
    json += "\"";
  };
  if (o.target == Target::kOpsdesk) {
    json += "{";
    field("subject", t.subject, true);
    field("body", t.body);
    field("priority", t.priority);
    field("queue", t.queue);
    json += ",\"tags\":[";
    for (size_t i = 0; i < t.tags.size(); ++i) {
      if (i) json += ",";
      json += "\"";
      AppendJsonString(t.tags[i], &json);
      json += "\"";
    }
    json += "]";
    if (o.with_requester) field("requester_email", RequesterEmail(t.requester));
    json += "}";
  } else {
    // RT has no tags; the queue names are the same (bench/peer-rt/setup.sh).
    json += "{";
    field("Queue", t.queue, true);
    field("Subject", t.subject);
    field("Content", t.body);
    field("ContentType", "text/plain");
    json += ",\"Priority\":" + std::to_string(RtPriority(t.priority));
    if (o.with_requester) field("Requestor", RequesterEmail(t.requester));
    if (o.with_status) field("Status", RtStatus(t.status));
    json += "}";
  }
  return json;
}

struct ErrorSample {
  std::string what;
};

// What one connection saw; merged after the run.
struct Tally {
  std::vector<uint32_t> latencies_us;  // successful requests
  int64_t sent = 0;
  int64_t ok = 0;
  int64_t retries = 0;
  int64_t reconnects = 0;
  int64_t response_bytes = 0;
  std::map<std::string, int64_t> failures;  // cause -> count
  std::vector<std::string> samples;         // first few failure descriptions
  struct PerPath {
    int64_t line;
    unsigned status;
    uint32_t micros;
    size_t bytes;
  };
  std::vector<PerPath> per_path;  // --per-path-out
};

struct Shared {
  const Options* options;
  tcp::endpoint endpoint;
  std::atomic<int64_t> next_request{0};
  SteadyClock::time_point deadline;
};

class Connection {
 public:
  Connection(net::io_context& ioc, Shared& shared, int number)
      : stream_(ioc), shared_(shared), rng_(StreamRng(shared.options->seed, 100, static_cast<uint64_t>(number))) {}

  Tally& tally() { return tally_; }

  net::awaitable<void> Connect() {
    co_await Reconnect();
  }

  net::awaitable<void> Run() {
    const Options& o = *shared_.options;
    while (true) {
      if (SteadyClock::now() >= shared_.deadline) break;
      int64_t n = shared_.next_request.fetch_add(1);
      if (n >= o.requests) break;
      http::request<http::string_body> req = MakeRequest(n);
      ++tally_.sent;
      auto started = SteadyClock::now();
      std::optional<http::response<http::string_body>> res;
      std::string failure;
      bool retried = false;
      while (true) {
        bool fresh = false;
        if (!connected_) {
          if (!co_await Reconnect()) {
            failure = "connect: " + last_error_;
            break;
          }
          fresh = true;
        }
        bool nothing_received = false;
        res = co_await Exchange(req, &failure, &nothing_received);
        if (res) break;
        // A keep-alive connection the server closed while idle: retry an
        // idempotent request once on a new connection.
        if (!fresh && nothing_received && !retried && req.method() == http::verb::get) {
          retried = true;
          ++tally_.retries;
          failure.clear();
          continue;
        }
        break;
      }
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
      if (!res) {
        Fail(failure);
        continue;
      }
      tally_.response_bytes += static_cast<int64_t>(res->body().size());
      if (!o.paths.empty() && !o.per_path_out.empty()) {
        tally_.per_path.push_back({n % static_cast<int64_t>(o.paths.size()), res->result_int(),
                                   static_cast<uint32_t>(std::min<int64_t>(micros, UINT32_MAX)), res->body().size()});
      }
      int expected = o.mode == Mode::kCreate || o.mode == Mode::kComment ? 201 : 200;
      if (res->result_int() != static_cast<unsigned>(expected)) {
        std::string body = res->body().substr(0, 200);
        std::replace(body.begin(), body.end(), '\n', ' ');
        Fail("http " + std::to_string(res->result_int()), "http " + std::to_string(res->result_int()) + ": " + body);
      } else {
        ++tally_.ok;
        tally_.latencies_us.push_back(static_cast<uint32_t>(std::min<int64_t>(micros, UINT32_MAX)));
      }
      if (!res->keep_alive()) Close();
    }
    Close();
  }

 private:
  void Fail(const std::string& cause, const std::string& sample = "") {
    tally_.failures[cause]++;
    if (tally_.samples.size() < 3) tally_.samples.push_back(sample.empty() ? cause : sample);
  }

  void Close() {
    if (!connected_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    connected_ = false;
    buffer_.clear();
  }

  net::awaitable<bool> Reconnect() {
    Close();
    stream_.expires_after(std::chrono::seconds(shared_.options->timeout_s));
    auto [ec] = co_await stream_.async_connect(shared_.endpoint, kNoThrow);
    if (ec) {
      last_error_ = ec.message();
      co_return false;
    }
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    connected_ = true;
    ++tally_.reconnects;
    co_return true;
  }

  net::awaitable<std::optional<http::response<http::string_body>>> Exchange(
      http::request<http::string_body>& req, std::string* failure, bool* nothing_received) {
    stream_.expires_after(std::chrono::seconds(shared_.options->timeout_s));
    auto [wec, written] = co_await http::async_write(stream_, req, kNoThrow);
    if (wec) {
      *nothing_received = true;
      *failure = "write: " + wec.message();
      Close();
      co_return std::nullopt;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.header_limit(64 * 1024);
    auto [rec, read] = co_await http::async_read(stream_, buffer_, parser, kNoThrow);
    if (rec) {
      *nothing_received = (rec == http::error::end_of_stream || rec == net::error::connection_reset ||
                           rec == net::error::eof) && read == 0;
      *failure = "read: " + rec.message();
      Close();
      co_return std::nullopt;
    }
    co_return parser.release();
  }

  http::request<http::string_body> MakeRequest(int64_t n) {
    const Options& o = *shared_.options;
    http::request<http::string_body> req;
    req.version(11);
    req.keep_alive(true);
    req.set(http::field::host, o.host + ":" + std::to_string(o.port));
    req.set(http::field::user_agent, "opsdesk-load-generator");
    req.set(http::field::accept, "application/json");
    for (const auto& [name, value] : o.headers) req.set(name, value);
    const bool rt = o.target == Target::kRt;
    switch (o.mode) {
      case Mode::kCreate:
        req.method(http::verb::post);
        req.target(rt ? o.rt_base + "/ticket" : "/api/v1/tickets");
        req.set(http::field::content_type, "application/json");
        req.body() = CreateBody(o, o.first_index + n);
        break;
      case Mode::kGet: {
        int64_t id = rng_.Between(o.id_min, o.id_max);
        req.method(http::verb::get);
        req.target((rt ? o.rt_base + "/ticket/" : std::string("/api/v1/tickets/")) + std::to_string(id));
        break;
      }
      case Mode::kList:
        req.method(http::verb::get);
        req.target(o.paths.empty() ? o.path : o.paths[static_cast<size_t>(n % static_cast<int64_t>(o.paths.size()))]);
        break;
      case Mode::kComment: {
        int64_t ticket = o.first_index + n / o.comments_per_ticket;
        int k = static_cast<int>(n % o.comments_per_ticket);
        CorpusComment c = MakeComment(o.seed, ticket, k);
        req.method(http::verb::post);
        req.target(o.rt_base + "/ticket/" + std::to_string(ticket) + (c.internal ? "/comment" : "/correspond"));
        req.set(http::field::content_type, "application/json");
        std::string json = "{\"Content\":\"";
        AppendJsonString(c.body, &json);
        json += "\",\"ContentType\":\"text/plain\"}";
        req.body() = std::move(json);
        break;
      }
    }
    req.prepare_payload();
    return req;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Shared& shared_;
  Rng rng_;
  Tally tally_;
  bool connected_ = false;
  std::string last_error_;
};

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1000.0;
}

const char* TargetName(Target t) { return t == Target::kOpsdesk ? "opsdesk" : "rt"; }
const char* ModeName(Mode m) {
  return m == Mode::kCreate ? "create" : m == Mode::kGet ? "get" : m == Mode::kList ? "list" : "comment";
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

int Run(const Options& o) {
  beast::error_code ec;
  auto address = net::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
  if (ec || !address.is_loopback()) {
    std::cerr << "load_generator: --host must be a loopback address (127.0.0.0/8 or ::1), got " << o.host << "\n";
    return 2;
  }
  Shared shared;
  shared.options = &o;
  shared.endpoint = tcp::endpoint(address, o.port);

  std::string load_before = LoadAverage();
  net::io_context ioc(o.threads);
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < o.connections; ++i) connections.push_back(std::make_unique<Connection>(ioc, shared, i));

  auto run_threads = [&] {
    std::vector<std::thread> threads;
    for (int i = 1; i < o.threads; ++i) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    ioc.restart();
  };

  // Phase 1: open every connection before the clock starts.
  for (auto& c : connections) net::co_spawn(ioc, c->Connect(), net::detached);
  run_threads();

  // Phase 2: the measured run.
  auto started = SteadyClock::now();
  shared.deadline = started + std::chrono::microseconds(static_cast<int64_t>(o.duration_s * 1e6));
  for (auto& c : connections) net::co_spawn(ioc, c->Run(), net::detached);
  run_threads();
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();
  std::string load_after = LoadAverage();

  Tally all;
  for (auto& c : connections) {
    Tally& t = c->tally();
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    all.sent += t.sent;
    all.ok += t.ok;
    all.retries += t.retries;
    all.reconnects += t.reconnects;
    all.response_bytes += t.response_bytes;
    for (const auto& [cause, count] : t.failures) all.failures[cause] += count;
    for (const auto& s : t.samples) {
      if (all.samples.size() < 5) all.samples.push_back(s);
    }
    all.per_path.insert(all.per_path.end(), t.per_path.begin(), t.per_path.end());
  }
  if (!o.per_path_out.empty()) {
    std::ofstream out(o.per_path_out);
    for (const auto& r : all.per_path) out << r.line << ' ' << r.status << ' ' << r.micros << ' ' << r.bytes << '\n';
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  int64_t failed = all.sent - all.ok;
  double mean = 0;
  for (uint32_t v : all.latencies_us) mean += v;
  mean = all.latencies_us.empty() ? 0 : mean / static_cast<double>(all.latencies_us.size()) / 1000.0;

  std::string what = o.mode == Mode::kGet    ? "ids " + std::to_string(o.id_min) + ".." + std::to_string(o.id_max)
                     : o.mode == Mode::kList ? (o.paths.empty() ? "path " + o.path
                                                                : std::to_string(o.paths.size()) + " paths, first " +
                                                                      o.paths.front())
                     : o.mode == Mode::kComment ? "corpus comments of tickets from " + std::to_string(o.first_index)
                                                : "corpus tickets from " + std::to_string(o.first_index);
  std::printf("load_generator: target=%s mode=%s %s label=%s\n", TargetName(o.target), ModeName(o.mode), what.c_str(),
              o.label.empty() ? "-" : o.label.c_str());
  std::printf("  parameters:   host=%s port=%u connections=%d threads=%d requests=%lld duration_limit_s=%.0f seed=%llu%s%s\n",
              o.host.c_str(), o.port, o.connections, o.threads, static_cast<long long>(o.requests), o.duration_s,
              static_cast<unsigned long long>(o.seed), o.with_requester ? " with_requester" : "",
              o.with_status ? " with_status" : "");
  std::printf("  requests:     %lld sent, %lld ok, %lld failed, %lld retried, %lld connects\n",
              static_cast<long long>(all.sent), static_cast<long long>(all.ok), static_cast<long long>(failed),
              static_cast<long long>(all.retries), static_cast<long long>(all.reconnects));
  for (const auto& [cause, count] : all.failures) {
    std::printf("  failed:       %lld x %s\n", static_cast<long long>(count), cause.c_str());
  }
  for (const auto& s : all.samples) std::printf("  sample:       %s\n", s.c_str());
  std::printf("  elapsed:      %.3f s%s\n", elapsed,
              all.sent < o.requests ? " (stopped by --duration-s before all requests were sent)" : "");
  std::printf("  throughput:   %.1f ok requests/s (%.1f KiB/s of response bodies)\n", all.ok / elapsed,
              all.response_bytes / elapsed / 1024.0);
  std::printf("  latency ms:   p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f (successful requests)\n",
              Percentile(all.latencies_us, 50), Percentile(all.latencies_us, 90), Percentile(all.latencies_us, 99),
              Percentile(all.latencies_us, 99.9), Percentile(all.latencies_us, 100), mean);
  std::printf("  loadavg:      before %s, after %s\n", load_before.c_str(), load_after.c_str());
  // One line for scripts.
  std::printf(
      "RESULT target=%s mode=%s label=%s connections=%d sent=%lld ok=%lld failed=%lld elapsed_s=%.3f rps=%.1f "
      "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f loadavg_before=%s loadavg_after=%s\n",
      TargetName(o.target), ModeName(o.mode), o.label.empty() ? "-" : o.label.c_str(), o.connections,
      static_cast<long long>(all.sent), static_cast<long long>(all.ok), static_cast<long long>(failed), elapsed,
      all.ok / elapsed, Percentile(all.latencies_us, 50), Percentile(all.latencies_us, 90),
      Percentile(all.latencies_us, 99), Percentile(all.latencies_us, 100),
      load_before.substr(0, load_before.find(' ')).c_str(), load_after.substr(0, load_after.find(' ')).c_str());
  return failed == 0 ? 0 : 3;
}

}  // namespace
}  // namespace opsdesk::bench

int main(int argc, char** argv) {
  opsdesk::bench::Options options;
  if (!opsdesk::bench::ParseArgs(argc, argv, &options)) {
    opsdesk::bench::Usage();
    return 2;
  }
  return opsdesk::bench::Run(options);
}
