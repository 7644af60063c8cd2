#include "sim/validate/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "sim/core/rfc3339.hpp"
#include "sim/output/number_format.hpp"
#include "sim/promql/promql.hpp"
#include "sim/run/scenario_run.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/series/series_store.hpp"
#include "sim/traces/exporter_mapping.hpp"
#include "sim/validate/record.hpp"
#include "sim/validate/validate.hpp"

namespace faultline::validate {

using sim::InputError;
using sim::Json;

namespace {

/// Four significant digits: overlay values a person reads.
double round4(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return std::strtod(buf, nullptr);
}

std::string duration_text(double seconds) {
  if (seconds != 0 && std::abs(seconds) < 1) return sim::format_prometheus_float(round4(seconds * 1000)) + "ms";
  return sim::format_prometheus_float(round4(seconds)) + "s";
}

struct Sampled {
  std::vector<double> t;  // seconds from the time zero
  std::vector<double> y;
};

/// A range query over the observed store, summed into one series.
Sampled query_sum(const sim::SeriesStore& store, const std::string& query, int64_t from_ns, int64_t to_ns,
                  int64_t step_ns, int64_t zero_ns) {
  sim::promql::EvalOptions eo;
  eo.lookback_ns = step_ns;
  const sim::promql::QueryResult r = sim::promql::range_query(store, query, from_ns, to_ns, step_ns, eo);
  Sampled s;
  if (r.matrix.empty()) return s;
  for (const sim::promql::Point& p : r.matrix.front().points) {
    if (!std::isfinite(p.value)) continue;
    s.t.push_back(static_cast<double>(p.t_ns - zero_ns) / 1e9);
    s.y.push_back(p.value);
  }
  return s;
}

/// Undoes counter resets (a node restart sets its counter back to 0), as PromQL's rate does.
void undo_resets(Sampled& s) {
  double offset = 0;
  for (size_t i = 1; i < s.y.size(); ++i) {
    const double raw = s.y[i] + offset;
    if (raw < s.y[i - 1]) offset += s.y[i - 1] - raw;
    s.y[i] += offset;
  }
}

std::string render_value(const Json& v) { return v.dump(); }

/// Moves x (from its value, not below `floor`) until measure(x) is within `tolerance` of `target`, by secant
/// steps starting with slope 1. Returns the last measurement at the final x, or empty when the measure has
/// none.
std::optional<double> secant(double& x, double target, double floor, double tolerance,
                             const std::function<std::optional<double>(double)>& measure) {
  std::optional<double> y = measure(x);
  double slope = 1;
  for (int iteration = 0; iteration < 8 && y; ++iteration) {
    if (std::abs(target - *y) <= tolerance) break;
    const double next = std::max(floor, x + (target - *y) / slope);
    if (next == x) break;  // held at the floor
    const std::optional<double> y_next = measure(next);
    if (!y_next) return y_next;
    const double s = (*y_next - *y) / (next - x);
    slope = s > 0.1 ? s : 1;
    x = next;
    y = y_next;
  }
  return y;
}

}  // namespace

LeastSquares least_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  LeastSquares out;
  out.beta = x.colPivHouseholderQr().solve(y);
  const Eigen::VectorXd r = x * out.beta - y;
  out.residual_rms = y.size() > 0 ? std::sqrt(r.squaredNorm() / static_cast<double>(y.size())) : 0.0;
  return out;
}

