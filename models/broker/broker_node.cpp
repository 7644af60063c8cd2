#include "models/broker/broker_node.hpp"

namespace faultline::models {

BrokerNode::BrokerNode(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, BrokerCluster& cluster,
                       uint32_t index, sim::Duration fsync_interval, bool persistent_volume)
    : Pod(sim, std::move(id), std::move(pod)),
      cluster_(cluster),
      index_(index),
      fsync_interval_(fsync_interval),
      persistent_volume_(persistent_volume) {}

void BrokerNode::initialize() { schedule_app(fsync_interval_, kFsync, 0, true); }

void BrokerNode::handle_app(uint16_t event_kind, uint32_t) {
  if (event_kind != kFsync) return;
  cluster_.fsync(index_);
  // The periodic tick is housekeeping unless a publisher's confirm waits for it.
  schedule_app(fsync_interval_, kFsync, 0, !cluster_.fsync_awaited(index_));
}

void BrokerNode::on_process_start() {
  terminating_ = false;
  cluster_.node_booting(index_);
  schedule_app(fsync_interval_, kFsync, 0, true);
}

void BrokerNode::on_process_stop(StopCause cause) {
  // A PersistentVolume survives everything; an emptyDir survives as long as the pod object:
  // a container restart or a pod-failure keeps it, a pod deletion does not (R-K1, R-K8S).
  const bool had_volume = persistent_volume_ || cause == StopCause::container_killed ||
                          cause == StopCause::pod_failure || cause == StopCause::crash ||
                          cause == StopCause::node_down;
  cluster_.node_stopped(index_, had_volume, terminating_);
  terminating_ = false;
}

void BrokerNode::on_ready() { cluster_.node_ready(index_); }

void BrokerNode::on_unready() {
  if (process_running()) {
    terminating_ = true;  // R-K4: deletion with a grace period; the node leaves the Service
    cluster_.node_unready(index_);
  }
}

void BrokerNode::on_freeze() { cluster_.node_frozen(index_, true); }
void BrokerNode::on_thaw() { cluster_.node_frozen(index_, false); }

sim::FaultOutcome BrokerNode::on_app_fault_start(const sim::Fault& f) {
  if (f.kind == "broker-alarm") {
    cluster_.set_fault_alarm(index_, f.params.value("resource", std::string("memory")), true);
    return sim::FaultOutcome::ok();
  }
  return sim::FaultOutcome::unmapped("a broker node does not react to " + f.kind);
}

void BrokerNode::on_app_fault_end(const sim::Fault& f) {
  if (f.kind == "broker-alarm") {
    cluster_.set_fault_alarm(index_, f.params.value("resource", std::string("memory")), false);
    report_recovered(f);
  }
}

}  // namespace faultline::models
