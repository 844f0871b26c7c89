// The server over real loopback HTTP, with a Beast synchronous client. No sleeps:
// every wait is for an event (a response, EOF, a promise set by a handler).

#include "http/server.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <future>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

namespace opsdesk::http {
namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ClientResponse = beast_http::response<beast_http::string_body>;

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.io_threads = 2;
  options.worker_threads = 4;
  return options;
}

// Echoes what the server parsed as JSON.
Response Echo(const Request& req) {
  json::object out;
  out["method"] = req.method;
  out["target"] = req.target;
  out["path"] = req.path;
  json::array query;
  for (const auto& [key, value] : req.query) query.push_back(json::array{json::string(key), json::string(value)});
  out["query"] = std::move(query);
  out["body"] = req.body;
  out["request_id"] = req.request_id;
  out["remote_address"] = req.remote_address;
  out["x_custom"] = req.Header("x-CUSTOM").value_or("<absent>");
  out["q"] = req.QueryParam("q").value_or("<absent>");
  Response response;
  response.body = json::serialize(out);
  return response;
}

// A started server with Run() on a background thread; stops and joins on scope exit.
class RunningServer {
 public:
  RunningServer(ServerOptions options, Handler handler) : server_(std::move(options), std::move(handler)) {}

  ~RunningServer() {
    server_.Stop();
    Join();
  }

  void Start() {
    Status status = server_.Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    thread_ = std::thread([this] { server_.Run(); });
  }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  Server& server() { return server_; }
  uint16_t port() { return server_.port(); }

 private:
  Server server_;
  std::thread thread_;
};

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  ClientResponse Send(beast_http::request<beast_http::string_body> req) {
    Write(std::move(req));
    return Read();
  }

  void Write(beast_http::request<beast_http::string_body> req) {
    req.set(beast_http::field::host, "localhost");
    req.prepare_payload();
    beast_http::write(socket_, req);
  }

  void WriteRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes.data(), bytes.size())); }

  ClientResponse Read() {
    ClientResponse res;
    beast_http::read(socket_, buffer_, res);
    return res;
  }

  // Reads and discards until the server closes; returns how the read ended.
  beast::error_code ReadUntilClosed() {
    std::array<char, 4096> scratch;
    beast::error_code ec;
    if (buffer_.size() > 0) buffer_.consume(buffer_.size());
    while (!ec) socket_.read_some(net::buffer(scratch), ec);
    return ec;
  }

  tcp::socket& socket() { return socket_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

beast_http::request<beast_http::string_body> Get(std::string target) {
  return beast_http::request<beast_http::string_body>(beast_http::verb::get, target, 11);
}

bool IsClosed(const beast::error_code& ec) { return ec == net::error::eof || ec == net::error::connection_reset; }

// Checks the ErrorBody shape and that its request id matches the header.
void ExpectErrorBody(const ClientResponse& res, const std::string& code) {
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  json::value body = json::parse(res.body());
  const json::object& error = body.at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), code);
  EXPECT_FALSE(error.at("message").as_string().empty());
  EXPECT_EQ(error.at("request_id").as_string(), std::string(res["X-Request-Id"]));
}

bool IsGeneratedRequestId(std::string_view id) {
  return std::regex_match(std::string(id), std::regex("r-[0-9a-f]{16}"));
}

TEST(ServerTest, EchoesParsedRequest) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());

  auto req = beast_http::request<beast_http::string_body>(beast_http::verb::post,
                                                          "/tickets/a%20b%2Fc?q=hello+world&x=%26%3D&q=2&flag", 11);
  req.set("X-Custom", "custom value");
  req.body() = "the body";
  ClientResponse res = client.Send(std::move(req));

  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[beast_http::field::server], "opsdesk");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(res.body().size()));
  EXPECT_TRUE(res.keep_alive());
  json::object echo = json::parse(res.body()).as_object();
  EXPECT_EQ(echo["method"].as_string(), "POST");
  EXPECT_EQ(echo["target"].as_string(), "/tickets/a%20b%2Fc?q=hello+world&x=%26%3D&q=2&flag");
  EXPECT_EQ(echo["path"].as_string(), "/tickets/a b/c");
  EXPECT_EQ(json::serialize(echo["query"]), R"([["q","hello world"],["x","&="],["q","2"],["flag",""]])");
  EXPECT_EQ(echo["q"].as_string(), "hello world");
  EXPECT_EQ(echo["body"].as_string(), "the body");
  EXPECT_EQ(echo["x_custom"].as_string(), "custom value");
  EXPECT_EQ(echo["remote_address"].as_string(), "127.0.0.1");
  EXPECT_EQ(echo["request_id"].as_string(), std::string(res["X-Request-Id"]));
}

