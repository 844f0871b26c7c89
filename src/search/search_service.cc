#include "search/search_service.h"

#include <algorithm>
#include <bit>
#include <map>

#include "common/text.h"
#include "search/match.h"
#include "search/query.h"

namespace opsdesk::search {
namespace {

using auth::Actor;
using storage::Engine;
using storage::Params;
using storage::Transaction;

constexpr const char* kTicketStatuses[] = {"new", "open", "pending", "on_hold", "solved", "closed"};
constexpr size_t kPlainSnippetChars = 200;
constexpr size_t kMaxSuggestionWords = 16;
constexpr size_t kMaxRankedSuggestionWords = 4;
// ts_headline reads the text itself: bound it for a ticket with a long conversation.
constexpr int kMaxHeadlineChars = 100000;

bool IsTicketStatus(const std::string& value) {
  return std::find(std::begin(kTicketStatuses), std::end(kTicketStatuses), value) != std::end(kTicketStatuses);
}

// A statement being built: SQL text and its parameters, in the order of their `?`.
struct Sql {
  std::string text;
  Params params;

  Sql& operator<<(std::string_view part) {
    text += part;
    return *this;
  }
  Sql& Bind(storage::Value value) {
    text += '?';
    params.push_back(std::move(value));
    return *this;
  }
  template <typename T>
  Sql& BindList(const std::vector<T>& values) {
    text += '(';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) text += ", ";
      Bind(values[i]);
    }
    text += ')';
    return *this;
  }
};

// What the filters of a query mean once names are resolved to ids. Several
// positive values of one key are alternatives (status:open status:pending);
// negated values are all excluded; a name that matches nothing makes a
// positive filter match nothing (id -1) and a negated one exclude nothing.
struct Scope {
  bool tickets = true;
  bool articles = true;
  std::vector<std::string> ticket_status_in, ticket_status_out, article_state_in, article_state_out;
  std::vector<int64_t> queue_in, queue_out;
  std::vector<std::string> tag_in, tag_out;  // every positive tag is required
  std::vector<int64_t> author_in, author_out;
  std::vector<int64_t> assignee_in, assignee_out;
  bool assignee_none_in = false, assignee_none_out = false;
  std::optional<TimestampMs> created_from, created_before;
};

Result<std::optional<int64_t>> LookUpId(Transaction& tx, std::string_view sql, const std::string& value) {
  auto row = tx.QueryOne(sql, {value});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>((*row)->Int(0));
}

Result<std::optional<int64_t>> UserIdOf(Transaction& tx, const Actor& actor, const std::string& value) {
  if (value == "me") return std::optional<int64_t>(actor.user_id);
  return LookUpId(tx, "SELECT id FROM users WHERE email_norm = ?", ToLowerAscii(value));
}

TimestampMs DayStart(const std::string& date) {
  TimestampMs ms = 0;
  ParseTimestamp(date + "T00:00:00Z", &ms);  // the parser checked the form
  return ms;
}

// A filter value resolved to an id (or to none): a positive one that names
// nothing matches nothing (-1), a negated one that names nothing excludes nothing.
void AddResolved(const std::optional<int64_t>& id, bool negated, std::vector<int64_t>& in,
                 std::vector<int64_t>& out) {
  if (!negated) in.push_back(id.value_or(-1));
  else if (id) out.push_back(*id);
}

