// Reads one integer (a COUNT(*) or similar) in tests. Test-only: include from
// *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "storage/database.h"

namespace opsdesk::test_util {

// The first column of the first row of `sql`; -1 (and a test failure) on error.
inline int64_t QueryCount(storage::Database& db, const std::string& sql, const storage::Params& params = {}) {
  int64_t count = -1;
  Status status = db.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne(sql, params);
    if (!row.ok()) return row.status();
    count = *row ? (*row)->Int(0) : -1;
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return count;
}

}  // namespace opsdesk::test_util
