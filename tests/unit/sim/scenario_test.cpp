// Scenario loading (DESIGN §9): JSON and YAML are one schema; defaults, `count`, selectors,
// parameter paths (--set) with "did you mean", and experiments.
#include "sim/scenario/scenario.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "models/register_builtin_models.hpp"
#include "sim/core/rfc3339.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/scenario/parameter_path.hpp"
#include "sim/scenario/selector.hpp"
#include "sim/scenario/units.hpp"
#include "tests/support/test_support.hpp"

namespace faultline::sim {
namespace {

const ModelRegistry& builtin() { return models::builtin_registry(); }

ResolvedScenario resolve(std::string_view text, const ResolveOptions& opt = {}, const ModelRegistry& reg = builtin(),
                         const std::string& name = "test.yaml") {
  return resolve_scenario(parse_document(text, name), reg, opt);
}

/// The InputError a resolution throws; fails the test when none is thrown.
InputError resolve_error(std::string_view text, const ResolveOptions& opt = {}, const ModelRegistry& reg = builtin(),
                         const std::string& name = "test.yaml") {
  try {
    resolve(text, opt, reg, name);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return InputError("", "", 0, "");
}

ResolveOptions with_sets(std::vector<std::string> sets) {
  ResolveOptions o;
  o.sets = std::move(sets);
  return o;
}

// A small scenario used throughout; line numbers below refer to this text.
constexpr std::string_view kShop = R"(name: shop
components:
  - name: producer
    kind: producer
    target: orders
    messages: 100
  - name: orders
    kind: queue
  - name: consumer
    kind: consumer
    count: 3
    queue: orders
    labels: {app: worker, tier: 2}
)";

TEST(ScenarioLoad, JsonAndYamlGiveTheSameResolvedScenario) {
  const std::string json = R"({
  "name": "same",
  "description": "one schema",
  "start_time": "2026-03-01T12:00:00+01:00",
  "duration": "10m",
  "seed": 5,
  "scrape_interval": "500ms",
  "components": [
    {"name": "producer", "kind": "producer", "count": 2, "target": "orders", "rate": "6000/m",
     "arrivals": "constant", "stages": [{"duration": "1m", "target": "50/s"}]},
    {"name": "orders", "kind": "queue", "labels": {"app": "rabbitmq"}},
    {"name": "consumer", "kind": "consumer", "count": 4, "queue": "orders", "prefetch": 10, "ack": "auto",
     "processing_time": {"dist": "lognormal", "mean": "3ms", "stddev": "1ms"}}
  ],
  "experiments": [{"name": "slow", "set": {"components.consumer.prefetch": 1}}]
})";
  const std::string yaml = R"(name: same
description: one schema
start_time: 2026-03-01T12:00:00+01:00
duration: 10m
seed: 5
scrape_interval: 500ms
components:
  - name: producer
    kind: producer
    count: 2
    target: orders
    rate: 6000/m
    arrivals: constant
    stages:
      - duration: 1m
        target: 50/s
  - name: orders
    kind: queue
    labels:
      app: rabbitmq
  - name: consumer
    kind: consumer
    count: 4
    queue: orders
    prefetch: 10
    ack: auto
    processing_time:
      dist: lognormal
      mean: 3ms
      stddev: 1ms
experiments:
  - name: slow
    set:
      components.consumer.prefetch: 1
)";
  const ResolvedScenario a = resolve(json, {}, builtin(), "same.json");
  const ResolvedScenario b = resolve(yaml, {}, builtin(), "same.yaml");
  EXPECT_EQ(a.to_json().dump(2), b.to_json().dump(2));
  // And the values are the ones written: 6000/m = 100/s; 12:00+01:00 = 11:00Z.
  EXPECT_EQ(a.components[0].params["rate"], 100.0);
  EXPECT_EQ(format_rfc3339(b.start_epoch_ns), "2026-03-01T11:00:00Z");
  EXPECT_EQ(b.duration, Duration::minutes(10));
  EXPECT_EQ(b.scrape_interval, Duration::ms(500));
  // With the experiment chosen, both again agree.
  ResolveOptions slow;
  slow.experiment = "slow";
  EXPECT_EQ(resolve(json, slow, builtin(), "same.json").to_json().dump(),
            resolve(yaml, slow, builtin(), "same.yaml").to_json().dump());
}

