#include "sim/importers/chaos_mesh.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/core/rfc3339.hpp"
#include "sim/faults/fault_kinds.hpp"
#include "sim/importers/cron.hpp"

namespace faultline::sim::importers {

namespace {

constexpr size_t kMaxTicks = 100000;

const std::vector<std::string> kModes = {"one", "all", "fixed", "fixed-percent", "random-max-percent"};

// Kinds Chaos Mesh has and faultline has no model for, with why.
const std::map<std::string, std::string>& unmodelled_kinds() {
  static const std::map<std::string, std::string> m = {
      {"TimeChaos", "no model reads a wall clock: a clock offset (TimeChaos) changes nothing in the simulation"},
      {"DNSChaos", "the scenario resolves no names: DNS errors (DNSChaos) have no model"},
      {"HTTPChaos",
       "HTTP faults inside a pod's server (HTTPChaos abort/delay/replace/patch) have no model; Istio sidecar faults "
       "are the mesh-abort and mesh-delay kinds"},
      {"JVMChaos", "faults inside a JVM (JVMChaos) have no model"},
      {"KernelChaos", "kernel fault injection (KernelChaos) has no model"},
      {"BlockChaos", "block-device faults (BlockChaos) have no model: io-latency and io-fault act on the volume's filesystem"},
      {"AWSChaos", "cloud instances (AWSChaos) are outside the scenario"},
      {"GCPChaos", "cloud instances (GCPChaos) are outside the scenario"},
      {"AzureChaos", "cloud instances (AzureChaos) are outside the scenario"},
      {"PhysicalMachineChaos", "physical machines (PhysicalMachineChaos, chaosd) are outside the scenario"},
      {"PodHttpChaos", "PodHttpChaos is HTTPChaos's internal object; HTTP faults have no model"},
      {"PodNetworkChaos", "PodNetworkChaos is NetworkChaos's internal object: import the NetworkChaos"},
      {"PodIOChaos", "PodIOChaos is IOChaos's internal object: import the IOChaos"},
  };
  return m;
}

const std::vector<std::string>& chaos_kinds() {
  static const std::vector<std::string> k = {"PodChaos",    "NetworkChaos", "StressChaos",  "IOChaos",
                                             "TimeChaos",   "DNSChaos",     "HTTPChaos",    "JVMChaos",
                                             "KernelChaos", "BlockChaos",   "AWSChaos",     "GCPChaos",
                                             "AzureChaos",  "PhysicalMachineChaos"};
  return k;
}

bool is_chaos_kind(const std::string& k) {
  return std::find(chaos_kinds().begin(), chaos_kinds().end(), k) != chaos_kinds().end();
}

// The key an embedded spec has in a Schedule or a Workflow template: PodChaos → podChaos.
std::string embed_key(const std::string& kind) {
  if (kind == "IOChaos") return "ioChaos";
  if (kind == "DNSChaos") return "dnsChaos";
  if (kind == "HTTPChaos") return "httpChaos";
  if (kind == "JVMChaos") return "jvmChaos";
  if (kind == "AWSChaos") return "awsChaos";
  if (kind == "GCPChaos") return "gcpChaos";
  if (kind == "PhysicalMachineChaos") return "physicalmachineChaos";
  if (kind == "Workflow") return "workflow";
  std::string k = kind;
  if (!k.empty()) k[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(k[0])));
  return k;
}

std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// ---- A chaos spec translated to fault kinds, before targets and times.
struct Part {
  std::string kind;
  Json params;
  std::string pointer;  // the field it came from
};

struct Template {
  bool ok = false;  // false: nothing to emit (the reason is reported)
  std::string chaos_kind;
  std::string spec_ptr;
  bool one_shot = false;
  std::optional<int64_t> duration_ns;
  std::vector<Part> parts;
  bool explicit_pods = false;        // selector.pods: no draw
  std::vector<std::string> candidates;
  std::string mode = "one";
  double value = 0;
  bool network = false;
  bool has_peers = false;
  std::vector<std::string> peer_candidates;
  std::string peer_mode = "one";
  double peer_value = 0;
};

class Translator {
 public:
  Translator(ImportContext& ctx, const Document& doc, bool predicting) : ctx_(ctx), doc_(doc), predicting_(predicting) {}

  Template translate(const std::string& kind, const Json& spec, const std::string& ptr) {
    Template t;
    t.chaos_kind = kind;
    t.spec_ptr = ptr;
    if (!spec.is_object()) throw doc_.error(ptr, "expected the " + kind + " spec (an object)");
    if (auto it = unmodelled_kinds().find(kind); it != unmodelled_kinds().end()) {
      ctx_.unmapped(doc_, ptr, kind, it->second, "fault dropped");
      return t;
    }
    if (!is_chaos_kind(kind)) {
      ctx_.unmapped(doc_, ptr, kind, "unknown Chaos Mesh kind \"" + kind + "\"", "fault dropped");
      return t;
    }
    if (spec.contains("remoteCluster")) {
      ctx_.unmapped(doc_, pointer_append(ptr, "remoteCluster"), "remoteCluster",
                    "the chaos runs in another cluster (" + text(spec, {"remoteCluster"}) + "), outside the scenario",
                    "fault dropped");
      return t;
    }
    if (const Json* d = find(spec, {"duration"}); d != nullptr && !d->is_null()) {
      const Duration dur = read_duration(*d, doc_, pointer_append(ptr, "duration"));
      if (dur < Duration::zero()) throw doc_.error(pointer_append(ptr, "duration"), "expected a duration ≥ 0");
      t.duration_ns = dur.count_ns();
    }
    bool parts_ok = false;
    if (kind == "PodChaos") parts_ok = pod_chaos(spec, ptr, t);
    if (kind == "NetworkChaos") parts_ok = network_chaos(spec, ptr, t);
    if (kind == "StressChaos") parts_ok = stress_chaos(spec, ptr, t);
    if (kind == "IOChaos") parts_ok = io_chaos(spec, ptr, t);
    if (!parts_ok) return t;
    if (kind != "PodChaos" && spec.contains("containerNames"))
      ctx_.unmapped(doc_, pointer_append(ptr, "containerNames"), "containerNames",
                    "components are modelled per pod: the fault acts on the whole pod", "field ignored");
    if (!selection(spec, ptr, t)) return t;
    t.ok = true;
    return t;
  }

 private:
  ImportContext& ctx_;
  const Document& doc_;
  bool predicting_;

  Json percent(const Json& obj, const char* key, const std::string& ptr, bool required) {
    const Json* v = find(obj, {key});
    if (v == nullptr || v->is_null()) {
      if (required) throw doc_.error(ptr, std::string("missing \"") + key + "\" (a percentage such as \"25\")");
      return nullptr;
    }
    return read_number(*v, doc_, pointer_append(ptr, key), std::string("\"") + key + "\" (a percentage)") / 100.0;
  }

  void add(Template& t, const std::string& kind, const std::vector<ImportContext::Param>& params, const std::string& ptr) {
    t.parts.push_back({kind, ctx_.fault_params(kind, params, doc_, ptr), ptr});
  }

