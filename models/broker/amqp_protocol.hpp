// What publishers, queues and consumers exchange through their ports: an AMQP 0-9-1-like
// protocol reduced to what decides message fates — connections, publish and confirm
// (R-PC1..R-PC3), connection.blocked (R-AL2), consume, deliver and ack (R-CA1..R-CA3).
#pragma once

#include <cstdint>
#include <string>

#include "sim/messages/message.hpp"

namespace faultline::models {

/// No endpoint named: the client's peer is the component its port is wired to.
inline constexpr uint32_t kNoEndpoint = UINT32_MAX;

/// Publisher → broker, on a queue's publish endpoint.
struct PublisherRequest {
  enum class Op : uint8_t { connect, publish, disconnect };
  Op op = Op::publish;
  sim::Message message;
  /// confirm.select on the channel (R-PC1). A publisher that wants confirms keeps its own copy
  /// until the confirm (to retry), so the broker's copy is an extra one; without confirms
  /// custody passes to the broker when it takes the message.
  bool wants_confirm = false;
};

/// Broker → publisher.
struct PublisherNotice {
  enum class Kind : uint8_t {
    connected,     // the connection is open (through the Service, to a ready node)
    disconnected,  // refused, or closed by a node loss
    accepted,      // taken, no confirm will follow (confirms off)
    confirmed,     // basic.ack (R-PC2); with a cause, acked although the broker dropped it (unroutable)
    nacked,        // basic.nack (R-PC3): not enqueued
    failed,        // the channel failed: the message was not taken
    blocked,       // connection.blocked: memory or disk alarm (R-AL2)
    unblocked,
  };
  Kind kind = Kind::accepted;
  uint64_t message_id = 0;
  /// For nacked/failed: why, as a loss cause if the publisher gives up ("publish_failed",
  /// "overflow_rejected"); and the component where the cause sits.
  const char* cause = "";
  const std::string* where = nullptr;
  /// For connected: the component (Component::index()) serving the connection, a broker node
  /// behind the Service, so that the client's traffic follows the path to it.
  uint32_t endpoint = kNoEndpoint;
};

/// Consumer → broker, on a queue's consume endpoint.
struct ConsumerRequest {
  enum class Op : uint8_t { subscribe, ack, nack, cancel };
  Op op = Op::subscribe;
  uint64_t delivery_tag = 0;  // ack / nack
  bool requeue = true;        // nack
  uint32_t prefetch = 0;      // subscribe: basic.qos prefetch count, 0 = unlimited (R-CA2)
  bool auto_ack = false;      // subscribe: automatic acknowledgement mode (R-CA1)
};

struct Delivery {
  sim::Message message;
  uint64_t delivery_tag = 0;
  bool redelivered = false;  // requeued at least once (R-CA3)
  uint32_t bytes = 0;        // size on the wire (the network's bandwidth limits); 0: small
};

/// Broker → consumer.
struct ConsumerNotice {
  enum class Kind : uint8_t { connected, disconnected, delivery };
  Kind kind = Kind::delivery;
  Delivery delivery;
  uint32_t endpoint = kNoEndpoint;  // for connected: the serving node, as for publishers
};

}  // namespace faultline::models
