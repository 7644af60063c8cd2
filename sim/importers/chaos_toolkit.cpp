#include "sim/importers/chaos_toolkit.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include "sim/core/rfc3339.hpp"
#include "sim/importers/probes.hpp"

namespace faultline::sim::importers {

namespace {

std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// One activity's meaning: a fault kind with its targets, or why it is not a fault.
struct Action {
  bool fault = false;
  std::string kind;
  std::vector<std::string> targets;
  Json params = Json::object();
  std::string reason;  // when not a fault, or what was assumed
  bool assumed = false;
};

class Toolkit {
 public:
  Toolkit(ImportContext& ctx, const Document& doc, const Json& experiment, std::string experiment_ptr)
      : ctx_(ctx), doc_(doc), exp_(experiment), exp_ptr_(std::move(experiment_ptr)) {}

  // "${name}" → the experiment's configuration, --var, or the environment default it declares.
  std::optional<std::string> substitute(const std::string& value, std::string& missing) const {
    std::string out;
    size_t pos = 0;
    while (pos < value.size()) {
      const size_t open = value.find("${", pos);
      if (open == std::string::npos) {
        out += value.substr(pos);
        break;
      }
      const size_t close = value.find('}', open);
      if (close == std::string::npos) {
        out += value.substr(pos);
        break;
      }
      out += value.substr(pos, open - pos);
      const std::string name = value.substr(open + 2, close - open - 2);
      const auto v = config(name);
      if (!v) {
        missing = name;
        return std::nullopt;
      }
      out += *v;
      pos = close + 1;
    }
    return out;
  }

  std::optional<std::string> config(const std::string& name) const {
    const auto& vars = ctx_.options().vars;
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    const Json* c = find(exp_, {"configuration", name});
    if (c == nullptr) return std::nullopt;
    if (auto s = scalar_text(*c)) return s;
    if (c->is_object() && text(*c, {"type"}) == "env") {
      const std::string key = text(*c, {"key"});
      if (auto it = vars.find(key); it != vars.end()) return it->second;
      if (c->contains("default")) return scalar_text((*c)["default"]);
    }
    return std::nullopt;
  }

  // The arguments with configuration substituted; empty with the reason when one is missing.
  std::optional<Json> arguments(const Json& provider, std::string& reason) const {
    Json args = Json::object();
    const Json* a = find(provider, {"arguments"});
    if (a == nullptr || !a->is_object()) return args;
    for (const auto& [k, v] : a->items()) {
      if (!v.is_string()) {
        args[k] = v;
        continue;
      }
      std::string missing;
      auto s = substitute(v.get<std::string>(), missing);
      if (!s) {
        const Json* c = find(exp_, {"configuration", missing});
        const std::string key = c != nullptr && c->is_object() ? text(*c, {"key"}) : "";
        reason = "argument " + k + " = \"" + v.get<std::string>() + "\" needs configuration \"" + missing + "\"" +
                 (key.empty() ? "" : " (environment variable " + key + ")") + ", which the file does not give: pass --var " +
                 missing + "=VALUE";
        return std::nullopt;
      }
      args[k] = *s;
    }
    return args;
  }

