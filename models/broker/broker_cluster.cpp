#include "models/broker/broker_cluster.hpp"

#include <stdexcept>

#include "models/broker/broker_node.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
constexpr uint16_t kQueueEventBase = 0x100;
}

BrokerCluster::BrokerCluster(sim::Simulation& sim, sim::ComponentIdentity id, BrokerClusterConfig config)
    : Component(sim, std::move(id)), config_(std::move(config)), nodes_state_(config_.nodes) {
  if (config_.nodes == 0 || config_.nodes > 64) throw std::logic_error("a broker cluster has 1 to 64 nodes");
  publishers_.resize(config_.queues.size());
  consumers_.resize(config_.queues.size());
  for (uint32_t q = 0; q < config_.queues.size(); ++q) {
    endpoints_.push_back(Endpoint{this, q});
    Endpoint& ep = endpoints_.back();
    const std::string& name = config_.queues[q].name;
    ep.publish = &server_port_for<PublisherRequest, PublisherNotice, Endpoint, &Endpoint::on_publish>(name + ".publish", &ep);
    ep.consume = &server_port_for<ConsumerRequest, ConsumerNotice, Endpoint, &Endpoint::on_consume>(name + ".consume", &ep);
    answer_port_for<QueueStatsRequest, QueueStats, Endpoint, &Endpoint::on_stats>(name + ".stats", &ep);
  }
  network_ = &request_port<PathQuery, PathAnswer>("network");
  for (uint32_t q = 0; q < config_.queues.size(); ++q)
    queues_.push_back(std::make_unique<BrokerQueue>(*this, q, config_.queues[q], path()));
  for (uint32_t n = 0; n < config_.nodes; ++n)
    memory_alarm_gauges_.push_back(&sim.recorder().gauge(
        "rabbitmq_alarms_memory_used_watermark", {{"node", path() + "/" + path() + "-" + std::to_string(n)}},
        "1 while the node's memory alarm is raised"));
}

BrokerCluster::~BrokerCluster() = default;

void BrokerCluster::initialize() {
  if (nodes_.size() != config_.nodes) throw std::logic_error("broker cluster " + path() + " is missing nodes");
}

const std::string& BrokerCluster::node_path(uint32_t node) const { return nodes_.at(node)->path(); }

const std::string& BrokerCluster::consumer_path(uint32_t queue, uint32_t connection) const {
  return endpoints_.at(queue).consume->client_owner(connection).path();
}

const BrokerQueue& BrokerCluster::queue(const std::string& name) const {
  for (const auto& q : queues_)
    if (q->config().name == name) return *q;
  throw std::out_of_range("broker cluster " + path() + " has no queue " + name);
}

sim::EventId BrokerCluster::schedule_queue_event(uint32_t queue, sim::Duration delay, uint16_t kind) {
  return schedule_in(delay, static_cast<uint16_t>(kQueueEventBase | kind), queue);
}

void BrokerCluster::handle(uint16_t event_kind, uint32_t arg) {
  queues_.at(arg)->on_event(static_cast<uint16_t>(event_kind & 0xFF));
}

QueueStats BrokerCluster::queue_stats(uint32_t q) const {
  const BrokerQueue& queue = *queues_.at(q);
  if (!queue.available()) return QueueStats{};
  return QueueStats{true, queue.ready_count(), queue.unacked_count(), queue.published_count()};
}

std::optional<uint32_t> BrokerCluster::pick_node() {
  // The Service routes a new connection to a ready endpoint, round-robin (R-K11).
  for (uint32_t k = 0; k < config_.nodes; ++k) {
    const uint32_t n = (service_next_ + k) % config_.nodes;
    if (!nodes_state_[n].in_service || !nodes_state_[n].serving) continue;
    service_next_ = (n + 1) % config_.nodes;
    return n;
  }
  return std::nullopt;
}

std::optional<sim::Duration> BrokerCluster::replication_round_trip(uint32_t from, uint32_t to) {
  const uint32_t a = nodes_.at(from)->index(), b = nodes_.at(to)->index();
  const PathAnswer there = ask_path(*network_, a, b, static_cast<uint32_t>(config_.message_bytes));
  if (!there.reachable) return std::nullopt;
  const PathAnswer back = ask_path(*network_, b, a, 0);
  if (!back.reachable) return std::nullopt;
  return there.delay + back.delay;
}

