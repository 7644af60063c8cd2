#include "models/broker/broker_queue.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/core/simulation.hpp"

namespace faultline::models {

using NoticeKind = PublisherNotice::Kind;

namespace {
sim::Labels queue_labels(const std::string& cluster, const std::string& name) {
  return {{"cluster", cluster}, {"queue", name}};
}
}  // namespace

BrokerQueue::BrokerQueue(QueueHost& host, uint32_t index, QueueConfig config, const std::string& cluster)
    : host_(host),
      ledger_(host.simulation().ledger()),
      index_(index),
      config_(std::move(config)),
      label_(cluster + "." + config_.name),
      backlog_(host.simulation().backlog().register_queue(label_)),
      ready_gauge_(host.simulation().recorder().gauge("rabbitmq_queue_messages_ready", queue_labels(cluster, config_.name),
                                                      "Messages ready to be delivered to consumers")),
      unacked_gauge_(host.simulation().recorder().gauge("rabbitmq_queue_messages_unacked",
                                                        queue_labels(cluster, config_.name),
                                                        "Messages delivered to consumers but not yet acknowledged")),
      messages_gauge_(host.simulation().recorder().gauge("rabbitmq_queue_messages", queue_labels(cluster, config_.name),
                                                         "Ready and unacknowledged messages")),
      consumers_gauge_(host.simulation().recorder().gauge("rabbitmq_queue_consumers", queue_labels(cluster, config_.name),
                                                          "Consumers on the queue")),
      published_total_(host.simulation().recorder().counter("rabbitmq_queue_messages_published_total",
                                                            queue_labels(cluster, config_.name),
                                                            "Messages published into the queue")),
      received_total_(host.simulation().recorder().counter("rabbitmq_global_messages_received_total",
                                                           {{"cluster", cluster}}, "Messages received from publishers")),
      confirmed_total_(host.simulation().recorder().counter("rabbitmq_global_messages_confirmed_total",
                                                            {{"cluster", cluster}}, "Messages confirmed to publishers")),
      delivered_total_(host.simulation().recorder().counter("rabbitmq_global_messages_delivered_total",
                                                            {{"cluster", cluster}}, "Messages delivered to consumers")),
      redelivered_total_(host.simulation().recorder().counter("rabbitmq_global_messages_redelivered_total",
                                                              {{"cluster", cluster}}, "Messages redelivered to consumers")),
      acknowledged_total_(host.simulation().recorder().counter("rabbitmq_global_messages_acknowledged_total",
                                                               {{"cluster", cluster}},
                                                               "Messages acknowledged by consumers")) {
  const uint32_t n = host_.node_count();
  uint32_t replicas = 1;
  if (config_.type == QueueConfig::Type::mirrored) replicas = config_.ha_all ? n : std::min(config_.ha_count, n);
  if (config_.type == QueueConfig::Type::quorum) replicas = std::min(config_.quorum_size, n);  // R-QQ1: never two on a node
  for (uint32_t k = 0; k < replicas; ++k) members_.push_back({(config_.leader + k) % n, true, true, host_.now()});
  leader_ = config_.leader;
  set_metrics();
}

// ---------------------------------------------------------------- observation

bool BrokerQueue::available() const {
  if (deleted_ || blocked_sync_ || !leader_ || !host_.node_alive(*leader_)) return false;
  if (config_.type == QueueConfig::Type::quorum && alive_members() < majority()) return false;
  return true;
}

uint64_t BrokerQueue::held() const {
  uint64_t n = ready_.size() + uncommitted_.size() + waiting_.size();
  for (const auto& [conn, c] : channels_)
    for (const Unacked& u : c.unacked) n += u.settled ? 0 : 1;
  return n;
}

uint64_t BrokerQueue::messages_on(uint32_t node) const {
  for (const Member& m : members_)
    if (m.node == node && m.up) return ready_.size() + unacked_total_ + uncommitted_.size();
  return 0;
}

bool BrokerQueue::awaits_fsync(uint32_t node) const {
  if (!leader_ || *leader_ != node) return false;
  for (const PendingConfirm& c : confirms_)
    if (c.needs_fsync && c.seq >= fsync_watermark_) return true;
  return false;
}

uint64_t BrokerQueue::member_mask() const {
  uint64_t mask = 0;
  for (const Member& m : members_)
    if (m.up && host_.node_alive(m.node)) mask |= node_bit(m.node);
  return mask;
}

uint32_t BrokerQueue::alive_members() const {
  uint32_t n = 0;
  for (const Member& m : members_) n += (m.up && host_.node_alive(m.node)) ? 1 : 0;
  return n;
}

BrokerQueue::Member* BrokerQueue::member(uint32_t node) {
  for (Member& m : members_)
    if (m.node == node) return &m;
  return nullptr;
}

template <class F>
void BrokerQueue::for_each_entry(F&& f) {
  for (Entry& e : ready_) f(e);
  for (Entry& e : uncommitted_) f(e);
  for (auto& [conn, c] : channels_)
    for (Unacked& u : c.unacked)
      if (!u.settled) f(u.entry);
}

void BrokerQueue::set_metrics() {
  ready_gauge_.set(static_cast<double>(ready_.size()));
  unacked_gauge_.set(static_cast<double>(unacked_total_));
  messages_gauge_.set(static_cast<double>(ready_.size() + unacked_total_));
}

nlohmann::ordered_json BrokerQueue::summary() const {
  nlohmann::ordered_json j;
  j["type"] = config_.type == QueueConfig::Type::classic    ? "classic"
              : config_.type == QueueConfig::Type::mirrored ? "mirrored"
                                                            : "quorum";
  j["leader"] = leader_ ? nlohmann::ordered_json(host_.node_path(*leader_)) : nlohmann::ordered_json(nullptr);
  j["published"] = published_;
  j["delivered"] = delivered_;
  j["redelivered"] = redelivered_;
  j["acknowledged"] = acked_;
  j["lost"] = lost_;
  j["ready"] = ready_.size();
  j["unacked"] = unacked_total_;
  j["max_ready"] = max_ready_;
  return j;
}

// ---------------------------------------------------------------- publishing

void BrokerQueue::reject(uint32_t connection, const PublisherRequest& r, const char* cause, bool nack) {
  // With confirms the publisher still has its copy: tell it. Without, the copy comes back.
  host_.notify_publisher(index_, connection, PublisherNotice{nack ? NoticeKind::nacked : NoticeKind::failed, r.message.id, cause,
                                                     leader_ ? &host_.node_path(*leader_) : nullptr});
}

void BrokerQueue::publish(uint32_t connection, const PublisherRequest& r) {
  received_total_.inc();
  if (deleted_) {
    // The queue does not exist: the exchange routes to nothing and drops the message; a
    // confirm still follows (R-PC2: unroutable messages are confirmed at once).
    const std::string& where = host_.node_path(config_.leader);
    if (r.wants_confirm) {
      host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::confirmed, r.message.id, "unroutable", &where});
    } else {
      ledger_.lose(r.message.id, "unroutable", where);
      host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::accepted, r.message.id, "", nullptr});
    }
    return;
  }
  if (config_.type == QueueConfig::Type::quorum && (!leader_ || alive_members() < majority())) {
    // R-QQ3/R-QQ5: no leader, or no majority: the publish is retained until one is back.
    if (r.wants_confirm) ledger_.add_copy(r.message.id);
    waiting_.push_back({connection, r});
    if (!r.wants_confirm) host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::accepted, r.message.id, "", nullptr});
    return;
  }
  if (!available()) {
    // R-CQ1: the home node is down (or the leader could not be replaced): not_found.
    reject(connection, r, "publish_failed", false);
    return;
  }
  enqueue(connection, r, false);
}

