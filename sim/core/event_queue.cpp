#include "sim/core/event_queue.hpp"

#include <stdexcept>

namespace faultline::sim {

namespace {
// (time, seq) is the whole order; the kind bits below seq never decide because seqs are unique.
inline bool earlier(const EventRecord& a, const EventRecord& b) {
  return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.key < b.key);
}
}  // namespace

EventId EventQueue::push(int64_t time_ns, uint32_t target, uint16_t kind, uint32_t arg, bool background) {
  if (kind > kMaxKind) throw std::invalid_argument("event kind exceeds 15 bits");
  if (next_seq_ >= (uint64_t{1} << 48)) throw std::overflow_error("more than 2^48 events scheduled");
  if (popped_live_ && time_ns < last_time_) throw std::logic_error("an event was scheduled before the last one fired");
  const uint64_t seq = next_seq_++;
  const uint64_t key = (seq << 16) | (background ? 0x8000u : 0u) | kind;
  heap_.push_back(EventRecord{time_ns, key, target, arg});
  sift_up(heap_.size() - 1);
  if (!background) ++foreground_pending_;
  return EventId{seq, time_ns, background};
}

void EventQueue::cancel(EventId id) {
  if (!id.valid() || id.seq >= next_seq_) return;
  const std::pair<int64_t, uint64_t> key{id.time_ns, id.seq};
  if (popped_live_ && key <= std::pair<int64_t, uint64_t>{last_time_, last_seq_}) return;  // already fired
  if (!cancelled_.insert(key).second) return;  // cancelled before
  if (!id.background) --foreground_pending_;
}

// A hole-based binary heap: move the hole instead of swapping, as libstdc++ does.
void EventQueue::sift_up(size_t i) {
  EventRecord item = heap_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!earlier(item, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = item;
}

void EventQueue::sift_down(size_t i) {
  const size_t n = heap_.size();
  EventRecord item = heap_[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
    if (!earlier(heap_[child], item)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = item;
}

void EventQueue::pop_top(bool live) {
  const EventRecord top = heap_.front();
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
  if (!live) return;  // a cancelled event: already uncounted by cancel()
  if (!top.background()) --foreground_pending_;
  popped_live_ = true;
  last_time_ = top.time_ns;
  last_seq_ = top.seq();
  // Cancelled entries before this point have left the heap; none can be cancelled again.
  while (!cancelled_.empty() && *cancelled_.begin() < std::pair<int64_t, uint64_t>{last_time_, last_seq_})
    cancelled_.erase(cancelled_.begin());
}

bool EventQueue::is_cancelled_top() const {
  return !cancelled_.empty() && cancelled_.count({heap_.front().time_ns, heap_.front().seq()}) != 0;
}

bool EventQueue::pop(EventRecord& out) {
  while (!heap_.empty()) {
    if (is_cancelled_top()) {
      pop_top(false);
      continue;
    }
    out = heap_.front();
    pop_top(true);
    return true;
  }
  return false;
}

int64_t EventQueue::next_time() {
  while (!heap_.empty() && is_cancelled_top()) pop_top(false);
  return heap_.empty() ? INT64_MAX : heap_.front().time_ns;
}

}  // namespace faultline::sim
