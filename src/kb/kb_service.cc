#include "kb/kb_service.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "common/text.h"
#include "markdown/markdown.h"
#include "queues/queue_service.h"
#include "search/match.h"

namespace opsdesk::kb {
namespace {

using Errors = std::map<std::string, std::string>;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr size_t kMaxTags = 20;

constexpr const char* kColumns =
    "id, title, body, body_html, category, audience, state, tags, queue_ids, owner_id, review_interval_days, "
    "reviewed_at, review_due_at, version, created_by, created_at, updated_at, published_at";

Article FromRow(const storage::Row& r) {
  Article a;
  a.id = r.Int(0);
  a.title = r.Text(1);
  a.body = r.Text(2);
  a.body_html = r.Text(3);
  a.category = r.Text(4);
  a.audience = r.Text(5);
  a.state = r.Text(6);
  a.tags = Split(r.Text(7), ' ');
  a.queue_ids = SplitIds(r.Text(8));
  a.owner_id = r.OptInt(9);
  a.review_interval_days = static_cast<int>(r.Int(10));
  a.reviewed_at = r.OptInt(11);
  a.review_due_at = r.OptInt(12);
  a.version = static_cast<int>(r.Int(13));
  a.created_by = r.OptInt(14);
  a.created_at = r.Int(15);
  a.updated_at = r.Int(16);
  a.published_at = r.OptInt(17);
  return a;
}

constexpr const char* kVersionColumns =
    "article_id, version, title, body, category, audience, tags, queue_ids, author_id, note, created_at";

ArticleVersion VersionFromRow(const storage::Row& r) {
  ArticleVersion v;
  v.article_id = r.Int(0);
  v.version = static_cast<int>(r.Int(1));
  v.title = r.Text(2);
  v.body = r.Text(3);
  v.category = r.Text(4);
  v.audience = r.Text(5);
  v.tags = Split(r.Text(6), ' ');
  v.queue_ids = SplitIds(r.Text(7));
  v.author_id = r.OptInt(8);
  v.note = r.Text(9);
  v.created_at = r.Int(10);
  return v;
}

std::optional<int64_t> ActorId(const auth::Actor& actor) {
  if (actor.is_system) return std::nullopt;
  return actor.user_id;
}

bool Visible(const auth::Actor& actor, const Article& a) {
  return actor.IsStaff() || (a.state == "published" && a.audience == "public");
}

Result<Article> LoadVisible(storage::Transaction& tx, const auth::Actor& actor, int64_t id) {
  auto row = tx.QueryOne(std::string("SELECT ") + kColumns + " FROM kb_articles WHERE id = ?", {id});
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("article not found");
  Article a = FromRow(**row);
  if (!Visible(actor, a)) return Status::NotFound("article not found");
  return a;
}

std::string NormalizeTag(const std::string& raw, bool* ok) {
  std::string tag = ToLowerAscii(Trim(raw));
  *ok = !tag.empty() && tag.size() <= 50;
  for (char ch : tag) {
    *ok = *ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                  ch == ':' || ch == '/');
  }
  return tag;
}

// Applies `in` to `a`, naming each bad field; the checks that need the
// database (queues, owner) come after.
void Apply(const ArticleInput& in, bool create, Article& a, Errors& errors) {
  if (in.title || create) {
    a.title = in.title.value_or("");
    if (std::string p = TextFieldProblem(a.title, 1, kMaxTitleChars, false); !p.empty()) errors["title"] = p;
    else if (Trim(a.title).empty()) errors["title"] = "must not be blank";
  }
  if (in.body || create) {
    a.body = in.body.value_or("");
    if (a.body.size() > kMaxArticleBytes) errors["body"] = "must be at most 256 KiB";
    else if (!IsValidUtf8(a.body)) errors["body"] = "must be valid UTF-8";
    else if (Trim(a.body).empty()) errors["body"] = "must not be blank";
  }
  if (in.category) {
    a.category = Trim(*in.category);
    if (std::string p = TextFieldProblem(a.category, 0, 100, false); !p.empty()) errors["category"] = p;
  }
  if (in.audience) {
    a.audience = *in.audience;
    if (a.audience != "public" && a.audience != "internal") errors["audience"] = "must be public or internal";
  }
  if (in.tags) {
    std::set<std::string> tags;
    for (const auto& raw : *in.tags) {
      bool ok = false;
      std::string tag = NormalizeTag(raw, &ok);
      if (!ok) errors["tags"] = "each tag must be 1-50 characters of a-z, 0-9, '-', '_', '.', ':' or '/'";
      else tags.insert(tag);
    }
    if (tags.size() > kMaxTags) errors["tags"] = "an article has at most 20 tags";
    a.tags.assign(tags.begin(), tags.end());
  }
  if (in.queue_ids) {
    std::set<int64_t> ids(in.queue_ids->begin(), in.queue_ids->end());
    if (ids.size() > 50) errors["queue_ids"] = "at most 50 components";
    a.queue_ids.assign(ids.begin(), ids.end());
  }
  if (in.owner_id) a.owner_id = *in.owner_id;
  if (in.review_interval_days) {
    a.review_interval_days = *in.review_interval_days;
    if (a.review_interval_days < 1 || a.review_interval_days > 3650) {
      errors["review_interval_days"] = "must be 1 to 3650 days";
    }
  }
}

Status CheckReferences(storage::Transaction& tx, const Article& a, Errors& errors) {
  for (int64_t id : a.queue_ids) {
    auto queue = queues::QueueService::FindQueue(tx, id);
    if (!queue.ok()) return queue.status();
    if (!*queue) errors["queue_ids"] = "queue " + std::to_string(id) + " does not exist";
  }
  if (a.owner_id) {
    auto owner = tx.QueryOne("SELECT role, is_active FROM users WHERE id = ?", {*a.owner_id});
    if (!owner.ok()) return owner.status();
    if (!*owner || (*owner)->Text(0) == "requester" || !(*owner)->Bool(1)) {
      errors["owner_id"] = "must be an active agent, lead or admin";
    }
  }
  return Status::Ok();
}

std::optional<TimestampMs> ReviewDue(const Article& a) {
  if (a.state != "published" || !a.reviewed_at) return std::nullopt;
  return *a.reviewed_at + a.review_interval_days * kDayMs;
}

Status WriteArticle(storage::Transaction& tx, const Article& a) {
  return tx
      .Exec("UPDATE kb_articles SET title = ?, body = ?, body_html = ?, category = ?, audience = ?, state = ?, "
            "tags = ?, queue_ids = ?, owner_id = ?, review_interval_days = ?, reviewed_at = ?, review_due_at = ?, "
            "version = ?, updated_at = ?, published_at = ? WHERE id = ?",
            {a.title, a.body, a.body_html, a.category, a.audience, a.state, Join(a.tags, ' '), JoinIds(a.queue_ids),
             a.owner_id, a.review_interval_days, a.reviewed_at, a.review_due_at, a.version, a.updated_at,
             a.published_at, a.id})
      .status();
}

Status WriteVersion(storage::Transaction& tx, const Article& a, std::optional<int64_t> author, const std::string& note,
                    TimestampMs now) {
  return tx
      .Exec("INSERT INTO kb_article_versions (article_id, version, title, body, category, audience, tags, queue_ids, "
            "author_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {a.id, a.version, a.title, a.body, a.category, a.audience, Join(a.tags, ' '), JoinIds(a.queue_ids),
             author, note, now})
      .status();
}

