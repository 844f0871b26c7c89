#include "cli/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>

namespace opsdesk::cli {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

Result<ClientSettings> LoadClientSettings(const std::optional<std::string>& server_flag,
                                          const std::optional<std::string>& token_flag) {
  ClientSettings settings;
  std::filesystem::path config_path;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    config_path = std::filesystem::path(xdg) / "opsdesk" / "config.toml";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    config_path = std::filesystem::path(home) / ".config" / "opsdesk" / "config.toml";
  }
  std::error_code ec;
  if (!config_path.empty() && std::filesystem::exists(config_path, ec)) {
    try {
      toml::table table = toml::parse_file(config_path.string());
      settings.server = table["server"].value_or(settings.server);
      settings.token = table["token"].value_or(settings.token);
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument("cannot read " + config_path.string() + ": " + std::string(e.description()));
    }
  }
  if (const char* v = std::getenv("OPSDESK_URL"); v && *v) settings.server = v;
  if (const char* v = std::getenv("OPSDESK_TOKEN"); v && *v) settings.token = v;
  if (server_flag) settings.server = *server_flag;
  if (token_flag) settings.token = *token_flag;
  return settings;
}

std::string UrlEncode(const std::string& text) {
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

Result<boost::json::value> ApiClient::Call(const std::string& method, const std::string& path,
                                           const std::optional<boost::json::value>& body,
                                           const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string server = settings_.server;
  if (server.rfind("http://", 0) != 0) return Status::InvalidArgument("server URL must start with http://");
  std::string host_port = server.substr(7);
  if (size_t slash = host_port.find('/'); slash != std::string::npos) host_port = host_port.substr(0, slash);
  size_t colon = host_port.rfind(':');
  std::string host = colon == std::string::npos ? host_port : host_port.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : host_port.substr(colon + 1);
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(host, port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), path, 11};
    req.set(bhttp::field::host, host_port);
    req.set(bhttp::field::user_agent, "opsdesk-cli");
    req.set(bhttp::field::accept, "application/json");
    if (!settings_.token.empty()) req.set(bhttp::field::authorization, "Bearer " + settings_.token);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (body) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = boost::json::serialize(*body);
    }
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream, buffer, parser);
    auto res = parser.release();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

    boost::json::value json;
    if (!res.body().empty()) {
      boost::system::error_code ec;
      json = boost::json::parse(res.body(), ec);
      if (ec) json = boost::json::value(res.body());
    }
    int status = res.result_int();
    if (status >= 200 && status < 300) return json;
    std::string message = "HTTP " + std::to_string(status);
    std::map<std::string, std::string> fields;
    if (json.is_object() && json.as_object().contains("error")) {
      const auto& error = json.at("error").as_object();
      if (auto* m = error.if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
      if (auto* f = error.if_contains("fields"); f && f->is_object()) {
        for (const auto& [k, v] : f->as_object()) {
          if (v.is_string()) fields[std::string(k)] = std::string(v.as_string());
        }
      }
    }
    StatusCode code = status == 401   ? StatusCode::kUnauthenticated
                      : status == 403 ? StatusCode::kPermissionDenied
                      : status == 404 ? StatusCode::kNotFound
                      : status == 409 ? StatusCode::kConflict
                      : status == 412 ? StatusCode::kPreconditionFailed
                      : status < 500  ? StatusCode::kInvalidArgument
                                      : StatusCode::kUnavailable;
    Status st(code, message);
    if (!fields.empty()) st = Status::InvalidArgument(message, fields);
    return st;
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot reach " + server + ": " + e.what());
  }
}

}  // namespace opsdesk::cli
