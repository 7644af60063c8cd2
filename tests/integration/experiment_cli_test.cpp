// Experiments through the real CLI (DESIGN §7, §9): the verdict in the text report and the
// output folder, `--fail-on-verdict` (exit code 3), bad blocks (exit code 2 with the place), and
// the probes and conditions imported from chaos tools into `replay` and `import`.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

std::string records(const std::string& name) { return source_path("tests/fixtures/records/" + name); }

void expect_in(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "lacks [" << part << "] in:\n" << text;
}

TEST(ExperimentCli, FailOnVerdictExitsThreeWhenTheHypothesisFails) {
  // v1 loses orders: the seed's probe fails at the run's end.
  TempDir out;
  const CliResult r =
      run_cli({"run", source_path("scenarios/order-delivery-v1.yaml"), "--fail-on-verdict", "--out", out / "v1"}, 60);
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  expect_in(r.out, "verdict: fail at 660 s: probe every-order-delivered");
  const auto journal = nlohmann::json::parse(read_file(out / "v1/journal.json"));
  EXPECT_EQ(journal["deviated"], true);
  EXPECT_EQ(journal["status"], "completed");
  const auto summary = nlohmann::json::parse(read_file(out / "v1/summary.json"));
  EXPECT_EQ(summary["verdict"]["status"], "fail");
  // Without the flag the same run succeeds (exit 0): the verdict is a result, not an error.
  EXPECT_EQ(run_cli({"run", source_path("scenarios/order-delivery-v1.yaml")}, 60).exit_code, 0);
}

TEST(ExperimentCli, FailOnVerdictExitsZeroWhenItPasses) {
  const CliResult r =
      run_cli({"run", source_path("scenarios/order-delivery-v2.yaml"), "--fail-on-verdict", "--json"}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(nlohmann::json::parse(r.out)["verdict"]["status"], "pass");
}

TEST(ExperimentCli, RunsWithoutBlocksWriteNoJournal) {
  TempDir out;
  const CliResult r = run_cli({"run", source_path("scenarios/mmc-reference.json"), "--set",
                               "components.producer.messages=1000", "--fail-on-verdict", "--out", out / "mmc"},
                              60);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(std::filesystem::exists(out / "mmc/journal.json"));
  EXPECT_TRUE(nlohmann::json::parse(read_file(out / "mmc/summary.json"))["verdict"].is_null());
}

TEST(ExperimentCli, UnsupportedPromqlIsBadInputWithThePlace) {
  TempDir dir;
  const std::string file = dir / "bad.yaml";
  std::string yaml = read_file(source_path("scenarios/order-delivery-v2.yaml"));
  const std::string good = "query: faultline_messages_published_total - faultline_messages_delivered_total";
  ASSERT_NE(yaml.find(good), std::string::npos);
  yaml.replace(yaml.find(good), good.size(), "query: topk(1, faultline_messages_published_total)");
  write_file(file, yaml);
  const CliResult r = run_cli({"run", file, "--fail-on-verdict"}, 60);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  expect_in(r.err, file + ":");
  expect_in(r.err, "at /hypothesis/probes/0/query:");
  expect_in(r.err, "unsupported aggregation `topk`");
  EXPECT_EQ(r.out.find("fingerprint"), std::string::npos);
}

TEST(ExperimentCli, CheckListsTheChosenBlocks) {
  const CliResult r = run_cli({"check", source_path("scenarios/order-delivery-v1.yaml")}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  expect_in(r.out, "probe every-order-delivered (EOT, == 0)");
}

TEST(ExperimentCli, ReplayRunsAGlooShotFailureCondition) {
  // The Gloo Shot Experiment aborts ratings for 180 s from --at 60s; its condition counts the 5xx
  // productpage answered (destination reporter) over a minute, > 10: as in
  // bookinfo_verdict_test, 14.5 at the poll at 75 s.
  TempDir out;
  const CliResult r =
      run_cli({"replay", source_path("scenarios/bookinfo-ratings-abort.yaml"), records("glooshot/abort-ratings.yaml"),
               "--at", "60s", "--fail-on-verdict", "--out", out / "gs"},
              60);
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  expect_in(r.out, "verdict: aborted at 75 s by ");
  const auto summary = nlohmann::json::parse(read_file(out / "gs/summary.json"));
  // The scenario's own condition (productpage-5xx) and the imported one both hold at 75 s; the
  // scenario's is checked first.
  EXPECT_EQ(summary["verdict"]["time_s"], 75.0);
  const auto report = nlohmann::json::parse(read_file(out / "gs/import_report.json"));
  ASSERT_EQ(report["abort"].size(), 1u);
  EXPECT_EQ(report["abort"][0]["name"], "productpage-failures");
  EXPECT_EQ(report["abort"][0]["when"], "> 10");
}

TEST(ExperimentCli, ImportWritesAnExperimentBlockThatTheScenarioAccepts) {
  TempDir dir;
  const CliResult r = run_cli({"import", source_path("scenarios/bookinfo-ratings-abort.yaml"),
                               records("glooshot/abort-ratings.yaml"), "--at", "60s", "--out", dir / "gs.jsonl"},
                              60);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_in(r.err, "hypothesis: 0 probes, abort: 1 conditions");
  const auto block = nlohmann::json::parse(read_file(dir / "gs.experiment.json"));
  EXPECT_EQ(block["faults"][0]["kind"], "mesh-abort");
  EXPECT_EQ(block["faults"][0]["at"], "1m");
  EXPECT_EQ(block["faults"][0]["end"], "4m");
  // Pasted into the scenario's experiments (a flow mapping is YAML), it runs as one.
  std::string yaml = read_file(source_path("scenarios/bookinfo-ratings-abort.yaml"));
  auto entry = block;
  entry["abort"][0]["name"] = "imported-condition";  // the scenario's top-level names stay unique
  yaml += "\n  - " + entry.dump() + "\n";
  write_file(dir / "with-imported.yaml", yaml);
  const CliResult run = run_cli({"run", dir / "with-imported.yaml", "--experiment", "imported", "--json"}, 60);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto summary = nlohmann::json::parse(run.out);
  EXPECT_EQ(summary["experiment"], "imported");
  EXPECT_EQ(summary["verdict"]["status"], "aborted");
}

}  // namespace
}  // namespace faultline::test