std::string Calibration::render_overlay() const {
  std::string s;
  s += "# Scenario overlay written by `faultline calibrate` "
       "(sim/validate/calibrate.hpp).\n";
  s += "# Apply it with --overlay FILE on run, replay, validate, check or "
       "graph; --set still overrides it.\n";
  s += "faultline_overlay: 1\n";
  s += "scenario: " + Json(scenario).dump() + "\n";
  s += "description: " + Json(description).dump() + "\n";
  s += "set:\n";
  if (sets.empty()) s += "  {}\n";
  for (const auto& [path, value] : sets) s += "  " + path + ": " + render_value(value) + "\n";
  s += "fits:\n";
  if (fits.empty()) s += "  []\n";
  for (const Fit& f : fits) {
    s += "  - name: " + Json(f.name).dump() + "\n";
    s += "    value: " + sim::format_prometheus_float(round4(f.value)) + "\n";
    s += "    unit: " + Json(f.unit).dump() + "\n";
    s += "    samples: " + std::to_string(f.samples) + "\n";
    s += "    residual_rms: " + sim::format_prometheus_float(round4(f.residual_rms)) + "\n";
    s += "    method: " + Json(f.method).dump() + "\n";
    if (!f.sets.empty()) {
      s += "    sets: [";
      for (size_t i = 0; i < f.sets.size(); ++i) s += (i ? ", " : "") + Json(f.sets[i]).dump();
      s += "]\n";
    }
    if (!f.note.empty()) s += "    note: " + Json(f.note).dump() + "\n";
  }
  if (!notes.empty()) {
    s += "# notes:\n";
    for (const std::string& n : notes) s += "#   " + n + "\n";
  }
  return s;
}

