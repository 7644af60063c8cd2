// A single FIFO queue with consumers, as one RabbitMQ classic queue on a healthy node behaves:
// unbounded, round-robin dispatch to consumers that have prefetch credit (R-CA2), manual or
// automatic acknowledgement (R-CA1), requeue of unacked deliveries when a consumer cancels
// (R-CA3). It is the queue of the reference benchmark (broker M/M/c).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/broker/amqp_protocol.hpp"
#include "models/broker/management_protocol.hpp"
#include "sim/core/block_deque.hpp"
#include "sim/core/component.hpp"
#include "sim/core/ring_deque.hpp"
#include "sim/metrics/backlog.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

__extension__ using uint128 = unsigned __int128;  // exact sums of nanoseconds

class FifoQueue final : public sim::Component {
 public:
  FifoQueue(sim::Simulation& sim, sim::ComponentIdentity id);
  [[nodiscard]] std::string_view kind() const override { return "queue"; }
  [[nodiscard]] uint64_t held_messages() const override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  [[nodiscard]] size_t ready() const { return ready_.size(); }
  [[nodiscard]] uint64_t unacked() const { return unacked_total_; }
  /// Mean time from acceptance to first delivery, over delivered messages (s).
  [[nodiscard]] double mean_wait_s() const;
  /// Mean time from acceptance to acknowledgement (s).
  [[nodiscard]] double mean_sojourn_s() const;

  static sim::KindInfo kind_info();

 private:
  struct Unacked {
    uint64_t tag;
    sim::Message message;
    bool acked;
  };
  struct Channel {
    bool subscribed = false;
    bool auto_ack = false;
    uint32_t prefetch = 0;       // 0 = unlimited
    uint64_t in_flight = 0;      // unacked deliveries
    sim::RingDeque<Unacked> unacked;  // in delivery order (tags increase)
  };
  struct Ready {
    sim::Message message;
    bool redelivered;
  };

  void on_publish(uint32_t connection, const PublisherRequest& request);
  void on_consumer(uint32_t connection, const ConsumerRequest& request);
  QueueStats on_stats(uint32_t connection, const QueueStatsRequest& request);
  void dispatch();
  bool has_credit(const Channel& c) const { return c.subscribed && (c.prefetch == 0 || c.in_flight < c.prefetch); }
  /// Call after anything has_credit() reads changed on a channel.
  void refresh_credit(size_t channel) {
    if (channel >= kCreditBits) return;
    const uint64_t bit = uint64_t{1} << channel;
    credit_bits_ = has_credit(channels_[channel]) ? credit_bits_ | bit : credit_bits_ & ~bit;
  }
  void settle(Channel& channel, uint64_t tag, bool requeue);
  void requeue_all(Channel& channel);
  void update_gauges();

  sim::ServerPort<PublisherRequest, PublisherNotice>& publish_;
  sim::ServerPort<ConsumerRequest, ConsumerNotice>& consume_;
  // The backlog: it may hold millions, so fixed blocks that a queue in churn reuses, not a
  // RingDeque, whose doubling needs up to 3× the memory while it grows (measured: 101 bytes
  // per queued message at 10 million).
  sim::BlockDeque<Ready> ready_;
  std::vector<Channel> channels_;
  size_t next_channel_ = 0;
  // Bit c set: channel c has credit (has_credit), for the first kCreditBits channels, so that
  // dispatch finds the next consumer to serve with a bit scan.
  static constexpr size_t kCreditBits = 64;
  uint64_t credit_bits_ = 0;
  uint64_t next_tag_ = 1;
  uint64_t unacked_total_ = 0;
  size_t max_ready_ = 0;
  uint128 wait_ns_sum_ = 0;
  uint128 sojourn_ns_sum_ = 0;
  uint64_t first_deliveries_ = 0;
  uint64_t acked_ = 0;

  sim::BacklogTracker::Queue& backlog_;
  sim::Gauge& ready_gauge_;
  sim::Gauge& unacked_gauge_;
  sim::Gauge& messages_gauge_;
  sim::Gauge& consumers_gauge_;
  sim::Counter& published_total_;
  sim::Counter& received_total_;
  sim::Counter& delivered_total_;
  sim::Counter& redelivered_total_;
  sim::Counter& acknowledged_total_;
};

}  // namespace faultline::models
