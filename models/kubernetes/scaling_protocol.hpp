// What an autoscaler and a workload's pods exchange over the "scale" channel: the autoscaler
// serves it, each pod slot is one client connection. The autoscaler asks (status, create,
// remove) and the pod answers at once with its status: what the API server knows of the pod
// (exists, running, ready) and what the kubelet's summary API gives metrics-server (CPU used).
// The autoscaler acts as the workload's controller too: it picks the slot to create or delete.
#pragma once

#include <cstdint>
#include <optional>

namespace faultline::models {

struct ScaleRequest {
  enum class Op { status, create, remove };
  Op op = Op::status;
};

struct ScaleStatus {
  bool exists = false;   // created and not deleted (may still be starting)
  bool running = false;  // its container runs (not pending, crashed or held down)
  bool ready = false;
  bool statefulset = false;        // scale-down removes the highest ordinal (R-K7)
  uint32_t container_starts = 0;   // a new container restarts the CPU counter
  std::optional<double> cpu_seconds;  // CPU time the app used since the start; empty: not reported
  double cpu_request = 1.0;           // cores requested (utilisation = usage / request)
};

}  // namespace faultline::models
