// `faultline validate` and `faultline calibrate` (DESIGN §9), and `--overlay` for the other commands. Exit
// codes: 0 success (validate: every check within tolerance), 2 bad input, 3 validate ran and a check is
// outside its tolerance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model_registry.hpp"
#include "sim/validate/calibrate.hpp"
#include "sim/validate/validate.hpp"

namespace CLI {
class App;
}

namespace faultline::cli {

struct ValidateArgs {
  validate::ValidateOptions options;
  std::vector<std::string> overlays;
  std::vector<std::string> user_sets;
  std::vector<std::string> maps;
  std::optional<std::string> out;
  bool json = false;
};

struct CalibrateArgs {
  validate::CalibrateOptions options;
  std::vector<std::string> overlays;
  std::vector<std::string> user_sets;
  std::optional<std::string> out;
};

CLI::App* add_validate_command(CLI::App& app, ValidateArgs& args);
CLI::App* add_calibrate_command(CLI::App& app, CalibrateArgs& args);

int validate_command(ValidateArgs& args, const sim::ModelRegistry& registry);
int calibrate_command(CalibrateArgs& args, const sim::ModelRegistry& registry);

/// Adds `--overlay FILE` (repeatable) to a command.
void add_overlay_option(CLI::App* command, std::vector<std::string>& overlays);
/// The overlays' entries as --set arguments, put ahead of `sets` (the command line's own).
void apply_overlays(const std::string& scenario, const std::vector<std::string>& overlays,
                    std::vector<std::string>& sets, const sim::ModelRegistry& registry);

}  // namespace faultline::cli
