// One run of a scenario, as `faultline run` and the Python module do it: resolve, plan the
// faults, build the topology, build and wire the components, run, check conservation, and
// produce the summary (DESIGN §6).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/simulation.hpp"
#include "sim/experiment/experiment_schema.hpp"
#include "sim/faults/fault_injector.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/topology/topology.hpp"

namespace faultline::sim {

namespace experiment {
class ExperimentRunner;
}

struct RunOptions : ResolveOptions {
  std::optional<Duration> until;  // --until: stop earlier (or later) than the scenario's duration
  bool trace_messages = false;    // --trace-messages
  /// A recorded fault timeline (replay): replaces the scenario's planned faults. Recorded
  /// faults keep their targets and times and are never re-drawn (DESIGN §5).
  std::optional<std::vector<Fault>> recorded_faults;
  /// Probes and abort conditions imported with the records (replay), added to the scenario's.
  std::optional<experiment::ExperimentSpec> imported_experiment;
};

struct RunTiming {
  double wall_seconds = 0;
  uint64_t peak_rss_bytes = 0;
};

class ScenarioRun {
 public:
  /// Builds everything; throws InputError for bad input.
  ScenarioRun(ResolvedScenario scenario, const ModelRegistry& registry, const RunOptions& options);
  ~ScenarioRun();

  /// Runs to the end. Throws ConservationError when the message accounting does not balance.
  void run();

  [[nodiscard]] const ResolvedScenario& scenario() const { return scenario_; }
  [[nodiscard]] const Topology& topology() const { return topology_; }
  [[nodiscard]] Simulation& sim() { return *sim_; }
  [[nodiscard]] const Simulation& sim() const { return *sim_; }
  [[nodiscard]] const FaultInjector& faults() const { return *injector_; }
  /// The hypothesis, aborts and rollbacks of the run; null when it has none (DESIGN §7).
  [[nodiscard]] const experiment::ExperimentRunner* experiment() const { return experiment_.get(); }
  /// summary.json (after run()).
  [[nodiscard]] const nlohmann::ordered_json& summary() const { return summary_; }
  [[nodiscard]] const std::string& fingerprint() const { return fingerprint_; }
  [[nodiscard]] const RunTiming& timing() const { return timing_; }
  /// timing.json: the only output that differs between two runs of the same scenario and seed.
  [[nodiscard]] nlohmann::ordered_json timing_json() const;

 private:
  void build(const ModelRegistry& registry);
  void build_experiment();
  void make_summary();

  ResolvedScenario scenario_;
  RunOptions options_;
  Topology topology_;
  std::unique_ptr<Simulation> sim_;
  std::unique_ptr<FaultInjector> injector_;
  std::unique_ptr<experiment::ExperimentRunner> experiment_;
  nlohmann::ordered_json summary_;
  std::string fingerprint_;
  RunTiming timing_;
  bool ran_ = false;
};

/// Peak resident set size of this process so far, in bytes.
uint64_t peak_rss_bytes();

}  // namespace faultline::sim