Result<Scope> ResolveScope(Transaction& tx, const Actor& actor, const SearchQuery& query) {
  Scope scope;
  bool any_status = false;
  for (const auto& f : query.filters) {
    const std::string& v = f.value;
    if (f.key == "type") {
      bool is_ticket = v == "ticket";
      if (f.negated) (is_ticket ? scope.tickets : scope.articles) = false;
      else (is_ticket ? scope.articles : scope.tickets) = false;
    } else if (f.key == "status") {
      bool ticket = IsTicketStatus(v);
      if (!f.negated) any_status = true;
      auto& list = ticket ? (f.negated ? scope.ticket_status_out : scope.ticket_status_in)
                          : (f.negated ? scope.article_state_out : scope.article_state_in);
      list.push_back(v);
    } else if (f.key == "queue") {
      OPSDESK_ASSIGN_OR_RETURN(auto id, LookUpId(tx, "SELECT id FROM queues WHERE lower(name) = ?", ToLowerAscii(v)));
      AddResolved(id, f.negated, scope.queue_in, scope.queue_out);
    } else if (f.key == "tag") {
      (f.negated ? scope.tag_out : scope.tag_in).push_back(ToLowerAscii(v));
    } else if (f.key == "author") {
      OPSDESK_ASSIGN_OR_RETURN(auto id, UserIdOf(tx, actor, v));
      AddResolved(id, f.negated, scope.author_in, scope.author_out);
    } else if (f.key == "assignee") {
      if (!f.negated) scope.articles = false;  // articles have no assignee
      if (v == "none") {
        (f.negated ? scope.assignee_none_out : scope.assignee_none_in) = true;
        continue;
      }
      OPSDESK_ASSIGN_OR_RETURN(auto id, UserIdOf(tx, actor, v));
      AddResolved(id, f.negated, scope.assignee_in, scope.assignee_out);
    } else if (f.key == "after") {
      TimestampMs from = DayStart(v);
      // after:D includes day D; -after:D means before it.
      if (f.negated) scope.created_before = std::min(scope.created_before.value_or(from), from);
      else scope.created_from = std::max(scope.created_from.value_or(from), from);
    } else if (f.key == "before") {
      TimestampMs until = DayStart(v);
      if (f.negated) scope.created_from = std::max(scope.created_from.value_or(until), until);
      else scope.created_before = std::min(scope.created_before.value_or(until), until);
    }
  }
  if (any_status) {
    if (scope.ticket_status_in.empty()) scope.tickets = false;
    if (scope.article_state_in.empty()) scope.articles = false;
  }
  return scope;
}

void AddCreatedRange(Sql& sql, const Scope& scope, std::string_view column) {
  if (scope.created_from) (sql << " AND " << column << " >= ").Bind(*scope.created_from);
  if (scope.created_before) (sql << " AND " << column << " < ").Bind(*scope.created_before);
}

// The conditions on `t` (tickets) every ticket search carries, the
// requester's own-tickets rule first.
void AddTicketConditions(Sql& sql, const Actor& actor, const Scope& scope) {
  if (!actor.IsStaff()) (sql << " AND t.requester_id = ").Bind(actor.user_id);
  if (!scope.ticket_status_in.empty()) (sql << " AND t.status IN ").BindList(scope.ticket_status_in);
  if (!scope.ticket_status_out.empty()) (sql << " AND t.status NOT IN ").BindList(scope.ticket_status_out);
  if (!scope.queue_in.empty()) (sql << " AND t.queue_id IN ").BindList(scope.queue_in);
  if (!scope.queue_out.empty()) (sql << " AND (t.queue_id IS NULL OR t.queue_id NOT IN ").BindList(scope.queue_out) << ")";
  for (const auto& tag : scope.tag_in) {
    (sql << " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ").Bind(tag) << ")";
  }
  for (const auto& tag : scope.tag_out) {
    (sql << " AND NOT EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ").Bind(tag)
        << ")";
  }
  if (!scope.author_in.empty()) (sql << " AND t.requester_id IN ").BindList(scope.author_in);
  if (!scope.author_out.empty()) (sql << " AND t.requester_id NOT IN ").BindList(scope.author_out);
  if (!scope.assignee_in.empty() || scope.assignee_none_in) {
    sql << " AND (";
    if (scope.assignee_none_in) sql << "t.assignee_id IS NULL";
    if (!scope.assignee_in.empty()) {
      if (scope.assignee_none_in) sql << " OR ";
      (sql << "t.assignee_id IN ").BindList(scope.assignee_in);
    }
    sql << ")";
  }
  if (scope.assignee_none_out) sql << " AND t.assignee_id IS NOT NULL";
  if (!scope.assignee_out.empty()) {
    (sql << " AND (t.assignee_id IS NULL OR t.assignee_id NOT IN ").BindList(scope.assignee_out) << ")";
  }
  AddCreatedRange(sql, scope, "t.created_at");
}