TEST(ScenarioLoad, ReferenceScenarioMatchesItsYamlTranscription) {
  const ResolvedScenario file =
      resolve_scenario(load_document(test::source_path("scenarios/mmc-reference.json")), builtin(), {});
  // The description as a double-quoted scalar (JSON string syntax is valid YAML).
  std::string yaml = "name: mmc-reference\ndescription: " + Json(file.description).dump() + "\n" + R"(seed: 42
scrape_interval: 1s
components:
  - {name: producer, kind: producer, count: 1, target: orders, arrivals: poisson, rate: 1000/s, messages: 1000000}
  - {name: orders, kind: queue}
  - name: consumer
    kind: consumer
    count: 4
    queue: orders
    prefetch: 1
    processing_time: {dist: exponential, mean: 3.5ms}
)";
  EXPECT_EQ(file.to_json().dump(2), resolve(yaml).to_json().dump(2));
}

TEST(ScenarioLoad, DefaultsAreApplied) {
  const ResolvedScenario s = resolve(kShop);
  // Scenario defaults (DESIGN §6, §9): seed 1, 1 s scrapes, 2026-01-01T00:00:00Z, no duration.
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.scrape_interval, Duration::s(1));
  EXPECT_EQ(s.start_epoch_ns, kDefaultStartEpochNs);
  EXPECT_FALSE(s.duration.has_value());
  EXPECT_FALSE(s.experiment.has_value());
  // Consumer defaults from its declaration: prefetch 1, manual ack, 1 ms constant processing.
  const Json& c = s.entry("consumer")->params;
  EXPECT_EQ(c["prefetch"], 1);
  EXPECT_EQ(c["ack"], "manual");
  EXPECT_EQ(c["processing_time"], (Json{{"dist", "constant"}, {"value", "1ms"}}));
  // Producer defaults: Poisson at 100/s from t = 0, transient; no stages.
  const Json& p = s.entry("producer")->params;
  EXPECT_EQ(p["arrivals"], "poisson");
  EXPECT_EQ(p["rate"], 100.0);
  EXPECT_EQ(p["start"], "0s");
  EXPECT_EQ(p["persistent"], false);
  EXPECT_EQ(p["stages"], Json::array());
  EXPECT_EQ(p["messages"], 100);
  // Typed reads agree with the declaration's units.
  const ComponentInstance* inst = s.instance("consumer/consumer-0");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->params.integer("prefetch"), 1);
  EXPECT_EQ(inst->params.distribution("processing_time").mean(), 0.001);
  EXPECT_THROW((void)inst->params.integer("undeclared"), std::logic_error);  // a model bug, not bad input
}

TEST(ScenarioLoad, CountReplicatesUnderTheEntryName) {
  const ResolvedScenario s = resolve(kShop);
  std::vector<std::string> paths;
  for (const auto& i : s.instances) paths.push_back(i.path);
  // Replicated kinds get <name>/<name>-<i>; a single kind keeps its name; sorted by path.
  EXPECT_EQ(paths, (std::vector<std::string>{"consumer/consumer-0", "consumer/consumer-1", "consumer/consumer-2",
                                             "orders", "producer/producer-0"}));
  const ComponentInstance* c2 = s.instance("consumer/consumer-2");
  EXPECT_EQ(c2->replica, 2u);
  EXPECT_EQ(c2->count, 3u);
  EXPECT_EQ(c2->base_name, "consumer");
  // Labels reach every replica; numbers become text as Kubernetes labels are.
  EXPECT_EQ(c2->labels, (Labels{{"app", "worker"}, {"tier", "2"}}));
  // count 0 is allowed for pods (a scaled-down Deployment).
  const ResolvedScenario none = resolve(kShop, with_sets({"components.consumer.count=0"}));
  EXPECT_EQ(none.instance("consumer/consumer-0"), nullptr);
  // A single kind cannot be replicated.
  const InputError e = resolve_error(kShop, with_sets({"components.orders.count=2"}));
  EXPECT_NE(std::string(e.what()).find("a queue cannot be replicated"), std::string::npos) << e.what();
  EXPECT_EQ(e.pointer(), "/components/1/count");
}

