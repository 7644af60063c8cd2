// A set of time series (labels including __name__, samples at int64 epoch nanoseconds), the
// common ground of PromQL evaluation, trace import and validation. Series are kept sorted by
// their label set and samples by time, so every iteration is deterministic. A missing sample is
// absent (a gap), never a zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/metrics/recorder.hpp"

namespace faultline::sim {

/// What the source says a series is: the recorder's type, an exposition's `# TYPE`, or unknown
/// (query_range JSON and CSV carry no types).
enum class SeriesKind { unknown, counter, gauge, histogram, summary };
std::string_view series_kind_name(SeriesKind k);

struct SeriesSample {
  int64_t t_ns;  // nanoseconds since the Unix epoch
  double value;
};

struct StoredSeries {
  Labels labels;  // includes "__name__" when the series has a name; no empty values
  SeriesKind kind = SeriesKind::unknown;
  std::vector<SeriesSample> samples;  // strictly increasing t_ns

  /// The value of "__name__", or "".
  [[nodiscard]] std::string name() const;
};

class SeriesStore {
 public:
  enum class AddResult { added, same_value, conflict };

  /// Adds one sample, creating the series on first use. Labels with an empty value are dropped
  /// (Prometheus treats an empty label as absent). A second sample at the same time is
  /// `same_value` when it is equal (NaN equals NaN here) and `conflict` otherwise; the stored
  /// sample is left unchanged in both cases.
  AddResult add_sample(const Labels& labels, int64_t t_ns, double value);
  /// Creates the series if needed and sets its kind.
  void set_kind(const Labels& labels, SeriesKind kind);

  /// Every series, sorted by label set.
  [[nodiscard]] const std::vector<StoredSeries>& series() const { return series_; }
  [[nodiscard]] const StoredSeries* find(const Labels& labels) const;
  [[nodiscard]] bool empty() const { return series_.empty(); }
  [[nodiscard]] size_t size() const { return series_.size(); }
  [[nodiscard]] size_t sample_count() const;
  /// Earliest and latest sample time over all series; empty when there is no sample.
  [[nodiscard]] std::optional<int64_t> first_time() const;
  [[nodiscard]] std::optional<int64_t> last_time() const;
  /// The distinct metric names, sorted.
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  StoredSeries& slot(const Labels& normalized);
  std::vector<StoredSeries> series_;
};

/// Drops empty label values (the store's normal form).
Labels normalize_labels(const Labels& labels);

/// The simulated series of a run: every recorder series with "__name__" set, sample times
/// anchored at `start_epoch_ns` exactly as run_outputs.cpp writes them.
SeriesStore series_store_from_recorder(const Recorder& recorder, int64_t start_epoch_ns);

/// `name{a="x",b="y"}` with Prometheus escaping (\\, \", \n) of the values; `{a="x"}` without a
/// name; just `name` without other labels.
std::string format_series_identity(const Labels& labels);

/// Parses `name`, `name{a="x",...}` or `{a="x",...}` (the column names of series.csv). Returns
/// the labels with "__name__", or empty with a message in `error`.
std::optional<Labels> parse_series_identity(std::string_view text, std::string* error = nullptr);

/// Parses a series identity at the front of `text` starting at `pos` (a sample line of the text
/// exposition formats) and advances `pos` past it. On failure returns false, with `error` and
/// `pos` at the offending character.
bool parse_series_prefix(std::string_view text, size_t& pos, Labels& labels, std::string& error);

}  // namespace faultline::sim
