// A Longhorn-like storage system (domain_models.md §3): `count` storage nodes, each running one
// instance-manager pod `<name>/<name>-<k>` (the processes of the replicas and engines on
// Kubernetes node k), and the volumes that pods claim through the "io" channel. A claim's first
// attach creates its volume (dynamic provisioning, StorageClass numberOfReplicas = `replicas`):
// its engine runs on the node the consuming pod runs on, its replicas on distinct nodes
// (longhorn_volume.hpp). Faults on an instance-manager pod act on everything on its node:
//   pod-kill, container-kill, pod-failure  the replica processes die: their volumes mark them
//                                          ERR at once (connection reset) and run degraded; a
//                                          volume whose engine was there detaches (I/O fails)
//                                          until the pod is ready again;
//   node-down                              the node stops answering: writes wait for the
//                                          replica timeout (R-L6), the engine's volumes detach;
//   process-freeze                         replicas and engines hang: writes wait (timeout for
//                                          replicas, no timeout for an engine) until the thaw.
// Round trips between nodes come from the network component when the scenario has one,
// otherwise `replica_rtt` (R-L4).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/kubernetes/pod.hpp"
#include "models/network/network_protocol.hpp"
#include "models/storage/longhorn_volume.hpp"
#include "models/storage/storage_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

class LonghornInstanceManager;

class LonghornSystem final : public sim::Component, public VolumeHost {
 public:
  LonghornSystem(sim::Simulation& sim, sim::ComponentIdentity id, LonghornConfig config, uint32_t nodes);
  ~LonghornSystem() override;
  [[nodiscard]] std::string_view kind() const override { return "longhorn"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  /// Called by the factory: the instance-manager pods, in node order.
  void adopt_node(LonghornInstanceManager& node) { nodes_.push_back(&node); }

  // ---- from the instance managers
  void node_stopped(uint32_t node, StopCause cause);
  void node_ready(uint32_t node);
  void node_frozen(uint32_t node, bool frozen);

  // ---- VolumeHost
  [[nodiscard]] sim::SimTime now() const override { return Component::now(); }
  [[nodiscard]] const LonghornConfig& config() const override { return config_; }
  [[nodiscard]] uint32_t storage_nodes() const override { return node_count_; }
  [[nodiscard]] bool node_serving(uint32_t node) const override { return serving_.at(node); }
  sim::Duration round_trip(uint32_t from, uint32_t to) override;
  sim::Duration disk_latency() override;
  sim::EventId schedule_volume_event(uint32_t volume, sim::Duration delay, uint16_t kind, uint32_t sub) override;
  void cancel_event(sim::EventId id) override { cancel(id); }
  void answer(uint32_t connection, const VolumeResult& result) override { io_.send_to(connection, result); }
  void log(const std::string& event, const nlohmann::ordered_json& fields) override { log_event(event, fields); }

  /// The volume of a claim, for tests and summaries; null when never attached.
  [[nodiscard]] const LonghornVolume* volume(const std::string& claim) const;

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t { kTick = 0xF };
  void on_io(uint32_t connection, const VolumeRequest& request);
  void each_volume(uint32_t node, void (LonghornVolume::*fn)(uint32_t));

  LonghornConfig config_;
  uint32_t node_count_;
  std::vector<LonghornInstanceManager*> nodes_;
  std::vector<bool> serving_;
  std::vector<std::unique_ptr<LonghornVolume>> volumes_;
  std::map<std::string, uint32_t> by_claim_;
  sim::ServerPort<VolumeRequest, VolumeResult>& io_;
  NetworkPort& network_;
  std::vector<sim::Gauge*> node_status_;
  sim::SimTime last_tick_{};
};

}  // namespace faultline::models
