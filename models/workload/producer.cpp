#include "models/workload/producer.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

using Kind = PublisherNotice::Kind;

Producer::Producer(sim::Simulation& sim, sim::ComponentIdentity id, PodConfig pod, ProducerConfig config)
    : Pod(sim, std::move(id), std::move(pod)),
      config_(std::move(config)),
      out_(client_port<PublisherRequest, PublisherNotice, &Producer::on_notice>("publish")),
      network_(request_port<PathQuery, PathAnswer>("network")),
      link_(*this, network_, out_,
            PublisherLink::Hooks{[this] { return now(); },
                        [this](sim::Duration d, uint32_t arg, bool background) { schedule_app(d, kLink, arg, background); },
                        [this](const PublisherNotice& n) { handle_notice(n); }, [this] { link_timed_out(); }},
            PublisherLink::Liveness::heartbeat, config_.heartbeat),
      arrivals_rng_(rng("arrivals")),
      created_total_(sim.recorder().counter("faultline_producer_messages_created_total", {{"pod", path()}},
                                            "Messages created by the producer")),
      failed_total_(sim.recorder().counter("faultline_producer_publish_failures_total", {{"pod", path()}},
                                           "Publish attempts that failed or were nacked")) {}

void Producer::initialize() {
  if (!out_.connected()) throw std::logic_error("producer " + path() + " publishes to nothing");
  if (!exists()) return;  // a slot left for scaling starts when created (on_ready)
  connect();
  arrivals_running_ = true;
  schedule_next_arrival();
}

void Producer::connect() {
  conn_ = Conn::connecting;
  PublisherRequest r;
  r.op = PublisherRequest::Op::connect;
  out_.send(r);
}

void Producer::schedule_next_arrival() {
  if (config_.message_limit && created_ >= *config_.message_limit) {
    arrivals_running_ = false;
    return;
  }
  // The profile's clock starts at `start`; arrivals follow the (possibly ramping) rate.
  const double from = std::max(profile_clock_, (now() - sim::SimTime::at(config_.start)).seconds());
  const double amount = config_.arrivals == ProducerConfig::Arrivals::poisson ? arrivals_rng_.exponential(1.0) : 1.0;
  double next = 0;
  if (!config_.rate.advance(from, amount, next)) {
    arrivals_running_ = false;  // the load has ended
    return;
  }
  profile_clock_ = next;
  const sim::SimTime at = sim::SimTime::at(config_.start) + sim::Duration::from_seconds(next);
  schedule_app(std::max(at, now()) - now(), kArrival);
}

void Producer::arrival() {
  sim::Message m = sim().ledger().create(now(), index());
  if (config_.persistent) m.flags |= sim::Message::kPersistent;
  ++created_;
  created_total_.inc();
  // Tested here, not only inside: the call is per message and tracing is usually off.
  if (sim().events().trace_messages()) sim().events().trace_message(now(), path(), "created", m.id);
  try_publish(Pending{m, 0});
  schedule_next_arrival();
}

void Producer::try_publish(Pending p) {
  if (conn_ == Conn::connecting && link_.modelled()) {
    awaiting_connection_.push_back(p);  // the client library waits for the handshake
    return;
  }
  if (conn_ != Conn::connected) {
    // The client library fails at once on a closed connection (Dapr returns an error, §5.1).
    ++p.attempts;
    failed(p, "publish_failed", down_where_);
    return;
  }
  if (blocked_) {
    blocked_queue_.push_back(p);
    blocked_since_.push_back(now());
    schedule_app(config_.publish_timeout, kBlockedTimeout);
    return;
  }
  send(p);
}

void Producer::send(const Pending& sent) {
  Pending p = sent;
  ++p.attempts;
  PublisherRequest r;
  r.op = PublisherRequest::Op::publish;
  r.message = p.message;
  r.wants_confirm = config_.confirms;
  if (config_.confirms)
    unconfirmed_.emplace(p.message.id, p);
  else
    unanswered_.push_back(p);
  link_.send(r, config_.message_bytes);
}

