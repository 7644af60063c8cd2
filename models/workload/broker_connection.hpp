// A client's connection to the broker as the network shapes it, shared by the publishers (a
// producer, an outbox relay) and the consumer: how a broker's notice crosses the link, and how a
// publisher closes a connection it has given up on.
#pragma once

#include <cstdint>

#include "models/broker/amqp_protocol.hpp"
#include "models/network/tcp_connection.hpp"
#include "sim/core/port.hpp"

namespace faultline::models {

using PublisherLink = TcpConnection<PublisherRequest, PublisherNotice>;
using PublisherPort = sim::ClientPort<PublisherRequest, PublisherNotice>;

/// The publisher closes the connection from its side (the broker learns at once, as its own
/// heartbeat check would): it asks the broker to disconnect, then handles the close itself.
template <class Handle>
void close_publisher_connection(PublisherPort& port, Handle&& handle) {
  PublisherRequest r;
  r.op = PublisherRequest::Op::disconnect;
  port.send(r);
  handle(PublisherNotice{PublisherNotice::Kind::disconnected, 0, "publish_failed", nullptr});
}

/// Passes a broker's notice (`bytes` on the wire) to `handle`, through the link when the network
/// is modelled. When the handshake cannot cross the network, the link is closed and `give_up`
/// ends the attempt on the client's side.
template <class Link, class Port, class Notice, class Handle, class GiveUp>
void receive_broker_notice(Link& link, Port& port, const Notice& n, uint32_t bytes, Handle&& handle,
                           GiveUp&& give_up) {
  using Kind = typename Notice::Kind;
  if (!link.modelled()) {
    handle(n);
    return;
  }
  if (n.kind == Kind::connected) {
    const uint32_t endpoint = n.endpoint != kNoEndpoint ? n.endpoint : port.server_owner()->index();
    if (!link.open(endpoint)) {
      // Across a partition the handshake never completes: the attempt fails (R-N9).
      link.close();
      give_up();
      return;
    }
  } else if (n.kind == Kind::disconnected) {
    // The broker closed the connection (a node lost, a failover): it has taken back or dropped
    // what was on the wire, so the close acts at once and in-flight messages go with it.
    handle(n);
    return;
  } else if (!link.is_open()) {
    handle(n);  // the answer to a connection attempt: refused
    return;
  }
  link.receive(n, bytes);
}

/// receive_broker_notice for a publisher: a failed handshake closes as the publisher would.
template <class Handle>
void receive_publisher_notice(PublisherLink& link, PublisherPort& port, const PublisherNotice& n, Handle&& handle) {
  receive_broker_notice(link, port, n, 0, handle, [&] { close_publisher_connection(port, handle); });
}

}  // namespace faultline::models
