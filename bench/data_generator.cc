// data_generator: fills an opsdesk database with N realistic tickets for the
// benchmarks (see docs/PERFORMANCE.md).
//
//   build/bench/data_generator --db sqlite:/tmp/opsdesk-bench/1m.db --tickets 1000000 --seed 42
//   build/bench/data_generator --db postgresql://opsdesk@127.0.0.1:5432/opsdesk_test --tickets 1000000
//
// The database is migrated with storage::Migrate and then written through the
// storage::Database interface in large transactions of multi-row INSERTs (the
// API would take minutes per 100k tickets; this takes minutes per million).
// What it writes is what the server itself would have written for the same
// history: users (requesters, agents, leads), a team per queue, the five queues,
// tickets with their `tags` column and ticket_tags rows, a `created` event for
// every ticket, field_changed events for assignment and each status change, and
// comments (replies and internal notes) with their comment_added events.
// For the search benchmark (bench/run_search.sh): --comments-per-ticket N puts
// exactly N comments on every ticket (bench::MakeComment), --articles N writes N
// published knowledge base articles (bench::MakeArticle) with a version row and
// a state_changed event each. The search indexes of migration 0012 are filled
// by its triggers as the rows go in; --bulk-index drops (SQLite) or disables
// (PostgreSQL) those triggers for the load and then fills the indexes with the
// migration's own statements, and puts the triggers back.
//
// Deterministic: the same --seed and --end-ms give the same rows (ticket i is
// bench::MakeTicket(seed, i), which load_generator also posts to other systems).
// REQUIRES: the tickets table is empty (a fresh database file or PostgreSQL
// database); other tables may hold rows, e.g. the benchmark user.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "ticket_corpus.h"
#include "common/clock.h"
#include "markdown/markdown.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace opsdesk::bench {
namespace {

using storage::Params;
using storage::Transaction;
using storage::Value;

struct Options {
  std::string db_url;
  int64_t tickets = 100000;
  uint64_t seed = 42;
  // The newest ticket's creation time; fixed by default so the data is the same
  // on every run. Tickets spread over the two years before it.
  int64_t end_ms = 1793491200000;  // 2026-11-01T00:00:00Z
  int64_t span_days = 730;
  int64_t tickets_per_transaction = 20000;
  int rows_per_statement = 500;
  double comment_share = 0.4;  // of tickets that are not new
  int comments_per_ticket = -1;  // >= 0: exactly this many on every ticket (comment_share unused)
  int64_t articles = 0;          // published kb_articles
  bool bulk_index = false;       // fill the search indexes after the load, not by trigger
  bool analyze = false;        // ANALYZE afterwards (always on PostgreSQL)
};

void Usage() {
  std::cerr << "usage: data_generator --db URL [--tickets N] [--seed S] [--end-ms MS] [--span-days D]\n"
               "                      [--tickets-per-transaction N] [--rows-per-statement N]\n"
               "                      [--comment-share F] [--comments-per-ticket N] [--articles N]\n"
               "                      [--bulk-index] [--analyze]\n"
               "  URL: sqlite:PATH or postgresql://...; the tickets table must be empty.\n"
               "  --analyze: run ANALYZE on SQLite too (PostgreSQL is always analyzed,\n"
               "             as autovacuum would do soon after a bulk load).\n"
               "  --comments-per-ticket N: exactly N comments on every ticket (default: 1-3 on\n"
               "             --comment-share of the tickets that are not new).\n"
               "  --articles N: N published knowledge base articles (default 0).\n"
               "  --bulk-index: no search-index triggers during the load; fill the indexes at\n"
               "             the end with the statements of migration 0012.\n";
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "data_generator: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--db") o->db_url = next();
    else if (arg == "--tickets") o->tickets = std::atoll(next());
    else if (arg == "--seed") o->seed = std::strtoull(next(), nullptr, 10);
    else if (arg == "--end-ms") o->end_ms = std::atoll(next());
    else if (arg == "--span-days") o->span_days = std::atoll(next());
    else if (arg == "--tickets-per-transaction") o->tickets_per_transaction = std::atoll(next());
    else if (arg == "--rows-per-statement") o->rows_per_statement = std::atoi(next());
    else if (arg == "--comment-share") o->comment_share = std::atof(next());
    else if (arg == "--comments-per-ticket") o->comments_per_ticket = std::atoi(next());
    else if (arg == "--articles") o->articles = std::atoll(next());
    else if (arg == "--bulk-index") o->bulk_index = true;
    else if (arg == "--analyze") o->analyze = true;
    else if (arg == "--help" || arg == "-h") {
      Usage();
      std::exit(0);
    } else {
      std::cerr << "data_generator: unknown argument " << arg << "\n";
      return false;
    }
  }
  if (o->db_url.empty() || o->tickets < 0 || o->articles < 0 || o->comments_per_ticket > 15 || o->tickets_per_transaction <= 0 || o->rows_per_statement <= 0) {
    return false;
  }
  return true;
}

