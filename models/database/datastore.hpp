// A single database pod that stores what consumers write (the MongoDB of the order→delivery
// experiment, seed 002). A write commits after a latency drawn from its distribution, at most
// `max_concurrency` at a time (the rest wait, FIFO); while the pod is down or frozen, writes fail
// or wait as a client sees it: a stopped pod refuses connections, a frozen one does not answer.
#pragma once

#include <cstdint>
#include <deque>

#include "models/database/database_protocol.hpp"
#include "models/kubernetes/pod.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct DatastoreConfig {
  sim::Distribution write_latency = sim::Distribution::constant(0.002);  // seconds
  uint32_t max_concurrency = 100;
};

class Datastore final : public Pod {
 public:
  Datastore(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, DatastoreConfig config);
  [[nodiscard]] std::string_view kind() const override { return "datastore"; }
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_stop(StopCause cause) override;
  void on_thaw() override;

 private:
  enum Event : uint16_t { kCommitted = 1 };
  struct InFlight {
    uint32_t connection;
    WriteRequest request;
  };
  void on_write(uint32_t connection, const WriteRequest& request);
  void start(InFlight w);

  DatastoreConfig config_;
  sim::ServerPort<WriteRequest, WriteResult>& writes_;
  std::deque<InFlight> waiting_;
  std::vector<InFlight> running_;  // slot per running write, indexed by the event arg
  std::vector<uint32_t> free_slots_;
  uint32_t active_ = 0;
  uint64_t committed_ = 0;
  uint64_t refused_ = 0;
  sim::Counter& commits_total_;
};

}  // namespace faultline::models
