// Each kind of fault (issue 5, DESIGN §5): importing its definition, a fixture in the chaos
// tool's own format (tests/fixtures/records/*/equivalence/, ../istio/, ../glooshot/), and running
// it has the same effect on the model as writing the same fault by hand in the scenario. Every
// pair shows identical timeline lines (all but their source, which names the file and field),
// identical events, summary and fingerprint, and one effect of the model, derived by hand in a
// comment, that shows the fault acted. Kinds that no chaos tool defines come from the run-record
// timeline; faults a model does not react to are listed as unmapped with the reason.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <set>

#include "sim/faults/fault_kinds.hpp"
#include "sim/run/scenario_run.hpp"
#include "tests/unit/importers/import_test_util.hpp"

namespace faultline::test {
namespace {

using sim::importers::ImportOptions;
using sim::importers::ImportResult;

// ---- Benches: one small scenario per family of models.

// Pods: a producer, one RabbitMQ pod, two consumer pods (5 ms per message, no network).
const char* kPods = R"Y(
name: pods
duration: 60s
seed: 3
components:
  - {name: feeder, kind: producer, target: rmq.orders, rate: 50/s, arrivals: constant, labels: {app: feeder}}
  - {name: rmq, kind: broker-cluster, count: 1, labels: {app: rabbitmq}, queues: [{name: orders}]}
  - {name: consumer, kind: consumer, count: 2, queue: rmq.orders, processing_time: 5ms, labels: {app: consumer}}
)Y";

// The network bench of tests/unit/models/network_test.cpp: 60 msg/s published evenly, one consumer
// with prefetch 2 and 10 ms of work, one host with no same-host latency, so a round trip is only
// what the faults add.
const char* kNet = R"Y(
name: net
duration: 60s
seed: 3
components:
  - {name: p, kind: producer, target: rmq.q, rate: 60/s, arrivals: constant, labels: {app: feeder}}
  - {name: rmq, kind: broker-cluster, count: 1, queues: [{name: q}], labels: {app: rabbitmq}}
  - {name: c, kind: consumer, queue: rmq.q, prefetch: 2, processing_time: 10ms, labels: {app: consumer}}
  - {name: net, kind: network, same_host_latency: 0s}
)Y";

// CPU: 60 msg/s to one consumer pod with one core (`cpus` 1) and 10 ms of work per message.
const char* kStress = R"Y(
name: stress
duration: 60s
seed: 3
components:
  - {name: p, kind: producer, target: q, rate: 60/s, arrivals: constant}
  - {name: q, kind: queue}
  - {name: c, kind: consumer, queue: q, processing_time: 10ms, labels: {app: consumer}}
)Y";

// Storage: a consumer writes every message to mariadb-0 of a 3-member Galera cluster.
const char* kDb = R"Y(
name: db
duration: 60s
seed: 3
components:
  - {name: feeder, kind: producer, target: q, rate: 50/s, arrivals: constant}
  - {name: q, kind: queue}
  - {name: consumer, kind: consumer, queue: q, writes_to: mariadb.mariadb-0, labels: {app: consumer}}
  - {name: mariadb, kind: galera-cluster, count: 3, labels: {app: mariadb}}
)Y";

// CHAOS@FIRE's bootstrap trap: the same cluster, written to through its Service.
const char* kTrap = R"Y(
name: trap
duration: 100s
seed: 3
components:
  - {name: feeder, kind: producer, target: q, rate: 50/s, arrivals: constant}
  - {name: q, kind: queue}
  - {name: consumer, kind: consumer, queue: q, writes_to: mariadb, labels: {app: consumer}}
  - {name: mariadb, kind: galera-cluster, count: 3, labels: {app: mariadb}, bootstrap_trap: true}
)Y";

// Mesh: bookinfo's chain under 2 pages/s (requests at 0.75 s, 1.25 s, …: never on a fault instant).
const char* kMesh = R"Y(
name: mesh
duration: 60s
seed: 3
components:
  - {name: browser, kind: http-load, target: productpage, arrivals: constant, rate: 2/s, start: 250ms}
  - {name: productpage, kind: http-service, count: 1, labels: {app: productpage}, service_time: 10ms, calls: reviews}
  - {name: reviews, kind: http-service, count: 1, labels: {app: reviews}, service_time: 5ms, calls: ratings}
  - {name: ratings, kind: http-service, count: 1, labels: {app: ratings}, service_time: 2ms}
)Y";

// ---- The pair of runs.

struct Pair {
  ImportResult imported;
  std::unique_ptr<sim::ScenarioRun> from_import;  // the scenario replaying the imported timeline
  std::unique_ptr<sim::ScenarioRun> by_hand;      // the scenario with the faults written in it
};

