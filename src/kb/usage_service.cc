#include "kb/usage_service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"

namespace opsdesk::kb {
namespace {

using auth::Actor;
using storage::Transaction;

std::optional<int64_t> ActorId(const Actor& actor) {
  if (actor.is_system) return std::nullopt;
  return actor.user_id;
}

struct ArticleHead {
  std::string title;
  std::string audience;
  std::string state;
  int version = 0;
};

Result<std::optional<ArticleHead>> LoadHead(Transaction& tx, int64_t article_id) {
  auto row = tx.QueryOne("SELECT title, audience, state, version FROM kb_articles WHERE id = ?", {article_id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ArticleHead>();
  return std::optional<ArticleHead>(
      ArticleHead{(*row)->Text(0), (*row)->Text(1), (*row)->Text(2), static_cast<int>((*row)->Int(3))});
}

// An internal event on the ticket's history: which article, which version, how used.
Status AppendTicketEvent(Transaction& tx, int64_t ticket_id, const Actor& actor, TimestampMs at, const char* kind,
                         int64_t article_id, const ArticleHead& head, const std::string& link_kind) {
  boost::json::object data{{"article_id", article_id}, {"title", head.title}, {"version", head.version}};
  if (!link_kind.empty()) data["kind"] = link_kind;
  return tx
      .Exec("INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, before_value, after_value, is_internal) "
            "VALUES (?, ?, ?, ?, 'article', NULL, ?, 1)",
            {ticket_id, ActorId(actor), at, kind, boost::json::serialize(data)})
      .status();
}

bool IsValidSessionId(const std::string& id) {
  if (id.size() < 8 || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

Status CheckDays(int days, int max) {
  if (days < 1 || days > max) {
    return Status::InvalidArgument("invalid query", {{"days", "must be an integer from 1 to " + std::to_string(max)}});
  }
  return Status::Ok();
}

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

}  // namespace

Result<TicketArticleLink> UsageService::Link(const Actor& actor, int64_t ticket_id, int64_t article_id,
                                             const std::string& kind) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff link articles to tickets");
  if (kind != "resolved_with" && kind != "sent_to_requester") {
    return Status::InvalidArgument("link is not valid", {{"kind", "must be resolved_with or sent_to_requester"}});
  }
  OPSDESK_RETURN_IF_ERROR(tickets_.Get(actor, ticket_id).status());
  TicketArticleLink link;
  Status status = db_.Write([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto head, LoadHead(tx, article_id));
    if (!head) return Status::InvalidArgument("link is not valid", {{"article_id", "no such article"}});
    if (head->state != "published") {
      return Status::InvalidArgument("link is not valid", {{"article_id", "only a published article can be linked"}});
    }
    if (kind == "sent_to_requester" && head->audience != "public") {
      return Status::InvalidArgument("link is not valid",
                                     {{"article_id", "an internal article cannot be sent to a requester"}});
    }
    TimestampMs now = clock_.NowMs();
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO kb_ticket_links (ticket_id, article_id, kind, article_version, linked_by, linked_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, article_id, kind) DO UPDATE SET "
                "article_version = EXCLUDED.article_version, linked_by = EXCLUDED.linked_by, "
                "linked_at = EXCLUDED.linked_at",
                {ticket_id, article_id, kind, head->version, ActorId(actor), now})
            .status());
    OPSDESK_RETURN_IF_ERROR(AppendTicketEvent(tx, ticket_id, actor, now, "article_linked", article_id, *head, kind));
    link = TicketArticleLink{ticket_id, article_id, head->title, head->audience, head->version, kind,
                             ActorId(actor), now};
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return link;
}

Result<std::vector<TicketArticleLink>> UsageService::ListForTicket(const Actor& actor, int64_t ticket_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("article links are for staff");
  OPSDESK_RETURN_IF_ERROR(tickets_.Get(actor, ticket_id).status());
  std::vector<TicketArticleLink> out;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT l.article_id, a.title, a.audience, l.article_version, l.kind, l.linked_by, "
                            "l.linked_at FROM kb_ticket_links l JOIN kb_articles a ON a.id = l.article_id "
                            "WHERE l.ticket_id = ? ORDER BY l.linked_at, l.article_id, l.kind",
                            {ticket_id}));
    for (const auto& r : rows) {
      out.push_back(TicketArticleLink{ticket_id, r.Int(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)),
                                      r.Text(4), r.OptInt(5), r.Int(6)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status UsageService::Unlink(const Actor& actor, int64_t ticket_id, int64_t article_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff link articles to tickets");
  OPSDESK_RETURN_IF_ERROR(tickets_.Get(actor, ticket_id).status());
  return db_.Write([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto head, LoadHead(tx, article_id));
    OPSDESK_ASSIGN_OR_RETURN(int64_t removed, tx.Exec("DELETE FROM kb_ticket_links WHERE ticket_id = ? AND "
                                                      "article_id = ?",
                                                      {ticket_id, article_id}));
    if (removed == 0 || !head) return Status::NotFound("the ticket has no link to that article");
    return AppendTicketEvent(tx, ticket_id, actor, clock_.NowMs(), "article_unlinked", article_id, *head, "");
  });
}

Result<ArticleUsage> UsageService::Usage(const Actor& actor, int64_t article_id) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  OPSDESK_RETURN_IF_ERROR(kb_.Get(actor, article_id).status());
  ArticleUsage usage;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto count, tx.QueryOne("SELECT COUNT(DISTINCT ticket_id) FROM kb_ticket_links "
                                                     "WHERE article_id = ?",
                                                     {article_id}));
    usage.ticket_count = count ? count->Int(0) : 0;
    OPSDESK_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT l.ticket_id, t.subject, t.status, l.kind, l.article_version, l.linked_by, "
                            "l.linked_at FROM kb_ticket_links l JOIN tickets t ON t.id = l.ticket_id "
                            "WHERE l.article_id = ? ORDER BY l.linked_at DESC, l.ticket_id DESC LIMIT ?",
                            {article_id, kRecentUses}));
    for (const auto& r : rows) {
      usage.recent.push_back(ArticleUse{r.Int(0), r.Text(1), r.Text(2), r.Text(3), static_cast<int>(r.Int(4)),
                                        r.OptInt(5), r.Int(6)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return usage;
}

Result<KbGaps> UsageService::Gaps(const Actor& actor, int days) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("knowledge gaps are for leads and admins");
  OPSDESK_RETURN_IF_ERROR(CheckDays(days, kMaxGapDays));
  const TimestampMs since = clock_.NowMs() - days * kDayMs;
  KbGaps gaps;
  gaps.days = days;
  // (queue, tag) -> ticket ids, newest first; std::map keeps the order stable.
  std::map<std::pair<std::optional<std::string>, std::optional<std::string>>, std::vector<int64_t>> groups;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    // Driven by the events' time index: the tickets solved in the window, then
    // those still solved or closed that no article link touches.
    OPSDESK_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT t.id, q.name, t.tags FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id "
                 "WHERE t.id IN (SELECT e.ticket_id FROM ticket_events e WHERE e.at >= ? AND e.kind = "
                 "'field_changed' AND e.field = 'status' AND e.after_value = 'solved') "
                 "AND t.status IN ('solved', 'closed') "
                 "AND NOT EXISTS (SELECT 1 FROM kb_ticket_links l WHERE l.ticket_id = t.id) "
                 "ORDER BY t.id DESC",
                 {since}));
    gaps.total = static_cast<int64_t>(rows.size());
    for (const auto& r : rows) {
      std::optional<std::string> queue = r.OptText(1);
      std::vector<std::string> tags = Split(r.Text(2), ' ');
      if (tags.empty()) groups[{queue, std::nullopt}].push_back(r.Int(0));
      for (const auto& tag : tags) groups[{queue, tag}].push_back(r.Int(0));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  for (auto& [key, ids] : groups) {
    GapGroup g{key.first, key.second, static_cast<int64_t>(ids.size()), {}};
    g.ticket_ids.assign(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), kGapTicketIdsPerGroup));
    gaps.groups.push_back(std::move(g));
  }
  std::stable_sort(gaps.groups.begin(), gaps.groups.end(),
                   [](const GapGroup& a, const GapGroup& b) { return a.count > b.count; });
  return gaps;
}

