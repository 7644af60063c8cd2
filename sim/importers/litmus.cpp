#include "sim/importers/litmus.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "sim/faults/fault_kinds.hpp"
#include "sim/importers/probes.hpp"

namespace faultline::sim::importers {

namespace {

constexpr size_t kMaxKills = 100000;

std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// What an experiment maps to, with the defaults of its ChaosExperiment in litmuschaos/chaos-charts
// (faults/kubernetes/<name>/fault.yaml): a real cluster installs those, so they apply when the
// engine does not set a variable and no ChaosExperiment is given.
struct ExperimentInfo {
  std::string fault_kind;  // empty: no model
  bool loop = false;       // repeated one-shot kills (pod-delete, container-kill)
  std::map<std::string, std::string> defaults;
  std::string reason;      // why it is unmapped
};

// Node-level experiments: the pods a node holds are the network model's placement, which the
// importer does not resolve, so these are listed with what to write instead.
const char* const kNodeStops =
    "stops a Kubernetes node: the importer does not resolve which pods the node holds; write a node-down fault on "
    "those pods instead";
const char* const kNodeEvicts =
    "evicts a Kubernetes node's pods: the importer does not resolve which pods the node holds; write pod-kill faults "
    "on those pods instead";
const char* const kNodeStress =
    "stresses a whole Kubernetes node: the models feel CPU stress only inside a pod (stress-cpu on its pods)";

const std::map<std::string, ExperimentInfo>& experiments() {
  static const std::map<std::string, ExperimentInfo> m = {
      {"pod-delete",
       {"pod-kill", true,
        {{"TOTAL_CHAOS_DURATION", "15"}, {"CHAOS_INTERVAL", "5"}, {"FORCE", "true"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RANDOMNESS", "false"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""},
         {"STATUS_CHECK_DELAY", "2"}},
        ""}},
      {"container-kill",
       {"container-kill", true,
        {{"TOTAL_CHAOS_DURATION", "20"}, {"CHAOS_INTERVAL", "10"}, {"PODS_AFFECTED_PERC", ""}, {"SEQUENCE", "parallel"},
         {"RANDOMNESS", "false"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}, {"TARGET_CONTAINER", ""},
         {"STATUS_CHECK_DELAY", "2"}},
        ""}},
      {"pod-cpu-hog",
       {"stress-cpu", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"CPU_CORES", "1"}, {"CPU_LOAD", "100"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}},
        ""}},
      {"pod-memory-hog",
       {"stress-memory", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"MEMORY_CONSUMPTION", "500"}, {"NUMBER_OF_WORKERS", "1"},
         {"PODS_AFFECTED_PERC", ""}, {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}},
        ""}},
      {"pod-network-latency",
       {"network-delay", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"NETWORK_LATENCY", "2000"}, {"JITTER", "0"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}, {"DESTINATION_IPS", ""},
         {"DESTINATION_HOSTS", ""}},
        ""}},
      {"pod-network-loss",
       {"network-loss", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"NETWORK_PACKET_LOSS_PERCENTAGE", "100"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}, {"DESTINATION_IPS", ""},
         {"DESTINATION_HOSTS", ""}},
        ""}},
      {"pod-network-corruption",
       {"network-corrupt", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"NETWORK_PACKET_CORRUPTION_PERCENTAGE", "100"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}, {"DESTINATION_IPS", ""},
         {"DESTINATION_HOSTS", ""}},
        ""}},
      {"pod-network-duplication",
       {"network-duplicate", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"NETWORK_PACKET_DUPLICATION_PERCENTAGE", "100"}, {"PODS_AFFECTED_PERC", ""},
         {"SEQUENCE", "parallel"}, {"RAMP_TIME", ""}, {"TARGET_PODS", ""}, {"DESTINATION_IPS", ""},
         {"DESTINATION_HOSTS", ""}},
        ""}},
      {"pod-network-partition",
       {"network-partition", false,
        {{"TOTAL_CHAOS_DURATION", "60"}, {"RAMP_TIME", ""}, {"PODS_AFFECTED_PERC", ""}, {"SEQUENCE", "parallel"},
         {"TARGET_PODS", ""}, {"DESTINATION_IPS", ""}, {"DESTINATION_HOSTS", ""}},
        ""}},
      {"disk-fill", {"", false, {}, "filling a pod's ephemeral storage has no model (no disk capacity in the scenario)"}},
      {"pod-io-stress", {"", false, {}, "filesystem I/O stress has no model; IOChaos latency maps to io-latency"}},
      {"pod-dns-error", {"", false, {}, "the scenario resolves no names: DNS faults have no model"}},
      {"pod-dns-spoof", {"", false, {}, "the scenario resolves no names: DNS faults have no model"}},
      {"pod-autoscaler", {"", false, {}, "scaling a workload is a scenario change (components.<name>.count), not a fault"}},
      {"node-drain", {"", false, {}, kNodeEvicts}},
      {"node-taint", {"", false, {}, kNodeEvicts}},
      {"node-restart", {"", false, {}, kNodeStops}},
      {"node-poweroff", {"", false, {}, kNodeStops}},
      {"node-cpu-hog", {"", false, {}, kNodeStress}},
      {"node-memory-hog", {"", false, {}, kNodeStress}},
      {"node-io-stress", {"", false, {}, kNodeStress}},
      {"kubelet-service-kill", {"", false, {}, kNodeStops}},
      {"docker-service-kill", {"", false, {}, kNodeStops}},
  };
  return m;
}

