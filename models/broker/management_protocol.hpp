// What a monitoring client learns about one queue, as RabbitMQ's management API
// (GET /api/queues/<vhost>/<queue>) or a passive queue.declare answers it: the message counts
// and the publish counter the management plugin derives its rates from. KEDA's RabbitMQ scaler
// (R-KE3) and a Prometheus scrape behind a metrics adapter ask it; the queue's owner answers
// through its "stats" port ("<queue>.stats" on a broker cluster).
#pragma once

#include <cstdint>

namespace faultline::models {

struct QueueStatsRequest {};

struct QueueStats {
  bool available = false;  // the queue answers; otherwise the call fails (its node is down)
  uint64_t ready = 0;
  uint64_t unacked = 0;
  uint64_t published = 0;  // messages published into the queue since the start
};

}  // namespace faultline::models
