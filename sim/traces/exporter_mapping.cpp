#include "sim/traces/exporter_mapping.hpp"

#include <algorithm>
#include <set>

#include "sim/output/number_format.hpp"
#include "sim/promql/ast.hpp"
#include "sim/promql/promql.hpp"

namespace faultline::sim::traces {

namespace {

// The built-in table, in the same format a user writes (sim/traces/README.md). Rules with the
// same target are alternatives, tried in order: the first whose selector matches wins.
// Sources: ../shared/reference/chaos_formats.md §5.3–§5.6; DESIGN §6 for the simulated names.
constexpr const char* kBuiltinTable = R"json([
  {"exporter": "rabbitmq /metrics/detailed (queue_coarse_metrics)", "target": "rabbitmq_queue_messages_ready",
   "kind": "gauge", "select": "rabbitmq_detailed_queue_messages_ready", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics/per-object", "target": "rabbitmq_queue_messages_ready",
   "kind": "gauge", "select": "rabbitmq_queue_messages_ready{queue!=\"\"}", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics (aggregated: no queue label)", "target": "rabbitmq_queue_messages_ready",
   "kind": "gauge", "select": "rabbitmq_queue_messages_ready{queue=\"\"}", "by": [],
   "note": "summed over queues and nodes; compared with the sum of the simulated queues"},

  {"exporter": "rabbitmq /metrics/detailed (queue_coarse_metrics)", "target": "rabbitmq_queue_messages_unacked",
   "kind": "gauge", "select": "rabbitmq_detailed_queue_messages_unacked", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics/per-object", "target": "rabbitmq_queue_messages_unacked",
   "kind": "gauge", "select": "rabbitmq_queue_messages_unacked{queue!=\"\"}", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics (aggregated: no queue label)", "target": "rabbitmq_queue_messages_unacked",
   "kind": "gauge", "select": "rabbitmq_queue_messages_unacked{queue=\"\"}", "by": []},

  {"exporter": "rabbitmq /metrics/detailed (queue_coarse_metrics)", "target": "rabbitmq_queue_messages",
   "kind": "gauge", "select": "rabbitmq_detailed_queue_messages", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics/per-object", "target": "rabbitmq_queue_messages",
   "kind": "gauge", "select": "rabbitmq_queue_messages{queue!=\"\"}", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics (aggregated: no queue label)", "target": "rabbitmq_queue_messages",
   "kind": "gauge", "select": "rabbitmq_queue_messages{queue=\"\"}", "by": []},

  {"exporter": "rabbitmq /metrics/detailed (queue_consumer_count)", "target": "rabbitmq_queue_consumers",
   "kind": "gauge", "select": "rabbitmq_detailed_queue_consumers", "by": ["queue"]},
  {"exporter": "rabbitmq /metrics/per-object", "target": "rabbitmq_queue_consumers",
   "kind": "gauge", "select": "rabbitmq_queue_consumers{queue!=\"\"}", "by": ["queue"]},

