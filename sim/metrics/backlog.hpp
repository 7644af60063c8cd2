// Backlog (DESIGN §6): messages the broker has accepted that no consumer has acknowledged yet,
// i.e. ready + unacked, summed over the scenario's queues. Tracked exactly at every change, so
// the peak and the drain time do not depend on the scrape interval.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "sim/core/time.hpp"
#include "sim/metrics/recorder.hpp"

namespace faultline::sim {

class BacklogTracker {
 public:
  class Queue {
   public:
    /// Changes this queue's backlog by delta at time now.
    void add(int64_t delta, SimTime now);
    [[nodiscard]] int64_t value() const { return value_; }

   private:
    friend class BacklogTracker;
    Queue(BacklogTracker* owner, Gauge* gauge) : owner_(owner), gauge_(gauge) {}
    BacklogTracker* owner_;
    Gauge* gauge_;
    int64_t value_ = 0;
  };

  explicit BacklogTracker(Recorder& recorder);

  /// Registers a queue; its series is faultline_queue_backlog_messages{queue=label}.
  Queue& register_queue(const std::string& queue_label);

  /// Fixes the level the drain time returns to: the total at the first fault (DESIGN §6).
  /// Before it is called the level is the total at t = 0.
  void mark_baseline(SimTime now);

  [[nodiscard]] int64_t total() const { return total_; }
  [[nodiscard]] int64_t peak() const { return peak_; }
  [[nodiscard]] SimTime peak_time() const { return peak_time_; }
  /// Time from the peak until the total first returned to the baseline level within
  /// max(10 %, 10 messages); empty when it never did.
  [[nodiscard]] std::optional<Duration> drain_time() const;
  [[nodiscard]] int64_t baseline() const { return baseline_; }

 private:
  void changed(SimTime now);
  [[nodiscard]] int64_t threshold() const;

  Recorder& recorder_;
  Gauge* total_gauge_;
  std::deque<Queue> queues_;  // stable addresses
  int64_t total_ = 0;
  int64_t peak_ = 0;
  SimTime peak_time_{};
  int64_t baseline_ = 0;
  std::optional<SimTime> returned_at_ = SimTime::zero();
};

// Inline: called twice per message on the queues' hot path.
inline void BacklogTracker::Queue::add(int64_t delta, SimTime now) {
  value_ += delta;
  gauge_->set(static_cast<double>(value_));
  owner_->total_ += delta;
  owner_->changed(now);
}

inline int64_t BacklogTracker::threshold() const {
  // Within 10 % or 10 messages of the baseline, whichever is larger.
  return baseline_ + std::max<int64_t>(baseline_ / 10, 10);
}

inline void BacklogTracker::changed(SimTime now) {
  total_gauge_->set(static_cast<double>(total_));
  if (total_ > peak_) {
    peak_ = total_;
    peak_time_ = now;
    // A peak that is still within the baseline band never left it: drained at once.
    returned_at_.reset();
    if (total_ <= threshold()) returned_at_ = now;
  } else if (!returned_at_ && total_ <= threshold()) {
    returned_at_ = now;
  }
}

}  // namespace faultline::sim
