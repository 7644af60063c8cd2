#include "sim/sweep/sweep_spec.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "sim/scenario/input_error.hpp"

namespace faultline::sim::sweep {

namespace {

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

[[noreturn]] void bad_axis(const std::string& given, const std::string& why) {
  throw InputError("--set", "", 0, "sweep axis \"" + given + "\": " + why);
}

/// A number with an optional unit after it, as written in a range: "10", "2.5", "10ms", "100/s".
struct Quantity {
  double value = 0;
  bool integral = true;  // written without '.' or an exponent
  int decimals = 0;      // digits after the '.'
  std::string unit;
};

Quantity parse_quantity(const std::string& text, const std::string& given, const char* role) {
  const std::string t = trim(text);
  Quantity q;
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  size_t digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    q.integral = false;
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits, ++q.decimals;
  }
  if (digits == 0) bad_axis(given, std::string("the range's ") + role + " \"" + t + "\" is not a number");
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    size_t j = i + 1;
    if (j < t.size() && (t[j] == '+' || t[j] == '-')) ++j;
    if (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) {
      q.integral = false;
      q.decimals = -1;  // no fixed grid of decimals: keep the computed double
      i = j;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    }
  }
  const std::string number = t.substr(0, i);
  const char* first = number.data() + (number[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(first, number.data() + number.size(), q.value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(q.value))
    bad_axis(given, std::string("the range's ") + role + " \"" + t + "\" is not a finite number");
  q.unit = trim(t.substr(i));
  return q;
}

std::string number_text(double v, bool integral) {
  if (integral || (std::trunc(v) == v && std::abs(v) < 1e15)) return std::to_string(static_cast<int64_t>(v));
  return Json(v).dump();
}

std::vector<Json> parse_range(const std::string& text, size_t dots, const std::string& given) {
  const std::string rest = text.substr(dots + 2);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos)
    bad_axis(given, "expected lo..hi:step, e.g. 1..8:1 or 10ms..50ms:10ms (the step is missing)");
  const Quantity lo = parse_quantity(text.substr(0, dots), given, "lower bound");
  const Quantity hi = parse_quantity(rest.substr(0, colon), given, "upper bound");
  const Quantity step = parse_quantity(rest.substr(colon + 1), given, "step");
  if (lo.unit != hi.unit || lo.unit != step.unit)
    bad_axis(given, "lo, hi and step must carry the same unit (got \"" + lo.unit + "\", \"" + hi.unit + "\", \"" +
                        step.unit + "\")");
  if (!(step.value > 0)) bad_axis(given, "the step must be > 0");
  if (hi.value < lo.value) bad_axis(given, "the upper bound is below the lower bound");
  const double span = (hi.value - lo.value) / step.value;
  if (span + 1 > static_cast<double>(kMaxAxisValues))
    bad_axis(given, "the range has more than " + std::to_string(kMaxAxisValues) + " values");
  // A tolerance so that 0.1..0.3:0.1 holds 0.3 although 0.2/0.1 is not exactly 2 in binary.
  const auto count = static_cast<size_t>(std::floor(span + 1e-9)) + 1;
  const bool integral = lo.integral && hi.integral && step.integral;
  const int decimals = (lo.decimals < 0 || step.decimals < 0) ? -1 : std::max(lo.decimals, step.decimals);
  std::vector<Json> out;
  out.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    double v;
    if (integral) {
      v = lo.value + static_cast<double>(k) * step.value;  // exact: integers below 2^53
    } else {
      v = lo.value + static_cast<double>(k) * step.value;
      if (decimals >= 0) {
        const double scale = std::pow(10.0, decimals);
        v = std::round(v * scale) / scale;  // 0.1 + 2 * 0.1 → 0.3, not 0.30000000000000004
      }
    }
    if (!lo.unit.empty())
      out.emplace_back(number_text(v, integral) + lo.unit);
    else if (integral)
      out.emplace_back(static_cast<int64_t>(v));
    else
      out.emplace_back(v);
  }
  return out;
}

/// Splits at commas outside brackets, braces and quotes.
std::vector<std::string> split_values(const std::string& text, const std::string& given) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (quote != 0 || depth != 0) bad_axis(given, "unbalanced quote or bracket in the values");
  parts.push_back(cur);
  size_t at = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (trim(parts[k]).empty())
      bad_axis(given, "value " + std::to_string(k + 1) + " (at character " + std::to_string(at + 1) + ") is empty");
    at += parts[k].size() + 1;
  }
  return parts;
}

bool starts_like_number(const std::string& t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  return i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.');
}

}  // namespace

std::vector<Json> parse_axis_values(const std::string& raw, const std::string& given) {
  const std::string text = trim(raw);
  if (text.empty()) bad_axis(given, "no values (expected v1,v2,... or lo..hi:step)");
  const size_t dots = text.find("..");
  if (dots != std::string::npos && starts_like_number(text) && text.find(',') == std::string::npos)
    return parse_range(text, dots, given);
  std::vector<Json> out;
  for (const std::string& part : split_values(text, given)) {
    try {
      out.push_back(parse_yaml_value(trim(part)));
    } catch (const std::exception& e) {
      bad_axis(given, "value \"" + trim(part) + "\": " + e.what());
    }
  }
  if (out.size() > kMaxAxisValues) bad_axis(given, "more than " + std::to_string(kMaxAxisValues) + " values");
  return out;
}