/// Imports the fixtures (definitions placed from `at_s`), runs the bench with that timeline, and
/// runs the bench with `by_hand` (fault entries, one "  - {...}" line each) as its faults.
Pair run_pair(const std::string& bench, const std::vector<std::string>& fixtures, const std::string& by_hand,
              double at_s) {
  Pair p;
  ImportOptions opt;
  opt.at = sim::Duration::from_seconds(at_s);
  std::vector<std::string> files;
  for (const std::string& f : fixtures) files.push_back(record(f));
  p.imported = sim::importers::import_files(scenario_from(bench), files, opt);
  sim::RunOptions replay;
  replay.recorded_faults = p.imported.faults;
  p.from_import = std::make_unique<sim::ScenarioRun>(scenario_from(bench), models::builtin_registry(), replay);
  p.from_import->run();
  p.by_hand = std::make_unique<sim::ScenarioRun>(scenario_from(bench + "faults:\n" + by_hand),
                                                 models::builtin_registry(), sim::RunOptions{});
  p.by_hand->run();
  return p;
}

/// The same timeline lines (but the source), events, summary and fingerprint.
void expect_same(const Pair& p) {
  const auto& a = p.from_import->faults().timeline();
  const auto& b = p.by_hand->faults().timeline();
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    auto ja = sim::fault_to_json(a[i]);
    auto jb = sim::fault_to_json(b[i]);
    // The source differs by design: the chaos file and its field (or, for a record's timeline,
    // the record it names) against the scenario's entry.
    EXPECT_FALSE(ja["source"].value("file", std::string()).empty()) << ja["source"].dump();
    ja.erase("source");
    jb.erase("source");
    EXPECT_EQ(ja.dump(), jb.dump());
  }
  EXPECT_EQ(p.from_import->sim().events().lines(), p.by_hand->sim().events().lines());
  EXPECT_EQ(p.from_import->summary().dump(), p.by_hand->summary().dump());
  EXPECT_EQ(p.from_import->fingerprint(), p.by_hand->fingerprint());
}

// ---- Reading a run.

std::vector<sim::Json> events(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  std::vector<sim::Json> out;
  for (const std::string& line : run.sim().events().lines()) {
    sim::Json j = sim::Json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) out.push_back(std::move(j));
  }
  return out;
}

std::vector<double> event_times(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  std::vector<double> out;
  for (const sim::Json& e : events(run, component, event)) out.push_back(e["t_s"].get<double>());
  return out;
}

/// A series' sample at a scrape (every second); NaN when the series or the scrape is missing.
double sample(const sim::ScenarioRun& run, const std::string& name, const sim::Labels& labels, double t_s) {
  const auto& times = run.sim().recorder().scrape_times_ns();
  for (const sim::SeriesView& s : run.sim().recorder().series()) {
    if (s.name != name || s.labels != labels) continue;
    for (size_t i = s.first_sample; i < times.size(); ++i)
      if (times[i] == sim::SimTime::at(sim::Duration::from_seconds(t_s)).ns()) return (*s.values)[i - s.first_sample];
  }
  ADD_FAILURE() << "no sample of " << name << " at " << t_s << " s";
  return std::numeric_limits<double>::quiet_NaN();
}

double increase(const sim::ScenarioRun& run, const std::string& name, const sim::Labels& labels, double from_s,
                double to_s) {
  return sample(run, name, labels, to_s) - sample(run, name, labels, from_s);
}

/// The reason the run gave for not applying fault `i` to its first target ("" when applied).
std::string unmapped_reason(const sim::ScenarioRun& run, size_t i) {
  const auto& f = run.summary()["faults"].at(i);
  return f.contains("unmapped") ? f["unmapped"][0]["reason"].get<std::string>() : std::string();
}

const sim::Labels kConsumer0 = {{"pod", "consumer/consumer-0"}};
const sim::Labels kC0 = {{"pod", "c/c-0"}};

// ================================================================ pods (models/kubernetes)

TEST(EquivalencePods, PodChaosPodKill) {
  const Pair p = run_pair(kPods, {"chaos-mesh/equivalence/pod-kill.yaml"},
                          "  - {kind: pod-kill, at: 20s, target: consumer/consumer-1, params: {grace_period: 5s}}\n", 20);
  expect_same(p);
  // gracePeriod 5: the pod is deleted at 20 s and its process gets SIGKILL at the deadline, 25 s (R-K4).
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-1", "pod-deleted"), std::vector<double>{20.0});
  const auto stopped = events(*p.from_import, "consumer/consumer-1", "process-stopped");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_DOUBLE_EQ(stopped[0]["t_s"].get<double>(), 25.0);
  EXPECT_EQ(stopped[0]["cause"], "pod-deleted");
}

