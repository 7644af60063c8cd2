// Runs a scenario's steady-state hypothesis, abort conditions and rollbacks during a simulated
// run (DESIGN §7; the semantics are in sim/experiment/README.md): probes and conditions are
// checked at simulated times over the samples scraped so far, a condition that fires stops the
// chaos through the fault injector, rollbacks join the timeline, and the verdict, the results
// and a Chaos Toolkit-style journal come out at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/simulation.hpp"
#include "sim/experiment/experiment_schema.hpp"
#include "sim/experiment/series_mirror.hpp"
#include "sim/faults/fault_injector.hpp"

namespace faultline::sim::experiment {

/// What a run tells the runner about itself.
struct RunInfo {
  std::string scenario;
  std::optional<std::string> experiment;
  std::string description;
  uint64_t seed = 1;
  int64_t start_epoch_ns = 0;
  Duration scrape_interval = Duration::s(1);
};

class ExperimentRunner {
 public:
  /// `rollback_actions` are planned as if the rollback time were 0 (their `at` offsets).
  ExperimentRunner(Simulation& sim, FaultInjector& injector, ExperimentSpec spec, std::vector<Fault> rollback_actions,
                   RunInfo info);

  /// Schedules the checks made before the chaos. Call before FaultInjector::schedule_all(), so
  /// that they run before the faults of the chaos start.
  void schedule_before_faults();
  /// Schedules the periodic checks, the conditions and the rollbacks at the chaos end.
  void schedule_after_faults();
  /// The checks at the run's end (after the final scrape), then the verdict.
  void finish();

  /// summary.json `verdict` (DESIGN §6).
  [[nodiscard]] const nlohmann::ordered_json& verdict() const { return verdict_; }
  /// summary.json `experiment_results`: every probe and condition with its outcome.
  [[nodiscard]] nlohmann::ordered_json results() const;
  /// journal.json, in Chaos Toolkit's journal shape (chaos_formats.md §3.2).
  [[nodiscard]] nlohmann::ordered_json journal() const;
  [[nodiscard]] const ExperimentSpec& spec() const { return spec_; }

 private:
  struct Check {
    SimTime t;
    const char* phase;  // "before", "during", "after"
    bool met = false;
    std::optional<double> value;
    size_t samples = 0;
    std::string error;
  };
  struct ProbeState {
    std::vector<Check> checks;
    std::optional<size_t> first_failure;  // index into checks
  };
  struct ConditionState {
    size_t checks = 0;
    bool fired = false;
    SimTime fired_at;
    std::optional<double> value;
    std::string error;  // of the last check that could not be evaluated
  };
  struct Stop {  // the chaos was stopped (an abort, or a stop_on_failure probe)
    SimTime at;
    bool by_condition = false;
    size_t index = 0;  // condition or probe
    FaultInjector::StopReport report;
  };

  // Runs `fn` at t, after the scrape at t when one is due then.
  void at_after_scrape(SimTime t, std::function<void()> fn);
  void check_probe(size_t i, const char* phase);
  void poll_probe(size_t i, SimTime t);
  void poll_condition(size_t i, SimTime t);
  void stop_chaos(bool by_condition, size_t index);
  void run_rollbacks();
  [[nodiscard]] std::optional<SimTime> current_chaos_end() const;
  [[nodiscard]] bool deviated() const;

  Simulation& sim_;
  FaultInjector& injector_;
  ExperimentSpec spec_;
  std::vector<Fault> rollback_actions_;
  RunInfo info_;
  SeriesMirror mirror_;
  SimTime chaos_start_;
  std::optional<SimTime> chaos_end_;  // empty: a fault lasts to the run's end
  bool has_faults_ = false;
  size_t method_faults_ = 0;  // the timeline's faults before any rollback joined it
  std::vector<ProbeState> probes_;
  std::vector<ConditionState> conditions_;
  std::optional<Stop> stop_;
  bool rollbacks_done_ = false;
  SimTime rollback_time_;
  std::vector<uint32_t> rollback_faults_;
  std::vector<std::pair<size_t, size_t>> during_;  // (probe, check) of Continuous/OnChaos checks, in time order
  SimTime end_;
  nlohmann::ordered_json verdict_;
};

/// A sample value as the outputs write it: a number, or "NaN" / "+Inf" / "-Inf", or null.
nlohmann::ordered_json value_json(const std::optional<double>& v);

/// "verdict: aborted at 21 s by productpage-5xx (value 11)" for the text report; "" for null.
std::string verdict_text(const nlohmann::ordered_json& verdict);
/// The exit code of `run` / `replay` with --fail-on-verdict (DESIGN §9): 3 when the summary's
/// verdict is fail or aborted, else 0 (a run without a verdict has nothing to fail).
int verdict_exit_code(const nlohmann::ordered_json& summary);

}  // namespace faultline::sim::experiment
