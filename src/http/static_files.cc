#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/random.h"

namespace opsdesk::http {
namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxTotalBytes = 64 << 20;
}  // namespace

std::string ContentTypeFor(const std::string& path) {
  static const std::unordered_map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},          {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},               {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},  {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  auto it = types.find(fs::path(path).extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

void AddSecurityHeaders(Response& response) {
  // The front end ships its own scripts and styles and talks only to this origin.
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
                                "form-action 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
}

Result<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::string& root) {
  auto files = std::unique_ptr<StaticFiles>(new StaticFiles());
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return files;
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    File file;
    file.content = content.str();
    total += file.content.size();
    if (total > kMaxTotalBytes) return Status::LimitExceeded("web root " + root + " holds more than 64 MiB");
    std::string url = "/" + fs::relative(it->path(), root).generic_string();
    file.content_type = ContentTypeFor(url);
    file.etag = "\"" + Sha256Hex(file.content).substr(0, 32) + "\"";
    file.is_immutable = url.rfind("/assets/", 0) == 0;
    files->files_.emplace(std::move(url), std::move(file));
  }
  if (ec) return Status::Unavailable("cannot read web root " + root + ": " + ec.message());
  return files;
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  const std::string& path = request.path;
  auto it = files_.find(path == "/" ? "/index.html" : path);
  if (it == files_.end()) {
    // Client-side routes (/tickets/42, /portal) have no extension: they get the
    // app shell. Missing files with an extension stay 404.
    bool looks_like_route = fs::path(path).extension().empty();
    if (!looks_like_route) return std::nullopt;
    it = files_.find("/index.html");
    if (it == files_.end()) return std::nullopt;
  }
  const File& file = it->second;
  Response response;
  response.content_type = file.content_type;
  response.headers.emplace_back("ETag", file.etag);
  response.headers.emplace_back("Cache-Control",
                                file.is_immutable ? "public, max-age=31536000, immutable" : "no-cache");
  auto if_none_match = request.Header("If-None-Match");
  if (if_none_match && *if_none_match == file.etag) {
    response.status = 304;
    return response;
  }
  response.body = file.content;
  return response;
}

}  // namespace opsdesk::http
