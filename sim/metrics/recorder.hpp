// Counters, gauges and histograms with labels, named like the real exporters (DESIGN §6).
// Models update instruments; the recorder samples every instrument on the scrape interval
// into column buffers. Gauges sample-and-hold: a scrape reads the last value set.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"

namespace faultline::sim {

/// Label set, ordered by name so that every output lists labels the same way.
using Labels = std::map<std::string, std::string>;

enum class MetricType { counter, gauge, histogram };
std::string_view metric_type_name(MetricType t);

class Counter {
 public:
  void inc(double delta = 1.0) { value_ += delta; }  // callers pass delta ≥ 0: counters are monotone
  [[nodiscard]] double value() const { return value_; }

 private:
  double value_ = 0.0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void add(double delta) { value_ += delta; }
  [[nodiscard]] double value() const { return value_; }

 private:
  double value_ = 0.0;
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds) : bounds_(bounds), counts_(bounds->size() + 1, 0) {}
  /// Inline: once per delivered message (the end-to-end latency).
  void observe(double v) {
    // Prometheus buckets count observations ≤ le: the first bound ≥ v, which for sorted bounds
    // is the number of bounds < v (NaN lands in bucket 0, as with std::lower_bound). Counted
    // without branches: latencies straddle a bound at random, and a stopping scan mispredicted.
    size_t bucket = 0;
    for (const double bound : *bounds_) bucket += static_cast<size_t>(bound < v);
    ++counts_[bucket];
    sum_ += v;
    ++count_;
  }
  [[nodiscard]] const std::vector<double>& bounds() const { return *bounds_; }
  /// Non-cumulative count per bucket; the last one is (largest bound, +Inf].
  [[nodiscard]] const std::vector<uint64_t>& counts() const { return counts_; }
  [[nodiscard]] double sum() const { return sum_; }
  [[nodiscard]] uint64_t count() const { return count_; }

 private:
  const std::vector<double>* bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

/// One flattened output series: a counter or gauge, or one bucket / _sum / _count of a histogram.
struct SeriesView {
  std::string family;       // metric family, e.g. "faultline_message_latency_seconds"
  std::string name;         // sample name, e.g. "faultline_message_latency_seconds_bucket"
  MetricType type;          // of the family
  Labels labels;            // including "le" for buckets
  size_t first_sample = 0;  // index into scrape_times() of the first sample
  const std::vector<double>* values = nullptr;
  [[nodiscard]] std::string identity() const;  // name{k="v",...}
};

class Recorder {
 public:
  Recorder();
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// The instrument for (name, labels), created on first use. Counter names end in "_total".
  Counter& counter(std::string_view name, const Labels& labels, std::string_view help);
  Gauge& gauge(std::string_view name, const Labels& labels, std::string_view help);
  /// `bounds` are the upper bounds ("le") in increasing order; +Inf is implicit.
  Histogram& histogram(std::string_view name, const Labels& labels, std::string_view help,
                       const std::vector<double>& bounds);

  /// Appends one sample of every instrument at time t (called by the scrape loop).
  void scrape(SimTime t);
  [[nodiscard]] const std::vector<int64_t>& scrape_times_ns() const { return scrape_times_; }
  /// Every series in a fixed order: by family, then labels, then bucket / _sum / _count.
  [[nodiscard]] std::vector<SeriesView> series() const;
  /// Help text of a family, "" if unknown.
  [[nodiscard]] std::string help(std::string_view family) const;

  /// How many instruments (label sets) exist: it changes exactly when series() gains a series.
  [[nodiscard]] size_t instrument_count() const { return instrument_count_; }

  /// Current value of a counter or gauge; empty if it does not exist.
  [[nodiscard]] std::optional<double> current(std::string_view name, const Labels& labels) const;

 private:
  struct Family;
  struct Instrument;
  Family& family(std::string_view name, MetricType type, std::string_view help, const std::vector<double>* bounds);
  Instrument& instrument(Family& f, const Labels& labels);

  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::vector<int64_t> scrape_times_;
  size_t instrument_count_ = 0;
};

/// Checks a Prometheus metric or label name; throws std::invalid_argument otherwise.
void check_metric_name(std::string_view name);

}  // namespace faultline::sim