struct EnvValue {
  std::string value;
  const Document* doc = nullptr;
  std::string pointer;
};
using Env = std::map<std::string, EnvValue>;

void read_env(const Json* env, const Document& doc, const std::string& ptr, Env& out) {
  if (env == nullptr || env->is_null()) return;
  if (!env->is_array()) throw doc.error(ptr, "expected env: [{name, value}, ...]");
  for (size_t i = 0; i < env->size(); ++i) {
    const std::string p = pointer_append(ptr, i);
    const Json& e = (*env)[i];
    if (!e.is_object() || !e.contains("name")) throw doc.error(p, "expected {name: VARIABLE, value: \"...\"}");
    const std::string name = text(e, {"name"});
    const Json* v = find(e, {"value"});
    out[name] = {v == nullptr || v->is_null() ? "" : scalar_text(*v).value_or(""), &doc, pointer_append(p, "value")};
  }
}

class LitmusImporter {
 public:
  LitmusImporter(ImportContext& ctx, const EventSet& events) : ctx_(ctx), events_(events) {}

  void run(const std::vector<LitmusObject>& objects) {
    for (const LitmusObject& o : objects)
      if (o.kind == "ChaosExperiment") {
        ctx_.note_format(o.doc->file, "litmus ChaosExperiment " + o.name);
        const std::string name = text(*o.object, {"metadata", "name"});
        Env env;
        read_env(find(*o.object, {"spec", "definition", "env"}), *o.doc, o.pointer + "/spec/definition/env", env);
        cr_defaults_[name] = env;
        cr_docs_[name] = &o;
      }
    for (const LitmusObject& o : objects)
      if (o.kind == "ChaosResult") result(o);
    for (const LitmusObject& o : objects) {
      if (o.kind == "ChaosEngine") engine(o);
      else if (o.kind != "ChaosExperiment" && o.kind != "ChaosResult") {
        ctx_.note_format(o.doc->file, "litmus " + o.kind);
        ctx_.unmapped(*o.doc, o.pointer, o.kind + " " + o.name,
                      o.kind == "ChaosSchedule" ? "a ChaosSchedule repeats engines by cron: import the ChaosEngine it embeds"
                                                : "not an experiment definition or a record of one",
                      "file skipped");
      }
    }
    // A ChaosExperiment given without an engine only declares defaults.
    for (const auto& [name, o] : cr_docs_)
      if (!used_crs_.count(name))
        ctx_.unmapped(*o->doc, o->pointer, "ChaosExperiment " + name,
                      "a ChaosExperiment declares an experiment and its defaults; it runs only through a ChaosEngine: "
                      "give it with the engine",
                      "file skipped");
    record_engines_without_definition();
  }

 private:
  ImportContext& ctx_;
  const EventSet& events_;
  std::map<std::string, Env> cr_defaults_;
  std::map<std::string, const LitmusObject*> cr_docs_;
  std::set<std::string> used_crs_;
  std::set<std::string> replayed_engines_;
  struct Result {
    const LitmusObject* obj;
    std::string engine, experiment;
    std::vector<std::string> target_names;  // workloads or pods the result names
  };
  std::vector<Result> results_;

