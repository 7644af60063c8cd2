#include "models/autoscaler/keda_rabbitmq_scaler.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"
#include "sim/scenario/input_error.hpp"

namespace faultline::models {

namespace {
constexpr uint16_t kTick = 1;
sim::Labels keda_labels(const std::string& scaled_object, const std::string& metric) {
  return {{"metric", metric}, {"scaledObject", scaled_object}, {"scaler", "rabbitMQScaler"}};
}
}  // namespace

KedaRabbitmqScaler::KedaRabbitmqScaler(sim::Simulation& sim, sim::ComponentIdentity id, KedaRabbitmqConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      metric_name_("s0-rabbitmq-" + config_.queue_name),  // KEDA's name: trigger index, scaler, queue
      hpa_(sim, path(), "keda-hpa-" + path(), config_.behavior),
      queue_(request_port<QueueStatsRequest, QueueStats>("queue_stats")),
      metric_gauge_(sim.recorder().gauge("keda_scaler_metrics_value", keda_labels(path(), metric_name_),
                                         "The current value of the scaler's metric, as the last poll read it")),
      active_gauge_(sim.recorder().gauge("keda_scaler_active", keda_labels(path(), metric_name_),
                                         "1 while the trigger is active (metric above activationValue)")) {
  hpa_.target().bind(server_port_for<ScaleStatus, ScaleRequest, ScaleTarget, &ScaleTarget::on_status>("scale", &hpa_.target()));
}

void KedaRabbitmqScaler::initialize() {
  ScaleTarget& target = hpa_.target();
  target.initialize();
  const auto slots = static_cast<int64_t>(target.slot_count());
  if (slots == 0)
    throw sim::InputError(config_.file, config_.pointer + "/target", 0,
                          "the workload has no pods to scale: give it a count or a max_count");
  const int64_t max = config_.max_replica_count.value_or(slots);
  if (max > slots)
    throw sim::InputError(config_.file, config_.pointer + "/max_replica_count", 0,
                          "max_replica_count is " + std::to_string(max) + " but " + target.workload() + " has " +
                              std::to_string(slots) + " pod slot(s): set its max_count to at least " + std::to_string(max));
  if (config_.min_replica_count > max)
    throw sim::InputError(config_.file, config_.pointer + "/min_replica_count", 0,
                          "min_replica_count " + std::to_string(config_.min_replica_count) + " is above the maximum " +
                              std::to_string(max));
  if (!queue_.connected()) throw std::logic_error("KEDA scaler " + path() + " reads no queue");
  if (config_.paused) return;  // no generated HPA, no loops: the workload keeps its count
  // R-KE1: the generated HPA never goes below 1; 0 is KEDA's business.
  hpa_.start(std::max<int64_t>(config_.min_replica_count, 1), max);
  // A scenario starts in steady state: a workload already running was active until now. (A
  // ScaledObject created on a running workload has no lastActiveTime and scales it to 0 at its
  // first inactive poll, kedacore/keda#5008; that is not the steady state modelled here.)
  if (target.replicas() > 0) last_active_ = sim::SimTime::zero();
  if (config_.protocol == KedaRabbitmqConfig::Protocol::http)
    stats_loop_ = loops_.add(config_.management_stats_interval, sim::Duration::zero());
  poll_loop_ = loops_.add(config_.polling_interval, sim::Duration::zero());
  sync_loop_ = loops_.add(config_.hpa_sync_period, config_.hpa_sync_phase);
  schedule_next();
}

void KedaRabbitmqScaler::schedule_next() { schedule_at(loops_.next(), kTick, 0, true); }

void KedaRabbitmqScaler::handle(uint16_t event_kind, uint32_t) {
  if (event_kind != kTick) return;
  for (size_t loop : loops_.take_due(now())) {
    if (loop == stats_loop_) emit_stats();
    if (loop == poll_loop_) poll();
    if (loop == sync_loop_) hpa_sync();
  }
  schedule_next();
}

void KedaRabbitmqScaler::emit_stats() {
  // The management plugin's statistics emission (collect_statistics_interval): the HTTP API
  // serves these counts until the next one.
  previous_stats_ = stats_;
  stats_ = queue_.call(QueueStatsRequest{});
}

std::optional<double> KedaRabbitmqScaler::read_metric() {
  using Mode = KedaRabbitmqConfig::Mode;
  if (config_.protocol == KedaRabbitmqConfig::Protocol::amqp) {
    // R-KE3: a passive queue.declare answers the ready count at this moment.
    const QueueStats s = queue_.call(QueueStatsRequest{});
    if (!s.available) return std::nullopt;
    return static_cast<double>(s.ready);
  }
  if (!stats_ || !stats_->available) return std::nullopt;
  if (config_.mode == Mode::queue_length)
    return static_cast<double>(stats_->ready + (config_.exclude_unacknowledged ? 0 : stats_->unacked));
  // publish_details.rate: over the last emission interval; 0 until there are two emissions.
  if (!previous_stats_ || !previous_stats_->available) return 0.0;
  const uint64_t published = stats_->published - std::min(stats_->published, previous_stats_->published);
  return static_cast<double>(published) / config_.management_stats_interval.seconds();
}

MetricReading KedaRabbitmqScaler::reading(std::optional<double> value, bool for_activation) const {
  MetricReading r;
  r.name = metric_name_;
  r.value = value;
  r.target = for_activation ? config_.activation_value : config_.value;
  r.target_type = for_activation ? "activationValue" : config_.average_value ? "AverageValue" : "Value";
  return r;
}

void KedaRabbitmqScaler::note_error(bool failed) {
  if (failed == failing_) return;
  failing_ = failed;
  log_event(failed ? "scaler-error" : "scaler-recovered", {{"queue", config_.queue_name}});
}

void KedaRabbitmqScaler::poll() {
  ScaleTarget& target = hpa_.target();
  target.refresh();
  const std::optional<double> value = read_metric();
  polled_ = value;
  note_error(!value);
  if (!value) return;  // an erroring trigger neither activates nor scales to zero
  const bool active = *value > config_.activation_value;  // R-KE3: strictly above
  metric_gauge_.set(*value);
  active_gauge_.set(active ? 1.0 : 0.0);
  const int64_t current = target.replicas();
  if (current < config_.min_replica_count) {
    hpa_.scale_by_owner(now(), config_.min_replica_count, "BelowMinReplicaCount", reading(value, true));
    if (active) last_active_ = now();
    return;
  }
  if (active) {
    last_active_ = now();
    if (current == 0) {
      // R-KE1: activation, 0 → max(minReplicaCount, 1); the HPA takes over from there.
      ++activations_;
      hpa_.scale_by_owner(now(), std::max<int64_t>(config_.min_replica_count, 1), "Activation", reading(value, true));
    }
    return;
  }
  // R-KE2: back to zero once inactive for the cooldown (only with minReplicaCount 0).
  if (config_.min_replica_count != 0 || current == 0) return;
  const bool cooled = !last_active_ || *last_active_ + config_.cooldown_period < now();
  const bool initial_cooled = config_.initial_cooldown_period == sim::Duration::zero() ||
                              sim::SimTime::at(config_.initial_cooldown_period) < now();
  if (cooled && initial_cooled) {
    ++scale_to_zero_;
    hpa_.scale_by_owner(now(), 0, "CooldownToZero", reading(value, true));
  }
}

void KedaRabbitmqScaler::hpa_sync() {
  ScaleTarget& target = hpa_.target();
  target.refresh();
  // KEDA's metrics server queries RabbitMQ when the HPA asks, unless metrics are cached.
  const std::optional<double> value = config_.use_cached_metrics ? polled_ : read_metric();
  std::optional<int64_t> proposal;
  if (value) {
    proposal = config_.average_value
                   ? replica_calc::external_average_value(*value, config_.value, target.replicas(), config_.tolerance)
                   : replica_calc::external_value(*value, config_.value, target.replicas(), target.ready(), config_.tolerance);
  }
  hpa_.sync(now(), proposal, reading(value, false));
}

nlohmann::ordered_json KedaRabbitmqScaler::summary() const {
  nlohmann::ordered_json j = hpa_.summary();
  j["activations"] = activations_;
  j["scaled_to_zero"] = scale_to_zero_;
  if (config_.paused) j["paused"] = true;
  return j;
}

sim::KindInfo KedaRabbitmqScaler::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "keda-rabbitmq-scaler";
  k.help =
      "a KEDA ScaledObject with a rabbitmq trigger and the HPA it generates (keda-hpa-<name>): KEDA polls the queue "
      "every polling_interval, activates the workload from 0 when the metric exceeds activation_value and returns it "
      "to 0 after cooldown_period without activity; between 1 and max the HPA syncs every hpa_sync_period with "
      "desired = ceil(metric / value) (AverageValue), stabilization windows and scale policies. Pods are created and "
      "deleted through the workload's slots (its max_count) and start with their own delays.";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::other;
  const sim::ReferenceSpec queue = HpaController::queue_stats_reference();
  k.params = {
      HpaController::target_param(),
      ParamSpec::ref("queue", queue)
          .require()
          .describe("the trigger's queue (queueName): a queue, or a broker cluster's queue (\"rabbitmq.orders\")"),
      ParamSpec::choice("mode", {"QueueLength", "MessageRate"})
          .def("QueueLength")
          .describe("QueueLength: messages in the queue; MessageRate: publish rate into it (needs protocol http)")
          .from("R-KE3"),
      ParamSpec::number("value", "messages or msg/s")
          .require()
          .above(0)
          .describe("the target per replica: queue length (QueueLength) or publish rate (MessageRate)")
          .from("R-KE3; the deprecated queueLength defaulted to 20"),
      ParamSpec::number("activation_value", "messages or msg/s")
          .def(0.0)
          .at_least(0)
          .describe("activationValue: the trigger is active while the metric is above it (0 → 1 and back to 0)")
          .from("R-KE3 default 0"),
      ParamSpec::choice("protocol", {"amqp", "http"})
          .def("amqp")
          .describe("amqp: passive queue.declare, ready messages, live; http: management API, ready + unacked, as of the "
                    "last statistics emission")
          .from("R-KE3"),
      ParamSpec::boolean("exclude_unacknowledged")
          .def(false)
          .describe("http, QueueLength: count ready messages only")
          .from("R-KE3"),
      ParamSpec::choice("metric_type", {"AverageValue", "Value"})
          .def("AverageValue")
          .describe("AverageValue: desired = ceil(metric / value); Value: desired = ceil(current ready pods × metric / value)")
          .from("R-KE4 default AverageValue"),
      ParamSpec::duration("polling_interval")
          .def("30s")
          .above(0)
          .describe("pollingInterval: how often KEDA checks the trigger (governs activation and the return to 0)")
          .from("R-KE2 default 30 s"),
      ParamSpec::duration("cooldown_period")
          .def("300s")
          .at_least(0)
          .describe("cooldownPeriod: inactive this long (strictly) before scaling back to 0; only with min_replica_count 0")
          .from("R-KE2 default 300 s"),
      ParamSpec::duration("initial_cooldown_period")
          .def("0s")
          .at_least(0)
          .describe("initialCooldownPeriod: no scaling to 0 before this long after the start")
          .from("R-KE2 default 0"),
      ParamSpec::integer("min_replica_count", "pods")
          .def(0)
          .at_least(0)
          .describe("minReplicaCount; 0 lets KEDA scale the workload to zero (activation then brings it back)")
          .from("R-KE2 default 0"),
      ParamSpec::integer("max_replica_count", "pods")
          .optional()
          .at_least(1)
          .describe("maxReplicaCount; unset: every slot of the target (its max_count; KEDA's own default is 100)")
          .from("R-KE2 default 100"),
      ParamSpec::boolean("use_cached_metrics")
          .def(false)
          .describe("the HPA gets the last poll's value instead of a fresh query (adds up to polling_interval of lag)")
          .from("KEDA trigger useCachedMetrics, default false [KEDA-SO-SPEC]"),
      ParamSpec::duration("management_stats_interval")
          .def("5s")
          .above(0)
          .describe("protocol http: how often the management plugin emits queue statistics (collect_statistics_interval)")
          .from("RabbitMQ management collect_statistics_interval default 5000 ms [UNVERIFIED here]"),
      ParamSpec::duration("hpa_sync_period")
          .def("15s")
          .above(0)
          .describe("the generated HPA's sync period (--horizontal-pod-autoscaler-sync-period)")
          .from("R-H3, R-KE2: for 1→N the HPA polls every 15 s"),
      ParamSpec::duration("hpa_sync_phase")
          .def("0s")
          .at_least(0)
          .describe("the generated HPA's first sync; KEDA polls from 0 s")
          .from("R-H3: the loop's phase is arbitrary in a cluster"),
      ParamSpec::number("tolerance", "")
          .def(0.1)
          .at_least(0)
          .describe("the generated HPA's tolerance: no scaling while |metric / (value × replicas) − 1| ≤ tolerance")
          .from("R-H2 default 0.1"),
      ParamSpec::boolean("paused")
          .def(false)
          .describe("the annotation autoscaling.keda.sh/paused: \"true\": KEDA neither polls nor scales (no generated "
                    "HPA); the workload keeps its count")
          .from("KEDA ScaledObject pause annotation [KEDA-SO-SPEC]"),
  };
  for (auto& p : HpaController::behavior_params()) k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t, const sim::Document& doc) {
    if (p.text("mode") == "MessageRate" && p.text("protocol") != "http")
      throw doc.error(p.pointer("mode"), "mode MessageRate reads the management API: set protocol: http");
    if (p.boolean("exclude_unacknowledged") && p.text("protocol") != "http")
      throw doc.error(p.pointer("exclude_unacknowledged"), "exclude_unacknowledged is for protocol http (amqp counts ready messages only)");
    if (p.has("max_replica_count") && p.integer("max_replica_count") < p.integer("min_replica_count"))
      throw doc.error(p.pointer("max_replica_count"), "max_replica_count is below min_replica_count");
    HpaController::validate_behavior(p, doc);
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    const sim::ParamValues& p = inst.params;
    KedaRabbitmqConfig c;
    c.mode = p.text("mode") == "MessageRate" ? KedaRabbitmqConfig::Mode::message_rate : KedaRabbitmqConfig::Mode::queue_length;
    c.value = p.number("value");
    c.activation_value = p.number("activation_value");
    c.protocol = p.text("protocol") == "http" ? KedaRabbitmqConfig::Protocol::http : KedaRabbitmqConfig::Protocol::amqp;
    c.exclude_unacknowledged = p.boolean("exclude_unacknowledged");
    c.average_value = p.text("metric_type") == "AverageValue";
    c.use_cached_metrics = p.boolean("use_cached_metrics");
    c.polling_interval = p.duration("polling_interval");
    c.cooldown_period = p.duration("cooldown_period");
    c.initial_cooldown_period = p.duration("initial_cooldown_period");
    c.min_replica_count = p.integer("min_replica_count");
    if (p.has("max_replica_count")) c.max_replica_count = p.integer("max_replica_count");
    c.management_stats_interval = p.duration("management_stats_interval");
    c.hpa_sync_period = p.duration("hpa_sync_period");
    c.hpa_sync_phase = p.duration("hpa_sync_phase");
    c.tolerance = p.number("tolerance");
    c.paused = p.boolean("paused");
    c.behavior = HpaController::behavior_from(p);
    const std::string& queue_ref = p.text("queue");  // "rabbitmq.orders" or a queue's name
    c.queue_name = queue_ref.substr(queue_ref.find('.') == std::string::npos ? 0 : queue_ref.find('.') + 1);
    c.file = inst.file;
    c.pointer = inst.pointer;
    return sim.add<KedaRabbitmqScaler>({inst.path, inst.labels}, std::move(c));
  };
  return k;
}

}  // namespace faultline::models
