// Determinism (DESIGN §3, issue 2 acceptance): the same scenario, seed and version give
// byte-identical outputs except timing.json; another seed changes the fingerprint; adding an
// unrelated component leaves every other component's draws unchanged; and the fingerprint of the
// reference scenario at seed 42 is pinned in tests/golden/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

/// Runs the CLI twice into two folders and compares every output but timing.json byte for byte.
void expect_identical_runs(const std::vector<std::string>& args) {
  TempDir dir;
  std::vector<std::string> a = args, b = args;
  a.insert(a.end(), {"--out", dir / "a"});
  b.insert(b.end(), {"--out", dir / "b"});
  const CliResult ra = run_cli(a, 120);
  const CliResult rb = run_cli(b, 120);
  ASSERT_EQ(ra.exit_code, 0) << ra.describe();
  ASSERT_EQ(rb.exit_code, 0) << rb.describe();
  const auto names = files_in(dir / "a");
  ASSERT_EQ(names, files_in(dir / "b"));
  ASSERT_TRUE(names.count("summary.json") && names.count("metrics.om") && names.count("series.csv"));
  for (const std::string& name : names) {
    if (name == "timing.json") continue;  // wall time and memory: the one output allowed to differ
    const std::string fa = read_file(dir / ("a/" + name)), fb = read_file(dir / ("b/" + name));
    EXPECT_EQ(fa.size(), fb.size()) << name;
    EXPECT_TRUE(fa == fb) << name << " differs between two runs";
  }
}

const std::string kReference = source_path("scenarios/mmc-reference.json");

TEST(Determinism, TwoRunsAreByteIdentical) {
  expect_identical_runs({"run", kReference, "--seed", "7", "--set", "components.producer.messages=20000"});
}

TEST(Determinism, TwoFullReferenceRunsAreByteIdentical) {
  // N = 1e6 as written in the scenario: about 0.5 s per run including the outputs.
  expect_identical_runs({"run", kReference, "--seed", "7"});
}

std::string fingerprint_of(const std::vector<std::string>& args) {
  TempDir dir;
  std::vector<std::string> a = args;
  a.insert(a.end(), {"--out", dir.path()});
  const CliResult r = run_cli(a, 120);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return json::parse(read_file(dir / "summary.json"))["fingerprint"].get<std::string>();
}

TEST(Determinism, AnotherSeedChangesTheFingerprint) {
  const std::vector<std::string> base = {"run", kReference, "--set", "components.producer.messages=20000", "--seed"};
  auto with_seed = [&](const char* seed) {
    auto a = base;
    a.push_back(seed);
    return fingerprint_of(a);
  };
  const std::string f7 = with_seed("7");
  EXPECT_EQ(f7, with_seed("7"));
  EXPECT_NE(f7, with_seed("8"));
  EXPECT_NE(f7, with_seed("42"));
}

TEST(Determinism, TracingMessagesDoesNotChangeTheFingerprint) {
  const std::vector<std::string> base = {"run", kReference, "--seed", "7", "--set", "components.producer.messages=2000"};
  auto traced = base;
  traced.push_back("--trace-messages");
  EXPECT_EQ(fingerprint_of(base), fingerprint_of(traced));
}

TEST(Determinism, AnUnrelatedComponentLeavesEveryOtherComponentsDrawsUnchanged) {
  // The M/M/c scenario, then the same with an extra, unconnected producer → queue → consumer
  // chain in front of it. The extra names sort before the original ones, so the original
  // components' creation indices, initialisation order and event sequence numbers all shift;
  // only streams keyed by (seed, path, purpose) keep their draws. Every figure of the original
  // components must be identical, to the last bit.
  TempDir dir;
  json base = json::parse(read_file(kReference));
  for (auto& c : base["components"])
    if (c["name"] == "producer") c["messages"] = 20000;
  json extended = base;
  json extra = json::array();
  extra.push_back(json{{"name", "aaa-producer"}, {"kind", "producer"}, {"target", "aaa-queue"}, {"rate", "900/s"},
                       {"messages", 20000}});
  extra.push_back(json{{"name", "aaa-queue"}, {"kind", "queue"}});
  extra.push_back(json{{"name", "aaa-consumer"}, {"kind", "consumer"}, {"count", 2}, {"queue", "aaa-queue"},
                       {"processing_time", json{{"dist", "exponential"}, {"mean", "2ms"}}}});
  for (const auto& c : base["components"]) extra.push_back(c);
  extended["components"] = extra;
  write_file(dir / "base.json", base.dump(2));
  write_file(dir / "extended.json", extended.dump(2));
  for (const char* name : {"base", "extended"}) {
    const CliResult r = run_cli({"run", dir / (std::string(name) + ".json"), "--seed", "7", "--out", dir / name}, 120);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  const json a = json::parse(read_file(dir / "base/summary.json"));
  const json b = json::parse(read_file(dir / "extended/summary.json"));
  // The extra chain really ran alongside (its events interleave with the original ones).
  ASSERT_TRUE(b["components"].contains("aaa-queue")) << b["components"].dump(2);
  EXPECT_EQ(b["messages"]["published"], 40000);
  // Every original component's figures: the queue's mean wait and sojourn, max length and counts,
  // each consumer's processed count, the producer's.
  ASSERT_FALSE(a["components"].empty());
  for (const auto& [path, figures] : a["components"].items()) {
    ASSERT_TRUE(b["components"].contains(path)) << path;
    EXPECT_EQ(figures, b["components"][path]) << path;
  }
  EXPECT_TRUE(a["components"].contains("orders"));
  EXPECT_TRUE(a["components"].contains("consumer/consumer-3"));
  // The whole run differs, of course.
  EXPECT_NE(a["fingerprint"], b["fingerprint"]);
}

TEST(Golden, ReferenceScenarioFingerprintAtSeed42) {
  // tests/golden/README.md says when this may change and how to update it.
  const std::string golden_path = source_path("tests/golden/mmc-reference.seed42.fingerprint");
  const std::string actual = fingerprint_of({"run", kReference, "--seed", "42"});
  if (const char* update = std::getenv("FAULTLINE_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    write_file(golden_path, actual + "\n");
    GTEST_SKIP() << "golden fingerprint rewritten: " << actual;
  }
  std::string expected = read_file(golden_path);
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == ' ')) expected.pop_back();
  EXPECT_EQ(actual, expected) << "the fingerprint of scenarios/mmc-reference.json at seed 42 changed; see "
                                 "tests/golden/README.md before updating it";
}

}  // namespace
}  // namespace faultline::test
