// A consumer pod (the delivery service of seed 002, the consumers of CHAOS@FIRE): subscribes to
// a queue with a prefetch (R-CA2), processes one delivery at a time for a processing time drawn
// from its distribution, optionally writes the result to a database, then acknowledges (manual
// ack) — or, in auto-ack mode, holds the message from delivery on (R-CA1).
// - A lost connection drops the prefetched deliveries (the broker requeues them, R-CA3); a
//   message being processed is finished, but its ack has nowhere to go: the broker will deliver
//   it again, a duplicate downstream (R-D1). The consumer reconnects after `reconnect_delay`.
// - A killed consumer aborts its work; its channel closes and the broker requeues (R-CA3, R-CA4).
// - CPU stress (stress-cpu) stretches processing by the share of CPU the stressors take.
// Its throughput is bounded by prefetch / (RTT + processing) once the network enters (R-CA2).
#pragma once

#include <cstdint>

#include "models/broker/amqp_protocol.hpp"
#include "models/database/database_protocol.hpp"
#include "models/kubernetes/pod.hpp"
#include "models/network/tcp_connection.hpp"
#include "models/workload/broker_connection.hpp"
#include "sim/core/ring_deque.hpp"
#include "sim/random/distribution.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct ConsumerConfig {
  sim::Distribution processing_time = sim::Distribution::constant(0.001);  // seconds
  uint32_t prefetch = 1;
  bool auto_ack = false;
  bool writes = false;                   // ack only after a committed downstream write
  bool requeue_on_failure = true;        // a failed write: nack with requeue, or drop
  sim::Duration reconnect_delay = sim::Duration::s(3);
  double cpus = 1.0;                     // cores the pod can use (stress-cpu shares them)
  sim::Duration heartbeat = sim::Duration::s(60);      // AMQP heartbeat timeout (R-CA4)
  sim::Duration db_timeout = sim::Duration::minutes(11);  // a stalled write fails (R-N10)
};

class Consumer final : public Pod {
 public:
  Consumer(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ConsumerConfig config);
  [[nodiscard]] std::string_view kind() const override { return "consumer"; }
  void initialize() override;
  [[nodiscard]] uint64_t held_messages() const override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_stop(StopCause cause) override;
  void on_ready() override;
  void on_freeze() override;
  void on_thaw() override;
  /// Wall time spent processing (not waiting on the database, not frozen): the busy fraction
  /// an HPA on CPU sees, against a request of `cpus`.
  [[nodiscard]] std::optional<double> cpu_seconds_used() const override;
  [[nodiscard]] double cpu_request_cores() const override { return config_.cpus; }
  sim::FaultOutcome on_app_fault_start(const sim::Fault& fault) override;
  void on_app_fault_end(const sim::Fault& fault) override;

 private:
  enum Event : uint16_t { kProcessed = 1, kReconnect = 2, kQueueLink = 3, kDbLink = 4 };
  using QueueLink = TcpConnection<ConsumerRequest, ConsumerNotice>;
  using DbLink = TcpConnection<WriteRequest, WriteResult>;
  void on_notice(const ConsumerNotice& notice);
  void handle_notice(const ConsumerNotice& notice);
  void on_write_result(const WriteResult& result);
  void handle_write_result(const WriteResult& result);
  void queue_timed_out();
  void db_timed_out();
  /// The queue connection is gone: what it had in flight never arrives (auto-ack deliveries
  /// were ours already, R-CA1).
  void drop_queue_link(const char* lost_cause);
  /// Closes the broker connection from this side: cancel, then handle the close.
  void close_queue_connection();
  void subscribe();
  void start_next();
  /// Starts processing `delivery` (not busy, not frozen).
  void start(const Delivery& delivery);
  void stop_working();
  void complete(bool success);

  ConsumerConfig config_;
  sim::ClientPort<ConsumerRequest, ConsumerNotice>& queue_;
  sim::ClientPort<WriteRequest, WriteResult>& db_;
  NetworkPort& network_;
  QueueLink queue_link_;  // the AMQP connection, as the network delays it
  DbLink db_link_;        // the database connection
  enum class Conn { disconnected, connecting, connected } conn_ = Conn::disconnected;
  bool reconnect_scheduled_ = false;
  sim::RingDeque<Delivery> buffer_;  // prefetched, not started
  bool busy_ = false;
  bool working_ = false;          // processing (CPU busy), possibly frozen
  bool cpu_paused_ = false;       // frozen: the busy time stands still
  sim::SimTime work_resumed_{};
  sim::Duration cpu_used_{};
  bool writing_ = false;
  bool orphaned_ = false;        // the channel closed while this delivery was in progress
  Delivery current_{};
  double stress_load_ = 0;       // stressor load on this pod (workers × load)
  uint64_t processed_ = 0;
  uint64_t write_failures_ = 0;
  sim::Counter& processed_total_;
  sim::RandomStream& processing_rng_;
};

}  // namespace faultline::models