  {"exporter": "rabbitmq /metrics/per-object", "target": "rabbitmq_queue_messages_published_total",
   "kind": "counter", "select": "rabbitmq_queue_messages_published_total{queue!=\"\"}", "by": ["queue"]},

  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_received_total", "kind": "counter",
   "select": "rabbitmq_global_messages_received_total{protocol=~\"amqp091|\"}", "by": [],
   "note": "AMQP 0-9-1 only (other protocols export zeros); summed over nodes"},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_received_confirm_total", "kind": "counter",
   "select": "rabbitmq_global_messages_received_confirm_total{protocol=~\"amqp091|\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_confirmed_total", "kind": "counter",
   "select": "rabbitmq_global_messages_confirmed_total{protocol=~\"amqp091|\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_routed_total", "kind": "counter",
   "select": "rabbitmq_global_messages_routed_total{protocol=~\"amqp091|\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_unroutable_dropped_total", "kind": "counter",
   "select": "rabbitmq_global_messages_unroutable_dropped_total{protocol=~\"amqp091|\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_unroutable_returned_total", "kind": "counter",
   "select": "rabbitmq_global_messages_unroutable_returned_total{protocol=~\"amqp091|\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_delivered_total", "kind": "counter",
   "select": "rabbitmq_global_messages_delivered_total{protocol=~\"amqp091|\",queue_type!=\"rabbit_stream_queue\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_redelivered_total", "kind": "counter",
   "select": "rabbitmq_global_messages_redelivered_total{protocol=~\"amqp091|\",queue_type!=\"rabbit_stream_queue\"}", "by": []},
  {"exporter": "rabbitmq global counters", "target": "rabbitmq_global_messages_acknowledged_total", "kind": "counter",
   "select": "rabbitmq_global_messages_acknowledged_total{protocol=~\"amqp091|\",queue_type!=\"rabbit_stream_queue\"}", "by": []},

  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_cluster_size",
   "kind": "gauge", "select": "mysql_global_status_wsrep_cluster_size", "aggregate": "max", "by": [],
   "note": "each node reports the size of the component it is in: the largest one"},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_cluster_status",
   "kind": "gauge", "select": "mysql_global_status_wsrep_cluster_status", "aggregate": "min", "by": [],
   "note": "Primary = 1: the minimum is 0 as soon as one node is out of the primary component"},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_ready",
   "kind": "gauge", "select": "mysql_global_status_wsrep_ready", "aggregate": "min", "by": []},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_connected",
   "kind": "gauge", "select": "mysql_global_status_wsrep_connected", "aggregate": "min", "by": []},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_local_state",
   "kind": "gauge", "select": "mysql_global_status_wsrep_local_state", "aggregate": "min", "by": [],
   "note": "1 joining, 2 donor, 3 joined, 4 synced: the least synced node"},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_local_recv_queue",
   "kind": "gauge", "select": "mysql_global_status_wsrep_local_recv_queue", "aggregate": "max", "by": []},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_flow_control_paused",
   "kind": "gauge", "select": "mysql_global_status_wsrep_flow_control_paused", "aggregate": "max", "by": [],
   "note": "a fraction averaged since the server start or FLUSH STATUS, not per scrape"},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_flow_control_paused_ns",
   "kind": "counter", "select": "mysql_global_status_wsrep_flow_control_paused_ns", "aggregate": "max", "by": [],
   "note": "rate in ns paused per second (1e9 = always paused)"},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_flow_control_sent",
   "kind": "counter", "select": "mysql_global_status_wsrep_flow_control_sent", "by": []},
  {"exporter": "mysqld_exporter (SHOW GLOBAL STATUS)", "target": "mysql_global_status_wsrep_last_committed",
   "kind": "counter", "select": "mysql_global_status_wsrep_last_committed", "aggregate": "max", "by": [],
   "note": "the cluster's commit sequence number: its rate is the commit rate"},
  {"exporter": "mysqld_exporter", "target": "mysql_up",
   "kind": "gauge", "select": "mysql_up", "aggregate": "min", "by": []},

  {"exporter": "kube-state-metrics", "target": "kube_deployment_spec_replicas",
   "kind": "gauge", "select": "kube_deployment_spec_replicas", "by": ["deployment"]},
  {"exporter": "kube-state-metrics", "target": "kube_deployment_status_replicas_ready",
   "kind": "gauge", "select": "kube_deployment_status_replicas_ready", "by": ["deployment"]},
  {"exporter": "kube-state-metrics", "target": "kube_deployment_status_replicas_available",
   "kind": "gauge", "select": "kube_deployment_status_replicas_available", "by": ["deployment"]},
  {"exporter": "kube-state-metrics", "target": "kube_deployment_status_replicas_unavailable",
   "kind": "gauge", "select": "kube_deployment_status_replicas_unavailable", "by": ["deployment"]},
  {"exporter": "kube-state-metrics", "target": "kube_statefulset_replicas",
   "kind": "gauge", "select": "kube_statefulset_replicas", "by": ["statefulset"]},
  {"exporter": "kube-state-metrics", "target": "kube_statefulset_status_replicas_ready",
   "kind": "gauge", "select": "kube_statefulset_status_replicas_ready", "by": ["statefulset"]},
  {"exporter": "kube-state-metrics", "target": "kube_horizontalpodautoscaler_status_desired_replicas",
   "kind": "gauge", "select": "kube_horizontalpodautoscaler_status_desired_replicas", "by": ["horizontalpodautoscaler"]},
  {"exporter": "kube-state-metrics", "target": "kube_horizontalpodautoscaler_status_current_replicas",
   "kind": "gauge", "select": "kube_horizontalpodautoscaler_status_current_replicas", "by": ["horizontalpodautoscaler"]},
  {"exporter": "kube-state-metrics", "target": "kube_pod_status_ready",
   "kind": "gauge", "select": "kube_pod_status_ready{condition=\"true\"}", "by": ["pod"]},
  {"exporter": "kube-state-metrics", "target": "kube_pod_container_status_restarts_total",
   "kind": "counter", "select": "kube_pod_container_status_restarts_total", "by": ["pod"]},

  {"exporter": "longhorn-manager up to 1.8 (enum value)", "target": "longhorn_volume_robustness",
   "kind": "gauge", "select": "longhorn_volume_robustness{state=\"\"}", "aggregate": "max", "by": ["volume"],
   "note": "0 unknown, 1 healthy, 2 degraded, 3 faulted"},
  {"exporter": "longhorn-manager 1.9+ (one-hot state label)", "target": "longhorn_volume_robustness",
   "kind": "state_set", "select": "longhorn_volume_robustness{state!=\"\"}", "aggregate": "max", "by": ["volume"],
   "states": {"faulted": 3, "degraded": 2, "healthy": 1, "unknown": 0},
   "note": "turned into the enum value the simulator writes"},
  {"exporter": "longhorn-manager up to 1.8 (enum value)", "target": "longhorn_volume_state",
   "kind": "gauge", "select": "longhorn_volume_state{state=\"\"}", "aggregate": "max", "by": ["volume"],
   "note": "1 creating, 2 attached, 3 detached, 4 attaching, 5 detaching, 6 deleting"},
  {"exporter": "longhorn-manager 1.9+ (one-hot state label)", "target": "longhorn_volume_state",
   "kind": "state_set", "select": "longhorn_volume_state{state!=\"\"}", "aggregate": "max", "by": ["volume"],
   "states": {"creating": 1, "attached": 2, "detached": 3, "attaching": 4, "detaching": 5, "deleting": 6}},

  {"exporter": "istio (envoy sidecars)", "target": "istio_requests_total", "kind": "counter",
   "select": "istio_requests_total{reporter=~\"source|\"}",
   "by": ["source_workload", "destination_workload", "response_code"],
   "note": "the client-side report, so that a request is counted once"}
])json";

