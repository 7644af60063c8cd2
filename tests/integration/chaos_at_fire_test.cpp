// Reference experiment A (DESIGN §1, seed 000 "CHAOS@FIRE"): scenarios/chaos-at-fire.yaml, its
// experiments, and objective O2 (README "Dimensioning"). The numbers below are derived by hand
// from the scenario's parameters and the rules the models implement.
//
// Figures used throughout (the scenario's values, the models' defaults):
//   publish rate R = 4 feeders × 25/s = 100 msg/s; 2 consumers, prefetch 1, 2 ms of work each;
//   network: one way 150 µs between hosts (RTT 0.3 ms), 50 µs within a host;
//   Longhorn write (R-L3): engine 0.93 ms + max over the 3 replicas (RTT 0.3 ms + disk 0.81 ms)
//     = 2.04 ms;
//   Galera commit (R-G2): client round trip ≈ 0.3 ms + local 1 ms + group round trip 0.3 ms +
//     the volume write 2.04 ms ≈ 3.5 ms (3.54 ms on average: some client/member pairs share a host);
//   a consumer's cycle with prefetch 1 (R-CA2): the delivery's one way + 2 ms + the commit + the
//     ack's one way ≈ 0.3 + 2 + 3.54 = 5.84 ms, so c0 ≈ 171 msg/s per consumer; 2 of them keep
//     up with 100 msg/s and drain a backlog at 2 × 171 − 100 ≈ 242 msg/s.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/support/scenario_bench.hpp"
#include "tests/support/test_support.hpp"

namespace faultline {
namespace {

using testing::count_events;
using testing::lost_by;

const char* const kScenario = "scenarios/chaos-at-fire.yaml";

std::unique_ptr<sim::ScenarioRun> run_experiment(const std::string& experiment, const std::vector<std::string>& sets = {}) {
  return testing::run_file(kScenario, sets, experiment);
}

/// A series' sample at a scrape time (1 s scrapes).
double sample(const sim::ScenarioRun& run, const std::string& name, const sim::Labels& labels, double t_s) {
  const auto& times = run.sim().recorder().scrape_times_ns();
  for (const sim::SeriesView& s : run.sim().recorder().series()) {
    if (s.name != name || s.labels != labels) continue;
    for (size_t i = s.first_sample; i < times.size(); ++i)
      if (times[i] == sim::SimTime::at(sim::Duration::from_seconds(t_s)).ns()) return (*s.values)[i - s.first_sample];
  }
  ADD_FAILURE() << "no sample of " << name << " at " << t_s << " s";
  return 0;
}

double backlog(const sim::ScenarioRun& run, double t_s) { return sample(run, "faultline_backlog_messages", {}, t_s); }

const sim::Labels kCluster = {{"cluster", "rabbitmq"}};

/// Messages per second a RabbitMQ counter grew by over [from, to].
double rate(const sim::ScenarioRun& run, const std::string& counter, double from, double to) {
  return (sample(run, counter, kCluster, to) - sample(run, counter, kCluster, from)) / (to - from);
}

/// The events.jsonl lines of one component and event name, parsed.
std::vector<nlohmann::json> events(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : run.sim().events().lines()) {
    auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) out.push_back(std::move(j));
  }
  return out;
}

double peak(const sim::ScenarioRun& run) { return run.summary()["backlog"]["peak"].get<double>(); }
double peak_time(const sim::ScenarioRun& run) { return run.summary()["backlog"]["peak_time_s"].get<double>(); }
double drain_time(const sim::ScenarioRun& run) { return run.summary()["backlog"]["drain_time_s"].get<double>(); }

/// Nothing lost, and everything published but the last few in-flight messages delivered.
void expect_nothing_lost(const sim::ScenarioRun& run) {
  const auto& ledger = run.sim().ledger();
  EXPECT_EQ(ledger.lost(), 0u);
  EXPECT_EQ(ledger.duplicates(), 0u);
  EXPECT_LE(ledger.in_flight(), 4u);  // the last 40 ms of the feed, still on its way at the end
  EXPECT_EQ(ledger.delivered_count() + ledger.in_flight(), ledger.published());
}