void Producer::failed(Pending p, const char* cause, const std::string* where) {
  failed_total_.inc();
  if (p.attempts < config_.max_attempts) {
    // Dapr resiliency retries (R-D2): constant interval, or ×2 per attempt up to the maximum.
    sim::Duration wait = config_.retry_interval;
    if (config_.backoff == ProducerConfig::Backoff::exponential)
      for (uint32_t k = 1; k < p.attempts && wait < config_.retry_max_interval; ++k) wait = wait * 2;
    wait = std::min(wait, config_.retry_max_interval);
    const uint32_t slot = next_retry_slot_++;
    retrying_.emplace(slot, p);
    ++retries_;
    schedule_app(wait, kRetry, slot);
    return;
  }
  ++given_up_;
  sim().ledger().lose(p.message.id, cause, where != nullptr ? *where : std::string());
}

void Producer::on_notice(const PublisherNotice& n) {
  if (!process_running()) return;  // nobody is listening
  receive_publisher_notice(link_, out_, n, [this](const PublisherNotice& notice) { handle_notice(notice); });
}

void Producer::link_timed_out() {
  // R-CA4: heartbeats stopped crossing the blocked path; both ends close the connection. The
  // broker's side is its own heartbeat check: it drops our pending confirms.
  log_event("connection-timed-out", {{"peer", out_.server_owner()->path()}, {"heartbeat_s", config_.heartbeat.seconds()}});
  close_publisher_connection(out_, [this](const PublisherNotice& notice) { handle_notice(notice); });
}

void Producer::settle_in_flight(const char* lost_cause, bool crashed) {
  std::vector<uint64_t> lost, returned;
  link_.for_each_up([&](const PublisherRequest& r) {
    if (r.op == PublisherRequest::Op::publish && !r.wants_confirm) lost.push_back(r.message.id);
  });
  link_.for_each_down([&](const PublisherNotice& n) {
    if (config_.confirms) return;  // our copies are in unconfirmed_, failed with the connection
    if (n.kind == Kind::accepted) take_unanswered(n.message_id);  // the broker has it
    if (n.kind == Kind::failed || n.kind == Kind::nacked) returned.push_back(n.message_id);
  });
  link_.close();
  for (uint64_t id : lost) {
    take_unanswered(id);
    sim().ledger().lose(id, lost_cause, path());
  }
  for (uint64_t id : returned) {
    auto p = take_unanswered(id);
    if (!p) continue;
    if (crashed)
      sim().ledger().lose(id, lost_cause, path());
    else
      failed(*p, "publish_failed", nullptr);
  }
}

