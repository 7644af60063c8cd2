#include "sim/scenario/units.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/time.hpp"

namespace faultline::sim {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
bool number_prefix(std::string_view s, double& value, std::string_view& rest) {
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, value);
  if (r.ec != std::errc() || !std::isfinite(value)) return false;
  rest = std::string_view(r.ptr, static_cast<size_t>(end - r.ptr));
  return true;
}
}  // namespace

double parse_rate(std::string_view text) {
  const std::string_view s = trim(text);
  const std::string expected = " (expected a rate such as \"100/s\", \"6000/m\" or a number per second)";
  double v = 0;
  std::string_view rest;
  if (!number_prefix(s, v, rest)) throw std::invalid_argument("invalid rate \"" + std::string(text) + "\"" + expected);
  rest = trim(rest);
  if (rest.empty()) return v;
  if (rest.front() != '/') throw std::invalid_argument("invalid rate \"" + std::string(text) + "\"" + expected);
  rest.remove_prefix(1);
  std::string unit(trim(rest));
  if (!unit.empty() && unit.front() >= 'a' && unit.front() <= 'z' && unit.find_first_of("0123456789") == std::string::npos)
    unit = "1" + unit;
  Duration per;
  try {
    per = parse_duration(unit);
  } catch (const std::exception&) {
    throw std::invalid_argument("invalid rate \"" + std::string(text) + "\": unknown unit \"/" + std::string(trim(rest)) +
                                "\"" + expected);
  }
  if (per <= Duration::zero()) throw std::invalid_argument("invalid rate \"" + std::string(text) + "\"" + expected);
  return v / per.seconds();
}

int64_t parse_bytes(std::string_view text) {
  const std::string_view s = trim(text);
  const std::string expected = " (expected a size such as \"128MB\", \"64KiB\", \"1GiB\" or a number of bytes)";
  double v = 0;
  std::string_view rest;
  if (!number_prefix(s, v, rest) || v < 0) throw std::invalid_argument("invalid size \"" + std::string(text) + "\"" + expected);
  const std::string unit(trim(rest));
  struct U {
    const char* name;
    double factor;
  };
  static const U units[] = {{"", 1},        {"B", 1},          {"kB", 1e3},          {"KB", 1e3},         {"MB", 1e6},
                            {"GB", 1e9},    {"TB", 1e12},      {"KiB", 1024.0},      {"MiB", 1048576.0},  {"GiB", 1073741824.0},
                            {"TiB", 1099511627776.0}, {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}};
  for (const U& u : units) {
    if (unit == u.name) {
      const double bytes = std::round(v * u.factor);
      if (bytes >= 9.2e18) throw std::invalid_argument("size \"" + std::string(text) + "\" is too large");
      return static_cast<int64_t>(bytes);
    }
  }
  throw std::invalid_argument("invalid size \"" + std::string(text) + "\": unknown unit \"" + unit + "\"" + expected);
}

double parse_ratio(std::string_view text) {
  const std::string_view s = trim(text);
  double v = 0;
  std::string_view rest;
  if (!number_prefix(s, v, rest))
    throw std::invalid_argument("invalid ratio \"" + std::string(text) + "\" (expected \"25%\" or a fraction such as 0.25)");
  rest = trim(rest);
  if (rest == "%") return v / 100.0;
  if (rest.empty()) return v;
  throw std::invalid_argument("invalid ratio \"" + std::string(text) + "\" (expected \"25%\" or a fraction such as 0.25)");
}

}  // namespace faultline::sim
