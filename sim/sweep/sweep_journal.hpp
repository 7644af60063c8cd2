// Crash-safe persistence of a sweep in its output folder. `sweep.json` names the plan (what
// decides the runs); `runs.jsonl` gets one line per finished run, written whole with one
// append as soon as the run ends and flushed to disk at least once a second, so a killed sweep
// loses at most the runs still in progress (and, on a power cut, the last second). Reopening
// the folder with the same plan reads the finished runs back; a torn last line (the process
// died in the middle of it) is cut off, and that run is simply run again.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "sim/scenario/document.hpp"

namespace faultline::sim::sweep {

class SweepJournal {
 public:
  /// Opens or creates `dir`. Throws InputError (exit code 2) when the folder holds the journal
  /// of another plan, or a damaged line that is not the last.
  SweepJournal(std::string dir, const Json& identity, size_t runs);
  ~SweepJournal();
  SweepJournal(const SweepJournal&) = delete;
  SweepJournal& operator=(const SweepJournal&) = delete;

  /// The lines read back, by run index: {"run", "row", "timing"}.
  [[nodiscard]] const std::map<size_t, Json>& done() const { return done_; }
  /// Appends one line (thread-safe).
  void append(const Json& line);
  /// Flushes to disk now.
  void sync();

  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  int fd_ = -1;
  std::map<size_t, Json> done_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_sync_;
  bool dirty_ = false;
};

}  // namespace faultline::sim::sweep
