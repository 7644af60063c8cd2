#include "sim/importers/k8s_events.hpp"

#include <algorithm>
#include <map>
#include <regex>

namespace faultline::sim::importers {

namespace {

std::string text_at(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  if (v == nullptr) return "";
  return scalar_text(*v).value_or("");
}

bool is_event_item(const Json& item) {
  if (!item.is_object()) return false;
  const std::string kind = text_at(item, {"kind"});
  return kind == "Event" || item.contains("involvedObject") || item.contains("regarding");
}

bool is_dashboard_event(const Json& item) {
  return item.is_object() && item.contains("created_at") && item.contains("reason") && item.contains("kind");
}

// The record id an event of Chaos Mesh is about: the chaos-mesh.org/id annotation, else the
// end of "Successfully apply chaos for ns/pod".
std::string chaos_target(const Json& item, const std::string& message) {
  const std::string ann = text_at(item, {"metadata", "annotations", "chaos-mesh.org/id"});
  if (!ann.empty()) return ann;
  const size_t at = message.rfind(" for ");
  if (at == std::string::npos) return "";
  std::string id = message.substr(at + 5);
  while (!id.empty() && (id.back() == ' ' || id.back() == '.')) id.pop_back();
  return id.find(' ') == std::string::npos ? id : "";
}

K8sEvent read_item(const Document& doc, const std::string& ptr, const Json& item) {
  K8sEvent e;
  e.doc = &doc;
  e.pointer = ptr;
  const char* obj_key = item.contains("involvedObject") ? "involvedObject" : "regarding";
  const Json* obj = find(item, {obj_key});
  if (obj == nullptr || !obj->is_object())
    throw doc.error(ptr, "an event needs \"involvedObject\" (core/v1) or \"regarding\" (events.k8s.io/v1): the object it is about");
  e.object_kind = text_at(*obj, {"kind"});
  e.object_name = text_at(*obj, {"name"});
  e.object_ns = text_at(*obj, {"namespace"});
  e.reason = text_at(item, {"reason"});
  e.message = item.contains("note") ? text_at(item, {"note"}) : text_at(item, {"message"});
  e.type = text_at(item, {"type"});
  // The first time the event happened; an aggregated event also says when it last happened.
  std::optional<int64_t> t;
  for (const char* key : {"eventTime", "firstTimestamp", "deprecatedFirstTimestamp", "lastTimestamp",
                          "deprecatedLastTimestamp"}) {
    const Json* v = find(item, {key});
    if (v == nullptr || v->is_null() || (v->is_string() && v->get<std::string>().empty())) continue;
    t = read_timestamp(*v, doc, pointer_append(ptr, key));
    break;
  }
  if (!t) {
    const Json* c = find(item, {"metadata", "creationTimestamp"});
    if (c == nullptr || c->is_null())
      throw doc.error(ptr, "the event has no time: expected eventTime, firstTimestamp, lastTimestamp or "
                           "metadata.creationTimestamp");
    t = read_timestamp(*c, doc, pointer_append(pointer_append(ptr, "metadata"), "creationTimestamp"));
  }
  e.time_ns = *t;
  for (const char* key : {"count", "deprecatedCount"}) {
    const Json* v = find(item, {key});
    if (v != nullptr && !v->is_null()) e.count = static_cast<int64_t>(read_number(*v, doc, pointer_append(ptr, key), "count"));
  }
  if (const Json* v = find(item, {"series", "count"}); v != nullptr && !v->is_null())
    e.count = static_cast<int64_t>(read_number(*v, doc, ptr + "/series/count", "count"));
  for (const char* key : {"lastTimestamp", "deprecatedLastTimestamp"}) {
    const Json* v = find(item, {key});
    if (v != nullptr && v->is_string() && !v->get<std::string>().empty()) e.last_ns = read_timestamp(*v, doc, pointer_append(ptr, key));
  }
  if (const Json* v = find(item, {"series", "lastObservedTime"}); v != nullptr && v->is_string())
    e.last_ns = read_timestamp(*v, doc, ptr + "/series/lastObservedTime");
  e.target_id = chaos_target(item, e.message);
  return e;
}

}  // namespace

bool is_event_list(const Json& root) {
  if (root.is_array()) return !root.empty() && std::all_of(root.begin(), root.end(), is_dashboard_event);
  if (!root.is_object()) return false;
  if (is_event_item(root)) return true;
  const Json* items = find(root, {"items"});
  if (items == nullptr || !items->is_array()) return false;
  const std::string kind = text_at(root, {"kind"});
  if (kind == "EventList") return true;
  return !items->empty() && std::all_of(items->begin(), items->end(), is_event_item);
}

void read_events(const Document& doc, ImportContext& ctx, EventSet& out) {
  const Json& root = doc.root;
  if (root.is_array()) {
    for (size_t i = 0; i < root.size(); ++i) {
      const std::string ptr = pointer_append("", i);
      const Json& item = root[i];
      K8sEvent e;
      e.doc = &doc;
      e.pointer = ptr;
      e.object_kind = text_at(item, {"kind"});
      e.object_name = text_at(item, {"name"});
      e.object_ns = text_at(item, {"namespace"});
      e.reason = text_at(item, {"reason"});
      e.message = text_at(item, {"message"});
      e.type = text_at(item, {"type"});
      e.time_ns = read_timestamp(item["created_at"], doc, pointer_append(ptr, "created_at"));
      e.target_id = chaos_target(Json::object(), e.message);
      out.add(std::move(e));
    }
    ctx.note_format(doc.file, "Chaos Dashboard /api/events export");
    return;
  }
  if (is_event_item(root)) {
    out.add(read_item(doc, "", root));
    ctx.note_format(doc.file, "Kubernetes event");
    return;
  }
  const Json& items = root["items"];
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string ptr = pointer_append("/items", i);
    if (!is_event_item(items[i])) {
      ctx.unmapped(doc, ptr, "items[" + std::to_string(i) + "]", "not an event in an event list", "ignored");
      continue;
    }
    out.add(read_item(doc, ptr, items[i]));
  }
  ctx.note_format(doc.file, "Kubernetes event list (kubectl get events -o json)");
}