  Action interpret(const Json& activity, const std::string& ptr) const {
    Action a;
    const std::string type = text(activity, {"type"});
    const std::string name = text(activity, {"name"});
    if (type == "probe") {
      a.reason = "probe " + name + " in the method observes, it injects no fault (the steady-state hypothesis's "
                                   "Prometheus probes are imported as probes)";
      return a;
    }
    const Json* provider = find(activity, {"provider"});
    if (provider == nullptr || !provider->is_object()) {
      a.reason = "activity " + name + " has no provider";
      return a;
    }
    const std::string ptype = text(*provider, {"type"});
    if (ptype == "http") {
      a.reason = "action " + name + " calls " + text(*provider, {"url"}) + " over HTTP: faultline cannot tell what it does";
      return a;
    }
    if (ptype == "process") {
      std::string args;
      if (const Json* v = find(*provider, {"arguments"}); v != nullptr) {
        if (v->is_array())
          for (const Json& x : *v) args += (args.empty() ? "" : " ") + scalar_text(x).value_or("");
        else
          args = scalar_text(*v).value_or("");
      }
      const std::string path = text(*provider, {"path"});
      std::string missing;
      const std::string line = substitute(args, missing).value_or(args);
      static const std::regex kubectl_delete("delete\\s+(pod|pods|po)[/ ]\\s*([a-z0-9][-a-z0-9.]*)(.*)");
      std::smatch m;
      if ((path == "kubectl" || (path.size() > 8 && path.substr(path.size() - 8) == "/kubectl")) && line.size() < 1000 &&
          std::regex_search(line, m, kubectl_delete)) {
        std::string reason;
        if (auto p = ctx_.map_pod(m[2].str(), reason)) {
          a.fault = true;
          a.kind = "pod-kill";
          a.targets = {*p};
          const bool force = m[3].str().find("--force") != std::string::npos || m[3].str().find("--grace-period=0") != std::string::npos;
          a.params = ctx_.fault_params("pod-kill", {{"grace_period", force ? "0s" : "30s", ptr}}, doc_, ptr);
          a.assumed = !force;
          if (!force) a.reason = "kubectl delete without --grace-period: Kubernetes' default 30 s is assumed";
        } else {
          a.reason = reason;
        }
        return a;
      }
      a.reason = "action " + name + " runs \"" + path + " " + line + "\": not a command faultline maps to a fault";
      return a;
    }
    if (ptype != "python") {
      a.reason = "unknown provider type \"" + ptype + "\"";
      return a;
    }
    const std::string module = text(*provider, {"module"});
    const std::string func = text(*provider, {"func"});
    const std::string call = module + "." + func;
    std::string missing_reason;
    const auto args = arguments(*provider, missing_reason);
    if (!args && (module.rfind("chaosk8s", 0) == 0)) {
      a.reason = missing_reason;
      return a;
    }
    if (call == "chaosk8s.pod.actions.terminate_pods" || call == "chaosk8s.pod.actions.delete_pods" ||
        call == "chaosk8s.actions.kill_microservice") {
      return pods_action(call, *args, ptr);
    }
    if (module.rfind("chaosk8s.node", 0) == 0) {
      a.reason = call + ": a node-level action: the importer does not resolve which pods the node holds; write "
                          "node-down or pod-kill faults on those pods instead";
      return a;
    }
    if (call == "chaosk8s.deployment.actions.scale_deployment") {
      a.reason = call + ": scaling is a scenario change (components.<name>.count), not a fault";
      return a;
    }
    a.reason = "action " + name + " calls " + call + ", which maps to no fault kind";
    return a;
  }

