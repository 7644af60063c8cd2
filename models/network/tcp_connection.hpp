// A client's TCP connection to a server, as the network makes it behave (domain_models.md §7.2,
// §7.3). It sits between a client model and its ClientPort:
// - up:   what the client sends leaves now and reaches the server after the path's one-way
//         delay (the client holds it meanwhile);
// - down: what the server sends reaches the client after the reverse path's delay (the server
//         already sent it; the client holds it until it arrives).
// Both directions are byte streams: a message never overtakes the one before it.
// While a partition blocks the path, data waits and is sent again at the retransmission
// timeout, doubling each time (R-N10): it arrives at the first retransmission after the path
// opens. The connection fails only when the protocol notices:
// - heartbeat mode (AMQP, R-CA4): both ends exchange heartbeats every timeout/2 and give up
//   after two missed ones, so the connection is declared dead at the first check at least
//   `timeout` after the path was blocked, whether data was waiting or not;
// - data mode (a database client without a read timeout): only a send waiting for `timeout`
//   fails it (TCP retransmissions giving up, R-N10).
// Without a network component every call passes straight through: same calls, same order, no
// events, exactly as the client behaved before the network existed.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "models/network/network_protocol.hpp"
#include "sim/core/component.hpp"

namespace faultline::models {

template <class Up, class Down>
class TcpConnection {
 public:
  enum class Liveness { heartbeat, data };
  struct Hooks {
    std::function<sim::SimTime()> now;
    /// Schedule an owner event after `delay` that calls on_event(arg) (background: a check
    /// that must not keep a run without a duration alive).
    std::function<void(sim::Duration delay, uint32_t arg, bool background)> schedule;
    /// A message from the server arrived.
    std::function<void(const Down&)> deliver;
    /// The connection was declared dead (heartbeats or retransmissions gave up). The owner
    /// settles what was in flight (for_each_up / for_each_down), then close()s it.
    std::function<void()> timed_out;
  };

  TcpConnection(const sim::Component& owner, const NetworkPort& network, sim::ClientPort<Up, Down>& port, Hooks hooks,
                Liveness liveness, sim::Duration timeout)
      : owner_(owner), network_(network), port_(port), hooks_(std::move(hooks)), liveness_(liveness), timeout_(timeout) {}

  /// Whether the network is modelled; if not, send() passes straight to the port and the owner
  /// handles what arrives at once.
  [[nodiscard]] bool modelled() const { return network_.connected(); }
  [[nodiscard]] bool is_open() const { return open_; }
  [[nodiscard]] uint32_t endpoint() const { return endpoint_; }

  /// A new connection to the component `endpoint` (a Component::index()); whatever an earlier
  /// connection had in flight is dropped. Returns whether the path is open both ways now: a
  /// connection attempt across a partition does not complete.
  bool open(uint32_t endpoint) {
    reset();
    endpoint_ = endpoint;
    open_ = true;
    if (liveness_ == Liveness::heartbeat) hooks_.schedule(sim::Duration::ns(timeout_.count_ns() / 2), arg(kProbe), true);
    return peek_path(network_, owner_.index(), endpoint_).reachable &&
           peek_path(network_, endpoint_, owner_.index()).reachable;
  }

  /// Drops everything in flight (the socket is gone). Settle what the dropped messages carried
  /// first, through for_each_up / for_each_down.
  void close() {
    reset();
    open_ = false;
  }

  /// Sends to the server: at once without a network, else after the path's one-way delay.
  void send(const Up& value, uint32_t bytes) {
    if (!modelled()) {
      port_.send(value);
      return;
    }
    up_.push_back(Item<Up>{value, bytes});
    pump(kUp);
  }

  /// A message the server sent now; call from the port handler when modelled() and is_open().
  void receive(const Down& value, uint32_t bytes) {
    down_.push_back(Item<Down>{value, bytes});
    pump(kDown);
  }

  /// The owner's event scheduled through Hooks::schedule.
  void on_event(uint32_t event_arg) {
    if ((event_arg >> 2) != (epoch_ & kEpochMask)) return;  // of a closed connection
    const uint32_t kind = event_arg & 3u;
    if (kind == kProbe) {
      probe();
      return;
    }
    if (kind > kDown) return;
    if (wake_[kind] && *wake_[kind] <= hooks_.now()) wake_[kind].reset();
    pump(kind);
  }

  template <class F>
  void for_each_up(F&& f) const {
    for (const auto& i : up_) f(i.value);
  }
  template <class F>
  void for_each_down(F&& f) const {
    for (const auto& i : down_) f(i.value);
  }

