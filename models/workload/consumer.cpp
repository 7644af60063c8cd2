#include "models/workload/consumer.hpp"

#include "sim/core/simulation.hpp"

namespace faultline::models {

using NoticeKind = ConsumerNotice::Kind;

Consumer::Consumer(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ConsumerConfig config)
    : Pod(sim, std::move(id), std::move(pod)),
      config_(std::move(config)),
      queue_(client_port<ConsumerRequest, ConsumerNotice, &Consumer::on_notice>("consume")),
      db_(client_port<WriteRequest, WriteResult, &Consumer::on_write_result>("write")),
      network_(request_port<PathQuery, PathAnswer>("network")),
      queue_link_(*this, network_, queue_,
                  QueueLink::Hooks{[this] { return now(); },
                                   [this](sim::Duration d, uint32_t arg, bool bg) { schedule_app(d, kQueueLink, arg, bg); },
                                   [this](const ConsumerNotice& n) { handle_notice(n); }, [this] { queue_timed_out(); }},
                  QueueLink::Liveness::heartbeat, config_.heartbeat),
      db_link_(*this, network_, db_,
               DbLink::Hooks{[this] { return now(); },
                             [this](sim::Duration d, uint32_t arg, bool bg) { schedule_app(d, kDbLink, arg, bg); },
                             [this](const WriteResult& r) { handle_write_result(r); }, [this] { db_timed_out(); }},
               DbLink::Liveness::data, config_.db_timeout),
      processed_total_(sim.recorder().counter("faultline_consumer_messages_processed_total", {{"pod", path()}},
                                              "Messages the consumer finished processing")),
      processing_rng_(rng("processing")) {}

void Consumer::initialize() {
  if (!queue_.connected()) throw std::logic_error("consumer " + path() + " consumes from nothing");
  if (config_.writes && !db_.connected()) throw std::logic_error("consumer " + path() + " writes to nothing");
  if (exists()) subscribe();  // a slot left for scaling subscribes when created (on_ready)
}

void Consumer::subscribe() {
  conn_ = Conn::connecting;
  ConsumerRequest sub;
  sub.op = ConsumerRequest::Op::subscribe;
  sub.prefetch = config_.prefetch;
  sub.auto_ack = config_.auto_ack;
  queue_.send(sub);
}

void Consumer::on_notice(const ConsumerNotice& n) {
  if (!process_running()) return;
  receive_broker_notice(queue_link_, queue_, n, n.kind == NoticeKind::delivery ? n.delivery.bytes : 0,
                        [this](const ConsumerNotice& notice) { handle_notice(notice); },
                        [this] { close_queue_connection(); });
}

void Consumer::close_queue_connection() {
  // The broker learns at once, as its own heartbeat check would: it requeues our unacked
  // deliveries (R-CA3).
  ConsumerRequest cancel;
  cancel.op = ConsumerRequest::Op::cancel;
  queue_.send(cancel);
  handle_notice(ConsumerNotice{NoticeKind::disconnected, {}});
}

void Consumer::queue_timed_out() {
  // R-CA4: heartbeats stopped crossing the blocked path; both ends close the connection. The
  // broker's side is its own heartbeat check: it requeues our unacked deliveries (R-CA3).
  log_event("connection-timed-out", {{"peer", queue_.server_owner()->path()}, {"heartbeat_s", config_.heartbeat.seconds()}});
  close_queue_connection();
}

void Consumer::drop_queue_link(const char* lost_cause) {
  if (config_.auto_ack)
    queue_link_.for_each_down([&](const ConsumerNotice& n) {
      if (n.kind == NoticeKind::delivery) sim().ledger().lose(n.delivery.message.id, lost_cause, path());
    });
  queue_link_.close();
}

void Consumer::handle_notice(const ConsumerNotice& n) {
  switch (n.kind) {
    case NoticeKind::connected:
      conn_ = Conn::connected;
      break;
    case NoticeKind::disconnected:
      if (queue_link_.modelled()) drop_queue_link("connection_lost");
      conn_ = Conn::disconnected;
      if (!config_.auto_ack) {
        // The broker took back every unacked delivery of the channel (R-CA3). The one being
        // processed lives on in this process: it is now a copy of our own, whatever the broker
        // does with its copy.
        buffer_.clear();
        if (busy_ && !orphaned_) {
          orphaned_ = true;
          sim().ledger().add_copy(current_.message.id);
        }
      }
      if (!reconnect_scheduled_) {
        reconnect_scheduled_ = true;
        schedule_app(config_.reconnect_delay, kReconnect, 0, true);  // waiting is not work
      }
      break;
    case NoticeKind::delivery:
      if (!busy_ && buffer_.empty() && !frozen()) {
        start(n.delivery);  // what start_next() would take at once, without a trip through buffer_
        break;
      }
      buffer_.push_back(n.delivery);
      if (!busy_) start_next();
      break;
  }
}

void Consumer::start_next() {
  if (busy_ || buffer_.empty() || frozen()) return;
  const Delivery next = buffer_.front();
  buffer_.pop_front();
  start(next);
}

void Consumer::start(const Delivery& delivery) {
  current_ = delivery;
  busy_ = true;
  orphaned_ = false;
  sim::Duration work = config_.processing_time.sample_duration(processing_rng_);
  if (stress_load_ > 0) {
    // A CPU-bound process sharing `cpus` cores with stressors of total load L gets
    // cpus / (cpus + L) of them, so its work stretches by (cpus + L) / cpus [DERIVED].
    work = sim::Duration::from_seconds(work.seconds() * (config_.cpus + stress_load_) / config_.cpus);
  }
  schedule_app(work, kProcessed);
  working_ = true;
  work_resumed_ = now();
}

void Consumer::stop_working() {
  if (working_ && !cpu_paused_) cpu_used_ += now() - work_resumed_;
  working_ = false;
  cpu_paused_ = false;
}

std::optional<double> Consumer::cpu_seconds_used() const {
  const sim::Duration running = working_ && !cpu_paused_ ? now() - work_resumed_ : sim::Duration::zero();
  return (cpu_used_ + running).seconds();
}

void Consumer::handle_app(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kProcessed:
      stop_working();
      if (config_.writes) {
        writing_ = true;
        if (db_link_.modelled() && !db_link_.is_open()) db_link_.open(db_.server_owner()->index());
        db_link_.send(WriteRequest{current_.message.id, current_.message.id}, 0);
      } else {
        complete(true);
      }
      break;
    case kReconnect:
      reconnect_scheduled_ = false;
      if (conn_ == Conn::disconnected) subscribe();
      break;
    case kQueueLink:
      queue_link_.on_event(arg);
      break;
    case kDbLink:
      db_link_.on_event(arg);
      break;
    default:
      break;
  }
}