TEST(EquivalencePods, PodChaosPodFailure) {
  const Pair p = run_pair(kPods, {"chaos-mesh/equivalence/pod-failure.yaml"},
                          "  - {kind: pod-failure, at: 20s, duration: 10s, target: consumer/consumer-0}\n", 20);
  expect_same(p);
  // The pause image from 20 s; the container starts again in place at the duration's end, 30 s.
  const auto stopped = events(*p.from_import, "consumer/consumer-0", "process-stopped");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_DOUBLE_EQ(stopped[0]["t_s"].get<double>(), 20.0);
  EXPECT_EQ(stopped[0]["cause"], "pod-failure");
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-0", "container-started"), std::vector<double>{30.0});
  // Nothing is processed by that pod while it is down.
  EXPECT_EQ(increase(*p.from_import, "faultline_consumer_messages_processed_total", kConsumer0, 21, 30), 0);
}

TEST(EquivalencePods, PodChaosContainerKill) {
  const Pair p = run_pair(kPods, {"chaos-mesh/equivalence/container-kill.yaml"},
                          "  - {kind: container-kill, at: 20s, target: consumer/consumer-0, params: {container: delivery}}\n",
                          20);
  expect_same(p);
  // The container is killed at 20 s and restarted in place (restart count 1, R-K2).
  const auto stopped = events(*p.from_import, "consumer/consumer-0", "process-stopped");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0]["cause"], "container-killed");
  const auto started = events(*p.from_import, "consumer/consumer-0", "container-started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0]["restarts"], 1);
}

TEST(EquivalencePods, LitmusPodDeleteKillsTheBrokerPodEveryInterval) {
  // TOTAL_CHAOS_DURATION 20, CHAOS_INTERVAL 10, FORCE true from 20 s: kills at 20 s and 30 s, grace 0.
  const Pair p = run_pair(kPods, {"litmus/equivalence/pod-delete-rabbitmq.yaml"},
                          "  - {kind: pod-kill, at: 20s, target: rmq/rmq-0, params: {grace_period: 0s}}\n"
                          "  - {kind: pod-kill, at: 30s, target: rmq/rmq-0, params: {grace_period: 0s}}\n",
                          20);
  expect_same(p);
  EXPECT_EQ(event_times(*p.from_import, "rmq/rmq-0", "pod-deleted"), (std::vector<double>{20.0, 30.0}));
}

TEST(EquivalencePods, LitmusContainerKill) {
  const Pair p = run_pair(kPods, {"litmus/equivalence/container-kill-rabbitmq.yaml"},
                          "  - {kind: container-kill, at: 20s, target: rmq/rmq-0, params: {container: rabbitmq}}\n"
                          "  - {kind: container-kill, at: 30s, target: rmq/rmq-0, params: {container: rabbitmq}}\n",
                          20);
  expect_same(p);
  // Two kills of the RabbitMQ container, 10 s apart.
  const auto stopped = events(*p.from_import, "rmq/rmq-0", "process-stopped");
  ASSERT_EQ(stopped.size(), 2u);
  EXPECT_EQ(stopped[0]["cause"], "container-killed");
  EXPECT_DOUBLE_EQ(stopped[0]["t_s"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(stopped[1]["t_s"].get<double>(), 30.0);
}

TEST(EquivalencePods, ChaosToolkitTerminatePods) {
  // qty 1, rand false: the first pod of the label selection, consumer-0, with grace 0.
  const Pair p = run_pair(kPods, {"chaostoolkit/equivalence/terminate-consumer.json"},
                          "  - {kind: pod-kill, at: 20s, target: consumer/consumer-0, params: {grace_period: 0s}}\n", 20);
  expect_same(p);
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-0", "process-stopped"), std::vector<double>{20.0});
}

// Kinds no chaos tool's definition produces come from run records: the timeline of a testbed run.

TEST(EquivalencePods, RecordedProcessFreeze) {
  const Pair p = run_pair(kPods, {"timeline/equivalence/process-freeze.jsonl"},
                          "  - {kind: process-freeze, at: 20s, end: 35s, target: consumer/consumer-0}\n", 0);
  expect_same(p);
  // SIGSTOP from 20 s to 35 s: the pod processes nothing in between, then resumes.
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-0", "process-frozen"), std::vector<double>{20.0});
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-0", "process-thawed"), std::vector<double>{35.0});
  EXPECT_EQ(increase(*p.from_import, "faultline_consumer_messages_processed_total", kConsumer0, 21, 35), 0);
  EXPECT_GT(increase(*p.from_import, "faultline_consumer_messages_processed_total", kConsumer0, 36, 40), 0);
}

TEST(EquivalencePods, RecordedNodeDown) {
  const Pair p = run_pair(kPods, {"timeline/equivalence/node-down.jsonl"},
                          "  - {kind: node-down, at: 20s, end: 35s, target: consumer/consumer-1}\n", 0);
  expect_same(p);
  // The node stops at 20 s (R-K12) and its containers start again when it returns at 35 s.
  const auto stopped = events(*p.from_import, "consumer/consumer-1", "process-stopped");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0]["cause"], "node-down");
  EXPECT_DOUBLE_EQ(stopped[0]["t_s"].get<double>(), 20.0);
  EXPECT_EQ(event_times(*p.from_import, "consumer/consumer-1", "container-started"), std::vector<double>{35.0});
}

