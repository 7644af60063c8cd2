// A KEDA ScaledObject with one `rabbitmq` trigger (kind `keda-rabbitmq-scaler`, domain_models.md
// §4.6), and the HPA KEDA generates for it ("keda-hpa-<name>"). The chain, as KEDA runs it:
//   - KEDA's operator polls the trigger every `polling_interval` (R-KE2). It alone moves the
//     workload between 0 and 1: it activates (0 → max(min_replica_count, 1)) when the metric is
//     above `activation_value`, and scales back to 0 once the trigger has been inactive for
//     `cooldown_period` (R-KE1, R-KE2); it also lifts the workload to min_replica_count.
//   - The generated HPA (hpa_controller, min max(min_replica_count, 1), max max_replica_count)
//     syncs every `hpa_sync_period` and asks KEDA's metrics server for the external metric,
//     which queries RabbitMQ at that moment (or returns the last poll's value with
//     `use_cached_metrics`). AverageValue: desired = ceil(metric / value) (R-KE4).
//   - The metric (R-KE3): QueueLength counts the queue's messages: over AMQP (a passive
//     queue.declare) the ready ones, live; over HTTP (the management API) ready + unacked, or
//     ready alone with `exclude_unacknowledged`, as of the management plugin's last statistics
//     emission (every `management_stats_interval`). MessageRate is the publish rate over the
//     last emission interval (HTTP only).
// When the queue cannot be read (its node is down) the scaler reports an error: KEDA neither
// activates nor scales to zero (kedacore/keda#1850 treats the opposite as a bug; no `fallback`
// is modelled), and the HPA keeps its count (FailedGetMetric).
// Loops due at the same instant run in this order: statistics emission, poll, HPA sync.
// `paused` is KEDA's autoscaling.keda.sh/paused annotation: the ScaledObject is there but does
// nothing, and the workload keeps its count (a scenario turns autoscaling on with a `set`).
#pragma once

#include <optional>
#include <string>

#include "models/autoscaler/control_loops.hpp"
#include "models/autoscaler/hpa_object.hpp"
#include "models/broker/management_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct KedaRabbitmqConfig {
  enum class Mode { queue_length, message_rate };
  enum class Protocol { amqp, http };
  Mode mode = Mode::queue_length;
  double value = 20;
  double activation_value = 0;
  Protocol protocol = Protocol::amqp;
  bool exclude_unacknowledged = false;
  bool average_value = true;  // metricType AverageValue, else Value
  bool use_cached_metrics = false;
  sim::Duration polling_interval = sim::Duration::s(30);
  sim::Duration cooldown_period = sim::Duration::s(300);
  sim::Duration initial_cooldown_period = sim::Duration::zero();
  int64_t min_replica_count = 0;
  std::optional<int64_t> max_replica_count;  // empty: every slot of the target
  sim::Duration management_stats_interval = sim::Duration::s(5);
  sim::Duration hpa_sync_period = sim::Duration::s(15);
  sim::Duration hpa_sync_phase = sim::Duration::zero();
  double tolerance = 0.1;
  bool paused = false;  // autoscaling.keda.sh/paused: no polling, no HPA, the count stays
  HpaBehavior behavior;
  std::string queue_name;     // for the metric name "s0-rabbitmq-<queue>"
  std::string file, pointer;  // for the checks that need the target
};

class KedaRabbitmqScaler final : public sim::Component {
 public:
  KedaRabbitmqScaler(sim::Simulation& sim, sim::ComponentIdentity id, KedaRabbitmqConfig config);
  [[nodiscard]] std::string_view kind() const override { return "keda-rabbitmq-scaler"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  static sim::KindInfo kind_info();

 private:
  void schedule_next();
  void emit_stats();
  void poll();
  void hpa_sync();
  /// What the trigger reads now (R-KE3); empty when RabbitMQ does not answer.
  std::optional<double> read_metric();
  MetricReading reading(std::optional<double> value, bool for_activation) const;
  void note_error(bool failed);

  KedaRabbitmqConfig config_;
  std::string metric_name_;
  HpaObject hpa_;
  sim::RequestPort<QueueStatsRequest, QueueStats>& queue_;
  ControlLoops loops_;
  size_t stats_loop_ = SIZE_MAX, poll_loop_ = 0, sync_loop_ = 0;
  std::optional<QueueStats> stats_, previous_stats_;  // the management plugin's last two emissions
  std::optional<double> polled_;                      // the last poll's value (use_cached_metrics)
  std::optional<sim::SimTime> last_active_;
  bool failing_ = false;
  uint64_t activations_ = 0, scale_to_zero_ = 0;
  sim::Gauge& metric_gauge_;
  sim::Gauge& active_gauge_;
};

}  // namespace faultline::models
