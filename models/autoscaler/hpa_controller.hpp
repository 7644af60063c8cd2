// The Horizontal Pod Autoscaler controller's arithmetic for one HPA object (domain_models.md
// §4.5), as Kubernetes computes it at each sync:
//   1. the replica count the metric asks for: ratio = metric / target, no change within the
//      tolerance (R-H1, R-H2), with the pod grouping of CPU metrics (R-H4) and the per-pod
//      average of external metrics (R-KE4);
//   2. the behaviour that turns it into the next count: stabilization windows (the lowest
//      recommendation of the scale-up window, the highest of the scale-down window), then the
//      scale policies relative to the replicas at the start of each policy period, then
//      [min, max] (R-H6, R-H7).
// It has no clock of its own: the owner passes the sync time. The HPA kind and KEDA's scaler
// (whose generated HPA it is, R-KE1) both use it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/scenario/param_spec.hpp"

namespace faultline::models {

/// behavior.scaleUp or behavior.scaleDown of an HPA (R-H6). A policy value of 0 means the
/// policy is absent.
struct ScalingRules {
  enum class Select { max, min, disabled };
  sim::Duration stabilization = sim::Duration::zero();
  int64_t percent = 0;  // a Percent policy: change by this % of the replicas at the period start
  int64_t pods = 0;     // a Pods policy: change by this many pods per period
  sim::Duration period = sim::Duration::s(15);  // periodSeconds of both policies
  Select select = Select::max;
};

/// The defaults of R-H6.
struct HpaBehavior {
  ScalingRules scale_up{sim::Duration::zero(), 100, 4, sim::Duration::s(15), ScalingRules::Select::max};
  ScalingRules scale_down{sim::Duration::s(300), 100, 0, sim::Duration::s(15), ScalingRules::Select::max};
};

/// One pod as the HPA groups it for a CPU metric (R-H4).
struct PodCpu {
  enum class Group {
    counted,  // ready, with a metric
    missing,  // running, without a metric yet
    unready,  // pending, or not ready
  };
  Group group = Group::counted;
  double usage_cores = 0;    // counted pods: the metrics-server rate
  double request_cores = 1;  // the pod's CPU request
};

/// Replica calculators (R-H1, R-H2, R-H4, R-KE4): what the metric asks for at one sync.
namespace replica_calc {
/// |1 − ratio| ≤ tolerance: too small a change to act on (R-H2).
bool within_tolerance(double ratio, double tolerance);
/// External (or object) metric with an AverageValue target: ceil(metric / target), unless
/// metric / (target × status replicas) is within the tolerance (R-KE4).
int64_t external_average_value(double metric, double target_per_pod, int64_t status_replicas, double tolerance);
/// External metric with a Value target: ceil(metric / target × ready pods), unless the ratio
/// is within the tolerance (R-H1, R-H4: the count is the Running and Ready pods).
int64_t external_value(double metric, double target, int64_t current, int64_t ready, double tolerance);
/// CPU utilisation against a target in percent of the request (R-H1, R-H4): missing pods
/// count as 100 % of the request on the way down and 0 % on the way up, unready pods as 0 % on
/// the way up; a direction that flips after those corrections keeps the current count. Empty
/// when no pod has a metric (the controller skips the sync).
std::optional<int64_t> cpu_utilization(const std::vector<PodCpu>& pods, int64_t target_percent, int64_t current,
                                       double tolerance);
/// The utilisation in whole percent, as the controller computes it (integer division).
std::optional<int64_t> utilization_percent(const std::vector<PodCpu>& pods);
}  // namespace replica_calc

/// What one sync decided.
struct HpaDecision {
  int64_t current = 0;              // spec replicas at the sync
  std::optional<int64_t> proposal;  // what the metric asked for; empty when it could not be read
  int64_t stabilized = 0;           // after the stabilization windows
  int64_t desired = 0;              // the new replica count
  /// Why desired is what it is: DesiredWithinRange, ScaleUpLimit, TooManyReplicas,
  /// ScaleDownLimit, TooFewReplicas, AboveMaxReplicas, BelowMinReplicas, ScalingDisabled,
  /// FailedGetMetric (the Kubernetes condition reasons).
  std::string reason;
  [[nodiscard]] bool rescale() const { return desired != current; }
};

class HpaController {
 public:
  HpaController(HpaBehavior behavior, int64_t min_replicas, int64_t max_replicas);

  /// One sync at `now` with `current` spec replicas and the metric's proposal (R-H7). Records
  /// the recommendation and, if the count changes, the scale event the policies count.
  HpaDecision sync(sim::SimTime now, int64_t current, std::optional<int64_t> proposal);

  [[nodiscard]] int64_t min_replicas() const { return min_; }
  [[nodiscard]] int64_t max_replicas() const { return max_; }
  [[nodiscard]] const HpaBehavior& behavior() const { return behavior_; }

  /// The `target` parameter every HPA-like kind declares: the workload it scales, wired to its
  /// pods' "scale" channel.
  static sim::ParamSpec target_param();
  /// A reference to the queue an HPA-like kind reads, wired to the queue's "stats" port.
  static sim::ReferenceSpec queue_stats_reference();
  /// The behaviour parameters every HPA-like kind declares (the defaults of R-H6).
  static std::vector<sim::ParamSpec> behavior_params();
  static HpaBehavior behavior_from(const sim::ParamValues& params);
  /// Checks the behaviour parameters together (at least one policy per direction).
  static void validate_behavior(const sim::ParamValues& params, const sim::Document& doc);

 private:
  struct Recommendation {
    sim::SimTime at;
    int64_t replicas;
  };
  struct ScaleEvent {
    sim::SimTime at;
    int64_t change;  // > 0
  };
  int64_t stabilize(sim::SimTime now, int64_t current, int64_t proposal);
  int64_t rate_limited(sim::SimTime now, int64_t current, int64_t stabilized, std::string& reason) const;
  [[nodiscard]] int64_t change_within(sim::SimTime now, sim::Duration period, const std::deque<ScaleEvent>& events) const;
  void record_scale(sim::SimTime now, int64_t from, int64_t to);

  HpaBehavior behavior_;
  int64_t min_;
  int64_t max_;
  std::deque<Recommendation> recommendations_;
  std::deque<ScaleEvent> ups_, downs_;
};

}  // namespace faultline::models
