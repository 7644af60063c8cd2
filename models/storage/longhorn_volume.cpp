#include "models/storage/longhorn_volume.hpp"

#include <algorithm>

namespace faultline::models {

namespace {
const char* robustness_name(LonghornVolume::Robustness r) {
  switch (r) {
    case LonghornVolume::Robustness::healthy:
      return "healthy";
    case LonghornVolume::Robustness::degraded:
      return "degraded";
    case LonghornVolume::Robustness::faulted:
      return "faulted";
    case LonghornVolume::Robustness::unknown:
      break;
  }
  return "unknown";
}
constexpr const char* kFaulted = "volume faulted: every replica failed (EIO)";
constexpr const char* kDetached = "volume detached: its engine's instance manager is down (EIO)";
}  // namespace

LonghornVolume::LonghornVolume(VolumeHost& host, uint32_t index, std::string name, uint32_t engine_node,
                               sim::Recorder& recorder)
    : host_(host),
      index_(index),
      name_(std::move(name)),
      engine_node_(engine_node),
      used_bytes_(static_cast<double>(host.config().initial_data)),
      robustness_gauge_(recorder.gauge("longhorn_volume_robustness", {{"volume", name_}, {"pvc", name_}},
                                       "Volume robustness: 0 unknown, 1 healthy, 2 degraded, 3 faulted")),
      state_gauge_(recorder.gauge("longhorn_volume_state", {{"volume", name_}, {"pvc", name_}},
                                  "Volume state: 2 attached, 3 detached")),
      size_gauge_(recorder.gauge("longhorn_volume_actual_size_bytes", {{"volume", name_}, {"pvc", name_}},
                                 "Bytes the volume uses on each replica")),
      latency_gauge_(recorder.gauge("longhorn_volume_write_latency", {{"volume", name_}, {"pvc", name_}},
                                    "Latency of the last completed write, in nanoseconds")),
      iops_gauge_(recorder.gauge("longhorn_volume_write_iops", {{"volume", name_}, {"pvc", name_}},
                                 "Writes per second over the last second")),
      throughput_gauge_(recorder.gauge("longhorn_volume_write_throughput", {{"volume", name_}, {"pvc", name_}},
                                       "Bytes written per second over the last second")) {
  const uint32_t nodes = host.storage_nodes();
  for (uint32_t r = 0; r < host.config().replicas; ++r) {
    Replica rep;
    rep.node = (engine_node_ + r) % nodes;  // replica 0 is local to the engine (R-L3)
    replicas_.push_back(rep);
  }
  robustness_gauge_.set(static_cast<double>(Robustness::healthy));
  state_gauge_.set(2);
  size_gauge_.set(used_bytes_);
}

bool LonghornVolume::engine_up() const { return host_.node_serving(engine_node_) || engine_frozen_; }

bool LonghornVolume::engine_hung() const { return engine_frozen_; }

bool LonghornVolume::any_hung() const {
  return std::any_of(replicas_.begin(), replicas_.end(),
                     [](const Replica& r) { return r.hung && r.mode != Mode::err; });
}

uint32_t LonghornVolume::count(Mode m) const {
  return static_cast<uint32_t>(
      std::count_if(replicas_.begin(), replicas_.end(), [m](const Replica& r) { return r.mode == m; }));
}

const char* LonghornVolume::unwritable_reason() const {
  if (faulted_) return kFaulted;
  if (!engine_up()) return kDetached;
  return nullptr;
}

uint32_t LonghornVolume::add_pending(uint32_t connection, const VolumeRequest& r) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (pending_.size() >= (1u << 20)) throw std::logic_error("volume " + name_ + ": more than 2^20 writes in flight");
    slot = static_cast<uint32_t>(pending_.size());
    pending_.emplace_back();
  }
  pending_[slot] = PendingWrite{connection, r.request_id, r.bytes, host_.now(), true, false, false};
  return slot;
}

