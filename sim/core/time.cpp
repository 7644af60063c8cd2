#include "sim/core/time.hpp"

#include <cmath>

namespace faultline::sim {

namespace detail {
void throw_time_overflow(const char* what) {
  throw TimeOverflow(std::string("simulated time overflow in ") + what +
                     " (the range is ±292 years of nanoseconds)");
}
}  // namespace detail

namespace detail {
void throw_bad_seconds(double seconds) {
  if (std::isnan(seconds)) throw TimeOverflow("a duration in seconds is NaN");
  throw TimeOverflow("a duration of " + std::to_string(seconds) + " s does not fit in int64 nanoseconds");
}
}  // namespace detail

namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};
constexpr Unit kUnits[] = {{"ns", 1},
                           {"us", 1'000},
                           {"\xC2\xB5s", 1'000},  // µs, as Go prints it
                           {"ms", 1'000'000},
                           {"s", 1'000'000'000},
                           {"m", 60'000'000'000},
                           {"h", 3'600'000'000'000}};

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw TimeParseError("invalid duration \"" + std::string(text) + "\": " + why +
                       " (expected a number with a unit: ns, us, ms, s, m, h, e.g. \"250ms\", \"1.5s\", \"1m30s\")");
}

}  // namespace

Duration parse_duration(std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) fail(text, "it is empty");
  bool negative = false;
  if (rest.front() == '-' || rest.front() == '+') {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return Duration::zero();
  int64_t total = 0;
  bool any = false;
  while (!rest.empty()) {
    // Integer part.
    int64_t whole = 0;
    size_t digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      int64_t next;
      if (__builtin_mul_overflow(whole, 10, &next) || __builtin_add_overflow(next, rest.front() - '0', &whole))
        fail(text, "the number is too large");
      rest.remove_prefix(1);
      ++digits;
    }
    // Fraction part, kept exactly as digits.
    std::string_view frac;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      size_t n = 0;
      while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
      frac = rest.substr(0, n);
      rest.remove_prefix(n);
      digits += n;
    }
    if (digits == 0) fail(text, "a number is missing");
    // The unit is the whole run of characters up to the next number, as in Go's ParseDuration:
    // "10sec" has the unknown unit "sec", not the unit "s" followed by garbage.
    const std::string_view token = rest.substr(0, rest.find_first_of("0123456789."));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (token == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      if (token.empty()) fail(text, "the unit is missing");
      fail(text, "unknown unit \"" + std::string(token) + "\"");
    }
    rest.remove_prefix(unit->name.size());
    int64_t part;
    if (__builtin_mul_overflow(whole, unit->ns, &part)) fail(text, "it exceeds the int64 nanosecond range");
    // Exact fraction: frac digits × unit / 10^len must be an integer number of ns.
    int64_t scale = unit->ns;
    int64_t frac_ns = 0;
    for (char c : frac) {
      if (scale % 10 != 0) {
        if (c != '0') fail(text, "it is finer than 1 ns");
        continue;
      }
      scale /= 10;
      frac_ns += (c - '0') * scale;
    }
    if (__builtin_add_overflow(part, frac_ns, &part) || __builtin_add_overflow(total, part, &total))
      fail(text, "it exceeds the int64 nanosecond range");
    any = true;
  }
  if (!any) fail(text, "a number is missing");
  return Duration::ns(negative ? -total : total);
}

std::string format_seconds(int64_t ns) {
  std::string out;
  uint64_t mag = ns < 0 ? 0ULL - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (ns < 0) out += '-';
  out += std::to_string(mag / 1'000'000'000ULL);
  uint64_t frac = mag % 1'000'000'000ULL;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.' + f;
  }
  return out;
}

std::string format_duration(Duration d) {
  const int64_t v = d.count_ns();
  if (v == 0) return "0s";
  const uint64_t mag = v < 0 ? 0ULL - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const std::string sign = v < 0 ? "-" : "";
  if (mag % 3'600'000'000'000ULL == 0) return sign + std::to_string(mag / 3'600'000'000'000ULL) + "h";
  if (mag % 60'000'000'000ULL == 0) return sign + std::to_string(mag / 60'000'000'000ULL) + "m";
  auto with_unit = [&](uint64_t per, const char* unit) {
    std::string whole = std::to_string(mag / per);
    uint64_t frac = mag % per;
    if (frac == 0) return sign + whole + unit;
    std::string f = std::to_string(frac);
    size_t width = std::to_string(per).size() - 1;
    f.insert(0, width - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    return sign + whole + "." + f + unit;
  };
  if (mag >= 1'000'000'000ULL) return with_unit(1'000'000'000ULL, "s");
  if (mag >= 1'000'000ULL) return with_unit(1'000'000ULL, "ms");
  if (mag >= 1'000ULL) return with_unit(1'000ULL, "us");
  return sign + std::to_string(mag) + "ns";
}

}  // namespace faultline::sim
