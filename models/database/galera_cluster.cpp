#include "models/database/galera_cluster.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/database/galera_node.hpp"
#include "models/kubernetes/pod.hpp"
#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {
constexpr const char* kRefusedService = "connection refused: no ready member behind the Service";
constexpr const char* kRefusedMember = "connection refused: the member is down";
constexpr const char* kLost = "connection lost (MySQL 2013)";
constexpr const char* kNotReady = "WSREP has not yet prepared node for application use (ERROR 1047)";

// Storage request ids: tag in the top 2 bits, an index in the next 30, a generation in the low 32.
enum class Tag : uint64_t { commit = 0, apply = 1, attach = 2, status = 3 };
uint64_t storage_id(Tag tag, uint32_t index, uint32_t generation) {
  return (static_cast<uint64_t>(tag) << 62) | (static_cast<uint64_t>(index & 0x3FFFFFFFu) << 32) | generation;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return b;
}
}  // namespace

struct GaleraCluster::Member {
  Process process = Process::up;
  bool frozen = false;
  bool in_component = true;   // this incarnation (or, while join_pending, the previous one) is in the view
  bool in_prim_view = true;   // this incarnation was in the last primary view (it counts for the quorum, R-G4)
  bool join_pending = false;  // restarted; joins once its previous incarnation is evicted
  bool pod_ready = true;
  State state = State::synced;
  int64_t position = 0;     // last write-set applied, kept while not applying
  int64_t cache_start = 1;  // first seqno its gcache holds (R-G10)
  int64_t recv_queue = 0;   // write-sets received and not picked by an applier (cached while joining)
  uint32_t applying = 0;
  uint32_t apply_epoch = 0;  // applies of an earlier epoch were dropped with the queue
  bool fc_sent = false;
  int64_t fc_offset = 0;  // JOINED: the queue it catches up from (R-GFC4)
  uint64_t fc_sent_count = 0;
  uint64_t fc_pause_base = 0;
  sim::Duration paused_base{};
  sim::SimTime started_at{};
  sim::SimTime unresponsive_since{};
  sim::EventId evict_event{};
  bool evict_pending = false;
  bool clean_stop = true;  // the last stop was clean (never stopped: clean)
  bool safe_to_bootstrap = false;
  bool restore_permit = false;    // a manual restore cleared its trap (R-G15)
  bool bootstrap_permit = false;  // the manual restore chose it to bootstrap
  sim::SimTime synced_since{};
  // state transfer
  bool transfer_pending = false;  // a joiner waiting for a donor
  std::optional<uint32_t> donor;  // while receiving
  bool transfer_sst = false;
  int64_t transfer_target = 0;
  sim::SimTime transfer_started{};
  uint32_t transfer_epoch = 0;
  uint32_t donating = 0;       // joiners it is sending to
  bool blocked_donor = false;  // rsync/mysqldump SST: no reads, writes or applies (R-G10)
  std::optional<uint32_t> volume;
  uint32_t active = 0;  // transactions holding a concurrency slot
  std::deque<uint32_t> waiting;
  bool admitting = false;
  std::string pod;
  sim::Gauge* g_size = nullptr;
  sim::Gauge* g_status = nullptr;
  sim::Gauge* g_ready = nullptr;
  sim::Gauge* g_connected = nullptr;
  sim::Gauge* g_state = nullptr;
  sim::Gauge* g_recv = nullptr;
  sim::Gauge* g_paused = nullptr;
  sim::Gauge* g_paused_ns = nullptr;
  sim::Gauge* g_fc_sent = nullptr;
  sim::Gauge* g_fc_recv = nullptr;
  sim::Gauge* g_committed = nullptr;
  sim::Gauge* g_up = nullptr;
};

GaleraCluster::GaleraCluster(sim::Simulation& sim, sim::ComponentIdentity id, GaleraConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      members_(config_.members),
      connections_(1),
      storage_(client_port<VolumeRequest, VolumeResult, &GaleraCluster::on_storage>("storage")),
      network_(request_port<PathQuery, PathAnswer>("network")),
      last_primary_size_(config_.members),
      last_primary_view_(config_.members, true),
      latency_hist_(sim.recorder().histogram("faultline_galera_commit_latency_seconds", {{"cluster", path()}},
                                             "Commit latency as the clients see it", latency_buckets())) {
  if (config_.members == 0 || config_.members > 64) throw std::logic_error("a Galera cluster has 1 to 64 members");
  for (uint32_t p = 0; p <= config_.members; ++p) {
    endpoints_.push_back(Endpoint{this, p});
    Endpoint& ep = endpoints_.back();
    const std::string name = p == 0 ? "write" : path() + "-" + std::to_string(p - 1) + ".write";
    ep.server = &server_port_for<WriteRequest, WriteResult, Endpoint, &Endpoint::on_write>(name, &ep);
  }
  auto& rec = sim.recorder();
  for (uint32_t i = 0; i < config_.members; ++i) {
    Member& m = members_[i];
    m.pod = path() + "-" + std::to_string(i);
    const sim::Labels l = {{"pod", m.pod}};
    m.g_size = &rec.gauge("mysql_global_status_wsrep_cluster_size", l, "Members in the node's component");
    m.g_status =
        &rec.gauge("mysql_global_status_wsrep_cluster_status", l, "1 when the node is in the primary component");
    m.g_ready = &rec.gauge("mysql_global_status_wsrep_ready", l, "1 when the node accepts queries");
    m.g_connected = &rec.gauge("mysql_global_status_wsrep_connected", l, "1 when the node is in a component");
    m.g_state = &rec.gauge("mysql_global_status_wsrep_local_state", l,
                           "0 initialized/non-primary, 1 joining, 2 donor, 3 joined, 4 synced");
    m.g_recv = &rec.gauge("mysql_global_status_wsrep_local_recv_queue", l, "Write-sets received, not applied yet");
    m.g_paused = &rec.gauge("mysql_global_status_wsrep_flow_control_paused", l,
                            "Fraction of the time since the server start that replication was paused by flow control");
    m.g_paused_ns = &rec.gauge("mysql_global_status_wsrep_flow_control_paused_ns", l,
                               "Nanoseconds paused by flow control since the server start");
    m.g_fc_sent = &rec.gauge("mysql_global_status_wsrep_flow_control_sent", l, "FC_PAUSE messages this node sent");
    m.g_fc_recv = &rec.gauge("mysql_global_status_wsrep_flow_control_recv", l, "FC_PAUSE messages this node received");
    m.g_committed = &rec.gauge("mysql_global_status_wsrep_last_committed", l, "Seqno of the last write-set applied");
    m.g_up = &rec.gauge("mysql_up", l, "1 when mysqld answers");
  }
}

GaleraCluster::~GaleraCluster() = default;

void GaleraCluster::adopt_member(GaleraNode& node) { nodes_.push_back(&node); }

const std::string& GaleraCluster::member_path(uint32_t i) const { return nodes_.at(i)->path(); }

void GaleraCluster::initialize() {
  if (nodes_.size() != config_.members) throw std::logic_error("Galera cluster " + path() + " is missing members");
  if (storage_.connected()) {
    // StatefulSet volumeClaimTemplates: one claim per member, "<claim>-<pod>".
    for (uint32_t i = 0; i < config_.members; ++i) {
      VolumeRequest r;
      r.op = VolumeRequest::Op::attach;
      r.request_id = storage_id(Tag::attach, i, 0);
      r.claim = config_.volume_claim + "-" + members_[i].pod;
      r.node_hint = i;
      storage_.send(r);
      if (!members_[i].volume) throw std::logic_error("storage did not attach " + r.claim);
    }
  }
  refresh_all();
  schedule_in(sim::Duration::s(1), kTick, 0, true);
}

// ---------------------------------------------------------------- network

sim::Duration GaleraCluster::round_trip(uint32_t a, uint32_t b) {
  if (a == b) return sim::Duration::zero();
  if (!network_.connected()) return config_.replication_rtt;
  const uint32_t ia = nodes_[a]->index(), ib = nodes_[b]->index();
  const PathAnswer there = ask_path(network_, ia, ib), back = ask_path(network_, ib, ia);
  // A partitioned peer answers nothing: the round waits as long as its eviction would take
  // (partitions are not modelled as view changes).
  if (!there.reachable || !back.reachable) return config_.suspect_timeout + config_.inactive_check_period;
  return there.delay + back.delay;
}

sim::Duration GaleraCluster::slowest_round_trip(uint32_t origin) {
  // R-G2: the commit waits for every member of the view.
  sim::Duration slowest = sim::Duration::zero();
  for (uint32_t j = 0; j < members_.size(); ++j)
    if (j != origin && members_[j].in_component && responsive(j)) slowest = std::max(slowest, round_trip(origin, j));
  return slowest;
}

sim::Duration GaleraCluster::client_one_way(uint32_t port, uint32_t connection, uint32_t member, bool to_member) {
  if (!network_.connected()) return sim::Duration::zero();
  const uint32_t client = endpoints_[port].server->client_owner(connection).index();
  const uint32_t node = nodes_[member]->index();
  const PathAnswer a = to_member ? ask_path(network_, client, node) : ask_path(network_, node, client);
  return a.reachable ? a.delay : sim::Duration::zero();
}

// ---------------------------------------------------------------- membership predicates

bool GaleraCluster::responsive(uint32_t i) const {
  const Member& m = members_[i];
  return m.process == Process::up && !m.frozen && !m.join_pending;
}

bool GaleraCluster::stalled() const {
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component && !responsive(i)) return true;
  return false;
}

