// Probes, abort conditions, rollbacks and the verdict during a run (sim/experiment/README.md),
// on the bench of experiment_bench.hpp, whose series values at each scrape are derived there.
#include "sim/experiment/experiment_runner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/scenario_bench.hpp"
#include "tests/unit/experiment/experiment_bench.hpp"

namespace faultline {
namespace {

using testing::bench;
using testing::run_yaml;
using OJ = nlohmann::ordered_json;

const OJ& verdict(const sim::ScenarioRun& run) { return run.summary()["verdict"]; }
const OJ& probe_result(const sim::ScenarioRun& run, size_t i) {
  return run.summary()["experiment_results"]["probes"][i];
}

// The events.jsonl lines of the experiment with this event name.
std::vector<nlohmann::json> experiment_events(const sim::ScenarioRun& run, const std::string& event) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : run.sim().events().lines()) {
    auto j = nlohmann::json::parse(line);
    if (j["event"] == event && (j["component"] == "experiment" || event.rfind("fault-", 0) == 0)) out.push_back(j);
  }
  return out;
}

std::string time_query() { return std::string("time() - ") + testing::kEpoch; }

TEST(ExperimentRunner, SotSeesTheScrapesBeforeTheChaosStart) {
  // The consumer fails at t0 = 10 s; the scrape at 10 s (ready 0) follows the fault, but a SOT
  // check runs before the faults of t0 and sees the scrape at 9 s: ready 1, passed.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: SOT
)"));
  EXPECT_EQ(probe_result(*run, 0)["status"], "Passed");
  EXPECT_EQ(probe_result(*run, 0)["checks"], 1);
  EXPECT_EQ(probe_result(*run, 0)["last"]["time_s"], 10.0);
  EXPECT_EQ(probe_result(*run, 0)["last"]["value"], 1.0);
  EXPECT_EQ(verdict(*run)["status"], "pass");
  EXPECT_EQ(verdict(*run)["time_s"], 60.0);  // pass: the run's end
  EXPECT_TRUE(verdict(*run)["reason"].is_null());
}

TEST(ExperimentRunner, ContinuousChecksAfterTheScrapeAtItsTimeUntilTheRunsEnd) {
  // Checks at 10, 15, …, 60 s: 11. The check at 10 s runs after the scrape at 10 s (ready 0):
  // failed there first. The pod is ready again from 51 s: the checks at 10 … 50 fail (9), those
  // at 55 and 60 pass.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
      interval: 5s
)"));
  const OJ& p = probe_result(*run, 0);
  EXPECT_EQ(p["status"], "Failed");
  EXPECT_EQ(p["checks"], 11);
  EXPECT_EQ(p["failed_checks"], 9);
  EXPECT_EQ(p["first_failure"]["time_s"], 10.0);
  EXPECT_EQ(p["first_failure"]["value"], 0.0);
  EXPECT_EQ(verdict(*run)["status"], "fail");
  EXPECT_EQ(verdict(*run)["time_s"], 10.0);
  EXPECT_EQ(verdict(*run)["reason"], "consumer-ready");
  EXPECT_EQ(verdict(*run)["value"], 0.0);
  EXPECT_EQ(experiment_events(*run, "probe").size(), 11u);
}

TEST(ExperimentRunner, OnChaosChecksOnlyInsideTheChaosWindow) {
  // Chaos window [10 s, 40 s]. With initial_delay 3 s and interval 5 s: 13, 18, 23, 28, 33, 38
  // (43 > 40): 6 checks, all while the pod is failed.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-down-during-chaos
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 0"
      mode: OnChaos
      interval: 5s
      initial_delay: 3s
)"));
  const OJ& p = probe_result(*run, 0);
  EXPECT_EQ(p["status"], "Passed");
  EXPECT_EQ(p["checks"], 6);
  EXPECT_EQ(p["last"]["time_s"], 38.0);
  EXPECT_EQ(run->summary()["experiment_results"]["chaos_start_s"], 10.0);
  EXPECT_EQ(run->summary()["experiment_results"]["chaos_end_s"], 40.0);
}

TEST(ExperimentRunner, OnChaosWithoutFaultsIsNotApplicable) {
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: never-checked
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 0"
      mode: OnChaos
)",
                            false));
  EXPECT_EQ(probe_result(*run, 0)["status"], "N/A");
  EXPECT_EQ(probe_result(*run, 0)["checks"], 0);
  EXPECT_EQ(verdict(*run)["status"], "pass");  // N/A does not fail the verdict (Litmus)
}