TEST(EquivalencePods, RecordedBrokerAlarm) {
  const Pair p = run_pair(kPods, {"timeline/equivalence/broker-alarm.jsonl"},
                          "  - {kind: broker-alarm, at: 20s, end: 30s, target: rmq/rmq-0, params: {resource: disk}}\n",
                          0);
  expect_same(p);
  // A disk alarm blocks every publisher from 20 s to 30 s (R-AL1, R-AL2): the broker receives
  // nothing in between (the scrape at 29 s), then the 10 × 50 publishes held by the producer at
  // 30 s; 50 msg/s before.
  EXPECT_EQ(event_times(*p.from_import, "rmq", "publishers-blocked"), std::vector<double>{20.0});
  EXPECT_EQ(event_times(*p.from_import, "rmq", "publishers-unblocked"), std::vector<double>{30.0});
  const sim::Labels cluster = {{"cluster", "rmq"}};
  EXPECT_EQ(increase(*p.from_import, "rabbitmq_global_messages_received_total", cluster, 21, 29), 0);
  EXPECT_NEAR(increase(*p.from_import, "rabbitmq_global_messages_received_total", cluster, 29, 30), 500, 1);
  EXPECT_NEAR(increase(*p.from_import, "rabbitmq_global_messages_received_total", cluster, 5, 15), 500, 1);
}

TEST(EquivalencePods, ChaosMeshFullCrashAndRecordedManualRestore) {
  // The definition (every member's container killed at 30 s) and the record of the operator's
  // restore at 60 s, imported together.
  const Pair p = run_pair(kTrap,
                          {"chaos-mesh/equivalence/mariadb-container-kill.yaml", "timeline/equivalence/manual-restore.jsonl"},
                          "  - {kind: container-kill, at: 30s, targets: [mariadb/mariadb-0, mariadb/mariadb-1, "
                          "mariadb/mariadb-2], params: {container: mariadb}}\n"
                          "  - {kind: manual-restore, at: 60s, target: mariadb}\n",
                          30);
  expect_same(p);
  // The trap (R-G14, R-G17): every member refuses to bootstrap until the restore; the operator's
  // procedure bootstraps the most advanced member restore_delay (15 s) after 60 s (R-G15).
  EXPECT_FALSE(events(*p.from_import, "mariadb", "bootstrap-refused").empty());
  EXPECT_EQ(event_times(*p.from_import, "mariadb", "cluster-bootstrapped"), std::vector<double>{75.0});
  EXPECT_EQ(event_times(*p.from_import, "mariadb", "manual-restore-started"), std::vector<double>{60.0});
}

// ================================================================ network (models/network)

// R-CA2: with 40 ms more in the consumer's round trip, its dump rate is prefetch / (RTT +
// processing) = 2 / (0.04 + 0.01) = 40 msg/s, against 60 msg/s without: in [15 s, 35 s], inside
// the fault (10–40 s), it processes 40 × 20 = 800 messages.
constexpr double kDelayedProcessed = 800;

TEST(EquivalenceNetwork, NetworkChaosDelay) {
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-delay.yaml"},
                          "  - {kind: network-delay, at: 10s, duration: 30s, target: c/c-0, params: {latency: 40ms}}\n",
                          10);
  expect_same(p);
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), kDelayedProcessed, 2);
  // Before the fault the consumer keeps up: 60 messages a second.
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 5, 9), 240, 1);
}

TEST(EquivalenceNetwork, NetworkChaosDelayFromTheTarget) {
  // direction from with a target: the rule sits on the broker pod's egress toward the consumer
  // (R-N1), so the deliveries are 40 ms late: the same round trip, the same 800 messages.
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-delay-from.yaml"},
                          "  - {kind: network-delay, at: 10s, duration: 30s, target: c/c-0, params: {latency: 40ms, "
                          "direction: from, peers: [rmq/rmq-0]}}\n",
                          10);
  expect_same(p);
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), kDelayedProcessed, 2);
}

