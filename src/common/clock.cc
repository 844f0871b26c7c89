#include "common/clock.h"

#include <date/date.h>

#include <sstream>

namespace opsdesk {

std::string FormatTimestamp(TimestampMs ms) {
  date::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds(ms)};
  return date::format("%FT%TZ", tp);
}

bool ParseTimestamp(const std::string& text, TimestampMs* out) {
  // Accept "Z" or a numeric offset; fractions of a second are optional.
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez"}) {
    std::istringstream in(text);
    date::sys_time<std::chrono::milliseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      *out = tp.time_since_epoch().count();
      return true;
    }
  }
  return false;
}

}  // namespace opsdesk
