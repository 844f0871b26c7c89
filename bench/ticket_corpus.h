// Deterministic, realistic-looking help desk tickets for the benchmarks.
//
// Ticket number `index` (1-based) under `seed` is always the same ticket, whatever
// program asks for it: data_generator writes tickets 1..N straight into a
// database, load_generator posts tickets from --first-index on through the API of
// opsdesk or Request Tracker. That is how both systems are fed the same tickets.
//
// Header-only on purpose: CMake builds every bench/*.cc as its own executable, and
// a header shared by two of them needs no build change.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opsdesk::bench {

// SplitMix64 to seed, xoshiro256** to draw: fast, small and reproducible across
// compilers, unlike std::uniform_int_distribution.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) word = SplitMix(seed);
  }

  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1))); }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

  template <typename Container>
  const auto& Pick(const Container& items) {
    return items[Below(items.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// An independent stream per (seed, stream, index), so ticket 7 does not depend on
// how many numbers ticket 6 drew.
inline Rng StreamRng(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
  uint64_t a = Rng::SplitMix(x);
  x ^= index * 0x8cb92ba72f3d8dd7ULL;
  return Rng(a ^ Rng::SplitMix(x));
}

// The five queues of the data-platform desk, with each one's share of tickets in
// percent (they add up to 100).
constexpr std::array<std::string_view, 5> kQueueNames = {"ingestion", "query-engine", "scheduler", "access-control",
                                                         "billing"};
constexpr std::array<int, 5> kQueueShares = {30, 25, 20, 15, 10};

// Requesters, agents and leads the generated tickets refer to. Index 0..N-1.
constexpr int kRequesterCount = 5000;
constexpr int kAgentCount = 40;
constexpr int kLeadCount = 5;

constexpr std::array<std::string_view, 24> kFirstNames = {
    "priya", "jonas", "mei",   "carlos", "amara", "lukas", "sofia",  "tomasz", "aisha",  "daniel", "yuki",  "olga",
    "mateo", "nina",  "kwame", "ingrid", "raj",   "elena", "farid",  "hana",   "oliver", "zara",   "pavel", "lucia"};
constexpr std::array<std::string_view, 24> kLastNames = {
    "patel",  "berg",   "chen",     "garcia", "okafor", "weber",   "rossi",  "nowak",  "khan",   "levy",  "tanaka",  "ivanova",
    "santos", "muller", "mensah",   "larsen", "iyer",   "popescu", "haddad", "kimura", "walsh",  "ahmed", "novak",   "romero"};
constexpr std::array<std::string_view, 12> kTeams = {"data-platform", "payments",  "growth",   "mobile",
                                                     "search",        "logistics", "risk",     "marketing",
                                                     "finance",       "support",   "security", "ml-infra"};

inline std::string PersonName(std::string_view role, int index) {
  std::string first(kFirstNames[index % kFirstNames.size()]);
  std::string last(kLastNames[(index / kFirstNames.size()) % kLastNames.size()]);
  first[0] = static_cast<char>(first[0] - 'a' + 'A');
  last[0] = static_cast<char>(last[0] - 'a' + 'A');
  std::string name = first + " " + last;
  if (role != "requester" || index >= static_cast<int>(kFirstNames.size() * kLastNames.size())) {
    name += " " + std::to_string(index + 1);
  }
  return name;
}

inline std::string RequesterEmail(int index) {
  return std::string(kFirstNames[index % kFirstNames.size()]) + "." +
         std::string(kLastNames[(index / kFirstNames.size()) % kLastNames.size()]) + std::to_string(index + 1) + "@" +
         std::string(kTeams[index % kTeams.size()]) + ".example.com";
}
inline std::string AgentEmail(int index) { return "agent" + std::to_string(index + 1) + "@opsdesk.example.com"; }
inline std::string LeadEmail(int index) { return "lead" + std::to_string(index + 1) + "@opsdesk.example.com"; }

struct CorpusTicket {
  int64_t index = 0;
  std::string subject;
  std::string body;  // Markdown
  std::string queue;
  std::string priority;  // low | normal | high | urgent
  std::string status;    // new | open | pending | on_hold | solved | closed (for loaded data)
  std::vector<std::string> tags;  // sorted, unique, valid opsdesk tags
  int requester = 0;              // requester index
  int assignee = -1;              // agent index, -1 unassigned
};

namespace corpus_detail {

constexpr std::array<std::string_view, 10> kTopics = {
    "orders-events", "clickstream", "payments-ledger", "inventory-snapshots", "user-profiles",
    "shipment-status", "fraud-signals", "search-queries", "app-metrics", "support-chats"};
constexpr std::array<std::string_view, 8> kTables = {"fact_orders", "dim_customer", "sessions_daily", "ledger_entries",
                                                     "events_raw", "sku_inventory", "attribution", "churn_scores"};
constexpr std::array<std::string_view, 8> kJobs = {"nightly-rollup", "hourly-compaction", "gdpr-erasure",
                                                   "feature-backfill", "invoice-export", "dedupe-clicks",
                                                   "sla-report", "snapshot-vacuum"};
constexpr std::array<std::string_view, 6> kRegions = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1",
                                                      "eu-central-1", "sa-east-1"};
constexpr std::array<std::string_view, 8> kErrors = {
    "java.lang.OutOfMemoryError: GC overhead limit exceeded",
    "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 29.999s",
    "ERROR: canceling statement due to statement timeout",
    "org.apache.kafka.common.errors.RecordTooLargeException: The message is 1248576 bytes",
    "PermissionDenied: principal svc-etl lacks role reader on dataset finance_prod",
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "QueryExceededMemoryLimit: query used 48.2 GiB, limit is 32 GiB",
    "TaskInstance failed: upstream task extract_orders exited with code 137"};

// Subject templates per queue. '{t}' topic, '{b}' table, '{j}' job, '{r}' region,
// '{n}' a number, '{m}' a minute (10-59), '{p}' a person's first name.
constexpr std::array<std::array<std::string_view, 6>, 5> kSubjects = {{
    {"Consumer lag on {t} above {n} minutes since last deploy",
     "Duplicate rows in {b} after replay of {t}",
     "Schema change on {t} breaks the {b} loader",
     "Ingestion stalled for {t} in {r}",
     "Late-arriving events in {t} missing from {b}",
     "Request: new connector for {t} into {b}"},
    {"Query on {b} times out after {n}s",
     "Wrong totals from {b} when grouping by day",
     "Dashboard query scans the whole of {b}",
     "Planner ignores partition filter on {b}",
     "Out of memory joining {b} with {t}",
     "Results differ between {r} and replica for {b}"},
    {"{j} did not start at its scheduled time",
     "{j} retries forever after upstream failure",
     "Backfill of {j} for the last {n} days",
     "{j} runs twice after daylight saving change",
     "Please pause {j} during the {r} migration",
     "{j} exceeded its SLA by {n} minutes"},
    {"Access to {b} for {p}'s new team",
     "Service account cannot read {b}",
     "Revoke access to {t} for departed contractor",
     "Row-level policy on {b} hides all rows",
     "SSO group mapping lost after directory sync",
     "Audit request: who read {b} in the last {n} days"},
    {"Cost of {b} scans doubled this month",
     "Chargeback report assigns {j} to the wrong team",
     "Invoice line for {r} storage looks wrong",
     "Budget alert for {t} pipeline: {n}% of monthly limit",
     "Please move {b} to the cheaper storage tier",
     "Reserved capacity in {r} unused for {n} days"},
}};

constexpr std::array<std::string_view, 8> kOpenings = {
    "Hi team,", "Hello,", "Hi,", "Good morning,", "Hey folks,", "Hi data platform,", "Hello support,", "Hi all,"};
constexpr std::array<std::string_view, 10> kSentences = {
    "This started right after the release on Tuesday and has not recovered since.",
    "We checked the usual runbook steps and restarting did not help.",
    "It blocks the finance close, so we would appreciate a quick look.",
    "The numbers in the weekly report are off by roughly {n} percent.",
    "Our on-call saw the alert at 03:{m} UTC and silenced it for now.",
    "Nothing changed on our side as far as we can tell.",
    "Happy to pair on this if that helps; I am online until 18:00 CET.",
    "The same query worked fine last week against {b}.",
    "Three downstream teams depend on {b} being fresh by 07:00.",
    "We can reproduce it reliably in {r} but not in the other regions."};
constexpr std::array<std::string_view, 6> kClosings = {"Thanks!", "Thanks in advance,", "Best,", "Cheers,",
                                                       "Many thanks,", "Regards,"};
constexpr std::array<std::string_view, 14> kTagWords = {
    "regression", "customer-impact", "p1", "kafka", "timeout", "oom", "sso", "backfill", "gdpr", "cost",
    "data-quality", "needs-info", "infra", "docs"};
constexpr std::array<std::string_view, 8> kReplies = {
    "Thanks for the report, we are looking into it now.",
    "Could you share the job run id and the exact time you saw this?",
    "We rolled back the change from Tuesday; please check again.",
    "Root cause: a config change on the {r} cluster. Fix is deployed.",
    "This is expected after the schema change; see the migration notes for {b}.",
    "I have raised the limit for your team; it applies from the next run.",
    "Still seeing it on our side, attaching the latest error below.",
    "Confirmed fixed, thank you for the quick help!"};

inline void Expand(std::string_view tmpl, Rng& rng, std::string* out) {
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}') {
      switch (tmpl[i + 1]) {
        case 't': out->append(rng.Pick(kTopics)); break;
        case 'b': out->append(rng.Pick(kTables)); break;
        case 'j': out->append(rng.Pick(kJobs)); break;
        case 'r': out->append(rng.Pick(kRegions)); break;
        case 'n': out->append(std::to_string(rng.Between(2, 95))); break;
        case 'm': out->append(std::to_string(rng.Between(10, 59))); break;
        case 'p': {
          std::string name(rng.Pick(kFirstNames));
          name[0] = static_cast<char>(name[0] - 'a' + 'A');
          out->append(name);
          break;
        }
        default: out->append(tmpl.substr(i, 3));
      }
      i += 2;
    } else {
      out->push_back(tmpl[i]);
    }
  }
}

}  // namespace corpus_detail

