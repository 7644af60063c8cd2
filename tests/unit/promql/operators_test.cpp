// Arithmetic, comparisons, vector matching and set operators, with hand-derived values.
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using namespace testing;

SeriesStore store() {
  SeriesStore s;
  add_series(s, "requests{job=\"api\",instance=\"a\"}", {{0, 10}});
  add_series(s, "requests{job=\"api\",instance=\"b\"}", {{0, 20}});
  add_series(s, "requests{job=\"db\",instance=\"c\"}", {{0, 5}});
  add_series(s, "errors{job=\"api\",instance=\"a\"}", {{0, 1}});
  add_series(s, "errors{job=\"api\",instance=\"b\"}", {{0, 4}});
  add_series(s, "errors{job=\"web\",instance=\"z\"}", {{0, 9}});
  return s;
}

TEST(PromqlScalar, PrecedenceAndAssociativity) {
  const SeriesStore s;
  // ^ binds tighter than *, which binds tighter than +: 1 + 2 × 3² = 19.
  EXPECT_DOUBLE_EQ(scalar_at(s, "1 + 2 * 3 ^ 2", 0), 19.0);
  // ^ is right-associative: 2^(3^2) = 512.
  EXPECT_DOUBLE_EQ(scalar_at(s, "2 ^ 3 ^ 2", 0), 512.0);
  // Unary minus binds looser than ^: -(2²) = -4; and 2^-1 = 0.5.
  EXPECT_DOUBLE_EQ(scalar_at(s, "-2 ^ 2", 0), -4.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "2 ^ -1", 0), 0.5);
  // ... but tighter than + and *: (-1) + 2 = 1 and (-2 × 3) + 10 = 4.
  EXPECT_DOUBLE_EQ(scalar_at(s, "-1 + 2", 0), 1.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "-2 * 3 + 10", 0), 4.0);
  // Left-associative: (10 - 4) - 3 = 3 and (8 / 4) / 2 = 1.
  EXPECT_DOUBLE_EQ(scalar_at(s, "10 - 4 - 3", 0), 3.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "8 / 4 / 2", 0), 1.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "(1 + 2) * 3", 0), 9.0);
  // % is fmod: 7 mod 4 = 3, -7 mod 4 = -3.
  EXPECT_DOUBLE_EQ(scalar_at(s, "7 % 4", 0), 3.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "-7 % 4", 0), -3.0);
  // IEEE division: 1/0 = +Inf, 0/0 = NaN.
  EXPECT_EQ(scalar_at(s, "1 / 0", 0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(scalar_at(s, "0 / 0", 0)));
  // Number syntax: hex, exponent, a leading dot, Inf and NaN.
  EXPECT_DOUBLE_EQ(scalar_at(s, "0x10 + 1e2 + .5", 0), 116.5);
  EXPECT_EQ(scalar_at(s, "-Inf", 0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(scalar_at(s, "NaN", 0)));
  // Scalar comparisons need bool and give 0 or 1.
  EXPECT_DOUBLE_EQ(scalar_at(s, "2 > bool 1", 0), 1.0);
  EXPECT_DOUBLE_EQ(scalar_at(s, "2 <= bool 1", 0), 0.0);
  // Comparisons bind looser than arithmetic: (1 + 1) == 2 → 1.
  EXPECT_DOUBLE_EQ(scalar_at(s, "1 + 1 == bool 2", 0), 1.0);
  // time() is the evaluation time in seconds.
  EXPECT_DOUBLE_EQ(scalar_at(s, "time()", 1234.5), 1234.5);
}

TEST(PromqlVectorScalar, ArithmeticDropsTheNameComparisonFilters) {
  const SeriesStore s = store();
  // requests * 2: 20, 40, 10, without __name__.
  auto r = at(s, "requests * 2", 1);
  ASSERT_EQ(r.vector.size(), 3u);
  EXPECT_DOUBLE_EQ(value_of(r, "{job=\"api\",instance=\"b\"}"), 40.0);
  // requests > 10 keeps only b (20), name and value unchanged.
  auto f = at(s, "requests > 10", 1);
  ASSERT_EQ(f.vector.size(), 1u);
  EXPECT_EQ(f.vector[0].labels, L("requests{job=\"api\",instance=\"b\"}"));
  EXPECT_DOUBLE_EQ(f.vector[0].value, 20.0);
  // With the scalar on the left, the kept value is still the vector's: 10 < requests → 20.
  EXPECT_DOUBLE_EQ(only_value(at(s, "10 < requests", 1)), 20.0);
  // bool keeps every element with 0/1 and drops the name: a 0, b 1, c 0.
  auto b = at(s, "requests > bool 10", 1);
  ASSERT_EQ(b.vector.size(), 3u);
  EXPECT_DOUBLE_EQ(value_of(b, "{job=\"api\",instance=\"a\"}"), 0.0);
  EXPECT_DOUBLE_EQ(value_of(b, "{job=\"api\",instance=\"b\"}"), 1.0);
  // 100 - requests (scalar on the left of arithmetic): 90, 80, 95.
  EXPECT_DOUBLE_EQ(value_of(at(s, "100 - requests", 1), "{job=\"db\",instance=\"c\"}"), 95.0);
  // Unary minus negates and drops the name.
  EXPECT_DOUBLE_EQ(value_of(at(s, "-requests", 1), "{job=\"db\",instance=\"c\"}"), -5.0);
}

TEST(PromqlVectorVector, OneToOneMatchingOnAllLabels) {
  const SeriesStore s = store();
  // errors / requests matches on every label but the name: a 1/10, b 4/20; web/z and db/c have no partner.
  auto r = at(s, "errors / requests", 1);
  ASSERT_EQ(r.vector.size(), 2u);
  EXPECT_DOUBLE_EQ(value_of(r, "{job=\"api\",instance=\"a\"}"), 0.1);
  EXPECT_DOUBLE_EQ(value_of(r, "{job=\"api\",instance=\"b\"}"), 0.2);
  // A comparison between vectors filters the left side and keeps its name: errors > requests / 5
  // → a: 1 > 2 no; b: 4 > 4 no; == keeps b.
  auto eq = at(s, "errors == requests / 5", 1);
  ASSERT_EQ(eq.vector.size(), 1u);
  EXPECT_EQ(eq.vector[0].labels, L("errors{job=\"api\",instance=\"b\"}"));
  // With bool both matched pairs stay: a 0, b 1.
  auto eqb = at(s, "errors == bool requests / 5", 1);
  EXPECT_DOUBLE_EQ(value_of(eqb, "{job=\"api\",instance=\"a\"}"), 0.0);
  EXPECT_DOUBLE_EQ(value_of(eqb, "{job=\"api\",instance=\"b\"}"), 1.0);
}

TEST(PromqlVectorVector, OnIgnoringAndGroupLeft) {
  const SeriesStore s = store();
  // requests / on(job) group_left sum by (job) (requests): each instance's share of its job.
  // api total 30: a 10/30, b 20/30; db total 5: c 1. The result keeps the left side's labels.
  auto r = at(s, "requests / on(job) group_left sum by (job) (requests)", 1);
  ASSERT_EQ(r.vector.size(), 3u);
  EXPECT_DOUBLE_EQ(value_of(r, "{job=\"api\",instance=\"a\"}"), 10.0 / 30.0);
  EXPECT_DOUBLE_EQ(value_of(r, "{job=\"db\",instance=\"c\"}"), 1.0);
  // The same with group_right and the sides swapped.
  auto g = at(s, "sum by (job) (requests) / on(job) group_right requests", 1);
  EXPECT_DOUBLE_EQ(value_of(g, "{job=\"api\",instance=\"b\"}"), 30.0 / 20.0);
  // on(job, instance) one-to-one keeps only the on labels: {job, instance}.
  auto o = at(s, "errors + on(job, instance) requests", 1);
  EXPECT_DOUBLE_EQ(value_of(o, "{job=\"api\",instance=\"a\"}"), 11.0);
  // ignoring(instance) with a one-element right side per job: errors - ignoring(instance) group_left
  // max by (job) (requests) → a: 1 - 20, b: 4 - 20.
  auto ig = at(s, "errors - ignoring(instance) group_left max by (job) (requests)", 1);
  EXPECT_DOUBLE_EQ(value_of(ig, "{job=\"api\",instance=\"b\"}"), -16.0);
}

TEST(PromqlVectorVector, ManyToManyIsAnError) {
  const SeriesStore s = store();
  // on(job): the right side has two api series → not unique on the "one" side.
  try {
    at(s, "errors + on(job) requests", 1);
    FAIL() << "expected a matching error";
  } catch (const promql::QueryError& e) {
    EXPECT_EQ(e.kind(), promql::QueryError::Kind::evaluation);
    EXPECT_NE(e.message().find("many-to-many matching not allowed"), std::string::npos) << e.what();
  }
  // Two left series match one right element without group_left.
  try {
    at(s, "requests + on(job) sum by (job) (requests)", 1);
    FAIL() << "expected a matching error";
  } catch (const promql::QueryError& e) {
    EXPECT_NE(e.message().find("many-to-one matching must be explicit"), std::string::npos) << e.what();
  }
}

TEST(PromqlVectorVector, DuplicateLabelSetsAfterDroppingTheNameAreAnError) {
  const SeriesStore s = store();
  // errors and requests share {job="api",instance="a"}: * 1 drops both names → same labels twice.
  EXPECT_THROW(at(s, "{__name__=~\"errors|requests\",instance=\"a\"} * 1", 1), promql::QueryError);
}

TEST(PromqlSetOperators, AndOrUnless) {
  const SeriesStore s = store();
  // and: requests with a matching errors element (a, b).
  EXPECT_EQ(at(s, "requests and errors", 1).vector.size(), 2u);
  // unless: requests without one (c).
  auto u = at(s, "requests unless errors", 1);
  ASSERT_EQ(u.vector.size(), 1u);
  EXPECT_EQ(u.vector[0].labels, L("requests{job=\"db\",instance=\"c\"}"));
  // or: all errors (a, b, z) plus requests whose labels are not among them (c): 4.
  EXPECT_EQ(at(s, "errors or requests", 1).vector.size(), 4u);
  // on(job): errors has jobs api and web; requests has api and db → and keeps the two api ones.
  EXPECT_EQ(at(s, "requests and on(job) errors", 1).vector.size(), 2u);
  // The classic default: vector(0) when the left side is empty.
  EXPECT_DOUBLE_EQ(value_of(at(s, "sum(requests{job=\"none\"}) or vector(0)", 1), ""), 0.0);
}

TEST(PromqlFunctions, ScalarVectorAndElementwise) {
  const SeriesStore s = store();
  // scalar() of a one-element vector is its value; of several, NaN.
  EXPECT_DOUBLE_EQ(scalar_at(s, "scalar(sum(requests))", 1), 35.0);
  EXPECT_TRUE(std::isnan(scalar_at(s, "scalar(requests)", 1)));
  // The Gloo Shot shape: scalar(...) compared with a threshold through bool.
  EXPECT_DOUBLE_EQ(scalar_at(s, "scalar(sum(errors)) > bool 10", 1), 1.0);
  // abs, ceil, floor, round and clamps on -2.5, 2.5: abs 2.5; ceil -2, floor -3; round(x) is
  // floor(x + 0.5) → -2 and 3; round to 0.2: floor(2.5 × 5 + 0.5)/5 = 13/5 = 2.6.
  SeriesStore v;
  add_series(v, "x{s=\"neg\"}", {{0, -2.5}});
  add_series(v, "x{s=\"pos\"}", {{0, 2.5}});
  EXPECT_DOUBLE_EQ(value_of(at(v, "abs(x)", 1), "{s=\"neg\"}"), 2.5);
  EXPECT_DOUBLE_EQ(value_of(at(v, "ceil(x)", 1), "{s=\"neg\"}"), -2.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "floor(x)", 1), "{s=\"neg\"}"), -3.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "round(x)", 1), "{s=\"neg\"}"), -2.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "round(x)", 1), "{s=\"pos\"}"), 3.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "round(x, 0.2)", 1), "{s=\"pos\"}"), 2.6);
  EXPECT_DOUBLE_EQ(value_of(at(v, "clamp_min(x, 0)", 1), "{s=\"neg\"}"), 0.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "clamp_max(x, 1)", 1), "{s=\"pos\"}"), 1.0);
  EXPECT_DOUBLE_EQ(value_of(at(v, "clamp(x, -1, 1)", 1), "{s=\"neg\"}"), -1.0);
  // clamp with max < min returns nothing.
  EXPECT_TRUE(at(v, "clamp(x, 1, -1)", 1).vector.empty());
}

}  // namespace
}  // namespace faultline::sim
