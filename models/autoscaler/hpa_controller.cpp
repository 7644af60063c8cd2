#include "models/autoscaler/hpa_controller.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace faultline::models {

namespace replica_calc {

bool within_tolerance(double ratio, double tolerance) { return std::fabs(1.0 - ratio) <= tolerance; }

int64_t external_average_value(double metric, double target_per_pod, int64_t status_replicas, double tolerance) {
  const auto wanted = static_cast<int64_t>(std::ceil(metric / target_per_pod));
  if (status_replicas <= 0) return wanted;
  // R-KE4: the ratio compares the metric with what the current pods are meant to carry.
  const double ratio = metric / (target_per_pod * static_cast<double>(status_replicas));
  return within_tolerance(ratio, tolerance) ? status_replicas : wanted;
}

int64_t external_value(double metric, double target, int64_t current, int64_t ready, double tolerance) {
  const double ratio = metric / target;
  if (current == 0) return static_cast<int64_t>(std::ceil(ratio));
  if (within_tolerance(ratio, tolerance)) return current;
  return static_cast<int64_t>(std::ceil(ratio * static_cast<double>(ready)));  // R-H4: Running and Ready pods
}

namespace {
struct MilliCpu {
  int64_t usage;
  int64_t request;
};
int64_t to_milli(double cores) { return std::llround(cores * 1000.0); }
// The controller's integer arithmetic: whole percent of the summed requests.
std::optional<int64_t> percent_of(const std::vector<MilliCpu>& metrics) {
  int64_t usage = 0, request = 0;
  for (const MilliCpu& m : metrics) {
    usage += m.usage;
    request += m.request;
  }
  if (request <= 0) return std::nullopt;
  return usage * 100 / request;
}
}  // namespace

std::optional<int64_t> utilization_percent(const std::vector<PodCpu>& pods) {
  std::vector<MilliCpu> metrics;
  for (const PodCpu& p : pods)
    if (p.group == PodCpu::Group::counted) metrics.push_back({to_milli(p.usage_cores), to_milli(p.request_cores)});
  if (metrics.empty()) return std::nullopt;
  return percent_of(metrics);
}

std::optional<int64_t> cpu_utilization(const std::vector<PodCpu>& pods, int64_t target_percent, int64_t current,
                                       double tolerance) {
  std::vector<MilliCpu> metrics;
  std::vector<int64_t> missing, unready;  // their requests
  for (const PodCpu& p : pods) {
    switch (p.group) {
      case PodCpu::Group::counted:
        metrics.push_back({to_milli(p.usage_cores), to_milli(p.request_cores)});
        break;
      case PodCpu::Group::missing:
        missing.push_back(to_milli(p.request_cores));
        break;
      case PodCpu::Group::unready:
        unready.push_back(to_milli(p.request_cores));
        break;
    }
  }
  if (metrics.empty()) return std::nullopt;
  const auto util = percent_of(metrics);
  if (!util) return std::nullopt;
  const double ratio = static_cast<double>(*util) / static_cast<double>(target_percent);
  const bool scale_up_with_unready = !unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && missing.empty()) {
    if (within_tolerance(ratio, tolerance)) return current;
    return static_cast<int64_t>(std::ceil(ratio * static_cast<double>(metrics.size())));
  }
  // R-H4: missing pods count as 100 % (or the target, if higher) on the way down, 0 on the
  // way up; unready pods as 0 on the way up.
  if (ratio < 1.0) {
    const int64_t fallback = std::max<int64_t>(100, target_percent);
    for (int64_t req : missing) metrics.push_back({req * fallback / 100, req});
  } else if (ratio > 1.0) {
    for (int64_t req : missing) metrics.push_back({0, req});
  }
  if (scale_up_with_unready)
    for (int64_t req : unready) metrics.push_back({0, req});
  const auto new_util = percent_of(metrics);
  if (!new_util) return current;
  const double new_ratio = static_cast<double>(*new_util) / static_cast<double>(target_percent);
  // A change too small, or one whose direction the corrections flipped, keeps the count.
  if (within_tolerance(new_ratio, tolerance) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0))
    return current;
  const auto replicas = static_cast<int64_t>(std::ceil(new_ratio * static_cast<double>(metrics.size())));
  if ((new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current)) return current;
  return replicas;
}

}  // namespace replica_calc

HpaController::HpaController(HpaBehavior behavior, int64_t min_replicas, int64_t max_replicas)
    : behavior_(behavior), min_(min_replicas), max_(max_replicas) {}