bool GaleraCluster::flowing() const { return primary_ && fc_senders_ == 0 && !stalled(); }

bool GaleraCluster::accepts_writes(uint32_t i) const {
  const Member& m = members_[i];
  if (m.process != Process::up || m.join_pending || !m.in_component || !primary_) return false;
  return m.state == State::synced || (m.state == State::donor && !m.blocked_donor);
}

uint32_t GaleraCluster::component_size() const {
  return static_cast<uint32_t>(
      std::count_if(members_.begin(), members_.end(), [](const Member& m) { return m.in_component; }));
}

bool GaleraCluster::component_empty() const { return component_size() == 0; }

int64_t GaleraCluster::position(uint32_t i) const {
  const Member& m = members_[i];
  const bool applying_state = m.state == State::synced || m.state == State::joined || m.state == State::donor;
  if (m.process == Process::up && m.in_component && !m.join_pending && applying_state)
    return last_seqno_ - m.recv_queue - m.applying;
  return m.position;
}

int64_t GaleraCluster::gcache_first(uint32_t i) const {
  // R-G10: the ring buffer holds the newest gcache.size bytes of write-sets received since the
  // node's start.
  const int64_t capacity = config_.gcache_bytes / std::max<int64_t>(1, config_.writeset_bytes);
  return std::max(members_[i].cache_start, last_seqno_ - capacity + 1);
}

// ---------------------------------------------------------------- client writes

std::optional<uint32_t> GaleraCluster::route(uint32_t port, uint32_t connection) {
  if (port > 0) {
    const uint32_t i = port - 1;
    if (members_[i].process != Process::up) return std::nullopt;
    return i;
  }
  auto& conns = connections_[0];
  if (auto it = conns.find(connection); it != conns.end()) return it->second;
  // A new connection through the Service: a ready endpoint, round-robin (R-K11).
  const auto n = static_cast<uint32_t>(members_.size());
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t i = (service_next_ + k) % n;
    if (!members_[i].pod_ready || members_[i].frozen || !accepts_writes(i)) continue;
    service_next_ = (i + 1) % n;
    conns[connection] = i;
    return i;
  }
  return std::nullopt;
}

uint32_t GaleraCluster::new_txn() {
  if (!free_txns_.empty()) {
    const uint32_t slot = free_txns_.back();
    free_txns_.pop_back();
    return slot;
  }
  if (txns_.size() >= 0x3FFFFFFFu) throw std::logic_error("Galera cluster " + path() + ": too many transactions");
  txns_.emplace_back();
  return static_cast<uint32_t>(txns_.size() - 1);
}

void GaleraCluster::answer(uint32_t port, uint32_t connection, uint64_t request_id, bool ok, const char* error) {
  endpoints_[port].server->send_to(connection, WriteResult{request_id, ok, error});
}

void GaleraCluster::on_write(uint32_t port, uint32_t connection, const WriteRequest& request) {
  const auto member = route(port, connection);
  if (!member) {
    const char* why = port == 0 ? kRefusedService : kRefusedMember;
    ++failed_[why];
    answer(port, connection, request.request_id, false, why);
    return;
  }
  const uint32_t slot = new_txn();
  Txn& t = txns_[slot];
  const uint32_t generation = t.generation;
  t = Txn{};
  t.generation = generation;
  t.port = port;
  t.connection = connection;
  t.request = request;
  t.member = *member;
  t.arrived = now();
  t.in_use = true;
  admit(slot);
}

void GaleraCluster::admit(uint32_t slot) {
  Txn& t = txns_[slot];
  Member& m = members_[t.member];
  t.stage = Stage::waiting;
  // A frozen mysqld or a donor blocked by rsync does not answer: the statement waits.
  if (m.frozen || m.blocked_donor || (accepts_writes(t.member) && m.active >= config_.max_concurrency)) {
    m.waiting.push_back(slot);
    return;
  }
  if (!accepts_writes(t.member)) {
    fail(slot, kNotReady);  // R-G5
    return;
  }
  start(slot);
}

void GaleraCluster::admit_waiting(uint32_t i) {
  Member& m = members_[i];
  if (m.admitting) return;  // a failure inside the loop releases a slot: the loop goes on
  m.admitting = true;
  while (!m.waiting.empty() && m.process == Process::up && !m.frozen && !m.blocked_donor &&
         m.active < config_.max_concurrency) {
    const uint32_t slot = m.waiting.front();
    m.waiting.pop_front();
    if (!accepts_writes(i))
      fail(slot, kNotReady);
    else
      start(slot);
  }
  m.admitting = false;
}

void GaleraCluster::start(uint32_t slot) {
  Txn& t = txns_[slot];
  Member& m = members_[t.member];
  ++m.active;
  t.counted = true;
  t.stage = Stage::replicating;
  // R-G2: the request reaches the member, runs, and its write-set goes round the group.
  const sim::Duration delay = client_one_way(t.port, t.connection, t.member, true) +
                              config_.local_commit_time.sample_duration(rng("commit")) + slowest_round_trip(t.member);
  nodes_[t.member]->schedule_for_cluster(delay, kReplicated, slot);
}

void GaleraCluster::replicate(uint32_t slot) {
  Txn& t = txns_[slot];
  const Member& m = members_[t.member];
  if (!m.in_component || !primary_ || m.join_pending) {
    fail(slot, kNotReady);
    return;
  }
  if (!flowing()) {
    // A silent member not evicted yet (R-G6) or flow control (R-GFC1): the round waits.
    t.stage = Stage::awaiting_flow;
    awaiting_flow_.push_back(slot);
    return;
  }
  ++last_seqno_;  // certified and ordered
  enqueue_writeset(t.member);
  store(slot);
}

void GaleraCluster::store(uint32_t slot) {
  Txn& t = txns_[slot];
  const GaleraNode::IoEffect io = nodes_[t.member]->draw_io();
  if (io.error) {
    io_failed(t.member, "I/O error on the redo log write (io-fault)");
    return;
  }
  if (io.delay > sim::Duration::zero()) {
    t.stage = Stage::io_delay;
    nodes_[t.member]->schedule_for_cluster(io.delay, kCommitIo, slot);
    return;
  }
  send_storage(slot);
}

void GaleraCluster::send_storage(uint32_t slot) {
  Txn& t = txns_[slot];
  t.stage = Stage::storing;
  const Member& m = members_[t.member];
  if (m.volume && storage_.connected()) {
    VolumeRequest r;
    r.op = VolumeRequest::Op::write;
    r.request_id = storage_id(Tag::commit, slot, t.generation);
    r.volume = *m.volume;
    r.bytes = static_cast<uint32_t>(config_.writeset_bytes);
    storage_.send(r);  // the answer may come at once (a failed volume): nothing after this
    return;
  }
  nodes_[t.member]->schedule_for_cluster(config_.storage_write_latency.sample_duration(rng("storage")), kStored, slot);
}

