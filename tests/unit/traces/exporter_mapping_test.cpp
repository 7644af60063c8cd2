// The exporter mapping: observed exporter series → simulated metric names, on a grid, with
// counters compared as PromQL rates. Values derived by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenario/input_error.hpp"
#include "sim/traces/exporter_mapping.hpp"
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using namespace testing;
using traces::MappedKind;
using traces::RuleOutcome;

constexpr double kT0 = 1767225600;  // 2026-01-01T00:00:00Z

std::string fixture(const std::string& name) { return std::string(FAULTLINE_SOURCE_DIR) + "/tests/fixtures/traces/" + name; }

// A live run scraped every second from T0 to T0 + 4 s.
SeriesStore observed() {
  SeriesStore s;
  // Per-queue backlog from the detailed endpoint of two nodes (two vhosts with a queue "orders").
  // Node 1 misses its scrape at +3 s.
  add_series(s, "rabbitmq_detailed_queue_messages_ready{instance=\"n1\",queue=\"orders\",vhost=\"/\"}",
             {{kT0, 4}, {kT0 + 1, 6}, {kT0 + 2, 9}, {kT0 + 4, 2}});
  add_series(s, "rabbitmq_detailed_queue_messages_ready{instance=\"n2\",queue=\"orders\",vhost=\"b\"}",
             {{kT0, 1}, {kT0 + 1, 1}, {kT0 + 2, 1}, {kT0 + 3, 1}, {kT0 + 4, 1}});
  // The per-object endpoint as well: an alternative rule for the same target, shadowed.
  add_series(s, "rabbitmq_queue_messages_ready{instance=\"n1\",queue=\"orders\"}", {{kT0, 4}});
  // Global counters of two nodes, AMQP 0-9-1, plus an HTTP protocol series that must not count.
  add_series(s, "rabbitmq_global_messages_received_total{instance=\"n1\",protocol=\"amqp091\"}",
             {{kT0, 100}, {kT0 + 1, 110}, {kT0 + 2, 120}, {kT0 + 3, 130}, {kT0 + 4, 140}});
  add_series(s, "rabbitmq_global_messages_received_total{instance=\"n2\",protocol=\"amqp091\"}",
             {{kT0, 50}, {kT0 + 1, 55}, {kT0 + 2, 60}, {kT0 + 3, 65}, {kT0 + 4, 70}});
  add_series(s, "rabbitmq_global_messages_received_total{instance=\"n1\",protocol=\"http\"}",
             {{kT0, 0}, {kT0 + 1, 1000}, {kT0 + 2, 2000}, {kT0 + 3, 3000}, {kT0 + 4, 4000}});
  // Longhorn 1.9+: one-hot robustness; the volume degrades at +2 s and recovers at +4 s.
  const double healthy[] = {1, 1, 0, 0, 1}, degraded[] = {0, 0, 1, 1, 0};
  std::vector<std::pair<double, double>> h, d, f, u;
  for (int i = 0; i < 5; ++i) {
    h.push_back({kT0 + i, healthy[i]});
    d.push_back({kT0 + i, degraded[i]});
    f.push_back({kT0 + i, 0});
    u.push_back({kT0 + i, 0});
  }
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-1\",node=\"w1\",state=\"healthy\"}", h);
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-1\",node=\"w1\",state=\"degraded\"}", d);
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-1\",node=\"w1\",state=\"faulted\"}", f);
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-1\",node=\"w1\",state=\"unknown\"}", u);
  add_series(s, "kube_deployment_status_replicas_ready{namespace=\"default\",deployment=\"consumer\"}",
             {{kT0, 2}, {kT0 + 1, 2}, {kT0 + 2, 1}, {kT0 + 3, 1}, {kT0 + 4, 2}});
  add_series(s, "node_load1{instance=\"n1\"}", {{kT0, 0.5}});
  add_series(s, "{__query__=\"sum(rate(x[5s]))\"}", {{kT0, 1}});
  return s;
}

const traces::MappedMetric& metric(const traces::MappedTrace& m, const std::string& target) {
  for (const auto& x : m.metrics)
    if (x.target == target) return x;
  ADD_FAILURE() << "no mapped metric " << target;
  static const traces::MappedMetric none;
  return none;
}

std::vector<std::pair<double, double>> points(const SeriesStore& s, const std::string& identity) {
  const StoredSeries* x = s.find(L(identity));
  if (x == nullptr) {
    ADD_FAILURE() << "no series " << identity;
    return {};
  }
  std::vector<std::pair<double, double>> out;
  for (const auto& p : x->samples) out.push_back({static_cast<double>(p.t_ns - sec(kT0)) / 1e9, p.value});
  return out;
}

