// The request and response the HTTP server hands to and takes from a Handler.
//
// These are plain values with no Beast types in them, so handlers, the router and
// their tests never touch a socket or a parser.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsdesk::http {

// ASCII-only case-insensitive comparison; header names are ASCII tokens and a
// locale-aware comparison would make "I" and "i" differ under a Turkish locale.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

struct Request {
  std::string method;          // "GET"
  std::string target;          // raw target incl. query
  std::string path;            // percent-decoded path without query
  std::vector<std::pair<std::string, std::string>> query;  // decoded query params in order
  std::string body;
  std::string remote_address;  // peer IP
  // From a valid incoming X-Request-Id (1..64 chars of [A-Za-z0-9._-]) or generated
  // as "r-" + 16 hex digits. Always set, also on requests rejected before a handler.
  std::string request_id;

  // Header lookup, case-insensitive; the first value when the header repeats,
  // nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return value;
    }
    return std::nullopt;
  }
  // The first value of query parameter `name` (case-sensitive), nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  std::vector<std::pair<std::string, std::string>> headers;  // as received
};

// The far end of a streamed response body (Server-Sent Events). The producer
// holds it and writes from any thread; the server frames each write as one
// HTTP chunk, in order. Writes are queued without blocking; a client that
// stops reading is disconnected once its queue passes a bound or a write
// outlasts the read timeout.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `data`. False once the stream has ended (client gone, server
  // stopping, queue overflow): the producer should then drop the sink.
  virtual bool Write(std::string data) = 0;
  virtual bool IsOpen() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. The server owns framing: Content-Length, Transfer-Encoding and
  // Connection given here are ignored; Content-Type, Server and X-Request-Id given
  // here replace the server's. A header whose name or value holds CR, LF or NUL is
  // dropped (and logged) rather than let a handler split the response.
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, `body` is ignored: the server sends the head with chunked
  // transfer encoding, then calls `stream` once with the sink for the body. The
  // connection is not reused afterwards. HEAD requests get the head only.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
};

// Runs on a worker thread (may block on the database); must not throw (if it does,
// the server logs it and answers 500 with ErrorBody). Called concurrently for
// different requests, so it must be thread-safe.
using Handler = std::function<Response(const Request&)>;

// Decodes %XX escapes; with `plus_as_space` (query components, as in
// application/x-www-form-urlencoded) '+' becomes ' '. Returns nullopt for a
// truncated or non-hex escape and for an encoded NUL, which no helpdesk URL needs
// and which would truncate the value in any C API it reaches.
inline std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Splits a request target into its decoded path and query parameters, in order.
// Accepts origin form ("/a/b?x=1") and absolute form ("http://host/a/b?x=1", which
// RFC 9112 says a server must accept); drops a fragment. A parameter without '='
// has an empty value; empty segments ("a=1&&b=2") are skipped. Returns false when
// the target has another form or a malformed escape.
inline bool ParseTarget(std::string_view target, std::string* path,
                        std::vector<std::pair<std::string, std::string>>* query) {
  path->clear();
  query->clear();
  if (size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (target.empty()) return false;
  if (target.front() != '/') {
    size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return false;
    std::string_view scheme = target.substr(0, scheme_end);
    if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) return false;
    // "http://host" and "http://host?x=1" have the path "/" (set below).
    size_t path_start = target.find_first_of("/?", scheme_end + 3);
    target = path_start == std::string_view::npos ? std::string_view() : target.substr(path_start);
  }
  std::string_view raw_path = target;
  std::string_view raw_query;
  if (size_t question = target.find('?'); question != std::string_view::npos) {
    raw_path = target.substr(0, question);
    raw_query = target.substr(question + 1);
  }
  auto decoded_path = PercentDecode(raw_path.empty() ? std::string_view("/") : raw_path,
                                    /*plus_as_space=*/false);
  if (!decoded_path) return false;
  *path = std::move(*decoded_path);
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view segment = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (segment.empty()) continue;
    size_t eq = segment.find('=');
    auto key = PercentDecode(segment.substr(0, eq), /*plus_as_space=*/true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : segment.substr(eq + 1),
                               /*plus_as_space=*/true);
    if (!key || !value) return false;
    query->emplace_back(std::move(*key), std::move(*value));
  }
  return true;
}

}  // namespace opsdesk::http
