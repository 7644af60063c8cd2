#include "sim/scenario/parameter_path.hpp"

#include <algorithm>

#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim {

const std::vector<std::string>& settable_top_level_keys() {
  static const std::vector<std::string> keys = {"duration", "seed", "scrape_interval", "start_time"};
  return keys;
}

std::pair<std::string, Json> split_assignment(const std::string& assignment, const std::string& origin_file) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(origin_file, "", 0,
                     "expected path=value (e.g. components.consumer.count=8), got \"" + assignment + "\"");
  return {assignment.substr(0, eq), parse_yaml_value(assignment.substr(eq + 1))};
}

namespace {
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const auto dot = s.find('.', start);
    out.push_back(s.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

[[noreturn]] void fail(const std::string& origin, const std::string& path, const std::string& why) {
  throw InputError(origin, "", 0, "parameter path \"" + path + "\": " + why);
}

/// The entry named `name` of a list of named objects, or the list's size.
size_t named_entry(const Json& list, const std::string& name, std::vector<std::string>& names) {
  size_t found = list.size();
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object() || !list[i].contains("name") || !list[i]["name"].is_string()) continue;
    names.push_back(list[i]["name"].get<std::string>());
    if (names.back() == name && found == list.size()) found = i;
  }
  return found;
}

// Fields of a fault entry a path may set: its times, its selector's value and its kind's params.
const std::vector<std::string> kFaultFields = {"at", "start", "duration", "end", "value", "params"};

/// <faults>.<fault name>.<field> or <faults>.<fault name>.params.<param>, from segment `first`:
/// a fault entry addressed by its `name`, as keyed lists are (so that a dimensioning sweep can
/// vary an experiment's injected delay, CHAOS@FIRE O2).
std::string resolve_fault_path(const Json& owner, const std::string& owner_ptr, const std::string& owner_text,
                               const std::vector<std::string>& seg, size_t first, const std::string& origin,
                               const std::string& path) {
  if (!owner.contains("faults") || !owner["faults"].is_array()) fail(origin, path, owner_text + " has no faults list");
  const Json& list = owner["faults"];
  if (seg.size() <= first) fail(origin, path, "expected ...faults.<fault name>.<field> (faults are addressed by name)");
  std::vector<std::string> names;
  const size_t index = named_entry(list, seg[first], names);
  if (index == list.size())
    fail(origin, path, "no fault of " + owner_text + " is named \"" + seg[first] + "\"" + did_you_mean(seg[first], names) +
                           (names.empty() ? "; give the fault a name: to address it" : ""));
  const std::string fault_ptr = pointer_append(pointer_append(owner_ptr, "faults"), index);
  if (seg.size() == first + 1) fail(origin, path, "names a fault, not one of its fields");
  const std::string& field = seg[first + 1];
  if (std::find(kFaultFields.begin(), kFaultFields.end(), field) == kFaultFields.end())
    fail(origin, path, "a fault has no settable field \"" + field + "\"" + did_you_mean(field, kFaultFields) +
                           "; settable: at, start, duration, end, value, params.<param>");
  if (field != "params") {
    if (seg.size() != first + 2) fail(origin, path, "\"" + field + "\" has no fields");
    return pointer_append(fault_ptr, field);
  }
  if (seg.size() != first + 3) fail(origin, path, "expected ...params.<param> of the fault's kind");
  const Json& fault = list[index];
  const FaultKindInfo* kind =
      fault.contains("kind") && fault["kind"].is_string() ? find_fault_kind(fault["kind"].get<std::string>()) : nullptr;
  if (kind == nullptr) fail(origin, path, "fault \"" + seg[first] + "\" has an unknown kind");
  std::vector<std::string> pnames;
  bool found = false;
  for (const ParamSpec& p : kind->params) {
    pnames.push_back(p.name);
    found = found || p.name == seg[first + 2];
  }
  if (!found)
    fail(origin, path, "a " + kind->name + " fault has no parameter \"" + seg[first + 2] + "\"" +
                           did_you_mean(seg[first + 2], pnames));
  return pointer_append(pointer_append(fault_ptr, "params"), seg[first + 2]);
}
}  // namespace

