// The autoscalers (models/autoscaler): the HPA's arithmetic on its own (R-H1, R-H2, R-H4, R-H6,
// R-H7, R-KE4), then HPA and KEDA benches run as scenarios. Each expected value is derived by
// hand above its assertion.
//
// Timing facts the bench derivations use:
// - A producer with `arrivals: constant`, `rate: R` and `start: S` publishes at S + k/R, k ≥ 1.
// - Consumer pods in the benches have create_delay 5 s, app_start 1 s, readiness_period 1 s and
//   endpoint_delay 1 s: a pod created at t has its container at t + 5, its app up at t + 6,
//   passes the probe at t + 6 (start + 1 period) and is ready at t + 7 (R-K3, R-K6, R-K11).
// - With prefetch 1 and a `queue` component, a consumer with processing time p completes one
//   message every p while there is work: 1/p messages per second.
// - Loops due at the same instant run in a fixed order: KEDA's poll, then the HPA sync; an HPA's
//   metric sample, then its sync.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "models/autoscaler/hpa_controller.hpp"
#include "sim/scenario/input_error.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using models::HpaBehavior;
using models::HpaController;
using models::PodCpu;
namespace calc = models::replica_calc;
using testing::run_yaml;

sim::SimTime at(double seconds) { return sim::SimTime::at(sim::Duration::from_seconds(seconds)); }

// ------------------------------------------------------------------ the HPA's arithmetic

TEST(HpaFormula, ToleranceDecidesWhetherToScale) {
  // R-KE4 / R-H2: 10 pods, 10 messages per pod wanted.
  // 108 messages: ratio 108 / (10 × 10) = 1.08, |1 − 1.08| ≤ 0.1: no change, 10.
  EXPECT_EQ(calc::external_average_value(108, 10, 10, 0.1), 10);
  // 120 messages: ratio 1.2 > 1.1: ceil(120 / 10) = 12.
  EXPECT_EQ(calc::external_average_value(120, 10, 10, 0.1), 12);
  // 91 messages: ratio 0.91, within: 10. 85 messages: 0.85, outside: ceil(85 / 10) = 9.
  EXPECT_EQ(calc::external_average_value(91, 10, 10, 0.1), 10);
  EXPECT_EQ(calc::external_average_value(85, 10, 10, 0.1), 9);
  // A tolerance of 0 acts on any change: 101 → ceil(10.1) = 11.
  EXPECT_EQ(calc::external_average_value(101, 10, 10, 0.0), 11);
}

TEST(HpaFormula, ValueTargetScalesTheReadyPods) {
  // R-H1 with R-H4: metric 300 against a Value target of 100: ratio 3, times the 2 ready pods
  // (not the 5 existing): ceil(3 × 2) = 6.
  EXPECT_EQ(calc::external_value(300, 100, 5, 2, 0.1), 6);
  // Ratio 1.05 is within the tolerance: the current 5.
  EXPECT_EQ(calc::external_value(105, 100, 5, 2, 0.1), 5);
}

TEST(HpaFormula, CpuUtilizationGroupsPodsAsKubernetesDoes) {
  using G = PodCpu::Group;
  // Four ready pods using 0.9 of a 1-core request each: 90 % against a 50 % target, ratio 1.8:
  // ceil(1.8 × 4) = ceil(7.2) = 8.
  std::vector<PodCpu> busy(4, PodCpu{G::counted, 0.9, 1.0});
  EXPECT_EQ(calc::utilization_percent(busy), 90);
  EXPECT_EQ(calc::cpu_utilization(busy, 50, 4, 0.1), 8);
  // Two ready pods at 100 % and two unready: ratio 2 would scale up, so the unready pods count
  // as 0 %: (100 + 100 + 0 + 0) / 4 = 50 %, ratio 1.0, within the tolerance: keep 4 (R-H4).
  std::vector<PodCpu> half = {{G::counted, 1.0, 1.0}, {G::counted, 1.0, 1.0}, {G::unready, 0, 1.0}, {G::unready, 0, 1.0}};
  EXPECT_EQ(calc::cpu_utilization(half, 50, 4, 0.1), 4);
  // Two pods at 20 % and one without a metric, target 50 %: ratio 0.4 would scale down, so the
  // missing pod counts as 100 %: (200 + 200 + 1000) m / 3000 m = 46 %, ratio 0.92, within: 3.
  std::vector<PodCpu> quiet = {{G::counted, 0.2, 1.0}, {G::counted, 0.2, 1.0}, {G::missing, 0, 1.0}};
  EXPECT_EQ(calc::cpu_utilization(quiet, 50, 3, 0.1), 3);
  // Without the missing pod the two at 20 % would go to ceil(0.4 × 2) = 1.
  quiet.pop_back();
  EXPECT_EQ(calc::cpu_utilization(quiet, 50, 2, 0.1), 1);
  // No pod with a metric: nothing to decide on.
  EXPECT_FALSE(calc::cpu_utilization({{G::missing, 0, 1.0}}, 50, 1, 0.1).has_value());
}

