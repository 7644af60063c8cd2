// Topology (DESIGN §2, issue 2 §4): the Boost.Graph of components and references; unknown
// references, forbidden cycles and unfed consumers are reported; DOT output.
#include "sim/topology/topology.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "models/register_builtin_models.hpp"

namespace faultline::sim {
namespace {

ResolvedScenario resolve(std::string_view text, const ModelRegistry& reg = models::builtin_registry()) {
  return resolve_scenario(parse_document(text, "topo.yaml"), reg, {});
}

InputError topology_error(std::string_view text, const ModelRegistry& reg = models::builtin_registry()) {
  try {
    const ResolvedScenario s = resolve(text, reg);
    Topology::build(s, reg);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return InputError("", "", 0, "");
}

constexpr std::string_view kChain = R"(name: chain
components:
  - {name: producer, kind: producer, target: orders, messages: 10}
  - {name: orders, kind: queue}
  - {name: consumer, kind: consumer, count: 2, queue: orders}
)";

TEST(Topology, EdgesFollowTheMessageFlow) {
  const ResolvedScenario s = resolve(kChain);
  const Topology t = Topology::build(s, models::builtin_registry());
  std::vector<std::string> edges;
  for (const auto& e : t.edges()) edges.push_back(e.from + " -> " + e.to + (e.flow ? "" : " (control)"));
  // The consumer's reference points at the queue, but messages flow queue → consumer.
  EXPECT_EQ(edges, (std::vector<std::string>{"orders -> consumer/consumer-0", "orders -> consumer/consumer-1",
                                             "producer/producer-0 -> orders"}));
  // The wiring the builder makes: reference owner's port to the target's port, sorted.
  std::vector<std::string> wires;
  for (const auto& w : t.wiring()) wires.push_back(w.from + ":" + w.from_port + " = " + w.to + ":" + w.to_port);
  EXPECT_EQ(wires, (std::vector<std::string>{"consumer/consumer-0:consume = orders:consume",
                                             "consumer/consumer-1:consume = orders:consume",
                                             "producer/producer-0:publish = orders:publish"}));
}

TEST(Topology, UnknownReference) {
  std::string text(kChain);
  text.replace(text.find("queue: orders"), 13, "queue: ordres");
  const InputError e = topology_error(text);
  EXPECT_EQ(e.pointer(), "/components/2/queue");
  EXPECT_EQ(e.line(), 5);
  EXPECT_NE(e.message().find("unknown component \"ordres\""), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("did you mean \"orders\""), std::string::npos) << e.what();
}

TEST(Topology, ReferenceToTheWrongKind) {
  std::string text(kChain);
  text.replace(text.find("queue: orders"), 13, "queue: producer");
  const InputError e = topology_error(text);
  // The accepted kinds are listed ("a queue", "a queue or …"); the actual kind is named.
  EXPECT_NE(e.message().find("\"queue\" must name a queue"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("but \"producer\" is a producer"), std::string::npos) << e.what();
}

TEST(Topology, ReferenceToOneReplicaAndToAMissingOne) {
  // A reference may name one instance ("name/name-i"); an instance that does not exist is reported.
  std::string text(kChain);
  text.replace(text.find("target: orders"), 14, "target: orders/orders-1");
  const InputError e = topology_error(text);
  EXPECT_NE(e.message().find("component \"orders\" has no instance \"orders/orders-1\""), std::string::npos)
      << e.what();
}

TEST(Topology, ConsumerFedByNothing) {
  const InputError e = topology_error(R"(name: starving
components:
  - {name: orders, kind: queue}
  - {name: consumer, kind: consumer, queue: orders}
)");
  EXPECT_EQ(e.pointer(), "/components/1");
  EXPECT_NE(e.message().find("consumer consumer/consumer-0 is fed by nothing: no producer publishes to orders"),
            std::string::npos)
      << e.what();
}

TEST(Topology, ConsumerFedThroughAnotherChainIsFine) {
  // Two queues, one fed: only the consumer of the unfed one is reported.
  const InputError e = topology_error(R"(name: half
components:
  - {name: producer, kind: producer, target: fed, messages: 1}
  - {name: fed, kind: queue}
  - {name: unfed, kind: queue}
  - {name: a, kind: consumer, queue: fed}
  - {name: b, kind: consumer, queue: unfed}
)");
  EXPECT_NE(e.message().find("consumer b/b-0 is fed by nothing"), std::string::npos) << e.what();
}

/// Built-in kinds plus a "relay" that forwards messages to another relay: enough for a loop.
const ModelRegistry& registry_with_relays() {
  static const ModelRegistry reg = [] {
    ModelRegistry r;
    models::register_builtin_models(r);
    KindInfo k;
    k.name = "relay";
    k.help = "forwards messages";
    k.role = TopologyRole::store;
    ReferenceSpec next;
    next.flow = ReferenceSpec::Flow::to_target;
    next.wires = {{"out", "in"}};
    k.params = {ParamSpec::ref("next", next).optional().describe("where messages go next")};
    k.factory = [](Simulation&, const ComponentInstance&) -> Component& { throw std::logic_error("not built"); };
    r.add(std::move(k));
    return r;
  }();
  return reg;
}

TEST(Topology, ForbiddenCycle) {
  const InputError e = topology_error(R"(name: loop
components:
  - {name: a, kind: relay, next: b}
  - {name: b, kind: relay, next: c}
  - {name: c, kind: relay, next: a}
)",
                                      registry_with_relays());
  EXPECT_NE(e.message().find("this reference closes a cycle in the message flow"), std::string::npos) << e.what();
  EXPECT_NE(e.pointer().find("/next"), std::string::npos) << e.pointer();
  // A chain without the closing edge is accepted.
  EXPECT_NO_THROW(Topology::build(resolve(R"(name: line
components:
  - {name: a, kind: relay, next: b}
  - {name: b, kind: relay, next: c}
  - {name: c, kind: relay}
)",
                                          registry_with_relays()),
                                  registry_with_relays()));
  // A component pointing at itself is refused on its own.
  const InputError self = topology_error("name: me\ncomponents:\n  - {name: a, kind: relay, next: a}\n",
                                         registry_with_relays());
  EXPECT_NE(self.message().find("cannot refer to itself"), std::string::npos) << self.what();
}

TEST(Topology, DotOutput) {
  const ResolvedScenario s = resolve(kChain);
  const std::string dot = Topology::build(s, models::builtin_registry()).to_dot(s);
  EXPECT_EQ(dot.rfind("digraph \"chain\" {\n", 0), 0u) << dot;
  EXPECT_NE(dot.find("  subgraph \"cluster_consumer\" {\n    label=\"consumer (consumer ×2)\";\n"), std::string::npos)
      << dot;
  EXPECT_NE(dot.find("    \"consumer/consumer-1\" [label=\"consumer-1\"];\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"orders\" [label=\"orders\\nqueue\"];\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"producer/producer-0\" -> \"orders\" [label=\"target\"];\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"orders\" -> \"consumer/consumer-0\" [label=\"queue\"];\n"), std::string::npos) << dot;
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  // Quotes in a name are escaped, so the DOT stays valid.
  const ResolvedScenario q = resolve(std::string("name: 'say \"hi\"'\n") + std::string(kChain.substr(kChain.find('\n') + 1)));
  EXPECT_EQ(Topology::build(q, models::builtin_registry()).to_dot(q).rfind("digraph \"say \\\"hi\\\"\" {", 0), 0u);
}

}  // namespace
}  // namespace faultline::sim
