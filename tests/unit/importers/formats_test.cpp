// One test per format the importers read: what each maps, and what it reports as unmapped.
#include <gtest/gtest.h>

#include "sim/core/rfc3339.hpp"
#include "sim/importers/timeline.hpp"
#include "tests/unit/importers/import_test_util.hpp"

namespace faultline::test {
namespace {

using sim::importers::ImportOptions;
using sim::importers::ImportResult;

constexpr int64_t kSec = 1'000'000'000LL;
// 2026-03-01T10:00:00Z: 1772359200 s since the epoch (20513 days × 86400 + 10 h).
constexpr int64_t kT0 = 1772359200LL * kSec;

ImportResult import_records(const std::vector<std::string>& files, ImportOptions opt = {}) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& f : files) texts.emplace_back(f, read_text(record(f)));
  static const sim::ResolvedScenario sc = cluster();
  return sim::importers::import_texts(sc, texts, opt);
}

TEST(ChaosMeshRecords, EventsGiveTheAppliedTimesAndThePodsRestarts) {
  ImportOptions opt;
  opt.start_epoch_ns = kT0;
  const ImportResult r = import_records({"chaos-mesh/pod-kill-events.json", "chaos-mesh/pod-kill.yaml"}, opt);
  ASSERT_EQ(r.faults.size(), 2u);
  // Applied for shop/consumer-1 at 10:00:30.250000Z → 30.25 s; one-shot: no end.
  EXPECT_EQ(r.faults[0].kind, "pod-kill");
  EXPECT_EQ(r.faults[0].start.ns(), 30'250'000'000LL);
  EXPECT_FALSE(r.faults[0].end.has_value());
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>{"consumer/consumer-1"});
  // The pod's Started event at 10:00:41Z is when it served again: 41 s.
  ASSERT_TRUE(r.faults[0].recovered.has_value());
  EXPECT_EQ(r.faults[0].recovered->ns(), 41 * kSec);
  // 2026-03-01T11:01:10+01:00 is 10:01:10Z: 70 s.
  EXPECT_EQ(r.faults[1].start.ns(), 70 * kSec);
  EXPECT_EQ(r.faults[1].targets, std::vector<std::string>{"consumer/consumer-2"});
  EXPECT_EQ(r.faults[1].params["grace_period"], "0s");  // gracePeriod: 0 of the definition
  EXPECT_EQ(*r.start_epoch_ns, kT0);
  // The scheduler's and the controller's bookkeeping events are listed, not silently dropped.
  EXPECT_TRUE(has_unmapped(r, "Scheduled ×1"));
  EXPECT_TRUE(has_unmapped(r, "FinalizerInited ×1, Updated ×1"));
}

