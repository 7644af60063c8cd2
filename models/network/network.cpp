#include "models/network/network.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/simulation.hpp"

namespace faultline::models {

namespace {

/// The replica index of "name/name-3" (3), 0 for a path without one.
uint32_t replica_of(const std::string& path) {
  const auto slash = path.find('/');
  if (slash == std::string::npos) return 0;
  const auto dash = path.rfind('-');
  if (dash == std::string::npos || dash < slash || dash + 1 >= path.size()) return 0;
  uint32_t n = 0;
  for (size_t i = dash + 1; i < path.size(); ++i) {
    if (path[i] < '0' || path[i] > '9') return 0;
    n = n * 10 + static_cast<uint32_t>(path[i] - '0');
    if (n > 1000000) return 0;
  }
  return n;
}

std::string workload_of(const std::string& path) {
  const auto slash = path.find('/');
  return slash == std::string::npos ? path : path.substr(0, slash);
}

/// A peer name stands for a component path, or for every component under it ("mariadb" for
/// mariadb/mariadb-0, -1, -2).
bool names(const std::string& peer, const std::string& path) {
  return path == peer || (path.size() > peer.size() && path.compare(0, peer.size(), peer) == 0 && path[peer.size()] == '/');
}

const std::vector<double> kDelayBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30};

}  // namespace


Network::Network(sim::Simulation& sim, sim::ComponentIdentity id, NetworkConfig config)
    : Component(sim, std::move(id)),
      config_(std::move(config)),
      link_rng_(rng("links")),
      duplicated_total_(sim.recorder().counter("faultline_network_packets_duplicated_total", {},
                                               "Packets netem duplicated (TCP discards the copies)")),
      rules_gauge_(sim.recorder().gauge("faultline_network_rules_active", {},
                                        "NetworkChaos rules installed on pods (netem, tbf, partition)")),
      delay_hist_(sim.recorder().histogram("faultline_network_one_way_delay_seconds", {},
                                           "One-way delay of the messages sent over the network", kDelayBuckets)) {
  answer_port<PathQuery, PathAnswer, &Network::on_path>("path");
  answer_port<NetworkFaultChange, sim::FaultOutcome, &Network::on_fault>("faults");
  const size_t h = config_.hosts.size();
  if (h == 0) throw std::logic_error("network " + path() + " has no hosts");
  same_host_ = Link{config_.same_host_latency, sim::Duration::zero(), 0.0, 0.0};
  links_.assign(h * h, Link{config_.link.latency, config_.link.jitter, config_.link.loss, config_.link.bandwidth});
  auto index = [&](const std::string& name) {
    const auto it = std::find(config_.hosts.begin(), config_.hosts.end(), name);
    if (it == config_.hosts.end()) throw std::logic_error("network " + path() + ": unknown host " + name);
    return static_cast<size_t>(it - config_.hosts.begin());
  };
  for (const NetworkConfig::LinkOverride& o : config_.links) {
    const size_t a = index(o.a), b = index(o.b);
    for (Link* l : {&links_[a * h + b], &links_[b * h + a]}) {
      if (o.latency) l->latency = *o.latency;
      if (o.jitter) l->jitter = *o.jitter;
      if (o.loss) l->loss = *o.loss;
      if (o.bandwidth) l->bandwidth = *o.bandwidth;
    }
  }
  nic_free_.assign(h, sim::SimTime::zero());
  for (const std::string& host : config_.hosts)
    // node_exporter exposes netstat figures untyped, so a gauge that only grows, as there.
    retrans_segs_.push_back(&sim.recorder().gauge("node_netstat_Tcp_RetransSegs", {{"instance", host}},
                                                  "TCP segments retransmitted by senders on the node"));
}

Network::~Network() = default;

void Network::initialize() { ensure_placement(); }

void Network::ensure_placement() {
  // Placement is resolved on first use: every component exists once the builder wires ports,
  // and a client may ask before this component's initialize().
  if (placed_) return;
  placed_ = true;
  const auto all = sim().components();
  host_of_.assign(sim().component_count(), 0);
  const auto host_index = [&](const std::string& name) {
    return static_cast<uint32_t>(std::find(config_.hosts.begin(), config_.hosts.end(), name) - config_.hosts.begin());
  };
  for (const sim::Component* c : all) {
    paths_.emplace_back(c->path(), c->index());
    const uint32_t replica = replica_of(c->path());
    const NetworkConfig::Placement* chosen = nullptr;
    for (const auto& p : config_.placement)
      if (p.pods == c->path()) chosen = &p;  // a pod's own entry wins over its workload's
    if (chosen == nullptr)
      for (const auto& p : config_.placement)
        if (p.pods == workload_of(c->path())) chosen = &p;
    host_of_[c->index()] = chosen != nullptr ? host_index(chosen->hosts[replica % chosen->hosts.size()])
                                             : static_cast<uint32_t>(replica % config_.hosts.size());
  }
}

