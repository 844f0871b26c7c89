// bm25_counted against FTS5's own bm25(): given the true document counts of
// the whole table it must rank exactly alike, and counts from a sample move
// the score the way BM25's inverse document frequency says.
#include "storage/sqlite_bm25.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/database.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"

namespace opsdesk::storage {
namespace {

class Bm25CountedTest : public testing::Test {
 protected:
  void SetUp() override {
    auto test_db = TestDatabase::Create(Engine::kSqlite);
    ASSERT_TRUE(test_db.ok()) << test_db.status().ToString();
    test_db_ = std::move(*test_db);
    ASSERT_OK(db().Write([](Transaction& tx) -> Status {
      OPSDESK_RETURN_IF_ERROR(tx.ExecScript("CREATE VIRTUAL TABLE docs USING fts5(title, body)"));
      const char* rows[][2] = {{"kafka lag", "the consumer lag on kafka grows"},
                               {"spark job", "executor lost, kafka source"},
                               {"access", "please grant access to the ledger"},
                               {"kafka kafka", "kafka"},
                               {"ledger totals", "totals wrong since the deploy"}};
      for (const auto& row : rows) {
        OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO docs (title, body) VALUES (?, ?)", {row[0], row[1]}).status());
      }
      return Status::Ok();
    }));
  }

  Database& db() { return test_db_->db(); }

  // (bm25 with weights, bm25_counted with the same weights and the given counts) per matching row.
  std::vector<std::pair<double, double>> Scores(const std::string& match, const std::string& counts) {
    std::vector<std::pair<double, double>> out;
    Status status = db().Read([&](Transaction& tx) -> Status {
      OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT bm25(docs, 3.0, 1.0), bm25_counted(docs, " + counts +
                                                       ", 3.0, 1.0) FROM docs WHERE docs MATCH ? ORDER BY rowid",
                                                   {match}));
      for (const auto& r : rows) out.emplace_back(r.Double(0), r.Double(1));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  std::unique_ptr<TestDatabase> test_db_;
};

TEST_F(Bm25CountedTest, WithTheTableCountsItEqualsBm25) {
  // kafka is in 3 of the 5 rows, ledger in 2.
  auto scores = Scores("kafka OR ledger", "5, 3, 2");
  ASSERT_EQ(scores.size(), 5u);
  for (const auto& [builtin, counted] : scores) {
    EXPECT_NEAR(counted, builtin, 1e-9);
    EXPECT_LT(counted, 0) << "minus the score, as bm25()";
  }
  // A phrase, an exclusion and a prefix: one count per phrase, in the order FTS5 numbers them.
  for (const auto& [match, counts] : std::vector<std::pair<std::string, std::string>>{
           {"\"kafka lag\" NOT ledger", "5, 1, 2"}, {"kaf* AND grows", "5, 3, 1"}}) {
    auto more = Scores(match, counts);
    ASSERT_EQ(more.size(), 1u) << match;
    EXPECT_NEAR(more[0].second, more[0].first, 1e-9) << match;
  }
}

TEST_F(Bm25CountedTest, ARarerWordInTheSampleWeighsMore) {
  auto common = Scores("ledger", "1000, 500");
  auto rare = Scores("ledger", "1000, 5");
  ASSERT_EQ(common.size(), 2u);
  ASSERT_EQ(rare.size(), 2u);
  for (size_t i = 0; i < rare.size(); ++i) EXPECT_LT(rare[i].second, common[i].second);
}

TEST_F(Bm25CountedTest, RefusesCountsThatDoNotFitTheQuery) {
  Status status = db().Read([&](Transaction& tx) {
    return tx.Query("SELECT bm25_counted(docs, 5, 3) FROM docs WHERE docs MATCH 'kafka OR ledger'").status();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("bm25_counted"), std::string::npos) << status.ToString();
}

}  // namespace
}  // namespace opsdesk::storage