TEST(ScenarioLoad, OptionsOverrideSeedAndStartTime) {
  ResolveOptions o;
  o.seed = 99;
  o.start_time = "2030-01-01T00:00:00Z";
  const ResolvedScenario s = resolve(kShop, o);
  EXPECT_EQ(s.seed, 99u);
  EXPECT_EQ(format_rfc3339(s.start_epoch_ns), "2030-01-01T00:00:00Z");
  o.start_time = "yesterday";
  const InputError e = resolve_error(kShop, o);
  EXPECT_EQ(e.file(), "--start-time");
  EXPECT_NE(std::string(e.what()).find("expected an RFC 3339 time"), std::string::npos);
}

// ---- Selectors.

TEST(Selector, MatchLabelsAndExpressions) {
  Document doc;
  doc.file = "sel.yaml";
  const LabelSelector shorthand = parse_selector(Json{{"app", "rabbitmq"}}, doc, "/selector");
  EXPECT_TRUE(shorthand.matches({{"app", "rabbitmq"}, {"tier", "broker"}}));
  EXPECT_FALSE(shorthand.matches({{"app", "mariadb"}}));
  EXPECT_FALSE(shorthand.matches({}));
  const LabelSelector full = parse_selector(
      Json::parse(R"({"matchLabels": {"app": "db", "replicas": 3},
                      "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]},
                                           {"key": "role", "operator": "NotIn", "values": ["arbiter"]},
                                           {"key": "primary", "operator": "DoesNotExist"},
                                           {"key": "disk", "operator": "Exists"}]})"),
      doc, "/selector");
  EXPECT_TRUE(full.matches({{"app", "db"}, {"replicas", "3"}, {"zone", "a"}, {"disk", "ssd"}}));
  EXPECT_FALSE(full.matches({{"app", "db"}, {"replicas", "3"}, {"zone", "c"}, {"disk", "ssd"}}));     // zone not In
  EXPECT_FALSE(full.matches({{"app", "db"}, {"replicas", "3"}, {"zone", "a"}}));                      // no disk
  EXPECT_FALSE(full.matches({{"app", "db"}, {"replicas", "3"}, {"zone", "a"}, {"disk", "x"}, {"primary", "y"}}));
  EXPECT_FALSE(full.matches({{"app", "db"}, {"replicas", "3"}, {"zone", "b"}, {"disk", "x"}, {"role", "arbiter"}}));
  // Round trip to the Kubernetes shape.
  EXPECT_EQ(full.to_json()["matchLabels"]["replicas"], "3");
}

TEST(Selector, BadSelectorsSayWhatWasExpected) {
  Document doc;
  doc.file = "sel.yaml";
  auto error = [&](const char* text) -> std::string {
    try {
      parse_selector(Json::parse(text), doc, "/selector");
    } catch (const InputError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_NE(error(R"({})").find("expected a label selector"), std::string::npos);
  EXPECT_NE(error(R"({"matchExpressions": [{"key": "a", "operator": "Exist"}]})").find("did you mean \"Exists\""),
            std::string::npos);
  EXPECT_NE(error(R"({"matchExpressions": [{"key": "a", "operator": "In"}]})").find("needs a non-empty \"values\""),
            std::string::npos);
  EXPECT_NE(error(R"({"matchLabels": {"a": "b"}, "matchLabel": {}})").find("did you mean \"matchLabels\""),
            std::string::npos);
}

// ---- Parameter paths (--set).

TEST(ParameterPath, TopLevelKeys) {
  const ResolvedScenario s = resolve(
      kShop, with_sets({"duration=10m", "seed=9", "scrape_interval=5s", "start_time=2026-06-01T00:00:00Z"}));
  EXPECT_EQ(s.duration, Duration::minutes(10));
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.scrape_interval, Duration::s(5));
  EXPECT_EQ(format_rfc3339(s.start_epoch_ns), "2026-06-01T00:00:00Z");
  EXPECT_EQ(s.applied_overrides.front(), "duration=\"10m\"");
}

TEST(ParameterPath, ComponentParametersCountAndLabels) {
  const ResolvedScenario s =
      resolve(kShop, with_sets({"components.consumer.count=8", "components.consumer.prefetch=10",
                                "components.consumer.processing_time=5ms", "components.consumer.labels.tier=backend",
                                "components.producer.rate=2/ms"}));
  EXPECT_NE(s.instance("consumer/consumer-7"), nullptr);  // count 8: replicas 0..7
  EXPECT_EQ(s.instance("consumer/consumer-8"), nullptr);
  const Json& c = s.entry("consumer")->params;
  EXPECT_EQ(c["prefetch"], 10);
  EXPECT_EQ(c["processing_time"], (Json{{"dist", "constant"}, {"value", "5ms"}}));
  EXPECT_EQ(s.instance("consumer/consumer-3")->labels.at("tier"), "backend");
  EXPECT_EQ(s.entry("producer")->params["rate"], 2000.0);  // 2 per ms
  // A distribution as a YAML flow mapping on the command line.
  const ResolvedScenario d =
      resolve(kShop, with_sets({"components.consumer.processing_time={dist: exponential, mean: 2ms}"}));
  EXPECT_EQ(d.entry("consumer")->params["processing_time"], (Json{{"dist", "exponential"}, {"mean", "2ms"}}));
}

/// The built-in kinds plus a broker with a keyed list of queues, to exercise `queues.<name>.<field>`.
const ModelRegistry& registry_with_keyed_lists() {
  static const ModelRegistry reg = [] {
    ModelRegistry r;
    models::register_builtin_models(r);
    KindInfo k;
    k.name = "test-broker";
    k.help = "a broker with named queues";
    k.replication = Replication::self;
    k.count_help = "nodes";
    k.params = {ParamSpec::objects("queues",
                                   {ParamSpec::choice("type", {"classic", "quorum"}).def("classic").describe("queue type").from("test"),
                                    ParamSpec::integer("max_length", "messages").optional().at_least(0).describe("bound").from("test")})
                    .describe("the queues")};
    k.factory = [](Simulation&, const ComponentInstance&) -> Component& { throw std::logic_error("not built"); };
    r.add(std::move(k));
    return r;
  }();
  return reg;
}

constexpr std::string_view kBroker = R"(name: keyed
components:
  - name: rabbitmq
    kind: test-broker
    count: 3
    queues:
      - name: orders
      - name: payments
        type: quorum
)";

