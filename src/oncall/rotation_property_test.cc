// CompiledSchedule against a naive reference on seeded random schedules: step
// through time in 15-minute increments and compute who is on call directly from
// the definition (handoff k of a layer at the first instant the schedule's
// clock reads start + k * length; the highest started non-empty layer; the
// newest override covering the instant).
#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "oncall/rotation.h"

namespace opsdesk::oncall {
namespace {

using Ms = std::chrono::milliseconds;
constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

TimestampMs T(const std::string& rfc3339) {
  TimestampMs ms = 0;
  EXPECT_TRUE(ParseTimestamp(rfc3339, &ms)) << rfc3339;
  return ms;
}

// The reference: written from the rules, not from CompiledSchedule.
class Naive {
 public:
  explicit Naive(const ScheduleDefinition& def) : def_(def), zone_(date::locate_zone(def.time_zone)) {}

  // The first instant the wall clock reads `local_ms` or later.
  TimestampMs FromLocal(int64_t local_ms) const {
    date::local_seconds local{std::chrono::seconds(local_ms / 1000)};
    date::local_info info = zone_->get_info(local);
    switch (info.result) {
      case date::local_info::nonexistent:  // skipped: the clocks jump past it
        return std::chrono::duration_cast<Ms>(info.first.end.time_since_epoch()).count();
      case date::local_info::ambiguous:  // shown twice: the first time
      case date::local_info::unique:
        break;
    }
    return local_ms - std::chrono::duration_cast<Ms>(info.first.offset).count();
  }

  static int64_t LocalStart(const Layer& layer) {
    int y = std::stoi(layer.start_date.substr(0, 4));
    unsigned m = static_cast<unsigned>(std::stoi(layer.start_date.substr(5, 2)));
    unsigned d = static_cast<unsigned>(std::stoi(layer.start_date.substr(8, 2)));
    int64_t days = date::sys_days(date::year(y) / m / d).time_since_epoch().count();
    int64_t minutes = std::stoi(layer.handoff_time.substr(0, 2)) * 60 + std::stoi(layer.handoff_time.substr(3, 2));
    return days * kDay + minutes * kMinute;
  }

  TimestampMs Handoff(const Layer& layer, int64_t k) const {
    return FromLocal(LocalStart(layer) + k * int64_t{layer.rotation_hours} * kHour);
  }

  std::optional<int64_t> Who(TimestampMs t) const {
    const Override* best = nullptr;
    for (const Override& o : def_.overrides) {
      if (o.start_at <= t && t < o.end_at && (!best || o.id > best->id)) best = &o;
    }
    if (best) return best->user_id;
    for (auto it = def_.layers.rbegin(); it != def_.layers.rend(); ++it) {
      if (it->participant_ids.empty() || Handoff(*it, 0) > t) continue;
      // The last handoff at or before t (handoffs never go backwards).
      int64_t lo = 0, hi = 1;
      while (Handoff(*it, hi) <= t) hi *= 2;
      while (hi - lo > 1) {
        int64_t mid = (lo + hi) / 2;
        (Handoff(*it, mid) <= t ? lo : hi) = mid;
      }
      return it->participant_ids[static_cast<size_t>(lo) % it->participant_ids.size()];
    }
    return std::nullopt;
  }

