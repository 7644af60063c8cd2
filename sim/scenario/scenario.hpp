// Scenario loading (DESIGN §9): parse → apply the chosen experiment's `set` and the user's
// overrides → validate every key against the declarations → apply defaults and `count`.
// The result knows every component instance to build and the fault entries to plan.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::sim {

namespace experiment {
struct ExperimentSpec;
}

struct ResolveOptions {
  std::optional<std::string> experiment;  // --experiment
  std::vector<std::string> sets;          // --set path=value, applied after the experiment's `set`
  std::optional<uint64_t> seed;           // --seed
  std::optional<std::string> start_time;  // --start-time (RFC 3339)
};

struct ComponentEntry {
  std::string name;
  const KindInfo* kind = nullptr;
  std::string pointer;  // /components/i
  int64_t count = 1;    // instances (replicas kinds) or members (self kinds); 1 for single kinds
  bool has_count = false;
  Labels labels;
  std::string description;
  Json params;  // normalised, defaults applied
};

struct ExperimentInfo {
  std::string name;
  std::string description;
  std::string pointer;
};

class ResolvedScenario {
 public:
  ResolvedScenario() = default;
  ResolvedScenario(ResolvedScenario&&) = default;
  ResolvedScenario& operator=(ResolvedScenario&&) = default;
  ResolvedScenario(const ResolvedScenario&) = delete;  // instances point into components
  ResolvedScenario& operator=(const ResolvedScenario&) = delete;

  Document doc;  // after overrides: errors point into it
  std::string name;
  std::string description;
  int64_t start_epoch_ns = 0;
  std::optional<Duration> duration;  // absent: run until no work is left
  uint64_t seed = 1;
  Duration scrape_interval = Duration::s(1);
  std::optional<std::string> experiment;
  std::string experiment_description;
  std::vector<std::string> applied_overrides;  // "path=value", in the order applied
  std::vector<ComponentEntry> components;      // in file order
  std::vector<ComponentInstance> instances;    // by path
  std::vector<ExperimentInfo> experiments;
  Json fault_entries = Json::array();  // the chosen list: the experiment's, else the base faults
  std::string faults_pointer;          // where that list is in the document
  /// The chosen hypothesis, abort conditions and rollbacks (sim/experiment/README.md).
  std::shared_ptr<const experiment::ExperimentSpec> experiment_spec;

  [[nodiscard]] const ComponentInstance* instance(const std::string& path) const;
  [[nodiscard]] const ComponentEntry* entry(const std::string& name) const;
  /// scenario.resolved.json: the scenario after defaults, counts, overrides and the experiment.
  [[nodiscard]] Json to_json() const;
};

/// Resolves a parsed document. Throws InputError for every kind of bad input.
ResolvedScenario resolve_scenario(Document doc, const ModelRegistry& registry, const ResolveOptions& options);

/// Component names follow Kubernetes object names (RFC 1123 labels): [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool valid_component_name(const std::string& name);

}  // namespace faultline::sim
