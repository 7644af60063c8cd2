// An HTTP service in an Istio mesh (domain_models.md §6, §8.5): the Kubernetes Service in front
// of its pods (service_pod), together with what every caller's Envoy sidecar does on the way to
// it, as the host's VirtualService route and DestinationRule configure it. Istio's configuration
// is keyed by destination host, so each service holds, for each calling pod, that pod's sidecar
// state for this cluster:
// - fault injection (mesh-abort, mesh-delay aimed at this service): a delay and an abort drawn
//   independently per request (R-E11); while a fault is on the route the sidecar applies
//   neither retries nor the route timeout (R-E9);
// - the route timeout over all tries, answered 504 (R-E1, R-E2); retries with a per-try
//   timeout, `retryOn`, jittered exponential back-off and the previous hosts avoided (R-E3,
//   R-E5..R-E8, retry_policy);
// - connection-pool circuit breaking, overflow answered 503 at once (R-E15, connection_pool);
// - load balancing over the ready endpoints (R-K11) minus the ejected ones, unless fewer than
//   the panic threshold are healthy (R-E14); outlier detection (R-E12, R-E13,
//   outlier_detector);
// - each hop's one-way delay asked of the network through the request port "network" (zero
//   without a network component); an unreachable host is a connect failure after the connect
//   timeout (R-E4), a lost answer leaves the caller to its timeouts;
// - Istio's request metrics at both ends (istio_metrics).
// The service's pods call the service named by `calls` through this component's "upstream"
// port. Pod faults go to the pods; mesh faults to the service.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/mesh/connection_pool.hpp"
#include "models/mesh/http_protocol.hpp"
#include "models/mesh/istio_metrics.hpp"
#include "models/mesh/outlier_detector.hpp"
#include "models/mesh/retry_policy.hpp"
#include "models/network/network_protocol.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

class ServicePod;

struct HttpServiceConfig {
  std::string space = "default";                 // Kubernetes namespace
  // VirtualService route to this host.
  std::optional<sim::Duration> timeout;          // R-E1: none
  RetryPolicy retries;                           // R-E5..R-E8
  // DestinationRule traffic policy.
  ConnectionPoolLimits pool;                     // R-E15
  sim::Duration connect_timeout = sim::Duration::s(10);  // R-E4
  enum class Balancer { round_robin, least_request };
  Balancer balancer = Balancer::round_robin;
  OutlierConfig outlier;                         // R-E12, R-E13
  double panic_threshold = 0.5;                  // R-E14
  bool calls = false;                            // the pods call the service named by `calls`
};

class HttpService final : public sim::Component {
 public:
  HttpService(sim::Simulation& sim, sim::ComponentIdentity id, HttpServiceConfig config);
  ~HttpService() override;
  [[nodiscard]] std::string_view kind() const override { return "http-service"; }
  void initialize() override;
  void handle(uint16_t event_kind, uint32_t arg) override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;
  sim::FaultOutcome on_fault_start(const sim::Fault& fault) override;
  void on_fault_end(const sim::Fault& fault) override;

  /// Called by the factory: the pods, in member order.
  void adopt_pod(ServicePod& pod) { pods_.push_back(&pod); }
  [[nodiscard]] const WorkloadIdentity& identity() const { return identity_; }
  [[nodiscard]] const HttpServiceConfig& config() const { return config_; }

  // ---- from the pods
  /// A pod became ready or stopped being ready: the Service's endpoints follow (R-K11).
  void endpoint_changed();
  /// The pod's application answered attempt `attempt`.
  void pod_answered(uint32_t attempt, int status);
  /// The pod's process stopped while it held attempt `attempt`.
  void pod_reset(uint32_t attempt);
  /// A pod calls the upstream service; its answer comes back through
  /// ServicePod::upstream_answered(slot, status). Returns the call's id.
  uint64_t call_upstream(ServicePod& pod, uint32_t slot);
  /// The pod no longer waits for call `call` (its own timeout, or it stopped).
  void abandon_call(uint64_t call);

  static sim::KindInfo kind_info();

