// Test benches: build a small scenario from YAML text, run it through the same path as the CLI,
// and read the results. Unit tests of models use two- or three-component benches this way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/run/scenario_run.hpp"

namespace faultline::testing {

/// Resolves and runs `yaml` with the built-in models. Throws what the run throws.
std::unique_ptr<sim::ScenarioRun> run_yaml(const std::string& yaml, const std::vector<std::string>& sets = {},
                                           const std::string& experiment = "");

/// Runs a scenario file of the project (path relative to the source folder).
std::unique_ptr<sim::ScenarioRun> run_file(const std::string& relative_path, const std::vector<std::string>& sets = {},
                                           const std::string& experiment = "");

/// The number of events.jsonl lines with this component and event name.
size_t count_events(const sim::ScenarioRun& run, const std::string& component, const std::string& event);

/// A loss count by cause, 0 when absent.
uint64_t lost_by(const sim::ScenarioRun& run, const std::string& cause);

}  // namespace faultline::testing
