// `faultline validate SCENARIO --record RECORD... --observed TRACE...` (DESIGN §8, §9): replays the record in
// the scenario with its own fault times, recovery times included, lines the predicted series up with the
// observed ones on the fault timeline (the records' time zero is the replay's start_time, so a simulated
// second and an observed one are the same wall-clock second), and compares them figure by figure, each
// against a tolerance.
//
// Figures (each a Comparison: predicted, observed, error, tolerance, pass/fail):
// - loss: messages lost, predicted against the record's ground truth (truth.json or messages.csv[.gz]);
//   default tolerance ±10 % or ±20 messages, whichever is larger;
// - per metric (the backlog, i.e. ready + unacked summed over the queues, and every --metric): RMSE, peak,
//   time to peak (from the first fault), time to drain (from the peak back to the pre-fault level); default
//   tolerance: the backlog's peak ±15 %, the others unchecked;
// - per fault whose record says when its target served again (or that it did not): the recovery time, from
//   the fault's start. The replay uses the recorded recovery, so the prediction comes from a second replay
//   without it: the model's own restart, rejoin and election times. Default tolerance ±2 s.
// Tolerances are set with "[METRIC.]FIGURE=VALUE" (FIGURE: loss, recovery, rmse, peak, time_to_peak,
// time_to_drain; VALUE: 15%, 20, 2s, "10%,20" for the larger of both, or none).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"
#include "sim/series/series_store.hpp"
#include "sim/validate/figures.hpp"
#include "sim/validate/record.hpp"
#include "sim/validate/svg_plot.hpp"

namespace faultline::validate {

struct ValidateOptions {
  std::string scenario;
  std::vector<std::string> records;
  std::vector<std::string> observed;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;  // overlay entries first, then --set
  std::optional<uint64_t> seed;
  std::optional<std::string> start_time;       // the records' time zero when they carry none
  std::optional<std::string> until;            // default: the end of the observed traces
  std::vector<std::string> metrics;            // more metrics to compare: mapped names,
                                               // e.g. rabbitmq_queue_messages
  std::vector<std::string> tolerances;         // "[METRIC.]FIGURE=VALUE"
  std::optional<std::string> mapping;          // a user exporter-mapping table, ahead of the built-in one
  std::map<std::string, std::string> pod_map;  // --map POD=PATH, for chaos records
  std::optional<std::string> replay_out;       // write the replay's output folder here (as `run --out`)
};

/// One series compared.
struct MetricResult {
  std::string id;     // "backlog", or the mapped series identity, e.g.
                      // rabbitmq_queue_messages{queue="cq"}
  std::string name;   // "backlog", or the mapped series name
  std::string title;  // what it is, for the report
  std::string unit;   // "messages", "messages/s", ...
  Series predicted, observed;
  SeriesShape predicted_shape, observed_shape;
  size_t paired_points = 0;
  Comparison rmse, peak, time_to_peak, time_to_drain;
  std::string plot_file;  // the SVG's file name in the report folder
};

/// One fault's recovery.
struct RecoveryResult {
  std::string kind;
  std::vector<std::string> targets;
  double start_s = 0;
  Comparison recovery;  // seconds from the fault's start; empty: did not recover
                        // in the run
  std::string note;     // e.g. "unmapped: a broker node does not react to network-delay"
};

struct ValidationResult {
  std::string scenario;
  std::string scenario_file;
  std::string record_label;  // "rmq-classic-kill run 1", or the first record file
  std::string start_time;    // the records' time zero (RFC 3339)
  double until_s = 0;
  uint64_t seed = 0;
  std::string fingerprint;                    // the replay with recorded recoveries
  std::string fingerprint_own;                // the replay with the model's own recoveries
  nlohmann::ordered_json predicted_messages;  // summary.json "messages" of the replay
  std::optional<GroundTruth> truth;
  Comparison loss;
  std::vector<MetricResult> metrics;
  std::vector<RecoveryResult> recoveries;
  std::vector<PlotSpan> fault_marks;                    // the faults, for the plots
  std::vector<std::vector<std::string>> fault_targets;  // per fault mark
  std::vector<int> fault_recovery;                      // per fault mark: its index in recoveries, or -1
  std::vector<RecordNote> notes;                        // what the records did not give as is
  std::vector<std::string> unmapped_faults;             // faults a component did not react to
  std::vector<std::string> files;                       // records and traces read
  std::vector<std::string> trace_notes;                 // mapping: rules applied, observed names not mapped
  std::map<std::string, std::string> tolerances_used;   // figure key → description

  /// Every checked comparison passed.
  [[nodiscard]] bool passed() const;
  /// Counts of checked comparisons: passed, failed.
  [[nodiscard]] std::pair<size_t, size_t> counts() const;
  /// report.json
  [[nodiscard]] nlohmann::ordered_json to_json() const;
};

/// The observed traces merged into one store; `files` gets "path (observed trace, format)" lines. Throws
/// sim::InputError for unreadable or conflicting traces, and when they hold no sample.
sim::SeriesStore load_observed(const std::vector<std::string>& paths, std::vector<std::string>* files);

/// Runs the validation. Throws sim::InputError for bad input (exit code 2).
ValidationResult run_validation(const ValidateOptions& options, const sim::ModelRegistry& registry);

/// The tolerances in force: the defaults, then the "[METRIC.]FIGURE=VALUE" strings in order. Throws
/// sim::InputError ("--tolerance") for a malformed one.
std::map<std::string, Tolerance> tolerance_table(const std::vector<std::string>& specs);

/// The tolerance for a figure of a metric: "<id>.<figure>", then "<name>.<figure>", then "<figure>"; an empty
/// tolerance when none is set.
Tolerance tolerance_for(const std::map<std::string, Tolerance>& table, const std::string& id, const std::string& name,
                        const std::string& figure);

}  // namespace faultline::validate
