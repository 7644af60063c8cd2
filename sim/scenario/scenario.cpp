#include "sim/scenario/scenario.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_schema.hpp"
#include "sim/scenario/parameter_path.hpp"

namespace faultline::sim {

namespace {

const std::vector<std::string> kTopLevelKeys = {"name",       "description", "start_time",  "duration",
                                                "seed",       "scrape_interval", "faults", "hypothesis",
                                                "abort",      "rollbacks",   "components",  "experiments"};
const std::vector<std::string> kComponentKeys = {"name", "kind", "count", "labels", "description"};
const std::vector<std::string> kExperimentKeys = {"name",       "description", "set",      "faults",
                                                  "hypothesis", "abort",       "rollbacks"};

std::string show(const Json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void check_keys(const Json& obj, const std::vector<std::string>& allowed, const Document& doc, const std::string& ptr,
                const std::string& what) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw doc.error(pointer_append(ptr, k), "unknown key \"" + k + "\" in " + what + did_you_mean(k, allowed) +
                                                "; expected one of: " + list);
  }
}

Duration top_duration(const Json& root, const Document& doc, const char* key, bool positive) {
  const std::string ptr = pointer_append("", key);
  const Json& v = root[key];
  if (!v.is_string())
    throw doc.error(ptr, std::string("expected a duration with a unit for \"") + key + "\" (e.g. \"10m\"), got " + show(v));
  Duration d;
  try {
    d = parse_duration(v.get<std::string>());
  } catch (const std::exception& e) {
    throw doc.error(ptr, e.what());
  }
  if (positive && d <= Duration::zero()) throw doc.error(ptr, std::string("expected \"") + key + "\" > 0, got " + show(v));
  return d;
}

}  // namespace

bool valid_component_name(const std::string& name) {
  static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return name.size() <= 63 && std::regex_match(name, re);
}

const ComponentInstance* ResolvedScenario::instance(const std::string& path) const {
  for (const auto& i : instances)
    if (i.path == path) return &i;
  return nullptr;
}

const ComponentEntry* ResolvedScenario::entry(const std::string& n) const {
  for (const auto& c : components)
    if (c.name == n) return &c;
  return nullptr;
}

