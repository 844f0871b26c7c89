// A fixture for tests of the tickets service on both engines: a migrated test
// database, a TicketService on a ManualClock, a few users of each role and two
// queues. Tests derive from TicketDeskTest and instantiate it over
// storage::Engine values.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/random.h"
#include "queues/queue_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/query_count.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"
#include "testing/migrated_database.h"

namespace opsdesk::test_util {

class TicketDeskTest : public testing::TestWithParam<storage::Engine> {
 protected:
  static constexpr TimestampMs kStart = 1'700'000'000'000;

  void SetUp() override {
    using auth::Role;
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    service_ = std::make_unique<tickets::TicketService>(db(), clock_);
    ASSERT_OK_AND_ASSIGN(agent_, InsertTestUser(db(), kStart, "agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(agent2_, InsertTestUser(db(), kStart, "agent2@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(lead_, InsertTestUser(db(), kStart, "lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(alice_, InsertTestUser(db(), kStart, "alice@example.com", Role::kRequester));
    ASSERT_OK_AND_ASSIGN(bob_, InsertTestUser(db(), kStart, "bob@example.com", Role::kRequester));
    ASSERT_OK_AND_ASSIGN(retired_, InsertTestUser(db(), kStart, "retired@example.com", Role::kAgent, false));
    queues::QueueService queues(db(), clock_);
    auto system = auth::Actor::System();
    ASSERT_OK_AND_ASSIGN(ingestion_, queues.CreateQueue(system, {"ingestion", std::nullopt, ""}));
    ASSERT_OK_AND_ASSIGN(query_engine_, queues.CreateQueue(system, {"query-engine", std::nullopt, ""}));
  }

  storage::Database& db() { return test_db_->db(); }
  tickets::TicketService& svc() { return *service_; }
  auth::Actor Agent() const { return auth::Actor::Of(agent_); }
  auth::Actor Agent2() const { return auth::Actor::Of(agent2_); }
  auth::Actor Alice() const { return auth::Actor::Of(alice_); }
  auth::Actor Bob() const { return auth::Actor::Of(bob_); }

  int64_t Count(const std::string& sql, const storage::Params& params = {}) { return QueryCount(db(), sql, params); }

  // The rows `queries` return, as text: equal snapshots mean those tables hold
  // exactly the same data (how tests show that nothing was written).
  std::string Snapshot(const std::vector<std::string>& queries) {
    std::string out;
    Status status = db().Read([&](storage::Transaction& tx) -> Status {
      for (const auto& sql : queries) {
        auto rows = tx.Query(sql);
        if (!rows.ok()) return rows.status();
        out += "## " + sql + "\n";
        for (const auto& row : *rows) {
          for (size_t col = 0; col < row.size(); ++col) out += (row.IsNull(col) ? "<null>" : row.Text(col)) + "|";
          out += "\n";
        }
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<tickets::TicketService> service_;
  auth::User agent_, agent2_, lead_, alice_, bob_, retired_;
  queues::Queue ingestion_, query_engine_;
};

}  // namespace opsdesk::test_util
