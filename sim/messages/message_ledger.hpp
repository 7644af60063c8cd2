// Message fates (DESIGN §3). Every message ends in exactly one fate: delivered, in flight at
// the end, or lost with a cause; deliveries after the first are duplicates, counted apart.
//
// Models report custody changes of message *copies*: a copy is created with the message,
// more copies appear when a message is published again (outbox retry) or requeued after it
// was processed; a copy disappears when it is released after delivery or lost. A message is
// lost when its last copy is lost and it was never delivered.
//
// The conservation check compares the copies the ledger counts with the copies the
// components say they hold, and re-derives published = delivered + in flight + lost from
// the per-message state. It runs at the end of every run and cannot be switched off.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/core/time.hpp"
#include "sim/messages/message.hpp"
#include "sim/metrics/recorder.hpp"

namespace faultline::sim {

/// The accounting does not balance: a model lost track of a message. Fails the run loudly.
class ConservationError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class MessageLedger {
 public:
  explicit MessageLedger(Recorder& recorder);
  ~MessageLedger();

  /// A new message with one copy, held by its creator.
  Message create(SimTime now, uint32_t origin);
  /// One more copy of message `id` now exists (a republish, or a requeue after processing).
  void add_copy(uint64_t id);
  /// A consumer finished processing a copy (its side effect happened). The first time for an
  /// id counts as delivered and records the end-to-end latency; later times are duplicates.
  void delivered(const Message& m, SimTime now);
  /// A copy left the system after its message was delivered (e.g. the broker got the ack).
  void release(uint64_t id);
  /// A copy was destroyed. If it was the last one and the message was never delivered, the
  /// message is lost with this cause, attributed to `component` (may be empty).
  void lose(uint64_t id, std::string_view cause, std::string_view component);

  [[nodiscard]] uint64_t published() const { return published_; }
  [[nodiscard]] uint64_t delivered_count() const { return delivered_; }
  [[nodiscard]] uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] uint64_t lost() const { return lost_; }
  [[nodiscard]] uint64_t in_flight() const { return published_ - delivered_ - lost_; }
  [[nodiscard]] uint64_t live_copies() const { return live_copies_; }
  [[nodiscard]] const std::map<std::string, uint64_t>& lost_by_cause() const { return lost_by_cause_; }
  [[nodiscard]] const std::map<std::string, uint64_t>& lost_by_component() const { return lost_by_component_; }

  /// Throws ConservationError unless the components hold exactly the copies the ledger counts
  /// and every message is in exactly one fate.
  void check_conservation(uint64_t copies_held_by_components) const;

 private:
  static constexpr unsigned kChunkBits = 12;  // 4096 messages per chunk
  struct Chunk {
    static constexpr size_t kWords = (size_t{1} << kChunkBits) / 64;
    uint64_t delivered[kWords] = {};
    uint64_t resolved[kWords] = {};
    uint32_t unresolved = 0;
    static bool get(const uint64_t* bits, uint64_t id) { return (bits[(id & 4095) >> 6] >> (id & 63)) & 1u; }
    static void set(uint64_t* bits, uint64_t id) { bits[(id & 4095) >> 6] |= uint64_t{1} << (id & 63); }
  };
  struct Shared {  // a message of which more than one copy has existed
    uint32_t copies;
  };
  /// The chunk of a known, unresolved message; throws ConservationError otherwise. Inline for
  /// the usual case, the chunk found last (a message's delivery and release look it up in turn).
  Chunk& chunk_of(uint64_t id) {
    if (cached_chunk_ != nullptr && id < next_id_ && (id >> kChunkBits) == cached_chunk_number_ &&
        !Chunk::get(cached_chunk_->resolved, id))
      return *cached_chunk_;
    return find_unresolved_chunk(id);
  }
  Chunk& find_unresolved_chunk(uint64_t id);
  void resolve(Chunk& ch, uint64_t id);
  void drop_resolved_chunks();

  std::deque<std::unique_ptr<Chunk>> chunks_;  // chunk i covers ids [(base+i) << 12, ...)
  uint64_t chunk_base_ = 0;
  // The chunk found last and its number: a message's delivery and release look up the same
  // chunk one after the other. Reset whenever a chunk is dropped.
  Chunk* cached_chunk_ = nullptr;
  uint64_t cached_chunk_number_ = 0;
  std::map<uint64_t, Shared> shared_;
  uint64_t next_id_ = 0;
  uint64_t published_ = 0, delivered_ = 0, duplicates_ = 0, lost_ = 0, live_copies_ = 0;
  std::map<std::string, uint64_t> lost_by_cause_;
  std::map<std::string, uint64_t> lost_by_component_;

  Recorder& recorder_;
  Counter* published_total_;
  Counter* delivered_total_;
  Counter* duplicates_total_;
  Histogram* latency_;
};

}  // namespace faultline::sim
