#include "sim/core/simulation.hpp"

#include <algorithm>
#include <stdexcept>

namespace faultline::sim {

Simulation::Simulation(uint64_t seed)
    : seed_(seed), backlog_(recorder_), ledger_(recorder_), event_log_(fingerprint_) {
  fingerprint_.mix(seed);
}

Simulation::~Simulation() = default;

void Simulation::adopt(std::unique_ptr<Component> c) {
  if (initialized_) throw std::logic_error("component " + c->path() + " added after initialize()");
  if (c->path().empty()) throw std::logic_error("a component needs a path");
  if (by_path_.count(c->path()) != 0) throw std::logic_error("two components have the path " + c->path());
  c->index_ = static_cast<uint32_t>(components_.size());
  by_path_.emplace(c->path(), c.get());
  path_hashes_.push_back(c->path_hash());
  components_.push_back(std::move(c));
}

Component* Simulation::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

std::vector<Component*> Simulation::components() const {
  std::vector<Component*> out;
  out.reserve(by_path_.size());
  for (const auto& [path, c] : by_path_) out.push_back(c);
  return out;
}

void Simulation::throw_scheduled_in_past(SimTime at, const Component& target) const {
  throw std::logic_error("component " + target.path() + " scheduled an event in the past (" + std::to_string(at.ns()) +
                         " ns < now " + std::to_string(now_ns_) + " ns)");
}

EventId Simulation::call_at(SimTime at, std::function<void()> fn, bool background) {
  if (at.ns() < now_ns_) throw std::logic_error("a callback was scheduled in the past");
  uint32_t slot;
  if (!free_callbacks_.empty()) {
    slot = free_callbacks_.back();
    free_callbacks_.pop_back();
    callbacks_[slot] = std::move(fn);
  } else {
    slot = static_cast<uint32_t>(callbacks_.size());
    callbacks_.push_back(std::move(fn));
  }
  return queue_.push(at.ns(), kCallbackTarget, 0, slot, background);
}

void Simulation::cancel(EventId id) { queue_.cancel(id); }

void Simulation::initialize() {
  if (initialized_) return;
  initialized_ = true;
  for (Component* c : components()) c->initialize();
}

inline void Simulation::dispatch(const EventRecord& e) {
  now_ns_ = e.time_ns;
  ++events_processed_;
  if (e.target == kCallbackTarget) {
    fingerprint_.mix_event(e.time_ns, 0x63616c6c6261636bULL, 0);
    // Move out first: the callback may schedule another one and reuse the slot.
    std::function<void()> fn = std::move(callbacks_[e.arg]);
    callbacks_[e.arg] = nullptr;
    free_callbacks_.push_back(e.arg);
    fn();
    return;
  }
  fingerprint_.mix_event(e.time_ns, path_hashes_[e.target], e.kind());
  components_[e.target]->handle(e.kind(), e.arg);
}

void Simulation::run() {
  initialize();
  stopped_ = false;
  EventRecord e;
  while (!stopped_ && queue_.foreground_pending() > 0 && queue_.pop(e)) dispatch(e);
}

void Simulation::run_until(SimTime until) {
  initialize();
  stopped_ = false;
  EventRecord e;
  while (!stopped_ && queue_.next_time() <= until.ns() && queue_.pop(e)) dispatch(e);
  if (!stopped_ && until.ns() > now_ns_) now_ns_ = until.ns();
}

void Simulation::finish() {
  for (Component* c : components()) c->finish();
}

void Simulation::start_scraping(Duration interval) {
  if (interval <= Duration::zero()) throw std::invalid_argument("the scrape interval must be > 0");
  scrape_interval_ = interval;
  call_at(now(), [this] { scrape_tick(); }, true);
}

// A self-rescheduling background callback: it never keeps run() alive on its own.
void Simulation::scrape_tick() {
  recorder_.scrape(now());
  call_at(now() + scrape_interval_, [this] { scrape_tick(); }, true);
}

void Simulation::final_scrape() {
  const auto& times = recorder_.scrape_times_ns();
  if (scrape_interval_ > Duration::zero() && (times.empty() || times.back() < now_ns_)) recorder_.scrape(now());
}

uint64_t Simulation::held_messages() const {
  uint64_t total = 0;
  for (const auto& c : components_) total += c->held_messages();
  return total;
}

void Simulation::check_conservation() const { ledger_.check_conservation(held_messages()); }

}  // namespace faultline::sim
