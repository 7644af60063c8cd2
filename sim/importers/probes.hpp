// Probes of chaos tools → the hypothesis of a scenario (sim/experiment/README.md): Litmus
// promProbe and httpProbe definitions of a ChaosEngine, and Chaos Toolkit steady-state
// hypotheses whose probes are Prometheus queries (chaosprometheus). What cannot be mapped is
// listed as unmapped with the reason, never dropped silently.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

/// The probes of one experiment of a ChaosEngine (its spec.probe list at `pointer`).
void import_litmus_probes(ImportContext& ctx, const Document& doc, const std::string& pointer, const Json& probes,
                          const std::string& engine);

/// Replaces "${name}" with the experiment's configuration; empty with the reason when unknown.
using Substitute = std::function<std::optional<std::string>(const std::string& text, std::string& reason)>;

/// The steady-state hypothesis of a Chaos Toolkit experiment (the object at `pointer`), with its
/// runtime.hypothesis strategy as the probes' mode.
void import_chaos_toolkit_hypothesis(ImportContext& ctx, const Document& doc, const Json& experiment,
                                     const std::string& pointer, const Substitute& substitute);

/// Checks a mapped query as a scenario file's would be checked (sim/experiment); when it is not
/// supported, lists `what` as unmapped with `effect` and returns false.
bool mapped_query_ok(ImportContext& ctx, const Document& doc, const std::string& pointer, const std::string& query,
                     bool scalar_allowed, const std::string& what, const std::string& effect);

/// A Litmus or Gloo Shot duration: a number of seconds, or text such as "2s" / "600s"; empty
/// when it is neither.
std::optional<Duration> tool_duration(const Json& v);

}  // namespace faultline::sim::importers
