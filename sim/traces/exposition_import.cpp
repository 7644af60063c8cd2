// OpenMetrics 1.0 and the Prometheus text format 0.0.4, with timestamps on every sample.
// OpenMetrics timestamps are seconds (a decimal), Prometheus text timestamps integer
// milliseconds; a file whose last non-blank line is "# EOF" is OpenMetrics.
#include <map>

#include "sim/scenario/input_error.hpp"
#include "sim/traces/number_text.hpp"
#include "sim/traces/trace_import.hpp"

namespace faultline::sim::traces {

namespace {

std::vector<std::pair<int, std::string_view>> split_lines(std::string_view text) {
  std::vector<std::pair<int, std::string_view>> out;
  size_t start = 0;
  int line = 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.emplace_back(line++, l);
    start = end + 1;
  }
  return out;
}

bool blank(std::string_view l) { return l.find_first_not_of(" \t") == std::string_view::npos; }

struct Family {
  SeriesKind kind;
  std::string type;
};

class ExpositionReader {
 public:
  ExpositionReader(std::string_view text, const std::string& file, TraceFormat format)
      : text_(text), file_(file), format_(format) {}

  Trace read() {
    const auto lines = split_lines(text_);
    if (format_ == TraceFormat::automatic) {
      format_ = TraceFormat::prometheus_text;
      for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        if (blank(it->second)) continue;
        if (it->second == "# EOF") format_ = TraceFormat::openmetrics;
        break;
      }
    }
    openmetrics_ = format_ == TraceFormat::openmetrics;
    trace_.file = file_;
    trace_.format = format_;
    bool eof = false;
    for (const auto& [no, line] : lines) {
      if (eof) {
        if (blank(line)) {
          skip(no, "blank line after # EOF");
          continue;
        }
        fail(no, "text after \"# EOF\" (OpenMetrics ends there)");
      }
      if (blank(line)) {
        skip(no, "blank line");
        continue;
      }
      if (line[0] == '#') {
        eof = comment(no, line);
        continue;
      }
      sample(no, line);
    }
    if (openmetrics_ && !eof) fail(static_cast<int>(lines.size()), "an OpenMetrics file must end with \"# EOF\"");
    if (trace_.store.empty()) fail(0, "no samples found");
    return std::move(trace_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& msg) const { throw InputError(file_, "", line, msg); }

  void skip(int line, const std::string& reason) {
    for (Skip& s : trace_.skipped)
      if (s.reason == reason) {
        ++s.count;
        return;
      }
    trace_.skipped.push_back({reason, 1, line, ""});
  }

  // Returns true at "# EOF".
  bool comment(int no, std::string_view line) {
    if (line == "# EOF") {
      if (!openmetrics_) fail(no, "\"# EOF\" before the end of the file");
      return true;
    }
    auto word_at = [&](size_t& pos) {
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
      const size_t start = pos;
      while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') ++pos;
      return std::string(line.substr(start, pos - start));
    };
    size_t pos = 1;
    const std::string keyword = word_at(pos);
    if (keyword != "TYPE" && keyword != "HELP" && keyword != "UNIT") {
      skip(no, "comment line");
      return false;
    }
    const std::string name = word_at(pos);
    if (name.empty()) fail(no, "expected a metric name after \"# " + keyword + "\"");
    if (keyword != "TYPE") return false;  // HELP and UNIT carry no samples
    const std::string type = word_at(pos);
    static const std::map<std::string, SeriesKind> om = {
        {"counter", SeriesKind::counter},     {"gauge", SeriesKind::gauge},         {"histogram", SeriesKind::histogram},
        {"gaugehistogram", SeriesKind::gauge}, {"summary", SeriesKind::summary},     {"info", SeriesKind::gauge},
        {"stateset", SeriesKind::gauge},       {"unknown", SeriesKind::unknown}};
    static const std::map<std::string, SeriesKind> prom = {{"counter", SeriesKind::counter},
                                                           {"gauge", SeriesKind::gauge},
                                                           {"histogram", SeriesKind::histogram},
                                                           {"summary", SeriesKind::summary},
                                                           {"untyped", SeriesKind::unknown}};
    const auto& types = openmetrics_ ? om : prom;
    auto it = types.find(type);
    if (it == types.end()) {
      std::string list;
      for (const auto& [k, v] : types) list += (list.empty() ? "" : ", ") + k;
      fail(no, "unknown metric type \"" + type + "\" for " + name + " (expected one of " + list + ")");
    }
    if (!word_at(pos).empty()) fail(no, "unexpected text after the metric type");
    if (!families_.emplace(name, Family{it->second, type}).second)
      fail(no, "a second TYPE line for the metric family " + name);
    return false;
  }

