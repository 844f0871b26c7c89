// Bodies are rendered to safe HTML once, when written, and stored (migration
// 0002); rows written before that are rendered when read.
#include <gtest/gtest.h>

#include "auth/user.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"
#include "testing/user_fixtures.h"
#include "tickets/ticket_service.h"

namespace opsdesk::tickets {
namespace {

using storage::Engine;

class TicketRenderingTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(test_db_, storage::TestDatabase::Create(GetParam()));
    ASSERT_OK(storage::Migrate(db(), clock_));
    ASSERT_OK_AND_ASSIGN(auto agent,
                         test_util::InsertTestUser(db(), clock_.NowMs(), "agent@example.com", auth::Role::kAgent));
    agent_ = auth::Actor::Of(agent);
  }
  storage::Database& db() { return test_db_->db(); }
  std::string Stored(const char* sql, int64_t id) {
    std::string html;
    EXPECT_TRUE(db().Read([&](storage::Transaction& tx) -> Status {
                      auto row = tx.QueryOne(sql, {id});
                      if (!row.ok()) return row.status();
                      html = (*row)->IsNull(0) ? "<null>" : (*row)->Text(0);
                      return Status::Ok();
                    })
                    .ok());
    return html;
  }

  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<storage::TestDatabase> test_db_;
  auth::Actor agent_;
};

TEST_P(TicketRenderingTest, StoresSafeHtmlAtWriteTime) {
  TicketService tickets(db(), clock_);
  NewTicket input;
  input.subject = "Rendering";
  input.body = "**bold** <script>alert(1)</script>";
  input.requester_email = "someone@example.com";
  ASSERT_OK_AND_ASSIGN(auto created, tickets.Create(agent_, input));
  std::string html = Stored("SELECT body_html FROM tickets WHERE id = ?", created.ticket.id);
  EXPECT_NE(html.find("<strong>bold</strong>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(created.ticket.body_html, html);

  ASSERT_OK_AND_ASSIGN(auto comment, tickets.AddComment(agent_, created.ticket.id, {"_note_", true}));
  EXPECT_EQ(Stored("SELECT body_html FROM comments WHERE id = ?", comment.id), "<p><em>note</em></p>\n");
}

TEST_P(TicketRenderingTest, RendersRowsWrittenBeforeTheMigrationWhenRead) {
  TicketService tickets(db(), clock_);
  NewTicket input;
  input.subject = "Old row";
  input.body = "*old*";
  input.requester_email = "someone@example.com";
  ASSERT_OK_AND_ASSIGN(auto created, tickets.Create(agent_, input));
  ASSERT_OK(db().Write([&](storage::Transaction& tx) {
    return tx.Exec("UPDATE tickets SET body_html = NULL WHERE id = ?", {created.ticket.id}).status();
  }));
  ASSERT_OK_AND_ASSIGN(auto ticket, tickets.Get(agent_, created.ticket.id));
  EXPECT_EQ(ticket.body_html, "<p><em>old</em></p>\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, TicketRenderingTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& info) { return std::string(storage::EngineName(info.param)); });

}  // namespace
}  // namespace opsdesk::tickets
