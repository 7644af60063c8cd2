// RFC 3339 timestamps, exactly: zones ("Z", "+02:00") and fractions down to nanoseconds. Used for
// a scenario's start_time and for the Kubernetes timestamps of chaos records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::sim {

/// Nanoseconds since the Unix epoch; empty when the text is not RFC 3339. A lower-case 't'/'z'
/// and a space instead of 'T' are accepted (RFC 3339 §5.6 note).
std::optional<int64_t> parse_rfc3339(std::string_view text);

/// "2026-01-01T00:00:00Z", with a fraction (no trailing zeros) when it is not whole.
std::string format_rfc3339(int64_t epoch_ns);

/// 2026-01-01T00:00:00Z, the default start time (DESIGN §6).
constexpr int64_t kDefaultStartEpochNs = 1767225600LL * 1'000'000'000LL;

}  // namespace faultline::sim
