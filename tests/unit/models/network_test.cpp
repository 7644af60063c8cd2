// The network model (models/network) and how the other models feel it. Each expected value is
// derived by hand in the comment above its assertion.
//
// Path benches: components a and c on host node-1, b on node-2; cross-host latency 150 µs one
// way, same-host 50 µs, and no NIC serialisation (bandwidth 0 = unlimited, for round numbers).
// So RTT(a,b) = 300 µs and RTT(a,c) = 100 µs without faults, and the retransmission timeout on
// a↔b is rto_min + RTT = 200 ms + 0.3 ms = 200.3 ms.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "models/network/netem_qdisc.hpp"
#include "models/network/network.hpp"
#include "models/network/token_bucket.hpp"
#include "sim/core/simulation.hpp"
#include "sim/scenario/input_error.hpp"
#include "tests/support/scenario_bench.hpp"

namespace faultline {
namespace {

using models::NetworkFaultChange;
using sim::Duration;
using sim::SimTime;

/// A component with the two network channels every pod has.
class Endpoint final : public sim::Component {
 public:
  Endpoint(sim::Simulation& s, sim::ComponentIdentity id) : Component(s, std::move(id)) {
    net = &request_port<models::PathQuery, models::PathAnswer>("network");
    faults = &request_port<NetworkFaultChange, sim::FaultOutcome>("network-faults");
  }
  [[nodiscard]] std::string_view kind() const override { return "endpoint"; }
  models::NetworkPort* net = nullptr;
  models::NetworkFaultPort* faults = nullptr;
};

struct PathBench {
  sim::Simulation sim{7};
  models::Network& net;
  Endpoint& a = add("a");
  Endpoint& b = add("b");
  Endpoint& c = add("c");
  std::vector<sim::Fault> faults;  // stable storage: applied faults are referred to by pointer

  static models::NetworkConfig config(double bandwidth = 0) {
    models::NetworkConfig cfg;
    cfg.hosts = {"node-1", "node-2"};
    cfg.placement = {{"a", {"node-1"}}, {"b", {"node-2"}}, {"c", {"node-1"}}};
    cfg.link.bandwidth = bandwidth;
    return cfg;
  }
  Endpoint& add(const std::string& name) {
    Endpoint& e = sim.add<Endpoint>({name, {}});
    sim::connect(*e.net, *net.find_port("path"));
    sim::connect(*e.faults, *net.find_port("faults"));
    return e;
  }
  explicit PathBench(double bandwidth = 0) : net(sim.add<models::Network>({"net", {}}, config(bandwidth))) {
    faults.reserve(16);
  }

  sim::FaultOutcome apply(Endpoint& on, const std::string& kind, sim::Json params) {
    sim::Fault f;
    f.id = static_cast<uint32_t>(faults.size());
    f.kind = kind;
    f.targets = {on.path()};
    f.params = std::move(params);
    faults.push_back(f);
    return on.faults->call(NetworkFaultChange{&faults.back(), on.index(), true});
  }
  /// The same fault selects several pods (a Chaos Mesh selector with mode all).
  void apply_to(std::vector<Endpoint*> pods, const std::string& kind, sim::Json params) {
    sim::Fault f;
    f.id = static_cast<uint32_t>(faults.size());
    f.kind = kind;
    for (Endpoint* p : pods) f.targets.push_back(p->path());
    f.params = std::move(params);
    faults.push_back(f);
    for (Endpoint* p : pods) EXPECT_TRUE(p->faults->call(NetworkFaultChange{&faults.back(), p->index(), true}).applied);
  }
  void remove(Endpoint& on, uint32_t fault) { on.faults->call(NetworkFaultChange{&faults.at(fault), on.index(), false}); }

