#include "sim/importers/gloo_shot.hpp"

#include <cmath>

#include "sim/experiment/tolerance.hpp"
#include "sim/importers/probes.hpp"

namespace faultline::sim::importers {

namespace {

std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// The first of several spellings that is present (Gloo Shot's examples use camelCase, the
// protobuf's JSON snake_case, and older files a `prometheusTrigger` without `trigger`).
const Json* first_of(const Json& obj, const std::vector<std::vector<std::string>>& paths, std::string& used) {
  for (const auto& p : paths)
    if (const Json* v = find(obj, p); v != nullptr) {
      used.clear();
      for (const auto& s : p) used += "/" + s;
      return v;
    }
  return nullptr;
}

// A Gloo upstream name such as "default-ratings-9080" (namespace-service-port) or a plain
// service name: the component it designates, tried as written, without the port, then without
// leading namespace segments.
std::vector<std::string> service_targets(const ImportContext& ctx, const std::string& name) {
  std::vector<std::string> candidates = {name};
  std::string s = name;
  if (const size_t dash = s.rfind('-'); dash != std::string::npos && dash + 1 < s.size() &&
                                        s.find_first_not_of("0123456789", dash + 1) == std::string::npos) {
    s = s.substr(0, dash);
    candidates.push_back(s);
  }
  for (size_t dash = s.find('-'); dash != std::string::npos; dash = s.find('-', dash + 1))
    candidates.push_back(s.substr(dash + 1));
  for (const std::string& c : candidates) {
    std::vector<std::string> paths;
    for (const auto& inst : ctx.scenario().instances)
      if (inst.base_name == c) paths.push_back(inst.path);
    if (!paths.empty()) return paths;
  }
  return {};
}

void faults(ImportContext& ctx, const Document& doc, const std::string& sp, const Json& spec, int64_t start,
            int64_t end, const std::string& object) {
  const Json* list = find(spec, {"faults"});
  if (list == nullptr || !list->is_array() || list->empty()) {
    ctx.unmapped(doc, sp, "faults", "the experiment injects no fault", "ignored");
    return;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string fp = pointer_append(sp + "/faults", i);
    const Json& f = (*list)[i];
    const Json* dests = find(f, {"destinationServices"});
    if (dests == nullptr || !dests->is_array() || dests->empty()) {
      ctx.unmapped(doc, fp, "fault " + std::to_string(i),
                   "no destinationServices: the fault would hit every service of the mesh; name the services",
                   "fault dropped");
      continue;
    }
    std::vector<std::string> targets;
    for (size_t k = 0; k < dests->size(); ++k) {
      const std::string name = text((*dests)[k], {"name"});
      const auto paths = service_targets(ctx, name);
      if (paths.empty())
        ctx.unmapped(doc, pointer_append(fp + "/destinationServices", k), "destination " + name,
                     "no component of scenario " + ctx.scenario().name +
                         " is named after this upstream (tried the name, without its port, without its namespace)",
                     "target dropped");
      targets.insert(targets.end(), paths.begin(), paths.end());
    }
    if (const Json* o = find(f, {"originServices"}); o != nullptr && o->is_array() && !o->empty())
      ctx.unmapped(doc, fp + "/originServices", "originServices",
                   "the fault applies to the requests of every caller, not only these origins", "assumed");
    const Json* fault = find(f, {"fault"});
    if (fault == nullptr || !fault->is_object()) {
      ctx.unmapped(doc, fp, "fault " + std::to_string(i), "no \"fault\" (abort or delay)", "fault dropped");
      continue;
    }
    double percentage = 0;
    if (const Json* p = find(*fault, {"percentage"}); p != nullptr)
      percentage = read_number(*p, doc, fp + "/fault/percentage", "percentage");
    if (percentage <= 0 || percentage > 100) {
      ctx.unmapped(doc, fp + "/fault", "fault " + std::to_string(i),
                   "percentage " + experiment::number_text(percentage) +
                       ": Gloo Shot affects no request without a percentage in (0, 100]",
                   "fault dropped");
      continue;
    }
    for (const char* what : {"abort", "delay"}) {
      const Json* x = find(*fault, {what});
      if (x == nullptr || !x->is_object()) continue;
      const std::string xp = fp + "/fault/" + what;
      std::vector<ImportContext::Param> params = {{"percent", percentage / 100.0, fp + "/fault/percentage"}};
      std::string kind = "mesh-abort";
      if (std::string(what) == "abort") {
        if (const Json* s = find(*x, {"httpStatus"}); s != nullptr)
          params.push_back({"http_status", *s, xp + "/httpStatus"});
      } else {
        kind = "mesh-delay";
        const Json* d = find(*x, {"duration"});
        if (d == nullptr) {
          ctx.unmapped(doc, xp, "fault.delay", "a delay needs \"duration\"", "fault dropped");
          continue;
        }
        const std::string type = text(*x, {"delayType"});
        if (!type.empty() && type != "FIXED")
          ctx.unmapped(doc, xp + "/delayType", "delayType " + type, "the delay is taken as fixed", "assumed");
        params.push_back({"delay", *d, xp + "/duration"});
      }
      if (targets.empty()) continue;
      PendingFault pf;
      pf.kind = kind;
      pf.start_ns = start;
      pf.end_ns = end;
      pf.targets = targets;
      pf.params = ctx.fault_params(kind, params, doc, xp);
      pf.source = {{"file", doc.file}, {"at", xp}, {"object", object}};
      ctx.add_fault(std::move(pf));
    }
  }
}

void conditions(ImportContext& ctx, const Document& doc, const std::string& sp, const Json& spec,
                const std::string& object) {
  const Json* list = find(spec, {"failureConditions"});
  if (list == nullptr || !list->is_array()) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string cp = pointer_append(sp + "/failureConditions", i);
    const Json& c = (*list)[i];
    std::string name = text(c, {"name"});
    if (name.empty()) name = "failure-condition-" + std::to_string(i);
    const std::string what = "failure condition " + name;
    std::string used;
    if (find(c, {"trigger", "webhookUrl"}) != nullptr || find(c, {"webhookUrl"}) != nullptr) {
      ctx.unmapped(doc, cp, what,
                   "a webhook trigger calls a live URL (and Gloo Shot's checker ignores webhook triggers)",
                   "condition dropped");
      continue;
    }
    const Json* prom = first_of(
        c, {{"trigger", "prometheus"}, {"prometheusTrigger"}, {"failure_trigger", "prometheus_trigger"}}, used);
    if (prom == nullptr || !prom->is_object()) {
      ctx.unmapped(doc, cp, what, "no Prometheus trigger (trigger.prometheus or prometheusTrigger)",
                   "condition dropped");
      continue;
    }
    const std::string pp = cp + used;
    std::string qused;
    const Json* query = first_of(*prom, {{"customQuery"}, {"query_type", "custom_query"}, {"custom_query"}}, qused);
    if (query == nullptr) {
      const bool mesh = find(*prom, {"successRate"}) != nullptr || find(*prom, {"meshQuery"}) != nullptr ||
                        find(*prom, {"query_type", "mesh_query"}) != nullptr;
      ctx.unmapped(doc, pp, what,
                   mesh ? "a mesh query (successRate): Gloo Shot's own checker refuses it (\"mesh query not currently "
                          "supported\"); write it as a customQuery"
                        : "no customQuery",
                   "condition dropped");
      continue;
    }
    std::string threshold_used, op_used;
    const Json* threshold = first_of(*prom, {{"thresholdValue"}, {"threshold_value"}}, threshold_used);
    const Json* op_json = first_of(*prom, {{"comparisonOperator"}, {"comparison_operator"}}, op_used);
    std::string op = op_json != nullptr ? scalar_text(*op_json).value_or("") : "";
    if (op.empty()) op = "<";  // the checker's default
    if (op != ">" && op != ">=" && op != "<" && op != "<=") {
      ctx.unmapped(
          doc, pp + op_used, "comparisonOperator " + op,
          "Gloo Shot's checker (exceededThreshold) has no branch for it and compares with <; so does faultline",
          "assumed");
      op = "<";
    }
    const double value =
        threshold != nullptr ? read_number(*threshold, doc, pp + threshold_used, "thresholdValue") : 0.0;
    const std::string q = scalar_text(*query).value_or("");
    if (!mapped_query_ok(ctx, doc, pp + qused, q, true, what, "condition dropped")) continue;
    Json block = {{"name", name},
                  {"description", "Gloo Shot failure condition of " + object},
                  {"query", q},
                  {"when", op + " " + experiment::number_text(value)},
                  {"interval", "5s"}};
    ctx.add_check({true, block, doc.file, cp});
  }
}

}  // namespace

