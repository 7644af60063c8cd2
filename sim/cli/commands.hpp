// The commands of `faultline` (DESIGN §9). Each returns the process exit code:
// 0 success, 1 internal error, 2 bad input, 3 the command ran but its check failed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"

namespace faultline::cli {

struct RunArgs {
  std::string scenario;
  std::optional<std::string> experiment;
  std::optional<uint64_t> seed;
  std::optional<std::string> until;
  std::optional<std::string> start_time;
  std::vector<std::string> sets;
  std::optional<std::string> out;
  bool json = false;
  bool trace_messages = false;
  bool fail_on_verdict = false;  // exit 3 when the experiment's verdict is not pass
};

struct CheckArgs {
  std::string scenario;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;
};

struct GraphArgs {
  std::string scenario;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;
  std::optional<std::string> out;
};

int run_command(const RunArgs& args, const sim::ModelRegistry& registry);
int check_command(const CheckArgs& args, const sim::ModelRegistry& registry);
int graph_command(const GraphArgs& args, const sim::ModelRegistry& registry);

}  // namespace faultline::cli
