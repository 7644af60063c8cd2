// Number formatting shared by every output: shortest round-trip text, so outputs are
// byte-identical across runs and parse back to the same double.
#pragma once

#include <cstdint>
#include <string>

namespace faultline::sim {

/// Shortest round-trip text in general notation; "+Inf", "-Inf", "NaN" as Prometheus writes them.
std::string format_prometheus_float(double v);

/// Shortest round-trip text in fixed notation (what Prometheus' JSON API writes for sample values).
std::string format_fixed_float(double v);

/// Unix seconds with up to 9 decimals and no trailing zeros, from nanoseconds since the epoch.
std::string format_unix_seconds(int64_t epoch_ns);

}  // namespace faultline::sim
