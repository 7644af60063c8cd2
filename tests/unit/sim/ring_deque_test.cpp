// sim::RingDeque must behave exactly as std::deque for the operations the hot paths use: the
// models' message order (and so every fingerprint) rests on it.
#include "sim/core/ring_deque.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

namespace faultline::sim {
namespace {

std::vector<int> contents(const RingDeque<int>& r) { return {r.begin(), r.end()}; }

TEST(RingDeque, GrowsWhileWrappedRoundAndKeepsTheOrder) {
  RingDeque<int> r;
  // Capacity 8: push 1..6, pop 4 (head at slot 4), push 7..12: the ring wraps at 8 and grows to
  // 16 when the 9th element arrives. Expected front-to-back: 5, 6, 7, …, 12, then 13 → 5..13.
  for (int i = 1; i <= 6; ++i) r.push_back(i);
  for (int i = 0; i < 4; ++i) r.pop_front();
  for (int i = 7; i <= 13; ++i) r.push_back(i);
  EXPECT_EQ(contents(r), (std::vector<int>{5, 6, 7, 8, 9, 10, 11, 12, 13}));
  EXPECT_EQ(r.front(), 5);
  EXPECT_EQ(r.back(), 13);
  EXPECT_EQ(r[3], 8);
  // push_front on a wrapped ring: 0 goes before 5; reverse iteration is 13 … 5, 0.
  r.push_front(0);
  EXPECT_EQ(r.front(), 0);
  std::vector<int> reversed(r.rbegin(), r.rend());
  EXPECT_EQ(reversed, (std::vector<int>{13, 12, 11, 10, 9, 8, 7, 6, 5, 0}));
}

TEST(RingDeque, EraseInTheMiddleKeepsTheRestInOrder) {
  RingDeque<int> r;
  for (int i = 0; i < 8; ++i) r.push_back(i);  // capacity 8, full
  for (int i = 0; i < 6; ++i) r.pop_front();   // 6, 7 in slots 6, 7
  for (int i = 8; i < 12; ++i) r.push_back(i);  // 8..11 wrap into slots 0..3
  // Erase 9 (position 3): 6, 7, 8, 10, 11; the returned iterator points at 10.
  auto it = r.erase(r.begin() + 3);
  EXPECT_EQ(*it, 10);
  EXPECT_EQ(contents(r), (std::vector<int>{6, 7, 8, 10, 11}));
  // Sorted search works on its random-access iterators: lower_bound(10) is position 3.
  EXPECT_EQ(std::lower_bound(r.begin(), r.end(), 10) - r.begin(), 3);
}

TEST(RingDeque, MatchesStdDequeOverAMixedSequence) {
  // A seeded mix of every operation, compared step by step with std::deque (the reference).
  RingDeque<int> r;
  std::deque<int> d;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int step = 0; step < 20000; ++step) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const unsigned op = static_cast<unsigned>(x % 10);
    if (op < 4) {
      r.push_back(step);
      d.push_back(step);
    } else if (op < 5) {
      r.push_front(step);
      d.push_front(step);
    } else if (op < 8 && !d.empty()) {
      r.pop_front();
      d.pop_front();
    } else if (op < 9 && !d.empty()) {
      r.pop_back();
      d.pop_back();
    } else if (!d.empty()) {
      const size_t at = static_cast<size_t>(x >> 32) % d.size();
      r.erase(r.begin() + static_cast<std::ptrdiff_t>(at));
      d.erase(d.begin() + static_cast<std::ptrdiff_t>(at));
    }
    ASSERT_EQ(r.size(), d.size()) << "step " << step;
    if (!d.empty()) {
      ASSERT_EQ(r.front(), d.front()) << "step " << step;
      ASSERT_EQ(r.back(), d.back()) << "step " << step;
    }
  }
  EXPECT_TRUE(std::equal(r.begin(), r.end(), d.begin(), d.end()));
  r.clear();
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace faultline::sim
