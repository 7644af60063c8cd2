// The connection-pool circuit breakers of one caller's sidecar for one upstream cluster, as an
// Istio DestinationRule `connectionPool` sets them (R-E15, R-E10). The upstream speaks HTTP/1.1:
// a connection carries one request at a time.
// - max_requests: requests outstanding to the cluster (sent or waiting for a connection);
// - max_connections: connections, hence requests being served at once;
// - max_pending_requests: requests waiting for a connection; one more is refused;
// - max_retries: retries outstanding at once; a retry beyond it is not made.
// A refused request is answered at once with 503 and the flag UO (Envoy's overflow), never
// retried. Pure logic: the HTTP service asks it for each attempt.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace faultline::models {

struct ConnectionPoolLimits {
  static constexpr uint64_t kUnlimited = 4294967295ULL;  // 2^32 − 1, Istio's defaults (R-E15)
  uint64_t max_connections = kUnlimited;
  uint64_t max_pending_requests = kUnlimited;
  uint64_t max_requests = kUnlimited;
  uint64_t max_retries = kUnlimited;
};

class ConnectionPool {
 public:
  enum class Admission { send, wait, overflow };

  explicit ConnectionPool(const ConnectionPoolLimits& limits) : limits_(limits) {}

  /// A new attempt: a connection now, a place in the pending queue, or an overflow.
  Admission admit(uint32_t attempt);
  /// An attempt that had a connection is done: the connection goes to the oldest waiting
  /// attempt, whose id is returned (it is sent now).
  std::optional<uint32_t> release();
  /// A waiting attempt gave up (timeout).
  void abandon(uint32_t attempt);

  /// A retry may start (R-E10 budget); end_retry when it is over.
  bool begin_retry();
  void end_retry();

  [[nodiscard]] uint64_t active() const { return busy_ + pending_.size(); }
  [[nodiscard]] uint64_t busy() const { return busy_; }
  [[nodiscard]] uint64_t pending() const { return pending_.size(); }
  [[nodiscard]] uint64_t overflows() const { return overflows_; }

 private:
  ConnectionPoolLimits limits_;
  uint64_t busy_ = 0;
  std::deque<uint32_t> pending_;
  uint64_t retries_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace faultline::models
