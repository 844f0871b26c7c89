// search_bench: the search benchmark of issue 6 (bench/run_search.sh,
// docs/PERFORMANCE.md "Search"), the parts that are not HTTP load.
//
//   build/bench/search_bench queries --out DIR [--seed 42] [--count 60] [--questions 50]
//       writes the seeded query lists and the request paths for load_generator:
//         DIR/{one-word,three-word,phrase}.q     one query a line (opsdesk's query language)
//         DIR/opsdesk-{kind}.paths              GET /api/v1/search?q=...&limit=20
//         DIR/opsdesk-{kind}-ayt.paths          as the search box asks: as_you_type=true&limit=8
//         DIR/rt-{kind}.paths                   RT REST2 TicketSQL: Subject or Content LIKE (RT's full-text search)
//         DIR/typing.q                          50 questions a requester types
//         DIR/opsdesk-typing.paths              one suggestions request per keystroke
//   build/bench/search_bench count --db URL --dir DIR
//       tickets and articles each query matches (what an agent may see), from
//       the engines' own indexes with the expressions SearchService sends:
//       DIR/counts-ENGINE-{kind}.txt and a summary line per kind.
//   build/bench/search_bench direct --db URL --dir DIR [--passes 5] [--email bench@opsdesk.example.com]
//       SearchService::Search and SuggestArticles in this process (no HTTP),
//       as the agent with that e-mail: p50/p99/max per kind after one warm-up pass.
//
// The queries come from the corpus of bench/ticket_corpus.h: one-word queries
// from a fixed pool of its words, three-word queries from the subject and body
// of seeded corpus tickets, two-word phrases that occur in a corpus ticket's
// text, and questions from the subject templates and a few question forms.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "auth/user.h"
#include "search/match.h"
#include "search/query.h"
#include "search/search_service.h"
#include "storage/database.h"
#include "ticket_corpus.h"

namespace opsdesk::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

const char* const kKinds[] = {"one-word", "three-word", "phrase"};

// Words of the corpus a person would search for: components, symptoms, error
// names, jobs, tables (their single words), and words of replies.
const char* const kWordPool[] = {
    "clickstream", "payments",   "ledger",      "inventory",   "snapshots",   "shipment",   "fraud",
    "consumer",    "lag",        "deploy",      "duplicate",   "replay",      "schema",     "loader",
    "stalled",     "connector",  "dashboard",   "planner",     "partition",   "memory",     "replica",
    "retries",     "upstream",   "daylight",    "migration",   "scheduled",   "access",     "account",
    "revoke",      "contractor", "policy",      "sso",         "directory",   "audit",      "chargeback",
    "storage",     "budget",     "reserved",    "capacity",    "release",     "runbook",    "finance",
    "weekly",      "alert",      "reproduce",   "downstream",  "deadline",    "exceeded",   "outofmemoryerror",
    "permissiondenied", "connectionreseterror", "recordtoolargeexception", "rollup", "compaction", "erasure",
    "backfill",    "invoice",    "dedupe",      "vacuum",      "attribution", "churn",      "sessions",
    "rolled",      "config",     "confirmed",   "checkpoint",  "workaround",  "rotated",    "spills",
    "timeout",     "totals",     "grouping",    "tier",        "departed",    "mapping"};

const std::set<std::string> kStopWords = {
    "the", "a", "an", "on", "in", "of", "for", "to", "and", "or", "is", "are", "was", "were", "after", "since", "by",
    "with", "at", "from", "we", "our", "it", "this", "that", "has", "have", "not", "did", "its", "as", "be", "been",
    "any", "all", "last", "new", "into", "who", "when", "what", "between", "hi", "team", "thanks", "please", "your",
    "you", "can", "could", "would", "there", "here", "but", "so", "if", "my", "me", "i", "us", "they", "them", "do",
    "does", "out", "up", "off", "than", "then", "now", "how", "why", "same", "about", "still", "right", "also",
    "over", "under", "per", "next", "via", "see", "whole", "usual", "above", "minutes", "days", "request", "being"};

