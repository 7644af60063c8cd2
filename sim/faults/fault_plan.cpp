#include "sim/faults/fault_plan.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim {

std::vector<AddressableComponent> addressable_components(const ResolvedScenario& scenario) {
  std::vector<AddressableComponent> out;
  for (const ComponentInstance& inst : scenario.instances) {
    out.push_back({inst.path, inst.kind, inst.labels, false});
    const ComponentEntry* e = scenario.entry(inst.base_name);
    if (e->kind->replication != Replication::self) continue;
    for (int64_t m = 0; m < e->count; ++m)
      out.push_back({inst.path + "/" + inst.path + "-" + std::to_string(m), inst.kind, inst.labels, true});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

std::vector<std::string> select_targets(const std::vector<std::string>& candidates, const std::string& mode,
                                        double value, RandomStream& rng) {
  const size_t n = candidates.size();
  size_t k = 0;
  if (mode == "all") return candidates;
  if (mode == "one") {
    k = std::min<size_t>(1, n);
  } else if (mode == "fixed") {
    k = std::min(n, static_cast<size_t>(value));
  } else if (mode == "fixed-percent") {
    k = static_cast<size_t>(std::ceil(static_cast<double>(n) * value / 100.0));
  } else if (mode == "random-max-percent") {
    // Chaos Mesh draws an integer percentage in [0, value]; 0 selects nothing.
    const auto p = static_cast<double>(rng.uniform_below(static_cast<uint64_t>(value) + 1));
    k = static_cast<size_t>(std::ceil(static_cast<double>(n) * p / 100.0));
  }
  k = std::min(k, n);
  // Partial Fisher–Yates over the path-sorted candidates.
  std::vector<std::string> pool = candidates;
  for (size_t i = 0; i < k; ++i) {
    const size_t j = i + static_cast<size_t>(rng.uniform_below(n - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(k);
  std::sort(pool.begin(), pool.end());
  return pool;
}

namespace {

const std::vector<std::string> kEntryKeys = {"name", "kind", "at", "start", "duration", "end", "target",
                                             "targets", "selector", "mode", "value", "schedule", "params"};
const std::vector<std::string> kModes = {"one", "all", "fixed", "fixed-percent", "random-max-percent"};

Duration duration_at(const Json& obj, const char* key, const Document& doc, const std::string& ptr, bool positive) {
  const std::string p = pointer_append(ptr, key);
  const Json& v = obj[key];
  if (!v.is_string())
    throw doc.error(p, std::string("expected a duration with a unit for \"") + key + "\" (e.g. \"120s\"), got " + v.dump());
  Duration d;
  try {
    d = parse_duration(v.get<std::string>());
  } catch (const std::exception& e) {
    throw doc.error(p, e.what());
  }
  if (d < Duration::zero() || (positive && d == Duration::zero()))
    throw doc.error(p, std::string("expected \"") + key + (positive ? "\" > 0" : "\" ≥ 0") + ", got " + v.dump());
  return d;
}

struct Targeting {
  std::vector<std::string> fixed;  // explicit targets
  bool by_selector = false;
  std::vector<std::string> candidates;  // selector matches
  std::string mode = "one";
  double value = 0;
};

Targeting parse_targeting(const Json& e, const Document& doc, const std::string& ptr,
                          const std::vector<AddressableComponent>& all, const ResolvedScenario& sc) {
  Targeting t;
  const int ways = static_cast<int>(e.contains("target")) + static_cast<int>(e.contains("targets")) +
                   static_cast<int>(e.contains("selector"));
  if (ways != 1) throw doc.error(ptr, "a fault needs exactly one of \"target\", \"targets\" or \"selector\"");
  std::vector<std::string> paths;
  for (const auto& a : all) paths.push_back(a.path);
  auto add_path = [&](const Json& v, const std::string& p) {
    if (!v.is_string()) throw doc.error(p, "expected a component path such as \"rabbitmq/rabbitmq-0\"");
    const std::string s = v.get<std::string>();
    if (std::binary_search(paths.begin(), paths.end(), s)) {
      t.fixed.push_back(s);
      return;
    }
    // A replicated entry's base name stands for all of its instances.
    const ComponentEntry* entry = sc.entry(s);
    if (entry != nullptr && entry->kind->replication == Replication::replicas) {
      for (const auto& inst : sc.instances)
        if (inst.base_name == s) t.fixed.push_back(inst.path);
      return;
    }
    throw doc.error(p, "unknown component \"" + s + "\"" + did_you_mean(s, paths));
  };
  if (e.contains("target")) add_path(e["target"], pointer_append(ptr, "target"));
  if (e.contains("targets")) {
    const std::string p = pointer_append(ptr, "targets");
    if (!e["targets"].is_array() || e["targets"].empty()) throw doc.error(p, "expected a non-empty list of component paths");
    for (size_t i = 0; i < e["targets"].size(); ++i) add_path(e["targets"][i], pointer_append(p, i));
  }
  if (!t.fixed.empty()) {
    std::sort(t.fixed.begin(), t.fixed.end());
    t.fixed.erase(std::unique(t.fixed.begin(), t.fixed.end()), t.fixed.end());
  }
  if (e.contains("mode") || e.contains("value")) {
    if (!e.contains("selector"))
      throw doc.error(pointer_append(ptr, e.contains("mode") ? "mode" : "value"), "\"mode\" and \"value\" go with a \"selector\"");
  }
  if (!e.contains("selector")) return t;
  t.by_selector = true;
  const LabelSelector sel = parse_selector(e["selector"], doc, pointer_append(ptr, "selector"));
  for (const auto& a : all) {
    // A `self` kind is addressed through its members, never as a whole by a selector.
    const ComponentEntry* entry = sc.entry(a.path);
    if (!a.is_member && entry != nullptr && entry->kind->replication == Replication::self) continue;
    if (sel.matches(a.labels)) t.candidates.push_back(a.path);
  }
  if (t.candidates.empty()) throw doc.error(pointer_append(ptr, "selector"), "the selector matches no component");
  if (e.contains("mode")) {
    const std::string mp = pointer_append(ptr, "mode");
    if (!e["mode"].is_string()) throw doc.error(mp, "expected a mode: one, all, fixed, fixed-percent, random-max-percent");
    t.mode = e["mode"].get<std::string>();
    if (std::find(kModes.begin(), kModes.end(), t.mode) == kModes.end())
      throw doc.error(mp, "unknown mode \"" + t.mode + "\"" + did_you_mean(t.mode, kModes) +
                              "; expected one, all, fixed, fixed-percent or random-max-percent");
  }
  if (t.mode == "fixed" || t.mode == "fixed-percent" || t.mode == "random-max-percent") {
    const std::string vp = pointer_append(ptr, "value");
    if (!e.contains("value")) throw doc.error(ptr, "mode " + t.mode + " needs a \"value\"");
    const Json& v = e["value"];
    double d = -1;
    if (v.is_number()) d = v.get<double>();
    if (v.is_string()) {
      try {
        d = std::stod(v.get<std::string>());
      } catch (const std::exception&) {
        d = -1;
      }
    }
    const bool percent = t.mode != "fixed";
    if (d <= 0 || d != std::floor(d) || (percent && d > 100))
      throw doc.error(vp, percent ? "expected a whole percentage in (0, 100], got " + v.dump()
                                  : "expected a whole number of targets > 0, got " + v.dump());
    t.value = d;
  }
  return t;
}

}  // namespace

std::vector<Fault> plan_faults(const ResolvedScenario& sc) {
  return plan_fault_entries(sc, sc.fault_entries, sc.faults_pointer);
}

std::vector<Fault> plan_fault_entries(const ResolvedScenario& sc, const Json& entries,
                                      const std::string& entries_pointer) {
  const Document& doc = sc.doc;
  const std::vector<AddressableComponent> all = addressable_components(sc);
  struct Planned {
    Fault fault;
    size_t order;
  };
  std::vector<Planned> planned;
  size_t order = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string ptr = pointer_append(entries_pointer, i);
    const Json& e = entries[i];
    if (!e.is_object()) throw doc.error(ptr, "expected a fault object with kind, a time and targets");
    for (const auto& [k, v] : e.items())
      if (std::find(kEntryKeys.begin(), kEntryKeys.end(), k) == kEntryKeys.end())
        throw doc.error(pointer_append(ptr, k), "unknown key \"" + k + "\" in a fault" + did_you_mean(k, kEntryKeys));
    if (!e.contains("kind") || !e["kind"].is_string()) throw doc.error(ptr, "missing required field \"kind\" of the fault");
    const std::string kind = e["kind"].get<std::string>();
    const FaultKindInfo* info = find_fault_kind(kind);
    if (info == nullptr) {
      std::string list;
      for (const auto& n : fault_kind_names()) list += (list.empty() ? "" : ", ") + n;
      throw doc.error(pointer_append(ptr, "kind"), "unknown fault kind \"" + kind + "\"" +
                                                       did_you_mean(kind, fault_kind_names()) + "; the kinds are: " + list);
    }
    std::string name;
    if (e.contains("name")) {
      if (!e["name"].is_string()) throw doc.error(pointer_append(ptr, "name"), "expected a string");
      name = e["name"].get<std::string>();
    }
    const Json params = normalize_params(info->params, e.contains("params") ? e["params"] : Json::object(), doc,
                                         pointer_append(ptr, "params"), {});
    // Duration or end.
    if (e.contains("duration") && e.contains("end")) throw doc.error(ptr, "give \"duration\" or \"end\", not both");
    std::optional<Duration> duration;
    std::optional<Duration> end_at;
    if (e.contains("duration")) duration = duration_at(e, "duration", doc, ptr, true);
    if (e.contains("end")) end_at = duration_at(e, "end", doc, ptr, false);
    if (info->one_shot && (duration || end_at))
      throw doc.error(pointer_append(ptr, duration ? "duration" : "end"),
                      kind + " is a one-shot action: it has no duration or end");
    if (info->needs_duration && !duration && !end_at)
      throw doc.error(ptr, kind + " needs a \"duration\" (Chaos Mesh requires one for pod-failure)");

    // Times: fixed, or a schedule.
    std::vector<Duration> starts;
    const bool fixed_time = e.contains("at") || e.contains("start");
    if (e.contains("at") && e.contains("start")) throw doc.error(ptr, "give \"at\" or \"start\", not both");
    if (fixed_time == e.contains("schedule"))
      throw doc.error(ptr, "a fault needs either a time (\"at\") or a \"schedule\"");
    const std::string stream_name = "faults/" + (name.empty() ? std::to_string(i) : name);
    if (fixed_time) {
      starts.push_back(duration_at(e, e.contains("at") ? "at" : "start", doc, ptr, false));
    } else {
      if (end_at) throw doc.error(pointer_append(ptr, "end"), "a scheduled fault takes a \"duration\", not an \"end\"");
      const std::string sp = pointer_append(ptr, "schedule");
      const Json& s = e["schedule"];
      if (!s.is_object() || !s.contains("every"))
        throw doc.error(sp, "expected {every: 30s or {min: 30s, max: 60s}, from: 0s, for: 5m}");
      for (const auto& [k, v] : s.items())
        if (k != "every" && k != "from" && k != "for" && k != "until")
          throw doc.error(pointer_append(sp, k), "unknown key \"" + k + "\" in a schedule" +
                                                     did_you_mean(k, {"every", "from", "for", "until"}));
      Duration lo, hi;
      if (s["every"].is_object()) {
        const std::string ep = pointer_append(sp, "every");
        if (!s["every"].contains("min") || !s["every"].contains("max")) throw doc.error(ep, "expected {min: 30s, max: 60s}");
        lo = duration_at(s["every"], "min", doc, ep, true);
        hi = duration_at(s["every"], "max", doc, ep, true);
        if (hi < lo) throw doc.error(ep, "expected min ≤ max");
      } else {
        lo = hi = duration_at(s, "every", doc, sp, true);
      }
      const Duration from = s.contains("from") ? duration_at(s, "from", doc, sp, false) : Duration::zero();
      if (s.contains("for") == s.contains("until")) throw doc.error(sp, "a schedule needs \"for\" or \"until\" (one of them)");
      const Duration stop = s.contains("for") ? from + duration_at(s, "for", doc, sp, true) : duration_at(s, "until", doc, sp, true);
      if (stop <= from) throw doc.error(sp, "the schedule's window is empty");
      // Like Litmus pod-delete: act, wait an interval, until the window closes.
      RandomStream rng = RandomStream::derive(sc.seed, stream_name, "schedule");
      for (Duration t = from; t < stop;) {
        starts.push_back(t);
        if (starts.size() > 100000) throw doc.error(sp, "the schedule produces more than 100000 faults");
        const double gap = lo.seconds() + (hi - lo).seconds() * (lo == hi ? 0.0 : rng.uniform01());
        t += Duration::from_seconds(gap);
      }
    }
    const Targeting targeting = parse_targeting(e, doc, ptr, all, sc);
    RandomStream target_rng = RandomStream::derive(sc.seed, stream_name, "targets");
    for (const Duration& st : starts) {
      Fault f;
      f.kind = kind;
      f.start = SimTime::at(st);
      if (duration) f.end = f.start + *duration;
      if (end_at) {
        if (*end_at < st) throw doc.error(pointer_append(ptr, "end"), "the fault ends before it starts");
        f.end = SimTime::at(*end_at);
      }
      f.targets = targeting.by_selector ? select_targets(targeting.candidates, targeting.mode, targeting.value, target_rng)
                                        : targeting.fixed;
      f.params = params;
      f.source = {{"file", doc.file}, {"at", ptr}};
      if (!name.empty()) f.source["name"] = name;
      planned.push_back({std::move(f), order++});
    }
  }
  std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return a.fault.start < b.fault.start || (a.fault.start == b.fault.start && a.order < b.order);
  });
  std::vector<Fault> out;
  for (auto& p : planned) {
    p.fault.id = static_cast<uint32_t>(out.size());
    out.push_back(std::move(p.fault));
  }
  return out;
}

}  // namespace faultline::sim
