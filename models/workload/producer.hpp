// An open-loop producer (a feeder, a load generator): it creates messages at a constant rate or
// as a Poisson process, possibly ramping through k6-style stages, and publishes them to a queue. Messages are created whether or not the
// broker can take them (open loop), which is what makes publish failures count as losses.
#pragma once

#include <cstdint>
#include <optional>

#include "models/broker/amqp_protocol.hpp"
#include "models/workload/rate_profile.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct ProducerConfig {
  enum class Arrivals { constant, poisson };
  Arrivals arrivals = Arrivals::poisson;
  RateProfile rate = RateProfile(100.0);    // messages per second over time (k6-style stages)
  std::optional<uint64_t> message_limit;    // stop after this many; unbounded when empty
  sim::Duration start = sim::Duration::zero();
  bool persistent = false;                  // delivery_mode 2 (R-CQ2)
};

class Producer final : public sim::Component {
 public:
  Producer(sim::Simulation& sim, sim::ComponentIdentity id, ProducerConfig config);
  [[nodiscard]] std::string_view kind() const override { return "producer"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t { kArrival = 1 };
  void schedule_next();
  void on_result(const PublishResult& result);

  ProducerConfig config_;
  sim::ClientPort<Publish, PublishResult>& out_;
  uint64_t created_ = 0;
};

}  // namespace faultline::models
