// Sweeps from Python: the same plan, journal and tables as `faultline sweep`, run on local
// threads with the GIL released, or run by Dask one point at a time (run_point) and recorded.
#include <pybind11/stl.h>

#include <unistd.h>

#include <cstdio>

#include "bindings.hpp"
#include "json_convert.hpp"
#include "models/register_builtin_models.hpp"
#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/student_t.hpp"
#include "sim/sweep/sweep.hpp"

namespace faultline::python {

namespace {

namespace sw = sim::sweep;

py::dict table_to_python(const sw::SweepTable& t) {
  py::list columns;
  for (const auto& c : t.columns) columns.append(c);
  py::list rows(t.rows.size());
  for (size_t r = 0; r < t.rows.size(); ++r) {
    py::list row(t.columns.size());
    for (size_t c = 0; c < t.columns.size(); ++c) row[c] = to_python(t.rows[r][t.columns[c]]);
    rows[r] = row;
  }
  py::dict out;
  out["columns"] = columns;
  out["parameter_count"] = t.parameter_count;
  out["rows"] = rows;
  out["csv"] = t.csv();
  return out;
}

std::unique_ptr<sw::Sweep> make_sweep(const sim::Document& doc, const py::list& axes, std::optional<uint64_t> seeds,
                                      const std::optional<std::string>& experiment,
                                      const std::vector<std::string>& base_sets, const std::optional<std::string>& until,
                                      const std::optional<std::string>& start_time,
                                      const std::optional<std::string>& goal, const std::vector<std::string>& cost,
                                      double confidence, const std::optional<std::string>& out) {
  sw::SweepOptions opt;
  opt.experiment = experiment;
  opt.base_sets = base_sets;
  for (const auto& item : axes) {
    const auto pair = item.cast<py::tuple>();
    if (pair.size() != 2) throw py::value_error("each axis is a (path, values) pair");
    sw::Axis a;
    a.path = pair[0].cast<std::string>();
    const py::handle values = pair[1];
    if (py::isinstance<py::str>(values)) {
      a.given = a.path + "=" + values.cast<std::string>();
      a.values = sw::parse_axis_values(values.cast<std::string>(), a.given);
    } else {
      const sim::Json v = from_python(values);
      if (!v.is_array()) throw py::type_error("the values of axis " + a.path + " must be a list or a \"lo..hi:step\" string");
      a.given = a.path + "=" + v.dump();
      for (const auto& x : v) a.values.push_back(x);
    }
    opt.axes.push_back(std::move(a));
  }
  opt.seeds = seeds;
  opt.until = until;
  opt.start_time = start_time;
  if (goal) opt.goal = sw::parse_goal(*goal);
  opt.cost = cost;
  opt.confidence = confidence;
  py::gil_scoped_release release;  // resolving every setting takes a while on big grids
  return std::make_unique<sw::Sweep>(doc, models::builtin_registry(), std::move(opt), out);
}

}  // namespace

void bind_sweep(py::module_& m) {
  py::class_<sw::Sweep>(m, "Sweep", "A sweep's plan, its finished runs and, with `out`, its journal")
      .def(py::init(&make_sweep), py::arg("doc"), py::arg("axes"), py::arg("seeds") = py::none(),
           py::arg("experiment") = py::none(), py::arg("base_sets") = std::vector<std::string>{},
           py::arg("until") = py::none(), py::arg("start_time") = py::none(), py::arg("goal") = py::none(),
           py::arg("cost") = std::vector<std::string>{}, py::arg("confidence") = 0.95, py::arg("out") = py::none())
      .def_property_readonly("runs", [](const sw::Sweep& s) { return s.plan().runs(); })
      .def_property_readonly("settings", [](const sw::Sweep& s) { return s.plan().settings(); })
      .def_property_readonly("seeds_per_setting", [](const sw::Sweep& s) { return s.plan().seeds_per_setting(); })
      .def("pending", &sw::Sweep::pending, "runs not finished yet, in run order")
      .def("done_count", &sw::Sweep::done_count)
      .def("parameter_columns", [](const sw::Sweep& s) { return s.plan().parameter_columns(); })
      .def("run_params", [](const sw::Sweep& s, size_t run) { return to_python(s.plan().run_params(run)); })
      .def(
          "task",
          [](const sw::Sweep& s, size_t run) {
            if (run >= s.plan().runs()) throw py::index_error("no run " + std::to_string(run) + " in the plan");
            const auto& o = s.plan().options();
            const sim::RunOptions ro = s.plan().run_options(run);
            py::dict t;
            t["experiment"] = o.experiment ? py::object(py::str(*o.experiment)) : py::object(py::none());
            t["sets"] = ro.sets;
            t["seed"] = ro.seed ? py::object(py::int_(*ro.seed)) : py::object(py::none());
            t["until"] = o.until ? py::object(py::str(*o.until)) : py::object(py::none());
            t["start_time"] = o.start_time ? py::object(py::str(*o.start_time)) : py::object(py::none());
            return t;
          },
          py::arg("run"), "the keyword arguments of run_point for one run (for a Dask task)")
      .def("document_json", [](const sw::Sweep& s) { return s.plan().doc().root.dump(); })
      .def_property_readonly("document_name", [](const sw::Sweep& s) { return s.plan().doc().file; })
      .def(
          "record",
          [](sw::Sweep& s, size_t run, const std::string& record_json) {
            if (run >= s.plan().runs()) throw py::index_error("no run " + std::to_string(run) + " in the plan");
            const sw::RunRecord r = sw::RunRecord::from_json(sim::Json::parse(record_json));
            py::gil_scoped_release release;
            s.record(run, r);
          },
          py::arg("run"), py::arg("record_json"), "records a run that run_point ran elsewhere")
      .def(
          "run_local",
          [](sw::Sweep& s, unsigned jobs, bool progress) {
            bool interrupted = false;
            const bool terminal = progress && ::isatty(STDERR_FILENO) != 0;
            sw::ProgressBar bar(stderr);
            sw::SweepProgress last;
            bool complete = false;
            {
              py::gil_scoped_release release;
              complete = s.run_local(jobs, [&](const sw::SweepProgress& p) {
                last = p;
                if (terminal) bar.update(p);
                py::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {  // Ctrl-C: finish the running runs, keep them
                  PyErr_Clear();
                  interrupted = true;
                }
                return interrupted;
              });
            }
            if (terminal) bar.finish(last);
            if (interrupted) {
              PyErr_SetString(PyExc_KeyboardInterrupt, "sweep interrupted; finished runs are kept in the journal");
              throw py::error_already_set();
            }
            return complete;
          },
          py::arg("jobs"), py::arg("progress") = false,
          "runs every pending run on `jobs` threads with the GIL released; True when all are done")
      .def(
          "finish",
          [](sw::Sweep& s) {
            sw::SweepResult r;
            {
              py::gil_scoped_release release;
              r = s.finish();
            }
            py::dict out;
            out["runs"] = table_to_python(r.runs);
            out["aggregate"] = table_to_python(r.aggregate);
            out["goal"] = to_python(r.goal);
            out["timing"] = to_python(r.timing);
            out["timing_table"] = table_to_python(r.timing_table);
            return out;
          },
          "the tables once every run is done (and the output folder, with `out`)");

  m.def(
      "run_point",
      [](const std::string& doc_json, const std::string& name, const std::optional<std::string>& experiment,
         const std::vector<std::string>& sets, std::optional<uint64_t> seed, const std::optional<std::string>& until,
         const std::optional<std::string>& start_time) {
        py::gil_scoped_release release;
        const sim::Document doc = sim::parse_document(doc_json, name, sim::DocumentFormat::json);
        sim::RunOptions opt;
        opt.experiment = experiment;
        opt.sets = sets;
        opt.seed = seed;
        opt.start_time = start_time;
        if (until) {
          try {
            opt.until = sim::parse_duration(*until);
          } catch (const std::exception& e) {
            throw sim::InputError("--until", "", 0, e.what());
          }
        }
        return sw::run_point(doc, models::builtin_registry(), opt).to_json().dump();
      },
      py::arg("doc_json"), py::arg("name"), py::arg("experiment") = py::none(),
      py::arg("sets") = std::vector<std::string>{}, py::arg("seed") = py::none(), py::arg("until") = py::none(),
      py::arg("start_time") = py::none(),
      "Runs one point of a sweep (a Dask task): the record as JSON text, for Sweep.record.");

  m.def("student_t_critical", &sw::student_t_critical, py::arg("confidence"), py::arg("df"),
        "the two-sided Student-t critical value the sweep's intervals use");
}

}  // namespace faultline::python
