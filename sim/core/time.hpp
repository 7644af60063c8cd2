// Simulated time: strong types over int64 nanoseconds (DESIGN §3). No floating-point clock.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace faultline::sim {

/// Thrown when a time computation leaves the int64 nanosecond range (about ±292 years).
class TimeOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

/// Thrown when a duration string cannot be parsed; the message says what was expected.
class TimeParseError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {
[[noreturn]] void throw_time_overflow(const char* what);
[[noreturn]] void throw_bad_seconds(double seconds);
inline int64_t checked_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw_time_overflow("addition");
  return r;
}
inline int64_t checked_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw_time_overflow("subtraction");
  return r;
}
inline int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw_time_overflow("multiplication");
  return r;
}
}  // namespace detail

/// A span of simulated time in nanoseconds. Construct through the unit helpers.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration ns(int64_t v) { return Duration(v); }
  static Duration us(int64_t v) { return Duration(detail::checked_mul(v, 1'000)); }
  static Duration ms(int64_t v) { return Duration(detail::checked_mul(v, 1'000'000)); }
  static Duration s(int64_t v) { return Duration(detail::checked_mul(v, 1'000'000'000)); }
  static Duration minutes(int64_t v) { return Duration(detail::checked_mul(v, 60'000'000'000)); }
  static Duration hours(int64_t v) { return Duration(detail::checked_mul(v, 3'600'000'000'000)); }
  /// Seconds as a double, rounded to the nearest nanosecond; throws on NaN or out of range.
  /// Inline, once per random draw: the libm call to nearbyint showed in the profile.
  static Duration from_seconds(double seconds) {
    const double ns = seconds * 1e9;
    // Checked before rounding, which gives the same answer: rounding is monotonic and ±2^63
    // and every double near them are integers. NaN fails both comparisons.
    if (!(ns < 0x1p63) || !(ns >= -0x1p63)) [[unlikely]]
      detail::throw_bad_seconds(seconds);
#if defined(__x86_64__) && defined(__SSE2__)
    // cvtsd2si rounds in the current (MXCSR) mode, the one nearbyint uses: the same integer.
    return Duration(_mm_cvtsd_si64(_mm_set_sd(ns)));
#else
    return Duration(static_cast<int64_t>(std::nearbyint(ns)));
#endif
  }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(INT64_MAX); }

  [[nodiscard]] constexpr int64_t count_ns() const { return ns_; }
  [[nodiscard]] constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }  // division: the nearest double to the exact decimal

  Duration operator+(Duration o) const { return Duration(detail::checked_add(ns_, o.ns_)); }
  Duration operator-(Duration o) const { return Duration(detail::checked_sub(ns_, o.ns_)); }
  Duration operator*(int64_t k) const { return Duration(detail::checked_mul(ns_, k)); }
  Duration& operator+=(Duration o) { return *this = *this + o; }
  Duration& operator-=(Duration o) { return *this = *this - o; }
  constexpr auto operator<=>(const Duration&) const = default;

 private:
  constexpr explicit Duration(int64_t v) : ns_(v) {}
  int64_t ns_ = 0;
};

/// A point of simulated time: nanoseconds since the scenario's start.
class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(int64_t v) { return SimTime(v); }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(INT64_MAX); }
  static SimTime at(Duration since_start) { return SimTime(since_start.count_ns()); }

  [[nodiscard]] constexpr int64_t ns() const { return ns_; }
  [[nodiscard]] constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }  // division: the nearest double to the exact decimal
  [[nodiscard]] Duration since_start() const { return Duration::ns(ns_); }

  SimTime operator+(Duration d) const { return SimTime(detail::checked_add(ns_, d.count_ns())); }
  SimTime operator-(Duration d) const { return SimTime(detail::checked_sub(ns_, d.count_ns())); }
  Duration operator-(SimTime o) const { return Duration::ns(detail::checked_sub(ns_, o.ns_)); }
  SimTime& operator+=(Duration d) { return *this = *this + d; }
  constexpr auto operator<=>(const SimTime&) const = default;

 private:
  constexpr explicit SimTime(int64_t v) : ns_(v) {}
  int64_t ns_ = 0;
};

/// Parses "250ms", "1.5s", "2m", "1h", "10us", "100ns", and Go-style compounds such as
/// "1m30s" (the form Kubernetes and Chaos Mesh use). Decimal fractions are exact; a value
/// finer than 1 ns, a missing or unknown unit, or a result beyond int64 ns throws.
/// Negative values are accepted with a leading '-'; callers that need ≥ 0 check it.
Duration parse_duration(std::string_view text);

/// Shortest exact text for a duration in one unit: "1.5s", "250ms", "2m", "1h", "0s".
std::string format_duration(Duration d);

/// Seconds with up to 9 decimals and no trailing zeros: "120", "0.0035".
std::string format_seconds(int64_t ns);

}  // namespace faultline::sim
