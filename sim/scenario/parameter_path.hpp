// Parameter paths (DESIGN §9), one syntax everywhere: --set, sweep axes, Python overrides and
// sweep column names. Dotted: components.<name>.<param>[.<entry>.<field>], plus the top-level
// keys duration, seed, scrape_interval and start_time. A component with `count` is addressed
// by its base name, which sets every replica. Named fault entries are addressed too:
// faults.<fault>.<field> (the base faults) and experiments.<name>.faults.<fault>.<field>, where
// <field> is at, start, duration, end, value or params.<param of the fault's kind>.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/document.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::sim {

/// Splits "path=value" (the value is parsed as YAML); throws InputError naming `origin_file`.
std::pair<std::string, Json> split_assignment(const std::string& assignment, const std::string& origin_file);

/// The JSON pointer a parameter path designates in the document; throws InputError (with "did
/// you mean") for an unknown top-level key, component, parameter or list entry.
std::string resolve_parameter_path(const Document& doc, const ModelRegistry& registry, const std::string& path,
                                   const std::string& origin);

/// Sets the value at the path and records `origin` ("--set components.x.count=4") for errors.
void apply_override(Document& doc, const ModelRegistry& registry, const std::string& path, const Json& value,
                    const std::string& origin);

/// Top-level keys a parameter path may set.
const std::vector<std::string>& settable_top_level_keys();

}  // namespace faultline::sim
