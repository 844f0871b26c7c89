#include "common/text.h"

#include <cstdlib>

#include <algorithm>

namespace opsdesk {

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    unsigned char c = s[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

size_t Utf8Length(std::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // a continuation byte
  return text.substr(0, cut);
}

std::string Trim(std::string_view text) {
  const char* ws = " \t\r\n";
  size_t begin = text.find_first_not_of(ws);
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(ws);
  return std::string(text.substr(begin, end - begin + 1));
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool LooksLikeEmail(std::string_view text) {
  if (text.size() < 3 || text.size() > 254) return false;
  size_t at = text.find('@');
  if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = text.substr(at + 1);
  if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';') return false;
  }
  return true;
}

std::string TextFieldProblem(std::string_view text, size_t min_chars, size_t max_chars, bool multiline) {
  if (!IsValidUtf8(text)) return "must be valid UTF-8";
  for (unsigned char c : text) {
    if (c == 0) return "must not contain NUL characters";
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
      return multiline ? "must not contain control characters" : "must be a single line without control characters";
    }
  }
  size_t length = Utf8Length(text);
  if (length < min_chars) return min_chars == 1 ? "must not be empty" : "must be at least " + std::to_string(min_chars) + " characters";
  if (length > max_chars) return "must be at most " + std::to_string(max_chars) + " characters";
  return "";
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ' ';
    out += std::to_string(id);
  }
  return out;
}

std::vector<int64_t> SplitIds(std::string_view text) {
  std::vector<int64_t> ids;
  for (const auto& part : Split(text, ' ')) {
    char* end = nullptr;
    long long id = std::strtoll(part.c_str(), &end, 10);
    if (end && *end == '\0') ids.push_back(id);
  }
  return ids;
}

}  // namespace opsdesk