TEST(ChaosAtFire, FeederPodFailureDipsTheFeedAndLosesNothing) {
  // Seed: "pod fail on feeder → feeder automatically restarts pods → drop of fed messages and
  // automatic recovery" (§8.1). feeder-2 and feeder-3 fail at 30 s for 10 s; their containers
  // restart at 40 s, the app is up at 41 s (app_start 1 s), the readiness probe (period 10 s from
  // the container's start) passes at 50 s and the endpoint at 51 s (R-K5, R-K11), when a feeder
  // resumes publishing. So the broker receives 100 msg/s, then 2 × 25 = 50 msg/s over [30, 51) s,
  // then 100 msg/s again.
  auto run = run_experiment("feeder-pod-failure");
  const std::string received = "rabbitmq_global_messages_received_total";
  EXPECT_NEAR(rate(*run, received, 20, 30), 100.0, 0.1);
  EXPECT_NEAR(rate(*run, received, 31, 50), 50.0, 0.1);
  EXPECT_NEAR(rate(*run, received, 52, 62), 100.0, 0.1);
  for (const char* pod : {"feeder/feeder-2", "feeder/feeder-3"}) {
    ASSERT_EQ(events(*run, pod, "pod-ready").size(), 1u);
    EXPECT_DOUBLE_EQ(events(*run, pod, "pod-ready")[0]["t_s"].get<double>(), 51.0);
  }
  EXPECT_DOUBLE_EQ(run->faults().recovered(0)->seconds(), 51.0);
  // Published: 210 s × 100/s less 2 feeders × 25/s × 21 s = 21000 − 1050 = 19950 (± 1 per feeder
  // at the window's edges). The queue never holds more than the messages in transit.
  EXPECT_NEAR(static_cast<double>(run->sim().ledger().published()), 19950.0, 2.0);
  expect_nothing_lost(*run);
  EXPECT_LE(peak(*run), 5.0);
  EXPECT_EQ(run->fingerprint(), "21a0eb1242c8648e");

  // With KEDA on: the queue never reaches the 20 messages per replica of the trigger, so the
  // generated HPA wants ceil(≤ 4 / 20) = 1 → its minimum, 2, the current count: no scaling.
  auto keda = run_experiment("feeder-pod-failure-keda");
  EXPECT_EQ(count_events(*keda, "keda", "scaled"), 0u);
  EXPECT_EQ(keda->sim().ledger().published(), run->sim().ledger().published());
  expect_nothing_lost(*keda);
  EXPECT_EQ(keda->fingerprint(), "e9622fdc7f8f409d");
}

