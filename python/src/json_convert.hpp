// JSON values to Python objects and back, in one C++ pass (no Python call per element beyond
// building the objects themselves).
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "sim/scenario/document.hpp"

namespace faultline::python {

namespace py = pybind11;

/// null → None, bool, int, float, str, list, dict (keys in document order).
py::object to_python(const sim::Json& value);

/// None, bool, int, float, str, list/tuple, dict with str keys; objects with __index__ or
/// __float__ (NumPy scalars). Throws TypeError naming the JSON pointer of a value it cannot take.
sim::Json from_python(const py::handle& value, const std::string& pointer = "");

}  // namespace faultline::python
