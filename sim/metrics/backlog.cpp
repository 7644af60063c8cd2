#include "sim/metrics/backlog.hpp"

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

void BacklogTracker::mark_baseline(SimTime now) {
  baseline_ = total_;
  if (!returned_at_ && total_ <= threshold()) returned_at_ = now;
}

std::optional<Duration> BacklogTracker::drain_time() const {
  if (!returned_at_) return std::nullopt;
  return *returned_at_ - peak_time_;
}

}  // namespace faultline::sim