// The conditions on `a` (kb_articles): requesters read published public
// articles only, whatever the filters say.
void AddArticleConditions(Sql& sql, const Actor& actor, const Scope& scope) {
  if (!actor.IsStaff()) sql << " AND a.state = 'published' AND a.audience = 'public'";
  if (!scope.article_state_in.empty()) (sql << " AND a.state IN ").BindList(scope.article_state_in);
  if (!scope.article_state_out.empty()) (sql << " AND a.state NOT IN ").BindList(scope.article_state_out);
  if (!scope.queue_in.empty()) {
    sql << " AND (";
    for (size_t i = 0; i < scope.queue_in.size(); ++i) {
      if (i) sql << " OR ";
      (sql << "(' ' || a.queue_ids || ' ') LIKE ").Bind(InListPattern(std::to_string(scope.queue_in[i]))) << " ESCAPE '\\'";
    }
    sql << ")";
  }
  for (int64_t id : scope.queue_out) {
    (sql << " AND (' ' || a.queue_ids || ' ') NOT LIKE ").Bind(InListPattern(std::to_string(id))) << " ESCAPE '\\'";
  }
  for (const auto& tag : scope.tag_in) {
    (sql << " AND (' ' || a.tags || ' ') LIKE ").Bind(InListPattern(tag)) << " ESCAPE '\\'";
  }
  for (const auto& tag : scope.tag_out) {
    (sql << " AND (' ' || a.tags || ' ') NOT LIKE ").Bind(InListPattern(tag)) << " ESCAPE '\\'";
  }
  if (!scope.author_in.empty()) (sql << " AND a.created_by IN ").BindList(scope.author_in);
  if (!scope.author_out.empty()) {
    (sql << " AND (a.created_by IS NULL OR a.created_by NOT IN ").BindList(scope.author_out) << ")";
  }
  AddCreatedRange(sql, scope, "a.created_at");
}

std::string HeadlineOptions() {
  return std::string("StartSel=\x02, StopSel=\x03, MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=2, ") +
         "FragmentDelimiter=\" … \"";
}

// The start of a text as a snippet when there is nothing to highlight.
std::string PlainSnippet(const std::string& text) {
  if (text.size() <= kPlainSnippetChars) return text;
  return std::string(Utf8Prefix(text, kPlainSnippetChars)) + "…";
}

// A requester's FTS5 query reads only the columns they may: an internal note
// neither matches nor ranks nor shows in a snippet.
std::string RequesterMatch(const std::string& fts) { return "{subject body replies} : (" + fts + ")"; }

// Columns 0-5 of a ticket or article row: id, title, status or state, queue
// or audience, updated_at, score.
SearchHit HitFromRow(const storage::Row& row, const char* type) {
  SearchHit hit;
  hit.type = type;
  hit.id = row.Int(0);
  hit.title = row.Text(1);
  hit.status = row.Text(2);
  (hit.type == "ticket" ? hit.queue : hit.audience) = row.OptText(3);
  hit.updated_at = row.Int(4);
  hit.score = row.Double(5);
  return hit;
}

// One FTS5 snippet of one row: the MATCH again, on that rowid alone.
Result<std::string> Fts5Snippet(Transaction& tx, const char* table, int column, const std::string& match,
                                int64_t rowid) {
  std::string sql = std::string("SELECT snippet(") + table + ", " + std::to_string(column) +
                    ", char(2), char(3), '…', 16) FROM " + table + " WHERE " + table + " MATCH ? AND rowid = ?";
  OPSDESK_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql, {match, rowid}));
  return row ? row->Text(0) : std::string();
}

// SQLite: the snippets of the hits about to be returned (the ranked
// statements leave them out). A requester's come from the columns they may
// read: the body, else the replies.
Status FillFts5Snippets(Transaction& tx, const Actor& actor, const std::string& fts, std::vector<SearchHit>& hits) {
  if (tx.engine() != Engine::kSqlite || fts.empty()) return Status::Ok();
  for (auto& hit : hits) {
    std::string marked;
    if (hit.type == "article") {
      OPSDESK_ASSIGN_OR_RETURN(marked, Fts5Snippet(tx, "article_fts", 1, fts, hit.id));
    } else if (actor.IsStaff()) {
      OPSDESK_ASSIGN_OR_RETURN(marked, Fts5Snippet(tx, "ticket_fts", -1, fts, hit.id));
    } else {
      const std::string match = RequesterMatch(fts);
      OPSDESK_ASSIGN_OR_RETURN(marked, Fts5Snippet(tx, "ticket_fts", 1, match, hit.id));
      if (marked.find('\x02') == std::string::npos) {
        OPSDESK_ASSIGN_OR_RETURN(std::string replies, Fts5Snippet(tx, "ticket_fts", 2, match, hit.id));
        if (replies.find('\x02') != std::string::npos) marked = std::move(replies);
      }
    }
    hit.snippet_html = SnippetHtml(marked);
  }
  return Status::Ok();
}