HpaDecision HpaController::sync(sim::SimTime now, int64_t current, std::optional<int64_t> proposal) {
  HpaDecision d;
  d.current = current;
  d.proposal = proposal;
  d.stabilized = current;
  d.desired = current;
  if (current == 0 && min_ != 0) {
    // Scaled to zero from outside (KEDA, kubectl): the HPA does not act until it is back.
    d.reason = "ScalingDisabled";
    return d;
  }
  if (current > max_) {
    d.desired = max_;
    d.reason = "AboveMaxReplicas";
  } else if (current < min_) {
    d.desired = min_;
    d.reason = "BelowMinReplicas";
  } else if (!proposal) {
    d.reason = "FailedGetMetric";
    return d;
  } else {
    d.stabilized = stabilize(now, current, *proposal);
    d.desired = rate_limited(now, current, d.stabilized, d.reason);
  }
  if (d.desired != current) record_scale(now, current, d.desired);
  return d;
}

int64_t HpaController::stabilize(sim::SimTime now, int64_t current, int64_t proposal) {
  // R-H6/R-H7: scale up to at most the lowest recommendation of the scale-up window, down to at
  // least the highest of the scale-down window. Samples exactly at a cutoff no longer count.
  const int64_t up_cutoff = now.ns() - behavior_.scale_up.stabilization.count_ns();
  const int64_t down_cutoff = now.ns() - behavior_.scale_down.stabilization.count_ns();
  int64_t up = proposal, down = proposal;
  for (const Recommendation& r : recommendations_) {
    if (r.at.ns() > up_cutoff) up = std::min(up, r.replicas);
    if (r.at.ns() > down_cutoff) down = std::max(down, r.replicas);
  }
  int64_t stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  const int64_t oldest_needed = std::min(up_cutoff, down_cutoff);
  while (!recommendations_.empty() && recommendations_.front().at.ns() < oldest_needed) recommendations_.pop_front();
  recommendations_.push_back({now, proposal});
  return stabilized;
}

int64_t HpaController::change_within(sim::SimTime now, sim::Duration period, const std::deque<ScaleEvent>& events) const {
  int64_t sum = 0;
  for (const ScaleEvent& e : events)
    if (e.at.ns() > now.ns() - period.count_ns()) sum += e.change;
  return sum;
}

int64_t HpaController::rate_limited(sim::SimTime now, int64_t current, int64_t stabilized, std::string& reason) const {
  using Select = ScalingRules::Select;
  if (stabilized > current) {
    const ScalingRules& r = behavior_.scale_up;
    int64_t limit = current;
    if (r.select != Select::disabled && (r.percent > 0 || r.pods > 0)) {
      // The replicas at the start of the policy period: the limit is relative to them (R-H7).
      const int64_t start = current - change_within(now, r.period, ups_) + change_within(now, r.period, downs_);
      limit = r.select == Select::min ? INT64_MAX : INT64_MIN;
      auto pick = [&](int64_t proposed) {
        limit = r.select == Select::min ? std::min(limit, proposed) : std::max(limit, proposed);
      };
      if (r.pods > 0) pick(start + r.pods);
      if (r.percent > 0)
        pick(static_cast<int64_t>(std::ceil(static_cast<double>(start) * (1.0 + static_cast<double>(r.percent) / 100.0))));
    }
    limit = std::max(limit, current);
    int64_t allowed = max_;
    if (allowed > limit) {
      allowed = limit;
      reason = "ScaleUpLimit";
    } else {
      reason = "TooManyReplicas";
    }
    if (stabilized > allowed) return allowed;
  } else if (stabilized < current) {
    const ScalingRules& r = behavior_.scale_down;
    int64_t limit = current;
    if (r.select != Select::disabled && (r.percent > 0 || r.pods > 0)) {
      const int64_t start = current - change_within(now, r.period, ups_) + change_within(now, r.period, downs_);
      limit = r.select == Select::min ? INT64_MIN : INT64_MAX;
      auto pick = [&](int64_t proposed) {
        limit = r.select == Select::min ? std::max(limit, proposed) : std::min(limit, proposed);
      };
      if (r.pods > 0) pick(start - r.pods);
      if (r.percent > 0)
        pick(static_cast<int64_t>(static_cast<double>(start) * (1.0 - static_cast<double>(r.percent) / 100.0)));
    }
    limit = std::min(limit, current);
    int64_t allowed = min_;
    if (allowed < limit) {
      allowed = limit;
      reason = "ScaleDownLimit";
    } else {
      reason = "TooFewReplicas";
    }
    if (stabilized < allowed) return allowed;
  }
  reason = "DesiredWithinRange";
  return stabilized;
}

void HpaController::record_scale(sim::SimTime now, int64_t from, int64_t to) {
  if (to > from)
    ups_.push_back({now, to - from});
  else
    downs_.push_back({now, from - to});
  // Events older than the longest policy period never count again.
  const int64_t horizon =
      now.ns() - std::max(behavior_.scale_up.period.count_ns(), behavior_.scale_down.period.count_ns());
  for (auto* events : {&ups_, &downs_})
    while (!events->empty() && events->front().at.ns() <= horizon) events->pop_front();
}

