// `faultline --help` and `faultline <command> --help` (DESIGN §9): exit code 0, and every option
// and positional is listed with a description. The commands come from the top-level help, so a
// new command is covered as soon as it exists; the options DESIGN §9 gives each command must be
// there.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace faultline::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The entries of one section ("Options:", "Positionals:", "Subcommands:") of CLI11's help:
/// name column → description (CLI11 puts a long name's description on the next line).
std::map<std::string, std::string> section(const std::string& help, const std::string& title) {
  std::map<std::string, std::string> out;
  const auto lines = lines_of(help);
  size_t i = 0;
  while (i < lines.size() && lines[i] != title) ++i;
  static const std::regex entry(R"(^  (\S.*?)(?:\s{2,}(\S.*))?$)");
  for (++i; i < lines.size() && !lines[i].empty(); ++i) {
    std::smatch m;
    if (!std::regex_match(lines[i], m, entry)) continue;  // a continuation line
    std::string description = m[2].str();
    if (description.empty() && i + 1 < lines.size() && lines[i + 1].rfind("      ", 0) == 0)
      description = std::regex_replace(lines[i + 1], std::regex("^\\s+"), "");
    out[m[1].str()] = description;
  }
  return out;
}

/// The option and positional names a command's help lists, with their descriptions.
std::map<std::string, std::string> options_of(const std::string& help) {
  std::map<std::string, std::string> out;
  for (const char* title : {"Options:", "Positionals:"}) {
    for (const auto& [names, description] : section(help, title)) {
      // "--set TEXT ..." → "--set"; "-h,--help" → "-h" and "--help"; "SCENARIO TEXT REQUIRED" → "SCENARIO".
      const std::string first = names.substr(0, names.find(' '));
      std::stringstream parts(first);
      for (std::string name; std::getline(parts, name, ',');) out[name] = description;
    }
  }
  return out;
}

// The options DESIGN §9 gives each command (only the commands that exist are checked).
const std::map<std::string, std::vector<std::string>>& design_options() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"run", {"SCENARIO", "--experiment", "--seed", "--until", "--start-time", "--set", "--out", "--json",
               "--trace-messages"}},
      {"check", {"SCENARIO"}},
      {"graph", {"SCENARIO", "--out"}},
      {"import", {"SCENARIO", "FILE", "--out"}},
      {"replay", {"SCENARIO", "RECORD", "--out"}},
      {"validate", {"SCENARIO", "--record", "--observed", "--out"}},
      {"calibrate", {"SCENARIO", "--observed", "--out"}},
      {"sweep", {"SCENARIO", "--set", "--seeds", "-j", "--goal", "--out"}},
  };
  return m;
}

std::vector<std::string> commands() {
  const CliResult r = run_cli({"--help"}, 30);
  std::vector<std::string> out;
  for (const auto& [name, description] : section(r.out, "Subcommands:")) out.push_back(name);
  return out;
}

TEST(Help, TopLevelHelpListsTheCommands) {
  const CliResult r = run_cli({"--help"}, 30);
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto subcommands = section(r.out, "Subcommands:");
  for (const char* c : {"run", "check", "graph"}) {
    ASSERT_TRUE(subcommands.count(c)) << "no " << c << " in\n" << r.out;
    EXPECT_FALSE(subcommands.at(c).empty()) << c << " has no description";
  }
  for (const auto& [name, description] : subcommands) EXPECT_FALSE(description.empty()) << name;
  const auto options = options_of(r.out);
  EXPECT_TRUE(options.count("--help"));
  EXPECT_TRUE(options.count("--version"));
  for (const auto& [name, description] : options) EXPECT_FALSE(description.empty()) << name;
  // -h is the same help.
  EXPECT_EQ(run_cli({"-h"}, 30).out, r.out);
}

TEST(Help, EveryCommandDescribesEveryOption) {
  const auto cmds = commands();
  ASSERT_GE(cmds.size(), 3u);
  for (const std::string& cmd : cmds) {
    SCOPED_TRACE(cmd);
    const CliResult r = run_cli({cmd, "--help"}, 30);
    ASSERT_TRUE(r.exited) << r.describe();
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("Usage: "), std::string::npos) << r.out;
    const auto options = options_of(r.out);
    ASSERT_FALSE(options.empty()) << r.out;
    for (const auto& [name, description] : options) EXPECT_FALSE(description.empty()) << cmd << " " << name;
    auto it = design_options().find(cmd);
    if (it == design_options().end()) continue;
    for (const std::string& name : it->second)
      EXPECT_TRUE(options.count(name)) << cmd << " --help lacks " << name << " (DESIGN §9)\n" << r.out;
  }
}

TEST(Help, VersionExitsZero) {
  const CliResult r = run_cli({"--version"}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("faultline"), std::string::npos);
}

}  // namespace
}  // namespace faultline::test