  bool pod_chaos(const Json& spec, const std::string& ptr, Template& t) {
    const std::string ap = pointer_append(ptr, "action");
    if (!spec.contains("action") || !spec["action"].is_string())
      throw doc_.error(ptr, "a PodChaos needs \"action\": pod-kill, pod-failure or container-kill");
    const std::string action = spec["action"].get<std::string>();
    if (action != "pod-kill" && spec.contains("gracePeriod"))
      ctx_.unmapped(doc_, pointer_append(ptr, "gracePeriod"), "gracePeriod", "only pod-kill uses a grace period",
                    "field ignored");
    if (action == "pod-kill") {
      t.one_shot = true;
      std::vector<ImportContext::Param> p;
      if (const Json* g = find(spec, {"gracePeriod"}); g != nullptr && !g->is_null()) {
        const std::string gp = pointer_append(ptr, "gracePeriod");
        const double s = read_number(*g, doc_, gp, "gracePeriod (seconds)");
        if (s < 0 || s != std::floor(s) || s > 1e9) throw doc_.error(gp, "expected a whole number of seconds ≥ 0");
        p.push_back({"grace_period", format_duration(Duration::s(static_cast<int64_t>(s))), gp});
      }
      if (t.duration_ns)
        ctx_.unmapped(doc_, pointer_append(ptr, "duration"), "duration",
                      "pod-kill is a one-shot action: Chaos Mesh finishes it once every pod is deleted", "field ignored");
      t.duration_ns.reset();
      add(t, "pod-kill", p, ap);
      return true;
    }
    if (action == "pod-failure") {
      add(t, "pod-failure", {}, ap);
      return true;
    }
    if (action == "container-kill") {
      t.one_shot = true;
      t.duration_ns.reset();
      const Json* names = find(spec, {"containerNames"});
      if (names == nullptr || !names->is_array() || names->empty()) {
        add(t, "container-kill", {}, ap);
        return true;
      }
      for (size_t i = 0; i < names->size(); ++i)
        add(t, "container-kill", {{"container", (*names)[i], pointer_append(pointer_append(ptr, "containerNames"), i)}}, ap);
      return true;
    }
    throw doc_.error(ap, "unknown PodChaos action \"" + action + "\"" +
                             did_you_mean(action, {"pod-kill", "pod-failure", "container-kill"}) +
                             "; expected pod-kill, pod-failure or container-kill");
  }

  bool network_chaos(const Json& spec, const std::string& ptr, Template& t) {
    t.network = true;
    const std::string action = spec.contains("action") ? text(spec, {"action"}) : "delay";
    const std::string direction = spec.contains("direction") ? text(spec, {"direction"}) : "to";
    const std::string dp = pointer_append(ptr, "direction");
    if (direction != "to" && direction != "from" && direction != "both")
      throw doc_.error(dp, "unknown direction \"" + direction + "\"; expected to, from or both");
    const ImportContext::Param dir{"direction", direction, dp};
    for (const char* key : {"device", "targetDevice"})
      if (spec.contains(key))
        ctx_.unmapped(doc_, pointer_append(ptr, key), key, "network interfaces are not modelled: every link of the pod",
                      "field ignored");
    auto delay = [&](const Json& d, const std::string& p) {
      if (!d.is_object() || !d.contains("latency")) throw doc_.error(p, "expected {latency: \"90ms\", jitter, correlation}");
      std::vector<ImportContext::Param> params = {dir, {"latency", d["latency"], pointer_append(p, "latency")}};
      if (d.contains("jitter")) params.push_back({"jitter", d["jitter"], pointer_append(p, "jitter")});
      params.push_back({"correlation", percent(d, "correlation", p, false), pointer_append(p, "correlation")});
      if (const Json* r = find(d, {"reorder"}); r != nullptr && r->is_object()) {
        const Json* rv = find(*r, {"reorder"});
        if (rv != nullptr && read_number(*rv, doc_, pointer_append(p, "reorder"), "reorder") != 0)
          ctx_.unmapped(doc_, pointer_append(p, "reorder"), "delay.reorder",
                        "packet reordering is not modelled: the delay applies to every packet", "field ignored");
      }
      add(t, "network-delay", params, p);
    };
    auto simple = [&](const char* block, const char* kind) {
      const std::string p = pointer_append(ptr, block);
      const Json* b = find(spec, {block});
      if (b == nullptr || !b->is_object()) throw doc_.error(ptr, "action " + action + " needs \"" + block + "\"");
      add(t, kind,
          {dir,
           {block, percent(*b, block, p, true), pointer_append(p, block)},
           {"correlation", percent(*b, "correlation", p, false), pointer_append(p, "correlation")}},
          p);
    };
    auto bandwidth = [&](const Json& b, const std::string& p, bool netem_rate) {
      if (!b.is_object() || !b.contains("rate") || !b["rate"].is_string())
        throw doc_.error(p, "expected {rate: \"1mbps\", limit, buffer}");
      const std::string rate = b["rate"].get<std::string>();
      std::vector<ImportContext::Param> params = {dir, {"rate", bytes_per_second(rate, pointer_append(p, "rate")), pointer_append(p, "rate")}};
      if (!netem_rate) {
        for (const char* key : {"limit", "buffer"})
          if (b.contains(key)) params.push_back({key, b[key], pointer_append(p, key)});
        for (const char* key : {"peakrate", "minburst"})
          if (b.contains(key))
            ctx_.unmapped(doc_, pointer_append(p, key), std::string("bandwidth.") + key,
                          "the token bucket is modelled by rate, limit and buffer only", "field ignored");
      }
      add(t, "network-bandwidth", params, p);
    };
    if (action == "delay") {
      if (!spec.contains("delay")) throw doc_.error(ptr, "action delay needs \"delay\": {latency: \"90ms\"}");
      delay(spec["delay"], pointer_append(ptr, "delay"));
    } else if (action == "loss") {
      simple("loss", "network-loss");
    } else if (action == "duplicate") {
      simple("duplicate", "network-duplicate");
    } else if (action == "corrupt") {
      simple("corrupt", "network-corrupt");
    } else if (action == "bandwidth") {
      if (!spec.contains("bandwidth")) throw doc_.error(ptr, "action bandwidth needs \"bandwidth\": {rate: \"1mbps\"}");
      bandwidth(spec["bandwidth"], pointer_append(ptr, "bandwidth"), false);
    } else if (action == "partition") {
      add(t, "network-partition", {dir}, pointer_append(ptr, "action"));
    } else if (action == "netem") {
      if (spec.contains("delay")) delay(spec["delay"], pointer_append(ptr, "delay"));
      if (spec.contains("loss")) simple("loss", "network-loss");
      if (spec.contains("duplicate")) simple("duplicate", "network-duplicate");
      if (spec.contains("corrupt")) simple("corrupt", "network-corrupt");
      if (spec.contains("rate")) bandwidth(spec["rate"], pointer_append(ptr, "rate"), true);
      if (t.parts.empty()) throw doc_.error(ptr, "action netem needs at least one of delay, loss, duplicate, corrupt, rate");
    } else {
      throw doc_.error(pointer_append(ptr, "action"),
                       "unknown NetworkChaos action \"" + action + "\"" +
                           did_you_mean(action, {"netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"}) +
                           "; expected netem, delay, loss, duplicate, corrupt, partition or bandwidth");
    }
    // The peer side: a target selection, or external addresses outside the scenario.
    const bool has_external = spec.contains("externalTargets") && spec["externalTargets"].is_array() &&
                              !spec["externalTargets"].empty();
    if (spec.contains("target") && !spec["target"].is_null()) {
      const std::string tp = pointer_append(ptr, "target");
      const Json& target = spec["target"];
      if (!target.is_object() || !target.contains("selector"))
        throw doc_.error(tp, "expected {selector: {...}, mode: one, value}");
      t.has_peers = true;
      const auto peers = resolve_selector(target["selector"], pointer_append(tp, "selector"), "spec.target.selector");
      if (!peers) {
        if (predicting_)
          ctx_.unmapped(doc_, tp, "spec.target", "the fault affects only traffic to these peers, and none is modelled",
                        "fault dropped");
        return predicting_ ? false : true;
      }
      t.peer_candidates = *peers;
      read_mode(target, tp, t.peer_mode, t.peer_value);
      if (has_external)
        ctx_.unmapped(doc_, pointer_append(ptr, "externalTargets"), "externalTargets",
                      "external addresses are outside the scenario: only the traffic to the target pods is affected",
                      "field ignored");
    } else if (has_external) {
      ctx_.unmapped(doc_, pointer_append(ptr, "externalTargets"), "externalTargets",
                    "the fault affects only traffic to external addresses (" + spec["externalTargets"].dump() +
                        "), which are outside the scenario",
                    "fault dropped");
      return false;
    }
    return true;
  }