sim::ParamSpec HpaController::target_param() {
  sim::ReferenceSpec target;
  target.target_kinds = {"consumer", "producer"};
  target.flow = sim::ReferenceSpec::Flow::none;
  target.wires = {{"scale", "scale"}};
  return sim::ParamSpec::ref("target", target)
      .require()
      .describe("the workload to scale (scaleTargetRef): a consumer or producer entry; its slots are max(count, max_count)");
}

sim::ReferenceSpec HpaController::queue_stats_reference() {
  sim::ReferenceSpec queue;
  queue.target_kinds = {"queue", "broker-cluster"};
  queue.flow = sim::ReferenceSpec::Flow::none;
  queue.wires = {{"queue_stats", "stats"}};
  return queue;
}

std::vector<sim::ParamSpec> HpaController::behavior_params() {
  using sim::ParamSpec;
  const std::vector<std::string> selects = {"max", "min", "disabled"};
  return {
      ParamSpec::duration("scale_up_stabilization")
          .def("0s")
          .at_least(0)
          .at_most(3600)
          .describe("behavior.scaleUp.stabilizationWindowSeconds: scale up to the lowest recommendation of this window")
          .from("R-H6 default 0 s"),
      ParamSpec::integer("scale_up_percent", "%")
          .def(100)
          .at_least(0)
          .describe("scale-up Percent policy: add at most this % of the replicas at the period start; 0 = no such policy")
          .from("R-H6 default 100 % per 15 s"),
      ParamSpec::integer("scale_up_pods", "pods")
          .def(4)
          .at_least(0)
          .describe("scale-up Pods policy: add at most this many pods per period; 0 = no such policy")
          .from("R-H6 default 4 pods per 15 s"),
      ParamSpec::duration("scale_up_period")
          .def("15s")
          .above(0)
          .at_most(1800)
          .describe("periodSeconds of both scale-up policies")
          .from("R-H6 default 15 s, at most 1800 s"),
      ParamSpec::choice("scale_up_select", selects)
          .def("max")
          .describe("behavior.scaleUp.selectPolicy: the policy allowing the largest change (max), the smallest (min), or none")
          .from("R-H6 default Max"),
      ParamSpec::duration("scale_down_stabilization")
          .def("300s")
          .at_least(0)
          .at_most(3600)
          .describe("behavior.scaleDown.stabilizationWindowSeconds: scale down only to the highest recommendation of this window")
          .from("R-H6 default 300 s"),
      ParamSpec::integer("scale_down_percent", "%")
          .def(100)
          .at_least(0)
          .at_most(100)
          .describe("scale-down Percent policy: remove at most this % of the replicas at the period start; 0 = no such policy")
          .from("R-H6 default 100 % per 15 s"),
      ParamSpec::integer("scale_down_pods", "pods")
          .def(0)
          .at_least(0)
          .describe("scale-down Pods policy: remove at most this many pods per period; 0 = no such policy")
          .from("R-H6: no Pods policy by default"),
      ParamSpec::duration("scale_down_period")
          .def("15s")
          .above(0)
          .at_most(1800)
          .describe("periodSeconds of both scale-down policies")
          .from("R-H6 default 15 s, at most 1800 s"),
      ParamSpec::choice("scale_down_select", selects)
          .def("max")
          .describe("behavior.scaleDown.selectPolicy: the policy allowing the largest change (max), the smallest (min), or none")
          .from("R-H6 default Max"),
  };
}

namespace {
ScalingRules rules_from(const sim::ParamValues& p, const std::string& dir) {
  ScalingRules r;
  r.stabilization = p.duration(dir + "_stabilization");
  r.percent = p.integer(dir + "_percent");
  r.pods = p.integer(dir + "_pods");
  r.period = p.duration(dir + "_period");
  const std::string& s = p.text(dir + "_select");
  r.select = s == "min" ? ScalingRules::Select::min : s == "disabled" ? ScalingRules::Select::disabled : ScalingRules::Select::max;
  return r;
}
}  // namespace

HpaBehavior HpaController::behavior_from(const sim::ParamValues& params) {
  HpaBehavior b;
  b.scale_up = rules_from(params, "scale_up");
  b.scale_down = rules_from(params, "scale_down");
  return b;
}

void HpaController::validate_behavior(const sim::ParamValues& p, const sim::Document& doc) {
  for (const std::string dir : {"scale_up", "scale_down"}) {
    if (p.text(dir + "_select") == "disabled") continue;
    if (p.integer(dir + "_percent") == 0 && p.integer(dir + "_pods") == 0)
      throw doc.error(p.pointer(dir + "_percent"), dir + "_percent and " + dir +
                                                       "_pods are both 0: give at least one policy, or set " + dir +
                                                       "_select: disabled");
  }
}

}  // namespace faultline::models
