// Probes and abort conditions of chaos tools → the scenario's hypothesis and abort blocks
// (sim/importers/probes.cpp, gloo_shot.cpp): Litmus promProbe / httpProbe, Chaos Toolkit
// hypotheses with chaosprometheus probes, Gloo Shot Experiments. What cannot be mapped is listed
// with the reason.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/importers/import_test_util.hpp"

namespace faultline::test {
namespace {

using sim::importers::ImportedCheck;
using sim::importers::ImportResult;

sim::ResolvedScenario scenario_file(const std::string& rel) {
  return sim::resolve_scenario(sim::load_document(source_path(rel)), models::builtin_registry(), {});
}

ImportResult import_file(const sim::ResolvedScenario& sc, const std::string& rel,
                         sim::importers::ImportOptions opt = {}) {
  return sim::importers::import_files(sc, {record(rel)}, opt);
}

const ImportedCheck* check(const ImportResult& r, const std::string& name) {
  for (const ImportedCheck& c : r.checks)
    if (c.block.value("name", std::string()) == name) return &c;
  return nullptr;
}

// The unmapped entry about `what` (a substring), or nullptr.
const sim::importers::UnmappedEntry* entry(const ImportResult& r, const std::string& what) {
  for (const auto& u : r.unmapped)
    if (u.what.find(what) != std::string::npos) return &u;
  return nullptr;
}

TEST(LitmusProbes, PromProbesBecomeProbesWithTheirModeAndComparator) {
  const auto sc = scenario_file("scenarios/order-delivery-v1.yaml");
  sim::importers::ImportOptions opt;
  opt.at = sim::Duration::s(60);
  const ImportResult r = import_file(sc, "litmus/probes-engine.yaml", opt);
  EXPECT_FALSE(r.faults.empty());  // the pod-delete loop is still imported
  // The scenario already has a probe named every-order-delivered: the import's is renamed.
  const ImportedCheck* delivered = check(r, "every-order-delivered-2");
  ASSERT_NE(delivered, nullptr);
  EXPECT_EQ(delivered->block["mode"], "EOT");
  EXPECT_EQ(delivered->block["tolerance"], "== 0");
  EXPECT_EQ(delivered->at, "/spec/experiments/0/spec/probe/0");
  EXPECT_TRUE(has_unmapped(r, "imported as every-order-delivered-2"));
  // Integer run properties are seconds; initialDelaySeconds is the initial delay.
  const ImportedCheck* backlog = check(r, "backlog-bounded");
  ASSERT_NE(backlog, nullptr);
  EXPECT_EQ(backlog->block["mode"], "Continuous");
  EXPECT_EQ(backlog->block["tolerance"], "<= 500");
  EXPECT_EQ(backlog->block["interval"], "10s");
  EXPECT_EQ(backlog->block["initial_delay"], "5s");
  EXPECT_EQ(backlog->block["stop_on_failure"], false);
  const ImportedCheck* consumers = check(r, "consumers-present");
  ASSERT_NE(consumers, nullptr);
  EXPECT_EQ(consumers->block["tolerance"], sim::Json({{"one_of", {1.0, 2.0, 3.0}}}));
  EXPECT_EQ(r.checks.size(), 3u);
  // The rest, each with its reason.
  ASSERT_NE(entry(r, "probe query-from-file"), nullptr);
  EXPECT_EQ(entry(r, "probe query-from-file")->effect, "probe dropped");
  EXPECT_NE(entry(r, "probe query-from-file")->reason.find("queryPath"), std::string::npos);
  ASSERT_NE(entry(r, "probe top-queues"), nullptr);
  EXPECT_NE(entry(r, "probe top-queues")->reason.find("unsupported aggregation `topk`"), std::string::npos);
  ASSERT_NE(entry(r, "probe order-service-up"), nullptr);
  EXPECT_NE(entry(r, "probe order-service-up")->reason.find("kind producer"), std::string::npos);
  ASSERT_NE(entry(r, "probe check-mongo"), nullptr);
  EXPECT_NE(entry(r, "probe check-mongo")->reason.find("cmdProbe"), std::string::npos);
  ASSERT_NE(entry(r, "probe rabbitmq-present"), nullptr);
  EXPECT_NE(entry(r, "probe rabbitmq-present")->reason.find("k8sProbe"), std::string::npos);
  EXPECT_TRUE(has_unmapped(r, "timeouts and retries do not apply"));
  // The typed spec keeps the places of the file they came from.
  const auto spec = r.experiment_spec();
  ASSERT_EQ(spec.probes.size(), 3u);
  EXPECT_EQ(spec.probes[1].file, record("litmus/probes-engine.yaml"));
  EXPECT_EQ(spec.probes[1].interval, sim::Duration::s(10));
}

TEST(LitmusProbes, AnHttpProbeToAMeshServiceChecksItsAnswers) {
  const auto sc = scenario_file("scenarios/bookinfo-ratings-abort.yaml");
  const ImportResult r = import_file(sc, "litmus/http-probe-engine.yaml");
  const ImportedCheck* http = check(r, "productpage-answers");
  ASSERT_NE(http, nullptr);
  // One request per 10 s polling period: no answer of productpage other than 200 in that window.
  EXPECT_EQ(http->block["query"],
            "sum(increase(istio_requests_total{destination_service_name=\"productpage\",response_code!=\"200\"}[10s])) "
            "or vector(0)");
  EXPECT_EQ(http->block["tolerance"], "== 0");
  EXPECT_EQ(http->block["mode"], "Continuous");
  EXPECT_TRUE(has_unmapped(r, "an HTTP probe sends one request"));
  EXPECT_TRUE(has_unmapped(r, "httpProbe insecureSkipVerify, responseTimeout"));
  const ImportedCheck* between = check(r, "few-failures");
  ASSERT_NE(between, nullptr);
  EXPECT_EQ(between->block["tolerance"], sim::Json({{"range", {0.0, 10.0}}}));
  EXPECT_EQ(between->block["mode"], "OnChaos");
  EXPECT_EQ(between->block["interval"], "5s");
}

TEST(ChaosToolkitHypothesis, PrometheusProbesBecomeProbesWithTheRuntimeStrategy) {
  const auto sc = scenario_file("scenarios/order-delivery-v2.yaml");
  const ImportResult r = import_file(sc, "chaostoolkit/prometheus-hypothesis.json");
  // strategy continuous, frequency 10 → Continuous every 10 s.
  const ImportedCheck* backlog = check(r, "backlog-small");
  ASSERT_NE(backlog, nullptr);
  EXPECT_EQ(backlog->block["mode"], "Continuous");
  EXPECT_EQ(backlog->block["interval"], "10s");
  EXPECT_EQ(backlog->block["tolerance"], sim::Json({{"range", {0, 500}}}));
  // ${delivered_query} from the configuration; jsonpath on value[1] with expect → "== 0".
  const ImportedCheck* delivered = check(r, "all-delivered");
  ASSERT_NE(delivered, nullptr);
  EXPECT_EQ(delivered->block["query"], "faultline_messages_published_total - faultline_messages_delivered_total");
  EXPECT_EQ(delivered->block["tolerance"], "== 0");
  EXPECT_TRUE(has_unmapped(r, "every sample is checked, not only the first"));
  // "no sample whose value != 0" (count 0) → every value == 0.
  const ImportedCheck* loss = check(r, "no-loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->block["tolerance"], "== 0");
  EXPECT_EQ(r.checks.size(), 3u);
  ASSERT_NE(entry(r, "probe status-compared"), nullptr);
  EXPECT_NE(entry(r, "probe status-compared")->reason.find("status"), std::string::npos);
  ASSERT_NE(entry(r, "probe range-query"), nullptr);
  EXPECT_NE(entry(r, "probe range-query")->reason.find("query_interval"), std::string::npos);
  ASSERT_NE(entry(r, "probe orders-api"), nullptr);
  EXPECT_EQ(entry(r, "probe orders-api")->effect, "probe dropped");
}

TEST(ChaosToolkitHypothesis, StrategiesMapToModes) {
  const auto sc = scenario_file("scenarios/order-delivery-v2.yaml");
  const std::string probe = R"json({"type": "probe", "name": "p", "tolerance": {"type": "range", "range": [0, 1]},
    "provider": {"type": "python", "module": "chaosprometheus.probes", "func": "query",
                 "arguments": {"query": "sum(rabbitmq_queue_messages_ready)"}}})json";
  auto mode_of = [&](const std::string& strategy) -> std::string {
    const std::string text = R"({"title": "t", "runtime": {"hypothesis": {"strategy": ")" + strategy +
                             R"("}}, "steady-state-hypothesis": {"probes": [)" + probe + R"(]}, "method": []})";
    const ImportResult r = import_one(sc, "exp.json", text);
    return r.checks.empty() ? "none" : r.checks[0].block.value("mode", std::string());
  };
  EXPECT_EQ(mode_of("default"), "Edge");
  EXPECT_EQ(mode_of("before-method-only"), "SOT");
  EXPECT_EQ(mode_of("after-method-only"), "EOT");
  EXPECT_EQ(mode_of("during-method-only"), "OnChaos");
  EXPECT_EQ(mode_of("continuous"), "Continuous");
  EXPECT_EQ(mode_of("skip"), "none");
}

