// rate, increase, delta, irate, idelta and the *_over_time functions on hand-written series,
// against values derived by hand from Prometheus's functions.go (extrapolatedRate, instantValue).
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using namespace testing;

// A counter scraped every 10 s from t=5: 10, 20, ..., 60 at t = 5, 15, ..., 55.
SeriesStore regular_counter() {
  SeriesStore s;
  add_series(s, "http_requests_total{job=\"api\"}", {{5, 10}, {15, 20}, {25, 30}, {35, 40}, {45, 50}, {55, 60}});
  return s;
}

TEST(PromqlRate, ExtrapolatesToBothEndsOfTheWindow) {
  const SeriesStore s = regular_counter();
  // rate(x[1m]) at t=60: the window (0, 60] holds all six samples.
  // delta = 60 - 10 = 50; sampled interval 55 - 5 = 50 s; average spacing 50/5 = 10 s; threshold 11 s.
  // To the start: 5 - 0 = 5 s < 11 → extrapolate fully. Zero floor: 50 × 10/50 = 10 s > 5 → no cut.
  // To the end: 60 - 55 = 5 s < 11 → fully. Extrapolated interval 50 + 5 + 5 = 60 s.
  // increase = 50 × 60/50 = 60; rate = 60 / 60 s = 1.
  EXPECT_DOUBLE_EQ(only_value(at(s, "rate(http_requests_total[1m])", 60)), 1.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "increase(http_requests_total[1m])", 60)), 60.0);
}

TEST(PromqlRate, DropsTheMetricNameAndKeepsTheLabels) {
  const SeriesStore s = regular_counter();
  auto r = at(s, "rate(http_requests_total[1m])", 60);
  ASSERT_EQ(r.vector.size(), 1u);
  // rate() removes __name__ and keeps every other label: {job="api"}.
  EXPECT_EQ(r.vector[0].labels, L("{job=\"api\"}"));
}

TEST(PromqlRate, CounterResetAddsTheValueBeforeTheReset) {
  SeriesStore s;
  add_series(s, "c_total", {{10, 5}, {20, 10}, {30, 2}, {40, 7}});
  // increase(c[40s]) at 40: window (0, 40] → samples at 10, 20, 30, 40.
  // Raw delta 7 - 5 = 2; the drop 10 → 2 is a reset, so add 10: 12.
  // Sampled 30 s, average 10 s, threshold 11 s. To start 10 s < 11 → keep 10.
  // Zero floor: 30 × 5/12 = 12.5 s > 10 → keep 10. To end 0 s. Interval 30 + 10 = 40.
  // increase = 12 × 40/30 = 16; rate = 16/40 = 0.4.
  EXPECT_DOUBLE_EQ(only_value(at(s, "increase(c_total[40s])", 40)), 16.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "rate(c_total[40s])", 40)), 0.4);
}

TEST(PromqlRate, CounterIsNotExtrapolatedBelowZero) {
  SeriesStore s;
  add_series(s, "c_total", {{30, 1}, {40, 11}, {50, 21}, {60, 31}});
  // increase(c[1m]) at 60: window (0, 60]; delta 30; sampled 30 s, average 10 s, threshold 11 s.
  // To start 30 s ≥ 11 → half an interval: 5 s. Zero floor: 30 × 1/30 = 1 s < 5 → use 1 s
  // (the counter would have been 0 one second before its first sample). To end 0.
  // Interval 30 + 1 = 31 → increase = 30 × 31/30 = 31.
  EXPECT_DOUBLE_EQ(only_value(at(s, "increase(c_total[1m])", 60)), 31.0);
}