void Producer::handle_notice(const PublisherNotice& n) {
  switch (n.kind) {
    case Kind::connected: {
      conn_ = Conn::connected;
      down_where_ = nullptr;
      std::deque<Pending> waiting;
      waiting.swap(awaiting_connection_);
      for (Pending& p : waiting) try_publish(p);
      break;
    }
    case Kind::disconnected: {
      if (n.where != nullptr) down_where_ = n.where;  // a refused reconnect keeps the original cause
      if (link_.modelled()) settle_in_flight("connection_lost", false);
      conn_ = Conn::disconnected;
      {
        std::deque<Pending> waiting;
        waiting.swap(awaiting_connection_);
        for (Pending& p : waiting) {
          ++p.attempts;
          failed(p, "publish_failed", down_where_);
        }
      }
      blocked_ = false;
      flush_blocked();  // blocked publishes fail with the connection
      // Confirms outstanding on a lost connection will never come: those publishes failed.
      std::map<uint64_t, Pending> outstanding;
      outstanding.swap(unconfirmed_);
      for (auto& [id, p] : outstanding) failed(p, "publish_failed", n.where);
      if (!reconnect_scheduled_) {
        reconnect_scheduled_ = true;
        // Reconnecting is work only while there is something left to publish.
        const bool idle = !arrivals_running_ && held_messages() == 0;
        schedule_app(config_.reconnect_delay, kReconnect, 0, idle);
      }
      break;
    }
    case Kind::accepted:
      // Custody passed to the broker. It answers in order: the oldest send, popped here
      // without building the std::optional take_unanswered() returns.
      if (!unanswered_.empty() && unanswered_.front().message.id == n.message_id)
        unanswered_.pop_front();
      else
        take_unanswered(n.message_id);
      break;
    case Kind::confirmed: {
      auto it = unconfirmed_.find(n.message_id);
      if (it == unconfirmed_.end()) break;
      unconfirmed_.erase(it);
      if (n.cause[0] != '\0')
        sim().ledger().lose(n.message_id, n.cause, n.where != nullptr ? *n.where : std::string());  // acked but dropped
      else
        sim().ledger().release(n.message_id);  // the broker holds it now, or it was delivered
      break;
    }
    case Kind::nacked:
    case Kind::failed: {
      // With confirms our copy is the one left; without, the broker hands its copy back.
      if (config_.confirms) {
        auto it = unconfirmed_.find(n.message_id);
        if (it == unconfirmed_.end()) break;
        Pending p = it->second;
        unconfirmed_.erase(it);
        failed(p, n.cause, n.where);
      } else if (auto p = take_unanswered(n.message_id)) {
        failed(*p, n.cause, n.where);
      }
      break;
    }
    case Kind::blocked:
      blocked_ = true;
      break;
    case Kind::unblocked:
      blocked_ = false;
      while (!blocked_queue_.empty() && !blocked_) {
        Pending p = blocked_queue_.front();
        blocked_queue_.pop_front();
        blocked_since_.pop_front();
        send(p);
      }
      break;
  }
}

std::optional<Producer::Pending> Producer::take_unanswered(uint64_t id) {
  // Brokers answer in order, so the answer is nearly always for the oldest send.
  for (auto it = unanswered_.begin(); it != unanswered_.end(); ++it) {
    if (it->message.id != id) continue;
    Pending p = *it;
    if (it == unanswered_.begin())
      unanswered_.pop_front();
    else
      unanswered_.erase(it);
    return p;
  }
  return std::nullopt;
}

void Producer::flush_blocked() {
  while (!blocked_queue_.empty()) {
    Pending p = blocked_queue_.front();
    blocked_queue_.pop_front();
    blocked_since_.pop_front();
    ++p.attempts;
    failed(p, "publish_failed", nullptr);
  }
}

void Producer::handle_app(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kArrival:
      arrival();
      break;
    case kRetry: {
      auto it = retrying_.find(arg);
      if (it == retrying_.end()) break;
      Pending p = it->second;
      retrying_.erase(it);
      try_publish(p);
      break;
    }
    case kReconnect:
      reconnect_scheduled_ = false;
      if (conn_ == Conn::disconnected) connect();
      break;
    case kLink:
      link_.on_event(arg);
      break;
    case kBlockedTimeout:
      // The oldest blocked publish has waited publish_timeout: it fails.
      if (!blocked_queue_.empty() && now() - blocked_since_.front() >= config_.publish_timeout) {
        Pending p = blocked_queue_.front();
        blocked_queue_.pop_front();
        blocked_since_.pop_front();
        ++p.attempts;
        failed(p, "publish_failed", nullptr);
      }
      break;
    default:
      break;
  }
}

