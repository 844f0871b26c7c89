// Server configuration: defaults < TOML file < environment < command-line flags.
#pragma once

#include <string>

#include "common/result.h"

namespace opsdesk::config {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:var/opsdesk.db";
  size_t body_limit_bytes = 1 << 20;
  size_t header_limit_bytes = 16 * 1024;
  int io_threads = 0;  // 0: one per core
  int worker_threads = 64;
  int db_pool_size = 8;
  int read_timeout_ms = 15000;
  int idle_timeout_ms = 60000;
  int max_connections = 10000;
  std::string log_level = "info";
  bool demo_data = false;
  std::string web_root = "web/dist";  // the built front end; absent: API only
};

// Reads the [server] table of a TOML file; unknown keys are errors so a typo
// does not silently fall back to a default.
Status LoadConfigFile(const std::string& path, ServerConfig* config);
// OPSDESK_DB, OPSDESK_LISTEN, OPSDESK_BODY_LIMIT, OPSDESK_LOG_LEVEL, ...
Status ApplyEnvironment(ServerConfig* config);
// "127.0.0.1:8080" -> address and port.
Status SplitListen(const std::string& listen, std::string* address, uint16_t* port);

}  // namespace opsdesk::config
