// Sample values and timestamps as the trace formats write them. Timestamps are converted from
// their decimal text exactly (never through a double multiplied by 1e9), so that
// "1435781430.781" is 1435781430781000000 ns.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace faultline::sim::traces {

/// A sample value the way Go's strconv.ParseFloat reads it in these formats: decimal with an
/// optional sign and exponent, or Inf / +Inf / -Inf / NaN in any case. Empty when malformed.
std::optional<double> parse_sample_value(std::string_view text);

/// A decimal number of units (e.g. seconds: "1435781430.781", "1.7e9", "-2") times `unit_ns`
/// (1e9 for seconds, 1e6 for milliseconds), exactly, rounded half away from zero to 1 ns.
/// Empty when malformed or beyond int64 nanoseconds.
std::optional<int64_t> parse_decimal_time(std::string_view text, int64_t unit_ns);

/// Unix seconds held in a JSON double: the shortest decimal that round-trips to the double is
/// read exactly, which recovers the text a query_range response wrote for any timestamp with
/// up to 15 significant digits (Prometheus writes milliseconds).
std::optional<int64_t> seconds_double_to_ns(double seconds);

}  // namespace faultline::sim::traces