void Producer::on_process_stop(StopCause) {
  // The process is gone with everything it held in memory.
  const std::string& me = path();
  if (link_.modelled()) settle_in_flight("producer_crash", true);
  for (auto& p : awaiting_connection_) sim().ledger().lose(p.message.id, "producer_crash", me);
  awaiting_connection_.clear();
  for (auto& [id, p] : unconfirmed_) sim().ledger().lose(id, "producer_crash", me);
  for (auto& [slot, p] : retrying_) sim().ledger().lose(p.message.id, "producer_crash", me);
  for (auto& p : blocked_queue_) sim().ledger().lose(p.message.id, "producer_crash", me);
  unconfirmed_.clear();
  unanswered_.clear();  // in the broker's custody
  retrying_.clear();
  blocked_queue_.clear();
  blocked_since_.clear();
  if (conn_ != Conn::disconnected) {
    PublisherRequest r;
    r.op = PublisherRequest::Op::disconnect;  // the kernel closes the socket
    out_.send(r);
  }
  conn_ = Conn::disconnected;
  blocked_ = false;
  reconnect_scheduled_ = false;
  arrivals_running_ = false;
}

void Producer::on_ready() {
  // A restarted producer reconnects and resumes its load where the profile now is.
  if (conn_ == Conn::disconnected) connect();
  if (!arrivals_running_) {
    arrivals_running_ = true;
    profile_clock_ = std::max(profile_clock_, (now() - sim::SimTime::at(config_.start)).seconds());
    schedule_next_arrival();
  }
}

uint64_t Producer::held_messages() const {
  uint64_t n = unconfirmed_.size() + retrying_.size() + blocked_queue_.size() + awaiting_connection_.size();
  if (config_.confirms) return n;
  // Without confirms a publish on the wire is its only copy, and so is one the broker handed back.
  link_.for_each_up([&](const PublisherRequest& r) { n += r.op == PublisherRequest::Op::publish ? 1 : 0; });
  link_.for_each_down([&](const PublisherNotice& m) { n += m.kind == Kind::failed || m.kind == Kind::nacked ? 1 : 0; });
  return n;
}

nlohmann::ordered_json Producer::summary() const {
  return {{"created", created_}, {"retries", retries_}, {"given_up", given_up_}};
}

