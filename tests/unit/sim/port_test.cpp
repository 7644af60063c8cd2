// Typed ports (DESIGN §3): wiring errors name both ports and their types; an output fans out to
// its inputs in connection order; a server numbers its clients in connection order.
#include "sim/core/port.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/core/simulation.hpp"

namespace faultline::sim {
namespace {

using Log = std::vector<std::string>;

/// Sends ints and doubles, and asks a server (int up, string down).
class Talker final : public Component {
 public:
  Talker(Simulation& sim, ComponentIdentity id, Log* log)
      : Component(sim, std::move(id)),
        ints(out_port<int>("ints")),
        doubles(out_port<double>("doubles")),
        ask(client_port<int, std::string, &Talker::on_answer>("ask")),
        log_(log) {}
  [[nodiscard]] std::string_view kind() const override { return "talker"; }
  OutPort<int>& ints;
  OutPort<double>& doubles;
  ClientPort<int, std::string>& ask;

 private:
  void on_answer(const std::string& s) { log_->push_back(path() + " got " + s); }
  Log* log_;
};

/// Receives ints and doubles; serves int → string requests and answers the asker.
class Listener final : public Component {
 public:
  Listener(Simulation& sim, ComponentIdentity id, Log* log)
      : Component(sim, std::move(id)),
        ints(in_port<int, &Listener::on_int>("ints")),
        doubles(in_port<double, &Listener::on_double>("doubles")),
        serve(server_port<int, std::string, &Listener::on_request>("serve")),
        other(server_port<int, int, &Listener::on_int_request>("other")),
        log_(log) {}
  [[nodiscard]] std::string_view kind() const override { return "listener"; }
  InPort<int>& ints;
  InPort<double>& doubles;
  ServerPort<int, std::string>& serve;
  ServerPort<int, int>& other;

  /// Declares a second port with a used name (a model bug).
  void declare_duplicate() { in_port<int, &Listener::on_int>("ints"); }