Axis parse_axis(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set", "", 0,
                     "expected path=v1,v2,... or path=lo..hi:step (e.g. components.consumer.count=1..8:1), got \"" +
                         assignment + "\"");
  Axis a;
  a.path = trim(assignment.substr(0, eq));
  a.given = assignment;
  a.values = parse_axis_values(assignment.substr(eq + 1), assignment);
  return a;
}

std::string_view compare_op_text(CompareOp op) {
  switch (op) {
    case CompareOp::less: return "<";
    case CompareOp::less_equal: return "<=";
    case CompareOp::greater: return ">";
    case CompareOp::greater_equal: return ">=";
    case CompareOp::equal: return "==";
    case CompareOp::not_equal: return "!=";
  }
  return "?";
}

namespace {

const std::vector<std::string>& fixed_metrics() {
  // DESIGN §6: the numeric keys every summary.json carries (verdict's when there is one).
  static const std::vector<std::string> keys = {
      "simulated_seconds",      "events",          "messages.published", "messages.delivered",
      "messages.duplicates",    "messages.in_flight", "messages.lost",   "backlog.peak",
      "backlog.peak_time_s",    "backlog.drain_time_s", "verdict.time_s", "verdict.value"};
  return keys;
}

const char* const kMapPrefixes[] = {"messages.lost_by_cause.", "messages.lost_by_component."};

[[noreturn]] void bad_goal(const std::string& text, size_t at, const std::string& why) {
  throw InputError("--goal", "", 0,
                   "\"" + text + "\" at character " + std::to_string(at + 1) + ": " + why +
                       " (expected METRIC OP NUMBER [and ...], OP one of < <= > >= == !=, e.g. \"backlog.peak < 1000\")");
}

}  // namespace

bool is_map_metric(const std::string& key) {
  for (const char* p : kMapPrefixes) {
    const std::string prefix(p);
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

bool is_summary_metric(const std::string& key) {
  for (const auto& k : fixed_metrics())
    if (k == key) return true;
  return is_map_metric(key);
}

Goal parse_goal(const std::string& text) {
  Goal g;
  g.text = text;
  size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  for (;;) {
    skip_space();
    const size_t metric_at = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != '<' && text[i] != '>' &&
           text[i] != '=' && text[i] != '!')
      ++i;
    Condition c;
    c.metric = text.substr(metric_at, i - metric_at);
    if (c.metric.empty()) bad_goal(text, metric_at, "expected a metric such as backlog.peak");
    if (!is_summary_metric(c.metric)) {
      std::vector<std::string> known = fixed_metrics();
      known.emplace_back("messages.lost_by_cause.<cause>");
      known.emplace_back("messages.lost_by_component.<path>");
      bad_goal(text, metric_at,
               "\"" + c.metric + "\" is not a numeric summary metric" + did_you_mean(c.metric, fixed_metrics()) +
                   "; the metrics: " + [&] {
                     std::string all;
                     for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
                     return all;
                   }());
    }
    skip_space();
    const size_t op_at = i;
    const std::string_view rest = std::string_view(text).substr(i);
    if (rest.substr(0, 2) == "<=") c.op = CompareOp::less_equal, i += 2;
    else if (rest.substr(0, 2) == ">=") c.op = CompareOp::greater_equal, i += 2;
    else if (rest.substr(0, 2) == "==") c.op = CompareOp::equal, i += 2;
    else if (rest.substr(0, 2) == "!=") c.op = CompareOp::not_equal, i += 2;
    else if (rest.substr(0, 1) == "<") c.op = CompareOp::less, i += 1;
    else if (rest.substr(0, 1) == ">") c.op = CompareOp::greater, i += 1;
    else bad_goal(text, op_at, "expected a comparison < <= > >= == !=");
    skip_space();
    const size_t num_at = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::string number = text.substr(num_at, i - num_at);
    const char* first = number.data() + (!number.empty() && number[0] == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, number.data() + number.size(), c.threshold);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(c.threshold))
      bad_goal(text, num_at, "expected a number" + (number.empty() ? std::string() : ", got \"" + number + "\""));
    c.text = text.substr(metric_at, i - metric_at);
    g.conditions.push_back(std::move(c));
    skip_space();
    if (i == text.size()) break;
    const size_t and_at = i;
    if (text.compare(i, 3, "and") == 0 && i + 3 < text.size() && std::isspace(static_cast<unsigned char>(text[i + 3])))
      i += 3;
    else if (text.compare(i, 2, "&&") == 0)
      i += 2;
    else
      bad_goal(text, and_at, "expected \"and\" or the end of the goal");
  }
  return g;
}

bool Goal::holds(const Json& row) const {
  for (const Condition& c : conditions) {
    double v = 0;  // a cause or component that lost nothing in any run has no column: 0
    if (row.contains(c.metric)) {
      if (!row[c.metric].is_number()) return false;
      v = row[c.metric].get<double>();
    } else if (!is_map_metric(c.metric)) {
      return false;
    }
    bool ok = false;
    switch (c.op) {
      case CompareOp::less: ok = v < c.threshold; break;
      case CompareOp::less_equal: ok = v <= c.threshold; break;
      case CompareOp::greater: ok = v > c.threshold; break;
      case CompareOp::greater_equal: ok = v >= c.threshold; break;
      case CompareOp::equal: ok = v == c.threshold; break;
      case CompareOp::not_equal: ok = v != c.threshold; break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace faultline::sim::sweep