bool is_gloo_shot_experiment(const Json& root) {
  return root.is_object() && text(root, {"kind"}) == "Experiment" &&
         text(root, {"apiVersion"}).rfind("glooshot.solo.io/", 0) == 0;
}

void import_gloo_shot_experiment(ImportContext& ctx, const Document& doc, const std::string& pointer,
                                 const Json& object) {
  ctx.note_format(doc.file, "gloo shot Experiment");
  // solo-kit CRDs nest the spec one level deeper (spec.spec); accept a flat one too.
  std::string sp = pointer_append(pointer_append(pointer, "spec"), "spec");
  const Json* spec = find(object, {"spec", "spec"});
  if (spec == nullptr) {
    spec = find(object, {"spec"});
    sp = pointer_append(pointer, "spec");
  }
  if (spec == nullptr || !spec->is_object()) throw doc.error(pointer, "a Gloo Shot Experiment needs \"spec\"");
  const std::string object_name = "Experiment/" + text(object, {"metadata", "name"});
  Duration duration = Duration::minutes(10);
  const Json* d = find(*spec, {"duration"});
  const auto given = d != nullptr ? tool_duration(*d) : std::nullopt;
  if (d != nullptr && !given)
    throw doc.error(pointer_append(sp, "duration"), "expected a duration such as \"600s\", got " + d->dump());
  if (given && given->count_ns() > 0)
    duration = *given;
  else
    ctx.unmapped(doc, d != nullptr ? pointer_append(sp, "duration") : sp, "duration",
                 "no duration: Gloo Shot's checker runs the experiment for 10 minutes", "assumed");
  const int64_t start = ctx.definitions_start_ns();
  faults(ctx, doc, sp, *spec, start, start + duration.count_ns(), object_name);
  conditions(ctx, doc, sp, *spec, object_name);
  if (find(*spec, {"failureConditions"}) != nullptr)
    ctx.unmapped(doc, pointer_append(sp, "failureConditions"), "failure conditions",
                 "checked every 5 s from the chaos start until the run's end (Gloo Shot stops watching when the "
                 "experiment's duration ends: set the scenario's duration to match)",
                 "assumed");
  if (find(*spec, {"targetMesh"}) != nullptr)
    ctx.unmapped(doc, pointer_append(sp, "targetMesh"), "targetMesh", "the scenario models one mesh", "ignored");
  if (const Json* result = find(object, {"result"}); result != nullptr)
    ctx.unmapped(doc, pointer_append(pointer, "result"), "result " + text(*result, {"state"}),
                 "the live experiment's outcome is not replayed: the run computes its own verdict", "ignored");
}

}  // namespace faultline::sim::importers
