// The Galera rules of DESIGN §4 (domain_models.md §2) on small benches: a constant producer, a
// queue, one consumer that writes each message to a galera-cluster through its Service, then
// acks. Each expected value is derived by hand above its assertion.
//
// Timing facts the derivations use (defaults unless a bench sets them):
// - A producer with `arrivals: constant`, `start: 5ms` publishes its first message one gap after
//   the start: at 100/s at t = 0.015, 0.025, …; at 5/s at t = 0.205, 0.405, ….
// - The consumer processes a message for 1 ms, then writes it; its first write goes, through
//   the Service, to mariadb-0 (round-robin from member 0) and stays on that connection.
// - A commit: local_commit_time 1 ms + the round trip to the slowest other member (0.3 ms)
//   + the storage write (2.04 ms) = 3.34 ms; a member applies a write-set in apply_time 1 ms +
//   2.04 ms with 2 threads.
// - A silent member is evicted suspect_timeout 5 s + inactive_check_period 1 s after it went
//   silent. A member pod starts its container at once after a container-kill or at the end of
//   a pod-failure, its mysqld is up app_start 5 s later; its readiness probe runs every 10 s
//   from the container start and passes once it is synced; the endpoint follows 1 s later.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using testing::count_events;
using testing::run_yaml;

// The events.jsonl lines of a component with this event name, in order.
std::vector<nlohmann::json> events(const sim::ScenarioRun& run, const std::string& component,
                                   const std::string& event) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : run.sim().events().lines()) {
    auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) out.push_back(std::move(j));
  }
  return out;
}

// A gauge's value at the scrape at t seconds.
double sample(const sim::ScenarioRun& run, const std::string& name, const sim::Labels& labels, double t) {
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

const nlohmann::ordered_json& galera(const sim::ScenarioRun& run) { return run.summary()["components"]["mariadb"]; }

std::string bench(const std::string& rate, const std::string& duration, const std::string& galera_params,
                  const std::string& rest = "") {
  return "name: bench\nduration: " + duration + R"(
components:
  - name: p
    kind: producer
    target: q
    arrivals: constant
    start: 5ms
    rate: )" +
         rate + "\n    stages: [{duration: " + duration + ", target: " + rate + R"(}]
  - name: q
    kind: queue
  - name: c
    kind: consumer
    queue: q
    writes_to: mariadb
  - name: mariadb
    kind: galera-cluster
)" + galera_params +
         rest;
}

TEST(GaleraRules, CommitLatencyIsTheRoundTripToTheSlowestMemberPlusTheStorageWrite) {
  // R-G2, one write every 0.2 s so that none waits for another: 1 ms local + 0.3 ms round trip
  // + 2.04 ms storage = 3.34 ms for every commit.
  auto base = run_yaml(bench("5/s", "5s", "    count: 3\n"));
  EXPECT_GT(galera(*base)["committed"].get<int>(), 20);
  EXPECT_NEAR(galera(*base)["commit_latency_max_s"].get<double>(), 0.00334, 1e-9);
  EXPECT_NEAR(galera(*base)["commit_latency_mean_s"].get<double>(), 0.00334, 1e-9);
  // A slower path to the members: 1 + 10.3 + 2.04 = 13.34 ms.
  auto far = run_yaml(bench("5/s", "5s", "    count: 3\n    replication_rtt: 10.3ms\n"));
  EXPECT_NEAR(galera(*far)["commit_latency_max_s"].get<double>(), 0.01334, 1e-9);
  EXPECT_NEAR(galera(*far)["commit_latency_mean_s"].get<double>(), 0.01334, 1e-9);
  // One member alone has no round trip: 1 + 2.04 = 3.04 ms.
  auto alone = run_yaml(bench("5/s", "5s", "    count: 1\n    replication_rtt: 10.3ms\n"));
  EXPECT_NEAR(galera(*alone)["commit_latency_max_s"].get<double>(), 0.00304, 1e-9);
}

