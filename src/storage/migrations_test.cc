// Schema migrations on both engines: from empty to the latest version, re-running
// as a no-op (also after a reopen), and refusing a database that is newer than
// this binary without touching it.
#include "storage/migrations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"
#include "storage/embedded_migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"

namespace opsdesk::storage {
namespace {

using test_util::StatusOf;

constexpr TimestampMs kStart = 1'700'000'000'000;

// The tables the first migration creates; later migrations may add more.
const std::set<std::string> kInitialTables = {
    "users",       "teams",    "team_members", "queues",       "api_tokens",     "tickets",
    "ticket_tags", "comments", "ticket_links", "ticket_events", "idempotency_keys"};

int VersionOfFile(const EmbeddedFile& file) { return std::stoi(std::string(file.name.substr(0, 4))); }

class MigrationsTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    auto test_db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(test_db.ok()) << test_db.status().ToString();
    test_db_ = std::move(*test_db);
  }

  Database& db() { return test_db_->db(); }

  std::set<std::string> Tables() {
    const char* sql = GetParam() == Engine::kSqlite
                          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                          : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
    std::set<std::string> tables;
    Status status = db().Read([&](Transaction& tx) -> Status {
      auto rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      for (const auto& row : *rows) tables.insert(row.Text(0));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return tables;
  }

  // schema_migrations as "version|name|applied_at" lines.
  std::vector<std::string> Applied() {
    std::vector<std::string> applied;
    Status status = db().Read([&](Transaction& tx) -> Status {
      auto rows = tx.Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
      if (!rows.ok()) return rows.status();
      for (const auto& row : *rows) {
        applied.push_back(std::to_string(row.Int(0)) + "|" + row.Text(1) + "|" + std::to_string(row.Int(2)));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return applied;
  }

  Status Exec(const std::string& sql, const Params& params = {}) {
    return db().Write([&](Transaction& tx) { return tx.Exec(sql, params).status(); });
  }

  ManualClock clock_{kStart};
  std::unique_ptr<TestDatabase> test_db_;
};

TEST_P(MigrationsTest, EmbeddedFilesAreNumberedInOrder) {
  const auto& files = EmbeddedMigrationFiles();
  ASSERT_FALSE(files.empty());
  int previous = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(std::string(file.name));
    int version = VersionOfFile(file);
    EXPECT_GT(version, previous);
    previous = version;
    EXPECT_FALSE(file.text.empty());
    // Every dialect placeholder is expanded for this engine.
    EXPECT_EQ(ExpandDialect(file.text, GetParam()).find("{{"), std::string::npos);
  }
  EXPECT_EQ(LatestSchemaVersion(), previous);
}

TEST_P(MigrationsTest, MigratingEmptyDatabaseAppliesEveryMigration) {
  ASSERT_OK(CurrentSchemaVersion(db()));
  EXPECT_EQ(*CurrentSchemaVersion(db()), 0);
  EXPECT_EQ(Tables(), (std::set<std::string>{"schema_migrations"}));

  ASSERT_OK(Migrate(db(), clock_));

  auto version = CurrentSchemaVersion(db());
  ASSERT_OK(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
  std::vector<std::string> expected;
  for (const auto& file : EmbeddedMigrationFiles()) {
    expected.push_back(std::to_string(VersionOfFile(file)) + "|" + std::string(file.name) + "|" +
                       std::to_string(kStart));
  }
  EXPECT_EQ(Applied(), expected);

  std::set<std::string> tables = Tables();
  for (const auto& table : kInitialTables) EXPECT_EQ(tables.count(table), 1u) << table;
  EXPECT_EQ(tables.count("schema_migrations"), 1u);

  // The expanded schema works: generated keys, defaults and constraints.
  ASSERT_OK(Exec("INSERT INTO users (email, email_norm, display_name, role, created_at, updated_at) "
                 "VALUES ('a@example.com', 'a@example.com', 'A', 'agent', 1, 1)"));
  ASSERT_OK(Exec("INSERT INTO users (email, email_norm, display_name, role, created_at, updated_at) "
                 "VALUES ('b@example.com', 'b@example.com', 'B', 'agent', 1, 1)"));
  Status status = db().Read([&](Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT id, is_active, time_zone FROM users ORDER BY id");
    if (!rows.ok()) return rows.status();
    EXPECT_EQ(rows->size(), 2u);
    if (rows->size() == 2) {
      EXPECT_LT((*rows)[0].Int(0), (*rows)[1].Int(0));
      EXPECT_EQ((*rows)[0].Int(1), 1);
      EXPECT_EQ((*rows)[0].Text(2), "UTC");
    }
    return Status::Ok();
  });
  ASSERT_OK(status);
  // The role CHECK constraint holds.
  EXPECT_FALSE(Exec("INSERT INTO users (email, email_norm, display_name, role, created_at, updated_at) "
                    "VALUES ('c@example.com', 'c@example.com', 'C', 'superuser', 1, 1)")
                   .ok());
}

TEST_P(MigrationsTest, SecondMigrateIsNoOp) {
  ASSERT_OK(Migrate(db(), clock_));
  ASSERT_OK(Exec("INSERT INTO teams (name, created_at) VALUES ('platform', 1)"));
  std::vector<std::string> applied = Applied();
  std::set<std::string> tables = Tables();

  clock_.Advance(60'000);
  ASSERT_OK(Migrate(db(), clock_));
  EXPECT_EQ(Applied(), applied);  // nothing re-applied, applied_at unchanged
  EXPECT_EQ(Tables(), tables);
  EXPECT_EQ(*CurrentSchemaVersion(db()), LatestSchemaVersion());
  Status status = db().Read([&](Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT COUNT(*) FROM teams WHERE name = 'platform'");
    if (!row.ok()) return row.status();
    EXPECT_EQ((*row)->Int(0), 1);
    return Status::Ok();
  });
  ASSERT_OK(status);
}

TEST_P(MigrationsTest, MigratedSchemaSurvivesReopen) {
  ASSERT_OK(Migrate(db(), clock_));
  std::vector<std::string> applied = Applied();
  ASSERT_OK(test_db_->Reopen());
  auto version = CurrentSchemaVersion(db());
  ASSERT_OK(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
  clock_.Advance(1000);
  ASSERT_OK(Migrate(db(), clock_));
  EXPECT_EQ(Applied(), applied);
}

TEST_P(MigrationsTest, RefusesMigratedDatabaseFromNewerBinary) {
  ASSERT_OK(Migrate(db(), clock_));
  const int future = LatestSchemaVersion() + 1;
  ASSERT_OK(Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                 {future, "9999_from_the_future.sql", kStart + 1}));
  std::vector<std::string> applied = Applied();
  std::set<std::string> tables = Tables();

  clock_.Advance(1000);
  Status status = Migrate(db(), clock_);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_EQ(Applied(), applied);
  EXPECT_EQ(Tables(), tables);
  EXPECT_EQ(*CurrentSchemaVersion(db()), future);
}

TEST_P(MigrationsTest, RefusesUnmigratedDatabaseMarkedNewer) {
  // A database whose only record says it is ahead of us: nothing may be created.
  ASSERT_OK(CurrentSchemaVersion(db()));  // creates the empty schema_migrations table
  const int future = LatestSchemaVersion() + 5;
  ASSERT_OK(Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                 {future, "future.sql", kStart}));
  std::vector<std::string> applied = Applied();

  Status status = Migrate(db(), clock_);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_EQ(Applied(), applied);
  EXPECT_EQ(Tables(), (std::set<std::string>{"schema_migrations"}));
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, MigrationsTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::storage
