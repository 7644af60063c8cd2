#include "sim/importers/timeline.hpp"

#include <algorithm>
#include <cmath>

#include "sim/faults/fault_kinds.hpp"

namespace faultline::sim::importers {

std::string render_timeline(const std::vector<Fault>& faults) {
  std::string out;
  for (const Fault& f : faults) out += fault_to_json(f).dump() + "\n";
  return out;
}

bool looks_like_timeline(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const size_t nl = text.find('\n', start);
  const std::string_view first = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
  if (first.size() > 1'000'000) return false;
  try {
    const Json j = Json::parse(first);
    return j.is_object() && j.contains("start_s") && j.contains("kind");
  } catch (const std::exception&) {
    return false;
  }
}

void import_timeline(ImportContext& ctx, const std::string& file, std::string_view text) {
  ctx.note_format(file, "faultline fault timeline");
  size_t pos = 0;
  int line = 0;
  std::vector<std::string> paths;
  for (const auto& c : ctx.components()) paths.push_back(c.path);
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Document doc;
    doc.file = file;
    try {
      doc.root = Json::parse(l);
    } catch (const std::exception& e) {
      throw InputError(file, "", line, std::string("expected one fault (a JSON object) per line: ") + e.what());
    }
    doc.lines.emplace("", line);
    const Json& j = doc.root;
    if (!j.is_object()) throw doc.error("", "expected a fault object {start_s, end_s, kind, targets, params}");
    for (const auto& [k, v] : j.items())
      if (k != "start_s" && k != "end_s" && k != "recovered_s" && k != "kind" && k != "targets" && k != "params" &&
          k != "source")
        throw doc.error(pointer_append("", k), "unknown key \"" + k + "\" in a timeline line" +
                                                   did_you_mean(k, {"start_s", "end_s", "recovered_s", "kind", "targets",
                                                                    "params", "source"}));
    const auto seconds = [&](const char* key, bool required) -> std::optional<int64_t> {
      const Json* v = find(j, {key});
      if (v == nullptr || v->is_null()) {
        if (required) throw doc.error("", std::string("missing \"") + key + "\" (simulated seconds)");
        return std::nullopt;
      }
      if (!v->is_number() || v->is_boolean() || !(v->get<double>() >= 0) || v->get<double>() > 9e9)
        throw doc.error(pointer_append("", key), std::string("expected seconds ≥ 0 for \"") + key + "\"");
      return Duration::from_seconds(v->get<double>()).count_ns();
    };
    PendingFault f;
    f.start_ns = *seconds("start_s", true);
    f.end_ns = seconds("end_s", false);
    f.recovered_ns = seconds("recovered_s", false);
    if (f.end_ns && *f.end_ns < f.start_ns) throw doc.error("/end_s", "the fault ends before it starts");
    const Json* kind = find(j, {"kind"});
    if (kind == nullptr || !kind->is_string()) throw doc.error("", "missing \"kind\"");
    f.kind = kind->get<std::string>();
    const FaultKindInfo* info = find_fault_kind(f.kind);
    if (info == nullptr)
      throw doc.error("/kind", "unknown fault kind \"" + f.kind + "\"" + did_you_mean(f.kind, fault_kind_names()));
    if (info->one_shot && f.end_ns) throw doc.error("/end_s", f.kind + " is a one-shot action: end_s must be null");
    const Json* targets = find(j, {"targets"});
    if (targets == nullptr || !targets->is_array() || targets->empty())
      throw doc.error("/targets", "expected a non-empty list of component paths");
    for (size_t i = 0; i < targets->size(); ++i) {
      const std::string t = scalar_text((*targets)[i]).value_or("");
      if (!(*targets)[i].is_string() || !std::binary_search(paths.begin(), paths.end(), t))
        throw doc.error(pointer_append("/targets", i), "unknown component \"" + t + "\"" + did_you_mean(t, paths));
      f.targets.push_back(t);
    }
    const Json* params = find(j, {"params"});
    f.params = normalize_params(info->params, params == nullptr ? Json::object() : *params, doc, "/params", {});
    f.source = find(j, {"source"}) != nullptr && j["source"].is_object() ? j["source"] : Json{{"file", file}};
    if (!f.source.contains("file")) f.source["file"] = file;
    ctx.add_fault(std::move(f));
  }
}

}  // namespace faultline::sim::importers
