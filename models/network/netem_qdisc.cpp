#include "models/network/netem_qdisc.hpp"

#include <algorithm>
#include <cmath>

namespace faultline::models {

uint32_t CorrelatedDraw::scale(double ratio) {
  const double r = std::clamp(ratio, 0.0, 1.0);
  return static_cast<uint32_t>(std::llround(r * 4294967295.0));
}

CorrelatedDraw::CorrelatedDraw(double correlation) : rho_(scale(correlation)) {}

uint32_t CorrelatedDraw::next(sim::RandomStream& rng) {
  const auto value = static_cast<uint32_t>(rng.next_u64() >> 32);
  if (rho_ == 0) return value;  // no correlation: the kernel leaves `last` alone
  const uint64_t rho = uint64_t{rho_} + 1;
  // value·(2^32 − ρ) + last·ρ < 2^64, so the sum cannot overflow.
  const auto answer = static_cast<uint32_t>((uint64_t{value} * ((uint64_t{1} << 32) - rho) + uint64_t{last_} * rho) >> 32);
  last_ = answer;
  return answer;
}

NetemDelay::NetemDelay(sim::Duration latency, sim::Duration jitter, double correlation)
    : latency_(latency), jitter_(jitter), draw_(correlation) {}

sim::Duration NetemDelay::draw(sim::RandomStream& rng) {
  const int64_t sigma = jitter_.count_ns();
  if (sigma == 0) return latency_;  // tabledist returns μ without a draw
  const uint64_t rnd = draw_.next(rng);
  // R-N3: ((rnd mod 2σ) + μ) − σ. A negative delay sends the packet at once, as the kernel does.
  const int64_t d = static_cast<int64_t>(rnd % (2 * static_cast<uint64_t>(sigma))) + latency_.count_ns() - sigma;
  return sim::Duration::ns(std::max<int64_t>(0, d));
}

NetemChance::NetemChance(double probability, double correlation)
    : threshold_(CorrelatedDraw::scale(probability)), draw_(correlation) {}

bool NetemChance::draw(sim::RandomStream& rng) {
  if (threshold_ == 0) return false;
  return threshold_ >= draw_.next(rng);  // netem: "if (q->loss && q->loss >= get_crandom(...))"
}

sim::SimTime NetemQueue::admit(sim::SimTime now, sim::Duration delay) {
  while (!releases_.empty() && releases_.top() <= now.ns()) releases_.pop();
  sim::SimTime at = now;
  if (releases_.size() >= limit_) {
    at = sim::SimTime::from_ns(releases_.top());  // the first packet to leave makes room
    releases_.pop();
  }
  releases_.push((at + delay).ns());
  return at;
}

}  // namespace faultline::models