std::string quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// The selector text of `select` with one more matcher `label="value"`.
std::string selector_with(const std::string& select, const std::string& label, const std::string& value) {
  const promql::Query q = promql::Query::parse(select);
  std::string out = "{";
  auto add = [&](const std::string& name, const char* op, const std::string& v) {
    if (out.size() > 1) out += ",";
    out += name + op + quote(v);
  };
  for (const promql::Matcher& m : q.root().matchers) {
    const char* op = m.op == promql::MatchOp::equal       ? "="
                     : m.op == promql::MatchOp::not_equal ? "!="
                     : m.op == promql::MatchOp::regex     ? "=~"
                                                          : "!~";
    add(m.name, op, m.value);
  }
  add(label, "=", value);
  return out + "}";
}

std::string agg_prefix(const MappingRule& r) {
  std::string by;
  for (const auto& l : r.by) by += (by.empty() ? "" : ", ") + l;
  return r.aggregate + " by (" + by + ") ";
}

std::string series_name_of(const MappingRule& r) {
  if (r.kind != MappedKind::counter) return r.target;
  std::string base = r.target;
  if (base.size() > 6 && base.compare(base.size() - 6, 6, "_total") == 0) base.resize(base.size() - 6);
  return base + ":rate";
}

std::pair<std::string, std::string> queries_of(const MappingRule& r, int64_t window_ns) {
  const std::string agg = agg_prefix(r);
  switch (r.kind) {
    case MappedKind::gauge: return {agg + "(" + r.select + ")", agg + "(" + r.target + ")"};
    case MappedKind::counter: {
      const std::string w = "[" + promql::format_promql_duration(window_ns) + "]";
      return {agg + "(rate(" + r.select + w + "))", agg + "(rate(" + r.target + w + "))"};
    }
    case MappedKind::state_set: {
      std::string obs;
      for (const auto& [state, code] : r.states) {
        if (!obs.empty()) obs += " or ";
        obs += "(" + agg + "(" + selector_with(r.select, r.state_label, state) + " == 1) * 0 + " +
               format_prometheus_float(code) + ")";
      }
      return {obs, agg + "(" + r.target + ")"};
    }
  }
  return {};
}