TEST(PromqlRate, GapLargerThanTheThresholdExtrapolatesHalfAnInterval) {
  SeriesStore s;
  add_series(s, "temperature", {{10, 100}, {20, 80}, {30, 90}});
  // delta(g[1m]) at 60: window (0, 60]; delta 90 - 100 = -10 (a gauge: no resets, no zero floor).
  // Sampled 20 s, average 10 s, threshold 11 s. To start 10 s < 11 → 10. To end 60 - 30 = 30 s
  // ≥ 11 → 5. Interval 20 + 10 + 5 = 35 → delta = -10 × 35/20 = -17.5.
  EXPECT_DOUBLE_EQ(only_value(at(s, "delta(temperature[1m])", 60)), -17.5);
}

TEST(PromqlRate, NeedsTwoSamples) {
  SeriesStore s;
  add_series(s, "c_total", {{10, 5}, {100, 9}});
  // At 30 the window (0, 30] holds one sample: rate, increase, delta and irate give no element.
  EXPECT_TRUE(at(s, "rate(c_total[30s])", 30).vector.empty());
  EXPECT_TRUE(at(s, "increase(c_total[30s])", 30).vector.empty());
  EXPECT_TRUE(at(s, "delta(c_total[30s])", 30).vector.empty());
  EXPECT_TRUE(at(s, "irate(c_total[30s])", 30).vector.empty());
}

TEST(PromqlRate, WindowIsOpenOnTheLeft) {
  SeriesStore s;
  add_series(s, "g", {{0, 0}, {10, 10}, {20, 20}});
  // Prometheus 3 selects (t - range, t]: at 20 with [20s] the sample at 0 is outside.
  EXPECT_DOUBLE_EQ(only_value(at(s, "count_over_time(g[20s])", 20)), 2.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "count_over_time(g[21s])", 20)), 3.0);
}

TEST(PromqlRate, OffsetMovesTheWindow) {
  const SeriesStore s = regular_counter();
  // increase(x[20s] offset 30s) at 60: window (10, 30] → samples 15:20, 25:30. Delta 10, sampled 10 s,
  // average 10, threshold 11. To start 15 - 10 = 5 → keep; zero floor 10 × 20/10 = 20 > 5.
  // To end 30 - 25 = 5 → keep. Interval 20 → increase = 10 × 20/10 = 20.
  EXPECT_DOUBLE_EQ(only_value(at(s, "increase(http_requests_total[20s] offset 30s)", 60)), 20.0);
}

TEST(PromqlRate, ExactAtRealEpochTimes) {
  // At 2026-01-01 the epoch is 1.77e18 ns, where doubles are 256 ns apart: durations must come
  // from integer differences. Samples at T+1.000001, T+11.000002, T+21.000003 s: 0, 10, 20.
  const double t0 = 1767225600;
  SeriesStore s;
  add_series(s, "c_total", {{t0 + 1.000001, 0}, {t0 + 11.000002, 10}, {t0 + 21.000003, 20}});
  // rate(c[30s]) at T+31.000003: window (T+1.000003, T+31.000003] → 11.000002 and 21.000003.
  // Delta 10 over 10.000001 s (threshold 11.0000011 s). To start 11.000002 - 1.000003 = 9.999999 s:
  // kept (the zero floor, 10.000001 × 10/10, is longer). To end 10 s: kept.
  // Interval 10.000001 + 9.999999 + 10 = 30 s → increase 10 × 30/10.000001, rate 10/10.000001.
  EXPECT_DOUBLE_EQ(only_value(at(s, "rate(c_total[30s])", t0 + 31.000003)), 10.0 / 10.000001);
  EXPECT_DOUBLE_EQ(only_value(at(s, "increase(c_total[30s])", t0 + 31.000003)), 300.0 / 10.000001);
  // irate: 10 / 10.000001 s.
  EXPECT_DOUBLE_EQ(only_value(at(s, "irate(c_total[30s])", t0 + 31.000003)), 10.0 / 10.000001);
}