void LonghornVolume::write(uint32_t connection, const VolumeRequest& r) {
  if (const char* why = unwritable_reason()) {
    ++failed_writes_;
    host_.answer(connection, VolumeResult{r.request_id, index_, false, why});
    return;
  }
  const auto bytes = static_cast<double>(r.bytes);
  used_bytes_ += bytes;
  tick_bytes_ += bytes;
  ++tick_writes_;
  for (Replica& rep : replicas_)
    if (rep.mode == Mode::err) rep.missed_bytes += r.bytes;
  size_gauge_.set(used_bytes_);
  const uint32_t slot = add_pending(connection, r);
  if (engine_hung() || any_hung()) {
    // A replica that does not answer holds the write until the engine gives up on it (R-L6).
    held_.push_back(slot);
    arm_timeouts();
    return;
  }
  start_write(slot);
}

void LonghornVolume::start_write(uint32_t slot) {
  const LonghornConfig& c = host_.config();
  // R-L2/R-L3: the slowest RW or WO replica path, then the engine's own work.
  sim::Duration slowest = sim::Duration::zero();
  const double stretch = rebuild_.running ? 1.0 + rebuild_.rate / c.disk_bandwidth : 1.0;
  for (uint32_t r = 0; r < replicas_.size(); ++r) {
    const Replica& rep = replicas_[r];
    if (rep.mode == Mode::err) continue;
    sim::Duration disk = host_.disk_latency();
    // The rebuild streams from its source to its target: their disks answer writes later
    // in proportion to the share of the disk bandwidth it takes [DERIVED from R-L11].
    if (rebuild_.running && (r == rebuild_.replica || r == rebuild_.source))
      disk = sim::Duration::from_seconds(disk.seconds() * stretch);
    slowest = std::max(slowest, host_.round_trip(engine_node_, rep.node) + disk);
  }
  pending_[slot].scheduled = true;
  host_.schedule_volume_event(index_, c.engine_overhead + slowest, kWriteDone, slot);
}

void LonghornVolume::finish_write(uint32_t slot, bool ok, const char* error) {
  PendingWrite& w = pending_[slot];
  if (!w.answered) {
    w.answered = true;
    if (ok) {
      ++writes_;
      latency_gauge_.set(static_cast<double>((host_.now() - w.issued).count_ns()));
    } else {
      ++failed_writes_;
    }
    host_.answer(w.connection, VolumeResult{w.request_id, index_, ok, error});
  }
  // A write whose completion event is still pending is freed when the event fires.
  if (w.scheduled) return;
  w.in_use = false;
  free_.push_back(slot);
}

void LonghornVolume::on_event(uint16_t kind, uint32_t sub) {
  switch (kind) {
    case kWriteDone: {
      PendingWrite& w = pending_[sub];
      if (!w.in_use) return;
      w.scheduled = false;
      finish_write(sub, true, "");
      return;
    }
    case kReplicaTimeout: {
      Replica& rep = replicas_.at(sub);
      if (!rep.timeout_pending) return;
      rep.timeout_pending = false;
      if (!rep.hung || rep.mode == Mode::err) return;
      if (rep.mode == Mode::rw && count(Mode::rw) == 1 && !rep.timeout_extended) {
        // R-L6: the last RW replica is given up on after twice the timeout.
        rep.timeout_extended = true;
        rep.timeout_pending = true;
        rep.timeout = host_.schedule_volume_event(index_, host_.config().replica_timeout, kReplicaTimeout, sub);
        return;
      }
      fail_replica(sub, "no answer within the replica timeout");
      release_held();
      return;
    }
    case kRebuildDone:
      if (!rebuild_.running) return;
      rebuild_progress();
      if (rebuild_.remaining > 0.5) {  // the rate fell since this was scheduled
        schedule_rebuild_done();
        return;
      }
      {
        Replica& rep = replicas_[rebuild_.replica];
        rep.mode = Mode::rw;
        rep.missed_bytes = 0;
        rep.salvageable = false;
        rebuild_.running = false;
        ++rebuilds_;
        const double took = (host_.now() - rebuild_.started).seconds();
        rebuild_seconds_ += took;
        host_.log("rebuild-done", {{"volume", name_}, {"replica_node", rep.node}, {"duration_s", took}});
      }
      update_robustness();
      maybe_rebuild();
      return;
    case kReplenish:
      replenish_pending_ = false;
      maybe_rebuild();
      return;
    default:
      return;
  }
}

