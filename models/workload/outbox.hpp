// The transactional outbox (domain_models.md §5.4; the v2 fix of seed 002): the service writes
// each message as an outbox row in the same database transaction as its business write, and a
// relay publishes the rows with publisher confirms, deleting a row only after the broker has
// confirmed it. A broker outage makes rows accumulate (backlog = rate × outage); they drain at the
// relay's pace afterwards. A publish whose confirm is lost is retried: at-least-once, so
// duplicates downstream (R-D1).
#pragma once

#include <cstdint>
#include <deque>
#include <map>

#include "models/broker/amqp_protocol.hpp"
#include "models/workload/broker_connection.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct OutboxConfig {
  sim::Duration poll_interval = sim::Duration::ms(500);
  uint32_t batch_size = 100;
  sim::Duration reconnect_delay = sim::Duration::s(3);
  bool persistent = true;
  uint32_t message_bytes = 1024;                   // on the wire, for the network's bandwidth limits
  sim::Duration heartbeat = sim::Duration::s(60);  // AMQP heartbeat timeout (R-CA4)
};

class Outbox final : public sim::Component {
 public:
  Outbox(sim::Simulation& sim, sim::ComponentIdentity id, OutboxConfig config);
  [[nodiscard]] std::string_view kind() const override { return "outbox"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] uint64_t held_messages() const override { return rows_.size(); }
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t { kPoll = 1, kReconnect = 2, kLink = 3 };
  struct Row {
    sim::Message message;
    bool in_flight = false;
    uint32_t publishes = 0;
  };
  void on_write(uint32_t connection, const PublisherRequest& request);
  void on_notice(const PublisherNotice& notice);
  void handle_notice(const PublisherNotice& notice);
  void link_timed_out();
  void poll();

  OutboxConfig config_;
  sim::ServerPort<PublisherRequest, PublisherNotice>& writes_;
  sim::ClientPort<PublisherRequest, PublisherNotice>& relay_;
  NetworkPort& network_;
  PublisherLink link_;  // the relay's connection, as the network delays it
  enum class Conn { disconnected, connecting, connected } conn_ = Conn::disconnected;
  bool blocked_ = false;
  bool reconnect_scheduled_ = false;
  std::map<uint64_t, Row> rows_;  // by message id = insertion order
  uint64_t written_ = 0, published_ = 0, republished_ = 0, deleted_ = 0;
  size_t max_rows_ = 0;
  sim::Gauge& rows_gauge_;
};

}  // namespace faultline::models
