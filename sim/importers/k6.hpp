// k6 load profiles (chaos_formats.md §5.7 and k6's executor semantics): the options object as
// `k6 inspect` or a --config file holds it (stages or scenarios: ramping-arrival-rate,
// constant-arrival-rate, and the VU executors given the time one iteration takes), a
// --summary-export (or handleSummary) file, and an --out json (NDJSON) or --out csv record.
// Each becomes the producers' rate over time. JavaScript is not parsed.
#pragma once

#include <string>
#include <string_view>

#include "sim/importers/import_context.hpp"

namespace faultline::sim::importers {

bool is_k6_options(const Json& root);
bool is_k6_summary(const Json& root);
bool looks_like_k6_ndjson(std::string_view text);
bool looks_like_k6_csv(std::string_view text);
/// A k6 script: throws InputError saying to export its options as JSON.
void refuse_if_javascript(const std::string& file, std::string_view text);

void import_k6_options(ImportContext& ctx, const Document& doc);
void import_k6_summary(ImportContext& ctx, const Document& doc);
void import_k6_ndjson(ImportContext& ctx, const std::string& file, std::string_view text);
void import_k6_csv(ImportContext& ctx, const std::string& file, std::string_view text);

}  // namespace faultline::sim::importers
