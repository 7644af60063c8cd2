// `faultline sweep SCENARIO --set path=v1,v2 --set path=lo..hi:step [--seeds K] [-j N]
//  [--goal "backlog.peak < 1000"] [--out DIR]` (DESIGN §9). Exit codes: 0 done, 2 bad input,
// 3 a goal that some group of settings cannot meet, 130 interrupted (the same command resumes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"

namespace CLI {
class App;
}

namespace faultline::cli {

struct SweepArgs {
  std::string scenario;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;
  std::optional<uint64_t> seeds;
  std::optional<unsigned> jobs;
  std::optional<std::string> goal;
  std::vector<std::string> cost;
  double confidence = 0.95;
  std::optional<std::string> until;
  std::optional<std::string> start_time;
  std::optional<std::string> out;
  bool csv = false;
};

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& args);
int sweep_command(const SweepArgs& args, const sim::ModelRegistry& registry);

}  // namespace faultline::cli
