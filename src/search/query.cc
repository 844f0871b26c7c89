#include "search/query.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"

namespace opsdesk::search {
namespace {

const std::vector<std::string>& FilterKeys() {
  static const std::vector<std::string> kKeys = {"after", "assignee", "author", "before",
                                                 "queue", "status",   "tag",    "type"};
  return kKeys;
}

Status Error(const std::string& message, size_t position) {
  return Status::InvalidArgument("search query is not valid",
                                 {{"q", message + " (at character " + std::to_string(position + 1) + ")"}});
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Word characters: anything but space, quote and the operators at the edges
// (UTF-8 bytes pass: the engines tokenise them).
bool IsWordChar(char c) { return !IsSpace(c) && c != '"'; }

bool IsDate(const std::string& v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  int month = std::stoi(v.substr(5, 2)), day = std::stoi(v.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Checks a filter's value; an empty string when it is fine.
std::string FilterProblem(const std::string& key, const std::string& value) {
  if (value.empty()) return "filter " + key + ": needs a value";
  if (key == "type" && value != "ticket" && value != "article") return "type: must be ticket or article";
  if (key == "status") {
    static const std::vector<std::string> kStates = {"new",    "open",   "pending",   "on_hold",  "solved",
                                                     "closed", "draft",  "in_review", "published", "archived"};
    if (std::find(kStates.begin(), kStates.end(), value) == kStates.end()) {
      return "status: must be a ticket status (new, open, pending, on_hold, solved, closed) or an article state "
             "(draft, in_review, published, archived)";
    }
  }
  if ((key == "after" || key == "before") && !IsDate(value)) return key + ": must be a date such as 2026-01-31";
  if ((key == "author" || key == "assignee") && value != "me" && !(key == "assignee" && value == "none") &&
      !LooksLikeEmail(value)) {
    return key + ": must be an e-mail address or me" + (key == "assignee" ? std::string(" or none") : "");
  }
  return "";
}

// Splits a phrase into its words, one space apart; empty when it has none.
std::string NormalizePhrase(std::string_view text) {
  std::string out;
  for (const auto& word : Split(text, ' ')) {
    std::string w = Trim(word);
    if (w.empty()) continue;
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace

bool SearchQuery::HasPositiveTerm() const {
  return std::any_of(terms.begin(), terms.end(), [](const SearchTerm& t) { return !t.negated; });
}

Result<SearchQuery> ParseSearchQuery(std::string_view text, bool as_you_type) {
  if (text.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("search query is not valid", {{"q", "must be at most 500 bytes"}});
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument("search query is not valid", {{"q", "must be valid UTF-8"}});
  SearchQuery out;
  size_t i = 0;
  const size_t n = text.size();
  bool last_is_open_word = false;  // the last token is a plain word typing may extend
  while (i < n) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    bool negated = false;
    if (text[i] == '-') {
      negated = true;
      ++i;
      if (i == n || IsSpace(text[i])) return Error("'-' must come right before a word, phrase or filter", start);
    }
    if (text[i] == '"') {  // a phrase
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return Error("unterminated quote", i);
      std::string phrase = NormalizePhrase(text.substr(i + 1, close - i - 1));
      if (phrase.empty()) return Error("empty phrase", i);
      out.terms.push_back({phrase, phrase.find(' ') != std::string::npos, negated, false});
      i = close + 1;
      if (i < n && !IsSpace(text[i])) return Error("a phrase must be followed by a space", i);
      last_is_open_word = false;
      continue;
    }
    size_t end = i;
    while (end < n && IsWordChar(text[end]) && text[end] != ':') ++end;
    bool key_like = end > i && std::all_of(text.begin() + i, text.begin() + end, [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    });
    if (end < n && text[end] == ':' && key_like) {  // a filter
      std::string key = ToLowerAscii(text.substr(i, end - i));
      const auto& keys = FilterKeys();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return Error("unknown filter " + key + ": (use type, status, queue, tag, author, assignee, after or before)",
                     i);
      }
      size_t v = end + 1;
      std::string value;
      if (v < n && text[v] == '"') {
        size_t close = text.find('"', v + 1);
        if (close == std::string_view::npos) return Error("unterminated quote", v);
        value = NormalizePhrase(text.substr(v + 1, close - v - 1));
        v = close + 1;
      } else {
        size_t value_end = v;
        while (value_end < n && IsWordChar(text[value_end])) ++value_end;
        value = std::string(text.substr(v, value_end - v));
        v = value_end;
      }
      if (key == "type" || key == "status" || key == "author" || key == "assignee") value = ToLowerAscii(value);
      if (std::string problem = FilterProblem(key, value); !problem.empty()) return Error(problem, end + 1);
      out.filters.push_back({key, value, negated});
      i = v;
      last_is_open_word = false;
      continue;
    }
    while (end < n && IsWordChar(text[end])) ++end;  // a word (a ':' inside it is just a character)
    std::string word(text.substr(i, end - i));
    bool prefix = false;
    if (!word.empty() && word.back() == '*') {
      word.pop_back();
      prefix = true;
      if (word.empty()) return Error("'*' must end a word", i);
      if (word.find('*') != std::string::npos) return Error("'*' may only end a word", i);
    } else if (word.find('*') != std::string::npos) {
      return Error("'*' may only end a word", i + word.find('*'));
    }
    out.terms.push_back({word, false, negated, prefix});
    last_is_open_word = !negated;
    i = end;
  }
  if (out.terms.size() + out.filters.size() > kMaxTerms) {
    return Status::InvalidArgument("search query is not valid", {{"q", "must have at most 32 words and filters"}});
  }
  if (out.terms.empty() && out.filters.empty()) {
    return Status::InvalidArgument("search query is not valid", {{"q", "must not be empty"}});
  }
  if (!out.HasPositiveTerm() && out.filters.empty()) {
    return Status::InvalidArgument("search query is not valid",
                                   {{"q", "must have a word or a filter besides exclusions"}});
  }
  // As one types, the word being typed is a prefix (only if nothing follows it).
  if (as_you_type && last_is_open_word && !text.empty() && !IsSpace(text.back())) out.terms.back().prefix = true;
  return out;
}

}  // namespace opsdesk::search
