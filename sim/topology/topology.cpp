#include "sim/topology/topology.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>

namespace faultline::sim {

namespace {

struct VertexProps {
  std::string path;
};
struct EdgeProps {
  size_t index;  // into edges_
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using GEdge = boost::graph_traits<Graph>::edge_descriptor;

struct CycleFound {
  GEdge edge;
};

struct CycleDetector : boost::default_dfs_visitor {
  void back_edge(GEdge e, const Graph&) { throw CycleFound{e}; }
};

struct Reached : boost::default_bfs_visitor {
  std::vector<bool>* seen;
  void discover_vertex(Vertex v, const Graph&) { (*seen)[v] = true; }
};

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Topology Topology::build(const ResolvedScenario& sc, const ModelRegistry& registry) {
  (void)registry;
  const Document& doc = sc.doc;
  Topology topo;
  std::vector<std::string> entry_names;
  for (const auto& c : sc.components) entry_names.push_back(c.name);

  for (const ComponentInstance& inst : sc.instances) {
    const KindInfo& kind = *registry.find(inst.kind);
    for (const ParamSpec& spec : kind.params) {
      if (spec.type != ParamType::reference || !inst.params.has(spec.name)) continue;
      const std::string ptr = inst.params.pointer(spec.name);
      const std::string ref = inst.params.text(spec.name);
      // "name", "name/name-2" (one replica) or "name.endpoint" (an endpoint of a single or
      // self-managed component, e.g. a queue of a broker cluster).
      std::string target_name = ref, endpoint, replica_path;
      if (auto dot = ref.find('.'); dot != std::string::npos) {
        target_name = ref.substr(0, dot);
        endpoint = ref.substr(dot + 1);
      } else if (auto slash = ref.find('/'); slash != std::string::npos) {
        target_name = ref.substr(0, slash);
        replica_path = ref;
      }
      const ComponentEntry* target = sc.entry(target_name);
      if (target == nullptr)
        throw doc.error(ptr, "unknown component \"" + target_name + "\" in reference \"" + ref + "\"" +
                                 did_you_mean(target_name, entry_names));
      if (!spec.reference.target_kinds.empty() &&
          std::find(spec.reference.target_kinds.begin(), spec.reference.target_kinds.end(), target->kind->name) ==
              spec.reference.target_kinds.end()) {
        std::string list;
        for (const auto& k : spec.reference.target_kinds) list += (list.empty() ? "" : " or ") + k;
        throw doc.error(ptr, "\"" + spec.name + "\" must name a " + list + ", but \"" + target_name + "\" is a " +
                                 target->kind->name);
      }
      if (!endpoint.empty() && target->kind->replication == Replication::replicas)
        throw doc.error(ptr, "\"" + target_name + "\" is replicated; a reference with an endpoint (\"" + ref +
                                 "\") needs a single component");
      std::vector<std::string> targets;
      for (const auto& other : sc.instances) {
        if (other.base_name != target_name) continue;
        if (!replica_path.empty() && other.path != replica_path) continue;
        targets.push_back(other.path);
      }
      if (!replica_path.empty() && targets.empty())
        throw doc.error(ptr, "component \"" + target_name + "\" has no instance \"" + replica_path + "\"");
      for (const std::string& t : targets) {
        if (t == inst.path) throw doc.error(ptr, "a component cannot refer to itself");
        for (const auto& [mine, theirs] : spec.reference.wires) {
          const std::string their_port = endpoint.empty() ? theirs : endpoint + "." + theirs;
          topo.wiring_.push_back({inst.path, mine, t, their_port, false, ptr});
        }
        TopologyEdge e{inst.path, spec.name, t, endpoint.empty() ? std::string() : endpoint,
                       spec.reference.flow != ReferenceSpec::Flow::none, ptr};
        if (spec.reference.flow == ReferenceSpec::Flow::from_target) {
          std::swap(e.from, e.to);
          std::swap(e.from_port, e.to_port);
        }
        topo.edges_.push_back(std::move(e));
      }
    }
  }

  // The graph: vertices are instances in path order.
  Graph g(sc.instances.size());
  std::map<std::string, Vertex> index;
  for (size_t i = 0; i < sc.instances.size(); ++i) {
    g[i].path = sc.instances[i].path;
    index[sc.instances[i].path] = i;
  }
  Graph flow(sc.instances.size());
  for (size_t i = 0; i < topo.edges_.size(); ++i) {
    const TopologyEdge& e = topo.edges_[i];
    boost::add_edge(index.at(e.from), index.at(e.to), EdgeProps{i}, g);
    if (e.flow) boost::add_edge(index.at(e.from), index.at(e.to), EdgeProps{i}, flow);
  }

  // Forbidden cycles: messages must flow from sources to consumers, never around a loop.
  try {
    std::vector<boost::default_color_type> color(boost::num_vertices(flow));
    boost::depth_first_search(flow, boost::visitor(CycleDetector()).color_map(
                                        boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, flow))));
  } catch (const CycleFound& c) {
    const TopologyEdge& e = topo.edges_[flow[c.edge].index];
    throw doc.error(e.pointer, "this reference closes a cycle in the message flow (" + e.from + " → " + e.to +
                                   " leads back to " + e.to + "); messages must flow from producers to consumers");
  }