// Accumulates rows for one table and writes them as multi-row INSERTs of at most
// `rows_per_statement` rows (SQLite allows 32766 parameters per statement,
// PostgreSQL 65535). Only full-size statements and one tail statement per flush
// are prepared, so the engines' statement caches stay small.
class BatchInserter {
 public:
  BatchInserter(std::string table, std::vector<std::string> columns, int rows_per_statement)
      : table_(std::move(table)), columns_(std::move(columns)) {
    rows_per_statement_ = std::max(1, std::min(rows_per_statement, 30000 / static_cast<int>(columns_.size())));
  }

  Status Add(Transaction& tx, Params row) {
    for (auto& v : row) pending_.push_back(std::move(v));
    ++pending_rows_;
    ++total_rows_;
    if (pending_rows_ == rows_per_statement_) return Flush(tx);
    return Status::Ok();
  }

  // Rows of `parent` are written before any of this table's, so foreign keys hold
  // whichever inserter fills up first.
  void set_parent(BatchInserter* parent) { parent_ = parent; }

  Status Flush(Transaction& tx) {
    if (pending_rows_ == 0) return Status::Ok();
    if (parent_) OPSDESK_RETURN_IF_ERROR(parent_->Flush(tx));
    auto changed = tx.Exec(Sql(pending_rows_), pending_);
    pending_.clear();
    pending_rows_ = 0;
    return changed.status();
  }

  int64_t total_rows() const { return total_rows_; }
  const std::string& table() const { return table_; }

 private:
  const std::string& Sql(int rows) {
    auto it = sql_.find(rows);
    if (it != sql_.end()) return it->second;
    std::string tuple = "(";
    for (size_t c = 0; c < columns_.size(); ++c) tuple += c ? ", ?" : "?";
    tuple += ")";
    std::string sql = "INSERT INTO " + table_ + " (";
    for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", " : "") + columns_[c];
    sql += ") VALUES ";
    for (int r = 0; r < rows; ++r) sql += (r ? ", " : "") + tuple;
    return sql_.emplace(rows, std::move(sql)).first->second;
  }

  std::string table_;
  std::vector<std::string> columns_;
  int rows_per_statement_;
  Params pending_;
  int pending_rows_ = 0;
  int64_t total_rows_ = 0;
  std::map<int, std::string> sql_;
  BatchInserter* parent_ = nullptr;
};

Result<int64_t> NextId(Transaction& tx, const std::string& table) {
  auto row = tx.QueryOne("SELECT COALESCE(MAX(id), 0) FROM " + table);
  if (!row.ok()) return row.status();
  return (*row)->Int(0) + 1;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& tag : tags) {
    if (!out.empty()) out += ' ';
    out += tag;
  }
  return out;
}

// Ids of the people and queues the tickets refer to.
struct Directory {
  int64_t first_requester_id = 0;
  int64_t first_agent_id = 0;
  int64_t first_lead_id = 0;
  std::map<std::string, int64_t, std::less<>> queue_ids;
};

