#include "oncall/rotation.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>

#include "common/text.h"

namespace opsdesk::oncall {
namespace {

using Ms = std::chrono::milliseconds;
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int kMaxParticipants = 50;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool ParseDigits(std::string_view text, int* out) {
  int value = 0;
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// "YYYY-MM-DD" (years 2000-2199) as days since the epoch.
std::optional<int64_t> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!ParseDigits(text.substr(0, 4), &y) || !ParseDigits(text.substr(5, 2), &m) ||
      !ParseDigits(text.substr(8, 2), &d)) {
    return std::nullopt;
  }
  if (y < 2000 || y > 2199) return std::nullopt;
  date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)), date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days(ymd).time_since_epoch().count();
}

// "HH:MM" as minutes after midnight.
std::optional<int> ParseTimeOfDay(std::string_view text) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  if (!ParseDigits(text.substr(0, 2), &h) || !ParseDigits(text.substr(3, 2), &m)) return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

}  // namespace

const char* RotationKindName(RotationKind kind) {
  switch (kind) {
    case RotationKind::kDaily: return "daily";
    case RotationKind::kWeekly: return "weekly";
    case RotationKind::kCustom: return "custom";
  }
  return "custom";
}

std::optional<RotationKind> ParseRotationKind(std::string_view text) {
  if (text == "daily") return RotationKind::kDaily;
  if (text == "weekly") return RotationKind::kWeekly;
  if (text == "custom") return RotationKind::kCustom;
  return std::nullopt;
}

std::map<std::string, std::string> LayerProblems(const Layer& layer) {
  std::map<std::string, std::string> errors;
  if (auto p = TextFieldProblem(layer.name, 0, 100, false); !p.empty()) errors["name"] = p;
  if (layer.participant_ids.size() > kMaxParticipants) {
    errors["participant_ids"] = "must list at most 50 participants";
  }
  for (int64_t id : layer.participant_ids) {
    if (id <= 0) errors["participant_ids"] = "must be user ids";
  }
  switch (layer.rotation) {
    case RotationKind::kDaily:
      if (layer.rotation_hours != 24) errors["rotation_hours"] = "is 24 for a daily rotation";
      break;
    case RotationKind::kWeekly:
      if (layer.rotation_hours != 168) errors["rotation_hours"] = "is 168 for a weekly rotation";
      break;
    case RotationKind::kCustom:
      if (layer.rotation_hours < 1 || layer.rotation_hours > 8760) {
        errors["rotation_hours"] = "must be from 1 to 8760 hours";
      }
      break;
  }
  if (!ParseDate(layer.start_date)) errors["start_date"] = "must be a date YYYY-MM-DD (years 2000-2199)";
  if (!ParseTimeOfDay(layer.handoff_time)) errors["handoff_time"] = "must be a time of day HH:MM (00:00-23:59)";
  return errors;
}

Result<std::shared_ptr<const CompiledSchedule>> CompiledSchedule::Compile(const ScheduleDefinition& definition) {
  std::shared_ptr<CompiledSchedule> out(new CompiledSchedule());
  try {
    out->zone_ = date::locate_zone(definition.time_zone);
  } catch (const std::exception&) {
    out->zone_ = nullptr;
  }
  if (!out->zone_) {
    return Status::InvalidArgument("schedule is not valid", {{"time_zone", "must be an IANA time zone such as Europe/Berlin"}});
  }
  std::map<std::string, std::string> errors;
  for (size_t i = 0; i < definition.layers.size(); ++i) {
    const Layer& layer = definition.layers[i];
    for (const auto& [field, message] : LayerProblems(layer)) {
      errors["layers[" + std::to_string(i) + "]." + field] = message;
    }
  }
  for (const Override& o : definition.overrides) {
    if (o.end_at <= o.start_at) errors["overrides"] = "must end after they start";
  }
  if (!errors.empty()) return Status::InvalidArgument("schedule is not valid", errors);

  for (const Layer& layer : definition.layers) {
    CompiledLayer c;
    c.participants = layer.participant_ids;
    c.local_start_ms = *ParseDate(layer.start_date) * kDayMs + int64_t{*ParseTimeOfDay(layer.handoff_time)} * 60'000;
    c.period_ms = int64_t{layer.rotation_hours} * kHourMs;
    c.first_handoff = out->ToSys(c.local_start_ms);
    size_t n = c.participants.size();
    c.steps_to_change.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t s = 1; s < n; ++s) {
        if (c.participants[(i + s) % n] != c.participants[i]) {
          c.steps_to_change[i] = static_cast<int64_t>(s);
          break;
        }
      }
    }
    out->layers_.push_back(std::move(c));
  }

  // Flatten the overrides: at each instant the highest id among those covering it.
  struct Event {
    TimestampMs at;
    bool add;
    int64_t id;
    int64_t user;
  };
  std::vector<Event> events;
  for (const Override& o : definition.overrides) {
    events.push_back({o.start_at, true, o.id, o.user_id});
    events.push_back({o.end_at, false, o.id, o.user_id});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
  std::multiset<std::pair<int64_t, int64_t>> active;  // (id, user)
  for (size_t i = 0; i < events.size();) {
    TimestampMs at = events[i].at;
    for (; i < events.size() && events[i].at == at; ++i) {
      if (events[i].add) {
        active.insert({events[i].id, events[i].user});
      } else {
        active.erase(active.find({events[i].id, events[i].user}));
      }
    }
    if (active.empty() || i == events.size()) continue;
    int64_t user = active.rbegin()->second;
    TimestampMs end = events[i].at;
    if (!out->overrides_.empty() && out->overrides_.back().end == at && out->overrides_.back().user_id == user) {
      out->overrides_.back().end = end;
    } else {
      out->overrides_.push_back({at, end, user});
    }
  }
  return std::shared_ptr<const CompiledSchedule>(std::move(out));
}

