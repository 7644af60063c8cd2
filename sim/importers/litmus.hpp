// LitmusChaos (chaos_formats.md §2): ChaosEngine definitions with the pod-delete tunables and the
// other experiments that map to a fault kind, ChaosExperiment defaults, and the records of a
// run: ChaosResult (verdict and targets) and the events (ChaosInject per iteration, and the
// pods' Killing/Started events, which alone hold the kill times).
#pragma once

#include <string>
#include <vector>

#include "sim/importers/import_context.hpp"
#include "sim/importers/k8s_events.hpp"

namespace faultline::sim::importers {

struct LitmusObject {
  const Document* doc = nullptr;
  std::string pointer;
  std::string kind, name, ns;
  const Json* object = nullptr;
};

bool is_litmus(const Json& root);
LitmusObject litmus_object(const Document& doc, const std::string& pointer, const Json& object);

/// Imports engines (replayed from events where the events hold their kills, else predicted),
/// using ChaosExperiment defaults where given, and reports results and probes.
void import_litmus(ImportContext& ctx, const std::vector<LitmusObject>& objects, const EventSet& events);

}  // namespace faultline::sim::importers