TEST(ChaosToolkitHypothesis, AMissingConfigurationValueIsReported) {
  const auto sc = scenario_file("scenarios/order-delivery-v2.yaml");
  const std::string text = R"({"title": "t", "steady-state-hypothesis": {"probes": [
    {"type": "probe", "name": "p", "tolerance": {"type": "range", "range": [0, 1]},
     "provider": {"type": "python", "module": "chaosprometheus.probes", "func": "query",
                  "arguments": {"query": "${q}"}}}]}, "method": []})";
  const ImportResult r = import_one(sc, "exp.json", text);
  EXPECT_TRUE(r.checks.empty());
  EXPECT_TRUE(has_unmapped(r, "--var q=VALUE"));
  sim::importers::ImportOptions opt;
  opt.vars["q"] = "sum(rabbitmq_queue_messages_ready)";
  EXPECT_EQ(import_one(sc, "exp.json", text, opt).checks.size(), 1u);
}

TEST(GlooShot, FaultsAndFailureConditionsBecomeAFaultAndAnAbortCondition) {
  const auto sc = scenario_file("scenarios/bookinfo-ratings-abort.yaml");
  sim::importers::ImportOptions opt;
  opt.at = sim::Duration::s(60);
  const ImportResult r = import_file(sc, "glooshot/abort-ratings.yaml", opt);
  // bookinfo-ratings-9080 → ratings; 100 % → percent 1; from --at for the 180 s duration.
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].kind, "mesh-abort");
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>({"ratings"}));
  EXPECT_EQ(r.faults[0].start.seconds(), 60.0);
  ASSERT_TRUE(r.faults[0].end);
  EXPECT_EQ(r.faults[0].end->seconds(), 240.0);
  EXPECT_EQ(r.faults[0].params["http_status"], 500);
  EXPECT_EQ(r.faults[0].params["percent"], 1.0);
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_TRUE(r.checks[0].abort);
  EXPECT_EQ(r.checks[0].block["name"], "productpage-failures");
  EXPECT_EQ(r.checks[0].block["when"], "> 10");
  EXPECT_EQ(r.checks[0].block["interval"], "5s");  // the checker's poller
  EXPECT_TRUE(has_unmapped(r, "targetMesh"));
  const auto block = r.experiment_block("imported");
  EXPECT_EQ(block["abort"][0]["name"], "productpage-failures");
  EXPECT_FALSE(block.contains("hypothesis"));
}