TEST(EquivalenceNetwork, LitmusPodNetworkLatency) {
  const Pair p = run_pair(kNet, {"litmus/equivalence/pod-network-latency.yaml"},
                          "  - {kind: network-delay, at: 10s, duration: 30s, target: c/c-0, params: {latency: 40ms}}\n",
                          10);
  expect_same(p);
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), kDelayedProcessed, 2);
}

TEST(EquivalenceNetwork, NetworkChaosAndLitmusLoss) {
  for (const char* fixture : {"chaos-mesh/equivalence/network-loss.yaml", "litmus/equivalence/pod-network-loss.yaml"}) {
    SCOPED_TRACE(fixture);
    const Pair p = run_pair(kNet, {fixture},
                            "  - {kind: network-loss, at: 10s, duration: 30s, target: c/c-0, params: {loss: 25%}}\n", 10);
    expect_same(p);
    // A quarter of the consumer's packets are dropped and sent again after the RTO (R-N1): drops
    // and retransmissions appear only inside the fault, and they are equal.
    const sim::Labels loss = {{"cause", "netem_loss"}};
    const double dropped = sample(*p.from_import, "faultline_network_packets_dropped_total", loss, 40);
    EXPECT_GT(dropped, 20);
    EXPECT_EQ(sample(*p.from_import, "node_netstat_Tcp_RetransSegs", {{"instance", "node-1"}}, 10), 0);
    EXPECT_EQ(p.from_import->summary()["components"]["net"]["retransmissions"].get<double>(),
              sample(*p.from_import, "faultline_network_packets_dropped_total", loss, 60));
  }
}

TEST(EquivalenceNetwork, NetworkChaosDuplicate) {
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-duplicate.yaml"},
                          "  - {kind: network-duplicate, at: 10s, duration: 30s, target: c/c-0, params: {duplicate: 0.4}}\n",
                          10);
  expect_same(p);
  // The consumer sends one ack per message, 60 a second: 1800 packets in the 30 s fault, 40 % of
  // them duplicated: 720, with a binomial spread of √(1800 × 0.4 × 0.6) ≈ 21 (±3σ below). TCP
  // discards the copies, so the consumer keeps up.
  EXPECT_NEAR(p.from_import->summary()["components"]["net"]["packets_duplicated"].get<double>(), 720, 63);
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), 1200, 2);
}

TEST(EquivalenceNetwork, NetworkChaosCorrupt) {
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-corrupt.yaml"},
                          "  - {kind: network-corrupt, at: 10s, duration: 30s, target: c/c-0, params: {corrupt: 10%}}\n",
                          10);
  expect_same(p);
  // A corrupted packet fails TCP's checksum and is retransmitted like a lost one (R-N1).
  const double corrupted = sample(*p.from_import, "faultline_network_packets_dropped_total", {{"cause", "netem_corrupt"}}, 60);
  EXPECT_GT(corrupted, 20);
  EXPECT_EQ(p.from_import->summary()["components"]["net"]["retransmissions"].get<double>(), corrupted);
}

TEST(EquivalenceNetwork, NetworkChaosBandwidth) {
  // 10kbps is tc's 10 kilobytes per second: 10 000 bytes/s.
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-bandwidth.yaml"},
                          "  - {kind: network-bandwidth, at: 10s, duration: 30s, target: p/p-0, params: {rate: 10KB, "
                          "limit: 5000, buffer: 2000}}\n",
                          10);
  expect_same(p);
  // The publisher's 1 KB messages take 1090 bytes with headers: the bucket passes 10 000 / 1090 =
  // 9.17 of them a second instead of 60, so the broker receives 20 × 9.17 ≈ 183.5 in [15 s, 35 s].
  EXPECT_NEAR(increase(*p.from_import, "rabbitmq_global_messages_received_total", {{"cluster", "rmq"}}, 15, 35),
              20 * 10000.0 / 1090, 3);
}

TEST(EquivalenceNetwork, NetworkChaosAndLitmusPartition) {
  struct Case {
    const char* fixture;
    const char* by_hand;
  };
  const Case cases[] = {
      {"chaos-mesh/equivalence/network-partition.yaml",
       "  - {kind: network-partition, at: 10s, duration: 30s, target: c/c-0, params: {direction: both, peers: [rmq/rmq-0]}}\n"},
      // DESTINATION_HOSTS names the RabbitMQ Service: the peer is the broker cluster.
      {"litmus/equivalence/pod-network-partition.yaml",
       "  - {kind: network-partition, at: 10s, duration: 30s, target: c/c-0, params: {peers: [rmq]}}\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fixture);
    const Pair p = run_pair(kNet, {c.fixture}, c.by_hand, 10);
    expect_same(p);
    // The connection stalls both ways (TCP needs both, R-N9): nothing is processed once the
    // deliveries in flight at 10 s are done.
    EXPECT_EQ(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 11, 40), 0);
  }
}

