#include "sim/sweep/sweep.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <thread>

#include "sim/output/atomic_file.hpp"

namespace faultline::sim::sweep {

Sweep::Sweep(Document doc, const ModelRegistry& registry, SweepOptions options, std::optional<std::string> out_dir)
    : plan_(std::move(doc), registry, std::move(options)),
      rows_(plan_.runs()),
      timing_(plan_.runs()),
      start_(std::chrono::steady_clock::now()) {
  if (!out_dir) return;
  journal_ = std::make_unique<SweepJournal>(*out_dir, plan_.identity(), plan_.runs());
  for (const auto& [run, line] : journal_->done()) {
    const Json params = plan_.run_params(run);
    for (const auto& [k, v] : params.items())
      if (!line["row"].contains(k) || line["row"][k] != v)
        throw InputError(journal_->path("runs.jsonl"), "", 0,
                         "run " + std::to_string(run) + " was journalled with " + k + " = " +
                             (line["row"].contains(k) ? line["row"][k].dump() : std::string("nothing")) +
                             " but the plan gives it " + v.dump() + ": choose another --out");
    rows_[run] = line["row"];
    timing_[run] = line["timing"];
    ++done_at_start_;
  }
}

Sweep::~Sweep() = default;

std::vector<size_t> Sweep::pending() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<size_t> out;
  for (size_t r = 0; r < rows_.size(); ++r)
    if (!rows_[r]) out.push_back(r);
  return out;
}

size_t Sweep::done_count() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& r : rows_) n += r ? 1 : 0;
  return n;
}

void Sweep::record(size_t run, const RunRecord& record) {
  if (run >= plan_.runs()) throw std::out_of_range("sweep run " + std::to_string(run) + " is not in the plan");
  Json row = plan_.run_params(run);
  for (const auto& [k, v] : record.metrics.items())
    if (!row.contains(k)) row[k] = v;
  Json timing;
  timing["wall_seconds"] = record.wall_seconds;
  timing["events"] = record.events;
  Json line;
  line["run"] = run;
  line["row"] = std::move(row);
  line["timing"] = std::move(timing);
  // Rows are kept as the journal holds them (printed, then read back), so a resumed sweep and
  // an uninterrupted one produce the same bytes.
  const std::string text = line.dump();
  Json canonical = Json::parse(text);
  if (journal_) journal_->append(canonical);
  const std::lock_guard<std::mutex> lock(mutex_);
  rows_[run] = std::move(canonical["row"]);
  timing_[run] = std::move(canonical["timing"]);
}

bool Sweep::run_local(unsigned jobs, const std::function<bool(const SweepProgress&)>& poll) {
  if (jobs == 0) jobs = 1;
  jobs_ = jobs;
  const std::vector<size_t> not_yet_run = pending();
  const size_t done_before = plan_.runs() - not_yet_run.size();
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  std::atomic<bool> stop{false};
  std::mutex m;
  std::condition_variable cv;
  std::exception_ptr error;
  const auto session_start = std::chrono::steady_clock::now();

  std::vector<std::thread> threads;
  const size_t n_threads = std::min<size_t>(jobs, std::max<size_t>(not_yet_run.size(), 1));
  std::atomic<size_t> running{n_threads};
  const auto worker = [&] {
    for (;;) {
      const size_t k = stop.load() ? not_yet_run.size() : next.fetch_add(1);
      if (k >= not_yet_run.size()) break;
      const size_t run = not_yet_run[k];
      try {
        record(run, run_point(plan_.doc(), plan_.registry(), plan_.run_options(run)));
        finished.fetch_add(1);
      } catch (const InputError& e) {
        const std::lock_guard<std::mutex> lock(m);
        if (!error)
          error = std::make_exception_ptr(InputError(e.file(), e.pointer(), e.line(),
                                                     e.message() + " (sweep run " + std::to_string(run) + ": " +
                                                         plan_.run_params(run).dump() + ")"));
        stop = true;
      } catch (...) {
        const std::lock_guard<std::mutex> lock(m);
        if (!error) error = std::current_exception();
        stop = true;
      }
      cv.notify_all();
    }
    running.fetch_sub(1);
    cv.notify_all();
  };
  for (size_t i = 0; i < n_threads; ++i) threads.emplace_back(worker);

  bool stopped_by_poll = false;
  const auto progress = [&] {
    SweepProgress p;
    p.total = plan_.runs();
    p.done_now = finished.load();
    p.done = done_before + p.done_now;
    p.pending_at_start = not_yet_run.size();
    p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
    return p;
  };
  while (running.load() > 0) {
    {
      std::unique_lock<std::mutex> lock(m);
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return running.load() == 0; });
    }
    if (poll && !stopped_by_poll && poll(progress())) {
      stopped_by_poll = true;
      stop = true;  // the runs in progress finish and are kept
    }
  }
  for (auto& t : threads) t.join();
  if (journal_) journal_->sync();
  if (error) std::rethrow_exception(error);
  if (poll && !stopped_by_poll) poll(progress());
  return done_count() == plan_.runs();  // stopped after the last run is still complete
}

