#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim {

namespace {

std::vector<ParamSpec> network_side() {
  return {
      ParamSpec::choice("direction", {"to", "from", "both"})
          .def("to")
          .describe("which packets are affected: egress of the targets (to), ingress (from), or both")
          .from("Chaos Mesh NetworkChaos.direction, default to [CM-NET]"),
      ParamSpec::texts("peers")
          .optional()
          .describe("component paths on the other side; every peer when absent")
          .from("Chaos Mesh NetworkChaos.target [CM-NET]"),
  };
}

std::vector<ParamSpec> with_side(std::vector<ParamSpec> own) {
  for (ParamSpec& p : network_side()) own.push_back(std::move(p));
  return own;
}

ParamSpec correlation() {
  return ParamSpec::ratio("correlation")
      .def(0.0)
      .describe("correlation of successive draws with the previous one")
      .from("netem correlation, Chaos Mesh default \"0\" [NETEM-MAN]");
}

std::vector<FaultKindInfo> build() {
  std::vector<FaultKindInfo> k;
  k.push_back({"pod-kill", "delete the pod; its controller recreates it (R-K1)", true, false,
               {ParamSpec::duration("grace_period")
                    .def("0s")
                    .at_least(0)
                    .describe("grace period before the pod is deleted")
                    .from("Chaos Mesh PodChaos.gracePeriod, default 0 (R-K1)")}});
  k.push_back({"pod-failure", "make the pod unavailable for the duration; the pod object stays (R-K1)", false, true, {}});
  k.push_back({"container-kill", "kill the container; the kubelet restarts it in place (R-K1, R-K2)", true, false,
               {ParamSpec::text("container")
                    .optional()
                    .describe("container name; the pod's main container when absent")
                    .from("Chaos Mesh PodChaos.containerNames, default the first container")}});
  k.push_back({"node-down", "the Kubernetes node and every pod on it stop (R-K12)", false, false, {}});
  k.push_back({"process-freeze", "SIGSTOP for the duration, SIGCONT at the end (testbed freeze)", false, false, {}});
  k.push_back({"network-delay", "netem delay on the targets' traffic (R-N1..R-N3)", false, false,
               with_side({ParamSpec::duration("latency").require().at_least(0).describe("added one-way delay").from(
                              "Chaos Mesh delay.latency [CM-NET]"),
                          ParamSpec::duration("jitter").def("0s").at_least(0).describe("delay jitter").from(
                              "Chaos Mesh delay.jitter, default 0ms [CM-NET]"),
                          correlation()})});
  k.push_back({"network-loss", "netem packet loss", false, false,
               with_side({ParamSpec::ratio("loss").require().describe("fraction of packets dropped").from(
                              "Chaos Mesh loss.loss [CM-NET]"),
                          correlation()})});
  k.push_back({"network-duplicate", "netem packet duplication", false, false,
               with_side({ParamSpec::ratio("duplicate").require().describe("fraction of packets duplicated").from(
                              "Chaos Mesh duplicate.duplicate [CM-NET]"),
                          correlation()})});
  k.push_back({"network-corrupt", "netem packet corruption", false, false,
               with_side({ParamSpec::ratio("corrupt").require().describe("fraction of packets corrupted").from(
                              "Chaos Mesh corrupt.corrupt [CM-NET]"),
                          correlation()})});
  k.push_back({"network-bandwidth", "token-bucket bandwidth limit", false, false,
               with_side({ParamSpec::bytes("rate").require().above(0).describe("bandwidth, bytes per second").from(
                              "Chaos Mesh bandwidth.rate [CM-NET]"),
                          ParamSpec::bytes("limit").def(20971520).describe("bytes that can wait in the queue").from(
                              "Chaos Mesh bandwidth.limit [CM-NET]"),
                          ParamSpec::bytes("buffer").def(10000).describe("bucket size in bytes").from(
                              "Chaos Mesh bandwidth.buffer [CM-NET]")})});
  k.push_back({"network-partition", "packets between the targets and their peers are dropped (R-N9)", false, false,
               network_side()});
  k.push_back({"stress-cpu", "CPU stressors slow the pod's processing", false, false,
               {ParamSpec::integer("workers", "workers").def(1).at_least(1).describe("stressor threads").from(
                    "Chaos Mesh StressChaos.stressors.cpu.workers"),
                ParamSpec::ratio("load").def(1.0).describe("load per worker").from(
                    "Chaos Mesh StressChaos.stressors.cpu.load (percent)")}});
  k.push_back({"stress-memory", "memory stressors", false, false,
               {ParamSpec::integer("workers", "workers").def(1).at_least(1).describe("stressor threads").from(
                    "Chaos Mesh StressChaos.stressors.memory.workers"),
                ParamSpec::bytes("size").optional().describe("memory each worker allocates").from(
                    "Chaos Mesh StressChaos.stressors.memory.size")}});
  k.push_back({"io-latency", "added latency on the pod's volume", false, false,
               {ParamSpec::duration("delay").require().at_least(0).describe("latency added to each I/O").from(
                    "Chaos Mesh IOChaos.delay"),
                ParamSpec::ratio("percent").def(1.0).describe("fraction of I/O calls affected").from(
                    "Chaos Mesh IOChaos.percent, default 100")}});
  k.push_back({"io-fault", "errors on the pod's volume", false, false,
               {ParamSpec::integer("errno", "").def(5).at_least(1).describe("error returned (5 = EIO)").from(
                    "Chaos Mesh IOChaos.errno"),
                ParamSpec::ratio("percent").def(1.0).describe("fraction of I/O calls affected").from(
                    "Chaos Mesh IOChaos.percent, default 100")}});
  k.push_back({"broker-alarm", "a RabbitMQ memory or disk alarm: publishers are blocked (R-AL1, R-AL2)", false, false,
               {ParamSpec::choice("resource", {"memory", "disk"}).def("memory").describe("which alarm").from("R-AL1")}});
  k.push_back({"mesh-abort", "the sidecar answers with an HTTP error (R-E11)", false, false,
               {ParamSpec::integer("http_status", "").def(503).at_least(100).at_most(599).describe("status returned").from(
                    "Istio HTTPFaultInjection.abort.httpStatus"),
                ParamSpec::ratio("percent").def(1.0).describe("fraction of requests aborted").from(
                    "Istio HTTPFaultInjection.abort.percentage")}});
  k.push_back({"mesh-delay", "the sidecar delays requests (R-E11)", false, false,
               {ParamSpec::duration("delay").require().at_least(0).describe("fixed delay").from(
                    "Istio HTTPFaultInjection.delay.fixedDelay"),
                ParamSpec::ratio("percent").def(1.0).describe("fraction of requests delayed").from(
                    "Istio HTTPFaultInjection.delay.percentage")}});
  k.push_back({"manual-restore", "the operator's fix of a Galera cluster in the bootstrap trap (R-G15)", true, false, {}});
  return k;
}

}  // namespace

const std::vector<FaultKindInfo>& fault_kinds() {
  static const std::vector<FaultKindInfo> kinds = build();
  return kinds;
}

const FaultKindInfo* find_fault_kind(std::string_view name) {
  for (const FaultKindInfo& k : fault_kinds())
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> fault_kind_names() {
  std::vector<std::string> out;
  for (const FaultKindInfo& k : fault_kinds()) out.push_back(k.name);
  return out;
}

}  // namespace faultline::sim
