// Instant selectors (matchers, lookback, offset) and aggregations, with hand-derived values.
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using namespace testing;

SeriesStore up_store() {
  SeriesStore s;
  add_series(s, "up{job=\"api\",instance=\"a\"}", {{0, 1}});
  add_series(s, "up{job=\"api\",instance=\"b\"}", {{0, 0}});
  add_series(s, "up{job=\"db\",instance=\"c\"}", {{0, 1}});
  add_series(s, "up{job=\"db-replica\",instance=\"d\"}", {{0, 1}});
  add_series(s, "down{job=\"db\",instance=\"c\"}", {{0, 7}});
  return s;
}

size_t count_of(const SeriesStore& s, const std::string& q) { return at(s, q, 10).vector.size(); }

TEST(PromqlSelector, LabelMatchers) {
  const SeriesStore s = up_store();
  // = selects api/a and api/b; != the two db jobs.
  EXPECT_EQ(count_of(s, "up{job=\"api\"}"), 2u);
  EXPECT_EQ(count_of(s, "up{job!=\"api\"}"), 2u);
  // Regexes are anchored: "db" matches job="db" only, not "db-replica".
  EXPECT_EQ(count_of(s, "up{job=~\"db\"}"), 1u);
  EXPECT_EQ(count_of(s, "up{job=~\"db.*\"}"), 2u);
  EXPECT_EQ(count_of(s, "up{job!~\"db.*\"}"), 2u);
  EXPECT_EQ(count_of(s, "up{job=~\"api|db\"}"), 3u);
  // An absent label equals "": {missing=""} matches every up series, {job=""} none.
  EXPECT_EQ(count_of(s, "up{missing=\"\"}"), 4u);
  EXPECT_EQ(count_of(s, "up{job=\"\"}"), 0u);
  // The metric name is the label __name__.
  EXPECT_EQ(count_of(s, "{__name__=~\"up|down\",instance=\"c\"}"), 2u);
  // RE2's leading (?i) makes the match case-insensitive.
  EXPECT_EQ(count_of(s, "up{job=~\"(?i)API\"}"), 2u);
  // Keywords are fine as label names.
  EXPECT_EQ(count_of(s, "up{on=\"\",by=\"\",job=\"api\"}"), 2u);
}

TEST(PromqlSelector, ResultKeepsTheNameAndIsSortedByLabels) {
  const SeriesStore s = up_store();
  auto r = at(s, "up{job=\"api\"}", 10);
  ASSERT_EQ(r.vector.size(), 2u);
  EXPECT_EQ(r.vector[0].labels, L("up{instance=\"a\",job=\"api\"}"));
  EXPECT_EQ(r.vector[1].labels, L("up{instance=\"b\",job=\"api\"}"));
}

TEST(PromqlSelector, LookbackIsFiveMinutesAndConfigurable) {
  SeriesStore s;
  add_series(s, "g", {{0, 7}});
  // The latest sample in (t - 5m, t]: at 299 s the sample at 0 is in, at 300 s it is out (stale).
  EXPECT_DOUBLE_EQ(only_value(at(s, "g", 299)), 7.0);
  EXPECT_TRUE(at(s, "g", 300).vector.empty());
  // Before the first sample there is nothing either.
  EXPECT_TRUE(at(s, "g", -1).vector.empty());
  promql::EvalOptions ten;
  ten.lookback_ns = 10 * kSec;
  EXPECT_DOUBLE_EQ(only_value(at(s, "g", 9.999, ten)), 7.0);
  EXPECT_TRUE(at(s, "g", 10, ten).vector.empty());
}

TEST(PromqlSelector, LatestSampleAndOffset) {
  SeriesStore s;
  add_series(s, "g", {{30, 1}, {90, 2}});
  // At 100 the latest sample is 90:2. With offset 1m the reference time is 40 → 30:1.
  EXPECT_DOUBLE_EQ(only_value(at(s, "g", 100)), 2.0);
  EXPECT_DOUBLE_EQ(only_value(at(s, "g offset 1m", 100)), 1.0);
  // A negative offset looks ahead: at 40 with offset -1m the reference is 100 → 2.
  EXPECT_DOUBLE_EQ(only_value(at(s, "g offset -1m", 40)), 2.0);
}

SeriesStore requests_store() {
  SeriesStore s;
  add_series(s, "requests{job=\"api\",instance=\"a\"}", {{0, 10}});
  add_series(s, "requests{job=\"api\",instance=\"b\"}", {{0, 20}});
  add_series(s, "requests{job=\"db\",instance=\"c\"}", {{0, 5}});
  add_series(s, "requests{job=\"db\",instance=\"d\"}", {{0, 1}});
  return s;
}