  void result(const LitmusObject& o) {
    ctx_.note_format(o.doc->file, "litmus ChaosResult");
    const Json& r = *o.object;
    Result res{&o, text(r, {"spec", "engine"}), text(r, {"spec", "experiment"}), {}};
    std::string targets;
    if (const Json* t = find(r, {"status", "history", "targets"}); t != nullptr) {
      // The list, or one target (a describe output with a single entry).
      const Json list = t->is_array() ? *t : Json::array({*t});
      for (const Json& x : list) {
        const std::string n = text(x, {"name"});
        if (n.empty()) continue;
        res.target_names.push_back(n);
        targets += (targets.empty() ? "" : ", ") + text(x, {"kind"}) + " " + n + " (" + text(x, {"chaosStatus"}) + ")";
      }
    }
    const std::string verdict = text(r, {"status", "experimentStatus", "verdict"});
    const std::string phase = text(r, {"status", "experimentStatus", "phase"});
    const std::string probe = text(r, {"status", "experimentStatus", "probeSuccessPercentage"});
    ctx_.unmapped(*o.doc, o.pointer, "ChaosResult " + o.name,
                  "it records the outcome (verdict " + (verdict.empty() ? "?" : verdict) + ", phase " +
                      (phase.empty() ? "?" : phase) + ", probe success " + (probe.empty() ? "?" : probe) + " %" +
                      (targets.empty() ? "" : ", targets " + targets) +
                      ") but not when pods were deleted: the kill times come from the pods' events (kubectl get events "
                      "-o json), which are replayed for this engine when given",
                  "assumed");
    results_.push_back(std::move(res));
  }

  // ---- Targets.
  struct Selection {
    std::vector<std::string> candidates;  // path order
    bool explicit_pods = false;
  };

  std::optional<Selection> select(const LitmusObject& o, const Env& env) {
    const Document& doc = *o.doc;
    const Json& spec = (*o.object)["spec"];
    const std::string sp = pointer_append(o.pointer, "spec");
    Selection sel;
    if (auto it = env.find("TARGET_PODS"); it != env.end() && !it->second.value.empty()) {
      sel.explicit_pods = true;
      std::string item;
      for (char c : it->second.value + ",") {
        if (c != ',') {
          if (c != ' ') item += c;
          continue;
        }
        if (item.empty()) continue;
        std::string reason;
        if (auto p = ctx_.map_pod(item, reason))
          sel.candidates.push_back(*p);
        else
          ctx_.unmapped(*it->second.doc, it->second.pointer, "TARGET_PODS " + item, reason, "target dropped");
        item.clear();
      }
    } else if (const Json* pods = find(spec, {"selectors", "pods"}); pods != nullptr && pods->is_array()) {
      sel.explicit_pods = true;
      for (size_t i = 0; i < pods->size(); ++i) {
        const std::string names = text((*pods)[i], {"names"});
        std::string item;
        for (char c : names + ",") {
          if (c != ',') {
            if (c != ' ') item += c;
            continue;
          }
          if (item.empty()) continue;
          std::string reason;
          if (auto p = ctx_.map_pod(item, reason))
            sel.candidates.push_back(*p);
          else
            ctx_.unmapped(doc, sp + "/selectors/pods/" + std::to_string(i), "pod " + item, reason, "target dropped");
          item.clear();
        }
      }
    } else if (const Json* w = find(spec, {"selectors", "workloads"}); w != nullptr && w->is_array()) {
      for (size_t i = 0; i < w->size(); ++i) {
        const std::string wp = sp + "/selectors/workloads/" + std::to_string(i);
        const std::string labels = text((*w)[i], {"labels"});
        const std::string names = text((*w)[i], {"names"});
        if (!labels.empty()) {
          for (const auto& p : ctx_.select(parse_label_string(labels, doc, pointer_append(wp, "labels"))))
            sel.candidates.push_back(p);
        }
        std::string item;
        for (char c : names + ",") {
          if (c != ',') {
            if (c != ' ') item += c;
            continue;
          }
          if (item.empty()) continue;
          bool found = false;
          for (const auto& a : ctx_.components())
            if (a.path == item || a.path.rfind(item + "/", 0) == 0) {
              const ComponentEntry* e = ctx_.scenario().entry(a.path);
              if (e != nullptr && e->kind->replication == Replication::self) continue;
              sel.candidates.push_back(a.path);
              found = true;
            }
          if (!found)
            ctx_.unmapped(doc, pointer_append(wp, "names"), "workload " + item,
                          "no component of scenario " + ctx_.scenario().name + " is named " + item, "target dropped");
          item.clear();
        }
      }
    } else {
      const std::string label = text(spec, {"appinfo", "applabel"});
      if (label.empty()) {
        ctx_.unmapped(doc, sp + "/appinfo/applabel", "appinfo.applabel",
                      "no application is selected (applabel is empty and TARGET_PODS is not set): Litmus would stop "
                      "with an error",
                      "fault dropped");
        return std::nullopt;
      }
      const LabelSelector ls = parse_label_string(label, doc, sp + "/appinfo/applabel");
      sel.candidates = ctx_.select(ls);
      if (sel.candidates.empty()) {
        ctx_.unmapped(doc, sp + "/appinfo/applabel", "appinfo.applabel " + label,
                      "the label matches no component; " + ctx_.labels_overview(), "fault dropped");
        return std::nullopt;
      }
      if (!text(spec, {"appinfo", "appns"}).empty())
        ctx_.unmapped(doc, sp + "/appinfo/appns", "appinfo.appns",
                      "the scenario has no namespaces: components are matched by their labels only", "field ignored");
    }
    std::sort(sel.candidates.begin(), sel.candidates.end());
    sel.candidates.erase(std::unique(sel.candidates.begin(), sel.candidates.end()), sel.candidates.end());
    if (sel.candidates.empty()) {
      ctx_.unmapped(doc, sp, "targets", "no target pod maps to a component", "fault dropped");
      return std::nullopt;
    }
    return sel;
  }