void BrokerCluster::notify_publisher(uint32_t queue, uint32_t connection, const PublisherNotice& notice) {
  auto& conns = publishers_.at(queue);
  auto it = conns.find(connection);
  // Nothing reaches a publisher whose connection is closed.
  if (it == conns.end() || !it->second.open) return;
  endpoints_[queue].publish->send_to(connection, notice);
}

void BrokerCluster::notify_consumer(uint32_t queue, uint32_t connection, const ConsumerNotice& notice) {
  auto& conns = consumers_.at(queue);
  auto it = conns.find(connection);
  if (it == conns.end() || !it->second.open) return;
  if (notice.kind == ConsumerNotice::Kind::disconnected) it->second.open = false;
  if (network_->connected() && notice.kind != ConsumerNotice::Kind::disconnected) {
    // The client's traffic follows the path to the node serving it, and a delivery has a size.
    ConsumerNotice routed = notice;
    routed.endpoint = nodes_[it->second.node]->index();
    routed.delivery.bytes = static_cast<uint32_t>(config_.message_bytes);
    endpoints_[queue].consume->send_to(connection, routed);
    return;
  }
  endpoints_[queue].consume->send_to(connection, notice);
}

void BrokerCluster::on_publish(uint32_t q, uint32_t connection, const PublisherRequest& r) {
  using Kind = PublisherNotice::Kind;
  Connection& c = publishers_[q][connection];
  switch (r.op) {
    case PublisherRequest::Op::connect: {
      const auto node = pick_node();
      if (!node) {
        // Connection refused: no ready endpoint behind the Service.
        endpoints_[q].publish->send_to(connection, PublisherNotice{Kind::disconnected, 0, "publish_failed", nullptr});
        return;
      }
      c = {*node, true};
      PublisherNotice connected{Kind::connected, 0, "", nullptr};
      connected.endpoint = nodes_[*node]->index();  // the client's traffic goes to this node
      endpoints_[q].publish->send_to(connection, connected);
      if (alarm_) endpoints_[q].publish->send_to(connection, PublisherNotice{Kind::blocked, 0, "", nullptr});
      return;
    }
    case PublisherRequest::Op::disconnect:
      c.open = false;
      queues_[q]->publisher_closed(connection);
      return;
    case PublisherRequest::Op::publish:
      if (!c.open) {
        endpoints_[q].publish->send_to(connection, PublisherNotice{Kind::failed, r.message.id, "publish_failed", &path()});
        return;
      }
      queues_[q]->publish(connection, r);
      return;
  }
}

void BrokerCluster::on_consume(uint32_t q, uint32_t connection, const ConsumerRequest& r) {
  Connection& c = consumers_[q][connection];
  switch (r.op) {
    case ConsumerRequest::Op::subscribe: {
      const auto node = pick_node();
      if (!node) {
        endpoints_[q].consume->send_to(connection, ConsumerNotice{ConsumerNotice::Kind::disconnected, {}});
        return;
      }
      c = {*node, true};
      queues_[q]->subscribe(connection, *node, r);
      return;
    }
    case ConsumerRequest::Op::cancel:
      c.open = false;
      queues_[q]->channel_closed(connection);
      return;
    case ConsumerRequest::Op::ack:
    case ConsumerRequest::Op::nack:
      if (c.open) queues_[q]->consumer_request(connection, r);
      return;
  }
}

void BrokerCluster::close_connections_on(uint32_t node) {
  // A killed pod's kernel closes its sockets: clients see the connection drop at once (R-CA4).
  for (uint32_t q = 0; q < queues_.size(); ++q) {
    for (auto& [conn, c] : publishers_[q]) {
      if (!c.open || c.node != node) continue;
      queues_[q]->publisher_closed(conn);
      endpoints_[q].publish->send_to(conn, PublisherNotice{PublisherNotice::Kind::disconnected, 0, "publish_failed",
                                                           &node_path(node)});
      c.open = false;
    }
    for (auto& [conn, c] : consumers_[q]) {
      if (!c.open || c.node != node) continue;
      c.open = false;
      queues_[q]->channel_closed(conn);
      endpoints_[q].consume->send_to(conn, ConsumerNotice{ConsumerNotice::Kind::disconnected, {}});
    }
  }
}

void BrokerCluster::node_stopped(uint32_t node, bool had_volume, bool controlled) {
  NodeState& s = nodes_state_[node];
  s.serving = false;
  s.in_service = false;
  s.memory_alarm = false;
  log_event("node-down", {{"node", node_path(node)}, {"volume_kept", had_volume}, {"controlled", controlled}});
  close_connections_on(node);
  for (auto& q : queues_) q->node_stopped(node, had_volume, controlled);
  update_alarm();
}