Status WriteEvent(storage::Transaction& tx, int64_t article_id, std::optional<int64_t> actor, TimestampMs at,
                  const std::string& kind, std::optional<std::string> before, std::optional<std::string> after) {
  return tx
      .Exec("INSERT INTO kb_article_events (article_id, actor_id, at, kind, before_value, after_value) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            {article_id, actor, at, kind, before, after})
      .status();
}

// Leads and admins, and the agents an admin made knowledge base editors,
// publish, archive and edit what is published.
Result<bool> IsEditor(storage::Transaction& tx, const auth::Actor& actor) {
  if (actor.IsLeadOrAdmin()) return true;
  if (!actor.IsStaff()) return false;
  OPSDESK_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT kb_editor FROM users WHERE id = ?", {actor.user_id}));
  return row && row->Bool(0);
}

// Who may move an article from one state to another (docs/KB.md).
Status CheckTransition(bool editor, const std::string& from, const std::string& to) {
  static const std::set<std::pair<std::string, std::string>> kAgentMoves = {
      {"draft", "in_review"}, {"in_review", "draft"}};
  static const std::set<std::pair<std::string, std::string>> kLeadMoves = {
      {"draft", "in_review"},  {"in_review", "draft"},    {"draft", "published"},   {"in_review", "published"},
      {"published", "archived"}, {"published", "draft"}, {"archived", "draft"}};
  if (to != "draft" && to != "in_review" && to != "published" && to != "archived") {
    return Status::InvalidArgument("state change is not valid",
                                   {{"state", "must be draft, in_review, published or archived"}});
  }
  if (!kLeadMoves.count({from, to})) {
    return Status::InvalidArgument("state change is not valid",
                                   {{"state", "cannot change from " + from + " to " + to}});
  }
  if (!editor && !kAgentMoves.count({from, to})) {
    return Status::PermissionDenied("only leads, admins and knowledge base editors publish, archive or restore "
                                    "articles");
  }
  return Status::Ok();
}

}  // namespace

