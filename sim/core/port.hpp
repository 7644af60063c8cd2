// Typed ports (DESIGN §3): components talk only through ports wired by the builder.
//
// - OutPort<T> → InPort<T>: one-way; send() calls every connected input synchronously, in
//   the order the connections were made (send_to(i) addresses one of them).
// - ClientPort<Up, Down> ↔ ServerPort<Up, Down>: a duplex channel such as a consumer's
//   subscription to a queue. The server numbers its clients in connection order and
//   answers one of them with send_to(connection, down).
//
// - RequestPort<Q, A> → AnswerPort<Q, A>: a synchronous question with an answer, such as "what
//   is the one-way delay from this pod to that one now?" asked of the network.
//
// Delivery is a direct call at the current simulated instant; a model that needs a delay
// schedules an event. Payload types are checked when ports are connected.
#pragma once

#include <stdexcept>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

namespace faultline::sim {

class Component;

/// A connection that cannot be made: unknown port, wrong direction or payload type.
class WiringError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string demangle(const char* mangled);

class PortBase {
 public:
  enum class Direction { in, out, client, server };
  PortBase(Component& owner, std::string name, Direction dir, std::type_index payload, std::string payload_name)
      : owner_(owner), name_(std::move(name)), dir_(dir), payload_(payload), payload_name_(std::move(payload_name)) {}
  virtual ~PortBase() = default;
  PortBase(const PortBase&) = delete;
  PortBase& operator=(const PortBase&) = delete;

  [[nodiscard]] Component& owner() const { return owner_; }
  [[nodiscard]] const Component* owner_ptr() const { return &owner_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] Direction direction() const { return dir_; }
  [[nodiscard]] std::type_index payload_type() const { return payload_; }
  [[nodiscard]] const std::string& payload_name() const { return payload_name_; }
  [[nodiscard]] virtual size_t connection_count() const = 0;
  /// "component/path:port"
  [[nodiscard]] std::string qualified_name() const;

 protected:
  friend void connect(PortBase& from, PortBase& to);
  virtual void attach(PortBase& peer) = 0;

 private:
  Component& owner_;
  std::string name_;
  Direction dir_;
  std::type_index payload_;
  std::string payload_name_;
};

std::string_view direction_name(PortBase::Direction d);

/// Connects out→in or client→server. Throws WiringError with both ports named otherwise.
void connect(PortBase& from, PortBase& to);

template <class T>
class InPort final : public PortBase {
 public:
  using Thunk = void (*)(void*, const T&);
  InPort(Component& owner, std::string name, void* target, Thunk thunk)
      : PortBase(owner, std::move(name), Direction::in, typeid(T), demangle(typeid(T).name())),
        target_(target),
        thunk_(thunk) {}
  void receive(const T& value) { thunk_(target_, value); }
  [[nodiscard]] size_t connection_count() const override { return connections_; }

 protected:
  void attach(PortBase&) override { ++connections_; }

 private:
  void* target_;
  Thunk thunk_;
  size_t connections_ = 0;
};

template <class T>
class OutPort final : public PortBase {
 public:
  OutPort(Component& owner, std::string name)
      : PortBase(owner, std::move(name), Direction::out, typeid(T), demangle(typeid(T).name())) {}
  void send(const T& value) {
    for (InPort<T>* p : peers_) p->receive(value);
  }
  void send_to(size_t i, const T& value) { peers_.at(i)->receive(value); }
  [[nodiscard]] size_t connection_count() const override { return peers_.size(); }

 protected:
  void attach(PortBase& peer) override { peers_.push_back(static_cast<InPort<T>*>(&peer)); }

 private:
  std::vector<InPort<T>*> peers_;
};

template <class Up, class Down>
class ServerPort;

template <class Up, class Down>
class ClientPort final : public PortBase {
 public:
  using Thunk = void (*)(void*, const Down&);
  ClientPort(Component& owner, std::string name, void* target, Thunk thunk)
      : PortBase(owner, std::move(name), Direction::client, typeid(std::pair<Up, Down>),
                 demangle(typeid(Up).name()) + " ⇄ " + demangle(typeid(Down).name())),
        target_(target),
        thunk_(thunk) {}
  /// Sends to the server. Throws std::logic_error when the port was never connected.
  void send(const Up& value);
  void receive(const Down& value) { thunk_(target_, value); }
  [[nodiscard]] bool connected() const { return server_ != nullptr; }
  [[nodiscard]] uint32_t connection_id() const { return connection_; }
  /// The component serving this port (for asking the network about the path to it); null when
  /// never connected.
  [[nodiscard]] const Component* server_owner() const;
  [[nodiscard]] size_t connection_count() const override { return server_ ? 1 : 0; }

