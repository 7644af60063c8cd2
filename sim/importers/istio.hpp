// Istio VirtualService fault injection (chaos_formats.md §4.2): http[].fault.abort and .delay
// become mesh-abort and mesh-delay on the service the route's hosts name.
#pragma once

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

bool is_istio_virtual_service(const Json& root);
void import_istio_virtual_service(ImportContext& ctx, const Document& doc, const std::string& pointer, const Json& vs);

}  // namespace faultline::sim::importers
