#include "models/autoscaler/hpa_object.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
sim::Labels hpa_labels(const std::string& name) { return {{"horizontalpodautoscaler", name}}; }
nlohmann::ordered_json metric_fields(const MetricReading& m) {
  nlohmann::ordered_json j;
  j["metric"] = m.name;
  j["value"] = m.value ? nlohmann::ordered_json(*m.value) : nlohmann::ordered_json(nullptr);
  j["target"] = m.target;
  j["target_type"] = m.target_type;
  return j;
}
}  // namespace

HpaObject::HpaObject(sim::Simulation& sim, std::string owner, std::string name, HpaBehavior behavior)
    : sim_(sim),
      owner_(std::move(owner)),
      name_(std::move(name)),
      behavior_(behavior),
      current_(sim.recorder().gauge("kube_horizontalpodautoscaler_status_current_replicas", hpa_labels(name_),
                                    "Current number of replicas of pods managed by this autoscaler")),
      desired_(sim.recorder().gauge("kube_horizontalpodautoscaler_status_desired_replicas", hpa_labels(name_),
                                    "Desired number of replicas of pods managed by this autoscaler")),
      min_gauge_(sim.recorder().gauge("kube_horizontalpodautoscaler_spec_min_replicas", hpa_labels(name_),
                                      "Lower limit for the number of pods that can be set by the autoscaler")),
      max_gauge_(sim.recorder().gauge("kube_horizontalpodautoscaler_spec_max_replicas", hpa_labels(name_),
                                      "Upper limit for the number of pods that can be set by the autoscaler")) {}

void HpaObject::start(int64_t min_replicas, int64_t max_replicas) {
  controller_.emplace(behavior_, min_replicas, max_replicas);
  min_gauge_.set(static_cast<double>(min_replicas));
  max_gauge_.set(static_cast<double>(max_replicas));
  const int64_t now_replicas = target_.replicas();
  current_.set(static_cast<double>(now_replicas));
  desired_.set(static_cast<double>(now_replicas));
  peak_ = now_replicas;
}

HpaDecision HpaObject::sync(sim::SimTime now, std::optional<int64_t> proposal, const MetricReading& metric) {
  const HpaDecision d = controller_->sync(now, target_.replicas(), proposal);
  current_.set(static_cast<double>(d.current));
  // A failed metric read leaves the status's desired count as it was.
  if (d.reason != "FailedGetMetric") desired_.set(static_cast<double>(d.desired));
  if (d.rescale()) {
    nlohmann::ordered_json fields = metric_fields(metric);
    fields["proposal"] = d.proposal ? nlohmann::ordered_json(*d.proposal) : nlohmann::ordered_json(nullptr);
    fields["stabilized"] = d.stabilized;
    fields["reason"] = d.reason;
    apply(now, d.current, d.desired, std::move(fields));
  }
  return d;
}

void HpaObject::scale_by_owner(sim::SimTime now, int64_t to, const std::string& reason, const MetricReading& metric) {
  const int64_t from = target_.replicas();
  if (to == from) return;
  nlohmann::ordered_json fields = metric_fields(metric);
  fields["reason"] = reason;
  apply(now, from, to, std::move(fields));
}

void HpaObject::apply(sim::SimTime now, int64_t from, int64_t to, nlohmann::ordered_json fields) {
  nlohmann::ordered_json line;
  line["hpa"] = name_;
  line["workload"] = target_.workload();
  line["from"] = from;
  line["to"] = to;
  for (auto& [k, v] : fields.items()) line[k] = v;
  sim_.events().record(now, owner_, "scaled", line);
  target_.scale_to(to, now);
  if (to > from)
    ++scale_ups_;
  else
    ++scale_downs_;
  peak_ = std::max(peak_, to);
}

nlohmann::ordered_json HpaObject::summary() const {
  return {{"hpa", name_},
          {"scale_ups", scale_ups_},
          {"scale_downs", scale_downs_},
          {"peak_replicas", peak_},
          {"replicas_at_end", target_.replicas()}};
}

}  // namespace faultline::models