 private:
  static constexpr uint32_t kUp = 0, kDown = 1, kProbe = 2;
  static constexpr uint32_t kEpochMask = 0x3FFFFFFFu;
  template <class T>
  struct Item {
    T value;
    uint32_t bytes = 0;
    bool sent = false;
    sim::SimTime due{};  // arrival, once sent
    std::optional<sim::SimTime> stalled_since = std::nullopt;
    uint32_t attempts = 0;  // sends tried while the path was blocked
    sim::SimTime retry_at{};  // when stalled: the retransmission timer
  };

  [[nodiscard]] uint32_t arg(uint32_t kind) const { return ((epoch_ & kEpochMask) << 2) | kind; }

  void reset() {
    ++epoch_;
    up_.clear();
    down_.clear();
    wake_[kUp].reset();
    wake_[kDown].reset();
  }

  void wake_at(uint32_t dir, sim::SimTime at, sim::SimTime now) {
    if (wake_[dir] && *wake_[dir] > now && *wake_[dir] <= at) return;  // an earlier wake checks again
    wake_[dir] = at;
    hooks_.schedule(at - now, arg(dir), false);
  }

  void pump(uint32_t dir) {
    // A delivery may make the owner send or receive again: the outer pass goes on with it, in
    // order, rather than a nested one.
    if (busy_[dir]) {
      again_[dir] = true;
      return;
    }
    busy_[dir] = true;
    const uint32_t epoch = epoch_;
    do {
      again_[dir] = false;
      const bool alive = dir == kUp ? pass(up_, dir, epoch) : pass(down_, dir, epoch);
      if (!alive) break;
    } while (again_[dir]);
    busy_[dir] = false;
  }

  /// Delivers what is due, sends what waits; false when a delivery closed the connection.
  template <class T>
  bool pass(std::deque<Item<T>>& q, uint32_t dir, uint32_t epoch) {
    const sim::SimTime now = hooks_.now();
    const uint32_t from = dir == kUp ? owner_.index() : endpoint_;
    const uint32_t to = dir == kUp ? endpoint_ : owner_.index();
    for (;;) {
      while (!q.empty() && q.front().sent && q.front().due <= now) {
        T value = std::move(q.front().value);
        q.pop_front();
        if constexpr (std::is_same_v<T, Up>) port_.send(value);
        if constexpr (!std::is_same_v<T, Up>) hooks_.deliver(value);
        if (epoch_ != epoch) return false;
      }
      bool arrived_now = false;
      for (Item<T>& item : q) {
        if (item.sent) continue;
        if (item.stalled_since && now < item.retry_at) {
          wake_at(dir, item.retry_at, now);  // new data does not restart the retransmission timer
          break;
        }
        const PathAnswer a = network_.call(PathQuery{from, to, item.bytes, false, item.attempts});
        if (!a.reachable) {
          // R-N10: TCP keeps the data and retransmits at the RTO, doubling each time.
          if (!item.stalled_since) {
            item.stalled_since = now;
            if (liveness_ == Liveness::data) hooks_.schedule(timeout_, arg(kProbe), false);
          }
          ++item.attempts;
          item.retry_at = now + a.rto;
          wake_at(dir, item.retry_at, now);
          break;
        }
        item.sent = true;
        item.due = now + a.delay;
        arrived_now = arrived_now || a.delay == sim::Duration::zero();
      }
      if (!arrived_now) break;
    }
    if (!q.empty() && q.front().sent) wake_at(dir, q.front().due, now);
    return true;
  }

  void probe() {
    const sim::SimTime now = hooks_.now();
    bool dead = false;
    if (liveness_ == Liveness::heartbeat) {
      // R-CA4: heartbeats every timeout/2; the peer is given up after two missed ones, i.e. at
      // the first check `timeout` after the path was blocked.
      for (const PathAnswer& a :
           {peek_path(network_, owner_.index(), endpoint_), peek_path(network_, endpoint_, owner_.index())})
        if (!a.reachable && now - a.blocked_since >= timeout_) dead = true;
      if (!dead) hooks_.schedule(sim::Duration::ns(timeout_.count_ns() / 2), arg(kProbe), true);
    } else {
      // R-N10: TCP gives up on data unacknowledged for `timeout`.
      for (const auto& i : up_)
        if (!i.sent && i.stalled_since && now - *i.stalled_since >= timeout_) dead = true;
      for (const auto& i : down_)
        if (!i.sent && i.stalled_since && now - *i.stalled_since >= timeout_) dead = true;
    }
    if (dead) hooks_.timed_out();
  }

  const sim::Component& owner_;
  const NetworkPort& network_;
  sim::ClientPort<Up, Down>& port_;
  Hooks hooks_;
  Liveness liveness_;
  sim::Duration timeout_;
  uint32_t endpoint_ = 0;
  bool open_ = false;
  uint32_t epoch_ = 0;
  std::deque<Item<Up>> up_;
  std::deque<Item<Down>> down_;
  std::optional<sim::SimTime> wake_[2];
  bool busy_[2] = {false, false};
  bool again_[2] = {false, false};
};

}  // namespace faultline::models
