// The Linux netem queueing discipline that Chaos Mesh installs on a pod's egress (R-N1, R-N3,
// R-N5), reduced to what decides when, and whether, a packet leaves:
// - delay: latency μ, jitter σ and correlation ρ. With no distribution table the kernel draws
//   a correlated 32-bit value (get_crandom) and takes delay = (rnd mod 2σ) + μ − σ: uniform in
//   [μ − σ, μ + σ) (R-N3, Chaos Mesh's formula). The modulo wraps the correlated value, so
//   ρ has almost no effect on successive delays unless 2σ is a large share of 2^32 ns; that is
//   the kernel's behaviour, reproduced as is.
// - loss, duplicate, corrupt: per packet, "lost" when p ≥ rnd with the same correlated draw.
// - limit: at most 1000 packets held in the delay queue; more are dropped (R-N5).
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/random/random_stream.hpp"

namespace faultline::models {

/// netem's correlated uniform 32-bit generator (kernel get_crandom): with correlation ρ the
/// next value is (value·(2^32 − ρ') + last·ρ') / 2^32, ρ' = ρ·(2^32 − 1) + 1.
class CorrelatedDraw {
 public:
  explicit CorrelatedDraw(double correlation);
  uint32_t next(sim::RandomStream& rng);
  /// A ratio in [0, 1] as netem scales it: round(ratio × (2^32 − 1)).
  static uint32_t scale(double ratio);

 private:
  uint32_t rho_;
  uint32_t last_ = 0;
};

/// netem delay with jitter and correlation (R-N3).
class NetemDelay {
 public:
  NetemDelay(sim::Duration latency, sim::Duration jitter, double correlation);
  sim::Duration draw(sim::RandomStream& rng);
  [[nodiscard]] sim::Duration latency() const { return latency_; }

 private:
  sim::Duration latency_;
  sim::Duration jitter_;
  CorrelatedDraw draw_;
};

/// A per-packet netem event with a probability and a correlation (loss, duplicate, corrupt).
class NetemChance {
 public:
  NetemChance(double probability, double correlation);
  bool draw(sim::RandomStream& rng);

 private:
  uint32_t threshold_;
  CorrelatedDraw draw_;
};

/// The netem queue: packets wait in it for their delay; beyond `limit` packets a new one is
/// dropped (R-N5: tc's default limit is 1000 packets). TCP then sends it again once the queue
/// has room, so a flow through it is held to about limit / delay packets per second.
class NetemQueue {
 public:
  static constexpr size_t kDefaultLimit = 1000;
  explicit NetemQueue(size_t limit = kDefaultLimit) : limit_(limit) {}
  /// When a packet offered at `now` is taken (now, or when the queue first has room: the packet
  /// was dropped meanwhile); it is then held for `delay`.
  sim::SimTime admit(sim::SimTime now, sim::Duration delay);

 private:
  size_t limit_;
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<>> releases_;
};

}  // namespace faultline::models
