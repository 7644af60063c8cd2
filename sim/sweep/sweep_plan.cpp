#include "sim/sweep/sweep_plan.hpp"

#include <algorithm>
#include <chrono>

#include "sim/trace/fingerprint.hpp"

namespace faultline::sim::sweep {

Json RunRecord::to_json() const {
  Json j;
  j["metrics"] = metrics;
  j["wall_seconds"] = wall_seconds;
  j["events"] = events;
  return j;
}

RunRecord RunRecord::from_json(const Json& j) {
  RunRecord r;
  r.metrics = j.at("metrics");
  r.wall_seconds = j.at("wall_seconds").get<double>();
  r.events = j.at("events").get<uint64_t>();
  return r;
}

namespace {

void flatten_into(const Json& value, const std::string& prefix, Json& out) {
  for (const auto& [key, v] : value.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (v.is_object())
      flatten_into(v, name, out);
    else if (v.is_array())
      continue;  // per-fault detail stays in summary.json
    else if (v.is_null() && prefix.empty())
      continue;  // "verdict": null when the run has no experiment
    else
      out[name] = v;
  }
}

}  // namespace

Json flatten_summary(const Json& summary) {
  Json out = Json::object();
  if (summary.contains("fingerprint")) out["fingerprint"] = summary["fingerprint"];
  Json rest = Json::object();
  for (const auto& [key, v] : summary.items()) {
    if (key == "scenario" || key == "experiment" || key == "seed" || key == "start_time" || key == "fingerprint" ||
        key == "faults" || key == "components")
      continue;
    rest[key] = v;
  }
  flatten_into(rest, "", out);
  return out;
}

RunRecord run_point(const Document& doc, const ModelRegistry& registry, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();  // timing only, never the simulation
  ScenarioRun run(resolve_scenario(doc, registry, options), registry, options);
  run.run();
  RunRecord r;
  r.metrics = flatten_summary(run.summary());
  r.events = run.summary().value("events", uint64_t{0});
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

SweepPlan::SweepPlan(Document doc, const ModelRegistry& registry, SweepOptions options)
    : doc_(std::move(doc)), registry_(registry), options_(std::move(options)) {
  const auto& axes = options_.axes;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i].values.empty()) throw InputError("--set", "", 0, "sweep axis \"" + axes[i].given + "\" has no values");
    for (size_t j = 0; j < i; ++j)
      if (axes[j].path == axes[i].path)
        throw InputError("--set", "", 0,
                         "parameter path \"" + axes[i].path + "\" is swept twice (\"" + axes[j].given + "\" and \"" +
                             axes[i].given + "\"): give all its values in one --set");
    if (axes[i].path == "seed") {
      if (options_.seeds)
        throw InputError("--set", "", 0,
                         "\"" + axes[i].given + "\" sweeps the seed while --seeds also sets it: use one of them");
      seed_axis_ = true;
    }
  }
  if (options_.seeds) {
    if (*options_.seeds < 1 || *options_.seeds > 1'000'000)
      throw InputError("--seeds", "", 0, "expected a number of seeds from 1 to 1000000, got " + std::to_string(*options_.seeds));
    seeds_per_setting_ = *options_.seeds;
  }
  if (!(options_.confidence > 0 && options_.confidence < 1))
    throw InputError("--confidence", "", 0, "expected a level between 0 and 1 (exclusive), e.g. 0.95");
  if (options_.until) {
    try {
      until_ = parse_duration(*options_.until);
    } catch (const std::exception& e) {
      throw InputError("--until", "", 0, e.what());
    }
    if (*until_ <= Duration::zero()) throw InputError("--until", "", 0, "expected a time > 0 such as \"10m\"");
  }
  for (const Axis& a : axes) {
    if (settings_ > kMaxRuns / a.values.size())
      throw InputError("--set", "", 0, "the grid has more than " + std::to_string(kMaxRuns) + " settings");
    settings_ *= a.values.size();
  }
  if (settings_ > kMaxRuns / seeds_per_setting_)
    throw InputError("--seeds", "", 0,
                     "settings × seeds is more than " + std::to_string(kMaxRuns) + " runs (" + std::to_string(settings_) +
                         " settings)");

  if (options_.cost.empty()) {
    for (size_t i = 0; i < axes.size(); ++i) cost_axes_.push_back(i);
  } else {
    std::vector<std::string> paths;
    for (const Axis& a : axes) paths.push_back(a.path);
    for (const std::string& c : options_.cost) {
      const auto it = std::find(paths.begin(), paths.end(), c);
      if (it == paths.end())
        throw InputError("--cost", "", 0,
                         "\"" + c + "\" is not a swept axis" + did_you_mean(c, paths) +
                             (paths.empty() ? "; the sweep has no axes" : ""));
      const auto idx = static_cast<size_t>(it - paths.begin());
      if (std::find(cost_axes_.begin(), cost_axes_.end(), idx) != cost_axes_.end())
        throw InputError("--cost", "", 0, "\"" + c + "\" is named twice");
      cost_axes_.push_back(idx);
    }
  }

  // Resolve and build every setting now, so that a bad value fails before hours of runs. Past
  // 10000 settings, each value of each axis is checked once, beside the other axes' first values.
  std::vector<size_t> to_check;
  if (settings_ <= 10'000) {
    for (size_t s = 0; s < settings_; ++s) to_check.push_back(s);
  } else {
    size_t stride = settings_;
    for (const Axis& a : axes) {
      stride /= a.values.size();
      for (size_t v = 0; v < a.values.size(); ++v) to_check.push_back(v * stride);
    }
  }
  scenario_seeds_.assign(options_.seeds ? 0 : settings_, 0);
  for (const size_t s : to_check) {
    RunOptions opt = run_options(s * seeds_per_setting_);
    ResolvedScenario resolved = resolve_scenario(doc_, registry_, opt);
    if (!options_.seeds) scenario_seeds_[s] = resolved.seed;
    ScenarioRun check(std::move(resolved), registry_, opt);
  }
  if (!options_.seeds && to_check.size() != settings_) {
    for (size_t s = 0; s < settings_; ++s)
      if (scenario_seeds_[s] == 0) scenario_seeds_[s] = resolve_scenario(doc_, registry_, run_options(s * seeds_per_setting_)).seed;
  }
}

