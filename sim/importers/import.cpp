#include "sim/importers/import.hpp"

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/core/rfc3339.hpp"
#include "sim/faults/fault_kinds.hpp"
#include "sim/importers/chaos_mesh.hpp"
#include "sim/importers/chaos_toolkit.hpp"
#include "sim/importers/describe.hpp"
#include "sim/importers/gloo_shot.hpp"
#include "sim/importers/istio.hpp"
#include "sim/importers/k6.hpp"
#include "sim/importers/k8s_events.hpp"
#include "sim/importers/litmus.hpp"
#include "sim/importers/timeline.hpp"

namespace faultline::sim::importers {

namespace {

// v -= zero, refused when the difference leaves int64 (records dated centuries apart).
bool shift_by(int64_t& v, int64_t zero) { return !__builtin_sub_overflow(v, zero, &v); }

constexpr size_t kMaxFileBytes = size_t{512} << 20;
constexpr int kMaxJsonDepth = 256;

std::string text_of(const Json& obj, const std::vector<std::string>& path) {
  const Json* v = find(obj, path);
  return v == nullptr ? std::string() : scalar_text(*v).value_or("");
}

// Deeply nested JSON would exhaust the stack of the line scanner: refuse it first.
void check_json_depth(std::string_view text, const std::string& file) {
  int depth = 0, line = 1;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        throw InputError(file, "", line, "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    }
    if (c == '}' || c == ']') --depth;
  }
}

// JSON and YAML are UTF-8; a stray byte would also break the JSON written out.
void check_utf8(std::string_view t, const std::string& file) {
  int line = 1;
  for (size_t i = 0; i < t.size();) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == '\n') ++line;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= t.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(t[i + k]) >> 6) == 0x2;
    if (ok && n == 2) ok = c >= 0xC2;  // no overlong forms
    if (ok && n == 3) {
      const auto c1 = static_cast<unsigned char>(t[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && n == 4) {
      const auto c1 = static_cast<unsigned char>(t[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      throw InputError(file, "", line, std::string("the file is not UTF-8 text (byte ") + hex + ")");
    }
    i += n;
  }
}

bool looks_like_json_text(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

// Why a document that is not a chaos definition or record cannot be imported; empty when unknown.
std::string not_importable(const Json& root) {
  if (!root.is_object()) return "";
  const std::string kind = text_of(root, {"kind"});
  const std::string api = text_of(root, {"apiVersion"});
  if (kind == "CustomResourceDefinition") {
    const std::string group = text_of(root, {"spec", "group"});
    const std::string names = text_of(root, {"spec", "names", "kind"});
    return "a CRD schema (CustomResourceDefinition " + names + " of " + group +
           ") declares the type of an object; it is not an experiment or a record of one";
  }
  if (root.contains("$schema")) {
    const std::string title = text_of(root, {"title"});
    return "a JSON Schema (" + text_of(root, {"$schema"}) + (title.empty() ? "" : ", \"" + title + "\"") +
           ") describes a format; it is not an experiment or a record of one";
  }
  if (api.rfind("argoproj.io/", 0) == 0) {
    // Litmus' Argo workflows carry their ChaosEngines as text in artifacts.
    std::string engines;
    int n = 0;
    if (const Json* t = find(root, {"spec", "templates"}); t != nullptr && t->is_array())
      for (const Json& tmpl : *t)
        if (const Json* arts = find(tmpl, {"inputs", "artifacts"}); arts != nullptr && arts->is_array())
          for (const Json& a : *arts) {
            const std::string data = text_of(a, {"raw", "data"});
            if (data.find("kind: ChaosEngine") == std::string::npos) continue;
            ++n;
            engines += (engines.empty() ? "" : ", ") + text_of(a, {"name"});
          }
    return "an Argo " + kind + " runs its steps in an order and at times set by Argo, which faultline does not model" +
           (n > 0 ? "; it embeds " + std::to_string(n) + " ChaosEngines as text (templates[].inputs.artifacts[].raw.data: " +
                        engines + "): save each to its own file and import those"
                  : "");
  }
  if (text_of(root, {"status"}) == "success" && find(root, {"data", "resultType"}) != nullptr)
    return "a Prometheus query_range response is an observed trace, not a fault: give it to `faultline validate "
           "--observed`";
  if (!kind.empty() && !api.empty())
    return "a Kubernetes " + kind + " (" + api + ") is not a chaos experiment or a record of one";
  return "";
}

class Importer {
 public:
  Importer(const ResolvedScenario& sc, const ImportOptions& opt) : ctx_(sc, opt) {}

  void file(const std::string& name, std::string text) {
    if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0x1f && static_cast<unsigned char>(text[1]) == 0x8b)
      throw InputError(name, "", 0, "the file is gzip-compressed: decompress it first (gunzip)");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      throw InputError(name, "", 0, "the file is empty: expected a chaos definition, a run record or a k6 load profile");
    if (text.find('\0') != std::string::npos) throw InputError(name, "", 0, "the file is binary, not text");
    check_utf8(text, name);
    refuse_if_javascript(name, text);
    if (looks_like_timeline(text)) return import_timeline(ctx_, name, text);
    if (looks_like_k6_ndjson(text)) return import_k6_ndjson(ctx_, name, text);
    if (looks_like_k6_csv(text)) return import_k6_csv(ctx_, name, text);
    if (text.rfind("# TYPE ", 0) == 0 || text.rfind("# HELP ", 0) == 0 || text.find("\n# TYPE ") != std::string::npos ||
        text.find("\n# EOF") != std::string::npos) {
      if (!looks_like_json_text(text))
        throw InputError(name, "", 1,
                         "OpenMetrics / Prometheus text is an observed trace, not a fault: give it to `faultline "
                         "validate --observed`");
    }
    if (const size_t nl = text.find('\n'); std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nl == std::string::npos ? text.size() : nl), '\t') >= 2 &&
                                             text.find(": ") > nl)
      throw InputError(name, "", 1, "a tab-separated table (header \"" + text.substr(0, std::min<size_t>(nl, 60)) +
                                        "\") is not a chaos definition, a run record or a load profile");
    if (looks_like_describe(text)) {
      docs_.push_back(parse_describe(text, name));
      classify_file(name, docs_.size() - 1, docs_.size());
      return;
    }
    if (looks_like_json_text(text)) check_json_depth(text, name);
    std::vector<Document> parsed = parse_documents(text, name);
    const size_t first = docs_.size();
    for (Document& d : parsed) docs_.push_back(std::move(d));
    classify_file(name, first, docs_.size());
  }

  ImportResult finish() {
    import_chaos_mesh(ctx_, chaos_mesh_, events_);
    import_litmus(ctx_, litmus_, events_);
    generic_pod_kills();
    apply_pod_recoveries(ctx_, events_, ctx_.mutable_faults());
    report_unused_events(ctx_, events_);
    return result();
  }

 private:
  ImportContext ctx_;
  std::deque<Document> docs_;  // stable addresses: objects point into them
  std::vector<ChaosMeshObject> chaos_mesh_;
  std::vector<LitmusObject> litmus_;
  EventSet events_;

  // Each document is one thing; a file none of whose documents is importable is an error.
  void classify_file(const std::string& name, size_t first, size_t last) {
    std::optional<InputError> refusal;
    bool any = false, all_empty = true;
    for (size_t i = first; i < last; ++i) {
      const Document& doc = docs_[i];
      if (doc.root.is_null()) continue;
      all_empty = false;
      const std::string why = classify(doc);
      if (why.empty()) {
        any = true;
        continue;
      }
      const std::string where = last - first > 1 ? "document " + std::to_string(i - first + 1) + ": " : "";
      if (!refusal) refusal = InputError(name, "", doc.line_of(""), where + why);
      ctx_.unmapped(doc, "", where.empty() ? "document" : where.substr(0, where.size() - 2), why, "file skipped");
    }
    if (all_empty) throw InputError(name, "", 0, "the file holds no document");
    if (!any && refusal) throw *refusal;
  }

  // Returns "" when the document was taken, else why not.
  std::string classify(const Document& doc) {
    const Json& root = doc.root;
    if (is_event_list(root)) {
      read_events(doc, ctx_, events_);
      return "";
    }
    if (is_chaos_mesh(root)) {
      chaos_mesh_.push_back(chaos_mesh_object(doc, "", root));
      return "";
    }
    if (is_litmus(root)) {
      litmus_.push_back(litmus_object(doc, "", root));
      return "";
    }
    if (is_gloo_shot_experiment(root)) {
      import_gloo_shot_experiment(ctx_, doc, "", root);
      return "";
    }
    if (is_istio_virtual_service(root)) {
      import_istio_virtual_service(ctx_, doc, "", root);
      return "";
    }
    if (is_chaos_toolkit_journal(root)) {
      import_chaos_toolkit_journal(ctx_, doc);
      return "";
    }
    if (is_chaos_toolkit_experiment(root)) {
      import_chaos_toolkit_experiment(ctx_, doc);
      return "";
    }
    if (is_k6_summary(root)) {
      import_k6_summary(ctx_, doc);
      return "";
    }
    if (is_k6_options(root)) {
      import_k6_options(ctx_, doc);
      return "";
    }
    // A list of objects (kubectl get podchaos -o json).
    if (root.is_object() && root.contains("items") && root["items"].is_array() &&
        (text_of(root, {"kind"}).size() >= 4 && text_of(root, {"kind"}).substr(text_of(root, {"kind"}).size() - 4) == "List")) {
      bool any = false;
      const Json& items = root["items"];
      for (size_t i = 0; i < items.size(); ++i) {
        const std::string p = pointer_append("/items", i);
        if (is_chaos_mesh(items[i])) {
          chaos_mesh_.push_back(chaos_mesh_object(doc, p, items[i]));
          any = true;
        } else if (is_litmus(items[i])) {
          litmus_.push_back(litmus_object(doc, p, items[i]));
          any = true;
        } else {
          const std::string why = not_importable(items[i]);
          ctx_.unmapped(doc, p, "items[" + std::to_string(i) + "]",
                        why.empty() ? "not a chaos definition or record" : why, "ignored");
        }
      }
      if (any) {
        ctx_.note_format(doc.file, "Kubernetes list");
        return "";
      }
      return "the list holds no Chaos Mesh or LitmusChaos object";
    }
    const std::string why = not_importable(root);
    if (!why.empty()) return why;
    std::string keys;
    if (root.is_object())
      for (const auto& [k, v] : root.items()) {
        if (keys.size() > 80) {
          keys += ", …";
          break;
        }
        keys += (keys.empty() ? "" : ", ") + k;
      }
    return "not a format faultline imports: expected a Chaos Mesh or LitmusChaos object, Kubernetes events, a Chaos "
           "Dashboard events export, a Chaos Toolkit experiment or journal, an Istio VirtualService, k6 options or "
           "records, or a fault timeline" +
           (keys.empty() ? std::string(" (the document is a ") + root.type_name() + ")" : " (its keys: " + keys + ")");
  }

  // With no chaos tool's events in the record, every pod Killing event is a kill.
  void generic_pod_kills() {
    bool tool = false, killing = false;
    for (size_t i = 0; i < events_.events.size(); ++i) {
      const K8sEvent& e = events_.events[i];
      if (e.object_kind == "Pod" && e.reason == "Killing" && !events_.used[i]) killing = true;
      if (e.object_kind != "Pod" && (e.reason == "Applied" || e.reason == "ChaosInject")) tool = true;
    }
    if (!killing || tool) return;
    const std::vector<PodKill> kills = pod_kills(ctx_, events_, INT64_MIN, INT64_MAX);
    for (const PodKill& k : kills) {
      const K8sEvent& e = events_.events[k.event];
      PendingFault f;
      f.kind = "pod-kill";
      f.start_ns = k.time_ns;
      f.absolute = true;
      f.targets = {k.path};
      f.pods = {k.pod};
      f.params = ctx_.fault_params("pod-kill", {}, *e.doc, e.pointer);
      f.source = {{"file", e.doc->file}, {"at", e.pointer}};
      ctx_.add_fault(std::move(f));
    }
    if (!kills.empty()) {
      const K8sEvent& e = events_.events[kills.front().event];
      ctx_.unmapped(*e.doc, e.pointer, "pod Killing events",
                    "the record holds no chaos tool event: every pod Killing event is taken as a kill, with the grace "
                    "period unknown (0 s)",
                    "assumed");
    }
  }

  ImportResult result() {
    ImportResult r;
    const ImportOptions& opt = ctx_.options();
    std::optional<int64_t> start = opt.start_epoch_ns;
    if (!start) {
      for (int64_t a : ctx_.anchors()) start = std::min(start.value_or(a), a);
      for (const PendingFault& f : ctx_.faults())
        if (f.absolute) start = std::min(start.value_or(f.start_ns), f.start_ns);
      for (const PendingLoad& l : ctx_.loads())
        if (l.absolute)
          for (const LoadPiece& p : l.pieces) start = std::min(start.value_or(p.t0_ns), p.t0_ns);
    }
    bool any_absolute = !ctx_.anchors().empty();
    for (const PendingFault& f : ctx_.faults()) any_absolute = any_absolute || f.absolute;
    for (const PendingLoad& l : ctx_.loads()) any_absolute = any_absolute || l.absolute;
    if (any_absolute || opt.start_epoch_ns) r.start_epoch_ns = start;
    const int64_t zero = start.value_or(0);

    std::vector<PendingFault> faults = ctx_.faults();
    std::vector<PendingFault> kept;
    for (PendingFault& f : faults) {
      if (f.absolute) {
        const int64_t at = f.start_ns;
        if (!shift_by(f.start_ns, zero) || (f.end_ns && !shift_by(*f.end_ns, zero)) ||
            (f.recovered_ns && !shift_by(*f.recovered_ns, zero))) {
          r.unmapped.push_back({f.source.value("file", std::string()), f.source.value("at", std::string()), 0,
                                f.kind + " at " + format_rfc3339(at),
                                "its times lie more than 292 years (the int64 nanosecond range) from the start time " +
                                    format_rfc3339(zero),
                                "fault dropped"});
          continue;
        }
        if (f.start_ns < 0) {
          r.unmapped.push_back({f.source.value("file", std::string()), f.source.value("at", std::string()), 0,
                                f.kind + " at " + format_rfc3339(f.start_ns + zero),
                                "it happened before the start time " + format_rfc3339(zero), "fault dropped"});
          continue;
        }
      }
      if (f.recovered_ns && *f.recovered_ns < f.start_ns) f.recovered_ns.reset();
      if (f.end_ns && *f.end_ns < f.start_ns) f.end_ns = f.start_ns;
      kept.push_back(std::move(f));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const PendingFault& a, const PendingFault& b) {
      return a.start_ns < b.start_ns || (a.start_ns == b.start_ns && a.order < b.order);
    });
    for (const PendingFault& p : kept) {
      Fault f;
      f.id = static_cast<uint32_t>(r.faults.size());
      f.kind = p.kind;
      f.start = SimTime::from_ns(p.start_ns);
      if (p.end_ns) f.end = SimTime::from_ns(*p.end_ns);
      if (p.recovered_ns) f.recovered = SimTime::from_ns(*p.recovered_ns);
      f.targets = p.targets;
      f.params = p.params;
      f.source = p.source;
      r.faults.push_back(std::move(f));
    }
    loads(r, zero);
    std::vector<UnmappedEntry> all = ctx_.unmapped_entries();
    all.insert(all.end(), r.unmapped.begin(), r.unmapped.end());
    r.unmapped = std::move(all);
    r.files = ctx_.files();
    r.checks = ctx_.checks();
    return r;
  }

