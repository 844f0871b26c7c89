#include "http/server.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sodium.h>

#include "common/random.h"
#include "http/errors.h"

namespace opsdesk::http {

namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Bytes asked for when waiting for the first byte of a request.
constexpr size_t kFirstReadBytes = 4096;
// Longest we keep reading (and discarding) after an error response, so the client
// sees the response instead of a reset caused by its unread request bytes.
constexpr int kMaxLingerMs = 2000;
// Pause before accepting again after an accept error such as EMFILE; retrying at
// once would spin on the same error.
constexpr int kAcceptRetryMs = 100;
// Bytes a streamed response may queue for a client that does not read them.
constexpr size_t kMaxStreamQueueBytes = 1 << 20;
constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// spdlog::stdout_color_mt throws if the name exists, and tests create many servers
// (and other areas may create the same logger), so get-or-create tolerates a race.
std::shared_ptr<spdlog::logger> GetOrCreateLogger(const std::string& name) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto logger = spdlog::get(name)) return logger;
  try {
    return spdlog::stdout_color_mt(name);
  } catch (const spdlog::spdlog_ex&) {
    if (auto logger = spdlog::get(name)) return logger;
    throw;
  }
}

// spdlog's stdout sinks fflush every line: for the access log that is a write()
// system call per request, under a process-wide console lock. This sink gathers
// lines and writes them once 32 KiB have gathered, or when flushed: by
// spdlog::flush_every (opsdesk serve sets it), on warnings, and when Run() ends.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    formatter_->format(msg, buffer_);
    if (buffer_.size() >= kWriteBytes) flush_();
  }
  void flush_() override {
    if (buffer_.size() == 0) return;
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    std::fflush(stdout);
    buffer_.clear();
  }

 private:
  static constexpr size_t kWriteBytes = 32 * 1024;
  spdlog::memory_buf_t buffer_;
};

std::shared_ptr<spdlog::logger> GetOrCreateAccessLogger() {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto logger = spdlog::get("access")) return logger;
  auto logger = std::make_shared<spdlog::logger>("access", std::make_shared<BufferedStdoutSink>());
  try {
    spdlog::initialize_logger(logger);  // registers it, with the global level and pattern
  } catch (const spdlog::spdlog_ex&) {
    if (auto existing = spdlog::get("access")) return existing;
    throw;
  }
  logger->flush_on(spdlog::level::warn);
  return logger;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Request ids need to be unique, not secret: a per-thread splitmix64 sequence
// from a random seed, instead of a getrandom() system call per request.
std::string NewRequestId() {
  thread_local uint64_t state = [] {
    uint64_t seed = 0;
    randombytes_buf(&seed, sizeof seed);
    return seed;
  }();
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(18, 'r');
  id[1] = '-';
  for (int i = 0; i < 16; ++i) id[2 + i] = kHex[(z >> (60 - 4 * i)) & 0xf];
  return id;
}

