// A consumer pod: subscribes to a queue with a prefetch, processes one delivery at a time for a
// processing time drawn from its distribution, then acknowledges (manual ack) — or, in auto-ack
// mode, takes custody at delivery (R-CA1). Its throughput is bounded by prefetch / (RTT +
// processing) once the network enters (R-CA2).
#pragma once

#include <cstdint>
#include <deque>

#include "models/broker/amqp_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/random/distribution.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct ConsumerConfig {
  sim::Distribution processing_time = sim::Distribution::constant(0.001);  // seconds
  uint32_t prefetch = 1;
  bool auto_ack = false;
};

class Consumer final : public sim::Component {
 public:
  Consumer(sim::Simulation& sim, sim::ComponentIdentity id, ConsumerConfig config);
  [[nodiscard]] std::string_view kind() const override { return "consumer"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] uint64_t held_messages() const override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t { kProcessed = 1 };
  void on_delivery(const Delivery& delivery);
  void start_next();

  ConsumerConfig config_;
  sim::ClientPort<ConsumerRequest, Delivery>& queue_;
  std::deque<Delivery> buffer_;  // prefetched, not started
  bool busy_ = false;
  Delivery current_{};
  uint64_t processed_ = 0;
};

}  // namespace faultline::models