Result<Article> KbService::Create(const auth::Actor& actor, const ArticleInput& input) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff write articles");
  Article a;
  Errors errors;
  Apply(input, true, a, errors);
  if (!input.owner_id && !actor.is_system) a.owner_id = actor.user_id;
  if (!errors.empty()) return Status::InvalidArgument("article is not valid", errors);
  a.body_html = markdown::RenderHtml(a.body);
  TimestampMs now = clock_.NowMs();
  a.created_at = a.updated_at = now;
  a.created_by = ActorId(actor);
  a.version = 1;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(CheckReferences(tx, a, errors));
    if (!errors.empty()) return Status::InvalidArgument("article is not valid", errors);
    auto row = tx.QueryOne(
        "INSERT INTO kb_articles (title, body, body_html, category, audience, state, tags, queue_ids, owner_id, "
        "review_interval_days, version, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
        {a.title, a.body, a.body_html, a.category, a.audience, Join(a.tags, ' '), JoinIds(a.queue_ids), a.owner_id,
         a.review_interval_days, a.created_by, now, now});
    if (!row.ok()) return row.status();
    a.id = (*row)->Int(0);
    return WriteVersion(tx, a, a.created_by, "", now);
  });
  if (!status.ok()) return status;
  return a;
}

Result<Article> KbService::Get(const auth::Actor& actor, int64_t id) {
  Article out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(out, LoadVisible(tx, actor, id));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Page<Article>> KbService::List(const auth::Actor& actor, const ArticleFilter& filter) {
  std::string where = "WHERE 1 = 1";
  storage::Params params;
  Errors errors;
  if (!actor.IsStaff()) {
    // Requesters: published public articles, whatever else they ask for.
    where += " AND state = 'published' AND audience = 'public'";
  } else {
    if (filter.state) {
      if (*filter.state != "draft" && *filter.state != "in_review" && *filter.state != "published" &&
          *filter.state != "archived") {
        errors["state"] = "must be draft, in_review, published or archived";
      }
      where += " AND state = ?";
      params.emplace_back(*filter.state);
    }
    if (filter.audience) {
      where += " AND audience = ?";
      params.emplace_back(*filter.audience);
    }
    if (filter.owner_id) {
      where += " AND owner_id = ?";
      params.emplace_back(*filter.owner_id);
    }
    if (filter.stale) {
      where += " AND review_due_at < ?";
      params.emplace_back(clock_.NowMs());
    }
  }
  if (!errors.empty()) return Status::InvalidArgument("invalid query", errors);
  if (filter.category) {
    where += " AND category = ?";
    params.emplace_back(*filter.category);
  }
  if (filter.queue_id) {
    // The stored list is space-separated; matched as search's component filter
    // matches it, so the LIMIT below applies (a component's page asks for a
    // few of its articles and must not read every published body).
    where += " AND (' ' || queue_ids || ' ') LIKE ? ESCAPE '\\'";
    params.emplace_back(search::InListPattern(std::to_string(*filter.queue_id)));
  }
  if (filter.cursor) {
    std::string sort_value;
    int64_t after_id = 0;
    if (!DecodeCursor(*filter.cursor, &sort_value, &after_id)) {
      return Status::InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this server issued"}});
    }
    int64_t value = std::atoll(sort_value.c_str());
    where += " AND (updated_at < ? OR (updated_at = ? AND id < ?))";
    params.emplace_back(value);
    params.emplace_back(value);
    params.emplace_back(after_id);
  }
  // The tag is filtered here: lists of articles are small next to tickets, and
  // the stored list is space-separated.
  Page<Article> page;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    storage::Params all = params;
    all.emplace_back(static_cast<int64_t>(filter.limit + 1));
    bool post_filter = filter.tag.has_value();
    auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM kb_articles " + where +
                             " ORDER BY updated_at DESC, id DESC" + (post_filter ? "" : " LIMIT ?"),
                         post_filter ? params : all);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      Article a = FromRow(r);
      if (filter.tag && !std::binary_search(a.tags.begin(), a.tags.end(), ToLowerAscii(*filter.tag))) continue;
      page.items.push_back(std::move(a));
      if (static_cast<int>(page.items.size()) > filter.limit) break;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.items.size()) > filter.limit) {
    page.items.resize(filter.limit);
    page.next_cursor = EncodeCursor(std::to_string(page.items.back().updated_at), page.items.back().id);
  }
  return page;
}

