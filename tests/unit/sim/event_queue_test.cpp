// The future event list and the simulation loop (DESIGN §3): the total order (time, seq),
// lazy cancellation, foreground/background events, run, run_until and stop.
#include "sim/core/event_queue.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/simulation.hpp"
#include "sim/random/random_stream.hpp"

namespace faultline::sim {
namespace {

std::vector<uint32_t> drain_args(EventQueue& q) {
  std::vector<uint32_t> out;
  EventRecord e{};
  while (q.pop(e)) out.push_back(e.arg);
  return out;
}

TEST(EventQueue, OrderIsTimeThenSchedulingOrder) {
  EventQueue q;
  q.push(30, 0, 1, 0, false);
  q.push(10, 0, 1, 1, false);
  q.push(20, 0, 1, 2, false);
  q.push(10, 0, 1, 3, false);
  // t=10 holds arg 1 (seq 1) and arg 3 (seq 3): seq decides; then t=20, then t=30.
  EXPECT_EQ(drain_args(q), (std::vector<uint32_t>{1, 3, 2, 0}));
}

TEST(EventQueue, EqualTimesFireInTheOrderTheyWereScheduled) {
  EventQueue q;
  // 1000 events at the same instant, interleaved with later ones: a heap is not stable by
  // itself, so this catches an order that relies on the heap layout.
  for (uint32_t i = 0; i < 1000; ++i) {
    q.push(5, 0, 1, i, false);
    q.push(6, 0, 1, 1000 + i, false);
  }
  std::vector<uint32_t> expected;
  for (uint32_t i = 0; i < 2000; ++i) expected.push_back(i);
  EXPECT_EQ(drain_args(q), expected);
}

TEST(EventQueue, MatchesAnOrderedReferenceUnderInterleavedPushAndPop) {
  // A reference ordered set of (time, seq) against the heap, with pushes never before the last
  // popped time (as the simulation guarantees) and many ties.
  EventQueue q;
  std::set<std::pair<int64_t, uint64_t>> ref;
  RandomStream rng(12345);
  int64_t now = 0;
  uint64_t seq = 0;
  for (int step = 0; step < 50'000; ++step) {
    if (ref.empty() || rng.uniform_below(3) != 0) {
      const int64_t t = now + static_cast<int64_t>(rng.uniform_below(20));
      q.push(t, 0, 1, static_cast<uint32_t>(seq), false);
      ref.emplace(t, seq++);
    } else {
      EventRecord e{};
      ASSERT_TRUE(q.pop(e));
      ASSERT_EQ(std::make_pair(e.time_ns, e.seq()), *ref.begin()) << "step " << step;
      EXPECT_EQ(e.arg, static_cast<uint32_t>(e.seq()));
      ref.erase(ref.begin());
      now = e.time_ns;
    }
  }
  EventRecord e{};
  while (q.pop(e)) {
    ASSERT_EQ(std::make_pair(e.time_ns, e.seq()), *ref.begin());
    ref.erase(ref.begin());
  }
  EXPECT_TRUE(ref.empty());
}

TEST(EventQueue, RecordKeepsItsFields) {
  EventQueue q;
  const EventId id = q.push(7, 42, EventQueue::kMaxKind, 99, true);
  EXPECT_EQ(id.seq, 0u);
  EventRecord e{};
  ASSERT_TRUE(q.pop(e));
  EXPECT_EQ(e.time_ns, 7);
  EXPECT_EQ(e.target, 42u);
  EXPECT_EQ(e.kind(), EventQueue::kMaxKind);
  EXPECT_TRUE(e.background());
  EXPECT_EQ(e.arg, 99u);
  EXPECT_EQ(e.seq(), 0u);
  EXPECT_EQ(sizeof(EventRecord), 24u);  // the benchmark floor's event size
  EXPECT_THROW(q.push(1, 0, EventQueue::kMaxKind + 1, 0, false), std::invalid_argument);
}

TEST(EventQueue, CancelIsLazy) {
  EventQueue q;
  q.push(1, 0, 1, 0, false);
  const EventId b = q.push(2, 0, 1, 1, false);
  q.push(3, 0, 1, 2, false);
  q.cancel(b);
  // Still in the heap until it reaches the top...
  EXPECT_EQ(q.size(), 3u);
  // ... and skipped when it does.
  EXPECT_EQ(drain_args(q), (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, CancelOfInvalidFiredOrRepeatedIdsChangesNothing) {
  EventQueue q;
  const EventId a = q.push(1, 0, 1, 0, false);
  q.push(2, 0, 1, 1, false);
  q.cancel(EventId{});          // never scheduled
  q.cancel(EventId{1000});      // beyond every seq handed out
  EXPECT_EQ(q.foreground_pending(), 2u);
  EventRecord e{};
  ASSERT_TRUE(q.pop(e));
  EXPECT_EQ(e.arg, 0u);
  // a already fired: cancelling it neither drops b nor changes the count of pending events.
  q.cancel(a);
  q.cancel(a);
  EXPECT_EQ(q.foreground_pending(), 1u);
  EXPECT_EQ(drain_args(q), (std::vector<uint32_t>{1}));
  EXPECT_EQ(q.foreground_pending(), 0u);
}

TEST(EventQueue, CancelledForegroundEventsAreNotPending) {
  EventQueue q;
  const EventId a = q.push(5, 0, 1, 0, false);
  const EventId bg = q.push(1, 0, 1, 1, true);
  const EventId b = q.push(9, 0, 1, 2, false);
  EXPECT_EQ(q.foreground_pending(), 2u);
  // A cancelled event is no longer pending work, though it stays in the heap (lazy).
  q.cancel(a);
  EXPECT_EQ(q.foreground_pending(), 1u);
  q.cancel(a);  // twice: counted once
  EXPECT_EQ(q.foreground_pending(), 1u);
  q.cancel(bg);  // background events are never counted
  EXPECT_EQ(q.foreground_pending(), 1u);
  // next_time() drops the cancelled entries it meets; cancelling them again changes nothing.
  EXPECT_EQ(q.next_time(), 9);
  q.cancel(a);
  EXPECT_EQ(q.foreground_pending(), 1u);
  q.cancel(b);
  EXPECT_EQ(q.foreground_pending(), 0u);
  EXPECT_EQ(q.next_time(), INT64_MAX);
}

TEST(EventQueue, NothingIsScheduledBeforeTheLastFiredEvent) {
  // The order argument that makes cancel() O(1) needs it; the simulation guarantees it anyway.
  EventQueue q;
  q.push(10, 0, 1, 0, false);
  EventRecord e{};
  ASSERT_TRUE(q.pop(e));
  EXPECT_THROW(q.push(9, 0, 1, 0, false), std::logic_error);
  EXPECT_NO_THROW(q.push(10, 0, 1, 0, false));
}

TEST(EventQueue, NextTimeAndCounts) {
  EventQueue q;
  EXPECT_EQ(q.next_time(), INT64_MAX);
  const EventId a = q.push(1, 0, 1, 0, false);
  q.push(2, 0, 1, 1, true);
  EXPECT_EQ(q.next_time(), 1);
  q.cancel(a);
  EXPECT_EQ(q.next_time(), 2);  // skips the cancelled head
  EXPECT_EQ(q.scheduled_total(), 2u);
  EXPECT_EQ(q.foreground_pending(), 0u);
}

// ---- The simulation loop.

/// Logs every event it gets as "path@seconds:kind"; a hook can act on it.
class Probe final : public Component {
 public:
  Probe(Simulation& sim, ComponentIdentity id, std::vector<std::string>* log) : Component(sim, std::move(id)), log_(log) {}
  [[nodiscard]] std::string_view kind() const override { return "probe"; }
  void initialize() override { log_->push_back("init " + path()); }
  void handle(uint16_t kind, uint32_t arg) override {
    log_->push_back(path() + "@" + format_seconds(now().ns()) + ":" + std::to_string(kind));
    if (hook) hook(kind, arg);
  }
  std::function<void(uint16_t, uint32_t)> hook;

 private:
  std::vector<std::string>* log_;
};

SimTime at_s(double s) { return SimTime::at(Duration::from_seconds(s)); }

TEST(SimulationLoop, RunFiresEventsInTimeOrder) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  sim.schedule(at_s(5), p, 1, 0);
  sim.schedule(at_s(1), p, 2, 0);
  sim.schedule(at_s(3), p, 3, 0);
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"init p", "p@1:2", "p@3:3", "p@5:1"}));
  EXPECT_EQ(sim.now(), at_s(5));
  EXPECT_EQ(sim.events_processed(), 3u);
}

