// Business-time arithmetic: working hours, several intervals a day, intervals
// split at midnight, holidays (fixed and yearly), DST in Europe/Berlin and
// America/New_York, long spans, and a property test against a naive
// minute-by-minute reference.
#include "sla/calendar.h"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "testing/status_matchers.h"

namespace opsdesk::sla {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

enum Weekday { kMon, kTue, kWed, kThu, kFri, kSat, kSun };

TimestampMs Utc(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  auto tp = date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} +
            std::chrono::minutes{min};
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

// The instant a wall clock in `zone` shows the given time (the earlier one when
// the time happens twice).
TimestampMs Local(const std::string& zone, int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  auto local = date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} +
               std::chrono::minutes{min};
  auto sys = date::locate_zone(zone)->to_sys(local, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

int M(int h, int m = 0) { return h * 60 + m; }

Calendar Make(const std::string& zone, std::vector<std::pair<int, WorkInterval>> intervals,
              std::vector<Holiday> holidays = {}) {
  Calendar c;
  c.time_zone = zone;
  for (const auto& [day, iv] : intervals) c.hours[day].push_back(iv);
  c.holidays = std::move(holidays);
  return c;
}

Calendar OfficeHours(const std::string& zone, int start, int end, std::vector<Holiday> holidays = {}) {
  std::vector<std::pair<int, WorkInterval>> intervals;
  for (int d = kMon; d <= kFri; ++d) intervals.push_back({d, {start, end}});
  return Make(zone, intervals, std::move(holidays));
}

Calendar AllWeek(const std::string& zone, int start = 0, int end = 1440) {
  std::vector<std::pair<int, WorkInterval>> intervals;
  for (int d = kMon; d <= kSun; ++d) intervals.push_back({d, {start, end}});
  return Make(zone, intervals);
}

CompiledCalendar Compiled(const Calendar& c) {
  auto compiled = CompiledCalendar::Compile(c);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.ok() ? *compiled : CompiledCalendar::AlwaysOpenUtc();
}

TimestampMs Add(const CompiledCalendar& c, TimestampMs start, int64_t minutes) {
  auto r = AddBusinessMinutes(c, start, minutes);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : 0;
}

int64_t BetweenMs(const CompiledCalendar& c, TimestampMs a, TimestampMs b) {
  auto r = BusinessMsBetween(c, a, b);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(CalendarTest, OfficeHoursSkipNightsAndWeekends) {
  CompiledCalendar c = Compiled(OfficeHours("UTC", M(9), M(17)));
  // 2025-06-02 is a Monday.
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 8), 60), Utc(2025, 6, 2, 10));
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 16, 30), 60), Utc(2025, 6, 3, 9, 30));
  EXPECT_EQ(Add(c, Utc(2025, 6, 6, 16), 8 * 60), Utc(2025, 6, 9, 16));  // Friday to Monday
  EXPECT_EQ(Add(c, Utc(2025, 6, 7, 12), 1), Utc(2025, 6, 9, 9, 1));     // from a Saturday
  EXPECT_EQ(Add(c, Utc(2025, 6, 7, 12), 0), Utc(2025, 6, 7, 12));       // nothing to add
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 6, 16), Utc(2025, 6, 9, 10)), 2 * kHour);
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 9, 10), Utc(2025, 6, 6, 16)), -2 * kHour);
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 7), Utc(2025, 6, 9)), 0);
  // Millisecond precision.
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 2, 9) + 1, Utc(2025, 6, 2, 9) + 1500), 1499);
  auto ms = AddBusinessMs(c, Utc(2025, 6, 2, 16, 59) + 59'999, 2);
  ASSERT_OK(ms);
  EXPECT_EQ(*ms, Utc(2025, 6, 3, 9) + 1);
  auto minutes = BusinessMinutesBetween(c, Utc(2025, 6, 2, 9), Utc(2025, 6, 2, 10, 30) + 59'999);
  ASSERT_OK(minutes);
  EXPECT_EQ(*minutes, 90);
}

TEST(CalendarTest, SeveralIntervalsADay) {
  Calendar cal;
  cal.time_zone = "UTC";
  for (int d = kMon; d <= kFri; ++d) cal.hours[d] = {{M(9), M(12)}, {M(13), M(17, 30)}};
  CompiledCalendar c = Compiled(cal);
  EXPECT_EQ(c.week_ms(), 5 * (7 * kHour + 30 * kMin));
  // Landing exactly on an interval's end stays there; the lunch break does not count.
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 9), 180), Utc(2025, 6, 2, 12));
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 9), 181), Utc(2025, 6, 2, 13, 1));
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 12, 15), 30), Utc(2025, 6, 2, 13, 30));
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 2, 11), Utc(2025, 6, 2, 14)), 2 * kHour);
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 2), Utc(2025, 6, 3)), 7 * kHour + 30 * kMin);
}

