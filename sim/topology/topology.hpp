// The topology of a scenario (DESIGN §2): a Boost.Graph of component instances and the
// connections their references declare. It reports unknown references, forbidden cycles
// (messages flowing in a loop) and consumers that nothing feeds, gives the wiring order to
// the builder, and writes Graphviz DOT.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline::sim {

struct TopologyEdge {
  std::string from;       // instance path
  std::string from_port;  // port on `from`
  std::string to;
  std::string to_port;
  bool flow = false;      // messages move along it (from → to); otherwise a control connection
  std::string pointer;    // the reference parameter that made it
};

class Topology {
 public:
  /// Builds the graph and runs the checks; throws InputError naming the reference at fault.
  static Topology build(const ResolvedScenario& scenario, const ModelRegistry& registry);

  /// Port connections to make, in a fixed order. `from`/`to` here are the reference's owner and
  /// target; the builder connects each pair in the direction its port types require.
  [[nodiscard]] const std::vector<TopologyEdge>& wiring() const { return wiring_; }
  /// Graph edges (one per reference and target), oriented by message flow.
  [[nodiscard]] const std::vector<TopologyEdge>& edges() const { return edges_; }
  [[nodiscard]] std::string to_dot(const ResolvedScenario& scenario) const;

 private:
  std::vector<TopologyEdge> wiring_;
  std::vector<TopologyEdge> edges_;
};

}  // namespace faultline::sim
