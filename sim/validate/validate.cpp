#include "sim/validate/validate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <set>

#include "sim/core/rfc3339.hpp"
#include "sim/output/number_format.hpp"
#include "sim/output/run_outputs.hpp"
#include "sim/promql/promql.hpp"
#include "sim/run/scenario_run.hpp"
#include "sim/series/series_store.hpp"
#include "sim/traces/exporter_mapping.hpp"
#include "sim/traces/trace_import.hpp"

namespace faultline::validate {

using sim::InputError;
using OJ = nlohmann::ordered_json;

namespace {

const std::vector<std::string>& figure_names() {
  static const std::vector<std::string> names = {"loss", "recovery", "rmse", "peak", "time_to_peak", "time_to_drain"};
  return names;
}

bool seconds_figure(const std::string& figure) {
  return figure == "recovery" || figure == "time_to_peak" || figure == "time_to_drain";
}

Series to_series(const sim::StoredSeries& s, int64_t zero_ns) {
  Series out;
  out.reserve(s.samples.size());
  for (const sim::SeriesSample& p : s.samples)
    if (std::isfinite(p.value)) out.push_back({static_cast<double>(p.t_ns - zero_ns) / 1e9, p.value});
  return out;
}

/// Ready + unacked summed over the queues at each time any of them has a value.
std::optional<Series> backlog_series(const sim::SeriesStore& store, int64_t zero_ns) {
  std::map<int64_t, double> sum;
  bool found = false;
  const auto add = [&](const std::string& name) {
    for (const sim::StoredSeries& s : store.series()) {
      if (s.name() != name) continue;
      found = true;
      for (const sim::SeriesSample& p : s.samples)
        if (std::isfinite(p.value)) sum[p.t_ns] += p.value;
    }
  };
  add("rabbitmq_queue_messages_ready");
  add("rabbitmq_queue_messages_unacked");
  if (!found) add("rabbitmq_queue_messages");
  if (!found) return std::nullopt;
  Series out;
  for (const auto& [t, v] : sum) out.push_back({static_cast<double>(t - zero_ns) / 1e9, v});
  return out;
}

std::optional<double> opt_seconds(const OJ& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<double>();
}

std::string unit_of(const std::string& series_name) {
  const bool rate = series_name.find(":rate") != std::string::npos;
  const bool messages = series_name.find("messages") != std::string::npos;
  if (messages) return rate ? "messages/s" : "messages";
  return rate ? "per second" : "";
}

OJ comparison_json(const Comparison& c, const std::string& unit) {
  OJ j;
  j["predicted"] = c.predicted ? OJ(*c.predicted) : OJ(nullptr);
  j["observed"] = c.observed ? OJ(*c.observed) : OJ(nullptr);
  j["error"] = c.error ? OJ(*c.error) : OJ(nullptr);
  j["tolerance"] = c.tolerance.describe(unit);
  j["result"] = outcome_name(c.outcome);
  return j;
}

/// The RMSE against a tolerance relative to the observed peak ("15%": 15 % of the peak).
Comparison rmse_check(std::optional<double> value, std::optional<double> observed_peak, const Tolerance& t) {
  Comparison c;
  c.error = value;
  c.tolerance = t;
  if (t.empty()) return c;
  if (!value) {
    c.outcome = Outcome::fail;
    return c;
  }
  c.outcome = *value <= *t.allowed(observed_peak.value_or(0)) + 1e-9 ? Outcome::pass : Outcome::fail;
  return c;
}

}  // namespace

std::map<std::string, Tolerance> tolerance_table(const std::vector<std::string>& specs) {
  std::map<std::string, Tolerance> t;
  // The declared tolerances of issue 6 / DESIGN §8.
  t["loss"] = Tolerance{0.10, 20.0};
  t["backlog.peak"] = Tolerance{0.15, std::nullopt};
  t["recovery"] = Tolerance{std::nullopt, 2.0};
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw InputError("--tolerance", "", 0,
                       "expected [METRIC.]FIGURE=VALUE such as peak=15% or "
                       "recovery=2s, got \"" +
                           spec + "\"");
    const std::string key = spec.substr(0, eq);
    const std::string value = spec.substr(eq + 1);
    const size_t dot = key.rfind('.');
    const std::string figure = dot == std::string::npos ? key : key.substr(dot + 1);
    if (std::find(figure_names().begin(), figure_names().end(), figure) == figure_names().end())
      throw InputError("--tolerance", "", 0,
                       "unknown figure \"" + figure + "\" in \"" + spec + "\"" +
                           sim::did_you_mean(figure, figure_names()) +
                           "; figures: loss, recovery, rmse, peak, "
                           "time_to_peak, time_to_drain");
    if ((figure == "loss" || figure == "recovery") && dot != std::string::npos)
      throw InputError("--tolerance", "", 0, figure + " is not a figure of a metric: write " + figure + "=" + value);
    if (value == "none") {
      t[key] = Tolerance{};
      continue;
    }
    try {
      t[key] = parse_tolerance(value, seconds_figure(figure));
    } catch (const std::invalid_argument& e) {
      throw InputError("--tolerance", "", 0, "\"" + spec + "\": " + e.what());
    }
  }
  return t;
}