TEST(SimulationLoop, SameInstantAcrossComponentsKeepsSchedulingOrder) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& a = sim.add<Probe>({"a", {}}, &log);
  Probe& b = sim.add<Probe>({"b", {}}, &log);
  sim.schedule(at_s(1), b, 1, 0);
  sim.schedule(at_s(1), a, 2, 0);
  sim.call_at(at_s(1), [&] { log.push_back("callback@1"); });
  sim.schedule(at_s(1), b, 3, 0);
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"init a", "init b", "b@1:1", "a@1:2", "callback@1", "b@1:3"}));
}

TEST(SimulationLoop, InitializeRunsInPathOrderOnce) {
  Simulation sim(1);
  std::vector<std::string> log;
  sim.add<Probe>({"b", {}}, &log);
  sim.add<Probe>({"a/x", {}}, &log);
  sim.add<Probe>({"c", {}}, &log);
  sim.initialize();
  sim.initialize();
  EXPECT_EQ(log, (std::vector<std::string>{"init a/x", "init b", "init c"}));
  EXPECT_THROW(sim.add<Probe>({"d", {}}, &log), std::logic_error);  // after initialize()
  ASSERT_EQ(sim.components().size(), 3u);
  EXPECT_EQ(sim.components()[0]->path(), "a/x");
  EXPECT_NE(sim.find("c"), nullptr);
  EXPECT_EQ(sim.find("nope"), nullptr);
}

