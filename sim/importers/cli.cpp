#include "sim/importers/cli.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_runner.hpp"
#include "sim/importers/import.hpp"
#include "sim/importers/timeline.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/number_format.hpp"
#include "sim/output/run_outputs.hpp"
#include "sim/run/scenario_run.hpp"

namespace faultline::cli {

namespace {

void add_common(CLI::App* cmd, ImportArgs& a, const char* files_name, const char* files_help) {
  cmd->add_option("SCENARIO", a.scenario, "scenario file, JSON or YAML")->required();
  cmd->add_option(files_name, a.files, files_help)->required();
  cmd->add_option("--experiment", a.experiment, "use the named experiment of the scenario (its set overrides)");
  cmd->add_option("--set", a.sets, "override a scenario parameter: path=value (repeatable)")->take_all();
  cmd->add_option("--seed", a.seed, "random seed for predicted choices (overrides the scenario's seed)");
  cmd->add_option("--start-time", a.start_time,
                  "RFC 3339 time of simulated t=0: records are placed relative to it (default: the records' earliest "
                  "time)");
  cmd->add_option("--map", a.maps,
                  "map a pod of a record to a component: POD=PATH or NAMESPACE/POD=PATH, e.g. "
                  "consumer-7d9f8b-x2x9k=consumer/consumer-0 (repeatable)")
      ->take_all();
  cmd->add_option("--at", a.at, "when definitions (not records) start, from the scenario's start (default 0s)");
  cmd->add_option("--window", a.window,
                  "how long Schedules are expanded after --at (default: until the scenario's duration)");
  cmd->add_option("--producer", a.producer, "the producer or http-load a k6 load drives (default: the scenario's only one)");
  cmd->add_option("--var", a.vars, "Chaos Toolkit configuration value: KEY=VALUE (repeatable)")->take_all();
  cmd->add_option("--k6-iteration", a.k6_iteration,
                  "time one k6 VU iteration takes (sleep plus request), to turn VU executors into a rate, e.g. 1s");
  cmd->add_option("--k6-bin", a.k6_bin, "bin width for recorded k6 requests (default 1s)");
}

sim::Duration duration_option(const std::optional<std::string>& v, const char* name, sim::Duration fallback) {
  if (!v) return fallback;
  try {
    const sim::Duration d = sim::parse_duration(*v);
    if (d < sim::Duration::zero()) throw sim::TimeParseError("expected a duration ≥ 0");
    return d;
  } catch (const std::exception& e) {
    throw sim::InputError(name, "", 0, e.what());
  }
}

std::pair<std::string, std::string> key_value(const std::string& s, const char* option) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    throw sim::InputError(option, "", 0, "expected KEY=VALUE, got \"" + s + "\"");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

sim::importers::ImportOptions import_options(const ImportArgs& a) {
  sim::importers::ImportOptions o;
  for (const std::string& m : a.maps) {
    auto [k, v] = key_value(m, "--map");
    o.pod_map[k] = v;
  }
  for (const std::string& m : a.vars) {
    auto [k, v] = key_value(m, "--var");
    o.vars[k] = v;
  }
  o.at = duration_option(a.at, "--at", sim::Duration::zero());
  if (a.window) {
    o.window = duration_option(a.window, "--window", sim::Duration::zero());
    if (*o.window <= sim::Duration::zero()) throw sim::InputError("--window", "", 0, "expected a duration > 0");
  }
  if (a.start_time) {
    o.start_epoch_ns = sim::parse_rfc3339(*a.start_time);
    if (!o.start_epoch_ns)
      throw sim::InputError("--start-time", "", 0, "expected an RFC 3339 time such as 2026-01-01T00:00:00Z, got \"" +
                                                       *a.start_time + "\"");
  }
  o.producer = a.producer;
  if (a.k6_iteration) o.k6_iteration = duration_option(a.k6_iteration, "--k6-iteration", sim::Duration::zero());
  o.k6_bin = duration_option(a.k6_bin, "--k6-bin", sim::Duration::s(1));
  if (o.k6_bin < sim::Duration::ms(1)) throw sim::InputError("--k6-bin", "", 0, "expected a bin of at least 1ms");
  return o;
}

sim::ResolvedScenario resolve(const ImportArgs& a, const sim::ModelRegistry& registry,
                              const std::vector<std::string>& extra_sets = {},
                              std::optional<std::string> start_time = std::nullopt) {
  sim::ResolveOptions opt;
  opt.experiment = a.experiment;
  opt.sets = a.sets;
  opt.sets.insert(opt.sets.end(), extra_sets.begin(), extra_sets.end());
  opt.seed = a.seed;
  opt.start_time = std::move(start_time);
  return sim::resolve_scenario(sim::load_document(a.scenario), registry, opt);
}

void print_unmapped(const sim::importers::ImportResult& r) {
  for (const auto& u : r.unmapped) {
    std::cerr << "unmapped: " << (u.file.empty() ? "load" : u.file);
    if (u.line > 0) std::cerr << ":" << u.line;
    if (!u.at.empty() && u.at.rfind("line ", 0) != 0) std::cerr << " at " << u.at;
    std::cerr << ": " << u.what << ": " << u.reason << " (" << u.effect << ")\n";
  }
}

std::string out_stem(const std::string& out) {
  const size_t slash = out.rfind('/');
  const size_t dot = out.rfind('.');
  return dot != std::string::npos && (slash == std::string::npos || dot > slash) ? out.substr(0, dot) : out;
}
std::string report_path(const std::string& out) { return out_stem(out) + ".report.json"; }
std::string experiment_path(const std::string& out) { return out_stem(out) + ".experiment.json"; }

}  // namespace

CLI::App* add_import_command(CLI::App& app, ImportArgs& args) {
  auto* cmd = app.add_subcommand(
      "import", "convert chaos definitions, run records and k6 load profiles into the fault timeline (faults.jsonl)");
  add_common(cmd, args, "FILE",
             "Chaos Mesh, LitmusChaos, Chaos Toolkit, Istio or k6 files, Kubernetes event exports, or a fault timeline");
  cmd->add_option("--out", args.out,
                  "write the timeline to this file (and its report, with every unmapped field, next to it as "
                  "<name>.report.json); standard output when absent");
  return cmd;
}

CLI::App* add_replay_command(CLI::App& app, ImportArgs& args) {
  auto* cmd = app.add_subcommand("replay", "run the scenario with the faults and the load of recorded (or defined) chaos runs");
  add_common(cmd, args, "RECORD", "run records and definitions, as for import");
  cmd->add_option("--until", args.until, "simulated time to stop at (overrides the scenario's duration)");
  cmd->add_option("--out", args.out, "write the output folder, as run does, plus import_report.json");
  cmd->add_flag("--json", args.json, "print summary.json instead of the text report");
  cmd->add_flag("--trace-messages", args.trace_messages, "add one events.jsonl line per message step");
  cmd->add_flag("--fail-on-verdict", args.fail_on_verdict,
                "exit with code 3 when the experiment's verdict (hypothesis, abort conditions) is not pass");
  return cmd;
}

int import_command(const ImportArgs& args, const sim::ModelRegistry& registry) {
  const sim::ResolvedScenario sc = resolve(args, registry);
  const sim::importers::ImportResult r = sim::importers::import_files(sc, args.files, import_options(args));
  const std::string timeline = sim::importers::render_timeline(r.faults);
  if (args.out) {
    sim::write_file_atomically(*args.out, timeline);
    sim::write_file_atomically(report_path(*args.out), r.report(sc).dump(2) + "\n");
    // Probes and conditions (DESIGN §7): an `experiments` entry to paste into the scenario.
    if (!r.checks.empty())
      sim::write_file_atomically(experiment_path(*args.out), r.experiment_block("imported").dump(2) + "\n");
  } else {
    std::cout << timeline;
  }
  print_unmapped(r);
  std::cerr << "imported " << r.faults.size() << " faults from " << args.files.size() << " files";
  if (r.start_epoch_ns) std::cerr << ", records from " << sim::format_rfc3339(*r.start_epoch_ns);
  std::cerr << "; " << r.unmapped.size() << " unmapped entries\n";
  for (const std::string& s : r.load_sets()) std::cerr << "load: --set " << s << "\n";
  if (!r.checks.empty()) {
    size_t conditions = 0;
    for (const auto& c : r.checks) conditions += c.abort ? 1 : 0;
    std::cerr << "hypothesis: " << r.checks.size() - conditions << " probes, abort: " << conditions
              << " conditions; replay runs them, and "
              << (args.out ? "the experiment block is in " + experiment_path(*args.out)
                           : std::string("--out writes them as an experiment block for the scenario"))
              << "\n";
  }
  if (args.out) std::cerr << "timeline written to " << *args.out << ", report to " << report_path(*args.out) << "\n";
  return 0;
}

int replay_command(const ImportArgs& args, const sim::ModelRegistry& registry) {
  const sim::ResolvedScenario first = resolve(args, registry, {}, args.start_time);
  const sim::importers::ImportResult r = sim::importers::import_files(first, args.files, import_options(args));
  print_unmapped(r);
  sim::RunOptions opt;
  opt.experiment = args.experiment;
  opt.sets = args.sets;
  for (const std::string& s : r.load_sets()) opt.sets.push_back(s);
  opt.seed = args.seed;
  // DESIGN §6: a replay's start_time is the record's, unless --start-time says otherwise.
  if (args.start_time)
    opt.start_time = args.start_time;
  else if (r.start_epoch_ns)
    opt.start_time = sim::format_rfc3339(*r.start_epoch_ns);
  opt.trace_messages = args.trace_messages;
  if (args.until) {
    opt.until = duration_option(args.until, "--until", sim::Duration::zero());
    if (*opt.until <= sim::Duration::zero()) throw sim::InputError("--until", "", 0, "expected a time > 0 such as 10m");
  }
  opt.recorded_faults = r.faults;
  if (!r.checks.empty()) opt.imported_experiment = r.experiment_spec();
  sim::ScenarioRun run(sim::resolve_scenario(sim::load_document(args.scenario), registry, opt), registry, opt);
  run.run();
  if (args.out) {
    sim::write_run_outputs(run, *args.out);
    sim::write_file_atomically(*args.out + "/import_report.json", r.report(run.scenario()).dump(2) + "\n");
  }
  const auto& s = run.summary();
  const int verdict_code = args.fail_on_verdict ? sim::experiment::verdict_exit_code(s) : 0;
  if (args.json) {
    std::cout << s.dump(2) << "\n";
    return verdict_code;
  }
  const auto num = [](double v) { return sim::format_prometheus_float(v); };
  const auto& m = s["messages"];
  const auto& b = s["backlog"];
  std::cout << "replay of scenario " << s["scenario"].get<std::string>() << ", seed " << s["seed"].get<uint64_t>()
            << ", start_time " << s["start_time"].get<std::string>() << "\n";
  std::cout << "fingerprint " << s["fingerprint"].get<std::string>() << "\n";
  std::cout << "simulated " << num(s["simulated_seconds"].get<double>()) << " s, " << s["events"].get<uint64_t>()
            << " events\n";
  std::cout << "messages: published " << m["published"].get<uint64_t>() << ", delivered " << m["delivered"].get<uint64_t>()
            << ", lost " << m["lost"].get<uint64_t>() << ", in flight " << m["in_flight"].get<uint64_t>()
            << ", duplicates " << m["duplicates"].get<uint64_t>() << "\n";
  std::cout << "backlog: peak " << b["peak"].get<int64_t>() << " messages at " << num(b["peak_time_s"].get<double>())
            << " s\n";
  for (const auto& f : s["faults"]) {
    std::cout << "fault " << f["kind"].get<std::string>() << " at " << num(f["start_s"].get<double>()) << " s on";
    for (const auto& t : f["targets"]) std::cout << " " << t.get<std::string>();
    if (!f["recovered_s"].is_null()) std::cout << ", recovered at " << num(f["recovered_s"].get<double>()) << " s";
    if (f.contains("unmapped")) std::cout << " (unmapped: " << f["unmapped"][0]["reason"].get<std::string>() << ")";
    std::cout << "\n";
  }
  if (!s["verdict"].is_null()) std::cout << sim::experiment::verdict_text(s["verdict"]) << "\n";
  if (args.out) std::cout << "outputs written to " << *args.out << "\n";
  return verdict_code;
}

}  // namespace faultline::cli
