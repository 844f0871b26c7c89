// A fresh, migrated test database for service tests on either engine.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "common/clock.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace opsdesk::test_util {

// Creates a test database of `engine` (a temporary SQLite file or a private
// PostgreSQL schema) and applies every migration. Use as
// ASSERT_NO_FATAL_FAILURE(OpenMigratedDatabase(GetParam(), clock_, &test_db_));
inline void OpenMigratedDatabase(storage::Engine engine, const Clock& clock,
                                 std::unique_ptr<storage::TestDatabase>* out) {
  auto test_db = storage::TestDatabase::Create(engine);
  ASSERT_TRUE(test_db.ok()) << test_db.status().ToString();
  *out = std::move(*test_db);
  Status migrated = storage::Migrate((*out)->db(), clock);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
}

}  // namespace opsdesk::test_util
