#include "sim/core/event_queue.hpp"

#include <stdexcept>

namespace faultline::sim {

void EventQueue::throw_bad_push(uint16_t kind) const {
  if (kind > kMaxKind) throw std::invalid_argument("event kind exceeds 15 bits");
  if (next_seq_ >= kMaxSeq) throw std::overflow_error("more than 2^48 events scheduled");
  throw std::logic_error("an event was scheduled before the last one fired");
}

void EventQueue::cancel(EventId id) {
  if (!id.valid() || id.seq >= next_seq_) return;
  const std::pair<int64_t, uint64_t> key{id.time_ns, id.seq};
  if (popped_live_ && key <= std::pair<int64_t, uint64_t>{last_time_, last_seq_}) return;  // already fired
  if (!cancelled_.insert(key).second) return;  // cancelled before
  if (!id.background) --foreground_pending_;
}

void EventQueue::forget_passed_cancellations() {
  // Cancelled entries before the last live pop have left the heap; none can be cancelled again.
  while (!cancelled_.empty() && *cancelled_.begin() < std::pair<int64_t, uint64_t>{last_time_, last_seq_})
    cancelled_.erase(cancelled_.begin());
}

int64_t EventQueue::next_time() {
  drop_taken_top();
  while (!heap_.empty() && is_cancelled_top()) pop_top();
  return heap_.empty() ? INT64_MAX : heap_.front().time_ns;
}

}  // namespace faultline::sim