TEST(ServerTest, EchoesValidRequestIdAndGeneratesOtherwise) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());

  auto with_id = [&](std::optional<std::string> id) {
    auto req = Get("/");
    if (id) req.set("X-Request-Id", *id);
    ClientResponse res = client.Send(std::move(req));
    std::string header(res["X-Request-Id"]);
    EXPECT_EQ(json::parse(res.body()).at("request_id").as_string(), header);
    return header;
  };

  EXPECT_EQ(with_id("abc-123_x.Y"), "abc-123_x.Y");
  EXPECT_EQ(with_id(std::string(64, 'a')), std::string(64, 'a'));
  std::string absent = with_id(std::nullopt);
  EXPECT_TRUE(IsGeneratedRequestId(absent)) << absent;
  for (const std::string& invalid : {std::string("bad id"), std::string("semi;colon"), std::string(65, 'a')}) {
    std::string generated = with_id(invalid);
    EXPECT_TRUE(IsGeneratedRequestId(generated)) << generated;
  }
  EXPECT_NE(with_id(std::nullopt), absent);
}

TEST(ServerTest, ServesSeveralRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  RunningServer server(TestOptions(), [&](const Request& req) {
    Response response;
    response.content_type = "text/plain";
    response.body = req.path + " #" + std::to_string(++calls);
    return response;
  });
  server.Start();
  Client client(server.port());
  for (int i = 1; i <= 3; ++i) {
    ClientResponse res = client.Send(Get("/n/" + std::to_string(i)));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "/n/" + std::to_string(i) + " #" + std::to_string(i));
    EXPECT_EQ(res[beast_http::field::content_type], "text/plain");
    EXPECT_TRUE(res.keep_alive());
  }
  // Client-requested close is honoured.
  auto last = Get("/last");
  last.keep_alive(false);
  ClientResponse res = client.Send(std::move(last));
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, AnswersPipelinedRequestsInOrder) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(json::parse(client.Read().body()).at("path").as_string(), "/first");
  json::value second = json::parse(client.Read().body());
  EXPECT_EQ(second.at("path").as_string(), "/second");
  EXPECT_EQ(second.at("body").as_string(), "abc");
  EXPECT_EQ(json::parse(client.Read().body()).at("path").as_string(), "/third");
}

// A header that arrives in pieces: the request line first, the fields later.
// The parser takes the request line from the first piece; the rest must be
// read on from there. The pauses only make separate reads likely (there is no
// condition to wait on: the server answers nothing until the header is whole);
// nothing is asserted about time, and if the pieces arrive together the test
// still passes. HeaderLongerThanTheFirstReadIsParsedWhole covers the same path
// deterministically.
TEST(ServerTest, HeaderArrivingInPiecesIsParsedWhole) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw("GET /split?x=1 HTTP/1.1\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.WriteRaw("Host: x\r\nX-Part: ");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.WriteRaw("two\r\n\r\n");
  ClientResponse res = client.Read();
  EXPECT_EQ(res.result_int(), 200);
  json::value echoed = json::parse(res.body());
  EXPECT_EQ(echoed.at("path").as_string(), "/split");
  // The connection stays in step for the next request.
  EXPECT_EQ(json::parse(client.Send(Get("/next")).body()).at("path").as_string(), "/next");
}

// Headers longer than the first read (4 KiB) but within the limit: a long
// cookie, say.
TEST(ServerTest, HeaderLongerThanTheFirstReadIsParsedWhole) {
  RunningServer server(TestOptions(), [](const Request& req) {
    Response response;
    response.content_type = "text/plain";
    response.body = std::to_string(req.Header("Cookie").value_or("").size());
    return response;
  });
  server.Start();
  Client client(server.port());
  auto req = Get("/long");
  req.set(beast_http::field::cookie, std::string(6000, 'c'));
  ClientResponse res = client.Send(std::move(req));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "6000");
}

