#include "sim/faults/fault_injector.hpp"

#include <stdexcept>

#include "sim/core/simulation.hpp"

namespace faultline::sim {

FaultInjector::FaultInjector(Simulation& sim, std::vector<Fault> timeline)
    : sim_(sim), timeline_(std::move(timeline)), outcomes_(timeline_.size()), started_(timeline_.size(), false) {
  for (size_t i = 0; i < timeline_.size(); ++i) {
    if (timeline_[i].id != i) throw std::logic_error("fault ids must be their timeline positions");
    if (timeline_[i].end && *timeline_[i].end < timeline_[i].start)
      throw std::logic_error("fault " + std::to_string(i) + " ends before it starts");
  }
}

void FaultInjector::schedule_all() {
  sim_.set_faults(this);
  for (const Fault& f : timeline_) {
    sim_.call_at(f.start, [this, id = f.id] { start(id); });
    if (f.end) sim_.call_at(*f.end, [this, id = f.id] { end(id); });
  }
}

void FaultInjector::start(uint32_t id) {
  const Fault& f = timeline_[id];
  if (!baseline_marked_) {
    // DESIGN §6: the drain time returns to the backlog level before the first fault.
    sim_.backlog().mark_baseline(sim_.now());
    baseline_marked_ = true;
  }
  started_[id] = true;
  for (const std::string& target : f.targets) {
    TargetOutcome out;
    out.target = target;
    Component* c = sim_.find(target);
    FaultOutcome result = c == nullptr ? FaultOutcome::unmapped("no component has the path " + target)
                                       : c->on_fault_start(f);
    out.applied = result.applied;
    out.reason = result.reason;
    nlohmann::ordered_json fields = {{"fault", id}, {"kind", f.kind}};
    if (result.applied) {
      sim_.events().record(sim_.now(), target, "fault-applied", fields);
    } else {
      fields["reason"] = result.reason;
      sim_.events().record(sim_.now(), target, "fault-unmapped", fields);
    }
    outcomes_[id].push_back(std::move(out));
  }
}

void FaultInjector::end(uint32_t id) {
  const Fault& f = timeline_[id];
  for (const TargetOutcome& out : outcomes_[id]) {
    if (!out.applied) continue;
    sim_.events().record(sim_.now(), out.target, "fault-ended", {{"fault", id}, {"kind", f.kind}});
    if (Component* c = sim_.find(out.target)) c->on_fault_end(f);
  }
}

void FaultInjector::target_recovered(const Fault& fault, std::string_view target, SimTime at) {
  for (TargetOutcome& out : outcomes_.at(fault.id)) {
    if (out.target != target || out.recovered) continue;
    out.recovered = at;
    sim_.events().record(at, target, "target-recovered", {{"fault", fault.id}, {"kind", fault.kind}});
    return;
  }
}

std::optional<SimTime> FaultInjector::recovered(uint32_t fault_id) const {
  const Fault& f = timeline_.at(fault_id);
  if (f.recovered) return f.recovered;
  std::optional<SimTime> latest;
  bool any_applied = false;
  for (const TargetOutcome& out : outcomes_.at(fault_id)) {
    if (!out.applied) continue;
    any_applied = true;
    if (!out.recovered) return std::nullopt;
    if (!latest || *out.recovered > *latest) latest = out.recovered;
  }
  return any_applied ? latest : std::nullopt;
}

}  // namespace faultline::sim
