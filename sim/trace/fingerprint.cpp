#include "sim/trace/fingerprint.hpp"

#include "sim/random/random_stream.hpp"

namespace faultline::sim {

void Fingerprint::mix(uint64_t v) { h_ = mix64(h_ ^ mix64(v + 0x9E3779B97F4A7C15ULL)); }

void Fingerprint::mix(std::string_view text) { mix(stable_hash(text)); }

std::string Fingerprint::hex() const {
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  uint64_t v = h_;
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = digits[v & 0xF];
    v >>= 4;
  }
  return out;
}

}  // namespace faultline::sim