int64_t Seconds(int64_t s) { return s * 1000; }
int64_t Minutes(int64_t m) { return m * 60 * 1000; }
int64_t Hours(int64_t h) { return h * 3600 * 1000; }

Status LoadDirectory(storage::Database& db, const Options& o, Directory* dir, int64_t* users_written) {
  return db.Write([&](Transaction& tx) -> Status {
    auto tickets = tx.QueryOne("SELECT COUNT(*) FROM tickets");
    if (!tickets.ok()) return tickets.status();
    if ((*tickets)->Int(0) != 0) {
      return Status::FailedPrecondition("the tickets table already holds " + std::to_string((*tickets)->Int(0)) +
                                        " rows; give data_generator an empty database");
    }
    const int64_t created = o.end_ms - Hours(24 * (o.span_days + 30));
    auto next_user = NextId(tx, "users");
    if (!next_user.ok()) return next_user.status();
    BatchInserter users("users",
                        {"id", "email", "email_norm", "display_name", "role", "is_active", "time_zone", "created_at",
                         "updated_at"},
                        o.rows_per_statement);
    int64_t id = *next_user;
    auto add_user = [&](const std::string& email, const std::string& name, const char* role,
                        const char* tz) -> Status {
      return users.Add(tx, {id++, email, email, name, role, 1, tz, created, created});
    };
    static const char* kZones[] = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London"};
    dir->first_requester_id = id;
    for (int i = 0; i < kRequesterCount; ++i) {
      OPSDESK_RETURN_IF_ERROR(add_user(RequesterEmail(i), PersonName("requester", i), "requester", kZones[i % 5]));
    }
    dir->first_agent_id = id;
    for (int i = 0; i < kAgentCount; ++i) {
      OPSDESK_RETURN_IF_ERROR(add_user(AgentEmail(i), PersonName("agent", i + 7), "agent", kZones[i % 5]));
    }
    dir->first_lead_id = id;
    for (int i = 0; i < kLeadCount; ++i) {
      OPSDESK_RETURN_IF_ERROR(add_user(LeadEmail(i), PersonName("lead", i + 3), "lead", "UTC"));
    }
    OPSDESK_RETURN_IF_ERROR(users.Flush(tx));
    *users_written = users.total_rows();

    // A team per queue; agents split evenly between them, each lead heads one.
    for (size_t q = 0; q < kQueueNames.size(); ++q) {
      std::string name(kQueueNames[q]);
      std::string team = name + "-team";
      auto team_row = tx.QueryOne("SELECT id FROM teams WHERE name = ?", {team});
      if (!team_row.ok()) return team_row.status();
      int64_t team_id;
      if (*team_row) {
        team_id = (*team_row)->Int(0);
      } else {
        auto inserted = tx.QueryOne("INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?) RETURNING id",
                                    {team, "Agents working the " + name + " queue", created});
        if (!inserted.ok()) return inserted.status();
        team_id = (*inserted)->Int(0);
      }
      for (int a = static_cast<int>(q); a < kAgentCount; a += static_cast<int>(kQueueNames.size())) {
        OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                        {team_id, dir->first_agent_id + a})
                                    .status());
      }
      OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                      {team_id, dir->first_lead_id + static_cast<int64_t>(q % kLeadCount)})
                                  .status());
      auto queue_row = tx.QueryOne("SELECT id FROM queues WHERE name = ?", {name});
      if (!queue_row.ok()) return queue_row.status();
      if (*queue_row) {
        dir->queue_ids[name] = (*queue_row)->Int(0);
      } else {
        auto inserted = tx.QueryOne(
            "INSERT INTO queues (name, team_id, description, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            {name, team_id, "Data platform: " + name, created});
        if (!inserted.ok()) return inserted.status();
        dir->queue_ids[name] = (*inserted)->Int(0);
      }
    }
    return Status::Ok();
  });
}

