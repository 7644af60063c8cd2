#include "models/storage/longhorn_system.hpp"

#include <stdexcept>

#include "models/storage/longhorn_instance_manager.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
constexpr uint32_t kSubBits = 20;
constexpr uint32_t kMaxVolumes = 1u << (32 - kSubBits);
}  // namespace

LonghornSystem::LonghornSystem(sim::Simulation& sim, sim::ComponentIdentity id, LonghornConfig config, uint32_t nodes)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      node_count_(nodes),
      serving_(nodes, true),
      io_(server_port<VolumeRequest, VolumeResult, &LonghornSystem::on_io>("io")),
      network_(request_port<PathQuery, PathAnswer>("network")) {
  if (nodes == 0 || nodes > 64) throw std::logic_error("a Longhorn system has 1 to 64 storage nodes");
  if (config_.replicas == 0 || config_.replicas > nodes)
    throw std::logic_error("a Longhorn volume needs 1 to `count` replicas");
  for (uint32_t k = 0; k < nodes; ++k)
    node_status_.push_back(&sim.recorder().gauge("longhorn_node_status",
                                                 {{"node", path() + "-" + std::to_string(k)}, {"condition", "ready"}},
                                                 "1 while the node's instance manager is ready and answers"));
  for (sim::Gauge* g : node_status_) g->set(1);
}

LonghornSystem::~LonghornSystem() = default;

void LonghornSystem::initialize() {
  if (nodes_.size() != node_count_) throw std::logic_error("Longhorn system " + path() + " is missing nodes");
  schedule_in(sim::Duration::s(1), kTick, 0, true);
}

sim::Duration LonghornSystem::round_trip(uint32_t from, uint32_t to) {
  if (from == to) return sim::Duration::zero();
  if (!network_.connected()) return config_.replica_rtt;
  const uint32_t a = nodes_[from]->index(), b = nodes_[to]->index();
  // The replica protocol's message and its acknowledgement; a partitioned path never answers
  // and counts as the engine's timeout.
  const PathAnswer there = ask_path(network_, a, b), back = ask_path(network_, b, a);
  if (!there.reachable || !back.reachable) return config_.replica_timeout;
  return there.delay + back.delay;
}

sim::Duration LonghornSystem::disk_latency() { return config_.disk_write_latency.sample_duration(rng("disk")); }

sim::EventId LonghornSystem::schedule_volume_event(uint32_t volume, sim::Duration delay, uint16_t kind, uint32_t sub) {
  if (kind >= kTick || sub >= (1u << kSubBits)) throw std::logic_error("bad volume event");
  return schedule_in(delay, kind, (volume << kSubBits) | sub);
}

void LonghornSystem::handle(uint16_t event_kind, uint32_t arg) {
  if (event_kind == kTick) {
    const sim::Duration elapsed = now() - last_tick_;
    last_tick_ = now();
    for (auto& v : volumes_) v->tick(elapsed);
    schedule_in(sim::Duration::s(1), kTick, 0, true);
    return;
  }
  volumes_.at(arg >> kSubBits)->on_event(event_kind, arg & ((1u << kSubBits) - 1));
}

void LonghornSystem::on_io(uint32_t connection, const VolumeRequest& r) {
  switch (r.op) {
    case VolumeRequest::Op::attach: {
      auto it = by_claim_.find(r.claim);
      if (it == by_claim_.end()) {
        if (volumes_.size() >= kMaxVolumes) throw std::logic_error("Longhorn system " + path() + ": too many volumes");
        const auto index = static_cast<uint32_t>(volumes_.size());
        volumes_.push_back(
            std::make_unique<LonghornVolume>(*this, index, r.claim, r.node_hint % node_count_, sim().recorder()));
        it = by_claim_.emplace(r.claim, index).first;
        log_event("volume-created",
                  {{"volume", r.claim}, {"engine_node", r.node_hint % node_count_}, {"replicas", config_.replicas}});
      }
      io_.send_to(connection, VolumeResult{r.request_id, it->second, true, ""});
      return;
    }
    case VolumeRequest::Op::status: {
      const char* why = volumes_.at(r.volume)->unwritable_reason();
      io_.send_to(connection, VolumeResult{r.request_id, r.volume, why == nullptr, why == nullptr ? "" : why});
      return;
    }
    case VolumeRequest::Op::write:
      volumes_.at(r.volume)->write(connection, r);
      return;
  }
}

