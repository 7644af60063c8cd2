// The error figures of `faultline validate` on hand-made series, each with its value derived
// by hand in a comment (sim/validate/figures.hpp).
#include "sim/validate/figures.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenario/input_error.hpp"
#include "sim/validate/validate.hpp"

namespace faultline::validate {
namespace {

TEST(ValidateAlign, HoldsThePredictedValueAndKeepsObservedGaps) {
  // Predicted gauges at 0, 1, 2, 3 s; observed at 0.5, 1.5, 2.5 s, a gap, then 10 s.
  const Series predicted = {{0, 10}, {1, 20}, {2, 30}, {3, 40}};
  const Series observed = {{0.5, 11}, {1.5, 19}, {2.5, 33}, {10, 40}};
  const auto pairs = align(predicted, observed, 1.0);
  // 0.5 takes the value of 0 s (10), 1.5 of 1 s (20), 2.5 of 2 s (30); at 10 s the latest
  // predicted point (3 s) is 7 s old, more than the 1 s hold: no pair.
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_DOUBLE_EQ(pairs[0].predicted, 10);
  EXPECT_DOUBLE_EQ(pairs[1].predicted, 20);
  EXPECT_DOUBLE_EQ(pairs[2].predicted, 30);
  EXPECT_DOUBLE_EQ(pairs[2].observed, 33);
  // An observed point before the first prediction has nothing to pair with.
  EXPECT_TRUE(align(predicted, {{-1, 5}}, 1.0).empty());
}

TEST(ValidateAlign, GridsThatCoincideUpToRoundingPairExactly) {
  // 30.000000000001 s is the same scrape as 30 s (two grids built from different epochs).
  const Series predicted = {{29, 1}, {30.000000000001, 2}};
  const Series observed = {{30, 7}};
  const auto pairs = align(predicted, observed, 1.0);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_DOUBLE_EQ(pairs[0].predicted, 2);  // not the 29 s value
}

TEST(ValidateFigures, RmseByHand) {
  // Errors −1, 0, +3: RMSE = sqrt((1 + 0 + 9) / 3) = sqrt(10/3) = 1.825741858...
  const std::vector<PairedPoint> pairs = {{0, 1, 2}, {1, 3, 3}, {2, 5, 2}};
  ASSERT_TRUE(rmse(pairs).has_value());
  EXPECT_NEAR(*rmse(pairs), std::sqrt(10.0 / 3.0), 1e-12);
  EXPECT_FALSE(rmse({}).has_value());
}

TEST(ValidateFigures, PeakTimeToPeakAndDrainByHand) {
  // Baseline 2 before the fault at 5 s (mean of t = 0..4, warm-up 0); peak 50 at 7 s; the band
  // is max(10 % × 2, 10) = 10, so drained at the first point ≤ 12 from 7 s on: 11 at 9 s, 2 s
  // after the peak.
  const Series s = {{0, 2}, {1, 2}, {2, 2}, {3, 2}, {4, 2}, {5, 10}, {6, 30}, {7, 50}, {8, 20}, {9, 11}, {10, 3}};
  ShapeOptions o;
  o.first_fault_s = 5;
  o.warmup_s = 0;
  const SeriesShape sh = shape(s, o);
  EXPECT_DOUBLE_EQ(*sh.baseline, 2);
  EXPECT_DOUBLE_EQ(*sh.peak, 50);
  EXPECT_DOUBLE_EQ(*sh.peak_time_s, 7);
  ASSERT_TRUE(sh.drained);
  EXPECT_DOUBLE_EQ(*sh.drain_s, 2);
  // Without the absolute band (a non-count metric) the band is 10 % of 2 = 0.2: 3 at 10 s is
  // still above 2.2, so the series never drained.
  o.band_absolute = 0;
  const SeriesShape strict = shape(s, o);
  EXPECT_FALSE(strict.drained);
  EXPECT_FALSE(strict.drain_s.has_value());
}

TEST(ValidateFigures, PeakIsSearchedFromTheFirstFault) {
  // A start-up transient of 100 at 1 s is not the fault's peak: from 5 s on, the peak is 8 at 6 s.
  const Series s = {{0, 0}, {1, 100}, {2, 0}, {5, 3}, {6, 8}, {7, 1}};
  ShapeOptions o;
  o.first_fault_s = 5;
  const SeriesShape sh = shape(s, o);
  EXPECT_DOUBLE_EQ(*sh.peak, 8);
  EXPECT_DOUBLE_EQ(*sh.peak_time_s, 6);
  // A peak within the band never left it: drained at once.
  EXPECT_DOUBLE_EQ(*sh.drain_s, 0);
}

TEST(ValidateFigures, CompareAgainstTheDeclaredLossTolerance) {
  const Tolerance loss{0.10, 20.0};  // ±10 % or ±20, whichever is larger
  // 443 vs 424: error 19 ≤ max(42.4, 20): pass.
  EXPECT_EQ(compare(443, 424, loss).outcome, Outcome::pass);
  EXPECT_DOUBLE_EQ(*compare(443, 424, loss).error, 19);
  // 125 vs 100: error 25 > max(10, 20): fail.
  EXPECT_EQ(compare(125, 100, loss).outcome, Outcome::fail);
  // 1101 vs 1000: error 101 > max(100, 20): fail; 1100 is exactly at the bound: pass.
  EXPECT_EQ(compare(1101, 1000, loss).outcome, Outcome::fail);
  EXPECT_EQ(compare(1100, 1000, loss).outcome, Outcome::pass);
  // 0 vs 0: pass (the ±20 floor).
  EXPECT_EQ(compare(0, 0, loss).outcome, Outcome::pass);
  // Two missing values agree (never recovered on both sides); one missing value fails.
  EXPECT_EQ(compare(std::nullopt, std::nullopt, loss).outcome, Outcome::pass);
  EXPECT_EQ(compare(3, std::nullopt, loss).outcome, Outcome::fail);
  EXPECT_EQ(compare(std::nullopt, 3, loss).outcome, Outcome::fail);
  // No tolerance: reported, not checked.
  EXPECT_EQ(compare(1, 100, Tolerance{}).outcome, Outcome::unchecked);
}

TEST(ValidateFigures, PeakAndRecoveryTolerances) {
  const Tolerance peak{0.15, std::nullopt};
  // 115 vs 100: 15 ≤ 15 % of 100: pass; 116 fails; 7 vs 8: 1 ≤ 1.2: pass; 6 vs 8: 2 > 1.2: fail.
  EXPECT_EQ(compare(115, 100, peak).outcome, Outcome::pass);
  EXPECT_EQ(compare(116, 100, peak).outcome, Outcome::fail);
  EXPECT_EQ(compare(7, 8, peak).outcome, Outcome::pass);
  EXPECT_EQ(compare(6, 8, peak).outcome, Outcome::fail);
  const Tolerance recovery{std::nullopt, 2.0};
  // 12.16 vs 10.8: 1.36 ≤ 2: pass; 12.18 vs 8.869: 3.311 > 2: fail.
  EXPECT_EQ(compare(12.16, 10.8, recovery).outcome, Outcome::pass);
  EXPECT_EQ(compare(12.18, 8.869, recovery).outcome, Outcome::fail);
}

TEST(ValidateFigures, ParseTolerance) {
  const Tolerance p = parse_tolerance("15%", false);
  EXPECT_DOUBLE_EQ(*p.relative, 0.15);
  EXPECT_FALSE(p.absolute);
  EXPECT_DOUBLE_EQ(*parse_tolerance("2s", true).absolute, 2.0);
  EXPECT_DOUBLE_EQ(*parse_tolerance("500ms", true).absolute, 0.5);
  const Tolerance both = parse_tolerance("10%,20", false);
  EXPECT_DOUBLE_EQ(*both.relative, 0.10);
  EXPECT_DOUBLE_EQ(*both.absolute, 20.0);
  EXPECT_EQ(both.describe("messages"), "±10 % or ±20 messages (larger)");
  for (const char* bad : {"", "abc", "%", "10%,20%", "-5", "5,6", "2x"})
    EXPECT_THROW(parse_tolerance(bad, false), std::invalid_argument) << bad;
  EXPECT_THROW(parse_tolerance("2", true), std::invalid_argument);  // a duration needs a unit
}

TEST(ValidateFigures, ToleranceTableDefaultsOverridesAndErrors) {
  // The declared defaults.
  const auto d = tolerance_table({});
  EXPECT_EQ(tolerance_for(d, "backlog", "backlog", "peak").describe(""), "±15 %");
  EXPECT_EQ(tolerance_for(d, "x", "x", "loss").describe("messages"), "±10 % or ±20 messages (larger)");
  EXPECT_EQ(tolerance_for(d, "x", "x", "recovery").describe("s"), "±2 s");
  EXPECT_TRUE(tolerance_for(d, "backlog", "backlog", "rmse").empty());
  // A figure for every metric, then one metric's own, which wins; "none" removes a default.
  const auto t = tolerance_table({"time_to_peak=3s", "backlog.time_to_peak=1s", "backlog.peak=none"});
  EXPECT_DOUBLE_EQ(*tolerance_for(t, "backlog", "backlog", "time_to_peak").absolute, 1.0);
  EXPECT_DOUBLE_EQ(*tolerance_for(t, "q{queue=\"cq\"}", "q", "time_to_peak").absolute, 3.0);
  EXPECT_TRUE(tolerance_for(t, "backlog", "backlog", "peak").empty());
  // Bad specs are bad input naming the option.
  for (const char* bad : {"peek=5%", "peak", "=5%", "peak=", "backlog.loss=5%", "peak=lots"}) {
    try {
      tolerance_table({bad});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const sim::InputError& e) {
      EXPECT_EQ(e.file(), "--tolerance") << bad;
    }
  }
}

}  // namespace
}  // namespace faultline::validate
