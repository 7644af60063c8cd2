// libFuzzer target for one importer format (issue 5): the input is read as a file named
// FAULTLINE_FUZZ_FILE against a small scenario. Bad input must end in InputError (exit code 2
// in the CLI); any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/register_builtin_models.hpp"
#include "sim/importers/import.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

const char* kScenario = R"Y(
name: fuzz-cluster
duration: 5m
seed: 7
components:
  - {name: producer, kind: producer, count: 2, target: orders, rate: 50/s, labels: {app: k6}}
  - {name: orders, kind: queue, labels: {app: rabbitmq, app.kubernetes.io/component: tikv}}
  - {name: consumer, kind: consumer, count: 3, queue: orders, processing_time: 5ms,
     labels: {app: consumer, tier: worker, run: frontend, app.kubernetes.io/component: web-app}}
)Y";

const faultline::sim::ResolvedScenario& scenario() {
  static const faultline::sim::ResolvedScenario sc = faultline::sim::resolve_scenario(
      faultline::sim::parse_document(kScenario, "fuzz.yaml"), faultline::models::builtin_registry(), {});
  return sc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  faultline::sim::importers::ImportOptions opt;
  opt.k6_iteration = faultline::sim::Duration::s(1);
  try {
    const auto r = faultline::sim::importers::import_texts(scenario(), {{FAULTLINE_FUZZ_FILE, text}}, opt);
    (void)r.report(scenario()).dump();
  } catch (const faultline::sim::InputError&) {
    // bad input, reported with its place: the expected outcome
  }
  return 0;
}
