// The record of a live run, as `faultline validate` and `faultline calibrate` read it: the fault timeline
// with the recorded recovery times, the records' time zero, and the ground truth of message fates. A record
// is given as files or as the folder a run was recorded into (the reference testbed's
// `validation/traces/<experiment>/run-<k>/`, see validation/testbed/README.md):
//   faults.jsonl       a DESIGN §5 timeline, read leniently: a parameter the fault kind does not declare is
//                      the record's own information and is listed as ignored (never dropped silently); a
//                      few testbed spellings are translated (latency_ms → latency, from → peers);
//                      `recovered_s_by_target` splits a multi-target kill into one fault per target with
//                      its own recovery; a container-kill with `restart_delay_s` > 0 (the harness restarted
//                      the process later) is replayed as a pod-failure of that length, after which the
//                      process starts in place.
//   run.json           the testbed's run: start_time is the records' time zero.
//   truth.json         the testbed's summary: published, delivered, lost (by cause).
//   messages.csv[.gz]  per-message ground truth (id, ..., fate, lost_cause); beside a truth.json only its
//                      confirm times are used (calibrate's confirm latency).
//   anything else      a chaos record or definition, read by the importers (sim/importers).
// Targets and peers the scenario does not have are dropped with a note, as the importers do (a fault left
// without targets, or without peers, is dropped); --map renames a record's path to one or more component
// paths (comma-separated).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/faults/fault.hpp"
#include "sim/importers/import_context.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline::validate {

/// The fates of the live run's messages.
struct GroundTruth {
  std::string file;
  uint64_t published = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
  std::optional<uint64_t> duplicates;
  std::map<std::string, uint64_t> lost_by_cause;
  std::optional<double> backlog_peak;  // the exact backlog peak, when the record has it
};

/// Per-message confirm times of one queue (per-message ground truth with t_pub_s, t_confirm_s).
struct QueueConfirms {
  std::vector<double> published_s;  // seconds from the records' time zero
  std::vector<double> latency_s;    // confirm − publish
};

/// Something in a record that was not taken as it is: reported, never silent.
struct RecordNote {
  std::string file;
  int line = 0;
  std::string what;
  std::string effect;  // "field ignored", "target dropped", "fault dropped",
                       // "split", "end ignored", "file skipped"
  std::string reason;
};

/// A fault of the record and what the record says about its recovery.
struct RecordedFault {
  sim::Fault fault;                               // times in simulated seconds from the records' time zero
  bool recovery_known = false;                    // the record says when the target served again,
                                                  // or that it did not (null)
  sim::Json record_params = sim::Json::object();  // the record's own parameters, as written (calibrate
                                                  // reads them)
};

struct Records {
  std::vector<RecordedFault> faults;      // sorted by start (ties keep the record's order)
  std::optional<int64_t> start_epoch_ns;  // the records' time zero
  std::optional<std::string> experiment;  // run.json
  std::optional<int64_t> run;             // run.json
  std::optional<GroundTruth> truth;
  std::map<std::string, QueueConfirms> confirms;  // by queue, from per-message ground truth
  std::vector<std::string> load_sets;             // --set arguments from load profiles (importers)
  std::vector<RecordNote> notes;
  std::vector<std::string> files;  // "path (role)" for every file read

  /// The faults as a replay takes them; without their recorded recovery times when `with_recovery` is false
  /// (the model's own recovery then acts).
  [[nodiscard]] std::vector<sim::Fault> timeline(bool with_recovery) const;
  /// The first fault's start, or empty when there is no fault.
  [[nodiscard]] std::optional<double> first_fault_s() const;
};

/// Reads the records against the scenario (targets must be its component paths). Throws sim::InputError
/// naming the file and the line or pointer for malformed input.
Records read_records(const sim::ResolvedScenario& scenario, const std::vector<std::string>& paths,
                     const sim::importers::ImportOptions& options);

/// The lenient DESIGN §5 timeline reader on text (tests): see the file comment. `map` renames the record's
/// targets and peers (--map PATH=PATH[,PATH...]): a record that names one process the scenario models as
/// several components maps it to all of them.
void read_timeline(const sim::ResolvedScenario& scenario, const std::string& file, const std::string& text,
                   Records& out, const std::map<std::string, std::string>& map = {});

/// Per-message ground truth (CSV with at least the columns id and fate; fate is delivered, delivered_late or
/// lost; lost_cause and deliveries are read when present; with the columns queue, t_pub_s and t_confirm_s,
/// the confirm latencies go to `confirms`).
GroundTruth read_messages_csv(const std::string& file, const std::string& text,
                              std::map<std::string, QueueConfirms>* confirms = nullptr);

/// The testbed's truth.json.
GroundTruth read_truth_json(const std::string& file, const std::string& text);

}  // namespace faultline::validate