void GaleraCluster::committed(uint32_t slot) {
  Txn& t = txns_[slot];
  t.reply_delay = client_one_way(t.port, t.connection, t.member, false);
  if (t.reply_delay > sim::Duration::zero() || members_[t.member].frozen) {
    t.stage = Stage::replying;
    nodes_[t.member]->schedule_for_cluster(t.reply_delay, kReply, slot);
    return;
  }
  reply(slot);
}

void GaleraCluster::reply(uint32_t slot) {
  Txn& t = txns_[slot];
  const double latency = (now() - t.arrived).seconds();
  ++committed_;
  latency_sum_ += latency;
  latency_max_ = std::max(latency_max_, latency);
  latency_hist_.observe(latency);
  answer(t.port, t.connection, t.request.request_id, true, "");
  release(slot);
}

void GaleraCluster::release(uint32_t slot) {
  Txn& t = txns_[slot];
  const uint32_t member = t.member;
  if (t.counted) {
    --members_[member].active;
    t.counted = false;
  }
  t.in_use = false;
  ++t.generation;
  free_txns_.push_back(slot);
  admit_waiting(member);
}

void GaleraCluster::fail(uint32_t slot, const char* error) {
  Txn& t = txns_[slot];
  ++failed_[error];
  answer(t.port, t.connection, t.request.request_id, false, error);
  if (t.port == 0) connections_[0].erase(t.connection);  // the client reconnects through the Service
  switch (t.stage) {
    case Stage::waiting: {
      auto& w = members_[t.member].waiting;
      if (auto it = std::find(w.begin(), w.end(), slot); it != w.end()) w.erase(it);
      release(slot);
      return;
    }
    case Stage::awaiting_flow: {
      if (auto it = std::find(awaiting_flow_.begin(), awaiting_flow_.end(), slot); it != awaiting_flow_.end())
        awaiting_flow_.erase(it);
      release(slot);
      return;
    }
    default:
      // Its event or storage write is pending: the slot is freed when that arrives.
      t.dead = true;
      if (t.counted) {
        --members_[t.member].active;
        t.counted = false;
      }
      return;
  }
}

void GaleraCluster::drop_member_txns(uint32_t i, const char* error) {
  // The process is gone: its events never fire and its storage answers are stale.
  awaiting_flow_.erase(
      std::remove_if(awaiting_flow_.begin(), awaiting_flow_.end(), [&](uint32_t s) { return txns_[s].member == i; }),
      awaiting_flow_.end());
  members_[i].waiting.clear();
  for (uint32_t slot = 0; slot < txns_.size(); ++slot) {
    Txn& t = txns_[slot];
    if (!t.in_use || t.member != i) continue;
    if (!t.dead) {
      ++failed_[error];
      answer(t.port, t.connection, t.request.request_id, false, error);
    }
    t.in_use = false;
    t.counted = false;
    ++t.generation;
    free_txns_.push_back(slot);
  }
  members_[i].active = 0;
  auto& conns = connections_[0];
  for (auto it = conns.begin(); it != conns.end();) it = it->second == i ? conns.erase(it) : std::next(it);
}

void GaleraCluster::fail_unordered(uint32_t i, const char* error) {
  for (uint32_t slot = 0; slot < txns_.size(); ++slot) {
    Txn& t = txns_[slot];
    if (!t.in_use || t.dead || t.member != i) continue;
    if (t.stage == Stage::waiting || t.stage == Stage::awaiting_flow) fail(slot, error);
  }
}

// ---------------------------------------------------------------- applying, flow control

void GaleraCluster::enqueue_writeset(uint32_t origin) {
  for (uint32_t j = 0; j < members_.size(); ++j) {
    Member& m = members_[j];
    if (j == origin || !m.in_component || !responsive(j) || m.state == State::waiting || m.state == State::offline)
      continue;
    ++m.recv_queue;  // a joiner caches it until its state transfer is done (R-GFC4)
    check_fc(j);
    start_applies(j);
    m.g_recv->set(static_cast<double>(m.recv_queue));
  }
  refresh(origin);
}

void GaleraCluster::start_applies(uint32_t i) {
  Member& m = members_[i];
  const auto can_apply = [&] {
    return m.process == Process::up && !m.frozen && m.in_component &&
           (m.state == State::synced || m.state == State::joined || (m.state == State::donor && !m.blocked_donor));
  };
  while (can_apply() && m.applying < config_.slave_threads && m.recv_queue > 0) {
    --m.recv_queue;
    ++m.applying;
    if (m.state == State::joined) m.fc_offset = std::min(m.fc_offset, m.recv_queue);
    apply_one(i);
  }
  check_fc(i);
}

void GaleraCluster::apply_one(uint32_t i) {
  const GaleraNode::IoEffect io = nodes_[i]->draw_io();
  if (io.error) {
    io_failed(i, "I/O error while applying a write-set (io-fault)");
    return;
  }
  if (io.delay > sim::Duration::zero()) {
    nodes_[i]->schedule_for_cluster(io.delay, kApplyIo, members_[i].apply_epoch);
    return;
  }
  apply_storage(i);
}

void GaleraCluster::apply_storage(uint32_t i) {
  Member& m = members_[i];
  if (m.volume && storage_.connected()) {
    VolumeRequest r;
    r.op = VolumeRequest::Op::write;
    r.request_id = storage_id(Tag::apply, i, m.apply_epoch);
    r.volume = *m.volume;
    r.bytes = static_cast<uint32_t>(config_.writeset_bytes);
    storage_.send(r);
    return;
  }
  nodes_[i]->schedule_for_cluster(config_.apply_time + config_.storage_write_latency.sample_duration(rng("storage")),
                                  kApplied, m.apply_epoch);
}

void GaleraCluster::applied(uint32_t i) {
  Member& m = members_[i];
  if (m.applying == 0) return;
  --m.applying;
  if (m.state == State::joined) m.fc_offset = std::min(m.fc_offset, m.recv_queue);
  refresh(i);
  if (m.state == State::joined && m.recv_queue == 0 && m.applying == 0) {
    become_synced(i);
    return;
  }
  start_applies(i);
}

int64_t GaleraCluster::fc_upper() const {
  // R-GFC2: upper = fc_limit × sqrt(N) + 0.5 (fc_limit alone with fc_single_primary), truncated.
  if (config_.fc_single_primary) return config_.fc_limit;
  const double n = std::max<double>(1.0, static_cast<double>(component_size()));
  return static_cast<int64_t>(static_cast<double>(config_.fc_limit) * std::sqrt(n) + 0.5);
}

int64_t GaleraCluster::fc_lower() const {
  return static_cast<int64_t>(static_cast<double>(fc_upper()) * config_.fc_factor + 0.5);
}

void GaleraCluster::check_fc(uint32_t i) {
  Member& m = members_[i];
  const bool eligible = m.process == Process::up && m.in_component && !m.join_pending &&
                        (m.state == State::synced || m.state == State::joined);
  if (!eligible) {
    if (m.fc_sent) {
      m.fc_sent = false;
      if (--fc_senders_ == 0) set_paused(false);
    }
    return;
  }
  // R-GFC1: above the upper limit the node sends FC_PAUSE, at or below the lower one FC_CONT;
  // a JOINED node's limits sit on top of the queue it catches up from (R-GFC4).
  if (!m.fc_sent && m.recv_queue > fc_upper() + m.fc_offset) {
    m.fc_sent = true;
    ++m.fc_sent_count;
    if (fc_senders_++ == 0) set_paused(true);
  } else if (m.fc_sent && m.recv_queue <= fc_lower() + m.fc_offset) {
    m.fc_sent = false;
    if (--fc_senders_ == 0) set_paused(false);
  }
}

void GaleraCluster::set_paused(bool paused) {
  if (paused) {
    paused_since_ = now();
    ++fc_pauses_;
    return;
  }
  paused_total_ += now() - paused_since_;
  resume_if_flowing();
}