  // Consumers that nothing feeds: no producer reaches them along the message flow.
  std::vector<bool> fed(sc.instances.size(), false);
  for (size_t i = 0; i < sc.instances.size(); ++i) {
    if (registry.find(sc.instances[i].kind)->role != TopologyRole::source || fed[i]) continue;
    Reached vis;
    vis.seen = &fed;
    std::vector<boost::default_color_type> color(boost::num_vertices(flow));
    boost::breadth_first_search(flow, i, boost::visitor(vis).color_map(
                                             boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, flow))));
  }
  for (size_t i = 0; i < sc.instances.size(); ++i) {
    const ComponentInstance& inst = sc.instances[i];
    if (registry.find(inst.kind)->role != TopologyRole::consumer || fed[i]) continue;
    std::string upstream;
    for (const auto& e : topo.edges_)
      if (e.flow && e.to == inst.path) upstream = e.from;
    throw doc.error(inst.pointer, "consumer " + inst.path + " is fed by nothing: " +
                                      (upstream.empty() ? std::string("it consumes from no queue")
                                                        : "no producer publishes to " + upstream));
  }

  std::sort(topo.wiring_.begin(), topo.wiring_.end(), [](const TopologyEdge& a, const TopologyEdge& b) {
    return std::tie(a.from, a.from_port, a.to, a.to_port) < std::tie(b.from, b.from_port, b.to, b.to_port);
  });
  return topo;
}

std::string Topology::to_dot(const ResolvedScenario& sc) const {
  std::string out = "digraph " + dot_quote(sc.name) + " {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (const ComponentEntry& c : sc.components) {
    std::vector<const ComponentInstance*> members;
    for (const auto& i : sc.instances)
      if (i.base_name == c.name) members.push_back(&i);
    if (c.kind->replication == Replication::replicas) {
      out += "  subgraph " + dot_quote("cluster_" + c.name) + " {\n    label=" +
             dot_quote(c.name + " (" + c.kind->name + " ×" + std::to_string(c.count) + ")") + ";\n";
      for (const auto* m : members)
        out += "    " + dot_quote(m->path) + " [label=" + dot_quote(m->path.substr(m->path.find('/') + 1)) + "];\n";
      out += "  }\n";
    } else {
      std::string label = c.name + "\\n" + c.kind->name;
      if (c.kind->replication == Replication::self) label += " ×" + std::to_string(c.count);
      out += "  " + dot_quote(c.name) + " [label=\"" + label + "\"];\n";
    }
  }
  for (const TopologyEdge& e : edges_) {
    std::string label = e.from_port.empty() ? e.to_port : e.from_port;
    if (!e.from_port.empty() && !e.to_port.empty()) label = e.from_port + " → " + e.to_port;
    out += "  " + dot_quote(e.from) + " -> " + dot_quote(e.to) + " [label=" + dot_quote(label) +
           (e.flow ? "" : ", style=dashed") + "];\n";
  }
  return out + "}\n";
}

}  // namespace faultline::sim
