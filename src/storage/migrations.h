// Versioned, forward-only schema migrations for both engines.
//
// Files live in src/storage/migrations/NNNN_name.sql and are compiled into the
// binary. Each runs in its own transaction and is recorded in schema_migrations.
// Dialect differences are expressed as {{placeholders}} expanded per engine, and
// what only one engine has (full-text indexes, triggers) sits in sections that
// start with a line `--@ sqlite` or `--@ postgresql` and end with `--@ both`.
#pragma once

#include <limits>

#include "common/clock.h"
#include "storage/database.h"

namespace opsdesk::storage {

// The highest migration version this binary knows.
int LatestSchemaVersion();

// The version applied to `db` (0 for an empty database).
Result<int> CurrentSchemaVersion(Database& db);

// Applies every pending migration in order (up to `up_to`: tests of upgrades
// stop early). Refuses (kFailedPrecondition) a database whose version is newer
// than this binary's, leaving it untouched.
Status Migrate(Database& db, const Clock& clock, int up_to = std::numeric_limits<int>::max());

// Expands the dialect placeholders of a migration for `engine` (exposed for tests).
std::string ExpandDialect(std::string_view sql, Engine engine);

}  // namespace opsdesk::storage