// The words of the corpus that name things or symptoms: the pool, and the
// words of topic, table and job names. A three-word query's body word and one
// word of every phrase come from here, so queries read like searches
// ("consumer lag", not "worked fine").
const std::set<std::string>& ContentWords() {
  static const std::set<std::string> words = [] {
    std::set<std::string> out(std::begin(kWordPool), std::end(kWordPool));
    auto add = [&](std::string_view name) {
      std::string cur;
      for (char c : std::string(name) + " ") {
        if (std::isalpha(static_cast<unsigned char>(c))) {
          cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else {
          if (cur.size() >= 3) out.insert(cur);
          cur.clear();
        }
      }
    };
    for (auto n : corpus_detail::kTopics) add(n);
    for (auto n : corpus_detail::kTables) add(n);
    for (auto n : corpus_detail::kJobs) add(n);
    for (auto n : corpus_detail::kErrors) add(n);
    return out;
  }();
  return words;
}

// Lower-cased runs of letters; digits and symbols split (as the engines do).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool Significant(const std::string& w) {
  if (w.size() < 3 || kStopWords.count(w)) return false;
  return std::all_of(w.begin(), w.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// A corpus ticket's searchable text the way data_generator writes it (subject, body).
struct TicketText {
  std::vector<std::string> subject, body;
};

TicketText TextOf(uint64_t seed, int64_t index) {
  CorpusTicket t = MakeTicket(seed, index);
  return {Words(t.subject), Words(t.body)};
}

std::vector<std::string> OneWordQueries(uint64_t seed, int count) {
  std::vector<std::string> pool(std::begin(kWordPool), std::end(kWordPool));
  Rng rng = StreamRng(seed, 20, 0);
  for (size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[rng.Below(i)]);  // seeded shuffle
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(pool[static_cast<size_t>(i) % pool.size()]);
  return out;
}

// Two words of a corpus ticket's subject and one of its body, in the order typed.
std::vector<std::string> ThreeWordQueries(uint64_t seed, int count, int64_t max_index) {
  Rng rng = StreamRng(seed, 21, 0);
  std::vector<std::string> out;
  std::set<std::string> seen;
  while (static_cast<int>(out.size()) < count) {
    TicketText t = TextOf(seed, rng.Between(1, max_index));
    std::vector<std::string> subj, body;
    for (auto& w : t.subject) {
      if (Significant(w) && std::find(subj.begin(), subj.end(), w) == subj.end()) subj.push_back(w);
    }
    for (auto& w : t.body) {
      if (Significant(w) && ContentWords().count(w) && std::find(subj.begin(), subj.end(), w) == subj.end() &&
          std::find(body.begin(), body.end(), w) == body.end()) {
        body.push_back(w);
      }
    }
    if (subj.size() < 2 || body.empty()) continue;
    size_t a = rng.Below(subj.size()), b = rng.Below(subj.size() - 1);
    if (b >= a) ++b;
    if (a > b) std::swap(a, b);
    std::string q = subj[a] + " " + subj[b] + " " + body[rng.Below(body.size())];
    if (seen.insert(q).second) out.push_back(q);
  }
  return out;
}

// Two adjacent significant words of a corpus ticket's subject or body, as a phrase.
std::vector<std::string> PhraseQueries(uint64_t seed, int count, int64_t max_index) {
  Rng rng = StreamRng(seed, 22, 0);
  std::vector<std::string> out;
  std::set<std::string> seen;
  while (static_cast<int>(out.size()) < count) {
    TicketText t = TextOf(seed, rng.Between(1, max_index));
    const auto& words = rng.Chance(0.5) ? t.subject : t.body;
    std::vector<std::string> pairs;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      if (Significant(words[i]) && Significant(words[i + 1]) &&
          (ContentWords().count(words[i]) || ContentWords().count(words[i + 1]))) {
        pairs.push_back(words[i] + " " + words[i + 1]);
      }
    }
    if (pairs.empty()) continue;
    std::string q = "\"" + pairs[rng.Below(pairs.size())] + "\"";
    if (seen.insert(q).second) out.push_back(q);
  }
  return out;
}

// What a requester types as a new ticket's subject: the corpus's own subject
// templates, and questions in the same words.
std::vector<std::string> Questions(uint64_t seed, int count) {
  using namespace corpus_detail;
  static constexpr std::array<std::string_view, 10> kForms = {
      "how do I get access to {b} for my team",
      "why is {j} late today",
      "consumer lag on {t} keeps growing",
      "query on {b} times out after the deploy",
      "{j} failed with out of memory",
      "invoice for {r} storage looks wrong",
      "duplicate rows in {b} after a replay",
      "service account cannot read {b}",
      "schema change broke the {t} loader",
      "cost of {b} scans doubled"};
  Rng rng = StreamRng(seed, 23, 0);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string q;
    if (i % 2 == 0) {
      Expand(rng.Pick(kSubjects[rng.Below(kSubjects.size())]), rng, &q);
    } else {
      Expand(rng.Pick(kForms), rng, &q);
    }
    out.push_back(q);
  }
  return out;
}

