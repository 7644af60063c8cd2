#include "sim/random/random_stream.hpp"

#include <cmath>

namespace faultline::sim {

namespace {
__extension__ using u128 = unsigned __int128;  // g++ extension; -Wpedantic wants it marked
}  // namespace

uint64_t stable_hash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;  // FNV prime
  }
  return mix64(h);
}

uint64_t derive_stream_seed(uint64_t scenario_seed, std::string_view component_path, std::string_view purpose) {
  // Chained mixing rather than a plain XOR, so (path, purpose) and (purpose, path) differ.
  uint64_t h = mix64(scenario_seed + 0x9e3779b97f4a7c15ULL);
  h = mix64(h ^ stable_hash(component_path));
  h = mix64(h ^ (stable_hash(purpose) + 0x632be59bd9b4e019ULL));
  return h;
}

RandomStream::RandomStream(uint64_t seed) {
  uint64_t x = seed;
  for (auto& w : s_) {  // splitmix64 fills the state; never all zero
    x += 0x9e3779b97f4a7c15ULL;
    w = mix64(x);
  }
}

uint64_t RandomStream::uniform_below(uint64_t n) {
  if (n <= 1) return 0;
  // Lemire: multiply-high, reject the biased low region.
  u128 m = static_cast<u128>(next_u64()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) { return -mean * std::log(1.0 - uniform01()); }

}  // namespace faultline::sim