bool selects_any(const promql::Query& q, const StoredSeries& s) {
  for (const promql::Matcher& m : q.root().matchers) {
    auto it = s.labels.find(m.name);
    if (!m.matches(it == s.labels.end() ? std::string() : it->second)) return false;
  }
  return true;
}

MappedKind parse_kind(const Document& doc, const std::string& ptr, const Json& v) {
  if (v == "gauge") return MappedKind::gauge;
  if (v == "counter") return MappedKind::counter;
  if (v == "state_set") return MappedKind::state_set;
  throw doc.error(ptr, "expected \"gauge\", \"counter\" or \"state_set\"");
}

}  // namespace

MappingTable MappingTable::from_document(const Document& doc) {
  MappingTable table;
  const Json* list = &doc.root;
  std::string base;
  if (doc.root.is_object()) {
    for (const auto& [k, v] : doc.root.items())
      if (k != "rules") throw doc.error(pointer_append("", k), "unexpected key \"" + k + "\" (expected \"rules\")");
    if (!doc.root.contains("rules")) throw doc.error("", "expected a list of rules, or {\"rules\": [...]}");
    list = &doc.root["rules"];
    base = "/rules";
  }
  if (!list->is_array()) throw doc.error(base, "expected a list of mapping rules");
  static const std::vector<std::string> keys = {"target", "kind",        "select",   "aggregate", "by",
                                                "states", "state_label", "exporter", "note"};
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string ptr = pointer_append(base, i);
    const Json& r = (*list)[i];
    if (!r.is_object()) throw doc.error(ptr, "expected a rule {target, kind, select, ...}");
    for (const auto& [k, v] : r.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        throw doc.error(pointer_append(ptr, k), "unknown key \"" + k + "\"" + did_you_mean(k, keys));
    auto str = [&](const char* key, bool required) -> std::string {
      const std::string p = pointer_append(ptr, key);
      if (!r.contains(key)) {
        if (required) throw doc.error(ptr, std::string("missing \"") + key + "\"");
        return "";
      }
      if (!r[key].is_string()) throw doc.error(p, "expected a string");
      return r[key].get<std::string>();
    };
    MappingRule rule;
    rule.target = str("target", true);
    try {
      check_metric_name(rule.target);
    } catch (const std::invalid_argument& e) {
      throw doc.error(pointer_append(ptr, "target"), e.what());
    }
    if (!r.contains("kind")) throw doc.error(ptr, "missing \"kind\"");
    rule.kind = parse_kind(doc, pointer_append(ptr, "kind"), r["kind"]);
    rule.select = str("select", true);
    try {
      const promql::Query q = promql::Query::parse(rule.select);
      if (q.root().kind != promql::Node::Kind::vector_selector || q.root().offset_ns != 0)
        throw doc.error(pointer_append(ptr, "select"), "expected a vector selector such as name{label=\"v\"}");
    } catch (const promql::QueryError& e) {
      throw doc.error(pointer_append(ptr, "select"), std::string("invalid selector: ") + e.what());
    }
    if (r.contains("aggregate")) {
      rule.aggregate = str("aggregate", false);
      if (rule.aggregate != "sum" && rule.aggregate != "max" && rule.aggregate != "min" && rule.aggregate != "avg")
        throw doc.error(pointer_append(ptr, "aggregate"), "expected sum, max, min or avg");
    }
    if (r.contains("by")) {
      const std::string p = pointer_append(ptr, "by");
      if (!r["by"].is_array()) throw doc.error(p, "expected a list of label names");
      for (size_t k = 0; k < r["by"].size(); ++k) {
        const Json& l = r["by"][k];
        bool ok = l.is_string() && !l.get<std::string>().empty() && l.get<std::string>().find(':') == std::string::npos;
        if (ok) {
          try {
            check_metric_name(l.get<std::string>());
          } catch (const std::invalid_argument&) {
            ok = false;
          }
        }
        if (!ok) throw doc.error(pointer_append(p, k), "expected a label name");
        rule.by.push_back(l.get<std::string>());
      }
    }
    if (r.contains("state_label")) rule.state_label = str("state_label", false);
    if (r.contains("states")) {
      const std::string p = pointer_append(ptr, "states");
      if (!r["states"].is_object() || r["states"].empty())
        throw doc.error(p, "expected an object mapping each state to its code, e.g. {\"healthy\": 1}");
      for (const auto& [state, code] : r["states"].items()) {
        if (!code.is_number()) throw doc.error(pointer_append(p, state), "expected a number");
        rule.states.emplace_back(state, code.get<double>());
      }
    }
    if (rule.kind == MappedKind::state_set && rule.states.empty())
      throw doc.error(ptr, "a state_set rule needs \"states\"");
    if (rule.kind != MappedKind::state_set && !rule.states.empty())
      throw doc.error(pointer_append(ptr, "states"), "\"states\" only applies to kind state_set");
    rule.exporter = str("exporter", false);
    rule.note = str("note", false);
    rule.origin = doc.file + ":" + std::to_string(doc.line_of(ptr));
    table.rules_.push_back(std::move(rule));
  }
  return table;
}

