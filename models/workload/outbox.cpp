#include "models/workload/outbox.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

using Kind = PublisherNotice::Kind;

Outbox::Outbox(sim::Simulation& sim, sim::ComponentIdentity id, OutboxConfig config)
    : Component(sim, std::move(id)),
      config_(config),
      writes_(server_port<PublisherRequest, PublisherNotice, &Outbox::on_write>("publish")),
      relay_(client_port<PublisherRequest, PublisherNotice, &Outbox::on_notice>("relay")),
      network_(request_port<PathQuery, PathAnswer>("network")),
      link_(*this, network_, relay_,
            PublisherLink::Hooks{[this] { return now(); },
                        [this](sim::Duration d, uint32_t arg, bool background) { schedule_in(d, kLink, arg, background); },
                        [this](const PublisherNotice& n) { handle_notice(n); }, [this] { link_timed_out(); }},
            PublisherLink::Liveness::heartbeat, config_.heartbeat),
      rows_gauge_(sim.recorder().gauge("faultline_outbox_rows", {{"outbox", path()}},
                                       "Outbox rows not yet confirmed by the broker")) {}

void Outbox::initialize() {
  if (!relay_.connected()) throw std::logic_error("outbox " + path() + " relays to nothing");
  conn_ = Conn::connecting;
  PublisherRequest r;
  r.op = PublisherRequest::Op::connect;
  relay_.send(r);
  schedule_in(config_.poll_interval, kPoll, 0, true);
}

void Outbox::on_write(uint32_t connection, const PublisherRequest& r) {
  switch (r.op) {
    case PublisherRequest::Op::connect:
      writes_.send_to(connection, PublisherNotice{Kind::connected, 0, "", nullptr});
      return;
    case PublisherRequest::Op::disconnect:
      return;
    case PublisherRequest::Op::publish:
      break;
  }
  // The row commits with the business write: the service's request succeeds.
  if (r.wants_confirm) sim().ledger().add_copy(r.message.id);
  Row row;
  row.message = r.message;
  if (config_.persistent) row.message.flags |= sim::Message::kPersistent;
  rows_.emplace(r.message.id, row);
  ++written_;
  max_rows_ = std::max(max_rows_, rows_.size());
  rows_gauge_.set(static_cast<double>(rows_.size()));
  writes_.send_to(connection, PublisherNotice{r.wants_confirm ? Kind::confirmed : Kind::accepted, r.message.id, "", nullptr});
}

void Outbox::poll() {
  if (conn_ != Conn::connected || blocked_) return;
  uint32_t sent = 0;
  for (auto& [id, row] : rows_) {
    if (sent >= config_.batch_size) break;
    if (row.in_flight) continue;
    row.in_flight = true;
    if (row.publishes++ > 0) ++republished_;
    ++published_;
    ++sent;
    PublisherRequest r;
    r.op = PublisherRequest::Op::publish;
    r.message = row.message;
    r.wants_confirm = true;  // the row goes only after the confirm
    link_.send(r, config_.message_bytes);
    if (conn_ != Conn::connected) break;  // the send failed the connection
  }
}

void Outbox::on_notice(const PublisherNotice& n) {
  receive_publisher_notice(link_, relay_, n, [this](const PublisherNotice& notice) { handle_notice(notice); });
}

void Outbox::link_timed_out() {
  // R-CA4: heartbeats stopped crossing the blocked path; both ends close the connection.
  log_event("connection-timed-out", {{"peer", relay_.server_owner()->path()}, {"heartbeat_s", config_.heartbeat.seconds()}});
  close_publisher_connection(relay_, [this](const PublisherNotice& notice) { handle_notice(notice); });
}

