// What publishers, queues and consumers exchange through their ports: an AMQP 0-9-1-like
// protocol reduced to what decides message fates (publish/confirm, consume/deliver/ack).
#pragma once

#include <cstdint>
#include <string>

#include "sim/messages/message.hpp"

namespace faultline::models {

/// Publisher → broker. The message copy passes into the broker's custody if it is accepted.
struct Publish {
  sim::Message message;
  bool wants_confirm = false;  // publisher confirms on the channel (R-PC1)
};

/// Broker → publisher: what happened to a publish.
struct PublishResult {
  enum class Outcome : uint8_t {
    confirmed,  // basic.ack: the broker is responsible for it (R-PC2)
    accepted,   // taken without confirms: the publisher will hear nothing more
    nacked,     // basic.nack: not enqueued (R-PC3); the copy is back with the publisher
    failed,     // the connection or channel is gone: the copy is back with the publisher
  };
  uint64_t message_id = 0;
  Outcome outcome = Outcome::accepted;
};

/// Consumer → queue.
struct ConsumerRequest {
  enum class Op : uint8_t { subscribe, ack, nack, cancel };
  Op op = Op::subscribe;
  uint64_t delivery_tag = 0;  // ack / nack
  bool requeue = true;        // nack
  uint32_t prefetch = 0;      // subscribe: basic.qos prefetch count, 0 = unlimited (R-CA2)
  bool auto_ack = false;      // subscribe: automatic acknowledgement mode (R-CA1)
};

/// Queue → consumer.
struct Delivery {
  sim::Message message;
  uint64_t delivery_tag = 0;
  bool redelivered = false;  // requeued at least once (R-CA3)
};

}  // namespace faultline::models
