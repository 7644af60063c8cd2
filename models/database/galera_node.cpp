#include "models/database/galera_node.hpp"

#include <algorithm>

#include "models/database/galera_cluster.hpp"

namespace faultline::models {

GaleraNode::GaleraNode(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, GaleraCluster& cluster,
                       uint32_t index)
    : Pod(sim, std::move(id), std::move(pod)), cluster_(cluster), index_(index) {}

GaleraNode::IoEffect GaleraNode::draw_io() {
  IoEffect e;
  for (const IoFault& f : io_faults_) {
    if (f.percent < 1.0 && !rng("io-chaos").bernoulli(f.percent)) continue;
    if (f.error)
      e.error = true;
    else
      e.delay += f.delay;
  }
  return e;
}

void GaleraNode::handle_app(uint16_t event_kind, uint32_t arg) { cluster_.member_event(index_, event_kind, arg); }

void GaleraNode::on_process_start() {
  terminating_ = false;
  cluster_.member_process_started(index_);
}

void GaleraNode::on_process_stop(StopCause cause) {
  // SIGTERM with a grace period (or a scale-in) lets mysqld leave the cluster cleanly; a kill,
  // a pod-failure, a node loss or a crash does not (R-G6, R-G13).
  const bool clean = (cause == StopCause::pod_deleted && terminating_) || cause == StopCause::scaled_in;
  terminating_ = false;
  cluster_.member_stopped(index_, clean);
}

bool GaleraNode::app_can_start() { return cluster_.member_app_starting(index_); }

bool GaleraNode::readiness_probe(sim::SimTime probe) { return cluster_.member_readiness(index_, probe); }

void GaleraNode::on_ready() { cluster_.member_pod_ready(index_); }

void GaleraNode::on_unready() {
  if (process_running()) terminating_ = true;  // R-K4: deletion with a grace period started
  cluster_.member_pod_unready(index_);
}

void GaleraNode::on_freeze() { cluster_.member_frozen(index_, true); }

void GaleraNode::on_thaw() { cluster_.member_frozen(index_, false); }

sim::FaultOutcome GaleraNode::on_app_fault_start(const sim::Fault& f) {
  if (f.kind == "io-latency" || f.kind == "io-fault") {
    IoFault io;
    io.fault_id = f.id;
    io.error = f.kind == "io-fault";
    if (!io.error) io.delay = f.duration_param("delay").value_or(sim::Duration::zero());
    io.percent = f.number_param("percent", 1.0);
    io_faults_.push_back(io);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "manual-restore") {
    cluster_.manual_restore(f, *this);
    return sim::FaultOutcome::ok();
  }
  return Pod::on_app_fault_start(f);
}

void GaleraNode::on_app_fault_end(const sim::Fault& f) {
  if (f.kind != "io-latency" && f.kind != "io-fault") return;
  const auto before = io_faults_.size();
  io_faults_.erase(
      std::remove_if(io_faults_.begin(), io_faults_.end(), [&](const IoFault& x) { return x.fault_id == f.id; }),
      io_faults_.end());
  if (io_faults_.size() != before) report_recovered(f);
}

}  // namespace faultline::models
