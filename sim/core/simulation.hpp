// The simulation: owns the components, the event queue, the recorder, the event log, the
// message ledger and the fingerprint. One run is single-threaded (DESIGN §3); parallelism is
// across runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/component.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/time.hpp"
#include "sim/messages/message_ledger.hpp"
#include "sim/metrics/backlog.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/trace/event_log.hpp"
#include "sim/trace/fingerprint.hpp"

namespace faultline::sim {

class FaultInjector;

class Simulation {
 public:
  explicit Simulation(uint64_t seed);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Creates a component T(sim, identity, args...). Paths are unique.
  template <class T, class... Args>
  T& add(ComponentIdentity identity, Args&&... args) {
    auto c = std::make_unique<T>(*this, std::move(identity), std::forward<Args>(args)...);
    T& ref = *c;
    adopt(std::move(c));
    return ref;
  }
  [[nodiscard]] Component* find(std::string_view path) const;
  /// Every component, ordered by path.
  [[nodiscard]] std::vector<Component*> components() const;
  [[nodiscard]] size_t component_count() const { return components_.size(); }

  [[nodiscard]] SimTime now() const { return SimTime::from_ns(now_ns_); }
  [[nodiscard]] uint64_t seed() const { return seed_; }

  /// Schedules event `kind` for component `target` at time `at` (≥ now). Inline: every message
  /// schedules through it; the error path stays out of line.
  EventId schedule(SimTime at, const Component& target, uint16_t kind, uint32_t arg, bool background = false) {
    if (at.ns() < now_ns_) throw_scheduled_in_past(at, target);
    return queue_.push(at.ns(), target.index(), kind, arg, background);
  }
  /// Schedules a callback: for engine services (scrapes, faults, probes), not per-message work.
  EventId call_at(SimTime at, std::function<void()> fn, bool background = false);
  void cancel(EventId id);

  /// Calls initialize() on every component, in path order. Done once, before running.
  void initialize();
  /// Runs until no foreground event is left, or stop() is called.
  void run();
  /// Runs every event at or before `until` (background ones included), then sets the clock to it.
  void run_until(SimTime until);
  /// Stops the loop after the current event.
  void stop() { stopped_ = true; }
  /// Calls finish() on every component, in path order.
  void finish();

  /// Samples the recorder every `interval` from t = 0, as background events.
  void start_scraping(Duration interval);
  /// A last sample at `now` unless the last scrape already was at now.
  void final_scrape();

  [[nodiscard]] uint64_t events_processed() const { return events_processed_; }
  [[nodiscard]] uint64_t held_messages() const;
  /// The conservation check (DESIGN §3); throws ConservationError.
  void check_conservation() const;

  Recorder& recorder() { return recorder_; }
  [[nodiscard]] const Recorder& recorder() const { return recorder_; }
  BacklogTracker& backlog() { return backlog_; }
  [[nodiscard]] const BacklogTracker& backlog() const { return backlog_; }
  MessageLedger& ledger() { return ledger_; }
  [[nodiscard]] const MessageLedger& ledger() const { return ledger_; }
  EventLog& events() { return event_log_; }
  [[nodiscard]] const EventLog& events() const { return event_log_; }
  Fingerprint& fingerprint() { return fingerprint_; }
  /// The fault injector, if the run has one; components report recoveries through it.
  [[nodiscard]] FaultInjector* faults() const { return faults_; }
  void set_faults(FaultInjector* injector) { faults_ = injector; }

 private:
  friend class Component;  // reads now_ns_ through a pointer, for an inline Component::now()
  static constexpr uint32_t kCallbackTarget = UINT32_MAX;
  [[noreturn]] void throw_scheduled_in_past(SimTime at, const Component& target) const;
  void adopt(std::unique_ptr<Component> c);
  void dispatch(const EventRecord& e);
  void scrape_tick();

  uint64_t seed_;
  int64_t now_ns_ = 0;
  bool stopped_ = false;
  bool initialized_ = false;
  uint64_t events_processed_ = 0;
  EventQueue queue_;
  std::vector<std::unique_ptr<Component>> components_;  // by index
  std::vector<uint64_t> path_hashes_;                    // by index, for the fingerprint
  std::map<std::string, Component*, std::less<>> by_path_;
  std::vector<std::function<void()>> callbacks_;
  std::vector<uint32_t> free_callbacks_;
  Duration scrape_interval_{};

  Fingerprint fingerprint_;
  Recorder recorder_;
  BacklogTracker backlog_;
  MessageLedger ledger_;
  EventLog event_log_;
  FaultInjector* faults_ = nullptr;
};

}  // namespace faultline::sim
