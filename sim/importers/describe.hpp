// `kubectl describe` output of a chaos object or a ChaosResult (chaos_formats.md §1.9, §2.3): an
// indented "Key:  value" text where list items repeat their keys instead of starting with "-".
// It is read into the same JSON shape as `kubectl get -o yaml` (keys in camelCase, lists
// rebuilt), so the Chaos Mesh and Litmus importers read both.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/scenario/document.hpp"

namespace faultline::sim::importers {

bool looks_like_describe(std::string_view text);
/// Throws InputError (file, line) for text that is not describe output.
Document parse_describe(std::string_view text, const std::string& file);

}  // namespace faultline::sim::importers