std::string pod_owner_key(const std::string& pod) {
  static const std::regex deployment("(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}");
  std::smatch m;
  if (pod.size() < 256 && std::regex_match(pod, m, deployment)) return m[1].str();
  return pod;
}

std::string pod_of_id(const std::string& id) {
  const size_t a = id.find('/');
  if (a == std::string::npos) return id;
  const size_t b = id.find('/', a + 1);
  return id.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

std::string pod_id(const std::string& id) {
  const size_t a = id.find('/');
  if (a == std::string::npos) return id;
  const size_t b = id.find('/', a + 1);
  return b == std::string::npos ? id : id.substr(0, b);
}

std::string container_of_id(const std::string& id) {
  const size_t a = id.find('/');
  if (a == std::string::npos) return "";
  const size_t b = id.find('/', a + 1);
  return b == std::string::npos ? "" : id.substr(b + 1);
}

void apply_pod_recoveries(ImportContext& ctx, const EventSet& set, std::vector<PendingFault>& faults) {
  (void)ctx;
  // Started events by owner, in time order.
  std::map<std::string, std::vector<size_t>> starts;
  for (size_t i = 0; i < set.events.size(); ++i) {
    const K8sEvent& e = set.events[i];
    if (e.object_kind == "Pod" && e.reason == "Started") starts[pod_owner_key(e.object_name)].push_back(i);
  }
  for (auto& [k, list] : starts)
    std::stable_sort(list.begin(), list.end(),
                     [&](size_t a, size_t b) { return set.events[a].time_ns < set.events[b].time_ns; });
  for (PendingFault& f : faults) {
    if (!f.absolute || f.pods.empty()) continue;
    if (f.kind != "pod-kill" && f.kind != "pod-failure" && f.kind != "container-kill") continue;
    // The kubelet's Killing events of a recorded kill are its consequence, not another kill.
    for (size_t i = 0; i < set.events.size(); ++i) {
      const K8sEvent& e = set.events[i];
      if (e.object_kind == "Pod" && e.reason == "Killing" &&
          std::find(f.pods.begin(), f.pods.end(), e.object_name) != f.pods.end() &&
          e.time_ns >= f.start_ns - 1'000'000'000LL && e.time_ns <= f.end_ns.value_or(f.start_ns) + 60'000'000'000LL)
        set.used[i] = true;
    }
    if (f.recovered_ns) continue;
    const int64_t ref = f.end_ns.value_or(f.start_ns);
    std::optional<int64_t> latest;
    bool all = true;
    std::vector<size_t> taken;
    for (const std::string& pod : f.pods) {
      auto it = starts.find(pod_owner_key(pod));
      std::optional<size_t> hit;
      if (it != starts.end())
        for (size_t idx : it->second)
          if (!set.used[idx] && set.events[idx].time_ns >= ref &&
              std::find(taken.begin(), taken.end(), idx) == taken.end()) {
            hit = idx;
            break;
          }
      if (!hit) {
        all = false;
        break;
      }
      taken.push_back(*hit);
      latest = std::max(latest.value_or(INT64_MIN), set.events[*hit].time_ns);
    }
    if (!all) continue;
    for (size_t idx : taken) set.used[idx] = true;
    f.recovered_ns = latest;
  }
}

std::vector<PodKill> pod_kills(ImportContext& ctx, const EventSet& set, int64_t from_ns, int64_t to_ns) {
  std::vector<PodKill> out;
  std::map<std::string, int64_t> last_kill;  // one kill per pod, whatever its container count
  for (size_t i = 0; i < set.events.size(); ++i) {
    const K8sEvent& e = set.events[i];
    if (e.object_kind != "Pod" || e.reason != "Killing" || set.used[i]) continue;
    if (e.time_ns < from_ns || e.time_ns > to_ns) continue;
    set.used[i] = true;
    std::vector<int64_t> times = {e.time_ns};
    if (e.count > 1 && e.last_ns && *e.last_ns != e.time_ns) {
      times.push_back(*e.last_ns);
      if (e.count > 2)
        ctx.unmapped(*e.doc, e.pointer, "count " + std::to_string(e.count),
                     "the event was aggregated: only its first and last times are known, so " +
                         std::to_string(e.count - 2) + " kills of pod " + e.object_name + " have no time",
                     "fault dropped");
    }
    for (int64_t t : times) {
      auto it = last_kill.find(e.object_name);
      if (it != last_kill.end() && t - it->second < 2'000'000'000LL && t >= it->second) continue;  // same kill
      last_kill[e.object_name] = t;
      std::string reason;
      const std::string id = e.object_ns.empty() ? e.object_name : e.object_ns + "/" + e.object_name;
      const auto path = ctx.map_pod(id, reason);
      if (!path) {
        ctx.unmapped(*e.doc, e.pointer, "pod " + id, reason, "fault dropped");
        continue;
      }
      out.push_back({t, e.object_name, *path, i});
    }
  }
  return out;
}

void report_unused_events(ImportContext& ctx, const EventSet& set) {
  // One entry per (document, object kind): how many events, by reason.
  std::map<std::pair<const Document*, std::string>, std::map<std::string, int>> groups;
  std::map<std::pair<const Document*, std::string>, std::string> first_ptr;
  for (size_t i = 0; i < set.events.size(); ++i) {
    if (set.used[i]) continue;
    const K8sEvent& e = set.events[i];
    const auto key = std::make_pair(e.doc, e.object_kind.empty() ? std::string("(no kind)") : e.object_kind);
    groups[key][e.reason.empty() ? std::string("(no reason)") : e.reason]++;
    first_ptr.emplace(key, e.pointer);
  }
  for (const auto& [key, reasons] : groups) {
    std::string list;
    int total = 0;
    for (const auto& [r, n] : reasons) {
      list += (list.empty() ? "" : ", ") + r + " ×" + std::to_string(n);
      total += n;
    }
    ctx.unmapped(*key.first, first_ptr[key], std::to_string(total) + " events of " + key.second + " objects (" + list + ")",
                 "they record no fault or recovery that faultline replays (only Applied/Recovered/Failed of chaos "
                 "objects, Litmus ChaosInject, and pod Killing/Started are)",
                 "ignored");
  }
}

}  // namespace faultline::sim::importers
