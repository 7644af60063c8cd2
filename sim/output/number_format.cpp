#include "sim/output/number_format.hpp"

#include <charconv>
#include <cmath>

#include "sim/core/time.hpp"

namespace faultline::sim {

namespace {
std::string special(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}
}  // namespace

std::string format_prometheus_float(double v) {
  if (!std::isfinite(v)) return special(v);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string format_fixed_float(double v) {
  if (!std::isfinite(v)) return special(v);
  char buf[400];  // fixed notation of the largest double needs 309 digits
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

std::string format_unix_seconds(int64_t epoch_ns) { return format_seconds(epoch_ns); }

}  // namespace faultline::sim