  Action pods_action(const std::string& call, const Json& args, const std::string& ptr) const {
    Action a;
    const std::string label = args.contains("label_selector") ? scalar_text(args["label_selector"]).value_or("") : "";
    const std::string pattern = args.contains("name_pattern") ? scalar_text(args["name_pattern"]).value_or("") : "";
    std::vector<std::string> pods;
    if (call == "chaosk8s.pod.actions.delete_pods" && args.contains("name") && !label.size()) {
      std::string reason;
      if (auto p = ctx_.map_pod(scalar_text(args["name"]).value_or(""), reason))
        pods.push_back(*p);
      else
        a.reason = reason;
    } else if (call == "chaosk8s.actions.kill_microservice") {
      const std::string name = args.contains("name") ? scalar_text(args["name"]).value_or("") : "";
      for (const auto& inst : ctx_.scenario().instances)
        if (inst.base_name == name) pods.push_back(inst.path);
      if (pods.empty()) a.reason = "no component is named " + name;
    } else {
      LabelSelector sel;
      if (!label.empty()) sel = parse_label_string(label, doc_, ptr);
      pods = ctx_.select(sel);
      if (!pattern.empty() && pattern.size() < 200) {
        std::regex re;
        try {
          re = std::regex(pattern);
        } catch (const std::regex_error&) {
          throw doc_.error(ptr, "name_pattern \"" + pattern + "\" is not a regular expression");
        }
        std::vector<std::string> kept;
        for (const std::string& p : pods)
          if (std::regex_search(p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1), re)) kept.push_back(p);
        pods = kept;
      }
      if (pods.empty()) a.reason = "label selector \"" + label + "\" matches no component; " + ctx_.labels_overview();
    }
    if (pods.empty()) return a;
    std::sort(pods.begin(), pods.end());
    if (call == "chaosk8s.pod.actions.terminate_pods") {
      // chaosk8s: all → every pod; rand → a random sample of qty; else the first qty in order.
      const bool all = args.contains("all") && args["all"].is_boolean() && args["all"].get<bool>();
      double qty = args.contains("qty") ? read_number(args["qty"], doc_, ptr, "qty") : 1;
      if (text(args, {"mode"}) == "percentage") qty = std::ceil(qty * static_cast<double>(pods.size()) / 100.0);
      if (qty < 0) throw doc_.error(ptr, "qty must be ≥ 0");
      const auto n = std::min(pods.size(), static_cast<size_t>(std::min(qty, 1e6)));
      const bool rand = args.contains("rand") && args["rand"].is_boolean() && args["rand"].get<bool>();
      if (!all) {
        if (rand) {
          draw_ = true;
        } else {
          if (text(args, {"order"}) == "oldest") {
            a.reason = "order oldest: pod ages are not modelled; the first by name are taken";
            a.assumed = true;
          }
          pods.resize(n);
        }
      }
      sample_ = rand && !all ? n : 0;
    }
    a.fault = true;
    a.kind = "pod-kill";
    a.targets = pods;
    std::string grace = "30s";
    if (args.contains("grace_period")) {
      const double g = read_number(args["grace_period"], doc_, ptr, "grace_period");
      if (g >= 0) grace = format_duration(Duration::s(static_cast<int64_t>(g)));
    }
    if (grace == "30s" && !a.assumed) {
      a.reason = "no grace_period: the pods' default, Kubernetes' 30 s, is assumed";
      a.assumed = true;
    }
    a.params = ctx_.fault_params("pod-kill", {{"grace_period", grace, ptr}}, doc_, ptr);
    return a;
  }

  // rand=true picks a sample; its size (0 when no draw).
  mutable bool draw_ = false;
  mutable size_t sample_ = 0;

  ImportContext& ctx_;
  const Document& doc_;
  const Json& exp_;
  std::string exp_ptr_;
};

double pause(const Json& activity, const char* which, const Document& doc, const std::string& ptr) {
  const Json* p = find(activity, {"pauses", which});
  if (p == nullptr || p->is_null()) return 0;
  const double s = read_number(*p, doc, ptr + "/pauses/" + which, std::string("pauses.") + which + " (seconds)");
  if (s < 0 || s > 1e7) throw doc.error(ptr + "/pauses/" + which, "expected seconds ≥ 0");
  return s;
}

// The hypothesis's Prometheus probes become the run's probes (sim/importers/probes.cpp).
void report_hypothesis(ImportContext& ctx, const Document& doc, const Json& exp, const std::string& ptr,
                       const Toolkit& tk) {
  import_chaos_toolkit_hypothesis(ctx, doc, exp, ptr, [&tk](const std::string& value, std::string& reason) {
    std::string missing;
    auto s = tk.substitute(value, missing);
    if (!s) reason = "the query needs configuration \"" + missing + "\", which the file does not give: pass --var " +
                     missing + "=VALUE";
    return s;
  });
  if (const Json* r = find(exp, {"rollbacks"}); r != nullptr && r->is_array())
    for (size_t i = 0; i < r->size(); ++i)
      ctx.unmapped(doc, ptr + "/rollbacks/" + std::to_string(i), "rollback " + text((*r)[i], {"name"}),
                   "rollbacks undo the method after it: not a fault", "ignored");
}

// The activity a method entry designates: itself, or a {"ref": name} to a named activity.
const Json* resolve_ref(const Json& exp, const Json& entry) {
  if (!entry.contains("ref")) return &entry;
  const std::string name = text(entry, {"ref"});
  for (const char* where : {"method", "rollbacks"})
    if (const Json* list = find(exp, {where}); list != nullptr && list->is_array())
      for (const Json& a : *list)
        if (a.is_object() && !a.contains("ref") && text(a, {"name"}) == name) return &a;
  if (const Json* probes = find(exp, {"steady-state-hypothesis", "probes"}); probes != nullptr && probes->is_array())
    for (const Json& a : *probes)
      if (a.is_object() && text(a, {"name"}) == name) return &a;
  return nullptr;
}

void emit(ImportContext& ctx, Toolkit& tk, const Action& a, const Document& doc, const std::string& ptr, int64_t start,
          bool absolute, const std::string& object) {
  std::vector<std::string> targets = a.targets;
  if (tk.draw_ && tk.sample_ > 0) {
    // rand=true: a seeded sample, as a prediction draws it.
    RandomStream rng = ctx.stream(object, "targets");
    targets = select_targets(targets, "fixed", static_cast<double>(tk.sample_), rng);
    ctx.unmapped(doc, ptr, "rand", "the pods are drawn at random: a seeded draw stands for the live one", "assumed");
  }
  tk.draw_ = false;
  tk.sample_ = 0;
  if (targets.empty()) return;
  PendingFault f;
  f.kind = a.kind;
  f.start_ns = start;
  f.absolute = absolute;
  f.targets = targets;
  f.params = a.params;
  f.source = {{"file", doc.file}, {"at", ptr}, {"object", object}};
  ctx.add_fault(std::move(f));
}

}  // namespace