TEST(EquivalenceNetwork, NetworkChaosNetemIsOneFaultPerAction) {
  const Pair p = run_pair(kNet, {"chaos-mesh/equivalence/network-netem.yaml"},
                          "  - {kind: network-delay, at: 10s, duration: 30s, target: c/c-0, params: {latency: 40ms}}\n"
                          "  - {kind: network-loss, at: 10s, duration: 30s, target: c/c-0, params: {loss: 5%}}\n",
                          10);
  expect_same(p);
  // Both act: packets are lost, and the delay alone would allow 800 messages in [15 s, 35 s].
  EXPECT_GT(sample(*p.from_import, "faultline_network_packets_dropped_total", {{"cause", "netem_loss"}}, 40), 0);
  EXPECT_LE(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), kDelayedProcessed + 2);
}

// ================================================================ CPU stress (consumers)

TEST(EquivalenceStress, StressChaosSlowsProcessingByTheLoad) {
  const Pair p = run_pair(kStress, {"chaos-mesh/equivalence/stress-cpu.yaml"},
                          "  - {kind: stress-cpu, at: 10s, duration: 30s, target: c/c-0, params: {workers: 2, load: 80%}}\n",
                          10);
  expect_same(p);
  // stressors.cpu {workers: 2, load: 80}: L = 2 × 0.8 = 1.6 cores of stress against the pod's 1
  // core, so 10 ms of work takes 10 × (1 + 1.6) / 1 = 26 ms: 1 / 0.026 = 38.46 msg/s, below the
  // 60 msg/s published. In [15 s, 35 s]: 20 / 0.026 = 769.2 messages (1200 without stress).
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), 20 / 0.026, 2);
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 5, 9), 240, 1);
}

TEST(EquivalenceStress, LitmusPodCpuHog) {
  const Pair p = run_pair(kStress, {"litmus/equivalence/pod-cpu-hog.yaml"},
                          "  - {kind: stress-cpu, at: 10s, duration: 30s, target: c/c-0, params: {workers: 1, load: 1}}\n",
                          10);
  expect_same(p);
  // CPU_CORES 1 at CPU_LOAD 100: L = 1, so 10 ms of work takes 20 ms: 50 msg/s, 1000 in 20 s.
  EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), 1000, 2);
}

// ================================================================ storage (Galera on its volume)

TEST(EquivalenceStorage, IoChaosLatencyOnTheDatabaseVolume) {
  const Pair p = run_pair(kDb, {"chaos-mesh/equivalence/io-latency.yaml"},
                          "  - {kind: io-latency, at: 10s, duration: 30s, target: mariadb/mariadb-0, params: {delay: 10ms}}\n",
                          10);
  expect_same(p);
  // Every commit on mariadb-0 writes its volume once: each one takes 10 ms more. The mean commit
  // latency over [20 s, 30 s] (inside the fault) exceeds the one over [0 s, 10 s] by exactly that.
  const sim::Labels cluster = {{"cluster", "mariadb"}};
  const auto mean = [&](double from, double to) {
    return increase(*p.from_import, "faultline_galera_commit_latency_seconds_sum", cluster, from, to) /
           increase(*p.from_import, "faultline_galera_commit_latency_seconds_count", cluster, from, to);
  };
  EXPECT_NEAR(mean(20, 30) - mean(0, 10), 0.010, 1e-4);
  EXPECT_NEAR(mean(50, 60) - mean(0, 10), 0.0, 1e-4);
}

TEST(EquivalenceStorage, IoChaosFaultAbortsTheDatabase) {
  const Pair p = run_pair(kDb, {"chaos-mesh/equivalence/io-fault.yaml"},
                          "  - {kind: io-fault, at: 10s, duration: 30s, target: mariadb/mariadb-0, params: {errno: 5}}\n",
                          10);
  expect_same(p);
  // EIO on the first redo-log write after 10 s: mysqld aborts and crash-loops while the fault
  // lasts (every start fails on its first I/O); after 40 s it starts and rejoins.
  const auto aborted = events(*p.from_import, "mariadb", "mysqld-aborted");
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_GE(aborted[0]["t_s"].get<double>(), 10.0);
  EXPECT_LT(aborted[0]["t_s"].get<double>(), 10.1);
  EXPECT_NE(aborted[0]["error"].get<std::string>().find("io-fault"), std::string::npos);
  for (double t : event_times(*p.from_import, "mariadb", "mysqld-start-failed")) EXPECT_LT(t, 40.0);
  EXPECT_FALSE(event_times(*p.from_import, "mariadb", "mysqld-start-failed").empty());
  EXPECT_FALSE(event_times(*p.from_import, "mariadb", "node-joined").empty());
}