TEST(ChaosMeshRecords, EventsAloneInferAPodChaosAction) {
  const ImportResult r = import_records({"chaos-mesh/pod-kill-events.json"});
  ASSERT_EQ(r.faults.size(), 2u);
  // Time zero is the first recorded time: the Applied at 10:00:30.25Z.
  EXPECT_EQ(*r.start_epoch_ns, kT0 + 30'250'000'000LL);
  EXPECT_EQ(r.faults[0].start.ns(), 0);
  EXPECT_EQ(r.faults[1].start.ns(), 39'750'000'000LL);  // 70 − 30.25
  EXPECT_TRUE(has_unmapped(r, "its action is taken as pod-kill"));
}

TEST(ChaosMeshRecords, ContainerRecordsGiveWindowsAndDurationCountsFromCreation) {
  const ImportResult r = import_records({"chaos-mesh/pod-failure-records.yaml"});
  ASSERT_EQ(r.faults.size(), 2u);
  EXPECT_EQ(*r.start_epoch_ns, kT0);  // creationTimestamp 10:00:00Z
  // consumer-0: Apply 0.5 s, Recover 30.5 s.
  EXPECT_EQ(r.faults[0].kind, "pod-failure");
  EXPECT_EQ(r.faults[0].start.ns(), 500'000'000);
  EXPECT_EQ(r.faults[0].end->ns(), 30'500'000'000LL);
  // consumer-2: Apply 0.7 s, its Recover failed → ends at creation + duration = 30 s.
  EXPECT_EQ(r.faults[1].targets, std::vector<std::string>{"consumer/consumer-2"});
  EXPECT_EQ(r.faults[1].start.ns(), 700'000'000);
  EXPECT_EQ(r.faults[1].end->ns(), 30 * kSec);
  EXPECT_TRUE(has_unmapped(r, "the chaos failed: rpc error: container not found"));
}

TEST(ChaosMeshRecords, NetworkChaosTargetSideRecordsArePeers) {
  const ImportResult r = import_records({"chaos-mesh/network-delay-records.json"});
  ASSERT_EQ(r.faults.size(), 1u);
  const sim::Fault& f = r.faults[0];
  EXPECT_EQ(f.kind, "network-delay");
  EXPECT_EQ(f.targets, std::vector<std::string>{"consumer/consumer-0"});
  EXPECT_EQ(f.params["peers"], sim::Json::array({"orders"}));  // the ".Target" record
  EXPECT_EQ(f.params["latency"], "100ms");
  EXPECT_EQ(f.params["jitter"], "10ms");
  EXPECT_DOUBLE_EQ(f.params["correlation"].get<double>(), 0.5);  // "50" percent
  // created 10:00:05Z; Apply 10:00:05.120Z, Recover 10:00:25.040Z.
  EXPECT_EQ(f.start.ns(), 120'000'000);
  EXPECT_EQ(f.end->ns(), 20'040'000'000LL);
}

TEST(ChaosMeshRecords, DashboardExportWithZones) {
  const ImportResult r = import_records({"chaos-mesh/dashboard-events.json"});
  ASSERT_EQ(r.faults.size(), 1u);
  // 18:00:10.75+08:00 = 10:00:10.75Z is the first Applied; Started at 10.5 is earlier but is
  // bookkeeping, so time zero is 10:00:10.75Z; Recovered 18:00:40.9+08:00 → 30.15 s.
  EXPECT_EQ(r.faults[0].kind, "pod-failure");
  EXPECT_EQ(r.faults[0].start.ns(), 0);
  EXPECT_EQ(r.faults[0].end->ns(), 30'150'000'000LL);
  EXPECT_EQ(*r.start_epoch_ns, kT0 + 10'750'000'000LL);
}

TEST(ChaosMeshRecords, KubectlDescribeOutput) {
  const ImportResult r = import_records({"chaos-mesh/podchaos-describe.txt"});
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].kind, "pod-failure");
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>{"consumer/consumer-2"});
  EXPECT_EQ(r.faults[0].start.ns(), 0);
  EXPECT_EQ(r.faults[0].end->ns(), 30 * kSec);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].formats[0], "chaos-mesh PodChaos with containerRecords (record)");
}

TEST(ChaosMeshDefinitions, ScheduleEveryExpandsOverTheScenario) {
  // @every 60s in a 5 min scenario: ticks at 60, 120, 180, 240 s (not at 0, not at 300).
  const ImportResult r = import_records({"chaos-mesh/schedule.yaml"});
  ASSERT_EQ(r.faults.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.faults[i].start.ns(), static_cast<int64_t>(i + 1) * 60 * kSec);
    EXPECT_EQ(r.faults[i].targets.size(), 1u);
  }
  EXPECT_FALSE(r.start_epoch_ns.has_value());  // a definition: no record time
}

TEST(ChaosMeshDefinitions, SameSeedSameDraw) {
  const sim::ResolvedScenario sc = cluster();
  const std::string text = read_text(record("chaos-mesh/schedule.yaml"));
  const ImportResult a = import_one(sc, "a.yaml", text), b = import_one(sc, "elsewhere/b.yaml", text);
  ASSERT_EQ(a.faults.size(), b.faults.size());
  for (size_t i = 0; i < a.faults.size(); ++i) EXPECT_EQ(a.faults[i].targets, b.faults[i].targets);
}