TEST(ParameterPath, KeyedListEntries) {
  const ResolvedScenario s = resolve(kBroker, with_sets({"components.rabbitmq.queues.orders.type=quorum",
                                                         "components.rabbitmq.queues.payments.max_length=1000"}),
                                     registry_with_keyed_lists());
  const Json& queues = s.entry("rabbitmq")->params["queues"];
  EXPECT_EQ(queues[0]["name"], "orders");
  EXPECT_EQ(queues[0]["type"], "quorum");
  EXPECT_EQ(queues[0]["max_length"], nullptr);
  EXPECT_EQ(queues[1]["max_length"], 1000);
  // A self-managed kind has one instance at its name, with `count` members.
  EXPECT_EQ(s.instance("rabbitmq")->count, 3u);
}

std::string set_error(std::string_view text, const std::string& assignment,
                      const ModelRegistry& reg = builtin()) {
  return resolve_error(text, with_sets({assignment}), reg).what();
}

TEST(ParameterPath, ErrorsSayDidYouMean) {
  const auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  std::string e = set_error(kShop, "durtion=5m");
  EXPECT_TRUE(has(e, "unknown top-level key \"durtion\" (did you mean \"duration\"?)")) << e;
  EXPECT_TRUE(has(e, "--set durtion=5m")) << e;  // the error names where the path came from
  e = set_error(kShop, "component.consumer.count=2");
  EXPECT_TRUE(has(e, "did you mean \"components\"")) << e;
  e = set_error(kShop, "components.consumr.count=2");
  EXPECT_TRUE(has(e, "no component is named \"consumr\" (did you mean \"consumer\"?)")) << e;
  e = set_error(kShop, "components.consumer.prefech=2");
  EXPECT_TRUE(has(e, "a consumer has no parameter \"prefech\" (did you mean \"prefetch\"?)")) << e;
  e = set_error(kShop, "components.consumer=2");
  EXPECT_TRUE(has(e, "names a component, not one of its parameters")) << e;
  e = set_error(kShop, "components..count=2");
  EXPECT_TRUE(has(e, "has an empty segment")) << e;
  e = set_error(kShop, "components.consumer.prefetch");
  EXPECT_TRUE(has(e, "expected path=value")) << e;
  e = set_error(kShop, "components.consumer.prefetch.x=1");
  EXPECT_TRUE(has(e, "\"prefetch\" is a") && has(e, "has no fields")) << e;
  e = set_error(kShop, "components.producer.stages.ramp.target=5");
  EXPECT_TRUE(has(e, "\"stages\" is an ordered list: set it as a whole")) << e;
  e = set_error(kBroker, "components.rabbitmq.queues.ordrs.type=quorum", registry_with_keyed_lists());
  EXPECT_TRUE(has(e, "no entry of queues is named \"ordrs\" (did you mean \"orders\"?)")) << e;
  e = set_error(kBroker, "components.rabbitmq.queues.orders.typ=quorum", registry_with_keyed_lists());
  EXPECT_TRUE(has(e, "entries of queues have no field \"typ\" (did you mean \"type\"?)")) << e;
  e = set_error(kBroker, "components.rabbitmq.queues.orders=quorum", registry_with_keyed_lists());
  EXPECT_TRUE(has(e, "expected .queues.<entry name>.<field>")) << e;
}