void BrokerCluster::node_booting(uint32_t node) { log_event("node-booting", {{"node", node_path(node)}}); }

void BrokerCluster::node_ready(uint32_t node) {
  NodeState& s = nodes_state_[node];
  s.serving = true;
  s.in_service = true;
  s.up_since = now();
  log_event("node-up", {{"node", node_path(node)}});
  for (auto& q : queues_) q->node_ready(node, true);
  update_alarm();
}

void BrokerCluster::node_unready(uint32_t node) { nodes_state_[node].in_service = false; }

void BrokerCluster::node_frozen(uint32_t node, bool frozen) {
  // A frozen node keeps its connections but does nothing (no deliveries, no confirms).
  NodeState& s = nodes_state_[node];
  s.serving = !frozen;
  s.in_service = !frozen;
  log_event(frozen ? "node-frozen" : "node-thawed", {{"node", node_path(node)}});
  if (!frozen)
    for (auto& q : queues_) q->resume();
}

void BrokerCluster::fsync(uint32_t node) {
  for (auto& q : queues_) q->fsync_tick(node);
  evaluate_memory(node);
}

bool BrokerCluster::fsync_awaited(uint32_t node) const {
  for (const auto& q : queues_)
    if (q->awaits_fsync(node)) return true;
  return false;
}

void BrokerCluster::evaluate_memory(uint32_t node) {
  if (!config_.memory_limit) return;
  // R-AL1: used memory over watermark × limit raises the alarm; R-AL3: below, it clears.
  uint64_t messages = 0;
  for (const auto& q : queues_) messages += q->messages_on(node);
  const double used = static_cast<double>(config_.base_memory) +
                      static_cast<double>(messages) * static_cast<double>(config_.message_bytes);
  const bool over = used > config_.memory_high_watermark * static_cast<double>(*config_.memory_limit);
  if (over != nodes_state_[node].memory_alarm) {
    nodes_state_[node].memory_alarm = over;
    log_event(over ? "memory-alarm-raised" : "memory-alarm-cleared", {{"node", node_path(node)}, {"used_bytes", used}});
    update_alarm();
  }
}

void BrokerCluster::set_fault_alarm(uint32_t node, const std::string& resource, bool on) {
  if (resource == "disk")
    nodes_state_[node].fault_disk_alarm = on;
  else
    nodes_state_[node].fault_memory_alarm = on;
  update_alarm();
}

void BrokerCluster::update_alarm() {
  bool any = false;
  for (uint32_t n = 0; n < config_.nodes; ++n) {
    const NodeState& s = nodes_state_[n];
    const bool node_alarm = s.memory_alarm || s.fault_memory_alarm;
    memory_alarm_gauges_[n]->set(node_alarm ? 1.0 : 0.0);
    any = any || node_alarm || s.fault_disk_alarm;
  }
  if (any == alarm_) return;
  alarm_ = any;
  // R-AL1/R-AL2: alarms are cluster-wide; every publishing connection is blocked, consumers are not.
  log_event(alarm_ ? "publishers-blocked" : "publishers-unblocked");
  const auto kind = alarm_ ? PublisherNotice::Kind::blocked : PublisherNotice::Kind::unblocked;
  for (uint32_t q = 0; q < queues_.size(); ++q)
    for (auto& [conn, c] : publishers_[q])
      if (c.open) endpoints_[q].publish->send_to(conn, PublisherNotice{kind, 0, "", nullptr});
}

uint64_t BrokerCluster::held_messages() const {
  uint64_t n = 0;
  for (const auto& q : queues_) n += q->held();
  return n;
}

nlohmann::ordered_json BrokerCluster::summary() const {
  nlohmann::ordered_json queues = nlohmann::ordered_json::object();
  for (const auto& q : queues_) queues[q->config().name] = q->summary();
  return {{"queues", queues}};
}

