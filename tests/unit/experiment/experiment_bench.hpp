// A small bench for experiment tests: a producer sending 10 messages/s (at 0.15 s, 0.25 s, …,
// so faultline_messages_published_total reads 10·k − 1 at the scrape at k s), one queue, one
// consumer pod (10 ms per message, so it is idle at every whole second), scraped every second
// for 60 s; the consumer pod fails (pod-failure) from 10 s to 40 s unless the test says
// otherwise. Measured on this bench: the queue's backlog reads 10·(k − 10) at the scrape at k
// for 10 ≤ k ≤ 51; kube_pod_status_ready{pod="consumer-0"} reads 0 from the scrape at 10 s and 1
// again from 51 s (the container restarts when the fault ends at 40 s, is ready 11 s later).
#pragma once

#include <string>

namespace faultline::testing {

inline const char* kBenchComponents = R"(
name: bench
duration: 60s
scrape_interval: 1s
components:
  - name: producer
    kind: producer
    target: orders
    arrivals: constant
    rate: 10/s
    start: 50ms
  - name: orders
    kind: queue
  - name: consumer
    kind: consumer
    queue: orders
    prefetch: 1
    processing_time: 10ms
)";

inline const char* kBenchFault = R"(
faults:
  - name: consumer-failure
    kind: pod-failure
    target: consumer/consumer-0
    at: 10s
    duration: 30s
)";

/// The bench with its fault and `blocks` (top-level YAML: hypothesis, abort, rollbacks, …).
inline std::string bench(const std::string& blocks, bool with_fault = true) {
  return std::string(kBenchComponents) + (with_fault ? kBenchFault : "") + blocks;
}

/// 2026-01-01T00:00:00Z, the default start_time: `time() - kEpoch` is the simulated second.
inline constexpr const char* kEpoch = "1767225600";

}  // namespace faultline::testing
