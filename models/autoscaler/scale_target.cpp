#include "models/autoscaler/scale_target.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "sim/core/component.hpp"

namespace faultline::models {

void ScaleTarget::initialize() {
  if (port_ == nullptr) throw std::logic_error("a scale target was never bound to its port");
  for (uint32_t c = 0; c < port_->connection_count(); ++c) {
    const std::string& path = port_->client_owner(c).path();  // "consumer/consumer-12"
    Slot s;
    s.connection = c;
    s.pod = path.substr(path.rfind('/') + 1);
    s.ordinal = static_cast<uint32_t>(std::stoul(s.pod.substr(s.pod.rfind('-') + 1)));
    if (workload_.empty()) workload_ = path.substr(0, path.find('/'));
    slots_.push_back(std::move(s));
  }
  // Connections follow the wiring order (paths sorted as text: consumer-10 before consumer-2).
  std::sort(slots_.begin(), slots_.end(), [](const Slot& a, const Slot& b) { return a.ordinal < b.ordinal; });
  slot_of_connection_.assign(slots_.size(), 0);
  for (size_t i = 0; i < slots_.size(); ++i) slot_of_connection_[slots_[i].connection] = i;
  refresh();
}

void ScaleTarget::on_status(uint32_t connection, const ScaleStatus& status) {
  if (connection < slot_of_connection_.size()) slots_[slot_of_connection_[connection]].status = status;
}

void ScaleTarget::send(size_t slot, ScaleRequest::Op op) {
  ScaleRequest r;
  r.op = op;
  port_->send_to(slots_[slot].connection, r);  // the pod answers at once (on_status)
}

void ScaleTarget::refresh() {
  for (size_t i = 0; i < slots_.size(); ++i) send(i, ScaleRequest::Op::status);
}

const ScaleStatus& ScaleTarget::query(size_t slot) {
  send(slot, ScaleRequest::Op::status);
  return slots_[slot].status;
}

int64_t ScaleTarget::replicas() const {
  return std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.status.exists; });
}

int64_t ScaleTarget::ready() const {
  return std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.status.exists && s.status.ready; });
}

void ScaleTarget::scale_to(int64_t replicas, sim::SimTime now) {
  int64_t have = this->replicas();
  for (size_t i = 0; i < slots_.size() && have < replicas; ++i) {
    if (slots_[i].status.exists) continue;
    send(i, ScaleRequest::Op::create);
    slots_[i].created = now;
    ++have;
  }
  while (have > replicas) {
    // The deletion order of the workload's controller (see the header).
    std::optional<size_t> victim;
    auto rank = [](const Slot& s) { return !s.status.running ? 0 : !s.status.ready ? 1 : 2; };
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (!s.status.exists) continue;
      if (!victim) {
        victim = i;
        continue;
      }
      const Slot& v = slots_[*victim];
      if (s.status.statefulset) {
        victim = i;  // ordinal order: the last existing slot wins
      } else if (rank(s) != rank(v)) {
        if (rank(s) < rank(v)) victim = i;
      } else if (s.created >= v.created) {
        victim = i;  // newest first; among equals the highest ordinal
      }
    }
    if (!victim) break;
    send(*victim, ScaleRequest::Op::remove);
    --have;
  }
}

}  // namespace faultline::models