std::string resolve_parameter_path(const Document& doc, const ModelRegistry& registry, const std::string& path,
                                   const std::string& origin) {
  const std::vector<std::string> seg = split(path);
  for (const auto& s : seg)
    if (s.empty()) fail(origin, path, "has an empty segment");
  const Json& root = doc.root;
  if (seg.size() == 1) {
    const auto& keys = settable_top_level_keys();
    if (std::find(keys.begin(), keys.end(), seg[0]) == keys.end()) {
      std::vector<std::string> all = keys;
      all.insert(all.end(), {"components", "faults", "experiments"});
      fail(origin, path, "unknown top-level key \"" + seg[0] + "\"" + did_you_mean(seg[0], all) +
                             "; settable: duration, seed, scrape_interval, start_time, components.<name>.<param>, "
                             "faults.<fault>.<field>, experiments.<name>.faults.<fault>.<field>");
    }
    return pointer_append("", seg[0]);
  }
  if (seg[0] == "faults") return resolve_fault_path(root, "", "the scenario", seg, 1, origin, path);
  if (seg[0] == "experiments") {
    if (!root.is_object() || !root.contains("experiments") || !root["experiments"].is_array())
      fail(origin, path, "the scenario has no experiments");
    std::vector<std::string> names;
    const size_t index = named_entry(root["experiments"], seg[1], names);
    if (index == root["experiments"].size())
      fail(origin, path, "no experiment is named \"" + seg[1] + "\"" + did_you_mean(seg[1], names));
    if (seg.size() < 3 || seg[2] != "faults")
      fail(origin, path, "expected experiments." + seg[1] + ".faults.<fault name>.<field>");
    return resolve_fault_path(root["experiments"][index], pointer_append("/experiments", index),
                              "experiment \"" + seg[1] + "\"", seg, 3, origin, path);
  }
  if (seg[0] != "components")
    fail(origin, path, "must start with \"components.\", \"faults.\" or \"experiments.\", or be a top-level key" +
                           did_you_mean(seg[0], {"components", "faults", "experiments"}));
  if (!root.is_object() || !root.contains("components") || !root["components"].is_array())
    fail(origin, path, "the scenario has no components list");
  const Json& comps = root["components"];
  std::vector<std::string> names;
  size_t index = comps.size();
  for (size_t i = 0; i < comps.size(); ++i) {
    if (!comps[i].is_object() || !comps[i].contains("name") || !comps[i]["name"].is_string()) continue;
    names.push_back(comps[i]["name"].get<std::string>());
    if (names.back() == seg[1]) index = i;
  }
  if (index == comps.size()) fail(origin, path, "no component is named \"" + seg[1] + "\"" + did_you_mean(seg[1], names));
  const std::string comp_ptr = pointer_append("/components", index);
  if (seg.size() == 2) fail(origin, path, "names a component, not one of its parameters");
  const Json& comp = comps[index];
  const KindInfo* kind = comp.contains("kind") && comp["kind"].is_string() ? registry.find(comp["kind"].get<std::string>()) : nullptr;
  const std::string& param = seg[2];
  if (param == "count" || param == "description") {
    if (seg.size() != 3) fail(origin, path, "\"" + param + "\" has no fields");
    return pointer_append(comp_ptr, param);
  }
  if (param == "labels") {
    if (seg.size() != 4) fail(origin, path, "expected components." + seg[1] + ".labels.<key>");
    return pointer_append(pointer_append(comp_ptr, "labels"), seg[3]);
  }
  if (kind == nullptr) fail(origin, path, "component \"" + seg[1] + "\" has an unknown kind");
  std::vector<std::string> pnames = {"count", "labels", "description"};
  const ParamSpec* spec = nullptr;
  for (const ParamSpec& p : kind->params) {
    pnames.push_back(p.name);
    if (p.name == param) spec = &p;
  }
  if (spec == nullptr)
    fail(origin, path, "a " + kind->name + " has no parameter \"" + param + "\"" + did_you_mean(param, pnames));
  const std::string param_ptr = pointer_append(comp_ptr, param);
  if (seg.size() == 3) return param_ptr;
  if (spec->type == ParamType::object_list && !spec->keyed)
    fail(origin, path, "\"" + param + "\" is an ordered list: set it as a whole (components." + seg[1] + "." + param + ")");
  if (spec->type != ParamType::object_list || seg.size() != 5)
    fail(origin, path, "\"" + param + "\" is a " + std::string(param_type_name(spec->type)) +
                           (spec->type == ParamType::object_list ? "; expected ." + param + ".<entry name>.<field>"
                                                                 : " and has no fields"));
  if (!comp.contains(param) || !comp[param].is_array())
    fail(origin, path, "component \"" + seg[1] + "\" lists no " + param);
  const Json& list = comp[param];
  std::vector<std::string> entries;
  size_t entry = list.size();
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object() || !list[i].contains("name") || !list[i]["name"].is_string()) continue;
    entries.push_back(list[i]["name"].get<std::string>());
    if (entries.back() == seg[3]) entry = i;
  }
  if (entry == list.size())
    fail(origin, path, "no entry of " + param + " is named \"" + seg[3] + "\"" + did_you_mean(seg[3], entries));
  std::vector<std::string> fields;
  bool found = false;
  for (const ParamSpec& f : spec->fields) {
    fields.push_back(f.name);
    found = found || f.name == seg[4];
  }
  if (!found) fail(origin, path, "entries of " + param + " have no field \"" + seg[4] + "\"" + did_you_mean(seg[4], fields));
  return pointer_append(pointer_append(param_ptr, entry), seg[4]);
}

void apply_override(Document& doc, const ModelRegistry& registry, const std::string& path, const Json& value,
                    const std::string& origin) {
  const std::string ptr = resolve_parameter_path(doc, registry, path, origin);
  doc.root[nlohmann::json_pointer<std::string>(ptr)] = value;
  doc.origins[ptr] = origin;
}

}  // namespace faultline::sim
