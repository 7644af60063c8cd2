// Reading the records of live runs (sim/validate/record.hpp) and scenario overlays
// (sim/validate/overlay.hpp): the lenient fault timeline, ground truth, and bad input with its place.
#include "sim/validate/record.hpp"

#include <gtest/gtest.h>

#include "models/register_builtin_models.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/validate/overlay.hpp"
#include "tests/support/test_support.hpp"

namespace faultline::validate {
namespace {

const char* kScenario = R"(
name: rec
duration: 60s
components:
  - {name: publisher, kind: producer, target: rabbitmq.q, rate: 10/s, messages: 10}
  - name: rabbitmq
    kind: broker-cluster
    count: 3
    queues: [{name: q}]
  - {name: consumer, kind: consumer, queue: rabbitmq.q}
)";

sim::ResolvedScenario scenario() {
  return sim::resolve_scenario(sim::parse_document(kScenario, "rec.yaml"), models::builtin_registry(), {});
}

TEST(ValidateRecords, TestbedTimelineIsReadLeniently) {
  const sim::ResolvedScenario sc = scenario();
  Records out;
  read_timeline(
      sc, "faults.jsonl",
      // line 1: a delay with the testbed's spellings; line 2: a kill restarted 9.5 s later;
      // line 3: a kill of three nodes, one of them unknown, with per-target recoveries.
      R"({"start_s": 31.4, "end_s": 60.6, "kind": "network-delay", "targets": ["rabbitmq/rabbitmq-0"], "params": {"latency_ms": 150, "direction": "both", "peers": ["publisher/publisher-0", "client/x"], "mechanism": "NFQUEUE"}, "recovered_s": 60.6}
{"start_s": 30, "end_s": null, "kind": "container-kill", "targets": ["rabbitmq/rabbitmq-1"], "params": {"signal": "SIGKILL", "restart_delay_s": 9.5}, "recovered_s": 39}

{"start_s": 70, "end_s": null, "kind": "container-kill", "targets": ["rabbitmq/rabbitmq-0", "rabbitmq/rabbitmq-2", "mariadb/mariadb-9"], "params": {"recovered_s_by_target": {"rabbitmq/rabbitmq-0": 80, "rabbitmq/rabbitmq-2": null}}, "recovered_s": 90}
)",
      out);
  ASSERT_EQ(out.faults.size(), 4u);  // the 3-target kill becomes one fault per known target
  const sim::Fault& delay = out.faults[0].fault;
  EXPECT_EQ(delay.kind, "network-delay");
  EXPECT_EQ(delay.params["latency"], "150ms");                                    // latency_ms translated
  EXPECT_EQ(delay.params["peers"], sim::Json::array({"publisher/publisher-0"}));  // client/x dropped
  EXPECT_TRUE(out.faults[0].recovery_known);
  // The delayed restart is replayed as a pod-failure of 9.5 s: end 39.5 s; recovery kept.
  const sim::Fault& kill = out.faults[1].fault;
  EXPECT_EQ(kill.kind, "pod-failure");
  EXPECT_DOUBLE_EQ(kill.end->seconds(), 39.5);
  EXPECT_DOUBLE_EQ(kill.recovered->seconds(), 39);
  EXPECT_EQ(out.faults[1].record_params["restart_delay_s"], 9.5);
  // The split: rabbitmq-0 recovered at 80 s, rabbitmq-2 never (null); mariadb-9 is not in the scenario.
  EXPECT_EQ(out.faults[2].fault.targets, std::vector<std::string>{"rabbitmq/rabbitmq-0"});
  EXPECT_DOUBLE_EQ(out.faults[2].fault.recovered->seconds(), 80);
  EXPECT_EQ(out.faults[3].fault.targets, std::vector<std::string>{"rabbitmq/rabbitmq-2"});
  EXPECT_FALSE(out.faults[3].fault.recovered.has_value());
  EXPECT_TRUE(out.faults[3].recovery_known);
  // Nothing dropped silently: each of these is a note with its line.
  const auto has = [&](int line, const std::string& what, const std::string& effect) {
    for (const RecordNote& n : out.notes)
      if (n.line == line && n.what == what && n.effect == effect) return true;
    return false;
  };
  EXPECT_TRUE(has(1, "params.mechanism", "field ignored"));
  EXPECT_TRUE(has(1, "peer client/x", "peer dropped"));
  EXPECT_TRUE(has(2, "params.signal", "field ignored"));
  EXPECT_TRUE(has(2, "container-kill with restart_delay_s 9.5", "replayed as pod-failure"));
  EXPECT_TRUE(has(4, "target mariadb/mariadb-9", "target dropped"));
  EXPECT_TRUE(has(4, "container-kill on 2 targets", "split"));
  // The timeline for a replay, with and without the recorded recoveries.
  EXPECT_TRUE(out.timeline(true)[1].recovered.has_value());
  EXPECT_FALSE(out.timeline(false)[1].recovered.has_value());
  EXPECT_EQ(out.timeline(true)[3].id, 3u);
}