TEST(HpaBehavior, ScaleDownWaitsForTheStabilizationWindowsMaximum) {
  // R-H6 defaults: a 300 s scale-down window. 5 pods, the metric asks for 5 at t = 0, then 2 from
  // t = 15 s on. Until t = 285 s the window (t − 300, t] still holds the 5 of t = 0: no change.
  // At t = 300 s the sample of t = 0 sits exactly on the cutoff and no longer counts: the
  // highest recommendation is 2, and the 100 %-per-15 s policy allows it: 5 → 2.
  HpaController hpa(HpaBehavior{}, 1, 10);
  EXPECT_EQ(hpa.sync(at(0), 5, 5).desired, 5);
  for (int t = 15; t <= 285; t += 15) {
    const auto d = hpa.sync(at(t), 5, 2);
    EXPECT_EQ(d.desired, 5) << "t = " << t;
    EXPECT_EQ(d.stabilized, 5) << "t = " << t;
  }
  const auto d = hpa.sync(at(300), 5, 2);
  EXPECT_EQ(d.desired, 2);
  EXPECT_EQ(d.reason, "DesiredWithinRange");
}

TEST(HpaBehavior, ScaleUpPolicyCapsEachPeriod) {
  // R-H6 defaults: scale up by max(+100 %, +4 pods) per 15 s. From 2 pods the metric asks for 20:
  // t = 0:  max(ceil(2 × 2), 2 + 4) = 6 (ScaleUpLimit);
  // t = 5:  the +4 of t = 0 is inside (−10 s, 5 s]: the period started at 6 − 4 = 2, the limit is
  //         6 again: no change (an HPA synced off its period);
  // t = 15: the event of t = 0 sits on the cutoff and no longer counts: max(12, 10) = 12;
  // t = 30: max(24, 16) = 24 ≥ 20: the metric's 20 (DesiredWithinRange).
  HpaController hpa(HpaBehavior{}, 1, 100);
  auto d = hpa.sync(at(0), 2, 20);
  EXPECT_EQ(d.desired, 6);
  EXPECT_EQ(d.reason, "ScaleUpLimit");
  EXPECT_EQ(hpa.sync(at(5), 6, 20).desired, 6);
  EXPECT_EQ(hpa.sync(at(15), 6, 20).desired, 12);
  d = hpa.sync(at(30), 12, 20);
  EXPECT_EQ(d.desired, 20);
  EXPECT_EQ(d.reason, "DesiredWithinRange");
  // maxReplicas caps before the policy does: from 2 with max 5 the answer is 5 (TooManyReplicas).
  HpaController capped(HpaBehavior{}, 1, 5);
  d = capped.sync(at(0), 2, 20);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, "TooManyReplicas");
}

