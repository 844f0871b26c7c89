// A small synchronous HTTP client for the opsdesk API, used by the CLI.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "common/result.h"

namespace opsdesk::cli {

struct ClientSettings {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
};

// Settings from ~/.config/opsdesk/config.toml < OPSDESK_URL/OPSDESK_TOKEN < flags.
Result<ClientSettings> LoadClientSettings(const std::optional<std::string>& server_flag,
                                          const std::optional<std::string>& token_flag);

class ApiClient {
 public:
  explicit ApiClient(ClientSettings settings) : settings_(std::move(settings)) {}

  // Sends a request; a non-2xx answer becomes a Status carrying the API's error
  // message and field messages. Returns the parsed JSON body (null for 204).
  Result<boost::json::value> Call(const std::string& method, const std::string& path,
                                  const std::optional<boost::json::value>& body = std::nullopt,
                                  const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  ClientSettings settings_;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& text);

}  // namespace opsdesk::cli
