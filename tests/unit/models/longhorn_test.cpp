// The Longhorn rules of DESIGN §4 (domain_models.md §3) on a small bench: a constant producer at
// 100 msg/s, a queue, one consumer writing each message to a one-member galera-cluster whose
// volume "data-mariadb-0" is on a 3-node longhorn (engine on node 0, replicas on nodes 0, 1, 2).
// Each expected value is derived by hand above its assertion.
//
// Timing facts the derivations use (defaults unless a bench sets them):
// - Messages are published at 0.015, 0.025, … s; each is processed for 1 ms, then its commit
//   runs local_commit_time 1 ms (no group round trip with one member) and writes 10 KB
//   (writeset_size) to the volume: the write of the message of t is issued at t + 2 ms.
// - A volume write: engine 0.93 ms + the slowest replica path; the local replica 0 + 0.81 ms,
//   the others 0.3 ms + 0.81 ms: 2.04 ms. A commit is 1 + 2.04 = 3.04 ms.
// - An instance-manager pod deleted at t is recreated at t + 5 s (create_delay), its app is up
//   5 s later, its readiness probe (every 10 s from the container start) passes at t + 15 s
//   and the endpoint follows at t + 16 s.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using testing::count_events;
using testing::run_yaml;

std::vector<nlohmann::json> events(const sim::ScenarioRun& run, const std::string& event) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : run.sim().events().lines()) {
    auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == "longhorn" && j.value("event", "") == event) out.push_back(std::move(j));
  }
  return out;
}

double sample(const sim::ScenarioRun& run, const std::string& name, double t) {
  const sim::Labels labels = {{"volume", "data-mariadb-0"}, {"pvc", "data-mariadb-0"}};
  const auto& rec = run.sim().recorder();
  const auto& times = rec.scrape_times_ns();
  const auto at = static_cast<int64_t>(std::llround(t * 1e9));
  for (const auto& s : rec.series()) {
    if (s.name != name || s.labels != labels) continue;
    for (size_t k = 0; k < s.values->size(); ++k)
      if (times[s.first_sample + k] == at) return (*s.values)[k];
  }
  ADD_FAILURE() << "no sample of " << name << " at " << t << " s";
  return std::numeric_limits<double>::quiet_NaN();
}

const nlohmann::ordered_json& volume(const sim::ScenarioRun& run) {
  return run.summary()["components"]["longhorn"]["volumes"]["data-mariadb-0"];
}

std::string bench(const std::string& longhorn_params, const std::string& faults, const std::string& duration = "40s") {
  return "name: bench\nduration: " + duration + R"(
components:
  - name: p
    kind: producer
    target: q
    arrivals: constant
    start: 5ms
    rate: 100/s
    stages: [{duration: )" +
         duration + R"(, target: 100/s}]
  - name: q
    kind: queue
  - name: c
    kind: consumer
    queue: q
    writes_to: mariadb
  - name: mariadb
    kind: galera-cluster
    count: 1
    storage: longhorn
    writeset_size: 10KB
  - name: longhorn
    kind: longhorn
    count: 3
)" + longhorn_params +
         faults;
}

TEST(LonghornRules, AWriteWaitsForTheSlowestReplicaPath) {
  // R-L2/R-L3: 0.93 + max(0 + 0.81, 0.3 + 0.81) = 2.04 ms, the Longhorn figure of R-L4; the
  // commit 1 + 2.04 = 3.04 ms.
  auto near = run_yaml(bench("", "", "5s"));
  EXPECT_NEAR(sample(*near, "longhorn_volume_write_latency", 3), 2.04e6, 1e-3);
  EXPECT_NEAR(near->summary()["components"]["mariadb"]["commit_latency_max_s"].get<double>(), 0.00304, 1e-9);
  // Replicas 5 ms away: 0.93 + 5 + 0.81 = 6.74 ms.
  auto far = run_yaml(bench("    replica_rtt: 5ms\n", "", "5s"));
  EXPECT_NEAR(sample(*far, "longhorn_volume_write_latency", 3), 6.74e6, 1e-3);
  // One replica, local: 0.93 + 0.81 = 1.74 ms.
  auto single = run_yaml(bench("    replicas: 1\n    replica_rtt: 5ms\n", "", "5s"));
  EXPECT_NEAR(sample(*single, "longhorn_volume_write_latency", 3), 1.74e6, 1e-3);
  EXPECT_EQ(volume(*near)["writes"].get<int>(), 499);  // 0.015 … 4.995 s
}