using Points = std::vector<std::pair<double, double>>;

TEST(ExporterMapping, BuiltinTableMapsTheExporters) {
  const auto table = traces::MappingTable::builtin();
  const auto m = traces::map_trace(observed(), table);
  // Grid: the median spacing of the samples is 1 s; window 4 × 1 s; lookback one step.
  EXPECT_EQ(m.step_ns, kSec);
  EXPECT_EQ(m.window_ns, 4 * kSec);
  EXPECT_EQ(m.start_ns, sec(kT0));
  EXPECT_EQ(m.end_ns, sec(kT0 + 4));

  // Backlog: sum by (queue) over nodes and vhosts. Node 1's gap at +3 s stays a gap for node 1
  // (lookback one step: (2, 3] holds none of its samples), so +3 s is node 2's 1 alone.
  // +0: 4+1, +1: 6+1, +2: 9+1, +3: 1, +4: 2+1.
  const auto& ready = metric(m, "rabbitmq_queue_messages_ready");
  EXPECT_EQ(ready.observed_query, "sum by (queue) (rabbitmq_detailed_queue_messages_ready)");
  EXPECT_EQ(ready.simulated_query, "sum by (queue) (rabbitmq_queue_messages_ready)");
  EXPECT_EQ(points(m.store, "rabbitmq_queue_messages_ready{queue=\"orders\"}"),
            (Points{{0, 5}, {1, 7}, {2, 10}, {3, 1}, {4, 3}}));

  // Received: the rate over 4 s of each AMQP counter, summed (the http series is filtered out).
  // +4: window (0, 4] → n1 110..140: delta 30 over 3 s, to start 1 s (< 1.1 × 1 s) → interval 4 s:
  //     increase 40, rate 10; n2 the same with half the slope: 5 → 15.
  // +3: window (-1, 3] → samples 0..3: same shape → 15.
  // +2: window (-2, 2] → samples 0..2: delta 20 over 2 s; to start 2 s ≥ 1.1 → 0.5 s; to end 0
  //     → interval 2.5 s → n1 20 × 2.5/2 / 4 = 6.25; n2 3.125 → 9.375.
  // +1: samples 0, 1: delta 10 over 1 s; to start 3 s → 0.5 → interval 1.5 → n1 3.75, n2 1.875 → 5.625.
  // +0: one sample → no rate.
  const auto& rx = metric(m, "rabbitmq_global_messages_received_total");
  EXPECT_EQ(rx.kind, MappedKind::counter);
  EXPECT_EQ(rx.series_name, "rabbitmq_global_messages_received:rate");
  EXPECT_EQ(rx.observed_query,
            "sum by () (rate(rabbitmq_global_messages_received_total{protocol=~\"amqp091|\"}[4s]))");
  EXPECT_EQ(rx.simulated_query, "sum by () (rate(rabbitmq_global_messages_received_total[4s]))");
  EXPECT_EQ(points(m.store, "rabbitmq_global_messages_received:rate"),
            (Points{{1, 5.625}, {2, 9.375}, {3, 15}, {4, 15}}));

  // Longhorn one-hot → enum: healthy 1, degraded 2 (faulted 3, unknown 0): 1, 1, 2, 2, 1.
  EXPECT_EQ(points(m.store, "longhorn_volume_robustness{volume=\"pvc-1\"}"), (Points{{0, 1}, {1, 1}, {2, 2}, {3, 2}, {4, 1}}));
  EXPECT_EQ(metric(m, "longhorn_volume_robustness").kind, MappedKind::state_set);

  // kube-state-metrics: by deployment (the namespace is summed away).
  EXPECT_EQ(points(m.store, "kube_deployment_status_replicas_ready{deployment=\"consumer\"}"),
            (Points{{0, 2}, {1, 2}, {2, 1}, {3, 1}, {4, 2}}));

  // Every rule has an outcome: the per-object backlog rule is shadowed by the detailed one.
  ASSERT_EQ(m.outcomes.size(), table.rules().size());
  size_t applied = 0, shadowed = 0;
  for (const auto& o : m.outcomes) {
    applied += o.status == RuleOutcome::Status::applied;
    shadowed += o.status == RuleOutcome::Status::shadowed;
    if (table.rules()[o.rule].select == "rabbitmq_queue_messages_ready{queue!=\"\"}") {
      EXPECT_EQ(o.status, RuleOutcome::Status::shadowed);
    }
  }
  // Applied: ready (detailed), received, deployment ready, robustness (one-hot). Shadowed: the
  // per-object and the aggregated ready rules, which come after the applied detailed one. The
  // enum-encoded robustness rule comes first and finds no series without a state: no data.
  EXPECT_EQ(applied, m.metrics.size());
  EXPECT_EQ(applied, 4u);
  EXPECT_EQ(shadowed, 2u);
  // What no applied rule selects is listed, by name: node_load1, the http counter (left out by
  // the protocol matcher), the per-object backlog series (its rule was shadowed), and the nameless
  // query result by its identity.
  EXPECT_EQ(m.unmapped, (std::vector<std::string>{"node_load1", "rabbitmq_global_messages_received_total",
                                                  "rabbitmq_queue_messages_ready", "{__query__=\"sum(rate(x[5s]))\"}"}));
  const std::string report = m.report(table);
  EXPECT_NE(report.find("rabbitmq_global_messages_received:rate <- rabbitmq global counters: 1 series"), std::string::npos)
      << report;
  EXPECT_NE(report.find("not mapped (no rule selects them): node_load1"), std::string::npos) << report;
}

