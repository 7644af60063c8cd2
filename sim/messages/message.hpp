// A message of the workload (DESIGN §3): an id, its origin and its timestamps. Components hold
// copies of it by value; 32 bytes, so a backlog of 10 million fits well inside 1 GiB.
#pragma once

#include <cstdint>

namespace faultline::sim {

struct Message {
  static constexpr uint32_t kPersistent = 1u << 0;   // delivery_mode 2 (R-CQ2)
  static constexpr uint32_t kRedelivered = 1u << 1;  // requeued after a delivery (R-CA3)

  uint64_t id = 0;
  int64_t created_ns = 0;     // when the producer created it
  int64_t published_ns = -1;  // when a broker first accepted it; -1 before
  uint32_t origin = 0;        // component index of the producer
  uint32_t flags = 0;

  [[nodiscard]] bool has(uint32_t flag) const { return (flags & flag) != 0; }
};
static_assert(sizeof(Message) == 32);

}  // namespace faultline::sim