Result<std::vector<Article>> KbService::ListPublishedForComponent(const auth::Actor& actor, int64_t queue_id,
                                                                  int limit) {
  ArticleFilter filter;
  filter.state = "published";
  filter.queue_id = queue_id;
  filter.limit = limit;
  OPSDESK_ASSIGN_OR_RETURN(Page<Article> page, List(actor, filter));
  return std::move(page.items);
}

Result<Article> KbService::Save(const auth::Actor& actor, int64_t id, const ArticleInput& patch,
                                const std::string& note) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  Article out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Article before, LoadVisible(tx, actor, id));
    if (before.state == "published" || before.state == "archived") {
      OPSDESK_ASSIGN_OR_RETURN(bool editor, IsEditor(tx, actor));
      if (!editor) {
        return Status::PermissionDenied("only leads, admins and knowledge base editors edit " + before.state +
                                        " articles");
      }
    }
    if (patch.expected_version && *patch.expected_version != before.version) {
      return Status::PreconditionFailed("article was changed by someone else (version " +
                                        std::to_string(before.version) + "); reload and retry");
    }
    Article a = before;
    Errors errors;
    Apply(patch, false, a, errors);
    if (errors.empty()) OPSDESK_RETURN_IF_ERROR(CheckReferences(tx, a, errors));
    if (!errors.empty()) return Status::InvalidArgument("article change is not valid", errors);
    bool content_changed = a.title != before.title || a.body != before.body || a.category != before.category ||
                           a.audience != before.audience || a.tags != before.tags || a.queue_ids != before.queue_ids;
    bool settings_changed = a.owner_id != before.owner_id || a.review_interval_days != before.review_interval_days;
    if (!content_changed && !settings_changed) {
      out = before;
      return Status::Ok();
    }
    TimestampMs now = clock_.NowMs();
    a.updated_at = now;
    a.review_due_at = ReviewDue(a);
    if (a.body != before.body) a.body_html = markdown::RenderHtml(a.body);
    if (content_changed) {
      a.version = before.version + 1;
      OPSDESK_RETURN_IF_ERROR(WriteVersion(tx, a, ActorId(actor), note, now));
    }
    OPSDESK_RETURN_IF_ERROR(WriteArticle(tx, a));
    out = a;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Article> KbService::Update(const auth::Actor& actor, int64_t id, const ArticleInput& patch) {
  return Save(actor, id, patch, "");
}

