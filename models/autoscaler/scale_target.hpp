// The workload an autoscaler scales, as the scale subresource and the workload's controller
// show it: the pod slots (one connection each on the "scale" channel,
// models/kubernetes/scaling_protocol.hpp), their states, and which pod is created or deleted
// when the replica count changes. Up: the lowest free slot. Down: a StatefulSet deletes its
// highest ordinal (R-K7); a ReplicaSet deletes a pod that is not running before one that is not
// ready, before a ready one, and the newest first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/kubernetes/scaling_protocol.hpp"
#include "sim/core/port.hpp"
#include "sim/core/time.hpp"

namespace faultline::models {

class ScaleTarget {
 public:
  struct Slot {
    uint32_t connection = 0;
    uint32_t ordinal = 0;
    std::string pod;  // "consumer-3"
    ScaleStatus status;
    sim::SimTime created{};  // when this controller created it (0 for the pods present at the start)
  };

  /// The owner's server port; set once, in the owner's constructor.
  void bind(sim::ServerPort<ScaleStatus, ScaleRequest>& port) { port_ = &port; }
  /// After wiring: learns the slots in ordinal order and their states (none if nothing is connected).
  void initialize();
  /// The owner's port handler forwards every answer here.
  void on_status(uint32_t connection, const ScaleStatus& status);
  /// Asks every slot for its state (the controller's informer cache, fresh at a sync).
  void refresh();
  /// Asks one slot (an index into slots()) for its state.
  const ScaleStatus& query(size_t slot);

  [[nodiscard]] size_t slot_count() const { return slots_.size(); }
  [[nodiscard]] const std::vector<Slot>& slots() const { return slots_; }
  /// Existing pods: the spec replicas, and the status replicas (starting pods included).
  [[nodiscard]] int64_t replicas() const;
  [[nodiscard]] int64_t ready() const;
  /// The name the workload's series carry ("consumer").
  [[nodiscard]] const std::string& workload() const { return workload_; }

  /// Creates or deletes pods until `replicas` exist (at most slot_count()).
  void scale_to(int64_t replicas, sim::SimTime now);

 private:
  void send(size_t slot, ScaleRequest::Op op);

  sim::ServerPort<ScaleStatus, ScaleRequest>* port_ = nullptr;
  std::vector<Slot> slots_;
  std::vector<size_t> slot_of_connection_;
  std::string workload_;
};

}  // namespace faultline::models
