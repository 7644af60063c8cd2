// A Kubernetes pod's lifecycle, for every model that runs as a pod (producers, consumers,
// broker nodes, database nodes). It reacts to the pod faults of DESIGN §5 and tells the model
// when its process stops, starts and becomes ready:
//   pod-kill       the pod is deleted after its grace period and recreated by its controller
//                  (R-K1, R-K3): stop → create delay → container start → app start → readiness;
//   container-kill the container restarts in place, with CrashLoopBackOff delays on repeated
//                  restarts (R-K1, R-K2);
//   pod-failure    the pod stays but its process is gone for the fault's duration (R-K1);
//   node-down      the node stops: the pod's process is gone until the node returns (R-K12);
//   process-freeze SIGSTOP for the duration: the process lives but does nothing.
//   network-*      NetworkChaos: handed to the network component, which applies it to the
//                  pod's traffic (R-N1); unmapped when the scenario has no network.
// A pod becomes ready at the first readiness probe after its app is up, plus the endpoint
// propagation delay (R-K6, R-K11). A replay's recorded recovery time replaces the modelled one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/kubernetes/scaling_protocol.hpp"
#include "models/network/network_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/random/distribution.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct PodConfig {
  enum class Controller { deployment, statefulset };
  Controller controller = Controller::deployment;
  std::string workload;                               // the Deployment/StatefulSet name
  sim::Duration create_delay = sim::Duration::s(2);   // deletion → new container running (R-K3)
  sim::Distribution app_start = sim::Distribution::constant(1.0);  // container start → app up (s)
  sim::Duration readiness_initial_delay = sim::Duration::zero();   // R-K5
  sim::Duration readiness_period = sim::Duration::s(10);           // R-K5
  sim::Duration endpoint_delay = sim::Duration::s(1);              // R-K11
  bool present = true;  // false: a slot beyond the current replicas, created by scaling out
};

/// What stopped a pod's process; models decide what survives (a volume, nothing in memory).
enum class StopCause { pod_deleted, container_killed, pod_failure, node_down, crash, scaled_in };

class Pod : public sim::Component {
 public:
  Pod(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig config);

  /// The process exists (booting, running or ready), possibly frozen.
  [[nodiscard]] bool process_running() const { return state_ != State::stopped; }
  [[nodiscard]] bool ready() const { return state_ == State::ready && !frozen_; }
  [[nodiscard]] bool frozen() const { return frozen_; }
  [[nodiscard]] uint32_t restarts() const { return restarts_; }
  /// The pod exists (it was not scaled in, or was scaled out).
  [[nodiscard]] bool exists() const { return state_ != State::absent; }

  sim::FaultOutcome on_fault_start(const sim::Fault& fault) override;
  void on_fault_end(const sim::Fault& fault) override;
  void handle(uint16_t event_kind, uint32_t arg) final;

  /// The parameters every pod kind declares, with the kind's own app start-up default.
  /// `scalable`: the kind's pods can be scaled by an autoscaler (declares max_count).
  static std::vector<sim::ParamSpec> pod_params(const std::string& app_start_default, const std::string& app_start_source,
                                                PodConfig::Controller controller, bool scalable = false);
  static PodConfig pod_config(const sim::ComponentInstance& inst);

  /// Event kinds at or above this value belong to the pod lifecycle.
  static constexpr uint16_t kPodEventBase = 0x7000;
  static constexpr uint16_t kMaxAppEvent = 15;

 protected:
  /// The container started: the application boots (its state is what survived the stop).
  virtual void on_process_start() {}
  /// The process stopped; in-memory state is gone.
  virtual void on_process_stop(StopCause cause) { (void)cause; }
  /// The pod became ready / stopped being ready (Service endpoints follow).
  virtual void on_ready() {}
  virtual void on_unready() {}
  /// SIGSTOP / SIGCONT.
  virtual void on_freeze() {}
  virtual void on_thaw() {}
  /// The model's own events: kinds 0–15, scheduled with schedule_app. An event scheduled by a
  /// process that has since stopped never fires; one that falls while the process is frozen
  /// fires after the thaw, as late as the freeze lasted (SIGSTOP stops the process's clock).
  virtual void handle_app(uint16_t event_kind, uint32_t arg);
  /// `background`: housekeeping that must not keep a run without a duration alive.
  sim::EventId schedule_app(sim::Duration delay, uint16_t event_kind, uint32_t arg = 0, bool background = false);
  /// Faults other than the pod faults; default: unmapped.
  virtual sim::FaultOutcome on_app_fault_start(const sim::Fault& fault);
  virtual void on_app_fault_end(const sim::Fault& fault) { (void)fault; }

