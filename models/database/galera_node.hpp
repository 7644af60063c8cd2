// One member of a Galera cluster: a MariaDB StatefulSet pod (galera_cluster.hpp holds the
// cluster's logic). Its lifecycle is the pod's (pod.hpp): it tells its cluster when mysqld
// starts, finishes starting (the cluster may refuse: the bootstrap trap), stops (cleanly when a
// graceful deletion let it shut down), freezes and thaws, and it runs the cluster's per-member
// events, so that they die with the process and wait while it is frozen. IOChaos aimed at it
// (io-latency, io-fault) acts on its volume: each write draws against the fault's percent.
#pragma once

#include <cstdint>
#include <vector>

#include "models/kubernetes/pod.hpp"

namespace faultline::models {

class GaleraCluster;

class GaleraNode final : public Pod {
 public:
  GaleraNode(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, GaleraCluster& cluster, uint32_t index);
  [[nodiscard]] std::string_view kind() const override { return "galera-node"; }

  /// What IOChaos does to one write of this pod now.
  struct IoEffect {
    sim::Duration delay{};
    bool error = false;
  };
  IoEffect draw_io();
  [[nodiscard]] bool io_chaos_active() const { return !io_faults_.empty(); }

  // ---- for the cluster
  sim::EventId schedule_for_cluster(sim::Duration delay, uint16_t kind, uint32_t arg, bool background = false) {
    return schedule_app(delay, kind, arg, background);
  }
  void abort_process() { crash(); }
  void restart_container() { restart_now(); }
  void recovered(const sim::Fault& fault) { report_recovered(fault); }
  [[nodiscard]] bool pod_ready() const { return ready(); }

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_start() override;
  void on_process_stop(StopCause cause) override;
  bool app_can_start() override;
  bool readiness_probe(sim::SimTime probe) override;
  void on_ready() override;
  void on_unready() override;
  void on_freeze() override;
  void on_thaw() override;
  sim::FaultOutcome on_app_fault_start(const sim::Fault& fault) override;
  void on_app_fault_end(const sim::Fault& fault) override;

 private:
  struct IoFault {
    uint32_t fault_id;
    bool error;             // io-fault; else io-latency
    sim::Duration delay{};  // io-latency
    double percent = 1.0;
  };
  GaleraCluster& cluster_;
  uint32_t index_;
  bool terminating_ = false;  // a graceful deletion is under way: mysqld shuts down cleanly
  std::vector<IoFault> io_faults_;
};

}  // namespace faultline::models