TEST(LonghornRules, AFailedReplicaDegradesTheVolumeUntilItsRebuild) {
  // R-L6..R-L11: the instance manager of node 2 is deleted at 10 s; its replica process dies and
  // the engine fails it at once: degraded (longhorn_volume_robustness 2). The pod is ready
  // again at 26 s: the replica is reused and, without fast rebuild, copied whole: 100 MB at
  // the start + 2599 writes of 10 KB (messages 0.015 … 25.995 s) = 125 990 000 bytes, at the
  // disk bandwidth 50 MB/s less the volume's writes, 100 × 10 KB = 1 MB/s: 49 MB/s, so
  // 2.571224 s. Healthy again at 28.571224 s.
  const std::string params = "    fast_rebuild: false\n    initial_data: 100MB\n    disk_bandwidth: 50MB\n";
  auto run = run_yaml(bench(params, "faults: [{kind: pod-kill, target: longhorn/longhorn-2, at: 10s}]\n"));
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 9), 1);
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 11), 2);
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 26), 2);
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 29), 1);
  const auto started = events(*run, "rebuild-started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_DOUBLE_EQ(started[0]["t_s"].get<double>(), 26.0);
  EXPECT_DOUBLE_EQ(started[0]["bytes"].get<double>(), 125990000.0);
  EXPECT_DOUBLE_EQ(started[0]["rate_bytes_per_s"].get<double>(), 49e6);
  const auto done = events(*run, "rebuild-done");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_NEAR(done[0]["duration_s"].get<double>(), 125990000.0 / 49e6, 1e-6);
  // While it runs, the rebuild's source (replica 0) and target (replica 2) disks take
  // 49/50 of the bandwidth: their writes take 0.81 × 1.98 = 1.6038 ms; the slowest path is
  // the target's, 0.3 + 1.6038: a write takes 0.93 + 1.9038 = 2.8338 ms, a commit 3.8338 ms.
  EXPECT_NEAR(sample(*run, "longhorn_volume_write_latency", 27), 2.8338e6, 1e-3);
  EXPECT_NEAR(run->summary()["components"]["mariadb"]["commit_latency_max_s"].get<double>(), 0.0038338, 1e-9);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);

  // No writes, no competition: 100 MB at 50 MB/s = 2 s; with fast rebuild (the default) a
  // reused replica copies only what was written while it was out: with no writes, nothing.
  const std::string idle =
      "name: idle\nduration: 40s\ncomponents:\n"
      "  - {name: mariadb, kind: galera-cluster, count: 1, storage: longhorn}\n"
      "  - {name: longhorn, kind: longhorn, count: 3, initial_data: 100MB, disk_bandwidth: 50MB";
  const std::string kill = "}\nfaults: [{kind: pod-kill, target: longhorn/longhorn-2, at: 10s}]\n";
  auto full = run_yaml(idle + ", fast_rebuild: false" + kill);
  ASSERT_EQ(events(*full, "rebuild-done").size(), 1u);
  EXPECT_DOUBLE_EQ(events(*full, "rebuild-done")[0]["duration_s"].get<double>(), 2.0);
  auto fast = run_yaml(idle + kill);
  ASSERT_EQ(events(*fast, "rebuild-done").size(), 1u);
  EXPECT_DOUBLE_EQ(events(*fast, "rebuild-done")[0]["duration_s"].get<double>(), 0.0);
}

TEST(LonghornRules, AnUnansweringReplicaHoldsWritesForTheReplicaTimeout) {
  // R-L6: node 2 goes down at 10 s; its replica does not answer. The write of the message of
  // 10.005 s is issued at 10.007 s and waits until the engine fails the replica 8 s later,
  // at 18.007 s, then takes 2.04 ms: the commit that arrived at 10.006 s answers at
  // 18.00904 s, 8.00304 s later.
  auto run = run_yaml(bench("", "faults: [{kind: node-down, target: longhorn/longhorn-2, at: 10s, duration: 20s}]\n"));
  const auto failed = events(*run, "replica-failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NEAR(failed[0]["t_s"].get<double>(), 18.007, 1e-9);
  EXPECT_NEAR(run->summary()["components"]["mariadb"]["commit_latency_max_s"].get<double>(), 8.00304, 1e-9);
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 17), 1);
  EXPECT_EQ(sample(*run, "longhorn_volume_robustness", 19), 2);
}

TEST(LonghornRules, LosingEveryReplicaFaultsTheVolume) {
  // R-L7: the three instance managers fail at 10 s: every replica is ERR, the volume is faulted
  // (robustness 3) and detached. The member's next write fails (EIO) at 10.007 s: mysqld aborts
  // and cannot start again while the volume is faulted.
  const std::string faults =
      "faults: [{kind: pod-failure, targets: [longhorn/longhorn-0, longhorn/longhorn-1, longhorn/longhorn-2], "
      "at: 10s, duration: 20s}]\n";
  auto lost = run_yaml(bench("    auto_salvage: false\n", faults, "70s"));
  EXPECT_EQ(sample(*lost, "longhorn_volume_robustness", 11), 3);
  EXPECT_EQ(count_events(*lost, "longhorn", "volume-faulted"), 1u);
  EXPECT_TRUE(volume(*lost)["data_lost"].get<bool>());
  // Without auto-salvage the data is gone: the volume stays faulted after the nodes return
  // (ready at 30 + 5 s app, probe at 40 s, + 1 s = 41 s) and the database stays down.
  EXPECT_EQ(sample(*lost, "longhorn_volume_robustness", 69), 3);
  EXPECT_EQ(count_events(*lost, "mariadb", "mysqld-aborted"), 1u);
  EXPECT_GE(count_events(*lost, "mariadb", "mysqld-start-failed"), 2u);
  EXPECT_EQ(lost->summary()["components"]["mariadb"]["committed"].get<int>(), 999);  // 0.015 … 9.995 s

  // R-L12: with auto-salvage the replicas that were RW when it faulted bring it back at 41 s
  // (degraded, then the others are rebuilt: nothing was written meanwhile, so at once).
  auto salvaged = run_yaml(bench("", faults, "70s"));
  const auto salvage = events(*salvaged, "volume-salvaged");
  ASSERT_EQ(salvage.size(), 1u);
  EXPECT_DOUBLE_EQ(salvage[0]["t_s"].get<double>(), 41.0);
  EXPECT_FALSE(volume(*salvaged)["data_lost"].get<bool>());
  EXPECT_EQ(sample(*salvaged, "longhorn_volume_robustness", 42), 1);
  // The member restarts after its CrashLoopBackOff (aborted 10.007 s, refused 15.007 and
  // 30.007 s, next start 50.007 s) and commits again.
  EXPECT_GT(salvaged->summary()["components"]["mariadb"]["committed"].get<int>(), 999);
}

}  // namespace
}  // namespace faultline
