// faultline: predict what a chaos fault does to a microservice cluster (DESIGN §9).
#include <CLI/CLI.hpp>

#include <iostream>

#include "models/register_builtin_models.hpp"
#include "sim/cli/commands.hpp"
#include "sim/importers/cli.hpp"
#include "sim/messages/message_ledger.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/sweep/cli.hpp"
#include "sim/validate/cli.hpp"

namespace {

void add_scenario_options(CLI::App* cmd, std::string& scenario, std::optional<std::string>& experiment,
                          std::vector<std::string>& sets) {
  cmd->add_option("SCENARIO", scenario, "scenario file, JSON or YAML")->required();
  cmd->add_option("--experiment", experiment, "run the named experiment of the scenario (its set, faults)");
  cmd->add_option("--set", sets,
                  "override a parameter: path=value, e.g. components.consumer.count=8 (repeatable; applied after "
                  "the experiment's own set)")
      ->take_all();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faultline;
  CLI::App app{"faultline: a deterministic simulator of a microservice cluster under chaos faults.\n"
               "Predicts message loss (how many, why, where) and backlog (peak, time to drain)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "faultline 0.1.0");

  cli::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "run a scenario and print predicted loss and backlog");
  add_scenario_options(run_cmd, run.scenario, run.experiment, run.sets);
  run_cmd->add_option("--seed", run.seed, "random seed (overrides the scenario's seed)");
  run_cmd->add_option("--until", run.until, "simulated time to stop at, e.g. 10m (overrides the scenario's duration)");
  run_cmd->add_option("--start-time", run.start_time,
                      "RFC 3339 wall-clock time of simulated t=0 for output timestamps (default 2026-01-01T00:00:00Z)");
  run_cmd->add_option("--out", run.out,
                      "write the output folder: summary.json, series.csv, metrics.om, query_range.json, events.jsonl, "
                      "faults.jsonl, scenario.resolved.json, timing.json");
  run_cmd->add_flag("--json", run.json, "print summary.json instead of the text report");
  run_cmd->add_flag("--trace-messages", run.trace_messages,
                    "add one events.jsonl line per message step (for small runs; does not change the fingerprint)");
  run_cmd->add_flag("--fail-on-verdict", run.fail_on_verdict,
                    "exit with code 3 when the experiment's verdict (hypothesis, abort conditions) is not pass");

  cli::CheckArgs check;
  auto* check_cmd = app.add_subcommand("check", "validate a scenario; list its components, parameters and experiments");
  add_scenario_options(check_cmd, check.scenario, check.experiment, check.sets);

  cli::GraphArgs graph;
  auto* graph_cmd = app.add_subcommand("graph", "write the scenario's topology as Graphviz DOT");
  add_scenario_options(graph_cmd, graph.scenario, graph.experiment, graph.sets);
  graph_cmd->add_option("--out", graph.out, "DOT file to write (standard output when absent)");

  cli::ImportArgs import_args, replay_args;
  auto* import_cmd = cli::add_import_command(app, import_args);
  auto* replay_cmd = cli::add_replay_command(app, replay_args);

  // Scenario overlays (sim/validate/overlay.hpp): a file of parameter overrides, ahead of --set.
  std::vector<std::string> run_overlays, check_overlays, graph_overlays, replay_overlays;
  cli::add_overlay_option(run_cmd, run_overlays);
  cli::add_overlay_option(check_cmd, check_overlays);
  cli::add_overlay_option(graph_cmd, graph_overlays);
  cli::add_overlay_option(replay_cmd, replay_overlays);
  cli::ValidateArgs validate_args;
  auto* validate_cmd = cli::add_validate_command(app, validate_args);
  cli::CalibrateArgs calibrate_args;
  auto* calibrate_cmd = cli::add_calibrate_command(app, calibrate_args);

  cli::SweepArgs sweep_args;
  auto* sweep_cmd = cli::add_sweep_command(app, sweep_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // DESIGN §9: bad input
  }

  const sim::ModelRegistry& registry = models::builtin_registry();
  try {
    if (*run_cmd) cli::apply_overlays(run.scenario, run_overlays, run.sets, registry);
    if (*check_cmd) cli::apply_overlays(check.scenario, check_overlays, check.sets, registry);
    if (*graph_cmd) cli::apply_overlays(graph.scenario, graph_overlays, graph.sets, registry);
    if (*replay_cmd) cli::apply_overlays(replay_args.scenario, replay_overlays, replay_args.sets, registry);
    if (*validate_cmd) return cli::validate_command(validate_args, registry);
    if (*calibrate_cmd) return cli::calibrate_command(calibrate_args, registry);
    if (*run_cmd) return cli::run_command(run, registry);
    if (*check_cmd) return cli::check_command(check, registry);
    if (*graph_cmd) return cli::graph_command(graph, registry);
    if (*import_cmd) return cli::import_command(import_args, registry);
    if (*replay_cmd) return cli::replay_command(replay_args, registry);
    if (*sweep_cmd) return cli::sweep_command(sweep_args, registry);
  } catch (const sim::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const sim::ConservationError& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
