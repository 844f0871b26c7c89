// The rotation arithmetic: exact handoffs, rotation lengths, layers, overrides,
// DST in Europe/Berlin and America/New_York, schedules that start later, empty
// layers, and the week view (Shifts).
#include "oncall/rotation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "oncall/escalation.h"

namespace opsdesk::oncall {
namespace {

TimestampMs T(const std::string& rfc3339) {
  TimestampMs ms = 0;
  EXPECT_TRUE(ParseTimestamp(rfc3339, &ms)) << rfc3339;
  return ms;
}

Layer Rotation(std::vector<int64_t> who, RotationKind kind, int hours, std::string start_date, std::string at) {
  Layer layer;
  layer.participant_ids = std::move(who);
  layer.rotation = kind;
  layer.rotation_hours = hours;
  layer.start_date = std::move(start_date);
  layer.handoff_time = std::move(at);
  return layer;
}
Layer Weekly(std::vector<int64_t> who, std::string start_date, std::string at = "09:00") {
  return Rotation(std::move(who), RotationKind::kWeekly, 168, std::move(start_date), std::move(at));
}
Layer Daily(std::vector<int64_t> who, std::string start_date, std::string at = "09:00") {
  return Rotation(std::move(who), RotationKind::kDaily, 24, std::move(start_date), std::move(at));
}

std::shared_ptr<const CompiledSchedule> Compile(const std::string& zone, std::vector<Layer> layers,
                                                std::vector<Override> overrides = {}) {
  auto compiled = CompiledSchedule::Compile({zone, std::move(layers), std::move(overrides)});
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.ok() ? *compiled : nullptr;
}

std::optional<int64_t> Who(const CompiledSchedule& s, const std::string& at) { return s.At(T(at)).user_id; }

TEST(RotationTest, HandoffIsExactToTheMillisecond) {
  auto s = Compile("UTC", {Weekly({1, 2, 3}, "2025-01-06")});
  ASSERT_TRUE(s);
  EXPECT_EQ(Who(*s, "2025-01-06T09:00:00.000Z"), 1);
  EXPECT_EQ(Who(*s, "2025-01-13T08:59:59.999Z"), 1);
  EXPECT_EQ(Who(*s, "2025-01-13T09:00:00.000Z"), 2);
  EXPECT_EQ(Who(*s, "2025-01-20T08:59:59.999Z"), 2);
  EXPECT_EQ(Who(*s, "2025-01-20T09:00:00.000Z"), 3);
  EXPECT_EQ(Who(*s, "2025-01-27T09:00:00.000Z"), 1);  // round again
  EXPECT_EQ(Who(*s, "2026-01-05T09:00:00.000Z"), 1 + (52 % 3));  // a year on: 52 handoffs
  OnCallAt at = s->At(T("2025-01-08T12:00:00Z"));
  EXPECT_EQ(at.until, T("2025-01-13T09:00:00Z"));
  EXPECT_EQ(s->At(T("2025-01-13T08:59:59.999Z")).until, T("2025-01-13T09:00:00Z"));
  EXPECT_EQ(s->At(T("2025-01-13T09:00:00Z")).until, T("2025-01-20T09:00:00Z"));
}

TEST(RotationTest, DailyWeeklyAndCustomLengths) {
  auto daily = Compile("UTC", {Daily({1, 2}, "2025-01-01", "00:00")});
  EXPECT_EQ(Who(*daily, "2025-01-01T23:59:59.999Z"), 1);
  EXPECT_EQ(Who(*daily, "2025-01-02T00:00:00Z"), 2);
  EXPECT_EQ(Who(*daily, "2025-01-03T00:00:00Z"), 1);

  // 12-hour shifts: 09:00 and 21:00.
  auto twelve = Compile("UTC", {Rotation({1, 2, 3}, RotationKind::kCustom, 12, "2025-01-01", "09:00")});
  EXPECT_EQ(Who(*twelve, "2025-01-01T20:59:59.999Z"), 1);
  EXPECT_EQ(Who(*twelve, "2025-01-01T21:00:00Z"), 2);
  EXPECT_EQ(Who(*twelve, "2025-01-02T09:00:00Z"), 3);
  EXPECT_EQ(Who(*twelve, "2025-01-02T21:00:00Z"), 1);

  // 36 hours: handoffs alternate between 09:00 and 21:00 on following days.
  auto odd = Compile("UTC", {Rotation({1, 2}, RotationKind::kCustom, 36, "2025-01-01", "09:00")});
  EXPECT_EQ(odd->Handoff(0, 1), T("2025-01-02T21:00:00Z"));
  EXPECT_EQ(odd->Handoff(0, 2), T("2025-01-04T09:00:00Z"));
  EXPECT_EQ(Who(*odd, "2025-01-02T20:59:59.999Z"), 1);
  EXPECT_EQ(Who(*odd, "2025-01-02T21:00:00Z"), 2);
  EXPECT_EQ(Who(*odd, "2025-01-04T09:00:00Z"), 1);
}

TEST(RotationTest, NobodyBeforeTheScheduleStarts) {
  auto s = Compile("Europe/Berlin", {Weekly({1, 2}, "2025-06-02")});
  OnCallAt before = s->At(T("2025-05-01T00:00:00Z"));
  EXPECT_FALSE(before.user_id);
  EXPECT_EQ(before.until, T("2025-06-02T07:00:00Z"));  // 09:00 CEST
  EXPECT_FALSE(Who(*s, "2025-06-02T06:59:59.999Z"));
  EXPECT_EQ(Who(*s, "2025-06-02T07:00:00Z"), 1);
}

TEST(RotationTest, EmptyLayersHaveNobody) {
  auto empty = Compile("UTC", {Weekly({}, "2025-01-06")});
  OnCallAt at = empty->At(T("2025-02-01T00:00:00Z"));
  EXPECT_FALSE(at.user_id);
  EXPECT_FALSE(at.until);
  auto none = Compile("UTC", {});
  EXPECT_FALSE(none->At(T("2025-02-01T00:00:00Z")).user_id);
  // An empty layer on top hides nothing.
  auto layered = Compile("UTC", {Weekly({1, 2}, "2025-01-06"), Weekly({}, "2025-01-06")});
  EXPECT_EQ(Who(*layered, "2025-01-14T00:00:00Z"), 2);
}

TEST(RotationTest, HigherLayersOverrideLowerOnesWhereTheyHaveSomeone) {
  // Layer 0 weekly from 6 Jan; layer 1 (a new rotation) takes over from 20 Jan 12:00.
  auto s = Compile("UTC", {Weekly({1, 2}, "2025-01-06"), Daily({7, 8}, "2025-01-20", "12:00")});
  EXPECT_EQ(Who(*s, "2025-01-13T09:00:00Z"), 2);
  OnCallAt before = s->At(T("2025-01-20T09:30:00Z"));
  EXPECT_EQ(before.user_id, 1);
  EXPECT_EQ(before.until, T("2025-01-20T12:00:00Z"));
  EXPECT_EQ(Who(*s, "2025-01-20T11:59:59.999Z"), 1);
  EXPECT_EQ(Who(*s, "2025-01-20T12:00:00Z"), 7);
  EXPECT_EQ(Who(*s, "2025-01-21T12:00:00Z"), 8);
  // Layer 0's handoffs no longer show.
  EXPECT_EQ(s->At(T("2025-01-27T08:00:00Z")).until, T("2025-01-27T12:00:00Z"));
}

TEST(RotationTest, OverridesReplaceWhoeverIsOnCall) {
  // "I cover Tuesday afternoon": partial overlap of one shift.
  auto s = Compile("UTC", {Weekly({1, 2}, "2025-01-06")},
                   {Override{1, 9, T("2025-01-07T12:00:00Z"), T("2025-01-07T18:00:00Z")}});
  EXPECT_EQ(Who(*s, "2025-01-07T11:59:59.999Z"), 1);
  OnCallAt covered = s->At(T("2025-01-07T12:00:00Z"));
  EXPECT_EQ(covered.user_id, 9);
  EXPECT_EQ(covered.until, T("2025-01-07T18:00:00Z"));
  EXPECT_EQ(Who(*s, "2025-01-07T17:59:59.999Z"), 9);
  EXPECT_EQ(Who(*s, "2025-01-07T18:00:00Z"), 1);
  EXPECT_EQ(s->At(T("2025-01-07T06:00:00Z")).until, T("2025-01-07T12:00:00Z"));

  // An override across a handoff: the rotation moves on underneath it.
  auto across = Compile("UTC", {Weekly({1, 2, 3}, "2025-01-06")},
                        {Override{1, 9, T("2025-01-12T00:00:00Z"), T("2025-01-14T00:00:00Z")}});
  EXPECT_EQ(Who(*across, "2025-01-13T09:00:00Z"), 9);
  EXPECT_EQ(Who(*across, "2025-01-14T00:00:00Z"), 2);
}

TEST(RotationTest, NestedOverlappingAndAdjacentOverrides) {
  std::vector<Layer> base = {Weekly({1, 2}, "2025-01-06")};
  // The later override (higher id) wins where they overlap.
  auto nested = Compile("UTC", base,
                        {Override{1, 10, T("2025-01-06T12:00:00Z"), T("2025-01-10T12:00:00Z")},
                         Override{2, 11, T("2025-01-08T00:00:00Z"), T("2025-01-09T00:00:00Z")}});
  EXPECT_EQ(Who(*nested, "2025-01-07T00:00:00Z"), 10);
  EXPECT_EQ(nested->At(T("2025-01-07T00:00:00Z")).until, T("2025-01-08T00:00:00Z"));
  EXPECT_EQ(Who(*nested, "2025-01-08T00:00:00Z"), 11);
  EXPECT_EQ(Who(*nested, "2025-01-09T00:00:00Z"), 10);
  EXPECT_EQ(Who(*nested, "2025-01-10T12:00:00Z"), 1);

  // The same windows, created the other way round: the outer one covers all.
  auto outer_later = Compile("UTC", base,
                             {Override{2, 10, T("2025-01-06T12:00:00Z"), T("2025-01-10T12:00:00Z")},
                              Override{1, 11, T("2025-01-08T00:00:00Z"), T("2025-01-09T00:00:00Z")}});
  EXPECT_EQ(Who(*outer_later, "2025-01-08T06:00:00Z"), 10);
  EXPECT_EQ(outer_later->At(T("2025-01-07T00:00:00Z")).until, T("2025-01-10T12:00:00Z"));

  // Partial overlap.
  auto partial = Compile("UTC", base,
                         {Override{1, 10, T("2025-01-07T00:00:00Z"), T("2025-01-08T00:00:00Z")},
                          Override{2, 11, T("2025-01-07T12:00:00Z"), T("2025-01-08T12:00:00Z")}});
  EXPECT_EQ(Who(*partial, "2025-01-07T11:59:59.999Z"), 10);
  EXPECT_EQ(Who(*partial, "2025-01-07T12:00:00Z"), 11);
  EXPECT_EQ(Who(*partial, "2025-01-08T11:59:59.999Z"), 11);
  EXPECT_EQ(Who(*partial, "2025-01-08T12:00:00Z"), 1);

  // Adjacent: the second starts the millisecond the first ends.
  auto adjacent = Compile("UTC", base,
                          {Override{1, 10, T("2025-01-07T00:00:00Z"), T("2025-01-08T00:00:00Z")},
                           Override{2, 11, T("2025-01-08T00:00:00Z"), T("2025-01-09T00:00:00Z")},
                           Override{3, 11, T("2025-01-09T00:00:00Z"), T("2025-01-09T06:00:00Z")}});
  EXPECT_EQ(Who(*adjacent, "2025-01-07T23:59:59.999Z"), 10);
  EXPECT_EQ(adjacent->At(T("2025-01-07T12:00:00Z")).until, T("2025-01-08T00:00:00Z"));
  EXPECT_EQ(Who(*adjacent, "2025-01-08T00:00:00Z"), 11);
  // Adjacent overrides of one person read as one stretch.
  EXPECT_EQ(adjacent->At(T("2025-01-08T00:00:00Z")).until, T("2025-01-09T06:00:00Z"));

  // An override for whoever is on call anyway changes nothing visible.
  auto same = Compile("UTC", base, {Override{1, 1, T("2025-01-07T00:00:00Z"), T("2025-01-08T00:00:00Z")}});
  EXPECT_EQ(same->At(T("2025-01-06T10:00:00Z")).until, T("2025-01-13T09:00:00Z"));
}

// Handoff at 09:00 local: on DST days it stays at 09:00 local, so the UTC time moves
// and the shift around the change is 23 or 25 hours long.
TEST(RotationTest, DstInBerlinKeepsTheLocalHandoffTime) {
  auto s = Compile("Europe/Berlin", {Daily({1, 2}, "2025-03-27")});
  // Spring forward: 30 Mar 2025, 02:00 CET -> 03:00 CEST.
  EXPECT_EQ(s->Handoff(0, 2), T("2025-03-29T08:00:00Z"));  // 09:00 CET
  EXPECT_EQ(s->Handoff(0, 3), T("2025-03-30T07:00:00Z"));  // 09:00 CEST
  EXPECT_EQ(Who(*s, "2025-03-30T06:59:59.999Z"), 1);
  EXPECT_EQ(Who(*s, "2025-03-30T07:00:00Z"), 2);
  OnCallAt short_shift = s->At(T("2025-03-29T08:00:00Z"));
  EXPECT_EQ(*short_shift.until - T("2025-03-29T08:00:00Z"), 23 * 3'600'000);

  auto fall = Compile("Europe/Berlin", {Daily({1, 2}, "2025-10-24")});
  // Fall back: 26 Oct 2025, 03:00 CEST -> 02:00 CET.
  EXPECT_EQ(fall->Handoff(0, 1), T("2025-10-25T07:00:00Z"));  // 09:00 CEST
  EXPECT_EQ(fall->Handoff(0, 2), T("2025-10-26T08:00:00Z"));  // 09:00 CET
  EXPECT_EQ(Who(*fall, "2025-10-26T07:59:59.999Z"), 2);
  EXPECT_EQ(Who(*fall, "2025-10-26T08:00:00Z"), 1);
  EXPECT_EQ(*fall->At(T("2025-10-25T07:00:00Z")).until - T("2025-10-25T07:00:00Z"), 25 * 3'600'000);
}

TEST(RotationTest, DstInNewYorkKeepsTheLocalHandoffTime) {
  auto s = Compile("America/New_York", {Weekly({1, 2}, "2025-03-03")});
  // Spring forward: 9 Mar 2025, 02:00 EST -> 03:00 EDT; the handoff falls the day after.
  EXPECT_EQ(s->Handoff(0, 0), T("2025-03-03T14:00:00Z"));  // 09:00 EST
  EXPECT_EQ(s->Handoff(0, 1), T("2025-03-10T13:00:00Z"));  // 09:00 EDT
  EXPECT_EQ(Who(*s, "2025-03-10T12:59:59.999Z"), 1);
  EXPECT_EQ(Who(*s, "2025-03-10T13:00:00Z"), 2);

  auto daily = Compile("America/New_York", {Daily({1, 2, 3}, "2025-10-31")});
  // Fall back: 2 Nov 2025, 02:00 EDT -> 01:00 EST.
  EXPECT_EQ(daily->Handoff(0, 1), T("2025-11-01T13:00:00Z"));
  EXPECT_EQ(daily->Handoff(0, 2), T("2025-11-02T14:00:00Z"));
  EXPECT_EQ(Who(*daily, "2025-11-02T13:59:59.999Z"), 2);
  EXPECT_EQ(Who(*daily, "2025-11-02T14:00:00Z"), 3);
}

// A handoff time the clock skips happens at the jump; one it shows twice, at its
// first occurrence.
TEST(RotationTest, HandoffsInsideTheDstGapOrOverlap) {
  auto spring = Compile("Europe/Berlin", {Daily({1, 2}, "2025-03-29", "02:30")});
  EXPECT_EQ(spring->Handoff(0, 0), T("2025-03-29T01:30:00Z"));
  EXPECT_EQ(spring->Handoff(0, 1), T("2025-03-30T01:00:00Z"));  // 02:30 does not exist: 03:00 CEST
  EXPECT_EQ(spring->Handoff(0, 2), T("2025-03-31T00:30:00Z"));  // 02:30 CEST
  EXPECT_EQ(Who(*spring, "2025-03-30T00:59:59.999Z"), 1);
  EXPECT_EQ(Who(*spring, "2025-03-30T01:00:00Z"), 2);

  auto fall = Compile("Europe/Berlin", {Daily({1, 2}, "2025-10-25", "02:30")});
  EXPECT_EQ(fall->Handoff(0, 1), T("2025-10-26T00:30:00Z"));  // the first 02:30 (CEST)
  EXPECT_EQ(Who(*fall, "2025-10-26T01:30:00Z"), 2);            // the second 02:30 (CET): no second handoff

  // Hourly shifts across the spring gap: the 02:00 shift has no length at all.
  auto hourly = Compile("Europe/Berlin", {Rotation({1, 2, 3}, RotationKind::kCustom, 1, "2025-03-30", "00:00")});
  EXPECT_EQ(hourly->Handoff(0, 2), T("2025-03-30T01:00:00Z"));
  EXPECT_EQ(hourly->Handoff(0, 3), T("2025-03-30T01:00:00Z"));
  EXPECT_EQ(Who(*hourly, "2025-03-30T00:59:59.999Z"), 2);
  EXPECT_EQ(Who(*hourly, "2025-03-30T01:00:00Z"), 1);  // shift 3 (participant 0); shift 2 vanished
}

TEST(RotationTest, RepeatedParticipantsAndOnePersonRotations) {
  auto alone = Compile("UTC", {Daily({5}, "2025-01-01")});
  OnCallAt at = alone->At(T("2025-03-01T00:00:00Z"));
  EXPECT_EQ(at.user_id, 5);
  EXPECT_FALSE(at.until);  // never changes hands

  auto twice = Compile("UTC", {Daily({5, 5, 6}, "2025-01-01")});
  EXPECT_EQ(twice->At(T("2025-01-01T10:00:00Z")).until, T("2025-01-03T09:00:00Z"));
  EXPECT_EQ(twice->At(T("2025-01-03T10:00:00Z")).until, T("2025-01-04T09:00:00Z"));
}

TEST(RotationTest, ShiftsForAWeekView) {
  auto s = Compile("UTC", {Daily({1, 2}, "2025-01-01")},
                   {Override{1, 9, T("2025-01-02T12:00:00Z"), T("2025-01-02T14:00:00Z")}});
  std::vector<Shift> shifts = s->Shifts(T("2025-01-01T00:00:00Z"), T("2025-01-04T00:00:00Z"));
  std::vector<Shift> expected = {
      {1, T("2025-01-01T09:00:00Z"), T("2025-01-02T09:00:00Z")},
      {2, T("2025-01-02T09:00:00Z"), T("2025-01-02T12:00:00Z")},
      {9, T("2025-01-02T12:00:00Z"), T("2025-01-02T14:00:00Z")},
      {2, T("2025-01-02T14:00:00Z"), T("2025-01-03T09:00:00Z")},
      {1, T("2025-01-03T09:00:00Z"), T("2025-01-04T00:00:00Z")},
  };
  EXPECT_EQ(shifts, expected);
  EXPECT_TRUE(s->Shifts(T("2024-01-01T00:00:00Z"), T("2024-02-01T00:00:00Z")).empty());
}

TEST(RotationTest, ParticipantsZonesPlayNoPart) {
  // The model has no notion of a participant's zone: the same schedule in the
  // same zone gives the same answer whoever the participants are.
  auto a = Compile("Europe/Berlin", {Daily({1, 2}, "2025-03-27")});
  auto b = Compile("Europe/Berlin", {Daily({100, 200}, "2025-03-27")});
  for (int64_t t = T("2025-03-27T00:00:00Z"); t < T("2025-04-03T00:00:00Z"); t += 900'000) {
    EXPECT_EQ(a->At(t).user_id.value_or(0) * 100, b->At(t).user_id.value_or(0));
    EXPECT_EQ(a->At(t).until, b->At(t).until);
  }
}

TEST(RotationTest, InvalidDefinitionsNameTheirFields) {
  auto zone = CompiledSchedule::Compile({"Mars/Olympus", {}, {}});
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().fields().count("time_zone"), 1u);
  Layer bad = Rotation({1}, RotationKind::kCustom, 0, "2025-02-30", "24:00");
  Layer bad_weekly = Rotation({1}, RotationKind::kWeekly, 24, "2025-02-01", "9:00");
  auto layers = CompiledSchedule::Compile({"UTC", {Weekly({1}, "2025-01-06"), bad, bad_weekly}, {}});
  ASSERT_FALSE(layers.ok());
  const Status st = layers.status();
  const auto& f = st.fields();
  EXPECT_EQ(f.count("layers[1].rotation_hours"), 1u);
  EXPECT_EQ(f.count("layers[1].start_date"), 1u);
  EXPECT_EQ(f.count("layers[1].handoff_time"), 1u);
  EXPECT_EQ(f.count("layers[2].rotation_hours"), 1u);
  EXPECT_EQ(f.count("layers[2].handoff_time"), 1u);
  EXPECT_EQ(f.count("layers[0].start_date"), 0u);
}

TEST(EscalationTest, StepsRunThroughTheLevelsThenRepeat) {
  EscalationPolicy p;
  p.levels.resize(3);
  p.repeat = 1;
  std::vector<std::optional<size_t>> got;
  for (int step = 0; step < 7; ++step) got.push_back(LevelForStep(p, step));
  std::vector<std::optional<size_t>> expected = {0, 1, 2, 0, 1, 2, std::nullopt};
  EXPECT_EQ(got, expected);
  p.levels.clear();
  EXPECT_FALSE(LevelForStep(p, 0));
}

}  // namespace
}  // namespace opsdesk::oncall
