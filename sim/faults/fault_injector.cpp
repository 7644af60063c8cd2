#include "sim/faults/fault_injector.hpp"

#include <stdexcept>

#include "sim/core/simulation.hpp"
#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim {

FaultInjector::FaultInjector(Simulation& sim, std::vector<Fault> timeline)
    : sim_(sim),
      timeline_(std::move(timeline)),
      outcomes_(timeline_.size()),
      started_(timeline_.size(), false),
      ended_(timeline_.size(), false),
      aborted_(timeline_.size(), false),
      start_events_(timeline_.size()),
      end_events_(timeline_.size()) {
  for (size_t i = 0; i < timeline_.size(); ++i) {
    if (timeline_[i].id != i) throw std::logic_error("fault ids must be their timeline positions");
    if (timeline_[i].end && *timeline_[i].end < timeline_[i].start)
      throw std::logic_error("fault " + std::to_string(i) + " ends before it starts");
  }
}

void FaultInjector::schedule_all() {
  sim_.set_faults(this);
  for (const Fault& f : timeline_) schedule(f.id);
}

void FaultInjector::schedule(uint32_t id) {
  const Fault& f = timeline_[id];
  start_events_[id] = sim_.call_at(f.start, [this, id] { start(id); });
  if (f.end) end_events_[id] = sim_.call_at(*f.end, [this, id] { end(id); });
}

uint32_t FaultInjector::add(Fault fault) {
  if (fault.start < sim_.now()) throw std::logic_error("a fault was added in the past");
  if (fault.end && *fault.end < fault.start) throw std::logic_error("an added fault ends before it starts");
  fault.id = static_cast<uint32_t>(timeline_.size());
  timeline_.push_back(std::move(fault));
  outcomes_.emplace_back();
  started_.push_back(false);
  ended_.push_back(false);
  aborted_.push_back(false);
  start_events_.emplace_back();
  end_events_.emplace_back();
  schedule(timeline_.back().id);
  return timeline_.back().id;
}

FaultInjector::StopReport FaultInjector::stop_all() {
  StopReport report;
  const SimTime now = sim_.now();
  for (uint32_t id = 0; id < timeline_.size(); ++id) {
    Fault& f = timeline_[id];
    if (!started_[id]) {
      sim_.cancel(start_events_[id]);
      sim_.cancel(end_events_[id]);
      aborted_[id] = true;
      report.cancelled.push_back(id);
      for (const std::string& target : f.targets)
        sim_.events().record(now, target, "fault-cancelled", {{"fault", id}, {"kind", f.kind}});
      continue;
    }
    if (ended_[id]) continue;
    const FaultKindInfo* info = find_fault_kind(f.kind);
    if (!f.end && info != nullptr && info->one_shot) continue;  // done: the model recovers by itself
    sim_.cancel(end_events_[id]);
    f.end = now;
    aborted_[id] = true;
    report.ended.push_back(id);
    end(id);
  }
  return report;
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
  if (ended_[id]) return;
  ended_[id] = true;
  const Fault& f = timeline_[id];
  for (const TargetOutcome& out : outcomes_[id]) {
    if (!out.applied) continue;
    nlohmann::ordered_json fields = {{"fault", id}, {"kind", f.kind}};
    if (aborted_[id]) fields["aborted"] = true;
    sim_.events().record(sim_.now(), out.target, "fault-ended", fields);
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
