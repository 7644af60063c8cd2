// The hypothesis / abort / rollbacks blocks (sim/experiment/README.md): tolerances, defaults,
// inheritance by experiments, and bad input refused with the file, the JSON pointer and the line
// (exit code 2).
#include "sim/experiment/experiment_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "models/register_builtin_models.hpp"
#include "sim/experiment/series_mirror.hpp"
#include "sim/run/scenario_run.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/unit/experiment/experiment_bench.hpp"

namespace faultline {
namespace {

using sim::experiment::ProbeMode;
using sim::experiment::Tolerance;
using testing::bench;

sim::ResolvedScenario resolve(const std::string& yaml, const std::string& experiment = "") {
  sim::ResolveOptions opt;
  if (!experiment.empty()) opt.experiment = experiment;
  return sim::resolve_scenario(sim::parse_document(yaml, "bench.yaml"), models::builtin_registry(), opt);
}

sim::InputError error_of(const std::string& yaml) {
  try {
    resolve(yaml);
  } catch (const sim::InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return sim::InputError("", "", 0, "");
}

Tolerance tolerance(const sim::Json& v) {
  const sim::Document doc = sim::parse_document("{}", "t.yaml");
  return Tolerance::parse(v, doc, "/tolerance");
}

TEST(Tolerance, ComparisonsRangesAndSets) {
  EXPECT_TRUE(tolerance("== 0").met(0));
  EXPECT_FALSE(tolerance("== 0").met(1));
  EXPECT_TRUE(tolerance("!= 1").met(0));
  EXPECT_TRUE(tolerance(">= 0.99").met(0.99));
  EXPECT_FALSE(tolerance("> 10").met(10));
  EXPECT_TRUE(tolerance("<10").met(9.5));
  EXPECT_TRUE(tolerance("<= 10").met(10));
  EXPECT_TRUE(tolerance(sim::Json{{"op", ">"}, {"value", "10"}}).met(11));  // Litmus writes values as strings
  const Tolerance range = tolerance(sim::Json{{"range", {1, 5}}});
  EXPECT_TRUE(range.met(1));  // inclusive, as Chaos Toolkit's range
  EXPECT_TRUE(range.met(5));
  EXPECT_FALSE(range.met(5.5));
  const Tolerance set = tolerance(sim::Json{{"one_of", {0, 2}}});
  EXPECT_TRUE(set.met(2));
  EXPECT_FALSE(set.met(1));
  EXPECT_FALSE(tolerance("!= 1").met(std::nan("")));  // NaN meets nothing
  EXPECT_EQ(tolerance("==0").text(), "== 0");
  EXPECT_EQ(range.text(), "in [1, 5]");
  EXPECT_EQ(set.text(), "one of [0, 2]");
}

TEST(Tolerance, MalformedOnesNameWhatWasExpected) {
  const sim::Document doc = sim::parse_document("{}", "t.yaml");
  for (const sim::Json& bad :
       {sim::Json("about 3"), sim::Json("=> 3"), sim::Json("== x"), sim::Json(3), sim::Json{{"range", {5, 1}}},
        sim::Json{{"range", {1}}}, sim::Json{{"one_of", sim::Json::array()}}, sim::Json{{"op", "~"}, {"value", 1}},
        sim::Json{{"between", {1, 2}}}}) {
    try {
      Tolerance::parse(bad, doc, "/p/tolerance");
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const sim::InputError& e) {
      EXPECT_EQ(e.file(), "t.yaml");
      EXPECT_EQ(e.pointer().rfind("/p/tolerance", 0), 0u) << e.pointer();
    }
  }
}

TEST(ExperimentSchema, DefaultsAreDeclaredOnce) {
  const auto sc = resolve(bench(R"(
hypothesis:
  probes:
    - name: p
      query: faultline_messages_published_total
      tolerance: "> 0"
abort:
  - name: a
    query: faultline_messages_published_total > 1e9
)"));
  const auto& spec = *sc.experiment_spec;
  ASSERT_EQ(spec.probes.size(), 1u);
  EXPECT_EQ(spec.probes[0].mode, ProbeMode::edge);  // Chaos Toolkit's default: before and after
  EXPECT_EQ(spec.probes[0].interval, sim::Duration::s(5));
  EXPECT_FALSE(spec.probes[0].stop_on_failure);
  ASSERT_EQ(spec.aborts.size(), 1u);
  EXPECT_EQ(spec.aborts[0].interval, sim::Duration::s(5));  // Gloo Shot's poll interval
  EXPECT_FALSE(spec.aborts[0].when);
  for (const auto& f : sim::experiment::probe_fields()) EXPECT_FALSE(f.source.empty()) << f.name;
  for (const auto& f : sim::experiment::abort_fields()) EXPECT_FALSE(f.source.empty()) << f.name;
  // scenario.resolved.json carries the chosen blocks, normalised.
  const auto j = sc.to_json();
  EXPECT_EQ(j["hypothesis"]["probes"][0]["mode"], "Edge");
  EXPECT_EQ(j["abort"][0]["interval"], "5s");
}

TEST(ExperimentSchema, ExperimentsInheritBlocksTheyDoNotGive) {
  const std::string yaml = bench(R"(
hypothesis:
  probes:
    - name: base-probe
      query: faultline_messages_published_total
      tolerance: "> 0"
abort:
  - name: base-abort
    query: faultline_messages_published_total > 1e9
experiments:
  - name: own-hypothesis
    hypothesis:
      probes:
        - name: own-probe
          query: faultline_messages_delivered_total
          tolerance: "> 0"
  - name: no-abort
    abort: []
)");
  const auto base = resolve(yaml);
  EXPECT_EQ(base.experiment_spec->probes[0].name, "base-probe");
  const auto own = resolve(yaml, "own-hypothesis");
  EXPECT_EQ(own.experiment_spec->probes[0].name, "own-probe");
  EXPECT_EQ(own.experiment_spec->aborts[0].name, "base-abort");  // inherited
  const auto none = resolve(yaml, "no-abort");
  EXPECT_EQ(none.experiment_spec->probes[0].name, "base-probe");
  EXPECT_TRUE(none.experiment_spec->aborts.empty());
}

struct BadCase {
  const char* blocks;
  const char* pointer;
  int line;  // within `blocks`, 1-based
  const char* says;
};

TEST(ExperimentSchema, BadBlocksNameTheFileThePointerAndTheLine) {
  const BadCase cases[] = {
      {"hypothesis: [1]\n", "/hypothesis", 1, "expected a hypothesis object"},
      {"hypothesis:\n  title: x\n", "/hypothesis", 1, "missing required parameter \"probes\""},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n", "/hypothesis/probes/0", 3,
       "missing required parameter \"tolerance\""},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n      tolerance: \"== 1\"\n      mdoe: EOT\n",
       "/hypothesis/probes/0/mdoe", 6, "did you mean \"mode\""},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n      tolerance: \"== 1\"\n      mode: eot\n",
       "/hypothesis/probes/0/mode", 6, "expected one of: SOT, EOT, Edge, Continuous, OnChaos"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n      tolerance: \"== 1\"\n      mode: EOT\n      "
       "interval: 5s\n",
       "/hypothesis/probes/0/interval", 7, "applies to Continuous and OnChaos probes"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n      tolerance: \"== 1\"\n      mode: Continuous\n    "
       "  "
       "interval: 0s\n",
       "/hypothesis/probes/0/interval", 7, "> 0"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up\n      tolerance: about one\n",
       "/hypothesis/probes/0/tolerance", 5, "expected a tolerance"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: topk(3, up)\n      tolerance: \"== 1\"\n",
       "/hypothesis/probes/0/query", 4, "unsupported aggregation `topk`"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: sum(rate(up[5m:1m]))\n      tolerance: \"== 1\"\n",
       "/hypothesis/probes/0/query", 4, "subqueries are not supported"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: rate(up[5m]\n      tolerance: \"== 1\"\n",
       "/hypothesis/probes/0/query", 4, "PromQL syntax error"},
      {"hypothesis:\n  probes:\n    - name: p\n      query: up[5m]\n      tolerance: \"== 1\"\n",
       "/hypothesis/probes/0/query", 4, "range vector"},
      {"abort:\n  - name: a\n    query: scalar(up)\n", "/abort/0/query", 3, "give \"when\""},
      {"abort:\n  - name: a\n    query: up > 1\n  - name: a\n    query: up > 2\n", "/abort/1/name", 4,
       "duplicate name \"a\""},
      {"abort:\n  name: a\n", "/abort", 1, "expected a list of abort conditions"},
      {"abort:\n  - name: a\n    query: up\n    when: \">> 3\"\n", "/abort/0/when", 4, "expected a tolerance"},
      {"rollbacks:\n  strategy: sometimes\n  actions: []\n", "/rollbacks/strategy", 2, "expected one of"},
      {"rollbacks:\n  actions: [3]\n", "/rollbacks/actions/0", 2, "expected a fault entry"},
      {"experiments:\n  - name: e\n    hypothesis:\n      probes:\n        - name: p\n          query: "
       "label_replace(up, "
       "\"a\", \"b\", \"c\", \"d\")\n          tolerance: \"== 1\"\n",
       "/experiments/0/hypothesis/probes/0/query", 6, "unsupported function `label_replace`"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.blocks);
    const std::string base = bench("");
    const int offset = static_cast<int>(std::count(base.begin(), base.end(), '\n'));
    const sim::InputError e = error_of(bench(c.blocks));
    EXPECT_EQ(e.file(), "bench.yaml");
    EXPECT_EQ(e.pointer(), c.pointer);
    EXPECT_EQ(e.line(), offset + c.line);
    EXPECT_NE(e.message().find(c.says), std::string::npos) << e.message();
  }
}

TEST(ExperimentSchema, RollbackActionsArePlannedBeforeTheRun) {
  // An unknown component in a rollback action is bad input before anything runs.
  const std::string yaml = bench("rollbacks:\n  actions:\n    - kind: pod-kill\n      target: nope\n");
  sim::RunOptions opt;
  const auto& registry = models::builtin_registry();
  try {
    sim::ScenarioRun run(sim::resolve_scenario(sim::parse_document(yaml, "bench.yaml"), registry, opt), registry, opt);
    ADD_FAILURE() << "accepted";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/rollbacks/actions/0/target");
    EXPECT_NE(e.message().find("unknown component \"nope\""), std::string::npos) << e.message();
  }
}

TEST(SeriesMirror, CopiesOnlyTheSelectedSeriesAndOnlyNewSamples) {
  sim::Recorder rec;
  sim::Counter& a = rec.counter("a_total", {}, "");
  rec.counter("b_total", {}, "").inc(5);
  const auto q = sim::promql::Query::parse("rate(a_total[1m])");
  sim::experiment::SeriesMirror mirror(rec, 1000, {&q});
  a.inc(1);
  rec.scrape(sim::SimTime::from_ns(0));
  mirror.sync();
  a.inc(2);
  rec.scrape(sim::SimTime::from_ns(1'000'000'000));
  mirror.sync();
  mirror.sync();                         // nothing new: no duplicate samples
  ASSERT_EQ(mirror.store().size(), 1u);  // b_total is not selected
  const auto& s = mirror.store().series()[0];
  EXPECT_EQ(s.name(), "a_total");
  ASSERT_EQ(s.samples.size(), 2u);
  EXPECT_EQ(s.samples[0].t_ns, 1000);  // anchored at the start time
  EXPECT_EQ(s.samples[1].value, 3.0);
  // A selector without a name (a regex on __name__) makes every series visible.
  const auto any = sim::promql::Query::parse("{__name__=~\"b.*\"}");
  EXPECT_FALSE(sim::experiment::selected_metric_names(any));
  sim::experiment::SeriesMirror all(rec, 0, {&q, &any});
  all.sync();
  EXPECT_EQ(all.store().size(), 2u);
}

}  // namespace
}  // namespace faultline
