// The broker rules of DESIGN §4 on two- and three-component benches: a producer, a broker
// cluster, sometimes a consumer. Each expected value is derived by hand above its assertion.
//
// Timing facts the derivations use (defaults unless a bench sets them):
// - A producer with `arrivals: constant`, `rate: 100/s`, `start: 5ms` and one stage of 5 s
//   publishes at t = 0.015, 0.025, …, 5.005 s: 500 messages, none on a 0.2 s fsync tick.
// - A broker node is recreated create_delay = 5 s after a pod-kill, its app is up after
//   app_start = 10 s, the readiness probe (period 10 s from container start) passes at +10 s,
//   and the endpoint propagates 1 s later: ready 16 s after the kill. A container-kill restarts
//   at once (first restart of CrashLoopBackOff, R-K2): ready 11 s after the kill.
#include <gtest/gtest.h>

#include "models/broker/broker_cluster.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using testing::count_events;
using testing::lost_by;
using testing::run_yaml;

const std::string kProducer = R"(
  - name: p
    kind: producer
    target: rmq.q
    arrivals: constant
    start: 5ms
    rate: 100/s
    stages: [{duration: 5s, target: 100/s}]
)";

std::string bench(const std::string& producer_extra, const std::string& broker, const std::string& rest,
                  const std::string& duration = "40s") {
  return "name: bench\nduration: " + duration + "\ncomponents:\n" + kProducer + producer_extra + broker + rest;
}

TEST(BrokerRules, TransientMessagesAreDiscardedOnRestart) {
  // R-CQ2: a durable queue on a node with a volume recovers persistent messages only. The 500
  // transient messages published by t = 5.005 s are gone after the container-kill at 10 s.
  auto run = run_yaml(bench("    persistent: false\n", R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    persistent_volume: true
    queues: [{name: q, durable: true}]
)",
                            "faults:\n  - {kind: container-kill, target: rmq/rmq-0, at: 10s}\n"));
  EXPECT_EQ(run->sim().ledger().published(), 500u);
  EXPECT_EQ(lost_by(*run, "transient_discarded"), 500u);
  EXPECT_EQ(run->sim().ledger().lost(), 500u);
}

TEST(BrokerRules, PersistentMessagesSurviveButUnfsyncedOnesAreLost) {
  // R-CQ3/R-CQ4: fsync ticks every 200 ms, the last before the crash at 4.8 s. A container-kill
  // at 4.95 s loses the persistent messages published after it: t = 4.805 … 4.945, 15 messages.
  // The publishes from 4.955 to 5.005 s find the connection closed: 6 publish failures (no retry).
  // The other 479 were fsynced and are recovered at restart: in flight at the end (no consumer).
  auto run = run_yaml(bench("    persistent: true\n", R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    persistent_volume: true
    queues: [{name: q, durable: true}]
)",
                            "faults:\n  - {kind: container-kill, target: rmq/rmq-0, at: 4.95s}\n"));
  EXPECT_EQ(lost_by(*run, "broker_crash_unfsynced"), 15u);
  EXPECT_EQ(lost_by(*run, "publish_failed"), 6u);
  EXPECT_EQ(run->sim().ledger().in_flight(), 479u);
}

TEST(BrokerRules, AnEmptyDirSurvivesAContainerRestartButNotAPodDeletion) {
  // R-K1 + R-K8S: without a persistent volume the store is an emptyDir, which lives as long as
  // the pod object. container-kill at 10 s: the 500 persistent, fsynced messages survive.
  const std::string broker = R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    persistent_volume: false
    queues: [{name: q, durable: true}]
)";
  auto restart = run_yaml(bench("    persistent: true\n", broker,
                                "faults:\n  - {kind: container-kill, target: rmq/rmq-0, at: 10s}\n"));
  EXPECT_EQ(restart->sim().ledger().lost(), 0u);
  EXPECT_EQ(restart->sim().ledger().in_flight(), 500u);
  // pod-kill at 10 s: a new pod with an empty store: all 500 lost with the queue.
  auto deleted = run_yaml(bench("    persistent: true\n", broker,
                                "faults:\n  - {kind: pod-kill, target: rmq/rmq-0, at: 10s}\n"));
  EXPECT_EQ(lost_by(*deleted, "queue_deleted"), 500u);
}

