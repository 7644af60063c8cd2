// Helpers shared by the test executables: run the real CLI binary as a child process (with a
// deadline, so a hang fails the test instead of stalling ctest), read files, and make scratch
// folders. Header-only so that every test target can use it without a CMake change.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace faultline::test {

/// A path inside the checkout.
inline std::string source_path(const std::string& relative) { return std::string(FAULTLINE_SOURCE_DIR) + "/" + relative; }

/// ../shared beside the checkout; tests that need it skip when it is absent.
inline std::string shared_path(const std::string& relative) { return std::string(FAULTLINE_SHARED_DIR) + "/" + relative; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << content;
}

/// A scratch folder removed with its contents when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "faultline-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CliResult {
  int exit_code = -1;      // valid when exited
  bool exited = false;     // false: killed by a signal (a crash) or by the deadline
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  double wall_seconds = 0;
  long child_max_rss_kib = 0;  // ru_maxrss of the child, from wait4
  [[nodiscard]] std::string describe() const {
    std::string s = exited ? "exit code " + std::to_string(exit_code)
                           : (timed_out ? std::string("timed out") : "killed by signal " + std::to_string(signal));
    return s + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
};

/// Runs `program args...` with stdout and stderr captured in files; kills it at the deadline.
inline CliResult run_program(const std::string& program, const std::vector<std::string>& args,
                             double timeout_seconds = 120.0) {
  TempDir io;
  const std::string out_path = io / "stdout", err_path = io / "stderr";
  std::vector<std::string> argv_s;
  argv_s.push_back(program);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) ::_exit(127);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::close(o);
    ::close(e);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  CliResult r;
  int status = 0;
  rusage ru{};
  for (;;) {
    const pid_t w = ::wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) break;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_seconds) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &ru);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.child_max_rss_kib = ru.ru_maxrss;
  if (!r.timed_out && WIFEXITED(status)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

/// Runs the faultline binary built with this tree.
inline CliResult run_cli(const std::vector<std::string>& args, double timeout_seconds = 120.0) {
  return run_program(FAULTLINE_CLI, args, timeout_seconds);
}

/// Number of lines in a text.
inline size_t count_lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace faultline::test