TEST(HpaBehavior, PoliciesAndBoundsOutsideTheMetric) {
  // A Pods-only scale-down policy of 1 per 60 s and no window: from 6 the metric asks for 1.
  // t = 0: 6 − 1 = 5; t = 15: the −1 of t = 0 is inside the 60 s period, which started at 6:
  // limit 6 − 1 = 5 again, no change; t = 60: the event sits on the cutoff: 5 − 1 = 4.
  HpaBehavior b;
  b.scale_down.stabilization = sim::Duration::zero();
  b.scale_down.percent = 0;
  b.scale_down.pods = 1;
  b.scale_down.period = sim::Duration::s(60);
  HpaController hpa(b, 1, 10);
  auto d = hpa.sync(at(0), 6, 1);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, "ScaleDownLimit");
  EXPECT_EQ(hpa.sync(at(15), 5, 1).desired, 5);
  EXPECT_EQ(hpa.sync(at(60), 5, 1).desired, 4);
  // Outside [min, max] the bounds apply without a metric; at 0 the HPA is disabled (R-KE1).
  HpaController bounded(HpaBehavior{}, 2, 4);
  EXPECT_EQ(bounded.sync(at(0), 7, std::nullopt).desired, 4);
  EXPECT_EQ(bounded.sync(at(0), 1, std::nullopt).desired, 2);
  d = bounded.sync(at(0), 0, 9);
  EXPECT_EQ(d.desired, 0);
  EXPECT_EQ(d.reason, "ScalingDisabled");
  d = bounded.sync(at(15), 3, std::nullopt);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, "FailedGetMetric");
}

// ------------------------------------------------------------------ benches

struct Scaled {
  double t;
  int64_t from, to;
  std::string reason;
  nlohmann::json value;
};

std::vector<Scaled> scaled_events(const sim::ScenarioRun& run, const std::string& component) {
  std::vector<Scaled> out;
  for (const std::string& line : run.sim().events().lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("component", "") != component || j.value("event", "") != "scaled") continue;
    out.push_back({j["t_s"].get<double>(), j["from"].get<int64_t>(), j["to"].get<int64_t>(),
                   j["reason"].get<std::string>(), j["value"]});
  }
  return out;
}

std::vector<double> event_times(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  std::vector<double> out;
  for (const std::string& line : run.sim().events().lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) out.push_back(j["t_s"].get<double>());
  }
  return out;
}

const std::string kPodTiming = R"(
    create_delay: 5s
    app_start: 1s
    readiness_period: 1s
    endpoint_delay: 1s
)";

std::string keda_bench(const std::string& producer, const std::string& consumer, const std::string& keda,
                       const std::string& duration) {
  return "name: bench\nduration: " + duration + "\ncomponents:\n  - name: q\n    kind: queue\n" + producer +
         consumer + kPodTiming + keda;
}

const std::string kLateProducer = R"(
  - name: p
    kind: producer
    target: q
    arrivals: constant
    start: 40s
    rate: 10/s
)";

const std::string kIdleConsumers = R"(
  - name: c
    kind: consumer
    queue: q
    count: 0
    max_count: 3
    processing_time: 10ms
)";

TEST(KedaRabbitmq, PollingLagThenStartUpDelay) {
  // R-KE1, R-KE2: the consumers start at 0. The backlog appears at t = 40.1 s (10/s from 40 s),
  // but KEDA polls at 0, 30, 60 s: at 30 s the queue is empty, at 60 s it holds the messages of
  // 40.1 … 59.9 s (the poll was scheduled before the publish of 60.0 s, so it runs first), 199 of
  // them > activationValue 0: activation 0 → 1 at 60 s. The HPA syncing right after wants
  // ceil(199 / 1000) = 1: no more. The pod, created at 60 s, is ready at 67 s and only then
  // drains: the backlog peaks at 67 s with 270 messages (40.1 … 67.0 s).
  auto run = run_yaml(keda_bench(kLateProducer, kIdleConsumers, R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 1000
)",
                                 "80s"));
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 60.0);
  EXPECT_EQ(scaled[0].from, 0);
  EXPECT_EQ(scaled[0].to, 1);
  EXPECT_EQ(scaled[0].reason, "Activation");
  EXPECT_EQ(scaled[0].value.get<double>(), 199.0);
  EXPECT_EQ(event_times(*run, "c/c-0", "pod-ready"), std::vector<double>({67.0}));
  EXPECT_TRUE(event_times(*run, "c/c-1", "pod-ready").empty());
  EXPECT_NEAR(static_cast<double>(run->sim().backlog().peak()), 270, 1);
  EXPECT_NEAR(run->sim().backlog().peak_time().seconds(), 67.0, 0.02);
}