TEST(BrokerRules, DropHeadVersusRejectPublish) {
  // R-MAXLEN, max-length 10 and no consumer: 15 publishes (one stage of 150 ms at 100/s).
  // drop-head keeps the newest 10 and drops the 5 oldest; reject-publish keeps the first 10 and
  // refuses the last 5.
  const std::string producer = R"(
  - name: p
    kind: producer
    target: rmq.q
    arrivals: constant
    start: 5ms
    rate: 100/s
    stages: [{duration: 150ms, target: 100/s}]
)";
  auto make = [&](const std::string& overflow, const std::string& confirms) {
    return "name: bench\nduration: 5s\ncomponents:\n" + producer + "    confirms: " + confirms + R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q, max_length: 10, overflow: )" + overflow + "}]\n";
  };
  auto head = run_yaml(make("drop-head", "false"));
  EXPECT_EQ(head->sim().ledger().published(), 15u);
  EXPECT_EQ(lost_by(*head, "overflow_drop_head"), 5u);
  EXPECT_EQ(head->sim().ledger().in_flight(), 10u);
  auto reject = run_yaml(make("reject-publish", "false"));
  EXPECT_EQ(lost_by(*reject, "overflow_rejected"), 5u);
  EXPECT_EQ(reject->sim().ledger().in_flight(), 10u);
  // With confirms the publisher gets basic.nack (R-PC3) and, with no retry, gives up: the same 5.
  auto nacked = run_yaml(make("reject-publish", "true"));
  EXPECT_EQ(lost_by(*nacked, "overflow_rejected"), 5u);
  EXPECT_EQ(nacked->sim().ledger().in_flight(), 10u);
}

TEST(BrokerRules, AnAlarmBlocksPublishers) {
  // R-AL1/R-AL2: a memory alarm from 1 s to 3 s blocks the publishing connection; the producer
  // holds its messages and sends them when unblocked. Nothing enters the queue meanwhile, and
  // nothing is lost. Scrapes every 100 ms: received(1.5 s) == received(2.9 s); by 3.5 s all
  // 349 messages published by then (t = 0.005 + 0.01k ≤ 3.495) were received.
  const std::string yaml = bench("", R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q}]
  - name: c
    kind: consumer
    queue: rmq.q
)",
                                 "faults:\n  - {kind: broker-alarm, target: rmq/rmq-0, at: 1s, duration: 2s}\n",
                                 "10s");
  auto run = run_yaml("scrape_interval: 100ms\n" + yaml);
  const auto series = run->sim().recorder().series();
  const auto& times = run->sim().recorder().scrape_times_ns();
  const std::vector<double>* received = nullptr;
  for (const auto& s : series)
    if (s.name == "rabbitmq_global_messages_received_total") received = s.values;
  ASSERT_NE(received, nullptr);
  auto at = [&](double t) {
    for (size_t i = 0; i < times.size(); ++i)
      if (times[i] == sim::Duration::from_seconds(t).count_ns()) return (*received)[i];
    ADD_FAILURE() << "no scrape at " << t;
    return -1.0;
  };
  EXPECT_EQ(at(1.5), at(2.9));
  EXPECT_EQ(at(1.5), 99.0);   // before the alarm: t = 0.015 … 0.995 s, k = 1 … 99
  EXPECT_EQ(at(3.5), 349.0);  // everything up to 3.495 s: k = 1 … 349
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_EQ(count_events(*run, "rmq", "publishers-blocked"), 1u);
  EXPECT_EQ(count_events(*run, "rmq", "publishers-unblocked"), 1u);
}

TEST(BrokerRules, BlockedPublishesTimeOut) {
  // With publish_timeout 1 s and an alarm from 1 s to 3 s, a publish blocked at time b fails at
  // b + 1 s if that is before 3 s: the blocks from 1.005 to 1.995 s, 100 messages, fail.
  auto run = run_yaml(bench("    publish_timeout: 1s\n", R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q}]
  - name: c
    kind: consumer
    queue: rmq.q
)",
                            "faults:\n  - {kind: broker-alarm, target: rmq/rmq-0, at: 1s, duration: 2s}\n", "10s"));
  EXPECT_EQ(lost_by(*run, "publish_failed"), 100u);
}