TEST(CalendarTest, NightShiftAcrossMidnightIsTwoIntervals) {
  // Monday 22:00 to Tuesday 06:00, written as Mon 22:00-24:00 and Tue 00:00-06:00.
  CompiledCalendar c = Compiled(Make("UTC", {{kMon, {M(22), 1440}}, {kTue, {0, M(6)}}}));
  EXPECT_EQ(c.week_ms(), 8 * kHour);
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 22), 180), Utc(2025, 6, 3, 1));
  EXPECT_EQ(Add(c, Utc(2025, 6, 2, 12), 120), Utc(2025, 6, 3, 0));
  EXPECT_EQ(BetweenMs(c, Utc(2025, 6, 2, 23), Utc(2025, 6, 3, 2)), 3 * kHour);
  // The next shift is a week later.
  EXPECT_EQ(Add(c, Utc(2025, 6, 3, 5), 120), Utc(2025, 6, 9, 23));
}

TEST(CalendarTest, BerlinSpringForwardAndFallBack) {
  const std::string berlin = "Europe/Berlin";
  // 2025-03-30 (Sunday): 02:00 CET -> 03:00 CEST. 2025-10-26 (Sunday): 03:00 CEST -> 02:00 CET.
  CompiledCalendar always = Compiled(AllWeek(berlin));
  EXPECT_EQ(BetweenMs(always, Local(berlin, 2025, 3, 30), Local(berlin, 2025, 3, 31)), 23 * kHour);
  EXPECT_EQ(BetweenMs(always, Local(berlin, 2025, 10, 26), Local(berlin, 2025, 10, 27)), 25 * kHour);

  // 09:00-17:00 lasts 8 hours on the transition days: the transition is outside it.
  CompiledCalendar day = Compiled(AllWeek(berlin, M(9), M(17)));
  EXPECT_EQ(BetweenMs(day, Local(berlin, 2025, 3, 30), Local(berlin, 2025, 3, 31)), 8 * kHour);
  EXPECT_EQ(BetweenMs(day, Local(berlin, 2025, 10, 26), Local(berlin, 2025, 10, 27)), 8 * kHour);
  EXPECT_EQ(Add(day, Local(berlin, 2025, 3, 29, 16), 120), Local(berlin, 2025, 3, 30, 10));
  EXPECT_EQ(Add(day, Local(berlin, 2025, 3, 29, 16), 120) - Local(berlin, 2025, 3, 29, 16), 17 * kHour);

  // 01:00-05:00 contains the transition: it lasts the real elapsed time.
  CompiledCalendar night = Compiled(AllWeek(berlin, M(1), M(5)));
  EXPECT_EQ(BetweenMs(night, Local(berlin, 2025, 3, 30), Local(berlin, 2025, 3, 31)), 3 * kHour);
  EXPECT_EQ(BetweenMs(night, Local(berlin, 2025, 10, 26), Local(berlin, 2025, 10, 27)), 5 * kHour);
  // Starting at 01:00 on the spring day, two business hours end at 04:00 local.
  EXPECT_EQ(Add(night, Local(berlin, 2025, 3, 30, 1), 120), Local(berlin, 2025, 3, 30, 4));
  // On the autumn day, the hour 02:00-03:00 happens twice and counts twice.
  EXPECT_EQ(Add(night, Local(berlin, 2025, 10, 26, 1), 180), Local(berlin, 2025, 10, 26, 3));

  // Office hours across the DST weekend: Friday 16:00 plus 2 hours is Monday 10:00 local.
  CompiledCalendar office = Compiled(OfficeHours(berlin, M(9), M(17)));
  EXPECT_EQ(Add(office, Local(berlin, 2025, 3, 28, 16), 120), Local(berlin, 2025, 3, 31, 10));
  EXPECT_EQ(Local(berlin, 2025, 3, 31, 10), Utc(2025, 3, 31, 8));  // now CEST
  EXPECT_EQ(Local(berlin, 2025, 3, 28, 16), Utc(2025, 3, 28, 15));  // was CET
}