struct Counts {
  int64_t tickets = 0, tags = 0, events = 0, comments = 0;
};

// One ticket's history: when it moved, who did it. Times are clamped below end_ms.
Status WriteTicket(Transaction& tx, const Options& o, const Directory& dir, int64_t ticket_id, int64_t* next_comment_id, BatchInserter& tickets, BatchInserter& tags, BatchInserter& events,
                   BatchInserter& comments, int64_t index) {
  CorpusTicket t = MakeTicket(o.seed, index);
  Rng rng = StreamRng(o.seed, 3, static_cast<uint64_t>(index));
  const int64_t span = Hours(24 * o.span_days);
  const int64_t start = o.end_ms - span;
  int64_t created_at = start + static_cast<int64_t>((static_cast<double>(index) / std::max<int64_t>(o.tickets, 1)) *
                                                    static_cast<double>(span)) -
                       rng.Between(0, Seconds(90));
  auto clamp = [&](int64_t at) { return std::min(at, o.end_ms); };

  const int64_t requester_id = dir.first_requester_id + t.requester;
  const std::optional<int64_t> assignee_id =
      t.assignee >= 0 ? std::optional<int64_t>(dir.first_agent_id + t.assignee) : std::nullopt;
  const int64_t lead_id = dir.first_lead_id + static_cast<int64_t>(index % kLeadCount);
  const int64_t queue_id = dir.queue_ids.at(t.queue);

  struct Event {
    int64_t actor;
    int64_t at;
    std::string kind;
    std::optional<std::string> field, before, after;
    bool internal = false;
  };
  std::vector<Event> history;
  std::string initial = "status=new priority=" + t.priority + " queue=" + std::to_string(queue_id) +
                        " requester=" + std::to_string(requester_id) + " tags=" + JoinTags(t.tags);
  history.push_back({requester_id, created_at, "created", std::nullopt, std::nullopt, initial});

  int64_t at = created_at;
  int64_t version = 1;
  if (assignee_id) {
    at = clamp(at + rng.Between(Minutes(2), Hours(6)));
    history.push_back({lead_id, at, "field_changed", "assignee_id", std::nullopt, std::to_string(*assignee_id)});
    ++version;
  }
  // Status path: new -> open -> (pending | on_hold | solved -> closed).
  std::vector<std::string> path;
  if (t.status != "new") path.push_back("open");
  if (t.status == "pending" || t.status == "on_hold" || t.status == "solved") path.push_back(t.status);
  if (t.status == "closed") {
    path.push_back("solved");
    path.push_back("closed");
  }
  std::string current = "new";
  const int64_t actor_for_status = assignee_id.value_or(lead_id);
  const bool fixed_comments = o.comments_per_ticket >= 0;
  bool wants_comments = !fixed_comments && t.status != "new" && rng.Chance(o.comment_share);
  int comment_count = fixed_comments ? o.comments_per_ticket : wants_comments ? static_cast<int>(rng.Between(1, 3)) : 0;
  int comment_n = 0;
  std::vector<Params> comment_rows;
  auto add_comments = [&] {
    for (; comment_n < comment_count; ++comment_n) {
      at = clamp(at + rng.Between(Minutes(5), Hours(30)));
      bool internal;
      std::string reply;
      if (fixed_comments) {
        CorpusComment c = MakeComment(o.seed, index, comment_n);
        internal = c.internal;
        reply = std::move(c.body);
      } else {
        internal = rng.Chance(0.15);
        reply = MakeReply(o.seed, index, comment_n);
      }
      bool from_requester = !internal && comment_n % 2 == 1;
      int64_t author = from_requester ? requester_id : actor_for_status;
      int64_t comment_id = (*next_comment_id)++;
      std::string reply_html = markdown::RenderHtml(reply);
      comment_rows.push_back({comment_id, ticket_id, author, std::move(reply), std::move(reply_html),
                              internal ? 1 : 0, at});
      history.push_back({author, at, "comment_added", std::string(internal ? "internal_note" : "reply"),
                         std::nullopt, std::to_string(comment_id), internal});
      ++version;
    }
  };
  // A new ticket (never opened) with fixed comments: the conversation follows its creation.
  if (fixed_comments && path.empty()) add_comments();
  for (const auto& next : path) {
    // Conversation happens while the ticket is open.
    if (current == "open") add_comments();
    int64_t gap = next == "open" ? rng.Between(Minutes(1), Hours(8))
                  : next == "closed" ? rng.Between(Hours(24), Hours(24 * 7))
                                     : rng.Between(Hours(1), Hours(24 * 5));
    at = clamp(at + gap);
    history.push_back({actor_for_status, at, "field_changed", "status", current, next});
    ++version;
    current = next;
  }
  // Fixed comments on a ticket that is still open: the conversation goes on.
  if (fixed_comments) add_comments();
  const int64_t updated_at = at;

  // The server stores each body rendered at write time (migration 0002); so does this.
  OPSDESK_RETURN_IF_ERROR(tickets.Add(tx, {ticket_id, t.subject, t.body, markdown::RenderHtml(t.body), t.status,
                                           t.priority, queue_id, requester_id,
                                           assignee_id, JoinTags(t.tags), created_at, updated_at, version}));
  for (auto& row : comment_rows) OPSDESK_RETURN_IF_ERROR(comments.Add(tx, std::move(row)));
  for (const auto& tag : t.tags) OPSDESK_RETURN_IF_ERROR(tags.Add(tx, {ticket_id, tag}));
  for (auto& e : history) {
    OPSDESK_RETURN_IF_ERROR(events.Add(tx, {ticket_id, e.actor, e.at, e.kind, e.field, e.before, e.after,
                                            e.internal ? 1 : 0}));
  }
  return Status::Ok();
}