TEST(ServerTest, BodyOverLimitIs413) {
  ServerOptions options = TestOptions();
  options.body_limit_bytes = 1024;
  std::atomic<int> calls{0};
  RunningServer server(options, [&](const Request& req) {
    ++calls;
    return Echo(req);
  });
  server.Start();

  {
    Client client(server.port());
    auto req = beast_http::request<beast_http::string_body>(beast_http::verb::post, "/upload", 11);
    req.set("X-Request-Id", "big-1");
    req.body() = std::string(1024, 'x');
    ClientResponse ok = client.Send(std::move(req));
    EXPECT_EQ(ok.result_int(), 200);  // exactly at the limit is fine
  }

  Client client(server.port());
  auto req = beast_http::request<beast_http::string_body>(beast_http::verb::post, "/upload", 11);
  req.set("X-Request-Id", "big-2");
  req.body() = std::string(4096, 'x');
  ClientResponse res = client.Send(std::move(req));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res["X-Request-Id"], "big-2");
  ExpectErrorBody(res, "limit_exceeded");
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
  EXPECT_EQ(calls.load(), 1);
}

TEST(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions options = TestOptions();
  options.body_limit_bytes = 16;
  RunningServer server(options, Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw(
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  ClientResponse res = client.Read();
  EXPECT_EQ(res.result_int(), 413);
  ExpectErrorBody(res, "limit_exceeded");
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, HeaderOverLimitIs431) {
  ServerOptions options = TestOptions();
  options.header_limit_bytes = 1024;
  RunningServer server(options, Echo);
  server.Start();
  Client client(server.port());
  auto req = Get("/");
  req.set("X-Padding", std::string(4096, 'p'));
  ClientResponse res = client.Send(std::move(req));
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(IsGeneratedRequestId(res["X-Request-Id"]));
  ExpectErrorBody(res, "limit_exceeded");
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, MalformedRequestLineIs400) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw("this is not http\r\n\r\n");
  ClientResponse res = client.Read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res[beast_http::field::server], "opsdesk");
  ExpectErrorBody(res, "invalid_argument");
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, MalformedPercentEncodingIs400AndConnectionStaysUsable) {
  std::atomic<int> calls{0};
  RunningServer server(TestOptions(), [&](const Request& req) {
    ++calls;
    return Echo(req);
  });
  server.Start();
  Client client(server.port());
  for (const char* target : {"/bad%zz", "/bad%2", "/nul%00", "/ok?x=%G1"}) {
    ClientResponse res = client.Send(Get(target));
    EXPECT_EQ(res.result_int(), 400) << target;
    ExpectErrorBody(res, "invalid_argument");
  }
  EXPECT_EQ(client.Send(Get("/fine")).result_int(), 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  RunningServer server(TestOptions(), [](const Request& req) -> Response {
    if (req.path == "/throw") throw std::runtime_error("secret detail");
    if (req.path == "/throw-int") throw 42;
    return Echo(req);
  });
  server.Start();
  Client client(server.port());
  for (const char* target : {"/throw", "/throw-int"}) {
    ClientResponse res = client.Send(Get(target));
    EXPECT_EQ(res.result_int(), 500);
    ExpectErrorBody(res, "internal");
    EXPECT_EQ(json::parse(res.body()).at("error").at("message").as_string(), "internal error");
  }
  EXPECT_EQ(client.Send(Get("/after")).result_int(), 200);
  Client other(server.port());
  EXPECT_EQ(other.Send(Get("/other")).result_int(), 200);
}

TEST(ServerTest, GracefulStopFinishesInFlightRequestAndRefusesNewConnections) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  RunningServer server(TestOptions(), [&](const Request& req) {
    if (req.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    Response response;
    response.body = R"({"done":true})";
    return response;
  });
  server.Start();

  Client idle(server.port());
  ASSERT_EQ(idle.Send(Get("/warm-up")).result_int(), 200);  // now an idle keep-alive connection

  Client busy(server.port());
  busy.Write(Get("/slow"));
  entered.get_future().wait();

  std::thread stopper([&] { server.server().Stop(); });
  stopper.join();

  // Idle keep-alive connections are closed.
  EXPECT_TRUE(IsClosed(idle.ReadUntilClosed()));

  // A connection made after Stop() is never served: refused at connect, reset from
  // the backlog, or closed by the acceptor.
  {
    beast::error_code ec;
    net::io_context ioc;
    tcp::socket late(ioc);
    late.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()), ec);
    if (!ec) {
      std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      net::write(late, net::buffer(request), ec);
      std::array<char, 256> scratch;
      size_t total = 0;
      while (!ec) total += late.read_some(net::buffer(scratch), ec);
      EXPECT_EQ(total, 0u);
    }
    EXPECT_TRUE(ec) << "a connection after Stop() was served";
  }

  release.set_value();
  ClientResponse res = busy.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"done":true})");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(IsClosed(busy.ReadUntilClosed()));

  server.Join();  // Run() returns once everything is answered

  net::io_context ioc;
  tcp::socket after(ioc);
  beast::error_code ec;
  after.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()), ec);
  EXPECT_EQ(ec, net::error::connection_refused);
}

