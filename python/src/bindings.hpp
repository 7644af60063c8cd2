// The parts of the _faultline module, each defined in its own source file.
#pragma once

#include <pybind11/pybind11.h>

namespace faultline::python {

namespace py = pybind11;

void bind_run(py::module_& m);
void bind_sweep(py::module_& m);
void bind_validate(py::module_& m);

}  // namespace faultline::python