// Ticket `index` (1-based) of the corpus `seed`.
inline CorpusTicket MakeTicket(uint64_t seed, int64_t index) {
  using namespace corpus_detail;
  Rng rng = StreamRng(seed, 1, static_cast<uint64_t>(index));
  CorpusTicket t;
  t.index = index;

  int roll = static_cast<int>(rng.Below(100));
  size_t queue = 0;
  for (int acc = 0; queue < kQueueNames.size(); ++queue) {
    acc += kQueueShares[queue];
    if (roll < acc) break;
  }
  t.queue = std::string(kQueueNames[queue]);

  Expand(rng.Pick(kSubjects[queue]), rng, &t.subject);

  int p = static_cast<int>(rng.Below(100));
  t.priority = p < 15 ? "low" : p < 75 ? "normal" : p < 95 ? "high" : "urgent";

  // A desk with a long history: most tickets are done, about a fifth in flight.
  int s = static_cast<int>(rng.Below(1000));
  t.status = s < 60 ? "new" : s < 180 ? "open" : s < 240 ? "pending" : s < 260 ? "on_hold" : s < 400 ? "solved" : "closed";

  t.requester = static_cast<int>(rng.Below(kRequesterCount));
  if (t.status != "new" || rng.Chance(0.2)) t.assignee = static_cast<int>(rng.Below(kAgentCount));

  // Body: greeting, 2-5 sentences, sometimes an error excerpt in a code block, closing.
  std::string& b = t.body;
  b.reserve(600);
  b.append(rng.Pick(kOpenings)).append("\n\n");
  int sentences = static_cast<int>(rng.Between(2, 5));
  for (int i = 0; i < sentences; ++i) {
    if (i) b.push_back(' ');
    Expand(rng.Pick(kSentences), rng, &b);
  }
  b.append("\n\n");
  if (rng.Chance(0.5)) {
    b.append("Error from the ").append(rng.Pick(kJobs)).append(" run:\n\n```\n");
    b.append(rng.Pick(kErrors)).append("\n    at stage ").append(std::to_string(rng.Between(1, 40)));
    b.append(" (").append(rng.Pick(kRegions)).append(")\n```\n\n");
  }
  if (rng.Chance(0.3)) {
    b.append("Affected:\n\n");
    int items = static_cast<int>(rng.Between(2, 4));
    for (int i = 0; i < items; ++i) b.append("- `").append(rng.Pick(kTables)).append("`\n");
    b.append("\n");
  }
  b.append(rng.Pick(kClosings)).append("\n");
  std::string requester_first(kFirstNames[t.requester % kFirstNames.size()]);
  requester_first[0] = static_cast<char>(requester_first[0] - 'a' + 'A');
  b.append(requester_first);

  int tag_count = static_cast<int>(rng.Below(100));
  tag_count = tag_count < 30 ? 0 : tag_count < 65 ? 1 : tag_count < 90 ? 2 : 3;
  for (int i = 0; i < tag_count; ++i) t.tags.emplace_back(rng.Pick(kTagWords));
  if (rng.Chance(0.2)) t.tags.push_back("team:" + std::string(kTeams[t.requester % kTeams.size()]));
  std::sort(t.tags.begin(), t.tags.end());
  t.tags.erase(std::unique(t.tags.begin(), t.tags.end()), t.tags.end());
  return t;
}

