#include "models/workload/producer.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace faultline::models {

Producer::Producer(sim::Simulation& sim, sim::ComponentIdentity id, ProducerConfig config)
    : Component(sim, std::move(id)),
      config_(config),
      out_(client_port<Publish, PublishResult, &Producer::on_result>("publish")) {}

void Producer::initialize() {
  if (!out_.connected()) throw std::logic_error("producer " + path() + " publishes to nothing");
  schedule_next();
}

void Producer::schedule_next() {
  if (config_.message_limit && created_ >= *config_.message_limit) return;
  // Time runs from the producer's start; the profile gives the (possibly ramping) rate.
  const double from = created_ == 0 ? 0.0 : (now() - sim::SimTime::at(config_.start)).seconds();
  const double amount = config_.arrivals == ProducerConfig::Arrivals::poisson ? rng("arrivals").exponential(1.0) : 1.0;
  const std::optional<double> next = config_.rate.advance(from, amount);
  if (!next) return;  // the load has ended
  const sim::SimTime at = sim::SimTime::at(config_.start) + sim::Duration::from_seconds(*next);
  schedule_at(std::max(at, now()), kArrival);
}

void Producer::handle(uint16_t, uint32_t) {
  sim::Message m = sim().ledger().create(now(), index());
  if (config_.persistent) m.flags |= sim::Message::kPersistent;
  ++created_;
  sim().events().trace_message(now(), path(), "published", m.id);
  out_.send(Publish{m, false});
  schedule_next();
}

void Producer::on_result(const PublishResult& result) {
  // Without retries, a publish the broker could not take is lost (experiment B v1, §5.1).
  if (result.outcome == PublishResult::Outcome::failed || result.outcome == PublishResult::Outcome::nacked)
    sim().ledger().lose(result.message_id, "publish_failed", path());
}

nlohmann::ordered_json Producer::summary() const { return {{"created", created_}}; }

sim::KindInfo Producer::kind_info() {
  using sim::ParamSpec;
  sim::KindInfo k;
  k.name = "producer";
  k.help = "open-loop message producer (feeder, load generator): constant rate or Poisson";
  k.replication = sim::Replication::replicas;
  k.role = sim::TopologyRole::source;
  k.count_help = "producer pods";
  sim::ReferenceSpec target;
  target.target_kinds = {"queue"};
  target.flow = sim::ReferenceSpec::Flow::to_target;
  target.wires = {{"publish", "publish"}};
  k.params = {
      ParamSpec::ref("target", target).require().describe("the queue this producer publishes to"),
      ParamSpec::choice("arrivals", {"poisson", "constant"})
          .def("poisson")
          .describe("inter-arrival process: exponential gaps (Poisson) or fixed gaps")
          .from("open-loop load model; k6 constant-arrival-rate is the constant case"),
      ParamSpec::rate("rate")
          .def(100.0)
          .at_least(0)
          .describe("messages per second, per producer pod (with stages: the start rate)")
          .from("seed 002: 100 req/s from k6"),
      ParamSpec::records("stages",
                         {ParamSpec::duration("duration").require().at_least(0).describe("length of the ramp").from(
                              "k6 stages[].duration"),
                          ParamSpec::rate("target").require().at_least(0).describe("rate reached at the end").from(
                              "k6 stages[].target")})
          .describe("k6 ramping-arrival-rate stages: ramp linearly from the previous rate to each target; the "
                    "load ends after the last stage")
          .from("k6 ramping-arrival-rate executor"),
      ParamSpec::integer("messages", "messages")
          .optional()
          .at_least(0)
          .describe("stop after this many messages; unbounded when absent")
          .from("workload definition (bench: N)"),
      ParamSpec::duration("start").def("0s").at_least(0).describe("when the first gap starts").from("workload definition"),
      ParamSpec::boolean("persistent")
          .def(false)
          .describe("publish with delivery_mode 2 (persistent)")
          .from("Dapr default deliveryMode 0, transient (§5.1)"),
  };
  k.bounded = [](const sim::ParamValues& p) {
    return p.has("messages") || p.rate("rate") == 0 || !p.objects("stages").empty();
  };
  k.factory = [](sim::Simulation& sim, const sim::ComponentInstance& inst) -> sim::Component& {
    ProducerConfig c;
    c.arrivals = inst.params.text("arrivals") == "constant" ? ProducerConfig::Arrivals::constant
                                                            : ProducerConfig::Arrivals::poisson;
    std::vector<RateProfile::Stage> stages;
    for (const sim::ParamValues& st : inst.params.objects("stages"))
      stages.push_back({st.duration("duration").seconds(), st.rate("target")});
    c.rate = RateProfile(inst.params.rate("rate"), std::move(stages));
    if (inst.params.has("messages")) c.message_limit = static_cast<uint64_t>(inst.params.integer("messages"));
    c.start = inst.params.duration("start");
    c.persistent = inst.params.boolean("persistent");
    return sim.add<Producer>({inst.path, inst.labels}, c);
  };
  return k;
}

}  // namespace faultline::models
