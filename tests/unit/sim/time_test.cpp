// Simulated time (DESIGN §3): int64 nanoseconds, human units, exact fractions, overflow checks.
#include "sim/core/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace faultline::sim {
namespace {

int64_t ns(const char* text) { return parse_duration(text).count_ns(); }

std::string parse_error(const char* text) {
  try {
    parse_duration(text);
  } catch (const TimeParseError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TimeParse, EveryUnit) {
  // 1 ns, 1 us = 1e3 ns, 1 ms = 1e6 ns, 1 s = 1e9 ns, 1 m = 60e9 ns, 1 h = 3600e9 ns.
  EXPECT_EQ(ns("100ns"), 100);
  EXPECT_EQ(ns("10us"), 10'000);
  EXPECT_EQ(ns("10\xC2\xB5s"), 10'000);  // "10µs", as Go prints microseconds
  EXPECT_EQ(ns("250ms"), 250'000'000);
  EXPECT_EQ(ns("3s"), 3'000'000'000);
  EXPECT_EQ(ns("2m"), 120'000'000'000);
  EXPECT_EQ(ns("1h"), 3'600'000'000'000);
}

TEST(TimeParse, ExactFractions) {
  // 1.5 s = 1e9 + 0.5e9; 0.5 ms = 500 us = 500'000 ns; 3.5 ms = 3'500'000 ns.
  EXPECT_EQ(ns("1.5s"), 1'500'000'000);
  EXPECT_EQ(ns("0.5ms"), 500'000);
  EXPECT_EQ(ns("3.5ms"), 3'500'000);
  // A leading dot is a number (Go accepts ".5s"): 0.5 s.
  EXPECT_EQ(ns(".5s"), 500'000'000);
  // The last nanosecond digit is kept exactly: 1 s + 1 ns. A double would round this.
  EXPECT_EQ(ns("1.000000001s"), 1'000'000'001);
  // 0.1 h = 6 minutes = 360 s.
  EXPECT_EQ(ns("0.1h"), 360'000'000'000);
  // Trailing zeros below 1 ns are harmless: 1.0 ns = 1 ns.
  EXPECT_EQ(ns("1.0ns"), 1);
  EXPECT_EQ(ns("1.500000000000s"), 1'500'000'000);
}

TEST(TimeParse, GoCompounds) {
  // 1 m 30 s = 60 + 30 = 90 s.
  EXPECT_EQ(ns("1m30s"), 90'000'000'000);
  // 1 h 2 m 3 s 4 ms 5 us 6 ns = 3600e9 + 120e9 + 3e9 + 4e6 + 5e3 + 6.
  EXPECT_EQ(ns("1h2m3s4ms5us6ns"), 3'723'004'005'006);
  // 1.5 h 30 m = 90 m + 30 m = 2 h.
  EXPECT_EQ(ns("1.5h30m"), 7'200'000'000'000);
  // The largest duration as Go prints it is exactly INT64_MAX:
  // 2562047 h = 9223369200e9, + 47 m = 2820e9, + 16.854775807 s → 9223372036854775807.
  EXPECT_EQ(ns("2562047h47m16.854775807s"), std::numeric_limits<int64_t>::max());
}

TEST(TimeParse, SignsSpacesAndBareZero) {
  EXPECT_EQ(ns("-1.5s"), -1'500'000'000);
  EXPECT_EQ(ns("+2s"), 2'000'000'000);
  EXPECT_EQ(ns("-1m30s"), -90'000'000'000);  // the sign applies to the whole compound, as in Go
  EXPECT_EQ(ns("0"), 0);                     // a bare zero needs no unit (Go, Kubernetes)
  EXPECT_EQ(ns("  5s "), 5'000'000'000);
}

TEST(TimeParse, UnknownUnitIsNamed) {
  EXPECT_NE(parse_error("5x").find("unknown unit \"x\""), std::string::npos) << parse_error("5x");
  EXPECT_NE(parse_error("5d").find("unknown unit \"d\""), std::string::npos) << parse_error("5d");
  // A word that starts like a known unit is still an unknown unit, as in Go's ParseDuration:
  // "sec" is not "s" followed by garbage, and "min" is not "m".
  EXPECT_NE(parse_error("10sec").find("unknown unit \"sec\""), std::string::npos) << parse_error("10sec");
  EXPECT_NE(parse_error("1min").find("unknown unit \"min\""), std::string::npos) << parse_error("1min");
  EXPECT_NE(parse_error("2hours").find("unknown unit \"hours\""), std::string::npos) << parse_error("2hours");
  // Every error says what was expected.
  EXPECT_NE(parse_error("5x").find("expected a number with a unit"), std::string::npos);
}

TEST(TimeParse, MissingUnitOrNumber) {
  EXPECT_NE(parse_error("5").find("the unit is missing"), std::string::npos) << parse_error("5");
  EXPECT_NE(parse_error("1m30").find("the unit is missing"), std::string::npos) << parse_error("1m30");
  EXPECT_NE(parse_error("s").find("a number is missing"), std::string::npos) << parse_error("s");
  EXPECT_NE(parse_error("").find("it is empty"), std::string::npos) << parse_error("");
  EXPECT_NE(parse_error("-").find("a number is missing"), std::string::npos) << parse_error("-");
  // "1.5" is followed by ".5s": no unit before the next number (Go: "missing unit").
  EXPECT_NE(parse_error("1.5.5s").find("the unit is missing"), std::string::npos) << parse_error("1.5.5s");
}

TEST(TimeParse, FinerThanOneNanosecond) {
  // 1.5 ns and 0.1 ns are not whole nanoseconds; 1e-10 s is the 10th decimal of a second.
  EXPECT_NE(parse_error("1.5ns").find("finer than 1 ns"), std::string::npos);
  EXPECT_NE(parse_error("0.1ns").find("finer than 1 ns"), std::string::npos);
  EXPECT_NE(parse_error("0.0000000001s").find("finer than 1 ns"), std::string::npos);
  // 1.0001 us = 1000.1 ns.
  EXPECT_NE(parse_error("1.0001us").find("finer than 1 ns"), std::string::npos);
  // ... but 1.001 us = 1001 ns is fine.
  EXPECT_EQ(ns("1.001us"), 1001);
}

TEST(TimeParse, Overflow) {
  // INT64_MAX + 1 ns does not fit.
  EXPECT_NE(parse_error("9223372036854775808ns").find("too large"), std::string::npos);
  EXPECT_EQ(ns("9223372036854775807ns"), std::numeric_limits<int64_t>::max());
  // 2562048 h = 9223372800e9 ns > INT64_MAX (9223372036.85e9).
  EXPECT_NE(parse_error("2562048h").find("int64 nanosecond range"), std::string::npos);
  // The compound one nanosecond past INT64_MAX.
  EXPECT_NE(parse_error("2562047h47m16.854775808s").find("int64 nanosecond range"), std::string::npos);
  // A number with more digits than int64 holds.
  EXPECT_NE(parse_error("99999999999999999999999s").find("too large"), std::string::npos);
}

TEST(TimeFormat, ShortestExactText) {
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(Duration::ms(1500)), "1.5s");
  EXPECT_EQ(format_duration(Duration::ms(250)), "250ms");
  EXPECT_EQ(format_duration(Duration::minutes(2)), "2m");
  EXPECT_EQ(format_duration(Duration::hours(1)), "1h");
  // 90 s is not a whole number of minutes in one unit: "90s", not "1.5m".
  EXPECT_EQ(format_duration(Duration::s(90)), "90s");
  // 90 min is a whole number of minutes but not of hours.
  EXPECT_EQ(format_duration(Duration::minutes(90)), "90m");
  EXPECT_EQ(format_duration(Duration::us(1500)), "1.5ms");
  EXPECT_EQ(format_duration(Duration::ns(999)), "999ns");
  EXPECT_EQ(format_duration(Duration::ns(1001)), "1.001us");
  EXPECT_EQ(format_duration(Duration::ms(-250)), "-250ms");
  EXPECT_EQ(format_duration(Duration::ns(1'000'000'001)), "1.000000001s");
  EXPECT_EQ(format_duration(Duration::max()), "9223372036.854775807s");
  EXPECT_EQ(format_duration(Duration::ns(std::numeric_limits<int64_t>::min())), "-9223372036.854775808s");
}

TEST(TimeFormat, RoundTrips) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{999}, int64_t{3'500'000}, int64_t{1'000'000'001},
                    int64_t{90'000'000'000}, int64_t{86'400'000'000'000}, std::numeric_limits<int64_t>::max(),
                    int64_t{-123'456'789'012}}) {
    const Duration d = Duration::ns(v);
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
}

TEST(TimeFormat, Seconds) {
  EXPECT_EQ(format_seconds(1'500'000'000), "1.5");
  EXPECT_EQ(format_seconds(120'000'000'000), "120");
  EXPECT_EQ(format_seconds(3'500'000), "0.0035");
  EXPECT_EQ(format_seconds(-1), "-0.000000001");
  EXPECT_EQ(format_seconds(0), "0");
}

TEST(TimeArithmetic, UnitHelpers) {
  EXPECT_EQ(Duration::us(3).count_ns(), 3'000);
  EXPECT_EQ(Duration::ms(3).count_ns(), 3'000'000);
  EXPECT_EQ(Duration::s(3).count_ns(), 3'000'000'000);
  EXPECT_EQ(Duration::minutes(3).count_ns(), 180'000'000'000);
  EXPECT_EQ(Duration::hours(3).count_ns(), 10'800'000'000'000);
  // 5 s − 1.5 s = 3.5 s; 3.5 s × 2 = 7 s.
  EXPECT_EQ((Duration::s(5) - Duration::ms(1500)) * 2, Duration::s(7));
  const SimTime t = SimTime::at(Duration::s(10));
  EXPECT_EQ((t + Duration::ms(1)).ns(), 10'001'000'000);
  EXPECT_EQ(t - SimTime::at(Duration::s(4)), Duration::s(6));
  EXPECT_LT(SimTime::zero(), t);
  EXPECT_DOUBLE_EQ(Duration::ms(3500).seconds(), 3.5);
}

TEST(TimeArithmetic, CheckedOverflow) {
  EXPECT_THROW(Duration::max() + Duration::ns(1), TimeOverflow);
  EXPECT_THROW(Duration::ns(std::numeric_limits<int64_t>::min()) - Duration::ns(1), TimeOverflow);
  EXPECT_THROW(Duration::max() * 2, TimeOverflow);
  EXPECT_THROW(SimTime::max() + Duration::ns(1), TimeOverflow);
  // 0 − INT64_MAX fits; two more nanoseconds below it do not (INT64_MIN = −INT64_MAX − 1).
  const SimTime low = SimTime::zero() - Duration::max();
  EXPECT_THROW(low - Duration::ns(2), TimeOverflow);
  EXPECT_THROW(SimTime::max() - SimTime::at(Duration::ns(-1)), TimeOverflow);
  // 9223372037 s × 1e9 > INT64_MAX; 2562048 h likewise (see above).
  EXPECT_THROW(Duration::s(9'223'372'037), TimeOverflow);
  EXPECT_THROW(Duration::hours(2'562'048), TimeOverflow);
  EXPECT_NO_THROW(Duration::hours(2'562'047));
  Duration acc = Duration::max() - Duration::ns(1);
  acc += Duration::ns(1);
  EXPECT_EQ(acc, Duration::max());
  EXPECT_THROW(acc += Duration::ns(1), TimeOverflow);
}

TEST(TimeArithmetic, FromSeconds) {
  EXPECT_EQ(Duration::from_seconds(1.5), Duration::ms(1500));
  EXPECT_EQ(Duration::from_seconds(-0.25), Duration::ms(-250));
  // Rounded to the nearest nanosecond: 0.1 ns → 0, 0.6 ns → 1.
  EXPECT_EQ(Duration::from_seconds(1e-10).count_ns(), 0);
  EXPECT_EQ(Duration::from_seconds(6e-10).count_ns(), 1);
  EXPECT_THROW(Duration::from_seconds(std::numeric_limits<double>::quiet_NaN()), TimeOverflow);
  // 1e10 s = 1e19 ns > 2^63 ≈ 9.22e18 ns.
  EXPECT_THROW(Duration::from_seconds(1e10), TimeOverflow);
  EXPECT_THROW(Duration::from_seconds(std::numeric_limits<double>::infinity()), TimeOverflow);
  EXPECT_THROW(Duration::from_seconds(-1e10), TimeOverflow);
}

}  // namespace
}  // namespace faultline::sim
