#include "sim/faults/fault.hpp"

namespace faultline::sim {

std::optional<Duration> Fault::duration_param(std::string_view name) const {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return Duration::from_seconds(it->get<double>());
  return parse_duration(it->get<std::string>());
}

double Fault::number_param(std::string_view name, double fallback) const {
  auto it = params.find(name);
  if (it == params.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

nlohmann::ordered_json fault_to_json(const Fault& f) {
  nlohmann::ordered_json j;
  j["start_s"] = f.start.seconds();
  j["end_s"] = f.end ? nlohmann::ordered_json(f.end->seconds()) : nlohmann::ordered_json(nullptr);
  if (f.recovered) j["recovered_s"] = f.recovered->seconds();
  j["kind"] = f.kind;
  j["targets"] = f.targets;
  j["params"] = f.params;
  j["source"] = f.source;
  return j;
}

}  // namespace faultline::sim