Result<Article> UsageService::DraftFromTicket(const Actor& actor, int64_t ticket_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff write articles");
  OPSDESK_ASSIGN_OR_RETURN(tickets::Ticket ticket, tickets_.Get(actor, ticket_id));
  if (ticket.status != tickets::TicketStatus::kSolved && ticket.status != tickets::TicketStatus::kClosed) {
    return Status::FailedPrecondition("only a solved or closed ticket can become an article");
  }
  // The resolution: the last public reply by anyone but the requester.
  std::string resolution;
  std::optional<std::string> cursor;
  do {
    OPSDESK_ASSIGN_OR_RETURN(auto page, tickets_.ListComments(actor, ticket_id, cursor, kMaxPageLimit));
    for (const auto& c : page.items) {
      if (!c.is_internal && c.author.id != ticket.requester.id) resolution = c.body;
    }
    cursor = page.next_cursor;
  } while (cursor);
  ArticleInput input;
  input.title = std::string(Utf8Prefix(ticket.subject, kMaxTitleChars));
  std::string body = "## Problem\n\n" + ticket.body + "\n\n## Resolution\n\n" +
                     (resolution.empty() ? std::string("_Describe the steps that solved it._") : resolution) +
                     "\n\n_Drafted from ticket #" + std::to_string(ticket.id) + "._\n";
  input.body = std::string(Utf8Prefix(body, kMaxArticleBytes));
  input.audience = "internal";
  input.category = "SOP";
  input.tags = ticket.tags;
  if (ticket.queue_id) input.queue_ids = std::vector<int64_t>{*ticket.queue_id};
  return kb_.Create(actor, input);
}