TEST(KedaRabbitmq, ActivationValueHoldsTheWorkloadAtZero) {
  // R-KE3: activationValue 300 (strictly above activates). At the 60 s poll the queue holds 199:
  // not active, the consumers stay at 0. At 90 s it holds 499 (40.1 … 89.9 s): activation at 90 s,
  // the pod ready at 97 s.
  auto run = run_yaml(keda_bench(kLateProducer, kIdleConsumers, R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 1000
    activation_value: 300
)",
                                 "100s"));
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 90.0);
  EXPECT_EQ(scaled[0].value.get<double>(), 499.0);
  EXPECT_EQ(event_times(*run, "c/c-0", "pod-ready"), std::vector<double>({97.0}));
}

TEST(KedaRabbitmq, CooldownReturnsTheWorkloadToZero) {
  // R-KE2: one consumer at 200 ms per message (5/s); 100 messages at 100/s from 25.01 s to
  // 26.0 s. The 30 s poll sees about 100 − 5 × 5 = 75 ready: active, last active 30 s. By 60 s the
  // queue is empty (done near 45 s): inactive. The cooldown of 300 s must pass strictly: at 330 s
  // (30 + 300 is not before 330) nothing, at 360 s the workload goes to 0. The generated HPA
  // never scales below 1 on its own: ceil(75 / 1000) = 1, and 0 messages ask for 0 → min 1.
  auto run = run_yaml("name: bench\nduration: 400s\ncomponents:\n  - name: q\n    kind: queue\n" + std::string(R"(
  - name: p
    kind: producer
    target: q
    arrivals: constant
    start: 25s
    rate: 100/s
    stages: [{duration: 1s, target: 100/s}]
  - name: c
    kind: consumer
    queue: q
    count: 1
    processing_time: 200ms
)") + kPodTiming + R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 1000
)");
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 360.0);
  EXPECT_EQ(scaled[0].from, 1);
  EXPECT_EQ(scaled[0].to, 0);
  EXPECT_EQ(scaled[0].reason, "CooldownToZero");
  EXPECT_EQ(run->sim().ledger().delivered_count(), 100u);
  EXPECT_EQ(run->sim().recorder().current("kube_deployment_status_replicas", {{"deployment", "c"}}), 0.0);
}

const std::string kSteadyLoad = R"(
  - name: p
    kind: producer
    target: q
    arrivals: constant
    rate: 100/s
  - name: c
    kind: consumer
    queue: q
    count: 1
    max_count: 10
    processing_time: 80ms
)";

