// The fault plan (DESIGN §5, §9): fixed times, schedules, and target selection with the Chaos
// Mesh modes; draws come from streams derived from the scenario seed.
#include "sim/faults/fault_plan.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "models/register_builtin_models.hpp"

namespace faultline::sim {
namespace {

// Ten consumers labelled app=worker, one queue, one producer.
const std::string kBase = R"(name: faults
components:
  - {name: producer, kind: producer, target: orders, messages: 10, labels: {app: feeder}}
  - {name: orders, kind: queue, labels: {app: rabbitmq}}
  - {name: consumer, kind: consumer, count: 10, queue: orders, labels: {app: worker}}
faults:
)";

std::vector<Fault> plan(const std::string& faults, uint64_t seed = 1) {
  ResolveOptions o;
  o.seed = seed;
  return plan_faults(resolve_scenario(parse_document(kBase + faults, "faults.yaml"), models::builtin_registry(), o));
}

std::string plan_error(const std::string& faults) {
  try {
    plan(faults);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

double s(SimTime t) { return t.seconds(); }

TEST(FaultPlan, FixedTimesDurationsAndEnds) {
  const std::vector<Fault> f = plan(R"(  - {kind: pod-kill, at: 2m, target: consumer/consumer-1}
  - {kind: pod-failure, start: 10s, duration: 30s, target: consumer}
  - {kind: network-delay, at: 5s, end: 65s, target: orders, params: {latency: 100ms}}
)");
  ASSERT_EQ(f.size(), 3u);
  // Sorted by start (5 s, 10 s, 120 s); ids are the positions.
  EXPECT_EQ(f[0].kind, "network-delay");
  EXPECT_EQ(f[1].kind, "pod-failure");
  EXPECT_EQ(f[2].kind, "pod-kill");
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(f[i].id, i);
  // network-delay: 5 s to 65 s; defaults of its declaration filled in.
  EXPECT_EQ(s(f[0].start), 5.0);
  ASSERT_TRUE(f[0].end.has_value());
  EXPECT_EQ(s(*f[0].end), 65.0);
  EXPECT_EQ(f[0].params["latency"], "100ms");
  EXPECT_EQ(f[0].params["jitter"], "0s");
  EXPECT_EQ(f[0].params["direction"], "to");
  EXPECT_EQ(f[0].source["file"], "faults.yaml");
  EXPECT_EQ(f[0].source["at"], "/faults/2");
  // pod-failure for 30 s from 10 s ends at 40 s; the replicated name stands for all 10 pods.
  EXPECT_EQ(s(*f[1].end), 40.0);
  EXPECT_EQ(f[1].targets.size(), 10u);
  EXPECT_EQ(f[1].targets.front(), "consumer/consumer-0");
  // pod-kill: one-shot, no end.
  EXPECT_EQ(s(f[2].start), 120.0);
  EXPECT_FALSE(f[2].end.has_value());
  EXPECT_EQ(f[2].targets, (std::vector<std::string>{"consumer/consumer-1"}));
  // The faults.jsonl line of DESIGN §5.
  const auto j = fault_to_json(f[2]);
  EXPECT_EQ(j.dump(),
            R"({"start_s":120.0,"end_s":null,"kind":"pod-kill","targets":["consumer/consumer-1"],)"
            R"("params":{"grace_period":"0s"},"source":{"file":"faults.yaml","at":"/faults/0"}})");
}

TEST(FaultPlan, ScheduleEveryFromFor) {
  // every 30 s from 60 s for 2 m: the window is [60 s, 180 s) → 60, 90, 120, 150.
  const std::vector<Fault> f =
      plan("  - {kind: pod-kill, schedule: {every: 30s, from: 60s, for: 2m}, target: consumer/consumer-0}\n");
  std::vector<double> starts;
  for (const auto& x : f) starts.push_back(s(x.start));
  EXPECT_EQ(starts, (std::vector<double>{60, 90, 120, 150}));
}

TEST(FaultPlan, ScheduleUntil) {
  // every 30 s from 60 s until 150 s: 60, 90, 120 (the window is open at its end).
  const std::vector<Fault> f =
      plan("  - {kind: pod-failure, duration: 5s, schedule: {every: 30s, from: 60s, until: 150s}, target: orders}\n");
  std::vector<double> starts, ends;
  for (const auto& x : f) {
    starts.push_back(s(x.start));
    ends.push_back(s(*x.end));
  }
  EXPECT_EQ(starts, (std::vector<double>{60, 90, 120}));
  EXPECT_EQ(ends, (std::vector<double>{65, 95, 125}));
}

TEST(FaultPlan, ScheduleWithRandomGaps) {
  // Gaps drawn in [10 s, 20 s] over [0, 100 s): the first at 0, each next 10–20 s later, so
  // between ceil(100/20) = 5 and 100/10 = 10 faults.
  const std::string entry = "  - {kind: pod-kill, schedule: {every: {min: 10s, max: 20s}, for: 100s}, target: orders}\n";
  const std::vector<Fault> f = plan(entry, 1);
  ASSERT_GE(f.size(), 5u);
  ASSERT_LE(f.size(), 10u);
  EXPECT_EQ(s(f[0].start), 0.0);
  for (size_t i = 1; i < f.size(); ++i) {
    const double gap = s(f[i].start) - s(f[i - 1].start);
    EXPECT_GE(gap, 10.0);
    EXPECT_LE(gap, 20.0);
  }
  EXPECT_LT(s(f.back().start), 100.0);
  // The gaps are drawn from the seed: the same seed gives the same times, another seed others.
  auto starts = [&](uint64_t seed) {
    std::vector<int64_t> out;
    for (const auto& x : plan(entry, seed)) out.push_back(x.start.ns());
    return out;
  };
  EXPECT_EQ(starts(1), starts(1));
  EXPECT_NE(starts(1), starts(2));
}

TEST(FaultPlan, ScheduleErrors) {
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: 30s, for: 1m, until: 2m}, target: orders}\n")
                .find("\"for\" or \"until\" (one of them)"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: 30s}, target: orders}\n").find("\"for\" or \"until\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: 30s, frm: 5s, for: 1m}, target: orders}\n")
                .find("did you mean \"from\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: 30, for: 1m}, target: orders}\n")
                .find("expected a duration with a unit for \"every\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: 30s, from: 100s, until: 50s}, target: orders}\n")
                .find("the schedule's window is empty"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, schedule: {every: {min: 20s, max: 10s}, for: 1m}, target: orders}\n")
                .find("expected min ≤ max"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, target: orders}\n").find("needs either a time (\"at\") or a \"schedule\""),
            std::string::npos);
}