bool is_chaos_toolkit_experiment(const Json& root) {
  return root.is_object() && root.contains("method") && root["method"].is_array() &&
         (root.contains("title") || root.contains("steady-state-hypothesis")) && !root.contains("run");
}

bool is_chaos_toolkit_journal(const Json& root) {
  return root.is_object() && (root.contains("chaoslib-version") || (root.contains("experiment") && root.contains("run")));
}

void import_chaos_toolkit_experiment(ImportContext& ctx, const Document& doc) {
  ctx.note_format(doc.file, "chaos toolkit experiment");
  const Json& exp = doc.root;
  Toolkit tk(ctx, doc, exp, "");
  report_hypothesis(ctx, doc, exp, "", tk);
  const std::string object = "chaostoolkit/" + text(exp, {"title"});
  const Json& method = exp["method"];
  double t = static_cast<double>(ctx.definitions_start_ns()) / 1e9;
  bool timed = false;
  for (size_t i = 0; i < method.size(); ++i) {
    const std::string ptr = pointer_append("/method", i);
    const Json* activity = resolve_ref(exp, method[i]);
    if (activity == nullptr) {
      ctx.unmapped(doc, ptr, "ref " + text(method[i], {"ref"}), "no activity has that name", "ignored");
      continue;
    }
    t += pause(*activity, "before", doc, ptr);
    const Action a = tk.interpret(*activity, ptr);
    if (a.fault) {
      emit(ctx, tk, a, doc, ptr, static_cast<int64_t>(std::llround(t * 1e9)), false, object + "/" + std::to_string(i));
      timed = true;
      if (a.assumed) ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}), a.reason, "assumed");
    } else {
      ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}), a.reason, "ignored");
    }
    // A background activity runs alongside the next; its pause still delays what follows.
    t += pause(*activity, "after", doc, ptr);
  }
  if (timed)
    ctx.unmapped(doc, "/method", "method timing",
                 "activities are taken as instantaneous: only their pauses advance the clock", "assumed");
}

