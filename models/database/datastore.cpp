#include "models/database/datastore.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

Datastore::Datastore(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, DatastoreConfig config)
    : Pod(sim, std::move(id), std::move(pod)),
      config_(std::move(config)),
      writes_(server_port<WriteRequest, WriteResult, &Datastore::on_write>("write")),
      commits_total_(sim.recorder().counter("faultline_datastore_commits_total", {{"pod", path()}},
                                            "Writes committed by the datastore")) {}

void Datastore::on_write(uint32_t connection, const WriteRequest& request) {
  if (!process_running() || !ready()) {
    if (frozen()) {
      waiting_.push_back({connection, request});  // a frozen server does not answer: the write waits
      return;
    }
    ++refused_;
    writes_.send_to(connection, WriteResult{request.request_id, false, "database unavailable"});
    return;
  }
  if (active_ >= config_.max_concurrency) {
    waiting_.push_back({connection, request});
    return;
  }
  start({connection, request});
}

void Datastore::start(InFlight w) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    running_[slot] = w;
  } else {
    slot = static_cast<uint32_t>(running_.size());
    running_.push_back(w);
  }
  ++active_;
  schedule_app(config_.write_latency.sample_duration(rng("write")), kCommitted, slot);
}

void Datastore::handle_app(uint16_t, uint32_t slot) {
  const InFlight w = running_[slot];
  free_slots_.push_back(slot);
  --active_;
  ++committed_;
  commits_total_.inc();
  writes_.send_to(w.connection, WriteResult{w.request.request_id, true, ""});
  while (!waiting_.empty() && active_ < config_.max_concurrency) {
    InFlight next = waiting_.front();
    waiting_.pop_front();
    start(next);
  }
}

void Datastore::on_process_stop(StopCause) {
  // Writes in progress or waiting die with the connections: the clients see errors.
  std::vector<InFlight> lost(waiting_.begin(), waiting_.end());
  waiting_.clear();
  for (uint32_t slot = 0; slot < running_.size(); ++slot) {
    if (std::find(free_slots_.begin(), free_slots_.end(), slot) != free_slots_.end()) continue;
    lost.push_back(running_[slot]);
  }
  running_.clear();
  free_slots_.clear();
  active_ = 0;
  for (const InFlight& w : lost) writes_.send_to(w.connection, WriteResult{w.request.request_id, false, "connection lost"});
}

void Datastore::on_thaw() {
  while (!waiting_.empty() && active_ < config_.max_concurrency && ready()) {
    InFlight next = waiting_.front();
    waiting_.pop_front();
    start(next);
  }
}

nlohmann::ordered_json Datastore::summary() const { return {{"committed", committed_}, {"refused", refused_}}; }

sim::KindInfo Datastore::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "datastore";
  k.help = "a single database pod that consumers write to (e.g. the MongoDB of seed 002)";
  k.replication = sim::Replication::replicas;
  k.role = sim::TopologyRole::other;
  k.count_help = "database pods (each consumer writes to all it references)";
  k.params = {
      ParamSpec::distribution("write_latency")
          .def("2ms")
          .describe("time to commit one write")
          .from("R-L4: Longhorn random write 2.04 ms; a single-node commit ≈ one synchronous write"),
      ParamSpec::integer("max_concurrency", "writes")
          .def(100)
          .at_least(1)
          .describe("writes in progress at once; more wait in FIFO order")
          .from("MongoDB/MySQL default connection pools are ~100; calibrate"),
  };
  for (auto& p : Pod::pod_params("5s", "a database process start and recovery; no measured source, calibrate",
                                 PodConfig::Controller::statefulset))
    k.params.push_back(std::move(p));
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    DatastoreConfig c;
    c.write_latency = inst.params.distribution("write_latency");
    c.max_concurrency = static_cast<uint32_t>(inst.params.integer("max_concurrency"));
    return sim.add<Datastore>({inst.path, inst.labels}, Pod::pod_config(inst), c);
  };
  return k;
}

}  // namespace faultline::models