TEST(ValidateRecords, MapRenamesTargetsAndPeers) {
  const sim::ResolvedScenario sc = scenario();
  Records out;
  // The record names one client process; --map makes it the consumer and the publisher. A fault
  // whose peers are all unknown is dropped, not widened to every component.
  read_timeline(
      sc, "f.jsonl",
      R"({"start_s": 1, "end_s": 2, "kind": "network-delay", "targets": ["rabbitmq/rabbitmq-0"], "params": {"latency": "10ms", "peers": ["client/client-0"]}}
{"start_s": 3, "end_s": 4, "kind": "network-delay", "targets": ["rabbitmq/rabbitmq-0"], "params": {"latency": "10ms", "peers": ["other/x"]}}
)",
      out, {{"client/client-0", "consumer/consumer-0,publisher/publisher-0"}});
  ASSERT_EQ(out.faults.size(), 1u);
  EXPECT_EQ(out.faults[0].fault.params["peers"], sim::Json::array({"consumer/consumer-0", "publisher/publisher-0"}));
  ASSERT_FALSE(out.notes.empty());
  EXPECT_EQ(out.notes.back().effect, "fault dropped");
  EXPECT_EQ(out.notes.back().line, 2);
}

TEST(ValidateRecords, BadTimelineLinesNameTheirPlace) {
  const sim::ResolvedScenario sc = scenario();
  const auto fails = [&](const std::string& text, int line, const std::string& pointer, const std::string& what) {
    Records out;
    try {
      read_timeline(sc, "f.jsonl", text, out);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const sim::InputError& e) {
      EXPECT_EQ(e.file(), "f.jsonl");
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_EQ(e.pointer(), pointer) << e.what();
      EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
    }
  };
  fails("\n{not json}\n", 2, "", "expected one fault");
  fails(R"({"start_s": 1, "kind": "pod-kil", "targets": ["rabbitmq/rabbitmq-0"]})", 1, "/kind", "did you mean");
  fails(R"({"start_s": -1, "kind": "pod-kill", "targets": ["rabbitmq/rabbitmq-0"]})", 1, "/start_s", "seconds");
  fails(R"({"start_s": 5, "end_s": 2, "kind": "pod-failure", "targets": ["rabbitmq/rabbitmq-0"]})", 1, "/end_s",
        "ends before");
  fails(R"({"start_s": 1, "kind": "pod-kill", "targets": []})", 1, "/targets", "non-empty");
  fails(R"({"start_s": 1, "kind": "pod-kill", "targets": ["rabbitmq/rabbitmq-0"], "when": 3})", 1, "/when",
        "unknown key");
  // A declared parameter with a bad value is still an error.
  fails(
      R"({"start_s": 1, "end_s": 2, "kind": "network-loss", "targets": ["rabbitmq/rabbitmq-0"], "params": {"loss": 7}})",
      1, "/params/loss", "");
}

TEST(ValidateRecords, MessagesCsvGroundTruth) {
  std::map<std::string, QueueConfirms> confirms;
  // 4 messages: 2 delivered (one twice: 1 duplicate), 1 delivered late, 1 lost with its cause.
  const GroundTruth g = read_messages_csv("m.csv",
                                          "id,queue,publisher_state,t_pub_s,t_confirm_s,deliveries,fate,lost_cause\n"
                                          "0,qq,confirmed,0.004,0.019,1,delivered,\n"
                                          "1,cq,confirmed,0.012,0.092,2,delivered,\n"
                                          "2,qq,confirmed,0.022,0.029,1,delivered_late,\n"
                                          "3,cq,nacked,0.033,,0,lost,publish_failed\n",
                                          &confirms);
  EXPECT_EQ(g.published, 4u);
  EXPECT_EQ(g.delivered, 3u);
  EXPECT_EQ(g.lost, 1u);
  EXPECT_EQ(g.lost_by_cause.at("publish_failed"), 1u);
  EXPECT_EQ(*g.duplicates, 1u);
  // Confirm latencies: qq 0.015 and 0.007 s; cq 0.080 s (message 3 has no confirm).
  ASSERT_EQ(confirms.at("qq").latency_s.size(), 2u);
  EXPECT_NEAR(confirms.at("qq").latency_s[0], 0.015, 1e-12);
  EXPECT_NEAR(confirms.at("cq").latency_s[0], 0.080, 1e-12);
  EXPECT_EQ(confirms.at("cq").latency_s.size(), 1u);
  try {
    read_messages_csv("m.csv", "id,fate\n0,delivered\n1,vanished\n");
    ADD_FAILURE();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("vanished"), std::string::npos);
  }
  EXPECT_THROW(read_messages_csv("m.csv", "id,queue\n0,qq\n"), sim::InputError);  // no fate column
}

