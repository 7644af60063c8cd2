// Envoy's router retry policy as an Istio VirtualService route sets it (HTTPRetry,
// domain_models.md §6.2): how many retries, which outcomes are retried (`retryOn`), the per-try
// timeout and the fully jittered exponential back-off. Pure logic: the HTTP service drives it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/random/random_stream.hpp"

namespace faultline::models {

/// How one attempt ended, as the caller's sidecar sees it.
struct AttemptOutcome {
  enum class Kind {
    response,             // the upstream answered with `status`
    connect_failure,      // no connection (nothing listens, partition): 503 UF
    reset,                // the upstream went away mid-request: 503 UC
    timeout,              // per-try timeout: 504 UT
    overflow,             // the circuit breaker refused it locally: 503 UO
    no_healthy_upstream,  // no endpoint to send it to: 503 UH
  };
  Kind kind = Kind::response;
  int status = 0;
};

/// Istio's `retryOn`: Envoy retry policies and HTTP status codes, comma-separated (R-E8).
struct RetryOn {
  enum Policy : uint32_t {
    k5xx = 1 << 0,
    kGatewayError = 1 << 1,
    kReset = 1 << 2,
    kConnectFailure = 1 << 3,
    kRetriable4xx = 1 << 4,
    kRefusedStream = 1 << 5,          // HTTP/2 REFUSED_STREAM: sidecars speak HTTP/1.1 upstream here
    kRetriableStatusCodes = 1 << 6,
    kGrpc = 1 << 7,                   // cancelled, deadline-exceeded, internal, resource-exhausted, unavailable
  };
  uint32_t policies = 0;
  std::vector<int> status_codes;  // retried whatever the policies (Istio adds retriable-status-codes)

  /// Throws std::invalid_argument naming the token that is neither a policy nor a status.
  static RetryOn parse(std::string_view text);
};

struct RetryPolicy {
  uint32_t attempts = 2;                         // retries after the first try (R-E5)
  std::optional<sim::Duration> per_try_timeout;  // none: bounded only by the route timeout (R-E3)
  RetryOn on = RetryOn::parse("connect-failure,refused-stream,unavailable,cancelled");  // R-E5
  sim::Duration backoff_base = sim::Duration::ms(25);  // R-E7
  bool ignore_previous_hosts = true;             // R-E6

  /// At most 1 + attempts requests per downstream request (R-E6).
  [[nodiscard]] uint32_t max_tries() const { return 1 + attempts; }
  /// Whether `retryOn` covers this outcome. Local overflow and "no healthy upstream" never are.
  [[nodiscard]] bool retriable(const AttemptOutcome& outcome) const;
  /// Retry `n` (1 for the first retry) waits uniformly in [0, (2^n − 1) × base), capped at
  /// 10 × base (R-E7): this is the upper end of that range before the cap.
  [[nodiscard]] sim::Duration backoff_range(uint32_t n) const;
  [[nodiscard]] sim::Duration backoff_cap() const { return backoff_base * 10; }
  /// One draw of the wait before retry `n`.
  [[nodiscard]] sim::Duration backoff(uint32_t n, sim::RandomStream& rng) const;
};

}  // namespace faultline::models