Calibration run_calibration(const CalibrateOptions& o, const sim::ModelRegistry& registry) {
  sim::ResolveOptions ro;
  ro.experiment = o.experiment;
  ro.sets = o.sets;
  const sim::ResolvedScenario sc = sim::resolve_scenario(sim::load_document(o.scenario), registry, ro);
  Calibration cal;
  cal.scenario = sc.name;

  sim::importers::ImportOptions io;
  if (o.start_time) {
    io.start_epoch_ns = sim::parse_rfc3339(*o.start_time);
    if (!io.start_epoch_ns)
      throw InputError("--start-time", "", 0,
                       "expected an RFC 3339 time such as 2026-01-01T00:00:00Z, got \"" + *o.start_time + "\"");
  }
  // Each record is read on its own, so that the records of several runs give restart gaps together. With as
  // many records as traces (more than one), record k and trace k are one run and the fits pool every run's
  // steady stretch; otherwise the traces are merged into one run whose time zero is the first record's.
  std::vector<Records> recs;
  for (const std::string& path : o.records) recs.push_back(read_records(sc, {path}, io));
  const bool paired = o.records.size() > 1 && o.records.size() == o.observed.size();
  std::vector<std::pair<std::vector<std::string>, const Records*>> groups;
  if (paired) {
    for (size_t k = 0; k < o.records.size(); ++k) groups.push_back({{o.observed[k]}, &recs[k]});
  } else {
    groups.push_back({o.observed, recs.empty() ? nullptr : &recs.front()});
  }

  std::optional<std::pair<double, double>> steady;
  if (o.steady) {
    const size_t dots = o.steady->find("..");
    const auto part = [&](const std::string& text) {
      try {
        return sim::parse_duration(text).seconds();
      } catch (const std::exception&) {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v))
          throw InputError("--steady", "", 0,
                           "expected FROM..TO in seconds or durations (e.g. "
                           "5..30 or 5s..30s), got \"" +
                               *o.steady + "\"");
        return v;
      }
    };
    if (dots == std::string::npos)
      throw InputError("--steady", "", 0, "expected FROM..TO (e.g. 5s..30s), got \"" + *o.steady + "\"");
    steady = std::make_pair(part(o.steady->substr(0, dots)), part(o.steady->substr(dots + 2)));
  }

  const sim::traces::MappingTable table = sim::traces::MappingTable::builtin();
  struct RunSamples {
    std::optional<Sampled> received, delivered, confirmed;
    std::vector<double> backlog;
  };
  std::vector<RunSamples> runs;
  std::vector<std::string> files;
  double from_s = 0, to_s = 0;
  for (const auto& [paths, record] : groups) {
    const sim::SeriesStore observed = load_observed(paths, &files);
    std::optional<int64_t> zero_at = record != nullptr ? record->start_epoch_ns : std::nullopt;
    if (io.start_epoch_ns && !paired) zero_at = io.start_epoch_ns;
    if (!zero_at && paired)
      throw InputError(o.records[runs.size()], "", 0,
                       "the record carries no wall-clock time: its trace cannot be placed");
    const int64_t zero = zero_at ? *zero_at : *observed.first_time();
    const double trace_end_s = static_cast<double>(*observed.last_time() - zero) / 1e9;
    from_s = steady ? steady->first : 5;
    to_s = steady ? steady->second : (record != nullptr ? record->first_fault_s().value_or(trace_end_s) : trace_end_s);
    if (!(to_s > from_s))
      throw InputError(o.steady ? "--steady" : paths.front(), "", 0,
                       "the steady stretch " + sim::format_prometheus_float(from_s) + ".." +
                           sim::format_prometheus_float(to_s) +
                           " s is empty: the first fault comes before 5 s; "
                           "give --steady FROM..TO");
    sim::traces::MappedTrace mapped;
    try {
      mapped = sim::traces::map_trace(observed, table);
    } catch (const sim::promql::QueryError& e) {
      throw InputError(paths.front(), "", 0, std::string("cannot map the observed series: ") + e.what());
    }
    const int64_t step = mapped.step_ns;
    const int64_t from_ns = zero + static_cast<int64_t>(std::llround(from_s * 1e9));
    const int64_t to_ns = zero + static_cast<int64_t>(std::llround(to_s * 1e9));
    const auto counter = [&](const std::string& target) -> std::optional<Sampled> {
      for (const sim::traces::MappedMetric& m : mapped.metrics) {
        if (m.target != target) continue;
        Sampled smp = query_sum(observed, "sum(" + table.rules()[m.rule].select + ")", from_ns, to_ns, step, zero);
        if (smp.y.size() < 3) return std::nullopt;
        undo_resets(smp);
        return smp;
      }
      return std::nullopt;
    };
    RunSamples r;
    r.received = counter("rabbitmq_global_messages_received_total");
    r.delivered = counter("rabbitmq_global_messages_delivered_total");
    r.confirmed = counter("rabbitmq_global_messages_confirmed_total");
    std::map<int64_t, double> sum;
    for (const sim::StoredSeries& st : mapped.store.series()) {
      if (st.name() != "rabbitmq_queue_messages_ready" && st.name() != "rabbitmq_queue_messages_unacked") continue;
      for (const sim::SeriesSample& p : st.samples)
        if (p.t_ns >= from_ns && p.t_ns <= to_ns && std::isfinite(p.value)) sum[p.t_ns] += p.value;
    }
    for (const auto& [t, v] : sum) r.backlog.push_back(v);
    runs.push_back(std::move(r));
  }
  cal.steady_from_s = from_s;
  cal.steady_to_s = to_s;

  // The scenario with the overlay so far, run without faults or with one recorded fault.
  const auto set_value = [&](const std::string& path, const Json& value) {
    for (auto& [p, v] : cal.sets)
      if (p == path) v = value;
  };
  const auto current = [&](const std::string& path) {
    for (const auto& [p, v] : cal.sets)
      if (p == path) return v;
    return Json();
  };
  const auto inner_run = [&](std::vector<sim::Fault> faults, double until_s, bool fine_scrapes) {
    sim::RunOptions ropt;
    ropt.experiment = o.experiment;
    ropt.sets = o.sets;
    for (const auto& [p, v] : cal.sets) ropt.sets.push_back(p + "=" + v.dump());
    if (fine_scrapes) ropt.sets.push_back("scrape_interval=100ms");
    ropt.until = sim::Duration::from_seconds(until_s);
    ropt.recorded_faults = std::move(faults);
    auto run = std::make_unique<sim::ScenarioRun>(sim::resolve_scenario(sim::load_document(o.scenario), registry, ropt),
                                                  registry, ropt);
    run->run();
    return run;
  };

  /// One common slope over the runs' counters, each run with its own intercept.
  const auto slope = [](const std::vector<const Sampled*>& parts) {
    Eigen::Index rows = 0;
    for (const Sampled* p : parts) rows += static_cast<Eigen::Index>(p->t.size());
    const auto k = static_cast<Eigen::Index>(parts.size());
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(rows, k + 1);
    Eigen::VectorXd y(rows);
    Eigen::Index i = 0;
    for (Eigen::Index run = 0; run < k; ++run)
      for (size_t j = 0; j < parts[static_cast<size_t>(run)]->t.size(); ++j, ++i) {
        x(i, run) = 1;
        x(i, k) = parts[static_cast<size_t>(run)]->t[j];
        y(i) = parts[static_cast<size_t>(run)]->y[j];
      }
    const LeastSquares ls = least_squares(x, y);
    return std::make_pair(ls.beta(k), ls);
  };
  /// Little's law L = r·W as a one-column least-squares problem.
  const auto little = [](const std::vector<double>& level, double rate) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(level.size()), 1, rate);
    Eigen::VectorXd y(static_cast<Eigen::Index>(level.size()));
    for (size_t i = 0; i < level.size(); ++i) y(static_cast<Eigen::Index>(i)) = level[i];
    return least_squares(x, y);
  };
  const auto gather = [&](std::optional<Sampled> RunSamples::*member) {
    std::vector<const Sampled*> parts;
    for (const RunSamples& r : runs)
      if (r.*member) parts.push_back(&*(r.*member));
    return parts;
  };
  const auto count = [](const std::vector<const Sampled*>& parts) {
    size_t n = 0;
    for (const Sampled* p : parts) n += p->t.size();
    return n;
  };

  const std::string stretch =
      " over " + sim::format_prometheus_float(from_s) + ".." + sim::format_prometheus_float(to_s) + " s" +
      (runs.size() > 1 ? " of " + std::to_string(runs.size()) + " runs (one intercept each)" : "");
  std::optional<double> arrival, throughput;
  const std::vector<const Sampled*> received = gather(&RunSamples::received);
  const std::vector<const Sampled*> delivered = gather(&RunSamples::delivered);
  std::vector<double> backlog;
  for (const RunSamples& r : runs) backlog.insert(backlog.end(), r.backlog.begin(), r.backlog.end());

  // ---- arrival rate → the producers
  if (!received.empty()) {
    const auto [rate, ls] = slope(received);
    arrival = rate;
    Fit f{"arrival_rate",
          *arrival,
          "messages/s",
          count(received),
          ls.residual_rms,
          "least squares received(t) = a + r·t" + stretch +
              " (rabbitmq_global_messages_received_total, summed over nodes)",
          {},
          ""};
    uint64_t pods = 0;
    for (const sim::ComponentInstance& i : sc.instances)
      if (i.kind == "producer" && i.present) ++pods;
    for (const sim::ComponentEntry& e : sc.components) {
      if (e.kind->name != "producer") continue;
      if (e.params.contains("stages") && e.params["stages"].is_array() && !e.params["stages"].empty()) {
        cal.notes.push_back("producer " + e.name + " ramps through stages: its rate is not set");
        continue;
      }
      const std::string path = "components." + e.name + ".rate";
      const Json v = sim::format_prometheus_float(round4(*arrival / static_cast<double>(pods))) + "/s";
      cal.sets.emplace_back(path, v);
      f.sets.push_back(path);
    }
    if (pods > 1) f.note = "split evenly over " + std::to_string(pods) + " producer pods";
    cal.fits.push_back(f);
  } else {
    cal.notes.push_back(
        "no received counter (rabbitmq_global_messages_received_total) in the "
        "steady stretch: no arrival rate");
  }

  // ---- confirm latency → the brokers' confirm path. Per-message ground truth gives it per queue; without
  // it, Little's law on the global counters gives one latency for every queue, valid only when both counters
  // started together (a fresh broker, a simulated trace).
  std::map<std::string, std::vector<double>> per_queue;
  for (const Records& r : recs) {
    const double lo = steady ? steady->first : 5;
    const double hi = steady ? steady->second : r.first_fault_s().value_or(std::numeric_limits<double>::infinity());
    for (const auto& [queue, c] : r.confirms)
      for (size_t i = 0; i < c.published_s.size(); ++i)
        if (c.published_s[i] >= lo && c.published_s[i] < hi) per_queue[queue].push_back(c.latency_s[i]);
  }
  const auto queue_type = [&](const sim::ComponentEntry& e, const std::string& name) -> std::string {
    if (!e.params.contains("queues")) return "";
    for (const Json& q : e.params["queues"])
      if (q.value("name", std::string()) == name) return q.value("type", std::string("classic"));
    return "";
  };
  const auto set_confirm_path = [&](Fit& f, const std::string& broker, const std::string& type, double wc) {
    if (type == "quorum") {
      const std::string path = "components." + broker + ".commit_latency";
      cal.sets.emplace_back(path, duration_text(wc));
      f.sets.push_back(path);
      f.note =
          "a quorum queue confirms after the commit to a majority "
          "(R-QQ7): commit_latency = Wc";
    } else if (type == "classic") {
      const std::string path = "components." + broker + ".fsync_interval";
      cal.sets.emplace_back(path, duration_text(2 * wc));
      f.sets.push_back(path);
      f.note =
          "a persistent message waits half an fsync interval on average "
          "(R-CQ4): fsync_interval = 2·Wc";
    } else {
      f.note = type + " queues: no confirm parameter is set from one latency";
    }
  };
  if (!per_queue.empty()) {
    for (const auto& [queue, lat] : per_queue) {
      if (lat.size() < 3) continue;
      Eigen::MatrixXd x = Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(lat.size()), 1);
      Eigen::VectorXd y(static_cast<Eigen::Index>(lat.size()));
      for (size_t i = 0; i < lat.size(); ++i) y(static_cast<Eigen::Index>(i)) = lat[i];
      const LeastSquares ls = least_squares(x, y);
      const double wc = std::max(0.0, ls.beta(0));
      Fit f{"confirm_latency:" + queue,
            wc,
            "s",
            lat.size(),
            ls.residual_rms,
            "least squares of a constant over the per-message confirm "
            "latencies (t_confirm_s − t_pub_s) of the "
            "messages published in the steady stretches",
            {},
            ""};
      size_t brokers = 0;
      for (const sim::ComponentEntry& e : sc.components) {
        if (e.kind->name != "broker-cluster") continue;
        const std::string type = queue_type(e, queue);
        if (type.empty()) continue;
        ++brokers;
        set_confirm_path(f, e.name, type, wc);
      }
      if (brokers == 0) f.note = "no broker of the scenario has a queue " + queue + ": nothing set";
      cal.fits.push_back(f);
    }
  } else {
    std::vector<double> outstanding;
    for (const RunSamples& r : runs) {
      if (!r.received || !r.confirmed) continue;
      std::map<double, double> conf;
      for (size_t i = 0; i < r.confirmed->t.size(); ++i) conf[r.confirmed->t[i]] = r.confirmed->y[i];
      for (size_t i = 0; i < r.received->t.size(); ++i) {
        auto it = conf.find(r.received->t[i]);
        if (it != conf.end()) outstanding.push_back(std::max(0.0, r.received->y[i] - it->second));
      }
    }
    if (arrival && *arrival > 0 && outstanding.size() >= 3) {
      const LeastSquares ls = little(outstanding, *arrival);
      const double wc = std::max(0.0, ls.beta(0));
      Fit f{"confirm_latency",
            wc,
            "s",
            outstanding.size(),
            ls.residual_rms,
            "Little's law, least squares received(t) − confirmed(t) = r·Wc" + stretch +
                " (assumes both counters started together, as on a fresh broker)",
            {},
            ""};
      for (const sim::ComponentEntry& e : sc.components) {
        if (e.kind->name != "broker-cluster" || !e.params.contains("queues")) continue;
        std::set<std::string> types;
        for (const Json& q : e.params["queues"]) types.insert(q.value("type", std::string("classic")));
        if (types.size() == 1)
          set_confirm_path(f, e.name, *types.begin(), wc);
        else
          f.note = e.name +
                   " mixes queue types: one pair of global counters cannot "
                   "tell their confirm latencies "
                   "apart, so nothing is set (per-message ground truth can)";
      }
      cal.fits.push_back(f);
    } else {
      cal.notes.push_back(
          "no per-message ground truth and no received and "
          "confirmed counters: no confirm latency");
    }
  }

  // ---- consumer throughput and service time → the consumers
  if (!delivered.empty()) {
    const auto [rate, ls] = slope(delivered);
    throughput = rate;
    cal.fits.push_back({"consumer_throughput",
                        *throughput,
                        "messages/s",
                        count(delivered),
                        ls.residual_rms,
                        "least squares delivered(t) = a + r·t" + stretch +
                            " (rabbitmq_global_messages_delivered_total, summed over nodes)",
                        {},
                        ""});
  } else {
    cal.notes.push_back(
        "no delivered counter (rabbitmq_global_messages_delivered_total): no "
        "throughput or service time");
  }
  if (throughput && *throughput > 0 && backlog.size() >= 3) {
    const LeastSquares ls = little(backlog, *throughput);
    const double w = std::max(0.0, ls.beta(0));
    Fit f{"service_time",
          w,
          "s",
          backlog.size(),
          ls.residual_rms,
          "Little's law, least squares backlog(t) = r·W" + stretch +
              " (ready + unacked over the queues, r the throughput)",
          {},
          ""};
    std::string notes;
    for (const sim::ComponentEntry& e : sc.components) {
      if (e.kind->name != "consumer") continue;
      double write = 0;
      std::string subtracted;
      if (e.params.contains("writes_to") && e.params["writes_to"].is_string()) {
        const std::string db = e.params["writes_to"].get<std::string>();
        const sim::ComponentEntry* d = sc.entry(db.substr(0, db.find('.')));
        if (d != nullptr && d->params.contains("write_latency")) {
          write = sim::distribution_from_json(d->params["write_latency"]).mean();
          subtracted = " less " + d->name + "'s mean write latency " + duration_text(write);
        } else if (d != nullptr) {
          notes += (notes.empty() ? "" : "; ") + e.name + " writes to " + d->name + " (" + d->kind->name +
                   "), whose write latency is not subtracted";
        }
      }
      double processing = w - write;
      if (processing < 0) {
        notes += (notes.empty() ? "" : "; ") + e.name + ": the write latency exceeds W, processing set to 0";
        processing = 0;
      }
      const std::string path = "components." + e.name + ".processing_time";
      const bool exponential = e.params.contains("processing_time") && e.params["processing_time"].is_object() &&
                               e.params["processing_time"].value("dist", std::string()) == "exponential";
      Json v = exponential ? Json{{"dist", "exponential"}, {"mean", duration_text(processing)}}
                           : Json{{"dist", "constant"}, {"value", duration_text(processing)}};
      cal.sets.emplace_back(path, v);
      f.sets.push_back(path);
      if (!subtracted.empty()) notes += (notes.empty() ? "" : "; ") + e.name + ": W" + subtracted;
    }
    f.note = notes;
    // The model's own sojourn (its database, its network, its queueing) is measured on the same kind of
    // scrapes, and the processing time moved until the two agree (secant steps).
    const auto measure = [&]() -> std::optional<double> {
      const auto run = inner_run({}, to_s, true);
      const sim::SeriesStore st = sim::series_store_from_recorder(run->sim().recorder(), 0);
      std::map<int64_t, double> level;
      for (const sim::StoredSeries& series : st.series()) {
        if (series.name() != "rabbitmq_queue_messages_ready" && series.name() != "rabbitmq_queue_messages_unacked")
          continue;
        for (const sim::SeriesSample& p : series.samples)
          if (p.t_ns >= static_cast<int64_t>(from_s * 1e9) && p.t_ns <= static_cast<int64_t>(to_s * 1e9))
            level[p.t_ns] += p.value;
      }
      if (level.empty()) return std::nullopt;
      double sum = 0;
      for (const auto& [t, v] : level) sum += v;
      return sum / static_cast<double>(level.size()) / *throughput;
    };
    const auto processing_of = [&](const std::string& path) {
      const Json v = current(path);
      return sim::parse_duration(v[v.contains("mean") ? "mean" : "value"].get<std::string>()).seconds();
    };
    std::map<std::string, double> initial;
    for (const std::string& path : f.sets) initial[path] = processing_of(path);
    std::optional<double> w_model;
    if (!f.sets.empty()) {
      // x: the change of every consumer's processing time from its first guess.
      double x = 0;
      double lowest = 0;
      for (const auto& [path, v] : initial) lowest = std::min(lowest, -v);
      w_model = secant(x, w, lowest, 0.01 * w, [&](double delta) {
        for (const std::string& path : f.sets) {
          Json v = current(path);
          const bool exponential = v.contains("mean");
          // An exponential needs a mean > 0: 1 µs stands for "no processing".
          v[exponential ? "mean" : "value"] =
              duration_text(std::max(exponential ? 1e-6 : 0.0, initial.at(path) + delta));
          set_value(path, v);
        }
        return measure();
      });
    }
    if (w_model)
      f.note += std::string(f.note.empty() ? "" : "; ") + "processing set so that the model's own W, scraped every " +
                "100 ms, matches (" + duration_text(*w_model) + ")";
    cal.fits.push_back(f);
  } else if (throughput) {
    cal.notes.push_back(
        "no queue gauges (rabbitmq_queue_messages_ready/_unacked) in the "
        "steady stretch: no service time");
  }

  // ---- restart and rejoin times from the records' fault-to-recovery gaps → app_start
  std::map<std::string, std::vector<double>> gaps;  // component entry → gaps
  std::map<std::string, std::string> gap_kind;
  std::map<std::string, sim::Fault> example;  // component entry → one of its recorded faults
  size_t recorded_faults = 0;
  for (size_t k = 0; k < recs.size(); ++k) {
    // A target an operator restored (manual-restore) came back through the restoration, not by restarting:
    // its gap says nothing about restart times.
    std::set<std::string> restored;
    for (const RecordedFault& r : recs[k].faults)
      if (r.fault.kind == "manual-restore") restored.insert(r.fault.targets.begin(), r.fault.targets.end());
    recorded_faults += recs[k].faults.size();
    for (const RecordedFault& r : recs[k].faults) {
      const std::string& kind = r.fault.kind;
      if (!r.fault.recovered) continue;
      if (kind != "container-kill" && kind != "pod-kill" && kind != "pod-failure" && kind != "node-down") continue;
      bool by_restore = false;
      for (const std::string& t : r.fault.targets) by_restore = by_restore || restored.count(t) != 0;
      if (by_restore) {
        cal.notes.push_back(o.records[k] + ": " + kind + " at " +
                            sim::format_prometheus_float(r.fault.start.seconds()) +
                            " s recovered through a manual restore: not a restart time");
        continue;
      }
      double gap = r.fault.recovered->seconds() - r.fault.start.seconds();
      if ((kind == "pod-failure" || kind == "node-down") && r.fault.end)
        gap = r.fault.recovered->seconds() - r.fault.end->seconds();
      if ((kind == "container-kill" || kind == "pod-kill") && r.record_params.contains("restart_delay_s") &&
          r.record_params["restart_delay_s"].is_number())
        gap -= r.record_params["restart_delay_s"].get<double>();
      for (const std::string& t : r.fault.targets) {
        const std::string entry = t.substr(0, t.find('/'));
        gaps[entry].push_back(gap);
        if (example.count(entry) == 0) {
          sim::Fault one = r.fault;
          one.targets = {t};
          one.recovered.reset();
          one.id = 0;
          example.emplace(entry, one);
        }
        gap_kind[entry] = kind;
      }
    }
  }
  for (const auto& [entry, g] : gaps) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(g.size()), 1);
    Eigen::VectorXd y(static_cast<Eigen::Index>(g.size()));
    for (size_t i = 0; i < g.size(); ++i) y(static_cast<Eigen::Index>(i)) = g[i];
    const LeastSquares ls = least_squares(x, y);
    const double mean = ls.beta(0);
    Fit f{"restart:" + entry,
          mean,
          "s",
          g.size(),
          ls.residual_rms,
          "least squares of a constant over the fault-to-recovery gaps "
          "(recovered_s − start_s, less the record's "
          "restart_delay_s; for a pod-failure recovered_s − end_s)",
          {},
          ""};
    const sim::ComponentEntry* e = sc.entry(entry);
    bool declares = false;
    if (e != nullptr)
      for (const sim::ParamSpec& p : e->kind->params) declares = declares || p.name == "app_start";
    if (!declares) {
      f.note = "the component declares no app_start: nothing set";
      cal.fits.push_back(f);
      continue;
    }
    // First guess: the whole gap is the app's start; then the model's own restart of the same fault
    // (readiness probes, state transfer, ...) is measured and app_start shifted by the difference, until they
    // agree.
    const std::string path = "components." + entry + ".app_start";
    double app = mean;
    cal.sets.emplace_back(path, duration_text(app));
    f.sets.push_back(path);
    const sim::Fault& ex = example.at(entry);
    const double ex_from =
        ex.end && (ex.kind == "pod-failure" || ex.kind == "node-down") ? ex.end->seconds() : ex.start.seconds();
    const std::optional<double> model_gap = secant(app, mean, 0.0, 0.01, [&](double a) -> std::optional<double> {
      set_value(path, duration_text(a));
      const auto run = inner_run({ex}, ex_from + 2 * std::max(mean, 1.0) + 60, false);
      const auto rec = run->faults().recovered(0);
      if (!rec) return std::nullopt;
      return rec->seconds() - ex_from;
    });
    if (!model_gap) set_value(path, duration_text(mean));
    if (model_gap)
      f.note = "app_start set so that the model's own restart after the recorded " + ex.kind + " takes the mean gap (" +
               "the model gives " + sim::format_prometheus_float(round4(*model_gap)) + " s)";
    else
      f.note = "the model does not recover from the recorded " + ex.kind + " by itself: app_start is the mean gap";
    cal.fits.push_back(f);
  }
  if (o.records.empty()) cal.notes.push_back("no --record: no restart or rejoin times");

  std::vector<std::string> traces;
  for (const std::string& f : files) traces.push_back(f.substr(0, f.find(" (")));
  std::string from = traces.empty() ? "" : traces.front();
  if (traces.size() == 2) from += " and " + traces.back();
  if (traces.size() > 2) from += " … " + traces.back() + " (" + std::to_string(traces.size()) + " traces)";
  cal.description =
      (paired ? "fitted from the steady stretches (" + sim::format_prometheus_float(steady ? steady->first : 5) +
                    " s to each run's first fault) of " + std::to_string(runs.size()) + " runs: "
              : "fitted from the steady stretch " + sim::format_prometheus_float(from_s) + ".." +
                    sim::format_prometheus_float(to_s) + " s of ") +
      from + (recorded_faults == 0 ? "" : "; " + std::to_string(recorded_faults) + " recorded faults");
  return cal;
}

}  // namespace faultline::validate
