// Small text checks shared by the validators of every area.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opsdesk {

bool IsValidUtf8(std::string_view text);
// Number of Unicode code points (text must be valid UTF-8).
size_t Utf8Length(std::string_view text);
std::string Trim(std::string_view text);
// At most `max_bytes` of valid UTF-8 `text`, cut before a whole character.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);
std::string ToLowerAscii(std::string_view text);
// A pragmatic address check: one @, a non-empty local part, a dotted domain, no spaces.
bool LooksLikeEmail(std::string_view text);

// Checks a user-supplied text field; returns "" when fine, else a message for the
// field: valid UTF-8, no NUL or other control characters (newlines and tabs are
// allowed when `multiline`), length in code points within [min_chars, max_chars].
std::string TextFieldProblem(std::string_view text, size_t min_chars, size_t max_chars, bool multiline);

// Splits on `sep`, dropping empty parts.
std::vector<std::string> Split(std::string_view text, char sep);
// Joins with `sep` between the parts.
std::string Join(const std::vector<std::string>& parts, char sep);

// Lists of ids stored as space-separated text (SLA policy and rule conditions).
std::string JoinIds(const std::vector<int64_t>& ids);
std::vector<int64_t> SplitIds(std::string_view text);  // parts that are not numbers are dropped

}  // namespace opsdesk