TEST(PromqlIrate, UsesTheLastTwoSamples) {
  SeriesStore s;
  add_series(s, "c_total", {{10, 5}, {20, 10}, {30, 2}, {40, 7}});
  // irate at 40: last two samples 30:2 and 40:7 → (7 - 2)/10 s = 0.5.
  EXPECT_DOUBLE_EQ(only_value(at(s, "irate(c_total[1m])", 40)), 0.5);
  // irate at 30: 20:10 then 30:2 is a reset, so the increase is the new value 2 → 2/10 s = 0.2.
  EXPECT_DOUBLE_EQ(only_value(at(s, "irate(c_total[1m])", 30)), 0.2);
  // idelta at 30 is the plain difference 2 - 10 = -8 (no reset handling).
  EXPECT_DOUBLE_EQ(only_value(at(s, "idelta(c_total[1m])", 30)), -8.0);
}

TEST(PromqlOverTime, AggregatesTheWindow) {
  SeriesStore s;
  add_series(s, "queue_depth{queue=\"orders\"}", {{10, 1}, {20, 3}, {30, 8}, {40, 100}});
  // Window (0, 30] at 30: 1, 3, 8.
  // avg = 12/3 = 4; max 8; min 1; sum 12; count 3; last 8.
  EXPECT_DOUBLE_EQ(only_value(at(s, "avg_over_time(queue_depth[30s])", 30)), 4.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "max_over_time(queue_depth[30s])", 30)), 8.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "min_over_time(queue_depth[30s])", 30)), 1.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "sum_over_time(queue_depth[30s])", 30)), 12.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "count_over_time(queue_depth[30s])", 30)), 3.0);
  auto last = at(s, "last_over_time(queue_depth[30s])", 30);
  ASSERT_EQ(last.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(last.vector[0].value, 8.0);
  // last_over_time is the one range function that keeps the metric name.
  EXPECT_EQ(last.vector[0].labels, L("queue_depth{queue=\"orders\"}"));
  auto max = at(s, "max_over_time(queue_depth[30s])", 30);
  ASSERT_EQ(max.vector.size(), 1u);
  EXPECT_EQ(max.vector[0].labels, L("{queue=\"orders\"}"));
}

TEST(PromqlOverTime, MaxIgnoresNaNAndSumIsCompensated) {
  SeriesStore s;
  add_series(s, "g", {{1, std::nan("")}, {2, 3}, {3, 1}});
  // max_over_time replaces a NaN running maximum by any later value: max(NaN, 3, 1) = 3.
  EXPECT_DOUBLE_EQ(only_value(at(s, "max_over_time(g[10s])", 3)), 3.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "min_over_time(g[10s])", 3)), 1.0);
  SeriesStore k;
  add_series(k, "big", {{1, 1e100}, {2, 1.0}, {3, -1e100}});
  // Naively 1e100 + 1 - 1e100 = 0; Prometheus's Kahan–Neumaier sum keeps the 1: sum 1, avg 1/3.
  EXPECT_DOUBLE_EQ(only_value(at(k, "sum_over_time(big[10s])", 3)), 1.0);
  EXPECT_DOUBLE_EQ(only_value(at(k, "avg_over_time(big[10s])", 3)), 1.0 / 3.0);
}

TEST(PromqlOverTime, TopLevelRangeSelectorIsAMatrixOfRawSamples) {
  const SeriesStore s = regular_counter();
  auto r = at(s, "http_requests_total[20s]", 60);
  // (40, 60] holds the samples at 45 and 55, with their own timestamps.
  ASSERT_EQ(r.type, promql::ValueType::matrix);
  ASSERT_EQ(r.matrix.size(), 1u);
  ASSERT_EQ(r.matrix[0].points.size(), 2u);
  EXPECT_EQ(r.matrix[0].points[0].t_ns, 45 * kSec);
  EXPECT_DOUBLE_EQ(r.matrix[0].points[1].value, 60.0);
  EXPECT_EQ(r.matrix[0].labels, L("http_requests_total{job=\"api\"}"));
}

}  // namespace
}  // namespace faultline::sim
