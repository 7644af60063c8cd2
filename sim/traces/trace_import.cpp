#include "sim/traces/trace_import.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/core/rfc3339.hpp"
#include "sim/scenario/input_error.hpp"

namespace faultline::sim::traces {

std::string_view trace_format_name(TraceFormat f) {
  switch (f) {
    case TraceFormat::automatic: return "automatic";
    case TraceFormat::query_range_json: return "query_range JSON";
    case TraceFormat::openmetrics: return "OpenMetrics";
    case TraceFormat::prometheus_text: return "Prometheus text";
    case TraceFormat::csv: return "CSV";
  }
  return "?";
}

namespace {
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

TraceFormat detect_trace_format(const std::string& path, std::string_view text) {
  if (ends_with(path, ".json")) return TraceFormat::query_range_json;
  if (ends_with(path, ".csv")) return TraceFormat::csv;
  if (ends_with(path, ".om") || ends_with(path, ".prom") || ends_with(path, ".txt") || ends_with(path, ".openmetrics"))
    return TraceFormat::automatic;  // parse_exposition decides between OpenMetrics and Prometheus text
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return TraceFormat::automatic;
  if (text[first] == '{') return TraceFormat::query_range_json;
  std::string_view head = text.substr(first);
  head = head.substr(0, head.find('\n'));
  if (head.rfind("time", 0) == 0 && head.find(',') != std::string_view::npos) return TraceFormat::csv;
  return TraceFormat::automatic;
}

Trace parse_trace(std::string_view text, const std::string& file, TraceFormat format) {
  if (format == TraceFormat::automatic) format = detect_trace_format(file, text);
  switch (format) {
    case TraceFormat::query_range_json: return parse_query_range_json(text, file);
    case TraceFormat::csv: return parse_trace_csv(text, file);
    default: return parse_exposition(text, file, format);
  }
}

Trace import_trace(const std::string& path, TraceFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", 0, std::string("cannot read the trace: ") + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_trace(buf.str(), path, format);
}

std::string Trace::report() const {
  std::string out = file + ": " + std::string(trace_format_name(format)) + ", " + std::to_string(store.size()) +
                    " series, " + std::to_string(store.sample_count()) + " samples";
  if (auto a = store.first_time(), b = store.last_time(); a && b)
    out += ", " + format_rfc3339(*a) + " to " + format_rfc3339(*b);
  if (!queries.empty()) out += ", " + std::to_string(queries.size()) + " queries";
  out += "\n";
  for (const Skip& s : skipped) {
    out += "  skipped " + std::to_string(s.count) + " × " + s.reason + " (first at ";
    out += s.first_pointer.empty() && s.first_line > 0 ? "line " + std::to_string(s.first_line) : s.first_pointer;
    out += ")\n";
  }
  return out;
}

}  // namespace faultline::sim::traces
