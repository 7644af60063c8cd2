// Applies the fault timeline to the components through the event queue (faults are data,
// DESIGN §5). Each target reacts through on_fault_start / on_fault_end, or reports the fault as
// unmapped with a reason; recoveries reported by the targets give recovered_s.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/event_queue.hpp"
#include "sim/faults/fault.hpp"

namespace faultline::sim {

class Simulation;

class FaultInjector {
 public:
  struct TargetOutcome {
    std::string target;
    bool applied = false;
    std::string reason;                 // when not applied
    std::optional<SimTime> recovered;   // reported by the target
  };

  FaultInjector(Simulation& sim, std::vector<Fault> timeline);

  /// Schedules every start and end. Call once before the run starts.
  void schedule_all();
  /// What stop_all() did.
  struct StopReport {
    std::vector<uint32_t> ended;      // active faults, ended now on their targets
    std::vector<uint32_t> cancelled;  // faults not started yet: never applied
  };
  /// Ends the chaos now, as an abort condition does (DESIGN §7): every active fault ends on its
  /// targets (its end becomes now), faults not started yet are cancelled, one-shot actions
  /// already done stay done.
  StopReport stop_all();
  /// Appends a fault (a rollback action) to the timeline and schedules it; returns its id.
  uint32_t add(Fault fault);
  /// Ended early or cancelled by stop_all().
  [[nodiscard]] bool aborted(uint32_t fault_id) const { return aborted_.at(fault_id); }

  /// A target reports it is serving again after `fault`.
  void target_recovered(const Fault& fault, std::string_view target, SimTime at);

  [[nodiscard]] const std::vector<Fault>& timeline() const { return timeline_; }
  [[nodiscard]] const std::vector<TargetOutcome>& outcomes(uint32_t fault_id) const { return outcomes_.at(fault_id); }
  /// When every target the fault was applied to served again: the record's value in a replay,
  /// else the latest recovery the targets reported; empty if one has not recovered.
  [[nodiscard]] std::optional<SimTime> recovered(uint32_t fault_id) const;
  [[nodiscard]] bool started(uint32_t fault_id) const { return started_.at(fault_id); }

 private:
  void schedule(uint32_t id);
  void start(uint32_t id);
  void end(uint32_t id);

  Simulation& sim_;
  std::vector<Fault> timeline_;
  std::vector<std::vector<TargetOutcome>> outcomes_;
  std::vector<bool> started_;
  std::vector<bool> ended_;
  std::vector<bool> aborted_;
  std::vector<EventId> start_events_, end_events_;
  bool baseline_marked_ = false;
};

}  // namespace faultline::sim
