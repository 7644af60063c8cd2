#include "sim/importers/istio.hpp"

namespace faultline::sim::importers {

namespace {
std::string text(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// percentage.value (a double, 0–100), or the deprecated integer percent; empty when neither.
std::optional<double> percentage(const Json& f, const Document& doc, const std::string& ptr) {
  if (const Json* p = find(f, {"percentage", "value"}); p != nullptr)
    return read_number(*p, doc, ptr + "/percentage/value", "percentage.value");
  if (const Json* p = find(f, {"percent"}); p != nullptr) return read_number(*p, doc, ptr + "/percent", "percent");
  return std::nullopt;
}
}  // namespace

bool is_istio_virtual_service(const Json& root) {
  return root.is_object() && text(root, {"kind"}) == "VirtualService" &&
         text(root, {"apiVersion"}).rfind("networking.istio.io/", 0) == 0;
}

void import_istio_virtual_service(ImportContext& ctx, const Document& doc, const std::string& pointer, const Json& vs) {
  ctx.note_format(doc.file, "istio VirtualService");
  const std::string sp = pointer_append(pointer, "spec");
  const Json* hosts = find(vs, {"spec", "hosts"});
  if (hosts == nullptr || !hosts->is_array() || hosts->empty()) throw doc.error(sp, "a VirtualService needs \"hosts\"");
  // The service a host names is the component of that name ("ratings.default.svc" → ratings).
  std::vector<std::string> targets;
  for (size_t i = 0; i < hosts->size(); ++i) {
    const std::string host = scalar_text((*hosts)[i]).value_or("");
    const std::string name = host.substr(0, host.find('.'));
    bool found = false;
    for (const auto& inst : ctx.scenario().instances)
      if (inst.base_name == name) {
        targets.push_back(inst.path);
        found = true;
      }
    if (!found)
      ctx.unmapped(doc, sp + "/hosts/" + std::to_string(i), "host " + host,
                   "no component of scenario " + ctx.scenario().name + " is named " + name, "target dropped");
  }
  const Json* http = find(vs, {"spec", "http"});
  if (http == nullptr || !http->is_array()) throw doc.error(sp, "a VirtualService needs \"http\" routes");
  bool any = false;
  for (size_t i = 0; i < http->size(); ++i) {
    const std::string rp = sp + "/http/" + std::to_string(i);
    const Json* fault = find((*http)[i], {"fault"});
    if (fault == nullptr || !fault->is_object()) continue;
    if ((*http)[i].contains("match"))
      ctx.unmapped(doc, rp + "/match", "match", "request matching is not modelled: the fault applies to every request "
                                                "to the service (the live fault hits only the matching ones)",
                   "assumed");
    for (const char* what : {"abort", "delay"}) {
      const Json* f = find(*fault, {what});
      if (f == nullptr || !f->is_object()) continue;
      const std::string fp = rp + "/fault/" + what;
      any = true;
      const auto pct = percentage(*f, doc, fp);
      if (!pct) {
        ctx.unmapped(doc, fp, std::string("fault.") + what,
                     "no percentage: current Istio affects no request when it is omitted", "fault dropped");
        continue;
      }
      if (targets.empty()) continue;
      std::vector<ImportContext::Param> params = {{"percent", *pct / 100.0, fp}};
      std::string kind;
      if (std::string(what) == "abort") {
        kind = "mesh-abort";
        if (f->contains("grpcStatus") && !f->contains("httpStatus")) {
          ctx.unmapped(doc, fp + "/grpcStatus", "grpcStatus", "gRPC aborts are not modelled (HTTP statuses only)",
                       "fault dropped");
          continue;
        }
        if (f->contains("httpStatus")) params.push_back({"http_status", (*f)["httpStatus"], fp + "/httpStatus"});
      } else {
        kind = "mesh-delay";
        if (!f->contains("fixedDelay")) throw doc.error(fp, "a delay needs \"fixedDelay\" (e.g. \"7s\")");
        params.push_back({"delay", (*f)["fixedDelay"], fp + "/fixedDelay"});
      }
      PendingFault pf;
      pf.kind = kind;
      pf.start_ns = ctx.definitions_start_ns();
      pf.targets = targets;
      pf.params = ctx.fault_params(kind, params, doc, fp);
      pf.source = {{"file", doc.file}, {"at", fp}, {"object", "VirtualService/" + text(vs, {"metadata", "name"})}};
      ctx.add_fault(std::move(pf));
      ctx.unmapped(doc, fp, std::string("fault.") + what,
                   "a VirtualService has no duration: the fault lasts from --at until the end of the run", "assumed");
    }
  }
  if (!any) ctx.unmapped(doc, sp, "VirtualService", "no http route injects a fault", "ignored");
}

}  // namespace faultline::sim::importers
