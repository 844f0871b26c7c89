#include "storage/testing.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/random.h"

namespace opsdesk::storage {

namespace {

// Runs one administrative statement on its own short-lived connection. The engine
// under test is deliberately not used: creating and dropping the schema must work
// even when that engine is broken.
Status AdminExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return Status::Unavailable("cannot reach the test PostgreSQL server: " + message);
  }
  // DROP SCHEMA ... CASCADE lists every table it drops; that is noise in test output.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  Status status;
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    status = Status::Internal("test PostgreSQL setup failed: " + std::string(PQerrorMessage(conn)));
  }
  PQclear(result);
  PQfinish(conn);
  return status;
}

}  // namespace

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(Engine engine, const OpenOptions& options) {
  std::unique_ptr<TestDatabase> test_db(new TestDatabase(engine, options));
  if (engine == Engine::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "opsdesk-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status::Internal("cannot create a temporary directory for the test database");
    }
    test_db->sqlite_dir_ = pattern;
    test_db->url_ = "sqlite:" + pattern + "/test.db";
  } else {
    const char* server_url = getenv(kTestPostgresUrlEnv);
    if (server_url == nullptr || *server_url == '\0') {
      return Status::Unavailable(
          "OPSDESK_TEST_PG_URL is not set: run the tests through ./opsdesk.sh test (or "
          "scripts/with-postgres.sh CMD), which starts a throw-away PostgreSQL server");
    }
    test_db->admin_url_ = server_url;
    InitCrypto();
    // Lower-case letters and digits only, so the name needs no quoting anywhere.
    std::string schema = "test_" + RandomHex(8);
    OPSDESK_RETURN_IF_ERROR(AdminExec(test_db->admin_url_, "CREATE SCHEMA " + schema));
    test_db->postgres_schema_ = schema;
    // libpq percent-decodes URI parameters: this sends `-c search_path=<schema>`.
    char separator = test_db->admin_url_.find('?') == std::string::npos ? '?' : '&';
    test_db->url_ = test_db->admin_url_ + separator + "options=-csearch_path%3D" + schema;
  }
  // On failure test_db's destructor removes what was created above.
  OPSDESK_RETURN_IF_ERROR(test_db->Reopen());
  return test_db;
}

TestDatabase::~TestDatabase() {
  Close();
  if (!sqlite_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(sqlite_dir_, ignored);
  }
  if (!postgres_schema_.empty()) {
    Status status = AdminExec(admin_url_, "DROP SCHEMA " + postgres_schema_ + " CASCADE");
    // A destructor cannot return the error; a leftover schema only costs disk space
    // in a throw-away cluster, but say so.
    if (!status.ok()) std::fprintf(stderr, "TestDatabase: %s\n", status.ToString().c_str());
  }
}

Status TestDatabase::Reopen() {
  Close();
  auto db = Database::Open(url_, options_);
  if (!db.ok()) return db.status();
  db_ = std::move(*db);
  return Status::Ok();
}

void TestDatabase::Close() { db_.reset(); }

}  // namespace opsdesk::storage
