// A pod of an HTTP service (productpage, reviews, ratings): the application behind the sidecar.
// A request takes one of `concurrency` workers (a thread-per-request server), waiting in a queue
// of `queue_limit` when all are busy; a request that finds the queue full is answered 503. The
// worker does the service's own work for `service_time`, then, if the service calls another,
// makes that call and waits for it, holding the worker (a blocking client). When the call fails
// (5xx, or the application's own `call_timeout`), the application answers `error_status`, or,
// with a fallback, a degraded 200 after `fallback_time` (R-E16: reviews without ratings).
// - Pod faults follow the pod lifecycle (pod.hpp); a stopped pod resets the requests it held
//   and abandons its calls.
// - stress-cpu stretches the work by the share of CPU the stressors take; io-fault answers 500
//   for that share of requests (one volume access per request [DERIVED]); io-latency adds its
//   delay to that share of requests.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "models/kubernetes/pod.hpp"
#include "sim/random/distribution.hpp"

namespace faultline::models {

class HttpService;

struct ServicePodConfig {
  sim::Distribution service_time = sim::Distribution::constant(0.005);  // seconds
  uint32_t concurrency = 0;        // workers; 0 = no limit
  uint32_t queue_limit = 0;        // requests waiting for a worker; 0 = no limit
  std::optional<sim::Duration> call_timeout;  // the application's own limit on its upstream call
  bool fallback = false;           // R-E16
  sim::Duration fallback_time = sim::Duration::zero();
  int error_status = 500;
  int overload_status = 503;
  double cpus = 1.0;
};

class ServicePod final : public Pod {
 public:
  ServicePod(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ServicePodConfig config,
             HttpService& service);
  [[nodiscard]] std::string_view kind() const override { return "http-service-pod"; }
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  /// The application listens (its process is up, possibly frozen): a request that reaches a pod
  /// that does not is a connection failure.
  [[nodiscard]] bool accepting() const { return process_running() && up_; }
  /// The pod is one of the Service's endpoints: from ready until unready (a frozen pod stays
  /// one until the kubelet notices, and requests to it hang).
  [[nodiscard]] bool in_service() const { return in_service_; }
  /// Attempt `attempt` reached this pod.
  void serve(uint32_t attempt);
  /// The answer to the upstream call of request `slot`; status 0 when no answer will come.
  void upstream_answered(uint32_t slot, int status);

 protected:
  void handle_app(uint16_t event_kind, uint32_t arg) override;
  void on_process_stop(StopCause cause) override;
  void on_ready() override;
  void on_unready() override;
  sim::FaultOutcome on_app_fault_start(const sim::Fault& fault) override;
  void on_app_fault_end(const sim::Fault& fault) override;

 private:
  enum Event : uint16_t { kWorkDone = 1, kCallTimeout = 2, kFallbackDone = 3 };
  struct Job {
    uint32_t attempt = 0;
    enum class Stage { queued, working, calling, falling_back } stage = Stage::queued;
    uint64_t call = 0;
    sim::EventId timer{};
  };
  void start(uint32_t slot);
  void work_done(uint32_t slot);
  void call_failed(uint32_t slot);
  void answer(uint32_t slot, int status);

  ServicePodConfig config_;
  HttpService& service_;
  bool up_;
  bool in_service_;
  std::map<uint32_t, Job> jobs_;  // by slot
  std::deque<uint32_t> waiting_;  // slots waiting for a worker
  uint32_t busy_ = 0;
  uint32_t next_slot_ = 0;
  double stress_load_ = 0;        // stressor load (workers × load)
  double io_error_share_ = 0;
  double io_latency_share_ = 0;
  sim::Duration io_latency_{};
  sim::RandomStream& service_rng_;
  sim::RandomStream& io_rng_;
  uint64_t served_ = 0;
  uint64_t fallbacks_ = 0;
  uint64_t errors_ = 0;
  uint64_t overloaded_ = 0;
};

}  // namespace faultline::models
