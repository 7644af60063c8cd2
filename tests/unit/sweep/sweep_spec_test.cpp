// Sweep axes, goals and the Student-t critical values (sim/sweep/sweep_spec, student_t).
#include <gtest/gtest.h>

#include "sim/scenario/input_error.hpp"
#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/student_t.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace faultline::sim::sweep {
namespace {

using Json = sim::Json;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SweepAxis, ListValuesAreYamlScalars) {
  const Axis a = parse_axis("components.consumer.count=1,2,4");
  EXPECT_EQ(a.path, "components.consumer.count");
  EXPECT_EQ(a.values, (std::vector<Json>{1, 2, 4}));
  EXPECT_TRUE(a.values[0].is_number_integer());
  const Axis q = parse_axis("components.rabbitmq.queues.orders.type=classic, quorum");
  EXPECT_EQ(q.values, (std::vector<Json>{"classic", "quorum"}));
  // Commas inside a flow sequence or quotes do not split.
  const Axis f = parse_axis("p=[a, b],'x,y',c");
  ASSERT_EQ(f.values.size(), 3u);
  EXPECT_EQ(f.values[0], Json::parse(R"(["a","b"])"));
  EXPECT_EQ(f.values[1], "x,y");
  EXPECT_EQ(f.values[2], "c");
}

TEST(SweepAxis, IntegerRangeIsInclusive) {
  EXPECT_EQ(parse_axis("p=1..8:1").values, (std::vector<Json>{1, 2, 3, 4, 5, 6, 7, 8}));
  // 2, 5, 8: the next step (11) passes 9.
  EXPECT_EQ(parse_axis("p=2..9:3").values, (std::vector<Json>{2, 5, 8}));
  EXPECT_EQ(parse_axis("p=-2..2:2").values, (std::vector<Json>{-2, 0, 2}));
}

TEST(SweepAxis, DecimalRangeLandsOnItsDecimals) {
  // 0.1 + 2 × 0.1 is 0.30000000000000004 in binary; the range rounds to one decimal: 0.3.
  const auto v = parse_axis("p=0.1..0.3:0.1").values;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].get<double>(), 0.1);
  EXPECT_EQ(v[1].get<double>(), 0.2);
  EXPECT_EQ(v[2].get<double>(), 0.3);
}

TEST(SweepAxis, RangeWithAUnitGivesStrings) {
  EXPECT_EQ(parse_axis("p=10ms..50ms:20ms").values, (std::vector<Json>{"10ms", "30ms", "50ms"}));
  EXPECT_EQ(parse_axis("p=0.5s..1.5s:0.5s").values, (std::vector<Json>{"0.5s", "1s", "1.5s"}));
  EXPECT_EQ(parse_axis("p=100/s..300/s:100/s").values, (std::vector<Json>{"100/s", "200/s", "300/s"}));
}

TEST(SweepAxis, BadSpecsNameTheOptionAndThePlace) {
  EXPECT_EQ(error_of([] { parse_axis("components.consumer.count"); }),
            "--set: expected path=v1,v2,... or path=lo..hi:step (e.g. components.consumer.count=1..8:1), got "
            "\"components.consumer.count\"");
  EXPECT_EQ(error_of([] { parse_axis("p=1..8"); }),
            "--set: sweep axis \"p=1..8\": expected lo..hi:step, e.g. 1..8:1 or 10ms..50ms:10ms (the step is missing)");
  EXPECT_EQ(error_of([] { parse_axis("p=1..8:0"); }), "--set: sweep axis \"p=1..8:0\": the step must be > 0");
  EXPECT_EQ(error_of([] { parse_axis("p=8..1:1"); }),
            "--set: sweep axis \"p=8..1:1\": the upper bound is below the lower bound");
  EXPECT_EQ(error_of([] { parse_axis("p=10ms..1s:10ms"); }),
            "--set: sweep axis \"p=10ms..1s:10ms\": lo, hi and step must carry the same unit (got \"ms\", \"s\", \"ms\")");
  EXPECT_EQ(error_of([] { parse_axis("p=1..x:1"); }),
            "--set: sweep axis \"p=1..x:1\": the range's upper bound \"x\" is not a number");
  // The second value starts at character 3 of "1,,2".
  EXPECT_EQ(error_of([] { parse_axis("p=1,,2"); }), "--set: sweep axis \"p=1,,2\": value 2 (at character 3) is empty");
  EXPECT_EQ(error_of([] { parse_axis("p=[1,2"); }), "--set: sweep axis \"p=[1,2\": unbalanced quote or bracket in the values");
  EXPECT_NE(error_of([] { parse_axis("p=1..1000000:1"); }).find("more than 100000 values"), std::string::npos);
}