  int64_t bytes_per_second(const std::string& rate, const std::string& p) {
    // tc units (Chaos Mesh passes them to tc): bit-based kbit… are bits/s, bps-based are bytes/s.
    static const std::vector<std::pair<std::string, double>> units = {
        {"tbps", 1e12}, {"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1},
        {"tbit", 1e12 / 8}, {"gbit", 1e9 / 8}, {"mbit", 1e6 / 8}, {"kbit", 1e3 / 8}, {"bit", 1.0 / 8}};
    std::string lower;
    for (char c : rate) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [u, f] : units) {
      if (lower.size() <= u.size() || lower.compare(lower.size() - u.size(), u.size(), u) != 0) continue;
      const std::string num = lower.substr(0, lower.size() - u.size());
      size_t used = 0;
      double v = -1;
      try {
        v = std::stod(num, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != num.size() || !(v > 0) || !std::isfinite(v * f) || v * f > 9e18) break;
      return std::max<int64_t>(1, static_cast<int64_t>(std::llround(v * f)));
    }
    throw doc_.error(p, "invalid bandwidth rate \"" + rate +
                            "\": expected a number with a tc unit: bit, kbit, mbit, gbit, tbit (bits/s) or bps, kbps, "
                            "mbps, gbps, tbps (bytes/s)");
  }

  bool stress_chaos(const Json& spec, const std::string& ptr, Template& t) {
    if (spec.contains("stressngStressors") && !spec["stressngStressors"].is_null()) {
      ctx_.unmapped(doc_, pointer_append(ptr, "stressngStressors"), "stressngStressors",
                    "raw stress-ng arguments (" + text(spec, {"stressngStressors"}) +
                        ") are not interpreted, and Chaos Mesh uses them instead of stressors",
                    "fault dropped");
      return false;
    }
    const Json* s = find(spec, {"stressors"});
    const std::string sp = pointer_append(ptr, "stressors");
    if (s == nullptr || !s->is_object() || (!s->contains("cpu") && !s->contains("memory")))
      throw doc_.error(ptr, "a StressChaos needs stressors.cpu, stressors.memory or stressngStressors");
    if (const Json* cpu = find(*s, {"cpu"}); cpu != nullptr && !cpu->is_null()) {
      const std::string cp = pointer_append(sp, "cpu");
      std::vector<ImportContext::Param> p;
      if (cpu->contains("workers")) p.push_back({"workers", (*cpu)["workers"], pointer_append(cp, "workers")});
      if (cpu->contains("load"))
        p.push_back({"load", read_number((*cpu)["load"], doc_, pointer_append(cp, "load"), "load (percent)") / 100.0,
                     pointer_append(cp, "load")});
      if (cpu->contains("options"))
        ctx_.unmapped(doc_, pointer_append(cp, "options"), "stressors.cpu.options",
                      "raw stress-ng options " + (*cpu)["options"].dump() + " are not interpreted", "field ignored");
      add(t, "stress-cpu", p, cp);
    }
    if (const Json* mem = find(*s, {"memory"}); mem != nullptr && !mem->is_null()) {
      const std::string mp = pointer_append(sp, "memory");
      std::vector<ImportContext::Param> p;
      if (mem->contains("workers")) p.push_back({"workers", (*mem)["workers"], pointer_append(mp, "workers")});
      if (const Json* size = find(*mem, {"size"}); size != nullptr && !size->is_null()) {
        const std::string sz = scalar_text(*size).value_or("");
        if (!sz.empty() && sz.back() == '%')
          ctx_.unmapped(doc_, pointer_append(mp, "size"), "stressors.memory.size",
                        "a share of the container's memory limit (" + sz + "): the scenario declares no memory limits",
                        "field ignored");
        else
          p.push_back({"size", *size, pointer_append(mp, "size")});
      }
      for (const char* key : {"oomScoreAdj", "options"})
        if (mem->contains(key))
          ctx_.unmapped(doc_, pointer_append(mp, key), std::string("stressors.memory.") + key,
                        "not modelled: the stressor's memory use is its size", "field ignored");
      add(t, "stress-memory", p, mp);
    }
    return true;
  }

  bool io_chaos(const Json& spec, const std::string& ptr, Template& t) {
    const std::string action = text(spec, {"action"});
    const std::string ap = pointer_append(ptr, "action");
    std::vector<ImportContext::Param> p;
    if (spec.contains("percent"))
      p.push_back({"percent", read_number(spec["percent"], doc_, pointer_append(ptr, "percent"), "percent") / 100.0,
                   pointer_append(ptr, "percent")});
    for (const char* key : {"path", "methods", "volumePath"})
      if (spec.contains(key) && std::string(key) != "volumePath")
        ctx_.unmapped(doc_, pointer_append(ptr, key), key,
                      "the model acts on every operation of the pod's volume, not on some files or calls", "field ignored");
    if (action == "latency") {
      if (!spec.contains("delay")) throw doc_.error(ptr, "action latency needs \"delay\" (e.g. \"10ms\")");
      p.push_back({"delay", spec["delay"], pointer_append(ptr, "delay")});
      add(t, "io-latency", p, ap);
      return true;
    }
    if (action == "fault") {
      if (spec.contains("errno")) p.push_back({"errno", spec["errno"], pointer_append(ptr, "errno")});
      add(t, "io-fault", p, ap);
      return true;
    }
    if (action == "attrOverride" || action == "mistake") {
      ctx_.unmapped(doc_, ap, "action " + action,
                    action == "mistake" ? "corrupted reads and writes (mistake) have no model"
                                        : "overridden file attributes (attrOverride) have no model",
                    "fault dropped");
      return false;
    }
    throw doc_.error(ap, "unknown IOChaos action \"" + action + "\"" +
                             did_you_mean(action, {"latency", "fault", "attrOverride", "mistake"}) +
                             "; expected latency, fault, attrOverride or mistake");
  }

  void read_mode(const Json& obj, const std::string& ptr, std::string& mode, double& value) {
    const std::string mp = pointer_append(ptr, "mode");
    if (!obj.contains("mode")) {
      ctx_.unmapped(doc_, ptr, "mode", "no mode given: Chaos Mesh requires one; one is assumed", "assumed");
      mode = "one";
    } else {
      mode = text(obj, {"mode"});
      if (std::find(kModes.begin(), kModes.end(), mode) == kModes.end())
        throw doc_.error(mp, "unknown mode \"" + mode + "\"" + did_you_mean(mode, kModes) +
                                 "; expected one, all, fixed, fixed-percent or random-max-percent");
    }
    if (mode == "fixed" || mode == "fixed-percent" || mode == "random-max-percent") {
      const std::string vp = pointer_append(ptr, "value");
      if (!obj.contains("value")) throw doc_.error(ptr, "mode " + mode + " needs \"value\"");
      const double v = read_number(obj["value"], doc_, vp, "value");
      const bool percent = mode != "fixed";
      if (v <= 0 || v != std::floor(v) || (percent && v > 100) || v > 1e9)
        throw doc_.error(vp, percent ? "expected a whole percentage in (0, 100]" : "expected a whole number of pods > 0");
      value = v;
    }
  }

  // The components a PodSelectorSpec picks; empty with the reason reported.
  std::optional<std::vector<std::string>> resolve_selector(const Json& sel, const std::string& ptr, const std::string& what) {
    if (!sel.is_object()) throw doc_.error(ptr, "expected a selector {labelSelectors: {...}, namespaces: [...]}");
    static const std::vector<std::string> known = {"namespaces",     "labelSelectors", "expressionSelectors",
                                                   "annotationSelectors", "fieldSelectors", "nodes",
                                                   "nodeSelectors", "podPhaseSelectors", "pods"};
    for (const auto& [k, v] : sel.items())
      if (std::find(known.begin(), known.end(), k) == known.end())
        ctx_.unmapped(doc_, pointer_append(ptr, k), what + "." + k, "unknown selector field" + did_you_mean(k, known),
                      "field ignored");
    if (const Json* pods = find(sel, {"pods"}); pods != nullptr && pods->is_object() && !pods->empty()) {
      std::vector<std::string> out;
      for (const auto& [ns, names] : pods->items()) {
        const std::string np = pointer_append(pointer_append(ptr, "pods"), ns);
        if (!names.is_array()) throw doc_.error(np, "expected a list of pod names");
        for (size_t i = 0; i < names.size(); ++i) {
          const std::string name = scalar_text(names[i]).value_or("");
          std::string reason;
          if (auto path = ctx_.map_pod(ns + "/" + name, reason))
            out.push_back(*path);
          else if (predicting_)
            ctx_.unmapped(doc_, pointer_append(np, i), "pod " + ns + "/" + name, reason, "target dropped");
        }
      }
      if (sel.size() > 1 && predicting_)
        ctx_.unmapped(doc_, ptr, what, "with \"pods\" set, Chaos Mesh ignores the other selector fields", "field ignored");
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      if (out.empty()) return std::nullopt;
      return out;
    }
    LabelSelector ls;
    if (const Json* l = find(sel, {"labelSelectors"}); l != nullptr && !l->is_null()) {
      if (!l->is_object()) throw doc_.error(pointer_append(ptr, "labelSelectors"), "expected {key: value}");
      for (const auto& [k, v] : l->items()) {
        const auto s = scalar_text(v);
        if (!s) throw doc_.error(pointer_append(pointer_append(ptr, "labelSelectors"), k), "expected a label value");
        ls.match_labels[k] = *s;
      }
    }
    if (const Json* e = find(sel, {"expressionSelectors"}); e != nullptr && !e->is_null())
      ls.match_expressions =
          parse_selector(Json{{"matchExpressions", *e}}, doc_, ptr).match_expressions;  // same shape as matchExpressions
    if (predicting_) {
      if (sel.contains("namespaces"))
        ctx_.unmapped(doc_, pointer_append(ptr, "namespaces"), what + ".namespaces",
                      "the scenario has no namespaces: components are matched by their labels only", "field ignored");
      for (const char* key : {"annotationSelectors", "fieldSelectors", "nodes", "nodeSelectors"})
        if (sel.contains(key))
          ctx_.unmapped(doc_, pointer_append(ptr, key), what + "." + key,
                        "components carry labels only: this condition cannot be checked, so the selection may be wider "
                        "than live",
                        "field ignored");
      if (sel.contains("podPhaseSelectors"))
        ctx_.unmapped(doc_, pointer_append(ptr, "podPhaseSelectors"), what + ".podPhaseSelectors",
                      "every component is taken as Running when the fault starts", "assumed");
      if (ls.empty())
        ctx_.unmapped(doc_, ptr, what, "no label condition: every component (pod) of the scenario is a candidate",
                      "assumed");
    }
    std::vector<std::string> out = ctx_.select(ls);
    if (out.empty()) {
      if (predicting_)
        ctx_.unmapped(doc_, ptr, what,
                      "the selector " + ls.to_json().dump() + " matches no component; " + ctx_.labels_overview(),
                      "fault dropped");
      return std::nullopt;
    }
    return out;
  }

  bool selection(const Json& spec, const std::string& ptr, Template& t) {
    const std::string sp = pointer_append(ptr, "selector");
    if (!spec.contains("selector")) throw doc_.error(ptr, "missing \"selector\" (which pods the chaos acts on)");
    const Json& sel = spec["selector"];
    t.explicit_pods = sel.is_object() && sel.contains("pods") && sel["pods"].is_object() && !sel["pods"].empty();
    read_mode(spec, ptr, t.mode, t.value);
    const auto c = resolve_selector(sel, sp, "spec.selector");
    if (!c) return !predicting_;
    t.candidates = *c;
    return true;
  }
};

// ---- Emission of faults.

Json source_of(const Document& doc, const std::string& ptr, const std::string& object) {
  Json s = {{"file", doc.file}, {"at", ptr}};
  if (!object.empty()) s["object"] = object;
  return s;
}

void emit(ImportContext& ctx, const Template& t, const std::vector<std::string>& targets,
          const std::vector<std::string>& peers, int64_t start, std::optional<int64_t> end, bool absolute,
          const Json& source, const std::vector<std::string>& pods, const std::string& container) {
  for (const Part& part : t.parts) {
    PendingFault f;
    f.kind = part.kind;
    f.start_ns = start;
    if (!t.one_shot) f.end_ns = end;
    f.absolute = absolute;
    f.targets = targets;
    f.params = part.params;
    if (t.network && t.has_peers) f.params["peers"] = peers;
    if (part.kind == "container-kill" && !container.empty() && f.params["container"].is_null()) f.params["container"] = container;
    f.source = source;
    f.pods = pods;
    ctx.add_fault(std::move(f));
  }
}

// A definition created at `t0` (ns from the scenario's start), ended at `cap` at the latest.
void predict(ImportContext& ctx, const Document& doc, const Template& t, int64_t t0, std::optional<int64_t> cap,
             const std::string& object, const std::string& at, std::optional<int64_t> node_duration = std::nullopt) {
  if (!t.ok) return;
  RandomStream rng = ctx.stream(object, "targets");
  std::vector<std::string> targets =
      t.explicit_pods ? t.candidates : select_targets(t.candidates, t.mode, t.value, rng);
  if (targets.empty()) {
    ctx.unmapped(doc, t.spec_ptr, "mode " + t.mode,
                 "the draw selected no pod (random-max-percent may draw 0 %), as Chaos Mesh would", "fault dropped");
    return;
  }
  std::vector<std::string> peers;
  if (t.has_peers) {
    RandomStream prng = ctx.stream(object, "peers");
    peers = select_targets(t.peer_candidates, t.peer_mode, t.peer_value, prng);
    if (peers.empty()) {
      ctx.unmapped(doc, t.spec_ptr, "target mode " + t.peer_mode, "the draw selected no peer", "fault dropped");
      return;
    }
  }
  if (t.has_peers && peers == targets && t.parts.size() == 1 && t.parts[0].kind == "network-partition") {
    ctx.unmapped(doc, t.spec_ptr, "partition of " + targets[0],
                 "the draw put the same pods on both sides: Chaos Mesh's self-partition is a no-op (issue #2032)",
                 "fault dropped");
    return;
  }
  std::optional<int64_t> end;
  const std::optional<int64_t> dur = node_duration ? node_duration : t.duration_ns;
  if (dur) end = t0 + *dur;
  if (cap && (!end || *end > *cap)) end = cap;
  if (!t.one_shot && !end) {
    if (t.parts.size() == 1 && t.parts[0].kind == "pod-failure")
      throw doc.error(t.spec_ptr, "pod-failure needs a \"duration\" (Chaos Mesh requires one)");
    ctx.unmapped(doc, t.spec_ptr, "duration",
                 "no duration: the chaos lasts until the object is deleted, here until the end of the run", "assumed");
  }
  if (t.one_shot && cap && t0 >= *cap) return;
  emit(ctx, t, targets, peers, t0, end, false, source_of(doc, at, object), {}, "");
}

// ---- Records: per target, the apply and recover operations.
struct Op {
  int64_t t;
  bool apply;
  bool ok;
  std::string message;
  const Document* doc;
  std::string ptr;
};
struct TargetOps {
  std::string id;
  bool target_side = false;
  std::vector<Op> ops;
  const Document* doc = nullptr;
  std::string ptr;
};

void replay(ImportContext& ctx, const Template& t, std::vector<TargetOps> records, std::optional<int64_t> created,
            const std::string& object) {
  // The peers of a NetworkChaos are the target-side records.
  std::vector<std::string> peers;
  for (const TargetOps& r : records) {
    if (!r.target_side) continue;
    std::string reason;
    if (auto p = ctx.map_pod(pod_id(r.id), reason))
      peers.push_back(*p);
    else
      ctx.unmapped(*r.doc, r.ptr, "peer " + r.id, reason, "peer dropped");
  }
  std::sort(peers.begin(), peers.end());
  peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
  for (TargetOps& r : records) {
    if (r.target_side) continue;
    std::string reason;
    const auto path = ctx.map_pod(pod_id(r.id), reason);
    if (!path) {
      ctx.unmapped(*r.doc, r.ptr, "target " + r.id, reason, "fault dropped");
      continue;
    }
    std::stable_sort(r.ops.begin(), r.ops.end(), [](const Op& a, const Op& b) { return a.t < b.t; });
    std::optional<Op> open;
    auto close = [&](std::optional<int64_t> end, const Op& from) {
      emit(ctx, t, {*path}, peers, from.t, end, true, source_of(*from.doc, from.ptr, object), {pod_of_id(r.id)},
           container_of_id(r.id));
    };
    for (const Op& op : r.ops) {
      if (!op.ok) {
        ctx.unmapped(*op.doc, op.ptr, std::string(op.apply ? "apply" : "recover") + " of " + r.id,
                     "the chaos failed: " + op.message, op.apply ? "fault dropped" : "ignored");
        continue;
      }
      if (op.apply) {
        if (t.one_shot) {
          close(std::nullopt, op);
        } else if (!open) {
          open = op;
        }
      } else if (!t.one_shot) {
        if (open) {
          close(op.t, *open);
          open.reset();
        } else {
          ctx.unmapped(*op.doc, op.ptr, "recover of " + r.id,
                       "a recover with no apply before it (the record keeps the last 100 events only)", "ignored");
        }
      }
    }
    if (open) {
      std::optional<int64_t> end;
      if (created && t.duration_ns && *created + *t.duration_ns >= open->t) end = *created + *t.duration_ns;
      if (!end)
        ctx.unmapped(*open->doc, open->ptr, "target " + r.id,
                     "applied but not recovered in the record, with no duration: the fault lasts until the end of the run",
                     "assumed");
      close(end, *open);
    }
  }
}

std::string object_id(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + (ns.empty() ? "default" : ns) + "/" + name;
}

class ChaosMeshImporter {
 public:
  ChaosMeshImporter(ImportContext& ctx, const EventSet& events) : ctx_(ctx), events_(events) {}

