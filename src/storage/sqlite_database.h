// The SQLite engine: WAL, synchronous=FULL, foreign keys on, a busy timeout.
// One writer connection owned by a writer thread that batches concurrent Write
// calls into group commits (each call in its own SAVEPOINT); pooled readers.
#pragma once

#include <memory>
#include <string>

#include "storage/database.h"

namespace opsdesk::storage {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options);

}  // namespace opsdesk::storage
