#include "tests/support/scenario_bench.hpp"

#include "models/register_builtin_models.hpp"
#include "sim/scenario/document.hpp"

namespace faultline::testing {

namespace {
std::unique_ptr<sim::ScenarioRun> run_document(sim::Document doc, const std::vector<std::string>& sets,
                                               const std::string& experiment) {
  sim::RunOptions opt;
  opt.sets = sets;
  if (!experiment.empty()) opt.experiment = experiment;
  const auto& registry = models::builtin_registry();
  auto run = std::make_unique<sim::ScenarioRun>(sim::resolve_scenario(std::move(doc), registry, opt), registry, opt);
  run->run();
  return run;
}
}  // namespace

std::unique_ptr<sim::ScenarioRun> run_yaml(const std::string& yaml, const std::vector<std::string>& sets,
                                           const std::string& experiment) {
  return run_document(sim::parse_document(yaml, "<test>"), sets, experiment);
}

std::unique_ptr<sim::ScenarioRun> run_file(const std::string& relative_path, const std::vector<std::string>& sets,
                                           const std::string& experiment) {
  return run_document(sim::load_document(std::string(FAULTLINE_SOURCE_DIR) + "/" + relative_path), sets, experiment);
}

size_t count_events(const sim::ScenarioRun& run, const std::string& component, const std::string& event) {
  size_t n = 0;
  for (const std::string& line : run.sim().events().lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("component", "") == component && j.value("event", "") == event) ++n;
  }
  return n;
}

uint64_t lost_by(const sim::ScenarioRun& run, const std::string& cause) {
  const auto& m = run.sim().ledger().lost_by_cause();
  auto it = m.find(cause);
  return it == m.end() ? 0 : it->second;
}

}  // namespace faultline::testing
