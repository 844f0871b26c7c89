#include <date/date.h>
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "common/clock.h"
#include "common/page.h"
#include "common/random.h"
#include "common/text.h"

namespace opsdesk {
namespace {

TEST(TextTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Grüße, 東京, 🚀"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_EQ(Utf8Length("Grüße"), 5u);
}

TEST(TextTest, Utf8PrefixCutsBeforeAWholeCharacter) {
  EXPECT_EQ(Utf8Prefix("short", 10), "short");
  EXPECT_EQ(Utf8Prefix("abc\xc3\xbc", 4), "abc") << "never half of \u00fc";
  EXPECT_EQ(Utf8Prefix("abc\xc3\xbc", 5), "abc\xc3\xbc");
  EXPECT_EQ(Utf8Prefix("\xe2\x82\xac", 2), "");
}

TEST(TextTest, FieldProblems) {
  EXPECT_EQ(TextFieldProblem("ok", 1, 10, false), "");
  EXPECT_EQ(TextFieldProblem("", 1, 10, false), "must not be empty");
  EXPECT_EQ(TextFieldProblem(std::string("a\0b", 3), 1, 10, true), "must not contain NUL characters");
  EXPECT_NE(TextFieldProblem("a\nb", 1, 10, false), "");
  EXPECT_EQ(TextFieldProblem("a\nb", 1, 10, true), "");
  EXPECT_EQ(TextFieldProblem("ääääää", 1, 5, false), "must be at most 5 characters");
  EXPECT_EQ(TextFieldProblem("\xFF", 1, 5, false), "must be valid UTF-8");
}

TEST(TextTest, Emails) {
  EXPECT_TRUE(LooksLikeEmail("a.b@example.com"));
  EXPECT_FALSE(LooksLikeEmail("no-at.example.com"));
  EXPECT_FALSE(LooksLikeEmail("two@@example.com"));
  EXPECT_FALSE(LooksLikeEmail("space @example.com"));
  EXPECT_FALSE(LooksLikeEmail("a@localhost"));
  EXPECT_EQ(ToLowerAscii("Alice@Example.COM"), "alice@example.com");
}

TEST(PageTest, CursorRoundTripAndRejectsForgery) {
  std::string cursor = EncodeCursor("1732500000000", 42);
  std::string value;
  int64_t id = 0;
  ASSERT_TRUE(DecodeCursor(cursor, &value, &id));
  EXPECT_EQ(value, "1732500000000");
  EXPECT_EQ(id, 42);
  EXPECT_FALSE(DecodeCursor("not a cursor!", &value, &id));
  EXPECT_FALSE(DecodeCursor("", &value, &id));
}

TEST(ClockTest, TimestampsRoundTrip) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  TimestampMs ms = 0;
  ASSERT_TRUE(ParseTimestamp("2026-11-25T04:21:05.123Z", &ms));
  EXPECT_EQ(FormatTimestamp(ms), "2026-11-25T04:21:05.123Z");
  ASSERT_TRUE(ParseTimestamp("2026-11-25T06:21:05+02:00", &ms));
  EXPECT_EQ(FormatTimestamp(ms), "2026-11-25T04:21:05.000Z");
  EXPECT_FALSE(ParseTimestamp("yesterday", &ms));
  EXPECT_FALSE(ParseTimestamp("2026-11-25T04:21:05Zjunk", &ms));
}

// FormatTimestamp writes four-digit years by hand; it must agree with
// date::format everywhere, including before 1970 and at day and year edges.
TEST(ClockTest, FormatTimestampAgreesWithDateFormat) {
  auto reference = [](TimestampMs ms) {
    return date::format("%FT%TZ", date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds(ms)});
  };
  std::vector<TimestampMs> samples = {0, -1, 1, 999, 86'399'999, 86'400'000, -86'400'000, 951'782'400'000,
                                      253'402'300'799'999, 253'402'300'800'000, -62'167'219'200'000,
                                      -62'167'219'200'001};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<TimestampMs> any(-70'000'000'000'000, 260'000'000'000'000);
  for (int i = 0; i < 20'000; ++i) samples.push_back(any(rng));
  for (TimestampMs ms : samples) EXPECT_EQ(FormatTimestamp(ms), reference(ms)) << ms;
}

TEST(RandomTest, TokensAreRandomAndHashesStable) {
  InitCrypto();
  EXPECT_EQ(RandomHex(32).size(), 64u);
  EXPECT_NE(RandomHex(32), RandomHex(32));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(SecretsEqual("same", "same"));
  EXPECT_FALSE(SecretsEqual("same", "diff"));
}

}  // namespace
}  // namespace opsdesk