MappingTable MappingTable::builtin() {
  static const MappingTable table = from_document(parse_document(kBuiltinTable, "<built-in exporter mapping>", DocumentFormat::json));
  return table;
}

MappingTable MappingTable::load(const std::string& path) { return from_document(load_document(path)); }

void MappingTable::prepend(const MappingTable& first) { rules_.insert(rules_.begin(), first.rules_.begin(), first.rules_.end()); }

SeriesStore evaluate_to_store(const SeriesStore& store, const std::string& query, const std::string& name,
                              int64_t start_ns, int64_t end_ns, int64_t step_ns, int64_t lookback_ns) {
  promql::EvalOptions opt;
  opt.lookback_ns = lookback_ns > 0 ? lookback_ns : step_ns;
  const promql::QueryResult r = promql::range_query(store, query, start_ns, end_ns, step_ns, opt);
  SeriesStore out;
  for (const promql::MatrixSeries& s : r.matrix) {
    Labels labels = s.labels;
    labels["__name__"] = name;
    for (const promql::Point& p : s.points) out.add_sample(labels, p.t_ns, p.value);
  }
  return out;
}

namespace {
void merge_into(SeriesStore& dst, const SeriesStore& src) {
  for (const StoredSeries& s : src.series())
    for (const SeriesSample& p : s.samples) dst.add_sample(s.labels, p.t_ns, p.value);
}

int64_t median_spacing(const SeriesStore& store) {
  std::vector<int64_t> d;
  for (const StoredSeries& s : store.series())
    for (size_t i = 1; i < s.samples.size(); ++i) {
      const uint64_t gap = static_cast<uint64_t>(s.samples[i].t_ns) - static_cast<uint64_t>(s.samples[i - 1].t_ns);
      d.push_back(static_cast<int64_t>(std::min<uint64_t>(gap, INT64_MAX)));
    }
  if (d.empty()) return 1'000'000'000;
  std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
  return d[d.size() / 2];
}
}  // namespace