TEST(ExporterMapping, SimulatedCounterpartHasTheSameNamesAndValues) {
  const auto table = traces::MappingTable::builtin();
  const auto m = traces::map_trace(observed(), table);
  // A simulated run with the cluster-wide counter (150 + 15/s, the sum of the two nodes), the
  // queue, the volume's enum robustness and the deployment.
  SeriesStore sim;
  std::vector<std::pair<double, double>> rx, ready, rob, dep;
  const double q[] = {5, 7, 10, 1, 3}, r[] = {1, 1, 2, 2, 1}, d[] = {2, 2, 1, 1, 2};
  for (int i = 0; i < 5; ++i) {
    rx.push_back({kT0 + i, 150 + 15.0 * i});
    ready.push_back({kT0 + i, q[i]});
    rob.push_back({kT0 + i, r[i]});
    dep.push_back({kT0 + i, d[i]});
  }
  add_series(sim, "rabbitmq_global_messages_received_total", rx);
  add_series(sim, "rabbitmq_queue_messages_ready{queue=\"orders\"}", ready);
  add_series(sim, "longhorn_volume_robustness{volume=\"pvc-1\"}", rob);
  add_series(sim, "kube_deployment_status_replicas_ready{deployment=\"consumer\"}", dep);
  const SeriesStore pred = traces::evaluate_simulated(sim, m, m.start_ns, m.end_ns, m.step_ns);
  // The rate of the sum equals the sum of the rates here (no resets): 5.625, 9.375, 15, 15.
  EXPECT_EQ(points(pred, "rabbitmq_global_messages_received:rate"), points(m.store, "rabbitmq_global_messages_received:rate"));
  EXPECT_EQ(points(pred, "longhorn_volume_robustness{volume=\"pvc-1\"}"),
            points(m.store, "longhorn_volume_robustness{volume=\"pvc-1\"}"));
  EXPECT_EQ(points(pred, "kube_deployment_status_replicas_ready{deployment=\"consumer\"}"),
            points(m.store, "kube_deployment_status_replicas_ready{deployment=\"consumer\"}"));
  // The simulated queue has no gap at +3 s: 5, 7, 10, 1, 3 as written.
  EXPECT_EQ(points(pred, "rabbitmq_queue_messages_ready{queue=\"orders\"}"), (Points{{0, 5}, {1, 7}, {2, 10}, {3, 1}, {4, 3}}));
}

TEST(ExporterMapping, LonghornEnumEncodingAndOptions) {
  SeriesStore s;
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-2\"}", {{kT0, 1}, {kT0 + 2, 3}, {kT0 + 4, 3}});
  add_series(s, "longhorn_volume_robustness{volume=\"pvc-3\"}", {{kT0, 2}, {kT0 + 2, 2}, {kT0 + 4, 2}});
  const auto table = traces::MappingTable::builtin();
  // Samples every 2 s: the step is 2 s. The enum rule (no state label) applies; the one-hot rule
  // finds nothing.
  const auto m = traces::map_trace(s, table);
  EXPECT_EQ(m.step_ns, 2 * kSec);
  EXPECT_EQ(m.metrics.size(), 1u);
  EXPECT_EQ(metric(m, "longhorn_volume_robustness").kind, MappedKind::gauge);
  EXPECT_EQ(points(m.store, "longhorn_volume_robustness{volume=\"pvc-2\"}"), (Points{{0, 1}, {2, 3}, {4, 3}}));
  // A step of 1 s with the default lookback of one step leaves the odd seconds empty; a 2 s
  // lookback fills them with the previous sample.
  traces::MappingOptions opt;
  opt.step_ns = kSec;
  EXPECT_EQ(points(traces::map_trace(s, table, opt).store, "longhorn_volume_robustness{volume=\"pvc-3\"}").size(), 3u);
  opt.lookback_ns = 2 * kSec;
  EXPECT_EQ(points(traces::map_trace(s, table, opt).store, "longhorn_volume_robustness{volume=\"pvc-3\"}").size(), 5u);
}

