#include "http/static_files.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/random.h"
#include "common/text.h"

namespace opsdesk::http {
namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxTotalBytes = 64 << 20;
// Below this, gzip's header and the extra header line cost more than they save.
constexpr size_t kMinGzipBytes = 512;

bool IsCompressible(const std::string& content_type) {
  return content_type.rfind("text/", 0) == 0 || content_type.rfind("application/json", 0) == 0 ||
         content_type.rfind("image/svg", 0) == 0 || content_type.rfind("application/manifest", 0) == 0;
}
}  // namespace

bool AcceptsGzip(const std::string& accept_encoding) {
  for (const auto& part : Split(accept_encoding, ',')) {
    auto pieces = Split(part, ';');
    if (pieces.empty()) continue;
    std::string coding = Trim(pieces[0]);
    for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (coding != "gzip" && coding != "*") continue;
    bool refused = false;
    for (size_t i = 1; i < pieces.size(); ++i) {
      std::string param = Trim(pieces[i]);
      if (param.rfind("q=", 0) == 0 || param.rfind("Q=", 0) == 0) {
        refused = std::strtod(param.c_str() + 2, nullptr) <= 0.0;
      }
    }
    if (!refused) return true;
  }
  return false;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper instead of zlib's.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

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
    if (file.content.size() >= kMinGzipBytes && IsCompressible(file.content_type)) {
      std::string gzipped = Gzip(file.content);
      if (!gzipped.empty() && gzipped.size() * 10 <= file.content.size() * 9) {
        file.gzipped = std::move(gzipped);
        file.gzip_etag = file.etag.substr(0, file.etag.size() - 1) + "-gz\"";
      }
    }
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
  bool gzip = !file.gzipped.empty() && AcceptsGzip(request.Header("Accept-Encoding").value_or(""));
  const std::string& etag = gzip ? file.gzip_etag : file.etag;
  Response response;
  response.content_type = file.content_type;
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back("Cache-Control",
                                file.is_immutable ? "public, max-age=31536000, immutable" : "no-cache");
  // Caches must key on Accept-Encoding: the same URL has two representations.
  if (!file.gzipped.empty()) response.headers.emplace_back("Vary", "Accept-Encoding");
  auto if_none_match = request.Header("If-None-Match");
  if (if_none_match && *if_none_match == etag) {
    response.status = 304;
    return response;
  }
  if (gzip) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = file.gzipped;
  } else {
    response.body = file.content;
  }
  return response;
}

}  // namespace opsdesk::http