// Reply number `n` on ticket `index` (the data generator's comments).
inline std::string MakeReply(uint64_t seed, int64_t index, int n) {
  Rng rng = StreamRng(seed, 2, static_cast<uint64_t>(index) * 16 + static_cast<uint64_t>(n));
  std::string out;
  corpus_detail::Expand(rng.Pick(corpus_detail::kReplies), rng, &out);
  return out;
}

// The search benchmark's corpus (bench/search_bench.cc, data_generator
// --comments-per-ticket and --articles): comments and knowledge base articles
// built from the same vocabulary as the tickets, so a query finds both.
namespace corpus_detail {

constexpr std::array<std::string_view, 12> kFollowUps = {
    "The {j} run at 03:{m} UTC failed again with the same error.",
    "We see consumer lag on {t} growing by {n} minutes an hour.",
    "Can you check the partition filter on {b}? The plan still scans everything.",
    "Attaching the query plan for {b}; the join with {t} spills to disk.",
    "The service account for {j} was rotated yesterday, maybe related.",
    "Workaround for now: rerun {j} by hand after 07:00.",
    "Numbers in {b} look right again since the last run.",
    "Raised the memory limit for {j} to 64 GiB in {r}.",
    "Schema registry shows a new version of {t} from Tuesday.",
    "Please keep this open until the finance close is done.",
    "Dashboard for {b} is still slow, around {n}s per query.",
    "Replayed {t} from the last checkpoint in {r}."};

// Article titles per queue (the same order as kQueueNames).
constexpr std::array<std::array<std::string_view, 5>, 5> kArticleTitles = {{
    {"Runbook: consumer lag on {t}", "Fixing duplicate rows after a replay of {t}",
     "Schema changes on {t}: what the {b} loader needs", "Late-arriving events in {t} and {b}",
     "Requesting a new connector for {t}"},
    {"Why does my query on {b} time out?", "Partition filters on {b}: making the planner use them",
     "Out of memory when joining {b} with {t}", "Wrong totals from {b} when grouping by day",
     "Replica differences for {b} in {r}"},
    {"Troubleshooting {j} failures", "{j} and daylight saving time", "Backfilling {j} safely",
     "Pausing {j} during a migration in {r}", "When {j} retries forever after an upstream failure"},
    {"How to request access to {b}", "Service accounts and roles for {b}", "Row-level policies on {b}",
     "SSO group mapping after a directory sync", "Audit: who read {b} in the last {n} days"},
    {"Reducing the cost of {b} scans", "Reading the chargeback report for {j}",
     "Moving {b} to the cheaper storage tier", "Budget alerts for the {t} pipeline",
     "Reserved capacity in {r}: when it goes unused"},
}};
constexpr std::array<std::string_view, 8> kArticleCategories = {
    "runbook", "how-to", "troubleshooting", "faq", "policy", "reference", "known-issue", "sop"};
constexpr std::array<std::string_view, 8> kCauses = {
    "A schema change on {t} added a field the {b} loader did not know.",
    "The statement timeout of 30s is too short for full scans of {b}.",
    "The service account lost its role after the directory sync.",
    "Daylight saving time moved the schedule of {j} by an hour.",
    "A retry policy without a limit on {j} keeps the upstream failure alive.",
    "The replay of {t} wrote the same events twice into {b}.",
    "The query on {b} joins {t} without a partition filter and runs out of memory.",
    "Storage for {b} stayed on the hot tier after the {r} migration."};
constexpr std::array<std::string_view, 12> kSteps = {
    "Check the consumer group lag for {t} in the {r} dashboard.",
    "Look up the last successful run of {j} and its run id.",
    "Run EXPLAIN on the query and confirm the partition filter on {b} is used.",
    "Restart {j} from the failed stage; do not clear the upstream tasks.",
    "Ask the data owner of {b} to approve the access request.",
    "Raise the memory limit of the query to 64 GiB for one run only.",
    "Replay {t} from the last committed offset, then run dedupe-clicks.",
    "Compare row counts between {b} and the replica in {r}.",
    "Open a ticket with the job run id and the exact time you saw the error.",
    "Move cold partitions of {b} to the archive tier with the storage tool.",
    "Rotate the service account key and update the secret used by {j}.",
    "Pause {j} in the scheduler and note the time in the ticket."};

}  // namespace corpus_detail