  // PODS_AFFECTED_PERC: n = max(1, floor(min(perc,100)·N/100)) pods, a contiguous run from a random
  // index of the pod list, wrapping around (litmus-go pod-delete lib).
  static std::vector<std::string> affected(const Selection& sel, double perc, RandomStream& rng) {
    if (sel.explicit_pods) return sel.candidates;
    const size_t n_all = sel.candidates.size();
    const auto n = std::max<size_t>(1, static_cast<size_t>(std::floor(std::min(perc, 100.0) * static_cast<double>(n_all) / 100.0)));
    const auto start = static_cast<size_t>(rng.uniform_below(n_all));
    std::vector<std::string> out;
    for (size_t i = 0; i < std::min(n, n_all); ++i) out.push_back(sel.candidates[(start + i) % n_all]);
    std::sort(out.begin(), out.end());
    return out;
  }

  double env_number(const Env& env, const std::string& name, double fallback) {
    auto it = env.find(name);
    if (it == env.end() || it->second.value.empty()) return fallback;
    return read_number(Json(it->second.value), *it->second.doc, it->second.pointer, name);
  }
  std::string env_text(const Env& env, const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? "" : it->second.value;
  }

  void engine(const LitmusObject& o) {
    const Document& doc = *o.doc;
    const Json& obj = *o.object;
    const Json* spec = find(obj, {"spec"});
    if (spec == nullptr || !spec->is_object()) throw doc.error(o.pointer, "a ChaosEngine needs a \"spec\" object");
    const std::string sp = pointer_append(o.pointer, "spec");
    ctx_.note_format(doc.file, "litmus ChaosEngine");
    if (text(*spec, {"engineState"}) == "stop") {
      ctx_.unmapped(doc, sp + "/engineState", "engineState stop", "the engine is stopped: Litmus runs nothing",
                    "fault dropped");
      return;
    }
    const Json* list = find(*spec, {"experiments"});
    if (list == nullptr || !list->is_array() || list->empty())
      throw doc.error(sp, "a ChaosEngine needs \"experiments\": [{name: pod-delete, spec: {...}}]");
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string ep = pointer_append(sp + "/experiments", i);
      const Json& e = (*list)[i];
      const std::string name = text(e, {"name"});
      if (name.empty()) throw doc.error(ep, "an experiment needs a \"name\"");
      // promProbe / httpProbe → the run's hypothesis (sim/importers/probes.cpp); others unmapped.
      if (const Json* probes = find(e, {"spec", "probe"}); probes != nullptr && probes->is_array())
        import_litmus_probes(ctx_, doc, ep + "/spec/probe", *probes, text(obj, {"metadata", "name"}));
      auto info = experiments().find(name);
      if (info == experiments().end()) {
        ctx_.unmapped(doc, pointer_append(ep, "name"), "experiment " + name, "no fault kind models this Litmus experiment",
                      "fault dropped");
        continue;
      }
      if (info->second.fault_kind.empty()) {
        ctx_.unmapped(doc, pointer_append(ep, "name"), "experiment " + name, info->second.reason, "fault dropped");
        continue;
      }
      // Defaults: the ChaosExperiment given, else chaos-charts'; then the engine's env.
      Env env;
      for (const auto& [k, v] : info->second.defaults) env[k] = {v, &doc, pointer_append(ep, "name")};
      if (auto cr = cr_defaults_.find(name); cr != cr_defaults_.end()) {
        used_crs_.insert(name);
        for (const auto& [k, v] : cr->second) env[k] = v;
      } else {
        ctx_.unmapped(doc, pointer_append(ep, "name"), "ChaosExperiment " + name,
                      "not given: the defaults of chaos-charts' " + name + " ChaosExperiment are used", "assumed");
      }
      Env own;
      read_env(find(e, {"spec", "components", "env"}), doc, ep + "/spec/components/env", own);
      for (const auto& [k, v] : own) {
        env[k] = v;
        if (!info->second.defaults.count(k))
          ctx_.unmapped(doc, v.pointer, k, "not a timing, targeting or intensity tunable of " + name, "field ignored");
      }
      const std::string engine_name = text(obj, {"metadata", "name"});
      std::optional<int64_t> injected;
      if (replay(o, name, env, info->second, injected)) continue;
      predict(o, name, ep, env, info->second, engine_name, injected);
    }
  }

  // ---- Prediction.
  // From --at, or from a recorded injection time (absolute) when the events hold only that.
  void predict(const LitmusObject& o, const std::string& name, const std::string& ep, const Env& env,
               const ExperimentInfo& info, const std::string& engine_name, std::optional<int64_t> injected) {
    const Document& doc = *o.doc;
    const auto sel = select(o, env);
    if (!sel) return;
    const std::string object = "ChaosEngine/" + (o.ns.empty() ? "default" : o.ns) + "/" + engine_name + "/" + name;
    RandomStream rng = ctx_.stream(object, "targets");
    RandomStream interval_rng = ctx_.stream(object, "interval");
    const double total = env_number(env, "TOTAL_CHAOS_DURATION", 30);
    const double ramp = env_number(env, "RAMP_TIME", 0);
    const double perc = env_number(env, "PODS_AFFECTED_PERC", 0);
    const std::string sequence = env_text(env, "SEQUENCE").empty() ? "parallel" : env_text(env, "SEQUENCE");
    if (sequence != "parallel" && sequence != "serial")
      throw doc.error(env.at("SEQUENCE").pointer, "expected SEQUENCE parallel or serial, got \"" + sequence + "\"");
    if (total <= 0 || total > 1e7) throw doc.error(env.at("TOTAL_CHAOS_DURATION").pointer, "expected a duration in seconds > 0");
    const int64_t t0 = injected ? *injected : ctx_.definitions_start_ns() + static_cast<int64_t>(std::llround(ramp * 1e9));
    const Json source = {{"file", doc.file}, {"at", ep}, {"object", object}};
    std::vector<ImportContext::Param> params;
    const std::string vp = ep;
    if (info.fault_kind == "pod-kill") {
      const bool force = env_text(env, "FORCE") == "true";
      if (!force)
        ctx_.unmapped(doc, env.at("FORCE").pointer, "FORCE false",
                      "the pods are deleted with their own grace period, not in the scenario: Kubernetes' default 30 s "
                      "(terminationGracePeriodSeconds) is assumed",
                      "assumed");
      params.push_back({"grace_period", force ? "0s" : "30s", env.at("FORCE").pointer});
    } else if (info.fault_kind == "container-kill") {
      if (!env_text(env, "TARGET_CONTAINER").empty())
        params.push_back({"container", env_text(env, "TARGET_CONTAINER"), env.at("TARGET_CONTAINER").pointer});
    } else if (info.fault_kind == "stress-cpu") {
      params.push_back({"workers", static_cast<int64_t>(env_number(env, "CPU_CORES", 1)), env.at("CPU_CORES").pointer});
      params.push_back({"load", env_number(env, "CPU_LOAD", 100) / 100.0, env.at("CPU_LOAD").pointer});
    } else if (info.fault_kind == "stress-memory") {
      params.push_back({"workers", static_cast<int64_t>(env_number(env, "NUMBER_OF_WORKERS", 1)),
                        env.at("NUMBER_OF_WORKERS").pointer});
      params.push_back({"size", env_text(env, "MEMORY_CONSUMPTION") + "MB", env.at("MEMORY_CONSUMPTION").pointer});
    } else if (info.fault_kind == "network-delay") {
      params.push_back({"latency", format_duration(Duration::from_seconds(env_number(env, "NETWORK_LATENCY", 2000) / 1000)),
                        env.at("NETWORK_LATENCY").pointer});
      params.push_back({"jitter", format_duration(Duration::from_seconds(env_number(env, "JITTER", 0) / 1000)),
                        env.at("JITTER").pointer});
    } else if (info.fault_kind == "network-loss") {
      params.push_back({"loss", env_number(env, "NETWORK_PACKET_LOSS_PERCENTAGE", 100) / 100.0,
                        env.at("NETWORK_PACKET_LOSS_PERCENTAGE").pointer});
    } else if (info.fault_kind == "network-corrupt") {
      params.push_back({"corrupt", env_number(env, "NETWORK_PACKET_CORRUPTION_PERCENTAGE", 100) / 100.0,
                        env.at("NETWORK_PACKET_CORRUPTION_PERCENTAGE").pointer});
    } else if (info.fault_kind == "network-duplicate") {
      params.push_back({"duplicate", env_number(env, "NETWORK_PACKET_DUPLICATION_PERCENTAGE", 100) / 100.0,
                        env.at("NETWORK_PACKET_DUPLICATION_PERCENTAGE").pointer});
    }
    if (info.fault_kind.rfind("network-", 0) == 0) peers(env, params, doc);
    const Json p = ctx_.fault_params(info.fault_kind, params, doc, vp);
    auto add = [&](const std::vector<std::string>& targets, int64_t start, std::optional<int64_t> end) {
      PendingFault f;
      f.kind = info.fault_kind;
      f.start_ns = start;
      f.end_ns = end;
      f.absolute = injected.has_value();
      f.targets = targets;
      f.params = p;
      f.source = source;
      ctx_.add_fault(std::move(f));
    };
    if (!info.loop) {
      const auto targets = affected(*sel, perc, rng);
      const auto len = static_cast<int64_t>(std::llround(total * 1e9));
      if (sequence == "parallel") {
        add(targets, t0, t0 + len);
      } else {
        for (size_t i = 0; i < targets.size(); ++i)
          add({targets[i]}, t0 + static_cast<int64_t>(i) * len, t0 + static_cast<int64_t>(i + 1) * len);
      }
      return;
    }
    // The kill loop (litmus-go pod-delete): kill, wait CHAOS_INTERVAL, wait for the pods to be
    // Running again, until TOTAL_CHAOS_DURATION has passed.
    const std::string interval_text = env_text(env, "CHAOS_INTERVAL");
    const bool randomness = env_text(env, "RANDOMNESS") == "true";
    double lo = 0, hi = 0;
    const std::string ip = env.count("CHAOS_INTERVAL") ? env.at("CHAOS_INTERVAL").pointer : ep;
    if (const size_t dash = interval_text.find('-'); dash != std::string::npos) {
      if (!randomness) throw doc.error(ip, "a CHAOS_INTERVAL range (\"" + interval_text + "\") needs RANDOMNESS=true");
      lo = read_number(Json(interval_text.substr(0, dash)), doc, ip, "CHAOS_INTERVAL");
      hi = read_number(Json(interval_text.substr(dash + 1)), doc, ip, "CHAOS_INTERVAL");
    } else {
      hi = interval_text.empty() ? 10 : read_number(Json(interval_text), doc, ip, "CHAOS_INTERVAL");
      lo = randomness ? 0 : hi;
    }
    if (lo < 0 || hi < lo || hi > 1e7) throw doc.error(ip, "expected CHAOS_INTERVAL seconds ≥ 0, or \"a-b\" with a ≤ b");
    const double check_delay = std::max(1.0, env_number(env, "STATUS_CHECK_DELAY", 2));
    ctx_.unmapped(doc, ip, "CHAOS_INTERVAL",
                  "Litmus waits for the pods to be Running again before the next kill; the kill times assume they are "
                  "within the interval (a slower recovery in the model shifts later kills in a live run)",
                  "assumed");
    auto draw = [&]() {
      double v = lo == hi ? hi : lo + static_cast<double>(interval_rng.uniform_below(static_cast<uint64_t>(hi - lo) + 1));
      return v > 0 ? v : check_delay;  // with no interval, the recovery check paces the loop
    };
    double elapsed = 0;
    size_t kills = 0;
    while (elapsed < total) {
      const auto targets = affected(*sel, perc, rng);
      if (sequence == "parallel") {
        add(targets, t0 + static_cast<int64_t>(std::llround(elapsed * 1e9)), std::nullopt);
        elapsed += draw();
        kills += targets.size();
      } else {
        for (const std::string& t : targets) {
          add({t}, t0 + static_cast<int64_t>(std::llround(elapsed * 1e9)), std::nullopt);
          elapsed += draw();
          ++kills;
        }
      }
      if (kills > kMaxKills) throw doc.error(ep, "the experiment would kill more than 100000 pods");
    }
  }

  void peers(const Env& env, std::vector<ImportContext::Param>& params, const Document& doc) {
    (void)doc;
    std::vector<std::string> out;
    const std::string hosts = env_text(env, "DESTINATION_HOSTS");
    std::string item;
    for (char c : hosts + ",") {
      if (c != ',') {
        if (c != ' ') item += c;
        continue;
      }
      if (item.empty()) continue;
      const std::string host = item.substr(0, item.find('.'));
      bool found = false;
      for (const auto& inst : ctx_.scenario().instances)
        if (inst.base_name == host) {
          out.push_back(inst.path);
          found = true;
        }
      if (!found)
        ctx_.unmapped(*env.at("DESTINATION_HOSTS").doc, env.at("DESTINATION_HOSTS").pointer, "DESTINATION_HOSTS " + item,
                      "no component is named " + host + ": that traffic is outside the scenario", "field ignored");
      item.clear();
    }
    if (!env_text(env, "DESTINATION_IPS").empty())
      ctx_.unmapped(*env.at("DESTINATION_IPS").doc, env.at("DESTINATION_IPS").pointer, "DESTINATION_IPS",
                    "IP addresses are not modelled: only DESTINATION_HOSTS naming components restrict the fault",
                    "field ignored");
    if (!out.empty()) params.push_back({"peers", out, env.at("DESTINATION_HOSTS").pointer});
  }

  // ---- Records: ChaosInject events, and the pods' Killing events in the chaos window.
  std::vector<size_t> engine_events(const std::string& engine) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (e.object_kind == "ChaosEngine" && e.object_name == engine) out.push_back(i);
    }
    return out;
  }

  // Returns true when the events hold this engine's run (its kills are replayed from them).
  bool replay(const LitmusObject& o, const std::string& experiment, const Env& env, const ExperimentInfo& info,
              std::optional<int64_t>& injected) {
    const std::string engine = text(*o.object, {"metadata", "name"});
    const std::vector<size_t> evs = engine_events(engine);
    std::vector<int64_t> injects;
    std::optional<int64_t> end;
    for (size_t i : evs) {
      const K8sEvent& e = events_.events[i];
      if (e.reason == "ChaosInject") injects.push_back(e.time_ns);
    }
    if (injects.empty()) return false;
    std::sort(injects.begin(), injects.end());
    for (size_t i : evs) {
      const K8sEvent& e = events_.events[i];
      events_.used[i] = true;
      if ((e.reason == "Summary" || e.reason == "ChaosEngineCompleted") && e.time_ns >= injects.back() &&
          (!end || e.time_ns < *end))
        end = e.time_ns;
    }
    replayed_engines_.insert(engine);
    const Document& doc = *o.doc;
    if (!info.loop) {
      ctx_.unmapped(doc, o.pointer, "events of engine " + engine,
                    "Litmus records when " + experiment + " was injected (ChaosInject) but not on which pods: the "
                    "targets are drawn as for a prediction, from that time",
                    "assumed");
      injected = injects.front();
      ctx_.add_anchor(injects.front());
      return false;
    }
    const auto sel = select(o, env);
    kills_from_events(doc, o.pointer, engine, injects, end, sel ? sel->candidates : std::vector<std::string>{},
                      env_text(env, "FORCE") == "true" ? "0s" : "30s", info.fault_kind);
    return true;
  }

  void kills_from_events(const Document& doc, const std::string& ptr, const std::string& engine,
                         const std::vector<int64_t>& injects, std::optional<int64_t> end,
                         const std::vector<std::string>& candidates, const std::string& grace, const std::string& kind) {
    const int64_t from = injects.front() - 1'000'000'000LL;
    if (!end) {
      end = injects.back() + 60'000'000'000LL;
      ctx_.unmapped(doc, ptr, "end of engine " + engine,
                    "no Summary or ChaosEngineCompleted event: pod kills up to 60 s after the last ChaosInject are taken",
                    "assumed");
    }
    for (int64_t t : injects) ctx_.add_anchor(t);
    const std::vector<PodKill> kills = pod_kills(ctx_, events_, from, *end);
    size_t n = 0;
    for (const PodKill& k : kills) {
      if (!candidates.empty() && std::find(candidates.begin(), candidates.end(), k.path) == candidates.end()) {
        const K8sEvent& e = events_.events[k.event];
        ctx_.unmapped(*e.doc, e.pointer, "pod " + k.pod,
                      "killed during engine " + engine + "'s chaos but not one of its application pods", "ignored");
        continue;
      }
      const K8sEvent& e = events_.events[k.event];
      PendingFault f;
      f.kind = kind;
      f.start_ns = k.time_ns;
      f.absolute = true;
      f.targets = {k.path};
      f.pods = {k.pod};
      std::vector<ImportContext::Param> params;
      if (kind == "pod-kill") params.push_back({"grace_period", grace, e.pointer});
      f.params = ctx_.fault_params(kind, params, *e.doc, e.pointer);
      f.source = {{"file", e.doc->file}, {"at", e.pointer}, {"object", "ChaosEngine/" + engine}};
      ctx_.add_fault(std::move(f));
      ++n;
    }
    if (n == 0)
      ctx_.unmapped(doc, ptr, "engine " + engine,
                    std::to_string(injects.size()) +
                        " ChaosInject events but no pod Killing event of its pods: the deleted pods and times are not "
                        "in the record (give the pods' events)",
                    "fault dropped");
  }

  // Events of engines not given as definitions: a ChaosResult tells which workload was hit.
  void record_engines_without_definition() {
    std::map<std::string, std::vector<int64_t>> injects;
    std::vector<std::string> order;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (e.object_kind != "ChaosEngine" || replayed_engines_.count(e.object_name)) continue;
      if (e.reason != "ChaosInject") continue;
      if (!injects.count(e.object_name)) order.push_back(e.object_name);
      injects[e.object_name].push_back(e.time_ns);
    }
    for (const std::string& engine : order) {
      std::vector<int64_t>& times = injects[engine];
      std::sort(times.begin(), times.end());
      std::optional<int64_t> end;
      const K8sEvent* first = nullptr;
      for (size_t i = 0; i < events_.events.size(); ++i) {
        const K8sEvent& e = events_.events[i];
        if (e.object_kind != "ChaosEngine" || e.object_name != engine) continue;
        events_.used[i] = true;
        if (first == nullptr) first = &e;
        if ((e.reason == "Summary" || e.reason == "ChaosEngineCompleted") && e.time_ns >= times.back() &&
            (!end || e.time_ns < *end))
          end = e.time_ns;
      }
      // The ChaosResult's targets (workloads) restrict which pods count.
      std::vector<std::string> candidates;
      std::string experiment;
      for (const Result& r : results_)
        if (r.engine == engine || r.obj->name.rfind(engine + "-", 0) == 0) {
          experiment = r.experiment;
          for (const std::string& n : r.target_names)
            for (const auto& a : ctx_.components()) {
              std::string reason;
              const size_t slash = a.path.rfind('/');
              const std::string last = a.path.substr(slash == std::string::npos ? 0 : slash + 1);
              if (a.path == n || a.path.rfind(n + "/", 0) == 0 || pod_owner_key(last) == n) candidates.push_back(a.path);
            }
        }
      if (!experiment.empty() && experiment != "pod-delete" && experiment != "container-kill") {
        ctx_.unmapped(*first->doc, first->pointer, "events of engine " + engine,
                      "the " + experiment + " injection times are recorded but not its parameters: give the ChaosEngine",
                      "fault dropped");
        continue;
      }
      ctx_.unmapped(*first->doc, first->pointer, "engine " + engine,
                    "the ChaosEngine was not given: its experiment is taken as " +
                        (experiment.empty() ? std::string("pod-delete") : experiment) +
                        " with the grace period unknown (0 s)",
                    "assumed");
      kills_from_events(*first->doc, first->pointer, engine, times, end, candidates, "0s",
                        experiment == "container-kill" ? "container-kill" : "pod-kill");
    }
  }
};

}  // namespace

bool is_litmus(const Json& root) {
  return root.is_object() && text(root, {"apiVersion"}).rfind("litmuschaos.io/", 0) == 0;
}

LitmusObject litmus_object(const Document& doc, const std::string& pointer, const Json& object) {
  LitmusObject o;
  o.doc = &doc;
  o.pointer = pointer;
  o.object = &object;
  o.kind = text(object, {"kind"});
  o.name = text(object, {"metadata", "name"});
  o.ns = text(object, {"metadata", "namespace"});
  if (o.kind.empty()) throw doc.error(pointer, "a LitmusChaos object needs \"kind\"");
  return o;
}

void import_litmus(ImportContext& ctx, const std::vector<LitmusObject>& objects, const EventSet& events) {
  LitmusImporter(ctx, events).run(objects);
}

}  // namespace faultline::sim::importers
