// RFC 3339 timestamps: zones, fractions to the nanosecond, invalid input, and formatting.
#include "sim/core/rfc3339.hpp"

#include <gtest/gtest.h>

namespace faultline::sim {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(Rfc3339, Epochs) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  // 1970 → 2026 is 56 years with 14 leap days (1972 … 2024): 56·365 + 14 = 20454 days
  // = 1 767 225 600 s, the default start time of DESIGN §6.
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00Z"), 1'767'225'600 * kSec);
  EXPECT_EQ(kDefaultStartEpochNs, 1'767'225'600 * kSec);
  // 2024-02-29 (a leap day) 12:00: 19723 days to 2024-01-01 (54 years, 13 leap days), + 31 + 28
  // days = 19782 days = 1 709 164 800 s, + 12 h = 1 709 208 000 s.
  EXPECT_EQ(parse_rfc3339("2024-02-29T12:00:00Z"), 1'709'208'000 * kSec);
  // One second before the epoch.
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -kSec);
}

TEST(Rfc3339, ZonesAreOffsetsFromUtc) {
  const auto utc = parse_rfc3339("2026-01-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-01-01T02:00:00+02:00"), utc);
  EXPECT_EQ(parse_rfc3339("2025-12-31T19:00:00-05:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-01-01T05:30:00+05:30"), utc);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00+00:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00-00:00"), utc);
  // Lower-case separators and a space instead of 'T' (RFC 3339 §5.6 note).
  EXPECT_EQ(parse_rfc3339("2026-01-01t00:00:00z"), utc);
  EXPECT_EQ(parse_rfc3339("2026-01-01 00:00:00Z"), utc);
}

TEST(Rfc3339, Fractions) {
  const int64_t base = 1'767'225'600 * kSec;
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.5Z"), base + 500'000'000);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.123456789Z"), base + 123'456'789);
  // Digits beyond the nanosecond are truncated: .1234567891 → 123 456 789 ns.
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.1234567891Z"), base + 123'456'789);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.000001+01:00"), base - 3600 * kSec + 1'000);
}

TEST(Rfc3339, LeapSecondIsHeldAtFiftyNine) {
  // POSIX time has no leap second: 23:59:60 reads as 23:59:59 (1 483 228 799 s).
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), 1'483'228'799 * kSec);
}

TEST(Rfc3339, InvalidInput) {
  for (const char* bad : {"", "not a time", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00Z",
                          "2023-02-29T00:00:00Z",  // 2023 is not a leap year
                          "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z",
                          "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00+02",
                          "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00Zjunk", "2026/01/01T00:00:00Z",
                          "26-01-01T00:00:00Z", "2026-01-01X00:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, Formatting) {
  EXPECT_EQ(format_rfc3339(kDefaultStartEpochNs), "2026-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(kDefaultStartEpochNs + 1'500'000'000), "2026-01-01T00:00:01.5Z");
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_rfc3339(1'709'208'000 * kSec + 7), "2024-02-29T12:00:00.000000007Z");
}

TEST(Rfc3339, RoundTrips) {
  for (int64_t ns : {int64_t{0}, int64_t{-1}, kDefaultStartEpochNs, kDefaultStartEpochNs + 123'456'789,
                     int64_t{951'782'400} * kSec /* 2000-02-29 */, int64_t{4'102'444'800} * kSec /* 2100-01-01 */}) {
    const std::string text = format_rfc3339(ns);
    EXPECT_EQ(parse_rfc3339(text), ns) << text;
  }
}

}  // namespace
}  // namespace faultline::sim
