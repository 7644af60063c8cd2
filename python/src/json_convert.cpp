#include "json_convert.hpp"

#include <cmath>

namespace faultline::python {

py::object to_python(const sim::Json& value) {
  switch (value.type()) {
    case sim::Json::value_t::null: return py::none();
    case sim::Json::value_t::boolean: return py::bool_(value.get<bool>());
    case sim::Json::value_t::number_integer: return py::int_(value.get<int64_t>());
    case sim::Json::value_t::number_unsigned: return py::int_(value.get<uint64_t>());
    case sim::Json::value_t::number_float: return py::float_(value.get<double>());
    case sim::Json::value_t::string: return py::str(value.get_ref<const std::string&>());
    case sim::Json::value_t::array: {
      py::list out(value.size());
      for (size_t i = 0; i < value.size(); ++i) out[i] = to_python(value[i]);
      return out;
    }
    case sim::Json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : value.items()) out[py::str(k)] = to_python(v);
      return out;
    }
    case sim::Json::value_t::binary:
    case sim::Json::value_t::discarded: break;
  }
  return py::none();
}

sim::Json from_python(const py::handle& value, const std::string& pointer) {
  const auto where = [&] { return pointer.empty() ? std::string("the top level") : pointer; };
  if (value.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) {
    try {
      return value.cast<int64_t>();
    } catch (const py::cast_error&) {
    }
    try {
      return value.cast<uint64_t>();
    } catch (const py::cast_error&) {
      throw py::type_error("at " + where() + ": the integer " + py::str(value).cast<std::string>() +
                           " does not fit in 64 bits");
    }
  }
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::dict>(value)) {
    sim::Json out = sim::Json::object();
    for (const auto& [k, v] : value.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k))
        throw py::type_error("at " + where() + ": mapping keys must be strings, got " +
                             py::repr(k).cast<std::string>());
      const auto key = k.cast<std::string>();
      out[key] = from_python(v, sim::pointer_append(pointer, key));
    }
    return out;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    sim::Json out = sim::Json::array();
    size_t i = 0;
    for (const auto& v : value) out.push_back(from_python(v, sim::pointer_append(pointer, i++)));
    return out;
  }
  if (py::hasattr(value, "__index__")) return from_python(value.attr("__index__")(), pointer);
  if (py::hasattr(value, "__float__")) return from_python(value.attr("__float__")(), pointer);
  if (py::hasattr(value, "__fspath__")) return from_python(value.attr("__fspath__")(), pointer);
  throw py::type_error("at " + where() + ": cannot put a " +
                       py::str(value.get_type().attr("__name__")).cast<std::string>() + " in a scenario");
}

}  // namespace faultline::python
