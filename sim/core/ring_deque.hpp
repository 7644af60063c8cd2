// A double-ended FIFO in one power-of-two ring that grows by doubling and never shrinks.
// Why: std::deque allocates and frees a block every few hundred bytes of churn, which on the
// per-message paths (a queue's unacked deliveries, a client's unanswered sends, a consumer's
// prefetch buffer) was a steady malloc/free cost. Once a ring has reached its working size it
// never allocates. Backlogs that may hold millions use BlockDeque instead (no doubling copy).
// Order and contents are exactly those of std::deque for the operations offered.
#pragma once

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "sim/core/position_iterator.hpp"

namespace faultline::sim {

template <typename T>
class RingDeque {
 public:
  using value_type = T;
  using iterator = PositionIterator<RingDeque, T, false>;
  using const_iterator = PositionIterator<RingDeque, T, true>;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] size_t size() const { return size_; }

  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  T& back() { return slots_[wrap(head_ + size_ - 1)]; }
  const T& back() const { return slots_[wrap(head_ + size_ - 1)]; }
  T& operator[](size_t i) { return slots_[wrap(head_ + i)]; }
  const T& operator[](size_t i) const { return slots_[wrap(head_ + i)]; }

  void push_back(const T& value) {
    if (size_ == slots_.size()) grow();
    slots_[wrap(head_ + size_)] = value;
    ++size_;
  }
  void push_front(const T& value) {
    if (size_ == slots_.size()) grow();
    head_ = wrap(head_ + slots_.size() - 1);
    slots_[head_] = value;
    ++size_;
  }
  void pop_front() {
    head_ = wrap(head_ + 1);
    --size_;
  }
  void pop_back() { --size_; }
  void clear() {
    head_ = 0;
    size_ = 0;
  }
  /// Removes one element, keeping the order of the rest; returns the iterator after it.
  iterator erase(iterator pos) {
    for (size_t i = pos.position(); i + 1 < size_; ++i) (*this)[i] = std::move((*this)[i + 1]);
    --size_;
    return pos;
  }

  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

 private:
  // Capacity is 0 or a power of two, so `& mask` is the modulo; slot indices stay below
  // 2 * capacity before wrapping, far from overflow.
  [[nodiscard]] size_t wrap(size_t i) const { return i & (slots_.size() - 1); }

  void grow() {
    std::vector<T> bigger(slots_.empty() ? 8 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    slots_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace faultline::sim