  /// The application failed to start (e.g. Galera's safe_to_bootstrap refusal): the kubelet
  /// restarts it with CrashLoopBackOff delays (R-K2).
  void app_start_failed();
  /// Whether the application is allowed to finish booting now; models override to hold the
  /// start (e.g. waiting for a manual restore). Checked when the app's start-up time elapses.
  virtual bool app_can_start() { return true; }
  /// The readiness probe that ran at `probe` (R-K6): a model whose application is up but cannot
  /// serve yet (a Galera joiner during its state transfer) fails it, and the kubelet probes
  /// again a period later. Checked when that probe's result would reach the endpoints.
  virtual bool readiness_probe(sim::SimTime probe) {
    (void)probe;
    return true;
  }
  /// The application aborted (e.g. InnoDB after an I/O error on its log): the kubelet
  /// restarts the container with CrashLoopBackOff delays (R-K2).
  void crash();
  /// An operator starts the stopped container now (e.g. a manual restore): a pending
  /// CrashLoopBackOff wait is cut short and the back-off count starts again (R-K2). Nothing
  /// happens while the process runs or while a pod-failure or node-down holds the pod down.
  void restart_now();

  /// CPU time the application used since the scenario's start, as the kubelet's summary API
  /// reports it to metrics-server (an HPA on CPU reads it); empty: the kind does not report it.
  [[nodiscard]] virtual std::optional<double> cpu_seconds_used() const { return std::nullopt; }
  /// The container's CPU request in cores (the HPA's utilisation is usage / request).
  [[nodiscard]] virtual double cpu_request_cores() const { return 1.0; }

  [[nodiscard]] const PodConfig& pod_config() const { return config_; }

 private:
  // Models schedule through schedule_app, which ties an event to the process that scheduled it.
  using sim::Component::schedule_at;
  using sim::Component::schedule_in;

  enum class State { running, ready, stopped, starting, absent };
  struct Deferred {
    sim::Duration remaining;
    uint16_t kind;
    uint32_t arg;
    bool background;
  };
  enum Event : uint16_t { kContainerStart = kPodEventBase, kAppUp, kReady, kThawPending };

  void stop_process(StopCause cause, const sim::Fault* fault);
  void on_scale(const ScaleRequest& request);  // answers on the same channel, at once
  void schedule_container_start(sim::Duration delay, bool background = false);
  void container_start();
  void app_up();
  void become_ready();
  void set_ready_metrics(bool ready);
  sim::Duration crash_backoff();

  PodConfig config_;
  State state_ = State::starting;
  bool frozen_ = false;
  sim::SimTime frozen_since_{};
  std::vector<Deferred> deferred_;  // app events that fell during a freeze
  bool held_down_ = false;     // pod-failure / node-down in progress: no restart until it ends
  uint32_t generation_ = 0;    // stale lifecycle events carry an older generation
  uint32_t restarts_ = 0;
  uint32_t backoff_step_ = 0;  // consecutive crash restarts (R-K2)
  sim::SimTime container_started_{};
  sim::SimTime last_ready_{};
  std::optional<sim::Fault> pending_recovery_;  // the fault whose recovery is reported at ready
  sim::ClientPort<ScaleStatus, ScaleRequest>* scale_ = nullptr;  // to the autoscaler, if one targets the workload
  sim::Counter& restarts_total_;
  sim::Gauge& ready_gauge_;
  sim::Gauge& workload_ready_;
  sim::Gauge& workload_replicas_;
  NetworkFaultPort* network_faults_ = nullptr;  // to the network, if the scenario has one
};

}  // namespace faultline::models
