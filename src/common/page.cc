#include "common/page.h"

#include <sodium.h>

#include <charconv>

namespace opsdesk {

std::string EncodeCursor(const std::string& sort_value, int64_t id) {
  std::string raw = sort_value + "|" + std::to_string(id);
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // drop the NUL terminator
  return out;
}

bool DecodeCursor(const std::string& cursor, std::string* sort_value, int64_t* id) {
  if (cursor.empty() || cursor.size() > 512) return false;
  std::string raw(cursor.size(), '\0');
  size_t raw_len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), cursor.data(), cursor.size(),
                        nullptr, &raw_len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  raw.resize(raw_len);
  size_t bar = raw.rfind('|');
  if (bar == std::string::npos) return false;
  auto [ptr, ec] = std::from_chars(raw.data() + bar + 1, raw.data() + raw.size(), *id);
  if (ec != std::errc() || ptr != raw.data() + raw.size()) return false;
  *sort_value = raw.substr(0, bar);
  return true;
}

}  // namespace opsdesk