void BrokerQueue::enqueue(uint32_t connection, const PublisherRequest& r, bool answered) {
  if (config_.max_length && ready_.size() >= *config_.max_length) {
    if (config_.overflow == QueueConfig::Overflow::reject_publish) {
      // R-MAXLEN reject-publish: nack with confirms; without, the broker drops it silently.
      if (r.wants_confirm) {
        reject(connection, r, "overflow_rejected", true);
      } else {
        ledger_.lose(r.message.id, "overflow_rejected", host_.node_path(*leader_));
        ++lost_;
        if (!answered)
          host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::accepted, r.message.id, "", nullptr});
      }
      return;
    }
    // drop-head: the oldest ready message makes room (R-MAXLEN default).
    const Entry head = ready_.front();
    ready_.pop_front();
    backlog_.add(-1, host_.now());
    entry_left(head);
    lose_entry(head, "overflow_drop_head", host_.node_path(*leader_));
  }
  if (r.wants_confirm) ledger_.add_copy(r.message.id);
  Entry e;
  e.message = r.message;
  if (e.message.published_ns < 0) e.message.published_ns = host_.now().ns();
  e.seq = next_seq_++;
  e.enqueued_ns = host_.now().ns();
  e.replicas = config_.type == QueueConfig::Type::classic ? node_bit(*leader_) : member_mask();
  ++published_;
  published_total_.inc();
  if (config_.type == QueueConfig::Type::quorum) {
    // Appended to the Raft log; committed once a majority has fsynced it (R-QQ7, R-PC2).
    const sim::Duration wait = commit_wait();
    e.commit_due_ns = e.enqueued_ns + wait.count_ns();
    uncommitted_.push_back(e);
    if (r.wants_confirm) confirms_.push_back({e.seq, connection, e.message.id, host_.now() + wait, false});
    if (!r.wants_confirm && !answered)
      host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::accepted, e.message.id, "", nullptr});
    if (!commit_event_.valid()) commit_event_ = host_.schedule_queue_event(index_, wait, kCommit);
    return;
  }
  ready_.push_back(e);
  max_ready_ = std::max(max_ready_, ready_.size());
  backlog_.add(1, host_.now());
  if (r.wants_confirm) {
    const bool needs_fsync = e.message.has(sim::Message::kPersistent) && config_.durable;
    const sim::Duration wait = config_.type == QueueConfig::Type::mirrored ? mirror_wait() : sim::Duration::zero();
    confirms_.push_back({e.seq, connection, e.message.id, host_.now() + wait, needs_fsync});
    confirm_ready_entries();
  } else if (!answered) {
    host_.notify_publisher(index_, connection, PublisherNotice{NoticeKind::accepted, e.message.id, "", nullptr});
  }
  if (config_.ttl && !ttl_event_.valid()) schedule_ttl();
  dispatch();
  set_metrics();
}