  // The family a sample name belongs to, by the suffixes each type allows.
  SeriesKind kind_of(const std::string& name) const {
    auto exact = families_.find(name);
    if (exact != families_.end() && (!openmetrics_ || exact->second.kind == SeriesKind::gauge ||
                                     exact->second.kind == SeriesKind::unknown))
      return exact->second.kind;
    static const std::pair<const char*, const char*> suffixes[] = {
        {"_total", "counter"},        {"_created", "counter"},      {"_bucket", "histogram"},   {"_sum", "histogram"},
        {"_count", "histogram"},      {"_created", "histogram"},    {"_sum", "summary"},        {"_count", "summary"},
        {"_created", "summary"},      {"_bucket", "gaugehistogram"}, {"_gsum", "gaugehistogram"}, {"_gcount", "gaugehistogram"},
        {"_info", "info"}};
    for (const auto& [suffix, type] : suffixes) {
      const std::string s = suffix;
      if (name.size() <= s.size() || name.compare(name.size() - s.size(), s.size(), s) != 0) continue;
      auto it = families_.find(name.substr(0, name.size() - s.size()));
      if (it != families_.end() && it->second.type == type) return it->second.kind;
    }
    if (exact != families_.end()) return exact->second.kind;
    return SeriesKind::unknown;
  }

  void sample(int no, std::string_view line) {
    size_t pos = 0;
    Labels labels;
    std::string err;
    if (!parse_series_prefix(line, pos, labels, err))
      fail(no, err + " (column " + std::to_string(pos + 1) + ")");
    auto field = [&](size_t& p) {
      while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
      const size_t start = p;
      while (p < line.size() && line[p] != ' ' && line[p] != '\t') ++p;
      return line.substr(start, p - start);
    };
    if (pos < line.size() && line[pos] != ' ' && line[pos] != '\t')
      fail(no, "expected a space after the series name and labels (column " + std::to_string(pos + 1) + ")");
    const std::string_view value_text = field(pos);
    if (value_text.empty()) fail(no, "expected a sample value after " + format_series_identity(labels));
    const auto value = parse_sample_value(value_text);
    if (!value) fail(no, "invalid sample value \"" + std::string(value_text) + "\"");
    const std::string_view ts_text = field(pos);
    if (ts_text.empty() || ts_text == "#")
      fail(no, std::string("expected a timestamp after the value: a trace needs one on every sample (") +
                   (openmetrics_ ? "OpenMetrics: unix seconds" : "Prometheus text: unix milliseconds") + ")");
    std::optional<int64_t> t;
    if (openmetrics_) {
      t = parse_decimal_time(ts_text, 1'000'000'000);
    } else {
      if (ts_text.find_first_of(".eE") != std::string_view::npos)
        fail(no, "a Prometheus text timestamp is an integer number of milliseconds, got \"" + std::string(ts_text) +
                     "\" (a file whose last line is \"# EOF\" is read as OpenMetrics, with seconds)");
      t = parse_decimal_time(ts_text, 1'000'000);
    }
    if (!t) fail(no, "invalid timestamp \"" + std::string(ts_text) + "\"");
    const std::string_view rest = field(pos);
    if (!rest.empty()) {
      if (!openmetrics_ || rest != "#") fail(no, "unexpected text after the timestamp: \"" + std::string(rest) + "\"");
      skip(no, "exemplar (dropped)");
    }
    const std::string name = labels.count("__name__") != 0 ? labels.at("__name__") : std::string();
    if (name.empty()) fail(no, "a sample needs a metric name");
    if (trace_.store.add_sample(labels, *t, *value) != SeriesStore::AddResult::added)
      fail(no, "a second sample of " + format_series_identity(labels) + " at the same timestamp");
    const SeriesKind kind = kind_of(name);
    if (kind != SeriesKind::unknown) trace_.store.set_kind(labels, kind);
  }

  std::string_view text_;
  const std::string& file_;
  TraceFormat format_;
  bool openmetrics_ = false;
  std::map<std::string, Family> families_;
  Trace trace_;
};

}  // namespace

Trace parse_exposition(std::string_view text, const std::string& file, TraceFormat format) {
  if (format != TraceFormat::automatic && format != TraceFormat::openmetrics && format != TraceFormat::prometheus_text)
    throw std::invalid_argument("parse_exposition: the format must be openmetrics, prometheus_text or automatic");
  return ExpositionReader(text, file, format).read();
}

}  // namespace faultline::sim::traces
