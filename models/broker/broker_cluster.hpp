// A RabbitMQ-like cluster of broker nodes on Kubernetes (domain_models.md §1): the nodes are
// StatefulSet pods (broker_node), the cluster holds the queues (broker_queue) and is the
// Service AMQP clients connect through: a new connection goes to a ready node, round-robin
// (R-K11); a node's loss closes its connections (a killed pod's kernel sends FIN/RST, R-CA4).
// Memory and disk alarms are cluster-wide and block publishers (R-AL1, R-AL2).
// Each queue has two endpoints that producers and consumers reference as "<cluster>.<queue>":
// "<queue>.publish" and "<queue>.consume"; monitoring (KEDA, a metrics adapter) asks "<queue>.stats".
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/broker/amqp_protocol.hpp"
#include "models/broker/broker_queue.hpp"
#include "models/broker/management_protocol.hpp"
#include "models/kubernetes/pod.hpp"
#include "models/network/network_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

class BrokerNode;

struct BrokerClusterConfig {
  uint32_t nodes = 1;
  bool persistent_volume = true;
  sim::Duration fsync_interval = sim::Duration::ms(200);      // R-CQ4
  sim::Duration replication_delay = sim::Duration::us(300);   // R-L4 LAN RTT
  sim::Duration commit_latency = sim::Duration::us(5900);     // R-QQ7 + measured fsync
  sim::Duration election_time = sim::Duration::ms(350);       // testbed measurement
  int64_t message_bytes = 1024;
  std::optional<int64_t> memory_limit;                         // bytes; no memory alarm when empty
  double memory_high_watermark = 0.4;                          // R-AL table (≤ 3.13)
  int64_t base_memory = 150LL * 1024 * 1024;                   // testbed: 145 MB RSS per node
  std::vector<QueueConfig> queues;
};

class BrokerCluster final : public sim::Component, public QueueHost {
 public:
  BrokerCluster(sim::Simulation& sim, sim::ComponentIdentity id, BrokerClusterConfig config);
  ~BrokerCluster() override;
  [[nodiscard]] std::string_view kind() const override { return "broker-cluster"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] uint64_t held_messages() const override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  /// Called by the factory: the node pods, in index order.
  void adopt_node(BrokerNode& node) { nodes_.push_back(&node); }

  // ---- from the nodes
  void node_stopped(uint32_t node, bool had_volume, bool controlled);
  void node_booting(uint32_t node);
  void node_ready(uint32_t node);
  void node_unready(uint32_t node);
  void node_frozen(uint32_t node, bool frozen);
  void fsync(uint32_t node);
  /// Whether a confirm waits for this node's next fsync.
  [[nodiscard]] bool fsync_awaited(uint32_t node) const;
  void set_fault_alarm(uint32_t node, const std::string& resource, bool on);

  // ---- QueueHost
  [[nodiscard]] sim::SimTime now() const override { return Component::now(); }
  sim::Simulation& simulation() override { return sim(); }
  sim::EventId schedule_queue_event(uint32_t queue, sim::Duration delay, uint16_t kind) override;
  void cancel_event(sim::EventId id) override { cancel(id); }
  [[nodiscard]] uint32_t node_count() const override { return config_.nodes; }
  [[nodiscard]] bool node_alive(uint32_t node) const override { return nodes_state_[node].serving; }
  [[nodiscard]] sim::SimTime node_up_since(uint32_t node) const override { return nodes_state_[node].up_since; }
  [[nodiscard]] const std::string& node_path(uint32_t node) const override;
  [[nodiscard]] const std::string& consumer_path(uint32_t queue, uint32_t connection) const override;
  [[nodiscard]] sim::Duration replication_delay() const override { return config_.replication_delay; }
  [[nodiscard]] sim::Duration commit_latency() const override { return config_.commit_latency; }
  [[nodiscard]] sim::Duration election_time() const override { return config_.election_time; }
  [[nodiscard]] int64_t message_bytes() const override { return config_.message_bytes; }
  [[nodiscard]] bool network_modelled() const override { return network_->connected(); }
  [[nodiscard]] std::optional<sim::Duration> replication_round_trip(uint32_t from, uint32_t to) override;
  void notify_publisher(uint32_t queue, uint32_t connection, const PublisherNotice& notice) override;
  void notify_consumer(uint32_t queue, uint32_t connection, const ConsumerNotice& notice) override;
  void log(const std::string& event, const nlohmann::ordered_json& fields) override { log_event(event, fields); }

  [[nodiscard]] const BrokerQueue& queue(const std::string& name) const;
  [[nodiscard]] bool alarm() const { return alarm_; }

  static sim::KindInfo kind_info();

 private:
  struct Endpoint {  // one queue's publish, consume and stats ports
    BrokerCluster* cluster;
    uint32_t queue;
    void on_publish(uint32_t connection, const PublisherRequest& request) { cluster->on_publish(queue, connection, request); }
    void on_consume(uint32_t connection, const ConsumerRequest& request) { cluster->on_consume(queue, connection, request); }
    QueueStats on_stats(uint32_t, const QueueStatsRequest&) const { return cluster->queue_stats(queue); }
    sim::ServerPort<PublisherRequest, PublisherNotice>* publish = nullptr;
    sim::ServerPort<ConsumerRequest, ConsumerNotice>* consume = nullptr;
  };
  struct Connection {
    uint32_t node = 0;
    bool open = false;
  };
  struct NodeState {
    bool serving = true;  // ready and not frozen: it takes connections and runs its queues
    bool in_service = true;  // a Service endpoint (ready, not terminating)
    sim::SimTime up_since{};
    bool memory_alarm = false;
    bool fault_memory_alarm = false;
    bool fault_disk_alarm = false;
  };

  void on_publish(uint32_t queue, uint32_t connection, const PublisherRequest& request);
  void on_consume(uint32_t queue, uint32_t connection, const ConsumerRequest& request);
  /// The management API's view of a queue (R-KE3): unavailable while its leader is down.
  [[nodiscard]] QueueStats queue_stats(uint32_t queue) const;
  std::optional<uint32_t> pick_node();
  void close_connections_on(uint32_t node);
  void update_alarm();
  void evaluate_memory(uint32_t node);

  BrokerClusterConfig config_;
  std::vector<BrokerNode*> nodes_;
  std::vector<NodeState> nodes_state_;
  std::vector<std::unique_ptr<BrokerQueue>> queues_;
  std::deque<Endpoint> endpoints_;  // stable addresses: ports point at them
  std::vector<std::map<uint32_t, Connection>> publishers_;  // per queue
  std::vector<std::map<uint32_t, Connection>> consumers_;   // per queue
  uint32_t service_next_ = 0;       // Service round-robin
  bool alarm_ = false;
  std::vector<sim::Gauge*> memory_alarm_gauges_;
  NetworkPort* network_ = nullptr;  // replication between the nodes, when the network is modelled
};

}  // namespace faultline::models