void LonghornVolume::arm_timeouts() {
  for (uint32_t r = 0; r < replicas_.size(); ++r) {
    Replica& rep = replicas_[r];
    if (!rep.hung || rep.mode == Mode::err || rep.timeout_pending) continue;
    rep.timeout_pending = true;
    rep.timeout_extended = false;
    rep.timeout = host_.schedule_volume_event(index_, host_.config().replica_timeout, kReplicaTimeout, r);
  }
}

void LonghornVolume::release_held() {
  if (held_.empty()) return;
  if (engine_hung() || any_hung()) {
    arm_timeouts();
    return;
  }
  std::deque<uint32_t> held;
  held.swap(held_);
  for (uint32_t slot : held) {
    if (const char* why = unwritable_reason())
      finish_write(slot, false, why);
    else
      start_write(slot);
  }
}

void LonghornVolume::fail_replica(uint32_t r, const char* why) {
  Replica& rep = replicas_[r];
  if (rep.mode == Mode::err) return;
  const bool was_rw = rep.mode == Mode::rw;
  if (rep.timeout_pending) host_.cancel_event(rep.timeout);
  rep.timeout_pending = false;
  rep.hung = false;
  rep.mode = Mode::err;
  rep.failed_at = host_.now();
  rep.missed_bytes = 0;
  host_.log("replica-failed", {{"volume", name_}, {"replica_node", rep.node}, {"reason", why}});
  if (rebuild_.running && rebuild_.replica == r) {
    rebuild_.running = false;
    host_.cancel_event(rebuild_.done);
    host_.log("rebuild-aborted", {{"volume", name_}, {"replica_node", rep.node}, {"reason", why}});
  }
  if (count(Mode::rw) == 0) {
    if (was_rw) rep.salvageable = true;  // the last to fail holds every acknowledged write
    fault();
    return;
  }
  if (rebuild_.running && rebuild_.source == r) {
    for (uint32_t s = 0; s < replicas_.size(); ++s)
      if (replicas_[s].mode == Mode::rw) {
        rebuild_.source = s;
        break;
      }
  }
  update_robustness();
  maybe_rebuild();
}

void LonghornVolume::fault() {
  faulted_ = true;
  data_lost_ = !host_.config().auto_salvage;
  if (rebuild_.running) {
    rebuild_.running = false;
    host_.cancel_event(rebuild_.done);
    Replica& target = replicas_[rebuild_.replica];
    target.mode = Mode::err;  // a WO replica's data is incomplete
    target.failed_at = host_.now();
  }
  host_.log("volume-faulted", {{"volume", name_}, {"data_lost", data_lost_}});
  update_robustness();
  std::deque<uint32_t> held;
  held.swap(held_);
  for (uint32_t slot : held) finish_write(slot, false, kFaulted);
  for (uint32_t slot = 0; slot < pending_.size(); ++slot)
    if (pending_[slot].in_use && !pending_[slot].answered) finish_write(slot, false, kFaulted);
}

void LonghornVolume::update_robustness() {
  Robustness now_r;
  if (faulted_)
    now_r = Robustness::faulted;
  else if (count(Mode::rw) >= host_.config().replicas)
    now_r = Robustness::healthy;
  else
    now_r = Robustness::degraded;
  if (now_r == robustness_) return;
  robustness_ = now_r;
  robustness_gauge_.set(static_cast<double>(now_r));
  if (now_r != Robustness::faulted)
    host_.log(now_r == Robustness::healthy ? "volume-healthy" : "volume-degraded",
              {{"volume", name_}, {"rw_replicas", count(Mode::rw)}});
}

