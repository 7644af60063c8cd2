// What a component asks the cluster network: how long a message sent now from one component to
// another takes to arrive, or that it cannot arrive now. The `network` kind is a cluster-wide
// service (KindInfo::serves_all): the builder wires every component's request port named
// "network" to it. Without a network component in the scenario the port stays unconnected and
// every message arrives at once, so scenarios that do not model the network are unchanged.
#pragma once

#include <cstdint>

#include "sim/core/port.hpp"
#include "sim/core/time.hpp"

namespace faultline::models {

struct PathQuery {
  uint32_t from = 0;   // Component::index() of the sender
  uint32_t to = 0;     // Component::index() of the receiver
  uint32_t bytes = 0;  // payload size, for bandwidth limits; 0 for a small control message
};

struct PathAnswer {
  /// False while a partition blocks the path (R-N9). TCP keeps retransmitting: what a stalled
  /// connection does (wait, or fail at a heartbeat timeout, R-N10) is the sender's protocol's.
  bool reachable = true;
  /// One-way delay: link latency, netem delay and jitter (R-N3), retransmissions of lost
  /// packets, serialisation under a bandwidth limit.
  sim::Duration delay{};
};

using NetworkPort = sim::RequestPort<PathQuery, PathAnswer>;

/// The answer for a message sent now; immediate arrival when no network is modelled.
inline PathAnswer ask_path(const NetworkPort& port, uint32_t from, uint32_t to, uint32_t bytes = 0) {
  if (!port.connected()) return {};
  return port.call(PathQuery{from, to, bytes});
}

}  // namespace faultline::models
