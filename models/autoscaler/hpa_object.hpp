// One HorizontalPodAutoscaler object as the cluster holds it: the controller's state for it
// (hpa_controller), the workload it scales (scale_target), its status as kube-state-metrics
// exports it, and an events.jsonl line for every change of the replica count. The `hpa` kind
// owns one; KEDA's scaler owns the one it generates (R-KE1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/autoscaler/hpa_controller.hpp"
#include "models/autoscaler/scale_target.hpp"
#include "sim/metrics/recorder.hpp"

namespace faultline::sim {
class Simulation;
}

namespace faultline::models {

/// The metric behind a decision, for the event line.
struct MetricReading {
  std::string name;             // "rabbitmq_queue_messages_ready", "cpu", "s0-rabbitmq-orders"
  std::optional<double> value;  // empty when it could not be read
  double target = 0;
  std::string target_type;      // "AverageValue", "Value", "Utilization", "activationValue"
};

class HpaObject {
 public:
  /// `owner`: the component path events are logged under; `name`: the HPA's name in metrics.
  HpaObject(sim::Simulation& sim, std::string owner, std::string name, HpaBehavior behavior);

  ScaleTarget& target() { return target_; }
  [[nodiscard]] const ScaleTarget& target() const { return target_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  /// Once the target's slots are known: [min, max] of the HPA.
  void start(int64_t min_replicas, int64_t max_replicas);
  [[nodiscard]] const HpaController& controller() const { return *controller_; }

  /// One HPA sync with what the metric proposes (refresh the target first); applies it.
  HpaDecision sync(sim::SimTime now, std::optional<int64_t> proposal, const MetricReading& metric);
  /// A change made by someone else (KEDA's activation or scale to zero): applied and logged.
  void scale_by_owner(sim::SimTime now, int64_t to, const std::string& reason, const MetricReading& metric);

  [[nodiscard]] nlohmann::ordered_json summary() const;

 private:
  void apply(sim::SimTime now, int64_t from, int64_t to, nlohmann::ordered_json fields);

  sim::Simulation& sim_;
  std::string owner_;
  std::string name_;
  HpaBehavior behavior_;
  ScaleTarget target_;
  std::optional<HpaController> controller_;
  sim::Gauge& current_;
  sim::Gauge& desired_;
  sim::Gauge& min_gauge_;
  sim::Gauge& max_gauge_;
  uint64_t scale_ups_ = 0, scale_downs_ = 0;
  int64_t peak_ = 0;
};

}  // namespace faultline::models