sim::Duration BrokerQueue::mirror_wait() {
  if (!host_.network_modelled()) return host_.replication_delay();
  // R-MQ2: the confirm waits for the slowest mirror's round trip. A mirror cut off by a
  // partition is not waited for: inter-node partitions (R-NR6) are not modelled.
  sim::Duration wait{};
  for (const Member& m : members_) {
    if (m.node == *leader_ || !m.up || !host_.node_alive(m.node)) continue;
    if (const auto rtt = host_.replication_round_trip(*leader_, m.node)) wait = std::max(wait, *rtt);
  }
  return wait;
}

sim::Duration BrokerQueue::commit_wait() {
  if (!host_.network_modelled()) return host_.commit_latency();
  // R-QQ7: the commit needs majority − 1 followers besides the leader. The configured commit
  // latency was measured on a LAN whose round trip is replication_delay; the network adds what
  // the round trip to the follower that completes the majority exceeds it by.
  std::vector<sim::Duration> rtts;
  for (const Member& m : members_) {
    if (m.node == *leader_ || !m.up || !host_.node_alive(m.node)) continue;
    if (const auto rtt = host_.replication_round_trip(*leader_, m.node)) rtts.push_back(*rtt);
  }
  std::sort(rtts.begin(), rtts.end());
  const size_t needed = majority() - 1;
  if (needed == 0 || rtts.size() < needed) return host_.commit_latency();
  const sim::Duration extra = rtts[needed - 1] - host_.replication_delay();
  return host_.commit_latency() + std::max(sim::Duration::zero(), extra);
}

void BrokerQueue::confirm_ready_entries() {
  // R-PC2: transient → when enqueued; mirrored → when all mirrors have it; persistent in a
  // durable queue → after the batched fsync (R-CQ4).
  while (!confirms_.empty()) {
    const PendingConfirm& c = confirms_.front();
    if (config_.type == QueueConfig::Type::quorum) break;  // confirmed at commit
    if (c.due > host_.now()) {
      if (!confirm_event_.valid()) confirm_event_ = host_.schedule_queue_event(index_, c.due - host_.now(), kConfirmDue);
      break;
    }
    if (c.needs_fsync && c.seq >= fsync_watermark_) break;  // the next fsync tick confirms it
    confirmed_total_.inc();
    host_.notify_publisher(index_, c.connection, PublisherNotice{NoticeKind::confirmed, c.message_id, "", nullptr});
    confirms_.pop_front();
  }
}