TEST(ExperimentRunner, EotAndEdgeCheckAtTheRunsEnd) {
  // At the end (60 s) the producer has published 10·60 − 1 = 599 and the consumer is ready again.
  // The Edge probe's first check (before the chaos, scrape at 9 s) reads 1 too: two checks.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: all-published
      query: faultline_messages_published_total
      tolerance: "== 599"
      mode: EOT
    - name: ready-before-and-after
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Edge
)"));
  EXPECT_EQ(probe_result(*run, 0)["status"], "Passed");
  EXPECT_EQ(probe_result(*run, 0)["last"]["value"], 599.0);
  EXPECT_EQ(probe_result(*run, 1)["status"], "Passed");
  EXPECT_EQ(probe_result(*run, 1)["checks"], 2);
  EXPECT_EQ(verdict(*run)["status"], "pass");
}

TEST(ExperimentRunner, EdgeFailsWhenEitherCheckFails) {
  // Before the chaos the backlog is 0 (< 5); at 60 s it has drained to 0: both pass. With a
  // `> 0` tolerance both checks fail; the first failure is the one before the chaos (10 s).
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: backlog-positive
      query: faultline_queue_backlog_messages{queue="orders"}
      tolerance: "> 0"
      mode: Edge
)"));
  EXPECT_EQ(probe_result(*run, 0)["status"], "Failed");
  EXPECT_EQ(probe_result(*run, 0)["failed_checks"], 2);
  EXPECT_EQ(verdict(*run)["time_s"], 10.0);
}

TEST(ExperimentRunner, RangeAndOneOfTolerancesOnTheEvaluationTime) {
  // time() − start is the simulated second of the check: checks at 10, 15, …; the range
  // [0, 32] holds until 30 and fails first at 35 (value 35). one_of [10, 15, 20, 25, 30, 35, 40,
  // 45, 50, 55, 60] holds at every check.
  auto run = run_yaml(bench(std::string(R"(
hypothesis:
  probes:
    - name: in-range
      query: )") + time_query() +
                            R"(
      tolerance: {range: [0, 32]}
      mode: Continuous
      interval: 5s
    - name: one-of
      query: )" + time_query() +
                            R"(
      tolerance: {one_of: [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]}
      mode: Continuous
      interval: 5s
)"));
  EXPECT_EQ(probe_result(*run, 0)["first_failure"]["time_s"], 35.0);
  EXPECT_EQ(probe_result(*run, 0)["first_failure"]["value"], 35.0);
  EXPECT_EQ(probe_result(*run, 0)["failed_checks"], 6);  // 35 … 60
  EXPECT_EQ(probe_result(*run, 1)["status"], "Passed");
  EXPECT_EQ(probe_result(*run, 1)["checks"], 11);
}

TEST(ExperimentRunner, AnEmptyResultIsAFailedCheckWithoutValue) {
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: no-such-metric
      query: rabbitmq_queue_messages_ready{queue="nope"}
      tolerance: "== 0"
      mode: EOT
)"));
  EXPECT_EQ(probe_result(*run, 0)["status"], "Failed");
  EXPECT_TRUE(verdict(*run)["value"].is_null());
  const auto lines = experiment_events(*run, "probe");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["error"], "no data: the query returned no sample");
}

TEST(ExperimentRunner, AbortFiresAtTheFirstCheckThatMeetsTheCondition) {
  // The backlog reads 10·(k − 10) at the scrape at k. Checked every 5 s from the chaos start
  // (10 s): 0 at 10, 50 at 15 (not > 50), 100 at 20 → fires at 20 s with value 100. The
  // pod-failure planned until 40 s ends at 20 s on its target.
  auto run = run_yaml(bench(R"(
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"}
    when: "> 50"
    interval: 5s
)"));
  EXPECT_EQ(verdict(*run)["status"], "aborted");
  EXPECT_EQ(verdict(*run)["time_s"], 20.0);
  EXPECT_EQ(verdict(*run)["reason"], "backlog-high");
  EXPECT_EQ(verdict(*run)["value"], 100.0);
  const OJ& fault = run->summary()["faults"][0];
  EXPECT_EQ(fault["end_s"], 20.0);
  EXPECT_EQ(fault["aborted"], true);
  const auto ended = experiment_events(*run, "fault-ended");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0]["t_s"], 20.0);
  EXPECT_EQ(ended[0]["aborted"], true);
  const OJ& cond = run->summary()["experiment_results"]["abort"][0];
  EXPECT_EQ(cond["checks"], 3);
  EXPECT_EQ(cond["fired"], true);
  EXPECT_EQ(cond["time_s"], 20.0);
  // The consumer restarts when the fault ends (20 s) and drains: nothing is left at the end.
  EXPECT_EQ(run->sim().ledger().in_flight(), 0u);
}

