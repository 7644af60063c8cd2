// Observed traces of live runs into a SeriesStore: Prometheus query_range JSON, OpenMetrics or
// Prometheus text exposition with timestamps, and CSV (faultline's own series.csv included).
// Malformed input throws InputError with the file, the line or JSON pointer, and what was
// expected. Lines that carry no data by the format's definition (comments, blank lines,
// exemplars, native histograms) are skipped, counted and reported in Trace::skipped; nothing
// else is ignored. The rules are in sim/traces/README.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/series/series_store.hpp"

namespace faultline::sim::traces {

enum class TraceFormat { automatic, query_range_json, openmetrics, prometheus_text, csv };
std::string_view trace_format_name(TraceFormat f);

/// Input that was skipped on purpose, grouped by reason.
struct Skip {
  std::string reason;
  size_t count = 0;
  int first_line = 0;         // 1-based, 0 for JSON
  std::string first_pointer;  // JSON pointer, "" for text
};

struct Trace {
  std::string file;
  TraceFormat format = TraceFormat::automatic;
  SeriesStore store;
  /// query_range files that map query strings to responses: the queries, in file order.
  std::vector<std::string> queries;
  std::vector<Skip> skipped;

  /// Human-readable summary: format, series, samples, time span, and every skip.
  [[nodiscard]] std::string report() const;
};

/// Reads a file; the format comes from `format`, else from the extension (.json; .csv;
/// .om/.prom/.txt/.openmetrics), else from the content.
Trace import_trace(const std::string& path, TraceFormat format = TraceFormat::automatic);
/// The same on text already in memory; `file` names it in errors.
Trace parse_trace(std::string_view text, const std::string& file, TraceFormat format = TraceFormat::automatic);

/// One query_range (or instant query) response, or an object mapping query strings to responses.
/// A series without "__name__" in a multi-query file gets the label "__query__" holding its query,
/// so that results of different queries stay apart.
Trace parse_query_range_json(std::string_view text, const std::string& file);

/// OpenMetrics (timestamps in seconds, ends with "# EOF") or Prometheus text (timestamps in
/// integer milliseconds). `automatic` picks OpenMetrics exactly when the last non-blank line is
/// "# EOF". Every sample must carry a timestamp.
Trace parse_exposition(std::string_view text, const std::string& file, TraceFormat format = TraceFormat::automatic);

/// CSV with a header: a "time" column (RFC 3339 or unix seconds) and one column per series named
/// like `name{label="v"}`; a "time_s" column (faultline's seconds since start) is ignored when
/// "time" is present. Empty cells are gaps.
Trace parse_trace_csv(std::string_view text, const std::string& file);

/// The format `import_trace` would pick for this path and content.
TraceFormat detect_trace_format(const std::string& path, std::string_view text);

}  // namespace faultline::sim::traces