void LonghornVolume::node_stopped(uint32_t node, bool reset) {
  if (node == engine_node_) {
    engine_frozen_ = false;
    state_gauge_.set(3);
    host_.log("volume-detached", {{"volume", name_}, {"engine_node", node}});
    // The engine is gone: every I/O in flight or waiting fails with EIO.
    std::deque<uint32_t> held;
    held.swap(held_);
    for (uint32_t slot : held) finish_write(slot, false, kDetached);
    for (uint32_t slot = 0; slot < pending_.size(); ++slot)
      if (pending_[slot].in_use && !pending_[slot].answered) finish_write(slot, false, kDetached);
  }
  for (uint32_t r = 0; r < replicas_.size(); ++r) {
    Replica& rep = replicas_[r];
    if (rep.node != node || rep.mode == Mode::err) continue;
    if (reset || rep.mode == Mode::wo) {
      // A killed replica process resets its connection: the engine fails it at once. A WO
      // replica's partial copy is never waited for.
      fail_replica(r, reset ? "replica process stopped" : "rebuilding replica's node stopped answering");
    } else {
      rep.hung = true;
    }
  }
  if (!held_.empty()) arm_timeouts();
}

void LonghornVolume::node_frozen(uint32_t node) {
  if (node == engine_node_) engine_frozen_ = true;
  for (Replica& rep : replicas_)
    if (rep.node == node && rep.mode != Mode::err) rep.hung = true;
  if (!held_.empty()) arm_timeouts();
}

void LonghornVolume::node_serving(uint32_t node) {
  if (node == engine_node_) {
    engine_frozen_ = false;
    if (state_gauge_.value() != 2) host_.log("volume-attached", {{"volume", name_}, {"engine_node", node}});
    state_gauge_.set(2);
  }
  for (Replica& rep : replicas_) {
    if (rep.node != node || !rep.hung) continue;
    rep.hung = false;
    if (rep.timeout_pending) host_.cancel_event(rep.timeout);
    rep.timeout_pending = false;
  }
  if (faulted_ && host_.config().auto_salvage) {
    for (uint32_t r = 0; r < replicas_.size(); ++r)
      if (replicas_[r].node == node && replicas_[r].salvageable) {
        salvage(r);
        break;
      }
  }
  release_held();
  maybe_rebuild();
}

void LonghornVolume::salvage(uint32_t r) {
  // R-L12: a replica that held every acknowledged write serves the volume again.
  faulted_ = false;
  Replica& rep = replicas_[r];
  rep.mode = Mode::rw;
  rep.salvageable = false;
  rep.missed_bytes = 0;
  host_.log("volume-salvaged", {{"volume", name_}, {"replica_node", rep.node}});
  update_robustness();
}

double LonghornVolume::rebuild_rate() const {
  const LonghornConfig& c = host_.config();
  // R-L11: disk-bound; client writes are served first and the rebuild gets the rest.
  double rate = c.disk_bandwidth - write_throughput_;
  if (c.rebuild_bandwidth) rate = std::min(rate, *c.rebuild_bandwidth);
  return std::max(rate, 0.01 * c.disk_bandwidth);
}

