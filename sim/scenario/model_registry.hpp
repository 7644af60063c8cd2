// The explicit registry of component kinds (no static-initialisation magic): models/ adds every
// kind in one register function. A kind carries its parameter declarations and a factory.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "sim/metrics/recorder.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/param_spec.hpp"

namespace faultline::sim {

class Component;
class Simulation;

/// How `count` works for a kind.
enum class Replication {
  single,    // one component at the entry's name; `count` is not allowed
  replicas,  // pods of a Deployment/StatefulSet: `count` instances at <name>/<name>-<i>
  self,      // the kind builds its own members (a broker cluster's nodes) from `count`
};

/// A kind's place in the message flow, for the topology checks.
enum class TopologyRole { source, store, consumer, other };

/// One component to build, after defaults, overrides and `count`.
struct ComponentInstance {
  std::string path;       // "consumer/consumer-2", or the entry name
  std::string base_name;  // the scenario entry's name
  std::string kind;
  Labels labels;
  uint32_t replica = 0;   // index within the set
  uint32_t count = 1;     // instances in the set, or the member count of a `self` kind
  bool present = true;    // false: a slot beyond `count` (up to max_count) that scaling may fill
  ParamValues params;
  std::string pointer;    // JSON pointer of the scenario entry
  std::string file;       // the scenario file, for errors only found once components are wired
};

using ComponentFactory = std::function<Component&(Simulation&, const ComponentInstance&)>;

struct KindInfo {
  std::string name;
  std::string help;
  Replication replication = Replication::single;
  TopologyRole role = TopologyRole::other;
  std::vector<ParamSpec> params;
  ComponentFactory factory;
  std::string count_help;  // what `count` means for this kind
  /// For sources: whether their work ends on its own (e.g. a message limit). A scenario
  /// without a duration needs every source bounded, or it would never end. Null: bounded.
  std::function<bool(const ParamValues&)> bounded;
  /// A cluster-wide service (the network): when the scenario has a component of this kind, the
  /// builder connects every component's unconnected port named `first` to its port `second`.
  /// At most one component of such a kind may exist.
  std::optional<std::pair<std::string, std::string>> serves_all;
  /// Further (client port, server port) pairs wired the same way, for a service with several
  /// channels (the network also takes the NetworkChaos faults every pod forwards).
  std::vector<std::pair<std::string, std::string>> also_serves_all;
  /// Checks that involve several parameters (e.g. a queue's leader < count); throws
  /// InputError through doc.error. Null: nothing beyond the declarations.
  std::function<void(const ParamValues& params, int64_t count, const Document& doc)> validate;
};

class ModelRegistry {
 public:
  /// Adds a kind; a second kind with the same name is a programming error.
  void add(KindInfo kind);
  [[nodiscard]] const KindInfo* find(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] const std::map<std::string, KindInfo, std::less<>>& kinds() const { return kinds_; }

 private:
  std::map<std::string, KindInfo, std::less<>> kinds_;
};

}  // namespace faultline::sim
