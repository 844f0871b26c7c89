// Turns parsed search terms into each engine's full-text query, and free text
// (what a requester types, a ticket's subject and body) into the words worth
// matching. Pure: no database. The engines' own tokenisers do the rest (case
// folding, stemming, diacritics), so a term is split here only where it has
// to be quoted safely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "search/query.h"

namespace opsdesk::search {

// The word pieces of a term as the engines would see them: runs of ASCII
// letters and digits or of non-ASCII bytes (UTF-8 letters), lower-cased.
// "pg_dump" -> {"pg", "dump"}; "!!!" -> {}.
std::vector<std::string> WordPieces(std::string_view text);

// An FTS5 MATCH expression: every positive term required (a phrase as a
// phrase, a prefix with *), every negated one excluded with NOT. Each piece is
// a quoted FTS5 string, so nothing a user types is read as FTS5 syntax. Empty
// when no positive term has a word piece.
std::string Fts5Expression(const std::vector<SearchTerm>& terms);

// The same as text for PostgreSQL's to_tsquery('english', ...): & between terms,
// <-> inside phrases, :* for prefixes, ! for exclusions, every lexeme quoted.
// Empty when no positive term has a word piece.
std::string TsQueryText(const std::vector<SearchTerm>& terms);

// The distinct words of free text worth matching: pieces of two characters or
// more that are not common English stop words, in order of appearance, at
// most `max_words`. As one types (`last_is_prefix`) the last word is a prefix
// and kept even when short.
struct FreeTextWords {
  std::vector<std::string> words;
  bool last_is_prefix = false;
};
FreeTextWords SignificantWords(std::string_view text, size_t max_words, bool last_is_prefix);

// Any of the words (OR), for suggestions: FTS5 and to_tsquery forms.
std::string Fts5AnyOf(const FreeTextWords& words);
std::string TsQueryAnyOf(const FreeTextWords& words);
// Any of single-word terms (their text and prefix flag; phrase and negation ignored).
std::string Fts5AnyOf(const std::vector<SearchTerm>& words);
std::string TsQueryAnyOf(const std::vector<SearchTerm>& words);
// The terms of `words`, the last one a prefix when it is.
std::vector<SearchTerm> AsTerms(const FreeTextWords& words);

// A LIKE pattern finding `word` in a space-separated list column (tags, queue
// ids), for `(' ' || column || ' ') LIKE ? ESCAPE '\\'` on either engine: the
// pattern is "% word %" with LIKE's own characters escaped. Also used by the
// knowledge base's component filter (kb::KbService::List).
std::string InListPattern(std::string_view word);

}  // namespace opsdesk::search