TEST(SimulationLoop, DuplicateOrEmptyPathsAreRefused) {
  Simulation sim(1);
  std::vector<std::string> log;
  sim.add<Probe>({"a", {}}, &log);
  EXPECT_THROW(sim.add<Probe>({"a", {}}, &log), std::logic_error);
  EXPECT_THROW(sim.add<Probe>({"", {}}, &log), std::logic_error);
}

TEST(SimulationLoop, BackgroundEventsDoNotKeepRunGoing) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  sim.schedule(at_s(2.5), p, 1, 0);
  sim.start_scraping(Duration::s(1));
  sim.run();
  // Scrapes at 0, 1 and 2 s; the run ends with the last foreground event at 2.5 s.
  EXPECT_EQ(sim.now(), at_s(2.5));
  EXPECT_EQ(sim.recorder().scrape_times_ns(), (std::vector<int64_t>{0, 1'000'000'000, 2'000'000'000}));
  // The closing sample at the end time, once.
  sim.final_scrape();
  sim.final_scrape();
  EXPECT_EQ(sim.recorder().scrape_times_ns(),
            (std::vector<int64_t>{0, 1'000'000'000, 2'000'000'000, 2'500'000'000}));
}

TEST(SimulationLoop, CancelledTimeoutDoesNotStretchTheRun) {
  // A component arms a timeout at 100 s and disarms it at 1 s when its work is done. With the
  // recorder scraping every second, the run must still end at 1 s: a cancelled event is not
  // pending work. (Otherwise simulated_seconds and the series run on to 100 s.)
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  const EventId timeout = sim.schedule(at_s(100), p, 9, 0);
  sim.schedule(at_s(1), p, 1, 0);
  p.hook = [&](uint16_t kind, uint32_t) {
    if (kind == 1) sim.cancel(timeout);
  };
  sim.start_scraping(Duration::s(1));
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"init p", "p@1:1"}));
  EXPECT_EQ(sim.now(), at_s(1));
  // The work at 1 s was scheduled before the scrape at 1 s, so the run ends before that scrape:
  // only the one at 0 s (final_scrape adds the closing one at 1 s).
  EXPECT_EQ(sim.recorder().scrape_times_ns(), (std::vector<int64_t>{0}));
}