TEST(GaleraRules, ASilentMemberStallsEveryCommitUntilItIsEvicted) {
  // R-G6: mariadb-2 fails at 10 s; the others evict it at 10 + 5 + 1 = 16 s. The write of the
  // message published at 10.005 reaches mariadb-0 at 10.006, waits, runs its group round at
  // 16 s (0.3 ms) and its storage write (2.04 ms): committed at 16.00234, 5.99634 s after it
  // arrived. Two members of the last primary three are a quorum (R-G4).
  auto failed = run_yaml(bench("100/s", "20s", "    count: 3\n",
                               "faults: [{kind: pod-failure, target: mariadb/mariadb-2, at: 10s, duration: 30s}]\n"));
  EXPECT_NEAR(galera(*failed)["commit_latency_max_s"].get<double>(), 5.99634, 1e-9);
  const auto views = events(*failed, "mariadb", "view-changed");
  ASSERT_EQ(views.size(), 1u);
  EXPECT_DOUBLE_EQ(views[0]["t_s"].get<double>(), 16.0);
  EXPECT_TRUE(views[0]["primary"].get<bool>());
  EXPECT_EQ(views[0]["members"], nlohmann::json::parse(R"(["mariadb/mariadb-0", "mariadb/mariadb-1"])"));
  // mysqld_exporter's view: 3 members before, 2 after, on the survivors.
  EXPECT_EQ(sample(*failed, "mysql_global_status_wsrep_cluster_size", {{"pod", "mariadb-0"}}, 15), 3);
  EXPECT_EQ(sample(*failed, "mysql_global_status_wsrep_cluster_size", {{"pod", "mariadb-0"}}, 17), 2);
  EXPECT_EQ(failed->sim().ledger().lost(), 0u);
}

TEST(GaleraRules, AGracefulLeaveDoesNotStallAndAFreezeStallsLikeACrash) {
  // R-G4/R-G6: a pod deleted with a 10 s grace period shuts mysqld down cleanly at 20 s: it
  // leaves the view at once, nobody suspects it, no commit waits (all 3.34 ms).
  auto graceful = run_yaml(bench("5/s", "30s", "    count: 3\n",
                                 "faults: [{kind: pod-kill, target: mariadb/mariadb-1, at: 10s, "
                                 "params: {grace_period: 10s}}]\n"));
  const auto left = events(*graceful, "mariadb", "node-left");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_DOUBLE_EQ(left[0]["t_s"].get<double>(), 20.0);
  EXPECT_TRUE(left[0]["graceful"].get<bool>());
  EXPECT_EQ(count_events(*graceful, "mariadb", "node-suspected"), 0u);
  EXPECT_NEAR(galera(*graceful)["commit_latency_max_s"].get<double>(), 0.00334, 1e-9);

  // SIGSTOP of mariadb-1 from 10 to 13 s: silent, but thawed before its eviction (16 s). The
  // write of 10.005 s waits from its round at 10.0073 s to the thaw, then takes 0.3 + 2.04 ms:
  // 13.00234 − 10.006 = 2.99634 s. No view change.
  auto short_freeze = run_yaml(bench("5/s", "30s", "    count: 3\n",
                                     "faults: [{kind: process-freeze, target: mariadb/mariadb-1, at: 10s, "
                                     "duration: 3s}]\n"));
  EXPECT_NEAR(galera(*short_freeze)["commit_latency_max_s"].get<double>(), 2.99634, 1e-9);
  EXPECT_EQ(count_events(*short_freeze, "mariadb", "view-changed"), 0u);

  // Frozen from 10 to 30 s: evicted at 16 s like a crashed member. Thawed, it finds itself out
  // of the view and rejoins: it applied 49 write-sets, the cluster ordered 149 by 30 s (up to
  // the message of 29.805 s): an IST of 100, 8 + 100 / 260 s.
  auto long_freeze = run_yaml(bench("5/s", "50s", "    count: 3\n",
                                    "faults: [{kind: process-freeze, target: mariadb/mariadb-1, at: 10s, "
                                    "duration: 20s}]\n"));
  EXPECT_DOUBLE_EQ(events(*long_freeze, "mariadb", "view-changed")[0]["t_s"].get<double>(), 16.0);
  const auto ist = events(*long_freeze, "mariadb", "state-transfer-started");
  ASSERT_EQ(ist.size(), 1u);
  EXPECT_DOUBLE_EQ(ist[0]["t_s"].get<double>(), 30.0);
  EXPECT_EQ(ist[0]["node"], "mariadb/mariadb-1");
  EXPECT_EQ(ist[0]["method"], "IST");
  EXPECT_EQ(ist[0]["write_sets"], 100);
  EXPECT_NEAR(ist[0]["duration_s"].get<double>(), 8.0 + 100.0 / 260.0, 1e-9);
}