TEST(CalendarTest, NewYorkTransitions) {
  const std::string ny = "America/New_York";
  // 2025-03-09: 02:00 EST -> 03:00 EDT. 2025-11-02: 02:00 EDT -> 01:00 EST.
  CompiledCalendar always = Compiled(AllWeek(ny));
  EXPECT_EQ(BetweenMs(always, Local(ny, 2025, 3, 9), Local(ny, 2025, 3, 10)), 23 * kHour);
  EXPECT_EQ(BetweenMs(always, Local(ny, 2025, 11, 2), Local(ny, 2025, 11, 3)), 25 * kHour);
  CompiledCalendar early = Compiled(AllWeek(ny, 0, M(4)));
  EXPECT_EQ(BetweenMs(early, Local(ny, 2025, 3, 9), Local(ny, 2025, 3, 10)), 3 * kHour);
  EXPECT_EQ(BetweenMs(early, Local(ny, 2025, 11, 2), Local(ny, 2025, 11, 3)), 5 * kHour);
  // An interval ending inside the repeated hour: every instant whose wall clock
  // reads 00:00-01:30 counts, and 01:00-01:30 is read twice.
  CompiledCalendar short_night = Compiled(AllWeek(ny, 0, M(1, 30)));
  EXPECT_EQ(BetweenMs(short_night, Local(ny, 2025, 11, 2), Local(ny, 2025, 11, 3)), 2 * kHour);
  // An interval starting inside the skipped hour starts when the clock jumps.
  CompiledCalendar gap = Compiled(AllWeek(ny, M(2, 30), M(5)));
  EXPECT_EQ(BetweenMs(gap, Local(ny, 2025, 3, 9), Local(ny, 2025, 3, 10)), 2 * kHour);
  EXPECT_EQ(Add(gap, Local(ny, 2025, 3, 9), 1), Utc(2025, 3, 9, 7, 1));  // 03:01 EDT
  // Office hours: Friday 16:00 EST + 120 business minutes = Monday 10:00 EDT.
  CompiledCalendar office = Compiled(OfficeHours(ny, M(9), M(17)));
  EXPECT_EQ(Add(office, Local(ny, 2025, 3, 7, 16), 120), Utc(2025, 3, 10, 14));
}

TEST(CalendarTest, FixedAndRecurringHolidays) {
  // 2025-12-25 is a Thursday, 2025-12-26 a Friday.
  CompiledCalendar fixed = Compiled(OfficeHours("UTC", M(9), M(17), {{"2025-12-25", false, "Christmas"}}));
  EXPECT_TRUE(fixed.IsHoliday(Utc(2025, 12, 25) / kDay));
  EXPECT_FALSE(fixed.IsHoliday(Utc(2026, 12, 25) / kDay));
  EXPECT_EQ(BetweenMs(fixed, Utc(2025, 12, 24, 16), Utc(2025, 12, 26, 10)), 2 * kHour);
  EXPECT_EQ(Add(fixed, Utc(2025, 12, 24, 16), 120), Utc(2025, 12, 26, 10));

  // Recurring: the year in the date is ignored.
  CompiledCalendar yearly = Compiled(OfficeHours(
      "UTC", M(9), M(17), {{"2019-12-25", true, "Christmas"}, {"2019-12-26", true, ""}, {"2020-01-01", true, ""}}));
  EXPECT_EQ(Add(yearly, Utc(2025, 12, 24, 16), 120), Utc(2025, 12, 29, 10));
  EXPECT_EQ(Add(yearly, Utc(2026, 12, 24, 16), 120), Utc(2026, 12, 28, 10));  // 2026-12-25 is a Friday
  // Two weeks of business time over the new year: 10 working days minus 3 holidays ...
  EXPECT_EQ(BetweenMs(yearly, Utc(2025, 12, 22), Utc(2026, 1, 5)), 7 * 8 * kHour);

  // February 29 recurs in leap years only.
  CompiledCalendar leap = Compiled(AllWeek("UTC", M(9), M(17)));
  Calendar with_leap = AllWeek("UTC", M(9), M(17));
  with_leap.holidays = {{"2024-02-29", true, "Leap day"}};
  CompiledCalendar leap_holiday = Compiled(with_leap);
  EXPECT_TRUE(leap_holiday.IsHoliday(Utc(2028, 2, 29) / kDay));
  EXPECT_EQ(BetweenMs(leap_holiday, Utc(2025, 1, 1), Utc(2029, 1, 1)),
            BetweenMs(leap, Utc(2025, 1, 1), Utc(2029, 1, 1)) - 8 * kHour);

  // A holiday in the calendar's zone is a local date.
  CompiledCalendar tokyo = Compiled(Make("Asia/Tokyo", {{kThu, {0, 1440}}}, {{"2025-12-25", false, ""}}));
  EXPECT_EQ(BetweenMs(tokyo, Utc(2025, 12, 20), Utc(2026, 1, 2)), 24 * kHour);  // only 2026-01-01
}

