#include "sim/core/component.hpp"

#include <stdexcept>

#include "sim/core/simulation.hpp"
#include "sim/faults/fault_injector.hpp"

namespace faultline::sim {

Component::Component(Simulation& sim, ComponentIdentity identity)
    : sim_(sim), clock_ns_(&sim.now_ns_), identity_(std::move(identity)), path_hash_(stable_hash(identity_.path)) {}

Component::~Component() = default;

void Component::handle(uint16_t event_kind, uint32_t) {
  throw std::logic_error("component " + path() + " (" + std::string(kind()) + ") got event kind " +
                         std::to_string(event_kind) + " but handles none");
}

FaultOutcome Component::on_fault_start(const Fault& fault) {
  return FaultOutcome::unmapped("a " + std::string(kind()) + " component does not react to " + fault.kind);
}

void Component::on_fault_end(const Fault&) {}

PortBase* Component::find_port(std::string_view name) const {
  for (const auto& p : ports_)
    if (p->name() == name) return p.get();
  return nullptr;
}

void Component::check_port_name(const std::string& name) const {
  if (name.empty()) throw std::logic_error("component " + path() + ": a port needs a name");
  if (find_port(name) != nullptr) throw std::logic_error("component " + path() + " declares port " + name + " twice");
}

RandomStream& Component::rng(std::string_view purpose) {
  auto it = streams_.find(purpose);
  if (it == streams_.end())
    it = streams_
             .emplace(std::string(purpose),
                      std::make_unique<RandomStream>(RandomStream::derive(sim_.seed(), path(), purpose)))
             .first;
  return *it->second;
}

EventId Component::schedule_in(Duration delay, uint16_t event_kind, uint32_t arg, bool background) {
  return sim_.schedule(sim_.now() + delay, *this, event_kind, arg, background);
}

EventId Component::schedule_at(SimTime at, uint16_t event_kind, uint32_t arg, bool background) {
  return sim_.schedule(at, *this, event_kind, arg, background);
}

void Component::cancel(EventId id) { sim_.cancel(id); }

void Component::log_event(std::string_view event, const nlohmann::ordered_json& fields) {
  sim_.events().record(sim_.now(), path(), event, fields);
}

void Component::report_recovered(const Fault& fault) {
  if (sim_.faults() != nullptr) sim_.faults()->target_recovered(fault, path(), sim_.now());
}

}  // namespace faultline::sim