  // The loads, summed per load source, as a start rate and k6-style stages (per pod). A k6 load
  // drives a `producer` (messages to a broker) or an `http-load` (requests to a mesh's entry
  // service): both take the same arrivals / start / rate / stages parameters.
  void loads(ImportResult& r, int64_t zero) {
    if (ctx_.loads().empty()) return;
    const ResolvedScenario& sc = ctx_.scenario();
    std::vector<std::string> load_sources;  // producers and http-loads, in scenario order
    for (const ComponentEntry& c : sc.components)
      if (c.kind->name == "producer" || c.kind->name == "http-load") load_sources.push_back(c.name);
    const auto& chosen = ctx_.options().producer;
    if (chosen && std::find(load_sources.begin(), load_sources.end(), *chosen) == load_sources.end())
      throw InputError("--producer", "", 0,
                       "scenario " + sc.name + " has no producer or http-load named \"" + *chosen + "\"" +
                           did_you_mean(*chosen, load_sources));
    std::map<std::string, std::vector<LoadPiece>> per;
    std::vector<std::string> order;
    for (const PendingLoad& l : ctx_.loads()) {
      std::string target;
      if (chosen) target = *chosen;
      else if (std::find(load_sources.begin(), load_sources.end(), l.name) != load_sources.end()) target = l.name;
      else if (load_sources.size() == 1) target = load_sources[0];
      else {
        std::string list;
        for (const auto& p : load_sources) list += (list.empty() ? "" : ", ") + p;
        throw InputError(l.source.value("file", std::string()), l.source.value("at", std::string()), 0,
                         load_sources.empty()
                             ? "scenario " + sc.name + " has no producer or http-load to drive with this load"
                             : "scenario " + sc.name + " has " + std::to_string(load_sources.size()) +
                                   " load sources, producers or http-loads (" + list + "): choose one with --producer");
      }
      if (!per.count(target)) order.push_back(target);
      for (LoadPiece p : l.pieces) {
        if (l.absolute && (!shift_by(p.t0_ns, zero) || !shift_by(p.t1_ns, zero))) {
          r.unmapped.push_back({l.source.value("file", std::string()), l.source.value("at", std::string()), 0,
                                "load of " + target,
                                "its times lie more than 292 years (the int64 nanosecond range) from the start time",
                                "load piece dropped"});
          continue;
        }
        if (p.t1_ns <= 0) continue;
        if (p.t0_ns < 0) {  // cut at the start time, keeping the ramp's value there
          const double f = -static_cast<double>(p.t0_ns) / (static_cast<double>(p.t1_ns) - static_cast<double>(p.t0_ns));
          p.r0 = p.r0 + (p.r1 - p.r0) * f;
          p.t0_ns = 0;
        }
        per[target].push_back(p);
      }
    }
    for (const std::string& name : order) {
      const std::vector<LoadPiece>& pieces = per[name];
      const ComponentEntry* e = sc.entry(name);
      const double pods = static_cast<double>(std::max<int64_t>(1, e->count));
      if (pieces.empty()) {
        r.unmapped.push_back({"", "", 0, "load of " + name, "all of it falls before the start time", "load dropped"});
        continue;
      }
      std::vector<int64_t> bps;
      for (const LoadPiece& p : pieces) {
        bps.push_back(p.t0_ns);
        bps.push_back(p.t1_ns);
      }
      std::sort(bps.begin(), bps.end());
      bps.erase(std::unique(bps.begin(), bps.end()), bps.end());
      // The summed rate just after a (right) and just before b (left).
      const auto value = [&](int64_t t, bool right) {
        double v = 0;
        for (const LoadPiece& p : pieces) {
          if (right ? (t < p.t0_ns || t >= p.t1_ns) : (t <= p.t0_ns || t > p.t1_ns)) continue;
          v += p.r0 + (p.r1 - p.r0) * static_cast<double>(t - p.t0_ns) / static_cast<double>(p.t1_ns - p.t0_ns);
        }
        return v / pods;
      };
      Json stages = Json::array();
      const double start_rate = value(bps[0], true);
      double cur = start_rate;
      for (size_t i = 0; i + 1 < bps.size(); ++i) {
        const double ra = value(bps[i], true), rb = value(bps[i + 1], false);
        if (ra != cur) stages.push_back(Json{{"duration", "0s"}, {"target", ra}});
        stages.push_back(Json{{"duration", format_duration(Duration::ns(bps[i + 1] - bps[i]))}, {"target", rb}});
        cur = rb;
      }
      const bool http = e->kind->name == "http-load";
      const std::string base = "components." + name + ".";
      r.load_overrides.emplace_back(base + "arrivals", "constant");
      r.load_overrides.emplace_back(base + "start", format_duration(Duration::ns(bps[0])));
      r.load_overrides.emplace_back(base + "rate", start_rate);
      r.load_overrides.emplace_back(base + "stages", stages);
      r.load_overrides.emplace_back(base + (http ? "requests" : "messages"), nullptr);  // the stages end the load
      if (e->count > 1)
        r.unmapped.push_back({"", "", 0, "load of " + name,
                              "the load is shared evenly by the producer's " + std::to_string(e->count) + " pods",
                              "assumed"});
      r.unmapped.push_back({"", "", 0, "load of " + name,
                            http ? "one iteration or request is one HTTP request to the entry service, sent at evenly "
                                   "spaced times (arrivals constant)"
                                 : "one iteration or request is one message, sent at evenly spaced times (arrivals "
                                   "constant)",
                            "assumed"});
    }
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", 0, std::string("cannot read the file: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size > static_cast<std::streamoff>(kMaxFileBytes)) throw InputError(path, "", 0, "the file is larger than 512 MiB");
  in.seekg(0);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

Json ImportResult::report(const ResolvedScenario& scenario) const {
  Json j;
  j["scenario"] = scenario.name;
  j["seed"] = scenario.seed;
  j["start_time"] = start_epoch_ns ? Json(format_rfc3339(*start_epoch_ns)) : Json(nullptr);
  Json files_j = Json::array();
  for (const FileReport& f : files) files_j.push_back(Json{{"file", f.file}, {"formats", f.formats}});
  j["files"] = files_j;
  j["faults"] = faults.size();
  Json load = Json::array();
  for (const auto& [path, value] : load_overrides) load.push_back(Json{{"path", path}, {"value", value}});
  j["load"] = load;
  Json un = Json::array();
  for (const UnmappedEntry& u : unmapped) {
    Json e = {{"file", u.file}, {"at", u.at}};
    e["line"] = u.line > 0 ? Json(u.line) : Json(nullptr);
    e["what"] = u.what;
    e["reason"] = u.reason;
    e["effect"] = u.effect;
    un.push_back(e);
  }
  j["unmapped"] = un;
  // Only when the files define some, so that reports of fault-only imports keep their shape.
  Json probes = Json::array(), conditions = Json::array();
  for (const ImportedCheck& c : checks) {
    Json e = c.block;
    e["source"] = Json{{"file", c.file}, {"at", c.at}};
    (c.abort ? conditions : probes).push_back(e);
  }
  if (!probes.empty()) j["hypothesis"] = probes;
  if (!conditions.empty()) j["abort"] = conditions;
  return j;
}

Json ImportResult::experiment_block(const std::string& name) const {
  Json e;
  e["name"] = name;
  std::string from;
  for (const FileReport& f : files) from += (from.empty() ? "" : ", ") + f.file;
  e["description"] = "imported by faultline import from " + from;
  Json list = Json::array();
  for (const Fault& f : faults) {
    Json entry;
    if (f.source.contains("object")) entry["name"] = f.source["object"];
    entry["kind"] = f.kind;
    entry["at"] = format_duration(f.start - SimTime::zero());
    if (f.end) entry["end"] = format_duration(*f.end - SimTime::zero());
    entry["targets"] = f.targets;
    entry["params"] = f.params;
    list.push_back(entry);
  }
  e["faults"] = list;
  Json probes = Json::array(), conditions = Json::array();
  for (const ImportedCheck& c : checks) (c.abort ? conditions : probes).push_back(c.block);
  if (!probes.empty()) e["hypothesis"] = Json{{"probes", probes}};
  if (!conditions.empty()) e["abort"] = conditions;
  return e;
}

experiment::ExperimentSpec ImportResult::experiment_spec() const {
  // The blocks were checked when they were mapped; parsing them again gives the typed spec, whose
  // places are then those of the files they came from.
  Document doc;
  doc.file = "<imported>";
  Json probes = Json::array(), conditions = Json::array();
  for (const ImportedCheck& c : checks) (c.abort ? conditions : probes).push_back(c.block);
  doc.root = Json{{"hypothesis", Json{{"probes", probes}}}, {"abort", conditions}};
  experiment::ExperimentSpec spec;
  experiment::parse_hypothesis(doc.root["hypothesis"], doc, "/hypothesis", spec.probes);
  spec.aborts = experiment::parse_abort(doc.root["abort"], doc, "/abort");
  size_t p = 0, a = 0;
  for (const ImportedCheck& c : checks) {
    if (c.abort) {
      spec.aborts[a].file = c.file;
      spec.aborts[a++].pointer = c.at;
    } else {
      spec.probes[p].file = c.file;
      spec.probes[p++].pointer = c.at;
    }
  }
  return spec;
}

std::vector<std::string> ImportResult::load_sets() const {
  std::vector<std::string> out;
  for (const auto& [path, value] : load_overrides) out.push_back(path + "=" + value.dump());
  return out;
}

ImportResult import_files(const ResolvedScenario& scenario, const std::vector<std::string>& files,
                          const ImportOptions& options) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const std::string& f : files) texts.emplace_back(f, read_file(f));
  return import_texts(scenario, texts, options);
}

ImportResult import_texts(const ResolvedScenario& scenario, const std::vector<std::pair<std::string, std::string>>& texts,
                          const ImportOptions& options) {
  Importer imp(scenario, options);
  for (const auto& [name, text] : texts) {
    try {
      imp.file(name, text);
    } catch (const InputError&) {
      throw;
    } catch (const TimeParseError& e) {
      throw InputError(name, "", 0, e.what());
    } catch (const TimeOverflow& e) {
      throw InputError(name, "", 0, std::string("a time is out of range: ") + e.what());
    }
  }
  try {
    return imp.finish();
  } catch (const InputError&) {
    throw;
  } catch (const TimeOverflow& e) {
    throw InputError(texts.empty() ? "" : texts.back().first, "", 0, std::string("a time is out of range: ") + e.what());
  }
}

}  // namespace faultline::sim::importers