void BrokerQueue::commit_due() {
  commit_event_ = {};
  if (!leader_ || alive_members() < majority()) return;  // committed once a leader and a majority are back
  const sim::SimTime now = host_.now();
  while (!uncommitted_.empty() && uncommitted_.front().commit_due_ns <= now.ns()) {
    Entry e = uncommitted_.front();
    uncommitted_.pop_front();
    e.replicas |= member_mask();
    // Confirm, if the publisher asked for it.
    if (!confirms_.empty() && confirms_.front().seq == e.seq) {
      confirmed_total_.inc();
      host_.notify_publisher(index_, confirms_.front().connection,
                             PublisherNotice{NoticeKind::confirmed, e.message.id, "", nullptr});
      confirms_.pop_front();
    }
    if (config_.max_length && ready_.size() >= *config_.max_length &&
        config_.overflow == QueueConfig::Overflow::drop_head) {
      const Entry head = ready_.front();
      ready_.pop_front();
      backlog_.add(-1, now);
      entry_left(head);
      lose_entry(head, "overflow_drop_head", host_.node_path(*leader_));
    }
    ready_.push_back(e);
    max_ready_ = std::max(max_ready_, ready_.size());
    backlog_.add(1, now);
  }
  if (!uncommitted_.empty())
    commit_event_ = host_.schedule_queue_event(
        index_, sim::SimTime::from_ns(uncommitted_.front().commit_due_ns) - now, kCommit);
  if (config_.ttl && !ttl_event_.valid()) schedule_ttl();
  dispatch();
  set_metrics();
}

void BrokerQueue::fsync_tick(uint32_t node) {
  if (!leader_ || *leader_ != node) return;
  fsync_watermark_ = next_seq_;  // everything enqueued so far is on disk now
  confirm_ready_entries();
}

void BrokerQueue::resume() {
  confirm_ready_entries();
  if (config_.type == QueueConfig::Type::quorum && !commit_event_.valid() && !uncommitted_.empty())
    commit_event_ = host_.schedule_queue_event(index_, sim::Duration::zero(), kCommit);
  dispatch();
}

void BrokerQueue::publisher_closed(uint32_t connection) {
  // The publisher failed its outstanding confirms itself; drop ours so none is sent later.
  std::erase_if(confirms_, [&](const PendingConfirm& c) { return c.connection == connection; });
  for (Waiting& w : waiting_)
    if (w.connection == connection) w.request.wants_confirm = false;  // nobody to confirm to
}

// ---------------------------------------------------------------- consuming

void BrokerQueue::subscribe(uint32_t connection, uint32_t node, const ConsumerRequest& r) {
  Channel& c = channels_[connection];
  if (c.subscribed) requeue_channel(c);
  c.node = node;
  c.subscribed = true;
  c.auto_ack = r.auto_ack;
  // R-QQ9: quorum queues cap the prefetch at 2000.
  c.prefetch = config_.type == QueueConfig::Type::quorum && (r.prefetch == 0 || r.prefetch > 2000) ? 2000 : r.prefetch;
  consumers_gauge_.add(1);
  host_.notify_consumer(index_, connection, ConsumerNotice{ConsumerNotice::Kind::connected, {}});
  dispatch();
  set_metrics();
}

bool BrokerQueue::has_credit(const Channel& c) const {
  return c.subscribed && host_.node_alive(c.node) && (c.auto_ack || c.prefetch == 0 || c.in_flight < c.prefetch);
}

void BrokerQueue::expire_head() {
  if (!config_.ttl) return;
  const int64_t ttl = config_.ttl->count_ns();
  while (!ready_.empty() && ready_.front().enqueued_ns + ttl <= host_.now().ns()) {
    // R-TTL: expired messages are dropped (or dead-lettered) when they reach the head.
    const Entry e = ready_.front();
    ready_.pop_front();
    backlog_.add(-1, host_.now());
    entry_left(e);
    lose_entry(e, "expired", leader_ ? host_.node_path(*leader_) : std::string());
  }
}

void BrokerQueue::schedule_ttl() {
  ttl_event_ = {};
  if (!config_.ttl || ready_.empty()) return;
  const sim::SimTime due = sim::SimTime::from_ns(ready_.front().enqueued_ns) + *config_.ttl;
  ttl_event_ = host_.schedule_queue_event(index_, due > host_.now() ? due - host_.now() : sim::Duration::zero(), kTtl);
}

