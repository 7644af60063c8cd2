#include "sim/validate/figures.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/core/time.hpp"
#include "sim/output/number_format.hpp"

namespace faultline::validate {

std::vector<PairedPoint> align(const Series& predicted, const Series& observed, double hold_s, double slack_s) {
  std::vector<PairedPoint> out;
  out.reserve(observed.size());
  size_t next = 0;  // first predicted point later than the current observed time
  for (const Point& o : observed) {
    while (next < predicted.size() && predicted[next].t_s <= o.t_s + slack_s) ++next;
    if (next == 0) continue;
    const Point& p = predicted[next - 1];
    if (o.t_s - p.t_s > hold_s + slack_s) continue;
    out.push_back({o.t_s, p.value, o.value});
  }
  return out;
}

std::optional<double> rmse(const std::vector<PairedPoint>& pairs) {
  if (pairs.empty()) return std::nullopt;
  double sum = 0;
  for (const PairedPoint& p : pairs) sum += (p.predicted - p.observed) * (p.predicted - p.observed);
  return std::sqrt(sum / static_cast<double>(pairs.size()));
}

SeriesShape shape(const Series& series, const ShapeOptions& o) {
  SeriesShape s;
  if (series.empty()) return s;
  double sum = 0;
  size_t n = 0;
  for (const Point& p : series)
    if (p.t_s >= o.warmup_s && p.t_s < o.first_fault_s) {
      sum += p.value;
      ++n;
    }
  s.baseline = n > 0 ? sum / static_cast<double>(n) : series.front().value;
  // The peak the faults caused: searched from the first fault on (the whole series when it has no point after
  // the first fault).
  size_t from = 0;
  while (from < series.size() && series[from].t_s < o.first_fault_s) ++from;
  if (from == series.size()) from = 0;
  size_t peak_at = from;
  for (size_t i = from + 1; i < series.size(); ++i)
    if (series[i].value > series[peak_at].value) peak_at = i;
  s.peak = series[peak_at].value;
  s.peak_time_s = series[peak_at].t_s;
  const double band = std::max(o.band_relative * std::abs(*s.baseline), o.band_absolute);
  for (size_t i = peak_at; i < series.size(); ++i)
    if (series[i].value <= *s.baseline + band) {
      s.drained = true;
      s.drain_s = series[i].t_s - series[peak_at].t_s;
      break;
    }
  return s;
}

std::optional<double> Tolerance::allowed(double observed) const {
  if (empty()) return std::nullopt;
  double a = 0;
  if (relative) a = std::max(a, *relative * std::abs(observed));
  if (absolute) a = std::max(a, *absolute);
  return a;
}

std::string Tolerance::describe(const std::string& unit) const {
  if (empty()) return "none";
  const auto num = [](double v) { return sim::format_prometheus_float(v); };
  std::string rel = relative ? "±" + num(*relative * 100) + " %" : "";
  std::string abs = absolute ? "±" + num(*absolute) + (unit.empty() ? "" : " " + unit) : "";
  if (relative && absolute) return rel + " or " + abs + " (larger)";
  return relative ? rel : abs;
}

Tolerance parse_tolerance(const std::string& text, bool seconds) {
  Tolerance t;
  size_t start = 0;
  if (text.empty()) throw std::invalid_argument("expected a tolerance such as 15%, 2s or 10%,20");
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw std::invalid_argument("empty part in tolerance \"" + text + "\"");
    if (part.back() == '%') {
      if (t.relative) throw std::invalid_argument("two relative parts in tolerance \"" + text + "\"");
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(part.substr(0, part.size() - 1), &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (part.size() < 2 || used != part.size() - 1 || !(v >= 0) || !std::isfinite(v))
        throw std::invalid_argument("expected a percentage ≥ 0 such as 15%, got \"" + part + "\"");
      t.relative = v / 100;
    } else {
      if (t.absolute) throw std::invalid_argument("two absolute parts in tolerance \"" + text + "\"");
      double v = 0;
      if (seconds) {
        try {
          v = sim::parse_duration(part).seconds();
        } catch (const std::exception& e) {
          throw std::invalid_argument("expected a duration such as 2s, got \"" + part + "\": " + e.what());
        }
      } else {
        size_t used = 0;
        try {
          v = std::stod(part, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != part.size()) throw std::invalid_argument("expected a number such as 20, got \"" + part + "\"");
      }
      if (!(v >= 0) || !std::isfinite(v)) throw std::invalid_argument("expected a value ≥ 0, got \"" + part + "\"");
      t.absolute = v;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return t;
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::unchecked:
      break;
  }
  return "unchecked";
}

Comparison compare(std::optional<double> predicted, std::optional<double> observed, const Tolerance& tolerance) {
  Comparison c;
  c.predicted = predicted;
  c.observed = observed;
  c.tolerance = tolerance;
  if (predicted && observed) c.error = *predicted - *observed;
  if (tolerance.empty()) return c;
  if (!predicted && !observed) {
    c.outcome = Outcome::pass;  // neither exists: they agree (e.g. never
                                // recovered on both sides)
  } else if (!predicted || !observed) {
    c.outcome = Outcome::fail;
  } else {
    c.outcome = std::abs(*c.error) <= *tolerance.allowed(*observed) + 1e-9 ? Outcome::pass : Outcome::fail;
  }
  return c;
}

}  // namespace faultline::validate