TimestampMs CompiledSchedule::ToSys(int64_t local_ms) const {
  // choose::earliest: a skipped local time maps to the jump, a repeated one to its
  // first occurrence; both are "the first instant the clock reads it or later".
  return zone_->to_sys(date::local_time<Ms>(Ms(local_ms)), date::choose::earliest).time_since_epoch().count();
}

int64_t CompiledSchedule::ToLocal(TimestampMs at) const {
  return zone_->to_local(date::sys_time<Ms>(Ms(at))).time_since_epoch().count();
}

TimestampMs CompiledSchedule::LayerHandoff(const CompiledLayer& layer, int64_t k) const {
  return ToSys(layer.local_start_ms + k * layer.period_ms);
}

TimestampMs CompiledSchedule::Handoff(size_t layer, int64_t k) const { return LayerHandoff(layers_.at(layer), k); }

int64_t CompiledSchedule::ShiftIndex(const CompiledLayer& layer, TimestampMs at) const {
  // The wall clock at `at` gives the index up to a DST offset; then step to the
  // exact one.
  int64_t k = std::max<int64_t>(0, FloorDiv(ToLocal(at) - layer.local_start_ms, layer.period_ms));
  while (k > 0 && LayerHandoff(layer, k) > at) --k;
  while (LayerHandoff(layer, k + 1) <= at) ++k;
  return k;
}

const CompiledSchedule::OverrideSegment* CompiledSchedule::OverrideAt(TimestampMs at) const {
  auto it = std::upper_bound(overrides_.begin(), overrides_.end(), at,
                             [](TimestampMs t, const OverrideSegment& s) { return t < s.start; });
  if (it == overrides_.begin()) return nullptr;
  --it;
  return at < it->end ? &*it : nullptr;
}

std::optional<int64_t> CompiledSchedule::BaseUserAt(TimestampMs at) const {
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (it->participants.empty() || at < it->first_handoff) continue;
    int64_t k = ShiftIndex(*it, at);
    return it->participants[static_cast<size_t>(k % static_cast<int64_t>(it->participants.size()))];
  }
  return std::nullopt;
}

std::optional<int64_t> CompiledSchedule::UserAt(TimestampMs at) const {
  if (const OverrideSegment* o = OverrideAt(at)) return o->user_id;
  return BaseUserAt(at);
}

std::optional<TimestampMs> CompiledSchedule::NextBoundary(TimestampMs at) const {
  if (const OverrideSegment* o = OverrideAt(at)) return o->end;  // the layers do not show until then
  std::optional<TimestampMs> next;
  auto consider = [&next](TimestampMs t) {
    if (!next || t < *next) next = t;
  };
  auto it = std::upper_bound(overrides_.begin(), overrides_.end(), at,
                             [](TimestampMs t, const OverrideSegment& s) { return t < s.start; });
  if (it != overrides_.end()) consider(it->start);
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    if (layer->participants.empty()) continue;
    if (at < layer->first_handoff) {
      consider(layer->first_handoff);
      continue;
    }
    // The highest started layer hides every layer below it for good.
    int64_t k = ShiftIndex(*layer, at);
    int64_t steps = layer->steps_to_change[static_cast<size_t>(k % static_cast<int64_t>(layer->participants.size()))];
    if (steps > 0) consider(LayerHandoff(*layer, k + steps));
    break;
  }
  return next;
}

std::optional<TimestampMs> CompiledSchedule::NextChange(TimestampMs at, const std::optional<int64_t>& user,
                                                        TimestampMs limit, int max_steps) const {
  TimestampMs t = at;
  for (int i = 0; i < max_steps; ++i) {
    auto b = NextBoundary(t);
    if (!b || *b >= limit) return std::nullopt;
    if (UserAt(*b) != user) return b;
    t = *b;
  }
  return std::nullopt;
}

OnCallAt CompiledSchedule::At(TimestampMs at) const {
  OnCallAt out;
  out.user_id = UserAt(at);
  // Each boundary without a change is an override edge or a layer start, so the
  // walk is bounded by their number.
  int max_steps = static_cast<int>(2 * overrides_.size() + layers_.size() + 8);
  out.until = NextChange(at, out.user_id, std::numeric_limits<TimestampMs>::max(), max_steps);
  return out;
}

std::vector<Shift> CompiledSchedule::Shifts(TimestampMs from, TimestampMs to) const {
  std::vector<Shift> shifts;
  int max_steps = static_cast<int>(2 * overrides_.size() + layers_.size() + 8);
  TimestampMs t = from;
  while (t < to) {
    std::optional<int64_t> user = UserAt(t);
    auto next = NextChange(t, user, to, max_steps);
    TimestampMs end = next.value_or(to);
    if (user) shifts.push_back({*user, t, end});
    t = end;
  }
  return shifts;
}

}  // namespace opsdesk::oncall
