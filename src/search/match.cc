#include "search/match.h"

#include <algorithm>
#include <unordered_set>

namespace opsdesk::search {
namespace {

bool IsPieceByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// Common English words that carry no meaning for a search: free text such as
// "I can't see my table in the warehouse" matches on "table" and "warehouse".
const std::unordered_set<std::string_view>& StopWords() {
  static const std::unordered_set<std::string_view> kWords = {
      "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
      "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot",
      "could", "did", "do", "does", "doing", "don", "down", "during", "each", "few", "for", "from", "further",
      "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
      "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not",
      "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same",
      "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
      "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very",
      "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
      "would", "you", "your", "yours", "hi", "hello", "thanks", "thank", "please", "also", "get", "got",
      "im", "ive", "its", "s", "t", "re", "ll", "ve", "d", "m"};
  return kWords;
}

// A piece as an FTS5 string: double quotes doubled. Pieces hold no quote, but
// quoting is what makes the text inert, so it is done regardless.
std::string Fts5Quote(std::string_view piece) {
  std::string out = "\"";
  for (char c : piece) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

// A piece as a tsquery lexeme: single-quoted, quotes and backslashes escaped.
std::string TsQuote(std::string_view piece) {
  std::string out = "'";
  for (char c : piece) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// One term for FTS5: a quoted phrase of its pieces, * after it for a prefix.
std::string Fts5Term(const std::vector<std::string>& pieces, bool prefix) {
  std::string out;
  for (const auto& piece : pieces) {
    if (!out.empty()) out += ' ';
    out += piece;
  }
  return Fts5Quote(out) + (prefix ? " *" : "");
}

std::string TsTerm(const std::vector<std::string>& pieces, bool prefix) {
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i) out += " <-> ";
    out += TsQuote(pieces[i]);
    if (prefix && i + 1 == pieces.size()) out += ":*";
  }
  return pieces.size() > 1 ? "(" + out + ")" : out;
}

}  // namespace

std::vector<std::string> WordPieces(std::string_view text) {
  std::vector<std::string> pieces;
  std::string current;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (IsPieceByte(c)) {
      current += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
    } else if (!current.empty()) {
      pieces.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) pieces.push_back(std::move(current));
  return pieces;
}

std::string Fts5Expression(const std::vector<SearchTerm>& terms) {
  std::string positive, negative;
  for (const auto& term : terms) {
    auto pieces = WordPieces(term.text);
    if (pieces.empty()) continue;
    std::string piece = Fts5Term(pieces, term.prefix);
    if (term.negated) {
      negative += " NOT " + piece;
    } else {
      if (!positive.empty()) positive += " AND ";
      positive += piece;
    }
  }
  if (positive.empty()) return "";
  return negative.empty() ? positive : "(" + positive + ")" + negative;
}

std::string TsQueryText(const std::vector<SearchTerm>& terms) {
  std::string positive, negative;
  for (const auto& term : terms) {
    auto pieces = WordPieces(term.text);
    if (pieces.empty()) continue;
    std::string piece = TsTerm(pieces, term.prefix);
    if (term.negated) {
      negative += " & !" + piece;
    } else {
      if (!positive.empty()) positive += " & ";
      positive += piece;
    }
  }
  if (positive.empty()) return "";
  return negative.empty() ? positive : "(" + positive + ")" + negative;
}

FreeTextWords SignificantWords(std::string_view text, size_t max_words, bool last_is_prefix) {
  FreeTextWords out;
  auto pieces = WordPieces(text);
  // A trailing space means the last word is finished.
  bool typing_last = last_is_prefix && !text.empty() && IsPieceByte(static_cast<unsigned char>(text.back()));
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < pieces.size(); ++i) {
    bool is_last = i + 1 == pieces.size();
    const std::string& word = pieces[i];
    if (is_last && typing_last) {
      // The word being typed: a prefix once it has two characters (one matches
      // too much to help), unless it is already whole in the list.
      if (word.size() >= 2 && !seen.count(word)) {
        if (out.words.size() == max_words) out.words.pop_back();
        out.words.push_back(word);
        out.last_is_prefix = true;
      }
      break;
    }
    if (word.size() < 2 || StopWords().count(word) || seen.count(word)) continue;
    if (out.words.size() == max_words) continue;  // keep room checks simple: first words win
    seen.insert(word);
    out.words.push_back(word);
  }
  return out;
}

std::vector<SearchTerm> AsTerms(const FreeTextWords& words) {
  std::vector<SearchTerm> terms;
  for (size_t i = 0; i < words.words.size(); ++i) {
    terms.push_back(SearchTerm{words.words[i], false, false, words.last_is_prefix && i + 1 == words.words.size()});
  }
  return terms;
}

std::string Fts5AnyOf(const std::vector<SearchTerm>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += " OR ";
    out += Fts5Quote(w.text);
    if (w.prefix) out += " *";
  }
  return out;
}

std::string TsQueryAnyOf(const std::vector<SearchTerm>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += " | ";
    out += TsQuote(w.text);
    if (w.prefix) out += ":*";
  }
  return out;
}

std::string Fts5AnyOf(const FreeTextWords& words) { return Fts5AnyOf(AsTerms(words)); }
std::string TsQueryAnyOf(const FreeTextWords& words) { return TsQueryAnyOf(AsTerms(words)); }

std::string InListPattern(std::string_view word) {
  std::string out = "% ";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + " %";
}

}  // namespace opsdesk::search
