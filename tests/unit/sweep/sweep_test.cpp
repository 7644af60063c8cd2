// Sweep plans, tables, goals, the journal and determinism across worker counts
// (sim/sweep/), on the small M/M/c scenario of tests/fixtures/sweep/mmc-small.yaml.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "models/register_builtin_models.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/sweep/sweep.hpp"
#include "tests/support/test_support.hpp"

namespace faultline::sim::sweep {
namespace {

using test::read_file;
using test::source_path;
using test::TempDir;

const ModelRegistry& registry() { return models::builtin_registry(); }
Document small_doc() { return load_document(source_path("tests/fixtures/sweep/mmc-small.yaml")); }

SweepOptions options(std::vector<std::string> axes, std::optional<uint64_t> seeds) {
  SweepOptions o;
  for (const auto& a : axes) o.axes.push_back(parse_axis(a));
  o.seeds = seeds;
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SweepPlan, FirstAxisVariesSlowestThenSeeds) {
  const SweepPlan plan(small_doc(), registry(),
                       options({"components.consumer.count=1,2", "components.producer.rate=100/s,200/s"}, 3));
  // 2 × 2 settings × 3 seeds. Run 5 = setting 1 (count 1, rate 200/s) at its third seed.
  EXPECT_EQ(plan.settings(), 4u);
  EXPECT_EQ(plan.runs(), 12u);
  EXPECT_EQ(plan.run_params(0).dump(), R"({"components.consumer.count":1,"components.producer.rate":"100/s","seed":1})");
  EXPECT_EQ(plan.run_params(5).dump(), R"({"components.consumer.count":1,"components.producer.rate":"200/s","seed":3})");
  EXPECT_EQ(plan.run_params(11).dump(), R"({"components.consumer.count":2,"components.producer.rate":"200/s","seed":3})");
  EXPECT_EQ(plan.run_sets(5), (std::vector<std::string>{"components.consumer.count=1", "components.producer.rate=\"200/s\""}));
  EXPECT_EQ(plan.parameter_columns(),
            (std::vector<std::string>{"components.consumer.count", "components.producer.rate", "seed"}));
}

TEST(SweepPlan, WithoutSeedsEachSettingRunsOnceWithTheScenarioSeed) {
  const SweepPlan plan(small_doc(), registry(), options({"components.consumer.count=1,2"}, std::nullopt));
  EXPECT_EQ(plan.runs(), 2u);
  EXPECT_EQ(plan.seed_of(1), 1u);  // mmc-small.yaml: seed: 1
  // A seed axis replaces the seed column.
  const SweepPlan by_axis(small_doc(), registry(), options({"seed=7,8"}, std::nullopt));
  EXPECT_EQ(by_axis.parameter_columns(), (std::vector<std::string>{"seed"}));
  EXPECT_EQ(by_axis.run_params(1).dump(), R"({"seed":8})");
  EXPECT_EQ(by_axis.seed_of(1), 8u);
}

TEST(SweepPlan, BadPlansFailBeforeAnythingRuns) {
  EXPECT_EQ(error_of([] { SweepPlan(small_doc(), registry(), options({"components.consumer.cont=1,2"}, 2)); }),
            "--set components.consumer.cont=1: parameter path \"components.consumer.cont\": a consumer has no "
            "parameter \"cont\" (did you mean \"count\"?)");
  // The second value is bad: every setting is resolved up front.
  const std::string bad_value =
      error_of([] { SweepPlan(small_doc(), registry(), options({"components.consumer.count=1,lots"}, 2)); });
  EXPECT_NE(bad_value.find("at /components/2/count"), std::string::npos) << bad_value;
  EXPECT_NE(bad_value.find("--set components.consumer.count=\"lots\""), std::string::npos) << bad_value;
  EXPECT_EQ(error_of([] { SweepPlan(small_doc(), registry(), options({"seed=1,2"}, 3)); }),
            "--set: \"seed=1,2\" sweeps the seed while --seeds also sets it: use one of them");
  EXPECT_NE(error_of([] {
              SweepPlan(small_doc(), registry(),
                        options({"components.consumer.count=1", "components.consumer.count=2"}, 1));
            }).find("is swept twice"),
            std::string::npos);
  SweepOptions o = options({"components.consumer.count=1,2"}, 1);
  o.cost = {"components.consumer.cout"};
  EXPECT_EQ(error_of([&] { SweepPlan(small_doc(), registry(), o); }),
            "--cost: \"components.consumer.cout\" is not a swept axis (did you mean \"components.consumer.count\"?)");
  EXPECT_NE(error_of([] { SweepPlan(small_doc(), registry(), options({}, 0)); }).find("--seeds"), std::string::npos);
}

TEST(Sweep, SameRowsForAnyWorkerCount) {
  // A run depends only on its plan entry: 1 and 2 threads give byte-identical tables.
  const auto table = [](unsigned jobs) {
    Sweep s(small_doc(), registry(), options({"components.consumer.count=1..3:1"}, 4), std::nullopt);
    EXPECT_TRUE(s.run_local(jobs));
    const SweepResult r = s.finish();
    return r.runs.csv() + r.aggregate.csv();
  };
  const std::string one = table(1), two = table(2);
  EXPECT_EQ(one, two);
  EXPECT_EQ(test::count_lines(one), 1 + 12 + 1 + 3u);
}

TEST(Sweep, ARowIsTheRunOfItsParameters) {
  Sweep s(small_doc(), registry(), options({"components.consumer.count=1,3"}, 2), std::nullopt);
  ASSERT_TRUE(s.run_local(2));
  const SweepResult r = s.finish();
  // Run 3 = count 3, seed 2: the same as `faultline run mmc-small.yaml --seed 2 --set ...count=3`.
  RunOptions opt;
  opt.sets = {"components.consumer.count=3"};
  opt.seed = 2;
  ScenarioRun single(resolve_scenario(small_doc(), registry(), opt), registry(), opt);
  single.run();
  const Json& row = r.runs.rows[3];
  EXPECT_EQ(row["fingerprint"], single.summary()["fingerprint"]);
  EXPECT_EQ(row["backlog.peak"], single.summary()["backlog"]["peak"]);
  EXPECT_EQ(row["messages.delivered"], single.summary()["messages"]["delivered"]);
  EXPECT_EQ(row["seed"], 2);
}

TEST(Sweep, AggregateIsMeanAndStudentInterval) {
  Sweep s(small_doc(), registry(), options({"components.consumer.count=1"}, 5), std::nullopt);
  ASSERT_TRUE(s.run_local(1));
  const SweepResult r = s.finish();
  std::vector<double> peaks;
  for (const Json& row : r.runs.rows) peaks.push_back(row["backlog.peak"].get<double>());
  ASSERT_EQ(peaks.size(), 5u);
  double mean = 0;
  for (double p : peaks) mean += p / 5;
  double ss = 0;
  for (double p : peaks) ss += (p - mean) * (p - mean);
  const double sd = std::sqrt(ss / 4);
  // 95 % with 4 degrees of freedom: t = 2.776445105 (tables); half-width t · sd / √5.
  const double half = 2.776445105 * sd / std::sqrt(5.0);
  const Json& agg = r.aggregate.rows.at(0);
  EXPECT_EQ(agg["runs"], 5);
  EXPECT_NEAR(agg["backlog.peak.mean"].get<double>(), mean, 1e-9);
  EXPECT_NEAR(agg["backlog.peak.sd"].get<double>(), sd, 1e-9);
  EXPECT_NEAR(agg["backlog.peak.ci_low"].get<double>(), mean - half, 1e-6);
  EXPECT_NEAR(agg["backlog.peak.ci_high"].get<double>(), mean + half, 1e-6);
  // One consumer at ρ = 1.6 for 2 s: the backlog climbs to about 400 × (1 − 1/1.6) = 150.
  EXPECT_GT(mean, 100);
  EXPECT_LT(mean, 200);
}

TEST(SweepTables, MapMetricsAreUnitedSortedAndZeroFilled) {
  const SweepPlan plan(small_doc(), registry(), options({"components.consumer.count=1,2"}, 1));
  std::vector<Json> rows = {
      Json::parse(R"({"components.consumer.count":1,"seed":1,"messages.lost":3,
                      "messages.lost_by_cause.queue_deleted":3,"backlog.peak":10,"backlog.drain_time_s":null})"),
      Json::parse(R"({"components.consumer.count":2,"seed":1,"messages.lost":5,
                      "messages.lost_by_cause.publish_failed":5,"backlog.peak":20,"backlog.drain_time_s":4.5})")};
  const SweepTable t = make_runs_table(plan, rows);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"components.consumer.count", "seed", "messages.lost",
                                                 "messages.lost_by_cause.publish_failed",
                                                 "messages.lost_by_cause.queue_deleted", "backlog.peak",
                                                 "backlog.drain_time_s"}));
  EXPECT_EQ(t.csv(),
            "components.consumer.count,seed,messages.lost,messages.lost_by_cause.publish_failed,"
            "messages.lost_by_cause.queue_deleted,backlog.peak,backlog.drain_time_s\n"
            "1,1,3,0,3,10,\n"
            "2,1,5,5,0,20,4.5\n");
  const SweepTable agg = make_aggregate_table(plan, t);
  // One seed per setting: a mean, no interval; drain time is null in run 0, so it gets a count.
  EXPECT_EQ(agg.rows[0]["backlog.peak.mean"], 10.0);
  EXPECT_TRUE(agg.rows[0]["backlog.peak.ci_low"].is_null());
  EXPECT_EQ(agg.rows[0]["backlog.drain_time_s.n"], 0);
  EXPECT_TRUE(agg.rows[0]["backlog.drain_time_s.mean"].is_null());
  EXPECT_EQ(agg.rows[1]["backlog.drain_time_s.n"], 1);
  EXPECT_EQ(agg.rows[1]["backlog.drain_time_s.mean"], 4.5);
}