// ================================================================ mesh (Istio sidecars)

TEST(EquivalenceMesh, IstioVirtualServiceAbort) {
  // A VirtualService has no duration: the abort lasts from --at (10 s) to the end of the run.
  const Pair p = run_pair(kMesh, {"istio/ratings-abort.yaml"},
                          "  - {kind: mesh-abort, at: 10s, target: ratings, params: {http_status: 500, percent: 100%}}\n",
                          10);
  expect_same(p);
  // Pages at 0.75 s, 1.25 s, …, 59.75 s: the 100 from 10.25 s on are aborted by reviews' sidecar
  // on the route to ratings, and fail at the browser with 500.
  const auto& c = p.from_import->summary()["components"];
  EXPECT_EQ(c["ratings"]["aborts_injected"], 100);
  EXPECT_EQ(c["browser"]["answered"]["500"], 100);
  EXPECT_EQ(c["browser"]["answered"]["200"], 19);
}

TEST(EquivalenceMesh, IstioVirtualServiceDelay) {
  const Pair p = run_pair(kMesh, {"istio/ratings-delay.yaml"},
                          "  - {kind: mesh-delay, at: 10s, target: ratings, params: {delay: 2s, percent: 50%}}\n", 10);
  expect_same(p);
  // Half of the 100 requests to ratings after 10 s wait 2 s (binomial: 50 ± 15 at 3σ); none fails.
  const auto& c = p.from_import->summary()["components"];
  EXPECT_NEAR(c["ratings"]["delays_injected"].get<double>(), 50, 15);
  EXPECT_EQ(c["browser"]["failed"], 0);
}

TEST(EquivalenceMesh, GlooShotAbort) {
  const Pair p = run_pair(kMesh, {"glooshot/equivalence-abort-30s.yaml"},
                          "  - {kind: mesh-abort, at: 10s, duration: 30s, target: ratings, params: {http_status: 503, "
                          "percent: 100%}}\n",
                          10);
  expect_same(p);
  // 30 s at 2 pages/s: 60 requests to ratings aborted with 503; reviews, without a fallback,
  // answers its error_status (500), and so does productpage.
  const auto& c = p.from_import->summary()["components"];
  EXPECT_EQ(c["ratings"]["aborts_injected"], 60);
  EXPECT_EQ(c["ratings"]["answered"]["503"], 60);
  EXPECT_EQ(c["browser"]["answered"]["500"], 60);
}

// ================================================================ faults a model ignores

TEST(EquivalenceUnmapped, MemoryStressIsListedWithTheReason) {
  for (const char* fixture : {"chaos-mesh/equivalence/stress-memory.yaml", "litmus/equivalence/pod-memory-hog.yaml"}) {
    SCOPED_TRACE(fixture);
    const std::string size = std::string(fixture).find("litmus") != std::string::npos ? "500MB" : "256MB";
    const Pair p = run_pair(
        kStress, {fixture},
        "  - {kind: stress-memory, at: 10s, duration: 30s, target: c/c-0, params: {workers: 1, size: " + size + "}}\n", 10);
    expect_same(p);
    // No model has memory limits: the run lists the fault with why, and processing is unchanged.
    EXPECT_EQ(unmapped_reason(*p.from_import, 0), "a consumer pod does not react to stress-memory");
    EXPECT_EQ(events(*p.from_import, "c/c-0", "fault-unmapped").size(), 1u);
    EXPECT_NEAR(increase(*p.from_import, "faultline_consumer_messages_processed_total", kC0, 15, 35), 1200, 1);
  }
}

TEST(EquivalenceUnmapped, NetworkFaultWithoutANetworkComponent) {
  const Pair p = run_pair(kStress, {"chaos-mesh/equivalence/network-delay.yaml"},
                          "  - {kind: network-delay, at: 10s, duration: 30s, target: c/c-0, params: {latency: 40ms}}\n",
                          10);
  expect_same(p);
  EXPECT_NE(unmapped_reason(*p.from_import, 0).find("no network component"), std::string::npos)
      << unmapped_reason(*p.from_import, 0);
}