// A decoded path may hold spaces, quotes or control characters; escape them so one
// access line stays one parseable line whatever the client sent.
std::string LogSafe(std::string_view text) {
  if (text.empty()) return "-";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '"' || c == '%') {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool HasUnsafeHeaderChars(std::string_view text) {
  // A plain loop: find_first_of calls memchr on the set for every character.
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

// `http_status` overrides the errors.cc table, for 431 which has no status code of its own.
Response ErrorResponse(const Status& status, const std::string& request_id, int http_status = 0) {
  Response response;
  response.status = http_status != 0 ? http_status : HttpStatusFor(status);
  response.body = ErrorBody(status, request_id);
  return response;
}

}  // namespace

class Server::Impl {
 public:
  class Session;
  class SessionSink;

  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        access_log_(GetOrCreateAccessLogger()),
        log_(GetOrCreateLogger("http")),
        io_threads_(options_.io_threads > 0
                        ? options_.io_threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        iocs_(MakeIoContexts(io_threads_)),
        io_guards_(MakeGuards(iocs_)),
        acceptor_(net::make_strand(*iocs_[0])),
        accept_retry_timer_(acceptor_.get_executor()),
        workers_(static_cast<size_t>(std::max(1, options_.worker_threads))) {
    InitCrypto();  // request ids come from libsodium
  }

  ~Impl() {
    // Members go in reverse order: the worker pool is joined first (its tasks post
    // to the io_context), then the acceptor, then the io_context, whose pending
    // handlers own sessions that deregister from sessions_ as they die.
    Stop();
  }

  Status Start();
  void Run();
  void Stop();

  // One io_context per I/O thread, each connection pinned to one of them: a
  // connection's handlers then always run on the same thread, with no wake-ups
  // of the other thread and no contention on one shared scheduler.
  static std::vector<std::unique_ptr<net::io_context>> MakeIoContexts(int count) {
    std::vector<std::unique_ptr<net::io_context>> iocs;
    for (int i = 0; i < count; ++i) iocs.push_back(std::make_unique<net::io_context>(1));
    return iocs;
  }
  using IoGuard = net::executor_work_guard<net::io_context::executor_type>;
  // Keeps each io_context running while it has no connection yet; released by Stop().
  static std::vector<IoGuard> MakeGuards(const std::vector<std::unique_ptr<net::io_context>>& iocs) {
    std::vector<IoGuard> guards;
    for (const auto& ioc : iocs) guards.push_back(net::make_work_guard(*ioc));
    return guards;
  }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void RunIoLoop(net::io_context& ioc);
  Response CallHandler(const Request& request);

  void Register(const std::shared_ptr<Session>& session, bool* is_stopping);
  void Deregister(const Session* session);

  const ServerOptions options_;
  const Handler handler_;
  RequestObserver observer_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::shared_ptr<spdlog::logger> log_;
  const int io_threads_;
  uint16_t port_ = 0;
  bool is_started_ = false;

  std::atomic<bool> is_stopping_{false};
  std::atomic<int> connections_{0};  // counted sessions alive (rejections excluded)

  // Live sessions, so Stop() can close the idle ones. Declared before iocs_ so it
  // outlives the sessions the io_context may still own when it is destroyed.
  std::mutex sessions_mu_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;  // GUARDED_BY(sessions_mu_)

  std::vector<std::unique_ptr<net::io_context>> iocs_;
  std::vector<IoGuard> io_guards_;        // reset once, by Stop()
  std::mutex io_guards_mu_;
  size_t next_ioc_ = 0;                   // used only on the acceptor's strand
  tcp::acceptor acceptor_;               // used only on its strand after Start()
  net::steady_timer accept_retry_timer_;  // same strand as acceptor_
  net::thread_pool workers_;
};

// One TCP connection. Everything but the constructor, destructor and the handler
// call runs on the thread of the connection's io_context (its "strand": one
// thread runs each io_context). Owned by whatever async operation or
// worker task is pending; it dies when the last one completes.
class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket&& socket, bool is_counted)
      : server_(server), stream_(std::move(socket)), is_counted_(is_counted) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }

  ~Session() {
    if (is_counted_) {
      server_.Deregister(this);
      server_.connections_.fetch_sub(1);
    }
  }

  // Serves requests until the client leaves, a timeout, an error or Stop().
  void Run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::OnStart, shared_from_this()));
  }

  // Answers 503 without reading a request and closes.
  void Reject() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::OnReject, shared_from_this()));
  }

  // Posted by Server::Stop(). An idle connection is closed now; one that is
  // reading, handling or writing a request sees is_stopping_ when it next decides
  // whether to keep the connection alive.
  void OnServerStopping() {
    if (is_waiting_for_request_) stream_.cancel();
    if (is_streaming_) EndStream();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  // Called on the strand (posted by SessionSink::Write).
  void QueueChunk(std::string data) {
    if (stream_ended_) return;
    if (stream_queued_bytes_ + data.size() > kMaxStreamQueueBytes) {
      log().info("request_id={} stream client too slow; closing", request_.request_id);
      EndStream();
      return;
    }
    stream_queued_bytes_ += data.size();
    stream_queue_.push_back(std::move(data));
    if (is_streaming_ && !is_stream_writing_) WriteNextChunk();
  }

 private:
  void OnStart() {
    bool is_stopping = false;
    server_.Register(shared_from_this(), &is_stopping);
    if (is_stopping) {
      Close();
      return;
    }
    WaitForRequest();
  }

  void OnReject() {
    started_at_ = SteadyClock::now();
    request_.remote_address = remote_address_;
    request_.request_id = NewRequestId();
    keep_alive_ = false;
    Send(ErrorResponse(Status::Unavailable("too many connections"), request_.request_id),
         /*close=*/true, /*linger=*/true);
  }

  // The keep-alive wait. It gets its own (idle) deadline, and the request gets the
  // read deadline from its first byte, so a long idle period does not eat into the
  // time allowed to send a request, and a slow sender cannot hide behind the idle one.
  void WaitForRequest() {
    if (server_.is_stopping_.load()) {
      Close();
      return;
    }
    parser_.emplace();
    // The body limit is set once the header is in (OnHeader): Beast checks
    // Content-Length before the header counts as done, which would lose the
    // request id and path of a 413.
    parser_->body_limit(boost::none);
    parser_->header_limit(static_cast<uint32_t>(server_.options_.header_limit_bytes));
    request_ = Request{};
    request_.remote_address = remote_address_;
    // Until this request's head is parsed: an error answered before it must
    // not inherit the previous request's HEAD or HTTP/1.0.
    is_head_ = false;
    version_ = 11;
    if (buffer_.size() > 0) {  // a pipelined request is already here
      ReadHeader();
      return;
    }
    // A fresh connection that sends nothing is held only for the read timeout.
    int timeout_ms = is_first_request_ ? server_.options_.read_timeout_ms : server_.options_.idle_timeout_ms;
    stream_.expires_after(std::chrono::milliseconds(timeout_ms));
    is_waiting_for_request_ = true;
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    is_waiting_for_request_ = false;
    if (ec) {
      // EOF, idle timeout or Stop(): all ordinary ends of a keep-alive connection.
      if (ec != net::error::eof && ec != beast::error::timeout && ec != net::error::operation_aborted) {
        log().debug("remote={} read failed: {}", remote_address_, ec.message());
      }
      Close();
      return;
    }
    buffer_.commit(bytes);
    ReadHeader();
  }

  void ReadHeader() {
    started_at_ = SteadyClock::now();
    // A whole header already buffered (the usual case) is parsed right here;
    // the asynchronous read would parse the same bytes and then post its
    // completion through the strand. On need_more the parser may already have
    // taken the request line and whole fields, so what it used is consumed
    // either way, as Beast's own read loop does, and the read below goes on
    // from there.
    beast::error_code ec;
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec != beast_http::error::need_more) {
      // What follows may read a body or write "100 Continue": from now on the
      // request's read deadline applies, not the keep-alive wait's.
      if (!ec && !parser_->is_done()) {
        stream_.expires_after(std::chrono::milliseconds(server_.options_.read_timeout_ms));
      }
      OnHeader(ec, used);
      return;
    }
    stream_.expires_after(std::chrono::milliseconds(server_.options_.read_timeout_ms));
    beast_http::async_read_header(stream_, buffer_, *parser_,
                                  beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    const uint64_t body_limit = server_.options_.body_limit_bytes;
    if (auto content_length = parser_->content_length(); content_length && *content_length > body_limit) {
      OnReadError(beast_http::error::body_limit);
      return;
    }
    parser_->body_limit(body_limit);  // for chunked bodies
    const auto& message = parser_->get();
    // curl and others wait (about a second) for "100 Continue" before sending a
    // body they announced with Expect; answering at once saves that wait.
    auto expect = message.find(beast_http::field::expect);
    if (expect != message.end() && EqualsIgnoreCase(expect->value(), "100-continue") && message.version() >= 11 &&
        !parser_->is_done()) {
      net::async_write(stream_, net::buffer(kContinueResponse.data(), kContinueResponse.size()),
                       beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinueWritten(beast::error_code ec, size_t) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) {  // no body (a GET) or all of it already parsed
      OnBody({}, 0);
      return;
    }
    beast_http::async_read(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    auto& message = parser_->get();
    FillRequestHead(message);
    request_.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    if (!ParseTarget(request_.target, &request_.path, &request_.query)) {
      // The whole request was read, so the connection is still in step and may
      // stay open.
      Send(ErrorResponse(Status::InvalidArgument("malformed request target"), request_.request_id),
           /*close=*/!keep_alive_, /*linger=*/false);
      return;
    }
    Dispatch();
  }

  // Copies what the parser has of the request line and headers into request_.
  void FillRequestHead(const beast_http::request<beast_http::string_body>& message) {
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    request_.headers.clear();
    for (const auto& field : message) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    auto incoming_id = message.find("X-Request-Id");
    request_.request_id = incoming_id != message.end() && IsValidRequestId(incoming_id->value())
                              ? std::string(incoming_id->value())
                              : NewRequestId();
    version_ = message.version();
    is_head_ = message.method() == beast_http::verb::head;
  }

  void OnReadError(beast::error_code ec) {
    Status status;
    int http_status = 0;  // 0: from the errors.cc table
    if (ec == beast_http::error::body_limit) {
      status = Status::LimitExceeded("request body exceeds " + std::to_string(server_.options_.body_limit_bytes) +
                                     " bytes");
    } else if (ec == beast_http::error::header_limit) {
      status = Status::LimitExceeded("request headers exceed " +
                                     std::to_string(server_.options_.header_limit_bytes) + " bytes");
      http_status = 431;
    } else if (ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category() &&
               ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message) {
      status = Status::InvalidArgument("malformed HTTP request");
    } else {
      // The client left (EOF, reset, mid-message), the read deadline passed or
      // Stop() cancelled: nobody is there to read an answer, so just close.
      if (ec == beast::error::timeout) {
        log().debug("remote={} request not received within {} ms", remote_address_,
                    server_.options_.read_timeout_ms);
      } else if (ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message &&
                 ec != net::error::operation_aborted) {
        log().debug("remote={} read failed: {}", remote_address_, ec.message());
      }
      Close();
      return;
    }
    if (parser_->is_header_done()) {
      FillRequestHead(parser_->get());
      // Best effort for the log and the observer; a bad target changes nothing here.
      if (!ParseTarget(request_.target, &request_.path, &request_.query)) request_.path.clear();
      request_.query.clear();
    } else {
      request_.request_id = NewRequestId();
    }
    keep_alive_ = false;
    // The unread rest of the request is the reason to linger before closing.
    Send(ErrorResponse(status, request_.request_id, http_status), /*close=*/true, /*linger=*/true);
  }

  void Dispatch() {
    // Requests known never to block (reads on the embedded database) run right
    // here on the I/O thread: two thread hops cost more than the work itself.
    if (server_.options_.run_inline && server_.options_.run_inline(request_)) {
      OnHandled(server_.CallHandler(request_));
      return;
    }
    // The work guard keeps Run() from returning while the handler runs: nothing
    // else is pending on this connection in the meantime.
    net::post(server_.workers_, [self = shared_from_this(), work = net::make_work_guard(stream_.get_executor())]() mutable {
      Response response = self->server_.CallHandler(self->request_);
      net::post(work.get_executor(), [self, response = std::move(response)]() mutable {
        self->OnHandled(std::move(response));
      });
      work.reset();
    });
  }

  void OnHandled(Response response) {
    if (response.status < 200 || response.status > 599) {
      log().error("request_id={} handler returned invalid status {}", request_.request_id, response.status);
      response = ErrorResponse(Status::Internal("internal error"), request_.request_id);
    }
    Send(std::move(response), /*close=*/!keep_alive_ || server_.is_stopping_.load(), /*linger=*/false);
  }

  // Writes `response`; then closes (lingering if asked) or waits for the next request.
  // The head is formatted here and written with the body in one gathered write:
  // Beast's serializer, built for bodies of every kind, cost a fifth of a small
  // GET.
  void Send(Response response, bool close, bool linger) {
    if (response.stream && !is_head_) {
      SendStreamHead(std::move(response));
      return;
    }
    status_ = response.status;
    const bool has_no_body = response.status == 204 || response.status == 304;
    std::string& head = response_head_;
    head.clear();
    head += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(response.status);
    head += ' ';
    auto reason = beast_http::obsolete_reason(static_cast<beast_http::status>(response.status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    for (const auto& [name, value] : HeadFields(response, has_no_body)) {
      head.append(name.data(), name.size());
      head += ": ";
      head.append(value.data(), value.size());
      head += "\r\n";
    }
    if (!has_no_body) {
      // RFC 9110: no body and no Content-Length on 204 and 304; a HEAD answer
      // keeps the length its GET would have.
      head += "Content-Length: ";
      head += std::to_string(response.body.size());
      head += "\r\n";
    }
    // Beast's keep_alive(): HTTP/1.1 is persistent unless told otherwise,
    // HTTP/1.0 only when told.
    if (version_ >= 11 && close) head += "Connection: close\r\n";
    if (version_ < 11 && !close) head += "Connection: keep-alive\r\n";
    head += "\r\n";
    response_body_ = has_no_body || is_head_ ? std::string() : std::move(response.body);
    std::array<net::const_buffer, 2> buffers{net::buffer(response_head_), net::buffer(response_body_)};
    // A client that stops reading cannot hold the connection either.
    stream_.expires_after(std::chrono::milliseconds(server_.options_.read_timeout_ms));
    net::async_write(stream_, buffers,
                     beast::bind_front_handler(&Session::OnWritten, shared_from_this(), close, linger));
  }

  // The head's fields but its framing (Content-Length, Transfer-Encoding,
  // Connection): Server, Content-Type (not on 204 and 304) and X-Request-Id,
  // each replaced by the handler's own when it sets one, then the handler's
  // other headers in order. Views into `response` and this session.
  std::vector<std::pair<std::string_view, std::string_view>> HeadFields(const Response& response,
                                                                        bool has_no_body) {
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    fields.reserve(3 + response.headers.size());
    fields.emplace_back("Server", "opsdesk");
    if (!has_no_body) fields.emplace_back("Content-Type", response.content_type);
    fields.emplace_back("X-Request-Id", request_.request_id);
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || HasUnsafeHeaderChars(name) || HasUnsafeHeaderChars(value)) {
        log().error("request_id={} dropped response header with CR, LF or NUL", request_.request_id);
        continue;
      }
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
          EqualsIgnoreCase(name, "Connection")) {
        continue;
      }
      if (EqualsIgnoreCase(name, "Content-Type") || EqualsIgnoreCase(name, "Server") ||
          EqualsIgnoreCase(name, "X-Request-Id")) {
        std::erase_if(fields, [&name](const auto& field) { return EqualsIgnoreCase(field.first, name); });
      }
      fields.emplace_back(name, value);
    }
    return fields;
  }

  // A streamed response: the head with chunked encoding, then chunks from the
  // producer until either side ends it. Timeouts here are our own (a write
  // deadline per chunk): the connection is otherwise idle by design, and the
  // tcp_stream's single expiry would also cut the read that notices the client
  // leaving.
  void SendStreamHead(Response response) {
    status_ = response.status;
    auto& head = stream_head_.emplace();
    head.version(version_);
    head.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : HeadFields(response, /*has_no_body=*/false)) head.insert(name, value);
    head.keep_alive(false);
    head.chunked(true);
    stream_start_ = std::move(response.stream);
    auto& serializer = stream_serializer_.emplace(head);
    stream_.expires_after(std::chrono::milliseconds(server_.options_.read_timeout_ms));
    beast_http::async_write_header(stream_, serializer,
                                   beast::bind_front_handler(&Session::OnStreamHeadWritten, shared_from_this()));
  }

  void OnStreamHeadWritten(beast::error_code ec, size_t);

  // The client sends nothing on a stream; a read completes only when it leaves
  // (or misbehaves, which ends the stream too).
  void WatchForClientClose() {
    stream_.socket().async_read_some(net::buffer(drain_buffer_),
                                     [self = shared_from_this()](beast::error_code ec, size_t) {
                                       if (ec) {
                                         self->EndStream();
                                         return;
                                       }
                                       self->WatchForClientClose();
                                     });
  }

  void WriteNextChunk() {
    is_stream_writing_ = true;
    write_timer_->expires_after(std::chrono::milliseconds(server_.options_.read_timeout_ms));
    write_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->EndStream();  // the write outlasted its deadline
    });
    net::async_write(stream_.socket(), beast_http::make_chunk(net::buffer(stream_queue_.front())),
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnChunkWritten(ec); });
  }

  void OnChunkWritten(beast::error_code ec) {
    is_stream_writing_ = false;
    if (write_timer_) write_timer_->cancel();
    if (ec || stream_ended_) {
      EndStream();
      return;
    }
    stream_queued_bytes_ -= stream_queue_.front().size();
    stream_queue_.pop_front();
    if (!stream_queue_.empty()) WriteNextChunk();
  }

  void EndStream();

  void OnWritten(bool close, bool linger, beast::error_code ec, size_t) {
    response_body_.clear();
    Finish(ec);
    if (ec) {
      Close();
      return;
    }
    if (close) {
      if (linger) {
        Linger();
      } else {
        Close();
      }
      return;
    }
    is_first_request_ = false;
    WaitForRequest();
  }

  // Access log line and observer, once per answered request.
  void Finish(beast::error_code write_ec) {
    int64_t micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_at_).count();
    server_.access_log_->info("request_id={} method={} path={} status={} duration_us={} remote={}",
                              request_.request_id, LogSafe(request_.method), LogSafe(request_.path), status_,
                              micros, LogSafe(remote_address_));
    if (write_ec) {
      log().debug("request_id={} response write failed: {}", request_.request_id, write_ec.message());
    }
    if (!server_.observer_) return;
    try {
      server_.observer_(request_, status_, micros);
    } catch (const std::exception& e) {
      log().warn("request_id={} observer threw: {}", request_.request_id, e.what());
    } catch (...) {
      log().warn("request_id={} observer threw", request_.request_id);
    }
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // Sends FIN, then reads and discards until the client closes too or a short
  // deadline passes. Closing with unread request bytes would make the kernel send
  // a reset, and a client that has not yet read our error response loses it.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      stream_.close();
      return;
    }
    buffer_.clear();
    stream_.expires_after(std::chrono::milliseconds(std::min(server_.options_.read_timeout_ms, kMaxLingerMs)));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->stream_.close();
        return;
      }
      self->Drain();
    });
  }

  spdlog::logger& log() { return *server_.log_; }

  Impl& server_;
  beast::tcp_stream stream_;
  const bool is_counted_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::string response_head_;  // being written with response_body_ (Send)
  std::string response_body_;
  std::array<char, 4096> drain_buffer_;

  // Streamed responses (see SendStreamHead).
  std::optional<beast_http::response<beast_http::empty_body>> stream_head_;
  std::optional<beast_http::response_serializer<beast_http::empty_body>> stream_serializer_;
  std::function<void(std::shared_ptr<StreamSink>)> stream_start_;
  std::shared_ptr<SessionSink> sink_;
  std::optional<net::steady_timer> write_timer_;
  std::deque<std::string> stream_queue_;  // front() is being written while is_stream_writing_
  size_t stream_queued_bytes_ = 0;
  bool is_streaming_ = false;
  bool is_stream_writing_ = false;
  bool stream_ended_ = false;

  // The request being served, handed to the handler by const reference: nothing on
  // the strand touches it while a worker runs the handler.
  Request request_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool is_head_ = false;
  int status_ = 0;
  SteadyClock::time_point started_at_;
  bool is_first_request_ = true;
  bool is_waiting_for_request_ = false;  // a read for a request's first byte is pending
};