  void object(const ChaosMeshObject& o) {
    const Document& doc = *o.doc;
    const Json& obj = *o.object;
    const std::string spec_ptr = pointer_append(o.pointer, "spec");
    const Json* spec = find(obj, {"spec"});
    if (o.kind == "StatusCheck") {
      ctx_.note_format(doc.file, "chaos-mesh StatusCheck");
      status_check(doc, spec == nullptr ? Json::object() : *spec, spec_ptr, std::nullopt);
      return;
    }
    if (o.kind == "WorkflowNode") {
      ctx_.note_format(doc.file, "chaos-mesh WorkflowNode");
      ctx_.unmapped(doc, o.pointer, "WorkflowNode " + o.name,
                    "a workflow node's record: import the chaos objects it created (with their records or events)",
                    "file skipped");
      return;
    }
    if (spec == nullptr || !spec->is_object()) throw doc.error(o.pointer, "a " + o.kind + " needs a \"spec\" object");
    if (o.kind == "Schedule") {
      ctx_.note_format(doc.file, "chaos-mesh Schedule");
      if (replay_spawned(o, *spec, spec_ptr)) return;  // its objects' events are replayed instead
      schedule(doc, *spec, spec_ptr, ctx_.definitions_start_ns(), ctx_.window_end_ns(doc, spec_ptr),
               object_id(o.kind, o.ns, o.name), 0);
      return;
    }
    if (o.kind == "Workflow") {
      ctx_.note_format(doc.file, "chaos-mesh Workflow");
      if (paused(obj, doc, o)) return;
      workflow(doc, *spec, spec_ptr, ctx_.definitions_start_ns(), object_id(o.kind, o.ns, o.name), 0);
      return;
    }
    std::optional<int64_t> created;
    if (const Json* c = find(obj, {"metadata", "creationTimestamp"}); c != nullptr && !c->is_null())
      created = read_timestamp(*c, doc, o.pointer + "/metadata/creationTimestamp");
    const Json* records = find(obj, {"status", "experiment", "containerRecords"});
    const std::string id = object_id(o.kind, o.ns, o.name);
    const std::vector<size_t> evs = object_events(o.kind, o.name, o.ns);
    if (records != nullptr && records->is_array() && !records->empty()) {
      ctx_.note_format(doc.file, "chaos-mesh " + o.kind + " with containerRecords (record)");
      Translator tr(ctx_, doc, false);
      const Template t = tr.translate(o.kind, *spec, spec_ptr);
      for (size_t i : evs) events_.used[i] = true;  // the same facts, less precise
      if (!evs.empty())
        ctx_.unmapped(doc, o.pointer, "events of " + id, "the object's containerRecords are used instead (more precise)",
                      "ignored");
      if (!t.ok) return;
      if (created) ctx_.add_anchor(*created);
      replay(ctx_, t, container_records(doc, *records, o.pointer + "/status/experiment/containerRecords"), created, id);
      return;
    }
    if (!evs.empty()) {
      ctx_.note_format(doc.file, "chaos-mesh " + o.kind + " definition (replayed from its events)");
      Translator tr(ctx_, doc, false);
      const Template t = tr.translate(o.kind, *spec, spec_ptr);
      for (size_t i : evs) events_.used[i] = true;
      if (!t.ok) return;
      if (created) ctx_.add_anchor(*created);
      replay(ctx_, t, event_records(evs, t), created, id);
      return;
    }
    ctx_.note_format(doc.file, "chaos-mesh " + o.kind + " definition");
    if (paused(obj, doc, o)) return;
    Translator tr(ctx_, doc, true);
    const Template t = tr.translate(o.kind, *spec, spec_ptr);
    predict(ctx_, doc, t, ctx_.definitions_start_ns(), std::nullopt, id, spec_ptr);
  }

