// Chaos Toolkit (chaos_formats.md §3): an experiment's method (actions that map to faults, such as
// chaosk8s pod termination, and the pauses between them) to predict, and a run's journal.json
// (each activity's recorded start) to replay.
#pragma once

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

bool is_chaos_toolkit_experiment(const Json& root);
bool is_chaos_toolkit_journal(const Json& root);

void import_chaos_toolkit_experiment(ImportContext& ctx, const Document& doc);
void import_chaos_toolkit_journal(ImportContext& ctx, const Document& doc);

}  // namespace faultline::sim::importers
