#include "sla/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace opsdesk::sla {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kWeekMs = 7 * kDayMs;
constexpr int64_t kNoHoliday = std::numeric_limits<int64_t>::max() / 4;
// Far enough that no real timestamp reaches it, small enough that offsets added
// to it never overflow.
constexpr int64_t kFarMs = std::numeric_limits<int64_t>::max() / 4;
constexpr int64_t kSearchLimitMs = 100LL * 366 * kDayMs;

constexpr const char* kWeekdayNames[kWeekdays] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 (a Thursday) to 0 = Monday ... 6 = Sunday.
int WeekdayOf(int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

// A stretch of UTC time [begin, end) over which the zone's offset is constant.
struct Region {
  int64_t begin = -kFarMs;
  int64_t end = kFarMs;
  int64_t offset = 0;  // local = utc + offset
};

int ParseDigits(std::string_view text, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<date::year_month_day> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = ParseDigits(text, 0, 4), m = ParseDigits(text, 5, 2), d = ParseDigits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

int64_t DaysOf(const date::year_month_day& ymd) { return date::sys_days{ymd}.time_since_epoch().count(); }

}  // namespace

const char* WeekdayName(int weekday) { return weekday >= 0 && weekday < kWeekdays ? kWeekdayNames[weekday] : "?"; }

std::optional<int> ParseWeekday(std::string_view text) {
  for (int i = 0; i < kWeekdays; ++i) {
    if (text == kWeekdayNames[i]) return i;
  }
  return std::nullopt;
}

std::optional<int> ParseClockTime(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int h = ParseDigits(text, 0, 2), m = ParseDigits(text, 3, 2);
  if (h < 0 || m < 0 || m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 1440;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

std::string FormatClockTime(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

bool IsValidDate(std::string_view text) { return ParseDate(text).has_value(); }

bool IsKnownTimeZone(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

Result<CompiledCalendar> CompiledCalendar::Compile(const Calendar& calendar) {
  CompiledCalendar out;
  if (calendar.time_zone != "UTC") {
    if (!IsKnownTimeZone(calendar.time_zone)) {
      return Status::InvalidArgument("calendar is not valid", {{"time_zone", "is not a known IANA time zone"}});
    }
    out.zone_ = date::locate_zone(calendar.time_zone);
  }
  for (int d = 0; d < kWeekdays; ++d) {
    int previous_end = -1;
    for (const WorkInterval& iv : calendar.hours[d]) {
      if (iv.start_minute < 0 || iv.end_minute > 1440 || iv.start_minute >= iv.end_minute ||
          iv.start_minute < previous_end) {
        return Status::InvalidArgument("calendar is not valid",
                                       {{std::string("hours.") + WeekdayName(d), "intervals must be sorted, "
                                                                                 "within 00:00-24:00 and not overlap"}});
      }
      previous_end = iv.end_minute;
      out.day_ms_[d].emplace_back(iv.start_minute * kMinuteMs, iv.end_minute * kMinuteMs);
      out.week_ms_ += (iv.end_minute - iv.start_minute) * kMinuteMs;
    }
  }
  for (const Holiday& h : calendar.holidays) {
    auto ymd = ParseDate(h.date);
    if (!ymd) return Status::InvalidArgument("calendar is not valid", {{"holidays", "dates must be YYYY-MM-DD"}});
    if (h.recurring) {
      out.recurring_.push_back(static_cast<int>(static_cast<unsigned>(ymd->month())) * 32 +
                               static_cast<int>(static_cast<unsigned>(ymd->day())));
    } else {
      out.fixed_holidays_.push_back(DaysOf(*ymd));
    }
  }
  std::sort(out.fixed_holidays_.begin(), out.fixed_holidays_.end());
  std::sort(out.recurring_.begin(), out.recurring_.end());
  out.recurring_.erase(std::unique(out.recurring_.begin(), out.recurring_.end()), out.recurring_.end());
  return out;
}

CompiledCalendar CompiledCalendar::AlwaysOpenUtc() {
  CompiledCalendar out;
  for (auto& day : out.day_ms_) day.emplace_back(0, kDayMs);
  out.week_ms_ = kWeekMs;
  return out;
}

bool CompiledCalendar::IsHoliday(int64_t local_day) const {
  if (!fixed_holidays_.empty() && std::binary_search(fixed_holidays_.begin(), fixed_holidays_.end(), local_day)) {
    return true;
  }
  if (recurring_.empty()) return false;
  date::year_month_day ymd{date::sys_days{date::days{local_day}}};
  int key = static_cast<int>(static_cast<unsigned>(ymd.month())) * 32 + static_cast<int>(static_cast<unsigned>(ymd.day()));
  return std::binary_search(recurring_.begin(), recurring_.end(), key);
}

int64_t CompiledCalendar::NextHoliday(int64_t local_day) const {
  int64_t next = kNoHoliday;
  auto it = std::lower_bound(fixed_holidays_.begin(), fixed_holidays_.end(), local_day);
  if (it != fixed_holidays_.end()) next = *it;
  if (recurring_.empty()) return next;
  date::year_month_day today{date::sys_days{date::days{local_day}}};
  int today_key =
      static_cast<int>(static_cast<unsigned>(today.month())) * 32 + static_cast<int>(static_cast<unsigned>(today.day()));
  // February 29 recurs only in leap years: at most eight years apart.
  for (int dy = 0; dy <= 8; ++dy) {
    date::year y = today.year() + date::years{dy};
    for (int key : recurring_) {
      if (dy == 0 && key < today_key) continue;
      date::year_month_day ymd{y, date::month{static_cast<unsigned>(key / 32)}, date::day{static_cast<unsigned>(key % 32)}};
      if (!ymd.ok()) continue;
      return std::min(next, DaysOf(ymd));
    }
  }
  return next;
}

// The walks over business time, region by region (constant UTC offset) and,
// inside a region, local day by local day, skipping whole weeks that hold no
// holiday.
class CalendarWalker {
 public:
  static Region RegionAt(const CompiledCalendar& c, int64_t utc_ms) {
    if (!c.zone_) return Region{};
    auto info = c.zone_->get_info(date::sys_seconds{std::chrono::seconds{FloorDiv(utc_ms, 1000)}});
    Region r;
    r.begin = std::max<int64_t>(-kFarMs, info.begin.time_since_epoch().count() * 1000);
    r.end = std::min<int64_t>(kFarMs, info.end.time_since_epoch().count() * 1000);
    r.offset = static_cast<int64_t>(info.offset.count()) * 1000;
    return r;
  }

  static Result<TimestampMs> Add(const CompiledCalendar& c, TimestampMs start, int64_t amount) {
    int64_t rem = amount;
    int64_t t = start;
    const int64_t limit = start + kSearchLimitMs;
    while (true) {
      Region r = RegionAt(c, t);
      int64_t local = t + r.offset;
      const int64_t lend = r.end + r.offset;
      while (local < lend) {
        if (local - r.offset > limit) return Status::FailedPrecondition("the calendar has no working time within 100 years");
        const int64_t day = FloorDiv(local, kDayMs);
        const int64_t ds = day * kDayMs;
        if (local == ds && rem > c.week_ms_) {
          // Whole weeks: leave at least one millisecond for the walk to place.
          int64_t k = std::min((rem - 1) / c.week_ms_, (lend - ds) / kWeekMs);
          if (k > 0) k = std::min(k, (c.NextHoliday(day) - day) / 7);
          if (k > 0) {
            rem -= k * c.week_ms_;
            local = ds + k * kWeekMs;
            continue;
          }
        }
        if (!c.IsHoliday(day)) {
          for (const auto& [s, e] : c.day_ms_[WeekdayOf(day)]) {
            int64_t ps = std::max(ds + s, local);
            int64_t pe = std::min(ds + e, lend);
            if (ps >= pe) continue;
            if (pe - ps >= rem) return ps + rem - r.offset;
            rem -= pe - ps;
          }
        }
        local = std::min(ds + kDayMs, lend);
      }
      t = r.end;
    }
  }

  static int64_t Between(const CompiledCalendar& c, TimestampMs a, TimestampMs b) {
    int64_t sum = 0;
    int64_t t = a;
    while (t < b) {
      Region r = RegionAt(c, t);
      const int64_t stop = std::min(r.end, b);
      int64_t local = t + r.offset;
      const int64_t lend = stop + r.offset;
      while (local < lend) {
        const int64_t day = FloorDiv(local, kDayMs);
        const int64_t ds = day * kDayMs;
        if (local == ds) {
          int64_t k = (lend - ds) / kWeekMs;
          if (k > 0) k = std::min(k, (c.NextHoliday(day) - day) / 7);
          if (k > 0) {
            sum += k * c.week_ms_;
            local = ds + k * kWeekMs;
            continue;
          }
        }
        if (!c.IsHoliday(day)) {
          for (const auto& [s, e] : c.day_ms_[WeekdayOf(day)]) {
            int64_t ps = std::max(ds + s, local);
            int64_t pe = std::min(ds + e, lend);
            if (ps < pe) sum += pe - ps;
          }
        }
        local = std::min(ds + kDayMs, lend);
      }
      t = stop;
    }
    return sum;
  }
};

Result<TimestampMs> AddBusinessMs(const CompiledCalendar& calendar, TimestampMs start, int64_t ms) {
  if (ms < 0) return Status::InvalidArgument("business time to add must not be negative");
  if (ms == 0) return start;
  if (calendar.week_ms() == 0) return Status::FailedPrecondition("the calendar has no working hours");
  return CalendarWalker::Add(calendar, start, ms);
}

Result<TimestampMs> AddBusinessMinutes(const CompiledCalendar& calendar, TimestampMs start, int64_t minutes) {
  if (minutes > std::numeric_limits<int64_t>::max() / kMinuteMs / 1024) {
    return Status::InvalidArgument("business time to add is too large");
  }
  return AddBusinessMs(calendar, start, minutes * kMinuteMs);
}

Result<int64_t> BusinessMsBetween(const CompiledCalendar& calendar, TimestampMs a, TimestampMs b) {
  if (calendar.week_ms() == 0) return Status::FailedPrecondition("the calendar has no working hours");
  if (b < a) return -CalendarWalker::Between(calendar, b, a);
  return CalendarWalker::Between(calendar, a, b);
}

Result<int64_t> BusinessMinutesBetween(const CompiledCalendar& calendar, TimestampMs a, TimestampMs b) {
  auto ms = BusinessMsBetween(calendar, a, b);
  if (!ms.ok()) return ms.status();
  return *ms / kMinuteMs;
}

}  // namespace opsdesk::sla