// The producer's handle on a streamed response. Writes hop onto the session's
// strand; the sink keeps the session alive only while a write is in flight.
class Server::Impl::SessionSink : public StreamSink {
 public:
  explicit SessionSink(const std::shared_ptr<Session>& session) : session_(session) {}

  bool Write(std::string data) override {
    if (!is_open_.load()) return false;
    auto session = session_.lock();
    if (!session) return false;
    net::post(session->executor(),
              [session, data = std::move(data)]() mutable { session->QueueChunk(std::move(data)); });
    return true;
  }
  bool IsOpen() const override { return is_open_.load() && !session_.expired(); }
  void MarkClosed() { is_open_.store(false); }

 private:
  std::weak_ptr<Session> session_;
  std::atomic<bool> is_open_{true};
};

void Server::Impl::Session::OnStreamHeadWritten(beast::error_code ec, size_t) {
  stream_.expires_never();
  Finish(ec);
  if (ec || server_.is_stopping_.load()) {
    Close();
    return;
  }
  is_streaming_ = true;
  write_timer_.emplace(stream_.get_executor());
  WatchForClientClose();
  auto sink = std::make_shared<SessionSink>(shared_from_this());
  sink_ = sink;
  auto start = std::move(stream_start_);
  try {
    start(sink);
  } catch (const std::exception& e) {
    log().error("request_id={} stream producer threw: {}", request_.request_id, e.what());
    EndStream();
    return;
  }
  if (!stream_queue_.empty() && !is_stream_writing_) WriteNextChunk();
}