TEST(ChaosMeshDefinitions, NetworkChaosEveryActionAndField) {
  const sim::ResolvedScenario sc = cluster();
  const ImportResult r = import_one(sc, "netem.yaml", R"Y(
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: {name: netem}
spec:
  action: netem
  mode: all
  direction: both
  selector: {labelSelectors: {app: consumer}}
  target: {mode: all, selector: {labelSelectors: {app: rabbitmq}}}
  externalTargets: [10.0.0.1]
  delay: {latency: 50ms, reorder: {reorder: "10", correlation: "0", gap: 5}}
  loss: {loss: "5"}
  duplicate: {duplicate: "1"}
  corrupt: {corrupt: "2", correlation: "10"}
  rate: {rate: 8mbit}
  duration: 1m
)Y");
  ASSERT_EQ(r.faults.size(), 5u);
  EXPECT_EQ(r.faults[0].kind, "network-delay");
  EXPECT_EQ(r.faults[1].kind, "network-loss");
  EXPECT_DOUBLE_EQ(r.faults[1].params["loss"].get<double>(), 0.05);
  EXPECT_EQ(r.faults[2].kind, "network-duplicate");
  EXPECT_EQ(r.faults[3].kind, "network-corrupt");
  EXPECT_DOUBLE_EQ(r.faults[3].params["correlation"].get<double>(), 0.1);
  EXPECT_EQ(r.faults[4].kind, "network-bandwidth");
  EXPECT_EQ(r.faults[4].params["rate"], 1'000'000);  // 8 mbit/s = 1 000 000 bytes/s
  for (const auto& f : r.faults) {
    EXPECT_EQ(f.params["direction"], "both");
    EXPECT_EQ(f.params["peers"], sim::Json::array({"orders"}));
    EXPECT_EQ(f.targets.size(), 3u);  // mode all: the 3 consumers
    EXPECT_EQ(f.end->ns(), 60 * kSec);
  }
  EXPECT_TRUE(has_unmapped(r, "packet reordering is not modelled"));
  EXPECT_TRUE(has_unmapped(r, "external addresses are outside the scenario"));
}