MappedTrace map_trace(const SeriesStore& observed, const MappingTable& table, const MappingOptions& options) {
  MappedTrace out;
  const auto first = observed.first_time(), last = observed.last_time();
  if (!first) return out;
  out.start_ns = *first;
  out.end_ns = *last;
  out.step_ns = options.step_ns > 0 ? options.step_ns : median_spacing(observed);
  // The rate window is written as a PromQL duration: whole milliseconds, at least 1 ms, and at
  // most 100 years so that the duration stays within int64 nanoseconds.
  constexpr int64_t kMaxWindow = 100LL * 365 * 86'400'000'000'000LL;
  int64_t window = options.window_ns;
  if (window <= 0) window = out.step_ns > kMaxWindow / 4 ? kMaxWindow : 4 * out.step_ns;
  out.window_ns = std::clamp<int64_t>(window / 1'000'000 * 1'000'000, 1'000'000, kMaxWindow);
  out.lookback_ns = options.lookback_ns > 0 ? options.lookback_ns : out.step_ns;

  const auto& rules = table.rules();
  std::set<std::string> done_targets;
  std::vector<bool> used(observed.series().size(), false);
  for (size_t i = 0; i < rules.size(); ++i) {
    const MappingRule& r = rules[i];
    RuleOutcome outcome{i, RuleOutcome::Status::no_data};
    if (done_targets.count(r.target) != 0) {
      outcome.status = RuleOutcome::Status::shadowed;
      out.outcomes.push_back(outcome);
      continue;
    }
    const promql::Query sel = promql::Query::parse(r.select);
    std::vector<size_t> hits;
    for (size_t k = 0; k < observed.series().size(); ++k)
      if (selects_any(sel, observed.series()[k])) hits.push_back(k);
    if (hits.empty()) {
      out.outcomes.push_back(outcome);
      continue;
    }
    for (size_t k : hits) used[k] = true;
    done_targets.insert(r.target);
    outcome.status = RuleOutcome::Status::applied;
    out.outcomes.push_back(outcome);
    MappedMetric m;
    m.target = r.target;
    m.kind = r.kind;
    m.series_name = series_name_of(r);
    std::tie(m.observed_query, m.simulated_query) = queries_of(r, out.window_ns);
    m.rule = i;
    SeriesStore part =
        evaluate_to_store(observed, m.observed_query, m.series_name, out.start_ns, out.end_ns, out.step_ns, out.lookback_ns);
    m.series = part.size();
    merge_into(out.store, part);
    out.metrics.push_back(std::move(m));
  }
  std::set<std::string> unmapped;
  for (size_t k = 0; k < observed.series().size(); ++k) {
    if (used[k]) continue;
    const StoredSeries& s = observed.series()[k];
    const std::string n = s.name();
    unmapped.insert(n.empty() ? format_series_identity(s.labels) : n);
  }
  out.unmapped.assign(unmapped.begin(), unmapped.end());
  return out;
}

SeriesStore evaluate_simulated(const SeriesStore& simulated, const MappedTrace& mapped, int64_t start_ns, int64_t end_ns,
                               int64_t step_ns, int64_t lookback_ns) {
  SeriesStore out;
  for (const MappedMetric& m : mapped.metrics)
    merge_into(out, evaluate_to_store(simulated, m.simulated_query, m.series_name, start_ns, end_ns, step_ns, lookback_ns));
  return out;
}

std::string MappedTrace::report(const MappingTable& table) const {
  std::string out = "grid: step " + promql::format_promql_duration(step_ns) + ", rate window " +
                    promql::format_promql_duration(window_ns) + ", lookback " +
                    promql::format_promql_duration(lookback_ns) + "\n";
  for (const MappedMetric& m : metrics) {
    const MappingRule& r = table.rules()[m.rule];
    out += "  " + m.series_name + " <- " + (r.exporter.empty() ? r.origin : r.exporter) + ": " +
           std::to_string(m.series) + " series; observed: " + m.observed_query + "; simulated: " + m.simulated_query +
           "\n";
  }
  if (!unmapped.empty()) {
    out += "  not mapped (no rule selects them):";
    for (const auto& u : unmapped) out += " " + u;
    out += "\n";
  }
  return out;
}

}  // namespace faultline::sim::traces