// Ranking reads every match's positions and length, so a common word over a
// million tickets would be ranked a hundred thousand times. Staff searches rank
// the newest `window` tickets that match the query and its filters; older
// matches are reached with after:/before:.
//
// PostgreSQL: the window's ids, newest first (all of them when fewer match).
// A GIN index returns its matches in no order, so finding the newest would
// visit every matching row (its tsvector too): the question is asked of the
// newest tickets first (an id range the primary key bounds, intersected with
// the GIN bitmap) and widened eightfold until the window fills or the range
// covers every ticket (at once when a try finds under an eighth of the
// window). Each try visits only the rows in its range; a try that comes up
// short found fewer than `window` of them.
Result<std::vector<int64_t>> RankWindow(Transaction& tx, const Actor& actor, const Scope& scope,
                                        const std::string& tsquery, int window) {
  Sql conditions;
  AddTicketConditions(conditions, actor, scope);
  // Without filters the index alone says which tickets match.
  const bool join = !conditions.text.empty();
  OPSDESK_ASSIGN_OR_RETURN(auto newest_row, tx.QueryOne("SELECT MAX(ticket_id) FROM ticket_search"));
  const int64_t newest = newest_row && !newest_row->IsNull(0) ? newest_row->Int(0) : 0;
  for (int64_t span = int64_t{16} * window;;) {
    const int64_t above = newest - span;
    Sql sql;
    sql << "SELECT ts.ticket_id FROM ticket_search ts" << (join ? " JOIN tickets t ON t.id = ts.ticket_id" : "")
        << " WHERE ts.doc @@ to_tsquery('english', ";
    sql.Bind(tsquery) << ")";
    if (above > 0) (sql << " AND ts.ticket_id > ").Bind(above);
    sql << conditions.text;
    sql.params.insert(sql.params.end(), conditions.params.begin(), conditions.params.end());
    (sql << " ORDER BY ts.ticket_id DESC LIMIT ").Bind(window);
    OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query(sql.text, sql.params));
    if (above > 0 && static_cast<int>(rows.size()) < window) {
      // Too few this recent: widen eightfold, or to every ticket when this
      // try found under an eighth of the window (eight times the range would
      // likely come up short too, and a rare term is cheapest over the whole
      // GIN index).
      span = static_cast<int>(rows.size()) * 8 < window ? newest : span * 8;
      continue;
    }
    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const auto& r : rows) ids.push_back(r.Int(0));
    return ids;
  }
}

// SQLite, staff: the window found and scored in one pass over the index. BM25
// needs each phrase's document frequency; FTS5's bm25() would count it over the
// whole index first (a pass over a hundred thousand entries for a common word),
// so bm25_counted (storage/sqlite_bm25.h) takes it from the newest tickets
// instead: each positive phrase counted among the newest kSample, excluded
// ones given the whole sample (no weight; they match nothing anyway). Phrases
// in the order FTS5 numbers them: Fts5Expression's, positive terms first.
struct ScoredId {
  int64_t id;
  double score;
};

Result<std::vector<ScoredId>> ScoredWindowFts5(Transaction& tx, const Actor& actor, const Scope& scope,
                                               const std::vector<SearchTerm>& terms, const std::string& fts,
                                               int window) {
  constexpr int64_t kSample = 10000;
  OPSDESK_ASSIGN_OR_RETURN(auto newest_row, tx.QueryOne("SELECT MAX(id) FROM tickets"));
  const int64_t newest = newest_row && !newest_row->IsNull(0) ? newest_row->Int(0) : 0;
  const int64_t sample_rows = std::max<int64_t>(1, std::min(kSample, newest));
  std::vector<int64_t> counts;
  int excluded = 0;
  for (const auto& term : terms) {
    if (WordPieces(term.text).empty()) continue;  // not in the expression
    if (term.negated) {
      ++excluded;
      continue;
    }
    OPSDESK_ASSIGN_OR_RETURN(auto n, tx.QueryOne("SELECT COUNT(*) FROM ticket_fts WHERE ticket_fts MATCH ? AND "
                                                 "rowid > ?",
                                                 {Fts5Expression({term}), newest - kSample}));
    counts.push_back(n ? n->Int(0) : 0);
  }
  counts.insert(counts.end(), excluded, sample_rows);

  Sql conditions;
  AddTicketConditions(conditions, actor, scope);
  Sql sql;
  sql << "SELECT ticket_fts.rowid, -bm25_counted(ticket_fts, ";
  sql.Bind(sample_rows);
  for (int64_t n : counts) (sql << ", ").Bind(n);
  // The column weights of the index's own rank (migration 0012).
  sql << ", 4.0, 1.0, 1.0, 0.5) FROM ticket_fts"
      << (conditions.text.empty() ? "" : " JOIN tickets t ON t.id = ticket_fts.rowid") << " WHERE ticket_fts MATCH ";
  sql.Bind(fts) << conditions.text;
  sql.params.insert(sql.params.end(), conditions.params.begin(), conditions.params.end());
  (sql << " ORDER BY ticket_fts.rowid DESC LIMIT ").Bind(window);
  OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query(sql.text, sql.params));
  std::vector<ScoredId> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.Int(0), r.Double(1)});
  return out;
}

