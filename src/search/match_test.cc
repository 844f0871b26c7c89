// The engines' query text built from parsed terms: what a user types is never
// read as FTS5 or tsquery syntax, and snippets are safe HTML.
#include "search/match.h"

#include <gtest/gtest.h>

#include "search/search_service.h"

namespace opsdesk::search {
namespace {

SearchTerm Word(std::string text, bool prefix = false, bool negated = false) {
  return SearchTerm{std::move(text), false, negated, prefix};
}

TEST(WordPiecesTest, SplitsOnWhatTheTokenisersSplitOn) {
  EXPECT_EQ(WordPieces("pg_dump"), (std::vector<std::string>{"pg", "dump"}));
  EXPECT_EQ(WordPieces("Kafka-Connect 2.0"), (std::vector<std::string>{"kafka", "connect", "2", "0"}));
  EXPECT_EQ(WordPieces("Müller"), (std::vector<std::string>{"m\xc3\xbcller"}));
  EXPECT_TRUE(WordPieces("!!! --- ***").empty());
}

TEST(Fts5ExpressionTest, QuotesEveryPieceAndCombinesTerms) {
  EXPECT_EQ(Fts5Expression({Word("kafka"), Word("lag")}), "\"kafka\" AND \"lag\"");
  EXPECT_EQ(Fts5Expression({SearchTerm{"consumer group", true, false, false}}), "\"consumer group\"");
  EXPECT_EQ(Fts5Expression({Word("kaf", true)}), "\"kaf\" *");
  EXPECT_EQ(Fts5Expression({Word("kafka"), Word("flink", false, true)}), "(\"kafka\") NOT \"flink\"");
  // FTS5 syntax typed by a user is only words.
  EXPECT_EQ(Fts5Expression({Word("NEAR(a"), Word("subject:x"), Word("OR")}),
            "\"near a\" AND \"subject x\" AND \"or\"");
  EXPECT_EQ(Fts5Expression({Word("!!!")}), "");
  EXPECT_EQ(Fts5Expression({Word("kafka", false, true)}), "") << "only exclusions: nothing to rank";
}

TEST(TsQueryTextTest, QuotesEveryLexemeAndCombinesTerms) {
  EXPECT_EQ(TsQueryText({Word("kafka"), Word("lag")}), "'kafka' & 'lag'");
  EXPECT_EQ(TsQueryText({SearchTerm{"consumer group", true, false, false}}), "('consumer' <-> 'group')");
  EXPECT_EQ(TsQueryText({Word("kaf", true)}), "'kaf':*");
  EXPECT_EQ(TsQueryText({Word("kafka"), Word("flink", false, true)}), "('kafka') & !'flink'");
  EXPECT_EQ(TsQueryText({Word("a'b|c&!d")}), "('a' <-> 'b' <-> 'c' <-> 'd')");
}

TEST(SignificantWordsTest, DropsStopWordsAndRepeatsKeepsTheTypedPrefix) {
  auto w = SignificantWords("I can't see my table in the warehouse, the table!", 10, false);
  EXPECT_EQ(w.words, (std::vector<std::string>{"see", "table", "warehouse"}));
  EXPECT_FALSE(w.last_is_prefix);
  auto typing = SignificantWords("warehouse tab", 10, true);
  EXPECT_EQ(typing.words, (std::vector<std::string>{"warehouse", "tab"}));
  EXPECT_TRUE(typing.last_is_prefix);
  EXPECT_EQ(Fts5AnyOf(typing), "\"warehouse\" OR \"tab\" *");
  EXPECT_EQ(TsQueryAnyOf(typing), "'warehouse' | 'tab':*");
  auto finished = SignificantWords("warehouse tab ", 10, true);
  EXPECT_FALSE(finished.last_is_prefix) << "a trailing space ends the word";
  EXPECT_EQ(SignificantWords("warehouse t", 10, true).words, (std::vector<std::string>{"warehouse"}))
      << "a one-letter prefix matches too much to help";
  EXPECT_EQ(SignificantWords("alpha beta gamma delta", 2, false).words.size(), 2u);
}

TEST(SnippetHtmlTest, EscapesEverythingAndBalancesMarks) {
  EXPECT_EQ(SnippetHtml("a \x02kafka\x03 <script>&\"'"),
            "a <mark>kafka</mark> &lt;script&gt;&amp;&quot;&#39;");
  EXPECT_EQ(SnippetHtml("\x02open"), "<mark>open</mark>");
  EXPECT_EQ(SnippetHtml("close\x03 \x02\x02x\x03\x03"), "close <mark>x</mark>");
  EXPECT_EQ(SnippetHtml("line\none"), "line one");
}

TEST(InListPatternTest, FindsAWholeWordAndEscapesLikeCharacters) {
  EXPECT_EQ(InListPattern("12"), "% 12 %");
  EXPECT_EQ(InListPattern("a_b%c\\"), "% a\\_b\\%c\\\\ %");
}

}  // namespace
}  // namespace opsdesk::search