TEST(ChaosAtFire, TrappedMariadbStaysDownUntilTheManualRestore) {
  // Seed: "mariadb pod fail → mariadb cluster malfunctioning and little message queueing → need
  // of manual restoration" (§8.2), with the consumers writing through the Service.
  auto run = run_experiment("mariadb-pod-failure-trap");
  // mariadb-0 stops uncleanly at 30 s: every commit stalls until the others evict it at
  // 30 + suspect_timeout 5 s + inactive_check_period 1 s = 36 s (R-G6). The two consumers each
  // hold one delivery on a stalled write, and the feed goes on: 100 msg/s × 6 s + 2 = 602 at
  // 36 s, the "little message queueing". The survivors then keep the primary component (R-G4)
  // and the backlog drains at ≈ 242 msg/s: 602 / 242 ≈ 2.5 s.
  EXPECT_DOUBLE_EQ(peak(*run), 602.0);
  EXPECT_NEAR(peak_time(*run), 36.0, 0.01);
  EXPECT_NEAR(drain_time(*run), 2.5, 0.15);
  for (double t = 40; t <= 110; t += 5) EXPECT_LE(backlog(*run, t), 4.0) << t;
  // The cluster malfunctions: mariadb-0's container restarts at 40 s, mysqld's start (5 s) ends
  // in the bootstrap refusal (safe_to_bootstrap: 0, R-G14, R-G17) at 45 s; CrashLoopBackOff
  // (R-K2: at once, then 10 s, 20 s) gives refusals at 45, 50 and 65 s. The survivors see a
  // 2-member cluster until it joins.
  const auto refusals = events(*run, "mariadb", "bootstrap-refused");
  ASSERT_EQ(refusals.size(), 3u);
  EXPECT_DOUBLE_EQ(refusals[0]["t_s"].get<double>(), 45.0);
  EXPECT_DOUBLE_EQ(refusals[1]["t_s"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(refusals[2]["t_s"].get<double>(), 65.0);
  const sim::Labels survivor = {{"pod", "mariadb-1"}};
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_size", survivor, 35), 3.0);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_size", survivor, 37), 2.0);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_size", survivor, 79), 2.0);
  EXPECT_EQ(sample(*run, "mysql_global_status_wsrep_cluster_size", survivor, 81), 3.0);
  // The manual restore at 60 s: after restore_delay 15 s the operator restarts the trapped member
  // (75 s), mysqld is up at 80 s and joins; the write-sets it missed, 100/s from 30 to 80 s =
  // 5000, are in the donor's gcache: IST, state_transfer_setup 8 s + 5000 / 260 per s = 27.2 s
  // (R-G10, R-G11), done at 107.2 s. It then applies what was committed meanwhile (27.2 s × 100/s
  // = 2723 write-sets) with 2 slave threads of 1 ms + a 2.04 ms volume write, 658/s, while 100/s
  // keep coming: synced 2723 / 558 = 4.9 s later, at 112.1 s (R-G11 T_catchup). Its readiness
  // probe (every 10 s from 75 s) passes at 115 s: ready at 116 s.
  const auto ist = events(*run, "mariadb", "state-transfer-started");
  ASSERT_EQ(ist.size(), 1u);
  EXPECT_DOUBLE_EQ(ist[0]["t_s"].get<double>(), 80.0);
  EXPECT_EQ(ist[0]["method"], "IST");
  EXPECT_EQ(ist[0]["write_sets"].get<int>(), 5000);
  EXPECT_DOUBLE_EQ(run->faults().recovered(0)->seconds(), 116.0);
  EXPECT_EQ(sample(*run, "kube_pod_status_ready", {{"condition", "true"}, {"pod", "mariadb-0"}}, 115), 0.0);
  EXPECT_EQ(sample(*run, "kube_pod_status_ready", {{"condition", "true"}, {"pod", "mariadb-0"}}, 117), 1.0);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "188aa78383efac23");

  // "Need of manual restoration": mariadb-0 stays down until the restore, wherever it falls.
  // Restoring at 90 s instead (a parameter path into the experiment's fault): the back-off
  // continues (restarts at 65 + 20 = 85 s, refused at 90 s), the operator restarts it at 105 s, and
  // it joins at 110 s, 30 s later than before, to an IST of 8000 write-sets: 8 + 8000 / 260 =
  // 38.8 s, then 3877 write-sets to catch up, 3877 / 558 = 6.9 s: synced at 155.7 s, just after
  // the probe of 155 s; ready at the probe of 165 s + 1 s = 166 s.
  auto late = run_experiment("mariadb-pod-failure-trap", {"experiments.mariadb-pod-failure-trap.faults.restore.at=90s"});
  EXPECT_EQ(events(*late, "mariadb", "bootstrap-refused").size(), 4u);
  ASSERT_EQ(events(*late, "mariadb", "node-joined").size(), 1u);
  EXPECT_DOUBLE_EQ(events(*late, "mariadb", "node-joined")[0]["t_s"].get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(late->faults().recovered(0)->seconds(), 166.0);

  // With KEDA on: the 6 s stall falls between the HPA's syncs at 30 s (nothing queued yet) and
  // 45 s (drained at ≈ 38.5 s): KEDA never sees it and does not scale.
  auto keda = run_experiment("mariadb-pod-failure-trap-keda");
  EXPECT_EQ(count_events(*keda, "keda", "scaled"), 0u);
  EXPECT_DOUBLE_EQ(peak(*keda), 602.0);
  EXPECT_DOUBLE_EQ(keda->faults().recovered(0)->seconds(), 116.0);
  EXPECT_EQ(keda->fingerprint(), "025eb2f50d220212");
}