TEST(ParameterPath, BadValuesPointIntoTheFileAndNameTheOverride) {
  const InputError e = resolve_error(kShop, with_sets({"components.consumer.prefetch=lots"}));
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_EQ(e.pointer(), "/components/2/prefetch");
  EXPECT_EQ(e.line(), 9);  // the consumer entry: the value itself came from --set
  EXPECT_NE(e.message().find("expected an integer for \"prefetch\", got \"lots\""), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("(set by --set components.consumer.prefetch=lots)"), std::string::npos) << e.what();
  const InputError q = resolve_error(kBroker, with_sets({"components.rabbitmq.queues.orders.type=mirrored"}),
                                     registry_with_keyed_lists());
  EXPECT_EQ(q.pointer(), "/components/0/queues/0/type");
  EXPECT_NE(q.message().find("expected one of: classic, quorum"), std::string::npos) << q.what();
}

// ---- Experiments.

constexpr std::string_view kWithExperiments = R"(name: exp
faults:
  - {kind: pod-kill, at: 10s, target: consumer/consumer-1}
components:
  - {name: producer, kind: producer, target: orders, messages: 10}
  - {name: orders, kind: queue}
  - {name: consumer, kind: consumer, count: 2, queue: orders}
experiments:
  - name: slow
    description: slower consumers
    set:
      components.consumer.processing_time: 10ms
  - name: more
    set: {components.consumer.count: 8}
    faults:
      - {kind: pod-kill, at: 30s, target: consumer/consumer-7}
)";

TEST(Experiments, BaseRunWithoutExperiment) {
  const ResolvedScenario s = resolve(kWithExperiments);
  EXPECT_FALSE(s.experiment.has_value());
  ASSERT_EQ(s.experiments.size(), 2u);
  EXPECT_EQ(s.experiments[0].name, "slow");
  EXPECT_EQ(s.experiments[0].description, "slower consumers");
  EXPECT_EQ(s.experiments[1].pointer, "/experiments/1");
  // Base faults and base parameters.
  ASSERT_EQ(s.fault_entries.size(), 1u);
  EXPECT_EQ(s.fault_entries[0]["at"], "10s");
  EXPECT_EQ(s.faults_pointer, "/faults");
  EXPECT_EQ(s.entry("consumer")->params["processing_time"]["value"], "1ms");
  EXPECT_EQ(s.to_json()["experiment"], nullptr);
}

TEST(Experiments, ChoosingOneAppliesItsSetAndFaults) {
  ResolveOptions o;
  o.experiment = "slow";
  const ResolvedScenario slow = resolve(kWithExperiments, o);
  EXPECT_EQ(slow.experiment, "slow");
  EXPECT_EQ(slow.entry("consumer")->params["processing_time"]["value"], "10ms");
  EXPECT_TRUE(slow.fault_entries.empty());  // an experiment brings its own faults (none here)
  EXPECT_EQ(slow.applied_overrides, (std::vector<std::string>{"components.consumer.processing_time=\"10ms\""}));
  EXPECT_EQ(slow.to_json()["experiment_description"], "slower consumers");

  o.experiment = "more";
  const ResolvedScenario more = resolve(kWithExperiments, o);
  EXPECT_NE(more.instance("consumer/consumer-7"), nullptr);
  ASSERT_EQ(more.fault_entries.size(), 1u);
  EXPECT_EQ(more.fault_entries[0]["target"], "consumer/consumer-7");
  EXPECT_EQ(more.faults_pointer, "/experiments/1/faults");

  // --set applies after the experiment's own set.
  o.experiment = "slow";
  o.sets = {"components.consumer.processing_time=20ms"};
  EXPECT_EQ(resolve(kWithExperiments, o).entry("consumer")->params["processing_time"]["value"], "20ms");
}

