// Serves the built web front end (web/dist) from memory: correct content types,
// long-lived caching for Vite's content-hashed assets, revalidation for the
// rest, and the single-page-app fallback to index.html for client-side routes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "http/message.h"

namespace opsdesk::http {

class StaticFiles {
 public:
  // Loads every regular file under `root` (at most 64 MiB in all). An absent
  // root is not an error: the server then answers only the API.
  static Result<std::unique_ptr<StaticFiles>> Load(const std::string& root);

  // The response for a GET/HEAD of `path`, or nullopt when the path is not a
  // front-end path (so the caller answers 404 its own way).
  std::optional<Response> Serve(const Request& request) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content;
    std::string content_type;
    std::string etag;
    // gzip of `content`, made once at load for text types when it saves at
    // least a tenth; empty otherwise. Served to clients that accept gzip.
    std::string gzipped;
    std::string gzip_etag;
    bool is_immutable = false;  // content-hashed name under /assets/
  };
  std::unordered_map<std::string, File> files_;  // keyed by URL path ("/assets/x.js")
};

// Security headers every response carries (CSP, frame and sniffing protection).
void AddSecurityHeaders(Response& response);

// The media type for a file name, by extension.
std::string ContentTypeFor(const std::string& path);

// Whether an Accept-Encoding header value accepts gzip (a "gzip" or "*" coding
// without q=0).
bool AcceptsGzip(const std::string& accept_encoding);

// gzip (RFC 1952) of `data` at the best compression level.
std::string Gzip(const std::string& data);

}  // namespace opsdesk::http