void Consumer::on_write_result(const WriteResult& r) {
  if (db_link_.modelled()) {
    if (process_running() && db_link_.is_open()) db_link_.receive(r, 0);  // else: for a closed connection
    return;
  }
  handle_write_result(r);
}

void Consumer::db_timed_out() {
  // R-N10: the write's retransmissions gave up; the client sees an error and drops the
  // connection. The write is nacked like any failed one; the next one opens a new connection.
  log_event("connection-timed-out", {{"peer", db_.server_owner()->path()}, {"timeout_s", config_.db_timeout.seconds()}});
  db_link_.close();
  if (!writing_) return;
  writing_ = false;
  ++write_failures_;
  complete(false);
}

void Consumer::handle_write_result(const WriteResult& r) {
  if (!process_running() || !writing_ || r.request_id != current_.message.id) return;
  writing_ = false;
  if (!r.committed) ++write_failures_;
  complete(r.committed);
}

void Consumer::complete(bool success) {
  busy_ = false;
  if (success) {
    ++processed_;
    processed_total_.inc();
    // The side effect is done: the message is delivered (or delivered again: a duplicate).
    sim().ledger().delivered(current_.message, now());
    // Tested here, not only inside: the call is per message and tracing is usually off.
    if (sim().events().trace_messages()) sim().events().trace_message(now(), path(), "processed", current_.message.id);
  }
  if (config_.auto_ack || orphaned_) {
    // The copy is ours (auto-ack since delivery, R-CA1; or orphaned): done, or dropped on failure.
    if (success)
      sim().ledger().release(current_.message.id);
    else
      sim().ledger().lose(current_.message.id, "consumer_write_failed", path());
  } else if (conn_ == Conn::connected) {
    ConsumerRequest r;
    r.delivery_tag = current_.delivery_tag;
    if (success) {
      r.op = ConsumerRequest::Op::ack;
    } else {
      r.op = ConsumerRequest::Op::nack;  // R-CA6: requeue, or drop (Dapr requeueInFailure=false)
      r.requeue = config_.requeue_on_failure;
    }
    queue_link_.send(r, 0);
  }
  orphaned_ = false;
  start_next();
}