// The page of a scored window: its best `limit` tickets, best first.
Result<std::vector<SearchHit>> BestOfWindow(Transaction& tx, std::vector<ScoredId> scored, int limit) {
  std::stable_sort(scored.begin(), scored.end(), [](const ScoredId& a, const ScoredId& b) {
    return a.score != b.score ? a.score > b.score : a.id > b.id;
  });
  if (scored.size() > static_cast<size_t>(limit)) scored.resize(static_cast<size_t>(limit));
  if (scored.empty()) return std::vector<SearchHit>{};
  std::vector<int64_t> ids;
  for (const auto& s : scored) ids.push_back(s.id);
  ids.resize(std::max<size_t>(8, std::bit_ceil(ids.size())), ids.back());  // a few statement texts
  Sql sql;
  sql << "SELECT t.id, t.subject, t.status, q.name, t.updated_at, 0 FROM tickets t "
      << "LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id IN ";
  sql.BindList(ids);
  OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query(sql.text, sql.params));
  std::map<int64_t, SearchHit> by_id;
  for (const auto& row : rows) {
    SearchHit hit = HitFromRow(row, "ticket");
    by_id.emplace(hit.id, std::move(hit));
  }
  std::vector<SearchHit> hits;
  for (const auto& s : scored) {
    auto it = by_id.find(s.id);
    if (it == by_id.end()) continue;
    it->second.score = s.score;
    hits.push_back(std::move(it->second));
  }
  return hits;
}

