// Run fingerprint (DESIGN §3): a hash over the event stream and the results. Two runs with the
// same scenario, seed and version print the same fingerprint; tests pin it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::sim {

class Fingerprint {
 public:
  /// One processed event. Cheap: it runs once per event on the hot path.
  void mix_event(int64_t time_ns, uint64_t component_hash, uint16_t kind) {
    uint64_t x = static_cast<uint64_t>(time_ns) * 0x9E3779B97F4A7C15ULL ^ (component_hash + kind);
    h_ = (h_ ^ x) * 0xD6E8FEB86659FD93ULL;
    h_ ^= h_ >> 32;
  }
  void mix(uint64_t v);
  void mix(std::string_view text);
  [[nodiscard]] uint64_t value() const { return h_; }
  /// 16 lowercase hex digits.
  [[nodiscard]] std::string hex() const;

 private:
  uint64_t h_ = 0x6A09E667F3BCC908ULL;
};

}  // namespace faultline::sim
