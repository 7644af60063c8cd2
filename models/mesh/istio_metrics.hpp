// Istio's standard request metrics (DESIGN §6), recorded as the sidecars report them:
// `istio_requests_total` and the histogram `istio_request_duration_milliseconds` with Istio's
// labels, so that the PromQL written for a live mesh reads a simulated run.
// - reporter="source": the caller's sidecar, once per request after its retries, with the
//   status and flags the caller got (injected faults and overflows appear only here);
// - reporter="destination": the server's sidecar, once per attempt that reached a pod; an
//   attempt the caller gave up on is reported with response_code "0" and flag DC.
// Durations are in milliseconds, in Envoy's default histogram buckets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "models/mesh/http_protocol.hpp"
#include "sim/core/time.hpp"
#include "sim/metrics/recorder.hpp"

namespace faultline::models {

/// "-" when no flag is set, else Envoy's codes joined by commas ("DI,FI").
std::string response_flags_text(uint16_t flags);

/// Envoy's default histogram buckets (ms), which Istio's duration histogram uses.
const std::vector<double>& istio_duration_buckets_ms();

/// The identity of a workload from its scenario entry: app and version from its labels.
WorkloadIdentity workload_identity(const std::string& workload, const sim::Labels& labels, const std::string& space);

class IstioTelemetry {
 public:
  enum class Reporter { source, destination };

  /// The metrics of requests to `destination` (a service in `destination.space`).
  IstioTelemetry(sim::Recorder& recorder, const WorkloadIdentity& destination);

  void record(Reporter reporter, const WorkloadIdentity& source, int status, uint16_t flags, sim::Duration duration);

  /// "<name>.<namespace>.svc.cluster.local", Istio's destination_service.
  [[nodiscard]] const std::string& service_host() const { return host_; }

 private:
  struct Series {
    sim::Counter* requests;
    sim::Histogram* duration;
  };
  sim::Recorder& recorder_;
  WorkloadIdentity destination_;
  std::string host_;
  // Looked up by key, never iterated: its order does not reach any output.
  std::map<std::tuple<int, std::string, std::string, int, uint16_t>, Series> series_;
};

}  // namespace faultline::models
