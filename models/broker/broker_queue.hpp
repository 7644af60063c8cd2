// One RabbitMQ queue inside a broker cluster, with the rules of its type (domain_models.md §1):
//   classic   lives on its home node; a durable queue is unavailable while the node is down and
//             recovers the persistent messages fsynced before the crash (R-CQ1, R-CQ2, R-CQ4);
//             a non-durable queue, or any queue on a pod without a volume, is deleted (R-K8S);
//   mirrored  leader + mirrors (ha-mode all / exactly); confirm when all mirrors have it (R-MQ2);
//             on leader loss the longest-running mirror is promoted and what it lacks is lost
//             (R-MQ4); a restarted mirror rejoins empty (R-MQ6) and is synchronised by consumers
//             draining the queue (manual) or at once, blocking the queue (automatic, R-MQ8);
//   quorum    a Raft group; a message is committed and confirmed when a majority has it
//             (R-QQ1, R-PC2); while there is no leader publishes are retained and consumers see
//             nothing; a majority loss leaves it unavailable (R-QQ3..R-QQ5).
// Common to all: prefetch and round-robin dispatch (R-CA2), manual/automatic acks (R-CA1),
// requeue of unacked deliveries when a channel closes or the leader changes (R-CA3, R-MQ4.3,
// R-QQ3), max-length with drop-head or reject-publish (R-MAXLEN), message TTL at the head
// (R-TTL), persistent vs transient messages.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/broker/amqp_protocol.hpp"
#include <nlohmann/json.hpp>

#include "sim/core/event_queue.hpp"
#include "sim/core/time.hpp"
#include "sim/metrics/backlog.hpp"
#include "sim/metrics/recorder.hpp"

namespace faultline::sim {
class Simulation;
class MessageLedger;
}  // namespace faultline::sim

namespace faultline::models {

struct QueueConfig {
  enum class Type { classic, mirrored, quorum };
  enum class Overflow { drop_head, reject_publish };
  std::string name;
  Type type = Type::classic;
  bool durable = true;
  uint32_t leader = 0;  // node index of the home node / initial leader
  // classic mirrored (R-MQ table)
  bool ha_all = true;              // ha-mode all, else exactly ha_count replicas
  uint32_t ha_count = 2;
  bool ha_sync_automatic = false;  // ha-sync-mode
  bool promote_on_failure_always = true;
  bool promote_on_shutdown_always = false;
  double sync_bytes_per_s = 100e6;
  // quorum (R-QQ1)
  uint32_t quorum_size = 3;
  // limits
  std::optional<uint64_t> max_length;  // ready messages (R-MAXLEN)
  Overflow overflow = Overflow::drop_head;
  std::optional<sim::Duration> ttl;
};

/// What a queue needs from its cluster: time, scheduling, node states, the client ports.
class QueueHost {
 public:
  virtual ~QueueHost() = default;
  [[nodiscard]] virtual sim::SimTime now() const = 0;
  virtual sim::Simulation& simulation() = 0;
  /// Schedules cluster event `kind` for this queue (arg = queue index); returns its id.
  virtual sim::EventId schedule_queue_event(uint32_t queue, sim::Duration delay, uint16_t kind) = 0;
  virtual void cancel_event(sim::EventId id) = 0;
  [[nodiscard]] virtual uint32_t node_count() const = 0;
  [[nodiscard]] virtual bool node_alive(uint32_t node) const = 0;   // process up, not frozen
  [[nodiscard]] virtual sim::SimTime node_up_since(uint32_t node) const = 0;
  [[nodiscard]] virtual const std::string& node_path(uint32_t node) const = 0;
  [[nodiscard]] virtual const std::string& consumer_path(uint32_t queue, uint32_t connection) const = 0;
  [[nodiscard]] virtual sim::Duration replication_delay() const = 0;
  [[nodiscard]] virtual sim::Duration commit_latency() const = 0;
  [[nodiscard]] virtual sim::Duration election_time() const = 0;
  [[nodiscard]] virtual int64_t message_bytes() const = 0;
  /// Whether a network component carries the replication between nodes.
  [[nodiscard]] virtual bool network_modelled() const { return false; }
  /// With a network: the round trip of a replicated message from node `from` to node `to`
  /// and its acknowledgement back; empty while a partition blocks the path.
  [[nodiscard]] virtual std::optional<sim::Duration> replication_round_trip(uint32_t from, uint32_t to) {
    (void)from;
    (void)to;
    return std::nullopt;
  }
  virtual void notify_publisher(uint32_t queue, uint32_t connection, const PublisherNotice& notice) = 0;
  virtual void notify_consumer(uint32_t queue, uint32_t connection, const ConsumerNotice& notice) = 0;
  virtual void log(const std::string& event, const nlohmann::ordered_json& fields) = 0;
};

class BrokerQueue {
 public:
  /// Event kinds the host routes back through on_event.
  enum Event : uint16_t { kConfirmDue = 1, kCommit = 2, kElection = 3, kTtl = 4, kSyncDone = 5 };

  BrokerQueue(QueueHost& host, uint32_t index, QueueConfig config, const std::string& cluster);

  // ---- clients
  void publish(uint32_t connection, const PublisherRequest& request);
  void subscribe(uint32_t connection, uint32_t node, const ConsumerRequest& request);
  void consumer_request(uint32_t connection, const ConsumerRequest& request);
  /// A consumer's channel closed (its connection or node died): requeue its deliveries.
  void channel_closed(uint32_t connection);
  /// A publisher's connection closed: its pending confirms will never be sent.
  void publisher_closed(uint32_t connection);

  // ---- nodes
  void node_stopped(uint32_t node, bool had_volume, bool controlled);
  void node_ready(uint32_t node, bool had_volume);
  void fsync_tick(uint32_t node);
  /// Nodes came back from a freeze: resume deliveries and confirms.
  void resume();
  void on_event(uint16_t kind);