void Server::Impl::Session::EndStream() {
  if (stream_ended_) return;
  stream_ended_ = true;
  if (sink_) sink_->MarkClosed();
  if (write_timer_) write_timer_->cancel();
  stream_queue_.clear();
  stream_queued_bytes_ = 0;
  Close();
}

Status Server::Impl::Start() {
  if (is_started_) return Status::FailedPrecondition("server already started");
  if (is_stopping_.load()) return Status::FailedPrecondition("server is stopped");
  const ServerOptions& o = options_;
  if (o.worker_threads < 1 || o.io_threads < 0 || o.body_limit_bytes == 0 || o.header_limit_bytes == 0 ||
      o.header_limit_bytes > std::numeric_limits<uint32_t>::max() || o.read_timeout_ms <= 0 ||
      o.idle_timeout_ms <= 0 || o.max_connections < 1) {
    return Status::InvalidArgument("invalid server options");
  }
  beast::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec) return Status::InvalidArgument("invalid listen address '" + o.address + "'");
  tcp::endpoint endpoint(address, o.port);
  std::string where = o.address + ":" + std::to_string(o.port);
  auto fail = [&](const char* what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Status::Unavailable(std::string(what) + " " + where + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open a socket for");
  // Lets a restarted server bind while old connections sit in TIME_WAIT. On Linux
  // this does not let two servers listen on one port.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot set SO_REUSEADDR for");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("cannot listen on");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  is_started_ = true;
  log_->info("listening on {}:{}", o.address, port_);
  net::post(acceptor_.get_executor(), [this] { DoAccept(); });
  return Status::Ok();
}

void Server::Impl::DoAccept() {
  // Connections go round-robin to the io_contexts. Each io_context is run by
  // exactly one thread (Run), so a connection's handlers never overlap, also
  // when a worker posts back to it: it needs no strand, whose lock and queue
  // were a tenth of a GET's instructions.
  net::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
  acceptor_.async_accept(ioc, beast::bind_front_handler(&Impl::OnAccept, this));
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    log_->warn("accept failed: {}", ec.message());
    accept_retry_timer_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
    accept_retry_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) DoAccept();
    });
    return;
  }
  if (is_stopping_.load()) {
    // Accepted just before Stop() closed the acceptor: refuse it like the rest.
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (connections_.load() >= options_.max_connections) {
    // Answering (rather than just closing) tells the client why; rejected
    // connections are short-lived and not counted.
    std::make_shared<Session>(*this, std::move(socket), /*is_counted=*/false)->Reject();
  } else {
    connections_.fetch_add(1);
    std::make_shared<Session>(*this, std::move(socket), /*is_counted=*/true)->Run();
  }
  DoAccept();
}

