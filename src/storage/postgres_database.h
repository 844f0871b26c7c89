// The PostgreSQL engine over libpq: a connection pool, statements prepared once
// per connection, `?` placeholders rewritten to $n.
#pragma once

#include <memory>
#include <string>

#include "storage/database.h"

namespace opsdesk::storage {

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions& options);

// Rewrites `?` placeholders outside quoted strings and identifiers to $1, $2, ...
std::string RewritePlaceholders(std::string_view sql);

}  // namespace opsdesk::storage
