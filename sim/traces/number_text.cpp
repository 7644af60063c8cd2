#include "sim/traces/number_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace faultline::sim::traces {

namespace {
bool digit(char c) { return c >= '0' && c <= '9'; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Splits "[sign]digits[.digits][e[sign]digits]" into sign, significant digits and a power of ten.
bool split_decimal(std::string_view t, bool& negative, std::string& digits, int64_t& exp10) {
  size_t i = 0;
  negative = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
  digits.clear();
  exp10 = 0;
  bool any = false;
  while (i < t.size() && digit(t[i])) {
    digits += t[i++];
    any = true;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && digit(t[i])) {
      digits += t[i++];
      --exp10;
      any = true;
    }
  }
  if (!any) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
    if (i >= t.size() || !digit(t[i])) return false;
    int64_t e = 0;
    while (i < t.size() && digit(t[i])) {
      if (e < 100000) e = e * 10 + (t[i] - '0');
      ++i;
    }
    exp10 += eneg ? -e : e;
  }
  if (i != t.size()) return false;
  const size_t nz = digits.find_first_not_of('0');
  digits = nz == std::string::npos ? std::string() : digits.substr(nz);
  return true;
}
}  // namespace

std::optional<double> parse_sample_value(std::string_view text) {
  std::string_view t = text;
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  if (iequal(t, "inf") || iequal(t, "infinity"))
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (iequal(t, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (t.empty() || !(digit(t[0]) || t[0] == '.')) return std::nullopt;
  double v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
  if (res.ptr != t.data() + t.size()) return std::nullopt;
  if (res.ec == std::errc::result_out_of_range) {
    // Go returns ±Inf on overflow and 0 on underflow; strtod does the same.
    v = std::strtod(std::string(t).c_str(), nullptr);
  } else if (res.ec != std::errc()) {
    return std::nullopt;
  }
  return neg ? -v : v;
}

std::optional<int64_t> parse_decimal_time(std::string_view text, int64_t unit_ns) {
  bool neg;
  std::string digits;
  int64_t exp10;
  if (!split_decimal(text, neg, digits, exp10)) return std::nullopt;
  for (int64_t u = unit_ns; u > 1; u /= 10) ++exp10;  // unit_ns is a power of ten
  if (digits.empty()) return 0;
  if (exp10 < 0) {
    const int64_t keep = static_cast<int64_t>(digits.size()) + exp10;
    if (keep < 0) return 0;
    const bool up = digits[static_cast<size_t>(keep)] >= '5';
    digits = digits.substr(0, static_cast<size_t>(keep));
    if (up) {  // round half away from zero: add one to the kept digits
      int64_t i = static_cast<int64_t>(digits.size()) - 1;
      while (i >= 0 && digits[static_cast<size_t>(i)] == '9') digits[static_cast<size_t>(i--)] = '0';
      if (i < 0)
        digits.insert(digits.begin(), '1');
      else
        ++digits[static_cast<size_t>(i)];
    }
    exp10 = 0;
  }
  if (exp10 > 19) return std::nullopt;
  int64_t v = 0;
  for (char c : digits)
    if (__builtin_mul_overflow(v, int64_t{10}, &v) || __builtin_add_overflow(v, int64_t{c - '0'}, &v))
      return std::nullopt;
  for (int64_t i = 0; i < exp10; ++i)
    if (__builtin_mul_overflow(v, int64_t{10}, &v)) return std::nullopt;
  return neg ? -v : v;
}

std::optional<int64_t> seconds_double_to_ns(double seconds) {
  if (!std::isfinite(seconds)) return std::nullopt;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, seconds);
  return parse_decimal_time(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), 1'000'000'000);
}

}  // namespace faultline::sim::traces