void LonghornSystem::node_stopped(uint32_t node, StopCause cause) {
  serving_[node] = false;
  node_status_[node]->set(0);
  // A node that went down answers nothing; a killed process's node resets its connections.
  const bool reset = cause != StopCause::node_down;
  log_event("storage-node-down", {{"node", nodes_[node]->path()}, {"connections_reset", reset}});
  for (auto& v : volumes_) v->node_stopped(node, reset);
}

void LonghornSystem::node_ready(uint32_t node) {
  serving_[node] = true;
  node_status_[node]->set(1);
  log_event("storage-node-up", {{"node", nodes_[node]->path()}});
  for (auto& v : volumes_) v->node_serving(node);
}

void LonghornSystem::node_frozen(uint32_t node, bool frozen) {
  if (frozen) {
    serving_[node] = false;
    node_status_[node]->set(0);
    for (auto& v : volumes_) v->node_frozen(node);
    return;
  }
  serving_[node] = true;
  node_status_[node]->set(1);
  for (auto& v : volumes_) v->node_serving(node);
}

const LonghornVolume* LonghornSystem::volume(const std::string& claim) const {
  auto it = by_claim_.find(claim);
  return it == by_claim_.end() ? nullptr : volumes_[it->second].get();
}

nlohmann::ordered_json LonghornSystem::summary() const {
  nlohmann::ordered_json volumes = nlohmann::ordered_json::object();
  for (const auto& v : volumes_) volumes[v->name()] = v->summary();
  return {{"volumes", volumes}};
}