TEST(SimulationLoop, RunUntilSetsTheClockToTheLimit) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  sim.schedule(at_s(1), p, 1, 0);
  sim.schedule(at_s(10), p, 2, 0);  // exactly at the limit: included
  sim.schedule(at_s(20), p, 3, 0);
  sim.run_until(at_s(10));
  EXPECT_EQ(log, (std::vector<std::string>{"init p", "p@1:1", "p@10:2"}));
  EXPECT_EQ(sim.now(), at_s(10));
  // Nothing between 10 s and 15 s: the clock still moves to 15 s.
  sim.run_until(at_s(15));
  EXPECT_EQ(sim.now(), at_s(15));
  sim.run_until(at_s(30));
  EXPECT_EQ(log.back(), "p@20:3");
  EXPECT_EQ(sim.now(), at_s(30));
}

TEST(SimulationLoop, RunUntilRunsBackgroundEventsUpToTheLimit) {
  Simulation sim(1);
  sim.start_scraping(Duration::s(1));
  sim.run_until(at_s(3));
  // Only background work: scrapes at 0, 1, 2 and 3 s (the limit included).
  EXPECT_EQ(sim.recorder().scrape_times_ns(),
            (std::vector<int64_t>{0, 1'000'000'000, 2'000'000'000, 3'000'000'000}));
  EXPECT_EQ(sim.now(), at_s(3));
}

TEST(SimulationLoop, StopEndsTheLoopAfterTheCurrentEvent) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  for (int k = 1; k <= 3; ++k) sim.schedule(at_s(k), p, static_cast<uint16_t>(k), 0);
  p.hook = [&](uint16_t kind, uint32_t) {
    if (kind == 2) sim.stop();
  };
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"init p", "p@1:1", "p@2:2"}));
  EXPECT_EQ(sim.now(), at_s(2));
  // run() again resumes where it stopped.
  p.hook = nullptr;
  sim.run();
  EXPECT_EQ(log.back(), "p@3:3");
}

TEST(SimulationLoop, StopInRunUntilLeavesTheClockAtTheStop) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  sim.schedule(at_s(1), p, 1, 0);
  sim.schedule(at_s(2), p, 2, 0);
  p.hook = [&](uint16_t, uint32_t) { sim.stop(); };
  sim.run_until(at_s(10));
  EXPECT_EQ(sim.now(), at_s(1));
}

TEST(SimulationLoop, SchedulingInThePastIsRefused) {
  Simulation sim(1);
  std::vector<std::string> log;
  Probe& p = sim.add<Probe>({"p", {}}, &log);
  sim.run_until(at_s(5));
  EXPECT_THROW(sim.schedule(at_s(4), p, 1, 0), std::logic_error);
  EXPECT_THROW(sim.call_at(at_s(4), [] {}), std::logic_error);
  EXPECT_NO_THROW(sim.schedule(at_s(5), p, 1, 0));  // now itself is fine
}

TEST(SimulationLoop, FingerprintFollowsTheEventStream) {
  auto fingerprint = [](double second_event_s) {
    Simulation sim(7);
    std::vector<std::string> log;
    Probe& p = sim.add<Probe>({"p", {}}, &log);
    sim.schedule(at_s(1), p, 1, 0);
    sim.schedule(at_s(second_event_s), p, 1, 0);
    sim.run();
    return sim.fingerprint().hex();
  };
  EXPECT_EQ(fingerprint(2), fingerprint(2));
  EXPECT_NE(fingerprint(2), fingerprint(2.000000001));  // one nanosecond apart
  EXPECT_EQ(fingerprint(2).size(), 16u);
}

}  // namespace
}  // namespace faultline::sim