TEST(ChaosMeshDefinitions, BandwidthUnitsAreTcs) {
  const sim::ResolvedScenario sc = cluster();
  const auto rate = [&](const std::string& r) {
    const ImportResult res = import_one(sc, "bw.yaml", "apiVersion: chaos-mesh.org/v1alpha1\nkind: NetworkChaos\nmetadata: {name: bw}\n"
                                                      "spec: {action: bandwidth, mode: all, selector: {labelSelectors: {app: consumer}}, "
                                                      "bandwidth: {rate: " + r + ", limit: 100, buffer: 10000}, duration: 10s}\n");
    return res.faults.at(0).params["rate"].get<int64_t>();
  };
  EXPECT_EQ(rate("100kbps"), 100'000);  // bps units are bytes per second
  EXPECT_EQ(rate("1mbit"), 125'000);    // bit units: 1 000 000 / 8
  EXPECT_EQ(rate("2gbps"), 2'000'000'000);
}

TEST(ChaosMeshDefinitions, UnmodelledKindsAndUnmatchedSelectors) {
  const sim::ResolvedScenario sc = cluster();
  const ImportResult r = import_one(sc, "multi.yaml", R"Y(
apiVersion: chaos-mesh.org/v1alpha1
kind: TimeChaos
metadata: {name: skew}
spec: {mode: one, selector: {labelSelectors: {app: consumer}}, timeOffset: -10m, duration: 30s}
---
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: {name: nothing}
spec: {action: pod-kill, mode: one, selector: {labelSelectors: {app: tikv}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
data: {a: b}
)Y");
  EXPECT_TRUE(r.faults.empty());
  EXPECT_TRUE(has_unmapped(r, "no model reads a wall clock"));
  EXPECT_TRUE(has_unmapped(r, "matches no component"));
  EXPECT_TRUE(has_unmapped(r, "a Kubernetes ConfigMap (v1) is not a chaos experiment"));
}

TEST(ChaosMeshDefinitions, WorkflowSerialParallelSuspend) {
  const sim::ResolvedScenario sc = cluster();
  ImportOptions opt;
  opt.at = sim::Duration::s(10);
  const ImportResult r = import_one(sc, "wf.yaml", R"Y(
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entry: main
  templates:
    - {name: main, templateType: Serial, children: [both, pause, kill]}
    - {name: both, templateType: Parallel, children: [slow, stress]}
    - name: slow
      templateType: NetworkChaos
      deadline: 20s
      networkChaos: {action: delay, mode: all, selector: {labelSelectors: {app: rabbitmq}}, delay: {latency: 10ms}}
    - name: stress
      templateType: StressChaos
      deadline: 30s
      stressChaos: {mode: all, selector: {pods: {shop: [consumer-0]}}, stressors: {memory: {workers: 2, size: 64MB}}}
    - {name: pause, templateType: Suspend, deadline: 15s}
    - name: kill
      templateType: PodChaos
      podChaos: {action: container-kill, mode: all, containerNames: [app], selector: {labelSelectors: {tier: worker}}}
)Y", opt);
  // Parallel from 10 s: delay 10–30 s and stress 10–40 s; the node ends at 40 s; Suspend 40–55 s;
  // the container-kill at 55 s on the 3 workers.
  ASSERT_EQ(r.faults.size(), 3u);
  EXPECT_EQ(r.faults[0].kind, "network-delay");
  EXPECT_EQ(r.faults[0].start.ns(), 10 * kSec);
  EXPECT_EQ(r.faults[0].end->ns(), 30 * kSec);
  EXPECT_EQ(r.faults[1].kind, "stress-memory");
  EXPECT_EQ(r.faults[1].end->ns(), 40 * kSec);
  EXPECT_EQ(r.faults[1].targets, std::vector<std::string>{"consumer/consumer-0"});
  EXPECT_EQ(r.faults[1].params["size"], 64'000'000);
  EXPECT_EQ(r.faults[2].kind, "container-kill");
  EXPECT_EQ(r.faults[2].start.ns(), 55 * kSec);
  EXPECT_EQ(r.faults[2].params["container"], "app");
  EXPECT_EQ(r.faults[2].targets.size(), 3u);
}

TEST(ChaosMeshDefinitions, PausedObjectInjectsNothing) {
  const sim::ResolvedScenario sc = cluster();
  const ImportResult r = import_one(sc, "p.yaml", R"Y(
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: {name: p, annotations: {experiment.chaos-mesh.org/pause: "true"}}
spec: {action: pod-kill, mode: one, selector: {labelSelectors: {app: consumer}}}
)Y");
  EXPECT_TRUE(r.faults.empty());
  EXPECT_TRUE(has_unmapped(r, "the experiment is paused"));
}

TEST(Litmus, PodDeleteLoopWithTunables) {
  const sim::ResolvedScenario sc = cluster();
  const ImportResult r = import_one(sc, "engine.yaml", R"Y(
apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata: {name: e}
spec:
  appinfo: {applabel: "app=consumer"}
  experiments:
    - name: pod-delete
      spec:
        components:
          env:
            - {name: TOTAL_CHAOS_DURATION, value: "25"}
            - {name: CHAOS_INTERVAL, value: "10"}
            - {name: FORCE, value: "false"}
            - {name: PODS_AFFECTED_PERC, value: "70"}
            - {name: SEQUENCE, value: "serial"}
            - {name: RAMP_TIME, value: "5"}
)Y");
  // 70 % of 3 pods: floor(2.1) = 2 pods per iteration, killed one by one 10 s apart. Iteration 1
  // kills at 5 and 15 s (after RAMP_TIME 5 s), elapsed 20 < 25 → iteration 2 at 25 and 35 s;
  // elapsed 40 ≥ 25 stops.
  ASSERT_EQ(r.faults.size(), 4u);
  const int64_t want[] = {5, 15, 25, 35};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.faults[i].start.ns(), want[i] * kSec);
    EXPECT_EQ(r.faults[i].targets.size(), 1u);
    EXPECT_EQ(r.faults[i].params["grace_period"], "30s");  // FORCE false: Kubernetes' default
  }
  EXPECT_NE(r.faults[0].targets, r.faults[1].targets);  // a contiguous run of 2 distinct pods
  EXPECT_TRUE(has_unmapped(r, "Kubernetes' default 30 s"));
}

TEST(Litmus, ChaosExperimentDefaultsApply) {
  const sim::ResolvedScenario sc = cluster();
  const std::string experiment = read_text(std::string(FAULTLINE_SHARED_DIR) + "/corpus/litmus/chaos-charts/faults/kubernetes/pod-delete/fault.yaml");
  if (experiment.empty()) GTEST_SKIP() << "../shared/corpus is absent";
  const std::string engine =
      "apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosEngine\nmetadata: {name: e}\nspec:\n  appinfo: {applabel: app=rabbitmq}\n"
      "  experiments: [{name: pod-delete}]\n";
  const ImportResult r = sim::importers::import_texts(sc, {{"fault.yaml", experiment}, {"engine.yaml", engine}}, {});
  // The CR's TOTAL_CHAOS_DURATION 15 and CHAOS_INTERVAL 5: kills at 0, 5, 10 s; FORCE true → 0s.
  ASSERT_EQ(r.faults.size(), 3u);
  EXPECT_EQ(r.faults[2].start.ns(), 10 * kSec);
  EXPECT_EQ(r.faults[0].params["grace_period"], "0s");
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>{"orders"});
}

TEST(Litmus, RunEventsGiveKillAndRestartTimes) {
  const ImportResult r = import_records({"litmus/run-events.json", "litmus/rabbitmq-pod-delete-engine.yaml"});
  ASSERT_EQ(r.faults.size(), 1u);
  // Time zero: the first ChaosInject, 10:02:00Z. Killing 10:02:00.8Z, Started 10:02:12.4Z.
  EXPECT_EQ(*r.start_epoch_ns, kT0 + 120 * kSec);
  EXPECT_EQ(r.faults[0].start.ns(), 800'000'000);
  EXPECT_EQ(r.faults[0].recovered->ns(), 12'400'000'000LL);
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>{"orders"});
  EXPECT_EQ(r.faults[0].params["grace_period"], "0s");  // the engine's FORCE true
}

TEST(Litmus, ChaosResultIsReportedWithItsVerdict) {
  const ImportResult r = import_records({"litmus/chaosresult.yaml"});
  EXPECT_TRUE(r.faults.empty());
  EXPECT_TRUE(has_unmapped(r, "verdict Pass"));
  EXPECT_TRUE(has_unmapped(r, "statefulset orders (injected)"));
}

TEST(Litmus, OtherExperimentsMapToKinds) {
  const sim::ResolvedScenario sc = cluster();
  const ImportResult r = import_one(sc, "engine.yaml", R"Y(
apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata: {name: e}
spec:
  appinfo: {applabel: "tier in (worker)"}
  experiments:
    - name: pod-network-latency
      spec: {components: {env: [{name: NETWORK_LATENCY, value: "250"}, {name: DESTINATION_HOSTS, value: "orders.shop.svc"},
                                  {name: PODS_AFFECTED_PERC, value: "100"}]}}
    - name: pod-cpu-hog
      spec: {components: {env: [{name: CPU_CORES, value: "2"}, {name: CPU_LOAD, value: "50"}]}}
    - name: disk-fill
)Y");
  ASSERT_EQ(r.faults.size(), 2u);
  // Both start at 0 and last TOTAL_CHAOS_DURATION's default, 60 s.
  EXPECT_EQ(r.faults[0].kind, "network-delay");
  EXPECT_EQ(r.faults[0].params["latency"], "250ms");
  EXPECT_EQ(r.faults[0].params["peers"], sim::Json::array({"orders"}));
  EXPECT_EQ(r.faults[0].targets.size(), 3u);
  EXPECT_EQ(r.faults[0].end->ns(), 60 * kSec);
  EXPECT_EQ(r.faults[1].kind, "stress-cpu");
  EXPECT_EQ(r.faults[1].params["workers"], 2);
  EXPECT_DOUBLE_EQ(r.faults[1].params["load"].get<double>(), 0.5);
  EXPECT_TRUE(has_unmapped(r, "no disk capacity in the scenario"));
}

TEST(ChaosToolkit, JournalNamesThePods) {
  const ImportResult r = import_records({"chaostoolkit/journal.json"});
  ASSERT_EQ(r.faults.size(), 1u);
  // start 10:00:20.1+00:00; the action ran at 10:00:20.5 → 0.4 s; output names consumer-1.
  EXPECT_EQ(r.faults[0].start.ns(), 400'000'000);
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>{"consumer/consumer-1"});
  EXPECT_EQ(r.faults[0].params["grace_period"], "0s");
}

TEST(ChaosToolkit, ExperimentPausesAndConfiguration) {
  const sim::ResolvedScenario sc = cluster();
  ImportOptions opt;
  opt.vars["selector"] = "app=consumer";
  const ImportResult r = import_one(sc, "exp.json", R"Y({
  "title": "t", "description": "d",
  "configuration": {"selector": {"type": "env", "key": "SEL"}},
  "method": [
    {"type": "action", "name": "a", "pauses": {"before": 5, "after": 10},
     "provider": {"type": "python", "module": "chaosk8s.pod.actions", "func": "terminate_pods",
                  "arguments": {"label_selector": "${selector}", "qty": 2, "grace_period": 3}}},
    {"type": "action", "name": "b",
     "provider": {"type": "process", "path": "kubectl", "arguments": "delete pod consumer-2 --grace-period=0"}},
    {"type": "action", "name": "c", "provider": {"type": "python", "module": "chaosk8s.node.actions", "func": "drain_nodes"}}
  ]})Y", opt);
  // a at 5 s on the first 2 consumers by name; b after a's 10 s pause: 15 s.
  ASSERT_EQ(r.faults.size(), 2u);
  EXPECT_EQ(r.faults[0].start.ns(), 5 * kSec);
  EXPECT_EQ(r.faults[0].targets, (std::vector<std::string>{"consumer/consumer-0", "consumer/consumer-1"}));
  EXPECT_EQ(r.faults[0].params["grace_period"], "3s");
  EXPECT_EQ(r.faults[1].start.ns(), 15 * kSec);
  EXPECT_EQ(r.faults[1].targets, std::vector<std::string>{"consumer/consumer-2"});
  EXPECT_TRUE(has_unmapped(r, "the importer does not resolve which pods the node holds"));
}

