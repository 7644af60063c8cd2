// Every file of ../shared/corpus either imports or is refused with a precise reason (issue 5).
// More real files exist than the corpus gives: files not listed below must still import or be
// refused with exit code 2 and a reason, never crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "tests/unit/importers/import_test_util.hpp"

namespace faultline::test {
namespace {

namespace fs = std::filesystem;

// Expected outcomes of the corpus as given: "imports N" or a part of the refusal's reason.
const std::map<std::string, std::string>& expected() {
  static const std::map<std::string, std::string> m = {
      {"chaos-mesh/examples/burn-cpu.yaml", "imports 1"},
      {"chaos-mesh/examples/cause-pod-oom.yaml", "imports 1"},
      {"chaos-mesh/examples/container-kill-example.yaml", "imports 1"},
      {"chaos-mesh/examples/io-delay-example.yaml", "imports 1"},
      {"chaos-mesh/examples/io-errno-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-bandwidth-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-corrupt-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-delay-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-delay-with-target-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-duplicate-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-loss-example.yaml", "imports 1"},
      {"chaos-mesh/examples/network-netem-example.yaml", "imports 2"},       // delay + loss
      {"chaos-mesh/examples/network-partition-example.yaml", "imports 0"},   // self-partition (mode one, one side)
      {"chaos-mesh/examples/pod-failure-example.yaml", "imports 1"},
      {"chaos-mesh/examples/pod-kill-example.yaml", "imports 1"},
      {"chaos-mesh/examples/statuscheck-example.yaml", "imports 0"},         // cannot be evaluated
      {"chaos-mesh/examples/time-chaos-example.yaml", "imports 0"},          // no model
      {"chaos-mesh/examples/workflow/custom-task.yaml", "imports 0"},        // branches on a Task's output
      // stress 0–20 s, suspend 10 s, delay 30–50 s, suspend 5 s, @every 2s pod-kill for 40 s: 19 kills.
      {"chaos-mesh/examples/workflow/serial.yaml", "imports 21"},
      {"chaos-mesh/examples/workflow/status-check.yaml", "imports 1"},
      {"chaos-mesh/crd-schemas/chaos-mesh.org_podchaos.yaml", "a CRD schema"},
      {"chaos-mesh/crd-schemas/chaos-mesh.org_networkchaos.yaml", "a CRD schema"},
      {"chaos-mesh/crd-schemas/chaos-mesh.org_stresschaos.yaml", "a CRD schema"},
      {"chaos-mesh/crd-schemas/chaos-mesh.org_iochaos.yaml", "a CRD schema"},
      {"chaos-mesh/crd-schemas/chaos-mesh.org_timechaos.yaml", "a CRD schema"},
      {"litmus/chaos-charts/faults/kubernetes/pod-delete/engine.yaml", "imports 0"},  // empty applabel
      {"litmus/chaos-charts/faults/kubernetes/pod-delete/fault.yaml", "imports 0"},   // defaults only
      {"litmus/chaos-charts/experiments/sock-shop-promProbe/experiment.yaml", "an Argo Workflow"},
      {"litmus/litmus-mkdocs/probes/common/probe-modes.yaml", "imports 3"},  // 15 s every 5 s
      {"litmus/litmus-mkdocs/probes/common/runproperties.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/probes/common/stop-on-failure.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/probes/httpProbe/http-get.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/probes/promProbe/prom-probe-with-query.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/probes/cmdProbe/inline-mode.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/probes/k8sProbe/present-operation.yaml", "imports 3"},
      {"litmus/litmus-mkdocs/chaos-result/probe-details/probe.out", "imports 0"},  // a verdict, no times
      {"litmus/litmus-mkdocs/chaos-result/status/experiment-status.out", "imports 0"},
      {"litmus/litmus-mkdocs/pod-delete/chaos-interval.yaml", "imports 4"},  // 60 s every 15 s
      {"litmus/litmus-mkdocs/pod-delete/force.yaml", "imports 12"},          // 60 s every 5 s
      {"litmus/crd-schemas/chaosengine_crd.yaml", "a CRD schema"},
      {"litmus/crd-schemas/chaosresults_crd.yaml", "a CRD schema"},
      {"litmus/crd-schemas/chaosexperiment_crd.yaml", "a CRD schema"},
      {"chaostoolkit/experiments/kill-pods-experiment.json", "imports 0"},  // ${pod_label_selector} unset
      {"chaostoolkit/experiments/check-file-exists-deviated.json", "imports 0"},  // rm is not a fault
      {"chaostoolkit/schema/experiment-schema.json", "a JSON Schema"},
      {"chaostoolkit/journals/mdrcs-journal-deviated.json", "imports 1"},
      {"chaostoolkit/journals/mdrcs-experiment.json", "imports 1"},
      {"prometheus/query_range_up_docs_example.json", "an observed trace"},
      {"prometheus/dump-openmetrics-roundtrip-test.prom", "an observed trace"},
      {"istio/virtual-service-ratings-test-abort.yaml", "imports 1"},
      {"istio/virtual-service-ratings-test-delay.yaml", "imports 1"},
  };
  return m;
}

TEST(CorpusWalk, EveryFileImportsOrIsRefusedWithAReason) {
  const fs::path corpus = fs::path(FAULTLINE_SHARED_DIR) / "corpus";
  if (!fs::is_directory(corpus)) GTEST_SKIP() << "../shared/corpus is absent: the corpus walk is skipped";
  const sim::ResolvedScenario sc = sim::resolve_scenario(
      sim::load_document(source_path("tests/fixtures/importers/corpus-cluster.yaml")), models::builtin_registry(), {});
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus))
    if (e.is_regular_file() && e.path().filename() != "MANIFEST.tsv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  size_t imported = 0, refused = 0, listed = 0;
  for (const fs::path& p : files) {
    const std::string rel = fs::relative(p, corpus).generic_string();
    std::string outcome;
    try {
      const auto r = sim::importers::import_files(sc, {p.string()}, {});
      outcome = "imports " + std::to_string(r.faults.size());
      ++imported;
      // Nothing silently dropped: a file that gives no fault says why.
      if (r.faults.empty() && r.load_overrides.empty()) {
        EXPECT_FALSE(r.unmapped.empty()) << rel;
      }
    } catch (const sim::InputError& e) {
      outcome = e.message();
      ++refused;
      EXPECT_EQ(e.file(), p.string()) << rel;
      EXPECT_GT(e.message().size(), 20u) << rel << ": the reason must say what the file is";
    }
    std::cout << "[corpus] " << rel << " → " << outcome.substr(0, 160) << "\n";
    auto it = expected().find(rel);
    if (it == expected().end()) continue;
    ++listed;
    EXPECT_NE(outcome.find(it->second), std::string::npos) << rel << ": got \"" << outcome << "\"";
  }
  std::cout << "[corpus] " << files.size() << " files: " << imported << " imported, " << refused << " refused\n";
  EXPECT_EQ(listed, expected().size()) << "a file of the expected table is missing from the corpus";
}

TEST(CorpusWalk, ManifestIsRefusedAsATable) {
  const fs::path manifest = fs::path(FAULTLINE_SHARED_DIR) / "corpus" / "MANIFEST.tsv";
  if (!fs::exists(manifest)) GTEST_SKIP() << "../shared/corpus is absent";
  const CliResult r = run_cli("import " + source_path("tests/fixtures/importers/corpus-cluster.yaml") + " " + manifest.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("tab-separated table"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace faultline::test