TEST(ExperimentRunner, AnAlertStyleConditionFiresWhenItReturnsASample) {
  // `... > 50` filters: empty until the backlog exceeds 50. Checked every second from 10 s:
  // 60 at 16 s is the first value above 50.
  auto run = run_yaml(bench(R"(
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"} > 50
    interval: 1s
)"));
  EXPECT_EQ(verdict(*run)["status"], "aborted");
  EXPECT_EQ(verdict(*run)["time_s"], 16.0);
  EXPECT_EQ(verdict(*run)["value"], 60.0);
}

TEST(ExperimentRunner, AbortCancelsTheFaultsNotYetStarted) {
  // A second fault, a pod-kill of the producer at 30 s, comes after the abort (20 s): cancelled,
  // never applied, and left out of faults.jsonl.
  auto run = run_yaml(bench(R"(
  - name: producer-kill
    kind: pod-kill
    target: producer/producer-0
    at: 30s
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"}
    when: "> 50"
    interval: 5s
)"));
  const OJ& faults = run->summary()["faults"];
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[1]["kind"], "pod-kill");
  EXPECT_EQ(faults[1]["aborted"], true);
  EXPECT_EQ(faults[1]["not_reached"], true);
  EXPECT_FALSE(run->faults().started(1));
  const auto cancelled = experiment_events(*run, "fault-cancelled");
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0]["t_s"], 20.0);
  const auto stopped = experiment_events(*run, "chaos-stopped");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0]["ended"], nlohmann::json::array({0}));
  EXPECT_EQ(stopped[0]["cancelled"], nlohmann::json::array({1}));
  // The producer was never killed: all 599 messages were published.
  EXPECT_EQ(run->sim().ledger().published(), 599u);
}

TEST(ExperimentRunner, RollbacksRunAtTheAbortTime) {
  // The rollback kills the producer 1 s after the abort (20 s): at 21 s.
  auto run = run_yaml(bench(R"(
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"}
    when: "> 50"
    interval: 5s
rollbacks:
  actions:
    - kind: pod-kill
      target: producer/producer-0
      at: 1s
)"));
  const OJ& faults = run->summary()["faults"];
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[1]["kind"], "pod-kill");
  EXPECT_EQ(faults[1]["start_s"], 21.0);
  EXPECT_EQ(faults[1]["rollback"], true);
  EXPECT_EQ(run->summary()["experiment_results"]["rollbacks"]["time_s"], 20.0);
  EXPECT_EQ(experiment_events(*run, "rollback").size(), 1u);
}

TEST(ExperimentRunner, RollbacksRunAtTheChaosEndWithoutAnAbort) {
  // No abort: the method ends when the pod-failure ends (40 s).
  auto run = run_yaml(bench(R"(
rollbacks:
  strategy: always
  actions:
    - kind: pod-kill
      target: producer/producer-0
)"));
  const OJ& faults = run->summary()["faults"];
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[1]["start_s"], 40.0);
  EXPECT_EQ(verdict(*run)["status"], "pass");
}

TEST(ExperimentRunner, RollbackStrategiesNeverAndDeviated) {
  const std::string actions = R"(
  actions:
    - kind: pod-kill
      target: producer/producer-0
)";
  auto never = run_yaml(bench("rollbacks:\n  strategy: never" + actions));
  EXPECT_EQ(never->summary()["faults"].size(), 1u);
  EXPECT_EQ(experiment_events(*never, "rollbacks-skipped").size(), 1u);
  // deviated: nothing failed, so nothing runs …
  auto calm = run_yaml(bench("rollbacks:\n  strategy: deviated" + actions));
  EXPECT_EQ(calm->summary()["faults"].size(), 1u);
  // … but after a failed check (ready 0 at 10 s) it does, at the chaos end (40 s).
  auto deviated = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
      interval: 5s
rollbacks:
  strategy: deviated)" + actions));
  ASSERT_EQ(deviated->summary()["faults"].size(), 2u);
  EXPECT_EQ(deviated->summary()["faults"][1]["start_s"], 40.0);
}

TEST(ExperimentRunner, StopOnFailureStopsTheChaosWithAFailVerdict) {
  // The check at 10 s fails: the chaos stops there (the pod-failure ends at 10 s); the verdict is
  // fail, not aborted.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
      interval: 5s
      stop_on_failure: true
)"));
  EXPECT_EQ(verdict(*run)["status"], "fail");
  EXPECT_EQ(verdict(*run)["time_s"], 10.0);
  EXPECT_EQ(run->summary()["faults"][0]["end_s"], 10.0);
  EXPECT_EQ(run->summary()["faults"][0]["aborted"], true);
}

TEST(ExperimentRunner, AbortDominatesAFailedProbe) {
  // The probe fails at 10 s, the condition fires at 20 s: the verdict is the abort.
  auto run = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
      interval: 5s
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"}
    when: "> 50"
    interval: 5s
)"));
  EXPECT_EQ(verdict(*run)["status"], "aborted");
  EXPECT_EQ(verdict(*run)["time_s"], 20.0);
  const auto journal = run->experiment()->journal();
  EXPECT_EQ(journal["status"], "aborted");
  EXPECT_EQ(journal["deviated"], true);
}