Result<FeedbackCounts> UsageService::RecordFeedback(const Actor& actor, int64_t article_id, bool helpful,
                                                    const std::string& comment) {
  if (actor.is_system) return Status::PermissionDenied("feedback comes from people");
  if (std::string p = TextFieldProblem(comment, 0, kMaxFeedbackCommentChars, true); !p.empty()) {
    return Status::InvalidArgument("feedback is not valid", {{"comment", p}});
  }
  OPSDESK_RETURN_IF_ERROR(kb_.Get(actor, article_id).status());  // what the caller may read
  FeedbackCounts counts;
  Status status = db_.Write([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto head, LoadHead(tx, article_id));
    if (!head) return Status::NotFound("article not found");
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO kb_feedback (article_id, user_id, helpful, comment, article_version, at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, user_id) DO UPDATE SET "
                "helpful = EXCLUDED.helpful, comment = EXCLUDED.comment, "
                "article_version = EXCLUDED.article_version, at = EXCLUDED.at",
                {article_id, actor.user_id, helpful, Trim(comment), head->version, clock_.NowMs()})
            .status());
    OPSDESK_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COALESCE(SUM(helpful), 0), COUNT(*) FROM kb_feedback "
                                                   "WHERE article_id = ?",
                                                   {article_id}));
    counts.helpful = row ? row->Int(0) : 0;
    counts.not_helpful = row ? row->Int(1) - counts.helpful : 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return counts;
}