TEST(EquivalenceUnmapped, IoChaosOnAPodWithoutFileIo) {
  const Pair p = run_pair(kStress, {"chaos-mesh/equivalence/io-latency-consumer.yaml"},
                          "  - {kind: io-latency, at: 10s, duration: 30s, target: c/c-0, params: {delay: 10ms}}\n", 10);
  expect_same(p);
  EXPECT_EQ(unmapped_reason(*p.from_import, 0), "a consumer pod does not react to io-latency");
}

// Every definition fixture above, and the kinds it yields.
const std::vector<std::pair<const char*, const char*>>& definitions() {
  static const std::vector<std::pair<const char*, const char*>> d = {
      {kPods, "chaos-mesh/equivalence/pod-kill.yaml"},
      {kPods, "chaos-mesh/equivalence/pod-failure.yaml"},
      {kPods, "chaos-mesh/equivalence/container-kill.yaml"},
      {kPods, "litmus/equivalence/pod-delete-rabbitmq.yaml"},
      {kPods, "litmus/equivalence/container-kill-rabbitmq.yaml"},
      {kPods, "chaostoolkit/equivalence/terminate-consumer.json"},
      {kTrap, "chaos-mesh/equivalence/mariadb-container-kill.yaml"},
      {kNet, "chaos-mesh/equivalence/network-delay.yaml"},
      {kNet, "chaos-mesh/equivalence/network-delay-from.yaml"},
      {kNet, "chaos-mesh/equivalence/network-loss.yaml"},
      {kNet, "chaos-mesh/equivalence/network-duplicate.yaml"},
      {kNet, "chaos-mesh/equivalence/network-corrupt.yaml"},
      {kNet, "chaos-mesh/equivalence/network-bandwidth.yaml"},
      {kNet, "chaos-mesh/equivalence/network-partition.yaml"},
      {kNet, "chaos-mesh/equivalence/network-netem.yaml"},
      {kNet, "litmus/equivalence/pod-network-latency.yaml"},
      {kNet, "litmus/equivalence/pod-network-loss.yaml"},
      {kNet, "litmus/equivalence/pod-network-partition.yaml"},
      {kStress, "chaos-mesh/equivalence/stress-cpu.yaml"},
      {kStress, "chaos-mesh/equivalence/stress-memory.yaml"},
      {kStress, "litmus/equivalence/pod-cpu-hog.yaml"},
      {kStress, "litmus/equivalence/pod-memory-hog.yaml"},
      {kDb, "chaos-mesh/equivalence/io-latency.yaml"},
      {kDb, "chaos-mesh/equivalence/io-fault.yaml"},
      {kMesh, "istio/ratings-abort.yaml"},
      {kMesh, "istio/ratings-delay.yaml"},
      {kMesh, "glooshot/equivalence-abort-30s.yaml"},
  };
  return d;
}

TEST(EquivalenceUnmapped, KindsNoChaosToolDefinesComeOnlyFromRecords) {
  // node-down, process-freeze, broker-alarm and manual-restore have no definition in Chaos Mesh,
  // Litmus, Chaos Toolkit, Istio or Gloo Shot that maps to them; the tests above import them from
  // the run-record timeline. Every other kind comes from some definition fixture above.
  const std::set<std::string> record_only = {"node-down", "process-freeze", "broker-alarm", "manual-restore"};
  std::set<std::string> defined;
  for (const auto& [bench, fixture] : definitions()) {
    ImportOptions opt;
    opt.at = sim::Duration::s(10);
    for (const sim::Fault& f : sim::importers::import_files(scenario_from(bench), {record(fixture)}, opt).faults)
      defined.insert(f.kind);
  }
  for (const std::string& k : sim::fault_kind_names()) {
    if (record_only.count(k))
      EXPECT_FALSE(defined.count(k)) << k;
    else
      EXPECT_TRUE(defined.count(k)) << k << " has no definition fixture";
  }
  // The nearest definitions of those kinds are listed as unmapped, with the reason and no fault.
  struct Near {
    const char* fixture;
    const char* reason;
  };
  const Near nearest[] = {
      {"litmus/equivalence/node-restart.yaml", "write a node-down fault on those pods instead"},
      {"chaostoolkit/equivalence/drain-node.json", "the importer does not resolve which pods the node holds"},
      {"chaos-mesh/equivalence/physical-machine.yaml", "physical machines (PhysicalMachineChaos, chaosd) are outside"},
  };
  for (const Near& n : nearest) {
    SCOPED_TRACE(n.fixture);
    const ImportResult r = sim::importers::import_files(scenario_from(kPods), {record(n.fixture)}, {});
    EXPECT_TRUE(r.faults.empty());
    EXPECT_TRUE(has_unmapped(r, n.reason));
  }
}

}  // namespace
}  // namespace faultline::test
