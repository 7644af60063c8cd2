// `faultline sweep` as a user meets it (DESIGN §9, issue 7): the output folder, the report, bad
// specs (exit code 2 naming the place), an unmet goal (exit code 3), and an interrupted sweep —
// by Ctrl-C or by a kill — that resumes without redoing finished runs and ends byte-identical
// to an uninterrupted one.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

const std::string kSmall = source_path("tests/fixtures/sweep/mmc-small.yaml");

void expect_in(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing [" << part << "] in\n" << text;
}

TEST(SweepCli, WritesTablesAndReportsTheGoal) {
  TempDir tmp;
  const CliResult r = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1..4:1", "--seeds", "3", "-j", "2",
                               "--goal", "backlog.peak < 1000", "--out", tmp / "out"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  expect_in(r.out, "4 settings × 3 seeds = 12 runs on 2 threads");
  expect_in(r.out, "components.consumer.count=1: messages.lost 0 ± 0, backlog.peak ");
  // Every setting meets a bound of 1000 (the worst backlog is about 150): the cheapest is count 1.
  expect_in(r.out, "cheapest components.consumer.count=1 (backlog.peak max ");
  for (const char* f : {"runs.csv", "runs.json", "aggregate.csv", "aggregate.json", "goal.json", "timing.json",
                        "timing.csv", "sweep.json", "runs.jsonl"})
    EXPECT_TRUE(std::filesystem::exists(tmp / ("out/" + std::string(f)))) << f;
  const std::string csv = read_file(tmp / "out/runs.csv");
  EXPECT_EQ(count_lines(csv), 13u);
  EXPECT_EQ(csv.rfind("components.consumer.count,seed,fingerprint,simulated_seconds,events,messages.published,", 0), 0u);
  // Not a terminal: no progress bar.
  EXPECT_EQ(r.err.find("sweep ["), std::string::npos) << r.err;
  // The same sweep again resumes all 12 runs and prints the same tables.
  const CliResult again = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1..4:1", "--seeds", "3",
                                   "--goal", "backlog.peak < 1000", "--out", tmp / "out"});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  expect_in(again.out, "(12 runs resumed from ");
  EXPECT_EQ(read_file(tmp / "out/runs.csv"), csv);
}

TEST(SweepCli, CsvIsTheSameForOneAndTwoJobs) {
  const CliResult one = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1,2", "--seeds", "20", "-j", "1", "--csv"});
  const CliResult two = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1,2", "--seeds", "20", "-j", "2", "--csv"});
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  EXPECT_EQ(count_lines(one.out), 41u);
  EXPECT_EQ(one.out, two.out);
}

TEST(SweepCli, UnmetGoalExitsThree) {
  const CliResult r = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1,2", "--goal", "backlog.peak < 0"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  expect_in(r.out, "no setting meets it");
}

TEST(SweepCli, BadSpecsExitTwoWithThePlace) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--set", "components.consumer.count=1..4"},
       "error: --set: sweep axis \"components.consumer.count=1..4\": expected lo..hi:step"},
      {{"--set", "components.consumer.cont=1,2"},
       "error: --set components.consumer.cont=1: parameter path \"components.consumer.cont\": a consumer has no "
       "parameter \"cont\" (did you mean \"count\"?)"},
      {{"--set", "components.consumer.count=1,lots"}, "at /components/2/count: "},
      {{"--set", "components.consumer.count=1,2", "--goal", "backlog.peek < 5"},
       "error: --goal: \"backlog.peek < 5\" at character 1: \"backlog.peek\" is not a numeric summary metric (did you "
       "mean \"backlog.peak\"?)"},
      {{"--seeds", "0"}, "error: --seeds: expected a number of seeds from 1 to 1000000, got 0"},
      {{"-j", "0"}, "error: -j: expected at least 1 job"},
      {{"--set", "components.consumer.count=1,2", "--cost", "components.producer.rate"},
       "error: --cost: \"components.producer.rate\" is not a swept axis"},
      {{"--until", "soon"}, "error: --until: "},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"sweep", kSmall};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliResult r = run_cli(args, 30);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    expect_in(r.err, c.expected);
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
  }
  // A folder that holds another sweep.
  TempDir tmp;
  ASSERT_EQ(run_cli({"sweep", kSmall, "--set", "components.consumer.count=1,2", "--out", tmp / "o"}).exit_code, 0);
  const CliResult other = run_cli({"sweep", kSmall, "--set", "components.consumer.count=1,3", "--out", tmp / "o"});
  EXPECT_EQ(other.exit_code, 2) << other.describe();
  expect_in(other.err, "sweep.json: at /axes: this folder holds another sweep");
}

/// Starts `faultline args...` in the background; stdout and stderr go to files.
pid_t spawn_cli(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  std::vector<std::string> argv_s = {FAULTLINE_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(FAULTLINE_CLI, argv.data());
    ::_exit(127);
  }
  return pid;
}

size_t lines_in(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  return count_lines(read_file(path));
}

/// Interrupts a long sweep with `sig` once some runs are journalled, resumes it, and compares
/// the result with an uninterrupted sweep of the same plan.
void interrupt_and_resume(int sig) {
  TempDir tmp;
  const std::vector<std::string> plan = {"sweep", kSmall, "--set", "components.consumer.count=1..4:1", "--seeds", "500",
                                         "-j", "2"};
  auto with_out = [&](const std::string& dir) {
    std::vector<std::string> a = plan;
    a.push_back("--out");
    a.push_back(dir);
    return a;
  };
  const pid_t pid = spawn_cli(with_out(tmp / "cut"), tmp / "cut.out", tmp / "cut.err");
  ASSERT_GT(pid, 0);
  const auto start = std::chrono::steady_clock::now();
  while (lines_in(tmp / "cut/runs.jsonl") < 50 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_FALSE(std::filesystem::exists(tmp / "cut/runs.csv"))
      << "the sweep finished before it was interrupted: make it longer";
  if (sig == SIGINT) {
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    expect_in(read_file(tmp / "cut.err"), "runs done, kept in " + (tmp / "cut") + "/runs.jsonl; the same command resumes");
  } else {
    ASSERT_TRUE(WIFSIGNALED(status));
  }
  const size_t kept = lines_in(tmp / "cut/runs.jsonl");
  EXPECT_GE(kept, 50u);
  EXPECT_LT(kept, 2000u);

  const CliResult resumed = run_cli(with_out(tmp / "cut"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  // Every journalled run was kept: the resumed session ran only the others.
  const std::string timing = read_file(tmp / "cut/timing.json");
  expect_in(timing, "\"runs_resumed\": " + std::to_string(kept));
  expect_in(timing, "\"runs_this_session\": " + std::to_string(2000 - kept));

  const CliResult whole = run_cli(with_out(tmp / "whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.describe();
  for (const char* f : {"runs.csv", "runs.json", "aggregate.csv", "aggregate.json"})
    EXPECT_EQ(read_file(tmp / ("cut/" + std::string(f))), read_file(tmp / ("whole/" + std::string(f)))) << f;
}

TEST(SweepCli, CtrlCStopsCleanlyAndTheSameCommandResumes) { interrupt_and_resume(SIGINT); }

TEST(SweepCli, AKilledSweepResumesWithoutLosingFinishedRuns) { interrupt_and_resume(SIGKILL); }

}  // namespace
}  // namespace faultline::test