void Consumer::on_process_stop(StopCause) {
  stop_working();
  if (config_.auto_ack) {
    // Auto-ack deliveries live only in this process (R-CA1, R-MQ4.6).
    for (const Delivery& d : buffer_) sim().ledger().lose(d.message.id, "consumer_autoack_crash", path());
    if (busy_) sim().ledger().lose(current_.message.id, "consumer_autoack_crash", path());
  } else if (busy_ && orphaned_) {
    sim().ledger().lose(current_.message.id, "consumer_crash", path());
  }
  if (queue_link_.modelled()) {
    drop_queue_link("consumer_autoack_crash");
    db_link_.close();
  }
  buffer_.clear();
  busy_ = false;
  writing_ = false;
  orphaned_ = false;
  if (conn_ != Conn::disconnected) {
    ConsumerRequest r;
    r.op = ConsumerRequest::Op::cancel;  // the kernel closes the socket: the broker requeues (R-CA3)
    queue_.send(r);
  }
  conn_ = Conn::disconnected;
  reconnect_scheduled_ = false;
}

void Consumer::on_ready() {
  if (conn_ == Conn::disconnected && !reconnect_scheduled_) subscribe();
}

void Consumer::on_freeze() {
  // SIGSTOP: no CPU until the thaw.
  if (working_ && !cpu_paused_) cpu_used_ += now() - work_resumed_;
  cpu_paused_ = true;
}

void Consumer::on_thaw() {
  cpu_paused_ = false;
  work_resumed_ = now();
  start_next();
}

sim::FaultOutcome Consumer::on_app_fault_start(const sim::Fault& f) {
  if (f.kind == "stress-cpu") {
    stress_load_ += static_cast<double>(f.params.value("workers", int64_t{1})) * f.params.value("load", 1.0);
    return sim::FaultOutcome::ok();
  }
  return sim::FaultOutcome::unmapped("a consumer pod does not react to " + f.kind);
}

void Consumer::on_app_fault_end(const sim::Fault& f) {
  if (f.kind == "stress-cpu") {
    stress_load_ -= static_cast<double>(f.params.value("workers", int64_t{1})) * f.params.value("load", 1.0);
    if (stress_load_ < 1e-12) stress_load_ = 0;
  }
}

uint64_t Consumer::held_messages() const {
  // In auto-ack mode the consumer holds its deliveries; with manual acks the broker does,
  // except for a delivery whose channel closed while it was being processed.
  if (!config_.auto_ack) return busy_ && orphaned_ ? 1 : 0;
  uint64_t on_the_wire = 0;
  queue_link_.for_each_down([&](const ConsumerNotice& n) { on_the_wire += n.kind == NoticeKind::delivery ? 1 : 0; });
  return buffer_.size() + (busy_ ? 1 : 0) + on_the_wire;
}