 private:
  void on_int(const int& v) { log_->push_back(path() + " int " + std::to_string(v)); }
  void on_double(const double& v) { log_->push_back(path() + " double " + std::to_string(v)); }
  void on_request(uint32_t conn, const int& v) {
    log_->push_back(path() + " request " + std::to_string(v) + " on connection " + std::to_string(conn) + " from " +
                    serve.client_owner(conn).path());
    serve.send_to(conn, "answer " + std::to_string(v));
  }
  void on_int_request(uint32_t, const int&) {}
  Log* log_;
};

std::string wiring_error(PortBase& a, PortBase& b) {
  try {
    connect(a, b);
  } catch (const WiringError& e) {
    return e.what();
  }
  return "(connected)";
}

TEST(Ports, WrongPayloadTypeNamesBothPortsAndTypes) {
  Simulation sim(1);
  Log log;
  auto& t = sim.add<Talker>({"talker", {}}, &log);
  auto& l = sim.add<Listener>({"listener", {}}, &log);
  const std::string err = wiring_error(t.ints, l.doubles);
  EXPECT_NE(err.find("talker:ints carrying int"), std::string::npos) << err;
  EXPECT_NE(err.find("listener:doubles carrying double"), std::string::npos) << err;
  // Client and server must agree on both directions.
  const std::string duplex = wiring_error(t.ask, l.other);
  EXPECT_NE(duplex.find("talker:ask carrying int ⇄ std::"), std::string::npos) << duplex;
  EXPECT_NE(duplex.find("listener:other carrying int ⇄ int"), std::string::npos) << duplex;
}

TEST(Ports, WrongDirectionIsRefused) {
  Simulation sim(1);
  Log log;
  auto& t = sim.add<Talker>({"talker", {}}, &log);
  auto& l = sim.add<Listener>({"listener", {}}, &log);
  auto& t2 = sim.add<Talker>({"talker2", {}}, &log);
  // input → output, output → output, client → input, output → server.
  const std::string backwards = wiring_error(l.ints, t.ints);
  EXPECT_NE(backwards.find("cannot connect listener:ints (input) to talker:ints (output)"), std::string::npos)
      << backwards;
  EXPECT_NE(backwards.find("expected an output to an input, or a client to a server"), std::string::npos);
  EXPECT_NE(wiring_error(t.ints, t2.ints), "(connected)");
  EXPECT_NE(wiring_error(t.ask, l.ints), "(connected)");
  EXPECT_NE(wiring_error(t.ints, l.serve), "(connected)");
  // A client talks to one server.
  connect(t.ask, l.serve);
  EXPECT_NE(wiring_error(t.ask, l.serve).find("already connected"), std::string::npos);
}

TEST(Ports, OutputFansOutInConnectionOrder) {
  Simulation sim(1);
  Log log;
  auto& t = sim.add<Talker>({"talker", {}}, &log);
  auto& a = sim.add<Listener>({"a", {}}, &log);
  auto& b = sim.add<Listener>({"b", {}}, &log);
  auto& c = sim.add<Listener>({"c", {}}, &log);
  // Connected c, a, b: delivery follows that order, not the path order.
  connect(t.ints, c.ints);
  connect(t.ints, a.ints);
  connect(t.ints, b.ints);
  EXPECT_EQ(t.ints.connection_count(), 3u);
  EXPECT_EQ(a.ints.connection_count(), 1u);
  t.ints.send(7);
  EXPECT_EQ(log, (Log{"c int 7", "a int 7", "b int 7"}));
  log.clear();
  t.ints.send_to(2, 8);  // the third connection: b
  EXPECT_EQ(log, (Log{"b int 8"}));
  EXPECT_THROW(t.ints.send_to(3, 9), std::out_of_range);
}

TEST(Ports, ServerNumbersClientsInConnectionOrder) {
  Simulation sim(1);
  Log log;
  auto& server = sim.add<Listener>({"server", {}}, &log);
  auto& t0 = sim.add<Talker>({"t0", {}}, &log);
  auto& t1 = sim.add<Talker>({"t1", {}}, &log);
  auto& t2 = sim.add<Talker>({"t2", {}}, &log);
  EXPECT_FALSE(t0.ask.connected());
  connect(t2.ask, server.serve);  // connection 0
  connect(t0.ask, server.serve);  // connection 1
  connect(t1.ask, server.serve);  // connection 2
  EXPECT_EQ(t2.ask.connection_id(), 0u);
  EXPECT_EQ(t0.ask.connection_id(), 1u);
  EXPECT_EQ(t1.ask.connection_id(), 2u);
  EXPECT_EQ(server.serve.connection_count(), 3u);
  EXPECT_EQ(server.serve.client_owner(1).path(), "t0");
  t0.ask.send(5);
  // The server sees t0 as connection 1 and its answer reaches t0 only.
  EXPECT_EQ(log, (Log{"server request 5 on connection 1 from t0", "t0 got answer 5"}));
}

TEST(Ports, SendingOnAnUnconnectedClientIsAnError) {
  Simulation sim(1);
  Log log;
  auto& t = sim.add<Talker>({"lonely", {}}, &log);
  EXPECT_THROW(t.ask.send(1), std::logic_error);
  t.ints.send(1);  // an unconnected output sends to nobody
  EXPECT_TRUE(log.empty());
}

TEST(Ports, NamesAndLookups) {
  Simulation sim(1);
  Log log;
  auto& l = sim.add<Listener>({"svc/listener-0", {}}, &log);
  EXPECT_EQ(l.ints.qualified_name(), "svc/listener-0:ints");
  EXPECT_EQ(l.find_port("doubles"), &l.doubles);
  EXPECT_EQ(l.find_port("nope"), nullptr);
  EXPECT_EQ(l.ports().size(), 4u);
  EXPECT_EQ(l.ints.payload_name(), "int");
  EXPECT_EQ(l.ints.direction(), PortBase::Direction::in);
  EXPECT_EQ(direction_name(PortBase::Direction::server), "server");
  EXPECT_THROW(l.declare_duplicate(), std::logic_error);
}

}  // namespace
}  // namespace faultline::sim