sim::KindInfo LonghornSystem::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "longhorn";
  k.help =
      "a Longhorn-like replicated block storage: one instance-manager pod per storage node "
      "(<name>/<name>-<k>, Kubernetes node k); volumes are created when a pod's claim attaches (a galera-cluster's "
      "`storage`), with `replicas` synchronous replicas on distinct nodes. Faults on an instance manager: "
      "pod-kill/container-kill/pod-failure fail its replicas at once (degraded) and detach the volumes whose engine "
      "runs there; node-down makes them unanswering (writes wait replica_timeout, R-L6); process-freeze hangs them. "
      "Exports longhorn_volume_robustness (1 healthy, 2 degraded, 3 faulted), longhorn_volume_state, "
      "longhorn_volume_write_latency, _write_iops, _write_throughput, _actual_size_bytes, longhorn_node_status";
  k.replication = sim::Replication::self;
  k.role = sim::TopologyRole::other;
  k.count_help =
      "storage nodes (instance-manager pods <name>/<name>-<k>); a volume's engine runs on the node of the "
      "pod that uses it (database member i on node i mod count), replica r on node (engine + r) mod count";
  k.params = {
      ParamSpec::integer("replicas", "replicas")
          .def(3)
          .at_least(1)
          .describe("replicas per volume (StorageClass numberOfReplicas), each on its own node: at most count")
          .from("R-L1: default-replica-count 3"),
      ParamSpec::duration("engine_overhead")
          .def("0.93ms")
          .at_least(0)
          .describe("the engine's own time per write, on top of the slowest replica path")
          .from("R-L4 [DERIVED]: 2.04 ms Longhorn write - 0.81 ms local-path - 0.3 ms RTT"),
      ParamSpec::distribution("disk_write_latency")
          .def("0.81ms")
          .describe("a replica disk's write latency")
          .from("R-L4: local-path random write latency 0.81 ms (EBS gp3)"),
      ParamSpec::duration("replica_rtt")
          .def("0.3ms")
          .at_least(0)
          .describe(
              "round trip from an engine to a replica on another node, when the scenario has no network component "
              "(with one, the network's round trip between the instance-manager pods)")
          .from("R-L4: RTT about 0.3 ms [LH-PERF-REPORT]"),
      ParamSpec::duration("replica_timeout")
          .def("8s")
          .above(0)
          .describe("engine-replica-timeout: an unanswering replica is failed after this (the last RW one after twice "
                    "this); writes wait meanwhile")
          .from("R-L6: 8 s default (8-30)"),
      ParamSpec::duration("replenishment_wait")
          .def("600s")
          .at_least(0)
          .describe("replica-replenishment-wait-interval: how long a failed replica's node is awaited before a new "
                    "replica is built on another node")
          .from("R-L8: 600 s default"),
      ParamSpec::bytes("rebuild_bandwidth")
          .optional()
          .above(0)
          .describe("bytes per second a rebuild may copy at most; unlimited when absent (then disk-bound)")
          .from("R-L10: rebuild bandwidth limit 0 = unlimited"),
      ParamSpec::bytes("disk_bandwidth")
          .def("360MiB")
          .above(0)
          .describe("bytes per second a replica disk moves; a rebuild gets what the volume's writes leave of it")
          .from("R-L4: EBS gp3 360 MiB/s; R-L11: a 100 GiB rebuild in 281 s (~364 MiB/s, disk-bound)"),
      ParamSpec::boolean("fast_rebuild")
          .def(true)
          .describe("a reused replica copies only what was written since it failed; false: a full copy")
          .from("R-L9: fast-replica-rebuild-enabled true"),
      ParamSpec::boolean("auto_salvage")
          .def(true)
          .describe("a faulted volume comes back when a replica that was RW at the fault returns; false: its data is "
                    "lost and it stays faulted")
          .from("R-L12: auto-salvage true"),
      ParamSpec::bytes("initial_data")
          .def("1GiB")
          .at_least(0)
          .describe("bytes on each volume at the start (a full rebuild copies them plus what was written)")
          .from("no measured source: set it to the database's size"),
  };
  for (auto& p : Pod::pod_params("5s", "an instance manager's start; no measured source, calibrate",
                                 PodConfig::Controller::deployment))
    k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t count, const sim::Document& doc) {
    if (count > 64) {
      const std::string base = p.pointer("replicas").substr(0, p.pointer("replicas").rfind('/'));
      throw doc.error(base + "/count", "a Longhorn system has at most 64 storage nodes");
    }
    if (p.integer("replicas") > count)
      throw doc.error(p.pointer("replicas"), "a volume's " + std::to_string(p.integer("replicas")) +
                                                 " replicas need as many storage nodes, but count is " +
                                                 std::to_string(count) + " (replica anti-affinity)");
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    LonghornConfig c;
    c.replicas = static_cast<uint32_t>(inst.params.integer("replicas"));
    c.engine_overhead = inst.params.duration("engine_overhead");
    c.disk_write_latency = inst.params.distribution("disk_write_latency");
    c.replica_rtt = inst.params.duration("replica_rtt");
    c.replica_timeout = inst.params.duration("replica_timeout");
    c.replenishment_wait = inst.params.duration("replenishment_wait");
    if (inst.params.has("rebuild_bandwidth"))
      c.rebuild_bandwidth = static_cast<double>(inst.params.bytes("rebuild_bandwidth"));
    c.disk_bandwidth = static_cast<double>(inst.params.bytes("disk_bandwidth"));
    c.fast_rebuild = inst.params.boolean("fast_rebuild");
    c.auto_salvage = inst.params.boolean("auto_salvage");
    c.initial_data = inst.params.bytes("initial_data");
    auto& system = sim.add<LonghornSystem>({inst.path, inst.labels}, c, inst.count);
    const PodConfig pod = Pod::pod_config(inst);
    for (uint32_t n = 0; n < inst.count; ++n) {
      auto& node = sim.add<LonghornInstanceManager>(
          {inst.path + "/" + inst.path + "-" + std::to_string(n), inst.labels}, pod, system, n);
      system.adopt_node(node);
    }
    return system;
  };
  return k;
}

}  // namespace faultline::models
