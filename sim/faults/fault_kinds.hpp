// The fault kinds of DESIGN §5 (Chaos Mesh's names where one exists), each with its parameters
// declared once, so that a fault written in a scenario and one imported from a chaos tool are
// validated the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/param_spec.hpp"

namespace faultline::sim {

struct FaultKindInfo {
  std::string name;
  std::string help;
  bool one_shot = false;        // pod-kill: no end and no recover event (Chaos Mesh +oneshot)
  bool needs_duration = false;  // pod-failure: Chaos Mesh requires a duration
  std::vector<ParamSpec> params;
};

const std::vector<FaultKindInfo>& fault_kinds();
/// nullptr for an unknown kind.
const FaultKindInfo* find_fault_kind(std::string_view name);
std::vector<std::string> fault_kind_names();

}  // namespace faultline::sim