Result<ArticleFeedback> UsageService::Feedback(const Actor& actor, int64_t article_id) {
  if (!actor.IsStaff()) return Status::NotFound("article not found");
  OPSDESK_RETURN_IF_ERROR(kb_.Get(actor, article_id).status());
  ArticleFeedback out;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT user_id, helpful, comment, article_version, at FROM "
                                                 "kb_feedback WHERE article_id = ? ORDER BY at DESC, user_id DESC",
                                                 {article_id}));
    for (const auto& r : rows) {
      FeedbackEntry e{r.Int(0), r.Bool(1), r.Text(2), static_cast<int>(r.Int(3)), r.Int(4)};
      (e.helpful ? out.counts.helpful : out.counts.not_helpful)++;
      out.items.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status UsageService::RecordSuggestionView(const Actor& actor, const std::string& session_id, int64_t article_id) {
  if (!IsValidSessionId(session_id)) {
    return Status::InvalidArgument("view is not valid", {{"session", "must be 8 to 64 letters, digits or dashes"}});
  }
  OPSDESK_RETURN_IF_ERROR(kb_.Get(actor, article_id).status());
  if (actor.IsStaff()) return Status::Ok();  // deflection is about requesters
  return db_.Write([&](Transaction& tx) -> Status {
    TimestampMs now = clock_.NowMs();
    OPSDESK_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO kb_suggestion_sessions (user_id, session_id, first_view_at, last_view_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, session_id) DO UPDATE SET "
                "last_view_at = EXCLUDED.last_view_at",
                {actor.user_id, session_id, now, now})
            .status());
    return tx
        .Exec("INSERT INTO kb_suggestion_views (user_id, session_id, article_id, at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (user_id, session_id, article_id) DO NOTHING",
              {actor.user_id, session_id, article_id, now})
        .status();
  });
}

Status UsageService::RecordFiled(const Actor& actor, const std::string& session_id, int64_t ticket_id) {
  if (!IsValidSessionId(session_id)) {
    return Status::InvalidArgument("filing is not valid", {{"session", "must be 8 to 64 letters, digits or dashes"}});
  }
  OPSDESK_ASSIGN_OR_RETURN(tickets::Ticket ticket, tickets_.Get(actor, ticket_id));
  if (actor.IsStaff() || ticket.requester.id != actor.user_id) return Status::Ok();
  // A form whose suggestions were never opened has no session: nothing to count.
  return db_.Write([&](Transaction& tx) -> Status {
    return tx
        .Exec("UPDATE kb_suggestion_sessions SET filed_ticket_id = ?, filed_at = ? WHERE user_id = ? AND "
              "session_id = ? AND filed_ticket_id IS NULL",
              {ticket_id, clock_.NowMs(), actor.user_id, session_id})
        .status();
  });
}

Result<DeflectionStats> UsageService::Deflection(const Actor& actor, int days) {
  if (!actor.IsLeadOrAdmin()) return Status::PermissionDenied("deflection figures are for leads and admins");
  OPSDESK_RETURN_IF_ERROR(CheckDays(days, kMaxGapDays));
  const TimestampMs now = clock_.NowMs();
  DeflectionStats stats;
  stats.days = days;
  Status status = db_.Read([&](Transaction& tx) -> Status {
    OPSDESK_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("SELECT "
                              "COALESCE(SUM(CASE WHEN filed_ticket_id IS NOT NULL THEN 1 ELSE 0 END), 0), "
                              "COALESCE(SUM(CASE WHEN filed_ticket_id IS NULL AND last_view_at <= ? THEN 1 ELSE 0 "
                              "END), 0), "
                              "COALESCE(SUM(CASE WHEN filed_ticket_id IS NULL AND last_view_at > ? THEN 1 ELSE 0 "
                              "END), 0) "
                              "FROM kb_suggestion_sessions WHERE first_view_at >= ?",
                              {now - kSuggestionSessionIdleMs, now - kSuggestionSessionIdleMs, now - days * kDayMs}));
    if (row) {
      stats.filed = row->Int(0);
      stats.deflected = row->Int(1);
      stats.open = row->Int(2);
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  stats.sessions = stats.filed + stats.deflected;
  if (stats.sessions > 0) stats.rate = static_cast<double>(stats.deflected) / static_cast<double>(stats.sessions);
  return stats;
}

}  // namespace opsdesk::kb
