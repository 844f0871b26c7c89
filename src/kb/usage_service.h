// How the knowledge base is used (docs/KB.md): agents link articles to the
// tickets they resolved with them or sent to the requester (with the exact
// version), each article shows how many tickets used it; the lead sees the
// gaps (solved tickets that used no article, by component and tag) and starts
// a draft from a solved ticket; people vote "was this helpful?"; and the
// portal's suggestion sessions measure deflection (a suggestion viewed, then
// no ticket filed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "kb/kb_service.h"
#include "storage/database.h"
#include "tickets/ticket_service.h"

namespace opsdesk::kb {

constexpr int kRecentUses = 10;
constexpr int kMaxGapDays = 365;
constexpr int kGapTicketIdsPerGroup = 20;
constexpr size_t kMaxFeedbackCommentChars = 2000;
// A portal session with no new view for this long is settled: deflected
// unless a ticket was filed from it.
constexpr int64_t kSuggestionSessionIdleMs = 30LL * 60 * 1000;

struct TicketArticleLink {
  int64_t ticket_id = 0;
  int64_t article_id = 0;
  std::string article_title;
  std::string article_audience;
  int article_version = 0;
  std::string kind;  // resolved_with | sent_to_requester
  std::optional<int64_t> linked_by;
  TimestampMs linked_at = 0;
};

struct ArticleUse {
  int64_t ticket_id = 0;
  std::string subject;
  std::string status;
  std::string kind;
  int article_version = 0;
  std::optional<int64_t> linked_by;
  TimestampMs linked_at = 0;
};

struct ArticleUsage {
  int64_t ticket_count = 0;        // distinct tickets
  std::vector<ArticleUse> recent;  // newest first, at most kRecentUses
};

// Solved tickets that used no article, for one component and tag (either may
// be absent: no queue, no tags). A ticket with two tags is in two groups.
struct GapGroup {
  std::optional<std::string> queue;
  std::optional<std::string> tag;
  int64_t count = 0;
  std::vector<int64_t> ticket_ids;  // newest first, at most kGapTicketIdsPerGroup
};

struct KbGaps {
  int days = 0;
  int64_t total = 0;  // distinct tickets
  std::vector<GapGroup> groups;  // largest first
};

struct FeedbackCounts {
  int64_t helpful = 0;
  int64_t not_helpful = 0;
};

struct FeedbackEntry {
  int64_t user_id = 0;
  bool helpful = false;
  std::string comment;
  int article_version = 0;
  TimestampMs at = 0;
};

struct ArticleFeedback {
  FeedbackCounts counts;
  std::vector<FeedbackEntry> items;  // newest first
};

struct DeflectionStats {
  int days = 0;
  int64_t sessions = 0;   // settled sessions that viewed at least one suggestion
  int64_t filed = 0;      // of those, a ticket was filed from the form
  int64_t deflected = 0;  // of those, none was
  int64_t open = 0;       // still in progress (a view in the last 30 minutes, nothing filed)
  std::optional<double> rate;  // deflected / sessions; none without sessions
};

class UsageService {
 public:
  UsageService(storage::Database& db, const Clock& clock, KbService& kb, tickets::TicketService& tickets)
      : db_(db), clock_(clock), kb_(kb), tickets_(tickets) {}

  // Staff. Records (or refreshes, with the article's current version) that the
  // ticket was resolved with the article or that it was sent to the requester;
  // an internal `article_linked` event on the ticket. Only a published article
  // can be linked, and only a public one sent to a requester.
  Result<TicketArticleLink> Link(const auth::Actor& actor, int64_t ticket_id, int64_t article_id,
                                 const std::string& kind);
  Result<std::vector<TicketArticleLink>> ListForTicket(const auth::Actor& actor, int64_t ticket_id);
  // Removes every link between the two; kNotFound when there was none.
  Status Unlink(const auth::Actor& actor, int64_t ticket_id, int64_t article_id);
  // Staff.
  Result<ArticleUsage> Usage(const auth::Actor& actor, int64_t article_id);

  // Leads and admins: solved in the last `days` days (1..365) with no article.
  Result<KbGaps> Gaps(const auth::Actor& actor, int days);
  // Staff: a draft article from a solved ticket: its subject as the title, the
  // problem (its body) and the resolution (the last public reply by someone
  // other than the requester) pre-filled, its component and tags.
  Result<Article> DraftFromTicket(const auth::Actor& actor, int64_t ticket_id);

  // Anyone who can read the article; one vote per person, the latest counts.
  Result<FeedbackCounts> RecordFeedback(const auth::Actor& actor, int64_t article_id, bool helpful,
                                        const std::string& comment);
  // Staff (kNotFound for requesters, as for an article's history).
  Result<ArticleFeedback> Feedback(const auth::Actor& actor, int64_t article_id);

  // The portal: a requester opened a suggested article from the new-ticket
  // form `session_id` (8-64 letters, digits or dashes, chosen by the form),
  // and later filed `ticket_id` (their own) from it. Staff calls count nothing.
  Status RecordSuggestionView(const auth::Actor& actor, const std::string& session_id, int64_t article_id);
  Status RecordFiled(const auth::Actor& actor, const std::string& session_id, int64_t ticket_id);
  // Leads and admins: sessions whose first view is in the last `days` days.
  Result<DeflectionStats> Deflection(const auth::Actor& actor, int days);

 private:
  storage::Database& db_;
  const Clock& clock_;
  KbService& kb_;
  tickets::TicketService& tickets_;
};

}  // namespace opsdesk::kb