TEST(GaleraRules, LosingTwoOfThreeMembersLeavesNoPrimaryComponent) {
  // R-G4/R-G5: mariadb-1 and mariadb-2 fail at 10 s; at 16 s the view {mariadb-0} holds 1 of the
  // last primary 3, not more than half: non-primary. Its pending write (message 10.005) fails
  // with ERROR 1047 and writes are refused until both come back: pod-failure ends at 40 s,
  // mysqld up at 45 s, and pc.recovery (R-G7) restores the primary once the whole last primary
  // view is there again: at 45 s. 49 messages (0.205 … 9.805 s) were committed before 10 s.
  auto run = run_yaml(bench("5/s", "60s", "    count: 3\n",
                            "faults: [{kind: pod-failure, targets: [mariadb/mariadb-1, mariadb/mariadb-2], at: 10s, "
                            "duration: 30s}]\n"));
  const auto lost = events(*run, "mariadb", "quorum-lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_DOUBLE_EQ(lost[0]["t_s"].get<double>(), 16.0);
  EXPECT_GE(galera(*run)["failed"]["WSREP has not yet prepared node for application use (ERROR 1047)"].get<int>(), 1);
  const sim::Labels m0 = {{"pod", "mariadb-0"}};
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_status", m0, 30), 0);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_last_committed", m0, 20), 49);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_last_committed", m0, 44), 49);
  const auto restored = events(*run, "mariadb", "primary-restored");
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_DOUBLE_EQ(restored[0]["t_s"].get<double>(), 45.0);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_status", m0, 50), 1);
  EXPECT_GT(sample(*run, "mysql_global_status_wsrep_last_committed", m0, 55), 49);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
}