const std::string& Network::host_of(uint32_t component) const { return config_.hosts.at(host_of_.at(component)); }

const Network::Link& Network::link(uint32_t from, uint32_t to) const {
  const uint32_t a = host_of_[from], b = host_of_[to];
  return a == b ? same_host_ : links_[a * config_.hosts.size() + b];
}

bool Network::on_egress(const Rule& r, uint32_t from, uint32_t to) const {
  // R-N1: `to` (and `both`) sit on the selected pod's egress, filtered to the peers; `from` (and
  // `both`) on the peers' egress, filtered to the selected pod.
  if (r.direction != Direction::from && from == r.pod && r.has_peer(to)) return true;
  if (r.direction != Direction::to && !r.peers.empty() && to == r.pod && r.has_peer(from)) return true;
  return false;
}

bool Network::blocks(const Rule& r, uint32_t a, uint32_t b) const {
  // A 100 % loss on either way stalls TCP as a partition does.
  if (r.certain_loss) return on_egress(r, a, b) || on_egress(r, b, a);
  // R-N9: iptables drops one way; TCP needs both, so either way stalls the connection.
  if (r.action != Action::partition) return false;
  return (a == r.pod && b != r.pod && r.has_peer(b)) || (b == r.pod && a != r.pod && r.has_peer(a));
}

sim::Duration Network::mean_one_way(uint32_t from, uint32_t to) const {
  sim::Duration d = link(from, to).latency;
  for (const Rule& r : rules_)
    if (r.delay && on_egress(r, from, to)) d += r.delay->latency();
  return d;
}

void Network::count_drop(const char* cause) {
  auto it = dropped_.find(cause);
  if (it == dropped_.end())
    it = dropped_
             .emplace(cause, &sim().recorder().counter("faultline_network_packets_dropped_total", {{"cause", cause}},
                                                        "Packets dropped on the way (TCP sends them again)"))
             .first;
  it->second->inc();
}

