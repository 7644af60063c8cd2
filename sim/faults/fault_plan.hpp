// Expands the fault entries of a scenario (DESIGN §5, §9) into the fault timeline: fixed
// times or seeded schedules ("every 30–60 s for 5 min", like Litmus pod-delete with
// CHAOS_INTERVAL), targets by path or by label selector with the Chaos Mesh modes one / all /
// fixed / fixed-percent / random-max-percent. Random choices come from streams derived from the
// scenario seed, so one seed gives one timeline.
#pragma once

#include <string>
#include <vector>

#include "sim/faults/fault.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/random/random_stream.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/selector.hpp"

namespace faultline::sim {

/// A component a fault can name: every instance, and the members of `self` kinds, which are
/// <name>/<name>-<i> by convention (a broker cluster's nodes).
struct AddressableComponent {
  std::string path;
  std::string kind;
  Labels labels;
  bool is_member = false;  // a member of a `self` kind
};
std::vector<AddressableComponent> addressable_components(const ResolvedScenario& scenario);

/// The Chaos Mesh selection modes (pkg/selector/generic/mode.go semantics).
std::vector<std::string> select_targets(const std::vector<std::string>& candidates, const std::string& mode,
                                        double value, RandomStream& rng);

/// Plans the chosen fault list. Throws InputError for a bad entry.
std::vector<Fault> plan_faults(const ResolvedScenario& scenario);
/// Plans a list of fault entries found at `entries_pointer` of the scenario's document (the
/// rollback actions of an experiment, sim/experiment/README.md).
std::vector<Fault> plan_fault_entries(const ResolvedScenario& scenario, const Json& entries,
                                      const std::string& entries_pointer);

}  // namespace faultline::sim
