// The periodic loops of one autoscaler (metric sampling, KEDA's polling, the HPA sync). Loops
// due at the same instant run in the order they were added, so that, for example, a metric
// sample is taken before the sync that reads it, whatever order the events were scheduled in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "sim/core/time.hpp"

namespace faultline::models {

class ControlLoops {
 public:
  /// A loop firing at phase, phase + period, …; returns its index.
  size_t add(sim::Duration period, sim::Duration phase) {
    loops_.push_back({period, sim::SimTime::at(phase)});
    return loops_.size() - 1;
  }
  [[nodiscard]] sim::SimTime next() const {
    sim::SimTime t = sim::SimTime::max();
    for (const Loop& l : loops_) t = std::min(t, l.next);
    return t;
  }
  /// The loops due at `now`, in the order added; each moves on to its next time.
  std::vector<size_t> take_due(sim::SimTime now) {
    std::vector<size_t> due;
    for (size_t i = 0; i < loops_.size(); ++i) {
      if (loops_[i].next != now) continue;
      due.push_back(i);
      loops_[i].next += loops_[i].period;
    }
    return due;
  }

 private:
  struct Loop {
    sim::Duration period;
    sim::SimTime next;
  };
  std::vector<Loop> loops_;
};

}  // namespace faultline::models
