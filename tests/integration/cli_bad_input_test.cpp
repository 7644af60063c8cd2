// Bad input through the real CLI (DESIGN §9, issue 2 acceptance): exit code 2, and an error
// that names the file, the line or JSON pointer, and what was expected. Nothing may crash, hang
// or silently fall back to a default: a run that went ahead would print a report or write
// outputs, so each case also checks that neither happened.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

std::string fixture(const std::string& name) { return source_path("tests/fixtures/bad/" + name); }

/// Runs `faultline run FILE --out DIR extra...` and checks the common contract of bad input.
CliResult run_bad(const std::string& file, const std::vector<std::string>& extra = {}) {
  TempDir out;
  std::vector<std::string> args = {"run", file, "--out", out / "result"};
  args.insert(args.end(), extra.begin(), extra.end());
  CliResult r = run_cli(args, 30);
  EXPECT_TRUE(r.exited) << "crashed or hung: " << r.describe();
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.out.find("fingerprint"), std::string::npos) << "the run went ahead: " << r.describe();
  EXPECT_FALSE(std::filesystem::exists(out / "result/summary.json")) << "outputs were written";
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
  return r;
}

void expect_in(const CliResult& r, const std::string& part) {
  EXPECT_NE(r.err.find(part), std::string::npos) << "stderr lacks [" << part << "]\n" << r.describe();
}

TEST(BadInput, JsonSyntaxError) {
  // Line 5 starts an object where a ',' or ']' must come.
  const CliResult r = run_bad(fixture("syntax-error.json"));
  expect_in(r, fixture("syntax-error.json") + ":5:");
  expect_in(r, "JSON syntax error");
  expect_in(r, "expected ']'");
}

TEST(BadInput, YamlSyntaxError) {
  // The flow sequence "[orders" opened on line 5 is never closed; yaml-cpp notices on line 6.
  const CliResult r = run_bad(fixture("syntax-error.yaml"));
  expect_in(r, fixture("syntax-error.yaml") + ":6:");
  expect_in(r, "YAML syntax error");
  expect_in(r, "end of sequence flow not found");
}

TEST(BadInput, WrongType) {
  const CliResult r = run_bad(fixture("wrong-type.yaml"));
  expect_in(r, fixture("wrong-type.yaml") + ":12: at /components/2/prefetch:");
  expect_in(r, "expected an integer for \"prefetch\", got \"lots\"");
}

TEST(BadInput, NegativeRate) {
  const CliResult r = run_bad(fixture("negative-rate.json"));
  expect_in(r, fixture("negative-rate.json") + ":5: at /components/0/rate:");
  expect_in(r, "expected a rate ≥ 0 for \"rate\", got \"-50/s\"");
}

TEST(BadInput, UnknownUnit) {
  const CliResult r = run_bad(fixture("unknown-unit.yaml"));
  expect_in(r, fixture("unknown-unit.yaml") + ":12: at /components/2/processing_time:");
  expect_in(r, "unknown unit \"sec\"");
  expect_in(r, "expected a number with a unit: ns, us, ms, s, m, h");
}

TEST(BadInput, UnknownComponentKind) {
  const CliResult r = run_bad(fixture("unknown-kind.yaml"));
  expect_in(r, fixture("unknown-kind.yaml") + ":10: at /components/2/kind:");
  expect_in(r, "unknown component kind \"consumr\" (did you mean \"consumer\"?)");
  expect_in(r, "the kinds are: ");
}

TEST(BadInput, UnknownReference) {
  const CliResult r = run_bad(fixture("unknown-reference.json"));
  expect_in(r, fixture("unknown-reference.json") + ":7: at /components/2/queue:");
  expect_in(r, "unknown component \"ordres\"");
  expect_in(r, "(did you mean \"orders\"?)");
}

TEST(BadInput, DuplicateName) {
  const CliResult r = run_bad(fixture("duplicate-name.yaml"));
  expect_in(r, fixture("duplicate-name.yaml") + ":9: at /components/2/name:");
  expect_in(r, "duplicate component name \"orders\" (also at /components/1, line 7)");
}

TEST(BadInput, DuplicateJsonKey) {
  // nlohmann keeps the last of two equal keys silently; the loader must not.
  const CliResult r = run_bad(fixture("duplicate-key.json"));
  expect_in(r, fixture("duplicate-key.json") + ":5: at /components/0/messages:");
  expect_in(r, "the key \"messages\" appears twice");
}