struct CorpusComment {
  std::string body;  // Markdown
  bool internal = false;
};

// Comment number `n` (0-based) on ticket `index` when every ticket gets a
// fixed number of comments (data_generator --comments-per-ticket; the RT peer
// gets the same ones through load_generator --mode comment): a reply, often
// with a follow-up sentence, now and then an error excerpt; about one in six
// is an internal note.
inline CorpusComment MakeComment(uint64_t seed, int64_t index, int n) {
  using namespace corpus_detail;
  Rng rng = StreamRng(seed, 4, static_cast<uint64_t>(index) * 16 + static_cast<uint64_t>(n));
  CorpusComment c;
  c.internal = rng.Chance(0.15);
  Expand(rng.Pick(kReplies), rng, &c.body);
  if (rng.Chance(0.6)) {
    c.body.push_back(' ');
    Expand(rng.Pick(kFollowUps), rng, &c.body);
  }
  if (rng.Chance(0.15)) c.body.append("\n\n```\n").append(rng.Pick(kErrors)).append("\n```");
  return c;
}

struct CorpusArticle {
  int64_t index = 0;
  std::string title;
  std::string body;  // Markdown
  std::string category;
  std::string audience;  // public | internal
  std::string queue;     // the related queue's name
  std::vector<std::string> tags;
};