void BrokerQueue::dispatch() {
  if (!available()) return;
  expire_head();
  while (!ready_.empty() && !channels_.empty()) {
    // Round-robin over the channels with credit, in connection order from where we stopped.
    auto it = channels_.lower_bound(next_channel_);
    Channel* pick = nullptr;
    uint32_t pick_conn = 0;
    for (size_t k = 0; k < channels_.size(); ++k, ++it) {
      if (it == channels_.end()) it = channels_.begin();
      if (has_credit(it->second)) {
        pick = &it->second;
        pick_conn = it->first;
        break;
      }
    }
    if (pick == nullptr) break;
    next_channel_ = pick_conn + 1;
    Entry e = ready_.front();
    ready_.pop_front();
    const uint64_t tag = next_tag_++;
    ++delivered_;
    delivered_total_.inc();
    if (e.redelivered) {
      ++redelivered_;
      redelivered_total_.inc();
    }
    Delivery d{e.message, tag, e.redelivered};
    if (e.redelivered) d.message.flags |= sim::Message::kRedelivered;
    if (pick->auto_ack) {
      // R-CA1: delivered once written to the socket; the consumer holds it now.
      backlog_.add(-1, host_.now());
      entry_left(e);
    } else {
      pick->unacked.push_back({tag, e, false});
      ++pick->in_flight;
      ++unacked_total_;
    }
    host_.notify_consumer(index_, pick_conn, ConsumerNotice{ConsumerNotice::Kind::delivery, d});
  }
  if (config_.ttl && !ttl_event_.valid()) schedule_ttl();
  set_metrics();
}

void BrokerQueue::consumer_request(uint32_t connection, const ConsumerRequest& r) {
  auto it = channels_.find(connection);
  if (it == channels_.end()) return;  // the channel was reset (failover): the consumer knows
  Channel& c = it->second;
  switch (r.op) {
    case ConsumerRequest::Op::ack:
      settle(c, r.delivery_tag, true, false);
      break;
    case ConsumerRequest::Op::nack:
      settle(c, r.delivery_tag, false, r.requeue);
      break;
    case ConsumerRequest::Op::cancel:
      channel_closed(connection);
      return;
    case ConsumerRequest::Op::subscribe:
      break;
  }
  dispatch();
  set_metrics();
}

void BrokerQueue::settle(Channel& c, uint64_t tag, bool ack, bool requeue) {
  auto it = std::lower_bound(c.unacked.begin(), c.unacked.end(), tag,
                             [](const Unacked& u, uint64_t t) { return u.tag < t; });
  if (it == c.unacked.end() || it->tag != tag || it->settled)
    throw std::logic_error("queue " + label_ + ": unknown delivery tag " + std::to_string(tag) + " (R-CA7)");
  it->settled = true;
  --c.in_flight;
  --unacked_total_;
  Entry e = it->entry;
  while (!c.unacked.empty() && c.unacked.front().settled) c.unacked.pop_front();
  if (!ack && requeue) {
    e.redelivered = true;
    ready_.push_front(e);  // R-CA3/R-CA6: back to its place at the head
    return;
  }
  backlog_.add(-1, host_.now());
  entry_left(e);
  if (ack) {
    ++acked_;
    acknowledged_total_.inc();
    ledger_.release(e.message.id);
  } else {
    lose_entry(e, "consumer_rejected", host_.consumer_path(index_, conn_of(c)));  // R-CA6 requeue=false: dropped
  }
}

void BrokerQueue::requeue_channel(Channel& c) {
  // R-CA3: unacked deliveries return to the head, in their original order.
  for (auto it = c.unacked.rbegin(); it != c.unacked.rend(); ++it) {
    if (it->settled) continue;
    Entry e = it->entry;
    e.redelivered = true;
    ready_.push_front(e);
  }
  unacked_total_ -= c.in_flight;
  c.in_flight = 0;
  c.unacked.clear();
}

void BrokerQueue::channel_closed(uint32_t connection) {
  auto it = channels_.find(connection);
  if (it == channels_.end()) return;
  if (it->second.subscribed) consumers_gauge_.add(-1);
  requeue_channel(it->second);
  channels_.erase(it);
  dispatch();
  set_metrics();
}

void BrokerQueue::reset_consumers(const char* why) {
  // The queue's (new) leader sees every consumer as gone: their unacked deliveries are requeued
  // and they must consume again (R-MQ4.3, R-MQ4.4, R-QQ3).
  std::vector<uint32_t> conns;
  for (auto& [conn, c] : channels_) {
    requeue_channel(c);
    conns.push_back(conn);
  }
  for (uint32_t conn : conns) {
    if (channels_[conn].subscribed) consumers_gauge_.add(-1);
    channels_.erase(conn);
    host_.notify_consumer(index_, conn, ConsumerNotice{ConsumerNotice::Kind::disconnected, {}});
  }
  if (!conns.empty()) host_.log("consumers-reset", {{"queue", config_.name}, {"reason", why}});
}

