// histogram_quantile (promql/quantile.go), range queries, and the API JSON shape.
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using namespace testing;

// Cumulative buckets: ≤0.1: 10, ≤0.5: 30, ≤1: 40, +Inf: 50 observations.
SeriesStore latency() {
  SeriesStore s;
  add_series(s, "lat_seconds_bucket{svc=\"a\",le=\"0.1\"}", {{0, 10}});
  add_series(s, "lat_seconds_bucket{svc=\"a\",le=\"0.5\"}", {{0, 30}});
  add_series(s, "lat_seconds_bucket{svc=\"a\",le=\"1\"}", {{0, 40}});
  add_series(s, "lat_seconds_bucket{svc=\"a\",le=\"+Inf\"}", {{0, 50}});
  return s;
}

TEST(PromqlHistogramQuantile, LinearInterpolationInsideTheBucket) {
  const SeriesStore s = latency();
  // q = 0.5: rank 0.5 × 50 = 25 → first bucket with count ≥ 25 is le=0.5 (30).
  // Inside it: from 0.1 to 0.5, holding 30 - 10 = 20 observations, rank 25 - 10 = 15 into it:
  // 0.1 + (0.5 - 0.1) × 15/20 = 0.4.
  auto r = at(s, "histogram_quantile(0.5, lat_seconds_bucket)", 1);
  EXPECT_DOUBLE_EQ(value_of(r, "{svc=\"a\"}"), 0.4);  // le and the name are dropped
  // q = 0.05: rank 2.5 in the first bucket, whose lower bound is taken as 0: 0.1 × 2.5/10 = 0.025.
  EXPECT_DOUBLE_EQ(only_value(at(s, "histogram_quantile(0.05, lat_seconds_bucket)", 1)), 0.025);
  // q = 0.8: rank 40 → le=1 (40 ≥ 40): 0.5 + 0.5 × (40 - 30)/10 = 1.
  EXPECT_DOUBLE_EQ(only_value(at(s, "histogram_quantile(0.8, lat_seconds_bucket)", 1)), 1.0);
}