TEST(GaleraRules, ARejoinIsAnIstWhenTheGapFitsTheGcacheElseAnSst) {
  // R-G10/R-G11 with gcache_size 100 KB of 1 KB write-sets: 100 write-sets. mariadb-2 fails at
  // 10 s having applied 49 write-sets (0.205 … 9.805 s).
  const std::string galera_params =
      "    count: 3\n    gcache_size: 100KB\n    dataset_size: 10MB\n    sst_bandwidth: 1MB\n";
  // Back after 5 s: mysqld up at 20 s; the cluster has ordered the 99 messages up to 19.805 s:
  // a gap of 50 ≤ 100 → IST from mariadb-0, 8 s set-up + 50 / 260 per s = 8.192307692 s.
  auto shortly = run_yaml(bench("5/s", "40s", galera_params,
                                "faults: [{kind: pod-failure, target: mariadb/mariadb-2, at: 10s, duration: 5s}]\n"));
  const auto ist = events(*shortly, "mariadb", "state-transfer-started");
  ASSERT_EQ(ist.size(), 1u);
  EXPECT_EQ(ist[0]["method"], "IST");
  EXPECT_DOUBLE_EQ(ist[0]["t_s"].get<double>(), 20.0);
  EXPECT_EQ(ist[0]["write_sets"], 50);
  EXPECT_NEAR(ist[0]["duration_s"].get<double>(), 8.0 + 50.0 / 260.0, 1e-9);
  const auto done = events(*shortly, "mariadb", "state-transfer-done");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_NEAR(done[0]["t_s"].get<double>(), 20.0 + 8.0 + 50.0 / 260.0, 1e-9);
  EXPECT_EQ(galera(*shortly)["ist"], 1);
  EXPECT_EQ(galera(*shortly)["sst"], 0);
  // The trail: suspected, evicted, joined, IST, synced, ready; in that order.
  const auto time_of = [&](const std::string& event) {
    for (const auto& e : events(*shortly, "mariadb", event))
      if (e.value("node", "") == "mariadb/mariadb-2") return e["t_s"].get<double>();
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(time_of("node-suspected"), 10.0);
  EXPECT_DOUBLE_EQ(time_of("node-left"), 16.0);
  EXPECT_DOUBLE_EQ(time_of("node-joined"), 20.0);
  EXPECT_GE(time_of("node-synced"), done[0]["t_s"].get<double>());
  // Ready at the first probe after it is synced (container at 15 s: probes at 25, 35 s) + 1 s.
  EXPECT_EQ(shortly->faults().recovered(0)->seconds(), 36.0);

  // Back after 30 s: mysqld up at 45 s, 224 write-sets ordered: a gap of 175 > 100 → SST of
  // 10 MB + 224 × 1 KB = 10 224 000 bytes at 1 MB/s: 8 + 10.224 = 18.224 s.
  auto later = run_yaml(bench("5/s", "70s", galera_params,
                              "faults: [{kind: pod-failure, target: mariadb/mariadb-2, at: 10s, duration: 30s}]\n"));
  const auto sst = events(*later, "mariadb", "state-transfer-started");
  ASSERT_EQ(sst.size(), 1u);
  EXPECT_EQ(sst[0]["method"], "SST");
  EXPECT_DOUBLE_EQ(sst[0]["t_s"].get<double>(), 45.0);
  EXPECT_EQ(sst[0]["write_sets"], 175);
  EXPECT_DOUBLE_EQ(sst[0]["bytes"].get<double>(), 10224000.0);
  EXPECT_NEAR(sst[0]["duration_s"].get<double>(), 18.224, 1e-9);
  EXPECT_EQ(galera(*later)["sst"], 1);
}

TEST(GaleraRules, FlowControlHoldsTheClusterToTheSlowestApplier) {
  // R-GFC1/R-GFC2: io-latency of 100 ms on mariadb-2 from 10 s to 30 s. It applies a write-set
  // in 1 ms + 2.04 ms + 100 ms with 2 threads: 2 / 0.10304 = 19.41 write-sets/s, while
  // 100 msg/s arrive. Its queue passes the limit 16 × sqrt(3) + 0.5 → 28 at about 10.36 s
  // (29 / (100 − 19.41) s), then every commit waits for a slot: 19.41 commits/s, 194 in the
  // 10 s from 20 to 30 s. Paused nearly all the time from 10.36 to 30 s (a resumed commit
  // runs 0.3 ms per 51.5 ms cycle): 19.64 × 0.994 ≈ 19.5 s.
  auto run = run_yaml(bench("100/s", "40s", "    count: 3\n",
                            "faults: [{kind: io-latency, target: mariadb/mariadb-2, at: 10s, duration: 20s, "
                            "params: {delay: 100ms}}]\n"));
  const sim::Labels m0 = {{"pod", "mariadb-0"}};
  const double commits = sample(*run, "mysql_global_status_wsrep_last_committed", m0, 30) -
                         sample(*run, "mysql_global_status_wsrep_last_committed", m0, 20);
  EXPECT_NEAR(commits, 194.1, 2.0);
  const double paused = galera(*run)["flow_control_paused_s"].get<double>();
  EXPECT_GT(paused, 19.3);
  EXPECT_LT(paused, 19.7);
  // The exported fraction since the start, at 30 s: paused / 30.
  EXPECT_NEAR(sample(*run, "mysql_global_status_wsrep_flow_control_paused", m0, 30), paused / 30.0, 0.01);
  EXPECT_GT(sample(*run, "mysql_global_status_wsrep_flow_control_sent", {{"pod", "mariadb-2"}}, 30), 100);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_flow_control_sent", m0, 30), 0);
  // Before the fault: no pause.
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_flow_control_paused", m0, 9), 0);
}

const std::string kFullCrash =
    "faults:\n"
    "  - {kind: container-kill, targets: [mariadb/mariadb-0, mariadb/mariadb-1, mariadb/mariadb-2], at: 10s}\n"
    "  - {kind: manual-restore, target: mariadb, at: 60s}\n";

TEST(GaleraRules, TheBootstrapTrapHoldsTheClusterDownUntilTheManualRestore) {
  // R-G14/R-G15: every member killed at 10 s. Each restarts at once and its mysqld is up at
  // 15 s, with no component to join and safe_to_bootstrap 0: refused, CrashLoopBackOff 10 s
  // (container 25 s, refused 30 s), 20 s (container 50 s, refused 55 s), then 40 s: 9 refusals
  // by 60 s. The restore at 60 s starts the most advanced member (all at seqno 49: mariadb-0)
  // after restore_delay 15 s: container 75 s, bootstrap at 80 s. The others are then started:
  // container 80 s, up and synced at 85 s (no write-set missed). Readiness: mariadb-0's probe at
  // 85 s → ready 86 s; the others' at 90 s → ready 91 s: the restore is done at 91 s.
  auto run = run_yaml(bench("5/s", "100s", "    count: 3\n    bootstrap_trap: true\n", kFullCrash));
  EXPECT_EQ(count_events(*run, "mariadb", "bootstrap-refused"), 9u);
  const auto boot = events(*run, "mariadb", "cluster-bootstrapped");
  ASSERT_EQ(boot.size(), 1u);
  EXPECT_DOUBLE_EQ(boot[0]["t_s"].get<double>(), 80.0);
  EXPECT_EQ(boot[0]["node"], "mariadb/mariadb-0");
  EXPECT_EQ(count_events(*run, "mariadb", "manual-restore-done"), 1u);
  EXPECT_EQ(run->faults().recovered(1)->seconds(), 91.0);
  // While it is down nothing commits and the backlog grows: 49 commits before 10 s, still 49
  // on mariadb-0 at 85 s, more at 95 s.
  const sim::Labels m0 = {{"pod", "mariadb-0"}};
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_last_committed", m0, 85), 49);
  EXPECT_GT(sample(*run, "mysql_global_status_wsrep_last_committed", m0, 95), 49);
  // The messages of 10.005 … 85.805 s waited: a backlog of 380.
  EXPECT_GT(run->sim().backlog().peak(), 370);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);

  // Without the trap, pc.recovery (R-G7) restores the primary as soon as the three are up again
  // at 15 s; ready at the probe of 20 s + 1 s.
  auto free = run_yaml(bench("5/s", "100s", "    count: 3\n    bootstrap_trap: false\n", kFullCrash));
  EXPECT_EQ(count_events(*free, "mariadb", "bootstrap-refused"), 0u);
  const auto restored = events(*free, "mariadb", "primary-restored");
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_DOUBLE_EQ(restored[0]["t_s"].get<double>(), 15.0);
  EXPECT_EQ(free->faults().recovered(0)->seconds(), 21.0);
  EXPECT_LT(free->sim().backlog().peak(), 60);
}