void import_chaos_toolkit_journal(ImportContext& ctx, const Document& doc) {
  ctx.note_format(doc.file, "chaos toolkit journal");
  const Json& j = doc.root;
  const Json* exp = find(j, {"experiment"});
  if (exp == nullptr || !exp->is_object()) throw doc.error("", "a journal needs \"experiment\" (the experiment it ran)");
  bool naive = false;
  // Old chaoslib writes naive local times: differences between them are exact, so they are read
  // as UTC and only the absolute start is uncertain.
  auto time_of = [&](const Json& v, const std::string& ptr) -> int64_t {
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      if (!parse_rfc3339(s) && s.size() >= 19 && s.size() < 40 && s.find_first_of("Zz+") == std::string::npos &&
          s.find('-', 10) == std::string::npos) {
        naive = true;
        return read_timestamp(Json(s + "Z"), doc, ptr);
      }
    }
    return read_timestamp(v, doc, ptr);
  };
  if (const Json* start = find(j, {"start"}); start != nullptr) ctx.add_anchor(time_of(*start, "/start"));
  Toolkit tk(ctx, doc, *exp, "/experiment");
  report_hypothesis(ctx, doc, *exp, "/experiment", tk);
  const std::string status = text(j, {"status"});
  const Json* deviated = find(j, {"deviated"});
  ctx.unmapped(doc, "/status", "journal verdict",
               "the run ended " + (status.empty() ? std::string("?") : status) + ", deviated " +
                   (deviated != nullptr ? deviated->dump() : std::string("?")) +
                   ": the verdict is the live one, not replayed (DESIGN §7)",
               "ignored");
  const Json* run = find(j, {"run"});
  if (run == nullptr || !run->is_array()) throw doc.error("", "a journal needs \"run\": the method's activities as run");
  const std::string object = "chaostoolkit/" + text(*exp, {"title"});
  for (size_t i = 0; i < run->size(); ++i) {
    const std::string ptr = pointer_append("/run", i);
    const Json& r = (*run)[i];
    const Json* activity = find(r, {"activity"});
    if (activity == nullptr || !activity->is_object()) throw doc.error(ptr, "a run entry needs \"activity\"");
    if (!r.contains("start")) throw doc.error(ptr, "a run entry needs \"start\"");
    const int64_t start = time_of(r["start"], pointer_append(ptr, "start"));
    Action a = tk.interpret(*activity, pointer_append(ptr, "activity"));
    if (!a.fault) {
      ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}), a.reason, "ignored");
      continue;
    }
    if (text(r, {"status"}) == "failed") {
      ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}), "the action failed in the run: nothing was injected",
                   "fault dropped");
      tk.draw_ = false;
      continue;
    }
    // Newer chaosk8s returns the terminated pods' names: then they are the recorded targets.
    if (const Json* out = find(r, {"output"}); out != nullptr && out->is_array() && !out->empty()) {
      std::vector<std::string> named;
      for (size_t k = 0; k < out->size(); ++k) {
        const std::string pod = (*out)[k].is_object() ? text((*out)[k], {"name"}) : scalar_text((*out)[k]).value_or("");
        std::string reason;
        if (auto p = ctx.map_pod(pod, reason))
          named.push_back(*p);
        else
          ctx.unmapped(doc, pointer_append(pointer_append(ptr, "output"), k), "pod " + pod, reason, "target dropped");
      }
      std::sort(named.begin(), named.end());
      a.targets = named;
      tk.draw_ = false;
    } else if (a.targets.size() > 0) {
      ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}),
                   "the journal does not name the pods (output " + (r.contains("output") ? r["output"].dump() : "absent") +
                       "): they are chosen from the selector as chaosk8s chooses them",
                   "assumed");
    }
    if (a.assumed) ctx.unmapped(doc, ptr, "activity " + text(*activity, {"name"}), a.reason, "assumed");
    emit(ctx, tk, a, doc, ptr, start, true, object + "/run/" + std::to_string(i));
  }
  if (const Json* rb = find(j, {"rollbacks"}); rb != nullptr && rb->is_array() && !rb->empty())
    ctx.unmapped(doc, "/rollbacks", "rollbacks (" + std::to_string(rb->size()) + ")",
                 "rollbacks undo the method: not faults", "ignored");
  if (naive)
    ctx.unmapped(doc, "/start", "timestamps",
                 "naive local times (no zone, old chaoslib): read as UTC; the times between events are exact, the "
                 "start_time may be off by the machine's zone (use --start-time)",
                 "assumed");
}

}  // namespace faultline::sim::importers