Tolerance tolerance_for(const std::map<std::string, Tolerance>& table, const std::string& id, const std::string& name,
                        const std::string& figure) {
  for (const std::string& key : {id + "." + figure, name + "." + figure, figure}) {
    auto it = table.find(key);
    if (it != table.end()) return it->second;
  }
  return {};
}

bool ValidationResult::passed() const { return counts().second == 0; }

std::pair<size_t, size_t> ValidationResult::counts() const {
  size_t pass = 0, fail = 0;
  const auto count = [&](const Comparison& c) {
    if (c.outcome == Outcome::pass) ++pass;
    if (c.outcome == Outcome::fail) ++fail;
  };
  count(loss);
  for (const MetricResult& m : metrics)
    for (const Comparison* c : {&m.rmse, &m.peak, &m.time_to_peak, &m.time_to_drain}) count(*c);
  for (const RecoveryResult& r : recoveries) count(r.recovery);
  return {pass, fail};
}

OJ ValidationResult::to_json() const {
  OJ j;
  j["scenario"] = scenario;
  j["record"] = record_label;
  j["start_time"] = start_time;
  j["until_s"] = until_s;
  j["seed"] = seed;
  j["fingerprint"] = fingerprint;
  j["fingerprint_own_recovery"] = fingerprint_own;
  const auto [pass, fail] = counts();
  j["verdict"] = fail == 0 ? "pass" : "fail";
  j["checks"] = {{"passed", pass}, {"failed", fail}};
  OJ l = comparison_json(loss, "messages");
  l["predicted_by_cause"] =
      predicted_messages.contains("lost_by_cause") ? predicted_messages["lost_by_cause"] : OJ::object();
  if (truth) {
    OJ causes = OJ::object();
    for (const auto& [k, v] : truth->lost_by_cause) causes[k] = v;
    l["observed_by_cause"] = causes;
    l["observed_published"] = truth->published;
    l["ground_truth"] = truth->file;
  }
  l["predicted_published"] = predicted_messages.value("published", uint64_t{0});
  j["loss"] = l;
  OJ ms = OJ::array();
  for (const MetricResult& m : metrics) {
    OJ mj;
    mj["id"] = m.id;
    mj["unit"] = m.unit;
    mj["plot"] = m.plot_file;
    mj["paired_points"] = m.paired_points;
    const auto shape_json = [](const SeriesShape& s) {
      OJ o;
      o["baseline"] = s.baseline ? OJ(*s.baseline) : OJ(nullptr);
      o["peak"] = s.peak ? OJ(*s.peak) : OJ(nullptr);
      o["peak_time_s"] = s.peak_time_s ? OJ(*s.peak_time_s) : OJ(nullptr);
      o["drain_s"] = s.drain_s ? OJ(*s.drain_s) : OJ(nullptr);
      return o;
    };
    mj["predicted"] = shape_json(m.predicted_shape);
    mj["observed"] = shape_json(m.observed_shape);
    mj["rmse"] = comparison_json(m.rmse, m.unit);
    mj["peak"] = comparison_json(m.peak, m.unit);
    mj["time_to_peak"] = comparison_json(m.time_to_peak, "s");
    mj["time_to_drain"] = comparison_json(m.time_to_drain, "s");
    ms.push_back(mj);
  }
  j["metrics"] = ms;
  OJ rs = OJ::array();
  for (const RecoveryResult& r : recoveries) {
    OJ rj = comparison_json(r.recovery, "s");
    rj["kind"] = r.kind;
    rj["targets"] = r.targets;
    rj["start_s"] = r.start_s;
    if (!r.note.empty()) rj["note"] = r.note;
    rs.push_back(rj);
  }
  j["recoveries"] = rs;
  OJ record_notes = OJ::array();
  for (const RecordNote& n : notes)
    record_notes.push_back(
        {{"file", n.file}, {"line", n.line}, {"what", n.what}, {"effect", n.effect}, {"reason", n.reason}});
  j["record_notes"] = record_notes;
  j["unmapped_faults"] = unmapped_faults;
  j["files"] = files;
  j["trace_notes"] = trace_notes;
  OJ tol = OJ::object();
  for (const auto& [k, v] : tolerances_used) tol[k] = v;
  j["tolerances"] = tol;
  return j;
}