TEST(FaultPlan, EntryErrors) {
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, duration: 5s, target: orders}\n").find("one-shot action"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-failure, at: 1s, target: orders}\n").find("needs a \"duration\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kil, at: 1s, target: orders}\n").find("did you mean \"pod-kill\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, tagret: orders}\n").find("did you mean \"target\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, target: consumer/consumer-12}\n").find("unknown component"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: network-delay, at: 1s, duration: 5s, target: orders}\n")
                .find("missing required parameter \"latency\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, start: 2s, target: orders}\n").find("not both"),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, target: orders, selector: {app: worker}}\n")
                .find("exactly one of \"target\", \"targets\" or \"selector\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: -1s, target: orders}\n").find("≥ 0"), std::string::npos);
}

// ---- Selection modes: a schedule of 1000 ticks re-draws the targets at every tick, as a Chaos
// Mesh Schedule creates a new object (hence a new selection) each tick.

std::vector<Fault> ticks(const std::string& mode_and_value, uint64_t seed = 1) {
  return plan("  - {kind: pod-kill, schedule: {every: 1s, for: 1000s}, selector: {app: worker}" +
                  (mode_and_value.empty() ? "" : ", " + mode_and_value) + "}\n",
              seed);
}

std::set<size_t> target_counts(const std::vector<Fault>& f) {
  std::set<size_t> out;
  for (const auto& x : f) out.insert(x.targets.size());
  return out;
}

TEST(FaultSelection, ModesGiveTheChaosMeshCounts) {
  // 10 matching pods. one → 1; all → 10; fixed 3 → 3; fixed 20 → min(20, 10) = 10;
  // fixed-percent 25 → ceil(10·25/100) = ceil(2.5) = 3; fixed-percent 5 → ceil(0.5) = 1 (Chaos Mesh
  // rounds up so that at least one object is selected).
  EXPECT_EQ(target_counts(ticks("mode: one")), (std::set<size_t>{1}));
  EXPECT_EQ(target_counts(ticks("mode: all")), (std::set<size_t>{10}));
  EXPECT_EQ(target_counts(ticks("mode: fixed, value: 3")), (std::set<size_t>{3}));
  EXPECT_EQ(target_counts(ticks("mode: fixed, value: '3'")), (std::set<size_t>{3}));  // Chaos Mesh writes strings
  EXPECT_EQ(target_counts(ticks("mode: fixed, value: 20")), (std::set<size_t>{10}));
  EXPECT_EQ(target_counts(ticks("mode: fixed-percent, value: 25")), (std::set<size_t>{3}));
  EXPECT_EQ(target_counts(ticks("mode: fixed-percent, value: 5")), (std::set<size_t>{1}));
  // Without a mode, one.
  EXPECT_EQ(target_counts(ticks("")), (std::set<size_t>{1}));
}