  Duration one_way(Endpoint& from, Endpoint& to, uint32_t bytes = 0) {
    const models::PathAnswer x = models::ask_path(*from.net, from.index(), to.index(), bytes);
    EXPECT_TRUE(x.reachable);
    return x.delay;
  }
  Duration rtt(Endpoint& x, Endpoint& y) { return one_way(x, y) + one_way(y, x); }
  Duration mean_rtt(Endpoint& x, Endpoint& y) {
    return models::peek_path(*x.net, x.index(), y.index()).delay + models::peek_path(*y.net, y.index(), x.index()).delay;
  }
};

sim::Json delay(const std::string& latency, const std::string& direction = "to", std::vector<std::string> peers = {}) {
  sim::Json p = {{"direction", direction}, {"latency", latency}, {"jitter", "0s"}, {"correlation", 0.0}};
  if (!peers.empty()) p["peers"] = peers;
  return p;
}

const Duration kUs = Duration::us(1);
const Duration kD = Duration::ms(100);

TEST(NetworkPath, PlacementAndBaseRoundTrips) {
  // Without faults: a↔b crosses hosts (2 × 150 µs), a↔c stays on node-1 (2 × 50 µs).
  PathBench bench;
  EXPECT_EQ(bench.rtt(bench.a, bench.b), kUs * 300);
  EXPECT_EQ(bench.rtt(bench.a, bench.c), kUs * 100);
  EXPECT_EQ(bench.net.host_of(bench.b.index()), "node-2");
  // With the default 10 Gbit/s NICs (1.25 GB/s), a 1024-byte message (1090 bytes with headers)
  // to another host also takes 1090 / 1.25e9 s = 872 ns on a's NIC; on the same host, none.
  PathBench nic(1.25e9);
  EXPECT_EQ(nic.one_way(nic.a, nic.b, 1024), kUs * 150 + Duration::ns(872));
  EXPECT_EQ(nic.one_way(nic.a, nic.c, 1024), kUs * 50);
}

TEST(NetworkPath, DelayOnOnePodsEgressAddsOneDelayToTheRoundTrip) {
  // R-N2: delay d on a's egress (direction to, no target): a→b +d, b→a unchanged: RTT = 300 µs
  // + d; a→c is delayed too (every destination): 100 µs + d; b↔c is untouched: 300 µs.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-delay", delay("100ms")).applied);
  EXPECT_EQ(bench.rtt(bench.a, bench.b), kUs * 300 + kD);
  EXPECT_EQ(bench.rtt(bench.a, bench.c), kUs * 100 + kD);
  EXPECT_EQ(bench.rtt(bench.b, bench.c), kUs * 300);
}

TEST(NetworkPath, DirectionBothWithATargetAddsTwoDelays) {
  // R-N2: direction both with target b: a→b on a's egress and b→a on b's egress: RTT = 300 µs
  // + 2d. The filter holds only b: a↔c stays 100 µs.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-delay", delay("100ms", "both", {"b"})).applied);
  EXPECT_EQ(bench.rtt(bench.a, bench.b), kUs * 300 + kD * 2);
  EXPECT_EQ(bench.rtt(bench.a, bench.c), kUs * 100);
}

TEST(NetworkPath, TwoDelayedPodsTalkingAddTwoDelays) {
  // R-N2: one fault selecting a and b, no target: traffic between them is delayed on each egress
  // (RTT = 300 µs + 2d); a client c of a delayed pod sees + d (RTT(a,c) = 100 µs + d, RTT(b,c) =
  // 300 µs + d).
  PathBench bench;
  bench.apply_to({&bench.a, &bench.b}, "network-delay", delay("100ms"));
  EXPECT_EQ(bench.rtt(bench.a, bench.b), kUs * 300 + kD * 2);
  EXPECT_EQ(bench.rtt(bench.a, bench.c), kUs * 100 + kD);
  EXPECT_EQ(bench.rtt(bench.b, bench.c), kUs * 300 + kD);
}

TEST(NetworkPath, DirectionFromDelaysThePeersTraffic) {
  // R-N1: direction from with target b sits on b's egress toward a: b→a + d, RTT(a,b) = 300 µs
  // + d; a→c is not filtered in: 100 µs. Without a target Chaos Mesh installs nothing: unmapped.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-delay", delay("100ms", "from", {"b"})).applied);
  EXPECT_EQ(bench.one_way(bench.b, bench.a), kUs * 150 + kD);
  EXPECT_EQ(bench.one_way(bench.a, bench.b), kUs * 150);
  EXPECT_EQ(bench.rtt(bench.a, bench.c), kUs * 100);
  const sim::FaultOutcome none = bench.apply(bench.c, "network-delay", delay("100ms", "from"));
  EXPECT_FALSE(none.applied);
  EXPECT_NE(none.reason.find("#1486"), std::string::npos) << none.reason;
}

TEST(NetworkPath, AnEndedFaultLeavesThePath) {
  // After the fault ends the mean RTT is back to 300 µs.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-delay", delay("100ms")).applied);
  EXPECT_EQ(bench.mean_rtt(bench.a, bench.b), kUs * 300 + kD);
  bench.remove(bench.a, 0);
  EXPECT_EQ(bench.mean_rtt(bench.a, bench.b), kUs * 300);
  EXPECT_EQ(bench.net.rules_active(), 0u);
}

TEST(NetworkPath, APartitionBlocksBothWaysAndTellsSince) {
  // R-N9: a one-way partition (direction to) from a to b stalls TCP both ways; a↔c is open.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-partition", {{"direction", "to"}, {"peers", {"b"}}}).applied);
  const models::PathAnswer ab = models::ask_path(*bench.a.net, bench.a.index(), bench.b.index());
  const models::PathAnswer ba = models::ask_path(*bench.b.net, bench.b.index(), bench.a.index());
  EXPECT_FALSE(ab.reachable);
  EXPECT_FALSE(ba.reachable);
  EXPECT_EQ(ab.blocked_since, SimTime::zero());
  // The sender retries at RTO = 200.3 ms, doubling: the 3rd attempt waits 4 × 200.3 ms.
  EXPECT_EQ(ab.rto, Duration::us(200300));
  EXPECT_EQ(models::ask_path(*bench.a.net, bench.a.index(), bench.b.index()).rto, Duration::us(200300));
  EXPECT_EQ(bench.a.net->call(models::PathQuery{bench.a.index(), bench.b.index(), 0, false, 2}).rto, Duration::us(801200));
  EXPECT_TRUE(models::ask_path(*bench.a.net, bench.a.index(), bench.c.index()).reachable);
}

// ---- R-N3: netem delay, jitter and correlation.

struct Stats {
  double mean = 0, sd = 0, lag1 = 0, min = 1e300, max = -1e300;
};
Stats stats(const std::vector<double>& x) {
  Stats s;
  for (double v : x) {
    s.mean += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  s.mean /= static_cast<double>(x.size());
  double var = 0, cov = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    var += (x[i] - s.mean) * (x[i] - s.mean);
    if (i > 0) cov += (x[i] - s.mean) * (x[i - 1] - s.mean);
  }
  s.sd = std::sqrt(var / static_cast<double>(x.size()));
  s.lag1 = cov / var;
  return s;
}

TEST(Netem, JitterIsUniformAroundTheLatency) {
  // R-N3 without correlation: delay = (rnd mod 2σ) + μ − σ, uniform in [μ − σ, μ + σ): with
  // μ = 100 ms and σ = 10 ms, 200 000 draws have mean 100 ms (standard error 0.013 ms), standard
  // deviation σ/√3 = 5.7735 ms, every value in [90, 110) ms and no serial correlation.
  models::NetemDelay d(Duration::ms(100), Duration::ms(10), 0.0);
  sim::RandomStream rng(11);
  std::vector<double> ms;
  for (int i = 0; i < 200000; ++i) ms.push_back(d.draw(rng).seconds() * 1e3);
  const Stats s = stats(ms);
  EXPECT_NEAR(s.mean, 100.0, 0.06);
  EXPECT_NEAR(s.sd, 10.0 / std::sqrt(3.0), 0.03);
  EXPECT_GE(s.min, 90.0);
  EXPECT_LT(s.max, 110.0);
  EXPECT_NEAR(s.lag1, 0.0, 0.01);
}

TEST(Netem, CorrelationFollowsTheKernelFormula) {
  // netem's correlated draw: next = (v·(2^32 − ρ') + last·ρ') / 2^32, an AR(1) process whose
  // lag-1 autocorrelation is ρ = 0.5 and whose mean stays 2^31.
  models::CorrelatedDraw draw(0.5);
  sim::RandomStream rng(12);
  std::vector<double> raw;
  for (int i = 0; i < 200000; ++i) raw.push_back(static_cast<double>(draw.next(rng)));
  const Stats r = stats(raw);
  EXPECT_NEAR(r.lag1, 0.5, 0.01);
  EXPECT_NEAR(r.mean / 4294967296.0, 0.5, 0.003);
  // The delay takes that value mod 2σ: for σ = 10 ms (2σ = 2·10^7 ns ≪ 2^32) the wrap erases the
  // correlation (lag-1 ≈ 0) and the delays stay uniform in [90, 110) ms: the kernel's behaviour.
  models::NetemDelay small(Duration::ms(100), Duration::ms(10), 0.5);
  std::vector<double> ms;
  for (int i = 0; i < 200000; ++i) ms.push_back(small.draw(rng).seconds() * 1e3);
  const Stats s = stats(ms);
  EXPECT_NEAR(s.lag1, 0.0, 0.01);
  EXPECT_NEAR(s.mean, 100.0, 0.06);
  EXPECT_NEAR(s.sd, 10.0 / std::sqrt(3.0), 0.03);
  // With σ = 2 s, 2σ = 4·10^9 ns is 93 % of 2^32: the draw rarely wraps, so successive delays keep
  // most of the correlation (0.5 less what the 7 % of wrapped values break: between 0.4 and 0.5).
  models::NetemDelay wide(Duration::s(3), Duration::s(2), 0.5);
  std::vector<double> sec;
  for (int i = 0; i < 200000; ++i) sec.push_back(wide.draw(rng).seconds());
  const Stats w = stats(sec);
  EXPECT_GT(w.lag1, 0.4);
  EXPECT_LT(w.lag1, 0.5);
}

TEST(Netem, LossDrawsItsProbability) {
  // netem loss 25 % without correlation: a packet is lost when p·(2^32 − 1) ≥ rnd, so 25 % of
  // 200 000 packets (standard error 0.1 %).
  models::NetemChance loss(0.25, 0.0);
  sim::RandomStream rng(13);
  int lost = 0;
  for (int i = 0; i < 200000; ++i) lost += loss.draw(rng) ? 1 : 0;
  EXPECT_NEAR(lost / 200000.0, 0.25, 0.004);
  models::NetemChance never(0.0, 0.0);
  EXPECT_FALSE(never.draw(rng));
}

TEST(NetworkPath, LossTurnsIntoRetransmissionDelay) {
  // A one-packet message from a to b, netem loss p = 0.1 on a's egress. Each loss waits the RTO
  // r = 200.3 ms, doubling: k losses cost r·(2^k − 1), with probability p^k (1 − p). The mean
  // penalty is r·Σ p^k (1 − p)(2^k − 1) = r·p / (1 − 2p) = 0.125 r = 25.04 ms; its standard
  // deviation 0.48 r gives a standard error of 0.0024 r over 40 000 messages. Messages are sent
  // 1000 s apart so that none waits behind another (TCP order). Corrupt behaves the same: TCP
  // drops a segment whose checksum fails.
  for (const char* kind : {"network-loss", "network-corrupt"}) {
    SCOPED_TRACE(kind);
    PathBench bench;
    const std::string field = std::string(kind) == "network-loss" ? "loss" : "corrupt";
    ASSERT_TRUE(bench.apply(bench.a, kind, {{"direction", "to"}, {field, 0.1}, {"correlation", 0.0}}).applied);
    const Duration r = Duration::us(200300);
    std::vector<double> penalty;
    std::set<int64_t> allowed;
    for (int k = 0; k < 20; ++k) allowed.insert((r * ((int64_t{1} << k) - 1)).count_ns());
    bool exact = true;
    for (int i = 0; i < 40000; ++i)
      bench.sim.call_at(SimTime::at(Duration::s(1000) * i), [&] {
        const Duration p = bench.one_way(bench.a, bench.b) - kUs * 150;
        exact = exact && allowed.count(p.count_ns()) == 1;
        penalty.push_back(p.seconds() / r.seconds());
      });
    bench.sim.run();
    EXPECT_TRUE(exact) << "every penalty is r·(2^k − 1)";
    EXPECT_NEAR(stats(penalty).mean, 0.125, 0.01);
    EXPECT_GT(bench.net.retransmissions(), 3000u);  // ≈ 40 000 × p/(1 − p) = 4444
  }
}

TEST(NetworkPath, BandwidthLimitSerialisesMessages) {
  // tbf rate 10 000 B/s, bucket 2000 B, on a's egress; five 1024-byte messages (1090 bytes on
  // the wire with headers) offered at t = 0 to c (50 µs away). The first leaves at once (910
  // tokens left), the second waits for 180 more bytes (18 ms), each next one 1090/10 000 s =
  // 109 ms more: 0, 18, 127, 236, 345 ms, plus 50 µs.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-bandwidth",
                          {{"direction", "to"}, {"rate", 10000}, {"limit", 1000000}, {"buffer", 2000}})
                  .applied);
  const double expected_ms[] = {0, 18, 127, 236, 345};
  for (double e : expected_ms)
    EXPECT_NEAR(bench.one_way(bench.a, bench.c, 1024).seconds() * 1e3, e + 0.05, 1e-3);
}