void GaleraCluster::resume_if_flowing() {
  if (!flowing() || awaiting_flow_.empty()) return;
  std::deque<uint32_t> waiting;
  waiting.swap(awaiting_flow_);
  for (uint32_t slot : waiting) {
    Txn& t = txns_[slot];
    // The group round runs again now.
    t.stage = Stage::replicating;
    nodes_[t.member]->schedule_for_cluster(slowest_round_trip(t.member), kReplicated, slot);
  }
}

// ---------------------------------------------------------------- events

void GaleraCluster::member_event(uint32_t i, uint16_t kind, uint32_t arg) {
  Member& m = members_[i];
  switch (kind) {
    case kReplicated:
    case kCommitIo:
    case kStored:
    case kReply: {
      Txn& t = txns_[arg];
      if (!t.in_use) return;
      if (t.dead) {
        release(arg);
        return;
      }
      if (kind == kReplicated)
        replicate(arg);
      else if (kind == kCommitIo)
        send_storage(arg);
      else if (kind == kStored)
        committed(arg);
      else
        reply(arg);
      return;
    }
    case kApplyIo:
      if (arg == m.apply_epoch) apply_storage(i);
      return;
    case kApplied:
      if (arg == m.apply_epoch) applied(i);
      return;
    case kTransferDone:
      if (arg == m.transfer_epoch && m.state == State::joiner && m.donor) transfer_done(i);
      return;
    default:
      return;
  }
}

void GaleraCluster::handle(uint16_t event_kind, uint32_t arg) {
  switch (event_kind) {
    case kEvict:
      if (arg < members_.size()) members_[arg].evict_pending = false;
      evict_due();
      return;
    case kRestore:
      do_restore();
      return;
    case kTick:
      for (uint32_t i = 0; i < members_.size(); ++i) refresh(i);
      schedule_in(sim::Duration::s(1), kTick, 0, true);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------- storage

void GaleraCluster::on_storage(const VolumeResult& r) {
  const auto tag = static_cast<Tag>(r.request_id >> 62);
  const auto index = static_cast<uint32_t>((r.request_id >> 32) & 0x3FFFFFFFu);
  const auto generation = static_cast<uint32_t>(r.request_id & 0xFFFFFFFFu);
  switch (tag) {
    case Tag::attach:
      members_.at(index).volume = r.volume;
      return;
    case Tag::status:
      last_storage_answer_ = r;
      return;
    case Tag::apply: {
      Member& m = members_.at(index);
      if (generation != m.apply_epoch || m.process != Process::up) return;
      if (!r.ok) {
        io_failed(index, r.error);
        return;
      }
      if (config_.apply_time > sim::Duration::zero() || m.frozen)
        nodes_[index]->schedule_for_cluster(config_.apply_time, kApplied, m.apply_epoch);
      else
        applied(index);
      return;
    }
    case Tag::commit: {
      Txn& t = txns_.at(index);
      if (!t.in_use || t.generation != generation) return;
      if (t.dead) {
        release(index);
        return;
      }
      if (!r.ok) {
        io_failed(t.member, r.error);
        return;
      }
      committed(index);
      return;
    }
  }
}

void GaleraCluster::io_failed(uint32_t i, const char* error) {
  // InnoDB cannot go on after a failed write: mysqld aborts; its clients lose their connections
  // and the kubelet restarts it (R-K2).
  log_event("mysqld-aborted", {{"node", member_path(i)}, {"error", error}});
  nodes_[i]->abort_process();
}

// ---------------------------------------------------------------- lifecycle

void GaleraCluster::member_process_started(uint32_t i) {
  Member& m = members_[i];
  m.process = Process::booting;
  refresh(i);
}

bool GaleraCluster::member_app_starting(uint32_t i) {
  Member& m = members_[i];
  // mysqld opens its files: an unusable volume or an I/O error fails the start.
  if (m.volume && storage_.connected()) {
    VolumeRequest r;
    r.op = VolumeRequest::Op::status;
    r.request_id = storage_id(Tag::status, i, 0);
    r.volume = *m.volume;
    last_storage_answer_ = VolumeResult{};
    storage_.send(r);
    if (!last_storage_answer_.ok) {
      log_event("mysqld-start-failed", {{"node", member_path(i)}, {"error", last_storage_answer_.error}});
      return false;
    }
  }
  if (nodes_[i]->draw_io().error) {
    log_event("mysqld-start-failed", {{"node", member_path(i)}, {"error", "I/O error (io-fault)"}});
    return false;
  }
  // Nobody else is alive: the old component, with whatever it still lists, is gone.
  bool others_alive = false;
  for (uint32_t j = 0; j < members_.size(); ++j)
    if (j != i && members_[j].in_component && members_[j].process == Process::up) others_alive = true;
  const bool dissolve = !others_alive && !component_empty();
  if (dissolve) {
    for (Member& o : members_) {
      if (o.evict_pending) cancel(o.evict_event);
      o.evict_pending = false;
      o.in_component = false;
      o.in_prim_view = false;
      if (o.process != Process::up) o.state = State::offline;
    }
    primary_ = false;
    log_event("view-changed", {{"members", nlohmann::ordered_json::array()}, {"primary", false}});
  }
  // Its previous incarnation may still be listed in the view, not evicted yet.
  const bool previous_listed = m.in_component;
  if (config_.bootstrap_trap) {
    // R-G17: the chart's bootstrap node re-bootstraps when it restarts after an unclean stop.
    const bool bootstrap_node_trap = config_.trap_bootstrap_node && i == config_.bootstrap_node && !m.clean_stop &&
                                     !m.restore_permit && !component_empty();
    // R-G14: with no component to join the node must bootstrap, and safe_to_bootstrap is 0.
    const bool full_loss_trap = component_empty() && !m.safe_to_bootstrap && !m.bootstrap_permit;
    if (bootstrap_node_trap || full_loss_trap) {
      ++refusals_;
      log_event(
          "bootstrap-refused",
          {{"node", member_path(i)},
           {"safe_to_bootstrap", 0},
           {"reason", bootstrap_node_trap ? "the chart's bootstrap node restarted after an unclean stop and bootstraps"
                                          : "no primary component to join: it must bootstrap, and its "
                                            "grastate.dat says safe_to_bootstrap: 0"}});
      return false;
    }
  }
  m.process = Process::up;
  m.frozen = false;
  m.started_at = now();
  m.paused_base = paused_total_ + (fc_senders_ > 0 ? now() - paused_since_ : sim::Duration::zero());
  m.fc_pause_base = fc_pauses_;
  m.fc_sent_count = 0;
  m.restore_permit = false;
  m.cache_start = m.position + 1;  // the gcache starts empty (gcache.recover off)
  if (component_empty()) {
    m.in_component = true;
    m.in_prim_view = false;
    if (m.safe_to_bootstrap || m.bootstrap_permit) {
      bootstrap(i, m.bootstrap_permit ? "manual restore (R-G15)" : "safe_to_bootstrap: 1 (R-G13)");
    } else {
      m.state = State::waiting;
      log_event("node-waiting-for-primary", {{"node", member_path(i)}});
      check_pc_recovery();
    }
  } else if (previous_listed || stalled()) {
    m.join_pending = true;  // its previous incarnation (or another silent member) is evicted first
  } else if (primary_) {
    join(i);
  } else {
    m.in_component = true;
    m.in_prim_view = false;
    m.state = State::waiting;
    log_event("node-joined", {{"node", member_path(i)}, {"primary", false}});
    check_pc_recovery();
  }
  resume_if_flowing();
  refresh_all();
  return true;
}

void GaleraCluster::member_stopped(uint32_t i, bool clean) {
  Member& m = members_[i];
  if (m.process != Process::up) {
    // It never finished starting (a refused start, or killed while booting).
    m.process = Process::down;
    m.join_pending = false;
    refresh(i);
    return;
  }
  m.position = position(i);
  m.process = Process::down;
  m.frozen = false;
  ++m.apply_epoch;
  ++m.transfer_epoch;
  drop_member_txns(i, kLost);
  m.recv_queue = 0;
  m.applying = 0;
  m.pod_ready = false;
  m.clean_stop = clean;
  if (m.fc_sent) {
    m.fc_sent = false;
    if (--fc_senders_ == 0) set_paused(false);
  }
  // State transfers with it.
  if (m.donor) {
    Member& d = members_[*m.donor];
    if (d.donating > 0 && --d.donating == 0 && d.state == State::donor) {
      d.state = State::joined;
      d.blocked_donor = false;
      d.fc_offset = d.recv_queue;
      start_applies(*m.donor);
      admit_waiting(*m.donor);
    }
    m.donor.reset();
  }
  m.transfer_pending = false;
  const bool was_joining = m.join_pending;
  m.join_pending = false;
  m.state = State::offline;
  m.donating = 0;
  m.blocked_donor = false;
  if (m.in_component && !was_joining) {
    if (clean) {
      install_view({i}, true);
      if (component_empty()) m.safe_to_bootstrap = true;  // R-G13: the last to leave
    } else {
      schedule_evict(i);  // R-G6: the others stall until they evict it
    }
  }
  for (uint32_t j = 0; j < members_.size(); ++j) {
    if (members_[j].donor == i) {
      members_[j].donor.reset();
      ++members_[j].transfer_epoch;
      log_event("state-transfer-failed", {{"node", member_path(j)}, {"donor", member_path(i)}});
      request_transfer(j);
    }
  }
  refresh_all();
}

void GaleraCluster::member_pod_ready(uint32_t i) {
  members_[i].pod_ready = true;
  refresh(i);
  check_restore_done();  // the restore is done when every member serves again
}

void GaleraCluster::member_pod_unready(uint32_t i) { members_[i].pod_ready = false; }

void GaleraCluster::member_frozen(uint32_t i, bool frozen) {
  Member& m = members_[i];
  if (m.process != Process::up) return;
  m.frozen = frozen;
  if (frozen) {
    if (m.in_component && !m.join_pending) schedule_evict(i);
    refresh(i);
    return;
  }
  if (m.evict_pending) {
    cancel(m.evict_event);
    m.evict_pending = false;
  }
  if (m.in_component || m.join_pending) {
    resume_if_flowing();
    process_pending_joins();
    admit_waiting(i);
    start_applies(i);
  } else {
    // Evicted while it was frozen (R-G6): it rejoins like a restarted node.
    log_event("node-rejoining", {{"node", member_path(i)}});
    if (component_empty()) {
      m.in_component = true;
      m.state = State::waiting;
      check_pc_recovery();
    } else if (stalled()) {
      m.join_pending = true;
    } else if (primary_) {
      join(i);
    } else {
      m.in_component = true;
      m.state = State::waiting;
      check_pc_recovery();
    }
    admit_waiting(i);
  }
  refresh_all();
}

bool GaleraCluster::member_readiness(uint32_t i, sim::SimTime probe) const {
  return accepts_writes(i) && members_[i].synced_since <= probe;
}

void GaleraCluster::schedule_evict(uint32_t i) {
  Member& m = members_[i];
  if (m.evict_pending) return;
  m.evict_pending = true;
  m.unresponsive_since = now();
  log_event("node-suspected", {{"node", member_path(i)}});
  m.evict_event = schedule_in(config_.suspect_timeout + config_.inactive_check_period, kEvict, i);
}

void GaleraCluster::evict_due() {
  const sim::Duration delay = config_.suspect_timeout + config_.inactive_check_period;
  std::vector<uint32_t> left;
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    if (!m.in_component || responsive(i) || now() - m.unresponsive_since < delay) continue;
    if (m.evict_pending) cancel(m.evict_event);
    m.evict_pending = false;
    left.push_back(i);
  }
  if (!left.empty()) install_view(left, false);
  process_pending_joins();
  refresh_all();
}

void GaleraCluster::process_pending_joins() {
  // Members that restarted while a silent member held the view join now.
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    if (!m.join_pending || m.in_component || stalled()) continue;
    m.join_pending = false;
    if (component_empty()) {
      m.in_component = true;
      m.state = State::waiting;
      log_event("node-waiting-for-primary", {{"node", member_path(i)}});
      check_pc_recovery();
    } else if (primary_) {
      join(i);
    } else {
      m.in_component = true;
      m.state = State::waiting;
      log_event("node-joined", {{"node", member_path(i)}, {"primary", false}});
      check_pc_recovery();
    }
  }
  refresh_all();
}

