#include "sim/output/run_outputs.hpp"

#include <filesystem>
#include <stdexcept>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_runner.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/number_format.hpp"

namespace faultline::sim {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string labels_text(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += k + "=\"" + escape_label_value(v) + "\"";
  }
  return out + "}";
}

std::string timestamp(int64_t start_epoch_ns, int64_t sim_ns) { return format_unix_seconds(start_epoch_ns + sim_ns); }

}  // namespace

std::string render_series_csv(const Recorder& recorder, int64_t start_epoch_ns) {
  const auto series = recorder.series();
  const auto& times = recorder.scrape_times_ns();
  std::string out = "time_s,time";
  for (const auto& s : series) out += "," + csv_field(s.identity());
  out += "\n";
  for (size_t row = 0; row < times.size(); ++row) {
    out += format_seconds(times[row]) + "," + format_rfc3339(start_epoch_ns + times[row]);
    for (const auto& s : series) {
      out += ",";
      if (row >= s.first_sample) out += format_prometheus_float((*s.values)[row - s.first_sample]);
    }
    out += "\n";
  }
  return out;
}

std::string render_openmetrics(const Recorder& recorder, int64_t start_epoch_ns) {
  const auto series = recorder.series();
  const auto& times = recorder.scrape_times_ns();
  std::string out;
  size_t i = 0;
  while (i < series.size()) {
    const std::string& family = series[i].family;
    const MetricType type = series[i].type;
    // OpenMetrics names a counter family without its _total suffix.
    const std::string fam_name = type == MetricType::counter ? family.substr(0, family.size() - 6) : family;
    out += "# TYPE " + fam_name + " " + std::string(metric_type_name(type)) + "\n";
    const std::string help = recorder.help(family);
    if (!help.empty()) out += "# HELP " + fam_name + " " + escape_help(help) + "\n";
    size_t j = i;
    while (j < series.size() && series[j].family == family) ++j;
    if (type != MetricType::histogram) {
      for (size_t k = i; k < j; ++k) {
        const SeriesView& s = series[k];
        const std::string prefix = s.name + labels_text(s.labels) + " ";
        for (size_t n = 0; n < s.values->size(); ++n)
          out += prefix + format_prometheus_float((*s.values)[n]) + " " +
                 timestamp(start_epoch_ns, times[s.first_sample + n]) + "\n";
      }
    } else {
      // A histogram's MetricPoint is all of its buckets, _sum and _count at one timestamp.
      size_t k = i;
      while (k < j) {
        Labels base = series[k].labels;
        base.erase("le");
        size_t m = k;
        while (m < j) {
          Labels l = series[m].labels;
          l.erase("le");
          if (l != base) break;
          ++m;
        }
        const size_t n_points = series[k].values->size();
        for (size_t n = 0; n < n_points; ++n) {
          const std::string ts = timestamp(start_epoch_ns, times[series[k].first_sample + n]);
          for (size_t q = k; q < m; ++q)
            out += series[q].name + labels_text(series[q].labels) + " " + format_prometheus_float((*series[q].values)[n]) +
                   " " + ts + "\n";
        }
        k = m;
      }
    }
    i = j;
  }
  return out + "# EOF\n";
}

std::string render_query_range(const Recorder& recorder, int64_t start_epoch_ns) {
  const auto series = recorder.series();
  const auto& times = recorder.scrape_times_ns();
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[";
  for (size_t i = 0; i < series.size(); ++i) {
    const SeriesView& s = series[i];
    nlohmann::ordered_json metric;
    metric["__name__"] = s.name;
    for (const auto& [k, v] : s.labels) metric[k] = v;
    out += (i == 0 ? "" : ",") + std::string("{\"metric\":") + metric.dump() + ",\"values\":[";
    for (size_t n = 0; n < s.values->size(); ++n) {
      out += (n == 0 ? "[" : ",[") + timestamp(start_epoch_ns, times[s.first_sample + n]) + ",\"" +
             format_fixed_float((*s.values)[n]) + "\"]";
    }
    out += "]}";
  }
  return out + "]}}\n";
}

void write_run_outputs(const ScenarioRun& run, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the output folder " + dir + ": " + ec.message());
  const auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  const Simulation& sim = run.sim();
  const Recorder& rec = sim.recorder();
  const int64_t start = run.scenario().start_epoch_ns;
  write_file_atomically(path("summary.json"), run.summary().dump(2) + "\n");
  write_file_atomically(path("timing.json"), run.timing_json().dump(2) + "\n");
  write_file_atomically(path("series.csv"), render_series_csv(rec, start));
  write_file_atomically(path("metrics.om"), render_openmetrics(rec, start));
  write_file_atomically(path("query_range.json"), render_query_range(rec, start));
  std::string events;
  for (const auto& line : sim.events().lines()) events += line + "\n";
  write_file_atomically(path("events.jsonl"), events);
  std::string faults;
  for (const Fault& f : run.faults().timeline()) {
    // Cancelled by an abort before it started: never applied (summary.json lists it).
    if (run.faults().aborted(f.id) && !run.faults().started(f.id)) continue;
    Fault with = f;
    with.recovered = run.faults().recovered(f.id);
    faults += fault_to_json(with).dump() + "\n";
  }
  write_file_atomically(path("faults.jsonl"), faults);
  write_file_atomically(path("scenario.resolved.json"), run.scenario().to_json().dump(2) + "\n");
  if (run.experiment() != nullptr)
    write_file_atomically(path("journal.json"), run.experiment()->journal().dump(2) + "\n");
}

}  // namespace faultline::sim
