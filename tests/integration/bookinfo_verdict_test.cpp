// Reference experiment C (DESIGN §1, seed 004, Gloo Shot): the verdicts of
// scenarios/bookinfo-ratings-abort.yaml's experiments, with the failure condition "more than 10
// failed requests in 1 minute" on productpage and its Edge success-rate hypothesis.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/experiment/experiment_runner.hpp"
#include "sim/promql/promql.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using testing::run_file;

const char* kScenario = "scenarios/bookinfo-ratings-abort.yaml";

// The requests productpage answered with a 5xx by the end of the run (its own proxy's count).
double productpage_failures(const sim::ScenarioRun& run) {
  const sim::SeriesStore store = sim::series_store_from_recorder(run.sim().recorder(), run.scenario().start_epoch_ns);
  const auto r = sim::promql::instant_query(
      store,
      "sum(istio_requests_total{reporter=\"destination\",destination_workload=\"productpage\",response_code=~\"5..\"})",
      run.scenario().start_epoch_ns + run.sim().now().ns());
  return r.vector.empty() ? 0.0 : r.vector[0].value;
}

TEST(BookinfoVerdict, WithoutFallbackTheFailureConditionAbortsAtTheDerivedTime) {
  // Derivation. The browser sends 1 request/s at 60.5 s, 61.5 s, … (start 0.5 s, constant
  // arrivals); from 60 s ratings aborts 100 % of its requests and reviews has no fallback, so
  // each page fails: 1 req/s × 100 % = 1 failed request/s at productpage. Its counter of 5xx
  // (reporter destination) is born at 60.5 s and reads k − 60 at the scrape at k s. The
  // condition sum(increase(...[1m])) > 10 is polled every 5 s from the chaos start (60 s).
  // increase() over (k − 60, k] sees the samples at 61 … k (values 1 … k − 60): a rise of
  // k − 61 over k − 61 s, extrapolated by half a scrape interval at the start (the series begins
  // long after the window does; the zero point, 1 s back, is farther) and not at the end:
  // (k − 61) · (k − 60.5) / (k − 61) = k − 60.5. So 4.5 at 65 s, 9.5 at 70 s (not > 10: the 11th
  // failure, at 70.5 s, is not scraped yet), 14.5 at 75 s: the condition fires at 75 s with
  // value 14.5 and the abort fault on ratings is removed then, 165 s before its planned end.
  auto run = run_file(kScenario, {}, "ratings-abort-no-fallback");
  const auto& v = run->summary()["verdict"];
  EXPECT_EQ(v["status"], "aborted");
  EXPECT_EQ(v["reason"], "productpage-5xx");
  EXPECT_EQ(v["time_s"], 75.0);
  EXPECT_NEAR(v["value"].get<double>(), 14.5, 1e-9);
  const auto& fault = run->summary()["faults"][0];
  EXPECT_EQ(fault["kind"], "mesh-abort");
  EXPECT_EQ(fault["end_s"], 75.0);
  EXPECT_EQ(fault["aborted"], true);
  // The pages of 60.5 … 74.5 s failed (15); from 75.5 s they are served again.
  EXPECT_EQ(productpage_failures(*run), 15.0);
  // The hypothesis (Edge, success rate ≥ 0.99 over a minute) holds at 60 s and again at the end.
  EXPECT_EQ(run->summary()["experiment_results"]["probes"][0]["status"], "Passed");
  const auto journal = run->experiment()->journal();
  EXPECT_EQ(journal["status"], "aborted");
  EXPECT_EQ(journal["rollbacks"][0]["activity"]["name"], "remove-active-faults");
  EXPECT_EQ(journal["rollbacks"][0]["start"], "2026-01-01T00:01:15Z");
}

TEST(BookinfoVerdict, TheBaseRunIsTheSeedsRun) {
  // Without --experiment: the same fault and blocks as variant 1, so the same abort.
  auto run = run_file(kScenario);
  EXPECT_EQ(run->summary()["verdict"]["status"], "aborted");
  EXPECT_EQ(run->summary()["verdict"]["time_s"], 75.0);
}

TEST(BookinfoVerdict, WithFallbackTheHypothesisHoldsAndTheExperimentPasses) {
  // reviews answers without ratings, so productpage never fails: the condition is checked at
  // 60, 65, …, 300 s (49 times) and never fires; the fault runs its 3 minutes.
  auto run = run_file(kScenario, {}, "ratings-abort-with-fallback");
  const auto& v = run->summary()["verdict"];
  EXPECT_EQ(v["status"], "pass");
  EXPECT_EQ(v["time_s"], 300.0);
  const auto& cond = run->summary()["experiment_results"]["abort"][0];
  EXPECT_EQ(cond["checks"], 49);
  EXPECT_EQ(cond["fired"], false);
  EXPECT_EQ(run->summary()["faults"][0]["end_s"], 240.0);
  EXPECT_FALSE(run->summary()["faults"][0].contains("aborted"));
  EXPECT_EQ(productpage_failures(*run), 0.0);
  EXPECT_EQ(sim::experiment::verdict_exit_code(run->summary()), 0);
}

}  // namespace
}  // namespace faultline