TEST(FaultSelection, RandomMaxPercentCanSelectNothing) {
  // p is drawn uniformly in {0, …, 50}, then ceil(10·p/100) pods: 0 when p = 0 (chance 1/51),
  // 5 when p ≥ 41 (chance 10/51). Over 1000 ticks both happen (missing either has probability
  // (50/51)^1000 ≈ 2.5e-9 and (41/51)^1000 ≈ 1e-95), and nothing above 5 ever does.
  const auto counts = target_counts(ticks("mode: random-max-percent, value: 50"));
  EXPECT_EQ(*counts.begin(), 0u);
  EXPECT_EQ(*counts.rbegin(), 5u);
  EXPECT_EQ(counts.size(), 6u);  // 0, 1, 2, 3, 4, 5
}

TEST(FaultSelection, OneIsUniformOverTheMatches) {
  // 1000 draws over 10 pods: 100 expected each; chi-square with 9 degrees of freedom, 0.999
  // quantile 27.88.
  std::map<std::string, int> hits;
  for (const auto& f : ticks("mode: one")) ++hits[f.targets.at(0)];
  ASSERT_EQ(hits.size(), 10u);
  double chi2 = 0;
  for (const auto& [k, n] : hits) chi2 += (n - 100.0) * (n - 100.0) / 100.0;
  EXPECT_LT(chi2, 27.88);
}

TEST(FaultSelection, SelectionsAreDistinctSortedMatches) {
  for (const auto& f : ticks("mode: fixed, value: 4")) {
    ASSERT_EQ(f.targets.size(), 4u);
    ASSERT_TRUE(std::is_sorted(f.targets.begin(), f.targets.end()));
    ASSERT_EQ(std::set<std::string>(f.targets.begin(), f.targets.end()).size(), 4u);
    for (const auto& t : f.targets) ASSERT_EQ(t.rfind("consumer/consumer-", 0), 0u) << t;  // only app=worker
  }
}

TEST(FaultSelection, DrawsAreDeterminedBySeed) {
  auto targets = [](uint64_t seed) {
    std::vector<std::vector<std::string>> out;
    for (const auto& f : ticks("mode: fixed, value: 3", seed)) out.push_back(f.targets);
    return out;
  };
  EXPECT_EQ(targets(7), targets(7));
  EXPECT_NE(targets(7), targets(8));
}

TEST(FaultSelection, ANamedFaultKeepsItsDrawsWhenOthersAreAdded) {
  // A named fault's streams derive from its name, not its position in the list.
  const std::string named =
      "  - {name: kill-workers, kind: pod-kill, schedule: {every: {min: 5s, max: 15s}, for: 300s}, "
      "selector: {app: worker}, mode: fixed, value: 2}\n";
  const std::string other = "  - {kind: pod-kill, schedule: {every: 7s, for: 300s}, selector: {app: worker}}\n";
  auto of_named = [](const std::vector<Fault>& f) {
    std::vector<std::pair<int64_t, std::vector<std::string>>> out;
    for (const auto& x : f)
      if (x.source.contains("name")) out.emplace_back(x.start.ns(), x.targets);
    return out;
  };
  const auto alone = of_named(plan(named));
  ASSERT_FALSE(alone.empty());
  EXPECT_EQ(alone, of_named(plan(other + named)));
}

TEST(FaultSelection, BadModesAndValues) {
  auto err = [](const std::string& mode_and_value) {
    return plan_error("  - {kind: pod-kill, at: 1s, selector: {app: worker}, " + mode_and_value + "}\n");
  };
  EXPECT_NE(err("mode: fixd, value: 1").find("did you mean \"fixed\""), std::string::npos);
  EXPECT_NE(err("mode: fixed").find("mode fixed needs a \"value\""), std::string::npos);
  EXPECT_NE(err("mode: fixed-percent, value: 0").find("expected a whole percentage in (0, 100]"), std::string::npos);
  EXPECT_NE(err("mode: fixed-percent, value: 101").find("expected a whole percentage in (0, 100]"), std::string::npos);
  EXPECT_NE(err("mode: random-max-percent, value: 2.5").find("expected a whole percentage"), std::string::npos);
  EXPECT_NE(err("mode: fixed, value: 0").find("expected a whole number of targets > 0"), std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, target: orders, mode: all}\n").find("go with a \"selector\""),
            std::string::npos);
  EXPECT_NE(plan_error("  - {kind: pod-kill, at: 1s, selector: {app: nothing}}\n").find("matches no component"),
            std::string::npos);
}

TEST(FaultSelection, SelectTargetsDirectly) {
  const std::vector<std::string> c = {"a", "b", "c", "d"};
  RandomStream rng(1);
  EXPECT_EQ(select_targets(c, "all", 0, rng), c);
  EXPECT_EQ(select_targets(c, "fixed", 9, rng), c);
  EXPECT_EQ(select_targets(c, "fixed-percent", 50, rng).size(), 2u);  // ceil(4·0.5) = 2
  EXPECT_EQ(select_targets(c, "fixed-percent", 30, rng).size(), 2u);  // ceil(1.2) = 2
  EXPECT_EQ(select_targets({}, "one", 0, rng).size(), 0u);
}

}  // namespace
}  // namespace faultline::sim