  // ---- observation
  [[nodiscard]] const QueueConfig& config() const { return config_; }
  [[nodiscard]] bool available() const;
  [[nodiscard]] std::optional<uint32_t> leader() const { return leader_; }
  [[nodiscard]] uint64_t held() const;  // message copies in custody (ready + unacked + uncommitted + waiting)
  [[nodiscard]] uint64_t ready_count() const { return ready_.size(); }
  [[nodiscard]] uint64_t unacked_count() const { return unacked_total_; }
  [[nodiscard]] uint64_t published_count() const { return published_; }
  [[nodiscard]] uint64_t messages_on(uint32_t node) const;
  /// A confirm waits for this node's next fsync tick.
  [[nodiscard]] bool awaits_fsync(uint32_t node) const;
  [[nodiscard]] nlohmann::ordered_json summary() const;

 private:
  struct Entry {
    sim::Message message;
    uint64_t seq = 0;          // enqueue order; fsync watermarks compare against it
    uint64_t replicas = 0;     // bit per node holding this message
    int64_t enqueued_ns = 0;
    int64_t commit_due_ns = 0;  // quorum: when a majority has it (enqueued + commit latency)
    bool redelivered = false;
  };
  struct Unacked {
    uint64_t tag;
    Entry entry;
    bool settled;
  };
  struct Channel {
    uint32_t node = 0;
    bool subscribed = false;
    bool auto_ack = false;
    uint32_t prefetch = 0;
    uint64_t in_flight = 0;
    std::deque<Unacked> unacked;  // tags increase
  };
  struct Member {
    uint32_t node;
    bool up = true;
    bool synced = true;             // mirrored: holds every message of the queue
    sim::SimTime joined{};          // mirrored: promotion picks the longest-running
    uint64_t lacking = 0;           // mirrored, manual sync: messages it does not have
  };
  struct PendingConfirm {
    uint64_t seq;
    uint32_t connection;
    uint64_t message_id;
    sim::SimTime due;               // replication/commit time; fsync waits for the next tick too
    bool needs_fsync;
  };
  struct Waiting {                  // quorum publish retained while there is no leader
    uint32_t connection;
    PublisherRequest request;
  };

  // publishing
  void enqueue(uint32_t connection, const PublisherRequest& request, bool answered);
  void accept_entry(Entry e, uint32_t connection, bool wants_confirm);
  void reject(uint32_t connection, const PublisherRequest& request, const char* cause, bool nack);
  /// How long a confirm waits for the mirrors (R-MQ2) / a commit for a majority (R-QQ7).
  sim::Duration mirror_wait();
  sim::Duration commit_wait();
  void confirm_ready_entries();
  void commit_due();
  // consuming
  void dispatch();
  bool has_credit(const Channel& c) const;
  void settle(Channel& c, uint64_t tag, bool ack, bool requeue);
  void requeue_channel(Channel& c);
  void reset_consumers(const char* why);
  void expire_head();
  void schedule_ttl();
  // replication
  uint64_t member_mask() const;          // bits of members that are up
  uint64_t node_bit(uint32_t node) const { return uint64_t{1} << node; }
  uint32_t alive_members() const;
  uint32_t majority() const { return static_cast<uint32_t>(members_.size() / 2 + 1); }
  void promote_after_leader_loss(uint32_t old_leader, bool controlled);
  void quorum_leader_lost();
  void start_election();
  void quorum_restored();  // a leader and a majority again: retained publishes and commits go on
  void lose_entry(const Entry& e, const char* cause, const std::string& where);
  void drop_all(const char* cause, const std::string& where);
  void entry_left(const Entry& e);
  uint32_t conn_of(const Channel& c) const;  // a message left the queue (acked, lost, auto-acked)
  void set_metrics();
  Member* member(uint32_t node);
  template <class F>
  void for_each_entry(F&& f);

  QueueHost& host_;
  sim::MessageLedger& ledger_;
  uint32_t index_;
  QueueConfig config_;
  std::string label_;  // queue label in metrics
  std::optional<uint32_t> leader_;
  bool deleted_ = false;      // gone until its home node is back (non-durable or no volume)
  bool blocked_sync_ = false; // automatic mirror synchronisation in progress (R-MQ8)
  std::vector<Member> members_;
  std::deque<Entry> ready_;
  std::deque<Entry> uncommitted_;   // quorum: appended, not yet committed
  std::deque<Waiting> waiting_;     // quorum: no leader yet
  std::map<uint32_t, Channel> channels_;
  uint32_t next_channel_ = 0;       // round-robin position (connection id)
  std::deque<PendingConfirm> confirms_;
  uint64_t next_seq_ = 1;
  uint64_t fsync_watermark_ = 1;    // entries with seq below are on the home node's disk
  uint64_t next_tag_ = 1;
  uint64_t unacked_total_ = 0;
  sim::EventId confirm_event_, commit_event_, election_event_, ttl_event_, sync_event_;
  // figures
  uint64_t published_ = 0, delivered_ = 0, redelivered_ = 0, acked_ = 0, lost_ = 0;
  size_t max_ready_ = 0;

  sim::BacklogTracker::Queue& backlog_;
  sim::Gauge& ready_gauge_;
  sim::Gauge& unacked_gauge_;
  sim::Gauge& messages_gauge_;
  sim::Gauge& consumers_gauge_;
  sim::Counter& published_total_;
  sim::Counter& received_total_;
  sim::Counter& confirmed_total_;
  sim::Counter& delivered_total_;
  sim::Counter& redelivered_total_;
  sim::Counter& acknowledged_total_;
};

}  // namespace faultline::models