 private:
  enum Event : uint16_t {
    kStart = 1, kFaultDelayDone, kArrive, kAnswerArrives, kConnectFailed, kPerTryTimeout, kRouteTimeout, kRetry, kSweep,
  };
  /// One calling pod's sidecar: its cluster for this service.
  struct Sidecar {
    uint32_t source = 0;
    const WorkloadIdentity* who = nullptr;
    const std::string* pod = nullptr;
    ConnectionPool pool;
    OutlierDetector outlier;
    size_t next_host = 0;                   // round robin
    std::vector<uint32_t> active_per_host;  // least request
    Sidecar(uint32_t src, const WorkloadIdentity* w, const std::string* p, const HttpServiceConfig& c, size_t hosts)
        : source(src), who(w), pod(p), pool(c.pool), outlier(c.outlier, hosts), active_per_host(hosts, 0) {}
  };
  /// A caller's request as its sidecar handles it, through its tries.
  struct Downstream {
    uint32_t connection = 0;
    uint64_t caller_id = 0;
    Sidecar* sidecar = nullptr;
    sim::SimTime started{};
    bool route_has_faults = false;  // R-E9: no retries, no route timeout
    int abort_status = 0;
    uint16_t flags = kNoFlags;
    uint32_t tries = 0;
    std::vector<size_t> tried;      // hosts already tried (R-E6)
    uint32_t attempt = 0;           // the try in progress, 0 for none
    bool holds_retry = false;       // counted in the pool's retry budget
    sim::EventId route_timer{};
    sim::EventId retry_timer{};
  };
  /// One try of a request on one host.
  struct Attempt {
    enum class State { waiting, connecting, to_host, at_host, returning, lost, orphaned };
    uint32_t downstream = 0;
    size_t host = 0;
    State state = State::waiting;
    bool holds_connection = false;
    sim::SimTime arrived{};
    int status = 0;
    sim::EventId per_try{};
    sim::EventId transit{};
  };
  struct ActiveFault {
    uint32_t id;
    bool abort;
    double percent;
    int status;
    sim::Duration delay;
  };
  struct Call {
    ServicePod* pod;
    uint32_t slot;
  };

  void on_http(uint32_t connection, const HttpRequest& request);
  void on_upstream_answer(const HttpResponse& response);
  Sidecar& sidecar(uint32_t connection, const HttpRequest& request);
  void start(uint32_t downstream);
  void proceed(uint32_t downstream);
  void start_try(uint32_t downstream);
  void send(uint32_t attempt);
  void arrive(uint32_t attempt);
  std::optional<size_t> pick_host(Sidecar& sidecar, const Downstream& d);
  /// Takes a try out of the pool, the network and the pod; returns the attempt waiting for
  /// the connection it freed, if any.
  std::optional<uint32_t> withdraw(uint32_t attempt, Attempt& at, bool caller_gave_up);
  /// The freed connection goes to the attempt that waited for it.
  void hand_connection(std::optional<uint32_t> next);
  /// Outlier detection sees the result of a try on `host`.
  void note_host(Sidecar& sidecar, size_t host, int status);
  /// A try ended: retry it, or answer the caller.
  void try_done(uint32_t attempt, const AttemptOutcome& outcome, uint16_t flags, bool caller_gave_up);
  void finish(uint32_t downstream, int status, uint16_t flags);
  void route_timeout(uint32_t downstream);
  void cancel_downstream(uint32_t connection, uint64_t caller_id);
  void sweep();
  [[nodiscard]] bool route_has_faults() const { return !faults_.empty(); }

  HttpServiceConfig config_;
  WorkloadIdentity identity_;
  IstioTelemetry telemetry_;
  HttpServerPort& http_;
  HttpClientPort& upstream_;
  NetworkPort& network_;
  std::vector<ServicePod*> pods_;
  std::vector<bool> endpoints_;  // pods in the Service's endpoints
  std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<Sidecar>> sidecars_;  // (connection, source pod)
  std::map<uint32_t, Downstream> downstream_;
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> by_caller_;  // (connection, caller's id)
  std::map<uint32_t, Attempt> attempts_;
  std::map<uint64_t, Call> calls_;  // this service's pods' outstanding upstream calls
  std::vector<ActiveFault> faults_;
  uint32_t next_downstream_ = 1;
  uint32_t next_attempt_ = 1;
  uint64_t next_call_ = 1;
  bool sweep_scheduled_ = false;
  sim::RandomStream& fault_rng_;
  sim::RandomStream& backoff_rng_;
  sim::RandomStream& balancer_rng_;
  // Summary figures.
  uint64_t requests_ = 0;
  uint64_t retries_ = 0;
  uint64_t per_try_timeouts_ = 0;
  uint64_t route_timeouts_ = 0;
  uint64_t aborts_injected_ = 0;
  uint64_t delays_injected_ = 0;
  uint64_t no_healthy_upstream_ = 0;
  uint64_t ejections_ = 0;
  std::map<int, uint64_t> answered_;  // final status → requests (reporter source)
};

}  // namespace faultline::models
