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
  /// do not keep `run()` going.
  EventId push(int64_t time_ns, uint32_t target, uint16_t kind, uint32_t arg, bool background);

  /// Marks a pending event as cancelled: it no longer counts as pending work and is skipped
  /// when it reaches the top. Cancelling an event that already fired, or twice, does nothing.
  void cancel(EventId id);

  /// Pops the next live event into `out`; false when none is left.
  bool pop(EventRecord& out);

  /// Time of the next live event, or INT64_MAX when empty. Skips cancelled entries.
  int64_t next_time();

  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] size_t size() const { return heap_.size(); }
  /// Pending foreground events, not counting cancelled ones.
  [[nodiscard]] uint64_t foreground_pending() const { return foreground_pending_; }
  [[nodiscard]] uint64_t scheduled_total() const { return next_seq_; }

 private:
  void sift_up(size_t i);
  void sift_down(size_t i);
  void pop_top(bool live);
  bool is_cancelled_top() const;

  std::vector<EventRecord> heap_;
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