TEST(PromqlHistogramQuantile, InfBucketAndEdges) {
  const SeriesStore s = latency();
  // q = 0.9: rank 45 is beyond every finite bucket (40) → the largest finite bound, 1.
  EXPECT_DOUBLE_EQ(only_value(at(s, "histogram_quantile(0.9, lat_seconds_bucket)", 1)), 1.0);
  // q outside [0, 1]: -Inf below, +Inf above.
  EXPECT_EQ(only_value(at(s, "histogram_quantile(-1, lat_seconds_bucket)", 1)), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(only_value(at(s, "histogram_quantile(1.5, lat_seconds_bucket)", 1)), std::numeric_limits<double>::infinity());
  // Without the +Inf bucket the quantile is NaN.
  EXPECT_TRUE(std::isnan(only_value(at(s, "histogram_quantile(0.5, lat_seconds_bucket{le!=\"+Inf\"})", 1))));
  // No observations: NaN.
  SeriesStore z;
  add_series(z, "h_bucket{le=\"1\"}", {{0, 0}});
  add_series(z, "h_bucket{le=\"+Inf\"}", {{0, 0}});
  EXPECT_TRUE(std::isnan(only_value(at(z, "histogram_quantile(0.5, h_bucket)", 1))));
  // A first bucket with a bound ≤ 0 returns that bound: buckets ≤-1: 5, +Inf: 10, q = 0.2
  // → rank 2 in the first bucket → -1.
  SeriesStore n;
  add_series(n, "h_bucket{le=\"-1\"}", {{0, 5}});
  add_series(n, "h_bucket{le=\"+Inf\"}", {{0, 10}});
  EXPECT_DOUBLE_EQ(only_value(at(n, "histogram_quantile(0.2, h_bucket)", 1)), -1.0);
}

TEST(PromqlHistogramQuantile, NonMonotonicBucketsAreFixedAndGroupsKeptApart) {
  SeriesStore s;
  // svc b: ≤1: 10, ≤2: 8 (a decrease, raised to 10), +Inf: 20. q = 0.75: rank 15 → +Inf region
  // is not reached by the finite buckets (10, 10) → the largest finite bound, 2.
  add_series(s, "h_bucket{svc=\"b\",le=\"1\"}", {{0, 10}});
  add_series(s, "h_bucket{svc=\"b\",le=\"2\"}", {{0, 8}});
  add_series(s, "h_bucket{svc=\"b\",le=\"+Inf\"}", {{0, 20}});
  // svc c: ≤1: 4, +Inf: 4. q = 0.5: rank 2 → 0 + 1 × 2/4 = 0.5.
  add_series(s, "h_bucket{svc=\"c\",le=\"1\"}", {{0, 4}});
  add_series(s, "h_bucket{svc=\"c\",le=\"+Inf\"}", {{0, 4}});
  EXPECT_DOUBLE_EQ(value_of(at(s, "histogram_quantile(0.75, h_bucket)", 1), "{svc=\"b\"}"), 2.0);
  EXPECT_DOUBLE_EQ(value_of(at(s, "histogram_quantile(0.5, h_bucket)", 1), "{svc=\"c\"}"), 0.5);
  // Bucket rates summed by le, the usual dashboard query: b+c merged: ≤1: 14, ≤2: 8 → 14 (fixed),
  // +Inf 24. q = 0.5: rank 12 ≤ 14 → 0 + 1 × 12/14.
  EXPECT_DOUBLE_EQ(only_value(at(s, "histogram_quantile(0.5, sum by (le) (h_bucket))", 1)), 12.0 / 14.0);
  // A decrease inside the interpolated region: ≤1: 10, ≤2: 5 → raised to 10, ≤3: 15, +Inf: 20.
  // q = 0.6: rank 12 → le=3 (15): from 2 to 3 holding 15 - 10 = 5, rank 12 - 10 = 2 → 2.4
  // (without the fix it would be 2 + 7/10 = 2.7).
  SeriesStore d;
  add_series(d, "h_bucket{le=\"1\"}", {{0, 10}});
  add_series(d, "h_bucket{le=\"2\"}", {{0, 5}});
  add_series(d, "h_bucket{le=\"3\"}", {{0, 15}});
  add_series(d, "h_bucket{le=\"+Inf\"}", {{0, 20}});
  EXPECT_DOUBLE_EQ(only_value(at(d, "histogram_quantile(0.6, h_bucket)", 1)), 2.4);
}

TEST(PromqlHistogramQuantile, BucketQuantileDirectly) {
  // le="1" and le="1.0" are the same bound: their counts add (coalesceBuckets): ≤1: 2 + 2, +Inf: 8.
  // q = 0.25: rank 2 → 1 × 2/4 = 0.5.
  EXPECT_DOUBLE_EQ(promql::bucket_quantile(0.25, {{1.0, 2}, {1.0, 2}, {INFINITY, 8}}), 0.5);
  // A single +Inf bucket cannot be interpolated: NaN.
  EXPECT_TRUE(std::isnan(promql::bucket_quantile(0.5, {{INFINITY, 8}})));
}

TEST(PromqlRangeQuery, StepsGapsAndScalars) {
  SeriesStore s;
  // Samples every 10 s from 0 to 60, with the one at 30 missing.
  add_series(s, "g", {{0, 0}, {10, 1}, {20, 2}, {40, 4}, {50, 5}, {60, 6}});
  promql::EvalOptions opt;
  opt.lookback_ns = 6 * kSec;
  // Steps 0, 15, 30, 45, 60 with a 6 s lookback, each taking the latest sample in (t - 6, t]:
  // 0 → 0:0; 15 → 10:1; 30 → nothing in (24, 30] (the gap stays a gap); 45 → 40:4; 60 → 60:6.
  auto r = promql::range_query(s, "g", 0, 60 * kSec, 15 * kSec, opt);
  ASSERT_EQ(r.type, promql::ValueType::matrix);
  ASSERT_EQ(r.matrix.size(), 1u);
  const auto& p = r.matrix[0].points;
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].t_ns, 0);
  EXPECT_DOUBLE_EQ(p[1].value, 1.0);
  EXPECT_EQ(p[2].t_ns, 45 * kSec);
  EXPECT_DOUBLE_EQ(p[2].value, 4.0);
  EXPECT_EQ(p[3].t_ns, 60 * kSec);
  // With a 5 s lookback the sample at 40 is exactly 5 s old at 45 and drops out: (40, 45] is empty.
  opt.lookback_ns = 5 * kSec;
  const auto r5 = promql::range_query(s, "g", 0, 60 * kSec, 15 * kSec, opt);
  ASSERT_EQ(r5.matrix.size(), 1u);
  EXPECT_EQ(r5.matrix[0].points.size(), 2u);
  // A scalar expression gives one series without labels: time() at 0, 30, 60.
  auto t = promql::range_query(s, "time() * 2", 0, 60 * kSec, 30 * kSec);
  ASSERT_EQ(t.matrix.size(), 1u);
  EXPECT_TRUE(t.matrix[0].labels.empty());
  ASSERT_EQ(t.matrix[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(t.matrix[0].points[2].value, 120.0);
  // The end is included only when it falls on a step: 0, 25, 50 for end 60 step 25.
  const auto r25 = promql::range_query(s, "g", 0, 60 * kSec, 25 * kSec);
  ASSERT_EQ(r25.matrix.size(), 1u);
  ASSERT_EQ(r25.matrix[0].points.size(), 3u);
  EXPECT_EQ(r25.matrix[0].points.back().t_ns, 50 * kSec);
}

TEST(PromqlRangeQuery, RateOverARange) {
  SeriesStore s;
  // A counter growing 2/s, scraped every 5 s from 0 to 100.
  std::vector<std::pair<double, double>> pts;
  for (int i = 0; i <= 20; ++i) pts.push_back({i * 5.0, i * 10.0});
  add_series(s, "c_total", pts);
  // rate(c[20s]) at 20, 40, ..., 100: the window (t-20, t] holds 4 samples 5 s apart: delta 30 over
  // 15 s; to start 5 s and to end 0 → interval 20 s → increase 40, rate 2 at every step. At 20 the
  // first sample is 5:10 → zero floor 15 × 10/30 = 5 s, not shorter than 5 s: still 2.
  auto r = promql::range_query(s, "rate(c_total[20s])", 20 * kSec, 100 * kSec, 20 * kSec);
  ASSERT_EQ(r.matrix.size(), 1u);
  ASSERT_EQ(r.matrix[0].points.size(), 5u);
  for (const auto& p : r.matrix[0].points) EXPECT_DOUBLE_EQ(p.value, 2.0) << p.t_ns;
}

TEST(PromqlRangeQuery, RejectsRangeVectorsAndBadSteps) {
  SeriesStore s;
  add_series(s, "g", {{0, 1}});
  EXPECT_THROW(promql::range_query(s, "g[1m]", 0, kSec, kSec), promql::QueryError);
  EXPECT_THROW(promql::range_query(s, "g", 0, kSec, 0), promql::QueryError);
  EXPECT_THROW(promql::range_query(s, "g", kSec, 0, kSec), promql::QueryError);
}

TEST(PromqlJson, ApiResponseShapes) {
  SeriesStore s;
  add_series(s, "up{job=\"api\"}", {{1435781430.781, 1}});
  add_series(s, "up{job=\"db\"}", {{1435781430.781, std::nan("")}});
  // Timestamps are unix seconds as JSON numbers; values strings, NaN written "NaN".
  EXPECT_EQ(at(s, "up", 1435781431).to_json(),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            "{\"metric\":{\"__name__\":\"up\",\"job\":\"api\"},\"value\":[1435781431,\"1\"]},"
            "{\"metric\":{\"__name__\":\"up\",\"job\":\"db\"},\"value\":[1435781431,\"NaN\"]}]}}");
  EXPECT_EQ(at(s, "1 / 4", 1.5).to_json(),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1.5,\"0.25\"]}}");
  EXPECT_EQ(promql::range_query(s, "sum(up{job=\"api\"})", sec(1435781430.781), sec(1435781431.781), kSec).to_json(),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            "{\"metric\":{},\"values\":[[1435781430.781,\"1\"],[1435781431.781,\"1\"]]}]}}");
}

}  // namespace
}  // namespace faultline::sim
