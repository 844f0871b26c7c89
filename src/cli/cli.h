// The `opsdesk` command line: server and admin commands that open the database
// directly (serve, migrate, user add, token create) and API client commands
// (ticket ...), in the manner of `gh`.
#pragma once

namespace opsdesk::cli {

int Main(int argc, char** argv);

}  // namespace opsdesk::cli