// Knowledge base articles 1..N of the corpus, all published (public or
// internal), each with its version 1 row and a draft -> published event, as
// KbService leaves an article it created and published.
Status WriteArticles(storage::Database& db, const Options& o, const Directory& dir, int64_t* written) {
  return db.Write([&](Transaction& tx) -> Status {
    auto next = NextId(tx, "kb_articles");
    if (!next.ok()) return next.status();
    BatchInserter articles("kb_articles",
                           {"id", "title", "body", "body_html", "category", "audience", "state", "tags", "queue_ids",
                            "owner_id", "review_interval_days", "reviewed_at", "review_due_at", "version", "created_by",
                            "created_at", "updated_at", "published_at"},
                           o.rows_per_statement);
    BatchInserter versions("kb_article_versions",
                           {"article_id", "version", "title", "body", "category", "audience", "tags", "queue_ids",
                            "author_id", "note", "created_at"},
                           o.rows_per_statement);
    BatchInserter events("kb_article_events",
                         {"article_id", "actor_id", "at", "kind", "before_value", "after_value"}, o.rows_per_statement);
    versions.set_parent(&articles);
    events.set_parent(&articles);
    const int64_t span = Hours(24 * o.span_days);
    for (int64_t index = 1; index <= o.articles; ++index) {
      CorpusArticle a = MakeArticle(o.seed, index);
      Rng rng = StreamRng(o.seed, 6, static_cast<uint64_t>(index));
      const int64_t id = *next + index - 1;
      const int64_t author = dir.first_agent_id + static_cast<int64_t>(rng.Below(kAgentCount));
      const int64_t publisher = dir.first_lead_id + static_cast<int64_t>(rng.Below(kLeadCount));
      const int64_t created_at = o.end_ms - span + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(span)));
      const int64_t published_at = std::min(o.end_ms, created_at + rng.Between(Hours(1), Hours(24 * 5)));
      const int64_t review_days = 180;
      const std::string tags = JoinTags(a.tags);
      const std::string queue_ids = std::to_string(dir.queue_ids.at(a.queue));
      OPSDESK_RETURN_IF_ERROR(articles.Add(
          tx, {id, a.title, a.body, markdown::RenderHtml(a.body), a.category, a.audience, "published", tags, queue_ids,
               author, review_days, published_at, published_at + Hours(24 * review_days), 1, author, created_at,
               published_at, published_at}));
      OPSDESK_RETURN_IF_ERROR(versions.Add(tx, {id, 1, a.title, a.body, a.category, a.audience, tags, queue_ids,
                                                author, "", created_at}));
      OPSDESK_RETURN_IF_ERROR(events.Add(tx, {id, publisher, published_at, "state_changed", "draft", "published"}));
    }
    OPSDESK_RETURN_IF_ERROR(articles.Flush(tx));
    OPSDESK_RETURN_IF_ERROR(versions.Flush(tx));
    OPSDESK_RETURN_IF_ERROR(events.Flush(tx));
    *written = articles.total_rows();
    return Status::Ok();
  });
}

