// The knowledge base (docs/KB.md): articles and SOPs with a Markdown body
// (rendered safely), a category, related components (queues), tags, an audience
// (public: requesters read it in the portal; internal: staff only), an owner and
// a review interval.
//
// Every save is a new version (list, show, diff any two, restore an old one as
// a new version). States: draft -> in_review -> published -> archived; agents
// write drafts and submit them for review; leads and admins (and agents an
// admin made knowledge base editors, users.kb_editor) publish, archive, send
// back, and alone edit what is published or archived. Requesters read
// published public articles only; anything else is kNotFound for them, never
// kPermissionDenied, so they cannot learn what exists.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/page.h"
#include "common/result.h"
#include "kb/diff.h"
#include "storage/database.h"

namespace opsdesk::kb {

constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxArticleBytes = 256 * 1024;
constexpr int kDefaultReviewDays = 180;

struct Article {
  int64_t id = 0;
  std::string title;
  std::string body;       // Markdown
  std::string body_html;  // rendered safely at write time
  std::string category;
  std::string audience = "internal";  // public | internal
  std::string state = "draft";        // draft | in_review | published | archived
  std::vector<std::string> tags;      // sorted, unique
  std::vector<int64_t> queue_ids;     // related components, sorted
  std::optional<int64_t> owner_id;
  int review_interval_days = kDefaultReviewDays;
  std::optional<TimestampMs> reviewed_at;
  std::optional<TimestampMs> review_due_at;  // while published
  int version = 1;
  std::optional<int64_t> created_by;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  std::optional<TimestampMs> published_at;
};

struct ArticleVersion {
  int64_t article_id = 0;
  int version = 0;
  std::string title;
  std::string body;
  std::string category;
  std::string audience;
  std::vector<std::string> tags;
  std::vector<int64_t> queue_ids;
  std::optional<int64_t> author_id;
  std::string note;
  TimestampMs created_at = 0;
};

// Create: title and body are required. Update: what is set replaces the stored
// value; every update that changes something is a new version.
struct ArticleInput {
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::optional<std::string> category;
  std::optional<std::string> audience;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<int64_t>> queue_ids;
  std::optional<int64_t> owner_id;
  std::optional<int> review_interval_days;
  std::optional<int> expected_version;  // update: kPreconditionFailed when stale
};

struct ArticleFilter {
  std::optional<std::string> state;     // staff only; requesters always see published
  std::optional<std::string> audience;
  std::optional<std::string> category;
  std::optional<int64_t> queue_id;
  std::optional<std::string> tag;
  std::optional<int64_t> owner_id;
  bool stale = false;                   // published and past its review date
  std::optional<std::string> cursor;
  int limit = kDefaultPageLimit;
};

struct FieldChange {
  std::string field;
  std::string before;
  std::string after;
};

struct ArticleDiff {
  int64_t article_id = 0;
  int from_version = 0;
  int to_version = 0;
  std::vector<FieldChange> fields;  // title, category, audience, tags, queue_ids that differ
  std::vector<DiffLine> body;       // the body, line by line
};

struct ArticleEvent {
  int64_t id = 0;
  std::optional<int64_t> actor_id;
  TimestampMs at = 0;
  std::string kind;  // state_changed | reviewed
  std::optional<std::string> before;
  std::optional<std::string> after;
};

class KbService {
 public:
  KbService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Staff only. A new article is a draft at version 1, owned by its author
  // unless owner_id says otherwise.
  Result<Article> Create(const auth::Actor& actor, const ArticleInput& input);
  Result<Article> Get(const auth::Actor& actor, int64_t id);
  // Newest change first, keyset-paged.
  Result<Page<Article>> List(const auth::Actor& actor, const ArticleFilter& filter);
  // The published articles related to component (queue) `queue_id`, newest
  // change first, at most `limit`: the component's SOPs in the catalog. List's
  // visibility rules apply, so a requester gets published public ones only.
  Result<std::vector<Article>> ListPublishedForComponent(const auth::Actor& actor, int64_t queue_id, int limit);
  Result<Article> Update(const auth::Actor& actor, int64_t id, const ArticleInput& patch);
  // to: in_review | published | archived | draft. Allowed moves and who may make
  // them: docs/KB.md.
  Result<Article> Transition(const auth::Actor& actor, int64_t id, const std::string& to);
  // The owner or a lead confirms a published article is still right.
  Result<Article> MarkReviewed(const auth::Actor& actor, int64_t id);

  Result<std::vector<ArticleVersion>> ListVersions(const auth::Actor& actor, int64_t id);  // newest first
  Result<ArticleVersion> GetVersion(const auth::Actor& actor, int64_t id, int version);
  Result<ArticleDiff> Diff(const auth::Actor& actor, int64_t id, int from_version, int to_version);
  // A new version with that version's content.
  Result<Article> Restore(const auth::Actor& actor, int64_t id, int version);
  Result<std::vector<ArticleEvent>> ListEvents(const auth::Actor& actor, int64_t id);

 private:
  Result<Article> Save(const auth::Actor& actor, int64_t id, const ArticleInput& patch, const std::string& note);

  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace opsdesk::kb
