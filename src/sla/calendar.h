// Business calendars and the arithmetic SLAs are measured in.
//
// A calendar is an IANA time zone, working hours per weekday (several intervals a
// day; an interval never crosses midnight: "22:00-06:00" is two intervals,
// 22:00-24:00 on one day and 00:00-06:00 on the next) and holidays (local dates,
// optionally recurring every year). A 24x7 calendar is every day 00:00-24:00.
//
// The rule (docs/SLA.md): an instant is business time when its local wall-clock
// time, in the calendar's zone, falls inside a working interval of its local date
// and that date is not a holiday. So 09:00-17:00 lasts 8 hours on a DST day
// unless the transition falls inside it, and then it lasts the real elapsed time
// (7 or 9 hours). Time is in UTC milliseconds; the arithmetic is exact to the
// millisecond, skips whole weeks at a time and never walks minute by minute.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace date {
class time_zone;
}

namespace opsdesk::sla {

// Minutes after local midnight: [start_minute, end_minute), 0 <= start < end <= 1440.
struct WorkInterval {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const WorkInterval&) const = default;
};

struct Holiday {
  std::string date;        // YYYY-MM-DD, a local date
  bool recurring = false;  // every year on this month and day (the year is ignored)
  std::string name;
  bool operator==(const Holiday&) const = default;
};

// Index 0 is Monday, 6 is Sunday.
constexpr int kWeekdays = 7;
using WeekHours = std::array<std::vector<WorkInterval>, kWeekdays>;

struct Calendar {
  int64_t id = 0;
  std::string name;
  std::string time_zone = "UTC";
  WeekHours hours;  // each day's intervals sorted and not overlapping
  std::vector<Holiday> holidays;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// "mon" ... "sun"; index 0 is Monday.
const char* WeekdayName(int weekday);
std::optional<int> ParseWeekday(std::string_view text);
// "HH:MM" (00:00-23:59, and 24:00 when allow_24 is set) to minutes after midnight.
std::optional<int> ParseClockTime(std::string_view text, bool allow_24);
std::string FormatClockTime(int minute);  // 540 -> "09:00", 1440 -> "24:00"
// YYYY-MM-DD of a real date.
bool IsValidDate(std::string_view text);
bool IsKnownTimeZone(const std::string& name);

// A calendar prepared for arithmetic: the zone located, hours in milliseconds,
// holidays sorted. Cheap to copy; immutable; safe to share between threads.
class CompiledCalendar {
 public:
  // kInvalidArgument for an unknown zone or a malformed interval or holiday.
  // A calendar without any working hours compiles; its arithmetic fails.
  static Result<CompiledCalendar> Compile(const Calendar& calendar);

  // A 24x7 calendar in UTC (tests, defaults).
  static CompiledCalendar AlwaysOpenUtc();

  int64_t week_ms() const { return week_ms_; }
  bool IsHoliday(int64_t local_day) const;

 private:
  friend class CalendarWalker;
  CompiledCalendar() = default;
  // The first holiday on or after local_day (days since 1970-01-01), or a huge value.
  int64_t NextHoliday(int64_t local_day) const;

  const date::time_zone* zone_ = nullptr;  // nullptr: UTC
  std::array<std::vector<std::pair<int64_t, int64_t>>, kWeekdays> day_ms_;  // [start, end) ms after midnight
  int64_t week_ms_ = 0;
  std::vector<int64_t> fixed_holidays_;  // local days, sorted
  std::vector<int> recurring_;           // month * 32 + day, sorted
};

// The instant when `ms` (>= 0) business milliseconds have passed since `start`.
// With ms == 0 it is `start`. kFailedPrecondition for a calendar without working
// hours (or none within 100 years); kInvalidArgument for a negative amount.
Result<TimestampMs> AddBusinessMs(const CompiledCalendar& calendar, TimestampMs start, int64_t ms);
Result<TimestampMs> AddBusinessMinutes(const CompiledCalendar& calendar, TimestampMs start, int64_t minutes);

// Business milliseconds in [a, b); negative when b < a. kFailedPrecondition for a
// calendar without working hours.
Result<int64_t> BusinessMsBetween(const CompiledCalendar& calendar, TimestampMs a, TimestampMs b);
// The same in whole minutes, truncated toward zero.
Result<int64_t> BusinessMinutesBetween(const CompiledCalendar& calendar, TimestampMs a, TimestampMs b);

}  // namespace opsdesk::sla