PathAnswer Network::on_path(uint32_t, const PathQuery& q) {
  ensure_placement();
  if (q.from >= host_of_.size() || q.to >= host_of_.size())
    throw std::logic_error("network " + path() + ": path query for an unknown component");
  const sim::SimTime t0 = now();
  PathAnswer a;
  // Linux: RTO = SRTT + max(4·RTTVAR, rto_min) ≈ RTT + rto_min once the RTT is steady.
  const sim::Duration rtt = mean_one_way(q.from, q.to) + mean_one_way(q.to, q.from);
  const auto rto_for = [&](uint32_t attempt) {
    sim::Duration r = std::min(config_.rto_max, config_.rto_min + rtt);
    for (uint32_t k = 0; k < attempt && r < config_.rto_max; ++k) r = std::min(config_.rto_max, r * 2);
    return r;
  };
  a.rto = rto_for(q.attempt);
  bool blocked = false;
  for (const Rule& r : rules_)
    if (blocks(r, q.from, q.to)) {
      a.blocked_since = blocked ? std::min(a.blocked_since, r.since) : r.since;
      blocked = true;
    }
  if (blocked) {
    a.reachable = false;
    return a;
  }
  if (q.peek) {
    a.delay = mean_one_way(q.from, q.to);
    return a;
  }

  const uint32_t packets = std::max<uint32_t>(1, (q.bytes + config_.mss - 1) / config_.mss);
  const double wire_bytes = static_cast<double>(q.bytes) + static_cast<double>(packets) * kHeaderBytes;
  const Link& l = link(q.from, q.to);
  std::vector<Rule*> egress;
  for (Rule& r : rules_)
    if (r.action != Action::partition && on_egress(r, q.from, q.to)) egress.push_back(&r);

  // Queueing in tbf qdiscs (bandwidth faults). A packet dropped at the queue limit is
  // recovered by fast retransmit (duplicate ACKs): one more round trip for this message.
  sim::SimTime t = t0;
  uint32_t retrans = 0;
  sim::Duration recovery{};
  for (Rule* r : egress) {
    if (!r->bucket) continue;
    const TokenBucket::Departure d = r->bucket->send(t, wire_bytes);
    if (r->until && d.at > *r->until) {
      // Still queued when the fault ends: dropped with the qdisc, sent again one RTO later.
      count_drop("qdisc_removed");
      ++retrans;
      t = std::max(t, *r->until) + rto_for(0);
      continue;
    }
    t = d.at;
    if (d.over_limit) {
      count_drop("tbf_limit");
      ++retrans;
      recovery += rtt;
    }
  }
  // Netem delay (R-N3): one draw per message; rules of several faults add up.
  sim::Duration netem{};
  for (Rule* r : egress) {
    if (!r->delay) continue;
    sim::Duration d = r->delay->draw(r->rng);
    if (r->until && t + d > *r->until) {
      // Held in the netem queue when the fault ends: dropped with it, sent again one RTO later.
      count_drop("qdisc_removed");
      ++retrans;
      d = std::max(sim::Duration::zero(), *r->until - t) + rto_for(0);
    }
    netem += d;
  }
  // The host's NIC serialises cross-host traffic in FIFO order.
  const uint32_t host = host_of_[q.from];
  if (host_of_[q.from] != host_of_[q.to] && l.bandwidth > 0) {
    const sim::SimTime start = std::max(t, nic_free_[host]);
    t = start + sim::Duration::from_seconds(wire_bytes / l.bandwidth);
    nic_free_[host] = t;
  }
  sim::Duration wire_delay = l.latency;
  if (l.jitter > sim::Duration::zero()) {
    const int64_t j = l.jitter.count_ns();
    wire_delay += sim::Duration::ns(static_cast<int64_t>(link_rng_.uniform_below(static_cast<uint64_t>(2 * j) + 1)) - j);
    if (wire_delay < sim::Duration::zero()) wire_delay = sim::Duration::zero();
  }
  // Per packet: every transmission may be lost (link loss, netem loss, corrupt: TCP drops a
  // bad checksum); each loss waits an RTO, doubling per retransmission of the same packet
  // (a message is one packet, or a few: no duplicate ACKs to recover sooner). Packets recover
  // in parallel: the slowest one counts.
  sim::Duration penalty{};
  for (uint32_t p = 0; p < packets; ++p) {
    sim::Duration packet_penalty{};
    uint32_t attempt = 0;
    for (;;) {
      const char* lost = nullptr;
      for (Rule* r : egress) {
        if (!r->chance) continue;
        const bool hit = r->chance->draw(r->rng);
        if (!hit) continue;
        if (r->action == Action::duplicate) {
          ++duplicated_;
          duplicated_total_.inc();
        } else if (lost == nullptr) {
          lost = r->action == Action::loss ? "netem_loss" : "netem_corrupt";
        }
      }
      if (lost == nullptr && l.loss > 0 && link_rng_.bernoulli(l.loss)) lost = "link_loss";
      if (lost == nullptr) {
        // R-N5: a full netem queue drops the packet; TCP sends it again when there is room,
        // after the duplicate ACKs of the packets behind it (one round trip).
        for (Rule* r : egress) {
          if (!r->delay) continue;
          const sim::SimTime sent = t + packet_penalty;
          const sim::SimTime taken = r->queue.admit(sent, netem);
          if (taken > sent) {
            count_drop("netem_limit");
            ++retrans;
            packet_penalty += (taken - sent) + rtt;
          }
        }
      }
      if (lost == nullptr) break;
      count_drop(lost);
      if (attempt == kMaxRetransmissions) {
        a.reachable = false;  // TCP gives up (tcp_retries2)
        a.blocked_since = t0;
        return a;
      }
      packet_penalty += rto_for(attempt++);
      ++retrans;
    }
    penalty = std::max(penalty, packet_penalty);
  }
  if (retrans > 0) {
    retransmissions_ += retrans;
    retrans_segs_[host]->add(retrans);
  }
  sim::SimTime arrival = t + recovery + penalty + netem + wire_delay;
  // TCP delivers a flow's bytes in order.
  sim::SimTime& last = last_arrival_[{q.from, q.to}];
  arrival = std::max(arrival, last);
  last = arrival;
  a.delay = arrival - t0;
  delay_hist_.observe(a.delay.seconds());
  return a;
}