void GaleraCluster::install_view(const std::vector<uint32_t>& left, bool graceful) {
  nlohmann::ordered_json gone = nlohmann::ordered_json::array();
  for (uint32_t i : left) {
    Member& m = members_[i];
    if (!m.join_pending && m.process == Process::up) {
      // Evicted while frozen: what it applied stays; the rest it must receive again.
      m.position = position(i);
      m.state = State::waiting;
      ++m.apply_epoch;
      m.recv_queue = 0;
      m.applying = 0;
      if (m.fc_sent) {
        m.fc_sent = false;
        if (--fc_senders_ == 0) set_paused(false);
      }
    }
    m.in_component = false;
    m.in_prim_view = false;
    gone.push_back(member_path(i));
    log_event("node-left", {{"node", member_path(i)}, {"graceful", graceful}});
  }
  ++view_changes_;
  const uint32_t remaining = component_size();
  uint32_t quorum_weight = 0;
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component && members_[i].in_prim_view) ++quorum_weight;
  if (remaining == 0) {
    primary_ = false;
  } else if (primary_) {
    // R-G4: more than half of the last primary view, graceful leavers subtracted.
    if (graceful || 2 * quorum_weight > last_primary_size_) {
      last_primary_size_ = remaining;
      for (uint32_t i = 0; i < members_.size(); ++i) {
        last_primary_view_[i] = members_[i].in_component;
        if (members_[i].in_component) members_[i].in_prim_view = true;
      }
    } else {
      lose_primary();
    }
  }
  log_event("view-changed", {{"members", view_json()}, {"primary", primary_}, {"left", gone}});
  // Departures lower the flow-control limits and may free the stalled commits.
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component) check_fc(i);
  retry_pending_transfers();
  resume_if_flowing();
}

void GaleraCluster::lose_primary() {
  primary_ = false;
  log_event("quorum-lost", {{"members", view_json()}, {"last_primary_size", last_primary_size_}});
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    if (!m.in_component) continue;
    // What was ordered before the partition is applied (R-G5: the node keeps its data).
    if (m.process == Process::up && !m.join_pending) m.position = last_seqno_;
    if (m.donor) {
      ++m.transfer_epoch;
      m.donor.reset();
    }
    m.transfer_pending = false;
    m.state = State::waiting;
    m.donating = 0;
    m.blocked_donor = false;
    ++m.apply_epoch;
    m.recv_queue = 0;
    m.applying = 0;
    if (m.fc_sent) {
      m.fc_sent = false;
      --fc_senders_;
      if (fc_senders_ == 0) paused_total_ += now() - paused_since_;
    }
  }
  // Statements not yet ordered fail (ERROR 1047, R-G5); waiting ones of a frozen member fail
  // when it answers again.
  std::deque<uint32_t> awaiting;
  awaiting.swap(awaiting_flow_);
  for (uint32_t slot : awaiting) {
    txns_[slot].stage = Stage::awaiting_flow;  // no longer listed: fail() just frees it
    fail(slot, kNotReady);
  }
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component && !members_[i].frozen) fail_unordered(i, kNotReady);
}

void GaleraCluster::check_pc_recovery() {
  if (primary_ || !config_.pc_recovery || component_empty()) return;
  // R-G7: once every member of the last primary view sees the others again, the primary
  // component is restored from gvwstate.dat.
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (last_primary_view_[i] && (!members_[i].in_component || !responsive(i))) return;
  int64_t most = 0;
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component) most = std::max(most, members_[i].position);
  primary_ = true;
  last_seqno_ = most;
  log_event("primary-restored", {{"members", view_json()}, {"seqno", most}, {"how", "pc.recovery (R-G7)"}});
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    if (!m.in_component) continue;
    m.in_prim_view = true;
    m.safe_to_bootstrap = false;
    if (m.position == most) {
      become_synced(i);
    } else {
      m.state = State::joiner;
      request_transfer(i);
    }
  }
  last_primary_size_ = component_size();
  for (uint32_t i = 0; i < members_.size(); ++i) last_primary_view_[i] = members_[i].in_component;
  ++view_changes_;
  resume_if_flowing();
}