TEST(BadInput, MissingRequiredField) {
  const CliResult r = run_bad(fixture("missing-required.json"));
  expect_in(r, fixture("missing-required.json") + ":6: at /components/2:");
  expect_in(r, "missing required parameter \"queue\"");
}

TEST(BadInput, UnknownParameterWithDidYouMean) {
  const CliResult r = run_bad(fixture("unknown-parameter.yaml"));
  expect_in(r, fixture("unknown-parameter.yaml") + ":12: at /components/2/prefech:");
  expect_in(r, "unknown parameter \"prefech\" (did you mean \"prefetch\"?)");
  expect_in(r, "the parameters are: ");
}

TEST(BadInput, MissingFile) {
  const CliResult r = run_bad(fixture("does-not-exist.yaml"));
  expect_in(r, fixture("does-not-exist.yaml") + ": cannot read the file");
}

TEST(BadInput, CheckAndGraphReportTheSameErrors) {
  for (const char* command : {"check", "graph"}) {
    const CliResult r = run_cli({command, fixture("unknown-parameter.yaml")}, 30);
    ASSERT_TRUE(r.exited) << r.describe();
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.describe();
    expect_in(r, fixture("unknown-parameter.yaml") + ":12: at /components/2/prefech:");
  }
}

// ---- Bad options and --set (the good fixture is valid: only the option is wrong).

TEST(BadSet, UnknownParameterPath) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--set", "components.consumer.prefech=2"});
  expect_in(r, "--set components.consumer.prefech=2");
  expect_in(r, "a consumer has no parameter \"prefech\" (did you mean \"prefetch\"?)");
}

TEST(BadSet, UnknownComponent) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--set", "components.consumr.count=3"});
  expect_in(r, "no component is named \"consumr\" (did you mean \"consumer\"?)");
}

TEST(BadSet, WrongValueNamesTheFileThePointerAndTheOverride) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--set", "components.consumer.prefetch=lots"});
  // The consumer entry starts on line 10 of good.yaml; the value came from --set.
  expect_in(r, fixture("good.yaml") + ":10: at /components/2/prefetch:");
  expect_in(r, "expected an integer for \"prefetch\", got \"lots\"");
  expect_in(r, "(set by --set components.consumer.prefetch=lots)");
}

TEST(BadSet, NotAnAssignment) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--set", "nonsense"});
  expect_in(r, "expected path=value (e.g. components.consumer.count=8), got \"nonsense\"");
}

TEST(BadSet, TopLevelKey) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--set", "durtion=5m"});
  expect_in(r, "unknown top-level key \"durtion\" (did you mean \"duration\"?)");
}

TEST(BadOptions, UnknownExperiment) {
  const CliResult r = run_bad(fixture("good.yaml"), {"--experiment", "nope"});
  expect_in(r, "no experiment is named \"nope\"; the scenario has no experiments");
}

TEST(BadOptions, BadUntilAndStartTime) {
  expect_in(run_bad(fixture("good.yaml"), {"--until", "5x"}), "--until: invalid duration \"5x\": unknown unit \"x\"");
  expect_in(run_bad(fixture("good.yaml"), {"--until", "0s"}), "--until: expected a time > 0");
  expect_in(run_bad(fixture("good.yaml"), {"--start-time", "yesterday"}),
            "--start-time: expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\"");
}

TEST(BadOptions, CommandLineSyntax) {
  // CLI11 rejects these before any file is read; still exit code 2 (bad input).
  expect_in(run_bad(fixture("good.yaml"), {"--seed", "abc"}), "--seed");
  expect_in(run_bad(fixture("good.yaml"), {"--bogus"}), "--bogus");
  const CliResult none = run_cli({}, 30);
  EXPECT_EQ(none.exit_code, 2) << none.describe();
  const CliResult no_scenario = run_cli({"run"}, 30);
  EXPECT_EQ(no_scenario.exit_code, 2) << no_scenario.describe();
  expect_in(no_scenario, "SCENARIO is required");
}

TEST(GoodInput, TheGoodFixtureRuns) {
  // The control case: the same fixture folder, a valid file, exit code 0.
  const CliResult r = run_cli({"run", fixture("good.yaml")}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("published 50, delivered 50"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace faultline::test
