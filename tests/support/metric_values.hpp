// Reads recorded metrics in tests: the sum over the series of a sample name whose labels include
// the given ones, at the end of a run or at a scrape time (a counter as Prometheus would have
// scraped it then; 0 before the series existed).
#pragma once

#include <cstdint>
#include <string>

#include "sim/run/scenario_run.hpp"

namespace faultline::testing {

inline bool labels_include(const sim::Labels& labels, const sim::Labels& wanted) {
  for (const auto& [k, v] : wanted) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

/// Sum of the matching series at the scrape at (or the last one before) `t_s`; the end of the
/// run when `t_s` is negative.
inline double metric_at(const sim::ScenarioRun& run, const std::string& sample_name, const sim::Labels& wanted,
                        double t_s = -1) {
  const sim::Recorder& rec = run.sim().recorder();
  const auto& times = rec.scrape_times_ns();
  if (times.empty()) return 0;
  size_t index = times.size() - 1;
  if (t_s >= 0) {
    const auto t_ns = static_cast<int64_t>(t_s * 1e9 + 0.5);
    index = 0;
    while (index + 1 < times.size() && times[index + 1] <= t_ns) ++index;
  }
  double total = 0;
  for (const sim::SeriesView& s : rec.series()) {
    if (s.name != sample_name || !labels_include(s.labels, wanted) || index < s.first_sample) continue;
    const size_t i = index - s.first_sample;
    if (i < s.values->size()) total += (*s.values)[i];
  }
  return total;
}

/// The increase of the matching counters between the scrapes at `from_s` and `to_s`.
inline double metric_increase(const sim::ScenarioRun& run, const std::string& sample_name, const sim::Labels& wanted,
                              double from_s, double to_s) {
  return metric_at(run, sample_name, wanted, to_s) - metric_at(run, sample_name, wanted, from_s);
}

}  // namespace faultline::testing
