// The line diff: small hand-checked cases, and a property over random edits:
// replaying the diff gives back both texts, and no diff is longer than deleting
// everything and inserting everything.
#include "kb/diff.h"

#include <gtest/gtest.h>

#include <random>

namespace opsdesk::kb {
namespace {

std::string Render(const std::vector<DiffLine>& diff) {
  std::string out;
  for (const auto& l : diff) {
    out += l.op == DiffOp::kEqual ? ' ' : l.op == DiffOp::kInsert ? '+' : '-';
    out += l.text + "\n";
  }
  return out;
}

TEST(DiffTest, EqualTextsAreAllEqual) {
  EXPECT_EQ(Render(DiffLines("a\nb\n", "a\nb\n")), " a\n b\n");
  EXPECT_TRUE(DiffLines("", "").empty());
}

TEST(DiffTest, ChangedLineIsDeletedThenInserted) {
  EXPECT_EQ(Render(DiffLines("restart the broker\ncheck lag\n", "restart the consumer\ncheck lag\n")),
            "-restart the broker\n+restart the consumer\n check lag\n");
}

TEST(DiffTest, InsertionsAndDeletionsAroundCommonLines) {
  EXPECT_EQ(Render(DiffLines("1\n2\n3\n4\n", "0\n1\n3\n4\n5\n")), "+0\n 1\n-2\n 3\n 4\n+5\n");
  EXPECT_EQ(Render(DiffLines("", "x\ny")), "+x\n+y\n");
  EXPECT_EQ(Render(DiffLines("x\r\ny", "")), "-x\n-y\n");  // CRLF is one line ending
}

TEST(DiffTest, BeyondTheEditLimitEverythingIsReplaced) {
  EXPECT_EQ(Render(DiffLines("a\nb\nc\n", "x\nb\ny\n", 1)), "-a\n-b\n-c\n+x\n+b\n+y\n");
}

TEST(DiffPropertyTest, ReplayingTheDiffGivesBothTexts) {
  std::mt19937 rng(20261125);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> a;
    int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) a.push_back(std::to_string(rng() % 6));  // many repeats
    std::vector<std::string> b = a;
    int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      int what = static_cast<int>(rng() % 3);
      if (what == 0 || b.empty()) b.insert(b.begin() + (b.empty() ? 0 : rng() % (b.size() + 1)), std::to_string(rng() % 6));
      else if (what == 1) b.erase(b.begin() + rng() % b.size());
      else b[rng() % b.size()] = std::to_string(rng() % 6);
    }
    std::string ta, tb;
    for (auto& s : a) ta += s + "\n";
    for (auto& s : b) tb += s + "\n";
    auto diff = DiffLines(ta, tb);
    std::string ra, rb;
    size_t changed = 0;
    for (const auto& l : diff) {
      if (l.op != DiffOp::kInsert) ra += l.text + "\n";
      if (l.op != DiffOp::kDelete) rb += l.text + "\n";
      if (l.op != DiffOp::kEqual) ++changed;
    }
    ASSERT_EQ(ra, ta) << "round " << round;
    ASSERT_EQ(rb, tb) << "round " << round;
    EXPECT_LE(changed, a.size() + b.size());
    // Minimal: never more changes than the edits could explain (each edit at most 2 lines).
    EXPECT_LE(changed, static_cast<size_t>(2 * edits)) << "round " << round;
  }
}

}  // namespace
}  // namespace opsdesk::kb
