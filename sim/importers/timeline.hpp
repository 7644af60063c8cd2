// The fault timeline file (DESIGN §5, faults.jsonl): one JSON object per line, written by
// `faultline import` and read back by `import` and `replay` (a timeline may be edited by hand).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/faults/fault.hpp"
#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

std::string render_timeline(const std::vector<Fault>& faults);
bool looks_like_timeline(std::string_view text);
/// Reads a timeline against the scenario: kinds, targets and parameters are checked as for
/// scenario faults; errors name the file and line.
void import_timeline(ImportContext& ctx, const std::string& file, std::string_view text);

}  // namespace faultline::sim::importers