TEST(BrokerRules, UnsynchronisedMirrorLoss) {
  // R-MQ6 + R-MQ4.2: a 2-node mirrored queue (manual sync) holds the 500 messages, no consumer.
  // The mirror rmq-1 is deleted at 10 s and rejoins empty at 26 s: unsynchronised. The leader is
  // deleted at 30 s; the only candidate is promoted (ha-promote-on-failure: always) and the 500
  // messages it never had are lost.
  const std::string broker = R"(
  - name: rmq
    kind: broker-cluster
    count: 2
    queues: [{name: q, type: mirrored, ha_mode: all, ha_sync_mode: manual, ha_promote_on_failure: PROMOTE}]
)";
  const std::string faults =
      "faults:\n  - {kind: pod-kill, target: rmq/rmq-1, at: 10s}\n  - {kind: pod-kill, target: rmq/rmq-0, at: 30s}\n";
  std::string always = broker;
  always.replace(always.find("PROMOTE"), 7, "always");
  auto run = run_yaml(bench("", always, faults, "60s"));
  EXPECT_EQ(lost_by(*run, "unsynced_mirror"), 500u);
  EXPECT_EQ(count_events(*run, "rmq", "mirror-promoted"), 1u);
  // With when-synced the unsynchronised mirror is not promoted: nothing is lost, the queue waits
  // for its leader (here it returns at 46 s with its data).
  std::string synced = broker;
  synced.replace(synced.find("PROMOTE"), 7, "when-synced");
  auto safe = run_yaml(bench("", synced, faults, "60s"));
  EXPECT_EQ(safe->sim().ledger().lost(), 0u);
  EXPECT_EQ(safe->sim().ledger().in_flight(), 500u);
  EXPECT_EQ(count_events(*safe, "rmq", "promotion-refused"), 1u);
}

TEST(BrokerRules, AutomaticSyncPreventsTheLoss) {
  // R-MQ8: with ha-sync-mode automatic the rejoining mirror is filled at once (500 × 1 KiB at
  // 125 MB/s ≈ 4 ms), so the promotion at 30 s finds it synchronised: no loss.
  auto run = run_yaml(bench("", R"(
  - name: rmq
    kind: broker-cluster
    count: 2
    queues: [{name: q, type: mirrored, ha_sync_mode: automatic}]
)",
                            "faults:\n  - {kind: pod-kill, target: rmq/rmq-1, at: 10s}\n  - {kind: pod-kill, "
                            "target: rmq/rmq-0, at: 30s}\n",
                            "60s"));
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_EQ(run->sim().ledger().in_flight(), 500u);
}

TEST(BrokerRules, RedeliveryAfterFailoverProducesADuplicate) {
  // R-MQ4.3 + R-D1: one message, a consumer that takes 2 s to process it. The consumer connected
  // first, to rmq-0 (the Service's round-robin starts there); the producer to rmq-1. Deleting the
  // leader rmq-0 at 1 s closes the consumer's channel: the message is requeued on the promoted
  // mirror. The consumer still finishes it at 2.015 s (delivered), reconnects at 4 s and gets it
  // again (redelivered) and finishes it at 6 s: one duplicate, nothing lost.
  auto run = run_yaml(R"(
name: bench
duration: 20s
components:
  - {name: c, kind: consumer, queue: rmq.q, processing_time: 2s}
  - {name: p, kind: producer, target: rmq.q, arrivals: constant, start: 5ms, rate: 100/s, messages: 1}
  - name: rmq
    kind: broker-cluster
    count: 2
    queues: [{name: q, type: mirrored}]
faults:
  - {kind: pod-kill, target: rmq/rmq-0, at: 1s}
)");
  EXPECT_EQ(run->sim().ledger().delivered_count(), 1u);
  EXPECT_EQ(run->sim().ledger().duplicates(), 1u);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
}

TEST(BrokerRules, QuorumMajorityLossMakesTheQueueUnavailable) {
  // R-QQ5: a 3-member quorum queue loses 2 members (pod-failure of rmq-1 and rmq-2, 5 s to
  // 15 s). With 1 of 3 alive there is no majority: publishes are retained, nothing is delivered.
  // The members' containers restart at 15 s and are ready at 26 s; the majority is back and the
  // retained publishes commit and flow. The producer (connected to rmq-1) loses its connection
  // at 5 s and retries every second until it reconnects (to rmq-0 at 8 s): nothing is lost.
  auto run = run_yaml(R"(
name: bench
duration: 60s
scrape_interval: 1s
components:
  - {name: c, kind: consumer, queue: rmq.q}
  - name: p
    kind: producer
    target: rmq.q
    arrivals: constant
    start: 5ms
    rate: 10/s
    stages: [{duration: 20s, target: 10/s}]
    confirms: true
    max_attempts: 100
    retry_interval: 1s
  - name: rmq
    kind: broker-cluster
    count: 3
    queues: [{name: q, type: quorum}]
faults:
  - {kind: pod-failure, targets: [rmq/rmq-1, rmq/rmq-2], at: 5s, duration: 10s}
)");
  const auto series = run->sim().recorder().series();
  const std::vector<double>* delivered = nullptr;
  for (const auto& s : series)
    if (s.name == "faultline_messages_delivered_total") delivered = s.values;
  ASSERT_NE(delivered, nullptr);
  // Scrapes at whole seconds: nothing is delivered between 6 s and 25 s.
  EXPECT_EQ((*delivered)[6], (*delivered)[25]);
  EXPECT_GT((*delivered)[30], (*delivered)[25]);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_EQ(run->sim().ledger().published(), 200u);
  EXPECT_EQ(run->sim().ledger().delivered_count(), 200u);
  EXPECT_EQ(count_events(*run, "rmq", "quorum-lost"), 1u);
}

