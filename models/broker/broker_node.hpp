// One RabbitMQ node: a StatefulSet pod of the broker cluster. Its process holds the queues'
// in-memory state; its volume (a PersistentVolume, or an emptyDir that lives as long as the
// pod object) holds what was fsynced every `fsync_interval` (R-CQ4). It tells its cluster when
// it stops (a graceful deletion is a controlled shutdown, R-MQ5), boots, becomes ready, freezes.
#pragma once

#include "models/broker/broker_cluster.hpp"
#include "models/kubernetes/pod.hpp"

namespace faultline::models {

class BrokerNode final : public Pod {
 public:
  BrokerNode(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, BrokerCluster& cluster, uint32_t index,
             sim::Duration fsync_interval, bool persistent_volume);
  [[nodiscard]] std::string_view kind() const override { return "broker-node"; }
  void initialize() override;

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_start() override;
  void on_process_stop(StopCause cause) override;
  void on_ready() override;
  void on_unready() override;
  void on_freeze() override;
  void on_thaw() override;
  sim::FaultOutcome on_app_fault_start(const sim::Fault& fault) override;
  void on_app_fault_end(const sim::Fault& fault) override;

 private:
  enum Event : uint16_t { kFsync = 1 };
  BrokerCluster& cluster_;
  uint32_t index_;
  sim::Duration fsync_interval_;
  bool persistent_volume_;
  bool terminating_ = false;  // graceful deletion under way: RabbitMQ shuts down cleanly
};

}  // namespace faultline::models
