// One Longhorn instance-manager pod: the replica and engine processes of one storage node
// (longhorn_system.hpp). Its lifecycle is the pod's (pod.hpp); it tells its system when its
// processes stop (and whether the node went down with them), are ready again, or freeze.
#pragma once

#include "models/kubernetes/pod.hpp"

namespace faultline::models {

class LonghornSystem;

class LonghornInstanceManager final : public Pod {
 public:
  LonghornInstanceManager(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, LonghornSystem& system,
                          uint32_t node);
  [[nodiscard]] std::string_view kind() const override { return "longhorn-instance-manager"; }

 protected:
  void on_process_stop(StopCause cause) override;
  void on_ready() override;
  void on_freeze() override;
  void on_thaw() override;
  sim::FaultOutcome on_app_fault_start(const sim::Fault& fault) override;

 private:
  LonghornSystem& system_;
  uint32_t node_;
};

}  // namespace faultline::models
