#include "models/kubernetes/pod.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
std::string pod_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string workload_of(const std::string& path) {
  const auto slash = path.find('/');
  return slash == std::string::npos ? path : path.substr(0, slash);
}
const char* workload_metric(PodConfig::Controller c) {
  return c == PodConfig::Controller::statefulset ? "kube_statefulset_status_replicas_ready"
                                                 : "kube_deployment_status_replicas_ready";
}
const char* replicas_metric(PodConfig::Controller c) {
  return c == PodConfig::Controller::statefulset ? "kube_statefulset_status_replicas" : "kube_deployment_status_replicas";
}
const char* workload_label(PodConfig::Controller c) {
  return c == PodConfig::Controller::statefulset ? "statefulset" : "deployment";
}
}  // namespace

Pod::Pod(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      restarts_total_(sim.recorder().counter("kube_pod_container_status_restarts_total", {{"pod", pod_name(path())}},
                                             "Container restarts of the pod")),
      ready_gauge_(sim.recorder().gauge("kube_pod_status_ready", {{"pod", pod_name(path())}, {"condition", "true"}},
                                        "Whether the pod is ready (1) or not (0)")),
      workload_ready_(sim.recorder().gauge(
          workload_metric(config_.controller),
          {{workload_label(config_.controller), config_.workload.empty() ? workload_of(path()) : config_.workload}},
          "Ready pods of the workload")),
      workload_replicas_(sim.recorder().gauge(
          replicas_metric(config_.controller),
          {{workload_label(config_.controller), config_.workload.empty() ? workload_of(path()) : config_.workload}},
          "Existing pods of the workload")) {
  scale_ = &client_port<ScaleStatus, ScaleRequest, &Pod::on_scale>("scale");
  // NetworkChaos on this pod is applied by the network, on the pod's egress (R-N1).
  network_faults_ = &request_port<NetworkFaultChange, sim::FaultOutcome>("network-faults");
  // A scenario starts in steady state: every pod is up and ready, but for slots left for scaling.
  if (!config_.present) {
    state_ = State::absent;
    ready_gauge_.set(0);
    return;
  }
  state_ = State::ready;
  workload_replicas_.add(1);
  set_ready_metrics(true);
}

void Pod::on_scale(const ScaleRequest& r) {
  switch (r.op) {
    case ScaleRequest::Op::status:
      break;
    case ScaleRequest::Op::create:
      if (state_ != State::absent) break;
      // The controller creates the pod: scheduling, sandbox and image, then the app (R-K3).
      log_event("pod-created");
      workload_replicas_.add(1);
      ++generation_;
      schedule_container_start(config_.create_delay);
      break;
    case ScaleRequest::Op::remove: {
      if (state_ == State::absent) break;
      log_event("pod-removed");
      // R-K4: out of the Service at once; the app exits on SIGTERM. No replacement is made.
      stop_process(StopCause::scaled_in, nullptr);
      ++generation_;  // cancels any pending start
      state_ = State::absent;
      held_down_ = false;  // a pod-failure on the deleted pod does not restart it when it ends
      workload_replicas_.add(-1);
      break;
    }
  }
  ScaleStatus status;
  status.exists = state_ != State::absent;
  status.running = state_ == State::starting || state_ == State::running || state_ == State::ready;
  status.ready = ready();
  status.statefulset = config_.controller == PodConfig::Controller::statefulset;
  status.container_starts = restarts_;
  status.cpu_seconds = cpu_seconds_used();
  status.cpu_request = cpu_request_cores();
  scale_->send(status);
}

void Pod::set_ready_metrics(bool ready) {
  ready_gauge_.set(ready ? 1.0 : 0.0);
  workload_ready_.add(ready ? 1.0 : -1.0);
}

sim::FaultOutcome Pod::on_fault_start(const sim::Fault& f) {
  if (state_ == State::absent && (f.kind == "pod-kill" || f.kind == "container-kill" || f.kind == "pod-failure" ||
                                  f.kind == "node-down" || f.kind == "process-freeze"))
    return sim::FaultOutcome::unmapped("pod " + path() + " does not exist at this time (scaled in)");
  if (f.kind == "pod-kill") {
    const sim::Duration grace = f.duration_param("grace_period").value_or(sim::Duration::zero());
    if (grace > sim::Duration::zero() && process_running()) {
      // R-K4: the endpoint is removed as deletion starts; the process gets SIGKILL at the deadline.
      if (state_ == State::ready) {
        state_ = State::running;
        set_ready_metrics(false);
        on_unready();
      }
      log_event("pod-deleted", {{"grace_s", grace.seconds()}});
      sim().call_at(now() + grace, [this, f, gen = generation_] {
        if (gen == generation_) stop_process(StopCause::pod_deleted, &f);
      });
    } else {
      log_event("pod-deleted", {{"grace_s", 0.0}});
      stop_process(StopCause::pod_deleted, &f);
    }
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "container-kill") {
    stop_process(StopCause::container_killed, &f);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "pod-failure" || f.kind == "node-down") {
    held_down_ = true;
    stop_process(f.kind == "pod-failure" ? StopCause::pod_failure : StopCause::node_down, &f);
    return sim::FaultOutcome::ok();
  }
  if (f.kind == "process-freeze") {
    if (frozen_) return sim::FaultOutcome::ok();
    frozen_ = true;
    frozen_since_ = now();
    log_event("process-frozen");
    on_freeze();
    return sim::FaultOutcome::ok();
  }
  if (is_network_fault(f.kind)) {
    if (!network_faults_->connected())
      return sim::FaultOutcome::unmapped("the scenario has no network component (kind network) to apply " + f.kind +
                                         " to: add one to model the pods' traffic");
    return network_faults_->call(NetworkFaultChange{&f, index(), true});
  }
  return on_app_fault_start(f);
}

void Pod::on_fault_end(const sim::Fault& f) {
  if (f.kind == "pod-failure" || f.kind == "node-down") {
    if (!held_down_) return;
    held_down_ = false;
    // The container comes back in place (pod-failure restores the image; a returning node
    // restarts its containers).
    if (f.recovered && *f.recovered > now())
      schedule_container_start(*f.recovered - now());
    else
      schedule_container_start(sim::Duration::zero());
    return;
  }
  if (f.kind == "process-freeze") {
    if (!frozen_) return;
    frozen_ = false;
    log_event("process-thawed");
    for (const Deferred& d : deferred_) schedule_app(d.remaining, d.kind, d.arg, d.background);
    deferred_.clear();
    on_thaw();
    report_recovered(f);
    return;
  }
  if (is_network_fault(f.kind)) {
    if (network_faults_->connected()) network_faults_->call(NetworkFaultChange{&f, index(), false});
    return;
  }
  on_app_fault_end(f);
}

sim::FaultOutcome Pod::on_app_fault_start(const sim::Fault& f) {
  return sim::FaultOutcome::unmapped("a " + std::string(kind()) + " pod does not react to " + f.kind);
}

void Pod::handle_app(uint16_t event_kind, uint32_t) {
  throw std::logic_error("pod " + path() + " got app event " + std::to_string(event_kind) + " but handles none");
}

sim::Duration Pod::crash_backoff() {
  // R-K2: immediate first restart, then 10 s doubling to 300 s; reset after 10 min of running.
  if (now() - container_started_ >= sim::Duration::minutes(10)) backoff_step_ = 0;
  const uint32_t step = backoff_step_++;
  if (step == 0) return sim::Duration::zero();
  const int64_t seconds = std::min<int64_t>(300, int64_t{10} << std::min<uint32_t>(step - 1, 6));
  return sim::Duration::s(seconds);
}

void Pod::stop_process(StopCause cause, const sim::Fault* fault) {
  if (state_ == State::absent) return;
  const bool was_ready = state_ == State::ready;
  const bool was_up = process_running();
  ++generation_;
  state_ = State::stopped;
  frozen_ = false;
  deferred_.clear();
  if (fault != nullptr) pending_recovery_ = *fault;
  if (was_ready) {
    set_ready_metrics(false);
    on_unready();
  }
  if (was_up) {
    log_event("process-stopped", {{"cause", cause == StopCause::pod_deleted        ? "pod-deleted"
                                            : cause == StopCause::container_killed ? "container-killed"
                                            : cause == StopCause::pod_failure      ? "pod-failure"
                                            : cause == StopCause::node_down        ? "node-down"
                                            : cause == StopCause::scaled_in        ? "scaled-in"
                                                                                   : "crash"}});
    on_process_stop(cause);
  }
  if (held_down_) return;  // restarted when the fault ends
  if (fault != nullptr && fault->recovered && *fault->recovered > now()) {
    // Replay: the record says when the target served again; use it, not the model's delays.
    schedule_container_start(*fault->recovered - now());
    return;
  }
  switch (cause) {
    case StopCause::pod_deleted:
      schedule_container_start(config_.create_delay);  // a new pod (R-K1, R-K3)
      break;
    case StopCause::container_killed:
    case StopCause::crash:
      schedule_container_start(crash_backoff());  // restart in place (R-K2)
      break;
    case StopCause::pod_failure:
    case StopCause::node_down:
    case StopCause::scaled_in:
      break;
  }
}

void Pod::schedule_container_start(sim::Duration delay, bool background) {
  state_ = State::stopped;
  schedule_in(delay, kContainerStart, generation_, background);
}

void Pod::container_start() {
  state_ = State::starting;
  container_started_ = now();
  ++restarts_;
  restarts_total_.inc();
  log_event("container-started", {{"restarts", restarts_}});
  on_process_start();
  if (pending_recovery_ && pending_recovery_->recovered && *pending_recovery_->recovered <= now()) {
    app_up();  // replay: serving again at the recorded time
    return;
  }
  schedule_in(config_.app_start.sample_duration(rng("app-start")), kAppUp, generation_);
}

void Pod::app_up() {
  if (!app_can_start()) {
    app_start_failed();
    return;
  }
  state_ = State::running;
  if (pending_recovery_ && pending_recovery_->recovered && *pending_recovery_->recovered <= now()) {
    become_ready();
    return;
  }
  // R-K6: the first readiness probe at or after the app is up, then endpoint propagation (R-K11).
  const sim::SimTime first = container_started_ + config_.readiness_initial_delay;
  sim::SimTime probe = first;
  if (now() > first) {
    const int64_t period = std::max<int64_t>(1, config_.readiness_period.count_ns());
    const int64_t k = ((now() - first).count_ns() + period - 1) / period;
    probe = first + sim::Duration::ns(k * period);
  }
  schedule_at(probe + config_.endpoint_delay, kReady, generation_);
}

void Pod::app_start_failed() {
  ++generation_;
  state_ = State::stopped;
  const sim::Duration delay = crash_backoff();
  log_event("crash-loop-back-off", {{"restart_in_s", delay.seconds()}});
  on_process_stop(StopCause::crash);
  // A crash loop can last for ever (until an operator steps in): it must not keep a run
  // without a duration alive on its own.
  schedule_container_start(delay, true);
}

void Pod::crash() {
  if (!process_running()) return;
  stop_process(StopCause::crash, nullptr);
}

void Pod::restart_now() {
  if (state_ != State::stopped || held_down_) return;
  ++generation_;  // cancels a pending back-off start
  backoff_step_ = 0;
  log_event("container-restart-requested");
  schedule_container_start(sim::Duration::zero());
}

void Pod::become_ready() {
  state_ = State::ready;
  last_ready_ = now();
  set_ready_metrics(true);
  log_event("pod-ready");
  on_ready();
  if (pending_recovery_) {
    report_recovered(*pending_recovery_);
    pending_recovery_.reset();
  }
}

sim::EventId Pod::schedule_app(sim::Duration delay, uint16_t event_kind, uint32_t arg, bool background) {
  if (event_kind > kMaxAppEvent) throw std::logic_error("pod " + path() + ": app event kinds are 0..15");
  // Bit 12 marks housekeeping, so that a freeze defers it as housekeeping too.
  const auto tagged = static_cast<uint16_t>((background ? 0x1000u : 0u) | ((generation_ & 0xFFu) << 4) | event_kind);
  // Straight to the engine's inline push, not through Component::schedule_in: one call less on
  // the per-message path.
  return sim().schedule(now() + delay, *this, tagged, arg, background);
}

void Pod::handle(uint16_t event_kind, uint32_t arg) {
  if (event_kind < kPodEventBase) {
    // Events of a process that has stopped since are dropped with it.
    if (((event_kind >> 4) & 0xFFu) != (generation_ & 0xFFu) || !process_running()) return;
    const auto app_kind = static_cast<uint16_t>(event_kind & 0xFu);
    if (frozen_) {
      deferred_.push_back({now() - frozen_since_, app_kind, arg, (event_kind & 0x1000u) != 0});
      return;
    }
    handle_app(app_kind, arg);
    return;
  }
  if (arg != generation_) return;  // superseded by a later stop
  switch (event_kind) {
    case kContainerStart:
      container_start();
      break;
    case kAppUp:
      app_up();
      break;
    case kReady:
      if (!readiness_probe(now() - config_.endpoint_delay)) {
        schedule_in(config_.readiness_period, kReady, generation_, true);  // the next probe
        break;
      }
      become_ready();
      break;
    default:
      break;
  }
}

std::vector<sim::ParamSpec> Pod::pod_params(const std::string& app_start_default, const std::string& app_start_source,
                                            PodConfig::Controller controller, bool scalable) {
  using sim::ParamSpec;
  std::vector<ParamSpec> out;
  if (scalable)
    out.push_back(ParamSpec::integer("max_count", "pods")
                      .optional()
                      .at_least(0)
                      .describe("pods an autoscaler may scale to; slots beyond count start absent (count when unset)")
                      .from("HPA maxReplicas / KEDA maxReplicaCount (R-H1, R-KE2)"));
  std::vector<ParamSpec> common = {
      ParamSpec::choice("controller", {"deployment", "statefulset"})
          .def(controller == PodConfig::Controller::statefulset ? "statefulset" : "deployment")
          .describe("the workload controller of the pods (names the kube-state-metrics series)")
          .from("Kubernetes workload kinds"),
      ParamSpec::duration("create_delay")
          .def("5s")
          .at_least(0)
          .describe("from a pod's deletion to its replacement's container running (scheduling, sandbox, cached image)")
          .from("R-K3: SLO p99 ≤ 5 s from creation to containers started"),
      ParamSpec::distribution("app_start").def(app_start_default).describe("from container start to the application being up").from(app_start_source),
      ParamSpec::duration("readiness_initial_delay")
          .def("0s")
          .at_least(0)
          .describe("readiness probe initialDelaySeconds")
          .from("R-K5 default 0"),
      ParamSpec::duration("readiness_period")
          .def("10s")
          .above(0)
          .describe("readiness probe periodSeconds")
          .from("R-K5 default 10 s"),
      ParamSpec::duration("endpoint_delay")
          .def("1s")
          .at_least(0)
          .describe("from readiness to receiving traffic through the Service (EndpointSlice + kube-proxy)")
          .from("R-K11: 1–2 s"),
  };
  for (auto& p : common) out.push_back(std::move(p));
  return out;
}

PodConfig Pod::pod_config(const sim::ComponentInstance& inst) {
  PodConfig c;
  c.controller = inst.params.text("controller") == "statefulset" ? PodConfig::Controller::statefulset
                                                                  : PodConfig::Controller::deployment;
  c.workload = inst.base_name;
  c.create_delay = inst.params.duration("create_delay");
  c.app_start = inst.params.distribution("app_start");
  c.readiness_initial_delay = inst.params.duration("readiness_initial_delay");
  c.readiness_period = inst.params.duration("readiness_period");
  c.endpoint_delay = inst.params.duration("endpoint_delay");
  c.present = inst.present;
  return c;
}

}  // namespace faultline::models