TEST(NetworkPath, BandwidthQueueLimitDropsAndRetransmits) {
  // The same tbf with limit 2500 B, six messages at t = 0. The 4th finds 0.127 s × 10 000 B/s =
  // 1270 B waiting: 1270 + 1090 ≤ 2500, queued. The 5th finds 2360 B: over the limit, a packet
  // is dropped; TCP keeps the data and recovers by fast retransmit, one RTT (100 µs a↔c) on top
  // of its FIFO departure at 345 ms. The 6th finds 3450 B: the same, 454 ms + 100 µs. Two
  // retransmissions; every message still leaves in order at the bucket's rate.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-bandwidth",
                          {{"direction", "to"}, {"rate", 10000}, {"limit", 2500}, {"buffer", 2000}})
                  .applied);
  const double expected_ms[] = {0, 18, 127, 236, 345.1, 454.1};
  for (double e : expected_ms)
    EXPECT_NEAR(bench.one_way(bench.a, bench.c, 1024).seconds() * 1e3, e + 0.05, 1e-3);
  EXPECT_EQ(bench.net.retransmissions(), 2u);
}

TEST(NetworkPath, AFullNetemQueueHoldsAFlowToLimitOverDelay) {
  // R-N5: netem holds at most 1000 packets. With 100 ms of delay, 1500 one-packet messages
  // offered at t = 0 from a to c: the first 1000 are taken at once and arrive at 100 ms (+50 µs);
  // the 1001st is dropped and sent again when the first leaves the queue (100 ms) plus one RTT
  // of fast retransmit (RTT a↔c = 100 µs + 100 ms of delay): it arrives at 100 + 100.1 + 100 ms
  // + 50 µs = 300.15 ms. So the flow is held to 1000 packets per 100 ms.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-delay", delay("100ms")).applied);
  Duration last{};
  for (int i = 0; i < 1500; ++i) {
    last = bench.one_way(bench.a, bench.c);
    if (i == 999) {
      EXPECT_EQ(last, kD + kUs * 50);
    }
    if (i == 1000) {
      EXPECT_EQ(last, kD * 3 + kUs * 150);
    }
  }
  EXPECT_EQ(bench.net.retransmissions(), 500u);
}