TEST(K6, RampingArrivalRateBecomesStages) {
  const ImportResult r = import_records({"k6/options-ramping.json"});
  // startRate 60/min = 1/s; stages to 600/min = 10/s over 30 s, hold 1 min, down to 0 in 30 s.
  ASSERT_EQ(r.load_overrides.size(), 5u);
  EXPECT_EQ(r.load_overrides[2].first, "components.producer.rate");
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 1.0);
  const sim::Json& st = r.load_overrides[3].second;
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0]["duration"], "30s");
  EXPECT_DOUBLE_EQ(st[0]["target"].get<double>(), 10.0);
  EXPECT_EQ(st[1]["duration"], "1m");
  EXPECT_DOUBLE_EQ(st[2]["target"].get<double>(), 0.0);
}

TEST(K6, VuExecutorsNeedTheIterationTime) {
  ImportResult r = import_records({"k6/options-vus.json"});
  EXPECT_TRUE(r.load_overrides.empty());
  EXPECT_TRUE(has_unmapped(r, "give --k6-iteration"));
  ImportOptions opt;
  opt.k6_iteration = sim::Duration::ms(500);
  r = import_records({"k6/options-vus.json"}, opt);
  // stages shortcut = ramping-vus from vus 10: 10 VUs / 0.5 s = 20/s, to 40/s in 1 min, to 0.
  ASSERT_EQ(r.load_overrides.size(), 5u);
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(r.load_overrides[3].second[0]["target"].get<double>(), 40.0);
}

