// The series a probe sees during a run: the recorder's scraped samples, copied incrementally
// into a SeriesStore (only the samples scraped since the last sync, only the series whose names
// the queries select), with sample times anchored at the scenario's start_time exactly as
// series_store_from_recorder and the outputs write them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/metrics/recorder.hpp"
#include "sim/promql/promql.hpp"
#include "sim/series/series_store.hpp"

namespace faultline::sim::experiment {

class SeriesMirror {
 public:
  /// `queries` decide which series are copied: those whose metric name a selector of a query
  /// names with `=`; every series when a selector names none (`{__name__=~"..."}`).
  SeriesMirror(const Recorder& recorder, int64_t start_epoch_ns, const std::vector<const promql::Query*>& queries);

  /// Copies the samples scraped since the last call. Cheap when nothing was scraped.
  void sync();
  [[nodiscard]] const SeriesStore& store() const { return store_; }
  /// Whether a series of this name is copied.
  [[nodiscard]] bool wanted(const std::string& name) const { return !names_ || names_->count(name) != 0; }

 private:
  const Recorder& recorder_;
  int64_t start_epoch_ns_;
  std::optional<std::set<std::string>> names_;  // empty optional: every series
  struct Column {
    Labels labels;  // with __name__
    SeriesKind kind;
    size_t first_sample;
    const std::vector<double>* values;  // stable for the recorder's life
    size_t copied = 0;
  };
  void refresh_columns();

  SeriesStore store_;
  size_t scrapes_seen_ = 0;
  size_t instruments_seen_ = SIZE_MAX;
  std::vector<Column> columns_;  // the wanted series, in the recorder's order
};

/// The metric names a query's selectors name with `=`; empty when a selector names none.
std::optional<std::set<std::string>> selected_metric_names(const promql::Query& query);

}  // namespace faultline::sim::experiment
