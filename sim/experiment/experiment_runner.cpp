#include "sim/experiment/experiment_runner.hpp"

#include <cmath>

#include "sim/core/rfc3339.hpp"
#include "sim/faults/fault_kinds.hpp"
#include "sim/output/number_format.hpp"

namespace faultline::sim::experiment {

using OJ = nlohmann::ordered_json;

namespace {

std::vector<const promql::Query*> queries_of(const ExperimentSpec& spec) {
  std::vector<const promql::Query*> out;
  for (const ProbeSpec& p : spec.probes) out.push_back(&p.query);
  for (const AbortSpec& a : spec.aborts) out.push_back(&a.query);
  return out;
}

bool checked_before(ProbeMode m) { return m == ProbeMode::sot || m == ProbeMode::edge; }
bool checked_after(ProbeMode m) { return m == ProbeMode::eot || m == ProbeMode::edge; }

struct Evaluation {
  std::vector<double> values;  // scalar: one; vector: by label set
  std::string error;
};

}  // namespace

OJ value_json(const std::optional<double>& v) {
  if (!v) return nullptr;
  if (std::isnan(*v)) return "NaN";
  if (std::isinf(*v)) return *v > 0 ? "+Inf" : "-Inf";
  return *v;
}

std::string verdict_text(const OJ& verdict) {
  if (!verdict.is_object()) return "";
  const std::string status = verdict.value("status", std::string("?"));
  std::string out = "verdict: " + status + " at " + format_prometheus_float(verdict.value("time_s", 0.0)) + " s";
  if (verdict.contains("reason") && verdict["reason"].is_string())
    out += (status == "aborted" ? " by " : ": probe ") + verdict["reason"].get<std::string>();
  if (verdict.contains("value") && !verdict["value"].is_null())
    out += " (value " +
           (verdict["value"].is_number() ? format_prometheus_float(verdict["value"].get<double>())
                                         : verdict["value"].dump()) +
           ")";
  return out;
}

int verdict_exit_code(const OJ& summary) {
  if (!summary.contains("verdict") || !summary["verdict"].is_object()) return 0;
  return summary["verdict"].value("status", std::string()) == "pass" ? 0 : 3;
}

ExperimentRunner::ExperimentRunner(Simulation& sim, FaultInjector& injector, ExperimentSpec spec,
                                   std::vector<Fault> rollback_actions, RunInfo info)
    : sim_(sim),
      injector_(injector),
      spec_(std::move(spec)),
      rollback_actions_(std::move(rollback_actions)),
      info_(std::move(info)),
      mirror_(sim.recorder(), info_.start_epoch_ns, queries_of(spec_)),
      probes_(spec_.probes.size()),
      conditions_(spec_.aborts.size()) {
  const std::vector<Fault>& timeline = injector_.timeline();
  method_faults_ = timeline.size();
  has_faults_ = !timeline.empty();
  bool open_ended = false;
  for (const Fault& f : timeline) {
    if (f.id == 0 || f.start < chaos_start_) chaos_start_ = f.start;
    const FaultKindInfo* kind = find_fault_kind(f.kind);
    SimTime last = f.start;
    if (f.end)
      last = *f.end;
    else if (kind == nullptr || !kind->one_shot)
      open_ended = true;  // lasts to the run's end
    if (!chaos_end_ || last > *chaos_end_) chaos_end_ = last;
  }
  if (!has_faults_) chaos_end_ = chaos_start_;
  if (open_ended) chaos_end_.reset();
}

void ExperimentRunner::at_after_scrape(SimTime t, std::function<void()> fn) {
  sim_.call_at(
      t,
      [this, fn = std::move(fn)]() mutable {
        const int64_t now = sim_.now().ns();
        const std::vector<int64_t>& scraped = sim_.recorder().scrape_times_ns();
        const bool scrape_due =
            now % info_.scrape_interval.count_ns() == 0 && (scraped.empty() || scraped.back() < now);
        // The scrape at `now` is already queued (scheduled one interval ago): run after it.
        if (scrape_due)
          sim_.call_at(sim_.now(), std::move(fn), true);
        else
          fn();
      },
      true);
}

void ExperimentRunner::schedule_before_faults() {
  for (size_t i = 0; i < spec_.probes.size(); ++i)
    if (checked_before(spec_.probes[i].mode))
      sim_.call_at(
          chaos_start_, [this, i] { check_probe(i, "before"); }, true);
}

void ExperimentRunner::schedule_after_faults() {
  for (size_t i = 0; i < spec_.probes.size(); ++i) {
    const ProbeSpec& p = spec_.probes[i];
    const SimTime first = chaos_start_ + p.initial_delay;
    if (p.mode == ProbeMode::continuous) poll_probe(i, first);
    if (p.mode == ProbeMode::on_chaos && has_faults_ && (!chaos_end_ || first <= *chaos_end_)) poll_probe(i, first);
  }
  for (size_t i = 0; i < spec_.aborts.size(); ++i) poll_condition(i, chaos_start_ + spec_.aborts[i].initial_delay);
  // The method's end: rollbacks run then, unless a stop ran them already.
  if (spec_.rollbacks && chaos_end_)
    sim_.call_at(*chaos_end_, [this] {
      if (!stop_) run_rollbacks();
    });
}

std::optional<SimTime> ExperimentRunner::current_chaos_end() const {
  if (stop_ && (!chaos_end_ || stop_->at < *chaos_end_)) return stop_->at;
  return chaos_end_;
}

void ExperimentRunner::check_probe(size_t i, const char* phase) {
  const ProbeSpec& spec = spec_.probes[i];
  ProbeState& state = probes_[i];
  mirror_.sync();
  Check c;
  c.t = sim_.now();
  c.phase = phase;
  std::vector<double> values;
  try {
    const promql::QueryResult r = promql::instant_query(mirror_.store(), spec.query, info_.start_epoch_ns + c.t.ns());
    if (r.type == promql::ValueType::scalar) values.push_back(r.scalar);
    for (const promql::VectorSample& s : r.vector) values.push_back(s.value);
  } catch (const promql::QueryError& e) {
    c.error = e.message();
  }
  c.samples = values.size();
  c.met = c.error.empty() && !values.empty();
  for (double v : values)
    if (!spec.tolerance.met(v)) {
      c.met = false;
      c.value = v;
      break;
    }
  if (!c.value && !values.empty()) c.value = values.front();
  OJ fields = {{"probe", spec.name}, {"mode", probe_mode_name(spec.mode)}, {"phase", phase},
               {"met", c.met},       {"value", value_json(c.value)},       {"samples", c.samples}};
  if (!c.error.empty()) fields["error"] = c.error;
  if (c.error.empty() && values.empty()) fields["error"] = "no data: the query returned no sample";
  sim_.events().record(c.t, "experiment", "probe", fields);
  state.checks.push_back(c);
  if (std::string(phase) == "during") during_.emplace_back(i, state.checks.size() - 1);
  if (!c.met && !state.first_failure) {
    state.first_failure = state.checks.size() - 1;
    if (spec.stop_on_failure) stop_chaos(false, i);
  }
}

void ExperimentRunner::poll_probe(size_t i, SimTime t) {
  at_after_scrape(t, [this, i] {
    const ProbeSpec& p = spec_.probes[i];
    if (p.mode == ProbeMode::on_chaos) {
      const auto end = current_chaos_end();
      if (end && sim_.now() > *end) return;
    }
    check_probe(i, "during");
    const SimTime next = sim_.now() + p.interval;
    if (p.mode == ProbeMode::on_chaos) {
      const auto end = current_chaos_end();
      if (end && next > *end) return;
    }
    poll_probe(i, next);
  });
}

void ExperimentRunner::poll_condition(size_t i, SimTime t) {
  at_after_scrape(t, [this, i] {
    if (stop_) return;  // the experiment is over: nothing to abort
    const AbortSpec& spec = spec_.aborts[i];
    ConditionState& state = conditions_[i];
    mirror_.sync();
    ++state.checks;
    std::vector<double> values;
    try {
      const promql::QueryResult r =
          promql::instant_query(mirror_.store(), spec.query, info_.start_epoch_ns + sim_.now().ns());
      if (r.type == promql::ValueType::scalar) values.push_back(r.scalar);
      for (const promql::VectorSample& s : r.vector) values.push_back(s.value);
    } catch (const promql::QueryError& e) {
      if (state.error.empty())
        sim_.events().record(sim_.now(), "experiment", "abort-condition-error",
                             {{"condition", spec.name}, {"error", e.message()}});
      state.error = e.message();
    }
    bool fired = false;
    std::optional<double> value;
    for (double v : values)
      if (!spec.when || spec.when->met(v)) {
        fired = true;
        value = v;
        break;
      }
    if (!fired) {
      poll_condition(i, sim_.now() + spec.interval);
      return;
    }
    state.fired = true;
    state.fired_at = sim_.now();
    state.value = value;
    OJ fields = {{"condition", spec.name}, {"value", value_json(value)}};
    if (spec.when) fields["when"] = spec.when->text();
    sim_.events().record(sim_.now(), "experiment", "abort-fired", fields);
    stop_chaos(true, i);
  });
}

void ExperimentRunner::stop_chaos(bool by_condition, size_t index) {
  if (stop_) return;
  stop_ = Stop{sim_.now(), by_condition, index, injector_.stop_all()};
  sim_.events().record(sim_.now(), "experiment", "chaos-stopped",
                       {{"by", by_condition ? "abort condition" : "probe"},
                        {"name", by_condition ? spec_.aborts[index].name : spec_.probes[index].name},
                        {"ended", stop_->report.ended},
                        {"cancelled", stop_->report.cancelled}});
  run_rollbacks();
}

bool ExperimentRunner::deviated() const {
  for (const ProbeState& p : probes_)
    if (p.first_failure) return true;
  return false;
}

void ExperimentRunner::run_rollbacks() {
  if (rollbacks_done_ || !spec_.rollbacks) return;
  rollbacks_done_ = true;
  rollback_time_ = sim_.now();
  const RollbackStrategy strategy = spec_.rollbacks->strategy;
  const bool aborted = stop_ && stop_->by_condition;
  if (strategy == RollbackStrategy::never || (strategy == RollbackStrategy::deviated && !deviated() && !aborted)) {
    sim_.events().record(sim_.now(), "experiment", "rollbacks-skipped",
                         {{"strategy", rollback_strategy_name(strategy)}, {"actions", rollback_actions_.size()}});
    return;
  }
  for (Fault f : rollback_actions_) {
    const Duration offset = f.start - SimTime::zero();
    if (f.end) f.end = rollback_time_ + (*f.end - SimTime::zero());
    f.start = rollback_time_ + offset;
    f.source["rollback"] = true;
    const std::string kind = f.kind;
    const uint32_t id = injector_.add(std::move(f));
    rollback_faults_.push_back(id);
    sim_.events().record(sim_.now(), "experiment", "rollback",
                         {{"fault", id}, {"kind", kind}, {"start_s", injector_.timeline()[id].start.seconds()}});
  }
}

void ExperimentRunner::finish() {
  end_ = sim_.now();
  for (size_t i = 0; i < spec_.probes.size(); ++i)
    if (checked_after(spec_.probes[i].mode)) check_probe(i, "after");
  verdict_ = OJ::object();
  if (stop_ && stop_->by_condition) {
    const ConditionState& c = conditions_[stop_->index];
    verdict_["status"] = "aborted";
    verdict_["time_s"] = stop_->at.seconds();
    verdict_["reason"] = spec_.aborts[stop_->index].name;
    verdict_["value"] = value_json(c.value);
  } else {
    std::optional<std::pair<SimTime, size_t>> first;
    for (size_t i = 0; i < probes_.size(); ++i) {
      if (!probes_[i].first_failure) continue;
      const SimTime t = probes_[i].checks[*probes_[i].first_failure].t;
      if (!first || t < first->first) first = std::make_pair(t, i);
    }
    if (first) {
      const Check& c = probes_[first->second].checks[*probes_[first->second].first_failure];
      verdict_["status"] = "fail";
      verdict_["time_s"] = c.t.seconds();
      verdict_["reason"] = spec_.probes[first->second].name;
      verdict_["value"] = value_json(c.value);
    } else {
      verdict_["status"] = "pass";
      verdict_["time_s"] = end_.seconds();
      verdict_["reason"] = nullptr;
      verdict_["value"] = nullptr;
    }
  }
  sim_.events().record(end_, "experiment", "verdict", verdict_);
}

OJ ExperimentRunner::results() const {
  OJ r;
  r["chaos_start_s"] = chaos_start_.seconds();
  const auto end = current_chaos_end();
  r["chaos_end_s"] = end ? OJ(end->seconds()) : OJ(nullptr);
  OJ probes = OJ::array();
  for (size_t i = 0; i < spec_.probes.size(); ++i) {
    const ProbeSpec& p = spec_.probes[i];
    const ProbeState& s = probes_[i];
    OJ pj;
    pj["name"] = p.name;
    pj["mode"] = probe_mode_name(p.mode);
    pj["query"] = p.query.text();
    pj["tolerance"] = p.tolerance.text();
    pj["status"] = s.checks.empty() ? "N/A" : s.first_failure ? "Failed" : "Passed";
    pj["checks"] = s.checks.size();
    size_t failed = 0;
    for (const Check& c : s.checks) failed += c.met ? 0 : 1;
    pj["failed_checks"] = failed;
    if (s.first_failure) {
      const Check& c = s.checks[*s.first_failure];
      pj["first_failure"] = OJ{{"time_s", c.t.seconds()}, {"value", value_json(c.value)}};
    } else {
      pj["first_failure"] = nullptr;
    }
    if (!s.checks.empty())
      pj["last"] = OJ{{"time_s", s.checks.back().t.seconds()}, {"value", value_json(s.checks.back().value)}};
    probes.push_back(pj);
  }
  r["probes"] = probes;
  OJ conds = OJ::array();
  for (size_t i = 0; i < spec_.aborts.size(); ++i) {
    const AbortSpec& a = spec_.aborts[i];
    const ConditionState& s = conditions_[i];
    OJ cj;
    cj["name"] = a.name;
    cj["query"] = a.query.text();
    cj["when"] = a.when ? OJ(a.when->text()) : OJ("returns a sample");
    cj["checks"] = s.checks;
    cj["fired"] = s.fired;
    cj["time_s"] = s.fired ? OJ(s.fired_at.seconds()) : OJ(nullptr);
    cj["value"] = value_json(s.value);
    conds.push_back(cj);
  }
  r["abort"] = conds;
  if (spec_.rollbacks) {
    OJ rb;
    rb["strategy"] = rollback_strategy_name(spec_.rollbacks->strategy);
    rb["time_s"] = rollbacks_done_ ? OJ(rollback_time_.seconds()) : OJ(nullptr);
    rb["faults"] = rollback_faults_;
    r["rollbacks"] = rb;
  }
  return r;
}

OJ ExperimentRunner::journal() const {
  const auto stamp = [&](SimTime t) { return format_rfc3339(info_.start_epoch_ns + t.ns()); };
  const std::vector<Fault>& timeline = injector_.timeline();

  auto probe_activity = [&](const ProbeSpec& p) {
    OJ a;
    a["type"] = "probe";
    a["name"] = p.name;
    if (!p.description.empty()) a["description"] = p.description;
    a["provider"] = OJ{{"type", "python"},
                       {"module", "chaosprometheus.probes"},
                       {"func", "query"},
                       {"arguments", OJ{{"query", p.query.text()}}}};
    a["tolerance"] = p.tolerance.to_json();
    a["litmus_mode"] = probe_mode_name(p.mode);
    return a;
  };
  auto fault_activity = [&](const Fault& f) {
    OJ a;
    a["type"] = "action";
    a["name"] = f.source.value("name", f.kind);
    a["provider"] = OJ{{"type", "python"},
                       {"module", "faultline.faults"},
                       {"func", f.kind},
                       {"arguments", OJ{{"targets", f.targets}, {"params", f.params}}}};
    return a;
  };
  auto probe_run = [&](const ProbeSpec& p, const Check& c) {
    OJ run;
    run["activity"] = probe_activity(p);
    run["output"] = OJ{{"value", value_json(c.value)}, {"samples", c.samples}};
    run["status"] = c.error.empty() ? "succeeded" : "failed";
    run["start"] = stamp(c.t);
    run["end"] = stamp(c.t);
    run["duration"] = 0.0;
    run["tolerance_met"] = c.met;
    if (!c.error.empty()) run["exception"] = OJ::array({c.error});
    return run;
  };
  auto fault_run = [&](const Fault& f) {
    OJ run;
    run["activity"] = fault_activity(f);
    OJ targets = OJ::array();
    bool any = false;
    for (const auto& o : injector_.outcomes(f.id)) {
      OJ t = {{"target", o.target}, {"applied", o.applied}};
      if (!o.applied) t["reason"] = o.reason;
      any = any || o.applied;
      targets.push_back(t);
    }
    const auto rec = injector_.recovered(f.id);
    run["output"] = OJ{{"targets", targets}, {"recovered", rec ? OJ(stamp(*rec)) : OJ(nullptr)}};
    run["status"] = any ? "succeeded" : "failed";
    const SimTime end = f.end ? *f.end : f.start;
    run["start"] = stamp(f.start);
    run["end"] = stamp(end);
    run["duration"] = (end - f.start).seconds();
    if (injector_.aborted(f.id)) run["aborted"] = true;
    return run;
  };
  auto steady = [&](const char* phase) -> OJ {
    OJ probes = OJ::array();
    bool met = true;
    for (size_t i = 0; i < spec_.probes.size(); ++i)
      for (const Check& c : probes_[i].checks)
        if (std::string(c.phase) == phase) {
          probes.push_back(probe_run(spec_.probes[i], c));
          met = met && c.met;
        }
    if (probes.empty()) return nullptr;
    return OJ{{"steady_state_met", met}, {"probes", probes}};
  };

  OJ exp;
  exp["version"] = "1.0.0";
  exp["title"] = info_.scenario + (info_.experiment ? " / " + *info_.experiment : std::string());
  exp["description"] = info_.description;
  exp["tags"] = OJ::array({"faultline"});
  OJ hyp;
  hyp["title"] = spec_.title.empty() ? "steady state of " + info_.scenario : spec_.title;
  OJ hp = OJ::array();
  for (const ProbeSpec& p : spec_.probes) hp.push_back(probe_activity(p));
  hyp["probes"] = hp;
  exp["steady-state-hypothesis"] = hyp;
  OJ method = OJ::array();
  for (size_t i = 0; i < method_faults_; ++i) method.push_back(fault_activity(timeline[i]));
  exp["method"] = method;
  OJ rollbacks_def = OJ::array();
  if (spec_.rollbacks)
    for (const Fault& f : rollback_actions_) rollbacks_def.push_back(fault_activity(f));
  exp["rollbacks"] = rollbacks_def;
  OJ conds = OJ::array();
  for (const AbortSpec& a : spec_.aborts) {
    OJ c = {{"name", a.name}, {"query", a.query.text()}};
    c["when"] = a.when ? a.when->to_json() : OJ(nullptr);
    c["interval"] = format_duration(a.interval);
    conds.push_back(c);
  }
  exp["extensions"] = OJ::array({OJ{{"name", "faultline"},
                                    {"scenario", info_.scenario},
                                    {"experiment", info_.experiment ? OJ(*info_.experiment) : OJ(nullptr)},
                                    {"seed", info_.seed},
                                    {"abort", conds}}});
  if (spec_.rollbacks)
    exp["runtime"] = OJ{{"rollbacks", OJ{{"strategy", rollback_strategy_name(spec_.rollbacks->strategy)}}}};

  OJ j;
  j["chaoslib-version"] = nullptr;
  j["platform"] = "faultline simulation";
  j["node"] = "faultline";
  j["experiment"] = exp;
  j["start"] = stamp(SimTime::zero());
  j["end"] = stamp(end_);
  j["duration"] = end_.seconds();
  const bool aborted = stop_ && stop_->by_condition;
  j["status"] = aborted ? "aborted" : "completed";
  j["deviated"] = deviated();
  OJ during = OJ::array();
  for (size_t k = 0; k < during_.size();) {
    const SimTime t = probes_[during_[k].first].checks[during_[k].second].t;
    OJ group = OJ::array();
    bool met = true;
    for (; k < during_.size() && probes_[during_[k].first].checks[during_[k].second].t == t; ++k) {
      const Check& c = probes_[during_[k].first].checks[during_[k].second];
      group.push_back(probe_run(spec_.probes[during_[k].first], c));
      met = met && c.met;
    }
    during.push_back(OJ{{"steady_state_met", met}, {"probes", group}});
  }
  j["steady_states"] = OJ{{"before", steady("before")}, {"after", steady("after")}, {"during", during}};
  OJ run = OJ::array();
  for (size_t i = 0; i < method_faults_; ++i)
    if (injector_.started(static_cast<uint32_t>(i))) run.push_back(fault_run(timeline[i]));
  j["run"] = run;
  OJ rollbacks = OJ::array();
  if (stop_) {
    OJ stop_run;
    stop_run["activity"] =
        OJ{{"type", "action"},
           {"name", "remove-active-faults"},
           {"provider", OJ{{"type", "python"},
                           {"module", "faultline.experiment"},
                           {"func", "stop_all"},
                           {"arguments", OJ{{"by", stop_->by_condition ? spec_.aborts[stop_->index].name
                                                                       : spec_.probes[stop_->index].name}}}}}};
    stop_run["output"] = OJ{{"ended", stop_->report.ended}, {"cancelled", stop_->report.cancelled}};
    stop_run["status"] = "succeeded";
    stop_run["start"] = stamp(stop_->at);
    stop_run["end"] = stamp(stop_->at);
    stop_run["duration"] = 0.0;
    rollbacks.push_back(stop_run);
  }
  for (uint32_t id : rollback_faults_)
    if (injector_.started(id)) rollbacks.push_back(fault_run(timeline[id]));
  j["rollbacks"] = rollbacks;
  j["verdict"] = verdict_;
  return j;
}

}  // namespace faultline::sim::experiment