TEST(SweepGoalReport, CheapestPerGroupMeetingTheGoalInEverySeed) {
  SweepOptions o = options({"components.consumer.prefetch=1,2", "components.consumer.count=4,1,2"}, 2);
  o.goal = parse_goal("backlog.peak < 10");
  o.cost = {"components.consumer.count"};
  const SweepPlan plan(small_doc(), registry(), o);
  // Runs in plan order: prefetch 1 × count 4, 1, 2; then prefetch 2 × count 4, 1, 2; two seeds each.
  const std::vector<int> peaks = {5, 6, 50, 8, 9, 12, /* prefetch 2 */ 1, 1, 3, 4, 2, 2};
  std::vector<Json> rows;
  for (size_t r = 0; r < plan.runs(); ++r) {
    Json row = plan.run_params(r);
    row["backlog.peak"] = peaks[r];
    rows.push_back(row);
  }
  const SweepTable runs = make_runs_table(plan, rows);
  const Json report = make_goal_report(plan, runs, make_aggregate_table(plan, runs));
  // Prefetch 1: count 1 fails in seed 1 (50) and count 2 in seed 2 (12): only count 4 meets it.
  // Prefetch 2: all three meet it; counts rank by value, so 1 is the cheapest.
  ASSERT_EQ(report["groups"].size(), 2u);
  EXPECT_EQ(report["groups"][0]["fixed"].dump(), R"({"components.consumer.prefetch":1})");
  EXPECT_EQ(report["groups"][0]["cheapest"].dump(), R"({"components.consumer.count":4})");
  EXPECT_EQ(report["groups"][0]["metrics"]["backlog.peak"]["max"], 6.0);
  EXPECT_EQ(report["groups"][1]["cheapest"].dump(), R"({"components.consumer.count":1})");
  EXPECT_EQ(report["groups"][1]["metrics"]["backlog.peak"]["mean"], 3.5);
  EXPECT_TRUE(report["met"].get<bool>());
  EXPECT_EQ(report["settings"][1]["runs_meeting"], 1);

  // Non-numbers rank in the order listed: "poisson" is cheaper than "constant" here.
  SweepOptions o2 = options({"components.producer.arrivals=poisson,constant"}, 1);
  o2.goal = parse_goal("backlog.peak < 10");
  const SweepPlan plan2(small_doc(), registry(), o2);
  const SweepTable runs2 = make_runs_table(
      plan2, {Json{{"components.producer.arrivals", "poisson"}, {"seed", 1}, {"backlog.peak", 3}},
              Json{{"components.producer.arrivals", "constant"}, {"seed", 1}, {"backlog.peak", 1}}});
  const Json report2 = make_goal_report(plan2, runs2, make_aggregate_table(plan2, runs2));
  EXPECT_EQ(report2["groups"][0]["cheapest"].dump(), R"({"components.producer.arrivals":"poisson"})");
  // Nothing meets an impossible goal.
  SweepOptions o3 = o2;
  o3.goal = parse_goal("backlog.peak < 0");
  const SweepPlan plan3(small_doc(), registry(), o3);
  const Json report3 = make_goal_report(plan3, runs2, make_aggregate_table(plan3, runs2));
  EXPECT_TRUE(report3["groups"][0]["cheapest"].is_null());
  EXPECT_FALSE(report3["met"].get<bool>());
}