nlohmann::ordered_json Consumer::summary() const {
  return {{"processed", processed_}, {"write_failures", write_failures_}};
}

sim::KindInfo Consumer::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "consumer";
  k.help = "consumer pods: prefetch, processing time, optional database write, manual or automatic ack";
  k.replication = sim::Replication::replicas;
  k.role = sim::TopologyRole::consumer;
  k.count_help = "consumer pods";
  sim::ReferenceSpec queue;
  queue.target_kinds = {"queue", "broker-cluster"};
  queue.flow = sim::ReferenceSpec::Flow::from_target;
  queue.wires = {{"consume", "consume"}};
  sim::ReferenceSpec db;
  db.target_kinds = {"datastore", "galera-cluster"};
  db.flow = sim::ReferenceSpec::Flow::none;
  db.wires = {{"write", "write"}};
  k.params = {
      ParamSpec::ref("queue", queue)
          .require()
          .describe("the queue to consume from: a queue, or a broker cluster's queue (\"rabbitmq.orders\")"),
      ParamSpec::ref("writes_to", db)
          .optional()
          .describe("a database written for each message; the ack follows the committed write: a datastore, or a "
                    "galera-cluster through its Service (\"mariadb\") or one member (\"mariadb.mariadb-0\")"),
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
          .describe("time to process one message (the application's work, before any database write)")
          .from("[RMQ-BLOG-2024-08-21] consumer latency median 1.0 ms with no application work"),
      ParamSpec::choice("on_write_failure", {"requeue", "drop"})
          .def("requeue")
          .describe("after a failed write: nack with requeue, or nack without (the message is dropped)")
          .from("R-CA6; Dapr requeueInFailure=false drops (§5.1)"),
      ParamSpec::duration("reconnect_delay")
          .def("3s")
          .above(0)
          .describe("wait before reopening a lost connection")
          .from("Dapr RabbitMQ reconnectWaitSeconds 3 s (§5.1)"),
      ParamSpec::number("cpus", "cores")
          .def(1.0)
          .above(0)
          .describe("CPU cores the pod can use; CPU stressors share them")
          .from("pod CPU limit; 1 core when unset"),
      ParamSpec::duration("heartbeat")
          .def("60s")
          .above(0)
          .describe("AMQP heartbeat timeout: with a network component, a connection whose path a partition blocks "
                    "is closed by both ends at the first heartbeat check (every timeout/2) this long after the "
                    "block; the broker requeues the unacked deliveries (R-CA3)")
          .from("R-CA4: RabbitMQ default 60 s, two missed heartbeats; Dapr heartBeat 10 s (§5.1)"),
      ParamSpec::duration("db_timeout")
          .def("11m")
          .above(0)
          .describe("with a network component: how long a database write may wait on a blocked path before the "
                    "client gives up and nacks the message")
          .from("R-N10: TCP gives up after ~11 min without keepalive; MariaDB clients set no read timeout by default"),
  };
  for (auto& p : Pod::pod_params("1s", "a client process start; no measured source, calibrate", PodConfig::Controller::deployment, true))
    k.params.push_back(std::move(p));
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    ConsumerConfig c;
    c.processing_time = inst.params.distribution("processing_time");
    c.prefetch = static_cast<uint32_t>(inst.params.integer("prefetch"));
    c.auto_ack = inst.params.text("ack") == "auto";
    c.writes = inst.params.has("writes_to");
    c.requeue_on_failure = inst.params.text("on_write_failure") == "requeue";
    c.reconnect_delay = inst.params.duration("reconnect_delay");
    c.cpus = inst.params.number("cpus");
    c.heartbeat = inst.params.duration("heartbeat");
    c.db_timeout = inst.params.duration("db_timeout");
    return sim.add<Consumer>({inst.path, inst.labels}, Pod::pod_config(inst), c);
  };
  return k;
}

}  // namespace faultline::models
