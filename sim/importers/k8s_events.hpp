// Kubernetes events as a run records them (chaos_formats.md §1.9, §2.4): `kubectl get events -o
// json` (core/v1 and events.k8s.io/v1 shapes) and the Chaos Dashboard's /api/events export,
// read into one list. Chaos Mesh and Litmus read the events of their objects from it; pod
// events (Killing, Started) give kill times and when a pod was serving again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

struct K8sEvent {
  const Document* doc = nullptr;
  std::string pointer;
  std::string object_kind, object_name, object_ns;  // involvedObject / regarding
  std::string reason, message, type;
  std::string target_id;  // Chaos Mesh: the record id the event is about ("ns/pod[/container]")
  int64_t time_ns = 0;    // eventTime, else firstTimestamp, else lastTimestamp, else creation
  std::optional<int64_t> last_ns;  // lastTimestamp of an aggregated event (count > 1)
  int64_t count = 1;
};

struct EventSet {
  std::vector<K8sEvent> events;  // in file order
  mutable std::vector<bool> used;  // set by the importer that turned an event into a fault

  [[nodiscard]] bool empty() const { return events.empty(); }
  void add(K8sEvent e) {
    events.push_back(std::move(e));
    used.push_back(false);
  }
};

/// Whether a document is an event list: {"kind": "List"|"EventList", "items": [events]}, one
/// Event, or the dashboard's array of {object_id, created_at, reason, …}.
bool is_event_list(const Json& root);
/// Reads the events of a list or dashboard export into `out`; malformed events throw.
void read_events(const Document& doc, ImportContext& ctx, EventSet& out);

/// A pod's owner: a StatefulSet pod keeps its name; a Deployment's pod loses its last two
/// hash segments, so a replacement pod is recognised as serving again for the killed one.
std::string pod_owner_key(const std::string& pod);
/// The pod name of a record id "ns/pod" or "ns/pod/container".
std::string pod_of_id(const std::string& id);
std::string container_of_id(const std::string& id);
/// "ns/pod" of a record id (the container dropped): what --map keys may name.
std::string pod_id(const std::string& id);

/// Sets recovered_ns of recorded pod faults from the pods' `Started` events: the first start of
/// the same pod (or of a replacement with the same owner) after the fault's end (or its start
/// for one-shot kills). Marks those events used.
void apply_pod_recoveries(ImportContext& ctx, const EventSet& events, std::vector<PendingFault>& faults);

/// Pod `Killing` events that no chaos tool record explains become pod-kill faults (used when a
/// record holds only pod events, or with Litmus, whose kill times live only there). Events in
/// [from, to] are taken; `accept` filters by component path.
struct PodKill {
  int64_t time_ns;
  std::string pod;
  std::string path;  // mapped component
  size_t event;      // index in the set
};
std::vector<PodKill> pod_kills(ImportContext& ctx, const EventSet& events, int64_t from_ns, int64_t to_ns);

/// Reports the events that no importer used, grouped by kind and reason.
void report_unused_events(ImportContext& ctx, const EventSet& events);

}  // namespace faultline::sim::importers