Result<std::vector<SearchHit>> FindTickets(Transaction& tx, const Actor& actor, const Scope& scope,
                                           const std::vector<SearchTerm>& terms, const std::string& fts,
                                           const std::string& tsquery, int limit, int rank_window) {
  const bool staff = actor.IsStaff();
  // A requester's own tickets are few: read them first and match each, newest
  // first. They are not ranked: BM25 needs each word's document count over the
  // whole index, which FTS5 would count again for every one of them. Staff
  // searches match first and rank, inside the window.
  if (staff && !fts.empty() && tx.engine() == Engine::kSqlite) {
    OPSDESK_ASSIGN_OR_RETURN(auto scored, ScoredWindowFts5(tx, actor, scope, terms, fts, rank_window));
    return BestOfWindow(tx, std::move(scored), limit);
  }
  std::optional<std::vector<int64_t>> window;  // PostgreSQL, staff: the ids to rank
  if (staff && !fts.empty()) {
    OPSDESK_ASSIGN_OR_RETURN(window, RankWindow(tx, actor, scope, tsquery, rank_window));
    if (window->empty()) return std::vector<SearchHit>{};
    window->resize(std::max<size_t>(8, std::bit_ceil(window->size())), window->back());  // a few statement texts
  }
  Sql sql;
  const char* columns = "t.id, t.subject, t.status, q.name, t.updated_at";
  if (fts.empty()) {  // filters alone: newest change first
    sql << "SELECT " << columns << ", 0, t.body FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE 1 = 1";
    AddTicketConditions(sql, actor, scope);
    (sql << " ORDER BY t.updated_at DESC, t.id DESC LIMIT ").Bind(limit);
  } else if (tx.engine() == Engine::kSqlite) {
    // A requester's: their own tickets that match, newest first. No snippet
    // here: FillFts5Snippets cuts the page's.
    sql << "SELECT " << columns << ", 0 FROM tickets t CROSS JOIN ticket_fts"  // CROSS JOIN: tickets is the outer loop
        << " LEFT JOIN queues q ON q.id = t.queue_id WHERE ticket_fts.rowid = t.id AND ticket_fts MATCH ";
    sql.Bind(RequesterMatch(fts));
    AddTicketConditions(sql, actor, scope);
    (sql << " ORDER BY t.id DESC LIMIT ").Bind(limit);
  } else {
    const char* doc = staff ? "ts.doc" : "ts.public_doc";
    sql << "SELECT s.id, s.subject, s.status, s.name, s.updated_at, s.score, ts_headline('english', left(s.subject"
        << " || E'\\n' || s.body || E'\\n' || coalesce((SELECT string_agg(c.body, E'\\n' ORDER BY c.id)"
        << " FROM comments c WHERE c.ticket_id = s.id" << (staff ? "" : " AND c.is_internal = 0") << "), ''), ";
    sql.Bind(kMaxHeadlineChars) << "), to_tsquery('english', ";
    sql.Bind(tsquery) << "), ";
    sql.Bind(HeadlineOptions()) << ") FROM (SELECT " << columns << ", t.body, "
                                << (staff ? "ts_rank(ts.doc, query.q, 1)" : "0.0")
                                << " AS score FROM ticket_search ts JOIN tickets t ON t.id = ts.ticket_id"
                                << " LEFT JOIN queues q ON q.id = t.queue_id CROSS JOIN to_tsquery('english', ";
    sql.Bind(tsquery) << ") AS query(q) WHERE ";
    if (window) {
      // The window's rows by id: they matched, so the GIN index (a bitmap of
      // every match of a common word) is not asked again.
      sql << "ts.ticket_id IN ";
      sql.BindList(*window);
    } else {
      sql << doc << " @@ query.q";
    }
    AddTicketConditions(sql, actor, scope);
    (sql << " ORDER BY score DESC, t.id DESC LIMIT ").Bind(limit) << ") s ORDER BY s.score DESC, s.id DESC";
  }
  OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query(sql.text, sql.params));
  std::vector<SearchHit> hits;
  hits.reserve(rows.size());
  for (const auto& row : rows) {
    SearchHit hit = HitFromRow(row, "ticket");
    if (fts.empty()) {
      hit.snippet_html = SnippetHtml(PlainSnippet(row.Text(6)));
    } else if (tx.engine() == Engine::kPostgres) {
      hit.snippet_html = SnippetHtml(row.Text(6));
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

// Articles matching (empty expressions: filters alone), at most `limit`.
// `published_only`: suggestions never offer a draft.
Result<std::vector<SearchHit>> FindArticles(Transaction& tx, const Actor& actor, const Scope& scope,
                                            const std::string& fts, const std::string& tsquery, int limit,
                                            bool published_only, int pool = -1) {
  const bool pooled = tx.engine() == Engine::kSqlite && !fts.empty();
  if (pool < 0) pool = pooled ? 4 * limit + 16 : 0;
  Sql sql;
  const char* columns = "a.id, a.title, a.state, a.audience, a.updated_at";
  if (fts.empty()) {
    sql << "SELECT " << columns << ", 0, a.body FROM kb_articles a WHERE 1 = 1";
  } else if (tx.engine() == Engine::kSqlite) {
    // FTS5 ranks and sorts its own matches about twice as fast as it hands
    // every match to a join: the best `pool` by rank alone first, then their
    // rows and the conditions. When those leave fewer than `limit`, every
    // match is ranked again (pool 0: no pool).
    sql << "SELECT " << columns << ", -f.rank FROM (SELECT rowid, rank FROM article_fts WHERE article_fts MATCH ";
    sql.Bind(fts);
    // Ties broken as the outer ORDER BY breaks them, so the pool's best are the best.
    if (pool > 0) (sql << " ORDER BY rank, rowid DESC LIMIT ").Bind(pool);
    sql << ") f JOIN kb_articles a ON a.id = f.rowid WHERE 1 = 1";  // the snippet: FillFts5Snippets
  } else {
    sql << "SELECT s.id, s.title, s.state, s.audience, s.updated_at, s.score, ts_headline('english', s.body, "
        << "to_tsquery('english', ";
    sql.Bind(tsquery) << "), ";
    sql.Bind(HeadlineOptions()) << ") FROM (SELECT " << columns
                                << ", a.body, ts_rank(a.search_doc, query.q, 1) AS score FROM kb_articles a"
                                << " CROSS JOIN to_tsquery('english', ";
    sql.Bind(tsquery) << ") AS query(q) WHERE a.search_doc @@ query.q";
  }
  AddArticleConditions(sql, actor, scope);
  if (published_only) sql << " AND a.state = 'published'";
  if (fts.empty()) {
    (sql << " ORDER BY a.updated_at DESC, a.id DESC LIMIT ").Bind(limit);
  } else if (tx.engine() == Engine::kSqlite) {
    (sql << " ORDER BY f.rank, a.id DESC LIMIT ").Bind(limit);
  } else {
    (sql << " ORDER BY score DESC, a.id DESC LIMIT ").Bind(limit) << ") s ORDER BY s.score DESC, s.id DESC";
  }
  OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query(sql.text, sql.params));
  if (pool > 0 && static_cast<int>(rows.size()) < limit) {
    return FindArticles(tx, actor, scope, fts, tsquery, limit, published_only, 0);
  }
  std::vector<SearchHit> hits;
  hits.reserve(rows.size());
  for (const auto& row : rows) {
    SearchHit hit = HitFromRow(row, "article");
    if (fts.empty()) hit.snippet_html = SnippetHtml(PlainSnippet(row.Text(6)));
    else if (tx.engine() == Engine::kPostgres) hit.snippet_html = SnippetHtml(row.Text(6));
    hits.push_back(std::move(hit));
  }
  return hits;
}

Status PagingError(const std::string& field, const std::string& message) {
  return Status::InvalidArgument("search request is not valid", {{field, message}});
}

}  // namespace