// --bulk-index: the search-index triggers of migration 0012 are off while the
// rows go in (SQLite: dropped, their CREATE statements kept; PostgreSQL:
// disabled), then the indexes are filled with the statements the migration
// itself ends with and the triggers are back.
struct SavedTriggers {
  std::vector<std::string> create_sql;  // SQLite
};

Status SuspendSearchTriggers(storage::Database& db, SavedTriggers* saved) {
  return db.Write([&](Transaction& tx) -> Status {
    if (tx.engine() == storage::Engine::kPostgres) {
      OPSDESK_RETURN_IF_ERROR(tx.ExecScript(
          "ALTER TABLE tickets DISABLE TRIGGER ticket_search_after_ticket_write;"
          "ALTER TABLE comments DISABLE TRIGGER ticket_search_after_comment_write;"));
      return Status::Ok();
    }
    auto rows = tx.Query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                         "(name LIKE 'ticket_fts_%' OR name LIKE 'article_fts_%') ORDER BY name");
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) {
      saved->create_sql.push_back(row.Text(1));
      OPSDESK_RETURN_IF_ERROR(tx.ExecScript("DROP TRIGGER " + row.Text(0)));
    }
    return Status::Ok();
  });
}

Status RebuildSearchIndexes(storage::Database& db, const SavedTriggers& saved) {
  return db.Write([&](Transaction& tx) -> Status {
    if (tx.engine() == storage::Engine::kPostgres) {
      // Migration 0012's closing statements for tickets; articles have a
      // generated column, computed as each row went in.
      OPSDESK_RETURN_IF_ERROR(tx.ExecScript(
          "DELETE FROM ticket_search;"
          "INSERT INTO ticket_search (ticket_id, doc, public_doc) SELECT t.id, '', '' FROM tickets t;"
          "SELECT ticket_search_refresh(id) FROM tickets;"
          "ALTER TABLE tickets ENABLE TRIGGER ticket_search_after_ticket_write;"
          "ALTER TABLE comments ENABLE TRIGGER ticket_search_after_comment_write;"));
      return Status::Ok();
    }
    OPSDESK_RETURN_IF_ERROR(tx.ExecScript(
        "DELETE FROM ticket_fts;"
        "INSERT INTO ticket_fts (rowid, subject, body, replies, notes)\n"
        "SELECT t.id, t.subject, t.body,\n"
        "       coalesce((SELECT group_concat(c.body, char(10)) FROM comments c WHERE c.ticket_id = t.id AND c.is_internal = 0), ''),\n"
        "       coalesce((SELECT group_concat(c.body, char(10)) FROM comments c WHERE c.ticket_id = t.id AND c.is_internal <> 0), '')\n"
        "  FROM tickets t;"
        "INSERT INTO article_fts (article_fts) VALUES ('rebuild');"));
    for (const auto& sql : saved.create_sql) OPSDESK_RETURN_IF_ERROR(tx.ExecScript(sql));
    return Status::Ok();
  });
}

