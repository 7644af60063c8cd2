// What a consumer and a database exchange: one write per processed message, committed or not.
// Every database model (a single datastore pod, a Galera cluster) serves this protocol.
#pragma once

#include <cstdint>
#include <string>

namespace faultline::models {

struct WriteRequest {
  uint64_t request_id = 0;
  uint64_t message_id = 0;
};

struct WriteResult {
  uint64_t request_id = 0;
  bool committed = false;
  const char* error = "";  // why it was not committed
};

}  // namespace faultline::models
