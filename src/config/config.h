// Server configuration: defaults < TOML file < environment < command-line flags.
#pragma once

#include <string>
#include <vector>

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
  // Notifications and durable jobs (src/jobs, src/notify).
  std::string public_url;                        // base of links in messages; empty: http://<listen>
  std::string smtp_url;                          // smtp://host:port; empty: no e-mail
  std::string mail_from = "opsdesk@localhost";
  std::vector<std::string> webhook_allow_hosts;  // hosts webhooks may reach despite the SSRF guard
  int webhook_timeout_ms = 5000;
  std::string link_secret;                       // signs links; empty: made once, kept in the database
  int jobs_threads = 4;                          // job worker threads per node; 0: no worker
  int jobs_poll_ms = 200;
  int jobs_max_attempts = 8;
  int jobs_retry_base_ms = 1000;                 // first retry delay, doubling up to an hour
  int jobs_lease_ms = 60000;                     // a claimed job is due again after this
  int jobs_claim_batch = 50;                     // jobs one worker thread claims at a time
};

// Reads the [server] table of a TOML file; unknown keys are errors so a typo
// does not silently fall back to a default.
Status LoadConfigFile(const std::string& path, ServerConfig* config);
// OPSDESK_DB, OPSDESK_LISTEN, OPSDESK_BODY_LIMIT, OPSDESK_LOG_LEVEL, ...
Status ApplyEnvironment(ServerConfig* config);
// "127.0.0.1:8080" -> address and port.
Status SplitListen(const std::string& listen, std::string* address, uint16_t* port);

}  // namespace opsdesk::config
