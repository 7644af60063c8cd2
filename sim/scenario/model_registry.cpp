#include "sim/scenario/model_registry.hpp"

#include <stdexcept>

namespace faultline::sim {

void ModelRegistry::add(KindInfo kind) {
  if (!kind.factory) throw std::logic_error("kind " + kind.name + " has no factory");
  for (const ParamSpec& p : kind.params)
    if (p.help.empty() || (p.source.empty() && p.type != ParamType::reference && p.type != ParamType::labels &&
                           p.type != ParamType::object_list))
      throw std::logic_error("kind " + kind.name + ": parameter " + p.name + " needs a help text and a source");
  const std::string name = kind.name;
  if (!kinds_.emplace(name, std::move(kind)).second) throw std::logic_error("kind " + name + " registered twice");
}

const KindInfo* ModelRegistry::find(std::string_view name) const {
  auto it = kinds_.find(name);
  return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, k] : kinds_) out.push_back(n);
  return out;
}

}  // namespace faultline::sim
