// A MariaDB Galera-like cluster on Kubernetes (domain_models.md §2): the members are StatefulSet
// pods `<name>/<name>-<i>` (galera_node), the cluster is the Service clients write through.
//
// Clients (consumers with `writes_to`) use the write protocol (database_protocol.hpp) on:
//   "write"            the Service: a connection goes to a ready, synced member, round-robin
//                      (R-K11); after an error the client's next write reconnects through it;
//   "<pod>.write"      one member (its headless-Service name, as the testbed's consumer writes to
//                      mariadb-0): `writes_to: mariadb.mariadb-0`; no failover.
// A member's stop closes its connections (the client sees "connection lost", MySQL 2013); a
// member outside the primary component refuses writes (ERROR 1047, R-G5); a frozen one does not
// answer (the write waits).
//
// A commit (R-G2): local execution + a group round trip to the slowest member of the view (from
// the network component when the scenario has one, else `replication_rtt`) + the write to the
// member's volume (a Longhorn volume through `storage`, else `storage_write_latency`), plus the
// client's own round trip. Each other member applies the write-set from its receive queue
// (`slave_threads` appliers, each `apply_time` + a write to its own volume); flow control
// (R-GFC1, R-GFC2) pauses every commit while a member's queue is above its limit.
// Membership (R-G4, R-G6): a member that stops uncleanly or freezes stalls every commit until the
// others evict it, suspect_timeout + inactive_check_period later; the new view is primary if it
// holds more than half of the last primary view (graceful leavers are subtracted at once);
// otherwise every member refuses writes until pc.recovery (R-G7: every member of the last
// primary view back) or a manual restore. A (re)started member joins the primary component and
// receives an IST when the write-sets it missed are all in the donor's gcache, else an SST
// (R-G10, R-G11); it serves once synced (its readiness probe fails until then).
// The bootstrap trap (R-G13..R-G17), with `bootstrap_trap`: after an unclean loss of the whole
// cluster every member finds safe_to_bootstrap: 0 and crash-loops (CrashLoopBackOff); with
// trap_scope bootstrap-node the chart's bootstrap node does so whenever it restarts after an
// unclean stop, even while the others run. A `manual-restore` fault (aimed at the cluster or a
// member) runs the operator's procedure (R-G15): after `restore_delay`, the most advanced member
// bootstraps (or the trapped one restarts and joins), then the others start and join.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/database/database_protocol.hpp"
#include "models/network/network_protocol.hpp"
#include "models/storage/storage_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/random/distribution.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

class GaleraNode;

struct GaleraConfig {
  uint32_t members = 3;
  bool bootstrap_trap = false;
  bool trap_bootstrap_node = true;  // trap_scope bootstrap-node (else cluster-loss only)
  uint32_t bootstrap_node = 0;
  sim::Duration restore_delay = sim::Duration::s(15);
  bool pc_recovery = true;
  sim::Duration suspect_timeout = sim::Duration::s(5);
  sim::Duration inactive_check_period = sim::Duration::s(1);
  sim::Duration replication_rtt = sim::Duration::us(300);
  sim::Distribution local_commit_time = sim::Distribution::constant(0.001);
  sim::Distribution storage_write_latency = sim::Distribution::constant(0.00204);
  uint32_t max_concurrency = 100;
  uint32_t slave_threads = 2;
  sim::Duration apply_time = sim::Duration::ms(1);
  int64_t fc_limit = 16;
  double fc_factor = 1.0;
  bool fc_single_primary = false;
  int64_t writeset_bytes = 1024;
  int64_t gcache_bytes = 128LL * 1024 * 1024;
  sim::Duration transfer_setup = sim::Duration::s(8);
  double ist_rate = 260;  // write-sets per second
  bool sst_blocks_donor = true;
  double sst_bandwidth = 360.0 * 1048576.0;  // bytes per second
  int64_t dataset_bytes = 1LL << 30;
  std::string volume_claim = "data";
};

