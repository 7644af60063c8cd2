#include "sim/validate/overlay.hpp"

#include <algorithm>

#include "sim/scenario/parameter_path.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline::validate {

using sim::InputError;
using sim::Json;

namespace {

Overlay from_document(const sim::Document& doc) {
  const std::string& file = doc.file;
  const Json& root = doc.root;
  if (!root.is_object())
    throw doc.error("",
                    "expected an overlay: a mapping with "
                    "faultline_overlay: 1 and set: {...}");
  static const std::vector<std::string> keys = {"faultline_overlay", "scenario", "description", "set", "fits"};
  for (const auto& [k, v] : root.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      throw doc.error(sim::pointer_append("", k),
                      "unknown key \"" + k + "\" in an overlay" + sim::did_you_mean(k, keys));
  if (!root.contains("faultline_overlay") || root["faultline_overlay"] != 1)
    throw doc.error("/faultline_overlay", "expected faultline_overlay: 1 (the overlay format version)");
  Overlay o;
  o.file = file;
  if (root.contains("scenario")) {
    if (!root["scenario"].is_string()) throw doc.error("/scenario", "expected the scenario's name");
    o.scenario = root["scenario"].get<std::string>();
  }
  if (!root.contains("set") || !root["set"].is_object())
    throw doc.error("/set",
                    "expected set: a mapping of parameter paths "
                    "(components.<name>.<param>) to values");
  for (const auto& [path, value] : root["set"].items()) {
    const std::string ptr = sim::pointer_append("/set", path);
    if (value.is_null()) throw doc.error(ptr, "expected a value for " + path);
    o.entries.push_back({path, value, doc.line_of(ptr)});
  }
  return o;
}

}  // namespace

Overlay parse_overlay(const std::string& text, const std::string& file) {
  return from_document(sim::parse_document(text, file));
}

Overlay load_overlay(const std::string& path) { return from_document(sim::load_document(path)); }

std::vector<std::string> overlay_sets(const std::string& scenario_path, const std::vector<std::string>& overlay_paths,
                                      const sim::ModelRegistry& registry) {
  std::vector<std::string> sets;
  if (overlay_paths.empty()) return sets;
  sim::Document doc = sim::load_document(scenario_path);
  const std::string scenario_name = doc.root.is_object() && doc.root.contains("name") && doc.root["name"].is_string()
                                        ? doc.root["name"].get<std::string>()
                                        : "";
  for (const std::string& path : overlay_paths) {
    const Overlay o = load_overlay(path);
    if (!o.scenario.empty() && o.scenario != scenario_name)
      throw InputError(path, "/scenario", 0,
                       "this overlay was made for the scenario \"" + o.scenario + "\", not \"" + scenario_name + "\"");
    for (const OverlayEntry& e : o.entries) {
      const int line = e.line;
      const std::string origin = path + ":" + std::to_string(line);
      try {
        sim::apply_override(doc, registry, e.path, e.value, "overlay " + origin);
      } catch (const InputError& err) {
        throw InputError(path, sim::pointer_append("/set", e.path), line, err.message());
      }
      sets.push_back(e.path + "=" + e.value.dump());
    }
  }
  // The values are checked here, so that an error names the overlay line that set them.
  (void)sim::resolve_scenario(std::move(doc), registry, {});
  return sets;
}

}  // namespace faultline::validate
