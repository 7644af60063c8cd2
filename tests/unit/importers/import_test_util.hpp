// Helpers of the importers' tests: the fixture scenario, fixture files, and the CLI.
#pragma once

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "models/register_builtin_models.hpp"
#include "sim/importers/import.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline::test {

inline std::string source_path(const std::string& rel) { return std::string(FAULTLINE_SOURCE_DIR) + "/" + rel; }
inline std::string record(const std::string& rel) { return source_path("tests/fixtures/records/" + rel); }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline sim::ResolvedScenario scenario_from(const std::string& yaml, const std::string& name = "scenario.yaml") {
  return sim::resolve_scenario(sim::parse_document(yaml, name), models::builtin_registry(), {});
}

inline sim::ResolvedScenario cluster() {
  return sim::resolve_scenario(sim::load_document(source_path("tests/fixtures/importers/cluster.yaml")),
                               models::builtin_registry(), {});
}

inline sim::importers::ImportResult import_one(const sim::ResolvedScenario& sc, const std::string& name,
                                               const std::string& text, sim::importers::ImportOptions opt = {}) {
  return sim::importers::import_texts(sc, {{name, text}}, opt);
}

/// Whether some unmapped entry's reason (or what) contains `needle`.
inline bool has_unmapped(const sim::importers::ImportResult& r, const std::string& needle) {
  for (const auto& u : r.unmapped)
    if (u.reason.find(needle) != std::string::npos || u.what.find(needle) != std::string::npos) return true;
  return false;
}

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

/// Runs the faultline CLI with the arguments (already shell-quoted where needed).
inline CliResult run_cli(const std::string& args) {
  CliResult r;
  const std::string cmd = std::string(FAULTLINE_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace faultline::test