void LonghornVolume::maybe_rebuild() {
  if (faulted_ || rebuild_.running || !engine_up() || engine_hung()) return;
  if (count(Mode::rw) >= host_.config().replicas) return;
  const LonghornConfig& c = host_.config();
  // R-L8: reuse a failed replica whose node is back...
  for (uint32_t r = 0; r < replicas_.size(); ++r) {
    const Replica& rep = replicas_[r];
    if (rep.mode != Mode::err || !host_.node_serving(rep.node)) continue;
    const double bytes = c.fast_rebuild ? std::min(static_cast<double>(rep.missed_bytes), used_bytes_) : used_bytes_;
    start_rebuild(r, bytes,
                  c.fast_rebuild ? "reused (fast rebuild: data written since it failed)" : "reused (full copy)");
    return;
  }
  // ...else, after the replenishment wait, a new replica on a node without one.
  std::optional<sim::SimTime> next_due;
  for (uint32_t r = 0; r < replicas_.size(); ++r) {
    Replica& rep = replicas_[r];
    if (rep.mode != Mode::err) continue;
    const sim::SimTime due = rep.failed_at + c.replenishment_wait;
    if (due > host_.now()) {
      if (!next_due || due < *next_due) next_due = due;
      continue;
    }
    const uint32_t nodes = host_.storage_nodes();
    for (uint32_t k = 0; k < nodes; ++k) {
      const uint32_t n = (engine_node_ + k) % nodes;
      const bool taken = std::any_of(replicas_.begin(), replicas_.end(), [n](const Replica& o) { return o.node == n; });
      if (taken || !host_.node_serving(n)) continue;
      host_.log("replica-replaced", {{"volume", name_}, {"from_node", rep.node}, {"to_node", n}});
      rep.node = n;
      start_rebuild(r, used_bytes_, "new replica (full copy)");
      return;
    }
  }
  if (next_due && !replenish_pending_) {
    replenish_pending_ = true;
    host_.schedule_volume_event(index_, *next_due - host_.now(), kReplenish, 0);
  }
}

void LonghornVolume::start_rebuild(uint32_t r, double bytes, const char* how) {
  Replica& rep = replicas_[r];
  rep.mode = Mode::wo;  // R-L9: new writes go to it while it is filled
  rep.hung = false;
  rebuild_ = Rebuild{};
  rebuild_.running = true;
  rebuild_.replica = r;
  for (uint32_t s = 0; s < replicas_.size(); ++s)
    if (replicas_[s].mode == Mode::rw) {
      rebuild_.source = s;
      break;
    }
  rebuild_.remaining = bytes;
  rebuild_.bytes = bytes;
  rebuild_.rate = rebuild_rate();
  rebuild_.since = host_.now();
  rebuild_.started = host_.now();
  host_.log("rebuild-started", {{"volume", name_},
                                {"replica_node", rep.node},
                                {"how", how},
                                {"bytes", bytes},
                                {"rate_bytes_per_s", rebuild_.rate}});
  schedule_rebuild_done();
}

void LonghornVolume::rebuild_progress() {
  const double elapsed = (host_.now() - rebuild_.since).seconds();
  rebuild_.remaining = std::max(0.0, rebuild_.remaining - rebuild_.rate * elapsed);
  rebuild_.since = host_.now();
}

void LonghornVolume::schedule_rebuild_done() {
  host_.cancel_event(rebuild_.done);
  rebuild_.done = host_.schedule_volume_event(index_, sim::Duration::from_seconds(rebuild_.remaining / rebuild_.rate),
                                              kRebuildDone, 0);
}

void LonghornVolume::tick(sim::Duration elapsed) {
  const double s = elapsed.seconds();
  if (s <= 0) return;
  write_throughput_ = tick_bytes_ / s;
  throughput_gauge_.set(write_throughput_);
  iops_gauge_.set(static_cast<double>(tick_writes_) / s);
  tick_bytes_ = 0;
  tick_writes_ = 0;
  if (!rebuild_.running) return;
  rebuild_progress();
  const double rate = rebuild_rate();
  if (rate == rebuild_.rate) return;
  rebuild_.rate = rate;
  schedule_rebuild_done();
}

nlohmann::ordered_json LonghornVolume::summary() const {
  return {{"robustness", robustness_name(robustness_)},
          {"writes", writes_},
          {"failed_writes", failed_writes_},
          {"rebuilds", rebuilds_},
          {"rebuild_seconds", rebuild_seconds_},
          {"data_lost", data_lost_}};
}

}  // namespace faultline::models
