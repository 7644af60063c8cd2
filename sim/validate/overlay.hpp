// Scenario overlays: parameter overrides kept in a file, so that a calibration (or any tuning) is applied
// without editing the scenario. `faultline calibrate` writes one; `run`, `replay`, `validate`, `check` and
// `graph` apply it with `--overlay FILE` (repeatable). The format:
//
//   faultline_overlay: 1       # required
//   scenario: testbed          # optional: the scenario's name; another one is an error
//   description: ...           # optional
//   set:                       # required: parameter path (DESIGN §9) → value
//     components.consumer.processing_time: {dist: constant, value: 4.2ms}
//     components.rabbitmq.app_start: 11.2s
//   fits: ...                  # optional, free-form: how the values were obtained
//
// The entries are applied in file order, as if given with --set before the command line's own --set; so an
// experiment's `set` is applied before them and `--set` after them.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/document.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::validate {

struct OverlayEntry {
  std::string path;  // components.<name>.<param>...
  sim::Json value;
  int line = 0;
};

struct Overlay {
  std::string file;
  std::string scenario;  // empty: any
  std::vector<OverlayEntry> entries;
};

/// Parses an overlay; throws sim::InputError with the file, pointer and line.
Overlay parse_overlay(const std::string& text, const std::string& file);
Overlay load_overlay(const std::string& path);

/// The overlays' entries as --set arguments ("path=<value as a flow value>"), in order. Each path and value
/// is checked against the scenario first, so that a bad entry is reported at its line in the overlay file.
std::vector<std::string> overlay_sets(const std::string& scenario_path, const std::vector<std::string>& overlay_paths,
                                      const sim::ModelRegistry& registry);

}  // namespace faultline::validate
