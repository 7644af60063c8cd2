// Chaos Mesh (chaos_formats.md §1): the chaos objects (PodChaos, NetworkChaos, StressChaos,
// IOChaos, and the kinds without a model, reported as unmapped), Schedule, Workflow and
// StatusCheck, as definitions to predict; and the records of a run: an object's
// status.experiment.containerRecords, its Kubernetes events and the dashboard's /api/events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/importers/import_context.hpp"
#include "sim/importers/k8s_events.hpp"

namespace faultline::sim::importers {

/// A Chaos Mesh object found in a file: the document, where the object is, and its identity.
struct ChaosMeshObject {
  const Document* doc = nullptr;
  std::string pointer;  // "" for a whole document, "/items/3" inside a list
  std::string kind, name, ns;
  const Json* object = nullptr;
};

bool is_chaos_mesh(const Json& root);
ChaosMeshObject chaos_mesh_object(const Document& doc, const std::string& pointer, const Json& object);

/// Imports the objects: those with records (containerRecords, or events naming them) are
/// replayed from the records; the others are predicted. Events of objects not given are
/// imported from the events alone where their kind allows it.
void import_chaos_mesh(ImportContext& ctx, const std::vector<ChaosMeshObject>& objects, const EventSet& events);

}  // namespace faultline::sim::importers