sim::SeriesStore load_observed(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  sim::SeriesStore observed;
  for (const std::string& path : paths) {
    const sim::traces::Trace t = sim::traces::import_trace(path);
    for (const sim::StoredSeries& s : t.store.series()) {
      if (s.kind != sim::SeriesKind::unknown) observed.set_kind(s.labels, s.kind);
      for (const sim::SeriesSample& p : s.samples)
        if (observed.add_sample(s.labels, p.t_ns, p.value) == sim::SeriesStore::AddResult::conflict)
          throw InputError(path, "", 0,
                           "the series " + sim::format_series_identity(s.labels) + " has another value at " +
                               sim::format_unix_seconds(p.t_ns) + " in an earlier observed file");
    }
    if (files != nullptr)
      files->push_back(path + " (observed trace, " + std::string(sim::traces::trace_format_name(t.format)) + ")");
  }
  if (observed.sample_count() == 0)
    throw InputError(paths.empty() ? "--observed" : paths.front(), "", 0, "the observed traces hold no sample");
  return observed;
}

ValidationResult run_validation(const ValidateOptions& o, const sim::ModelRegistry& registry) {
  const std::map<std::string, Tolerance> tolerances = tolerance_table(o.tolerances);
  ValidationResult out;
  out.scenario_file = o.scenario;

  sim::ResolveOptions ro;
  ro.experiment = o.experiment;
  ro.sets = o.sets;
  ro.seed = o.seed;
  const sim::ResolvedScenario first = sim::resolve_scenario(sim::load_document(o.scenario), registry, ro);
  out.scenario = first.name;

  // ---- the records
  sim::importers::ImportOptions io;
  io.pod_map = o.pod_map;
  if (o.start_time) {
    io.start_epoch_ns = sim::parse_rfc3339(*o.start_time);
    if (!io.start_epoch_ns)
      throw InputError("--start-time", "", 0,
                       "expected an RFC 3339 time such as 2026-01-01T00:00:00Z, got \"" + *o.start_time + "\"");
  }
  const Records rec = read_records(first, o.records, io);
  if (!rec.start_epoch_ns)
    throw InputError(o.records.empty() ? "--record" : o.records.front(), "", 0,
                     "the records carry no wall-clock time, so the observed "
                     "traces cannot be placed on the fault "
                     "timeline: give --start-time (the time of the records' "
                     "time zero) or the run's run.json");
  const int64_t zero = *rec.start_epoch_ns;
  out.start_time = sim::format_rfc3339(zero);
  out.notes = rec.notes;
  out.files = rec.files;
  out.truth = rec.truth;
  out.record_label = rec.experiment ? *rec.experiment + (rec.run ? " run " + std::to_string(*rec.run) : "")
                                    : (o.records.empty() ? "" : o.records.front());

  // ---- the observed traces, merged, then mapped onto the simulated names
  const sim::SeriesStore observed = load_observed(o.observed, &out.files);
  sim::traces::MappingTable table = sim::traces::MappingTable::builtin();
  if (o.mapping) {
    sim::traces::MappingTable user = sim::traces::MappingTable::load(*o.mapping);
    table.prepend(user);
  }
  sim::traces::MappedTrace mapped;
  try {
    mapped = sim::traces::map_trace(observed, table);
  } catch (const sim::promql::QueryError& e) {
    throw InputError(o.observed.front(), "", 0, std::string("cannot map the observed series: ") + e.what());
  }
  if (mapped.end_ns <= zero)
    throw InputError(o.observed.front(), "", 0,
                     "the observed traces end at " + sim::format_rfc3339(mapped.end_ns) +
                         ", before the records' time zero " + out.start_time +
                         ": they are of another run (or give --start-time)");
  for (const sim::traces::MappedMetric& m : mapped.metrics)
    out.trace_notes.push_back("mapped " + m.series_name + ": " + std::to_string(m.series) + " series (" +
                              m.observed_query + ")");
  for (const std::string& n : mapped.unmapped) out.trace_notes.push_back("not compared (no mapping rule): " + n);

  // ---- the replays: with the recorded recoveries, and with the model's own
  if (o.until) {
    try {
      out.until_s = sim::parse_duration(*o.until).seconds();
    } catch (const std::exception& e) {
      throw InputError("--until", "", 0, e.what());
    }
    if (!(out.until_s > 0)) throw InputError("--until", "", 0, "expected a time > 0 such as 150s");
  } else {
    out.until_s = std::ceil(static_cast<double>(mapped.end_ns - zero) / 1e9) + 1;
  }
  const auto replay = [&](bool with_recovery) {
    sim::RunOptions ropt;
    ropt.experiment = o.experiment;
    ropt.sets = o.sets;
    ropt.sets.insert(ropt.sets.end(), rec.load_sets.begin(), rec.load_sets.end());
    ropt.seed = o.seed;
    ropt.start_time = out.start_time;
    ropt.until = sim::Duration::from_seconds(out.until_s);
    ropt.recorded_faults = rec.timeline(with_recovery);
    auto run = std::make_unique<sim::ScenarioRun>(sim::resolve_scenario(sim::load_document(o.scenario), registry, ropt),
                                                  registry, ropt);
    run->run();
    return run;
  };
  const std::unique_ptr<sim::ScenarioRun> run = replay(true);
  const std::unique_ptr<sim::ScenarioRun> own = replay(false);
  if (o.replay_out) sim::write_run_outputs(*run, *o.replay_out);
  out.seed = run->scenario().seed;
  out.fingerprint = run->fingerprint();
  out.fingerprint_own = own->fingerprint();
  out.predicted_messages = run->summary()["messages"];
  for (const OJ& f : run->summary()["faults"]) {
    if (!f.contains("unmapped")) continue;
    for (const OJ& u : f["unmapped"])
      out.unmapped_faults.push_back(f["kind"].get<std::string>() + " at " +
                                    sim::format_prometheus_float(f["start_s"].get<double>()) + " s on " +
                                    u["target"].get<std::string>() + ": " + u["reason"].get<std::string>());
  }
  for (const RecordedFault& r : rec.faults) {
    std::string label = r.fault.kind;
    if (r.fault.targets.size() == 1)
      label += " " + r.fault.targets.front().substr(r.fault.targets.front().rfind('/') + 1);
    out.fault_marks.push_back(
        {r.fault.start.seconds(), r.fault.end ? std::optional<double>(r.fault.end->seconds()) : std::nullopt, label});
    out.fault_targets.push_back(r.fault.targets);
    out.fault_recovery.push_back(-1);
  }

  // ---- loss
  out.loss = compare(out.predicted_messages["lost"].get<double>(),
                     rec.truth ? std::optional<double>(static_cast<double>(rec.truth->lost)) : std::nullopt,
                     rec.truth ? tolerances.at("loss") : Tolerance{});
  out.tolerances_used["loss"] = tolerances.at("loss").describe("messages");

  // ---- series, on the observed grid
  const sim::SeriesStore predicted_raw = sim::series_store_from_recorder(run->sim().recorder(), zero);
  const sim::SeriesStore predicted =
      sim::traces::evaluate_simulated(predicted_raw, mapped, mapped.start_ns, mapped.end_ns, mapped.step_ns);
  const double first_fault = rec.first_fault_s().value_or(out.until_s);
  const double step_s = static_cast<double>(mapped.step_ns) / 1e9;
  const auto finish = [&](MetricResult& m, bool counts_messages) {
    ShapeOptions so;
    so.first_fault_s = first_fault;
    so.band_absolute = counts_messages ? 10 : 0;
    m.predicted_shape = shape(m.predicted, so);
    m.observed_shape = shape(m.observed, so);
    const std::vector<PairedPoint> pairs = align(m.predicted, m.observed, step_s);
    m.paired_points = pairs.size();
    const auto from_fault = [&](std::optional<double> t) -> std::optional<double> {
      if (!t) return std::nullopt;
      return *t - (rec.first_fault_s() ? first_fault : 0.0);
    };
    m.rmse = rmse_check(rmse(pairs), m.observed_shape.peak, tolerance_for(tolerances, m.id, m.name, "rmse"));
    m.peak = compare(m.predicted_shape.peak, m.observed_shape.peak, tolerance_for(tolerances, m.id, m.name, "peak"));
    m.time_to_peak = compare(from_fault(m.predicted_shape.peak_time_s), from_fault(m.observed_shape.peak_time_s),
                             tolerance_for(tolerances, m.id, m.name, "time_to_peak"));
    m.time_to_drain = compare(m.predicted_shape.drain_s, m.observed_shape.drain_s,
                              tolerance_for(tolerances, m.id, m.name, "time_to_drain"));
    for (const char* fig : {"rmse", "peak", "time_to_peak", "time_to_drain"}) {
      const Tolerance t = tolerance_for(tolerances, m.id, m.name, fig);
      if (!t.empty())
        out.tolerances_used[m.id + "." + fig] = t.describe(std::string(fig) == "rmse" ? "(of the observed peak)"
                                                           : seconds_figure(fig)      ? "s"
                                                                                      : m.unit);
    }
    std::string file;
    for (char c : m.id) {
      const char k = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '-';
      if (k != '-' || (!file.empty() && file.back() != '-')) file += k;
    }
    while (!file.empty() && file.back() == '-') file.pop_back();
    m.plot_file = file + ".svg";
  };
  if (auto ob = backlog_series(mapped.store, zero)) {
    MetricResult m;
    m.id = m.name = "backlog";
    m.title = "backlog: ready + unacked messages, summed over the queues";
    m.unit = "messages";
    m.observed = *ob;
    m.predicted = backlog_series(predicted, zero).value_or(Series{});
    finish(m, true);
    out.metrics.push_back(std::move(m));
  } else {
    out.trace_notes.push_back(
        "no backlog compared: the observed traces have no "
        "rabbitmq_queue_messages_ready/_unacked series");
  }
  std::set<std::string> done;
  for (const std::string& want : o.metrics) {
    const sim::traces::MappedMetric* mm = nullptr;
    for (const sim::traces::MappedMetric& m : mapped.metrics)
      if (m.target == want || m.series_name == want) mm = &m;
    if (mm == nullptr) {
      std::vector<std::string> names;
      for (const sim::traces::MappedMetric& m : mapped.metrics) names.push_back(m.target);
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      throw InputError("--metric", "", 0,
                       "no mapped metric \"" + want + "\" in the observed traces" + sim::did_you_mean(want, names) +
                           "; mapped: " + list);
    }
    if (!done.insert(mm->series_name).second) continue;
    for (const sim::StoredSeries& s : mapped.store.series()) {
      if (s.name() != mm->series_name) continue;
      MetricResult m;
      m.id = sim::format_series_identity(s.labels);
      m.name = mm->series_name;
      m.title = m.id + (mm->kind == sim::traces::MappedKind::counter ? " (rate of " + mm->target + ")" : "");
      m.unit = unit_of(mm->series_name);
      m.observed = to_series(s, zero);
      if (const sim::StoredSeries* p = predicted.find(s.labels)) m.predicted = to_series(*p, zero);
      finish(m, m.unit == "messages");
      out.metrics.push_back(std::move(m));
    }
  }

  // ---- recoveries: recorded against the model's own
  out.tolerances_used["recovery"] = tolerances.at("recovery").describe("s");
  const OJ& own_faults = own->summary()["faults"];
  for (size_t i = 0; i < rec.faults.size(); ++i) {
    const RecordedFault& r = rec.faults[i];
    if (!r.recovery_known) continue;
    RecoveryResult rr;
    rr.kind = r.fault.kind;
    rr.targets = r.fault.targets;
    rr.start_s = r.fault.start.seconds();
    const std::optional<double> observed_s =
        r.fault.recovered ? std::optional<double>(r.fault.recovered->seconds() - rr.start_s) : std::nullopt;
    const OJ& f = own_faults.at(i);
    std::optional<double> predicted_s = opt_seconds(f["recovered_s"]);
    if (predicted_s) *predicted_s -= rr.start_s;
    bool applied = !f.contains("not_reached");
    if (f.contains("unmapped")) {
      rr.note = "unmapped: " + f["unmapped"][0]["reason"].get<std::string>();
      applied = f["unmapped"].size() < r.fault.targets.size();
    }
    if (f.contains("not_reached")) rr.note = "the run ended before the fault";
    rr.recovery = compare(predicted_s, observed_s, tolerances.at("recovery"));
    // A fault the model did not apply predicts nothing, not "never recovered".
    if (!applied && rr.recovery.outcome == Outcome::pass) rr.recovery.outcome = Outcome::fail;
    out.fault_recovery[i] = static_cast<int>(out.recoveries.size());
    out.recoveries.push_back(std::move(rr));
  }
  return out;
}

}  // namespace faultline::validate