TEST(ServerTest, StopBeforeRunMakesRunReturn) {
  Server server(TestOptions(), Echo);
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  server.Run();  // must return
}

TEST(ServerTest, ReadTimeoutClosesPartialRequest) {
  ServerOptions options = TestOptions();
  options.read_timeout_ms = 200;
  RunningServer server(options, Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw("GET /partial HTTP/1.1\r\nHost: x\r\n");  // the blank line never comes
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, ReadTimeoutClosesSilentNewConnection) {
  ServerOptions options = TestOptions();
  options.read_timeout_ms = 200;
  RunningServer server(options, Echo);
  server.Start();
  Client client(server.port());
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, IdleTimeoutClosesKeepAliveConnection) {
  ServerOptions options = TestOptions();
  options.idle_timeout_ms = 200;
  RunningServer server(options, Echo);
  server.Start();
  Client client(server.port());
  EXPECT_EQ(client.Send(Get("/")).result_int(), 200);
  EXPECT_TRUE(IsClosed(client.ReadUntilClosed()));
}

TEST(ServerTest, ConnectionsOverLimitGet503) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  RunningServer server(options, Echo);
  server.Start();
  Client first(server.port());
  ASSERT_EQ(first.Send(Get("/")).result_int(), 200);  // accepted and counted

  Client second(server.port());
  ClientResponse res = second.Read();
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_FALSE(res.keep_alive());
  ExpectErrorBody(res, "unavailable");
  EXPECT_TRUE(IsClosed(second.ReadUntilClosed()));

  EXPECT_EQ(first.Send(Get("/still")).result_int(), 200);
}

TEST(ServerTest, AnswersExpectContinue) {
  RunningServer server(TestOptions(), Echo);
  server.Start();
  Client client(server.port());
  client.WriteRaw("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  // The server sends nothing else before the body arrives, so read the whole interim response.
  std::string interim;
  while (interim.find("\r\n\r\n") == std::string::npos) {
    std::array<char, 64> chunk;
    interim.append(chunk.data(), client.socket().read_some(net::buffer(chunk)));
  }
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  client.WriteRaw("hello");
  ClientResponse res = client.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(json::parse(res.body()).at("body").as_string(), "hello");
}

TEST(ServerTest, HeadKeepsContentLengthWithoutBody) {
  RunningServer server(TestOptions(), [](const Request&) {
    Response response;
    response.content_type = "text/plain";
    response.body = "hello";
    return response;
  });
  server.Start();
  Client client(server.port());
  client.Write(beast_http::request<beast_http::string_body>(beast_http::verb::head, "/", 11));
  beast_http::response_parser<beast_http::empty_body> parser;
  parser.skip(true);  // a response to HEAD has no body whatever Content-Length says
  beast_http::read(client.socket(), client.buffer(), parser);
  EXPECT_EQ(parser.get()[beast_http::field::content_length], "5");
  // The next response must start right after the header: no stray body bytes.
  EXPECT_EQ(client.Send(Get("/")).body(), "hello");
  // An error answered before the next request's head is parsed is a whole
  // response with its body, not a HEAD answer like the request before.
  client.Write(beast_http::request<beast_http::string_body>(beast_http::verb::head, "/", 11));
  beast_http::response_parser<beast_http::empty_body> head_again;
  head_again.skip(true);
  beast_http::read(client.socket(), client.buffer(), head_again);
  client.WriteRaw("this is not http\r\n\r\n");
  ClientResponse error = client.Read();
  EXPECT_EQ(error.result_int(), 400);
  ExpectErrorBody(error, "invalid_argument");
}

TEST(ServerTest, ResponseHeaderRules) {
  RunningServer server(TestOptions(), [](const Request& req) {
    Response response;
    if (req.path == "/empty") {
      response.status = 204;
      response.body = "ignored";
      return response;
    }
    response.content_type = "text/plain";
    response.body = "x";
    response.headers = {{"Set-Cookie", "a=1"},
                        {"Set-Cookie", "b=2"},
                        {"Content-Length", "999"},
                        {"Connection", "close"},
                        {"X-Injected", "v\r\nEvil: 1"},
                        {"Location", "/next"}};
    return response;
  });
  server.Start();
  Client client(server.port());

  ClientResponse res = client.Send(Get("/"));
  EXPECT_EQ(res.body(), "x");
  EXPECT_EQ(res[beast_http::field::content_length], "1");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res[beast_http::field::location], "/next");
  EXPECT_EQ(std::distance(res.equal_range(beast_http::field::set_cookie).first,
                          res.equal_range(beast_http::field::set_cookie).second),
            2);
  EXPECT_EQ(res.find("X-Injected"), res.end());
  EXPECT_EQ(res.find("Evil"), res.end());

  ClientResponse empty = client.Send(Get("/empty"));
  EXPECT_EQ(empty.result_int(), 204);
  EXPECT_TRUE(empty.body().empty());
  EXPECT_EQ(empty.find(beast_http::field::content_length), empty.end());
  EXPECT_FALSE(empty["X-Request-Id"].empty());
  EXPECT_EQ(client.Send(Get("/")).body(), "x");  // still in step after the 204
}