 protected:
  void attach(PortBase& peer) override;

 private:
  friend class ServerPort<Up, Down>;
  void* target_;
  Thunk thunk_;
  ServerPort<Up, Down>* server_ = nullptr;
  uint32_t connection_ = 0;
};

template <class Up, class Down>
class ServerPort final : public PortBase {
 public:
  using Thunk = void (*)(void*, uint32_t, const Up&);
  ServerPort(Component& owner, std::string name, void* target, Thunk thunk)
      : PortBase(owner, std::move(name), Direction::server, typeid(std::pair<Up, Down>),
                 demangle(typeid(Up).name()) + " ⇄ " + demangle(typeid(Down).name())),
        target_(target),
        thunk_(thunk) {}
  void receive(uint32_t connection, const Up& value) { thunk_(target_, connection, value); }
  void send_to(uint32_t connection, const Down& value) { clients_.at(connection)->receive(value); }
  /// The component at the other end of a connection (for naming it in logs and metrics).
  [[nodiscard]] const Component& client_owner(uint32_t connection) const { return clients_.at(connection)->owner(); }
  [[nodiscard]] size_t connection_count() const override { return clients_.size(); }

 protected:
  void attach(PortBase& peer) override {
    auto& client = static_cast<ClientPort<Up, Down>&>(peer);
    client.server_ = this;
    client.connection_ = static_cast<uint32_t>(clients_.size());
    clients_.push_back(&client);
  }

 private:
  void* target_;
  Thunk thunk_;
  std::vector<ClientPort<Up, Down>*> clients_;
};

template <class Up, class Down>
void ClientPort<Up, Down>::send(const Up& value) {
  if (server_ == nullptr) throw std::logic_error("port " + qualified_name() + " is not connected");
  server_->receive(connection_, value);
}

template <class Up, class Down>
void ClientPort<Up, Down>::attach(PortBase&) {}  // the server side records the pairing

template <class Up, class Down>
const Component* ClientPort<Up, Down>::server_owner() const {
  return server_ == nullptr ? nullptr : server_->owner_ptr();
}

template <class Q, class A>
class AnswerPort;

/// Marks request/answer payloads apart from client/server ones with the same types.
template <class Q, class A>
struct RequestAnswer {};

template <class Q, class A>
class RequestPort final : public PortBase {
 public:
  RequestPort(Component& owner, std::string name)
      : PortBase(owner, std::move(name), Direction::client, typeid(RequestAnswer<Q, A>),
                 demangle(typeid(Q).name()) + " → " + demangle(typeid(A).name())) {}
  /// Asks the answering port; throws std::logic_error when never connected.
  A call(const Q& question) const;
  [[nodiscard]] bool connected() const { return server_ != nullptr; }
  [[nodiscard]] size_t connection_count() const override { return server_ ? 1 : 0; }

 protected:
  void attach(PortBase&) override {}

 private:
  friend class AnswerPort<Q, A>;
  AnswerPort<Q, A>* server_ = nullptr;
  uint32_t connection_ = 0;
};

template <class Q, class A>
class AnswerPort final : public PortBase {
 public:
  using Thunk = A (*)(void*, uint32_t, const Q&);
  AnswerPort(Component& owner, std::string name, void* target, Thunk thunk)
      : PortBase(owner, std::move(name), Direction::server, typeid(RequestAnswer<Q, A>),
                 demangle(typeid(Q).name()) + " → " + demangle(typeid(A).name())),
        target_(target),
        thunk_(thunk) {}
  A answer(uint32_t connection, const Q& question) { return thunk_(target_, connection, question); }
  [[nodiscard]] const Component& client_owner(uint32_t connection) const { return clients_.at(connection)->owner(); }
  [[nodiscard]] size_t connection_count() const override { return clients_.size(); }

 protected:
  void attach(PortBase& peer) override {
    auto& client = static_cast<RequestPort<Q, A>&>(peer);
    client.server_ = this;
    client.connection_ = static_cast<uint32_t>(clients_.size());
    clients_.push_back(&client);
  }

 private:
  void* target_;
  Thunk thunk_;
  std::vector<RequestPort<Q, A>*> clients_;
};

template <class Q, class A>
A RequestPort<Q, A>::call(const Q& question) const {
  if (server_ == nullptr) throw std::logic_error("port " + qualified_name() + " is not connected");
  return server_->answer(connection_, question);
}

}  // namespace faultline::sim
