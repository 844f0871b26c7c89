// opsdesk: one binary for the server, its admin commands and its API client.
#include "cli/cli.h"

int main(int argc, char** argv) { return opsdesk::cli::Main(argc, argv); }
