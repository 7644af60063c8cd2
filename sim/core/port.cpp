#include "sim/core/port.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "sim/core/component.hpp"

namespace faultline::sim {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

std::string PortBase::qualified_name() const { return owner_.path() + ":" + name_; }

std::string_view direction_name(PortBase::Direction d) {
  switch (d) {
    case PortBase::Direction::in: return "input";
    case PortBase::Direction::out: return "output";
    case PortBase::Direction::client: return "client";
    case PortBase::Direction::server: return "server";
  }
  return "?";
}

void connect(PortBase& from, PortBase& to) {
  using D = PortBase::Direction;
  const bool one_way = from.direction() == D::out && to.direction() == D::in;
  const bool duplex = from.direction() == D::client && to.direction() == D::server;
  if (!one_way && !duplex)
    throw WiringError("cannot connect " + from.qualified_name() + " (" + std::string(direction_name(from.direction())) +
                      ") to " + to.qualified_name() + " (" + std::string(direction_name(to.direction())) +
                      "): expected an output to an input, or a client to a server");
  if (from.payload_type() != to.payload_type())
    throw WiringError("cannot connect " + from.qualified_name() + " carrying " + from.payload_name() + " to " +
                      to.qualified_name() + " carrying " + to.payload_name());
  if (duplex && from.connection_count() != 0)
    throw WiringError("client port " + from.qualified_name() + " is already connected");
  // The server (or input) is attached first so that a client learns its connection id.
  to.attach(from);
  from.attach(to);
}

}  // namespace faultline::sim
