// `faultline sweep` and `faultline.sweep()` (DESIGN §9): the plan's runs in parallel on local
// threads (one run per thread at a time: a run is single-threaded, DESIGN §3) or recorded one
// by one by an outside scheduler (Dask, from Python), journalled as they finish, then the
// tables. Rows depend only on the plan, so the result is the same for any worker count.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/sweep/sweep_journal.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_table.hpp"

namespace faultline::sim::sweep {

struct SweepProgress {
  size_t done = 0;          // runs finished, resumed ones included
  size_t total = 0;         // runs in the plan
  size_t done_now = 0;      // finished by this session
  size_t pending_at_start = 0;
  double elapsed_seconds = 0;  // of this session
};

struct SweepResult {
  SweepTable runs;
  SweepTable aggregate;
  Json goal;  // null without a goal
  Json timing;
  SweepTable timing_table;  // one row per run: parameters, wall_seconds, events, events_per_second
};

class Sweep {
 public:
  /// With `out_dir`, finished runs are journalled there and a sweep of the same plan resumes.
  Sweep(Document doc, const ModelRegistry& registry, SweepOptions options, std::optional<std::string> out_dir);
  ~Sweep();

  [[nodiscard]] const SweepPlan& plan() const { return plan_; }
  /// Runs not finished yet, in run order.
  [[nodiscard]] std::vector<size_t> pending() const;
  [[nodiscard]] size_t done_count() const;

  /// Records a finished run (thread-safe): journals it, keeps its row.
  void record(size_t run, const RunRecord& record);

  /// Runs every pending run on `jobs` threads. `poll` is called from the calling thread about ten
  /// times a second with the progress; when it returns true the sweep stops taking new runs,
  /// lets the running ones finish and returns false (true if every run is done after all).
  /// Rethrows the first run's error.
  bool run_local(unsigned jobs, const std::function<bool(const SweepProgress&)>& poll = {});

  /// The tables once every run is done; writes the output folder when there is one: runs.csv,
  /// runs.json, aggregate.csv, aggregate.json, goal.json (with a goal), timing.json, timing.csv.
  SweepResult finish();

 private:
  SweepPlan plan_;
  std::unique_ptr<SweepJournal> journal_;
  mutable std::mutex mutex_;
  std::vector<std::optional<Json>> rows_;    // by run: parameters then metrics
  std::vector<std::optional<Json>> timing_;  // by run
  std::optional<unsigned> jobs_;
  size_t done_at_start_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace faultline::sim::sweep
