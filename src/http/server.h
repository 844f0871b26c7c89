// The HTTP/1.1 server: listener, connections, limits, timeouts and graceful stop.
// It knows nothing about routes; every request goes to one Handler.
//
// Shaped like Beast's advanced server: each connection's handlers run in order
// on one thread (its io_context's; one thread runs each io_context), a fresh
// request_parser per request with body and header limits, a deadline before every
// read. Handlers run on a separate worker pool because they may block on the
// database; their responses are written back on the connection's thread.
//
// Rejected before the handler, always with the ErrorBody JSON shape and
// `Connection: close`:
//   400  malformed HTTP or request target          (invalid_argument)
//   413  body over body_limit_bytes                (limit_exceeded)
//   431  request line + headers over header_limit  (limit_exceeded)
//   503  max_connections reached (then closed)     (unavailable)
// A handler that throws yields 500 (internal, "internal error").
//
// Every response carries X-Request-Id, Server: opsdesk, Content-Type and
// Content-Length (except 204 and 304, which carry neither Content-Type nor
// Content-Length). A HEAD response keeps the handler's Content-Length and drops
// the body. Pipelined requests are answered one at a time, in order.
//
// Logs: one line per answered request on the "access" logger, as
//   request_id=... method=... path=... status=... duration_us=... remote=...
// (never the query string, headers or bodies); anomalies on the "http" logger.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/message.h"

namespace opsdesk::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port; see Server::port()
  int io_threads = 0;    // 0 = std::thread::hardware_concurrency()
  // Handler pool; handlers may block on the DB (e.g. waiting for a group commit),
  // so this bounds concurrent handlers, not CPU use.
  int worker_threads = 64;
  size_t body_limit_bytes = 1 << 20;
  size_t header_limit_bytes = 16 * 1024;
  // Time allowed to receive one whole request from its first byte (and, on a new
  // connection, from the accept); also bounds writing one response.
  int read_timeout_ms = 15000;
  int idle_timeout_ms = 60000;  // keep-alive: wait for the next request's first byte
  int max_connections = 10000;
  // When set and true for a request, its handler runs on the I/O thread instead
  // of the worker pool. Only for requests whose handling cannot block for long
  // (e.g. reads from the embedded SQLite database, which never wait on writers).
  std::function<bool(const Request&)> run_inline;
};

// Called once per answered request, on an I/O thread, after the response was
// written (or failed to be). For requests rejected before the handler (400, 413,
// 431, 503) fields the server could not parse are empty. Must not block.
using RequestObserver = std::function<void(const Request&, int status, int64_t micros)>;

// Thread safety: Stop() may be called from any thread, any number of times.
// Start(), Run(), SetObserver() and the destructor are called from the owning
// thread in the order Start -> Run; port() after a successful Start().
class Server {
 public:
  Server(ServerOptions options, Handler handler);
  // REQUIRES: Run() is not running (has returned, or was never called).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. InvalidArgument for unusable options or address;
  // Unavailable ("cannot listen on 127.0.0.1:8080: Address already in use") when
  // the socket cannot be bound. After OK, port() is the bound port.
  Status Start();
  uint16_t port() const;

  // Runs the I/O threads (the calling one among them) until Stop() has taken
  // effect: no longer accepting, every in-flight request answered, every
  // connection closed. Returns at once if Start() did not succeed.
  void Run();

  // Graceful and asynchronous: stops accepting (connections arriving from now on
  // are refused or closed unanswered), closes idle keep-alive connections, lets
  // requests being read or handled finish and answers them with
  // `Connection: close`; Run() returns when all that is done. A handler that never
  // returns keeps Run() from returning, so a caller wanting a hard deadline must
  // enforce it itself. Callable from any thread, including a signal_set handler
  // or a Handler.
  void Stop();

  // A hook called once per answered request for metrics (route-independent):
  // request, status, duration in microseconds from the request's first byte to
  // the response written. REQUIRES: called before Start().
  void SetObserver(RequestObserver observer);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsdesk::http