// RT's full-text search (TicketSQL `Content LIKE`, unindexed on SQLite: a
// substring match on every attachment) for the same query, with the subject
// too, as opsdesk searches it: every word required, a phrase as one substring.
// RT ties the Content conditions of one AND group to the same attachment, so
// words spread over the body and a comment do not match together there.
std::string RtQuery(const std::string& q) {
  auto one = [](const std::string& text) {
    return "(Subject LIKE '" + text + "' OR Content LIKE '" + text + "')";
  };
  if (!q.empty() && q.front() == '"') return one(q.substr(1, q.size() - 2));
  std::string out;
  std::istringstream in(q);
  for (std::string w; in >> w;) {
    if (!out.empty()) out += " AND ";
    out += one(w);
  }
  return out;
}

bool WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << '\n';
  if (!out) {
    std::cerr << "search_bench: cannot write " << path << "\n";
    return false;
  }
  return true;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  if (out.empty()) std::cerr << "search_bench: nothing in " << path << "\n";
  return out;
}

int Queries(const std::string& dir, uint64_t seed, int count, int questions, int64_t max_index) {
  std::map<std::string, std::vector<std::string>> lists = {
      {"one-word", OneWordQueries(seed, count)},
      {"three-word", ThreeWordQueries(seed, count, max_index)},
      {"phrase", PhraseQueries(seed, count, max_index)}};
  for (const auto& [kind, qs] : lists) {
    std::vector<std::string> opsdesk, ayt, rt;
    for (const auto& q : qs) {
      opsdesk.push_back("/api/v1/search?q=" + UrlEncode(q) + "&limit=20");
      ayt.push_back("/api/v1/search?q=" + UrlEncode(q) + "&as_you_type=true&limit=8");  // the search box (web/src/search/SearchBox.tsx)
      rt.push_back("/REST/2.0/tickets?query=" + UrlEncode(RtQuery(q)) +
                   "&per_page=20&fields=Subject,Status,Queue,LastUpdated");
    }
    if (!WriteLines(dir + "/" + kind + ".q", qs) || !WriteLines(dir + "/opsdesk-" + kind + ".paths", opsdesk) ||
        !WriteLines(dir + "/opsdesk-" + kind + "-ayt.paths", ayt) || !WriteLines(dir + "/rt-" + kind + ".paths", rt)) {
      return 1;
    }
  }
  std::vector<std::string> typed = Questions(seed, questions), keystrokes, keystroke_text;
  for (const auto& q : typed) {
    for (size_t n = 1; n <= q.size(); ++n) {
      keystrokes.push_back("/api/v1/search/suggestions?q=" + UrlEncode(q.substr(0, n)) + "&as_you_type=true&limit=5");
      keystroke_text.push_back(q.substr(0, n));
    }
  }
  if (!WriteLines(dir + "/typing.q", typed) || !WriteLines(dir + "/opsdesk-typing.paths", keystrokes) ||
      !WriteLines(dir + "/typing-keystrokes.q", keystroke_text)) {
    return 1;
  }
  std::printf("search_bench: wrote %d one-word, %d three-word, %d phrase queries and %zu keystrokes of %d questions to %s\n",
              count, count, count, keystrokes.size(), questions, dir.c_str());
  return 0;
}