void GaleraCluster::bootstrap(uint32_t i, const char* how) {
  Member& b = members_[i];
  if (last_seqno_ > b.position)
    log_event("writesets-lost", {{"node", member_path(i)}, {"count", last_seqno_ - b.position}});
  last_seqno_ = b.position;
  primary_ = true;
  b.bootstrap_permit = false;
  b.cache_start = b.position + 1;
  ++view_changes_;
  log_event("cluster-bootstrapped", {{"node", member_path(i)}, {"seqno", b.position}, {"how", how}});
  for (uint32_t j = 0; j < members_.size(); ++j) {
    Member& m = members_[j];
    m.safe_to_bootstrap = false;
    if (!m.in_component) continue;
    m.in_prim_view = true;
    if (j == i || m.position == b.position) {
      become_synced(j);
    } else {
      m.state = State::joiner;
      request_transfer(j);
    }
  }
  last_primary_size_ = component_size();
  for (uint32_t j = 0; j < members_.size(); ++j) last_primary_view_[j] = members_[j].in_component;
  if (restore_start_others_) {
    // R-G15: then the others are started; they join the bootstrapped node.
    restore_start_others_ = false;
    for (uint32_t j = 0; j < members_.size(); ++j)
      if (j != i && members_[j].process == Process::down) nodes_[j]->restart_container();
  }
}

void GaleraCluster::join(uint32_t i) {
  Member& m = members_[i];
  m.in_component = true;
  m.in_prim_view = true;
  m.state = State::joiner;
  ++view_changes_;
  last_primary_size_ = component_size();
  last_primary_view_[i] = true;
  log_event("node-joined", {{"node", member_path(i)}, {"primary", true}, {"seqno", m.position}});
  request_transfer(i);
}

void GaleraCluster::request_transfer(uint32_t j) {
  Member& m = members_[j];
  if (m.process != Process::up || !m.in_component || m.state != State::joiner) return;
  const int64_t gap = last_seqno_ - m.position;
  if (gap <= 0) {
    m.position = last_seqno_;
    m.cache_start = last_seqno_ + 1;
    m.recv_queue = 0;
    become_synced(j);
    return;
  }
  // R-G10: IST from a donor whose gcache still holds every missed write-set, else SST.
  std::optional<uint32_t> donor, ist_donor;
  for (uint32_t d = 0; d < members_.size(); ++d) {
    if (d == j || !members_[d].in_component || !responsive(d) || members_[d].state != State::synced) continue;
    if (!donor) donor = d;
    if (!ist_donor && m.position + 1 >= gcache_first(d)) ist_donor = d;
  }
  if (!donor) {
    m.transfer_pending = true;
    return;
  }
  const bool ist = ist_donor.has_value();
  const uint32_t d = ist ? *ist_donor : *donor;
  m.transfer_pending = false;
  m.donor = d;
  m.transfer_sst = !ist;
  m.transfer_target = last_seqno_;
  m.transfer_started = now();
  m.recv_queue = 0;  // the snapshot covers everything ordered so far
  ++m.transfer_epoch;
  // R-G11: a fixed set-up, then the missed write-sets (IST) or the whole dataset (SST).
  const double bytes = ist ? static_cast<double>(gap) * static_cast<double>(config_.writeset_bytes)
                           : static_cast<double>(config_.dataset_bytes) +
                                 static_cast<double>(last_seqno_) * static_cast<double>(config_.writeset_bytes);
  const double seconds = ist ? static_cast<double>(gap) / config_.ist_rate : bytes / config_.sst_bandwidth;
  const sim::Duration took = config_.transfer_setup + sim::Duration::from_seconds(seconds);
  Member& dm = members_[d];
  dm.state = State::donor;
  ++dm.donating;
  if (!ist && config_.sst_blocks_donor) dm.blocked_donor = true;
  check_fc(d);  // a desynced donor sends no flow control
  (ist ? ist_ : sst_)++;
  log_event("state-transfer-started", {{"node", member_path(j)},
                                       {"method", ist ? "IST" : "SST"},
                                       {"donor", member_path(d)},
                                       {"write_sets", gap},
                                       {"bytes", bytes},
                                       {"duration_s", took.seconds()}});
  nodes_[j]->schedule_for_cluster(took, kTransferDone, m.transfer_epoch);
  refresh(d);
}

void GaleraCluster::transfer_done(uint32_t j) {
  Member& m = members_[j];
  const uint32_t d = *m.donor;
  m.donor.reset();
  m.position = m.transfer_target;
  m.cache_start = m.transfer_target + 1;
  m.state = State::joined;
  m.fc_offset = m.recv_queue;
  log_event("state-transfer-done", {{"node", member_path(j)},
                                    {"method", m.transfer_sst ? "SST" : "IST"},
                                    {"duration_s", (now() - m.transfer_started).seconds()}});
  Member& dm = members_[d];
  if (dm.donating > 0 && --dm.donating == 0 && dm.state == State::donor) {
    dm.state = State::joined;
    dm.blocked_donor = false;
    dm.fc_offset = dm.recv_queue;
    if (dm.recv_queue == 0 && dm.applying == 0)
      become_synced(d);
    else
      start_applies(d);
    admit_waiting(d);
  }
  if (m.recv_queue == 0 && m.applying == 0)
    become_synced(j);
  else
    start_applies(j);
  refresh_all();
}

void GaleraCluster::become_synced(uint32_t i) {
  Member& m = members_[i];
  m.state = State::synced;
  m.synced_since = now();
  m.fc_offset = 0;
  log_event("node-synced", {{"node", member_path(i)}, {"seqno", position(i)}});
  check_fc(i);
  retry_pending_transfers();
  admit_waiting(i);
  start_applies(i);
  check_restore_done();
  resume_if_flowing();
  refresh(i);
}

void GaleraCluster::retry_pending_transfers() {
  for (uint32_t j = 0; j < members_.size(); ++j)
    if (members_[j].transfer_pending) request_transfer(j);
}

// ---------------------------------------------------------------- manual restore

sim::FaultOutcome GaleraCluster::on_fault_start(const sim::Fault& f) {
  if (f.kind == "manual-restore") {
    manual_restore(f, *this);
    return sim::FaultOutcome::ok();
  }
  return sim::FaultOutcome::unmapped("the Galera cluster " + path() + " reacts to manual-restore only; aim " + f.kind +
                                     " at its members " + path() + "/" + path() + "-<i>");
}

void GaleraCluster::manual_restore(const sim::Fault& fault, sim::Component& target) {
  if (!restore_fault_ || restore_fault_->id != fault.id) {
    restore_fault_ = fault;
    restore_targets_.clear();
    log_event("manual-restore-started", {{"delay_s", config_.restore_delay.seconds()}});
    schedule_in(config_.restore_delay, kRestore, 0);
  }
  if (std::find(restore_targets_.begin(), restore_targets_.end(), &target) == restore_targets_.end())
    restore_targets_.push_back(&target);
}

void GaleraCluster::do_restore() {
  restore_running_ = true;
  for (Member& m : members_) m.restore_permit = true;
  bool live_primary = primary_;
  if (live_primary) {
    live_primary = false;
    for (uint32_t i = 0; i < members_.size(); ++i)
      if (members_[i].in_component && responsive(i)) live_primary = true;
  }
  if (live_primary) {
    // R-G16 side: the cluster runs; the trapped members are started again and join it.
    log_event("manual-restore", {{"action", "restart the trapped members"}});
    for (uint32_t i = 0; i < members_.size(); ++i)
      if (members_[i].process == Process::down) nodes_[i]->restart_container();
  } else {
    // R-G15: the most advanced member (galera_recovery's seqno) gets safe_to_bootstrap: 1.
    uint32_t b = 0;
    for (uint32_t i = 1; i < members_.size(); ++i)
      if (position(i) > position(b)) b = i;
    Member& bm = members_[b];
    bm.bootstrap_permit = true;
    log_event(
        "manual-restore",
        {{"action", "bootstrap the most advanced member"}, {"bootstrap_node", member_path(b)}, {"seqno", position(b)}});
    if (bm.process == Process::up && bm.in_component) {
      bootstrap(b, "pc.bootstrap on a non-primary member (R-G16)");
      for (uint32_t i = 0; i < members_.size(); ++i)
        if (members_[i].process == Process::down) nodes_[i]->restart_container();
    } else {
      restore_start_others_ = true;
      if (bm.process == Process::down) nodes_[b]->restart_container();
    }
  }
  refresh_all();
  check_restore_done();
}

