#include "models/storage/longhorn_instance_manager.hpp"

#include "models/storage/longhorn_system.hpp"

namespace faultline::models {

LonghornInstanceManager::LonghornInstanceManager(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod,
                                                 LonghornSystem& system, uint32_t node)
    : Pod(sim, std::move(id), std::move(pod)), system_(system), node_(node) {}

void LonghornInstanceManager::on_process_stop(StopCause cause) { system_.node_stopped(node_, cause); }

void LonghornInstanceManager::on_ready() { system_.node_ready(node_); }

void LonghornInstanceManager::on_freeze() { system_.node_frozen(node_, true); }

void LonghornInstanceManager::on_thaw() { system_.node_frozen(node_, false); }

sim::FaultOutcome LonghornInstanceManager::on_app_fault_start(const sim::Fault& f) {
  if (f.kind == "io-latency" || f.kind == "io-fault")
    return sim::FaultOutcome::unmapped("IOChaos acts inside the pod that mounts the volume: aim " + f.kind +
                                       " at the database pod, not at a Longhorn instance manager");
  return Pod::on_app_fault_start(f);
}

}  // namespace faultline::models