Result<std::unique_ptr<storage::Database>> OpenDb(const std::string& url) {
  storage::OpenOptions options;
  options.max_readers = 2;
  return storage::Database::Open(url, options);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

int Count(const std::string& url, const std::string& dir) {
  auto db = OpenDb(url);
  if (!db.ok()) {
    std::cerr << "search_bench: " << db.status().ToString() << "\n";
    return 1;
  }
  const bool sqlite = (*db)->engine() == storage::Engine::kSqlite;
  const char* engine = storage::EngineName((*db)->engine());
  for (const char* kind : kKinds) {
    auto qs = ReadLines(dir + "/" + kind + ".q");
    std::ofstream out(dir + "/counts-" + engine + "-" + kind + ".txt");
    std::vector<double> tickets, articles;
    for (const auto& q : qs) {
      auto parsed = search::ParseSearchQuery(q, false);
      if (!parsed.ok()) {
        std::cerr << "search_bench: " << q << ": " << parsed.status().ToString() << "\n";
        return 1;
      }
      std::string fts = search::Fts5Expression(parsed->terms), ts = search::TsQueryText(parsed->terms);
      int64_t nt = 0, na = 0;
      Status st = (*db)->Read([&](storage::Transaction& tx) -> Status {
        auto t = sqlite ? tx.QueryOne("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?", {fts})
                        : tx.QueryOne("SELECT count(*) FROM ticket_search WHERE doc @@ to_tsquery('english', ?)", {ts});
        if (!t.ok()) return t.status();
        auto a = sqlite ? tx.QueryOne("SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", {fts})
                        : tx.QueryOne("SELECT count(*) FROM kb_articles WHERE search_doc @@ to_tsquery('english', ?)", {ts});
        if (!a.ok()) return a.status();
        nt = (*t)->Int(0);
        na = (*a)->Int(0);
        return Status::Ok();
      });
      if (!st.ok()) {
        std::cerr << "search_bench: " << q << ": " << st.ToString() << "\n";
        return 1;
      }
      out << nt << ' ' << na << ' ' << q << '\n';
      tickets.push_back(static_cast<double>(nt));
      articles.push_back(static_cast<double>(na));
    }
    double sum = 0;
    for (double v : tickets) sum += v;
    std::printf(
        "RESULT engine=%s mode=search-count kind=%s queries=%zu tickets_min=%.0f tickets_p50=%.0f tickets_max=%.0f "
        "tickets_mean=%.0f articles_p50=%.0f articles_max=%.0f zero_ticket_queries=%ld\n",
        engine, kind, qs.size(), Percentile(tickets, 0), Percentile(tickets, 50), Percentile(tickets, 100),
        tickets.empty() ? 0 : sum / static_cast<double>(tickets.size()), Percentile(articles, 50),
        Percentile(articles, 100), static_cast<long>(std::count(tickets.begin(), tickets.end(), 0.0)));
  }
  return 0;
}

int Direct(const std::string& url, const std::string& dir, int passes, const std::string& email) {
  auto db = OpenDb(url);
  if (!db.ok()) {
    std::cerr << "search_bench: " << db.status().ToString() << "\n";
    return 1;
  }
  const char* engine = storage::EngineName((*db)->engine());
  int64_t user_id = 0;
  Status st = (*db)->Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT id FROM users WHERE email_norm = ?", {email});
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no user " + email);
    user_id = (*row)->Int(0);
    return Status::Ok();
  });
  if (!st.ok()) {
    std::cerr << "search_bench: " << st.ToString() << "\n";
    return 1;
  }
  auth::Actor agent{user_id, auth::Role::kAgent, false};
  search::SearchService service(**db);
  auto report = [&](const std::string& kind, std::vector<double> ms, size_t calls) {
    std::printf("RESULT engine=%s target=in-process mode=%s label=%s passes=%d calls=%zu p50_ms=%.2f p99_ms=%.2f "
                "max_ms=%.2f loadavg=%s\n",
                engine, kind == "typing" ? "suggest" : "search", kind.c_str(), passes, calls, Percentile(ms, 50),
                Percentile(ms, 99), Percentile(ms, 100), [] {
                  std::ifstream in("/proc/loadavg");
                  static std::string a;
                  in >> a;
                  return a.c_str();
                }());
    std::fflush(stdout);
  };
  for (const char* kind : kKinds) {
    auto qs = ReadLines(dir + "/" + kind + ".q");
    std::vector<double> ms;
    for (int pass = 0; pass <= passes; ++pass) {  // pass 0 warms up
      for (const auto& q : qs) {
        search::SearchRequest request;
        request.q = q;
        auto t0 = SteadyClock::now();
        auto page = service.Search(agent, request);
        double elapsed = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
        if (!page.ok()) {
          std::cerr << "search_bench: " << q << ": " << page.status().ToString() << "\n";
          return 1;
        }
        if (pass > 0) ms.push_back(elapsed);
      }
    }
    report(kind, ms, ms.size());
  }
  auto keys = ReadLines(dir + "/typing-keystrokes.q");
  std::vector<double> ms;
  for (int pass = 0; pass <= passes; ++pass) {
    for (const auto& text : keys) {
      auto t0 = SteadyClock::now();
      auto hits = service.SuggestArticles(agent, text, 5, true);
      double elapsed = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
      if (!hits.ok()) {
        std::cerr << "search_bench: suggestions for '" << text << "': " << hits.status().ToString() << "\n";
        return 1;
      }
      if (pass > 0) ms.push_back(elapsed);
    }
  }
  report("typing", ms, ms.size());
  return 0;
}