sim::KindInfo BrokerCluster::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "broker-cluster";
  k.help = "a RabbitMQ-like cluster of broker nodes (StatefulSet pods) with classic, mirrored and quorum queues";
  k.replication = sim::Replication::self;
  k.role = sim::TopologyRole::store;
  k.count_help = "broker nodes (pods <name>/<name>-<i>)";
  k.params = {
      ParamSpec::objects(
          "queues",
          {ParamSpec::choice("type", {"classic", "mirrored", "quorum"})
               .def("classic")
               .describe("queue type: classic, classic mirrored (ha policy), or quorum (Raft)")
               .from("[RMQ-QUEUES] default type classic; §1.1"),
           ParamSpec::boolean("durable").def(true).describe("survives a broker restart").from(
               "Dapr durable: true in current source (§5.1); R-CQ1"),
           ParamSpec::integer("leader", "node index")
               .def(0)
               .at_least(0)
               .describe("node of the queue's home / initial leader (where the declaring client was connected)")
               .from("RabbitMQ places a queue on the declaring connection's node"),
           ParamSpec::choice("ha_mode", {"all", "exactly"})
               .def("all")
               .describe("mirrored: a mirror on every node, or exactly ha_params replicas")
               .from("R-MQ policy keys"),
           ParamSpec::integer("ha_params", "replicas")
               .def(2)
               .at_least(1)
               .describe("mirrored, ha-mode exactly: total replicas (leader + mirrors)")
               .from("R-MQ policy keys"),
           ParamSpec::choice("ha_sync_mode", {"manual", "automatic"})
               .def("manual")
               .describe("mirrored: how a new mirror gets the existing messages")
               .from("R-MQ table, default manual"),
           ParamSpec::choice("ha_promote_on_failure", {"always", "when-synced"})
               .def("always")
               .describe("mirrored: may an unsynchronised mirror be promoted after a crash")
               .from("R-MQ table, default always (3.7.5+)"),
           ParamSpec::choice("ha_promote_on_shutdown", {"always", "when-synced"})
               .def("when-synced")
               .describe("mirrored: the same after a controlled shutdown")
               .from("R-MQ5, default when-synced"),
           ParamSpec::bytes("sync_throughput")
               .def("125MB")
               .above(0)
               .describe("mirrored, automatic sync: bytes per second a new mirror is filled at")
               .from("R-MQ8 [DERIVED]: bounded by a 1 Gbit/s link"),
           ParamSpec::integer("quorum_size", "members")
               .def(3)
               .at_least(1)
               .describe("quorum: Raft group size (never two members on a node)")
               .from("R-QQ1, default 3"),
           ParamSpec::integer("max_length", "messages")
               .optional()
               .at_least(0)
               .describe("x-max-length: ready messages allowed; unlimited when absent")
               .from("R-MAXLEN"),
           ParamSpec::choice("overflow", {"drop-head", "reject-publish"})
               .def("drop-head")
               .describe("x-overflow: what happens at max_length")
               .from("R-MAXLEN, default drop-head"),
           ParamSpec::duration("message_ttl")
               .optional()
               .above(0)
               .describe("x-message-ttl: messages expire at the head after this; none when absent")
               .from("R-TTL")})
          .describe("the queues: referenced by producers and consumers as \"<cluster>.<queue>\""),
      ParamSpec::boolean("persistent_volume")
          .def(true)
          .describe("nodes keep their data on a PersistentVolume; without one a deleted pod comes back empty")
          .from("R-K8S: without a PV \"messages in the queues can easily be lost\""),
      ParamSpec::duration("fsync_interval")
          .def("200ms")
          .above(0)
          .describe("batched fsync of the message store; persistent messages are confirmed and safe after it")
          .from("R-CQ4: fsyncs every ~200 ms [RMQ-BLOG-2020-06-19]"),
      ParamSpec::duration("replication_delay")
          .def("300us")
          .at_least(0)
          .describe("time for mirrors to receive a message (one LAN round trip)")
          .from("R-L4: inter-node RTT ≈ 0.3 ms [LH-PERF-REPORT]"),
      ParamSpec::duration("commit_latency")
          .def("5.9ms")
          .at_least(0)
          .describe("quorum: append to a majority's fsynced WAL, hence confirm latency")
          .from("R-QQ7; [RMQ-BLOG-2024-08-21] SSD fsync 5.9 ms average"),
      ParamSpec::duration("election_time")
          .def("350ms")
          .at_least(0)
          .describe("quorum: from a leader's loss to a new leader")
          .from("testbed_notes: quorum leader failover ≈ 0.35 s; R-QQ3 \"a few seconds\" under load"),
      ParamSpec::bytes("message_size")
          .def(1024)
          .above(0)
          .describe("bytes per message (memory use, mirror synchronisation)")
          .from("1 KB messages of [RMQ-BLOG-2020-06-19]"),
      ParamSpec::bytes("memory_limit")
          .optional()
          .describe("container memory limit; without it the memory alarm comes only from broker-alarm faults")
          .from("R-AL table: use the absolute limit in containers"),
      ParamSpec::ratio("memory_high_watermark")
          .def(0.4)
          .describe("vm_memory_high_watermark.relative: alarm above this share of the limit")
          .from("R-AL table: 0.4 up to 3.13 (0.6 from 4.0)"),
      ParamSpec::bytes("base_memory")
          .def("150MB")
          .describe("memory a node uses with empty queues")
          .from("testbed_notes: 145–160 MB RSS per RabbitMQ node"),
  };
  for (auto& p : Pod::pod_params("10s", "R-NR4: ~5–20 s for a small node [UNVERIFIED]; testbed restarts 8.6–12 s",
                                 PodConfig::Controller::statefulset))
    k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t count, const sim::Document& doc) {
    if (count > 64) throw doc.error(p.pointer("queues").substr(0, p.pointer("queues").rfind('/')) + "/count",
                                    "a broker cluster has at most 64 nodes");
    for (const sim::ParamValues& q : p.objects("queues")) {
      if (q.integer("leader") >= count)
        throw doc.error(q.pointer("leader"), "the leader is node " + std::to_string(q.integer("leader")) +
                                                 " but the cluster has " + std::to_string(count) + " node(s)");
      if (q.text("type") == "mirrored" && count < 2)
        throw doc.error(q.pointer("type"), "a mirrored queue needs a cluster of at least 2 nodes (count)");
    }
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    BrokerClusterConfig c;
    c.nodes = inst.count;
    c.persistent_volume = inst.params.boolean("persistent_volume");
    c.fsync_interval = inst.params.duration("fsync_interval");
    c.replication_delay = inst.params.duration("replication_delay");
    c.commit_latency = inst.params.duration("commit_latency");
    c.election_time = inst.params.duration("election_time");
    c.message_bytes = inst.params.bytes("message_size");
    if (inst.params.has("memory_limit")) c.memory_limit = inst.params.bytes("memory_limit");
    c.memory_high_watermark = inst.params.ratio("memory_high_watermark");
    c.base_memory = inst.params.bytes("base_memory");
    for (const sim::ParamValues& q : inst.params.objects("queues")) {
      QueueConfig qc;
      qc.name = q.text("name");
      const std::string& type = q.text("type");
      qc.type = type == "mirrored" ? QueueConfig::Type::mirrored
                : type == "quorum" ? QueueConfig::Type::quorum
                                   : QueueConfig::Type::classic;
      qc.durable = q.boolean("durable") || qc.type == QueueConfig::Type::quorum;  // quorum queues are durable
      qc.leader = static_cast<uint32_t>(q.integer("leader"));
      qc.ha_all = q.text("ha_mode") == "all";
      qc.ha_count = static_cast<uint32_t>(q.integer("ha_params"));
      qc.ha_sync_automatic = q.text("ha_sync_mode") == "automatic";
      qc.promote_on_failure_always = q.text("ha_promote_on_failure") == "always";
      qc.promote_on_shutdown_always = q.text("ha_promote_on_shutdown") == "always";
      qc.sync_bytes_per_s = static_cast<double>(q.bytes("sync_throughput"));
      qc.quorum_size = static_cast<uint32_t>(q.integer("quorum_size"));
      if (q.has("max_length")) qc.max_length = static_cast<uint64_t>(q.integer("max_length"));
      qc.overflow = q.text("overflow") == "reject-publish" ? QueueConfig::Overflow::reject_publish
                                                           : QueueConfig::Overflow::drop_head;
      if (q.has("message_ttl")) qc.ttl = q.duration("message_ttl");
      c.queues.push_back(qc);
    }
    auto& cluster = sim.add<BrokerCluster>({inst.path, inst.labels}, c);
    PodConfig pod = Pod::pod_config(inst);
    for (uint32_t n = 0; n < c.nodes; ++n) {
      auto& node = sim.add<BrokerNode>({inst.path + "/" + inst.path + "-" + std::to_string(n), inst.labels}, pod, cluster,
                                       n, c.fsync_interval, c.persistent_volume);
      cluster.adopt_node(node);
    }
    return cluster;
  };
  return k;
}

}  // namespace faultline::models
