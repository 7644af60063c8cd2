// validate from Python, as `faultline validate` does it (sim/validate, DESIGN §8): replay the
// record, line the predicted series up with the observed ones, compare each figure with its
// tolerance. The scenario is a file, as for the CLI.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "json_convert.hpp"
#include "models/register_builtin_models.hpp"
#include "sim/validate/report.hpp"
#include "sim/validate/validate.hpp"

namespace faultline::python {

void bind_validate(py::module_& m) {
  m.def(
      "validate",
      [](const std::string& scenario, const std::vector<std::string>& records, const std::vector<std::string>& observed,
         const std::optional<std::string>& experiment, const std::vector<std::string>& sets,
         std::optional<uint64_t> seed, const std::optional<std::string>& start_time,
         const std::optional<std::string>& until, const std::vector<std::string>& metrics,
         const std::vector<std::string>& tolerances, const std::optional<std::string>& mapping,
         const std::map<std::string, std::string>& maps, const std::optional<std::string>& out) {
        validate::ValidateOptions o;
        o.scenario = scenario;
        o.records = records;
        o.observed = observed;
        o.experiment = experiment;
        o.sets = sets;
        o.seed = seed;
        o.start_time = start_time;
        o.until = until;
        o.metrics = metrics;
        o.tolerances = tolerances;
        o.mapping = mapping;
        o.pod_map = maps;
        if (out) o.replay_out = *out + "/replay";  // as the CLI: the replay it judged, beside the report
        sim::Json report;
        bool passed = false;
        std::pair<size_t, size_t> counts;
        {
          py::gil_scoped_release release;
          const validate::ValidationResult r = validate::run_validation(o, models::builtin_registry());
          if (out) validate::write_report(r, *out);
          report = r.to_json();
          passed = r.passed();
          counts = r.counts();
        }
        py::dict d;
        d["report"] = to_python(report);
        d["passed"] = passed;
        d["checks_passed"] = counts.first;
        d["checks_failed"] = counts.second;
        return d;
      },
      py::arg("scenario"), py::arg("records"), py::arg("observed"), py::arg("experiment") = py::none(),
      py::arg("sets") = std::vector<std::string>{}, py::arg("seed") = py::none(), py::arg("start_time") = py::none(),
      py::arg("until") = py::none(), py::arg("metrics") = std::vector<std::string>{},
      py::arg("tolerances") = std::vector<std::string>{}, py::arg("mapping") = py::none(),
      py::arg("maps") = std::map<std::string, std::string>{}, py::arg("out") = py::none(),
      "Validates a scenario against a recorded live run, as `faultline validate` does.");
}

}  // namespace faultline::python
