// Test support: an empty, private database on either engine.
//
// Lives in the core library so store tests in every area can use it; it has no
// gtest dependency. Not for production use.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::storage {

// The environment variable naming the PostgreSQL server tests use. The test
// runner (./opsdesk.sh test, via scripts/with-postgres.sh) sets it.
inline constexpr const char* kTestPostgresUrlEnv = "OPSDESK_TEST_PG_URL";

// An empty database that disappears with this object.
//
// kSqlite: a file in a new temporary directory; the directory is removed.
// kPostgres: a new schema with a random name on the server in OPSDESK_TEST_PG_URL,
// made the connection's search_path, so unqualified tables land in it and tests
// never see each other's tables; the schema is dropped (CASCADE).
//
// Not thread-safe itself; the Database it hands out is.
class TestDatabase {
 public:
  // Returns Unavailable when kPostgres is asked for and OPSDESK_TEST_PG_URL is not
  // set, or when the server cannot be reached.
  static Result<std::unique_ptr<TestDatabase>> Create(Engine engine, const OpenOptions& options = {});

  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Engine engine() const { return engine_; }
  // REQUIRES: the database is open (after Create, or after a successful Reopen).
  Database& db() { return *db_; }
  // The URL the database was opened with; Database::Open(url()) reaches the same data.
  const std::string& url() const { return url_; }

  // Destroys the Database object, as a process exit would, and opens url() again,
  // so a test can check what survived. On error the database stays closed.
  Status Reopen();
  // Destroys the Database object without reopening it.
  void Close();

 private:
  TestDatabase(Engine engine, OpenOptions options) : engine_(engine), options_(options) {}

  Engine engine_;
  OpenOptions options_;
  std::string url_;
  std::unique_ptr<Database> db_;
  std::string sqlite_dir_;       // kSqlite: the temporary directory to remove
  std::string admin_url_;        // kPostgres: the server URL without the search_path
  std::string postgres_schema_;  // kPostgres: the schema to drop
};

}  // namespace opsdesk::storage
