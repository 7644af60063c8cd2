// One Longhorn volume (domain_models.md §3): an engine on the node of the pod that uses it,
// and N replicas on N distinct storage nodes, replica r on node (engine + r) mod nodes, so
// replica 0 is local. A write completes when every RW replica (and a rebuilding WO one) has
// acknowledged it (R-L2): engine overhead + the slowest replica path, round trip + disk (R-L3).
// - A replica whose process is gone (its instance manager was killed: the connection resets)
//   is marked ERR at once; one that does not answer (its node is down, or frozen) holds the
//   volume's I/O until the engine gives up on it after `replica_timeout`, twice that for the
//   last RW replica (R-L6). ERR replicas make the volume degraded; all ERR: faulted (R-L7).
// - A rebuild starts when a failed replica's node serves again (reused: with fast rebuild only
//   the data written since it failed is copied, R-L9), or after `replenishment_wait` on a node
//   without a replica of this volume (a new replica, full copy, R-L8). It copies at
//   min(rebuild bandwidth, disk bandwidth − the volume's write throughput): writes go first;
//   while it runs, the disks it reads and writes answer writes more slowly (R-L10, R-L11).
// - A faulted volume fails every I/O. With auto-salvage, a replica that was RW when the volume
//   faulted brings it back when its node serves again (R-L12); without, the data is lost.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/storage/storage_protocol.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/time.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/random/distribution.hpp"

namespace faultline::models {

struct LonghornConfig {
  uint32_t replicas = 3;                                                        // R-L1
  sim::Duration engine_overhead = sim::Duration::us(930);                       // R-L4 [DERIVED]
  sim::Distribution disk_write_latency = sim::Distribution::constant(0.00081);  // R-L4 local-path
  sim::Duration replica_rtt = sim::Duration::us(300);                           // R-L4
  sim::Duration replica_timeout = sim::Duration::s(8);                          // R-L6
  sim::Duration replenishment_wait = sim::Duration::s(600);                     // R-L8
  std::optional<double> rebuild_bandwidth;                                      // bytes/s; none: unlimited (R-L10)
  double disk_bandwidth = 360.0 * 1048576.0;                                    // bytes/s, R-L4 / R-L11
  bool fast_rebuild = true;                                                     // R-L9
  bool auto_salvage = true;                                                     // R-L12
  int64_t initial_data = 1LL << 30;                                             // bytes on each volume at the start
};

/// What a volume needs from the storage system that holds it.
class VolumeHost {
 public:
  virtual ~VolumeHost() = default;
  [[nodiscard]] virtual sim::SimTime now() const = 0;
  [[nodiscard]] virtual const LonghornConfig& config() const = 0;
  [[nodiscard]] virtual uint32_t storage_nodes() const = 0;
  /// The node's instance manager runs, is ready and answers (replicas and engines on it work).
  [[nodiscard]] virtual bool node_serving(uint32_t node) const = 0;
  /// Round trip between two storage nodes now (0 on the same node).
  virtual sim::Duration round_trip(uint32_t from, uint32_t to) = 0;
  /// One draw of a replica disk's write latency.
  virtual sim::Duration disk_latency() = 0;
  /// An event for this volume: `kind` < 16, `sub` < 2^20.
  virtual sim::EventId schedule_volume_event(uint32_t volume, sim::Duration delay, uint16_t kind, uint32_t sub) = 0;
  virtual void cancel_event(sim::EventId id) = 0;
  virtual void answer(uint32_t connection, const VolumeResult& result) = 0;
  virtual void log(const std::string& event, const nlohmann::ordered_json& fields) = 0;
};

class LonghornVolume {
 public:
  enum class Robustness { unknown = 0, healthy = 1, degraded = 2, faulted = 3 };  // longhorn_volume_robustness

  LonghornVolume(VolumeHost& host, uint32_t index, std::string name, uint32_t engine_node, sim::Recorder& recorder);

  void write(uint32_t connection, const VolumeRequest& request);
  /// Why a write would fail now; nullptr when the volume takes writes.
  [[nodiscard]] const char* unwritable_reason() const;
  void on_event(uint16_t kind, uint32_t sub);