void GaleraCluster::check_restore_done() {
  if (!restore_running_) return;
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (!accepts_writes(i) || members_[i].state != State::synced || !members_[i].pod_ready) return;
  restore_running_ = false;
  restore_start_others_ = false;
  for (Member& m : members_) {
    m.restore_permit = false;
    m.bootstrap_permit = false;
  }
  log_event("manual-restore-done", {{"members", view_json()}});
  for (sim::Component* target : restore_targets_) {
    if (target == this)
      report_recovered(*restore_fault_);
    else
      static_cast<GaleraNode*>(target)->recovered(*restore_fault_);
  }
  restore_targets_.clear();
}

// ---------------------------------------------------------------- metrics, summary

nlohmann::ordered_json GaleraCluster::view_json() const {
  nlohmann::ordered_json v = nlohmann::ordered_json::array();
  for (uint32_t i = 0; i < members_.size(); ++i)
    if (members_[i].in_component) v.push_back(member_path(i));
  return v;
}

void GaleraCluster::refresh(uint32_t i) {
  const Member& m = members_[i];
  const bool up = m.process == Process::up;
  const bool member = up && m.in_component && !m.join_pending;
  m.g_up->set(up && !m.frozen ? 1 : 0);
  m.g_size->set(member ? static_cast<double>(component_size()) : 0);
  m.g_status->set(member && primary_ ? 1 : 0);
  m.g_connected->set(member ? 1 : 0);
  m.g_ready->set(accepts_writes(i) ? 1 : 0);
  double state = 0;
  if (member && primary_) {
    switch (m.state) {
      case State::joiner:
        state = 1;
        break;
      case State::donor:
        state = 2;
        break;
      case State::joined:
        state = 3;
        break;
      case State::synced:
        state = 4;
        break;
      default:
        break;
    }
  }
  m.g_state->set(state);
  m.g_recv->set(static_cast<double>(m.recv_queue));
  if (up) m.g_committed->set(static_cast<double>(position(i)));
  // R-GFC3: flow-control pauses since the server start.
  const sim::Duration paused =
      paused_total_ + (fc_senders_ > 0 ? now() - paused_since_ : sim::Duration::zero()) - m.paused_base;
  const double lived = (now() - m.started_at).seconds();
  m.g_paused_ns->set(up ? static_cast<double>(paused.count_ns()) : 0);
  m.g_paused->set(up && lived > 0 ? paused.seconds() / lived : 0);
  m.g_fc_sent->set(up ? static_cast<double>(m.fc_sent_count) : 0);
  m.g_fc_recv->set(up ? static_cast<double>(fc_pauses_ - m.fc_pause_base) : 0);
}

void GaleraCluster::refresh_all() {
  for (uint32_t i = 0; i < members_.size(); ++i) refresh(i);
}

nlohmann::ordered_json GaleraCluster::summary() const {
  nlohmann::ordered_json failed = nlohmann::ordered_json::object();
  for (const auto& [k, v] : failed_) failed[k] = v;
  const sim::Duration paused = paused_total_ + (fc_senders_ > 0 ? now() - paused_since_ : sim::Duration::zero());
  return {{"committed", committed_},
          {"failed", failed},
          {"commit_latency_mean_s", committed_ > 0 ? latency_sum_ / static_cast<double>(committed_) : 0.0},
          {"commit_latency_max_s", latency_max_},
          {"last_seqno", last_seqno_},
          {"primary", primary_},
          {"view_changes", view_changes_},
          {"ist", ist_},
          {"sst", sst_},
          {"flow_control_pauses", fc_pauses_},
          {"flow_control_paused_s", paused.seconds()},
          {"bootstrap_refusals", refusals_}};
}

