// The Kubernetes pod lifecycle (models/kubernetes/pod) on the engine API: a test pod records
// when its process stops, starts and becomes ready. Expected times are derived by hand from
// PodConfig: create_delay 5 s, app_start 10 s, readiness probe every 10 s from container start
// with no initial delay, endpoint propagation 1 s.
#include <gtest/gtest.h>

#include <vector>

#include "models/kubernetes/pod.hpp"
#include "sim/core/simulation.hpp"
#include "sim/faults/fault_injector.hpp"

namespace faultline::models {
namespace {

class TestPod final : public Pod {
 public:
  TestPod(sim::Simulation& s, sim::ComponentIdentity id, PodConfig c) : Pod(s, std::move(id), std::move(c)) {}
  std::string_view kind() const override { return "test-pod"; }
  void initialize() override {
    if (tick_every > sim::Duration::zero()) schedule_app(tick_every, 1);
  }

  std::vector<double> stops, starts, readies, ticks;
  int refuse_starts = 0;  // the first N app starts fail (CrashLoopBackOff)
  sim::Duration tick_every = sim::Duration::zero();

 protected:
  void on_process_stop(StopCause) override { stops.push_back(now().seconds()); }
  void on_process_start() override { starts.push_back(now().seconds()); }
  void on_ready() override { readies.push_back(now().seconds()); }
  bool app_can_start() override { return refuse_starts-- <= 0; }
  void handle_app(uint16_t, uint32_t) override {
    ticks.push_back(now().seconds());
    schedule_app(tick_every, 1);
  }
};

PodConfig config() {
  PodConfig c;
  c.create_delay = sim::Duration::s(5);
  c.app_start = sim::Distribution::constant(10.0);
  c.readiness_period = sim::Duration::s(10);
  c.endpoint_delay = sim::Duration::s(1);
  return c;
}

sim::Fault fault(const std::string& kind, double start, std::optional<double> end = std::nullopt) {
  sim::Fault f;
  f.kind = kind;
  f.start = sim::SimTime::at(sim::Duration::from_seconds(start));
  if (end) f.end = sim::SimTime::at(sim::Duration::from_seconds(*end));
  f.targets = {"app/app-0"};
  return f;
}

struct Bench {
  sim::Simulation sim{1};
  TestPod& pod = sim.add<TestPod>({"app/app-0", {}}, config());
  std::unique_ptr<sim::FaultInjector> injector;
  void run(std::vector<sim::Fault> faults, double until) {
    for (size_t i = 0; i < faults.size(); ++i) faults[i].id = static_cast<uint32_t>(i);
    injector = std::make_unique<sim::FaultInjector>(sim, std::move(faults));
    injector->schedule_all();
    sim.run_until(sim::SimTime::at(sim::Duration::from_seconds(until)));
  }
};

TEST(Pod, PodKillRecreatesThePodAndWaitsForReadiness) {
  // Killed at 20 s: container at 25 s (create_delay), app up at 35 s, the probe at 25 + 10 = 35 s
  // passes, endpoint at 36 s. recovered_s = 36 s.
  Bench b;
  b.run({fault("pod-kill", 20)}, 100);
  EXPECT_EQ(b.pod.stops, std::vector<double>({20}));
  EXPECT_EQ(b.pod.starts, std::vector<double>({25}));
  EXPECT_EQ(b.pod.readies, std::vector<double>({36}));
  EXPECT_EQ(b.injector->recovered(0)->seconds(), 36.0);
}

TEST(Pod, ReadinessWaitsForTheNextProbe) {
  // app_start 12 s: the app is up at 25 + 12 = 37 s, between probes at 35 s and 45 s: ready at
  // 45 + 1 = 46 s (R-K6).
  sim::Simulation s(1);
  PodConfig c = config();
  c.app_start = sim::Distribution::constant(12.0);
  auto& pod = s.add<TestPod>({"app/app-0", {}}, c);
  sim::Fault f = fault("pod-kill", 20);
  sim::FaultInjector inj(s, {f});
  inj.schedule_all();
  s.run_until(sim::SimTime::at(sim::Duration::s(100)));
  EXPECT_EQ(pod.readies, std::vector<double>({46}));
}

TEST(Pod, ContainerKillRestartsInPlaceWithCrashLoopBackOff) {
  // R-K2: the first restart is immediate, later ones wait 10 s, 20 s, … Kills at 20 s and 40 s
  // (the second while running again): starts at 20 s and 40 + 10 = 50 s.
  Bench b;
  b.run({fault("container-kill", 20), fault("container-kill", 40)}, 200);
  EXPECT_EQ(b.pod.starts, std::vector<double>({20, 50}));
  // Ready: app up 30 s, probe at 20 + 10 = 30 s → 31 s; then 60 s → probe 60 s → 61 s.
  EXPECT_EQ(b.pod.readies, std::vector<double>({31, 61}));
}

TEST(Pod, AnAppThatCannotStartCrashLoops) {
  // The app refuses to start twice. The container-kill at 20 s uses the first, immediate restart:
  // start 20 s; the app check at 30 s fails → the next back-off step, 10 s → start 40 s; the check
  // at 50 s fails → 20 s → start 70 s; the check at 80 s passes, probe at 70 + 10 = 80 s → ready 81 s.
  Bench b;
  b.pod.refuse_starts = 2;
  b.run({fault("container-kill", 20)}, 300);
  EXPECT_EQ(b.pod.starts, std::vector<double>({20, 40, 70}));
  EXPECT_EQ(b.pod.readies, std::vector<double>({81}));
}

TEST(Pod, PodFailureKeepsThePodDownForItsDuration) {
  // pod-failure from 20 s to 50 s: the container restarts at 50 s, ready at 61 s.
  Bench b;
  b.run({fault("pod-failure", 20, 50.0)}, 100);
  EXPECT_EQ(b.pod.stops, std::vector<double>({20}));
  EXPECT_EQ(b.pod.starts, std::vector<double>({50}));
  EXPECT_EQ(b.pod.readies, std::vector<double>({61}));
}

TEST(Pod, AFreezeDelaysTheProcessTimers) {
  // A timer every 4 s (4, 8, 12, …). Frozen from 10 s to 15 s: the tick due at 12 s fires at
  // 15 + (12 − 10) = 17 s, the next 4 s later at 21 s.
  Bench b;
  b.pod.tick_every = sim::Duration::s(4);
  b.run({fault("process-freeze", 10, 15.0)}, 22);
  EXPECT_EQ(b.pod.ticks, std::vector<double>({4, 8, 17, 21}));
}

TEST(Pod, TimersOfAStoppedProcessNeverFire) {
  // A tick every 4 s; the pod is killed at 10 s and restarts; the tick due at 12 s belonged to
  // the dead process and never fires. (The restarted process schedules nothing here.)
  Bench b;
  b.pod.tick_every = sim::Duration::s(4);
  b.run({fault("pod-kill", 10)}, 60);
  EXPECT_EQ(b.pod.ticks, std::vector<double>({4, 8}));
}

TEST(Pod, AReplayUsesTheRecordedRecoveryTime) {
  // DESIGN §5: a record's recovered_s replaces the modelled recovery: killed at 20 s, serving again
  // at 29.5 s exactly (the model alone would say 36 s).
  Bench b;
  sim::Fault f = fault("pod-kill", 20);
  f.recovered = sim::SimTime::at(sim::Duration::from_seconds(29.5));
  b.run({f}, 100);
  EXPECT_EQ(b.pod.readies, std::vector<double>({29.5}));
  EXPECT_EQ(b.injector->recovered(0)->seconds(), 29.5);
}

TEST(Pod, GracefulDeletionLeavesTheServiceFirst) {
  // A 30 s grace period: unready at 20 s, the process stops at 50 s, recreated at 55 s, ready 66 s.
  Bench b;
  sim::Fault f = fault("pod-kill", 20);
  f.params["grace_period"] = "30s";
  b.run({f}, 100);
  EXPECT_EQ(b.pod.stops, std::vector<double>({50}));
  EXPECT_EQ(b.pod.starts, std::vector<double>({55}));
  EXPECT_EQ(b.pod.readies, std::vector<double>({66}));
}

}  // namespace
}  // namespace faultline::models
