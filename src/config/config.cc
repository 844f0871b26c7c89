#include "config/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>

#include "common/text.h"

namespace opsdesk::config {
namespace {

template <typename T>
bool ParseNumber(const std::string& text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Status LoadConfigFile(const std::string& path, ServerConfig* c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("cannot read config file " + path + ": " + std::string(e.description()));
  }
  const toml::table* server = root["server"].as_table();
  if (!server) return Status::Ok();
  std::map<std::string, std::string> errors;
  for (const auto& [key, node] : *server) {
    std::string k(key.str());
    auto as_int = [&](auto* field) {
      if (auto v = node.value<int64_t>(); v && *v >= 0) *field = static_cast<std::remove_pointer_t<decltype(field)>>(*v);
      else errors[k] = "must be a non-negative integer";
    };
    if (k == "listen") c->listen = node.value_or(c->listen);
    else if (k == "db") c->db = node.value_or(c->db);
    else if (k == "log_level") c->log_level = node.value_or(c->log_level);
    else if (k == "demo_data") c->demo_data = node.value_or(c->demo_data);
    else if (k == "web_root") c->web_root = node.value_or(c->web_root);
    else if (k == "body_limit_bytes") as_int(&c->body_limit_bytes);
    else if (k == "header_limit_bytes") as_int(&c->header_limit_bytes);
    else if (k == "io_threads") as_int(&c->io_threads);
    else if (k == "worker_threads") as_int(&c->worker_threads);
    else if (k == "db_pool_size") as_int(&c->db_pool_size);
    else if (k == "read_timeout_ms") as_int(&c->read_timeout_ms);
    else if (k == "idle_timeout_ms") as_int(&c->idle_timeout_ms);
    else if (k == "max_connections") as_int(&c->max_connections);
    else if (k == "public_url") c->public_url = node.value_or(c->public_url);
    else if (k == "smtp_url") c->smtp_url = node.value_or(c->smtp_url);
    else if (k == "mail_from") c->mail_from = node.value_or(c->mail_from);
    else if (k == "link_secret") c->link_secret = node.value_or(c->link_secret);
    else if (k == "webhook_allow_hosts") {
      const toml::array* hosts = node.as_array();
      bool ok = hosts != nullptr;
      if (ok) {
        c->webhook_allow_hosts.clear();
        for (const auto& h : *hosts) {
          if (auto v = h.value<std::string>()) c->webhook_allow_hosts.push_back(*v);
          else ok = false;
        }
      }
      if (!ok) errors[k] = "must be an array of host names or addresses";
    }
    else if (k == "webhook_timeout_ms") as_int(&c->webhook_timeout_ms);
    else if (k == "jobs_threads") as_int(&c->jobs_threads);
    else if (k == "jobs_poll_ms") as_int(&c->jobs_poll_ms);
    else if (k == "jobs_max_attempts") as_int(&c->jobs_max_attempts);
    else if (k == "jobs_retry_base_ms") as_int(&c->jobs_retry_base_ms);
    else if (k == "jobs_lease_ms") as_int(&c->jobs_lease_ms);
    else if (k == "jobs_claim_batch") as_int(&c->jobs_claim_batch);
    else errors[k] = "unknown setting";
  }
  if (!errors.empty()) return Status::InvalidArgument("config file " + path + " is not valid", errors);
  return Status::Ok();
}

Status ApplyEnvironment(ServerConfig* c) {
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v && *v ? std::optional<std::string>(v) : std::nullopt;
  };
  std::map<std::string, std::string> errors;
  if (auto v = env("OPSDESK_DB")) c->db = *v;
  if (auto v = env("OPSDESK_LISTEN")) c->listen = *v;
  if (auto v = env("OPSDESK_LOG_LEVEL")) c->log_level = *v;
  if (auto v = env("OPSDESK_WEB_ROOT")) c->web_root = *v;
  if (auto v = env("OPSDESK_BODY_LIMIT")) {
    if (!ParseNumber(*v, &c->body_limit_bytes)) errors["OPSDESK_BODY_LIMIT"] = "must be a number of bytes";
  }
  if (auto v = env("OPSDESK_WORKER_THREADS")) {
    if (!ParseNumber(*v, &c->worker_threads)) errors["OPSDESK_WORKER_THREADS"] = "must be a number";
  }
  if (auto v = env("OPSDESK_PUBLIC_URL")) c->public_url = *v;
  if (auto v = env("OPSDESK_SMTP_URL")) c->smtp_url = *v;
  if (auto v = env("OPSDESK_MAIL_FROM")) c->mail_from = *v;
  if (auto v = env("OPSDESK_LINK_SECRET")) c->link_secret = *v;
  if (auto v = env("OPSDESK_WEBHOOK_ALLOW_HOSTS")) c->webhook_allow_hosts = Split(*v, ',');
  const std::pair<const char*, int*> numbers[] = {
      {"OPSDESK_WEBHOOK_TIMEOUT_MS", &c->webhook_timeout_ms}, {"OPSDESK_JOBS_THREADS", &c->jobs_threads},
      {"OPSDESK_JOBS_POLL_MS", &c->jobs_poll_ms},             {"OPSDESK_JOBS_MAX_ATTEMPTS", &c->jobs_max_attempts},
      {"OPSDESK_JOBS_RETRY_BASE_MS", &c->jobs_retry_base_ms}, {"OPSDESK_JOBS_LEASE_MS", &c->jobs_lease_ms},
      {"OPSDESK_JOBS_CLAIM_BATCH", &c->jobs_claim_batch}};
  for (const auto& [name, field] : numbers) {
    if (auto v = env(name); v && !ParseNumber(*v, field)) errors[name] = "must be a number";
  }
  if (!errors.empty()) return Status::InvalidArgument("environment is not valid", errors);
  return Status::Ok();
}

Status SplitListen(const std::string& listen, std::string* address, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("listen address must be HOST:PORT", {{"listen", "must be HOST:PORT"}});
  }
  *address = listen.substr(0, colon);
  if (address->size() > 2 && address->front() == '[' && address->back() == ']') {
    *address = address->substr(1, address->size() - 2);
  }
  if (!ParseNumber(listen.substr(colon + 1), port)) {
    return Status::InvalidArgument("listen port must be 0-65535", {{"listen", "port must be 0-65535"}});
  }
  return Status::Ok();
}

}  // namespace opsdesk::config