std::string SnippetHtml(std::string_view marked) {
  std::string out;
  out.reserve(marked.size() + 32);
  bool open = false;
  for (char c : marked) {
    switch (c) {
      case '\x02':
        if (!open) out += "<mark>";
        open = true;
        break;
      case '\x03':
        if (open) out += "</mark>";
        open = false;
        break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  if (open) out += "</mark>";
  return out;
}

Result<Page<SearchHit>> SearchService::Search(const Actor& actor, const SearchRequest& request) {
  OPSDESK_ASSIGN_OR_RETURN(SearchQuery query, ParseSearchQuery(request.q, request.as_you_type));
  if (request.limit < 1 || request.limit > kMaxSearchLimit) {
    return PagingError("limit", "must be between 1 and " + std::to_string(kMaxSearchLimit));
  }
  int64_t offset = 0;
  if (request.cursor) {
    std::string kind;
    if (!DecodeCursor(*request.cursor, &kind, &offset) || kind != "offset" || offset < 0 ||
        offset > kMaxSearchOffset) {
      return PagingError("cursor", "is not a cursor from this search");
    }
  }
  std::string fts = Fts5Expression(query.terms);
  std::string tsquery = TsQueryText(query.terms);
  // Words that all fold to nothing ("!!!") leave only the filters, which may be none.
  if (fts.empty() && query.filters.empty()) return Page<SearchHit>{};
  const int want = static_cast<int>(offset) + request.limit + 1;  // one more tells whether a next page exists

  const bool ranked = !fts.empty();
  const bool staff = actor.IsStaff();
  Page<SearchHit> page;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Scope scope, ResolveScope(tx, actor, query));
    std::vector<SearchHit> hits;
    if (scope.tickets) {
      OPSDESK_ASSIGN_OR_RETURN(hits,
                               FindTickets(tx, actor, scope, query.terms, fts, tsquery, want, options_.rank_window));
    }
    if (scope.articles) {
      OPSDESK_ASSIGN_OR_RETURN(auto articles, FindArticles(tx, actor, scope, fts, tsquery, want, false));
      hits.insert(hits.end(), std::make_move_iterator(articles.begin()), std::make_move_iterator(articles.end()));
    }
    std::stable_sort(hits.begin(), hits.end(), [&](const SearchHit& a, const SearchHit& b) {
      // A requester's own tickets come first, newest first, then the articles by relevance.
      if (!staff && a.type != b.type) return a.type == "ticket";
      if (ranked && a.score != b.score) return a.score > b.score;
      if (a.updated_at != b.updated_at) return a.updated_at > b.updated_at;
      return a.id > b.id;
    });
    int64_t end = std::min<int64_t>(hits.size(), offset + request.limit);
    for (int64_t i = offset; i < end; ++i) page.items.push_back(std::move(hits[i]));
    if (static_cast<int64_t>(hits.size()) > end && end < kMaxSearchOffset) {
      page.next_cursor = EncodeCursor("offset", end);
    }
    return FillFts5Snippets(tx, actor, fts, page.items);
  });
  if (!status.ok()) return status;
  return page;
}