sim::FaultOutcome Network::on_fault(uint32_t, const NetworkFaultChange& c) {
  ensure_placement();
  if (c.fault == nullptr) throw std::logic_error("network fault change without a fault");
  if (c.start) return install(*c.fault, c.pod);
  const auto before = rules_.size();
  std::erase_if(rules_, [&](const Rule& r) { return r.fault_id == c.fault->id && r.pod == c.pod; });
  rules_gauge_.set(static_cast<double>(rules_.size()));
  return before != rules_.size() ? sim::FaultOutcome::ok() : sim::FaultOutcome::unmapped("no rule of this fault");
}

sim::FaultOutcome Network::install(const sim::Fault& f, uint32_t pod) {
  const nlohmann::ordered_json& p = f.params;
  const std::string dir = p.value("direction", std::string("to"));
  Rule r{f.id,
         Action::delay,
         pod,
         dir == "from" ? Direction::from : dir == "both" ? Direction::both : Direction::to,
         {},
         now(),
         f.end,
         {},
         {},
         false,
         {},
         NetemQueue(),
         sim::RandomStream::derive(sim().seed(), path(), "fault-" + std::to_string(f.id) + "/" + std::to_string(pod))};
  if (p.contains("peers") && p["peers"].is_array()) {
    std::set<uint32_t> peers;
    for (const auto& v : p["peers"]) {
      const std::string name = v.get<std::string>();
      size_t matched = 0;
      for (const auto& [cpath, idx] : paths_)
        if (names(name, cpath)) {
          peers.insert(idx);
          ++matched;
        }
      if (matched == 0) return sim::FaultOutcome::unmapped("peer \"" + name + "\" is no component of the scenario");
    }
    r.peers.assign(peers.begin(), peers.end());
    if (r.peers.size() == 1 && r.peers[0] == pod)
      return sim::FaultOutcome::unmapped("the pod is its own only peer: Chaos Mesh's self-partition does nothing (issue #2032)");
  }
  if (r.direction == Direction::from && r.peers.empty())
    return sim::FaultOutcome::unmapped(
        "direction from needs peers (a target): Chaos Mesh installs the rule on the target pods, so without one "
        "nothing is installed (R-N1, issue #1486)");
  const double correlation = f.number_param("correlation", 0.0);
  if (f.kind == "network-delay") {
    r.action = Action::delay;
    r.delay.emplace(f.duration_param("latency").value_or(sim::Duration::zero()),
                    f.duration_param("jitter").value_or(sim::Duration::zero()), correlation);
  } else if (f.kind == "network-loss") {
    r.action = Action::loss;
    r.chance.emplace(f.number_param("loss", 0.0), correlation);
    r.certain_loss = f.number_param("loss", 0.0) >= 1.0;
  } else if (f.kind == "network-duplicate") {
    r.action = Action::duplicate;
    r.chance.emplace(f.number_param("duplicate", 0.0), correlation);
  } else if (f.kind == "network-corrupt") {
    r.action = Action::corrupt;
    r.chance.emplace(f.number_param("corrupt", 0.0), correlation);
    r.certain_loss = f.number_param("corrupt", 0.0) >= 1.0;
  } else if (f.kind == "network-bandwidth") {
    r.action = Action::bandwidth;
    const double rate = f.number_param("rate", 0.0);
    if (rate <= 0) return sim::FaultOutcome::unmapped("a bandwidth limit needs a rate > 0");
    r.bucket.emplace(rate, f.number_param("buffer", 10000.0), f.number_param("limit", 20971520.0), now());
  } else if (f.kind == "network-partition") {
    r.action = Action::partition;
  } else {
    return sim::FaultOutcome::unmapped("the network does not model " + f.kind);
  }
  rules_.push_back(std::move(r));
  rules_gauge_.set(static_cast<double>(rules_.size()));
  return sim::FaultOutcome::ok();
}

nlohmann::ordered_json Network::summary() const {
  nlohmann::ordered_json hosts = nlohmann::ordered_json::object();
  for (const std::string& h : config_.hosts) hosts[h] = nlohmann::ordered_json::array();
  for (const auto& [cpath, idx] : paths_) hosts[config_.hosts[host_of_[idx]]].push_back(cpath);
  return {{"hosts", hosts}, {"retransmissions", retransmissions_}, {"packets_duplicated", duplicated_}};
}

