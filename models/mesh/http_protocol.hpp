// What callers and HTTP services say to each other through the mesh (client port "upstream" or
// "target" → server port "http"). One request is one user request or one call of a service to
// the service it depends on; the sidecars in between turn it into attempts (retries). Requests
// are not broker messages: they never enter the message ledger, they are counted in metrics.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/port.hpp"

namespace faultline::models {

/// Who sends or serves a request, as Istio's telemetry labels name it.
struct WorkloadIdentity {
  std::string workload;   // the Deployment (the scenario entry's name)
  std::string app;        // label app, else the workload
  std::string version;    // label version, else "unknown"
  std::string space;      // Kubernetes namespace
};

struct HttpRequest {
  enum class Op : uint8_t {
    send,    // a new request
    cancel,  // the caller gave up on request `id` (its own timeout, or its pod died): no answer
  };
  Op op = Op::send;
  uint64_t id = 0;        // the caller's number for the request, unique per caller component
  uint32_t source = 0;    // Component::index() of the calling pod: its sidecar and its network path
  const WorkloadIdentity* from = nullptr;  // owned by the caller, lives as long as the run
  const std::string* pod = nullptr;        // the calling pod's path, for events
};

/// Envoy's response flags (the `response_flags` label), as a bit set.
enum ResponseFlag : uint16_t {
  kNoFlags = 0,
  kNoHealthyUpstream = 1 << 0,        // UH
  kUpstreamTimeout = 1 << 1,          // UT: per-try or route timeout
  kUpstreamConnectFailure = 1 << 2,   // UF
  kUpstreamReset = 1 << 3,            // UC: the upstream went away mid-request
  kUpstreamOverflow = 1 << 4,         // UO: circuit breaker
  kDelayInjected = 1 << 5,            // DI
  kFaultInjected = 1 << 6,            // FI: abort injected
  kDownstreamReset = 1 << 7,          // DC: the caller went away
  kRetryLimitExceeded = 1 << 8,       // URX
};

struct HttpResponse {
  uint64_t id = 0;        // the request's id
  int status = 0;         // HTTP status
  uint16_t flags = kNoFlags;
};

using HttpClientPort = sim::ClientPort<HttpRequest, HttpResponse>;
using HttpServerPort = sim::ServerPort<HttpRequest, HttpResponse>;

}  // namespace faultline::models