Result<std::vector<SearchHit>> SearchService::SuggestArticles(const Actor& actor, std::string_view text, int limit,
                                                              bool as_you_type) {
  if (limit < 1 || limit > kMaxSuggestions) {
    return PagingError("limit", "must be between 1 and " + std::to_string(kMaxSuggestions));
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument("suggestion text is not valid", {{"q", "must be valid UTF-8"}});
  std::vector<SearchHit> hits;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto words, InformativeWords(tx, text, as_you_type));
    if (words.empty()) return Status::Ok();
    const std::string fts = Fts5AnyOf(words);
    OPSDESK_ASSIGN_OR_RETURN(hits, FindArticles(tx, actor, Scope{}, fts, TsQueryAnyOf(words), limit, true));
    return FillFts5Snippets(tx, actor, fts, hits);
  });
  if (!status.ok()) return status;
  return hits;
}

// The significant words of the text that can rank. A word in none of the
// articles matches nothing. In a large knowledge base
// (Options::min_articles_to_prune) ranking every word would rank most
// articles: a word in more than a quarter of them is dropped (its inverse
// document frequency is small, its doclist long), and the four rarest of the
// rest rank; when every word is that common, the rarest alone. In a small one
// every word counts: it may decide which articles are offered at all.
Result<std::vector<SearchTerm>> SearchService::InformativeWords(Transaction& tx, std::string_view text,
                                                                bool as_you_type) {
  std::vector<SearchTerm> words = AsTerms(SignificantWords(text, kMaxSuggestionWords, as_you_type));
  if (words.empty()) return words;
  OPSDESK_ASSIGN_OR_RETURN(int64_t total, ArticleCount(tx, "", "", ""));
  std::vector<std::pair<int64_t, SearchTerm>> counted;
  for (const auto& w : words) {
    std::vector<SearchTerm> one{w};
    OPSDESK_ASSIGN_OR_RETURN(int64_t n, ArticleCount(tx, (w.prefix ? "p:" : "w:") + w.text, Fts5AnyOf(one),
                                                     TsQueryAnyOf(one)));
    if (n > 0) counted.emplace_back(n, w);
  }
  std::stable_sort(counted.begin(), counted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SearchTerm> out;
  const bool prune = total >= options_.min_articles_to_prune;
  for (const auto& [n, w] : counted) {
    if (prune && out.size() == kMaxRankedSuggestionWords) break;
    if (!prune || 4 * n <= total) out.push_back(w);
  }
  if (out.empty() && !counted.empty()) out.push_back(counted.front().second);
  return out;
}

Result<int64_t> SearchService::ArticleCount(Transaction& tx, const std::string& key, const std::string& fts,
                                            const std::string& tsquery) {
  constexpr auto kFresh = std::chrono::minutes(1);
  constexpr size_t kMaxCached = 20000;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(counts_mu_);
    auto it = article_counts_.find(key);
    if (it != article_counts_.end() && now - it->second.at < kFresh) return it->second.count;
  }
  Sql sql;
  if (key.empty()) {
    sql << "SELECT COUNT(*) FROM kb_articles";
  } else if (tx.engine() == Engine::kSqlite) {
    sql << "SELECT COUNT(*) FROM article_fts WHERE article_fts MATCH ";
    sql.Bind(fts);
  } else {
    sql << "SELECT COUNT(*) FROM kb_articles WHERE search_doc @@ to_tsquery('english', ";
    sql.Bind(tsquery) << ")";
  }
  OPSDESK_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql.text, sql.params));
  int64_t count = row ? row->Int(0) : 0;
  std::lock_guard<std::mutex> lock(counts_mu_);
  if (article_counts_.size() >= kMaxCached) article_counts_.clear();
  article_counts_[key] = CachedCount{count, now};
  return count;
}

}  // namespace opsdesk::search