TEST(CalendarTest, LongSpansSkipWeeksAndStayExact) {
  // 2025-01-06 and 2025-06-30 are Mondays: 25 weeks apart, across the spring DST change.
  for (const std::string zone : {"UTC", "Europe/Berlin", "America/New_York"}) {
    SCOPED_TRACE(zone);
    CompiledCalendar c = Compiled(OfficeHours(zone, M(9), M(17)));
    EXPECT_EQ(BetweenMs(c, Local(zone, 2025, 1, 6), Local(zone, 2025, 6, 30)), 25 * 40 * kHour);
    EXPECT_EQ(Add(c, Local(zone, 2025, 1, 6), 25 * 40 * 60), Local(zone, 2025, 6, 27, 17));
    TimestampMs start = Local(zone, 2025, 1, 7, 11, 17) + 123;
    for (int64_t minutes : {1, 479, 480, 481, 2400, 2401, 9600, 100'000, 250'000}) {
      TimestampMs end = Add(c, start, minutes);
      EXPECT_EQ(BetweenMs(c, start, end), minutes * kMin) << minutes;
    }
  }
  // A year of 24x7 in Berlin is a year of real time.
  CompiledCalendar always = Compiled(AllWeek("Europe/Berlin"));
  EXPECT_EQ(BetweenMs(always, Utc(2025, 1, 1), Utc(2026, 1, 1)), 365 * kDay);
  EXPECT_EQ(Add(always, Utc(2025, 2, 3, 4, 5), 365 * 24 * 60), Utc(2026, 2, 3, 4, 5));
}

