#include "common/clock.h"

#include <date/date.h>

#include <sstream>

namespace opsdesk {

std::string FormatTimestamp(TimestampMs ms) {
  date::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds(ms)};
  auto day = date::floor<date::days>(tp);
  date::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  // date::format builds an ostringstream and imbues a locale per call, which
  // was an eighth of a ticket GET; the four-digit years every timestamp here
  // has are written by hand, anything else the slow way.
  if (year < 0 || year > 9999) return date::format("%FT%TZ", tp);
  int64_t in_day = (tp - day).count();  // 0 .. 86,399,999
  char out[24];
  auto put = [&out](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  out[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  out[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  out[10] = 'T';
  put(11, in_day / 3'600'000, 2);
  out[13] = ':';
  put(14, in_day / 60'000 % 60, 2);
  out[16] = ':';
  put(17, in_day / 1'000 % 60, 2);
  out[19] = '.';
  put(20, in_day % 1'000, 3);
  out[23] = 'Z';
  return std::string(out, sizeof out);
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