TEST(ChaosAtFire, ConsumersPinnedToMariadb0QueueUntilTheRestore) {
  // The reading: consumers that write to mariadb-0 itself (no failover) find the database
  // down from the failure until the restoration, and the backlog grows at the publish rate.
  // mariadb-0 refuses writes from 30 s; after the restore (60 s + 15 s, restarted at 75 s, up at
  // 80 s) it joins with nothing to transfer (nobody wrote elsewhere) and takes writes at 80 s:
  // backlog 100 msg/s × 50 s + 2 = 5002 at 80 s, then it drains at ≈ 242 msg/s: 5002 / 242 ≈ 20.7 s.
  auto run = run_experiment("mariadb-pod-failure-trap-pinned");
  EXPECT_NEAR(backlog(*run, 40), 1000.0, 3.0);
  EXPECT_NEAR(backlog(*run, 60), 3000.0, 3.0);
  EXPECT_NEAR(backlog(*run, 75), 4500.0, 3.0);
  EXPECT_DOUBLE_EQ(peak(*run), 5002.0);
  EXPECT_NEAR(peak_time(*run), 80.0, 0.01);
  EXPECT_NEAR(drain_time(*run), 20.7, 0.5);
  EXPECT_EQ(events(*run, "mariadb", "state-transfer-started").size(), 0u);
  expect_nothing_lost(*run);  // failed writes are nacked and requeued (R-CA6), never dropped
  EXPECT_EQ(run->fingerprint(), "414c57fc1b353111");

  // With KEDA: the queue is over 20 per replica at each sync, so the HPA scales 2 → 6 (45 s),
  // → 12 (60 s), → 20 (75 s), each step capped by the +4 pods / +100 % policy (R-H6). New
  // pods are ready 16 s later (create 5 s + app 1 s + the probe 10 s after the container's
  // start + 1 s endpoint). More consumers do not help a down database: the backlog still peaks
  // at 100 × 50 = 5000 at 80 s. Then 12 consumers could commit 12 × 171 msg/s, but every
  // write-set goes to mariadb-0 and the other two apply each with 2 slave threads of
  // apply_time 1 ms + its own volume write 2.04 ms: 2 / 3.04 ms ≈ 658/s, and flow control holds
  // the cluster there (R-GFC1): the drain takes 5000 / (658 − 100) ≈ 9.0 s instead of 20.7 s.
  auto keda = run_experiment("mariadb-pod-failure-trap-pinned-keda");
  const auto scaled = events(*keda, "keda", "scaled");
  ASSERT_EQ(scaled.size(), 3u);
  EXPECT_EQ(scaled[0]["to"].get<int>(), 6);
  EXPECT_EQ(scaled[1]["to"].get<int>(), 12);
  EXPECT_EQ(scaled[2]["to"].get<int>(), 20);
  EXPECT_NEAR(peak(*keda), 5000.0, 3.0);
  EXPECT_NEAR(peak_time(*keda), 80.0, 0.1);
  EXPECT_NEAR(drain_time(*keda), 9.0, 0.5);
  expect_nothing_lost(*keda);
  EXPECT_EQ(keda->fingerprint(), "504b0498384a3029");
}