int Run(const Options& o) {
  using SteadyClock = std::chrono::steady_clock;
  auto t0 = SteadyClock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(SteadyClock::now() - t0).count(); };

  storage::OpenOptions open_options;
  open_options.max_readers = 2;
  auto db = storage::Database::Open(o.db_url, open_options);
  if (!db.ok()) {
    std::cerr << "data_generator: " << db.status().ToString() << "\n";
    return 1;
  }
  SystemClock clock;
  if (Status st = storage::Migrate(**db, clock); !st.ok()) {
    std::cerr << "data_generator: migrate: " << st.ToString() << "\n";
    return 1;
  }
  const storage::Engine engine = (*db)->engine();
  std::cout << "data_generator: engine=" << storage::EngineName(engine) << " tickets=" << o.tickets
            << " seed=" << o.seed << " end_ms=" << o.end_ms << " span_days=" << o.span_days
            << " tickets_per_transaction=" << o.tickets_per_transaction
            << " rows_per_statement=" << o.rows_per_statement << " comment_share=" << o.comment_share
            << " comments_per_ticket=" << o.comments_per_ticket << " articles=" << o.articles
            << " bulk_index=" << (o.bulk_index ? 1 : 0) << std::endl;

  Directory dir;
  int64_t users_written = 0;
  if (Status st = LoadDirectory(**db, o, &dir, &users_written); !st.ok()) {
    std::cerr << "data_generator: " << st.ToString() << "\n";
    return 1;
  }

  int64_t first_ticket_id = 0, first_comment_id = 0;
  Status st = (*db)->Read([&](Transaction& tx) -> Status {
    auto t = NextId(tx, "tickets");
    if (!t.ok()) return t.status();
    auto c = NextId(tx, "comments");
    if (!c.ok()) return c.status();
    first_ticket_id = *t;
    first_comment_id = *c;
    return Status::Ok();
  });
  if (!st.ok()) {
    std::cerr << "data_generator: " << st.ToString() << "\n";
    return 1;
  }

  SavedTriggers saved_triggers;
  if (o.bulk_index) {
    if (Status s = SuspendSearchTriggers(**db, &saved_triggers); !s.ok()) {
      std::cerr << "data_generator: suspending the search triggers: " << s.ToString() << "\n";
      return 1;
    }
  }

  BatchInserter tickets("tickets",
                        {"id", "subject", "body", "body_html", "status", "priority", "queue_id", "requester_id", "assignee_id",
                         "tags", "created_at", "updated_at", "version"},
                        o.rows_per_statement);
  BatchInserter tags("ticket_tags", {"ticket_id", "tag"}, o.rows_per_statement);
  BatchInserter events("ticket_events",
                       {"ticket_id", "actor_id", "at", "kind", "field", "before_value", "after_value", "is_internal"},
                       o.rows_per_statement);
  BatchInserter comments("comments", {"id", "ticket_id", "author_id", "body", "body_html", "is_internal", "created_at"},
                         o.rows_per_statement);
  comments.set_parent(&tickets);
  tags.set_parent(&tickets);
  events.set_parent(&tickets);

  int64_t next_comment_id = first_comment_id;
  double last_report = 0;
  for (int64_t begin = 1; begin <= o.tickets; begin += o.tickets_per_transaction) {
    int64_t end = std::min(o.tickets + 1, begin + o.tickets_per_transaction);
    int64_t comment_id_at_start = next_comment_id;
    st = (*db)->Write([&](Transaction& tx) -> Status {
      next_comment_id = comment_id_at_start;  // a retried batch reuses its ids
      for (int64_t index = begin; index < end; ++index) {
        // Tickets first: the other tables reference them (foreign keys are on).
        OPSDESK_RETURN_IF_ERROR(WriteTicket(tx, o, dir, first_ticket_id + index - 1, &next_comment_id, tickets, tags, events, comments, index));
      }
      OPSDESK_RETURN_IF_ERROR(tickets.Flush(tx));
      OPSDESK_RETURN_IF_ERROR(comments.Flush(tx));
      OPSDESK_RETURN_IF_ERROR(tags.Flush(tx));
      return events.Flush(tx);
    });
    if (!st.ok()) {
      std::cerr << "data_generator: writing tickets " << begin << ".." << end - 1 << ": " << st.ToString() << "\n";
      return 1;
    }
    if (elapsed() - last_report >= 10 || end > o.tickets) {
      last_report = elapsed();
      std::printf("data_generator: %lld/%lld tickets after %.1f s (%.0f tickets/s)\n", static_cast<long long>(end - 1),
                  static_cast<long long>(o.tickets), last_report, (end - 1) / std::max(last_report, 1e-9));
      std::fflush(stdout);
    }
  }
  int64_t articles_written = 0;
  if (o.articles > 0) {
    if (Status s = WriteArticles(**db, o, dir, &articles_written); !s.ok()) {
      std::cerr << "data_generator: writing articles: " << s.ToString() << "\n";
      return 1;
    }
  }
  // Inserted rows count the batches that committed; a failed batch exits above.
  const double load_seconds = elapsed();
  double index_seconds = 0;
  if (o.bulk_index) {
    auto i0 = SteadyClock::now();
    if (Status s = RebuildSearchIndexes(**db, saved_triggers); !s.ok()) {
      std::cerr << "data_generator: filling the search indexes: " << s.ToString() << "\n";
      return 1;
    }
    index_seconds = std::chrono::duration<double>(SteadyClock::now() - i0).count();
  }

  // PostgreSQL identity columns do not advance for explicit ids; move them past
  // what was written so the server's own inserts do not collide.
  if (engine == storage::Engine::kPostgres) {
    st = (*db)->Write([&](Transaction& tx) -> Status {
      for (const char* table :
           {"users", "teams", "queues", "tickets", "comments", "ticket_events", "kb_articles", "kb_article_events"}) {
        std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + table +
                          "', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM " + table + "), false)";
        OPSDESK_RETURN_IF_ERROR(tx.Query(sql).status());
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::cerr << "data_generator: setval: " << st.ToString() << "\n";
      return 1;
    }
  }
  double analyze_seconds = 0;
  if (engine == storage::Engine::kPostgres || o.analyze) {
    auto a0 = SteadyClock::now();
    st = (*db)->Write([](Transaction& tx) { return tx.ExecScript("ANALYZE"); });
    if (!st.ok()) {
      std::cerr << "data_generator: ANALYZE: " << st.ToString() << "\n";
      return 1;
    }
    analyze_seconds = std::chrono::duration<double>(SteadyClock::now() - a0).count();
  }

  std::printf(
      "data_generator: done engine=%s users=%lld queues=%zu tickets=%lld ticket_tags=%lld ticket_events=%lld "
      "comments=%lld articles=%lld first_ticket_id=%lld last_ticket_id=%lld load_s=%.1f index_s=%.1f "
      "analyze_s=%.1f total_s=%.1f tickets_per_s=%.0f\n",
      storage::EngineName(engine), static_cast<long long>(users_written), dir.queue_ids.size(),
      static_cast<long long>(tickets.total_rows()), static_cast<long long>(tags.total_rows()),
      static_cast<long long>(events.total_rows()), static_cast<long long>(comments.total_rows()),
      static_cast<long long>(articles_written), static_cast<long long>(first_ticket_id),
      static_cast<long long>(first_ticket_id + o.tickets - 1), load_seconds, index_seconds, analyze_seconds, elapsed(), o.tickets / std::max(load_seconds, 1e-9));
  return 0;
}

}  // namespace
}  // namespace opsdesk::bench

int main(int argc, char** argv) {
  opsdesk::bench::Options options;
  if (!opsdesk::bench::ParseArgs(argc, argv, &options)) {
    opsdesk::bench::Usage();
    return 2;
  }
  return opsdesk::bench::Run(options);
}
