#include "sim/validate/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "sim/output/atomic_file.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/validate/overlay.hpp"
#include "sim/validate/report.hpp"

namespace faultline::cli {

namespace {

void add_common(CLI::App* cmd, std::string& scenario, std::optional<std::string>& experiment,
                std::vector<std::string>& sets, std::vector<std::string>& overlays,
                std::vector<std::string>& observed) {
  cmd->add_option("SCENARIO", scenario, "scenario file, JSON or YAML")->required();
  cmd->add_option("--observed", observed,
                  "observed traces of the live run: Prometheus query_range "
                  "JSON, OpenMetrics or Prometheus text, CSV "
                  "(repeatable; merged)")
      ->required()
      ->take_all();
  cmd->add_option("--experiment", experiment, "use the named experiment of the scenario (its set overrides)");
  cmd->add_option("--set", sets,
                  "override a scenario parameter: path=value (repeatable; "
                  "after the overlays)")
      ->take_all();
  add_overlay_option(cmd, overlays);
}

std::string describe_check(const validate::Comparison& c, const std::string& unit) {
  const auto num = [&](const std::optional<double>& v) {
    return v ? validate::short_number(*v) + unit : std::string("none");
  };
  return "predicted " + num(c.predicted) + ", observed " + num(c.observed) +
         (c.tolerance.empty() ? "" : " (tolerance " + c.tolerance.describe(unit.empty() ? "" : unit.substr(1)) + ")");
}

}  // namespace

void add_overlay_option(CLI::App* command, std::vector<std::string>& overlays) {
  command
      ->add_option("--overlay", overlays,
                   "apply a scenario overlay (e.g. written by calibrate): its "
                   "parameter overrides come before --set "
                   "(repeatable)")
      ->take_all();
}

void apply_overlays(const std::string& scenario, const std::vector<std::string>& overlays,
                    std::vector<std::string>& sets, const sim::ModelRegistry& registry) {
  if (overlays.empty()) return;
  std::vector<std::string> all = validate::overlay_sets(scenario, overlays, registry);
  all.insert(all.end(), sets.begin(), sets.end());
  sets = std::move(all);
}

CLI::App* add_validate_command(CLI::App& app, ValidateArgs& a) {
  auto* cmd = app.add_subcommand("validate",
                                 "replay the record of a live run and compare the prediction "
                                 "with the observed traces: loss, backlog peak, "
                                 "times to peak and drain, RMSE, recovery times, each against "
                                 "a tolerance; writes a report with plots");
  validate::ValidateOptions& o = a.options;
  add_common(cmd, o.scenario, o.experiment, a.user_sets, a.overlays, o.observed);
  cmd->add_option("--record", o.records,
                  "the run's records: its folder (faults.jsonl, run.json, "
                  "truth.json, messages.csv.gz), a fault "
                  "timeline, a ground truth, or chaos records (repeatable)")
      ->required()
      ->take_all();
  cmd->add_option("--out", a.out,
                  "write the report folder: report.md, report.json, one SVG plot per metric, and replay/ (the "
                  "replay's outputs, as run --out writes them)");
  cmd->add_option("--seed", o.seed, "random seed (overrides the scenario's seed)");
  cmd->add_option("--start-time", o.start_time,
                  "RFC 3339 time of the records' time zero, when they carry "
                  "none (a bare fault timeline)");
  cmd->add_option("--until", o.until, "simulated time to stop at (default: the end of the observed traces)");
  cmd->add_option("--metric", o.metrics,
                  "also compare this mapped metric, e.g. rabbitmq_queue_messages or "
                  "rabbitmq_global_messages_confirmed_total (repeatable; the backlog is "
                  "always compared)")
      ->take_all();
  cmd->add_option("--tolerance", o.tolerances,
                  "[METRIC.]FIGURE=VALUE, FIGURE one of loss, recovery, rmse, "
                  "peak, time_to_peak, time_to_drain; VALUE "
                  "15%, 20, 2s, 10%,20 (the larger) or none. Defaults: "
                  "loss=10%,20 backlog.peak=15% recovery=2s")
      ->take_all();
  cmd->add_option("--mapping", o.mapping, "an exporter-mapping table (JSON or YAML) put ahead of the built-in one");
  cmd->add_option("--map", a.maps,
                  "rename a path or pod of the records: POD=PATH, or PATH=PATH1,PATH2 for a process the scenario "
                  "models as several components (repeatable)")
      ->take_all();
  cmd->add_flag("--json", a.json, "print report.json instead of the text summary");
  return cmd;
}

CLI::App* add_calibrate_command(CLI::App& app, CalibrateArgs& a) {
  auto* cmd = app.add_subcommand("calibrate",
                                 "fit service time, throughput, confirm latency and restart "
                                 "times from a steady stretch of an observed trace "
                                 "(least squares) and write them as a scenario overlay");
  validate::CalibrateOptions& o = a.options;
  add_common(cmd, o.scenario, o.experiment, a.user_sets, a.overlays, o.observed);
  cmd->add_option("--record", o.records,
                  "records of runs: their fault-to-recovery gaps give restart "
                  "and rejoin times; the first one's time "
                  "zero and first fault bound the steady stretch (repeatable)")
      ->take_all();
  cmd->add_option("--steady", o.steady,
                  "the steady stretch, FROM..TO seconds from the time zero "
                  "(default 5 s to the first fault)");
  cmd->add_option("--start-time", o.start_time,
                  "RFC 3339 time of the time zero (default: the records', else "
                  "the trace's start)");
  cmd->add_option("--out", a.out, "write the overlay to this file (standard output when absent)");
  return cmd;
}

int validate_command(ValidateArgs& a, const sim::ModelRegistry& registry) {
  validate::ValidateOptions& o = a.options;
  o.sets = a.user_sets;
  apply_overlays(o.scenario, a.overlays, o.sets, registry);
  for (const std::string& m : a.maps) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      throw sim::InputError("--map", "", 0, "expected POD=PATH or PATH=PATH1,PATH2, got \"" + m + "\"");
    o.pod_map[m.substr(0, eq)] = m.substr(eq + 1);
  }
  if (a.out) o.replay_out = *a.out + "/replay";
  const validate::ValidationResult r = validate::run_validation(o, registry);
  if (a.out) validate::write_report(r, *a.out);
  if (a.json) {
    std::cout << r.to_json().dump(2) << "\n";
    return r.passed() ? 0 : 3;
  }
  const auto [pass, fail] = r.counts();
  std::cout << "validation of " << r.scenario << " against " << r.record_label << ": " << (fail == 0 ? "PASS" : "FAIL")
            << ", " << pass << " of " << pass + fail << " checks within tolerance"
            << (pass + fail == 0 ? " (nothing was checked: no ground truth, no backlog, no recorded recovery)" : "")
            << "\n";
  const auto line = [](const std::string& what, const validate::Comparison& c, const std::string& unit) {
    if (c.outcome == validate::Outcome::unchecked) return;
    std::cout << "  " << (c.outcome == validate::Outcome::pass ? "pass " : "FAIL ") << what << ": "
              << describe_check(c, unit) << "\n";
  };
  line("messages lost", r.loss, "");
  for (const validate::MetricResult& m : r.metrics) {
    line(m.id + " peak", m.peak, "");
    line(m.id + " time to peak", m.time_to_peak, " s");
    line(m.id + " time to drain", m.time_to_drain, " s");
    line(m.id + " RMSE", m.rmse, "");
  }
  for (const validate::RecoveryResult& rr : r.recoveries) {
    std::string t;
    for (const std::string& x : rr.targets) t += (t.empty() ? "" : ",") + x;
    line("recovery of " + t + " after " + rr.kind, rr.recovery, " s");
  }
  for (const validate::RecordNote& n : r.notes)
    std::cerr << "record: " << n.file << (n.line > 0 ? ":" + std::to_string(n.line) : "") << ": " << n.what << ": "
              << n.effect << " (" << n.reason << ")\n";
  for (const std::string& u : r.unmapped_faults) std::cerr << "unmapped: " << u << "\n";
  if (a.out) std::cout << "report written to " << *a.out << "/report.md\n";
  return r.passed() ? 0 : 3;
}

int calibrate_command(CalibrateArgs& a, const sim::ModelRegistry& registry) {
  validate::CalibrateOptions& o = a.options;
  o.sets = a.user_sets;
  apply_overlays(o.scenario, a.overlays, o.sets, registry);
  const validate::Calibration c = validate::run_calibration(o, registry);
  const std::string text = c.render_overlay();
  if (a.out) {
    sim::write_file_atomically(*a.out, text);
    std::cerr << "overlay written to " << *a.out << " (" << c.sets.size() << " parameters from " << c.fits.size()
              << " fits)\n";
  } else {
    std::cout << text;
  }
  for (const std::string& n : c.notes) std::cerr << "note: " << n << "\n";
  return 0;
}

}  // namespace faultline::cli
