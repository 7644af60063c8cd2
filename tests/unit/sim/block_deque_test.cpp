// sim::BlockDeque must behave exactly as std::deque for the operations the queue's backlog uses:
// the order of deliveries (and so every fingerprint) rests on it.
#include "sim/core/block_deque.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

namespace faultline::sim {
namespace {

std::vector<int64_t> contents(const BlockDeque<int64_t>& q) { return {q.begin(), q.end()}; }

TEST(BlockDeque, CrossesBlockBoundariesBothWays) {
  BlockDeque<int64_t> q;
  constexpr auto K = static_cast<int64_t>(BlockDeque<int64_t>::kPerBlock);
  static_assert(BlockDeque<int64_t>::kPerBlock == 1024);  // 8192 bytes / 8
  // Push 0 .. K+1: two blocks, the second holding K and K+1. Pop K: the front is K, in the
  // second block, at its slot 0.
  for (int64_t i = 0; i < K + 2; ++i) q.push_back(i);
  for (int64_t i = 0; i < K; ++i) q.pop_front();
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.front(), K);
  // push_front at slot 0 of the front block opens a new block before it: -1 then -2 go in its
  // last two slots. Front to back: -2, -1, K, K+1.
  q.push_front(-1);
  q.push_front(-2);
  EXPECT_EQ(contents(q), (std::vector<int64_t>{-2, -1, K, K + 1}));
  EXPECT_EQ(q[2], K);
  // Popping all four crosses back into the block of K; the queue is then empty and reusable.
  for (int i = 0; i < 4; ++i) q.pop_front();
  EXPECT_TRUE(q.empty());
  q.push_back(7);
  EXPECT_EQ(contents(q), (std::vector<int64_t>{7}));
}

TEST(BlockDeque, MatchesStdDequeOverAMixedSequence) {
  // A seeded mix of pushes at both ends and pops, long enough to grow to several blocks,
  // drain to empty and grow again; compared step by step with std::deque (the reference).
  BlockDeque<int64_t> q;
  std::deque<int64_t> d;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  size_t largest = 0;
  bool drained_after_growth = false;
  for (int64_t step = 0; step < 200000; ++step) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // The push share drifts across phases so that the size rises to thousands and falls to 0.
    const unsigned op = static_cast<unsigned>(x % 100);
    const unsigned push_share = (step / 20000) % 2 == 0 ? 60 : 40;
    if (op < push_share - 8) {
      q.push_back(step);
      d.push_back(step);
    } else if (op < push_share) {
      q.push_front(step);
      d.push_front(step);
    } else if (!d.empty()) {
      q.pop_front();
      d.pop_front();
    }
    largest = std::max(largest, d.size());
    if (d.empty() && largest > 2 * BlockDeque<int64_t>::kPerBlock) drained_after_growth = true;
    ASSERT_EQ(q.size(), d.size()) << "step " << step;
    if (!d.empty()) {
      ASSERT_EQ(q.front(), d.front()) << "step " << step;
      ASSERT_EQ(q[d.size() - 1], d.back()) << "step " << step;
    }
  }
  EXPECT_TRUE(drained_after_growth) << "the sequence should span several blocks and drain (largest " << largest << ")";
  EXPECT_TRUE(std::equal(q.begin(), q.end(), d.begin(), d.end()));
}

}  // namespace
}  // namespace faultline::sim