TEST(CalendarTest, EmptyCalendarsAndBadInputAreErrors) {
  Calendar empty;
  empty.time_zone = "Europe/Berlin";
  ASSERT_OK_AND_ASSIGN(CompiledCalendar c, CompiledCalendar::Compile(empty));
  EXPECT_EQ(AddBusinessMinutes(c, Utc(2025, 1, 1), 10).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(BusinessMinutesBetween(c, Utc(2025, 1, 1), Utc(2025, 2, 1)).status().code(),
            StatusCode::kFailedPrecondition);
  CompiledCalendar office = Compiled(OfficeHours("UTC", M(9), M(17)));
  EXPECT_EQ(AddBusinessMinutes(office, Utc(2025, 1, 1), -1).status().code(), StatusCode::kInvalidArgument);

  Calendar bad_zone = OfficeHours("Mars/Olympus_Mons", M(9), M(17));
  auto compiled = CompiledCalendar::Compile(bad_zone);
  ASSERT_EQ(compiled.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compiled.status().fields().count("time_zone"), 1u);
  Calendar overlapping = Make("UTC", {{kMon, {M(9), M(12)}}, {kMon, {M(11), M(13)}}});
  EXPECT_EQ(CompiledCalendar::Compile(overlapping).status().code(), StatusCode::kInvalidArgument);
  Calendar bad_holiday = OfficeHours("UTC", M(9), M(17), {{"2025-02-30", false, ""}});
  EXPECT_EQ(CompiledCalendar::Compile(bad_holiday).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(ParseClockTime("09:30", false), 570);
  EXPECT_EQ(ParseClockTime("24:00", true), 1440);
  EXPECT_FALSE(ParseClockTime("24:00", false));
  EXPECT_FALSE(ParseClockTime("9:30", false));
  EXPECT_FALSE(ParseClockTime("12:60", false));
  EXPECT_EQ(FormatClockTime(1440), "24:00");
  EXPECT_TRUE(IsKnownTimeZone("America/New_York"));
  EXPECT_FALSE(IsKnownTimeZone("../../etc/passwd"));
}

// ---------------------------------------------------------------------------
// Property test: the fast walk against a minute-by-minute reference.

// Whether the minute starting at `utc` is business time: its local wall clock
// falls in a working interval of its local date, which is not a holiday.
class NaiveCalendar {
 public:
  explicit NaiveCalendar(const Calendar& c) : c_(c), zone_(date::locate_zone(c.time_zone)) {
    for (const auto& h : c.holidays) {
      int y = std::stoi(h.date.substr(0, 4));
      unsigned m = std::stoul(h.date.substr(5, 2)), d = std::stoul(h.date.substr(8, 2));
      if (h.recurring) recurring_.insert({m, d});
      else fixed_.insert(date::sys_days{date::year{y} / date::month{m} / date::day{d}}.time_since_epoch().count());
    }
  }

  bool IsBusinessMinute(TimestampMs utc) {
    date::sys_seconds s{std::chrono::seconds{utc / 1000}};
    if (!(s >= info_.begin && s < info_.end)) info_ = zone_->get_info(s);
    int64_t local_min = (utc / 1000 + info_.offset.count()) / 60;
    int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
    int minute = static_cast<int>(local_min - day * 1440);
    if (fixed_.count(day)) return false;
    date::year_month_day ymd{date::sys_days{date::days{day}}};
    if (recurring_.count({static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())})) return false;
    int weekday = static_cast<int>(date::weekday{date::sys_days{date::days{day}}}.iso_encoding()) - 1;
    for (const auto& iv : c_.hours[weekday]) {
      if (minute >= iv.start_minute && minute < iv.end_minute) return true;
    }
    return false;
  }

 private:
  const Calendar& c_;
  const date::time_zone* zone_;
  date::sys_info info_{};
  std::set<int64_t> fixed_;
  std::set<std::pair<unsigned, unsigned>> recurring_;
};

TEST(CalendarPropertyTest, MatchesMinuteByMinuteReference) {
  std::mt19937_64 rng(20250330);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const std::vector<std::string> zones = {"Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe",
                                          "Asia/Kolkata"};
  // Starts near the DST transitions of 2024-2026 half of the time.
  const std::vector<TimestampMs> transitions = {Utc(2024, 3, 10, 7), Utc(2024, 3, 31, 1),  Utc(2024, 10, 27, 1),
                                                Utc(2024, 11, 3, 6), Utc(2025, 3, 9, 7),   Utc(2025, 3, 30, 1),
                                                Utc(2025, 10, 26, 1), Utc(2025, 11, 2, 6), Utc(2025, 4, 5, 15),
                                                Utc(2025, 10, 4, 15)};
  for (int round = 0; round < 300; ++round) {
    Calendar cal;
    cal.time_zone = zones[uniform(0, zones.size() - 1)];
    for (int d = 0; d < kWeekdays; ++d) {
      int pieces = static_cast<int>(uniform(0, 3));
      int at = 0;
      for (int i = 0; i < pieces && at < 1440; ++i) {
        int start = static_cast<int>(uniform(at, std::min(1439, at + 600)));
        int end = static_cast<int>(uniform(start + 1, std::min(1440, start + 720)));
        if (uniform(0, 3) == 0) end = 1440;
        cal.hours[d].push_back({start, end});
        at = end + static_cast<int>(uniform(0, 60));
        if (end == 1440) break;
      }
    }
    if (std::all_of(cal.hours.begin(), cal.hours.end(), [](const auto& d) { return d.empty(); })) {
      cal.hours[uniform(0, 6)].push_back({M(9), M(17)});
    }
    TimestampMs start = uniform(0, 1)
                            ? transitions[uniform(0, transitions.size() - 1)] + uniform(-3 * kDay, 2 * kDay) / kMin * kMin
                            : Utc(2024, 1, 1) + uniform(0, 2 * 365 * kDay) / kMin * kMin;
    for (int h = static_cast<int>(uniform(0, 3)); h > 0; --h) {
      TimestampMs day = start + uniform(-2 * kDay, 20 * kDay);
      auto ymd = date::year_month_day{date::sys_days{date::days{day / kDay}}};
      char text[16];
      std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                    static_cast<unsigned>(ymd.day()));
      cal.holidays.push_back({text, uniform(0, 1) == 1, ""});
    }
    SCOPED_TRACE("round " + std::to_string(round) + " zone " + cal.time_zone + " start " + FormatTimestamp(start));
    auto compiled = CompiledCalendar::Compile(cal);
    ASSERT_OK(compiled);
    NaiveCalendar naive(cal);

    TimestampMs end = start + uniform(0, 21 * 24 * 60) * kMin;
    std::vector<TimestampMs> business_minutes;
    for (TimestampMs t = start; t < end; t += kMin) {
      if (naive.IsBusinessMinute(t)) business_minutes.push_back(t);
    }
    auto between = BusinessMsBetween(*compiled, start, end);
    ASSERT_OK(between);
    ASSERT_EQ(*between, static_cast<int64_t>(business_minutes.size()) * kMin);
    if (business_minutes.empty()) continue;
    for (int probe = 0; probe < 3; ++probe) {
      int64_t n = uniform(1, business_minutes.size());
      auto added = AddBusinessMinutes(*compiled, start, n);
      ASSERT_OK(added);
      ASSERT_EQ(*added, business_minutes[n - 1] + kMin) << "adding " << n << " minutes";
    }
  }
}

}  // namespace
}  // namespace opsdesk::sla
