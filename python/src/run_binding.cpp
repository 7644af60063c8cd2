// Documents (a scenario as parsed, before resolution), run, replay and their results. Runs
// release the GIL: a run touches no Python object.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <memory>

#include "bindings.hpp"
#include "json_convert.hpp"
#include "models/register_builtin_models.hpp"
#include "sim/core/rfc3339.hpp"
#include "sim/importers/import.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/run_outputs.hpp"
#include "sim/run/scenario_run.hpp"

namespace faultline::python {

namespace {

const sim::ModelRegistry& registry() { return models::builtin_registry(); }

sim::DocumentFormat format_of(const std::string& name) {
  if (name == "auto") return sim::DocumentFormat::automatic;
  if (name == "json") return sim::DocumentFormat::json;
  if (name == "yaml") return sim::DocumentFormat::yaml;
  throw py::value_error("format must be \"auto\", \"json\" or \"yaml\", got \"" + name + "\"");
}

sim::Duration duration_option(const std::string& text, const char* name) {
  try {
    return sim::parse_duration(text);
  } catch (const std::exception& e) {
    throw sim::InputError(name, "", 0, e.what());
  }
}

/// A finished run and what it produced.
struct RunResult {
  std::unique_ptr<sim::ScenarioRun> run;
  sim::Json import_report;  // replay only
};

py::dict series_data(const RunResult& r) {
  const sim::Recorder& rec = r.run->sim().recorder();
  const std::vector<sim::SeriesView> views = rec.series();
  const std::vector<int64_t>& times = rec.scrape_times_ns();
  const size_t rows = times.size(), cols = views.size();
  py::array_t<int64_t> t(static_cast<py::ssize_t>(rows));
  py::array_t<double> values({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  {
    auto tv = t.mutable_unchecked<1>();
    auto vv = values.mutable_unchecked<2>();
    for (size_t i = 0; i < rows; ++i) tv(static_cast<py::ssize_t>(i)) = times[i];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (size_t c = 0; c < cols; ++c) {
      const sim::SeriesView& s = views[c];
      for (size_t i = 0; i < rows; ++i) {
        const bool present = i >= s.first_sample && i - s.first_sample < s.values->size();
        vv(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(c)) = present ? (*s.values)[i - s.first_sample] : nan;
      }
    }
  }
  py::list names, labels, families, types;
  for (const sim::SeriesView& s : views) {
    names.append(s.identity());
    py::dict l;
    l["__name__"] = s.name;
    for (const auto& [k, v] : s.labels) l[py::str(k)] = v;
    labels.append(l);
    families.append(s.family);
    types.append(std::string(sim::metric_type_name(s.type)));
  }
  py::dict out;
  out["time_ns"] = t;
  out["values"] = values;
  out["names"] = names;
  out["labels"] = labels;
  out["families"] = families;
  out["types"] = types;
  out["start_epoch_ns"] = r.run->scenario().start_epoch_ns;
  return out;
}

std::unique_ptr<RunResult> run_document(const sim::Document& doc, const std::optional<std::string>& experiment,
                                        const std::vector<std::string>& sets, std::optional<uint64_t> seed,
                                        const std::optional<std::string>& until,
                                        const std::optional<std::string>& start_time, bool trace_messages) {
  auto result = std::make_unique<RunResult>();
  py::gil_scoped_release release;
  sim::RunOptions opt;
  opt.experiment = experiment;
  opt.sets = sets;
  opt.seed = seed;
  opt.start_time = start_time;
  opt.trace_messages = trace_messages;
  if (until) {
    opt.until = duration_option(*until, "--until");
    if (*opt.until <= sim::Duration::zero()) throw sim::InputError("--until", "", 0, "expected a time > 0 such as 10m");
  }
  result->run = std::make_unique<sim::ScenarioRun>(sim::resolve_scenario(doc, registry(), opt), registry(), opt);
  result->run->run();
  return result;
}

struct ReplayArgs {
  std::vector<std::string> records;
  std::vector<std::pair<std::string, std::string>> texts;  // (name, content) in memory
  std::map<std::string, std::string> maps, vars;
  std::optional<std::string> at, window, producer, k6_iteration, k6_bin;
};

std::unique_ptr<RunResult> replay_document(const sim::Document& doc, const ReplayArgs& a,
                                           const std::optional<std::string>& experiment,
                                           const std::vector<std::string>& sets, std::optional<uint64_t> seed,
                                           const std::optional<std::string>& until,
                                           const std::optional<std::string>& start_time, bool trace_messages) {
  auto result = std::make_unique<RunResult>();
  py::gil_scoped_release release;
  // As `faultline replay` does it (sim/importers/cli.cpp): resolve, import the records against
  // the scenario, then run with their faults, their load and their start time.
  sim::importers::ImportOptions io;
  io.pod_map = a.maps;
  io.vars = a.vars;
  if (a.at) {
    io.at = duration_option(*a.at, "--at");
    if (io.at < sim::Duration::zero()) throw sim::InputError("--at", "", 0, "expected a duration ≥ 0");
  }
  if (a.window) {
    io.window = duration_option(*a.window, "--window");
    if (*io.window <= sim::Duration::zero()) throw sim::InputError("--window", "", 0, "expected a duration > 0");
  }
  if (start_time) {
    io.start_epoch_ns = sim::parse_rfc3339(*start_time);
    if (!io.start_epoch_ns)
      throw sim::InputError("--start-time", "", 0,
                            "expected an RFC 3339 time such as 2026-01-01T00:00:00Z, got \"" + *start_time + "\"");
  }
  io.producer = a.producer;
  if (a.k6_iteration) io.k6_iteration = duration_option(*a.k6_iteration, "--k6-iteration");
  if (a.k6_bin) io.k6_bin = duration_option(*a.k6_bin, "--k6-bin");
  if (io.k6_bin < sim::Duration::ms(1)) throw sim::InputError("--k6-bin", "", 0, "expected a bin of at least 1ms");

  sim::ResolveOptions first_opt;
  first_opt.experiment = experiment;
  first_opt.sets = sets;
  first_opt.seed = seed;
  first_opt.start_time = start_time;
  const sim::ResolvedScenario first = sim::resolve_scenario(doc, registry(), first_opt);
  const sim::importers::ImportResult imported = a.texts.empty()
                                                    ? sim::importers::import_files(first, a.records, io)
                                                    : sim::importers::import_texts(first, a.texts, io);
  sim::RunOptions opt;
  opt.experiment = experiment;
  opt.sets = sets;
  for (const std::string& s : imported.load_sets()) opt.sets.push_back(s);
  opt.seed = seed;
  if (start_time)
    opt.start_time = start_time;
  else if (imported.start_epoch_ns)
    opt.start_time = sim::format_rfc3339(*imported.start_epoch_ns);
  opt.trace_messages = trace_messages;
  if (until) {
    opt.until = duration_option(*until, "--until");
    if (*opt.until <= sim::Duration::zero()) throw sim::InputError("--until", "", 0, "expected a time > 0 such as 10m");
  }
  opt.recorded_faults = imported.faults;
  result->run = std::make_unique<sim::ScenarioRun>(sim::resolve_scenario(doc, registry(), opt), registry(), opt);
  result->run->run();
  result->import_report = imported.report(result->run->scenario());
  return result;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<sim::Document>(m, "Document", "A scenario as parsed (JSON or YAML), before defaults and overrides")
      .def_readonly("file", &sim::Document::file, "the file, or the name given to a string or dict")
      .def("root", [](const sim::Document& d) { return to_python(d.root); }, "the parsed content as a dict")
      .def("to_json", [](const sim::Document& d) { return d.root.dump(); }, "the parsed content as JSON text");

  m.def("load_file",
        [](const std::string& path, const std::string& format) { return sim::load_document(path, format_of(format)); },
        py::arg("path"), py::arg("format") = "auto", "Reads and parses a scenario file (JSON or YAML).");
  m.def("parse_text",
        [](const std::string& text, const std::string& name, const std::string& format) {
          return sim::parse_document(text, name, format_of(format));
        },
        py::arg("text"), py::arg("name") = "<string>", py::arg("format") = "auto",
        "Parses scenario text (JSON or YAML); `name` stands for the file in error messages.");
  m.def("from_object",
        [](const py::object& obj, const std::string& name) {
          sim::Document d;
          d.file = name;
          d.root = from_python(obj);
          return d;
        },
        py::arg("obj"), py::arg("name") = "<dict>", "A scenario from a dict (the same schema as the files).");

  m.def("resolve",
        [](const sim::Document& doc, const std::optional<std::string>& experiment, const std::vector<std::string>& sets,
           std::optional<uint64_t> seed, const std::optional<std::string>& start_time) {
          sim::ResolveOptions opt;
          opt.experiment = experiment;
          opt.sets = sets;
          opt.seed = seed;
          opt.start_time = start_time;
          const sim::ResolvedScenario sc = sim::resolve_scenario(doc, registry(), opt);
          py::dict out;
          out["resolved"] = to_python(sc.to_json());
          py::list experiments, instances;
          for (const auto& e : sc.experiments) experiments.append(e.name);
          for (const auto& i : sc.instances) instances.append(i.path);
          out["experiments"] = experiments;
          out["instances"] = instances;
          return out;
        },
        py::arg("doc"), py::arg("experiment") = py::none(), py::arg("sets") = std::vector<std::string>{},
        py::arg("seed") = py::none(), py::arg("start_time") = py::none(),
        "Resolves a scenario (defaults, counts, overrides, the experiment) as `faultline check` does.");

  py::class_<RunResult>(m, "RunResult", "A finished run")
      .def("summary", [](const RunResult& r) { return to_python(r.run->summary()); }, "summary.json as a dict")
      .def_property_readonly("fingerprint", [](const RunResult& r) { return r.run->fingerprint(); })
      .def("timing", [](const RunResult& r) { return to_python(r.run->timing_json()); }, "timing.json as a dict")
      .def("resolved", [](const RunResult& r) { return to_python(r.run->scenario().to_json()); },
           "scenario.resolved.json as a dict")
      .def("import_report", [](const RunResult& r) { return to_python(r.import_report); },
           "what the records held and what could not be mapped (replay); None for a run")
      .def("series_data", &series_data,
           "every series in one block: time_ns (int64, simulated), values (float64, scrapes × series, NaN "
           "before a series exists), names, labels, families, types, start_epoch_ns")
      .def("events",
           [](const RunResult& r) {
             const auto& lines = r.run->sim().events().lines();
             py::list out(lines.size());
             for (size_t i = 0; i < lines.size(); ++i) out[i] = to_python(sim::Json::parse(lines[i]));
             return out;
           },
           "events.jsonl as a list of dicts")
      .def("series_csv",
           [](const RunResult& r) {
             return sim::render_series_csv(r.run->sim().recorder(), r.run->scenario().start_epoch_ns);
           })
      .def("openmetrics",
           [](const RunResult& r) {
             return sim::render_openmetrics(r.run->sim().recorder(), r.run->scenario().start_epoch_ns);
           })
      .def("query_range",
           [](const RunResult& r) {
             return sim::render_query_range(r.run->sim().recorder(), r.run->scenario().start_epoch_ns);
           })
      .def("write",
           [](const RunResult& r, const std::string& dir) {
             py::gil_scoped_release release;
             sim::write_run_outputs(*r.run, dir);
             if (!r.import_report.is_null())
               sim::write_file_atomically(dir + "/import_report.json", r.import_report.dump(2) + "\n");
           },
           py::arg("dir"), "writes the output folder, as `faultline run --out DIR` (or `replay`) does");

  m.def("run", &run_document, py::arg("doc"), py::arg("experiment") = py::none(),
        py::arg("sets") = std::vector<std::string>{}, py::arg("seed") = py::none(), py::arg("until") = py::none(),
        py::arg("start_time") = py::none(), py::arg("trace_messages") = false,
        "Runs a scenario to its end with the GIL released, as `faultline run` does.");

  m.def(
      "replay",
      [](const sim::Document& doc, const std::vector<std::string>& records,
         const std::vector<std::pair<std::string, std::string>>& texts, const std::optional<std::string>& experiment,
         const std::vector<std::string>& sets, std::optional<uint64_t> seed, const std::optional<std::string>& until,
         const std::optional<std::string>& start_time, const std::map<std::string, std::string>& maps,
         const std::map<std::string, std::string>& vars, const std::optional<std::string>& at,
         const std::optional<std::string>& window, const std::optional<std::string>& producer,
         const std::optional<std::string>& k6_iteration, const std::optional<std::string>& k6_bin,
         bool trace_messages) {
        if (records.empty() && texts.empty()) throw py::value_error("replay needs at least one record");
        if (!records.empty() && !texts.empty())
          throw py::value_error("give records as files or as texts, not both");
        ReplayArgs a{records, texts, maps, vars, at, window, producer, k6_iteration, k6_bin};
        return replay_document(doc, a, experiment, sets, seed, until, start_time, trace_messages);
      },
      py::arg("doc"), py::arg("records") = std::vector<std::string>{},
      py::arg("texts") = std::vector<std::pair<std::string, std::string>>{}, py::arg("experiment") = py::none(),
      py::arg("sets") = std::vector<std::string>{}, py::arg("seed") = py::none(), py::arg("until") = py::none(),
      py::arg("start_time") = py::none(), py::arg("maps") = std::map<std::string, std::string>{},
      py::arg("vars") = std::map<std::string, std::string>{}, py::arg("at") = py::none(),
      py::arg("window") = py::none(), py::arg("producer") = py::none(), py::arg("k6_iteration") = py::none(),
      py::arg("k6_bin") = py::none(), py::arg("trace_messages") = false,
      "Runs a scenario with the faults and the load of recorded chaos runs, as `faultline replay` does.");
}

}  // namespace faultline::python