TEST(KedaRabbitmq, ConsumersScaleOutAndTheBacklogDrains) {
  // 100 msg/s from 0.01 s; consumers at 80 ms per message (12.5/s each), 1 at the start, at most
  // 10; KEDA QueueLength 100 per pod over AMQP (ready messages), minReplicaCount 1.
  // t = 15 s: ready = 1499 published (the publish of 15.0 s runs after the sync) − 187 acked
  //           (0.01 + 0.08 k ≤ 15) − 1 unacked = 1311 → ceil(13.11) = 14, capped by
  //           R-H6 at max(2 × 1, 1 + 4) = 5: 1 → 5, the 4 new pods ready at 22 s.
  // t = 30 s: ready = 2999 − 374 (c-0) − 4 × 99 (c-1…4, whose acks of 30.0 s come after the
  //           sync) − 5 unacked = 2224 → 23, capped at max(2 × 5, 5 + 4) = 10 = max: 5 → 10,
  //           ready at 37 s.
  // The backlog (ready + unacked) grows at 100 − 12.5 = 87.5/s until 22 s, then at
  // 100 − 5 × 12.5 = 37.5/s until c-1…4 ack their 188th message at 37.04 s (the five newest have
  // only just started): the peak is 3703 published − (462 + 4 × 187) acked = 2493 at 37.03 s.
  // Ten pods take 125/s: the backlog falls at 25/s and is back within 10 messages of 0 after
  // (2493 − 10) / 25 ≈ 99.3 s; the acks come in clumps (five pods in step), so the first dip
  // to 10 may come up to 5 / 25 = 0.2 s earlier. Later syncs ask for 10 or more (clamped) until
  // the queue is nearly empty; the 300 s scale-down window then holds the 10.
  auto run = run_yaml(R"(name: bench
duration: 150s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    arrivals: constant
    rate: 100/s
  - name: c
    kind: consumer
    queue: q
    count: 1
    max_count: 10
    processing_time: 80ms
)" + kPodTiming + R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 100
    min_replica_count: 1
)");
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 2u);
  EXPECT_EQ(scaled[0].t, 15.0);
  EXPECT_EQ(scaled[0].to, 5);
  EXPECT_EQ(scaled[0].reason, "ScaleUpLimit");
  EXPECT_EQ(scaled[0].value.get<double>(), 1311.0);
  EXPECT_EQ(scaled[1].t, 30.0);
  EXPECT_EQ(scaled[1].to, 10);
  EXPECT_EQ(scaled[1].value.get<double>(), 2224.0);
  EXPECT_EQ(event_times(*run, "c/c-4", "pod-ready"), std::vector<double>({22.0}));
  EXPECT_EQ(event_times(*run, "c/c-9", "pod-ready"), std::vector<double>({37.0}));
  const auto& backlog = run->sim().backlog();
  EXPECT_NEAR(static_cast<double>(backlog.peak()), 2493, 2);
  EXPECT_NEAR(backlog.peak_time().seconds(), 37.03, 0.02);
  ASSERT_TRUE(backlog.drain_time().has_value());
  EXPECT_GE(backlog.drain_time()->seconds(), 99.3 - 0.25);
  EXPECT_LE(backlog.drain_time()->seconds(), 99.3 + 0.05);
  // kube-state-metrics as a dashboard reads them.
  const sim::Labels hpa = {{"horizontalpodautoscaler", "keda-hpa-keda"}};
  EXPECT_EQ(run->sim().recorder().current("kube_horizontalpodautoscaler_status_desired_replicas", hpa), 10.0);
  EXPECT_EQ(run->sim().recorder().current("kube_horizontalpodautoscaler_status_current_replicas", hpa), 10.0);
  EXPECT_EQ(run->sim().recorder().current("kube_horizontalpodautoscaler_spec_max_replicas", hpa), 10.0);
}


TEST(KedaRabbitmq, ScaleDownWaitsForTheWindowAfterTheBacklogClears) {
  // The bench above, run longer (R-H6, §8.3 step 4). The backlog falls at 25/s from 2493 at
  // 37.03 s; ready = backlog − 10 unacked. The 90 s sync reads ≈ 2493 − 25 × 52.97 − 10 ≈ 1159
  // ready: a recommendation of 12 (clamped to 10). At 105 s ≈ 784: 8; later ones are smaller.
  // The 300 s window keeps the 10 until the 90 s recommendation leaves it: at 390 s the highest
  // left is the 8 of 105 s, and the 100 % policy allows 10 → 8 in one step.
  auto run = run_yaml(R"(name: bench
duration: 391s
components:
  - name: q
    kind: queue
)" + kSteadyLoad + kPodTiming + R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 100
    min_replica_count: 1
)");
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 3u);
  EXPECT_EQ(scaled[1].to, 10);
  EXPECT_EQ(scaled[2].t, 390.0);
  EXPECT_EQ(scaled[2].from, 10);
  EXPECT_EQ(scaled[2].to, 8);
  EXPECT_EQ(scaled[2].reason, "DesiredWithinRange");
}