TEST(K6, SummariesGiveAnAverageRate) {
  ImportResult r = import_records({"k6/handle-summary.json"});
  // 2400 requests in testRunDurationMs 120000: 20/s for 2 min.
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 20.0);
  EXPECT_EQ(r.load_overrides[3].second[0]["duration"], "2m");
  r = import_records({"k6/summary-export.json"});
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 99.98);  // http_reqs.rate
}

TEST(K6, RecordedPointsAreBinned) {
  const ImportResult r = import_records({"k6/out.ndjson"});
  // Requests at 0.1, 0.6 | 1.2, 1.4, 1.8 | – | 3.5 s after 10:00:00Z (written +01:00): bins of
  // 2, 3, 0, 1 per second.
  EXPECT_EQ(*r.start_epoch_ns, kT0);
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 2.0);
  const sim::Json& st = r.load_overrides[3].second;
  std::vector<double> targets;
  for (const auto& s : st) targets.push_back(s["target"].get<double>());
  EXPECT_EQ(targets, (std::vector<double>{2, 3, 3, 0, 0, 1, 1}));
  const ImportResult csv = import_records({"k6/out.csv"});
  EXPECT_DOUBLE_EQ(csv.load_overrides[2].second.get<double>(), 2.0);  // 2 rows at 1772359200
}

