// What every importer shares (DESIGN §5, issue 5): the scenario the files are read against, the
// user's options, and the sink that collects faults, load profiles and the "unmapped" report.
// Importers never drop anything silently: what they cannot map becomes an UnmappedEntry with
// the file, the place and the reason.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/faults/fault_plan.hpp"
#include "sim/random/random_stream.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/selector.hpp"

namespace faultline::sim::importers {

/// The user's choices (CLI options of `import` and `replay`).
struct ImportOptions {
  std::map<std::string, std::string> pod_map;  // --map POD=PATH: pods whose names carry hashes
  Duration at = Duration::zero();              // --at: when definitions (not records) start
  std::optional<Duration> window;              // --window: how long Schedules are expanded
  std::optional<int64_t> start_epoch_ns;       // --start-time: the records' time zero
  std::optional<std::string> producer;         // --producer: the producer or http-load a k6 load drives
  std::map<std::string, std::string> vars;     // --var KEY=VALUE: Chaos Toolkit configuration
  std::optional<Duration> k6_iteration;        // --k6-iteration: one VU iteration (sleep + request)
  Duration k6_bin = Duration::s(1);            // --k6-bin: bin width for recorded k6 points
};

/// One field or object that could not be mapped, with why and what it cost.
struct UnmappedEntry {
  std::string file;
  std::string at;  // JSON pointer (or "line N" for line formats)
  int line = 0;
  std::string what;    // the field or object, e.g. "spec.selector.namespaces"
  std::string reason;  // why it is not mapped
  std::string effect;  // "fault dropped", "field ignored", "assumed", "file skipped"
};

/// A fault as an importer produces it. Times are nanoseconds: from the scenario's start for
/// definitions, or since the Unix epoch for records (`absolute`), converted once the records'
/// time zero is known.
struct PendingFault {
  std::string kind;
  int64_t start_ns = 0;
  std::optional<int64_t> end_ns;
  std::optional<int64_t> recovered_ns;
  bool absolute = false;
  std::vector<std::string> targets;
  Json params = Json::object();  // normalised against the kind's declaration
  Json source = Json::object();  // {"file", "at", …}
  size_t order = 0;              // emission order, the tie-break of equal starts
  std::vector<std::string> pods; // records: the pods as named there (to find their restarts)
};

/// A piece of load: the rate ramps linearly from r0 to r1 over [t0, t1) and is 0 outside.
/// Pieces add up. Rates are the whole load (all producer pods), per second.
struct LoadPiece {
  int64_t t0_ns = 0, t1_ns = 0;
  double r0 = 0, r1 = 0;
};

struct PendingLoad {
  std::string name;  // the k6 scenario name ("" when none): it may name a producer or http-load
  std::vector<LoadPiece> pieces;
  bool absolute = false;
  Json source = Json::object();
};

/// A probe or abort condition an importer mapped (Litmus promProbe/httpProbe, a Chaos Toolkit
/// hypothesis probe, a Gloo Shot failure condition), in the scenario's schema
/// (sim/experiment/README.md), with where it came from.
struct ImportedCheck {
  bool abort = false;  // an abort condition; else a probe of the hypothesis
  Json block;          // {name, query, tolerance | when, mode, …}
  std::string file;
  std::string at;
};

/// What a file turned out to be, for the report.
struct FileReport {
  std::string file;
  std::vector<std::string> formats;  // one per document, e.g. "chaos-mesh PodChaos definition"
};

class ImportContext {
 public:
  ImportContext(const ResolvedScenario& scenario, const ImportOptions& options);

  [[nodiscard]] const ResolvedScenario& scenario() const { return scenario_; }
  [[nodiscard]] const ImportOptions& options() const { return options_; }
  [[nodiscard]] const std::vector<AddressableComponent>& components() const { return components_; }

