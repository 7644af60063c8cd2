// The output folder of DESIGN §6: summary.json, timing.json, series.csv, metrics.om (OpenMetrics
// for promtool backfill), query_range.json, events.jsonl, faults.jsonl, scenario.resolved.json.
// Every file but timing.json is byte-identical for the same scenario, seed and version.
#pragma once

#include <string>

#include "sim/metrics/recorder.hpp"
#include "sim/run/scenario_run.hpp"

namespace faultline::sim {

/// Writes the whole folder (created if missing), each file atomically.
void write_run_outputs(const ScenarioRun& run, const std::string& dir);

/// The individual renderings, for tests and the Python module. `start_epoch_ns` anchors
/// simulated time to wall-clock timestamps.
std::string render_series_csv(const Recorder& recorder, int64_t start_epoch_ns);
std::string render_openmetrics(const Recorder& recorder, int64_t start_epoch_ns);
std::string render_query_range(const Recorder& recorder, int64_t start_epoch_ns);

}  // namespace faultline::sim