TEST(GlooShot, OlderFormsAndTheCheckersQuirks) {
  const auto sc = scenario_file("scenarios/bookinfo-ratings-abort.yaml");
  const ImportResult r = import_file(sc, "glooshot/compat-forms.yaml");
  // The delay on ratings (details is no component), 50 %, for the default 10 minutes.
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].kind, "mesh-delay");
  EXPECT_EQ(r.faults[0].targets, std::vector<std::string>({"ratings"}));
  EXPECT_EQ(r.faults[0].params["percent"], 0.5);
  EXPECT_EQ(r.faults[0].end->seconds(), 600.0);
  EXPECT_TRUE(has_unmapped(r, "destination default-details-9080"));
  EXPECT_TRUE(has_unmapped(r, "originServices"));
  EXPECT_TRUE(has_unmapped(r, "Gloo Shot's checker runs the experiment for 10 minutes"));
  // prometheusTrigger (flat) and the snake_case form; "==" compares with "<" as the checker does.
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_EQ(r.checks[0].block["name"], "failure-condition-0");
  EXPECT_EQ(r.checks[0].block["when"], "> 1000");
  EXPECT_EQ(r.checks[1].block["name"], "failure-condition-1");
  EXPECT_EQ(r.checks[1].block["when"], "< 5");
  EXPECT_TRUE(has_unmapped(r, "comparisonOperator =="));
  ASSERT_NE(entry(r, "failure condition success-rate"), nullptr);
  EXPECT_NE(entry(r, "failure condition success-rate")->reason.find("mesh query not currently supported"),
            std::string::npos);
  ASSERT_NE(entry(r, "failure condition webhook"), nullptr);
  EXPECT_EQ(entry(r, "failure condition webhook")->effect, "condition dropped");
  ASSERT_NE(entry(r, "failure condition unsupported"), nullptr);
  EXPECT_NE(entry(r, "failure condition unsupported")->reason.find("topk"), std::string::npos);
}

TEST(GlooShot, ReportsOfFaultOnlyImportsKeepTheirShape) {
  // No probes and no conditions: the report has no hypothesis/abort keys (as before issue 8).
  const auto sc = scenario_file("scenarios/order-delivery-v1.yaml");
  const ImportResult r = import_file(sc, "litmus/rabbitmq-pod-delete-engine.yaml");
  const auto report = r.report(sc);
  EXPECT_FALSE(report.contains("hypothesis"));
  EXPECT_FALSE(report.contains("abort"));
  EXPECT_TRUE(r.checks.empty());
}

}  // namespace
}  // namespace faultline::test