class GaleraCluster final : public sim::Component {
 public:
  GaleraCluster(sim::Simulation& sim, sim::ComponentIdentity id, GaleraConfig config);
  ~GaleraCluster() override;
  [[nodiscard]] std::string_view kind() const override { return "galera-cluster"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;
  sim::FaultOutcome on_fault_start(const sim::Fault& fault) override;

  /// Called by the factory: the member pods, in index order.
  void adopt_member(GaleraNode& node);

  // ---- from the members (galera_node)
  void member_process_started(uint32_t i);
  /// mysqld's start-up finished: may it run? Refusal is the bootstrap trap or an unusable
  /// volume; when it may, the member joins (or bootstraps, or waits for a primary component).
  bool member_app_starting(uint32_t i);
  void member_stopped(uint32_t i, bool clean);
  void member_pod_ready(uint32_t i);
  void member_pod_unready(uint32_t i);
  void member_frozen(uint32_t i, bool frozen);
  [[nodiscard]] bool member_readiness(uint32_t i, sim::SimTime probe) const;
  void member_event(uint32_t i, uint16_t kind, uint32_t arg);
  /// A manual-restore fault reached `target` (the cluster or a member).
  void manual_restore(const sim::Fault& fault, sim::Component& target);

  // Events the members schedule for the cluster (kinds 0–15 of the pod).
  enum MemberEvent : uint16_t {
    kReplicated = 1,
    kStored = 2,
    kReply = 3,
    kApplied = 4,
    kTransferDone = 5,
    kCommitIo = 6,
    kApplyIo = 7
  };

  static sim::KindInfo kind_info();

 private:
  enum class State { offline, waiting, joiner, donor, joined, synced };  // wsrep_local_state (R-G9)
  enum class Process { down, booting, up };
  enum class Stage { waiting, replicating, awaiting_flow, io_delay, storing, replying };
  struct Member;
  struct Txn {
    uint32_t port = 0;
    uint32_t connection = 0;
    WriteRequest request;
    uint32_t member = 0;
    uint32_t generation = 0;
    Stage stage = Stage::waiting;
    sim::SimTime arrived{};
    sim::Duration reply_delay{};
    bool in_use = false;
    bool dead = false;     // failed while its event or storage write was pending
    bool counted = false;  // holds one of its member's concurrency slots
  };
  struct Endpoint {  // one write port: the Service (member = none) or one member
    GaleraCluster* cluster;
    uint32_t port;
    void on_write(uint32_t connection, const WriteRequest& request) { cluster->on_write(port, connection, request); }
    sim::ServerPort<WriteRequest, WriteResult>* server = nullptr;
  };
  enum Event : uint16_t { kEvict = 1, kRestore = 2, kTick = 3 };

  // client writes
  void on_write(uint32_t port, uint32_t connection, const WriteRequest& request);
  std::optional<uint32_t> route(uint32_t port, uint32_t connection);
  void admit(uint32_t slot);
  void start(uint32_t slot);
  void replicate(uint32_t slot);
  void store(uint32_t slot);
  void send_storage(uint32_t slot);
  void committed(uint32_t slot);
  void reply(uint32_t slot);
  void fail(uint32_t slot, const char* error);
  void release(uint32_t slot);
  void admit_waiting(uint32_t i);
  void answer(uint32_t port, uint32_t connection, uint64_t request_id, bool ok, const char* error);
  uint32_t new_txn();
  // applying and flow control
  void enqueue_writeset(uint32_t origin);
  void start_applies(uint32_t i);
  void apply_one(uint32_t i);
  void apply_storage(uint32_t i);
  void applied(uint32_t i);
  void check_fc(uint32_t i);
  [[nodiscard]] int64_t fc_upper() const;
  [[nodiscard]] int64_t fc_lower() const;
  void set_paused(bool paused);
  // membership
  [[nodiscard]] bool responsive(uint32_t i) const;
  [[nodiscard]] bool flowing() const;
  [[nodiscard]] bool stalled() const;
  [[nodiscard]] bool accepts_writes(uint32_t i) const;
  [[nodiscard]] uint32_t component_size() const;
  [[nodiscard]] bool component_empty() const;
  void resume_if_flowing();
  void schedule_evict(uint32_t i);
  void evict_due();
  void install_view(const std::vector<uint32_t>& left, bool graceful);
  void lose_primary();
  void check_pc_recovery();
  void bootstrap(uint32_t i, const char* how);
  void join(uint32_t i);
  void request_transfer(uint32_t joiner);
  void transfer_done(uint32_t joiner);
  void become_synced(uint32_t i);
  void retry_pending_transfers();
  void process_pending_joins();
  void fail_unordered(uint32_t i, const char* error);
  void drop_member_txns(uint32_t i, const char* error);
  [[nodiscard]] int64_t position(uint32_t i) const;
  [[nodiscard]] int64_t gcache_first(uint32_t i) const;
  // storage
  void on_storage(const VolumeResult& result);
  void io_failed(uint32_t i, const char* error);
  // restore
  void do_restore();
  void check_restore_done();
  // metrics
  void refresh(uint32_t i);
  void refresh_all();
  sim::Duration round_trip(uint32_t a, uint32_t b);
  sim::Duration slowest_round_trip(uint32_t origin);
  sim::Duration client_one_way(uint32_t port, uint32_t connection, uint32_t member, bool to_member);
  [[nodiscard]] const std::string& member_path(uint32_t i) const;
  nlohmann::ordered_json view_json() const;

  GaleraConfig config_;
  std::vector<GaleraNode*> nodes_;
  std::vector<Member> members_;
  std::deque<Endpoint> endpoints_;
  std::vector<std::map<uint32_t, uint32_t>> connections_;  // per port: connection → member
  uint32_t service_next_ = 0;
  std::vector<Txn> txns_;
  std::vector<uint32_t> free_txns_;
  std::deque<uint32_t> awaiting_flow_;
  sim::ClientPort<VolumeRequest, VolumeResult>& storage_;
  NetworkPort& network_;
  VolumeResult last_storage_answer_;

  bool primary_ = true;
  uint32_t last_primary_size_ = 0;
  std::vector<bool> last_primary_view_;
  int64_t last_seqno_ = 0;
  uint32_t fc_senders_ = 0;
  sim::SimTime paused_since_{};
  sim::Duration paused_total_{};
  uint64_t view_changes_ = 0;

  // restore
  std::optional<sim::Fault> restore_fault_;
  std::vector<sim::Component*> restore_targets_;
  bool restore_running_ = false;
  bool restore_start_others_ = false;

  // figures
  uint64_t committed_ = 0;
  std::map<std::string, uint64_t> failed_;
  double latency_sum_ = 0, latency_max_ = 0;
  uint64_t ist_ = 0, sst_ = 0, fc_pauses_ = 0, refusals_ = 0;
  sim::Histogram& latency_hist_;
};

}  // namespace faultline::models