SweepResult Sweep::finish() {
  std::vector<Json> rows, timings;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    size_t missing = 0;
    for (const auto& r : rows_) missing += r ? 0 : 1;
    if (missing) throw std::logic_error("sweep: " + std::to_string(missing) + " runs are not done");
    for (size_t r = 0; r < rows_.size(); ++r) {
      rows.push_back(*rows_[r]);
      timings.push_back(*timing_[r]);
    }
  }
  SweepResult res;
  res.runs = make_runs_table(plan_, rows);
  res.aggregate = make_aggregate_table(plan_, res.runs);
  res.goal = plan_.options().goal ? make_goal_report(plan_, res.runs, res.aggregate) : Json(nullptr);

  // Timing: the only part that differs between two sweeps of the same plan.
  res.timing_table.columns = plan_.parameter_columns();
  res.timing_table.parameter_count = res.timing_table.columns.size();
  for (const char* c : {"wall_seconds", "events", "events_per_second"}) res.timing_table.columns.emplace_back(c);
  double run_wall_sum = 0;
  for (size_t r = 0; r < timings.size(); ++r) {
    Json row = plan_.run_params(r);
    const double w = timings[r]["wall_seconds"].get<double>();
    const uint64_t ev = timings[r]["events"].get<uint64_t>();
    row["wall_seconds"] = w;
    row["events"] = ev;
    row["events_per_second"] = w > 0 ? static_cast<double>(ev) / w : 0.0;
    run_wall_sum += w;
    res.timing_table.rows.push_back(std::move(row));
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const size_t ran_now = plan_.runs() - done_at_start_;
  res.timing["wall_seconds"] = wall;
  res.timing["jobs"] = jobs_ ? Json(*jobs_) : Json(nullptr);
  res.timing["runs"] = plan_.runs();
  res.timing["runs_this_session"] = ran_now;
  res.timing["runs_resumed"] = done_at_start_;
  res.timing["runs_per_second"] = wall > 0 ? static_cast<double>(ran_now) / wall : 0.0;
  res.timing["run_wall_seconds_sum"] = run_wall_sum;

  if (journal_) {
    const auto write = [&](const std::string& name, const std::string& text) {
      write_file_atomically(journal_->path(name), text);
    };
    write("runs.csv", res.runs.csv());
    write("runs.json", res.runs.json().dump(2) + "\n");
    write("aggregate.csv", res.aggregate.csv());
    write("aggregate.json", res.aggregate.json().dump(2) + "\n");
    if (!res.goal.is_null()) write("goal.json", res.goal.dump(2) + "\n");
    write("timing.csv", res.timing_table.csv());
    write("timing.json", res.timing.dump(2) + "\n");
  }
  return res;
}

}  // namespace faultline::sim::sweep