TEST(NetworkPath, DuplicatesAreCountedButTcpDiscardsThem) {
  // netem duplicate 40 %: the receiver's TCP drops the copies, so the delay is unchanged (150 µs)
  // and about 40 % of 10 000 packets are counted as duplicated.
  PathBench bench;
  ASSERT_TRUE(bench.apply(bench.a, "network-duplicate", {{"direction", "to"}, {"duplicate", 0.4}, {"correlation", 0.0}}).applied);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(bench.one_way(bench.a, bench.b), kUs * 150);
  EXPECT_NEAR(bench.net.summary()["packets_duplicated"].get<double>() / 10000.0, 0.4, 0.02);
}

// ---- Scenario benches: the models over the network.

/// A series' sample at a scrape time (the default scrape interval is 1 s).
double sample(const sim::ScenarioRun& run, const std::string& name, const sim::Labels& labels, double t_s) {
  const auto& times = run.sim().recorder().scrape_times_ns();
  for (const sim::SeriesView& s : run.sim().recorder().series()) {
    if (s.name != name || s.labels != labels) continue;
    for (size_t i = s.first_sample; i < times.size(); ++i)
      if (times[i] == SimTime::at(Duration::from_seconds(t_s)).ns()) return (*s.values)[i - s.first_sample];
  }
  ADD_FAILURE() << "no sample of " << name << " at " << t_s << " s";
  return 0;
}

