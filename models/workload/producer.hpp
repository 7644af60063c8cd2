// An open-loop producer pod (a feeder, the order service under k6 load): it creates messages at
// a constant rate or as a Poisson process, possibly ramping through k6-style stages, and
// publishes them as an AMQP client would:
// - over a connection to a ready broker node, reopened after `reconnect_delay` when lost
//   (Dapr reconnectWaitSeconds, §5.1);
// - with or without publisher confirms (R-PC1); with confirms it keeps each message until the
//   confirm and retries on nack or failure;
// - retrying failed publishes with constant or exponential back-off and giving up after
//   `max_attempts` (Dapr resiliency, R-D2); a message it gives up on is lost;
// - blocked by the broker's flow control while an alarm lasts (R-AL2), failing a blocked
//   publish after `publish_timeout`.
// Messages are created whether or not the broker can take them (open loop): that is what makes
// publish failures count as losses. While the pod is down, nothing is created (the feed dips).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "models/broker/amqp_protocol.hpp"
#include "models/kubernetes/pod.hpp"
#include "models/workload/broker_connection.hpp"
#include "models/workload/rate_profile.hpp"
#include "sim/core/ring_deque.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct ProducerConfig {
  enum class Arrivals { constant, poisson };
  enum class Backoff { constant, exponential };
  Arrivals arrivals = Arrivals::poisson;
  RateProfile rate = RateProfile(100.0);  // messages per second over time (k6-style stages)
  std::optional<uint64_t> message_limit;  // stop after this many; unbounded when empty
  sim::Duration start = sim::Duration::zero();
  bool persistent = false;                // delivery_mode 2 (R-CQ2)
  bool confirms = false;                  // publisher confirms (R-PC1)
  uint32_t max_attempts = 1;              // 1: no retry
  Backoff backoff = Backoff::constant;
  sim::Duration retry_interval = sim::Duration::s(5);
  sim::Duration retry_max_interval = sim::Duration::s(60);
  sim::Duration reconnect_delay = sim::Duration::s(3);
  sim::Duration publish_timeout = sim::Duration::s(60);
  uint32_t message_bytes = 1024;             // on the wire, for the network's bandwidth limits
  sim::Duration heartbeat = sim::Duration::s(60);  // AMQP heartbeat timeout (R-CA4)
};

class Producer final : public Pod {
 public:
  Producer(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ProducerConfig config);
  [[nodiscard]] std::string_view kind() const override { return "producer"; }
  void initialize() override;
  [[nodiscard]] uint64_t held_messages() const override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_stop(StopCause cause) override;
  void on_ready() override;

 private:
  enum Event : uint16_t { kArrival = 1, kRetry = 2, kReconnect = 3, kBlockedTimeout = 4, kLink = 5 };
  struct Pending {
    sim::Message message;
    uint32_t attempts = 0;  // publishes tried so far
  };

  void schedule_next_arrival();
  void arrival();
  void try_publish(Pending p);
  void send(const Pending& p);
  void failed(Pending p, const char* cause, const std::string* where);
  void on_notice(const PublisherNotice& notice);
  void handle_notice(const PublisherNotice& notice);
  void link_timed_out();
  /// Settles the messages in flight on a connection that is gone: a publish without confirms
  /// was the only copy, an answer handing a message back returns it to us.
  void settle_in_flight(const char* lost_cause, bool crashed);
  void connect();
  void flush_blocked();
  std::optional<Pending> take_unanswered(uint64_t id);

  ProducerConfig config_;
  sim::ClientPort<PublisherRequest, PublisherNotice>& out_;
  NetworkPort& network_;
  PublisherLink link_;                                // the connection, as the network delays it
  std::deque<Pending> awaiting_connection_;  // published while the handshake is under way
  enum class Conn { disconnected, connecting, connected } conn_ = Conn::disconnected;
  bool blocked_ = false;
  const std::string* down_where_ = nullptr;  // the broker pod whose loss dropped our connection
  bool reconnect_scheduled_ = false;
  bool arrivals_running_ = false;
  uint64_t created_ = 0;
  uint64_t given_up_ = 0;
  uint64_t retries_ = 0;
  double profile_clock_ = 0;                 // seconds of load profile elapsed at the last arrival
  std::map<uint64_t, Pending> unconfirmed_;  // sent with confirms, our copy kept
  sim::RingDeque<Pending> unanswered_;       // sent without confirms, in send order: the broker holds them
  sim::RandomStream& arrivals_rng_;
  std::map<uint32_t, Pending> retrying_;     // waiting for their retry event
  uint32_t next_retry_slot_ = 0;
  std::deque<Pending> blocked_queue_;        // held by flow control
  std::deque<sim::SimTime> blocked_since_;
  sim::Counter& created_total_;
  sim::Counter& failed_total_;
};

}  // namespace faultline::models
