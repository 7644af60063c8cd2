#include "models/broker/fifo_queue.hpp"

#include <algorithm>
#include <bit>

#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
sim::Labels queue_labels(const std::string& name) { return {{"queue", name}}; }
}  // namespace

FifoQueue::FifoQueue(sim::Simulation& sim, sim::ComponentIdentity id)
    : Component(sim, std::move(id)),
      publish_(server_port<PublisherRequest, PublisherNotice, &FifoQueue::on_publish>("publish")),
      consume_(server_port<ConsumerRequest, ConsumerNotice, &FifoQueue::on_consumer>("consume")),
      backlog_(sim.backlog().register_queue(path())),
      ready_gauge_(sim.recorder().gauge("rabbitmq_queue_messages_ready", queue_labels(path()),
                                        "Messages ready to be delivered to consumers")),
      unacked_gauge_(sim.recorder().gauge("rabbitmq_queue_messages_unacked", queue_labels(path()),
                                          "Messages delivered to consumers but not yet acknowledged")),
      messages_gauge_(sim.recorder().gauge("rabbitmq_queue_messages", queue_labels(path()),
                                           "Ready and unacknowledged messages")),
      consumers_gauge_(sim.recorder().gauge("rabbitmq_queue_consumers", queue_labels(path()), "Consumers on the queue")),
      published_total_(sim.recorder().counter("rabbitmq_queue_messages_published_total", queue_labels(path()),
                                              "Messages published into the queue")),
      received_total_(sim.recorder().counter("rabbitmq_global_messages_received_total", {},
                                             "Messages received from publishers")),
      delivered_total_(sim.recorder().counter("rabbitmq_global_messages_delivered_total", {},
                                              "Messages delivered to consumers")),
      redelivered_total_(sim.recorder().counter("rabbitmq_global_messages_redelivered_total", {},
                                                "Messages redelivered to consumers")),
      acknowledged_total_(sim.recorder().counter("rabbitmq_global_messages_acknowledged_total", {},
                                                 "Messages acknowledged by consumers")) {
  answer_port<QueueStatsRequest, QueueStats, &FifoQueue::on_stats>("stats");  // the management API's view (R-KE3)
}

uint64_t FifoQueue::held_messages() const {
  uint64_t n = ready_.size();
  for (const Channel& c : channels_)
    for (const Unacked& u : c.unacked) n += u.acked ? 0 : 1;
  return n;
}

QueueStats FifoQueue::on_stats(uint32_t, const QueueStatsRequest&) {
  return QueueStats{true, ready_.size(), unacked_total_, static_cast<uint64_t>(published_total_.value())};
}

void FifoQueue::update_gauges() {
  // Through int64: counts stay far below 2^63, where the conversion is exact either way, and
  // the signed one is a single instruction (the unsigned one branches), twice per message.
  const auto ready = static_cast<int64_t>(ready_.size());
  const auto unacked = static_cast<int64_t>(unacked_total_);
  ready_gauge_.set(static_cast<double>(ready));
  unacked_gauge_.set(static_cast<double>(unacked));
  messages_gauge_.set(static_cast<double>(ready + unacked));
}

void FifoQueue::on_publish(uint32_t connection, const PublisherRequest& request) {
  using Kind = PublisherNotice::Kind;
  if (request.op == PublisherRequest::Op::connect) {
    publish_.send_to(connection, PublisherNotice{Kind::connected, 0, "", nullptr});
    return;
  }
  if (request.op == PublisherRequest::Op::disconnect) return;
  sim::Message m = request.message;
  if (m.published_ns < 0) m.published_ns = now().ns();
  if (request.wants_confirm) sim().ledger().add_copy(m.id);  // the publisher keeps its own until the confirm
  ready_.push_back({m, false});
  max_ready_ = std::max(max_ready_, ready_.size());
  received_total_.inc();
  published_total_.inc();
  backlog_.add(1, now());
  // Always available and in memory: the confirm is immediate (R-PC2, transient or no fsync).
  publish_.send_to(connection, PublisherNotice{request.wants_confirm ? Kind::confirmed : Kind::accepted, m.id, "",
                                               nullptr});
  dispatch();
  update_gauges();
}

