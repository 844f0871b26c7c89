// One search over tickets (subject, body, replies, internal notes) and
// knowledge base articles (title, body), inside opsdesk's own database: FTS5 on
// SQLite, tsvector with GIN on PostgreSQL (migration 0012_search.sql keeps both
// indexes in the same transaction as every write). docs/SEARCH.md has the
// rules; the query language is in search/query.h.
//
// Permissions are part of every query, not a filter applied afterwards: a
// requester's search reads only their own tickets, only their public text
// (never an internal note, not even to rank or to make a snippet), and only
// published public articles. Staff search everything.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "search/query.h"
#include "storage/database.h"

namespace opsdesk::search {

constexpr int kDefaultSearchLimit = 20;
constexpr int kMaxSearchLimit = 100;
constexpr int kMaxSearchOffset = 1000;  // deeper pages are for filters, not ranking
constexpr int kMaxSuggestions = 10;
// Staff ticket searches rank the newest this many tickets that match the query
// and its filters (docs/SEARCH.md); a requester's own tickets are all ranked.
constexpr int kRankWindow = 2000;

struct SearchHit {
  std::string type;  // ticket | article
  int64_t id = 0;
  std::string title;         // the ticket's subject, the article's title
  std::string snippet_html;  // HTML-escaped text around the matches, each in <mark>...</mark>
  double score = 0;          // relevance, higher first; 0 for a query of filters alone and a requester's tickets
  std::string status;        // the ticket's status or the article's state
  std::optional<std::string> queue;     // tickets: the queue's name
  std::optional<std::string> audience;  // articles: public | internal
  TimestampMs updated_at = 0;
};

struct SearchRequest {
  std::string q;             // the query language of search/query.h
  bool as_you_type = false;  // the last word is a prefix
  std::optional<std::string> cursor;
  int limit = kDefaultSearchLimit;
};

class SearchService {
 public:
  struct Options {
    int rank_window = kRankWindow;
    // Suggestions skip words in more than a quarter of the articles once there are
    // this many (search_service.cc, InformativeWords).
    int64_t min_articles_to_prune = 500;
  };
  // Tests make the options small.
  explicit SearchService(storage::Database& db) : SearchService(db, Options{}) {}
  SearchService(storage::Database& db, Options options) : db_(db), options_(options) {}

  // Best matches first (or newest first for a query of filters alone), tickets
  // and articles together unless `type:` says which; staff rank the newest
  // rank_window matching tickets. A requester gets their own matching tickets
  // first, newest first, then articles by relevance. kInvalidArgument naming
  // "q" for a malformed query, "limit" or "cursor" for bad paging.
  Result<Page<SearchHit>> Search(const auth::Actor& actor, const SearchRequest& request);

  // Published articles relevant to free text: what a requester is typing as a
  // new ticket's subject and description (public articles only), or a ticket's
  // subject and body for the agent's panel (internal SOPs too). Any of the
  // text's significant words may match; the best matches come first. Empty
  // text or text of stop words alone gives no suggestions.
  Result<std::vector<SearchHit>> SuggestArticles(const auth::Actor& actor, std::string_view text, int limit,
                                                 bool as_you_type);

 private:
  // The free text's words worth ranking articles by, rarest first (see the .cc).
  Result<std::vector<SearchTerm>> InformativeWords(storage::Transaction& tx, std::string_view text,
                                                          bool as_you_type);
  // How many articles match `fts` / `tsquery` (one word), cached for a minute:
  // as one types, every keystroke sends the same words again.
  Result<int64_t> ArticleCount(storage::Transaction& tx, const std::string& key, const std::string& fts,
                               const std::string& tsquery);

  storage::Database& db_;
  Options options_;
  struct CachedCount {
    int64_t count = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex counts_mu_;
  std::unordered_map<std::string, CachedCount> article_counts_;  // GUARDED_BY(counts_mu_)
};

// Snippet text from an engine, with match start and end marked by \x02 and
// \x03, as safe HTML: everything escaped, the marks as <mark> pairs that are
// always balanced.
std::string SnippetHtml(std::string_view marked);

}  // namespace opsdesk::search
