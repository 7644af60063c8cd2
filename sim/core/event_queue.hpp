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
#include <vector>

namespace faultline::sim {

/// Identifies one scheduled event; used to cancel it. Its value is the event's seq.
struct EventId {
  uint64_t seq = UINT64_MAX;
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

  /// Schedules an event. Background events (scrapes, probes) do not keep `run()` going.
  EventId push(int64_t time_ns, uint32_t target, uint16_t kind, uint32_t arg, bool background);

  /// Marks a pending event as cancelled. Cancelling an event that already fired has no
  /// effect on the order of others (its id is never reused).
  void cancel(EventId id);

  /// Pops the next live event into `out`; false when none is left.
  bool pop(EventRecord& out);

  /// Time of the next live event, or INT64_MAX when empty. Skips cancelled entries.
  int64_t next_time();

  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] size_t size() const { return heap_.size(); }
  /// Pending foreground events, counting cancelled ones until they are popped.
  [[nodiscard]] uint64_t foreground_pending() const { return foreground_pending_; }
  [[nodiscard]] uint64_t scheduled_total() const { return next_seq_; }

 private:
  void sift_up(size_t i);
  void sift_down(size_t i);
  void pop_top();
  bool is_cancelled_top();

  std::vector<EventRecord> heap_;
  std::set<uint64_t> cancelled_;  // seqs of cancelled events still in the heap
  uint64_t next_seq_ = 0;
  uint64_t foreground_pending_ = 0;
};

}  // namespace faultline::sim