void Server::Impl::Register(const std::shared_ptr<Session>& session, bool* is_stopping) {
  // Checking the flag under the lock closes the gap with Stop(): a session either
  // is in the snapshot Stop() takes or sees is_stopping_ here.
  std::lock_guard lock(sessions_mu_);
  *is_stopping = is_stopping_.load();
  if (!*is_stopping) sessions_.emplace(session.get(), session);
}

void Server::Impl::Deregister(const Session* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(session);
}

void Server::Impl::Stop() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    if (is_stopping_.exchange(true)) return;
    for (const auto& [key, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // Outside the lock: dropping the last reference to a session runs its
  // destructor, which takes sessions_mu_.
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
  });
  for (auto& session : live) {
    net::post(session->executor(), [session] { session->OnServerStopping(); });
  }
  // Each io_context may now return from run() once its connections are done.
  std::lock_guard lock(io_guards_mu_);
  for (auto& guard : io_guards_) guard.reset();
}

void Server::Impl::Run() {
  if (!is_started_) return;
  std::vector<std::thread> threads;
  threads.reserve(iocs_.size() - 1);
  for (size_t i = 1; i < iocs_.size(); ++i) threads.emplace_back([this, i] { RunIoLoop(*iocs_[i]); });
  RunIoLoop(*iocs_[0]);
  for (auto& thread : threads) thread.join();
  access_log_->flush();
  log_->info("stopped");
}

void Server::Impl::RunIoLoop(net::io_context& ioc) {
  // An exception escaping a completion handler would otherwise end this thread's
  // share of the server; log it and keep serving.
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log_->error("exception in I/O thread: {}", e.what());
    } catch (...) {
      log_->error("unknown exception in I/O thread");
    }
  }
}

Response Server::Impl::CallHandler(const Request& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    log_->error("request_id={} handler threw: {}", request.request_id, e.what());
  } catch (...) {
    log_->error("request_id={} handler threw a non-exception", request.request_id);
  }
  return ErrorResponse(Status::Internal("internal error"), request.request_id);
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port_; }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
void Server::SetObserver(RequestObserver observer) { impl_->observer_ = std::move(observer); }

}  // namespace opsdesk::http