TEST(ExporterMapping, UserTableOverridesTheBuiltinOne) {
  auto table = traces::MappingTable::builtin();
  table.prepend(traces::MappingTable::load(fixture("mapping_user.yaml")));
  EXPECT_EQ(table.rules()[0].origin, fixture("mapping_user.yaml") + ":3");
  SeriesStore s = observed();
  add_series(s, "my_app_queue_depth{kind=\"ready\",queue=\"orders\"}", {{kT0, 42}, {kT0 + 1, 43}});
  add_series(s, "my_app_processed_total", {{kT0, 0}, {kT0 + 1, 2}, {kT0 + 2, 4}});
  const auto m = traces::map_trace(s, table);
  // The user's rule comes first for the backlog, and the detailed-endpoint rule is shadowed.
  EXPECT_EQ(metric(m, "rabbitmq_queue_messages_ready").observed_query, "sum by (queue) (my_app_queue_depth{kind=\"ready\"})");
  EXPECT_EQ(points(m.store, "rabbitmq_queue_messages_ready{queue=\"orders\"}"), (Points{{0, 42}, {1, 43}}));
  // The user's counter (0, 2, 4 at +0, +1, +2), as rate over 4 s; the counter starts at 0, so the
  // zero floor stops any extrapolation before the first sample (2 × 0/4 = 0 s).
  // +1: window (-3, 1] → 0, 2: delta 2 over 1 s; to start 0; to end 0 → interval 1 s → 2/4 = 0.5.
  // +2: (-2, 2] → 0, 2, 4: delta 4 over 2 s; interval 2 s → 4/4 = 1.
  // +3: (-1, 3] → the same samples; to end 3 - 2 = 1 s < 1.1 → interval 3 s → 4 × 3/2 / 4 = 1.5.
  // +4: (0, 4] → 2, 4 (the sample at 0 is outside): delta 2 over 1 s; to start 1 s < 1.1 and the
  //     zero floor 1 × 2/2 = 1 s is not shorter → 1; to end 2 s ≥ 1.1 → 0.5 → 2.5 s → 2 × 2.5 / 4 = 1.25.
  EXPECT_EQ(points(m.store, "consumer_processed:rate"), (Points{{1, 0.5}, {2, 1}, {3, 1.5}, {4, 1.25}}));
}

TEST(ExporterMapping, MalformedTablesGiveThePlace) {
  try {
    traces::MappingTable::load(fixture("mapping_bad.yaml"));
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pointer(), "/1/select");
    EXPECT_EQ(e.line(), 6);
    EXPECT_NE(e.message().find("expected a vector selector"), std::string::npos) << e.what();
  }
  auto err = [](const std::string& yaml) -> std::string {
    try {
      traces::MappingTable::from_document(parse_document(yaml, "t.yaml"));
    } catch (const InputError& e) {
      return e.pointer() + " | " + e.message();
    }
    return "no error";
  };
  EXPECT_NE(err("- {target: x, kind: gauge, select: 'x{'}").find("/0/select | invalid selector"), std::string::npos);
  EXPECT_NE(err("- {target: x, kind: meter, select: x}").find("/0/kind | expected \"gauge\""), std::string::npos);
  EXPECT_NE(err("- {target: x, kind: gauge, selector: x}").find("/0/selector | unknown key \"selector\" (did you mean \"select\"?)"),
            std::string::npos);
  EXPECT_NE(err("- {target: x, kind: state_set, select: x}").find("needs \"states\""), std::string::npos);
  EXPECT_NE(err("- {target: x, kind: gauge, select: x, aggregate: median}").find("/0/aggregate"), std::string::npos);
  EXPECT_NE(err("- {target: 'a b', kind: gauge, select: x}").find("/0/target"), std::string::npos);
  EXPECT_NE(err("- {target: x, kind: gauge, select: x, by: [a.b]}").find("/0/by/0"), std::string::npos);
  EXPECT_NE(err("rule: []").find("/rule | unexpected key"), std::string::npos);
}

}  // namespace
}  // namespace faultline::sim