uint64_t SweepPlan::seed_of(size_t run) const {
  if (options_.seeds) return run % seeds_per_setting_ + 1;
  return scenario_seeds_.empty() ? 0 : scenario_seeds_[setting_of(run)];
}

std::vector<size_t> SweepPlan::value_indices(size_t setting) const {
  const auto& axes = options_.axes;
  std::vector<size_t> idx(axes.size());
  for (size_t i = axes.size(); i-- > 0;) {
    idx[i] = setting % axes[i].values.size();
    setting /= axes[i].values.size();
  }
  return idx;
}

Json SweepPlan::setting_params(size_t setting) const {
  Json p = Json::object();
  const std::vector<size_t> idx = value_indices(setting);
  for (size_t i = 0; i < idx.size(); ++i) p[options_.axes[i].path] = options_.axes[i].values[idx[i]];
  return p;
}

Json SweepPlan::run_params(size_t run) const {
  Json p = setting_params(setting_of(run));
  if (!seed_axis_) p["seed"] = seed_of(run);
  return p;
}

std::vector<std::string> SweepPlan::run_sets(size_t run) const {
  std::vector<std::string> sets = options_.base_sets;
  const std::vector<size_t> idx = value_indices(setting_of(run));
  for (size_t i = 0; i < idx.size(); ++i)
    sets.push_back(options_.axes[i].path + "=" + options_.axes[i].values[idx[i]].dump());
  return sets;
}

RunOptions SweepPlan::run_options(size_t run) const {
  RunOptions opt;
  opt.experiment = options_.experiment;
  opt.sets = run_sets(run);
  if (options_.seeds) opt.seed = run % seeds_per_setting_ + 1;
  opt.start_time = options_.start_time;
  opt.until = until_;
  return opt;
}

std::vector<std::string> SweepPlan::parameter_columns() const {
  std::vector<std::string> cols;
  for (const Axis& a : options_.axes) cols.push_back(a.path);
  if (!seed_axis_) cols.emplace_back("seed");
  return cols;
}

Json SweepPlan::identity() const {
  Fingerprint h;
  h.mix(doc_.root.dump());
  Json id;
  id["scenario"] = doc_.file;
  id["scenario_hash"] = h.hex();
  id["experiment"] = options_.experiment ? Json(*options_.experiment) : Json(nullptr);
  id["overrides"] = options_.base_sets;
  Json axes = Json::array();
  for (const Axis& a : options_.axes) axes.push_back(Json{{"path", a.path}, {"values", a.values}});
  id["axes"] = axes;
  id["seeds"] = options_.seeds ? Json(*options_.seeds) : Json(nullptr);
  id["until"] = options_.until ? Json(*options_.until) : Json(nullptr);
  id["start_time"] = options_.start_time ? Json(*options_.start_time) : Json(nullptr);
  id["runs"] = runs();
  return id;
}

}  // namespace faultline::sim::sweep