sim::KindInfo GaleraCluster::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "galera-cluster";
  k.help =
      "a MariaDB Galera-like cluster: members are StatefulSet pods <name>/<name>-<i>. Consumers write through the "
      "Service (writes_to: <name>: a ready synced member, round-robin; after an error the next write reconnects) or "
      "to one member (writes_to: <name>.<name>-<i>, no failover). Commit = client round trip + local_commit_time + "
      "round trip to the slowest member (R-G2) + the member's storage write (a longhorn volume through `storage`). "
      "A member that stops uncleanly or freezes stalls every commit for suspect_timeout + inactive_check_period "
      "(R-G6); the survivors stay primary with more than half of the last primary view (R-G4), else every member "
      "answers ERROR 1047 until pc.recovery (R-G7) or a manual-restore. A restarted member rejoins by IST when the "
      "missed write-sets fit the donor's gcache, else by SST (R-G10, R-G11), and is ready once synced. Flow control "
      "per gcs.fc_limit (R-GFC1, R-GFC2). With bootstrap_trap the member crash-loops on safe_to_bootstrap: 0 "
      "(R-G14, R-G17) until a manual-restore fault (aimed at <name> or a member) runs the operator's procedure "
      "(R-G15). IOChaos on a member (io-latency, io-fault) acts on its writes; an I/O error makes mysqld abort. "
      "Exports mysql_global_status_wsrep_{cluster_size,cluster_status,ready,connected,local_state,local_recv_queue,"
      "flow_control_paused,flow_control_paused_ns,flow_control_sent,flow_control_recv,last_committed}, mysql_up "
      "(label pod) and faultline_galera_commit_latency_seconds";
  k.replication = sim::Replication::self;
  k.role = sim::TopologyRole::store;
  k.count_help = "members (pods <name>/<name>-<i>, each with the write endpoint \"<name>.<name>-<i>\")";
  sim::ReferenceSpec storage;
  storage.target_kinds = {"longhorn"};
  storage.flow = sim::ReferenceSpec::Flow::none;
  storage.wires = {{"storage", "io"}};
  k.params = {
      ParamSpec::ref("storage", storage)
          .optional()
          .describe("a longhorn storage system: member i writes to the volume of its claim <volume_claim>-<name>-<i>, "
                    "whose engine runs on storage node i mod its count; without one, storage_write_latency"),
      ParamSpec::text("volume_claim")
          .def("data")
          .describe("the StatefulSet's volumeClaimTemplates name: member i's claim is <volume_claim>-<name>-<i>")
          .from("Bitnami mariadb-galera chart: claim \"data\""),
      ParamSpec::boolean("bootstrap_trap")
          .def(false)
          .describe("model safe_to_bootstrap: after an unclean loss of the whole cluster the members crash-loop "
                    "(CrashLoopBackOff) until a manual-restore fault; with trap_scope bootstrap-node the bootstrap "
                    "node does so whenever it restarts after an unclean stop. false: no trap (R-G7's pc.recovery "
                    "restores a lost cluster once every member is back)")
          .from("R-G13, R-G14, R-G17 (the seed's \"manual restoration\")"),
      ParamSpec::choice("trap_scope", {"bootstrap-node", "cluster-loss"})
          .def("bootstrap-node")
          .describe("with bootstrap_trap: cluster-loss traps only after an unclean loss of every member (R-G14); "
                    "bootstrap-node also traps bootstrap_node whenever it restarts after an unclean stop, while the "
                    "others keep serving (R-G17's rule for a killed MariaDB pod)")
          .from("R-G17 [DERIVED] simulator rule for experiment (a)"),
      ParamSpec::integer("bootstrap_node", "member index")
          .def(0)
          .at_least(0)
          .describe("the chart's bootstrap node (galera.bootstrap.bootstrapFromNode)")
          .from("R-G17: bootstrapFromNode 0"),
      ParamSpec::duration("restore_delay")
          .def("15s")
          .at_least(0)
          .describe("a manual-restore's operator work before the bootstrap node (or the trapped member) is started: "
                    "galera_recovery on each member, editing grastate.dat")
          .from("testbed galera-full-crash run 1: restore at 60.3 s, bootstrap node's mysqld started at 76.2 s "
                "(measured, loaded machine)"),
      ParamSpec::boolean("pc_recovery")
          .def(true)
          .describe("pc.recovery: a non-primary component whose members include the whole last primary view becomes "
                    "primary again by itself")
          .from("R-G6, R-G7: pc.recovery TRUE"),
      ParamSpec::duration("suspect_timeout")
          .def("5s")
          .above(0)
          .describe("evs.suspect_timeout: a silent member is suspected after this; commits stall meanwhile")
          .from("R-G6: PT5S"),
      ParamSpec::duration("inactive_check_period")
          .def("1s")
          .at_least(0)
          .describe("evs.inactive_check_period: added to suspect_timeout before the silent member is evicted")
          .from("R-G6: PT1S; testbed galera-kill: writes stalled 6.0-6.9 s (measured)"),
      ParamSpec::duration("replication_rtt")
          .def("0.3ms")
          .at_least(0)
          .describe("round trip between two members when the scenario has no network component (with one, the "
                    "network's round trip between the member pods)")
          .from("R-L4: inter-node RTT about 0.3 ms [LH-PERF-REPORT]"),
      ParamSpec::distribution("local_commit_time")
          .def("1ms")
          .describe("execution and certification of one write on its member, before the group round trip")
          .from("R-G2 [DERIVED], no measured source: testbed end-to-end p50 9 ms bounds it; calibrate"),
      ParamSpec::distribution("storage_write_latency")
          .def("2.04ms")
          .describe("a member's write to its volume when there is no `storage` reference")
          .from("R-L4: Longhorn random write latency 2.04 ms"),
      ParamSpec::integer("max_concurrency", "transactions")
          .def(100)
          .at_least(1)
          .describe("transactions a member runs at once; more wait in FIFO order")
          .from("MySQL connection pools are ~100; calibrate"),
      ParamSpec::integer("slave_threads", "threads")
          .def(2)
          .at_least(1)
          .describe("wsrep_slave_threads: write-sets a member applies at once")
          .from("testbed: wsrep_slave_threads = 2"),
      ParamSpec::duration("apply_time")
          .def("1ms")
          .at_least(0)
          .describe("CPU time to apply one write-set, before its storage write")
          .from("testbed galera-kill run 1: a joiner drained 1978 queued write-sets within one 1 s scrape with 2 "
                "threads (measured: at most ~1 ms each)"),
      ParamSpec::integer("fc_limit", "write-sets")
          .def(16)
          .at_least(1)
          .describe("gcs.fc_limit; the pause limit is fc_limit x sqrt(members) + 0.5")
          .from("R-GFC table: 16; R-GFC2"),
      ParamSpec::number("fc_factor", "1")
          .def(1.0)
          .above(0)
          .at_most(1)
          .describe("gcs.fc_factor: replication resumes at or below upper limit x fc_factor + 0.5")
          .from("R-GFC table: 1.0 in source"),
      ParamSpec::boolean("fc_single_primary")
          .def(false)
          .describe("gcs.fc_single_primary: the pause limit is fc_limit itself")
          .from("R-GFC table: NO"),
      ParamSpec::bytes("writeset_size")
          .def("1KB")
          .above(0)
          .describe("bytes of one write-set (gcache use, IST and storage writes)")
          .from("R-G2: [GAL-BLOG-2015] measured 1 KB INSERTs"),
      ParamSpec::bytes("gcache_size")
          .def("128MB")
          .above(0)
          .describe("gcache.size: a rejoin is an IST when every missed write-set is still in the donor's gcache")
          .from("R-G10: 128 MB default"),
      ParamSpec::duration("state_transfer_setup")
          .def("8s")
          .at_least(0)
          .describe("a state transfer's fixed set-up (the SST script, the receiver) before data flows")
          .from("testbed galera-kill run 1: view joined at 49.4 s, IST receiver ready at 57.4 s (measured, loaded "
                "machine)"),
      ParamSpec::rate("ist_rate", "write-sets/s")
          .def(260)
          .describe("write-sets per second an IST transfers and applies")
          .from("testbed galera-kill run 1: 1822 write-sets in 7 s (measured, loaded machine)"),
      ParamSpec::choice("sst_method", {"rsync", "mariabackup", "mysqldump"})
          .def("rsync")
          .describe("wsrep_sst_method: rsync and mysqldump block the donor (no client writes, no applying) during an "
                    "SST; mariabackup does not")
          .from("R-G10; MariaDB default rsync (testbed too)"),
      ParamSpec::bytes("sst_bandwidth")
          .def("360MiB")
          .above(0)
          .describe("bytes per second an SST copies")
          .from("R-G11 [DERIVED]: disk-read/stream bound; R-L11 measured ~364 MiB/s disk-bound streaming"),
      ParamSpec::bytes("dataset_size")
          .def("1GiB")
          .at_least(0)
          .describe("the database's size at the start; an SST copies it plus every write-set since")
          .from("no measured source: set it to the database's size"),
  };
  for (auto& p : Pod::pod_params("5s",
                                 "testbed: galera_recovery + mysqld start about 5 s (idle machine); R-G11 seconds to "
                                 "tens of seconds",
                                 PodConfig::Controller::statefulset))
    k.params.push_back(std::move(p));
  k.validate = [](const sim::ParamValues& p, int64_t count, const sim::Document& doc) {
    const std::string base = p.pointer("bootstrap_node").substr(0, p.pointer("bootstrap_node").rfind('/'));
    if (count > 64) throw doc.error(base + "/count", "a Galera cluster has at most 64 members");
    if (p.integer("bootstrap_node") >= count)
      throw doc.error(p.pointer("bootstrap_node"), "the bootstrap node is member " +
                                                       std::to_string(p.integer("bootstrap_node")) +
                                                       " but the cluster has " + std::to_string(count) + " member(s)");
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    GaleraConfig c;
    c.members = inst.count;
    c.bootstrap_trap = inst.params.boolean("bootstrap_trap");
    c.trap_bootstrap_node = inst.params.text("trap_scope") == "bootstrap-node";
    c.bootstrap_node = static_cast<uint32_t>(inst.params.integer("bootstrap_node"));
    c.restore_delay = inst.params.duration("restore_delay");
    c.pc_recovery = inst.params.boolean("pc_recovery");
    c.suspect_timeout = inst.params.duration("suspect_timeout");
    c.inactive_check_period = inst.params.duration("inactive_check_period");
    c.replication_rtt = inst.params.duration("replication_rtt");
    c.local_commit_time = inst.params.distribution("local_commit_time");
    c.storage_write_latency = inst.params.distribution("storage_write_latency");
    c.max_concurrency = static_cast<uint32_t>(inst.params.integer("max_concurrency"));
    c.slave_threads = static_cast<uint32_t>(inst.params.integer("slave_threads"));
    c.apply_time = inst.params.duration("apply_time");
    c.fc_limit = inst.params.integer("fc_limit");
    c.fc_factor = inst.params.number("fc_factor");
    c.fc_single_primary = inst.params.boolean("fc_single_primary");
    c.writeset_bytes = inst.params.bytes("writeset_size");
    c.gcache_bytes = inst.params.bytes("gcache_size");
    c.transfer_setup = inst.params.duration("state_transfer_setup");
    c.ist_rate = inst.params.rate("ist_rate");
    c.sst_blocks_donor = inst.params.text("sst_method") != "mariabackup";
    c.sst_bandwidth = static_cast<double>(inst.params.bytes("sst_bandwidth"));
    c.dataset_bytes = inst.params.bytes("dataset_size");
    c.volume_claim = inst.params.text("volume_claim");
    auto& cluster = sim.add<GaleraCluster>({inst.path, inst.labels}, c);
    const PodConfig pod = Pod::pod_config(inst);
    for (uint32_t i = 0; i < c.members; ++i) {
      auto& node =
          sim.add<GaleraNode>({inst.path + "/" + inst.path + "-" + std::to_string(i), inst.labels}, pod, cluster, i);
      cluster.adopt_member(node);
    }
    return cluster;
  };
  return k;
}

}  // namespace faultline::models