TEST(K6, AnHttpLoadIsDrivenLikeAProducer) {
  // A scenario with a producer and an http-load: the k6 scenario "pages" names neither, so the
  // importer asks which one; --producer browser sets the http-load's parameters (its bound is
  // `requests`, a producer's `messages`).
  const sim::ResolvedScenario sc = scenario_from(R"Y(
name: two-loads
duration: 5m
components:
  - {name: feeder, kind: producer, target: q, rate: 10/s}
  - {name: q, kind: queue}
  - {name: browser, kind: http-load, target: web}
  - {name: web, kind: http-service}
)Y");
  const std::string options = read_text(record("k6/options-bookinfo.json"));
  try {
    import_one(sc, "options.json", options);
    ADD_FAILURE() << "two load sources and no --producer must be refused";
  } catch (const sim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("2 load sources, producers or http-loads (feeder, browser): choose one with "
                                         "--producer"),
              std::string::npos)
        << e.what();
  }
  ImportOptions opt;
  opt.producer = "browser";
  const ImportResult r = import_one(sc, "options.json", options, opt);
  ASSERT_EQ(r.load_overrides.size(), 5u);
  // 5/s from 10 s for 2 min: start 10s, rate 5, one 2 min stage at 5, no request bound.
  EXPECT_EQ(r.load_overrides[1], (std::pair<std::string, sim::Json>{"components.browser.start", "10s"}));
  EXPECT_DOUBLE_EQ(r.load_overrides[2].second.get<double>(), 5.0);
  EXPECT_EQ(r.load_overrides[3].second[0]["duration"], "2m");
  EXPECT_EQ(r.load_overrides[4].first, "components.browser.requests");
  EXPECT_TRUE(r.load_overrides[4].second.is_null());
}

TEST(Timeline, RoundTripsThroughTheFormat) {
  const ImportResult a = import_records({"chaos-mesh/pod-failure-records.yaml"});
  const std::string text = sim::importers::render_timeline(a.faults);
  const ImportResult b = import_one(cluster(), "faults.jsonl", text);
  ASSERT_EQ(a.faults.size(), b.faults.size());
  for (size_t i = 0; i < a.faults.size(); ++i)
    EXPECT_EQ(sim::fault_to_json(a.faults[i]).dump(), sim::fault_to_json(b.faults[i]).dump());
}

}  // namespace
}  // namespace faultline::test
