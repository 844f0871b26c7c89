// The search query language (issue 6): words, "exact phrases", -exclusions and
// filters, parsed by a real parser with errors that say where and what:
//
//   kafka lag status:open queue:ingestion "consumer group" -flink tag:vip
//   type:article after:2026-01-01 author:priya@example.com
//
// Words are matched as written (the engines fold case and stem); a trailing *
// makes a word a prefix, and as one types the last word is a prefix anyway.
// Filters: type (ticket | article), status, queue, tag, author (an e-mail or
// `me`), assignee (an e-mail, `me` or `none`), after and before (YYYY-MM-DD).
// A filter may be negated (-status:closed) and its value quoted (queue:"data
// lake"). Pure: no database.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace opsdesk::search {

constexpr size_t kMaxQueryBytes = 500;
constexpr size_t kMaxTerms = 32;

struct SearchTerm {
  std::string text;  // a word, or the words of a phrase separated by single spaces
  bool phrase = false;
  bool negated = false;
  bool prefix = false;
  bool operator==(const SearchTerm&) const = default;
};

struct SearchFilter {
  std::string key;    // type | status | queue | tag | author | assignee | after | before
  std::string value;
  bool negated = false;
  bool operator==(const SearchFilter&) const = default;
};

struct SearchQuery {
  std::vector<SearchTerm> terms;
  std::vector<SearchFilter> filters;
  // Terms that rank (not negated): a query needs one, or at least a filter.
  bool HasPositiveTerm() const;
};

// kInvalidArgument naming the field "q" with a message that says what is wrong
// and at which character (1-based) for: an unterminated quote, an unknown
// filter, an empty or invalid filter value, a lone '-' or '*', a query that is
// empty, too long or has too many terms, or that only excludes.
// `as_you_type`: the last word (not a phrase, not negated) is a prefix.
Result<SearchQuery> ParseSearchQuery(std::string_view text, bool as_you_type = false);

}  // namespace opsdesk::search