TEST(Experiments, UnknownOrDuplicateNames) {
  ResolveOptions o;
  o.experiment = "slwo";
  const InputError e = resolve_error(kWithExperiments, o);
  EXPECT_NE(std::string(e.what()).find("no experiment is named \"slwo\" (did you mean \"slow\"?)"), std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("the experiments are: slow, more"), std::string::npos) << e.what();
  o.experiment = "any";
  EXPECT_NE(std::string(resolve_error(kShop, o).what()).find("the scenario has no experiments"), std::string::npos);

  const std::string dup = std::string(kShop) + "experiments:\n  - name: a\n  - name: a\n";
  const InputError d = resolve_error(dup);
  EXPECT_EQ(d.pointer(), "/experiments/1/name");
  EXPECT_EQ(d.line(), 16);
  EXPECT_NE(d.message().find("duplicate experiment name \"a\" (first used at line 15)"), std::string::npos) << d.what();

  // A bad path inside the chosen experiment's set points at that entry of the file.
  const std::string bad = std::string(kShop) + "experiments:\n  - name: x\n    set: {components.consumer.prefech: 3}\n";
  ResolveOptions x;
  x.experiment = "x";
  const InputError b = resolve_error(bad, x);
  EXPECT_EQ(b.pointer(), "/experiments/0/set/components.consumer.prefech");
  EXPECT_EQ(b.line(), 16);
  EXPECT_NE(b.message().find("did you mean \"prefetch\""), std::string::npos) << b.what();
}

// ---- Errors carry the file, the pointer and the line.

TEST(ScenarioErrors, PointerLineAndExpectation) {
  // Line 6 of kShop holds "messages: 100"; make it a string.
  std::string text(kShop);
  text.replace(text.find("messages: 100"), 13, "messages: many");
  const InputError e = resolve_error(text);
  EXPECT_EQ(e.file(), "test.yaml");
  EXPECT_EQ(e.pointer(), "/components/0/messages");
  EXPECT_EQ(e.line(), 6);
  EXPECT_NE(e.message().find("expected an integer for \"messages\", got \"many\""), std::string::npos);
  EXPECT_EQ(std::string(e.what()).rfind("test.yaml:6: at /components/0/messages: ", 0), 0u) << e.what();
}

TEST(ScenarioErrors, ComponentNamesAreKubernetesNames) {
  EXPECT_TRUE(valid_component_name("rabbitmq-0"));
  EXPECT_FALSE(valid_component_name("RabbitMQ"));
  EXPECT_FALSE(valid_component_name("-x"));
  EXPECT_FALSE(valid_component_name("a/b"));
  EXPECT_FALSE(valid_component_name(std::string(64, 'a')));
  std::string text(kShop);
  text.replace(text.find("name: orders"), 12, "name: Orders");
  EXPECT_NE(std::string(resolve_error(text).what()).find("invalid component name \"Orders\""), std::string::npos);
}

// Named fault entries are reachable by parameter paths (so a sweep can vary an experiment's
// injected delay, CHAOS@FIRE O2): faults.<fault>.<field> and
// experiments.<name>.faults.<fault>.<field>, where a field is a time, the selector's value or a
// parameter of the fault's kind.
constexpr std::string_view kWithFaults = R"(name: faults
components:
  - {name: p, kind: producer, target: q, messages: 10}
  - {name: q, kind: queue}
  - {name: c, kind: consumer, queue: q}
faults:
  - {name: stop, kind: pod-failure, target: c/c-0, at: 5s, duration: 10s}
experiments:
  - name: slow
    faults:
      - {name: delay, kind: network-delay, target: c/c-0, at: 1s, duration: 2s, params: {latency: 10ms}}
      - {kind: pod-kill, target: c/c-0, at: 3s}
)";