TEST(ChaosAtFire, WithoutTheTrapMariadbRejoinsByIstAndTheBacklogStaysSmall) {
  // The same failure without the trap: the container restarts at 40 s, mysqld is up at 45 s and
  // joins; the survivors committed 100/s from 30 s to 45 s, 1500 write-sets, all in the gcache:
  // IST (R-G10) of 8 s + 1500 / 260 s = 13.8 s; synced by 62 s, ready at the probe of 70 s + 1 s.
  auto run = run_experiment("mariadb-pod-failure-no-trap");
  const auto ist = events(*run, "mariadb", "state-transfer-started");
  ASSERT_EQ(ist.size(), 1u);
  EXPECT_DOUBLE_EQ(ist[0]["t_s"].get<double>(), 45.0);
  EXPECT_EQ(ist[0]["method"], "IST");
  EXPECT_EQ(ist[0]["write_sets"].get<int>(), 1500);
  EXPECT_NEAR(ist[0]["duration_s"].get<double>(), 8.0 + 1500.0 / 260.0, 1e-6);
  EXPECT_EQ(events(*run, "mariadb", "bootstrap-refused").size(), 0u);
  EXPECT_DOUBLE_EQ(run->faults().recovered(0)->seconds(), 71.0);
  // The backlog is only the R-G6 stall's: 602 at 36 s, drained in ≈ 2.5 s.
  EXPECT_DOUBLE_EQ(peak(*run), 602.0);
  EXPECT_NEAR(drain_time(*run), 2.5, 0.15);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "b88f42ab3f7eeda2");

  auto keda = run_experiment("mariadb-pod-failure-no-trap-keda");  // as with the trap: no scaling
  EXPECT_EQ(count_events(*keda, "keda", "scaled"), 0u);
  EXPECT_DOUBLE_EQ(peak(*keda), 602.0);
  EXPECT_EQ(keda->fingerprint(), "3b1d38049f66a0a2");
}

TEST(ChaosAtFire, MariadbDelayDropsTheDumpRateToTheCommitBound) {
  // 50 ms on the egress of the three MariaDB pods from 30 s to 150 s (R-N1). A commit pays it on
  // the answer to the client (+d) and on the group round trip between two delayed members (+2d,
  // R-N2, R-G2): 3.54 ms + 150 ms. A consumer's cycle is then 0.3 + 2 + 153.54 = 155.84 ms: it
  // dumps 1 / 0.15584 = 6.42 msg/s, two of them 12.83 msg/s. The backlog grows at
  // R − 12.83 = 87.17 msg/s: 87.17 × 120 s = 10460 at the delay's end.
  auto run = run_experiment("network-delay-mariadb");
  EXPECT_NEAR(rate(*run, "rabbitmq_global_messages_acknowledged_total", 20, 30), 100.0, 0.5);
  EXPECT_NEAR(rate(*run, "rabbitmq_global_messages_acknowledged_total", 40, 140), 12.83, 0.15);
  EXPECT_NEAR((backlog(*run, 140) - backlog(*run, 40)) / 100.0, 87.17, 0.15);
  // The mean commit during the delay, from the histogram mysqld's clients would scrape:
  const sim::Labels galera = {{"cluster", "mariadb"}};
  const double commits = sample(*run, "faultline_galera_commit_latency_seconds_count", galera, 140) -
                         sample(*run, "faultline_galera_commit_latency_seconds_count", galera, 40);
  const double seconds = sample(*run, "faultline_galera_commit_latency_seconds_sum", galera, 140) -
                         sample(*run, "faultline_galera_commit_latency_seconds_sum", galera, 40);
  EXPECT_NEAR(seconds / commits, 0.15354, 0.0002);
  // The packets still in the netem queues when the fault ends are dropped with the qdisc and sent
  // again one RTO (≥ 200 ms) later (R-N5's queue, network model): the backlog peaks a quarter of a
  // second after 150 s.
  EXPECT_NEAR(peak(*run), 10460.0 + 25.0, 30.0);
  EXPECT_GE(peak_time(*run), 150.0);
  EXPECT_LE(peak_time(*run), 150.5);
  // Then two undelayed consumers drain it at ≈ 242–250 msg/s: 10485 / 246 ≈ 42.6 s.
  EXPECT_NEAR(drain_time(*run), 42.6, 1.0);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "b26ab6c983c6560c");
}

