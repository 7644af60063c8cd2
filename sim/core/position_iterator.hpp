// A random-access iterator over any container that indexes its elements by position from the
// front (operator[]): the ring and block FIFOs share it. It holds a position, not a pointer, so
// it stays valid across the container's internal moves as long as the position does.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>
#include <type_traits>

namespace faultline::sim {

template <class Container, class T, bool Const>
class PositionIterator {
  using Owner = std::conditional_t<Const, const Container, Container>;

 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = std::conditional_t<Const, const T*, T*>;
  using reference = std::conditional_t<Const, const T&, T&>;

  PositionIterator() = default;
  PositionIterator(Owner* owner, size_t position) : owner_(owner), position_(position) {}

  [[nodiscard]] size_t position() const { return position_; }
  reference operator*() const { return (*owner_)[position_]; }
  pointer operator->() const { return &(*owner_)[position_]; }
  reference operator[](difference_type n) const { return (*owner_)[position_ + static_cast<size_t>(n)]; }
  PositionIterator& operator++() { ++position_; return *this; }
  PositionIterator& operator--() { --position_; return *this; }
  PositionIterator operator++(int) { PositionIterator t = *this; ++position_; return t; }
  PositionIterator operator--(int) { PositionIterator t = *this; --position_; return t; }
  PositionIterator& operator+=(difference_type n) { position_ += static_cast<size_t>(n); return *this; }
  PositionIterator& operator-=(difference_type n) { position_ -= static_cast<size_t>(n); return *this; }
  friend PositionIterator operator+(PositionIterator it, difference_type n) { return it += n; }
  friend PositionIterator operator+(difference_type n, PositionIterator it) { return it += n; }
  friend PositionIterator operator-(PositionIterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const PositionIterator& a, const PositionIterator& b) {
    return static_cast<difference_type>(a.position_) - static_cast<difference_type>(b.position_);
  }
  friend bool operator==(const PositionIterator& a, const PositionIterator& b) { return a.position_ == b.position_; }
  friend auto operator<=>(const PositionIterator& a, const PositionIterator& b) { return a.position_ <=> b.position_; }

 private:
  Owner* owner_ = nullptr;
  size_t position_ = 0;  // from the front, not a storage slot
};

}  // namespace faultline::sim
