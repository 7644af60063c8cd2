#include "sim/metrics/backlog.hpp"

#include <algorithm>

namespace faultline::sim {

BacklogTracker::BacklogTracker(Recorder& recorder)
    : recorder_(recorder),
      total_gauge_(&recorder.gauge("faultline_backlog_messages", {},
                                   "Messages accepted by a queue and not yet acknowledged (ready + unacked), "
                                   "summed over all queues")) {}

BacklogTracker::Queue& BacklogTracker::register_queue(const std::string& queue_label) {
  Gauge* g = &recorder_.gauge("faultline_queue_backlog_messages", {{"queue", queue_label}},
                              "Messages accepted by this queue and not yet acknowledged (ready + unacked)");
  queues_.push_back(Queue(this, g));
  return queues_.back();
}

void BacklogTracker::Queue::add(int64_t delta, SimTime now) {
  value_ += delta;
  gauge_->set(static_cast<double>(value_));
  owner_->total_ += delta;
  owner_->changed(now);
}

int64_t BacklogTracker::threshold() const {
  // Within 10 % or 10 messages of the baseline, whichever is larger.
  return baseline_ + std::max<int64_t>(baseline_ / 10, 10);
}

void BacklogTracker::changed(SimTime now) {
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

void BacklogTracker::mark_baseline(SimTime now) {
  baseline_ = total_;
  if (!returned_at_ && total_ <= threshold()) returned_at_ = now;
}

std::optional<Duration> BacklogTracker::drain_time() const {
  if (!returned_at_) return std::nullopt;
  return *returned_at_ - peak_time_;
}

}  // namespace faultline::sim