sim::KindInfo Producer::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "producer";
  k.help = "open-loop producer pods (feeder, load-generated service) publishing to a queue";
  k.replication = sim::Replication::replicas;
  k.role = sim::TopologyRole::source;
  k.count_help = "producer pods";
  sim::ReferenceSpec target;
  target.target_kinds = {"queue", "broker-cluster", "outbox"};
  target.flow = sim::ReferenceSpec::Flow::to_target;
  target.wires = {{"publish", "publish"}};
  k.params = {
      ParamSpec::ref("target", target)
          .require()
          .describe("where messages go: a queue, a broker cluster's queue (\"rabbitmq.orders\") or an outbox"),
      ParamSpec::choice("arrivals", {"poisson", "constant"})
          .def("poisson")
          .describe("inter-arrival process: exponential gaps (Poisson) or even gaps (k6 constant-arrival-rate)")
          .from("open-loop load model"),
      ParamSpec::rate("rate")
          .def(100.0)
          .at_least(0)
          .describe("messages per second, per producer pod (with stages: the start rate)")
          .from("seed 002: 100 req/s from k6"),
      ParamSpec::records("stages",
                         {ParamSpec::duration("duration").require().at_least(0).describe("length of the ramp").from(
                              "k6 stages[].duration"),
                          ParamSpec::rate("target").require().at_least(0).describe("rate reached at the end").from(
                              "k6 stages[].target")})
          .describe("k6 ramping-arrival-rate stages: ramp linearly from the previous rate to each target; the "
                    "load ends after the last stage")
          .from("k6 ramping-arrival-rate executor"),
      ParamSpec::integer("messages", "messages")
          .optional()
          .at_least(0)
          .describe("stop after this many messages; unbounded when absent")
          .from("workload definition (bench: N)"),
      ParamSpec::duration("start").def("0s").at_least(0).describe("when the load starts").from("workload definition"),
      ParamSpec::boolean("persistent")
          .def(false)
          .describe("publish with delivery_mode 2 (persistent)")
          .from("Dapr default deliveryMode 0, transient (§5.1)"),
      ParamSpec::boolean("confirms")
          .def(false)
          .describe("publisher confirms: keep each message until the broker confirms it")
          .from("Dapr default publisherConfirm false (§5.1)"),
      ParamSpec::integer("max_attempts", "attempts")
          .def(1)
          .at_least(1)
          .describe("publish attempts per message before giving up (1 = no retry)")
          .from("seed 002 v1: the order service does not retry a failed publish"),
      ParamSpec::choice("backoff", {"constant", "exponential"})
          .def("constant")
          .describe("retry back-off policy")
          .from("Dapr resiliency default policy constant (R-D2)"),
      ParamSpec::duration("retry_interval")
          .def("5s")
          .at_least(0)
          .describe("wait before a retry (the first one, for exponential back-off)")
          .from("Dapr resiliency default duration 5 s (R-D2)"),
      ParamSpec::duration("retry_max_interval")
          .def("60s")
          .at_least(0)
          .describe("longest wait between retries")
          .from("Dapr resiliency exponential maxInterval 60 s (R-D2)"),
      ParamSpec::duration("reconnect_delay")
          .def("3s")
          .above(0)
          .describe("wait before reopening a lost connection")
          .from("Dapr RabbitMQ reconnectWaitSeconds 3 s (§5.1)"),
      ParamSpec::duration("publish_timeout")
          .def("60s")
          .above(0)
          .describe("how long a publish blocked by flow control waits before failing")
          .from("Dapr circuit-breaker timeout 60 s (R-D2); heartbeats are off on blocked connections (R-AL2)"),
      ParamSpec::bytes("message_size")
          .def(1024)
          .above(0)
          .at_most(1e9)
          .describe("bytes of a published message on the wire (only a network component's bandwidth limits use it)")
          .from("1 KB messages of [RMQ-BLOG-2020-06-19]"),
      ParamSpec::duration("heartbeat")
          .def("60s")
          .above(0)
          .describe("AMQP heartbeat timeout: with a network component, a connection whose path a partition blocks "
                    "is closed by both ends at the first heartbeat check (every timeout/2) this long after the block")
          .from("R-CA4: RabbitMQ default 60 s, two missed heartbeats; Dapr heartBeat 10 s (§5.1)"),
  };
  for (auto& p : Pod::pod_params("1s", "a client process start; no measured source, calibrate", PodConfig::Controller::deployment, true))
    k.params.push_back(std::move(p));
  k.bounded = [](const sim::ParamValues& p) {
    return p.has("messages") || p.rate("rate") == 0 || !p.objects("stages").empty();
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    ProducerConfig c;
    c.arrivals = inst.params.text("arrivals") == "constant" ? ProducerConfig::Arrivals::constant
                                                            : ProducerConfig::Arrivals::poisson;
    std::vector<RateProfile::Stage> stages;
    for (const sim::ParamValues& st : inst.params.objects("stages"))
      stages.push_back({st.duration("duration").seconds(), st.rate("target")});
    c.rate = RateProfile(inst.params.rate("rate"), std::move(stages));
    if (inst.params.has("messages")) c.message_limit = static_cast<uint64_t>(inst.params.integer("messages"));
    c.start = inst.params.duration("start");
    c.persistent = inst.params.boolean("persistent");
    c.confirms = inst.params.boolean("confirms");
    c.max_attempts = static_cast<uint32_t>(inst.params.integer("max_attempts"));
    c.backoff = inst.params.text("backoff") == "exponential" ? ProducerConfig::Backoff::exponential
                                                             : ProducerConfig::Backoff::constant;
    c.retry_interval = inst.params.duration("retry_interval");
    c.retry_max_interval = inst.params.duration("retry_max_interval");
    c.reconnect_delay = inst.params.duration("reconnect_delay");
    c.publish_timeout = inst.params.duration("publish_timeout");
    c.message_bytes = static_cast<uint32_t>(inst.params.bytes("message_size"));
    c.heartbeat = inst.params.duration("heartbeat");
    return sim.add<Producer>({inst.path, inst.labels}, Pod::pod_config(inst), c);
  };
  return k;
}

}  // namespace faultline::models