TEST(BrokerRules, QuorumLeaderLossElectsANewLeaderWithoutLoss) {
  // R-QQ3/R-QQ6: deleting the leader rmq-0 at 2 s: the two followers elect a new leader after
  // election_time (350 ms); committed messages are not lost; unacked ones are redelivered.
  auto run = run_yaml(R"(
name: bench
duration: 40s
components:
  - {name: c, kind: consumer, queue: rmq.q, processing_time: 5ms}
  - name: p
    kind: producer
    target: rmq.q
    arrivals: constant
    start: 5ms
    rate: 100/s
    stages: [{duration: 5s, target: 100/s}]
    confirms: true
    max_attempts: 20
    retry_interval: 1s
  - name: rmq
    kind: broker-cluster
    count: 3
    queues: [{name: q, type: quorum}]
faults:
  - {kind: pod-kill, target: rmq/rmq-0, at: 2s}
)");
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_EQ(run->sim().ledger().published(), 500u);
  EXPECT_EQ(run->sim().ledger().delivered_count(), 500u);
  EXPECT_EQ(count_events(*run, "rmq", "leader-elected"), 1u);
}

TEST(BrokerRules, MessageTtlExpiresAtTheHead) {
  // R-TTL: with a 1 s TTL and no consumer, each of the 500 messages expires 1 s after it was
  // enqueued; by the end (10 s) all are gone with cause "expired".
  auto run = run_yaml(bench("", R"(
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q, message_ttl: 1s}]
)",
                            "", "10s"));
  EXPECT_EQ(lost_by(*run, "expired"), 500u);
  EXPECT_EQ(run->sim().ledger().in_flight(), 0u);
}

TEST(BrokerRules, UnackedDeliveriesOfAKilledConsumerAreRequeued) {
  // R-CA3: a consumer with prefetch 10 processing 100 ms per message is killed at 1 s: its
  // unacked deliveries go back to the queue and the other consumer takes them; none is lost and,
  // since the killed one aborted its work, none is duplicated.
  auto run = run_yaml(R"(
name: bench
duration: 60s
components:
  - {name: c, kind: consumer, count: 2, queue: rmq.q, prefetch: 10, processing_time: 100ms}
  - {name: p, kind: producer, target: rmq.q, arrivals: constant, start: 5ms, rate: 10/s, messages: 100}
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q}]
faults:
  - {kind: pod-kill, target: c/c-0, at: 1s}
)");
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_EQ(run->sim().ledger().duplicates(), 0u);
  EXPECT_EQ(run->sim().ledger().delivered_count(), 100u);
  EXPECT_GT(run->summary()["components"]["rmq"]["queues"]["q"]["redelivered"].get<uint64_t>(), 0u);
}

TEST(BrokerRules, AutoAckConsumerCrashLosesItsDeliveries) {
  // R-CA1 / R-MQ4.6: in auto-ack mode a delivery is the consumer's as soon as it is sent. 100
  // messages at 1000/s reach a consumer that needs 100 ms each; it is killed at 0.5 s holding
  // the ones it has not finished: those are lost.
  auto run = run_yaml(R"(
name: bench
duration: 30s
components:
  - {name: c, kind: consumer, queue: rmq.q, ack: auto, processing_time: 100ms}
  - {name: p, kind: producer, target: rmq.q, arrivals: constant, rate: 1000/s, messages: 100}
  - name: rmq
    kind: broker-cluster
    count: 1
    queues: [{name: q}]
faults:
  - {kind: pod-kill, target: c/c-0, at: 500ms}
)");
  // By 0.5 s it finished the deliveries processed at 0.101, 0.201, 0.301, 0.401 s (the first
  // arrives at 1 ms): 4 delivered; the 96 others were in its memory.
  EXPECT_EQ(run->sim().ledger().delivered_count(), 4u);
  EXPECT_EQ(lost_by(*run, "consumer_autoack_crash"), 96u);
}

}  // namespace
}  // namespace faultline