// ---------------------------------------------------------------- losses and nodes

void BrokerQueue::lose_entry(const Entry& e, const char* cause, const std::string& where) {
  ++lost_;
  // A publisher still waiting for this message's confirm gets a nack (R-PC1: every message is
  // eventually acked or nacked); its own copy then decides the fate.
  auto it = std::lower_bound(confirms_.begin(), confirms_.end(), e.seq,
                             [](const PendingConfirm& c, uint64_t s) { return c.seq < s; });
  if (it != confirms_.end() && it->seq == e.seq) {
    const uint32_t conn = it->connection;
    confirms_.erase(it);
    ledger_.lose(e.message.id, cause, where);  // our copy
    host_.notify_publisher(index_, conn, PublisherNotice{NoticeKind::nacked, e.message.id, cause, &where});
    return;
  }
  ledger_.lose(e.message.id, cause, where);
}

void BrokerQueue::drop_all(const char* cause, const std::string& where) {
  reset_consumers(cause);  // consumers learn first, so work in progress keeps its own copy
  while (!ready_.empty()) {
    const Entry e = ready_.front();
    ready_.pop_front();
    backlog_.add(-1, host_.now());
    entry_left(e);
    lose_entry(e, cause, where);
  }
  while (!uncommitted_.empty()) {
    const Entry e = uncommitted_.front();
    uncommitted_.pop_front();
    lose_entry(e, cause, where);
  }
  set_metrics();
}

void BrokerQueue::node_stopped(uint32_t node, bool had_volume, bool controlled) {
  Member* m = member(node);
  if (m == nullptr) return;
  m->up = false;
  m->synced = false;
  const std::string& where = host_.node_path(node);
  // What the node held is gone from memory; quorum logs on a volume survive on its disk.
  const bool keeps_disk_copy = config_.type == QueueConfig::Type::quorum && had_volume;
  if (!keeps_disk_copy) for_each_entry([&](Entry& e) { e.replicas &= ~node_bit(node); });
  if (config_.type == QueueConfig::Type::quorum && !keeps_disk_copy) {
    // Without volumes, a message whose every member is gone is gone (R-QQ6: permanent loss).
    reset_consumers("quorum replicas lost");
    for (std::deque<Entry>* list : {&ready_, &uncommitted_}) {
      std::deque<Entry> kept;
      for (const Entry& e : *list) {
        if (e.replicas != 0) {
          kept.push_back(e);
          continue;
        }
        if (list == &ready_) backlog_.add(-1, host_.now());
        lose_entry(e, "quorum_replicas_lost", where);
      }
      *list = std::move(kept);
    }
  }

  const bool was_leader = leader_ && *leader_ == node;
  if (config_.type == QueueConfig::Type::classic || (was_leader && alive_members() == 0 &&
                                                     config_.type == QueueConfig::Type::mirrored)) {
    if (!was_leader) return;
    reset_consumers("home node down");
    if (!config_.durable || !had_volume) {
      // R-CQ1: a non-durable queue is deleted; without a persistent volume the node comes back
      // with an empty store, durable or not (R-K8S).
      drop_all("queue_deleted", where);
      deleted_ = true;
      host_.log("queue-deleted", {{"queue", config_.name}, {"node", where}});
      return;
    }
    // R-CQ2, R-CQ3: persistent messages fsynced before the crash survive; a controlled shutdown
    // syncs everything; transient messages are discarded at recovery.
    std::deque<Entry> kept;
    while (!ready_.empty()) {
      Entry e = ready_.front();
      ready_.pop_front();
      const bool persistent = e.message.has(sim::Message::kPersistent);
      if (persistent && (controlled || e.seq < fsync_watermark_)) {
        kept.push_back(e);
        continue;
      }
      backlog_.add(-1, host_.now());
      entry_left(e);
      lose_entry(e, persistent ? "broker_crash_unfsynced" : "transient_discarded", where);
    }
    ready_ = std::move(kept);
    fsync_watermark_ = next_seq_;  // survivors are all on disk
    set_metrics();
    host_.log("queue-down", {{"queue", config_.name}, {"node", where}, {"recoverable", ready_.size()}});
    return;
  }
  if (!was_leader) {
    if (config_.type == QueueConfig::Type::mirrored && !config_.ha_all) {
      // R-MQ7: ha-mode exactly with spare nodes: a new, empty mirror on another node.
      for (uint32_t k = 0; k < host_.node_count(); ++k) {
        const uint32_t cand = (node + 1 + k) % host_.node_count();
        if (member(cand) != nullptr || !host_.node_alive(cand)) continue;
        members_.push_back({cand, true, ready_.empty() && unacked_total_ == 0, host_.now()});
        host_.log("mirror-added", {{"queue", config_.name}, {"node", host_.node_path(cand)}});
        break;
      }
    }
    if (config_.type == QueueConfig::Type::quorum && alive_members() < majority()) {
      reset_consumers("quorum majority lost");
      host_.log("quorum-lost", {{"queue", config_.name}, {"alive", alive_members()}, {"needed", majority()}});
    }
    return;
  }
  if (config_.type == QueueConfig::Type::mirrored)
    promote_after_leader_loss(node, controlled);
  else
    quorum_leader_lost();
}