  /// Reports a field that could not be mapped.
  void unmapped(const Document& doc, const std::string& pointer, const std::string& what, const std::string& reason,
                const std::string& effect);
  void unmapped_line(const std::string& file, int line, const std::string& what, const std::string& reason,
                     const std::string& effect);
  void add_fault(PendingFault f);
  void add_load(PendingLoad l) { loads_.push_back(std::move(l)); }
  /// Adds a probe or condition; a name already taken gets a "-2", "-3", … suffix.
  void add_check(ImportedCheck c);
  /// A record's own start (a journal's start, a chaos object's creation): the earliest of these
  /// and of the recorded times is the replay's time zero.
  void add_anchor(int64_t epoch_ns) { anchors_.push_back(epoch_ns); }
  void note_format(const std::string& file, const std::string& format);

  /// The component a pod of a chaos record designates: "--map" first (as "ns/pod" or "pod"),
  /// then the component whose last path segment is the pod's name. Empty with the reason.
  [[nodiscard]] std::optional<std::string> map_pod(const std::string& id, std::string& reason) const;
  /// Components a label selector picks; `self` kinds are addressed through their members.
  [[nodiscard]] std::vector<std::string> select(const LabelSelector& selector) const;
  [[nodiscard]] std::string labels_overview() const;  // for "matches no component" reasons

  /// A seeded stream for a random choice of an imported definition: derived from the scenario
  /// seed and the object's identity (not the file's path), so one seed gives one outcome.
  [[nodiscard]] RandomStream stream(const std::string& object, const std::string& purpose) const;

  /// Validates imported parameters exactly as scenario faults are (normalize_params): each
  /// value is checked at the place it came from, then defaults are applied.
  struct Param {
    std::string name;
    Json value;
    std::string pointer;  // where the value is in `doc`
  };
  [[nodiscard]] Json fault_params(const std::string& kind, const std::vector<Param>& given, const Document& doc,
                                  const std::string& pointer) const;

  /// Where definitions start, and how long Schedules are expanded (the scenario's duration
  /// after --at, or --window). Throws InputError when neither is known.
  [[nodiscard]] int64_t definitions_start_ns() const { return options_.at.count_ns(); }
  [[nodiscard]] int64_t window_end_ns(const Document& doc, const std::string& pointer) const;

  [[nodiscard]] const std::vector<PendingFault>& faults() const { return faults_; }
  std::vector<PendingFault>& mutable_faults() { return faults_; }
  [[nodiscard]] const std::vector<PendingLoad>& loads() const { return loads_; }
  [[nodiscard]] const std::vector<ImportedCheck>& checks() const { return checks_; }
  [[nodiscard]] const std::vector<UnmappedEntry>& unmapped_entries() const { return unmapped_; }
  [[nodiscard]] const std::vector<int64_t>& anchors() const { return anchors_; }
  [[nodiscard]] const std::vector<FileReport>& files() const { return files_; }

 private:
  const ResolvedScenario& scenario_;
  const ImportOptions& options_;
  std::vector<AddressableComponent> components_;
  std::vector<PendingFault> faults_;
  std::vector<PendingLoad> loads_;
  std::vector<ImportedCheck> checks_;
  std::vector<UnmappedEntry> unmapped_;
  std::vector<int64_t> anchors_;
  std::vector<FileReport> files_;
};

// ---- Small readers shared by the importers. Each throws InputError at the pointer.

/// The value at `pointer` or nullptr when a step is missing (never throws).
const Json* find(const Json& root, const std::vector<std::string>& path);
/// Text of a scalar: strings as they are, numbers and booleans printed.
std::optional<std::string> scalar_text(const Json& v);
/// A Go / Kubernetes duration ("30s", "1m30s"); throws at the pointer.
Duration read_duration(const Json& v, const Document& doc, const std::string& pointer);
/// An RFC 3339 timestamp (exactly, zones and fractions); throws at the pointer.
int64_t read_timestamp(const Json& v, const Document& doc, const std::string& pointer);
/// A number given as a number or a numeric string ("25"); throws at the pointer.
double read_number(const Json& v, const Document& doc, const std::string& pointer, const std::string& what);
/// "k=v,k2=v2", "k in (a,b)", "k notin (a)", "k", "!k", "k!=v": a Kubernetes label selector string.
LabelSelector parse_label_string(const std::string& text, const Document& doc, const std::string& pointer);

}  // namespace faultline::sim::importers
