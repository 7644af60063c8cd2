// _faultline: the engine for Python (DESIGN §9). The pure-Python package `faultline` wraps it;
// see python/faultline/_faultline.pyi for the signatures. Errors reach Python as
// faultline.InputError (bad input: the CLI's exit code 2, with the same message, file, JSON
// pointer and line) and faultline.ConservationError (the message accounting did not balance).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "sim/messages/message_ledger.hpp"
#include "sim/scenario/input_error.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_faultline, m) {
  m.doc() = "faultline's engine: load, run, replay and sweep scenarios (use the `faultline` package)";
  m.attr("__version__") = "0.1.0";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const faultline::sim::InputError& e) {
      const py::object cls = py::module_::import("faultline._errors").attr("InputError");
      const py::object err = cls(e.what(), e.message(), e.file(), e.pointer(), e.line());
      PyErr_SetObject(cls.ptr(), err.ptr());
    } catch (const faultline::sim::ConservationError& e) {
      const py::object cls = py::module_::import("faultline._errors").attr("ConservationError");
      PyErr_SetObject(cls.ptr(), cls(e.what()).ptr());
    }
  });

  faultline::python::bind_run(m);
  faultline::python::bind_sweep(m);
#ifdef FAULTLINE_HAVE_VALIDATE
  faultline::python::bind_validate(m);
#endif
}
