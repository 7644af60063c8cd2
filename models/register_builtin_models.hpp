// The one explicit registration of every built-in component kind.
#pragma once

#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

void register_builtin_models(sim::ModelRegistry& registry);

/// A registry holding every built-in kind.
const sim::ModelRegistry& builtin_registry();

}  // namespace faultline::models
