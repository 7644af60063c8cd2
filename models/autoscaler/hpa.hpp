// A HorizontalPodAutoscaler (kind `hpa`, domain_models.md §4.5) on a scalable workload, with the
// metric pipeline that feeds it:
//   metric: cpu    the pods' CPU utilisation against a target share of their request.
//                  metrics-server scrapes each pod's CPU counter (the kubelet summary API,
//                  through the scale channel) every `metric_interval`; a pod's usage is the rate
//                  between its last two scrapes (R-H4 groups pods without one);
//   metric: queue  an external metric: a queue's length, as a metrics adapter serves it from a
//                  Prometheus scrape of the broker every `metric_interval` (the management
//                  counts through the queue's "stats" port), with an AverageValue target
//                  (messages per pod, R-KE4) or a Value target (R-H1).
// Every `sync_period` the controller turns the last sample into a replica count (R-H1, R-H2,
// R-H6, R-H7) and creates or deletes pods through the scale channel; new pods start with their
// own start-up delays (R-K3, R-K6). A sample at the same instant as a sync is taken first.
#pragma once

#include <optional>
#include <vector>

#include "models/autoscaler/control_loops.hpp"
#include "models/autoscaler/hpa_object.hpp"
#include "models/broker/management_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct HpaConfig {
  enum class Metric { cpu, queue };
  enum class TargetType { average_value, value };
  Metric metric = Metric::cpu;
  int64_t target_utilization_percent = 80;
  bool count_unacked = false;  // queue: rabbitmq_queue_messages instead of _ready
  TargetType target_type = TargetType::average_value;
  double target_value = 0;
  int64_t min_replicas = 1;
  std::optional<int64_t> max_replicas;  // empty: every slot of the target
  sim::Duration sync_period = sim::Duration::s(15);
  sim::Duration sync_phase = sim::Duration::zero();
  sim::Duration metric_interval = sim::Duration::s(15);
  double tolerance = 0.1;
  HpaBehavior behavior;
  std::string file, pointer;  // for the checks that need the target
};

class HorizontalPodAutoscaler final : public sim::Component {
 public:
  HorizontalPodAutoscaler(sim::Simulation& sim, sim::ComponentIdentity id, HpaConfig config);
  [[nodiscard]] std::string_view kind() const override { return "hpa"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  struct CpuScrape {
    sim::SimTime at;
    double cpu_seconds = 0;
    uint32_t container_starts = 0;
  };
  void schedule_next();
  void sample();
  void sync();
  std::optional<int64_t> cpu_proposal(MetricReading& reading);
  std::optional<int64_t> queue_proposal(MetricReading& reading);

  HpaConfig config_;
  HpaObject hpa_;
  sim::RequestPort<QueueStatsRequest, QueueStats>& queue_;
  ControlLoops loops_;
  size_t sample_loop_ = 0, sync_loop_ = 0;
  std::optional<QueueStats> queue_sample_;           // the adapter's last value
  std::vector<std::optional<CpuScrape>> last_scrape_;  // per slot
  std::vector<std::optional<double>> cpu_rate_;      // per slot, cores: metrics-server's value
};

}  // namespace faultline::models