  // Events of chaos objects that were not given: PodChaos actions can be told from the events.
  void orphan_events() {
    std::map<std::string, std::vector<size_t>> groups;
    std::vector<std::string> order;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (events_.used[i] || !is_chaos_kind(e.object_kind)) continue;
      if (e.reason != "Applied" && e.reason != "Recovered" && e.reason != "Failed") continue;
      const std::string id = object_id(e.object_kind, e.object_ns, e.object_name);
      if (!groups.count(id)) order.push_back(id);
      groups[id].push_back(i);
    }
    for (const std::string& id : order) {
      const std::vector<size_t>& evs = groups[id];
      for (size_t i : evs) events_.used[i] = true;
      const K8sEvent& first = events_.events[evs[0]];
      if (first.object_kind != "PodChaos") {
        ctx_.unmapped(*first.doc, first.pointer, "events of " + id,
                      "the events do not say the " + first.object_kind +
                          "'s action or parameters: give the object too (kubectl get " + lower(first.object_kind) + " " +
                          first.object_name + " -o yaml)",
                      "fault dropped");
        continue;
      }
      bool recovered = false, container = false;
      for (size_t i : evs) {
        recovered = recovered || events_.events[i].reason == "Recovered";
        container = container || !container_of_id(events_.events[i].target_id).empty();
      }
      const std::string action = container ? "container-kill" : recovered ? "pod-failure" : "pod-kill";
      ctx_.unmapped(*first.doc, first.pointer, "action of " + id,
                    "the PodChaos was not given: its action is taken as " + action +
                        (container ? " (the ids name containers)"
                                   : recovered ? " (it has Recovered events)" : " (no Recovered event: one-shot)"),
                    "assumed");
      Template t;
      t.ok = true;
      t.chaos_kind = "PodChaos";
      t.one_shot = action != "pod-failure";
      t.parts.push_back({action, ctx_.fault_params(action, {}, *first.doc, first.pointer), first.pointer});
      replay(ctx_, t, event_records(evs, t), std::nullopt, id);
    }
  }

