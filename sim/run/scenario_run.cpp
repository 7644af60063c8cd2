#include "sim/run/scenario_run.hpp"

#include <sys/resource.h>

#include <chrono>
#include <stdexcept>

#include "sim/core/rfc3339.hpp"
#include "sim/experiment/experiment_runner.hpp"
#include "sim/faults/fault_plan.hpp"

namespace faultline::sim {

uint64_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

ScenarioRun::ScenarioRun(ResolvedScenario scenario, const ModelRegistry& registry, const RunOptions& options)
    : scenario_(std::move(scenario)), options_(options), topology_(Topology::build(scenario_, registry)) {
  if (options_.until && *options_.until <= Duration::zero())
    throw InputError("--until", "", 0, "expected a time > 0 such as \"10m\"");
  if (!scenario_.duration && !options_.until) {
    // Without an end time, the run ends when no work is left: every source must stop by itself.
    for (const ComponentInstance& inst : scenario_.instances) {
      const KindInfo* k = registry.find(inst.kind);
      if (k->bounded && !k->bounded(inst.params))
        throw scenario_.doc.error(inst.pointer, "the scenario has no \"duration\" and " + inst.path +
                                                    " produces without end, so the run would never stop: set the "
                                                    "scenario's duration, or a message limit on the producer");
    }
  }
  build(registry);
}

ScenarioRun::~ScenarioRun() = default;

void ScenarioRun::build(const ModelRegistry& registry) {
  sim_ = std::make_unique<Simulation>(scenario_.seed);
  sim_->events().set_trace_messages(options_.trace_messages);
  for (const ComponentInstance& inst : scenario_.instances) {
    Component& c = registry.find(inst.kind)->factory(*sim_, inst);
    if (c.path() != inst.path) throw std::logic_error("kind " + inst.kind + " built " + c.path() + " for " + inst.path);
  }
  const Document& doc = scenario_.doc;
  for (const TopologyEdge& w : topology_.wiring()) {
    Component* a = sim_->find(w.from);
    Component* b = sim_->find(w.to);
    PortBase* pa = a->find_port(w.from_port);
    if (pa == nullptr) throw std::logic_error("kind " + std::string(a->kind()) + " declares no port " + w.from_port);
    PortBase* pb = b->find_port(w.to_port);
    if (pb == nullptr) {
      std::string ports;
      for (const auto& p : b->ports()) ports += (ports.empty() ? "" : ", ") + p->name();
      throw doc.error(w.pointer, "component " + w.to + " has no endpoint \"" + w.to_port + "\" (its ports: " + ports + ")");
    }
    try {
      using D = PortBase::Direction;
      if (pa->direction() == D::out || pa->direction() == D::client)
        connect(*pa, *pb);
      else
        connect(*pb, *pa);
    } catch (const WiringError& e) {
      throw doc.error(w.pointer, e.what());
    }
  }
  // Cluster-wide services (the network) reach every component that asks for them by port name.
  for (const ComponentInstance& inst : scenario_.instances) {
    const KindInfo* k = registry.find(inst.kind);
    if (!k->serves_all) continue;
    std::vector<std::pair<std::string, std::string>> channels{*k->serves_all};
    channels.insert(channels.end(), k->also_serves_all.begin(), k->also_serves_all.end());
    for (const auto& [client_port, server_port] : channels) {
      PortBase* server = sim_->find(inst.path)->find_port(server_port);
      if (server == nullptr) throw std::logic_error("kind " + k->name + " declares no port " + server_port);
      for (Component* c : sim_->components()) {
        PortBase* client = c->find_port(client_port);
        if (client == nullptr || client->connection_count() != 0 || c == server->owner_ptr()) continue;
        connect(*client, *server);
      }
    }
  }
  std::vector<Fault> timeline = options_.recorded_faults ? *options_.recorded_faults : plan_faults(scenario_);
  for (size_t i = 0; i < timeline.size(); ++i) timeline[i].id = static_cast<uint32_t>(i);
  // A fault aimed at a member a `self` kind did not create is caught here, before the run.
  for (const Fault& f : timeline)
    for (const std::string& t : f.targets)
      if (sim_->find(t) == nullptr)
        throw InputError(f.source.value("file", doc.file), f.source.value("at", std::string()), 0,
                         "fault target " + t + " does not exist in the scenario " + scenario_.name);
  injector_ = std::make_unique<FaultInjector>(*sim_, std::move(timeline));
  build_experiment();
}

// DESIGN §7: the hypothesis, aborts and rollbacks, with the rollback actions planned (and
// checked) now, as if the rollback time were 0.
void ScenarioRun::build_experiment() {
  experiment::ExperimentSpec spec =
      scenario_.experiment_spec ? *scenario_.experiment_spec : experiment::ExperimentSpec{};
  if (options_.imported_experiment) experiment::merge_imported(spec, *options_.imported_experiment);
  if (spec.empty()) return;
  std::vector<Fault> actions;
  if (spec.rollbacks) {
    Json entries = spec.rollbacks->actions;
    for (Json& e : entries)
      if (!e.contains("at") && !e.contains("start") && !e.contains("schedule")) e["at"] = "0s";
    actions = plan_fault_entries(scenario_, entries, spec.rollbacks->actions_pointer);
    for (const Fault& f : actions)
      for (const std::string& t : f.targets)
        if (sim_->find(t) == nullptr)
          throw scenario_.doc.error(f.source.value("at", std::string()),
                                    "rollback target " + t + " does not exist in the scenario " + scenario_.name);
  }
  experiment::RunInfo info;
  info.scenario = scenario_.name;
  info.experiment = scenario_.experiment;
  info.description = scenario_.experiment ? scenario_.experiment_description : scenario_.description;
  info.seed = scenario_.seed;
  info.start_epoch_ns = scenario_.start_epoch_ns;
  info.scrape_interval = scenario_.scrape_interval;
  experiment_ = std::make_unique<experiment::ExperimentRunner>(*sim_, *injector_, std::move(spec), std::move(actions),
                                                               std::move(info));
}

void ScenarioRun::run() {
  if (ran_) throw std::logic_error("a ScenarioRun runs once");
  ran_ = true;
  const auto wall_start = std::chrono::steady_clock::now();  // timing.json only, never simulation logic
  if (experiment_) experiment_->schedule_before_faults();  // checks before the chaos precede its faults
  injector_->schedule_all();
  if (experiment_) experiment_->schedule_after_faults();
  sim_->start_scraping(scenario_.scrape_interval);
  const std::optional<Duration> limit = options_.until ? options_.until : scenario_.duration;
  if (limit)
    sim_->run_until(SimTime::at(*limit));
  else
    sim_->run();
  sim_->final_scrape();
  sim_->finish();
  sim_->check_conservation();
  if (experiment_) experiment_->finish();
  timing_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  timing_.peak_rss_bytes = peak_rss_bytes();
  make_summary();
}

void ScenarioRun::make_summary() {
  using OJ = nlohmann::ordered_json;
  const MessageLedger& ledger = sim_->ledger();
  const BacklogTracker& backlog = sim_->backlog();
  OJ messages;
  messages["published"] = ledger.published();
  messages["delivered"] = ledger.delivered_count();
  messages["duplicates"] = ledger.duplicates();
  messages["in_flight"] = ledger.in_flight();
  messages["lost"] = ledger.lost();
  OJ by_cause = OJ::object(), by_component = OJ::object();
  for (const auto& [k, v] : ledger.lost_by_cause()) by_cause[k] = v;
  for (const auto& [k, v] : ledger.lost_by_component()) by_component[k] = v;
  messages["lost_by_cause"] = by_cause;
  messages["lost_by_component"] = by_component;

  OJ backlog_j;
  backlog_j["peak"] = backlog.peak();
  backlog_j["peak_time_s"] = backlog.peak_time().seconds();
  const auto drain = backlog.drain_time();
  backlog_j["drain_time_s"] = drain ? OJ(drain->seconds()) : OJ(nullptr);

  OJ faults = OJ::array();
  for (const Fault& f : injector_->timeline()) {
    OJ fj;
    fj["kind"] = f.kind;
    fj["targets"] = f.targets;
    fj["start_s"] = f.start.seconds();
    fj["end_s"] = f.end ? OJ(f.end->seconds()) : OJ(nullptr);
    const auto rec = injector_->recovered(f.id);
    fj["recovered_s"] = rec ? OJ(rec->seconds()) : OJ(nullptr);
    if (injector_->started(f.id)) {
      OJ unmapped = OJ::array();
      for (const auto& o : injector_->outcomes(f.id))
        if (!o.applied) unmapped.push_back(OJ{{"target", o.target}, {"reason", o.reason}});
      if (!unmapped.empty()) fj["unmapped"] = unmapped;
    } else {
      fj["not_reached"] = true;  // the run ended before the fault's start
    }
    if (injector_->aborted(f.id)) fj["aborted"] = true;  // ended early or cancelled by an abort (DESIGN §7)
    if (f.source.value("rollback", false)) fj["rollback"] = true;
    faults.push_back(fj);
  }

  OJ components = OJ::object();
  for (Component* c : sim_->components()) {
    OJ s = c->summary();
    if (!s.is_null()) components[c->path()] = s;
  }

  // The fingerprint covers the event stream and the results.
  Fingerprint& fp = sim_->fingerprint();
  fp.mix(ledger.published());
  fp.mix(ledger.delivered_count());
  fp.mix(ledger.duplicates());
  fp.mix(ledger.lost());
  fp.mix(static_cast<uint64_t>(backlog.peak()));
  fp.mix(static_cast<uint64_t>(sim_->now().ns()));
  fp.mix(faults.dump());
  fp.mix(components.dump());
  if (experiment_) fp.mix(experiment_->verdict().dump());
  fingerprint_ = fp.hex();

  summary_ = OJ();
  summary_["scenario"] = scenario_.name;
  summary_["experiment"] = scenario_.experiment ? OJ(*scenario_.experiment) : OJ(nullptr);
  summary_["seed"] = scenario_.seed;
  summary_["start_time"] = format_rfc3339(scenario_.start_epoch_ns);
  summary_["fingerprint"] = fingerprint_;
  summary_["simulated_seconds"] = sim_->now().seconds();
  summary_["events"] = sim_->events_processed();
  summary_["messages"] = messages;
  summary_["backlog"] = backlog_j;
  summary_["faults"] = faults;
  summary_["verdict"] = experiment_ ? experiment_->verdict() : OJ(nullptr);
  if (experiment_) summary_["experiment_results"] = experiment_->results();
  summary_["components"] = components;
}

nlohmann::ordered_json ScenarioRun::timing_json() const {
  nlohmann::ordered_json t;
  t["wall_seconds"] = timing_.wall_seconds;
  const double events = static_cast<double>(sim_->events_processed());
  t["events"] = sim_->events_processed();
  t["events_per_second"] = timing_.wall_seconds > 0 ? events / timing_.wall_seconds : 0.0;
  t["messages_per_second"] =
      timing_.wall_seconds > 0 ? static_cast<double>(sim_->ledger().delivered_count()) / timing_.wall_seconds : 0.0;
  t["peak_rss_bytes"] = timing_.peak_rss_bytes;
  return t;
}

}  // namespace faultline::sim