double event_time(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  for (const std::string& line : run.sim().events().lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) return j["t_s"].get<double>();
  }
  return -1;
}

// A producer publishing 60 msg/s evenly to a one-node broker; one consumer with prefetch 2 and
// 10 ms of processing per message; one host with a zero same-host latency, so that the RTT is
// only what the faults add.
const std::string kThroughputBench = R"(
name: throughput
duration: 60s
components:
  - {name: p, kind: producer, target: rmq.q, rate: 60/s, arrivals: constant}
  - {name: rmq, kind: broker-cluster, count: 1, queues: [{name: q}]}
  - {name: c, kind: consumer, queue: rmq.q, prefetch: 2, processing_time: 10ms}
  - {name: net, kind: network, same_host_latency: 0s}
faults:
  - {kind: network-delay, at: 10s, duration: 40s, target: c/c-0, params: {latency: 40ms}}
)";

TEST(NetworkModels, ConsumerThroughputIsPrefetchOverRttPlusProcessing) {
  // R-CA2: with 40 ms on the consumer's egress (its acks), RTT = 40 ms and the dump rate is
  // prefetch / (RTT + processing) = 2 / (0.04 + 0.01) = 40 msg/s: two credits, each back 50 ms
  // after its delivery. Before the fault the bound is 2 / 0.01 = 200 msg/s > 60: no backlog.
  // Between 20 s and 40 s (steady state inside the fault) the consumer processes 40 × 20 = 800
  // messages and the backlog (ready + unacked) grows at the publish rate minus the bound:
  // (60 − 40) × 20 = 400 messages. This slope is the CHAOS@FIRE backlog slope.
  auto run = testing::run_yaml(kThroughputBench);
  const sim::Labels pod = {{"pod", "c/c-0"}};
  const double processed = sample(*run, "faultline_consumer_messages_processed_total", pod, 40) -
                           sample(*run, "faultline_consumer_messages_processed_total", pod, 20);
  EXPECT_NEAR(processed, 800, 2);
  const double backlog = sample(*run, "faultline_backlog_messages", {}, 40) - sample(*run, "faultline_backlog_messages", {}, 20);
  EXPECT_NEAR(backlog, 400, 3);
  // Before the fault the consumer keeps up: 60 messages processed in each second.
  EXPECT_NEAR(sample(*run, "faultline_consumer_messages_processed_total", pod, 9) -
                  sample(*run, "faultline_consumer_messages_processed_total", pod, 8),
              60, 1);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
}

