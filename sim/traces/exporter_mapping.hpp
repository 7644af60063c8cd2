// From the real exporters' names and labels (RabbitMQ, mysqld_exporter, kube-state-metrics,
// Longhorn, Istio) to the simulated metrics, as a table of rules (data, extendable by the user).
// Each rule turns into a pair of PromQL queries on one time grid: one over the observed trace and
// one over the simulated series, giving series with the same name and labels, so that the two
// can be compared point by point. Counters are compared as rates computed by PromQL's `rate`.
// The table format is in sim/traces/README.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/document.hpp"
#include "sim/series/series_store.hpp"

namespace faultline::sim::traces {

enum class MappedKind {
  gauge,      // the value itself
  counter,    // compared as a per-second rate (rate over the window)
  state_set,  // one-hot series with a state label (value 1 for the current state) → an enum code
};

struct MappingRule {
  std::string target;           // the simulated metric, e.g. "rabbitmq_queue_messages_ready"
  MappedKind kind = MappedKind::gauge;
  std::string select;           // a PromQL vector selector over the observed names
  std::string aggregate = "sum";  // how observed series that collapse onto one target combine: sum, max, min, avg
  std::vector<std::string> by;  // the labels the target keeps
  std::vector<std::pair<std::string, double>> states;  // state_set: state value → code, first match wins
  std::string state_label = "state";
  std::string exporter;         // where the observed names come from (for reports)
  std::string note;
  std::string origin;           // "built-in #N" or "file:line"
};

class MappingTable {
 public:
  /// The built-in rules (the table in exporter_mapping.cpp).
  static MappingTable builtin();
  /// Rules from a JSON or YAML document: a list of rules, or {"rules": [...]}. Throws InputError.
  static MappingTable from_document(const Document& doc);
  static MappingTable load(const std::string& path);

  /// Puts `first`'s rules ahead of these: a user's table overrides the built-in one.
  void prepend(const MappingTable& first);
  [[nodiscard]] const std::vector<MappingRule>& rules() const { return rules_; }

 private:
  std::vector<MappingRule> rules_;
};

struct MappingOptions {
  int64_t step_ns = 0;      // grid step; 0: the median spacing of the observed samples
  int64_t window_ns = 0;    // rate window for counters; 0: 4 × step
  int64_t lookback_ns = 0;  // instant-selector lookback; 0: one step, so missing steps stay gaps
};

/// One target and how it was obtained.
struct MappedMetric {
  std::string target;
  MappedKind kind = MappedKind::gauge;
  std::string series_name;      // name of the mapped series: the target, or "<target without _total>:rate"
  std::string observed_query;   // evaluated over the trace
  std::string simulated_query;  // evaluate it over the simulated series for the counterpart
  size_t rule = 0;              // index into the table
  size_t series = 0;            // series produced
};

/// What happened to a rule.
struct RuleOutcome {
  size_t rule = 0;
  enum class Status { applied, no_data, shadowed } status = Status::no_data;
};

struct MappedTrace {
  SeriesStore store;  // the mapped observed series, named by series_name, on the grid
  std::vector<MappedMetric> metrics;
  std::vector<RuleOutcome> outcomes;  // one per rule, in table order
  /// Observed metric names (or identities of nameless series) that no applied rule selected.
  std::vector<std::string> unmapped;
  int64_t start_ns = 0, end_ns = 0, step_ns = 0, window_ns = 0, lookback_ns = 0;

  [[nodiscard]] std::string report(const MappingTable& table) const;
};

/// Applies the table: for each target, the first rule (in table order) whose selector matches an
/// observed series. The grid runs from the first to the last observed sample. A grid of more
/// than EvalOptions::max_steps steps (a tiny step over a long span) throws promql::QueryError.
MappedTrace map_trace(const SeriesStore& observed, const MappingTable& table, const MappingOptions& options = {});

/// The simulated counterpart: every metric's simulated_query over `simulated` on the given grid,
/// named like the mapped series. `lookback_ns` 0 means one step.
SeriesStore evaluate_simulated(const SeriesStore& simulated, const MappedTrace& mapped, int64_t start_ns, int64_t end_ns,
                               int64_t step_ns, int64_t lookback_ns = 0);

/// A range query as a SeriesStore: each result series gets `__name__` = name.
SeriesStore evaluate_to_store(const SeriesStore& store, const std::string& query, const std::string& name,
                              int64_t start_ns, int64_t end_ns, int64_t step_ns, int64_t lookback_ns);

}  // namespace faultline::sim::traces