TEST(ChaosAtFire, RabbitmqDelayDropsTheDumpRateToThePrefetchBound) {
  // 50 ms on the egress of the three RabbitMQ pods: every delivery reaches its consumer 50 ms
  // later, and with prefetch 1 the next one is sent only after the ack (R-CA2): a cycle of
  // 50 + 0.3 + 2 + 3.54 = 55.84 ms, 17.91 msg/s per consumer, 35.82 for two. The backlog grows
  // at 100 − 35.82 = 64.18 msg/s: 64.18 × 120 s = 7702 at the delay's end.
  auto run = run_experiment("network-delay-rabbitmq");
  EXPECT_NEAR(rate(*run, "rabbitmq_global_messages_acknowledged_total", 40, 140), 35.82, 0.3);
  EXPECT_NEAR((backlog(*run, 140) - backlog(*run, 40)) / 100.0, 64.18, 0.3);
  EXPECT_NEAR(peak(*run), 7702.0, 40.0);
  EXPECT_NEAR(peak_time(*run), 150.0, 0.1);
  // Then ≈ 242 msg/s: 7702 / 242 ≈ 31.8 s.
  EXPECT_NEAR(drain_time(*run), 31.8, 1.0);
  // KEDA is there but paused (autoscaling.keda.sh/paused): 7700 queued messages, no scaling.
  EXPECT_EQ(count_events(*run, "keda", "scaled"), 0u);
  EXPECT_EQ(run->summary()["components"]["keda"]["paused"], true);
  EXPECT_EQ(sample(*run, "kube_deployment_status_replicas", {{"deployment", "consumer"}}, 140), 2.0);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "ccb0e538266d157e");
}

TEST(ChaosAtFire, KedaDrainsTheRabbitmqDelayBacklogDuringTheDelay) {
  // The seed's lesson, "need to configure autoscale of the consumer". KEDA's HPA syncs every
  // 15 s from 0 s and wants ceil(ready messages / 20) (R-KE4); each step is capped at
  // max(+100 %, +4 pods) per 15 s (R-H6); a new pod is ready 16 s after it is created (create
  // 5 s + app 1 s + the probe 10 s after the container's start + endpoint 1 s). The backlog
  // grows at 64.18 msg/s from 30 s (see the test above), a consumer dumps 17.91 msg/s.
  //   45 s: ≈ 960 queued → 48 wanted → 2 + 4 = 6;             ready at 61 s.
  //   60 s: ≈ 1920 → 96 → 6 × 2 = 12;                         ready at 76 s.
  //   75 s: ≈ 1880 → 94 → 20 (maxReplicaCount);               ready at 91 s.
  // The peak is when the first 4 join: 64.18 × 31 s ≈ 1990 at 61 s. Then 6 consumers dump 107.5
  // msg/s (−7.5/s): ≈ 1878 at 76 s; 12 dump 214.9 (−114.9/s): ≈ 155 at 91 s; 20 dump 358
  // (−258/s): empty 0.6 s later, at ≈ 91.6 s, while the delay still lasts. Time to drain from the
  // peak: 91.6 − 61 ≈ 30.6 s.
  auto run = run_experiment("network-delay-rabbitmq-keda");
  const auto scaled = events(*run, "keda", "scaled");
  ASSERT_EQ(scaled.size(), 3u);
  const double when[] = {45, 60, 75};
  const int to[] = {6, 12, 20};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(scaled[i]["t_s"].get<double>(), when[i]);
    EXPECT_EQ(scaled[i]["to"].get<int>(), to[i]);
  }
  EXPECT_NEAR(peak(*run), 1990.0, 15.0);
  EXPECT_NEAR(peak_time(*run), 61.0, 0.1);
  EXPECT_NEAR(backlog(*run, 76), 1878.0, 15.0);
  EXPECT_NEAR(drain_time(*run), 30.6, 1.0);
  EXPECT_LT(peak_time(*run) + drain_time(*run), 150.0);  // drained before the delay ends
  EXPECT_LE(backlog(*run, 120), 12.0);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "cd967f074d3ce2ba");
}

