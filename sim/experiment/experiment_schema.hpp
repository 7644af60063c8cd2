// The `hypothesis`, `abort` and `rollbacks` blocks of a scenario and of its experiments
// (DESIGN §7, §9; the schema and its semantics are in sim/experiment/README.md). Every field is
// declared once as a ParamSpec (unit, default, help, source); queries are parsed when the
// scenario is loaded, so bad input exits with code 2 before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/experiment/tolerance.hpp"
#include "sim/promql/promql.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/param_spec.hpp"

namespace faultline::sim::experiment {

enum class ProbeMode { sot, eot, edge, continuous, on_chaos };
/// Litmus' spelling: "SOT", "EOT", "Edge", "Continuous", "OnChaos".
const char* probe_mode_name(ProbeMode m);

struct ProbeSpec {
  std::string name;
  std::string description;
  std::string pointer;  // of the probe in its file
  std::string file;
  promql::Query query;
  Tolerance tolerance;
  ProbeMode mode = ProbeMode::edge;
  Duration interval = Duration::s(5);
  Duration initial_delay = Duration::zero();
  bool stop_on_failure = false;
};

struct AbortSpec {
  std::string name;
  std::string description;
  std::string pointer;
  std::string file;
  promql::Query query;
  std::optional<Tolerance> when;  // empty: fires when the query returns a sample
  Duration interval = Duration::s(5);
  Duration initial_delay = Duration::zero();
};

enum class RollbackStrategy { default_, always, never, deviated };
const char* rollback_strategy_name(RollbackStrategy s);

struct RollbackSpec {
  RollbackStrategy strategy = RollbackStrategy::default_;
  Json actions = Json::array();  // fault entries; planned against the scenario by the run
  std::string actions_pointer;   // where `actions` is in the document
};

/// The chosen blocks of one run: the experiment's, else the scenario's top-level ones.
struct ExperimentSpec {
  std::string title;
  std::vector<ProbeSpec> probes;
  std::vector<AbortSpec> aborts;
  std::optional<RollbackSpec> rollbacks;

  /// No probe, no condition and no rollback: the run has no verdict.
  [[nodiscard]] bool empty() const { return probes.empty() && aborts.empty() && !rollbacks; }
  /// The blocks as scenario.resolved.json writes them (normalised, defaults applied).
  [[nodiscard]] Json to_json() const;
};

/// The declarations of every field, for the parser, `faultline check` and the docs.
const std::vector<ParamSpec>& hypothesis_fields();
const std::vector<ParamSpec>& probe_fields();
const std::vector<ParamSpec>& abort_fields();
const std::vector<ParamSpec>& rollback_fields();

/// Parses one block; each throws InputError at the offending place. `pointer` is the block's.
std::string parse_hypothesis(const Json& block, const Document& doc, const std::string& pointer,
                             std::vector<ProbeSpec>& probes);
std::vector<AbortSpec> parse_abort(const Json& block, const Document& doc, const std::string& pointer);
RollbackSpec parse_rollbacks(const Json& block, const Document& doc, const std::string& pointer);

/// Parses and type-checks a PromQL query of a probe or condition; an error names the
/// unsupported or malformed part, its column, and the place in the file.
promql::Query parse_query(const Json& value, const Document& doc, const std::string& pointer, bool scalar_allowed);

/// Builds the chosen blocks: those of `experiment` (a pointer such as "/experiments/1", or ""
/// for none) where it gives them, else the top-level ones. Validates every block of the
/// document first, so `faultline check` reports errors in experiments that are not chosen.
ExperimentSpec resolve_experiment_spec(const Document& doc, const std::string& experiment_pointer);

/// Adds imported probes and conditions (from `faultline replay`): names must stay unique.
void merge_imported(ExperimentSpec& into, const ExperimentSpec& imported);

}  // namespace faultline::sim::experiment
