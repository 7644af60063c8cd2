// Chaos Mesh Schedule times: robfig/cron v3 with optional seconds and descriptors.
#include <gtest/gtest.h>

#include "sim/importers/cron.hpp"

namespace faultline::sim::importers {
namespace {

constexpr int64_t kSec = 1'000'000'000LL;
// 2026-01-01T00:00:00Z, a Thursday: 1767225600 s.
constexpr int64_t kJan1 = 1767225600LL * kSec;

TEST(Cron, EveryTruncatesToSecondsAndStartsOneDelayLater) {
  // @every 2.5s → 2 s (robfig truncates); from 10.3 s: 12, 14, 16, 18 s before 19 s.
  const auto t = cron_ticks(parse_cron("@every 2.5s"), 10'300'000'000LL, 19 * kSec, 100);
  EXPECT_EQ(t, (std::vector<int64_t>{12 * kSec, 14 * kSec, 16 * kSec, 18 * kSec}));
  // Below a second it is one second.
  EXPECT_EQ(cron_ticks(parse_cron("@every 100ms"), 0, 3 * kSec, 100).size(), 2u);  // 1 s, 2 s
}

TEST(Cron, EveryOfCenturiesFiresNeverInsteadOfOverflowing) {
  // Fuzz finding: @every 8383461461s (265 years) from 2026 steps past INT64_MAX (2262); the
  // first tick lies beyond the window, so there is none.
  EXPECT_TRUE(cron_ticks(parse_cron("@every 8383461461s"), kJan1, kJan1 + 86400 * kSec, 100).empty());
  EXPECT_TRUE(cron_ticks(parse_cron("@every 8383461461s"), kJan1, INT64_MAX, 100).empty());
}

TEST(Cron, FiveFieldsHaveSecondZero) {
  // */15 minutes in the first hour of 2026: 00:15, 00:30, 00:45 (00:00 is the start, excluded).
  const auto t = cron_ticks(parse_cron("*/15 * * * *"), kJan1, kJan1 + 3600 * kSec, 100);
  EXPECT_EQ(t, (std::vector<int64_t>{kJan1 + 900 * kSec, kJan1 + 1800 * kSec, kJan1 + 2700 * kSec}));
}

TEST(Cron, SixFieldsRangesListsAndNames) {
  // Seconds 10 and 40 of minutes 1-2 of hour 0 on Thursdays in January: 4 ticks on Jan 1.
  const auto t = cron_ticks(parse_cron("10,40 1-2 0 * JAN thu"), kJan1, kJan1 + 86400 * kSec, 100);
  EXPECT_EQ(t, (std::vector<int64_t>{kJan1 + 70 * kSec, kJan1 + 100 * kSec, kJan1 + 130 * kSec, kJan1 + 160 * kSec}));
}

TEST(Cron, DayOfMonthOrDayOfWeek) {
  // Both restricted: either matches (robfig). Jan 2 is day-of-month 2; Jan 4 2026 is a Sunday.
  const auto t = cron_ticks(parse_cron("0 0 0 2 * sun"), kJan1, kJan1 + 5 * 86400 * kSec, 100);
  EXPECT_EQ(t, (std::vector<int64_t>{kJan1 + 86400 * kSec, kJan1 + 3 * 86400 * kSec}));
  // Descriptor @daily: midnight of Jan 2, 3 (Jan 1's is the window start, excluded).
  EXPECT_EQ(cron_ticks(parse_cron("@daily"), kJan1, kJan1 + 3 * 86400 * kSec, 100).size(), 2u);
}

TEST(Cron, BadSpecsSayWhatWasExpected) {
  EXPECT_THROW(parse_cron("*/5 * * *"), std::invalid_argument);
  EXPECT_THROW(parse_cron("61 * * * * *"), std::invalid_argument);
  EXPECT_THROW(parse_cron("@every"), std::invalid_argument);
  EXPECT_THROW(parse_cron("@fortnightly"), std::invalid_argument);
  EXPECT_THROW(parse_cron("TZ=Europe/Paris 0 * * * *"), std::invalid_argument);
  EXPECT_THROW(parse_cron("5-1 * * * *"), std::invalid_argument);
  EXPECT_THROW(cron_ticks(parse_cron("@every 1s"), 0, 1000 * kSec, 10), std::length_error);
}

}  // namespace
}  // namespace faultline::sim::importers