TEST(ExperimentRunner, JournalHasChaosToolkitsShape) {
  auto run = run_yaml(bench(R"(
hypothesis:
  title: the consumer keeps up
  probes:
    - name: ready-edge
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Edge
    - name: ready-during
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 0"
      mode: OnChaos
      interval: 10s
)"));
  const auto j = run->experiment()->journal();
  for (const char* key : {"chaoslib-version", "platform", "node", "experiment", "start", "end", "duration", "status",
                          "deviated", "steady_states", "run", "rollbacks"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["start"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(j["end"], "2026-01-01T00:01:00Z");
  EXPECT_EQ(j["duration"], 60.0);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["deviated"], false);
  EXPECT_EQ(j["experiment"]["steady-state-hypothesis"]["title"], "the consumer keeps up");
  EXPECT_EQ(j["experiment"]["steady-state-hypothesis"]["probes"][0]["provider"]["module"], "chaosprometheus.probes");
  EXPECT_EQ(j["experiment"]["method"].size(), 1u);
  // before: the Edge check at 10 s; after: the Edge check at 60 s; during: OnChaos at 10, 20,
  // 30, 40 s, one entry per time.
  EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], true);
  EXPECT_EQ(j["steady_states"]["before"]["probes"].size(), 1u);
  EXPECT_EQ(j["steady_states"]["before"]["probes"][0]["tolerance_met"], true);
  EXPECT_EQ(j["steady_states"]["after"]["probes"].size(), 1u);
  ASSERT_EQ(j["steady_states"]["during"].size(), 4u);
  EXPECT_EQ(j["steady_states"]["during"][3]["probes"][0]["start"], "2026-01-01T00:00:40Z");
  ASSERT_EQ(j["run"].size(), 1u);
  EXPECT_EQ(j["run"][0]["activity"]["provider"]["func"], "pod-failure");
  EXPECT_EQ(j["run"][0]["status"], "succeeded");
  EXPECT_EQ(j["run"][0]["duration"], 30.0);
  EXPECT_EQ(j["verdict"]["status"], "pass");
}

TEST(ExperimentRunner, RunsWithoutBlocksHaveNoVerdictAndNoJournal) {
  auto run = run_yaml(bench(""));
  EXPECT_TRUE(run->summary()["verdict"].is_null());
  EXPECT_FALSE(run->summary().contains("experiment_results"));
  EXPECT_EQ(run->experiment(), nullptr);
}

TEST(ExperimentRunner, ProbesDoNotChangeTheSimulation) {
  // Observing is free: the same messages, events of the models and loss with or without probes.
  auto plain = run_yaml(bench(""));
  auto probed = run_yaml(bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
      interval: 1s
)"));
  EXPECT_EQ(plain->sim().ledger().delivered_count(), probed->sim().ledger().delivered_count());
  EXPECT_EQ(plain->summary()["backlog"], probed->summary()["backlog"]);
  EXPECT_EQ(plain->summary()["components"], probed->summary()["components"]);
  EXPECT_EQ(plain->sim().recorder().scrape_times_ns(), probed->sim().recorder().scrape_times_ns());
}

TEST(ExperimentRunner, SameScenarioSameBytes) {
  const std::string yaml = bench(R"(
hypothesis:
  probes:
    - name: consumer-ready
      query: kube_pod_status_ready{pod="consumer-0"}
      tolerance: "== 1"
      mode: Continuous
abort:
  - name: backlog-high
    query: faultline_queue_backlog_messages{queue="orders"} > 150
)");
  auto a = run_yaml(yaml);
  auto b = run_yaml(yaml);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_EQ(a->summary().dump(), b->summary().dump());
  EXPECT_EQ(a->experiment()->journal().dump(), b->experiment()->journal().dump());
  EXPECT_EQ(a->sim().events().lines(), b->sim().events().lines());
}

TEST(ExperimentRunner, VerdictTextAndExitCode) {
  EXPECT_EQ(
      sim::experiment::verdict_text(OJ{{"status", "aborted"}, {"time_s", 21.0}, {"reason", "x"}, {"value", 11.0}}),
      "verdict: aborted at 21 s by x (value 11)");
  EXPECT_EQ(sim::experiment::verdict_exit_code(OJ{{"verdict", OJ{{"status", "pass"}}}}), 0);
  EXPECT_EQ(sim::experiment::verdict_exit_code(OJ{{"verdict", OJ{{"status", "fail"}}}}), 3);
  EXPECT_EQ(sim::experiment::verdict_exit_code(OJ{{"verdict", OJ{{"status", "aborted"}}}}), 3);
  EXPECT_EQ(sim::experiment::verdict_exit_code(OJ{{"verdict", nullptr}}), 0);
}

}  // namespace
}  // namespace faultline
