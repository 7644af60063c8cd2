// The future event list.
//
// Ordering contract (DESIGN §3): events fire in the total order (time, seq), where seq is a
// per-simulation counter assigned when the event is scheduled. Two events at the same time
// therefore fire in the order they were scheduled, on every machine and every run.
// Cancellation is lazy: a cancelled event stays in the heap and is skipped when popped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace faultline::sim {

/// Identifies one scheduled event; used to cancel it. Its value is the event's seq; with its time
/// and background flag the queue tells in O(1) whether it is still pending when cancelled.
struct EventId {
  uint64_t seq = UINT64_MAX;
  int64_t time_ns = 0;
  bool background = false;
  [[nodiscard]] bool valid() const { return seq != UINT64_MAX; }
  friend bool operator==(EventId, EventId) = default;
};

/// One entry of the heap: 24 bytes, the same size as the benchmark floor's events.
struct EventRecord {
  int64_t time_ns;
  uint64_t key;     // seq << 16 | background bit << 15 | kind (15 bits)
  uint32_t target;  // component index
  uint32_t arg;     // component-defined

  [[nodiscard]] uint64_t seq() const { return key >> 16; }
  [[nodiscard]] uint16_t kind() const { return static_cast<uint16_t>(key & 0x7FFFu); }
  [[nodiscard]] bool background() const { return (key & 0x8000u) != 0; }
};

class EventQueue {
 public:
  static constexpr uint16_t kMaxKind = 0x7FFF;

  /// Schedules an event, never before the last one popped. Background events (scrapes, probes)
  /// do not keep `run()` going. Inline with its heap step (twice per message in the benchmark);
  /// the checks' error paths stay out of line.
  EventId push(int64_t time_ns, uint32_t target, uint16_t kind, uint32_t arg, bool background) {
    if (kind > kMaxKind || next_seq_ >= kMaxSeq || (popped_live_ && time_ns < last_time_))
      throw_bad_push(kind);
    const uint64_t seq = next_seq_++;
    const uint64_t key = (seq << 16) | (background ? 0x8000u : 0u) | kind;
    if (top_taken_) {
      // The slot of the event being handled is free: one sift down instead of a sift down when
      // it left plus a sift up now. Handlers mostly schedule a follow-up, so this is the usual path.
      top_taken_ = false;
      sift_down(0, EventRecord{time_ns, key, target, arg});
    } else {
      heap_.emplace_back();
      sift_up(heap_.size() - 1, EventRecord{time_ns, key, target, arg});
    }
    if (!background) ++foreground_pending_;
    return EventId{seq, time_ns, background};
  }

  /// Marks a pending event as cancelled: it no longer counts as pending work and is skipped
  /// when it reaches the top. Cancelling an event that already fired, or twice, does nothing.
  void cancel(EventId id);

  /// Pops the next live event into `out`; false when none is left. Inline, as push().
  bool pop(EventRecord& out) {
    drop_taken_top();
    while (!heap_.empty()) {
      if (is_cancelled_top()) {
        pop_top();
        continue;
      }
      out = heap_.front();
      take_top();
      return true;
    }
    return false;
  }

  /// Time of the next live event, or INT64_MAX when empty. Skips cancelled entries.
  int64_t next_time();

  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] size_t size() const { return heap_.size() - (top_taken_ ? 1 : 0); }
  /// Pending foreground events, not counting cancelled ones.
  [[nodiscard]] uint64_t foreground_pending() const { return foreground_pending_; }
  [[nodiscard]] uint64_t scheduled_total() const { return next_seq_; }

 private:
  static constexpr uint64_t kMaxSeq = uint64_t{1} << 48;
  // (time, seq) is the whole order; the kind bits below seq never decide because seqs are unique.
  static bool earlier(const EventRecord& a, const EventRecord& b) {
    return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.key < b.key);
  }
  [[noreturn]] void throw_bad_push(uint16_t kind) const;
  // A hole-based binary heap: move the hole instead of swapping, as libstdc++ does. The item
  // to place comes in a register, not from the hole: reading back a record just written field
  // by field stalls on store forwarding, which showed in the profile.
  void sift_up(size_t i, const EventRecord item) {
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (!earlier(item, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = item;
  }
  void sift_down(size_t i, const EventRecord item) {
    const size_t n = heap_.size();
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
  // Removes the top entry from the heap (a cancelled one: already uncounted by cancel()).
  void pop_top() {
    const EventRecord last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
  }
  // Pops the top live event, but leaves its entry in place as a free slot (top_taken_) for
  // the next push, or for drop_taken_top() to remove.
  void take_top() {
    const EventRecord& top = heap_.front();
    if (!top.background()) --foreground_pending_;
    popped_live_ = true;
    last_time_ = top.time_ns;
    last_seq_ = top.seq();
    top_taken_ = true;
    if (!cancelled_.empty()) forget_passed_cancellations();
  }
  void drop_taken_top() {
    if (!top_taken_) return;
    top_taken_ = false;
    pop_top();
  }
  void forget_passed_cancellations();
  // Only once drop_taken_top() has run: the top is then a pending entry.
  bool is_cancelled_top() const {
    return !cancelled_.empty() && cancelled_.count({heap_.front().time_ns, heap_.front().seq()}) != 0;
  }

  std::vector<EventRecord> heap_;  // with top_taken_, heap_[0] is a free slot, not an event
  bool top_taken_ = false;
  // (time, seq) of cancelled events, kept until a live pop passes them: so that cancelling one
  // again after it was skipped is recognised (it cannot be found in the heap any more).
  std::set<std::pair<int64_t, uint64_t>> cancelled_;
  uint64_t next_seq_ = 0;
  uint64_t foreground_pending_ = 0;
  // The last event popped live. Live pops come in increasing (time, seq) order and every later
  // push sorts after them, so an event at or before this one has fired.
  bool popped_live_ = false;
  int64_t last_time_ = 0;
  uint64_t last_seq_ = 0;
};

}  // namespace faultline::sim
