// A sweep's plan (DESIGN §9): the scenario, the grid of settings (the cartesian product of the
// axes, the first axis slowest) and the seeds run at each setting. Run r is setting r / K at its
// (r mod K)-th seed. The plan is fixed before anything runs, so a row depends only on its run
// index, never on the worker that ran it or on when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/run/scenario_run.hpp"
#include "sim/scenario/model_registry.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace faultline::sim::sweep {

struct SweepOptions {
  std::optional<std::string> experiment;
  /// Overrides applied to every run before the axes (Python's `overrides=`); not columns.
  std::vector<std::string> base_sets;
  std::vector<Axis> axes;
  /// --seeds K: every setting runs with seeds 1..K. Absent: once, with the scenario's seed.
  std::optional<uint64_t> seeds;
  std::optional<std::string> until;
  std::optional<std::string> start_time;
  std::optional<Goal> goal;
  /// --cost: the axes whose values cost something, most significant first. Empty: every axis.
  std::vector<std::string> cost;
  double confidence = 0.95;  // of the intervals across seeds
};

/// What one run produced: its metrics (flattened summary) and how long it took.
struct RunRecord {
  Json metrics = Json::object();
  double wall_seconds = 0;
  uint64_t events = 0;

  [[nodiscard]] Json to_json() const;
  static RunRecord from_json(const Json& j);
};

/// The summary's dotted metrics (DESIGN §6 keys: messages.lost, backlog.peak, ...): every
/// number, string and bool outside the run's identity (scenario, experiment, seed, start_time)
/// and the per-fault and per-component detail. The fingerprint comes first.
Json flatten_summary(const Json& summary);

/// Runs one point of a plan: a pure function of the document and the options.
RunRecord run_point(const Document& doc, const ModelRegistry& registry, const RunOptions& options);

class SweepPlan {
 public:
  /// Validates the options and resolves every setting (errors name the axis, exit code 2).
  SweepPlan(Document doc, const ModelRegistry& registry, SweepOptions options);

  [[nodiscard]] const Document& doc() const { return doc_; }
  [[nodiscard]] const SweepOptions& options() const { return options_; }
  [[nodiscard]] const ModelRegistry& registry() const { return registry_; }
  [[nodiscard]] size_t settings() const { return settings_; }
  [[nodiscard]] size_t seeds_per_setting() const { return seeds_per_setting_; }
  [[nodiscard]] size_t runs() const { return settings_ * seeds_per_setting_; }
  [[nodiscard]] size_t setting_of(size_t run) const { return run / seeds_per_setting_; }
  [[nodiscard]] uint64_t seed_of(size_t run) const;
  /// The index of the setting's value on each axis.
  [[nodiscard]] std::vector<size_t> value_indices(size_t setting) const;
  /// {axis path: value} in axis order.
  [[nodiscard]] Json setting_params(size_t setting) const;
  /// The setting's parameters, then "seed" (unless an axis sweeps the seed itself).
  [[nodiscard]] Json run_params(size_t run) const;
  /// `path=value` overrides of the run, base overrides first.
  [[nodiscard]] std::vector<std::string> run_sets(size_t run) const;
  [[nodiscard]] RunOptions run_options(size_t run) const;
  /// Axis paths, then "seed" (unless swept as an axis): the parameter columns of the runs table.
  [[nodiscard]] std::vector<std::string> parameter_columns() const;
  /// The cost axes (indices into options().axes), most significant first.
  [[nodiscard]] const std::vector<size_t>& cost_axes() const { return cost_axes_; }
  /// What a folder's journal must match to be resumed: everything that decides the runs.
  [[nodiscard]] Json identity() const;

 private:
  Document doc_;
  const ModelRegistry& registry_;
  SweepOptions options_;
  size_t settings_ = 1;
  size_t seeds_per_setting_ = 1;
  bool seed_axis_ = false;
  std::optional<Duration> until_;
  std::vector<uint64_t> scenario_seeds_;  // per setting, when --seeds is absent
  std::vector<size_t> cost_axes_;
};

}  // namespace faultline::sim::sweep
