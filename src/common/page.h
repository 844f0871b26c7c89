// One page of a list and the opaque cursor to the next one.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace opsdesk {

constexpr int kDefaultPageLimit = 50;
constexpr int kMaxPageLimit = 200;

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // nullopt on the last page
};

// Cursors are opaque to clients: base64url of "<sort value>|<id>".
std::string EncodeCursor(const std::string& sort_value, int64_t id);
// False when `cursor` was not made by EncodeCursor.
bool DecodeCursor(const std::string& cursor, std::string* sort_value, int64_t* id);

}  // namespace opsdesk