sim::KindInfo Network::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "network";
  k.help = "the cluster network: hosts (Kubernetes nodes), links, pod placement, and NetworkChaos (netem, tbf, "
           "partitions) on the pods' egress; every component's messages follow it (at most one per scenario)";
  k.replication = sim::Replication::single;
  k.role = sim::TopologyRole::other;
  k.serves_all = std::make_pair(std::string("network"), std::string("path"));
  k.also_serves_all = {{"network-faults", "faults"}};
  ParamSpec bandwidth = ParamSpec::bytes("bandwidth")
                            .def("1.25GB")
                            .above(0)
                            .describe("NIC bandwidth of each host for traffic to other hosts, bytes per second")
                            .from("R-L5: 10 Gbit/s between nodes recommended");
  bandwidth.unit = "bytes/s";
  ParamSpec link_bandwidth = ParamSpec::bytes("bandwidth").optional().above(0).describe(
      "bandwidth of this link, bytes per second; the network's bandwidth when absent").from("scenario");
  link_bandwidth.unit = "bytes/s";
  k.params = {
      ParamSpec::texts("hosts")
          .def(sim::Json::array({"node-1"}))
          .describe("the hosts (Kubernetes nodes) by name")
          .from("one node when unset, as on the loopback testbed (testbed_notes)"),
      ParamSpec::records("placement",
                         {ParamSpec::text("pods").require().describe(
                              "a workload (component name) or one pod (\"mariadb/mariadb-0\")").from("scenario"),
                          ParamSpec::texts("hosts").require().describe(
                              "the hosts its pods run on: replica i on hosts[i mod n]").from("scenario")})
          .describe("where pods run. A pod's own entry wins over its workload's. Pods not listed spread over all "
                    "hosts, replica i on host i mod N (as a topology spread constraint would); a component that is "
                    "not a replica (a broker cluster's Service, an outbox) is on the first host")
          .from("Kubernetes scheduling; default spread [DERIVED]"),
      ParamSpec::duration("latency")
          .def("150us")
          .at_least(0)
          .describe("one-way latency between two hosts")
          .from("R-L4: inter-node RTT ≈ 0.3 ms [LH-PERF-REPORT]"),
      ParamSpec::duration("jitter")
          .def("0s")
          .at_least(0)
          .describe("link jitter: each message's latency is uniform in latency ± jitter")
          .from("a quiet LAN; calibrate"),
      ParamSpec::ratio("loss").def(0.0).describe("packet loss on links between hosts").from("a healthy LAN"),
      std::move(bandwidth),
      ParamSpec::duration("same_host_latency")
          .def("50us")
          .at_least(0)
          .describe("one-way latency between two pods on the same host (veth pair and bridge)")
          .from("testbed_notes: TCP RTT 0.1 ms over a veth pair between two namespaces"),
      ParamSpec::records("links",
                         {ParamSpec::texts("hosts").require().describe("the two hosts of the link").from("scenario"),
                          ParamSpec::duration("latency").optional().at_least(0).describe(
                              "one-way latency; the network's latency when absent").from("scenario"),
                          ParamSpec::duration("jitter").optional().at_least(0).describe(
                              "jitter; the network's jitter when absent").from("scenario"),
                          ParamSpec::ratio("loss").optional().describe("packet loss; the network's loss when absent").from(
                              "scenario"),
                          std::move(link_bandwidth)})
          .describe("links that differ from the defaults, both directions (e.g. a remote node)")
          .from("scenario"),
      ParamSpec::integer("mss", "bytes")
          .def(1448)
          .at_least(64)
          .describe("TCP payload per packet: a message of n bytes is ceil(n / mss) packets")
          .from("Ethernet MTU 1500 − 20 (IPv4) − 32 (TCP with timestamps)"),
      ParamSpec::duration("rto_min")
          .def("200ms")
          .above(0)
          .describe("minimum TCP retransmission timeout: a lost packet is sent again after RTT + rto_min, doubling "
                    "per retransmission")
          .from("Linux TCP_RTO_MIN 200 ms; testbed_notes: 30 % loss gave a TCP RTT max of 541 ms"),
      ParamSpec::duration("rto_max")
          .def("120s")
          .above(0)
          .describe("maximum TCP retransmission timeout (the back-off stops doubling there)")
          .from("Linux TCP_RTO_MAX 120 s"),
  };
  k.validate = [](const sim::ParamValues& p, int64_t, const sim::Document& doc) {
    const std::vector<std::string> hosts = p.texts("hosts");
    if (hosts.empty()) throw doc.error(p.pointer("hosts"), "expected at least one host name");
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (hosts[i].empty()) throw doc.error(sim::pointer_append(p.pointer("hosts"), i), "expected a host name");
      for (size_t j = 0; j < i; ++j)
        if (hosts[i] == hosts[j])
          throw doc.error(sim::pointer_append(p.pointer("hosts"), i), "duplicate host \"" + hosts[i] + "\"");
    }
    const auto check_host = [&](const std::string& h, const std::string& ptr) {
      if (std::find(hosts.begin(), hosts.end(), h) == hosts.end())
        throw doc.error(ptr, "unknown host \"" + h + "\"" + sim::did_you_mean(h, hosts) + "; the hosts are listed in \"hosts\"");
    };
    // The names a placement may use: every component, and each replica or member path.
    std::vector<std::string> known;
    const sim::Json& comps = doc.root.contains("components") ? doc.root["components"] : sim::Json::array();
    for (const sim::Json& c : comps) {
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) continue;
      const std::string name = c["name"].get<std::string>();
      known.push_back(name);
      int64_t n = 1;
      for (const char* key : {"count", "max_count"})
        if (c.contains(key) && c[key].is_number_integer()) n = std::max(n, c[key].get<int64_t>());
      for (int64_t i = 0; i < n && i < 100000; ++i) known.push_back(name + "/" + name + "-" + std::to_string(i));
    }
    std::vector<std::string> seen;
    for (const sim::ParamValues& e : p.objects("placement")) {
      const std::string& pods = e.text("pods");
      if (std::find(known.begin(), known.end(), pods) == known.end())
        throw doc.error(e.pointer("pods"), "\"" + pods + "\" is no component or pod of the scenario" +
                                               sim::did_you_mean(pods, known));
      if (std::find(seen.begin(), seen.end(), pods) != seen.end())
        throw doc.error(e.pointer("pods"), "\"" + pods + "\" is placed twice");
      seen.push_back(pods);
      const std::vector<std::string> on = e.texts("hosts");
      if (on.empty()) throw doc.error(e.pointer("hosts"), "expected at least one host");
      for (size_t i = 0; i < on.size(); ++i) check_host(on[i], sim::pointer_append(e.pointer("hosts"), i));
    }
    for (const sim::ParamValues& e : p.objects("links")) {
      const std::vector<std::string> pair = e.texts("hosts");
      if (pair.size() != 2 || pair[0] == pair[1])
        throw doc.error(e.pointer("hosts"), "expected two different hosts, e.g. [node-1, node-2]");
      for (size_t i = 0; i < 2; ++i) check_host(pair[i], sim::pointer_append(e.pointer("hosts"), i));
    }
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    NetworkConfig c;
    c.hosts = inst.params.texts("hosts");
    for (const sim::ParamValues& e : inst.params.objects("placement")) c.placement.push_back({e.text("pods"), e.texts("hosts")});
    c.link.latency = inst.params.duration("latency");
    c.link.jitter = inst.params.duration("jitter");
    c.link.loss = inst.params.ratio("loss");
    c.link.bandwidth = static_cast<double>(inst.params.bytes("bandwidth"));
    c.same_host_latency = inst.params.duration("same_host_latency");
    for (const sim::ParamValues& e : inst.params.objects("links")) {
      NetworkConfig::LinkOverride o;
      const std::vector<std::string> pair = e.texts("hosts");
      o.a = pair.at(0);
      o.b = pair.at(1);
      if (e.has("latency")) o.latency = e.duration("latency");
      if (e.has("jitter")) o.jitter = e.duration("jitter");
      if (e.has("loss")) o.loss = e.ratio("loss");
      if (e.has("bandwidth")) o.bandwidth = static_cast<double>(e.bytes("bandwidth"));
      c.links.push_back(std::move(o));
    }
    c.mss = static_cast<uint32_t>(inst.params.integer("mss"));
    c.rto_min = inst.params.duration("rto_min");
    c.rto_max = inst.params.duration("rto_max");
    return sim.add<Network>({inst.path, inst.labels}, std::move(c));
  };
  return k;
}

}  // namespace faultline::models
