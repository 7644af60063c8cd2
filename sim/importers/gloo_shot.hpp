// Gloo Shot (chaos_formats.md §4.1): an Experiment resource's faults (abort / delay on
// destination services, with a percentage) become mesh-abort / mesh-delay faults from --at for
// the experiment's duration, and its Prometheus failure conditions become abort conditions
// (sim/experiment/README.md), with the checker's quirks kept and reported.
#pragma once

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

bool is_gloo_shot_experiment(const Json& root);
void import_gloo_shot_experiment(ImportContext& ctx, const Document& doc, const std::string& pointer,
                                 const Json& object);

}  // namespace faultline::sim::importers