void Usage() {
  std::cerr << "usage: search_bench queries --out DIR [--seed S] [--count N] [--questions N] [--max-index N]\n"
               "       search_bench count --db URL --dir DIR\n"
               "       search_bench direct --db URL --dir DIR [--passes N] [--email E]\n";
}

}  // namespace
}  // namespace opsdesk::bench

int main(int argc, char** argv) {
  using namespace opsdesk::bench;
  if (argc < 2) {
    Usage();
    return 2;
  }
  std::string command = argv[1], dir, url, email = "bench@opsdesk.example.com";
  uint64_t seed = 42;
  int count = 60, questions = 50, passes = 5;
  int64_t max_index = 2000;  // tickets every system has (RT holds the first 2,000)
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    std::string v = argv[++i];
    if (arg == "--out" || arg == "--dir") dir = v;
    else if (arg == "--db") url = v;
    else if (arg == "--seed") seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (arg == "--count") count = std::atoi(v.c_str());
    else if (arg == "--questions") questions = std::atoi(v.c_str());
    else if (arg == "--max-index") max_index = std::atoll(v.c_str());
    else if (arg == "--passes") passes = std::atoi(v.c_str());
    else if (arg == "--email") email = v;
    else {
      Usage();
      return 2;
    }
  }
  if (dir.empty()) {
    Usage();
    return 2;
  }
  if (command == "queries") return Queries(dir, seed, count, questions, max_index);
  if (url.empty()) {
    Usage();
    return 2;
  }
  if (command == "count") return Count(url, dir);
  if (command == "direct") return Direct(url, dir, passes, email);
  Usage();
  return 2;
}
