// What an autoscaler asks a workload's pods: exist or not (created through the controller,
// with the pod's start-up delays, or deleted gracefully), and their state.
#pragma once

namespace faultline::models {

struct ScaleRequest {
  enum class Op { status, create, remove };
  Op op = Op::status;
};

struct ScaleStatus {
  bool exists = false;  // created and not deleted (may still be starting)
  bool ready = false;
};

}  // namespace faultline::models