ResolvedScenario resolve_scenario(Document doc, const ModelRegistry& registry, const ResolveOptions& options) {
  ResolvedScenario out;
  if (!doc.root.is_object()) throw doc.error("", "expected the scenario to be an object with name and components");
  check_keys(doc.root, kTopLevelKeys, doc, "", "the scenario");

  // ---- Experiments: names, and the chosen one's overrides.
  const Json* chosen = nullptr;
  std::string chosen_ptr;
  if (doc.root.contains("experiments")) {
    const Json& list = doc.root["experiments"];
    if (!list.is_array()) throw doc.error("/experiments", "expected a list of experiments");
    std::map<std::string, int> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string ptr = pointer_append("/experiments", i);
      const Json& e = list[i];
      if (!e.is_object()) throw doc.error(ptr, "expected an experiment object with a name");
      check_keys(e, kExperimentKeys, doc, ptr, "an experiment");
      if (!e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty())
        throw doc.error(ptr, "missing required field \"name\" of the experiment");
      const std::string n = e["name"].get<std::string>();
      if (auto it = seen.find(n); it != seen.end())
        throw doc.error(pointer_append(ptr, "name"), "duplicate experiment name \"" + n + "\" (first used at line " +
                                                         std::to_string(it->second) + ")");
      seen[n] = doc.line_of(pointer_append(ptr, "name"));
      std::string description;
      if (e.contains("description")) {
        if (!e["description"].is_string()) throw doc.error(pointer_append(ptr, "description"), "expected a string");
        description = e["description"].get<std::string>();
      }
      if (e.contains("set") && !e["set"].is_object())
        throw doc.error(pointer_append(ptr, "set"), "expected {parameter.path: value, ...}");
      if (e.contains("faults") && !e["faults"].is_array())
        throw doc.error(pointer_append(ptr, "faults"), "expected a list of faults");
      out.experiments.push_back({n, description, ptr});
      if (options.experiment && *options.experiment == n) {
        chosen = &e;
        chosen_ptr = ptr;
        out.experiment_description = description;
      }
    }
  }
  if (options.experiment && chosen == nullptr) {
    std::vector<std::string> names;
    std::string list;
    for (const auto& e : out.experiments) {
      names.push_back(e.name);
      list += (list.empty() ? "" : ", ") + e.name;
    }
    throw InputError(doc.file, "/experiments", doc.line_of("/experiments"),
                     "no experiment is named \"" + *options.experiment + "\"" + did_you_mean(*options.experiment, names) +
                         (list.empty() ? "; the scenario has no experiments" : "; the experiments are: " + list));
  }
  if (chosen != nullptr) {
    out.experiment = *options.experiment;
    if (chosen->contains("set")) {
      const Json set = (*chosen)["set"];  // copy: the document changes while we apply it
      for (const auto& [path, value] : set.items()) {
        const std::string at = pointer_append(pointer_append(chosen_ptr, "set"), path);
        const std::string origin = "experiment \"" + *out.experiment + "\" (" + doc.file + ":" +
                                   std::to_string(doc.line_of(at)) + ")";
        try {
          apply_override(doc, registry, path, value, origin);
        } catch (const InputError& e) {
          throw InputError(doc.file, at, doc.line_of(at), e.message());
        }
        out.applied_overrides.push_back(path + "=" + value.dump());
      }
    }
  }
  for (const std::string& assignment : options.sets) {
    auto [path, value] = split_assignment(assignment, "--set");
    apply_override(doc, registry, path, value, "--set " + assignment);
    out.applied_overrides.push_back(path + "=" + value.dump());
  }

  // ---- Top-level values.
  const Json& root = doc.root;
  if (!root.contains("name") || !root["name"].is_string() || root["name"].get<std::string>().empty())
    throw doc.error("", "missing required field \"name\" (a string naming the scenario)");
  out.name = root["name"].get<std::string>();
  if (root.contains("description")) {
    if (!root["description"].is_string()) throw doc.error("/description", "expected a string");
    out.description = root["description"].get<std::string>();
  }
  out.start_epoch_ns = kDefaultStartEpochNs;
  if (root.contains("start_time")) {
    const Json& st = root["start_time"];
    auto parsed = st.is_string() ? parse_rfc3339(st.get<std::string>()) : std::nullopt;
    if (!parsed) throw doc.error("/start_time", "expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\", got " + show(st));
    out.start_epoch_ns = *parsed;
  }
  if (options.start_time) {
    auto parsed = parse_rfc3339(*options.start_time);
    if (!parsed)
      throw InputError("--start-time", "", 0,
                       "expected an RFC 3339 time such as \"2026-01-01T00:00:00Z\", got \"" + *options.start_time + "\"");
    out.start_epoch_ns = *parsed;
  }
  if (root.contains("duration")) out.duration = top_duration(root, doc, "duration", true);
  if (root.contains("scrape_interval")) out.scrape_interval = top_duration(root, doc, "scrape_interval", true);
  if (root.contains("seed")) {
    const Json& s = root["seed"];
    if (!s.is_number_integer() || s.get<int64_t>() < 0)
      throw doc.error("/seed", "expected a non-negative integer seed, got " + show(s));
    out.seed = s.get<uint64_t>();
  }
  if (options.seed) out.seed = *options.seed;

  // ---- Components.
  if (!root.contains("components")) throw doc.error("", "missing required field \"components\" (a list)");
  const Json& comps = root["components"];
  if (!comps.is_array() || comps.empty()) throw doc.error("/components", "expected a non-empty list of components");
  std::map<std::string, std::string> names;  // name → pointer
  out.components.reserve(comps.size());
  for (size_t i = 0; i < comps.size(); ++i) {
    const std::string ptr = pointer_append("/components", i);
    const Json& c = comps[i];
    if (!c.is_object()) throw doc.error(ptr, "expected a component object with name and kind");
    ComponentEntry entry;
    entry.pointer = ptr;
    if (!c.contains("name") || !c["name"].is_string()) throw doc.error(ptr, "missing required field \"name\" of the component");
    entry.name = c["name"].get<std::string>();
    if (!valid_component_name(entry.name))
      throw doc.error(pointer_append(ptr, "name"), "invalid component name \"" + entry.name +
                                                       "\": expected lower-case letters, digits and '-', starting and "
                                                       "ending with a letter or digit (a Kubernetes name)");
    if (auto it = names.find(entry.name); it != names.end())
      throw doc.error(pointer_append(ptr, "name"), "duplicate component name \"" + entry.name + "\" (also at " +
                                                       it->second + ", line " + std::to_string(doc.line_of(it->second)) + ")");
    names[entry.name] = ptr;
    if (!c.contains("kind") || !c["kind"].is_string())
      throw doc.error(ptr, "missing required field \"kind\" of component \"" + entry.name + "\"");
    const std::string kind = c["kind"].get<std::string>();
    entry.kind = registry.find(kind);
    if (entry.kind == nullptr) {
      std::string list;
      for (const auto& n : registry.names()) list += (list.empty() ? "" : ", ") + n;
      throw doc.error(pointer_append(ptr, "kind"), "unknown component kind \"" + kind + "\"" +
                                                       did_you_mean(kind, registry.names()) + "; the kinds are: " + list);
    }
    if (c.contains("count")) {
      const std::string cp = pointer_append(ptr, "count");
      if (entry.kind->replication == Replication::single)
        throw doc.error(cp, "a " + kind + " cannot be replicated: remove \"count\"");
      const Json& n = c["count"];
      const int64_t min = entry.kind->replication == Replication::self ? 1 : 0;
      if (!n.is_number_integer() || n.get<int64_t>() < min || n.get<int64_t>() > 100000)
        throw doc.error(cp, "expected an integer count ≥ " + std::to_string(min) + " (" +
                                (entry.kind->count_help.empty() ? "replicas" : entry.kind->count_help) + "), got " + show(n));
      entry.count = n.get<int64_t>();
      entry.has_count = true;
    }
    if (c.contains("labels")) {
      const std::string lp = pointer_append(ptr, "labels");
      const Json& l = c["labels"];
      if (!l.is_object()) throw doc.error(lp, "expected labels {key: value}");
      for (const auto& [k, v] : l.items()) {
        if (!v.is_string() && !v.is_number() && !v.is_boolean())
          throw doc.error(pointer_append(lp, k), "expected a label value (text), got " + show(v));
        entry.labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    if (c.contains("description")) {
      if (!c["description"].is_string()) throw doc.error(pointer_append(ptr, "description"), "expected a string");
      entry.description = c["description"].get<std::string>();
    }
    entry.params = normalize_params(entry.kind->params, c, doc, ptr, kComponentKeys);
    if (entry.kind->serves_all) {
      for (const ComponentEntry& other : out.components)
        if (other.kind == entry.kind)
          throw doc.error(ptr, "a scenario has at most one " + entry.kind->name + " (also \"" + other.name + "\")");
    }
    if (entry.kind->validate) entry.kind->validate(ParamValues(&entry.params, &entry.kind->params, ptr), entry.count, doc);
    out.components.push_back(std::move(entry));
  }

  // ---- Instances, sorted by path (the build and wiring order).
  for (const ComponentEntry& e : out.components) {
    ComponentInstance base;
    base.base_name = e.name;
    base.kind = e.kind->name;
    base.labels = e.labels;
    base.params = ParamValues(&e.params, &e.kind->params, e.pointer);
    base.pointer = e.pointer;
    base.file = doc.file;
    if (e.kind->replication == Replication::replicas) {
      // Autoscaled workloads get slots up to max_count; those beyond count start absent.
      int64_t slots = e.count;
      if (e.params.contains("max_count") && e.params["max_count"].is_number_integer()) {
        slots = std::max(slots, e.params["max_count"].get<int64_t>());
        if (slots > 100000) throw doc.error(pointer_append(e.pointer, "max_count"), "expected at most 100000 pods");
      }
      for (int64_t r = 0; r < slots; ++r) {
        ComponentInstance inst = base;
        inst.path = e.name + "/" + e.name + "-" + std::to_string(r);
        inst.replica = static_cast<uint32_t>(r);
        inst.count = static_cast<uint32_t>(e.count);
        inst.present = r < e.count;
        out.instances.push_back(std::move(inst));
      }
    } else {
      base.path = e.name;
      base.count = static_cast<uint32_t>(e.count);
      out.instances.push_back(std::move(base));
    }
  }
  std::sort(out.instances.begin(), out.instances.end(),
            [](const ComponentInstance& a, const ComponentInstance& b) { return a.path < b.path; });

  // ---- The fault list to plan: the experiment's, else the base faults.
  const Json* faults = nullptr;
  if (chosen != nullptr) {
    if (chosen->contains("faults")) {
      faults = &(*chosen)["faults"];
      out.faults_pointer = pointer_append(chosen_ptr, "faults");
    }
  } else if (root.contains("faults")) {
    faults = &root["faults"];
    out.faults_pointer = "/faults";
  }
  if (faults != nullptr) {
    if (!faults->is_array()) throw doc.error(out.faults_pointer, "expected a list of faults");
    out.fault_entries = *faults;
  }
  // DESIGN §7: the experiment's hypothesis, aborts and rollbacks, else the top-level ones.
  out.experiment_spec =
      std::make_shared<const experiment::ExperimentSpec>(experiment::resolve_experiment_spec(doc, chosen_ptr));
  out.doc = std::move(doc);
  // The ParamValues point at entries of out.components, whose storage moved with `out`;
  // re-point them at their final place.
  for (ComponentInstance& inst : out.instances) {
    const ComponentEntry* e = out.entry(inst.base_name);
    inst.params = ParamValues(&e->params, &e->kind->params, e->pointer);
  }
  return out;
}

Json ResolvedScenario::to_json() const {
  Json j;
  j["name"] = name;
  j["description"] = description;
  j["start_time"] = format_rfc3339(start_epoch_ns);
  j["duration"] = duration ? Json(format_duration(*duration)) : Json(nullptr);
  j["seed"] = seed;
  j["scrape_interval"] = format_duration(scrape_interval);
  j["experiment"] = experiment ? Json(*experiment) : Json(nullptr);
  if (experiment && !experiment_description.empty()) j["experiment_description"] = experiment_description;
  j["overrides"] = applied_overrides;
  Json comps = Json::array();
  for (const ComponentEntry& c : components) {
    Json cj;
    cj["name"] = c.name;
    cj["kind"] = c.kind->name;
    if (c.kind->replication != Replication::single) cj["count"] = c.count;
    Json labels = Json::object();
    for (const auto& [k, v] : c.labels) labels[k] = v;
    cj["labels"] = labels;
    if (!c.description.empty()) cj["description"] = c.description;
    for (const auto& [k, v] : c.params.items()) cj[k] = v;
    Json paths = Json::array();
    for (const auto& i : instances)
      if (i.base_name == c.name) paths.push_back(i.path);
    cj["instances"] = paths;
    comps.push_back(cj);
  }
  j["components"] = comps;
  j["faults"] = fault_entries;
  if (experiment_spec) {
    const Json blocks = experiment_spec->to_json();
    for (const auto& [k, v] : blocks.items()) j[k] = v;
  }
  return j;
}

}  // namespace faultline::sim