TEST(NetworkModels, WithoutANetworkComponentANetworkFaultIsUnmapped) {
  // The same bench without the network: the fault has nothing to act on, and says why.
  std::string yaml = kThroughputBench;
  yaml.erase(yaml.find("  - {name: net"), yaml.find("faults:") - yaml.find("  - {name: net"));
  auto run = testing::run_yaml(yaml);
  const auto& f = run->summary()["faults"][0];
  ASSERT_TRUE(f.contains("unmapped"));
  EXPECT_NE(f["unmapped"][0]["reason"].get<std::string>().find("no network component"), std::string::npos);
  EXPECT_EQ(testing::count_events(*run, "c/c-0", "fault-unmapped"), 1u);
}

// A producer publishing 10 msg/s to a one-node broker; a consumer with prefetch 5 and 10 ms of
// processing (so it is idle between messages); heartbeat timeout 20 s (checks every 10 s from the
// subscription at t = 0); reconnect every 3 s. Zero link latency: RTT = 0, RTO = rto_min = 200 ms.
std::string partition_bench(const std::string& duration) {
  return R"(
name: partition
duration: 300s
components:
  - {name: p, kind: producer, target: rmq.q, rate: 10/s, arrivals: constant}
  - {name: rmq, kind: broker-cluster, count: 1, queues: [{name: q}]}
  - {name: c, kind: consumer, queue: rmq.q, prefetch: 5, processing_time: 10ms, heartbeat: 20s}
  - {name: net, kind: network, same_host_latency: 0s}
faults:
  - {kind: network-partition, at: 10s, duration: )" +
         duration + R"(, target: c/c-0, params: {direction: both, peers: [rmq]}}
)";
}