 private:
  const ScheduleDefinition& def_;
  const date::time_zone* zone_;
};

ScheduleDefinition RandomSchedule(std::mt19937_64& rng, TimestampMs window_start) {
  auto pick = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  static const std::vector<std::string> zones = {"Europe/Berlin", "America/New_York", "UTC",
                                                 "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
                                                 "Pacific/Chatham", "America/St_Johns"};
  static const std::vector<int> custom_hours = {1, 2, 5, 8, 12, 13, 36, 49, 100};
  static const std::vector<int> minutes = {0, 7, 15, 30, 45, 59};
  ScheduleDefinition def;
  def.time_zone = zones[static_cast<size_t>(pick(0, static_cast<int64_t>(zones.size()) - 1))];
  int layers = static_cast<int>(pick(0, 3));
  for (int i = 0; i < layers; ++i) {
    Layer layer;
    int n = static_cast<int>(pick(0, 4));
    for (int p = 0; p < n; ++p) layer.participant_ids.push_back(pick(1, 5));
    switch (pick(0, 2)) {
      case 0: layer.rotation = RotationKind::kDaily; layer.rotation_hours = 24; break;
      case 1: layer.rotation = RotationKind::kWeekly; layer.rotation_hours = 168; break;
      default:
        layer.rotation = RotationKind::kCustom;
        layer.rotation_hours = custom_hours[static_cast<size_t>(pick(0, static_cast<int64_t>(custom_hours.size()) - 1))];
    }
    TimestampMs start = window_start + pick(-20, 30) * kDay;
    layer.start_date = date::format("%F", date::sys_days(date::floor<date::days>(date::sys_time<Ms>(Ms(start)))));
    char hhmm[6];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", static_cast<int>(pick(0, 23)),
                  minutes[static_cast<size_t>(pick(0, static_cast<int64_t>(minutes.size()) - 1))]);
    layer.handoff_time = hhmm;
    def.layers.push_back(layer);
  }
  int overrides = static_cast<int>(pick(0, 6));
  std::vector<int64_t> ids;
  for (int i = 1; i <= overrides; ++i) ids.push_back(i);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int i = 0; i < overrides; ++i) {
    TimestampMs start = window_start + pick(0, 60 * 24 * 60) * kMinute + pick(0, 59'999);
    def.overrides.push_back({ids[static_cast<size_t>(i)], pick(1, 7), start, start + pick(1, 72 * 60) * kMinute});
  }
  return def;
}

std::string Describe(const ScheduleDefinition& def) {
  std::string out = def.time_zone;
  for (const Layer& l : def.layers) {
    out += " | layer " + std::string(RotationKindName(l.rotation)) + " " + std::to_string(l.rotation_hours) + "h " +
           l.start_date + " " + l.handoff_time + " [";
    for (int64_t id : l.participant_ids) out += std::to_string(id) + " ";
    out += "]";
  }
  for (const Override& o : def.overrides) {
    out += " | override #" + std::to_string(o.id) + " user " + std::to_string(o.user_id) + " " +
           FormatTimestamp(o.start_at) + ".." + FormatTimestamp(o.end_at);
  }
  return out;
}

void CheckAgainstReference(uint64_t seed, TimestampMs window_start) {
  std::mt19937_64 rng(seed);
  ScheduleDefinition def = RandomSchedule(rng, window_start);
  SCOPED_TRACE("seed " + std::to_string(seed) + ": " + Describe(def));
  auto compiled = CompiledSchedule::Compile(def);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  Naive naive(def);
  const TimestampMs end = window_start + 60 * kDay;
  std::optional<int64_t> previous_user;
  std::optional<TimestampMs> previous_until;
  bool first = true;
  int failures = 0;
  for (TimestampMs t = window_start; t < end && failures < 5; t += 15 * kMinute) {
    OnCallAt got = (*compiled)->At(t);
    std::optional<int64_t> want = naive.Who(t);
    if (got.user_id != want) {
      ADD_FAILURE() << "at " << FormatTimestamp(t) << ": got " << got.user_id.value_or(-1) << ", want "
                    << want.value_or(-1);
      ++failures;
      continue;
    }
    if (got.until) {
      // Exact: the same person up to the last millisecond before `until`, someone else at it.
      EXPECT_GT(*got.until, t);
      EXPECT_EQ(naive.Who(*got.until - 1), want) << "before until " << FormatTimestamp(*got.until);
      EXPECT_NE(naive.Who(*got.until), want) << "at until " << FormatTimestamp(*got.until);
    }
    // Still inside the previous answer's stretch: the same answer, the same end.
    if (!first && previous_until && t < *previous_until) {
      EXPECT_EQ(want, previous_user) << "at " << FormatTimestamp(t);
      EXPECT_EQ(got.until, previous_until) << "at " << FormatTimestamp(t);
    }
    if (!first && !previous_until) EXPECT_EQ(want, previous_user) << "at " << FormatTimestamp(t);
    first = false;
    previous_user = want;
    previous_until = got.until;
  }
  // Shifts agree with the look-ups over a week.
  TimestampMs from = window_start + 20 * kDay;
  auto shifts = (*compiled)->Shifts(from, from + 7 * kDay);
  for (TimestampMs t = from; t < from + 7 * kDay; t += 15 * kMinute) {
    std::optional<int64_t> in_shift;
    for (const Shift& s : shifts) {
      if (s.start_at <= t && t < s.end_at) in_shift = s.user_id;
    }
    EXPECT_EQ(in_shift, naive.Who(t)) << "shifts at " << FormatTimestamp(t);
  }
  for (size_t i = 1; i < shifts.size(); ++i) {
    EXPECT_LE(shifts[i - 1].end_at, shifts[i].start_at);
    if (shifts[i - 1].end_at == shifts[i].start_at) EXPECT_NE(shifts[i - 1].user_id, shifts[i].user_id);
  }
}

TEST(RotationPropertyTest, MatchesTheNaiveReferenceAroundSpringDst) {
  for (uint64_t seed = 1; seed <= 40; ++seed) CheckAgainstReference(seed, T("2025-02-20T00:00:00Z"));
}

TEST(RotationPropertyTest, MatchesTheNaiveReferenceAroundAutumnDst) {
  for (uint64_t seed = 1001; seed <= 1040; ++seed) CheckAgainstReference(seed, T("2025-09-20T00:00:00Z"));
}

}  // namespace
}  // namespace opsdesk::oncall