void BrokerQueue::promote_after_leader_loss(uint32_t old_leader, bool controlled) {
  reset_consumers("leader failover");
  const Member* best = nullptr;
  for (const Member& m : members_) {
    if (!m.up || !host_.node_alive(m.node)) continue;
    if (best == nullptr || m.joined < best->joined) best = &m;  // R-MQ4.1: the longest-running mirror
  }
  const bool allowed = best != nullptr && (best->synced || (controlled ? config_.promote_on_shutdown_always
                                                                        : config_.promote_on_failure_always));
  if (!allowed) {
    // R-MQ4.2 when-synced / R-MQ5: no promotion; the queue waits for its leader.
    host_.log("promotion-refused", {{"queue", config_.name}, {"leader", host_.node_path(old_leader)}});
    return;
  }
  const uint32_t new_leader = best->node;
  leader_ = new_leader;
  // R-MQ4.2: what only the old leader had is lost.
  const std::string& where = host_.node_path(old_leader);
  std::deque<Entry> kept;
  uint64_t lost = 0;
  while (!ready_.empty()) {
    Entry e = ready_.front();
    ready_.pop_front();
    if (e.replicas & node_bit(new_leader)) {
      kept.push_back(e);
      continue;
    }
    ++lost;
    backlog_.add(-1, host_.now());
    entry_left(e);
    lose_entry(e, "unsynced_mirror", where);
  }
  ready_ = std::move(kept);
  fsync_watermark_ = next_seq_;
  host_.log("mirror-promoted", {{"queue", config_.name},
                                {"new_leader", host_.node_path(new_leader)},
                                {"old_leader", where},
                                {"lost", lost}});
  confirm_ready_entries();
  dispatch();
  set_metrics();
}

void BrokerQueue::quorum_leader_lost() {
  reset_consumers("leader lost");
  leader_.reset();
  // Uncommitted entries survive if a majority of the live members holds them (Raft); the rest
  // were never confirmed (R-QQ6).
  std::deque<Entry> kept;
  while (!uncommitted_.empty()) {
    Entry e = uncommitted_.front();
    uncommitted_.pop_front();
    uint32_t holders = 0;
    for (const Member& m : members_)
      if (m.up && host_.node_alive(m.node) && (e.replicas & node_bit(m.node))) ++holders;
    if (holders >= majority()) {
      kept.push_back(e);
      continue;
    }
    lose_entry(e, "leader_crash_uncommitted", host_.node_path(config_.leader));
  }
  uncommitted_ = std::move(kept);
  if (commit_event_.valid()) host_.cancel_event(commit_event_);
  commit_event_ = {};
  if (alive_members() >= majority()) {
    if (election_event_.valid()) host_.cancel_event(election_event_);
    election_event_ = host_.schedule_queue_event(index_, host_.election_time(), kElection);
  }
  host_.log("leader-lost", {{"queue", config_.name}, {"alive", alive_members()}, {"needed", majority()}});
  set_metrics();
}

void BrokerQueue::start_election() {
  election_event_ = {};
  if (leader_ || alive_members() < majority()) return;
  const Member* best = nullptr;
  for (const Member& m : members_) {
    if (!m.up || !host_.node_alive(m.node)) continue;
    if (best == nullptr || host_.node_up_since(m.node) < host_.node_up_since(best->node)) best = &m;
  }
  leader_ = best->node;
  host_.log("leader-elected", {{"queue", config_.name}, {"leader", host_.node_path(*leader_)}});
  quorum_restored();
}