TEST(SweepGoal, ParsesConditionsJoinedByAnd) {
  const Goal g = parse_goal("messages.lost == 0 and backlog.peak<=10");
  ASSERT_EQ(g.conditions.size(), 2u);
  EXPECT_EQ(g.conditions[0].metric, "messages.lost");
  EXPECT_EQ(g.conditions[0].op, CompareOp::equal);
  EXPECT_EQ(g.conditions[0].threshold, 0);
  EXPECT_EQ(g.conditions[1].metric, "backlog.peak");
  EXPECT_EQ(g.conditions[1].op, CompareOp::less_equal);
  EXPECT_EQ(g.conditions[1].threshold, 10);
  EXPECT_EQ(parse_goal("messages.lost_by_cause.publish_failed < 1e3").conditions[0].threshold, 1000);
}

TEST(SweepGoal, HoldsOnlyWhenEveryConditionHolds) {
  const Goal g = parse_goal("backlog.peak < 1000 and messages.lost_by_cause.queue_deleted == 0");
  // No queue_deleted column: nothing was lost that way, so 0 == 0 holds.
  EXPECT_TRUE(g.holds(Json{{"backlog.peak", 999}}));
  EXPECT_FALSE(g.holds(Json{{"backlog.peak", 1000}}));
  EXPECT_FALSE(g.holds(Json{{"backlog.peak", 10}, {"messages.lost_by_cause.queue_deleted", 3}}));
  // A backlog that never drained has a null drain time: it does not meet a bound on it.
  EXPECT_FALSE(parse_goal("backlog.drain_time_s < 30").holds(Json{{"backlog.drain_time_s", nullptr}}));
  EXPECT_FALSE(parse_goal("backlog.drain_time_s < 30").holds(Json::object()));
}

TEST(SweepGoal, BadGoalsSayWhere) {
  const std::string typo = error_of([] { parse_goal("backlog.peek < 3"); });
  EXPECT_EQ(typo.rfind("--goal: \"backlog.peek < 3\" at character 1: \"backlog.peek\" is not a numeric summary metric "
                       "(did you mean \"backlog.peak\"?)",
                       0),
            0u)
      << typo;
  // Character 16 is where the number should start in "backlog.peak < abc".
  EXPECT_EQ(error_of([] { parse_goal("backlog.peak < abc"); })
                .rfind("--goal: \"backlog.peak < abc\" at character 16: expected a number, got \"abc\"", 0),
            0u);
  EXPECT_EQ(error_of([] { parse_goal("backlog.peak ~ 3"); })
                .rfind("--goal: \"backlog.peak ~ 3\" at character 14: expected a comparison", 0),
            0u);
  EXPECT_EQ(error_of([] { parse_goal("backlog.peak < 3 or messages.lost < 1"); })
                .rfind("--goal: \"backlog.peak < 3 or messages.lost < 1\" at character 18: expected \"and\"", 0),
            0u);
  EXPECT_EQ(error_of([] { parse_goal(""); }).rfind("--goal: \"\" at character 1: expected a metric", 0), 0u);
}

TEST(StudentT, CriticalValuesMatchTheTables) {
  // Two-sided 95 % critical values from any t table: df 1 → 12.706, 2 → 4.303, 4 → 2.776,
  // 10 → 2.228, 30 → 2.042; 99 % with df 5 → 4.032.
  EXPECT_NEAR(student_t_critical(0.95, 1), 12.7062047, 1e-6);
  EXPECT_NEAR(student_t_critical(0.95, 2), 4.30265273, 1e-7);
  EXPECT_NEAR(student_t_critical(0.95, 4), 2.77644511, 1e-7);
  EXPECT_NEAR(student_t_critical(0.95, 10), 2.22813885, 1e-7);
  EXPECT_NEAR(student_t_critical(0.95, 30), 2.04227246, 1e-7);
  EXPECT_NEAR(student_t_critical(0.99, 5), 4.03214298, 1e-7);
  // df = 1 is the Cauchy distribution: P(|T| ≤ 1) = 2/π · atan(1) = 1/2.
  EXPECT_NEAR(student_t_central_probability(1.0, 1), 0.5, 1e-15);
  // df = 2: P(|T| ≤ t) = t / √(t² + 2); at t = √2 that is 1/√2.
  EXPECT_NEAR(student_t_central_probability(std::sqrt(2.0), 2), 1 / std::sqrt(2.0), 1e-15);
}

TEST(SweepProgressBar, ShowsCountPercentAndEta) {
  SweepProgress p;
  p.done = 512;
  p.total = 1000;
  p.done_now = 512;
  p.elapsed_seconds = 10;
  // 512/1000 of 30 cells is 15 '#'; 488 runs left at 10 s per 512 runs is 9.53 s.
  EXPECT_EQ(ProgressBar::render(p),
            "sweep [###############---------------] 512/1000 runs  51%  10.0 s elapsed, ETA 9.5 s");
  // A resumed sweep estimates from this session's runs only: 100 done now in 20 s, 100 left.
  p.done = 900;
  p.done_now = 100;
  p.elapsed_seconds = 20;
  EXPECT_NE(ProgressBar::render(p).find("900/1000 runs  90%  20.0 s elapsed, ETA 20.0 s"), std::string::npos);
  EXPECT_EQ(format_wall_time(245), "4m05s");
  EXPECT_EQ(format_wall_time(3720), "1h02m");
}

}  // namespace
}  // namespace faultline::sim::sweep