Result<Article> KbService::Transition(const auth::Actor& actor, int64_t id, const std::string& to) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  Article out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Article a, LoadVisible(tx, actor, id));
    if (a.state == to) {
      out = a;
      return Status::Ok();
    }
    OPSDESK_ASSIGN_OR_RETURN(bool editor, IsEditor(tx, actor));
    OPSDESK_RETURN_IF_ERROR(CheckTransition(editor, a.state, to));
    TimestampMs now = clock_.NowMs();
    std::string from = a.state;
    a.state = to;
    a.updated_at = now;
    if (to == "published") {
      a.published_at = now;
      a.reviewed_at = now;  // publishing is a review
    }
    a.review_due_at = ReviewDue(a);
    OPSDESK_RETURN_IF_ERROR(WriteArticle(tx, a));
    OPSDESK_RETURN_IF_ERROR(WriteEvent(tx, id, ActorId(actor), now, "state_changed", from, to));
    out = a;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Article> KbService::MarkReviewed(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  Article out;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(Article a, LoadVisible(tx, actor, id));
    bool owner = a.owner_id && !actor.is_system && *a.owner_id == actor.user_id;
    if (!owner && !actor.IsLeadOrAdmin()) {
      return Status::PermissionDenied("only the article's owner or a lead confirms a review");
    }
    if (a.state != "published") return Status::FailedPrecondition("only published articles are reviewed");
    TimestampMs now = clock_.NowMs();
    a.reviewed_at = now;
    a.review_due_at = ReviewDue(a);
    OPSDESK_RETURN_IF_ERROR(WriteArticle(tx, a));
    OPSDESK_RETURN_IF_ERROR(WriteEvent(tx, id, ActorId(actor), now, "reviewed", std::nullopt, std::nullopt));
    out = a;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<ArticleVersion>> KbService::ListVersions(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  std::vector<ArticleVersion> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(LoadVisible(tx, actor, id).status());
    auto rows = tx.Query(std::string("SELECT ") + kVersionColumns +
                             " FROM kb_article_versions WHERE article_id = ? ORDER BY version DESC",
                         {id});
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) out.push_back(VersionFromRow(r));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<ArticleVersion> KbService::GetVersion(const auth::Actor& actor, int64_t id, int version) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  std::optional<ArticleVersion> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(LoadVisible(tx, actor, id).status());
    auto row = tx.QueryOne(std::string("SELECT ") + kVersionColumns +
                               " FROM kb_article_versions WHERE article_id = ? AND version = ?",
                           {id, static_cast<int64_t>(version)});
    if (!row.ok()) return row.status();
    if (*row) out = VersionFromRow(**row);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!out) return Status::NotFound("article " + std::to_string(id) + " has no version " + std::to_string(version));
  return *out;
}

Result<ArticleDiff> KbService::Diff(const auth::Actor& actor, int64_t id, int from_version, int to_version) {
  OPSDESK_ASSIGN_OR_RETURN(ArticleVersion from, GetVersion(actor, id, from_version));
  OPSDESK_ASSIGN_OR_RETURN(ArticleVersion to, GetVersion(actor, id, to_version));
  ArticleDiff d;
  d.article_id = id;
  d.from_version = from_version;
  d.to_version = to_version;
  auto field = [&](const char* name, const std::string& a, const std::string& b) {
    if (a != b) d.fields.push_back({name, a, b});
  };
  field("title", from.title, to.title);
  field("category", from.category, to.category);
  field("audience", from.audience, to.audience);
  field("tags", Join(from.tags, ' '), Join(to.tags, ' '));
  field("queue_ids", JoinIds(from.queue_ids), JoinIds(to.queue_ids));
  d.body = DiffLines(from.body, to.body);
  return d;
}

Result<Article> KbService::Restore(const auth::Actor& actor, int64_t id, int version) {
  OPSDESK_ASSIGN_OR_RETURN(ArticleVersion v, GetVersion(actor, id, version));
  ArticleInput patch;
  patch.title = v.title;
  patch.body = v.body;
  patch.category = v.category;
  patch.audience = v.audience;
  patch.tags = v.tags;
  patch.queue_ids = v.queue_ids;
  return Save(actor, id, patch, "restored from version " + std::to_string(version));
}

Result<std::vector<ArticleEvent>> KbService::ListEvents(const auth::Actor& actor, int64_t id) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  std::vector<ArticleEvent> out;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(LoadVisible(tx, actor, id).status());
    auto rows = tx.Query(
        "SELECT id, actor_id, at, kind, before_value, after_value FROM kb_article_events WHERE article_id = ? "
        "ORDER BY id",
        {id});
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      out.push_back(ArticleEvent{r.Int(0), r.OptInt(1), r.Int(2), r.Text(3), r.OptText(4), r.OptText(5)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace opsdesk::kb