TEST(ParameterPath, NamedFaultsOfTheBaseAndOfExperiments) {
  ResolveOptions o = with_sets({"experiments.slow.faults.delay.params.latency=75ms",
                                "experiments.slow.faults.delay.params.jitter=5ms", "experiments.slow.faults.delay.at=4s"});
  o.experiment = "slow";
  const ResolvedScenario slow = resolve(kWithFaults, o);
  // The chosen experiment's fault entries carry the values set (the planner reads them).
  EXPECT_EQ(slow.fault_entries[0]["params"]["latency"], "75ms");
  EXPECT_EQ(slow.fault_entries[0]["params"]["jitter"], "5ms");  // absent before: added
  EXPECT_EQ(slow.fault_entries[0]["at"], "4s");
  EXPECT_EQ(slow.fault_entries[1]["at"], "3s");  // the unnamed entry is untouched
  const ResolvedScenario base = resolve(kWithFaults, with_sets({"faults.stop.duration=30s"}));
  EXPECT_EQ(base.fault_entries[0]["duration"], "30s");

  std::string e = set_error(kWithFaults, "experiments.slwo.faults.delay.at=1s");
  EXPECT_NE(e.find("no experiment is named \"slwo\" (did you mean \"slow\"?)"), std::string::npos) << e;
  e = set_error(kWithFaults, "experiments.slow.faults.dleay.at=1s");
  EXPECT_NE(e.find("no fault of experiment \"slow\" is named \"dleay\" (did you mean \"delay\"?)"), std::string::npos) << e;
  e = set_error(kWithFaults, "experiments.slow.faults.delay.params.latncy=1ms");
  EXPECT_NE(e.find("a network-delay fault has no parameter \"latncy\" (did you mean \"latency\"?)"), std::string::npos) << e;
  e = set_error(kWithFaults, "experiments.slow.faults.delay.kind=pod-kill");
  EXPECT_NE(e.find("a fault has no settable field \"kind\""), std::string::npos) << e;
  e = set_error(kWithFaults, "experiments.slow.params.x=1");
  EXPECT_NE(e.find("expected experiments.slow.faults.<fault name>.<field>"), std::string::npos) << e;
  e = set_error(kShop, "faults.stop.at=1s");
  EXPECT_NE(e.find("the scenario has no faults list"), std::string::npos) << e;
  // A value of the wrong type is reported where the fault is planned, naming the override.
  o = with_sets({"experiments.slow.faults.delay.params.latency=soon"});
  o.experiment = "slow";
  const ResolvedScenario bad = resolve(kWithFaults, o);
  try {
    (void)plan_faults(bad);
    ADD_FAILURE() << "no InputError for latency=soon";
  } catch (const InputError& err) {
    EXPECT_EQ(err.pointer(), "/experiments/0/faults/0/params/latency");
    EXPECT_NE(std::string(err.what()).find("--set experiments.slow.faults.delay.params.latency=soon"), std::string::npos)
        << err.what();
  }
}

// ---- Units other than time.

TEST(Units, RatesSizesRatios) {
  // 6000 per minute = 100 per second; 2 per hour = 1/1800 per second; 1.5 per ms = 1500/s.
  EXPECT_EQ(parse_rate("100/s"), 100.0);
  EXPECT_EQ(parse_rate("6000/m"), 100.0);
  EXPECT_DOUBLE_EQ(parse_rate("2/h"), 2.0 / 3600.0);
  EXPECT_EQ(parse_rate("1.5/ms"), 1500.0);
  EXPECT_EQ(parse_rate("10/30s"), 10.0 / 30.0);
  EXPECT_EQ(parse_rate("5"), 5.0);
  EXPECT_THROW(parse_rate("5/parsec"), std::invalid_argument);
  EXPECT_THROW(parse_rate("fast"), std::invalid_argument);
  EXPECT_EQ(parse_bytes("128MB"), 128'000'000);
  EXPECT_EQ(parse_bytes("64KiB"), 65'536);
  EXPECT_EQ(parse_bytes("1GiB"), 1'073'741'824);
  EXPECT_EQ(parse_bytes("512"), 512);
  EXPECT_THROW(parse_bytes("-1"), std::invalid_argument);
  EXPECT_THROW(parse_bytes("3 furlongs"), std::invalid_argument);
  EXPECT_EQ(parse_ratio("25%"), 0.25);
  EXPECT_EQ(parse_ratio("0.3"), 0.3);
  EXPECT_THROW(parse_ratio("25 percent"), std::invalid_argument);
}

}  // namespace
}  // namespace faultline::sim