TEST(ValidateRecords, TruthJson) {
  const GroundTruth g =
      read_truth_json("truth.json",
                      R"({"messages": {"published": 12000, "delivered": 11576, "lost": 424, "duplicates": 1,
          "lost_by_cause": {"publish_failed": 2, "confirmed_dropped_queue_down": 422}},
          "backlog": {"truth": {"peak": 44}}})");
  EXPECT_EQ(g.lost, 424u);
  EXPECT_EQ(g.lost_by_cause.at("confirmed_dropped_queue_down"), 422u);
  EXPECT_DOUBLE_EQ(*g.backlog_peak, 44);
  try {
    read_truth_json("truth.json", R"({"messages": {"published": 1, "delivered": 1, "lost": -3}})");
    ADD_FAILURE();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/messages/lost");
  }
}

TEST(ValidateRecords, RecordFolderOfTheTestbed) {
  // A recorded run of the repository: run.json gives the time zero, truth.json the counts,
  // messages.csv.gz the confirm times.
  const sim::ResolvedScenario sc = sim::resolve_scenario(
      sim::load_document(test::source_path("validation/testbed/scenario.yaml")), models::builtin_registry(), {});
  const Records r = read_records(sc, {test::source_path("validation/traces/rmq-classic-kill/run-1")}, {});
  ASSERT_TRUE(r.start_epoch_ns.has_value());
  EXPECT_EQ(*r.experiment, "rmq-classic-kill");
  EXPECT_EQ(*r.run, 1);
  ASSERT_TRUE(r.truth.has_value());
  EXPECT_EQ(r.truth->lost, 424u);  // truth.json, not recounted from messages.csv.gz
  EXPECT_EQ(r.confirms.at("qq").latency_s.size() + r.confirms.at("cq").latency_s.size(), 11998u);  // 2 nacked
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_NEAR(r.faults[0].fault.start.seconds(), 30.278, 1e-9);
  EXPECT_THROW(read_records(sc, {test::source_path("validation/testbed")}, {}), sim::InputError);  // not a record
}

TEST(ValidateOverlay, ParseAndApply) {
  test::TempDir dir;
  test::write_file(dir / "s.yaml", kScenario);
  test::write_file(dir / "o.yaml",
                   "faultline_overlay: 1\nscenario: rec\nset:\n  components.consumer.prefetch: 7\n"
                   "  components.rabbitmq.app_start: 11.5s\n");
  const std::vector<std::string> sets = overlay_sets(dir / "s.yaml", {dir / "o.yaml"}, models::builtin_registry());
  EXPECT_EQ(sets,
            (std::vector<std::string>{"components.consumer.prefetch=7", "components.rabbitmq.app_start=\"11.5s\""}));
  const auto fails = [&](const std::string& text, int line, const std::string& what) {
    test::write_file(dir / "bad.yaml", text);
    try {
      overlay_sets(dir / "s.yaml", {dir / "bad.yaml"}, models::builtin_registry());
      ADD_FAILURE() << "accepted: " << text;
    } catch (const sim::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      if (line > 0) {
        EXPECT_EQ(e.line(), line) << e.what();
      }
    }
  };
  fails("set: {}\n", 0, "faultline_overlay: 1");
  fails("faultline_overlay: 1\nsett: {}\n", 2, "did you mean");
  fails("faultline_overlay: 1\nscenario: other\nset: {}\n", 0, "made for the scenario \"other\"");
  // A path the scenario does not have is reported at its line in the overlay.
  fails("faultline_overlay: 1\nset:\n  components.consumer.prefetch: 7\n  components.consumr.prefetch: 7\n", 4,
        "consumr");
  // A value of the wrong type is reported with the overlay line that set it.
  fails("faultline_overlay: 1\nset:\n  components.consumer.prefetch: lots\n", 0, "bad.yaml:3");
}

}  // namespace
}  // namespace faultline::validate
