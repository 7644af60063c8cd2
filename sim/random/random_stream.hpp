// Per-component random streams (DESIGN §3): a stream is derived from (scenario seed,
// component path, purpose) with a stable hash, so adding a component never shifts the
// draws of another. The generator is xoshiro256** seeded through splitmix64.
#pragma once

#include <cstdint>
#include <string_view>

namespace faultline::sim {

/// FNV-1a over the bytes, then a splitmix64 finaliser: stable across compilers and runs
/// (std::hash is not).
uint64_t stable_hash(std::string_view text);

/// splitmix64's output function: a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The 64-bit seed of the stream for (seed, path, purpose).
uint64_t derive_stream_seed(uint64_t scenario_seed, std::string_view component_path, std::string_view purpose);

class RandomStream {
 public:
  explicit RandomStream(uint64_t seed = 0);
  /// The stream for (seed, path, purpose), as every component and schedule gets it.
  static RandomStream derive(uint64_t scenario_seed, std::string_view component_path, std::string_view purpose) {
    return RandomStream(derive_stream_seed(scenario_seed, component_path, purpose));
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method with rejection).
  uint64_t uniform_below(uint64_t n);
  /// True with probability p.
  bool bernoulli(double p) { return uniform01() < p; }
  /// Exponential with the given mean (inverse CDF, as in the benchmark floor).
  double exponential(double mean);

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace faultline::sim