TEST(SweepJournal, ResumesFinishedRunsAndCutsATornLine) {
  TempDir tmp;
  const std::string full = tmp / "full", part = tmp / "part";
  const auto opts = [] { return options({"components.consumer.count=1..3:1"}, 3); };
  {
    Sweep s(small_doc(), registry(), opts(), full);
    ASSERT_TRUE(s.run_local(2));
    s.finish();
  }
  // An interrupted copy: the plan, the first 4 journal lines (in whatever order the threads
  // wrote them) and half of a fifth, as a crash in the middle of a write leaves it.
  std::filesystem::create_directories(part);
  std::filesystem::copy_file(full + "/sweep.json", part + "/sweep.json");
  const std::string journal = read_file(full + "/runs.jsonl");
  size_t cut = 0;
  for (int i = 0; i < 4; ++i) cut = journal.find('\n', cut) + 1;
  const size_t fifth_end = journal.find('\n', cut);
  test::write_file(part + "/runs.jsonl", journal.substr(0, cut) + journal.substr(cut, (fifth_end - cut) / 2));
  {
    Sweep s(small_doc(), registry(), opts(), part);
    EXPECT_EQ(s.done_count(), 4u);
    EXPECT_EQ(s.pending().size(), 5u);
    ASSERT_TRUE(s.run_local(1));
    const SweepResult r = s.finish();
    EXPECT_EQ(r.timing["runs_resumed"], 4);
    EXPECT_EQ(r.timing["runs_this_session"], 5);
  }
  for (const char* f : {"runs.csv", "runs.json", "aggregate.csv", "aggregate.json"})
    EXPECT_EQ(read_file(part + "/" + f), read_file(full + "/" + f)) << f;
  EXPECT_EQ(test::count_lines(read_file(part + "/runs.jsonl")), 9u);
  // Another plan in the same folder is refused, naming what differs.
  const std::string other = error_of([&] { Sweep(small_doc(), registry(), options({"components.consumer.count=1..3:1"}, 4), full); });
  EXPECT_NE(other.find("sweep.json: at /seeds: this folder holds another sweep"), std::string::npos) << other;
}

TEST(SweepJournal, StoppingKeepsTheRunsInProgress) {
  TempDir tmp;
  Sweep s(small_doc(), registry(), options({"components.consumer.count=1..2:1"}, 200), tmp / "out");
  // Stop at the first poll (after ~100 ms, or when all is done on a fast machine).
  const bool complete = s.run_local(2, [](const SweepProgress&) { return true; });
  const size_t done = s.done_count();
  EXPECT_EQ(complete, done == 400u);
  Sweep again(small_doc(), registry(), options({"components.consumer.count=1..2:1"}, 200), tmp / "out");
  EXPECT_EQ(again.done_count(), done);  // every finished run was journalled
  EXPECT_TRUE(again.run_local(2));
  EXPECT_EQ(again.finish().runs.rows.size(), 400u);
}

}  // namespace
}  // namespace faultline::sim::sweep
