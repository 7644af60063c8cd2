// Hand-written series for the PromQL and trace tests: times in seconds since the epoch.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "sim/promql/promql.hpp"
#include "sim/series/series_store.hpp"

namespace faultline::sim::testing {

constexpr int64_t kSec = 1'000'000'000;

/// Seconds to ns, exact to the microsecond (enough for the hand-written times).
inline int64_t sec(double s) { return static_cast<int64_t>(std::llround(s * 1e6)) * 1000; }

/// Adds `identity` (e.g. `up{job="api"}`) with (seconds, value) samples.
inline void add_series(SeriesStore& store, const std::string& identity, const std::vector<std::pair<double, double>>& samples) {
  std::string err;
  auto labels = parse_series_identity(identity, &err);
  ASSERT_TRUE(labels.has_value()) << identity << ": " << err;
  for (const auto& [t, v] : samples) store.add_sample(*labels, sec(t), v);
}

inline Labels L(const std::string& identity) { return parse_series_identity(identity).value(); }

/// The value of the one element of an instant vector with these labels; NaN-safe lookups are
/// done by the caller. Fails the test when absent.
inline double value_of(const promql::QueryResult& r, const std::string& identity) {
  const Labels want = identity.empty() ? Labels{} : L(identity);
  for (const auto& s : r.vector)
    if (s.labels == want) return s.value;
  ADD_FAILURE() << "no element " << identity << " in the result " << r.to_json();
  return std::nan("");
}

inline promql::QueryResult at(const SeriesStore& store, const std::string& q, double t,
                              const promql::EvalOptions& opt = {}) {
  return promql::instant_query(store, q, sec(t), opt);
}

inline double scalar_at(const SeriesStore& store, const std::string& q, double t) {
  auto r = at(store, q, t);
  EXPECT_EQ(r.type, promql::ValueType::scalar) << q;
  return r.scalar;
}

/// The single element's value of a one-element vector result.
inline double only_value(const promql::QueryResult& r) {
  EXPECT_EQ(r.vector.size(), 1u) << r.to_json();
  return r.vector.empty() ? std::nan("") : r.vector[0].value;
}

}  // namespace faultline::sim::testing
