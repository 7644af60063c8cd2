// What a component asks the cluster network: how long a message sent now from one component to
// another takes to arrive, or that it cannot arrive now. The `network` kind is a cluster-wide
// service (KindInfo::serves_all): the builder wires every component's request port named
// "network" to it. Without a network component in the scenario the port stays unconnected and
// every message arrives at once, so scenarios that do not model the network are unchanged.
//
// Pods also forward the NetworkChaos faults aimed at them to the network, through a port named
// "network-faults" that the Pod base class declares (the network installs the netem rules on
// their egress, R-N1).
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/port.hpp"
#include "sim/core/time.hpp"
#include "sim/faults/fault.hpp"

namespace faultline::models {

struct PathQuery {
  uint32_t from = 0;   // Component::index() of the sender
  uint32_t to = 0;     // Component::index() of the receiver
  uint32_t bytes = 0;  // payload size, for bandwidth limits; 0 for a small control message
  /// Only ask whether the path is open now (heartbeat checks): no random draw, no queueing,
  /// nothing sent. The answer's delay is then the path's mean one-way delay.
  bool peek = false;
  /// Retransmissions of this message so far (a sender stalled by a partition retries with
  /// exponential back-off); the answer's rto is the wait before the next one.
  uint32_t attempt = 0;
};

struct PathAnswer {
  /// False while a partition blocks the path (R-N9). TCP keeps retransmitting: what a stalled
  /// connection does (wait, or fail at a heartbeat timeout, R-N10) is the sender's protocol's.
  bool reachable = true;
  /// One-way delay: link latency, netem delay and jitter (R-N3), retransmissions of lost
  /// packets, serialisation under a bandwidth limit.
  sim::Duration delay{};
  /// When not reachable: since when a partition has blocked the path.
  sim::SimTime blocked_since{};
  /// The sender's retransmission timeout on this path now, (RTT + rto_min) doubled per earlier
  /// attempt, at most rto_max: how long a stalled sender waits before it tries again (R-N10).
  sim::Duration rto{};
};

using NetworkPort = sim::RequestPort<PathQuery, PathAnswer>;

/// The answer for a message sent now; immediate arrival when no network is modelled. Ask once
/// per message actually sent: the answer draws jitter and loss, queues on bandwidth limits and
/// keeps the flow in order (a message never arrives before the one sent before it).
inline PathAnswer ask_path(const NetworkPort& port, uint32_t from, uint32_t to, uint32_t bytes = 0) {
  if (!port.connected()) return {};
  return port.call(PathQuery{from, to, bytes});
}

/// Whether the path is open now, without sending anything; always open without a network.
inline PathAnswer peek_path(const NetworkPort& port, uint32_t from, uint32_t to) {
  if (!port.connected()) return {};
  return port.call(PathQuery{from, to, 0, true, 0});
}

/// A pod tells the network that a NetworkChaos fault selected it (start) or was removed (end).
struct NetworkFaultChange {
  const sim::Fault* fault = nullptr;
  uint32_t pod = 0;  // Component::index() of the selected pod
  bool start = true;
};

using NetworkFaultPort = sim::RequestPort<NetworkFaultChange, sim::FaultOutcome>;

/// The fault kinds the network applies (DESIGN §5): network-delay, -loss, -duplicate, -corrupt,
/// -bandwidth, -partition.
inline bool is_network_fault(const std::string& kind) { return kind.rfind("network-", 0) == 0; }

}  // namespace faultline::models
