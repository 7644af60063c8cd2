#include "models/workload/consumer.hpp"

#include "sim/core/simulation.hpp"

namespace faultline::models {

Consumer::Consumer(sim::Simulation& sim, sim::ComponentIdentity id, ConsumerConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      queue_(client_port<ConsumerRequest, Delivery, &Consumer::on_delivery>("consume")) {}

void Consumer::initialize() {
  if (!queue_.connected()) throw std::logic_error("consumer " + path() + " consumes from nothing");
  ConsumerRequest sub;
  sub.op = ConsumerRequest::Op::subscribe;
  sub.prefetch = config_.prefetch;
  sub.auto_ack = config_.auto_ack;
  queue_.send(sub);
}

void Consumer::on_delivery(const Delivery& delivery) {
  buffer_.push_back(delivery);
  if (!busy_) start_next();
}

void Consumer::start_next() {
  if (buffer_.empty()) return;
  current_ = buffer_.front();
  buffer_.pop_front();
  busy_ = true;
  schedule_in(config_.processing_time.sample_duration(rng("processing")), kProcessed);
}

void Consumer::handle(uint16_t, uint32_t) {
  busy_ = false;
  ++processed_;
  // The side effect is done: the message is delivered (or delivered again: a duplicate).
  sim().ledger().delivered(current_.message, now());
  sim().events().trace_message(now(), path(), "processed", current_.message.id);
  if (config_.auto_ack) {
    sim().ledger().release(current_.message.id);  // the copy was ours since delivery (R-CA1)
  } else {
    ConsumerRequest ack;
    ack.op = ConsumerRequest::Op::ack;
    ack.delivery_tag = current_.delivery_tag;
    queue_.send(ack);
  }
  start_next();
}

uint64_t Consumer::held_messages() const {
  // In auto-ack mode the consumer holds its deliveries; with manual acks the queue does.
  if (!config_.auto_ack) return 0;
  return buffer_.size() + (busy_ ? 1 : 0);
}

nlohmann::ordered_json Consumer::summary() const { return {{"processed", processed_}}; }

sim::KindInfo Consumer::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "consumer";
  k.help = "consumer pods: prefetch, processing time, manual or automatic acknowledgement";
  k.replication = sim::Replication::replicas;
  k.role = sim::TopologyRole::consumer;
  k.count_help = "consumer pods";
  sim::ReferenceSpec queue;
  queue.target_kinds = {"queue"};
  queue.flow = sim::ReferenceSpec::Flow::from_target;
  queue.wires = {{"consume", "consume"}};
  k.params = {
      ParamSpec::ref("queue", queue).require().describe("the queue this consumer subscribes to"),
      ParamSpec::integer("prefetch", "messages")
          .def(1)
          .at_least(0)
          .describe("basic.qos prefetch count: unacked deliveries allowed per consumer, 0 = unlimited")
          .from("R-CA2"),
      ParamSpec::choice("ack", {"manual", "auto"})
          .def("manual")
          .describe("acknowledgement mode")
          .from("R-CA1; Dapr default autoAck false (§5.1)"),
      ParamSpec::distribution("processing_time")
          .def("1ms")
          .describe("time to process one message (the application's work)")
          .from("[RMQ-BLOG-2024-08-21] consumer latency median 1.0 ms with no application work"),
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    ConsumerConfig c;
    c.processing_time = inst.params.distribution("processing_time");
    c.prefetch = static_cast<uint32_t>(inst.params.integer("prefetch"));
    c.auto_ack = inst.params.text("ack") == "auto";
    return sim.add<Consumer>({inst.path, inst.labels}, c);
  };
  return k;
}

}  // namespace faultline::models
