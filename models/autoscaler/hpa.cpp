#include "models/autoscaler/hpa.hpp"

#include "sim/core/simulation.hpp"
#include "sim/scenario/input_error.hpp"

namespace faultline::models {

namespace {
constexpr uint16_t kTick = 1;
}

HorizontalPodAutoscaler::HorizontalPodAutoscaler(sim::Simulation& sim, sim::ComponentIdentity id, HpaConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      hpa_(sim, path(), path(), config_.behavior),
      queue_(request_port<QueueStatsRequest, QueueStats>("queue_stats")) {
  hpa_.target().bind(server_port_for<ScaleStatus, ScaleRequest, ScaleTarget, &ScaleTarget::on_status>("scale", &hpa_.target()));
}

void HorizontalPodAutoscaler::initialize() {
  ScaleTarget& target = hpa_.target();
  target.initialize();
  const auto slots = static_cast<int64_t>(target.slot_count());
  if (slots == 0)
    throw sim::InputError(config_.file, config_.pointer + "/target", 0,
                          "the workload has no pods to scale: give it a count or a max_count");
  const int64_t max = config_.max_replicas.value_or(slots);
  if (max > slots)
    throw sim::InputError(config_.file, config_.pointer + "/max_replicas", 0,
                          "max_replicas is " + std::to_string(max) + " but " + target.workload() + " has " +
                              std::to_string(slots) + " pod slot(s): set its max_count to at least " + std::to_string(max));
  if (config_.min_replicas > max)
    throw sim::InputError(config_.file, config_.pointer + "/min_replicas", 0,
                          "min_replicas " + std::to_string(config_.min_replicas) + " is above the maximum " +
                              std::to_string(max) + " (max_replicas, or the slots of " + target.workload() + ")");
  if (config_.metric == HpaConfig::Metric::cpu && !target.slots().front().status.cpu_seconds)
    throw sim::InputError(config_.file, config_.pointer + "/metric", 0,
                          "the pods of " + target.workload() + " report no CPU use: use metric: queue");
  if (config_.metric == HpaConfig::Metric::queue && !queue_.connected())
    throw std::logic_error("hpa " + path() + " has a queue metric but no queue");
  hpa_.start(config_.min_replicas, max);
  last_scrape_.assign(target.slot_count(), std::nullopt);
  cpu_rate_.assign(target.slot_count(), std::nullopt);
  sample_loop_ = loops_.add(config_.metric_interval, sim::Duration::zero());
  sync_loop_ = loops_.add(config_.sync_period, config_.sync_phase);
  schedule_next();
}

void HorizontalPodAutoscaler::schedule_next() {
  // Control loops are housekeeping: they never keep a run without a duration alive.
  schedule_at(loops_.next(), kTick, 0, true);
}

void HorizontalPodAutoscaler::handle(uint16_t event_kind, uint32_t) {
  if (event_kind != kTick) return;
  for (size_t loop : loops_.take_due(now())) {
    if (loop == sample_loop_) sample();
    if (loop == sync_loop_) sync();
  }
  schedule_next();
}

void HorizontalPodAutoscaler::sample() {
  if (config_.metric == HpaConfig::Metric::queue) {
    queue_sample_ = queue_.call(QueueStatsRequest{});
    return;
  }
  // metrics-server: a pod's usage is the rate of its CPU counter between its last two scrapes,
  // within one container's life.
  ScaleTarget& target = hpa_.target();
  for (size_t i = 0; i < target.slot_count(); ++i) {
    const ScaleStatus& s = target.query(i);
    if (!s.exists || !s.running || !s.cpu_seconds) {
      last_scrape_[i].reset();
      cpu_rate_[i].reset();
      continue;
    }
    const CpuScrape scrape{now(), *s.cpu_seconds, s.container_starts};
    const auto& last = last_scrape_[i];
    if (last && last->container_starts == scrape.container_starts && last->at < scrape.at)
      cpu_rate_[i] = (scrape.cpu_seconds - last->cpu_seconds) / (scrape.at - last->at).seconds();
    else
      cpu_rate_[i].reset();
    last_scrape_[i] = scrape;
  }
}

std::optional<int64_t> HorizontalPodAutoscaler::cpu_proposal(MetricReading& reading) {
  const ScaleTarget& target = hpa_.target();
  std::vector<PodCpu> pods;
  for (size_t i = 0; i < target.slot_count(); ++i) {
    const ScaleStatus& s = target.slots()[i].status;
    if (!s.exists) continue;
    PodCpu p;
    p.request_cores = s.cpu_request;
    // R-H4: pending pods are unready, pods without a metric missing, and for CPU a pod that is
    // not ready does not count either.
    if (!s.running)
      p.group = PodCpu::Group::unready;
    else if (!cpu_rate_[i])
      p.group = PodCpu::Group::missing;
    else if (!s.ready)
      p.group = PodCpu::Group::unready;
    else
      p.usage_cores = *cpu_rate_[i];
    pods.push_back(p);
  }
  reading.name = "cpu";
  reading.target = static_cast<double>(config_.target_utilization_percent);
  reading.target_type = "Utilization";
  if (const auto util = replica_calc::utilization_percent(pods)) reading.value = static_cast<double>(*util);
  return replica_calc::cpu_utilization(pods, config_.target_utilization_percent, target.replicas(), config_.tolerance);
}

std::optional<int64_t> HorizontalPodAutoscaler::queue_proposal(MetricReading& reading) {
  const ScaleTarget& target = hpa_.target();
  reading.name = config_.count_unacked ? "rabbitmq_queue_messages" : "rabbitmq_queue_messages_ready";
  reading.target = config_.target_value;
  const bool average = config_.target_type == HpaConfig::TargetType::average_value;
  reading.target_type = average ? "AverageValue" : "Value";
  // Nothing sampled yet, or the broker did not answer: the controller skips the sync.
  if (!queue_sample_ || !queue_sample_->available) return std::nullopt;
  const double value =
      static_cast<double>(queue_sample_->ready + (config_.count_unacked ? queue_sample_->unacked : 0));
  reading.value = value;
  if (average) return replica_calc::external_average_value(value, config_.target_value, target.replicas(), config_.tolerance);
  return replica_calc::external_value(value, config_.target_value, target.replicas(), target.ready(), config_.tolerance);
}

void HorizontalPodAutoscaler::sync() {
  hpa_.target().refresh();
  MetricReading reading;
  const std::optional<int64_t> proposal =
      config_.metric == HpaConfig::Metric::cpu ? cpu_proposal(reading) : queue_proposal(reading);
  hpa_.sync(now(), proposal, reading);
}

nlohmann::ordered_json HorizontalPodAutoscaler::summary() const { return hpa_.summary(); }

sim::KindInfo HorizontalPodAutoscaler::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "hpa";
  k.help =
      "a HorizontalPodAutoscaler on a consumer or producer workload: every sync_period, desired = ceil(current × "
      "metric / target) outside the tolerance, then stabilization windows, scale policies and [min, max]; the metric is "
      "the pods' CPU utilisation (metrics-server) or a queue's length (an external metric through a metrics adapter), "
      "sampled every metric_interval. Pods are created and deleted through the workload's slots (its max_count).";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::other;
  const sim::ReferenceSpec queue = HpaController::queue_stats_reference();
  k.params = {
      HpaController::target_param(),
      ParamSpec::integer("min_replicas", "pods")
          .def(1)
          .at_least(1)
          .describe("minReplicas: the HPA never scales below it; a workload at 0 pods is left alone (Kubernetes "
                    "disables the HPA then: use keda-rabbitmq-scaler to scale from 0)")
          .from("[K8S-HPA] autoscaling/v2 minReplicas default 1"),
      ParamSpec::integer("max_replicas", "pods")
          .optional()
          .at_least(1)
          .describe("maxReplicas; unset: every slot of the target (its max_count); more than its slots is an error")
          .from("R-H7: clamp to [min, max]"),
      ParamSpec::choice("metric", {"cpu", "queue"})
          .def("cpu")
          .describe("cpu: the pods' CPU utilisation against target_utilization (pods must report CPU: consumers); "
                    "queue: a queue's length as an external metric against target_value")
          .from("R-H1, R-H4; autoscaling/v1 scales on CPU when no metric is given"),
      ParamSpec::integer("target_utilization", "%")
          .def(80)
          .above(0)
          .describe("metric cpu: target averageUtilization, in % of each pod's CPU request (a consumer's cpus); may exceed 100")
          .from("autoscaling/v1 targetCPUUtilizationPercentage default 80"),
      ParamSpec::ref("queue", queue)
          .optional()
          .describe("metric queue: the queue whose length is the metric: a queue, or a broker cluster's queue (\"rabbitmq.orders\")"),
      ParamSpec::choice("queue_metric", {"messages_ready", "messages"})
          .def("messages_ready")
          .describe("metric queue: rabbitmq_queue_messages_ready (ready only) or rabbitmq_queue_messages (ready + unacked)")
          .from("chaos_formats §5.3 rabbitmq_prometheus names"),
      ParamSpec::choice("target_type", {"AverageValue", "Value"})
          .def("AverageValue")
          .describe("metric queue: AverageValue: target_value messages per pod, desired = ceil(metric / target_value); "
                    "Value: target_value in total, desired = ceil(metric / target_value × ready pods)")
          .from("R-KE4 (AverageValue), R-H1 and R-H4 (Value)"),
      ParamSpec::number("target_value", "messages")
          .optional()
          .above(0)
          .describe("metric queue: the target (per pod for AverageValue, in total for Value); required with metric queue")
          .from("R-KE4"),
      ParamSpec::duration("metric_interval")
          .def("15s")
          .above(0)
          .describe("how often the metric pipeline samples, hence the metric lag: metrics-server's metric-resolution "
                    "(cpu), or the Prometheus scrape behind the adapter (queue)")
          .from("metrics-server upstream manifests --metric-resolution=15s (kubernetes PR #117121)"),
      ParamSpec::duration("sync_period")
          .def("15s")
          .above(0)
          .describe("--horizontal-pod-autoscaler-sync-period: the controller's loop")
          .from("R-H3 default 15 s"),
      ParamSpec::duration("sync_phase")
          .def("0s")
          .at_least(0)
          .describe("the first sync's time; the metric is sampled from 0 s, so a phase of p reads samples p old at most")
          .from("R-H3: the loop's phase is arbitrary in a cluster"),
      ParamSpec::number("tolerance", "")
          .def(0.1)
          .at_least(0)
          .describe("no scaling while |metric / target − 1| ≤ tolerance")
          .from("R-H2 default 0.1"),
  };
  for (auto& p : HpaController::behavior_params()) k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t, const sim::Document& doc) {
    const bool queue_metric = p.text("metric") == "queue";
    if (queue_metric && !p.has("queue"))
      throw doc.error(p.pointer("metric"), "metric queue needs \"queue\": the queue whose length is the metric");
    if (queue_metric && !p.has("target_value"))
      throw doc.error(p.pointer("metric"), "metric queue needs \"target_value\" (messages per pod for AverageValue)");
    if (!queue_metric && p.has("queue"))
      throw doc.error(p.pointer("queue"), "\"queue\" is only read with metric: queue (this HPA scales on cpu)");
    if (!queue_metric && p.has("target_value"))
      throw doc.error(p.pointer("target_value"), "\"target_value\" is for metric: queue; metric cpu uses target_utilization");
    if (p.has("max_replicas") && p.integer("max_replicas") < p.integer("min_replicas"))
      throw doc.error(p.pointer("max_replicas"), "max_replicas is below min_replicas");
    HpaController::validate_behavior(p, doc);
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    const sim::ParamValues& p = inst.params;
    HpaConfig c;
    c.metric = p.text("metric") == "queue" ? HpaConfig::Metric::queue : HpaConfig::Metric::cpu;
    c.target_utilization_percent = p.integer("target_utilization");
    c.count_unacked = p.text("queue_metric") == "messages";
    c.target_type = p.text("target_type") == "Value" ? HpaConfig::TargetType::value : HpaConfig::TargetType::average_value;
    if (p.has("target_value")) c.target_value = p.number("target_value");
    c.min_replicas = p.integer("min_replicas");
    if (p.has("max_replicas")) c.max_replicas = p.integer("max_replicas");
    c.sync_period = p.duration("sync_period");
    c.sync_phase = p.duration("sync_phase");
    c.metric_interval = p.duration("metric_interval");
    c.tolerance = p.number("tolerance");
    c.behavior = HpaController::behavior_from(p);
    c.file = inst.file;
    c.pointer = inst.pointer;
    return sim.add<HorizontalPodAutoscaler>({inst.path, inst.labels}, std::move(c));
  };
  return k;
}

}  // namespace faultline::models