TEST(ServerTest, ObserverSeesEachRequest) {
  struct Seen {
    std::string method, path, request_id;
    int status;
    int64_t micros;
  };
  std::promise<Seen> seen;
  RunningServer server(TestOptions(), [](const Request&) {
    Response response;
    response.status = 201;
    return response;
  });
  server.server().SetObserver([&seen](const Request& req, int status, int64_t micros) {
    seen.set_value({req.method, req.path, req.request_id, status, micros});
  });
  server.Start();
  Client client(server.port());
  auto req = beast_http::request<beast_http::string_body>(beast_http::verb::put, "/things/1?secret=x", 11);
  req.set("X-Request-Id", "obs-1");
  EXPECT_EQ(client.Send(std::move(req)).result_int(), 201);
  Seen got = seen.get_future().get();
  EXPECT_EQ(got.method, "PUT");
  EXPECT_EQ(got.path, "/things/1");
  EXPECT_EQ(got.request_id, "obs-1");
  EXPECT_EQ(got.status, 201);
  EXPECT_GE(got.micros, 0);
}

TEST(ServerTest, StartFailsClearlyWhenPortTaken) {
  RunningServer first(TestOptions(), Echo);
  first.Start();
  ServerOptions options = TestOptions();
  options.port = first.port();
  Server second(options, Echo);
  Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(std::to_string(first.port())), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("in use"), std::string::npos) << status.message();
}

TEST(ServerTest, StartRejectsBadAddress) {
  ServerOptions options = TestOptions();
  options.address = "not-an-ip";
  Server server(options, Echo);
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  server.Run();  // returns at once: not started
}

TEST(ParseTargetTest, DecodesPathAndQuery) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ASSERT_TRUE(ParseTarget("/a%2Bb+c?k%20=v+1&&empty=&bare#frag", &path, &query));
  EXPECT_EQ(path, "/a+b+c");
  ASSERT_EQ(query.size(), 3u);
  EXPECT_EQ(query[0], std::make_pair(std::string("k "), std::string("v 1")));
  EXPECT_EQ(query[1], std::make_pair(std::string("empty"), std::string()));
  EXPECT_EQ(query[2], std::make_pair(std::string("bare"), std::string()));

  ASSERT_TRUE(ParseTarget("http://example.com/x/y?z=1", &path, &query));
  EXPECT_EQ(path, "/x/y");
  ASSERT_EQ(query.size(), 1u);
  ASSERT_TRUE(ParseTarget("https://example.com?z=1", &path, &query));
  EXPECT_EQ(path, "/");
  EXPECT_EQ(query.size(), 1u);

  EXPECT_FALSE(ParseTarget("*", &path, &query));
  EXPECT_FALSE(ParseTarget("", &path, &query));
  EXPECT_FALSE(ParseTarget("ftp://h/x", &path, &query));
  EXPECT_FALSE(ParseTarget("/x%", &path, &query));
  EXPECT_FALSE(ParseTarget("/x?%4", &path, &query));
  EXPECT_FALSE(ParseTarget("/x%00", &path, &query));
}

TEST(RequestTest, HeaderAndQueryLookup) {
  Request req;
  req.headers = {{"Content-Type", "text/plain"}, {"X-Dup", "one"}, {"x-dup", "two"}};
  req.query = {{"a", "1"}, {"a", "2"}};
  EXPECT_EQ(req.Header("content-type"), "text/plain");
  EXPECT_EQ(req.Header("X-DUP"), "one");
  EXPECT_EQ(req.Header("Missing"), std::nullopt);
  EXPECT_EQ(req.QueryParam("a"), "1");
  EXPECT_EQ(req.QueryParam("A"), std::nullopt);
}

}  // namespace
}  // namespace opsdesk::http
