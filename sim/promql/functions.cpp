// The function table of the subset, and the classic-histogram quantile (promql/quantile.go).
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/promql/ast.hpp"

namespace faultline::sim::promql {

namespace {
using VT = ValueType;
const std::vector<FunctionDef>& table() {
  static const std::vector<FunctionDef> t = {
      {"abs", FunctionId::abs, {VT::vector}, 0, VT::vector},
      {"avg_over_time", FunctionId::avg_over_time, {VT::matrix}, 0, VT::vector},
      {"ceil", FunctionId::ceil, {VT::vector}, 0, VT::vector},
      {"clamp", FunctionId::clamp, {VT::vector, VT::scalar, VT::scalar}, 0, VT::vector},
      {"clamp_max", FunctionId::clamp_max, {VT::vector, VT::scalar}, 0, VT::vector},
      {"clamp_min", FunctionId::clamp_min, {VT::vector, VT::scalar}, 0, VT::vector},
      {"count_over_time", FunctionId::count_over_time, {VT::matrix}, 0, VT::vector},
      {"delta", FunctionId::delta, {VT::matrix}, 0, VT::vector},
      {"floor", FunctionId::floor, {VT::vector}, 0, VT::vector},
      {"histogram_quantile", FunctionId::histogram_quantile, {VT::scalar, VT::vector}, 0, VT::vector},
      {"idelta", FunctionId::idelta, {VT::matrix}, 0, VT::vector},
      {"increase", FunctionId::increase, {VT::matrix}, 0, VT::vector},
      {"irate", FunctionId::irate, {VT::matrix}, 0, VT::vector},
      {"last_over_time", FunctionId::last_over_time, {VT::matrix}, 0, VT::vector},
      {"max_over_time", FunctionId::max_over_time, {VT::matrix}, 0, VT::vector},
      {"min_over_time", FunctionId::min_over_time, {VT::matrix}, 0, VT::vector},
      {"rate", FunctionId::rate, {VT::matrix}, 0, VT::vector},
      {"round", FunctionId::round, {VT::vector, VT::scalar}, 1, VT::vector},
      {"scalar", FunctionId::scalar, {VT::vector}, 0, VT::scalar},
      {"sum_over_time", FunctionId::sum_over_time, {VT::matrix}, 0, VT::vector},
      {"time", FunctionId::time, {}, 0, VT::scalar},
      {"vector", FunctionId::vector, {VT::scalar}, 0, VT::vector},
  };
  return t;
}
}  // namespace

const FunctionDef* find_function(const std::string& name) {
  for (const FunctionDef& f : table())
    if (name == f.name) return &f;
  return nullptr;
}

bool is_known_unsupported_function(const std::string& name) {
  // Prometheus 3's function list, minus the ones in table().
  static const char* names[] = {
      "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "changes", "cos", "cosh",
      "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "deriv", "double_exponential_smoothing",
      "exp", "first_over_time", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_stddev",
      "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "info", "label_join", "label_replace", "ln",
      "log10", "log2", "mad_over_time", "minute", "month", "pi", "predict_linear", "present_over_time",
      "quantile_over_time", "rad", "resets", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc",
      "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "tan", "tanh", "timestamp", "ts_of_first_over_time",
      "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "year"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

namespace {
// almost.Equal from Prometheus util/almost.
bool almost_equal(double a, double b, double epsilon) {
  constexpr double min_normal = 2.2250738585072014e-308;
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < min_normal) return diff < epsilon * min_normal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}
}  // namespace

double bucket_quantile(double q, std::vector<std::pair<double, double>> buckets) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (std::isnan(q)) return nan;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  if (buckets.empty()) return nan;
  std::stable_sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!(std::isinf(buckets.back().first) && buckets.back().first > 0)) return nan;
  // coalesceBuckets: equal upper bounds (e.g. le="1" and le="1.0") are summed.
  std::vector<std::pair<double, double>> b;
  for (const auto& x : buckets) {
    if (!b.empty() && b.back().first == x.first)
      b.back().second += x.second;
    else
      b.push_back(x);
  }
  // ensureMonotonicAndIgnoreSmallDeltas (tolerance 1e-12).
  double prev = b[0].second;
  for (size_t i = 1; i < b.size(); ++i) {
    const double curr = b[i].second;
    if (curr == prev) continue;
    if (almost_equal(prev, curr, 1e-12) || curr < prev) {
      b[i].second = prev;
      continue;
    }
    prev = curr;
  }
  if (b.size() < 2) return nan;
  const double observations = b.back().second;
  if (observations == 0) return nan;
  double rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank.
  size_t idx = 0;
  while (idx < b.size() - 1 && !(b[idx].second >= rank)) ++idx;
  if (idx == b.size() - 1) return b[b.size() - 2].first;
  if (idx == 0 && b[0].first <= 0) return b[0].first;
  double start = 0.0;
  const double end = b[idx].first;
  double count = b[idx].second;
  if (idx > 0) {
    start = b[idx - 1].first;
    count -= b[idx - 1].second;
    rank -= b[idx - 1].second;
  }
  return start + (end - start) * (rank / count);
}

}  // namespace faultline::sim::promql
