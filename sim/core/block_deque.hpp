// A FIFO for backlogs that may hold millions: elements live in fixed blocks of kPerBlock, and
// only the small ring of block pointers ever grows (by doubling). Why not the others:
// - std::deque (libstdc++) uses 512-byte blocks, so a queue in steady churn allocates and frees
//   a block every dozen 40-byte messages, a malloc/free pair on the per-message path;
// - RingDeque is one contiguous ring: fast, but while doubling it holds the old and new arrays
//   at once (measured: 101 bytes per queued message at a 10 M backlog instead of 42).
// Here a queue in churn reuses one spare block and never allocates; a growing backlog costs
// sizeof(T) per element plus one pointer per block. Order and contents are exactly those of
// std::deque for the operations offered.
#pragma once

#include <bit>
#include <cstddef>
#include <utility>

#include "sim/core/position_iterator.hpp"
#include "sim/core/ring_deque.hpp"

namespace faultline::sim {

template <typename T>
class BlockDeque {
 public:
  // About 8 KiB per block, a power of two of elements so that positions split with a shift.
  static constexpr size_t kPerBlock = std::bit_floor(sizeof(T) >= 8192 ? size_t{1} : 8192 / sizeof(T));

  BlockDeque() = default;
  BlockDeque(const BlockDeque&) = delete;  // owns its blocks; a queue's backlog is never copied
  BlockDeque& operator=(const BlockDeque&) = delete;
  ~BlockDeque() {
    for (T* block : blocks_) delete[] block;
    delete[] spare_;
  }

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] size_t size() const { return size_; }

  T& front() { return blocks_.front()[head_]; }
  const T& front() const { return blocks_.front()[head_]; }
  T& operator[](size_t i) { return slot(head_ + i); }
  const T& operator[](size_t i) const { return slot(head_ + i); }

  void push_back(const T& value) {
    const size_t position = head_ + size_;
    if (position == blocks_.size() * kPerBlock) blocks_.push_back(take_block());
    slot(position) = value;
    ++size_;
  }
  void push_front(const T& value) {
    if (head_ == 0) {
      blocks_.push_front(take_block());
      head_ = kPerBlock;
    }
    --head_;
    blocks_.front()[head_] = value;
    ++size_;
  }
  void pop_front() {
    ++head_;
    --size_;
    if (head_ == kPerBlock) {
      give_back(blocks_.front());
      blocks_.pop_front();
      head_ = 0;
    }
  }

  using iterator = PositionIterator<BlockDeque, T, false>;
  using const_iterator = PositionIterator<BlockDeque, T, true>;
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  // Position counts from the first slot of blocks_[0].
  T& slot(size_t position) const { return blocks_[position / kPerBlock][position % kPerBlock]; }

  T* take_block() {
    if (spare_ == nullptr) return new T[kPerBlock];
    return std::exchange(spare_, nullptr);
  }
  // One block is kept for the next boundary crossing: a queue in churn then never allocates.
  void give_back(T* block) {
    if (spare_ == nullptr)
      spare_ = block;
    else
      delete[] block;
  }

  RingDeque<T*> blocks_;  // blocks_[0] holds the front, from slot head_
  T* spare_ = nullptr;
  size_t head_ = 0;  // < kPerBlock while any block is held
  size_t size_ = 0;
};

}  // namespace faultline::sim
