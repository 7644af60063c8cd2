// One entry of the fault timeline (DESIGN §5). Whether written in the scenario, imported from a
// chaos tool or taken from a run record, every fault becomes one of these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/time.hpp"

namespace faultline::sim {

struct Fault {
  uint32_t id = 0;  // position in the timeline
  std::string kind;
  SimTime start;
  std::optional<SimTime> end;        // empty for one-shot actions such as pod-kill
  std::optional<SimTime> recovered;  // from a record: when the target was serving again
  std::vector<std::string> targets;  // component paths
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  nlohmann::ordered_json source = nlohmann::ordered_json::object();  // {"file":…, "at":…}

  /// A parameter as a duration ("30s" or seconds); empty when absent.
  [[nodiscard]] std::optional<Duration> duration_param(std::string_view name) const;
  /// A numeric parameter; `fallback` when absent.
  [[nodiscard]] double number_param(std::string_view name, double fallback) const;
};

/// What a component did with a fault aimed at it.
struct FaultOutcome {
  bool applied = true;
  std::string reason;  // why it was not applied (unmapped)
  static FaultOutcome ok() { return {}; }
  static FaultOutcome unmapped(std::string why) { return {false, std::move(why)}; }
};

/// The timeline line of DESIGN §5 (faults.jsonl), with recovered_s when known.
nlohmann::ordered_json fault_to_json(const Fault& f);

}  // namespace faultline::sim
