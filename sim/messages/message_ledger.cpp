#include "sim/messages/message_ledger.hpp"

#include <bit>
#include <vector>

namespace faultline::sim {

namespace {
const std::vector<double> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                             1,     2.5,    5,     10,   30,    60,   120,  300,  600};
}

MessageLedger::MessageLedger(Recorder& recorder)
    : recorder_(recorder),
      published_total_(&recorder.counter("faultline_messages_published_total", {},
                                         "Messages created by producers (each counted once)")),
      delivered_total_(&recorder.counter("faultline_messages_delivered_total", {},
                                         "Messages processed by a consumer for the first time")),
      duplicates_total_(&recorder.counter("faultline_messages_duplicates_total", {},
                                          "Deliveries of a message that had already been delivered")),
      latency_(&recorder.histogram("faultline_message_latency_seconds", {},
                                   "Time from a message's creation to its first delivery", kLatencyBuckets)) {}

MessageLedger::~MessageLedger() = default;

// The slow path of chunk_of(): another chunk than the last one, or an error.
MessageLedger::Chunk& MessageLedger::find_unresolved_chunk(uint64_t id) {
  const uint64_t c = id >> kChunkBits;
  if (id >= next_id_ || c < chunk_base_ || c - chunk_base_ >= chunks_.size() || !chunks_[c - chunk_base_])
    throw ConservationError("message " + std::to_string(id) + " is unknown or already resolved");
  Chunk& ch = *chunks_[c - chunk_base_];
  if (Chunk::get(ch.resolved, id))
    throw ConservationError("message " + std::to_string(id) + " was used after its fate was settled");
  cached_chunk_ = &ch;
  cached_chunk_number_ = c;
  return ch;
}

Message MessageLedger::create(SimTime now, uint32_t origin) {
  const uint64_t id = next_id_++;
  if ((id >> kChunkBits) - chunk_base_ == chunks_.size()) {
    chunks_.push_back(std::make_unique<Chunk>());
    drop_resolved_chunks();
  }
  ++chunks_.back()->unresolved;
  ++published_;
  ++live_copies_;
  published_total_->inc();
  return Message{id, now.ns(), -1, origin, 0};
}

void MessageLedger::add_copy(uint64_t id) {
  chunk_of(id);  // validates
  auto [it, inserted] = shared_.try_emplace(id, Shared{1});
  ++it->second.copies;
  ++live_copies_;
}

void MessageLedger::delivered(const Message& m, SimTime now) {
  Chunk& ch = chunk_of(m.id);
  if (Chunk::get(ch.delivered, m.id)) {
    ++duplicates_;
    duplicates_total_->inc();
    return;
  }
  Chunk::set(ch.delivered, m.id);
  ++delivered_;
  delivered_total_->inc();
  latency_->observe(static_cast<double>(now.ns() - m.created_ns) * 1e-9);
}

void MessageLedger::release(uint64_t id) {
  Chunk& ch = chunk_of(id);
  auto it = shared_.find(id);
  const uint32_t left = (it == shared_.end() ? 1 : it->second.copies) - 1;
  --live_copies_;
  if (left > 0) {
    it->second.copies = left;
    return;
  }
  if (!Chunk::get(ch.delivered, id))
    throw ConservationError("message " + std::to_string(id) +
                            ": its last copy was released although it was never delivered (a loss not reported)");
  resolve(ch, id);
}

void MessageLedger::lose(uint64_t id, std::string_view cause, std::string_view component) {
  Chunk& ch = chunk_of(id);
  auto it = shared_.find(id);
  const uint32_t left = (it == shared_.end() ? 1 : it->second.copies) - 1;
  --live_copies_;
  if (left > 0) {
    it->second.copies = left;
    return;
  }
  if (!Chunk::get(ch.delivered, id)) {
    ++lost_;
    std::string cause_s(cause);
    ++lost_by_cause_[cause_s];
    if (!component.empty()) ++lost_by_component_[std::string(component)];
    recorder_.counter("faultline_messages_lost_total", {{"cause", cause_s}}, "Messages lost, by cause").inc();
  }
  resolve(ch, id);
}

// `ch` is chunk_of(id), already validated by the caller.
void MessageLedger::resolve(Chunk& ch, uint64_t id) {
  Chunk::set(ch.resolved, id);
  if (!shared_.empty()) shared_.erase(id);
  if (--ch.unresolved == 0) drop_resolved_chunks();
}

void MessageLedger::drop_resolved_chunks() {
  // A chunk whose ids were all created and all resolved can never be referenced again.
  cached_chunk_ = nullptr;
  for (size_t i = 0; i < chunks_.size(); ++i) {
    if (!chunks_[i]) continue;
    const uint64_t end_id = (chunk_base_ + i + 1) << kChunkBits;
    if (chunks_[i]->unresolved == 0 && end_id <= next_id_) chunks_[i].reset();
  }
  while (!chunks_.empty() && !chunks_.front()) {
    chunks_.pop_front();
    ++chunk_base_;
  }
}

void MessageLedger::check_conservation(uint64_t copies_held_by_components) const {
  auto fail = [&](const std::string& why) {
    throw ConservationError("message conservation check failed: " + why + " (published " +
                            std::to_string(published_) + ", delivered " + std::to_string(delivered_) + ", lost " +
                            std::to_string(lost_) + ", in flight " + std::to_string(in_flight()) + ")");
  };
  if (delivered_ + lost_ > published_) fail("more messages delivered or lost than published");
  if (copies_held_by_components != live_copies_)
    fail("the components hold " + std::to_string(copies_held_by_components) + " message copies but the ledger counts " +
         std::to_string(live_copies_) + " (a model dropped or duplicated a message without reporting it)");
  // Re-derive the fates from the per-message bits.
  uint64_t unresolved = 0, undelivered_unresolved = 0;
  for (size_t i = 0; i < chunks_.size(); ++i) {
    if (!chunks_[i]) continue;
    const uint64_t first = (chunk_base_ + i) << kChunkBits;
    for (size_t w = 0; w < Chunk::kWords; ++w) {
      const uint64_t first_in_word = first + w * 64;
      if (first_in_word >= next_id_) break;
      uint64_t valid = next_id_ - first_in_word >= 64 ? ~uint64_t{0} : (uint64_t{1} << (next_id_ - first_in_word)) - 1;
      const uint64_t open = ~chunks_[i]->resolved[w] & valid;
      unresolved += static_cast<uint64_t>(std::popcount(open));
      undelivered_unresolved += static_cast<uint64_t>(std::popcount(open & ~chunks_[i]->delivered[w]));
    }
  }
  if (undelivered_unresolved != in_flight())
    fail(std::to_string(undelivered_unresolved) + " messages are open and undelivered, but published − delivered − lost = " +
         std::to_string(in_flight()));
  uint64_t copies = unresolved;
  for (const auto& [id, s] : shared_) copies += s.copies - 1;
  if (copies != live_copies_)
    fail("per-message copy counts sum to " + std::to_string(copies) + ", not " + std::to_string(live_copies_));
}

}  // namespace faultline::sim
