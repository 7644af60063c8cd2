// The error figures of `faultline validate` (DESIGN §8), as pure functions on series that are already on one
// time axis: seconds from the record's time zero, the axis the fault timeline is written on. A missing point
// is a gap (a scrape that did not happen, a node that was down), never a zero.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace faultline::validate {

struct Point {
  double t_s;  // seconds from the record's time zero
  double value;
};
using Series = std::vector<Point>;  // strictly increasing t_s

/// A predicted and an observed value at one observed sample time.
struct PairedPoint {
  double t_s;
  double predicted;
  double observed;
};

/// Pairs every observed point with the predicted value in force at its time: the latest predicted point at or
/// before it (gauges sample-and-hold), if that point is at most `hold_s` older. `slack_s` absorbs the
/// rounding of two grids that are meant to coincide. Observed gaps stay gaps; an observed point with no
/// predicted value in force is left out.
std::vector<PairedPoint> align(const Series& predicted, const Series& observed, double hold_s, double slack_s = 1e-6);

/// Root mean square of predicted − observed over the paired points; empty when there is none.
std::optional<double> rmse(const std::vector<PairedPoint>& pairs);

/// What one series did around the faults. Both sides of a comparison use the same definitions, those of
/// DESIGN §6 for the backlog:
/// - baseline: the mean of the points in [warmup_s, first_fault_s), else the first point;
/// - peak: the largest value from the first fault on, at the first time it is reached;
/// - drain: from the peak until the first point back within max(band_relative × |baseline|, band_absolute) of
///   the baseline; 0 when the peak never left that band; empty when it never came back.
struct SeriesShape {
  std::optional<double> baseline;
  std::optional<double> peak;
  std::optional<double> peak_time_s;
  std::optional<double> drain_s;
  bool drained = false;
};

struct ShapeOptions {
  double first_fault_s = 0;
  double warmup_s = 5;
  double band_relative = 0.10;
  double band_absolute = 10;  // messages, for message counts (DESIGN §6); 0 for other metrics
};

SeriesShape shape(const Series& series, const ShapeOptions& options);

/// A tolerance: |error| ≤ max(relative × |observed|, absolute). Either part may be absent; an empty tolerance
/// checks nothing.
struct Tolerance {
  std::optional<double> relative;
  std::optional<double> absolute;
  [[nodiscard]] bool empty() const { return !relative && !absolute; }
  /// The allowed |error| for this observed value; empty for an empty tolerance.
  [[nodiscard]] std::optional<double> allowed(double observed) const;
  /// "±15 %", "±2 s", "±10 % or ±20 (larger)"; `unit` follows absolute parts.
  [[nodiscard]] std::string describe(const std::string& unit) const;
};

/// Parses "15%", "2s", "20", "10%,20" (either one, the larger applies). `seconds`: the absolute part is a
/// duration ("2s", "500ms") rather than a count. Throws std::invalid_argument.
Tolerance parse_tolerance(const std::string& text, bool seconds);

enum class Outcome { pass, fail, unchecked };
const char* outcome_name(Outcome o);

/// One figure compared: predicted against observed, with its tolerance and outcome. A value that does not
/// exist (a series that never drained, a target that never recovered) is empty: two empty values agree, one
/// empty value against a number fails.
struct Comparison {
  std::optional<double> predicted;
  std::optional<double> observed;
  std::optional<double> error;  // predicted − observed, when both exist
  Tolerance tolerance;
  Outcome outcome = Outcome::unchecked;
};

Comparison compare(std::optional<double> predicted, std::optional<double> observed, const Tolerance& tolerance);

}  // namespace faultline::validate
