#include "sim/sweep/cli.hpp"

#include <CLI/CLI.hpp>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/sweep.hpp"

namespace faultline::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string params_text(const sim::Json& params) {
  std::string out;
  for (const auto& [k, v] : params.items())
    out += (out.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return out.empty() ? std::string("(the scenario as it is)") : out;
}

/// "backlog.peak 1234 ± 56" from an aggregate row.
std::string metric_text(const sim::Json& row, const std::string& m) {
  if (!row.contains(m + ".mean") || row[m + ".mean"].is_null()) return m + " -";
  std::string out = m + " " + num(row[m + ".mean"].get<double>());
  if (!row[m + ".ci_high"].is_null())
    out += " ± " + num(row[m + ".ci_high"].get<double>() - row[m + ".mean"].get<double>());
  return out;
}

void print_report(const sim::sweep::Sweep& sweep, const sim::sweep::SweepResult& res, const SweepArgs& args) {
  const auto& plan = sweep.plan();
  std::vector<std::string> shown = {"messages.lost", "backlog.peak"};
  if (plan.options().goal)
    for (const auto& c : plan.options().goal->conditions)
      if (std::find(shown.begin(), shown.end(), c.metric) == shown.end()) shown.push_back(c.metric);
  std::cout << "sweep of " << plan.doc().file << ": " << plan.settings() << " settings × " << plan.seeds_per_setting()
            << (plan.seeds_per_setting() == 1 ? " seed" : " seeds") << " = " << plan.runs() << " runs";
  if (!res.timing["jobs"].is_null()) std::cout << " on " << res.timing["jobs"].get<unsigned>() << " threads";
  std::cout << ", " << sim::sweep::format_wall_time(res.timing["wall_seconds"].get<double>()) << " wall";
  if (res.timing["runs_resumed"].get<size_t>() > 0)
    std::cout << " (" << res.timing["runs_resumed"].get<size_t>() << " runs resumed from " << *args.out << ")";
  std::cout << "\n";
  const size_t limit = args.out ? 50 : res.aggregate.rows.size();
  for (size_t s = 0; s < res.aggregate.rows.size() && s < limit; ++s) {
    const sim::Json& row = res.aggregate.rows[s];
    std::cout << "  " << params_text(plan.setting_params(s)) << ":";
    for (size_t i = 0; i < shown.size(); ++i) std::cout << (i ? ", " : " ") << metric_text(row, shown[i]);
    std::cout << "\n";
  }
  if (res.aggregate.rows.size() > limit)
    std::cout << "  ... " << res.aggregate.rows.size() - limit << " more settings in " << *args.out << "/aggregate.csv\n";
  if (plan.seeds_per_setting() > 1)
    std::cout << "  (mean ± half-width of the " << num(plan.options().confidence * 100)
              << " % Student-t confidence interval over " << plan.seeds_per_setting() << " seeds)\n";
  if (!res.goal.is_null()) {
    std::cout << "goal \"" << res.goal["goal"].get<std::string>() << "\" (met in every seed):\n";
    for (const auto& g : res.goal["groups"]) {
      std::cout << "  ";
      if (!g["fixed"].empty()) std::cout << "at " << params_text(g["fixed"]) << ": ";
      if (g["cheapest"].is_null()) {
        std::cout << "no setting meets it\n";
        continue;
      }
      std::cout << "cheapest " << params_text(g["cheapest"]);
      std::string details;
      for (const auto& [m, st] : g["metrics"].items()) {
        details += (details.empty() ? "" : "; ") + m;
        if (st.contains("max")) details += " max " + num(st["max"].get<double>());
        if (!st["mean"].is_null()) details += ", mean " + num(st["mean"].get<double>());
      }
      std::cout << " (" << details << ")\n";
    }
  }
  if (args.out) std::cout << "outputs written to " << *args.out << "\n";
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a) {
  auto* cmd = app.add_subcommand("sweep",
                                 "run a scenario over a grid of parameter values × seeds in parallel: one row per run, "
                                 "confidence intervals across seeds, the cheapest setting that meets a goal");
  cmd->add_option("SCENARIO", a.scenario, "scenario file, JSON or YAML")->required();
  cmd->add_option("--set", a.sets,
                  "a swept parameter: path=v1,v2,... or path=lo..hi:step (inclusive; lo, hi and step may share a "
                  "unit: 10ms..50ms:10ms); repeatable, the grid is the product, the first --set varies slowest")
      ->take_all();
  cmd->add_option("--seeds", a.seeds, "run every setting with seeds 1..K (default: once, with the scenario's seed)");
  cmd->add_option("-j,--jobs", a.jobs, "runs in parallel (default: the number of cores)");
  cmd->add_option("--goal", a.goal,
                  "find the cheapest setting that meets this in every seed, e.g. \"backlog.peak < 1000\" "
                  "(METRIC OP NUMBER [and ...])");
  cmd->add_option("--cost", a.cost,
                  "an axis whose values cost something, most significant first (repeatable; default: every axis); "
                  "the goal is answered for each combination of the other axes")
      ->take_all();
  cmd->add_option("--confidence", a.confidence, "level of the confidence intervals across seeds (default 0.95)");
  cmd->add_option("--experiment", a.experiment, "run the named experiment of the scenario");
  cmd->add_option("--until", a.until, "simulated time to stop each run at (overrides the scenario's duration)");
  cmd->add_option("--start-time", a.start_time, "RFC 3339 time of simulated t=0");
  cmd->add_option("--out", a.out,
                  "output folder: runs.csv, runs.json, aggregate.csv, aggregate.json, goal.json, timing.json, "
                  "timing.csv; finished runs are journalled there (runs.jsonl) and the same command resumes");
  cmd->add_flag("--csv", a.csv, "print runs.csv instead of the report");
  return cmd;
}

int sweep_command(const SweepArgs& args, const sim::ModelRegistry& registry) {
  sim::sweep::SweepOptions opt;
  opt.experiment = args.experiment;
  for (const std::string& s : args.sets) opt.axes.push_back(sim::sweep::parse_axis(s));
  opt.seeds = args.seeds;
  opt.until = args.until;
  opt.start_time = args.start_time;
  if (args.goal) opt.goal = sim::sweep::parse_goal(*args.goal);
  opt.cost = args.cost;
  opt.confidence = args.confidence;
  if (args.jobs && *args.jobs == 0) throw sim::InputError("-j", "", 0, "expected at least 1 job");
  const unsigned jobs = args.jobs ? *args.jobs : std::max(1u, std::thread::hardware_concurrency());

  sim::sweep::Sweep sweep(sim::load_document(args.scenario), registry, std::move(opt), args.out);

  // Ctrl-C: stop taking runs, keep the finished ones; a second Ctrl-C kills at once.
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = static_cast<int>(SA_RESETHAND);
  sigemptyset(&sa.sa_mask);
  g_interrupted = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  sim::sweep::ProgressBar bar(stderr);
  sim::sweep::SweepProgress last;
  const bool complete = sweep.run_local(jobs, [&](const sim::sweep::SweepProgress& p) {
    last = p;
    if (terminal) bar.update(p);
    return g_interrupted != 0;
  });
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (terminal) bar.finish(last);
  if (!complete) {
    std::cerr << "interrupted: " << sweep.done_count() << " of " << sweep.plan().runs() << " runs done";
    if (args.out)
      std::cerr << ", kept in " << *args.out << "/runs.jsonl; the same command resumes\n";
    else
      std::cerr << "; nothing kept (without --out a sweep cannot resume)\n";
    return 130;
  }
  const sim::sweep::SweepResult res = sweep.finish();
  if (args.csv)
    std::cout << res.runs.csv();
  else
    print_report(sweep, res, args);
  if (!res.goal.is_null() && !res.goal["met"].get<bool>()) return 3;
  return 0;
}

}  // namespace faultline::cli