TEST(KedaRabbitmq, MessageRateReadsThePublishRateOfTheLastEmission) {
  // R-KE3 MessageRate over HTTP: the management plugin emits statistics at 0, 5, 10, 15 s (each
  // before the publish of the same instant). At the 15 s sync the publish rate is
  // (1499 − 999) / 5 s = 100/s: ceil(100 / 20) = 5, ratio 100 / (20 × 1) = 5: 1 → 5 (R-H6 cap
  // max(2, 5) = 5). At 30 s: 100 / (20 × 5) = 1.0, within the tolerance: it stays at 5. At 0 s
  // there is one emission only: rate 0, and 1 is the minimum.
  auto run = run_yaml(keda_bench(kSteadyLoad, "", R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    mode: MessageRate
    protocol: http
    value: 20
)",
                                 "40s"));
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 15.0);
  EXPECT_EQ(scaled[0].to, 5);
  EXPECT_EQ(scaled[0].value.get<double>(), 100.0);
}

TEST(KedaRabbitmq, HttpQueueLengthIsAsOldAsTheLastEmission) {
  // R-KE3 QueueLength over HTTP counts ready + unacked as of the last statistics emission. With
  // the HPA synced at 2, 17, 32 s, the 17 s sync reads the emission of 15 s: 1499 published −
  // 187 acked = 1312 (ready 1311 + unacked 1), not the live count of 17 s (about 1487).
  auto run = run_yaml(keda_bench(kSteadyLoad, "", R"(
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    protocol: http
    value: 100
    min_replica_count: 1
    hpa_sync_phase: 2s
)",
                                 "20s"));
  const auto scaled = scaled_events(*run, "keda");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 17.0);
  EXPECT_EQ(scaled[0].value.get<double>(), 1312.0);
}

TEST(KedaRabbitmq, AnUnreachableQueueIsAScalerErrorNotAScaleDown) {
  // The broker pod is deleted at 20 s and is back after create_delay 5 s + app_start 10 s + the
  // probe at 10 s after its container start + 1 s: at 36 s. The 30 s poll cannot read the queue
  // (its node is down): an error, no change; the 60 s poll reads it again. The HPA's sync at 30 s
  // sees no metric either and keeps the one consumer (FailedGetMetric); at 45 s the few
  // messages ask for ceil(n / 1000) = 1, the same.
  auto run = run_yaml(R"(name: bench
duration: 61s
components:
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q, durable: true}]
  - name: p
    kind: producer
    target: rmq.q
    arrivals: constant
    rate: 10/s
  - name: c
    kind: consumer
    queue: rmq.q
    count: 1
    max_count: 3
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: rmq.q
    value: 1000
faults:
  - {kind: pod-kill, target: rmq/rmq-0, at: 20s}
)");
  EXPECT_EQ(event_times(*run, "keda", "scaler-error"), std::vector<double>({30.0}));
  EXPECT_EQ(event_times(*run, "keda", "scaler-recovered"), std::vector<double>({60.0}));
  EXPECT_TRUE(scaled_events(*run, "keda").empty());
}

TEST(Hpa, CpuUtilizationWithMetricsServerLag) {
  // metric cpu, target 50 %, metrics-server samples at 0, 15, 30, 45 s; syncs at the same times,
  // after the sample. 30 msg/s from 0.0333 s; consumers take 50 ms per message (20/s), 1 pod.
  // t = 15 s: the pod was busy from 0.033 s on (arrivals outpace it): usage ≈ 14.97 / 15 = 99 %,
  //           ratio 1.98 → ceil(1.98 × 1) = 2: 1 → 2; c-1 ready at 22 s.
  // t = 30 s: c-1's container started at 20 s, after the 15 s scrape: no rate yet, missing. On
  //           the way up a missing pod counts 0 %: (99 + 0) / 2 → 49 %, ratio 0.98, within the
  //           tolerance: no change (R-H4).
  // t = 45 s: both have a rate for (30, 45]. The backlog of about 10/s × 22 s = 220 drains at
  //           40 − 30 = 10/s until ≈ 44 s, so both were busy ≥ 14/15 of the time: ≥ 93 %, ratio
  //           ≥ 1.86: ceil(1.86 × 2) = 4 → 2 → 4, within max(2 × 2, 2 + 4) = 6.
  auto run = run_yaml(R"(name: bench
duration: 50s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    arrivals: constant
    rate: 30/s
  - name: c
    kind: consumer
    queue: q
    count: 1
    max_count: 8
    processing_time: 50ms
)" + kPodTiming + R"(
  - name: hpa
    kind: hpa
    target: c
    metric: cpu
    target_utilization: 50
)");
  const auto scaled = scaled_events(*run, "hpa");
  ASSERT_EQ(scaled.size(), 2u);
  EXPECT_EQ(scaled[0].t, 15.0);
  EXPECT_EQ(scaled[0].to, 2);
  EXPECT_EQ(scaled[0].value.get<double>(), 99.0);
  EXPECT_EQ(scaled[1].t, 45.0);
  EXPECT_EQ(scaled[1].from, 2);
  EXPECT_EQ(scaled[1].to, 4);
}