TEST(NetworkModels, AShortPartitionStallsTheConnectionUntilARetransmission) {
  // A 5 s partition from 10 s, shorter than the heartbeat timeout: nothing is closed. The first
  // delivery sent after 10 s is retransmitted at 10.2, 10.6, 11.4, 13.0 and 16.2 s (RTO 200 ms
  // doubling); the path opens at 15 s, so it and the ones queued behind it arrive at 16.2 s. The
  // consumer processes nothing between 10.1 s and 16 s, and catches up after.
  auto run = testing::run_yaml(partition_bench("5s"));
  const sim::Labels pod = {{"pod", "c/c-0"}};
  const auto processed = [&](double t) { return sample(*run, "faultline_consumer_messages_processed_total", pod, t); };
  EXPECT_EQ(processed(16), processed(11));
  EXPECT_GT(processed(17), processed(16));
  EXPECT_EQ(testing::count_events(*run, "c/c-0", "connection-timed-out"), 0u);
  EXPECT_EQ(run->summary()["components"]["rmq"]["queues"]["q"]["redelivered"].get<uint64_t>(), 0u);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_LE(run->sim().ledger().in_flight(), 1u);  // caught up by 300 s, but for the last publish
}

TEST(NetworkModels, ALongPartitionClosesTheConnectionAtTheHeartbeatAndRequeues) {
  // A 200.5 s partition from 10 s. Heartbeat checks run at 10, 20, 30 s…; the path has been
  // blocked for 20 s at the check of 30 s: both ends close the connection (R-CA4). The broker
  // requeues the 5 deliveries stuck on the wire (prefetch 5, R-CA3). Reconnections every 3 s from
  // 33 s fail while the path is blocked; the one at 213 s (33 + 3 × 60) succeeds, the 5 requeued
  // messages are delivered again (redelivered = 5) and the backlog drains. Nothing is lost and,
  // since the 5 were never processed, nothing is duplicated.
  auto run = testing::run_yaml(partition_bench("200.5s"));
  EXPECT_DOUBLE_EQ(event_time(*run, "c/c-0", "connection-timed-out"), 30.0);
  EXPECT_EQ(run->summary()["components"]["rmq"]["queues"]["q"]["redelivered"].get<uint64_t>(), 5u);
  EXPECT_EQ(run->sim().ledger().duplicates(), 0u);
  EXPECT_EQ(run->sim().ledger().lost(), 0u);
  EXPECT_LE(run->sim().ledger().in_flight(), 1u);  // the publish at 300 s may be on its way
  // While cut off the consumer processes nothing: 10 msg/s pile up from 10 s to 213 s.
  EXPECT_NEAR(sample(*run, "faultline_backlog_messages", {}, 212), 10 * 202, 12);
}

