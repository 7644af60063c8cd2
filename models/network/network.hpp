// The cluster network (DESIGN §4 "network", domain_models.md §7): Kubernetes nodes (hosts), the
// links between them, the pods placed on them, and the NetworkChaos rules on the pods' egress.
// A cluster-wide service: every component's request port named "network" is wired to it and
// asks the one-way delay of a message sent now (network_protocol.hpp).
//
// A message from pod A to pod B:
//   same host    same_host_latency (veth and bridge), no NIC;
//   other host   FIFO on A's host NIC at the link bandwidth, then the link latency ± jitter;
//   packet loss  each packet lost on the way (link loss, netem loss or corrupt: TCP drops a
//                corrupted segment, R-N1) is sent again after the retransmission timeout,
//                RTO = RTT + rto_min, doubling per retransmission of the same packet;
//   in order     TCP delivers a flow's bytes in order: a message never arrives before the one
//                sent before it on the same flow.
// NetworkChaos (R-N1, R-N2, R-N9), per selected pod (a fault's target) and its peers (the
// Chaos Mesh target, `peers`; every component when absent):
//   direction to    the rule sits on the pod's egress, for packets to the peers;
//   direction from  on each peer's egress, for packets to the pod (needs peers: without a
//                   target Chaos Mesh installs nothing, issue #1486);
//   direction both  both of the above;
//   partition       drops the packets between the pod and its peers; TCP needs both ways, so a
//                   one-way partition stalls connections like a full one.
// Rules of several faults on the same packet add up (delays add, each loss draws apart).
// When a fault ends, Chaos Mesh deletes its qdisc and the packets still queued in it are
// dropped: TCP sends them again one RTO later, at full speed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/network/netem_qdisc.hpp"
#include "models/network/network_protocol.hpp"
#include "models/network/token_bucket.hpp"
#include "sim/core/component.hpp"
#include "sim/scenario/model_registry.hpp"

namespace faultline::models {

struct LinkSpec {
  sim::Duration latency = sim::Duration::us(150);  // one way (R-L4: RTT ≈ 0.3 ms)
  sim::Duration jitter = sim::Duration::zero();    // uniform ± jitter per message
  double loss = 0;                                 // per packet
  double bandwidth = 1.25e9;                       // bytes/s (R-L5: 10 Gbit/s)
};

struct NetworkConfig {
  struct Placement {
    std::string pods;                // a workload name, or one pod's path
    std::vector<std::string> hosts;  // replica i goes to hosts[i mod size]
  };
  struct LinkOverride {
    std::string a, b;  // a host pair, both directions
    std::optional<sim::Duration> latency, jitter;
    std::optional<double> loss, bandwidth;
  };
  std::vector<std::string> hosts{"node-1"};
  std::vector<Placement> placement;
  LinkSpec link;
  sim::Duration same_host_latency = sim::Duration::us(50);
  std::vector<LinkOverride> links;
  uint32_t mss = 1448;                               // bytes of payload per packet
  sim::Duration rto_min = sim::Duration::ms(200);    // Linux TCP_RTO_MIN
  sim::Duration rto_max = sim::Duration::s(120);     // Linux TCP_RTO_MAX
};

class Network final : public sim::Component {
 public:
  Network(sim::Simulation& sim, sim::ComponentIdentity id, NetworkConfig config);
  ~Network() override;
  [[nodiscard]] std::string_view kind() const override { return "network"; }
  void initialize() override;
  [[nodiscard]] nlohmann::ordered_json summary() const override;

  /// The host (Kubernetes node) a component runs on.
  [[nodiscard]] const std::string& host_of(uint32_t component) const;
  /// Netem and partition rules installed now (one per selected pod and fault).
  [[nodiscard]] size_t rules_active() const { return rules_.size(); }
  [[nodiscard]] uint64_t retransmissions() const { return retransmissions_; }

  static sim::KindInfo kind_info();

  /// Packet header bytes on the wire (Ethernet 14 + IPv4 20 + TCP with timestamps 32).
  static constexpr uint32_t kHeaderBytes = 66;
  /// Retransmissions of one packet before TCP gives the connection up (Linux tcp_retries2).
  static constexpr uint32_t kMaxRetransmissions = 15;

 private:
  enum class Direction { to, from, both };
  enum class Action { delay, loss, duplicate, corrupt, bandwidth, partition };
  struct Rule {
    uint32_t fault_id;
    Action action;
    uint32_t pod;                 // the selected pod (a fault target)
    Direction direction;
    std::vector<uint32_t> peers;  // sorted; empty = every component
    sim::SimTime since;
    std::optional<sim::SimTime> until;  // the fault's end: Chaos Mesh deletes the qdisc then
    std::optional<NetemDelay> delay;
    std::optional<NetemChance> chance;  // loss, duplicate or corrupt
    bool certain_loss = false;          // loss or corrupt of 100 %: nothing gets through
    std::optional<TokenBucket> bucket;
    NetemQueue queue;
    sim::RandomStream rng;

    [[nodiscard]] bool has_peer(uint32_t c) const { return peers.empty() || std::binary_search(peers.begin(), peers.end(), c); }
  };
  struct Link {
    sim::Duration latency;
    sim::Duration jitter;
    double loss;
    double bandwidth;
  };

  PathAnswer on_path(uint32_t connection, const PathQuery& query);
  sim::FaultOutcome on_fault(uint32_t connection, const NetworkFaultChange& change);
  sim::FaultOutcome install(const sim::Fault& fault, uint32_t pod);
  void ensure_placement();
  [[nodiscard]] const Link& link(uint32_t from, uint32_t to) const;
  [[nodiscard]] bool on_egress(const Rule& r, uint32_t from, uint32_t to) const;
  [[nodiscard]] bool blocks(const Rule& r, uint32_t a, uint32_t b) const;
  [[nodiscard]] sim::Duration mean_one_way(uint32_t from, uint32_t to) const;
  void count_drop(const char* cause);

  NetworkConfig config_;
  bool placed_ = false;
  std::vector<uint32_t> host_of_;                      // by component index
  std::vector<std::pair<std::string, uint32_t>> paths_;  // (path, index), by path
  std::vector<Link> links_;                            // host × host
  Link same_host_;
  std::vector<Rule> rules_;                            // in installation order
  std::map<std::pair<uint32_t, uint32_t>, sim::SimTime> last_arrival_;  // per flow (TCP order)
  std::vector<sim::SimTime> nic_free_;                 // per host: when its NIC is free
  sim::RandomStream& link_rng_;
  uint64_t retransmissions_ = 0;
  uint64_t duplicated_ = 0;
  std::vector<sim::Gauge*> retrans_segs_;              // per host
  std::map<std::string, sim::Counter*, std::less<>> dropped_;
  sim::Counter& duplicated_total_;
  sim::Gauge& rules_gauge_;
  sim::Histogram& delay_hist_;
};

}  // namespace faultline::models