void Outbox::handle_notice(const PublisherNotice& n) {
  switch (n.kind) {
    case Kind::connected:
      conn_ = Conn::connected;
      break;
    case Kind::disconnected:
      link_.close();  // rows in flight stay rows: they are published again
      conn_ = Conn::disconnected;
      blocked_ = false;
      // Outstanding confirms will never come: those rows are published again later.
      for (auto& [id, row] : rows_) row.in_flight = false;
      if (!reconnect_scheduled_) {
        reconnect_scheduled_ = true;
        schedule_in(config_.reconnect_delay, kReconnect, 0, rows_.empty());
      }
      break;
    case Kind::confirmed: {
      auto it = rows_.find(n.message_id);
      if (it == rows_.end()) break;
      rows_.erase(it);
      ++deleted_;
      rows_gauge_.set(static_cast<double>(rows_.size()));
      if (n.cause[0] != '\0')
        sim().ledger().lose(n.message_id, n.cause, n.where != nullptr ? *n.where : std::string());
      else
        sim().ledger().release(n.message_id);
      break;
    }
    case Kind::nacked:
    case Kind::failed: {
      auto it = rows_.find(n.message_id);
      if (it != rows_.end()) it->second.in_flight = false;  // published again at a later poll
      break;
    }
    case Kind::accepted:
      break;
    case Kind::blocked:
      blocked_ = true;
      break;
    case Kind::unblocked:
      blocked_ = false;
      break;
  }
}

void Outbox::handle(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kPoll:
      poll();
      schedule_in(config_.poll_interval, kPoll, 0, rows_.empty());  // rows waiting are work
      break;
    case kReconnect:
      reconnect_scheduled_ = false;
      if (conn_ == Conn::disconnected) {
        conn_ = Conn::connecting;
        PublisherRequest r;
        r.op = PublisherRequest::Op::connect;
        relay_.send(r);
      }
      break;
    case kLink:
      link_.on_event(arg);
      break;
    default:
      break;
  }
}

nlohmann::ordered_json Outbox::summary() const {
  return {{"written", written_},   {"published", published_}, {"republished", republished_},
          {"deleted", deleted_},   {"rows", rows_.size()},     {"max_rows", max_rows_}};
}

sim::KindInfo Outbox::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "outbox";
  k.help = "a transactional outbox table and its relay, publishing with confirms and deleting rows after them";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::store;
  sim::ReferenceSpec target;
  target.target_kinds = {"queue", "broker-cluster"};
  target.flow = sim::ReferenceSpec::Flow::to_target;
  target.wires = {{"relay", "publish"}};
  k.params = {
      ParamSpec::ref("target", target).require().describe("the queue the relay publishes to (\"rabbitmq.orders\")"),
      ParamSpec::duration("poll_interval")
          .def("500ms")
          .above(0)
          .describe("how often the relay reads unsent rows")
          .from("§5.4: relay loop every 0.1–1 s"),
      ParamSpec::integer("batch_size", "rows")
          .def(100)
          .at_least(1)
          .describe("rows published per poll")
          .from("§5.4: batch of up to B rows"),
      ParamSpec::duration("reconnect_delay")
          .def("3s")
          .above(0)
          .describe("wait before the relay reopens a lost broker connection")
          .from("Dapr RabbitMQ reconnectWaitSeconds 3 s (§5.1)"),
      ParamSpec::boolean("persistent")
          .def(true)
          .describe("the relay publishes persistent messages")
          .from("§5.4: the relay publishes durably, with confirms"),
      ParamSpec::bytes("message_size")
          .def(1024)
          .above(0)
          .at_most(1e9)
          .describe("bytes of a relayed message on the wire (only a network component's bandwidth limits use it)")
          .from("1 KB messages of [RMQ-BLOG-2020-06-19]"),
      ParamSpec::duration("heartbeat")
          .def("60s")
          .above(0)
          .describe("AMQP heartbeat timeout of the relay's connection: with a network component, a connection whose "
                    "path a partition blocks is closed at the first heartbeat check this long after the block")
          .from("R-CA4: RabbitMQ default 60 s, two missed heartbeats"),
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    OutboxConfig c;
    c.poll_interval = inst.params.duration("poll_interval");
    c.batch_size = static_cast<uint32_t>(inst.params.integer("batch_size"));
    c.reconnect_delay = inst.params.duration("reconnect_delay");
    c.persistent = inst.params.boolean("persistent");
    c.message_bytes = static_cast<uint32_t>(inst.params.bytes("message_size"));
    c.heartbeat = inst.params.duration("heartbeat");
    return sim.add<Outbox>({inst.path, inst.labels}, c);
  };
  return k;
}

}  // namespace faultline::models