// Knowledge base article `index` (1-based) of the corpus `seed`: a title from
// its queue's templates, then symptoms, cause and steps built from the ticket
// vocabulary. About 30 % are internal (SOPs and runbooks for agents).
inline CorpusArticle MakeArticle(uint64_t seed, int64_t index) {
  using namespace corpus_detail;
  Rng rng = StreamRng(seed, 5, static_cast<uint64_t>(index));
  CorpusArticle a;
  a.index = index;
  size_t queue = rng.Below(kQueueNames.size());
  a.queue = std::string(kQueueNames[queue]);
  Expand(rng.Pick(kArticleTitles[queue]), rng, &a.title);
  a.audience = rng.Chance(0.3) ? "internal" : "public";
  a.category = std::string(a.audience == "internal" ? (rng.Chance(0.5) ? "sop" : "runbook") : rng.Pick(kArticleCategories));
  std::string& b = a.body;
  b.reserve(1500);
  b.append("This article explains what to do when you see the problem in the title.");
  b.append(" It applies to the ").append(a.queue).append(" queue.\n\n## Symptoms\n\n");
  int symptoms = static_cast<int>(rng.Between(2, 3));
  for (int i = 0; i < symptoms; ++i) {
    b.append("- ");
    Expand(rng.Pick(kSentences), rng, &b);
    b.append("\n");
  }
  if (rng.Chance(0.5)) b.append("\nThe error usually reads:\n\n```\n").append(rng.Pick(kErrors)).append("\n```\n");
  b.append("\n## Cause\n\n");
  Expand(rng.Pick(kCauses), rng, &b);
  b.append(" ");
  Expand(rng.Pick(kFollowUps), rng, &b);
  b.append("\n\n## Steps\n\n");
  int steps = static_cast<int>(rng.Between(3, 6));
  for (int i = 0; i < steps; ++i) {
    b.append(std::to_string(i + 1)).append(". ");
    Expand(rng.Pick(kSteps), rng, &b);
    b.append("\n");
  }
  b.append("\nIf this does not help, ");
  Expand(rng.Pick(kReplies), rng, &b);
  b.append("\n");
  int tag_count = static_cast<int>(rng.Below(3));
  for (int i = 0; i < tag_count; ++i) a.tags.emplace_back(rng.Pick(kTagWords));
  std::sort(a.tags.begin(), a.tags.end());
  a.tags.erase(std::unique(a.tags.begin(), a.tags.end()), a.tags.end());
  return a;
}

// Escapes text for a JSON string literal (no surrounding quotes).
inline void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xf]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
}

}  // namespace opsdesk::bench
