#include "sim/cli/commands.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_runner.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/number_format.hpp"
#include "sim/output/run_outputs.hpp"
#include "sim/run/scenario_run.hpp"
#include "sim/topology/topology.hpp"

namespace faultline::cli {

using sim::Json;

namespace {

sim::ResolvedScenario load(const std::string& path, const std::optional<std::string>& experiment,
                           const std::vector<std::string>& sets, const sim::ModelRegistry& registry,
                           std::optional<uint64_t> seed = std::nullopt,
                           std::optional<std::string> start_time = std::nullopt) {
  sim::ResolveOptions opt;
  opt.experiment = experiment;
  opt.sets = sets;
  opt.seed = seed;
  opt.start_time = std::move(start_time);
  return sim::resolve_scenario(sim::load_document(path), registry, opt);
}

std::string fmt_num(double v) { return sim::format_prometheus_float(v); }

std::string value_text(const sim::ParamSpec& spec, const Json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return v.get<std::string>();
  if (spec.type == sim::ParamType::rate) return fmt_num(v.get<double>()) + " " + spec.unit;
  if (spec.type == sim::ParamType::bytes) return v.dump() + " " + (spec.unit.empty() ? "bytes" : spec.unit);
  if (spec.type == sim::ParamType::distribution && v.is_object()) {
    std::string out = v.value("dist", std::string("?")) + "(";
    bool first = true;
    for (const auto& [k, x] : v.items()) {
      if (k == "dist") continue;
      out += (first ? "" : ", ") + k + "=" + (x.is_string() ? x.get<std::string>() : x.dump());
      first = false;
    }
    return out + ")";
  }
  if (spec.type == sim::ParamType::object_list) return std::to_string(v.size()) + " entries";
  if ((spec.type == sim::ParamType::integer || spec.type == sim::ParamType::number) && !spec.unit.empty())
    return v.dump() + " " + spec.unit;
  return v.dump();
}

}  // namespace

int run_command(const RunArgs& args, const sim::ModelRegistry& registry) {
  sim::RunOptions opt;
  opt.experiment = args.experiment;
  opt.sets = args.sets;
  opt.seed = args.seed;
  opt.start_time = args.start_time;
  opt.trace_messages = args.trace_messages;
  if (args.until) {
    try {
      opt.until = sim::parse_duration(*args.until);
    } catch (const std::exception& e) {
      throw sim::InputError("--until", "", 0, e.what());
    }
  }
  sim::ScenarioRun run(sim::resolve_scenario(sim::load_document(args.scenario), registry, opt), registry, opt);
  run.run();
  if (args.out) sim::write_run_outputs(run, *args.out);
  const auto& s = run.summary();
  const int verdict_code = args.fail_on_verdict ? sim::experiment::verdict_exit_code(s) : 0;
  if (args.json) {
    std::cout << s.dump(2) << "\n";
    return verdict_code;
  }
  const auto& m = s["messages"];
  const auto& b = s["backlog"];
  std::cout << "scenario " << s["scenario"].get<std::string>();
  if (!s["experiment"].is_null()) std::cout << ", experiment " << s["experiment"].get<std::string>();
  std::cout << ", seed " << s["seed"].get<uint64_t>() << "\n";
  std::cout << "fingerprint " << s["fingerprint"].get<std::string>() << "\n";
  std::cout << "simulated " << fmt_num(s["simulated_seconds"].get<double>()) << " s, " << s["events"].get<uint64_t>()
            << " events in " << fmt_num(std::round(run.timing().wall_seconds * 1000) / 1000) << " s wall\n";
  std::cout << "messages: published " << m["published"].get<uint64_t>() << ", delivered "
            << m["delivered"].get<uint64_t>() << ", lost " << m["lost"].get<uint64_t>() << ", in flight "
            << m["in_flight"].get<uint64_t>() << ", duplicates " << m["duplicates"].get<uint64_t>() << "\n";
  if (!m["lost_by_cause"].empty()) {
    std::cout << "predicted loss by cause:";
    for (const auto& [k, v] : m["lost_by_cause"].items()) std::cout << " " << k << " " << v.get<uint64_t>() << ";";
    std::cout << "\n";
  }
  if (!m["lost_by_component"].empty()) {
    std::cout << "predicted loss by component:";
    for (const auto& [k, v] : m["lost_by_component"].items()) std::cout << " " << k << " " << v.get<uint64_t>() << ";";
    std::cout << "\n";
  }
  std::cout << "backlog: peak " << b["peak"].get<int64_t>() << " messages at " << fmt_num(b["peak_time_s"].get<double>())
            << " s, ";
  if (b["drain_time_s"].is_null())
    std::cout << "never drained back to its level before the first fault\n";
  else
    std::cout << "drained in " << fmt_num(b["drain_time_s"].get<double>()) << " s\n";
  for (const auto& f : s["faults"]) {
    std::cout << "fault " << f["kind"].get<std::string>() << " at " << fmt_num(f["start_s"].get<double>()) << " s on";
    for (const auto& t : f["targets"]) std::cout << " " << t.get<std::string>();
    if (!f["recovered_s"].is_null()) std::cout << ", recovered at " << fmt_num(f["recovered_s"].get<double>()) << " s";
    if (f.contains("unmapped")) std::cout << " (unmapped: " << f["unmapped"][0]["reason"].get<std::string>() << ")";
    std::cout << "\n";
  }
  if (!s["verdict"].is_null()) std::cout << sim::experiment::verdict_text(s["verdict"]) << "\n";
  if (args.out) std::cout << "outputs written to " << *args.out << "\n";
  return verdict_code;
}

int check_command(const CheckArgs& args, const sim::ModelRegistry& registry) {
  const sim::ResolvedScenario sc = load(args.scenario, args.experiment, args.sets, registry);
  const sim::Topology topo = sim::Topology::build(sc, registry);
  const std::vector<sim::Fault> faults = sim::plan_faults(sc);
  std::cout << "scenario " << sc.name << (sc.description.empty() ? "" : ": " + sc.description) << "\n";
  std::cout << "  start_time " << sim::format_rfc3339(sc.start_epoch_ns) << ", duration "
            << (sc.duration ? sim::format_duration(*sc.duration) : std::string("until no work is left")) << ", seed "
            << sc.seed << ", scrape_interval " << sim::format_duration(sc.scrape_interval) << "\n";
  if (sc.experiment) std::cout << "  experiment " << *sc.experiment << "\n";
  for (const auto& o : sc.applied_overrides) std::cout << "  override " << o << "\n";
  std::cout << "components (" << sc.instances.size() << " instances):\n";
  for (const sim::ComponentEntry& c : sc.components) {
    std::cout << "  " << c.name << "  kind " << c.kind->name;
    if (c.kind->replication != sim::Replication::single)
      std::cout << ", count " << c.count << " (" << (c.kind->count_help.empty() ? "replicas" : c.kind->count_help) << ")";
    if (!c.labels.empty()) {
      std::cout << ", labels {";
      bool first = true;
      for (const auto& [k, v] : c.labels) {
        std::cout << (first ? "" : ", ") << k << ": " << v;
        first = false;
      }
      std::cout << "}";
    }
    std::cout << "\n";
    const Json& raw = sc.doc.root["components"][static_cast<size_t>(std::stoul(c.pointer.substr(12)))];
    for (const sim::ParamSpec& p : c.kind->params) {
      const bool given = raw.contains(p.name);
      std::cout << "      " << p.name << " = " << value_text(p, c.params[p.name]) << (given ? "" : "  [default]")
                << "\n";
    }
    std::string paths;
    for (const auto& i : sc.instances)
      if (i.base_name == c.name) paths += (paths.empty() ? "" : ", ") + i.path;
    std::cout << "      instances: " << paths << "\n";
  }
  std::cout << "connections:\n";
  for (const auto& e : topo.edges())
    std::cout << "  " << e.from << " -> " << e.to << (e.flow ? "" : " (control)") << "\n";
  std::cout << "experiments:";
  if (sc.experiments.empty()) std::cout << " none";
  std::cout << "\n";
  for (const auto& e : sc.experiments)
    std::cout << "  " << e.name << (e.description.empty() ? "" : ": " + e.description) << "\n";
  std::cout << "faults (" << (sc.experiment ? "experiment " + *sc.experiment : std::string("base")) << "): "
            << faults.size() << "\n";
  for (const auto& f : faults) {
    std::cout << "  " << sim::format_seconds(f.start.ns()) << " s  " << f.kind;
    if (f.end) std::cout << " until " << sim::format_seconds(f.end->ns()) << " s";
    std::cout << " on";
    for (const auto& t : f.targets) std::cout << " " << t;
    std::cout << "\n";
  }
  // DESIGN §7: the chosen hypothesis, abort conditions and rollbacks.
  if (sc.experiment_spec && !sc.experiment_spec->empty()) {
    const sim::experiment::ExperimentSpec& x = *sc.experiment_spec;
    for (const auto& p : x.probes)
      std::cout << "probe " << p.name << " (" << sim::experiment::probe_mode_name(p.mode) << ", " << p.tolerance.text()
                << "): " << p.query.text() << "\n";
    for (const auto& a : x.aborts)
      std::cout << "abort " << a.name << " every " << sim::format_duration(a.interval) << " when "
                << (a.when ? a.when->text() : std::string("it returns a sample")) << ": " << a.query.text() << "\n";
    if (x.rollbacks)
      std::cout << "rollbacks (" << sim::experiment::rollback_strategy_name(x.rollbacks->strategy)
                << "): " << x.rollbacks->actions.size() << " actions\n";
  }
  std::cout << "OK\n";
  return 0;
}

int graph_command(const GraphArgs& args, const sim::ModelRegistry& registry) {
  const sim::ResolvedScenario sc = load(args.scenario, args.experiment, args.sets, registry);
  const std::string dot = sim::Topology::build(sc, registry).to_dot(sc);
  if (args.out)
    sim::write_file_atomically(*args.out, dot);
  else
    std::cout << dot;
  return 0;
}

}  // namespace faultline::cli
