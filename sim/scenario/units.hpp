// Units other than time: rates, byte sizes, ratios. Each parser throws std::invalid_argument
// with a message that says what was expected.
#pragma once

#include <cstdint>
#include <string_view>

namespace faultline::sim {

/// "100/s", "6000/m", "2/h", "1.5/ms", or a bare number: events per second.
double parse_rate(std::string_view text);
/// "128MB", "64KiB", "1GiB", "512B", or a bare integer: bytes (SI: 1 kB = 1000, IEC: 1 KiB = 1024).
int64_t parse_bytes(std::string_view text);
/// "25%" or "0.25": a fraction.
double parse_ratio(std::string_view text);

}  // namespace faultline::sim