// A producer publishing 100 msg/s evenly (transient, with confirms) to a 3-node broker; the
// queue's leader is rmq-0. One host: every hop is 50 µs one way.
std::string replication_bench(const std::string& type, const std::string& delayed) {
  return R"(
name: replication
duration: 30s
components:
  - {name: p, kind: producer, target: rmq.q, rate: 100/s, arrivals: constant, confirms: true}
  - {name: rmq, kind: broker-cluster, count: 3, queues: [{name: q, type: )" +
         type + R"(}]}
  - {name: net, kind: network}
faults:
  - {kind: network-delay, at: 10s, duration: 20s, targets: )" +
         delayed + R"(, params: {latency: 50ms}}
)";
}

/// Messages the broker received but has not confirmed yet, at a scrape.
double awaiting_confirm(const sim::ScenarioRun& run, double t) {
  const sim::Labels cluster = {{"cluster", "rmq"}};
  return sample(run, "rabbitmq_global_messages_received_total", cluster, t) -
         sample(run, "rabbitmq_global_messages_confirmed_total", cluster, t);
}

TEST(NetworkModels, MirroredConfirmsWaitForTheSlowestMirror) {
  // R-MQ2 over the network: a mirrored queue confirms once every mirror has the message, one
  // round trip leader → mirror. With 50 ms on rmq-1's egress, that round trip is 100 µs + 50 ms:
  // a publish waits 50.1 ms for its confirm, so at a scrape the 5 messages of the last 50 ms
  // (one every 10 ms) are received and not yet confirmed (± the publish falling on the scrape).
  // Before the fault the wait is 100 µs: nothing is pending at a scrape.
  auto run = testing::run_yaml(replication_bench("mirrored", "[rmq/rmq-1]"));
  EXPECT_EQ(awaiting_confirm(*run, 5), 0);
  EXPECT_NEAR(awaiting_confirm(*run, 20), 5, 1);
}

TEST(NetworkModels, QuorumCommitsWaitForTheMajorityNotTheSlowest) {
  // R-QQ7: a 3-member quorum queue commits when the leader and one follower have the message.
  // One delayed follower (rmq-1) does not slow it: the commit takes commit_latency = 5.9 ms, so
  // at most 1 message is pending at a scrape. With both followers delayed the faster one's
  // round trip is 50.1 ms, 49.8 ms more than the 0.3 ms LAN round trip the measured commit
  // latency includes: commits take 5.9 + 49.8 = 55.7 ms: the 5 publishes of the last 50 ms are
  // pending at a scrape (the one 60 ms before committed 4.3 ms before it).
  auto one = testing::run_yaml(replication_bench("quorum", "[rmq/rmq-1]"));
  EXPECT_LE(awaiting_confirm(*one, 20), 1);
  auto two = testing::run_yaml(replication_bench("quorum", "[rmq/rmq-1, rmq/rmq-2]"));
  EXPECT_LE(awaiting_confirm(*two, 5), 1);
  EXPECT_NEAR(awaiting_confirm(*two, 20), 5, 1);
}

TEST(NetworkModels, PlacementNamesMustExist) {
  // A placement of an unknown workload, or on an unknown host, is bad input naming the place.
  const std::string head = "name: p\nduration: 1s\ncomponents:\n"
                           "  - {name: p, kind: producer, target: rmq.q, rate: 1/s}\n"
                           "  - {name: rmq, kind: broker-cluster, count: 3, queues: [{name: q}]}\n";
  EXPECT_THROW(testing::run_yaml(head + "  - {name: net, kind: network, hosts: [n1, n2], placement: [{pods: rabit, hosts: [n1]}]}\n"),
               sim::InputError);
  EXPECT_THROW(testing::run_yaml(head + "  - {name: net, kind: network, hosts: [n1, n2], placement: [{pods: rmq, hosts: [n3]}]}\n"),
               sim::InputError);
  EXPECT_THROW(testing::run_yaml(head + "  - {name: net, kind: network, hosts: [n1], placement: [{pods: rmq/rmq-3, hosts: [n1]}]}\n"),
               sim::InputError);
  // rmq's nodes spread over the listed hosts in order; the producer (replica 0) is on n1.
  auto run = testing::run_yaml(head + "  - {name: net, kind: network, hosts: [n1, n2], placement: [{pods: rmq, hosts: [n2, n1]}]}\n");
  const auto hosts = run->summary()["components"]["net"]["hosts"];
  EXPECT_EQ(hosts["n2"], sim::Json::array({"rmq", "rmq/rmq-0", "rmq/rmq-2"}));
  EXPECT_EQ(hosts["n1"], sim::Json::array({"net", "p/p-0", "rmq/rmq-1"}));
}

}  // namespace
}  // namespace faultline