  // ---- the storage nodes' instance managers
  /// Its process is gone: `reset` when the node lives (connections reset at once), false when
  /// the node itself went down (nothing answers; the engine waits for its timeout).
  void node_stopped(uint32_t node, bool reset);
  void node_frozen(uint32_t node);
  /// Ready again, or thawed.
  void node_serving(uint32_t node);
  /// Every second: write throughput, rebuild progress.
  void tick(sim::Duration elapsed);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] Robustness robustness() const { return robustness_; }
  [[nodiscard]] bool data_lost() const { return data_lost_; }
  [[nodiscard]] nlohmann::ordered_json summary() const;

  enum Event : uint16_t { kWriteDone = 1, kReplicaTimeout = 2, kRebuildDone = 3, kReplenish = 4 };

 private:
  enum class Mode { rw, wo, err };
  struct Replica {
    uint32_t node = 0;
    Mode mode = Mode::rw;
    bool hung = false;  // its node stopped answering; not marked ERR yet
    sim::EventId timeout{};
    bool timeout_pending = false;
    bool timeout_extended = false;  // the last RW replica waits twice as long (R-L6)
    sim::SimTime failed_at{};
    int64_t missed_bytes = 0;  // written while it was ERR (a fast rebuild copies these)
    bool salvageable = false;  // RW when the volume faulted (R-L12)
  };
  struct PendingWrite {
    uint32_t connection = 0;
    uint64_t request_id = 0;
    uint32_t bytes = 0;
    sim::SimTime issued{};
    bool in_use = false;
    bool scheduled = false;  // its completion event is pending
    bool answered = false;
  };
  struct Rebuild {
    bool running = false;
    uint32_t replica = 0;  // the WO replica being filled
    uint32_t source = 0;   // the RW replica it is copied from (R-L10: one source)
    double remaining = 0;  // bytes
    double rate = 0;       // bytes/s now
    sim::SimTime since{};  // of `rate`
    sim::SimTime started{};
    double bytes = 0;
    sim::EventId done{};
  };

  [[nodiscard]] bool engine_up() const;
  [[nodiscard]] bool engine_hung() const;
  [[nodiscard]] bool any_hung() const;
  [[nodiscard]] uint32_t count(Mode m) const;
  uint32_t add_pending(uint32_t connection, const VolumeRequest& r);
  void start_write(uint32_t slot);
  void finish_write(uint32_t slot, bool ok, const char* error);
  void arm_timeouts();
  void release_held();
  void fail_replica(uint32_t r, const char* why);
  void fault();
  void salvage(uint32_t r);
  void update_robustness();
  void maybe_rebuild();
  void start_rebuild(uint32_t r, double bytes, const char* how);
  void rebuild_progress();
  void schedule_rebuild_done();
  [[nodiscard]] double rebuild_rate() const;

  VolumeHost& host_;
  uint32_t index_;
  std::string name_;
  uint32_t engine_node_;
  std::vector<Replica> replicas_;
  std::vector<PendingWrite> pending_;
  std::vector<uint32_t> free_;
  std::deque<uint32_t> held_;
  Robustness robustness_ = Robustness::healthy;
  bool faulted_ = false;
  bool engine_frozen_ = false;  // the engine's node is frozen: I/O waits, nothing fails
  bool data_lost_ = false;
  Rebuild rebuild_;
  bool replenish_pending_ = false;
  double used_bytes_ = 0;
  double tick_bytes_ = 0;
  double write_throughput_ = 0;  // bytes/s over the last tick
  uint64_t tick_writes_ = 0;
  uint64_t writes_ = 0, failed_writes_ = 0, rebuilds_ = 0;
  double rebuild_seconds_ = 0;
  sim::Gauge& robustness_gauge_;
  sim::Gauge& state_gauge_;
  sim::Gauge& size_gauge_;
  sim::Gauge& latency_gauge_;
  sim::Gauge& iops_gauge_;
  sim::Gauge& throughput_gauge_;
};

}  // namespace faultline::models
