// `faultline import` and `replay` (DESIGN §5, §9, issue 5): reads chaos definitions and run
// records of any supported format, recognised by content, and turns them into the fault
// timeline, the producers' load overrides, the records' start time and the unmapped report.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/experiment_schema.hpp"
#include "sim/faults/fault.hpp"
#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

struct ImportResult {
  std::vector<Fault> faults;  // simulated times, sorted by start, ids set
  std::vector<UnmappedEntry> unmapped;
  /// The records' time zero (their earliest time, or --start-time); empty when only
  /// definitions were given (they are placed from the scenario's own start).
  std::optional<int64_t> start_epoch_ns;
  /// Parameter overrides from load profiles: (path, value), e.g. components.producer.stages.
  std::vector<std::pair<std::string, Json>> load_overrides;
  std::vector<FileReport> files;
  /// Probes and abort conditions the files define (Litmus promProbe / httpProbe, Chaos Toolkit
  /// hypotheses, Gloo Shot failure conditions), in the scenario's schema (sim/experiment).
  std::vector<ImportedCheck> checks;

  /// An entry for the scenario's `experiments` list: the faults as fault entries, the hypothesis
  /// and the abort conditions (`faultline import` writes it next to the timeline).
  [[nodiscard]] Json experiment_block(const std::string& name) const;
  /// The checks as RunOptions::imported_experiment (replay runs them).
  [[nodiscard]] experiment::ExperimentSpec experiment_spec() const;

  /// The machine-readable report: files and formats, counts, load, every unmapped entry.
  [[nodiscard]] Json report(const ResolvedScenario& scenario) const;
  /// "--set" arguments for the load overrides (JSON values are YAML flow values).
  [[nodiscard]] std::vector<std::string> load_sets() const;
};

/// Reads the files in order. Throws InputError (exit code 2) for unreadable or malformed input
/// and for files that hold nothing faultline imports (with the reason).
ImportResult import_files(const ResolvedScenario& scenario, const std::vector<std::string>& files,
                          const ImportOptions& options);

/// The same from text already in memory (tests, fuzzing): `name` stands for the file.
ImportResult import_texts(const ResolvedScenario& scenario, const std::vector<std::pair<std::string, std::string>>& texts,
                          const ImportOptions& options);

}  // namespace faultline::sim::importers