TEST(GaleraRules, TheTrappedBootstrapNodeCrashLoopsWhileTheOthersServe) {
  // R-G17 (trap_scope bootstrap-node): mariadb-0 fails from 10 to 20 s. The others evict it at
  // 16 s and keep serving. mariadb-0 restarts at 20 s; its mysqld at 25 s re-bootstraps and is
  // refused; CrashLoopBackOff: restart at once (25 s, refused 30 s), 10 s (40 s, refused 45 s),
  // 20 s (65 s, refused 70 s). The restore at 70 s restarts it at 85 s; up at 90 s it joins
  // the running primary and receives the 449 − 49 = 400 write-sets it missed by IST:
  // 8 + 400 / 260 s. No write fails: the consumer's connection moves to mariadb-1.
  auto run = run_yaml(bench("5/s", "110s", "    count: 3\n    bootstrap_trap: true\n",
                            "faults:\n"
                            "  - {kind: pod-failure, target: mariadb/mariadb-0, at: 10s, duration: 10s}\n"
                            "  - {kind: manual-restore, targets: [mariadb/mariadb-0, mariadb/mariadb-1, "
                            "mariadb/mariadb-2], at: 70s}\n"));
  const auto refused = events(*run, "mariadb", "bootstrap-refused");
  ASSERT_EQ(refused.size(), 4u);
  EXPECT_DOUBLE_EQ(refused[0]["t_s"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(refused[3]["t_s"].get<double>(), 70.0);
  const auto ist = events(*run, "mariadb", "state-transfer-started");
  ASSERT_EQ(ist.size(), 1u);
  EXPECT_DOUBLE_EQ(ist[0]["t_s"].get<double>(), 90.0);
  EXPECT_EQ(ist[0]["method"], "IST");
  EXPECT_EQ(ist[0]["write_sets"], 400);
  EXPECT_EQ(galera(*run)["failed"].size(), 0u);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  // Synced at 99.6 s; probes from the container start at 85 s: ready at 105 + 1 s, which is
  // when the pod-failure's target and the restore's three targets count as recovered.
  EXPECT_EQ(run->faults().recovered(0)->seconds(), 106.0);
  EXPECT_EQ(run->faults().recovered(1)->seconds(), 106.0);
}

TEST(GaleraRules, IoChaosOnAMemberActsOnItsWrites) {
  // io-latency 50 ms on mariadb-0 (the consumer's member) from 10 to 20 s: 3.34 + 50 ms.
  auto slow = run_yaml(bench("5/s", "30s", "    count: 3\n",
                             "faults: [{kind: io-latency, target: mariadb/mariadb-0, at: 10s, duration: 10s, "
                             "params: {delay: 50ms}}]\n"));
  EXPECT_NEAR(galera(*slow)["commit_latency_max_s"].get<double>(), 0.05334, 1e-9);
  // io-fault on mariadb-0 from 10 to 20 s: the write of the message of 10.005 s fails its redo
  // write after the group round, at 10.006 + 1.3 ms = 10.0073 s: mysqld aborts. It restarts at
  // once and fails to start at 15.0073 s (the fault lasts), restarts 10 s later and, with the
  // fault gone, is up at 30.0073 s and rejoins. The consumer saw its connection lost and moved to mariadb-1.
  auto broken = run_yaml(bench("5/s", "50s", "    count: 3\n",
                               "faults: [{kind: io-fault, target: mariadb/mariadb-0, at: 10s, duration: 10s}]\n"));
  const auto aborted = events(*broken, "mariadb", "mysqld-aborted");
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_NEAR(aborted[0]["t_s"].get<double>(), 10.0073, 1e-9);
  const auto start_failed = events(*broken, "mariadb", "mysqld-start-failed");
  ASSERT_EQ(start_failed.size(), 1u);
  EXPECT_NEAR(start_failed[0]["t_s"].get<double>(), 15.0073, 1e-9);
  EXPECT_EQ(galera(*broken)["failed"]["connection lost (MySQL 2013)"], 1);
  EXPECT_EQ(broken->sim().ledger().lost(), 0u);
  EXPECT_EQ(broken->sim().ledger().in_flight(), 0u);
}

}  // namespace
}  // namespace faultline