TEST(PromqlAggregation, SumAvgMinMaxCountByAndWithout) {
  const SeriesStore s = requests_store();
  // sum by (job): api 10 + 20 = 30, db 5 + 1 = 6; the result keeps only the job label.
  auto sum = at(s, "sum by (job) (requests)", 10);
  ASSERT_EQ(sum.vector.size(), 2u);
  EXPECT_DOUBLE_EQ(value_of(sum, "{job=\"api\"}"), 30.0);
  EXPECT_DOUBLE_EQ(value_of(sum, "{job=\"db\"}"), 6.0);
  // The grouping clause may also follow the argument.
  EXPECT_DOUBLE_EQ(value_of(at(s, "sum(requests) by (job)", 10), "{job=\"db\"}"), 6.0);
  // avg without (instance): drops instance and the name → {job}: api 15, db 3.
  auto avg = at(s, "avg without (instance) (requests)", 10);
  EXPECT_DOUBLE_EQ(value_of(avg, "{job=\"api\"}"), 15.0);
  EXPECT_DOUBLE_EQ(value_of(avg, "{job=\"db\"}"), 3.0);
  // max/min by job: api 20/10, db 5/1.
  EXPECT_DOUBLE_EQ(value_of(at(s, "max by (job) (requests)", 10), "{job=\"api\"}"), 20.0);
  EXPECT_DOUBLE_EQ(value_of(at(s, "min by (job) (requests)", 10), "{job=\"db\"}"), 1.0);
  // Without grouping: one element with no labels. count = 4, sum = 36, group = 1.
  EXPECT_DOUBLE_EQ(value_of(at(s, "count(requests)", 10), ""), 4.0);
  EXPECT_DOUBLE_EQ(value_of(at(s, "sum(requests)", 10), ""), 36.0);
  EXPECT_DOUBLE_EQ(value_of(at(s, "group(requests)", 10), ""), 1.0);
  // by a label no series has: one group keyed by nothing: count 4.
  EXPECT_DOUBLE_EQ(value_of(at(s, "count by (zone) (requests)", 10), ""), 4.0);
  // Aggregation keywords are case-insensitive, as in Prometheus.
  EXPECT_DOUBLE_EQ(value_of(at(s, "SUM BY (job) (requests)", 10), "{job=\"api\"}"), 30.0);
}

TEST(PromqlAggregation, EmptyInputGivesEmptyOutput) {
  const SeriesStore s = requests_store();
  // No series matches, so no group exists: sum() of nothing is an empty vector, not 0.
  EXPECT_TRUE(at(s, "sum(requests{job=\"none\"})", 10).vector.empty());
}

TEST(PromqlAggregation, MaxSkipsNaNAndSumIsCompensated) {
  SeriesStore s;
  add_series(s, "x{i=\"1\"}", {{0, std::nan("")}});
  add_series(s, "x{i=\"2\"}", {{0, 3}});
  add_series(s, "x{i=\"3\"}", {{0, 1}});
  // max replaces a NaN running value by the next one: max(NaN, 3, 1) = 3; min = 1.
  EXPECT_DOUBLE_EQ(value_of(at(s, "max(x)", 1), ""), 3.0);
  EXPECT_DOUBLE_EQ(value_of(at(s, "min(x)", 1), ""), 1.0);
  // sum and avg propagate NaN.
  EXPECT_TRUE(std::isnan(value_of(at(s, "sum(x)", 1), "")));
  SeriesStore k;
  add_series(k, "y{i=\"1\"}", {{0, 1e100}});
  add_series(k, "y{i=\"2\"}", {{0, 1}});
  add_series(k, "y{i=\"3\"}", {{0, -1e100}});
  // Series order is by labels (i=1, 2, 3): 1e100 + 1 - 1e100 with Kahan–Neumaier = 1; avg = 1/3.
  EXPECT_DOUBLE_EQ(value_of(at(k, "sum(y)", 1), ""), 1.0);
  EXPECT_DOUBLE_EQ(value_of(at(k, "avg(y)", 1), ""), 1.0 / 3.0);
}

TEST(PromqlAggregation, SumOfRatesByLabel) {
  SeriesStore s;
  add_series(s, "req_total{code=\"500\",pod=\"p1\"}", {{0, 0}, {30, 30}, {60, 60}});
  add_series(s, "req_total{code=\"500\",pod=\"p2\"}", {{0, 0}, {30, 15}, {60, 30}});
  add_series(s, "req_total{code=\"200\",pod=\"p1\"}", {{0, 0}, {30, 300}, {60, 600}});
  // increase(req_total[1m]) at 60: window (0, 60] → samples 30 and 60; delta per series
  // 30, 15, 300; sampled 30 s, avg 30 s, threshold 33 s. To start 30 s < 33 → extrapolate
  // fully, but the zero floor is 30 × 30/30 = 30 s (not shorter) → 30 s. To end 0.
  // Interval 60 → factor 2: p1/500 60, p2/500 30, p1/200 600.
  // sum by (code): 500 → 90, 200 → 600. The Gloo Shot condition "> 10 failed in 1m" holds.
  auto r = at(s, "sum by (code) (increase(req_total[1m]))", 60);
  EXPECT_DOUBLE_EQ(value_of(r, "{code=\"500\"}"), 90.0);
  EXPECT_DOUBLE_EQ(value_of(r, "{code=\"200\"}"), 600.0);
  auto cond = at(s, "sum(increase(req_total{code=~\"5..\"}[1m])) > 10", 60);
  EXPECT_DOUBLE_EQ(only_value(cond), 90.0);
}

}  // namespace
}  // namespace faultline::sim