 private:
  ImportContext& ctx_;
  const EventSet& events_;

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  bool paused(const Json& obj, const Document& doc, const ChaosMeshObject& o) {
    const Json* p = find(obj, {"metadata", "annotations", "experiment.chaos-mesh.org/pause"});
    if (p == nullptr || scalar_text(*p).value_or("") != "true") return false;
    ctx_.unmapped(doc, o.pointer + "/metadata/annotations", "experiment.chaos-mesh.org/pause",
                  "the experiment is paused: Chaos Mesh injects nothing until it is resumed", "fault dropped");
    return true;
  }

  std::vector<size_t> object_events(const std::string& kind, const std::string& name, const std::string& ns) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (events_.used[i] || e.object_kind != kind || e.object_name != name) continue;
      if (!ns.empty() && !e.object_ns.empty() && ns != e.object_ns) continue;
      if (e.reason == "Applied" || e.reason == "Recovered" || e.reason == "Failed") out.push_back(i);
    }
    return out;
  }

  // A Schedule's spawned objects are named <schedule>-<suffix>: their events are replayed with
  // the Schedule's embedded spec, each object with its own targets.
  bool replay_spawned(const ChaosMeshObject& o, const Json& spec, const std::string& spec_ptr) {
    const std::string type = text(spec, {"type"});
    std::map<std::string, std::vector<size_t>> groups;
    std::vector<std::string> order;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (events_.used[i] || e.object_kind != type || e.object_name.rfind(o.name + "-", 0) != 0) continue;
      if (!o.ns.empty() && !e.object_ns.empty() && o.ns != e.object_ns) continue;
      if (e.reason != "Applied" && e.reason != "Recovered" && e.reason != "Failed") continue;
      const std::string id = object_id(e.object_kind, e.object_ns, e.object_name);
      if (!groups.count(id)) order.push_back(id);
      groups[id].push_back(i);
    }
    if (order.empty()) return false;
    for (const auto& [id, evs] : groups)
      for (size_t i : evs) events_.used[i] = true;
    const Document& doc = *o.doc;
    const std::string key = embed_key(type);
    const Json* embedded = find(spec, {key});
    if (embedded == nullptr || !embedded->is_object())
      throw doc.error(spec_ptr, "a Schedule of type " + type + " needs its spec under \"" + key + "\"");
    Translator tr(ctx_, doc, false);
    const Template t = tr.translate(type, *embedded, pointer_append(spec_ptr, key));
    if (!t.ok) return true;
    for (const std::string& id : order) replay(ctx_, t, event_records(groups[id], t), std::nullopt, id);
    return true;
  }

  std::vector<TargetOps> container_records(const Document& doc, const Json& records, const std::string& ptr) {
    std::vector<TargetOps> out;
    for (size_t i = 0; i < records.size(); ++i) {
      const std::string rp = pointer_append(ptr, i);
      const Json& r = records[i];
      if (!r.is_object() || !r.contains("id") || !r["id"].is_string())
        throw doc.error(rp, "a container record needs \"id\": \"<namespace>/<pod>[/<container>]\"");
      TargetOps t;
      t.id = r["id"].get<std::string>();
      t.target_side = text(r, {"selectorKey"}) == ".Target";
      t.doc = &doc;
      t.ptr = rp;
      const Json* evs = find(r, {"events"});
      if (evs != nullptr && evs->is_array()) {
        for (size_t k = 0; k < evs->size(); ++k) {
          const std::string ep = pointer_append(pointer_append(rp, "events"), k);
          const Json& e = (*evs)[k];
          if (!e.is_object() || !e.contains("timestamp") || !e.contains("operation"))
            throw doc.error(ep, "a record event needs {type, operation: Apply|Recover, timestamp}");
          const std::string op = text(e, {"operation"});
          if (op != "Apply" && op != "Recover")
            throw doc.error(pointer_append(ep, "operation"), "expected Apply or Recover, got \"" + op + "\"");
          const std::string type = text(e, {"type"});
          t.ops.push_back({read_timestamp(e["timestamp"], doc, pointer_append(ep, "timestamp")), op == "Apply",
                           type != "Failed", text(e, {"message"}), &doc, ep});
        }
      }
      if (t.ops.empty())
        ctx_.unmapped(doc, rp, "record " + t.id,
                      "the record holds no events (phase " + text(r, {"phase"}) + "): no time to replay", "fault dropped");
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<TargetOps> event_records(const std::vector<size_t>& evs, const Template& t) {
    std::vector<TargetOps> out;
    for (size_t i : evs) {
      const K8sEvent& e = events_.events[i];
      if (e.target_id.empty()) {
        ctx_.unmapped(*e.doc, e.pointer, e.reason + " event",
                      "the event names no target (no chaos-mesh.org/id annotation, message \"" + e.message + "\")",
                      e.reason == "Failed" ? "ignored" : "fault dropped");
        continue;
      }
      auto it = std::find_if(out.begin(), out.end(), [&](const TargetOps& x) { return x.id == e.target_id; });
      if (it == out.end()) {
        TargetOps n;
        n.id = e.target_id;
        n.doc = e.doc;
        n.ptr = e.pointer;
        // Events do not say which side of a NetworkChaos a pod is on: the selectors tell.
        if (t.network && t.has_peers) {
          std::string reason;
          const auto path = ctx_.map_pod(pod_id(e.target_id), reason);
          const bool source = path && std::find(t.candidates.begin(), t.candidates.end(), *path) != t.candidates.end();
          const bool peer = path && std::find(t.peer_candidates.begin(), t.peer_candidates.end(), *path) != t.peer_candidates.end();
          n.target_side = peer && !source;
        }
        out.push_back(std::move(n));
        it = out.end() - 1;
      }
      const bool apply = e.reason == "Applied" || (e.reason == "Failed" && e.message.find("recover") == std::string::npos);
      it->ops.push_back({e.time_ns, apply, e.reason != "Failed", e.message, e.doc, e.pointer});
    }
    return out;
  }

  void status_check(const Document& doc, const Json& spec, const std::string& ptr, std::optional<bool> abort) {
    const std::string url = text(spec, {"http", "url"});
    ctx_.unmapped(doc, ptr, "StatusCheck",
                  "a StatusCheck probes a live endpoint (" + (text(spec, {"type"}).empty() ? "HTTP" : text(spec, {"type"})) +
                      (url.empty() ? "" : " " + url) +
                      ") that the simulation does not have, so it cannot be evaluated; it is taken as passing" +
                      (abort.value_or(false) ? ", so the workflow's abortWithStatusCheck never fires" : ""),
                  "assumed");
  }

  void schedule(const Document& doc, const Json& spec, const std::string& ptr, int64_t from, int64_t to,
                const std::string& object, int depth) {
    const std::string sched = text(spec, {"schedule"});
    const std::string type = text(spec, {"type"});
    if (sched.empty()) throw doc.error(ptr, "a Schedule needs \"schedule\" (cron or \"@every 5m\")");
    if (type.empty()) throw doc.error(ptr, "a Schedule needs \"type\" (PodChaos, NetworkChaos, …, Workflow)");
    CronSchedule cron;
    try {
      cron = parse_cron(sched);
    } catch (const std::exception& e) {
      throw doc.error(pointer_append(ptr, "schedule"), e.what());
    }
    const std::string key = embed_key(type);
    const std::string ep = pointer_append(ptr, key);
    const Json* embedded = find(spec, {key});
    if (embedded == nullptr || !embedded->is_object())
      throw doc.error(ptr, "a Schedule of type " + type + " needs its spec under \"" + key + "\"");
    const std::string policy = spec.contains("concurrencyPolicy") ? text(spec, {"concurrencyPolicy"}) : "Forbid";
    if (policy != "Forbid" && policy != "Allow")
      throw doc.error(pointer_append(ptr, "concurrencyPolicy"), "expected Forbid or Allow, got \"" + policy + "\"");
    const int64_t epoch0 = ctx_.scenario().start_epoch_ns;
    std::vector<int64_t> ticks;
    try {
      ticks = cron_ticks(cron, epoch0 + from, epoch0 + to, kMaxTicks);
    } catch (const std::length_error& e) {
      throw doc.error(pointer_append(ptr, "schedule"), std::string(e.what()) + " in the window");
    }
    if (!cron.every_ns)
      ctx_.unmapped(doc, pointer_append(ptr, "schedule"), "schedule",
                    "cron times are read in UTC from the scenario's start_time " + format_rfc3339(epoch0), "assumed");
    if (ticks.empty())
      ctx_.unmapped(doc, pointer_append(ptr, "schedule"), "schedule \"" + sched + "\"",
                    "it does not fire within the window [" + format_seconds(from) + " s, " + format_seconds(to) + " s)",
                    "fault dropped");
    if (type == "Workflow") {
      for (size_t k = 0; k < ticks.size(); ++k)
        workflow(doc, *embedded, ep, ticks[k] - epoch0, object + "/" + std::to_string(k), depth + 1);
      return;
    }
    Translator tr(ctx_, doc, true);
    const Template t = tr.translate(type, *embedded, ep);
    if (!t.ok) return;
    std::optional<int64_t> busy_until;  // Forbid: a tick is skipped while the last object runs
    bool forever = false;
    size_t skipped = 0;
    for (size_t k = 0; k < ticks.size(); ++k) {
      const int64_t at = ticks[k] - epoch0;
      if (policy == "Forbid" && !t.one_shot && (forever || (busy_until && at < *busy_until))) {
        ++skipped;
        continue;
      }
      predict(ctx_, doc, t, at, to, object + "/" + std::to_string(k), ep);
      if (!t.one_shot) {
        if (t.duration_ns)
          busy_until = at + *t.duration_ns;
        else
          forever = true;
      }
    }
    if (skipped > 0)
      ctx_.unmapped(doc, pointer_append(ptr, "concurrencyPolicy"), "concurrencyPolicy Forbid",
                    std::to_string(skipped) + " ticks fall while the previous object still runs: Chaos Mesh skips them",
                    "fault dropped");
  }

  // Runs a workflow template from t0; returns when it ends (empty: never).
  std::optional<int64_t> node(const Document& doc, const Json& spec, const std::string& spec_ptr,
                              const std::map<std::string, size_t>& index, const std::string& name, int64_t t0,
                              std::optional<int64_t> cap, const std::string& object, int depth) {
    if (depth > 64) throw doc.error(spec_ptr, "the workflow's templates nest more than 64 deep (a cycle?)");
    auto it = index.find(name);
    const std::string tp = pointer_append(spec_ptr, "templates");
    if (it == index.end()) throw doc.error(tp, "no template is named \"" + name + "\"");
    const Json& tmpl = spec["templates"][it->second];
    const std::string ptr = pointer_append(tp, it->second);
    const std::string type = text(tmpl, {"templateType"});
    std::optional<int64_t> deadline;
    if (const Json* d = find(tmpl, {"deadline"}); d != nullptr && !d->is_null())
      deadline = read_duration(*d, doc, pointer_append(ptr, "deadline")).count_ns();
    std::optional<int64_t> my_cap = cap;
    if (deadline && (!my_cap || t0 + *deadline < *my_cap)) my_cap = t0 + *deadline;
    const auto capped = [&](std::optional<int64_t> end) -> std::optional<int64_t> {
      if (!my_cap) return end;
      if (!end) return my_cap;
      return std::min(*end, *my_cap);
    };
    const std::string node_id = object + "/" + name;
    if (type == "Serial" || type == "Parallel") {
      const Json* children = find(tmpl, {"children"});
      if (children == nullptr || !children->is_array()) throw doc.error(ptr, type + " needs \"children\"");
      std::optional<int64_t> t = t0, latest = t0;
      for (size_t i = 0; i < children->size(); ++i) {
        const std::string child = scalar_text((*children)[i]).value_or("");
        const std::string cp = pointer_append(pointer_append(ptr, "children"), i);
        if (type == "Serial" && (!t || (my_cap && *t >= *my_cap))) {
          ctx_.unmapped(doc, cp, "child " + child,
                        !t ? "the child before it never ends, so it never starts" : "the deadline ends the node first",
                        "fault dropped");
          continue;
        }
        const auto end = node(doc, spec, spec_ptr, index, child, type == "Serial" ? *t : t0, my_cap, object, depth + 1);
        if (type == "Serial") {
          t = end;
        } else if (!end) {
          latest.reset();
        } else if (latest) {
          latest = std::max(*latest, *end);
        }
      }
      return capped(type == "Serial" ? t : latest);
    }
    if (type == "Suspend") {
      if (!deadline) return capped(std::nullopt);
      return capped(t0 + *deadline);
    }
    if (type == "Schedule") {
      const Json* s = find(tmpl, {"schedule"});
      if (s == nullptr || !s->is_object()) throw doc.error(ptr, "a Schedule template needs \"schedule\"");
      const int64_t end = my_cap ? *my_cap : ctx_.window_end_ns(doc, ptr);
      schedule(doc, *s, pointer_append(ptr, "schedule"), t0, end, node_id, depth + 1);
      return capped(end);
    }
    if (type == "StatusCheck") {
      const Json* s = find(tmpl, {"statusCheck"});
      const Json empty = Json::object();
      const Json& sc = s != nullptr && s->is_object() ? *s : empty;
      const Json* abort = find(tmpl, {"abortWithStatusCheck"});
      status_check(doc, sc, ptr, abort != nullptr && abort->is_boolean() && abort->get<bool>());
      if (text(sc, {"mode"}) == "Synchronous") return capped(t0);  // passes at its first check
      std::optional<int64_t> end;
      if (const Json* d = find(sc, {"duration"}); d != nullptr && !d->is_null())
        end = t0 + read_duration(*d, doc, pointer_append(pointer_append(ptr, "statusCheck"), "duration")).count_ns();
      return capped(end);
    }
    if (type == "Task") {
      ctx_.unmapped(doc, ptr, "Task " + name,
                    "a Task runs a container (" + text(tmpl, {"task", "container", "image"}) +
                        ") that the simulation cannot run; it is taken as instantaneous",
                    "assumed");
      if (const Json* br = find(tmpl, {"conditionalBranches"}); br != nullptr && br->is_array())
        for (size_t i = 0; i < br->size(); ++i)
          ctx_.unmapped(doc, pointer_append(pointer_append(ptr, "conditionalBranches"), i),
                        "branch to " + text((*br)[i], {"target"}),
                        "the branch depends on the Task's output (" + text((*br)[i], {"expression"}) +
                            "), which cannot be evaluated",
                        "fault dropped");
      return capped(t0);
    }
    if (is_chaos_kind(type) || unmodelled_kinds().count(type)) {
      const std::string key = embed_key(type);
      const Json* embedded = find(tmpl, {key});
      if (embedded == nullptr || !embedded->is_object())
        throw doc.error(ptr, "a " + type + " template needs its spec under \"" + key + "\"");
      Translator tr(ctx_, doc, true);
      const Template t = tr.translate(type, *embedded, pointer_append(ptr, key));
      // A chaos node lasts its deadline (Chaos Mesh deletes the object then), else its duration.
      const std::optional<int64_t> dur = deadline ? deadline : t.duration_ns;
      predict(ctx_, doc, t, t0, my_cap, node_id, pointer_append(ptr, key), dur);
      if (t.one_shot) return capped(deadline ? std::optional<int64_t>(t0 + *deadline) : std::optional<int64_t>(t0));
      return capped(dur ? std::optional<int64_t>(t0 + *dur) : std::nullopt);
    }
    ctx_.unmapped(doc, pointer_append(ptr, "templateType"), "templateType " + type, "unknown workflow template type",
                  "fault dropped");
    return capped(t0);
  }

  void workflow(const Document& doc, const Json& spec, const std::string& ptr, int64_t t0, const std::string& object,
                int depth) {
    const Json* templates = find(spec, {"templates"});
    if (templates == nullptr || !templates->is_array()) throw doc.error(ptr, "a Workflow needs \"templates\"");
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < templates->size(); ++i) {
      const std::string n = text((*templates)[i], {"name"});
      if (n.empty()) throw doc.error(pointer_append(pointer_append(ptr, "templates"), i), "a template needs a \"name\"");
      if (!index.emplace(n, i).second)
        throw doc.error(pointer_append(pointer_append(ptr, "templates"), i), "duplicate template name \"" + n + "\"");
    }
    const std::string entry = text(spec, {"entry"});
    if (entry.empty()) throw doc.error(ptr, "a Workflow needs \"entry\" (the first template)");
    const auto end = node(doc, spec, ptr, index, entry, t0, std::nullopt, object, depth);
    (void)end;
  }
};

}  // namespace

bool is_chaos_mesh(const Json& root) {
  if (!root.is_object()) return false;
  const std::string api = text(root, {"apiVersion"});
  return api.rfind("chaos-mesh.org/", 0) == 0;
}

ChaosMeshObject chaos_mesh_object(const Document& doc, const std::string& pointer, const Json& object) {
  ChaosMeshObject o;
  o.doc = &doc;
  o.pointer = pointer;
  o.object = &object;
  o.kind = text(object, {"kind"});
  o.name = text(object, {"metadata", "name"});
  o.ns = text(object, {"metadata", "namespace"});
  if (o.kind.empty()) throw doc.error(pointer, "a Chaos Mesh object needs \"kind\"");
  return o;
}

void import_chaos_mesh(ImportContext& ctx, const std::vector<ChaosMeshObject>& objects, const EventSet& events) {
  ChaosMeshImporter imp(ctx, events);
  for (const ChaosMeshObject& o : objects) imp.object(o);
  imp.orphan_events();
}

}  // namespace faultline::sim::importers