TEST(ChaosAtFire, KedaBoundsTheMariadbDelayBacklog) {
  // The same scaling against the commit bound: a consumer dumps 6.42 msg/s, the backlog grows at
  // 87.17 msg/s from 30 s. Syncs at 45 s (≈ 1308 → 6), 60 s (→ 12), 75 s (→ 20); pods ready at
  // 61, 76 and 91 s. Growth: 87.17/s to 61 s (≈ 2702), 100 − 6 × 6.42 = 61.5/s to 76 s
  // (≈ 3625), 100 − 12 × 6.42 = 23.0/s to 91 s (≈ 3970: the peak); then 20 × 6.42 = 128.4
  // msg/s drain it at 28.4/s: ≈ 2295 left when the delay ends at 150 s. Then 20 undelayed
  // consumers could commit ≈ 3400/s, but the appliers of the other members hold the cluster at
  // 2 / 3.04 ms ≈ 658 write-sets/s (flow control, R-GFC1): 2295 / (658 − 100) ≈ 4.1 s. Time to
  // drain from the peak: 150 + 4.1 − 91 ≈ 63 s (12 s without the delay's end would not do:
  // 20 consumers at 50 ms are not enough to empty 3970 messages before 150 s).
  auto run = run_experiment("network-delay-mariadb-keda");
  EXPECT_EQ(count_events(*run, "keda", "scaled"), 3u);
  EXPECT_NEAR(backlog(*run, 61), 2702.0, 15.0);
  EXPECT_NEAR(backlog(*run, 76), 3625.0, 20.0);
  EXPECT_NEAR(peak(*run), 3970.0, 25.0);
  EXPECT_NEAR(peak_time(*run), 91.0, 0.5);
  EXPECT_NEAR(backlog(*run, 150), 2295.0, 40.0);
  EXPECT_NEAR(drain_time(*run), 63.0, 1.5);
  EXPECT_GT(run->summary()["components"]["mariadb"]["flow_control_pauses"].get<int>(), 0);
  expect_nothing_lost(*run);
  EXPECT_EQ(run->fingerprint(), "727a9feafcaae0bb");
}

TEST(ChaosAtFire, O2GoalSearchFindsTheConsumerCountTheReadmeStates) {
  // README "Dimensioning": at R = 200 msg/s (4 feeders × 50/s) and D = 50 ms on the RabbitMQ
  // pods for 120 s, how many consumers keep the peak backlog under 1000? A consumer dumps
  // 17.91 msg/s (see above), so N consumers let the backlog grow at 200 − 17.91 N for 120 s:
  // under 1000 needs 200 − 17.91 N < 8.33, N > 10.7: 11 (10 give (200 − 179.1) × 120 ≈ 2500).
  const test::CliResult r = test::run_cli(
      {"sweep", test::source_path(kScenario), "--experiment", "network-delay-rabbitmq", "--set",
       "components.feeder.rate=50/s", "--set", "experiments.network-delay-rabbitmq.faults.delay.params.latency=50ms",
       "--set", "components.consumer.count=10..12:1", "--goal", "backlog.peak < 1000", "-j", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("components.consumer.count=11 (backlog.peak max "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cheapest "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace faultline