TEST(Hpa, QueueMetricWithAverageValueAndScrapeLag) {
  // metric queue through an adapter: the queue is sampled every 30 s (metric_interval), the HPA
  // syncs every 15 s. 100 msg/s from 0.01 s and one consumer at 80 ms (12.5/s). The 15 s sync
  // still reads the 0 s sample (0 messages, 0 per pod against 500: ratio 0 → 0, kept at the
  // minimum 1); the 30 s sync reads the 30 s sample: 2999 published (the sample runs before the
  // publish of 30.0 s) − 374 acked − 1 unacked = 2624 ready → ceil(2624 / 500) = 6, capped at
  // max(2 × 1, 1 + 4) = 5: 1 → 5 at 30 s, not 15 s.
  auto run = run_yaml(R"(name: bench
duration: 31s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    arrivals: constant
    rate: 100/s
  - name: c
    kind: consumer
    queue: q
    count: 1
    max_count: 8
    processing_time: 80ms
)" + kPodTiming + R"(
  - name: hpa
    kind: hpa
    target: c
    metric: queue
    queue: q
    target_value: 500
    metric_interval: 30s
)");
  const auto scaled = scaled_events(*run, "hpa");
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].t, 30.0);
  EXPECT_EQ(scaled[0].to, 5);
  EXPECT_EQ(scaled[0].value.get<double>(), 2624.0);
}

// ------------------------------------------------------------------ bad input

TEST(AutoscalerInput, MoreReplicasThanSlotsIsAnInputError) {
  const std::string yaml = R"(name: bench
duration: 10s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    rate: 10/s
  - name: c
    kind: consumer
    queue: q
    count: 1
    max_count: 3
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    value: 10
    max_replica_count: 5
)";
  try {
    run_yaml(yaml);
    FAIL() << "expected an InputError";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/components/3/max_replica_count");
    EXPECT_NE(e.message().find("max_count to at least 5"), std::string::npos) << e.what();
  }
}

TEST(AutoscalerInput, MessageRateNeedsTheManagementApi) {
  const std::string yaml = R"(name: bench
duration: 10s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    rate: 10/s
  - name: c
    kind: consumer
    queue: q
  - name: keda
    kind: keda-rabbitmq-scaler
    target: c
    queue: q
    mode: MessageRate
    value: 10
)";
  EXPECT_THROW(run_yaml(yaml), sim::InputError);
  EXPECT_NO_THROW(run_yaml(yaml + "    protocol: http\n"));
}

TEST(AutoscalerInput, TwoAutoscalersOnOneWorkloadAreRefused) {
  // Kubernetes lets one HPA own a scale target; the second reference fails at wiring.
  const std::string yaml = R"(name: bench
duration: 10s
components:
  - name: q
    kind: queue
  - name: p
    kind: producer
    target: q
    rate: 10/s
  - name: c
    kind: consumer
    queue: q
  - name: a
    kind: hpa
    target: c
  - name: b
    kind: hpa
    target: c
)";
  try {
    run_yaml(yaml);
    FAIL() << "expected an InputError";
  } catch (const sim::InputError& e) {
    EXPECT_NE(e.message().find("already connected"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace faultline
