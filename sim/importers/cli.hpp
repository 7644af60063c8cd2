// `faultline import` and `faultline replay` (DESIGN §9): the options both take, and the commands.
// Exit codes as for every command: 0 success, 1 internal error, 2 bad input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"

namespace CLI {
class App;
}

namespace faultline::cli {

struct ImportArgs {
  std::string scenario;
  std::vector<std::string> files;
  std::optional<std::string> experiment;
  std::vector<std::string> sets;
  std::optional<uint64_t> seed;
  std::optional<std::string> start_time;  // the records' time zero (and the run's start_time)
  std::vector<std::string> maps;          // POD=PATH
  std::optional<std::string> at;          // definitions start here
  std::optional<std::string> window;      // Schedule expansion length
  std::optional<std::string> producer;
  std::vector<std::string> vars;          // KEY=VALUE (Chaos Toolkit configuration)
  std::optional<std::string> k6_iteration;
  std::optional<std::string> k6_bin;
  std::optional<std::string> out;  // import: faults.jsonl; replay: the output folder
  // replay only
  std::optional<std::string> until;
  bool json = false;
  bool trace_messages = false;
  bool fail_on_verdict = false;
};

/// Adds the subcommand with its options, bound to `args`.
CLI::App* add_import_command(CLI::App& app, ImportArgs& args);
CLI::App* add_replay_command(CLI::App& app, ImportArgs& args);

int import_command(const ImportArgs& args, const sim::ModelRegistry& registry);
int replay_command(const ImportArgs& args, const sim::ModelRegistry& registry);

}  // namespace faultline::cli
