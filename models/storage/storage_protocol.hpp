// What a workload and a block-storage system exchange over the "io" channel: a pod attaches
// the volume of its PersistentVolumeClaim once (dynamic provisioning: the first attach creates
// it), then writes to it; a write completes when the storage acknowledges it, or fails with
// the error the filesystem would return (EIO). `status` asks, synchronously, whether the
// volume takes writes now (what a database's start-up checks when it opens its files).
#pragma once

#include <cstdint>
#include <string>

namespace faultline::models {

struct VolumeRequest {
  enum class Op : uint8_t { attach, write, status };
  Op op = Op::write;
  uint64_t request_id = 0;
  uint32_t volume = 0;     // write, status: the handle the attach returned
  uint32_t bytes = 0;      // write: payload size (throughput, rebuild size)
  uint32_t node_hint = 0;  // attach: the storage node the consuming pod runs on (its engine's node)
  std::string claim;       // attach: the PersistentVolumeClaim, e.g. "data-mariadb-0"
};

struct VolumeResult {
  uint64_t request_id = 0;
  uint32_t volume = 0;  // attach: the handle for later requests
  bool ok = true;
  const char* error = "";  // why the request failed (a static string)
};

}  // namespace faultline::models
