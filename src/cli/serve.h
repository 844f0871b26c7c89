// `opsdesk serve`: builds the object graph and runs the HTTP server until SIGTERM.
#pragma once

#include "config/config.h"

namespace opsdesk::cli {

// Returns the process exit code.
int Serve(const config::ServerConfig& config);

}  // namespace opsdesk::cli