void FifoQueue::dispatch() {
  const size_t n = channels_.size();
  while (!ready_.empty() && n > 0) {
    // Round-robin among consumers with credit, starting after the last one served. No `%` on
    // the usual path (a division per probe was the costliest part of a delivery); next_channel_
    // can only reach n when a nested call saw more channels than this one (n is fixed per call).
    const size_t first = next_channel_ < n ? next_channel_ : next_channel_ % n;
    size_t pick = n;
    if (n <= kCreditBits) {
      // One bit scan over credit_bits_ instead of a probe loop whose exit mispredicts. Bits
      // of channels added since this call began are masked off, as the probe loop skips them.
      const uint64_t bits = credit_bits_ & (n == kCreditBits ? ~uint64_t{0} : (uint64_t{1} << n) - 1);
      const uint64_t from_first = bits >> first;  // first < n ≤ 64
      if (from_first != 0)
        pick = first + static_cast<size_t>(std::countr_zero(from_first));
      else if (bits != 0)
        pick = static_cast<size_t>(std::countr_zero(bits));
    } else {
      size_t c = first;
      for (size_t k = 0; k < n; ++k) {
        if (has_credit(channels_[c])) {
          pick = c;
          break;
        }
        if (++c == n) c = 0;
      }
    }
    if (pick == n) return;
    next_channel_ = pick + 1 == n ? 0 : pick + 1;
    Ready item = ready_.front();
    ready_.pop_front();
    Channel& ch = channels_[pick];
    const uint64_t tag = next_tag_++;
    if (item.message.published_ns >= 0 && !item.redelivered) {
      wait_ns_sum_ += static_cast<uint128>(now().ns() - item.message.published_ns);
      ++first_deliveries_;
    }
    delivered_total_.inc();
    if (item.redelivered) redelivered_total_.inc();
    if (ch.auto_ack) {
      // R-CA1: the message counts as delivered once written to the socket; custody passes to
      // the consumer and the queue forgets it.
      backlog_.add(-1, now());
    } else {
      ch.unacked.push_back({tag, item.message, false});
      ++ch.in_flight;
      ++unacked_total_;
      refresh_credit(pick);
    }
    consume_.send_to(static_cast<uint32_t>(pick),
                     ConsumerNotice{ConsumerNotice::Kind::delivery, Delivery{item.message, tag, item.redelivered}});
  }
}

void FifoQueue::on_consumer(uint32_t connection, const ConsumerRequest& request) {
  if (connection >= channels_.size()) channels_.resize(connection + 1);
  Channel& ch = channels_[connection];
  switch (request.op) {
    case ConsumerRequest::Op::subscribe:
      ch.subscribed = true;
      ch.prefetch = request.prefetch;
      ch.auto_ack = request.auto_ack;
      refresh_credit(connection);
      consumers_gauge_.add(1);
      consume_.send_to(connection, ConsumerNotice{ConsumerNotice::Kind::connected, {}});
      break;
    case ConsumerRequest::Op::ack:
      settle(ch, request.delivery_tag, false);
      refresh_credit(connection);
      break;
    case ConsumerRequest::Op::nack:
      settle(ch, request.delivery_tag, request.requeue);
      refresh_credit(connection);
      break;
    case ConsumerRequest::Op::cancel:
      if (ch.subscribed) consumers_gauge_.add(-1);
      ch.subscribed = false;
      requeue_all(ch);  // R-CA3: unacked deliveries of a closed channel go back to the queue
      refresh_credit(connection);
      break;
  }
  dispatch();
  update_gauges();
}

void FifoQueue::settle(Channel& ch, uint64_t tag, bool requeue) {
  // Acks mostly come in delivery order: the oldest delivery first, without a search.
  auto it = !ch.unacked.empty() && ch.unacked.front().tag == tag
                ? ch.unacked.begin()
                : std::lower_bound(ch.unacked.begin(), ch.unacked.end(), tag,
                                   [](const Unacked& u, uint64_t t) { return u.tag < t; });
  if (it == ch.unacked.end() || it->tag != tag || it->acked)
    throw std::logic_error("queue " + path() + ": unknown delivery tag " + std::to_string(tag) + " (R-CA7)");
  it->acked = true;
  --ch.in_flight;
  --unacked_total_;
  const sim::Message m = it->message;
  while (!ch.unacked.empty() && ch.unacked.front().acked) ch.unacked.pop_front();
  if (requeue) {
    sim::Message again = m;
    again.flags |= sim::Message::kRedelivered;
    ready_.push_front({again, true});  // requeued messages return to the head (R-CA3)
    return;
  }
  backlog_.add(-1, now());
  ++acked_;
  acknowledged_total_.inc();
  sojourn_ns_sum_ += static_cast<uint128>(now().ns() - m.published_ns);
  sim().ledger().release(m.id);
}

void FifoQueue::requeue_all(Channel& ch) {
  // Back to the head in their original order.
  for (auto it = ch.unacked.rbegin(); it != ch.unacked.rend(); ++it) {
    if (it->acked) continue;
    sim::Message again = it->message;
    again.flags |= sim::Message::kRedelivered;
    ready_.push_front({again, true});
  }
  unacked_total_ -= ch.in_flight;
  ch.in_flight = 0;
  ch.unacked.clear();
}

double FifoQueue::mean_wait_s() const {
  return first_deliveries_ == 0 ? 0.0 : static_cast<double>(wait_ns_sum_) * 1e-9 / static_cast<double>(first_deliveries_);
}

double FifoQueue::mean_sojourn_s() const {
  return acked_ == 0 ? 0.0 : static_cast<double>(sojourn_ns_sum_) * 1e-9 / static_cast<double>(acked_);
}

nlohmann::ordered_json FifoQueue::summary() const {
  return {{"ready", ready_.size()},
          {"unacked", unacked_total_},
          {"max_ready", max_ready_},
          {"acknowledged", acked_},
          {"mean_wait_s", mean_wait_s()},
          {"mean_sojourn_s", mean_sojourn_s()}};
}

sim::KindInfo FifoQueue::kind_info() {
  sim::KindInfo k;
  k.name = "queue";
  k.help = "a single unbounded FIFO queue (one RabbitMQ classic queue on a healthy node)";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::store;
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    return sim.add<FifoQueue>({inst.path, inst.labels});
  };
  return k;
}

}  // namespace faultline::models
