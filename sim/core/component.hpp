// Component base (DESIGN §3): a path name, Kubernetes-style labels, typed ports, its own random
// streams, events it schedules for itself, and the faults it reacts to. A model never reaches
// into another model's state: it talks through ports wired by the builder.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event_queue.hpp"
#include "sim/core/port.hpp"
#include "sim/core/time.hpp"
#include "sim/faults/fault.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/random/random_stream.hpp"

namespace faultline::sim {

class Simulation;

/// Who a component is: its path ("rabbitmq/rabbitmq-0") and labels ({app: rabbitmq}).
struct ComponentIdentity {
  std::string path;
  Labels labels;
};

class Component {
 public:
  Component(Simulation& sim, ComponentIdentity identity);
  virtual ~Component();
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  /// The kind name, as scenarios write it ("queue", "consumer").
  [[nodiscard]] virtual std::string_view kind() const = 0;
  [[nodiscard]] const std::string& path() const { return identity_.path; }
  [[nodiscard]] const Labels& labels() const { return identity_.labels; }
  [[nodiscard]] uint32_t index() const { return index_; }
  [[nodiscard]] uint64_t path_hash() const { return path_hash_; }

  /// Called once, in path order, after every component exists and ports are wired. Clients may
  /// send requests here, so a server must answer from the moment it is constructed and wired:
  /// it cannot rely on its own initialize() having run first.
  virtual void initialize() {}
  /// Called when one of this component's events fires.
  virtual void handle(uint16_t event_kind, uint32_t arg);
  /// Called once at the end of the run, in path order.
  virtual void finish() {}
  /// Message copies this component holds now (queued, in service, in an outbox): the
  /// conservation check sums them (DESIGN §3).
  [[nodiscard]] virtual uint64_t held_messages() const { return 0; }

  /// Figures for summary.json under "components" (e.g. a queue's mean wait); null for none.
  [[nodiscard]] virtual nlohmann::ordered_json summary() const { return nullptr; }

  /// A fault aimed at this component starts. The default reports it as unmapped: a component
  /// that ignores a fault kind says so, and the fault is listed with the reason (DESIGN §5).
  virtual FaultOutcome on_fault_start(const Fault& fault);
  /// A fault that started on this component ends (only for faults with an end).
  virtual void on_fault_end(const Fault& fault);

  [[nodiscard]] PortBase* find_port(std::string_view name) const;
  [[nodiscard]] const std::vector<std::unique_ptr<PortBase>>& ports() const { return ports_; }

 protected:
  [[nodiscard]] Simulation& sim() const { return sim_; }
  /// Inline through a pointer to the simulation's clock: it is read several times per event,
  /// and Simulation is incomplete here.
  [[nodiscard]] SimTime now() const { return SimTime::from_ns(*clock_ns_); }
  /// This component's stream for a purpose ("arrivals", "service"): derived from
  /// (scenario seed, path, purpose), created on first use.
  RandomStream& rng(std::string_view purpose);
  /// `background`: housekeeping (periodic ticks, reconnect attempts) that must not keep a run
  /// without a duration alive; such a run ends when only background events are left.
  EventId schedule_in(Duration delay, uint16_t event_kind, uint32_t arg = 0, bool background = false);
  EventId schedule_at(SimTime at, uint16_t event_kind, uint32_t arg = 0, bool background = false);
  void cancel(EventId id);
  /// A lifecycle event for events.jsonl.
  void log_event(std::string_view event, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
  /// Reports that this component is serving again after `fault` (its recovered_s).
  void report_recovered(const Fault& fault);

  template <class T, auto Method>
  InPort<T>& in_port(std::string name) {
    using Self = typename member_class<decltype(Method)>::type;
    auto thunk = [](void* self, const T& v) { (static_cast<Self*>(self)->*Method)(v); };
    return add_port<InPort<T>>(std::move(name), static_cast<Self*>(this), +thunk);
  }
  template <class T>
  OutPort<T>& out_port(std::string name) {
    return add_port<OutPort<T>>(std::move(name));
  }
  template <class Up, class Down, auto Method>
  ClientPort<Up, Down>& client_port(std::string name) {
    using Self = typename member_class<decltype(Method)>::type;
    auto thunk = [](void* self, const Down& v) { (static_cast<Self*>(self)->*Method)(v); };
    return add_port<ClientPort<Up, Down>>(std::move(name), static_cast<Self*>(this), +thunk);
  }
  template <class Q, class A>
  RequestPort<Q, A>& request_port(std::string name) {
    return add_port<RequestPort<Q, A>>(std::move(name));
  }
  template <class Q, class A, auto Method>
  AnswerPort<Q, A>& answer_port(std::string name) {
    using Self = typename member_class<decltype(Method)>::type;
    auto thunk = [](void* self, uint32_t conn, const Q& q) -> A { return (static_cast<Self*>(self)->*Method)(conn, q); };
    return add_port<AnswerPort<Q, A>>(std::move(name), static_cast<Self*>(this), +thunk);
  }

  /// A server port whose requests go to `target` (a helper object of this component, such as
  /// one endpoint among several that share a handler).
  template <class Up, class Down, class Target, auto Method>
  ServerPort<Up, Down>& server_port_for(std::string name, Target* target) {
    auto thunk = [](void* self, uint32_t conn, const Up& v) { (static_cast<Target*>(self)->*Method)(conn, v); };
    return add_port<ServerPort<Up, Down>>(std::move(name), target, +thunk);
  }
  /// An answer port whose questions go to `target` (a helper object, as for server_port_for).
  template <class Q, class A, class Target, auto Method>
  AnswerPort<Q, A>& answer_port_for(std::string name, Target* target) {
    auto thunk = [](void* self, uint32_t conn, const Q& q) -> A { return (static_cast<Target*>(self)->*Method)(conn, q); };
    return add_port<AnswerPort<Q, A>>(std::move(name), target, +thunk);
  }
  template <class Up, class Down, auto Method>
  ServerPort<Up, Down>& server_port(std::string name) {
    using Self = typename member_class<decltype(Method)>::type;
    auto thunk = [](void* self, uint32_t conn, const Up& v) { (static_cast<Self*>(self)->*Method)(conn, v); };
    return add_port<ServerPort<Up, Down>>(std::move(name), static_cast<Self*>(this), +thunk);
  }

 private:
  friend class Simulation;
  template <class M>
  struct member_class;
  template <class C, class R, class... A>
  struct member_class<R (C::*)(A...)> {
    using type = C;
  };
  template <class C, class R, class... A>
  struct member_class<R (C::*)(A...) const> {
    using type = C;
  };
  template <class P, class... A>
  P& add_port(std::string name, A&&... args) {
    check_port_name(name);
    auto p = std::make_unique<P>(*this, std::move(name), std::forward<A>(args)...);
    P& ref = *p;
    ports_.push_back(std::move(p));
    return ref;
  }
  void check_port_name(const std::string& name) const;

  Simulation& sim_;
  const int64_t* clock_ns_;  // the simulation's current time, for now()
  ComponentIdentity identity_;
  uint32_t index_ = 0;
  uint64_t path_hash_ = 0;
  std::vector<std::unique_ptr<PortBase>> ports_;
  std::map<std::string, std::unique_ptr<RandomStream>, std::less<>> streams_;
};

}  // namespace faultline::sim
