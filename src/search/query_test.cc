// The search query parser: valid queries give the terms and filters they say;
// malformed ones fail with a message naming what is wrong and where.
#include "search/query.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace opsdesk::search {
namespace {

std::string ErrorOf(std::string_view q, bool as_you_type = false) {
  auto parsed = ParseSearchQuery(q, as_you_type);
  if (parsed.ok()) return "(parsed)";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  auto it = parsed.status().fields().find("q");
  return it == parsed.status().fields().end() ? "(no q)" : it->second;
}

TEST(SearchQueryTest, WordsPhrasesExclusionsAndFilters) {
  ASSERT_OK_AND_ASSIGN(SearchQuery q, ParseSearchQuery(R"(kafka lag status:open queue:ingestion "consumer   group" -flink tag:vip -status:closed)"));
  EXPECT_EQ(q.terms, (std::vector<SearchTerm>{{"kafka", false, false, false},
                                              {"lag", false, false, false},
                                              {"consumer group", true, false, false},
                                              {"flink", false, true, false}}));
  EXPECT_EQ(q.filters, (std::vector<SearchFilter>{{"status", "open", false},
                                                  {"queue", "ingestion", false},
                                                  {"tag", "vip", false},
                                                  {"status", "closed", true}}));
  EXPECT_TRUE(q.HasPositiveTerm());
}

TEST(SearchQueryTest, QuotedFilterValuesDatesPeopleAndCase) {
  ASSERT_OK_AND_ASSIGN(SearchQuery q, ParseSearchQuery(R"(Type:Article queue:"data lake" after:2026-01-31 author:Priya@Example.com assignee:none)"));
  EXPECT_TRUE(q.terms.empty());
  EXPECT_EQ(q.filters, (std::vector<SearchFilter>{{"type", "article", false},
                                                  {"queue", "data lake", false},
                                                  {"after", "2026-01-31", false},
                                                  {"author", "priya@example.com", false},
                                                  {"assignee", "none", false}}));
}

TEST(SearchQueryTest, PrefixesExplicitAndAsOneTypes) {
  ASSERT_OK_AND_ASSIGN(SearchQuery q, ParseSearchQuery("ingest* lag"));
  EXPECT_TRUE(q.terms[0].prefix);
  EXPECT_FALSE(q.terms[1].prefix);
  ASSERT_OK_AND_ASSIGN(q, ParseSearchQuery("restart the consu", true));
  EXPECT_FALSE(q.terms[1].prefix);
  EXPECT_TRUE(q.terms[2].prefix);
  // Not once a space ends the word, nor for a phrase, an exclusion or a filter.
  for (const char* done : {"restart the ", "restart \"the consumer\"", "restart -flink", "restart status:open"}) {
    ASSERT_OK_AND_ASSIGN(q, ParseSearchQuery(done, true));
    for (const auto& t : q.terms) EXPECT_FALSE(t.prefix) << done;
  }
}

TEST(SearchQueryTest, WordsKeepTheirInnerPunctuation) {
  ASSERT_OK_AND_ASSIGN(SearchQuery q, ParseSearchQuery("on-call spark.sql.shuffle café 10:30"));
  ASSERT_EQ(q.terms.size(), 4u);
  EXPECT_EQ(q.terms[0].text, "on-call");
  EXPECT_EQ(q.terms[1].text, "spark.sql.shuffle");
  EXPECT_EQ(q.terms[2].text, "café");
  EXPECT_EQ(q.terms[3].text, "10:30");  // only letters before ':' make a filter
}

TEST(SearchQueryTest, MalformedQueriesSayWhatAndWhere) {
  EXPECT_EQ(ErrorOf(R"(kafka "consumer group)"), "unterminated quote (at character 7)");
  EXPECT_EQ(ErrorOf("stauts:open"),
            "unknown filter stauts: (use type, status, queue, tag, author, assignee, after or before) (at character 1)");
  EXPECT_EQ(ErrorOf("lag status:"), "filter status: needs a value (at character 12)");
  EXPECT_NE(ErrorOf("status:opened").find("status: must be a ticket status"), std::string::npos);
  EXPECT_EQ(ErrorOf("after:2026-13-01"), "after: must be a date such as 2026-01-31 (at character 7)");
  EXPECT_EQ(ErrorOf("type:faq"), "type: must be ticket or article (at character 6)");
  EXPECT_EQ(ErrorOf("author:bob"), "author: must be an e-mail address or me (at character 8)");
  EXPECT_EQ(ErrorOf("kafka - lag"), "'-' must come right before a word, phrase or filter (at character 7)");
  EXPECT_EQ(ErrorOf("kafka *"), "'*' must end a word (at character 7)");
  EXPECT_EQ(ErrorOf("ka*fka"), "'*' may only end a word (at character 3)");
  EXPECT_EQ(ErrorOf(R"("")"), "empty phrase (at character 1)");
  EXPECT_EQ(ErrorOf(R"("lag"x)"), "a phrase must be followed by a space (at character 6)");
  EXPECT_EQ(ErrorOf("   "), "must not be empty");
  EXPECT_EQ(ErrorOf("-flink -spark"), "must have a word or a filter besides exclusions");
  EXPECT_EQ(ErrorOf(std::string(501, 'a')), "must be at most 500 bytes");
  std::string many;
  for (int i = 0; i < 33; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(ErrorOf(many), "must have at most 32 words and filters");
  EXPECT_EQ(ErrorOf("\xff"), "must be valid UTF-8");
}

TEST(SearchQueryTest, ExclusionsWithAFilterAreAQuery) {
  ASSERT_OK_AND_ASSIGN(SearchQuery q, ParseSearchQuery("-flink status:open"));
  EXPECT_FALSE(q.HasPositiveTerm());
  EXPECT_EQ(q.filters.size(), 1u);
}

}  // namespace
}  // namespace opsdesk::search