void BrokerQueue::quorum_restored() {
  // Retained publishes go to the leader (R-QQ3, R-QQ5: retained until a majority is back).
  std::deque<Waiting> waiting;
  waiting.swap(waiting_);
  for (const Waiting& w : waiting) {
    if (w.request.wants_confirm) ledger_.release(w.request.message.id);  // enqueue takes the copy again
    enqueue(w.connection, w.request, true);
  }
  // Entries appended before the loss commit now.
  if (!commit_event_.valid() && !uncommitted_.empty())
    commit_event_ = host_.schedule_queue_event(index_, host_.commit_latency(), kCommit);
  dispatch();
}

void BrokerQueue::node_ready(uint32_t node, bool had_volume) {
  Member* m = member(node);
  if (m == nullptr) return;
  m->up = true;
  m->joined = host_.now();
  const std::string& where = host_.node_path(node);
  switch (config_.type) {
    case QueueConfig::Type::classic:
      if (deleted_) {
        deleted_ = false;  // clients declare it again on reconnect
        host_.log("queue-declared", {{"queue", config_.name}, {"node", where}});
      } else {
        for (Entry& e : ready_) e.replicas |= node_bit(node);  // recovered from disk
      }
      m->synced = true;
      break;
    case QueueConfig::Type::mirrored:
      if (leader_ && *leader_ == node) {
        // The leader that was not replaced comes back with its data (R-MQ5).
        for_each_entry([&](Entry& e) { e.replicas |= node_bit(node); });
        m->synced = true;
        if (deleted_) deleted_ = false;
        break;
      }
      // R-MQ6: a rejoining mirror starts empty, hence unsynchronised unless the queue is empty;
      // with manual sync it is synchronised once consumers drain what it lacks.
      m->lacking = ready_.size() + unacked_total_;
      m->synced = m->lacking == 0;
      if (!m->synced && config_.ha_sync_automatic) {
        // R-MQ8: automatic synchronisation blocks the queue for bytes / throughput.
        const double bytes = static_cast<double>((ready_.size() + unacked_total_) * host_.message_bytes());
        blocked_sync_ = true;
        if (sync_event_.valid()) host_.cancel_event(sync_event_);
        sync_event_ = host_.schedule_queue_event(index_, sim::Duration::from_seconds(bytes / config_.sync_bytes_per_s),
                                                 kSyncDone);
        host_.log("mirror-sync-started", {{"queue", config_.name}, {"node", where}, {"bytes", bytes}});
      }
      break;
    case QueueConfig::Type::quorum:
      // R-QQ4: a returning member catches up from the leader's log.
      (void)had_volume;
      for_each_entry([&](Entry& e) { e.replicas |= node_bit(node); });
      m->synced = true;
      if (alive_members() >= majority()) {
        if (!leader_ && !election_event_.valid())
          election_event_ = host_.schedule_queue_event(index_, host_.election_time(), kElection);
        else if (leader_ && host_.node_alive(*leader_))
          quorum_restored();
      }
      break;
  }
  dispatch();
  set_metrics();
}

void BrokerQueue::entry_left(const Entry& e) {
  if (config_.type != QueueConfig::Type::mirrored) return;
  for (Member& m : members_) {
    if (m.synced || !m.up || (e.replicas & node_bit(m.node)) || m.lacking == 0) continue;
    if (--m.lacking == 0 && !blocked_sync_) {
      m.synced = true;
      host_.log("mirror-synchronised", {{"queue", config_.name}, {"node", host_.node_path(m.node)}});
    }
  }
}

uint32_t BrokerQueue::conn_of(const Channel& c) const {
  for (const auto& [conn, ch] : channels_)
    if (&ch == &c) return conn;
  return 0;
}

void BrokerQueue::on_event(uint16_t kind) {
  switch (kind) {
    case kConfirmDue:
      confirm_event_ = {};
      confirm_ready_entries();
      break;
    case kCommit:
      commit_due();
      break;
    case kElection:
      start_election();
      break;
    case kTtl:
      ttl_event_ = {};
      expire_head();
      schedule_ttl();
      set_metrics();
      break;
    case kSyncDone: {
      sync_event_ = {};
      blocked_sync_ = false;
      const uint64_t all = member_mask();
      for_each_entry([&](Entry& e) { e.replicas |= all; });
      for (Member& m : members_)
        if (m.up) {
          m.synced = true;
          m.lacking = 0;
        }
      host_.log("mirror-sync-done", {{"queue", config_.name}});
      dispatch();
      break;
    }
    default:
      break;
  }
}

}  // namespace faultline::models
