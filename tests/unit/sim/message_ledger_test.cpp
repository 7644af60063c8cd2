// Message fates and the conservation check (DESIGN §3): delivered, duplicate, in flight, lost
// with a cause and a component; and a seeded accounting error that the check must catch.
#include "sim/messages/message_ledger.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/simulation.hpp"

namespace faultline::sim {
namespace {

SimTime at_ms(int64_t ms) { return SimTime::at(Duration::ms(ms)); }

std::string conservation_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConservationError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(MessageLedger, DeliveredInFlightAndLost) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m0 = ledger.create(at_ms(0), 3);
  const Message m1 = ledger.create(at_ms(1), 3);
  const Message m2 = ledger.create(at_ms(2), 3);
  EXPECT_EQ(m0.id, 0u);
  EXPECT_EQ(m2.id, 2u);
  EXPECT_EQ(m1.created_ns, 1'000'000);
  EXPECT_EQ(m1.origin, 3u);
  EXPECT_EQ(m1.published_ns, -1);
  EXPECT_EQ(ledger.published(), 3u);
  EXPECT_EQ(ledger.in_flight(), 3u);
  EXPECT_EQ(ledger.live_copies(), 3u);

  // m0: processed 2 ms after creation, then its copy leaves (acked).
  ledger.delivered(m0, at_ms(2));
  ledger.release(m0.id);
  // m2: its only copy is destroyed undelivered: lost, with its cause and component.
  ledger.lose(m2.id, "queue_deleted", "rabbitmq/rabbitmq-0");

  // published 3 = delivered 1 + in flight 1 (m1) + lost 1.
  EXPECT_EQ(ledger.delivered_count(), 1u);
  EXPECT_EQ(ledger.in_flight(), 1u);
  EXPECT_EQ(ledger.lost(), 1u);
  EXPECT_EQ(ledger.live_copies(), 1u);
  EXPECT_EQ(ledger.lost_by_cause(), (std::map<std::string, uint64_t>{{"queue_deleted", 1}}));
  EXPECT_EQ(ledger.lost_by_component(), (std::map<std::string, uint64_t>{{"rabbitmq/rabbitmq-0", 1}}));
  EXPECT_EQ(rec.current("faultline_messages_lost_total", {{"cause", "queue_deleted"}}), 1.0);
  EXPECT_EQ(rec.current("faultline_messages_published_total", {}), 3.0);
  EXPECT_EQ(rec.current("faultline_messages_delivered_total", {}), 1.0);
  // One copy (m1's) is held somewhere: the books balance with 1, not with 0 or 2.
  EXPECT_NO_THROW(ledger.check_conservation(1));
  EXPECT_THROW(ledger.check_conservation(0), ConservationError);
  EXPECT_THROW(ledger.check_conservation(2), ConservationError);
}

TEST(MessageLedger, LatencyHistogramRecordsFirstDeliveries) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m = ledger.create(at_ms(10), 0);
  ledger.delivered(m, at_ms(12));  // 2 ms end to end: in the le=0.0025 bucket, not le=0.001
  rec.scrape(at_ms(20));
  for (const auto& s : rec.series()) {
    if (s.name != "faultline_message_latency_seconds_bucket") continue;
    const double v = (*s.values)[0];
    if (s.labels.at("le") == "0.001") {
      EXPECT_EQ(v, 0.0);
    }
    if (s.labels.at("le") == "0.0025") {
      EXPECT_EQ(v, 1.0);
    }
  }
  EXPECT_EQ(rec.current("faultline_messages_delivered_total", {}), 1.0);
}

TEST(MessageLedger, DuplicatesThroughAddCopy) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m = ledger.create(at_ms(0), 0);
  // The message is requeued after it was processed: a second copy exists.
  ledger.add_copy(m.id);
  EXPECT_EQ(ledger.live_copies(), 2u);
  ledger.delivered(m, at_ms(1));
  ledger.release(m.id);
  ledger.delivered(m, at_ms(2));  // processed again: a duplicate, not a second delivery
  ledger.release(m.id);
  EXPECT_EQ(ledger.delivered_count(), 1u);
  EXPECT_EQ(ledger.duplicates(), 1u);
  EXPECT_EQ(ledger.in_flight(), 0u);
  EXPECT_EQ(rec.current("faultline_messages_duplicates_total", {}), 1.0);
  EXPECT_NO_THROW(ledger.check_conservation(0));
}

TEST(MessageLedger, LossNeedsTheLastCopy) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m = ledger.create(at_ms(0), 0);
  ledger.add_copy(m.id);  // an outbox retry republished it
  ledger.lose(m.id, "publish_failed", "producer/producer-0");
  // One copy is left: the message is still in flight, not lost.
  EXPECT_EQ(ledger.lost(), 0u);
  EXPECT_EQ(ledger.in_flight(), 1u);
  ledger.delivered(m, at_ms(5));
  ledger.release(m.id);
  EXPECT_EQ(ledger.delivered_count(), 1u);
  EXPECT_EQ(ledger.lost(), 0u);
  EXPECT_TRUE(ledger.lost_by_cause().empty());
}

TEST(MessageLedger, LosingACopyOfADeliveredMessageIsNoLoss) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m = ledger.create(at_ms(0), 0);
  ledger.delivered(m, at_ms(1));
  ledger.lose(m.id, "broker_crash_unfsynced", "rabbitmq/rabbitmq-0");  // the ack never arrived
  EXPECT_EQ(ledger.lost(), 0u);
  EXPECT_EQ(ledger.delivered_count(), 1u);
  EXPECT_EQ(ledger.in_flight(), 0u);
  EXPECT_NO_THROW(ledger.check_conservation(0));
}

TEST(MessageLedger, MisuseIsAConservationError) {
  Recorder rec;
  MessageLedger ledger(rec);
  const Message m = ledger.create(at_ms(0), 0);
  // Releasing the last copy of an undelivered message hides a loss.
  EXPECT_NE(conservation_error([&] { ledger.release(m.id); }).find("a loss not reported"), std::string::npos);
  const Message n = ledger.create(at_ms(0), 0);
  ledger.delivered(n, at_ms(1));
  ledger.release(n.id);
  // n is settled: any further use is an error.
  EXPECT_NE(conservation_error([&] { ledger.release(n.id); }).find("after its fate was settled"), std::string::npos);
  EXPECT_NE(conservation_error([&] { ledger.add_copy(n.id); }).find("after its fate was settled"), std::string::npos);
  // An id never handed out.
  EXPECT_NE(conservation_error([&] { ledger.release(99); }).find("unknown"), std::string::npos);
}

TEST(MessageLedger, ResolvedChunksAreReleased) {
  // Ids live in chunks of 4096. Once every id of a chunk is created and settled the chunk is
  // freed (memory follows the messages in flight, not N); a stale id then reads as unknown.
  Recorder rec;
  MessageLedger ledger(rec);
  std::deque<Message> live;
  for (int i = 0; i < 4096 + 10; ++i) live.push_back(ledger.create(at_ms(0), 0));
  for (int i = 0; i < 4095; ++i) {
    ledger.delivered(live.front(), at_ms(1));
    ledger.release(live.front().id);
    live.pop_front();
  }
  // Id 4095 is still open, so chunk 0 is kept and id 5 is recognised as settled.
  EXPECT_NE(conservation_error([&] { ledger.release(5); }).find("after its fate was settled"), std::string::npos);
  ledger.lose(live.front().id, "expired", "q");
  live.pop_front();
  // Chunk 0 is all settled now: freed.
  EXPECT_NE(conservation_error([&] { ledger.release(5); }).find("unknown or already resolved"), std::string::npos);
  EXPECT_EQ(ledger.in_flight(), 10u);
  EXPECT_NO_THROW(ledger.check_conservation(10));
  // Many more messages through the ledger: the books still balance.
  for (int i = 0; i < 100'000; ++i) {
    const Message m = ledger.create(at_ms(2), 0);
    ledger.delivered(m, at_ms(3));
    ledger.release(m.id);
  }
  EXPECT_EQ(ledger.published(), 4096u + 10 + 100'000);
  EXPECT_NO_THROW(ledger.check_conservation(10));
}

// ---- A seeded accounting error through the engine: Simulation::check_conservation compares the
// copies the components say they hold with the ledger.

/// Creates one message per event and sends it downstream.
class Source final : public Component {
 public:
  Source(Simulation& sim, ComponentIdentity id) : Component(sim, std::move(id)), out(out_port<Message>("out")) {}
  [[nodiscard]] std::string_view kind() const override { return "test-source"; }
  void initialize() override {
    for (int i = 1; i <= 5; ++i) schedule_at(SimTime::at(Duration::ms(i)), 1);
  }
  void handle(uint16_t, uint32_t) override { out.send(sim().ledger().create(now(), index())); }
  OutPort<Message>& out;
};

/// What a sink does with what it receives.
enum class SinkMode {
  deliver,       // processes and releases: correct
  hold,          // keeps every message and says so: correct (in flight at the end)
  drop_silently, // forgets the message without reporting a loss: the seeded error
  hold_untold,   // keeps them but reports holding none: also an error
  lose,          // destroys them and reports the loss: correct
};

class Sink final : public Component {
 public:
  Sink(Simulation& sim, ComponentIdentity id, SinkMode mode)
      : Component(sim, std::move(id)), mode_(mode) {
    in_port<Message, &Sink::on_message>("in");
  }
  [[nodiscard]] std::string_view kind() const override { return "test-sink"; }
  [[nodiscard]] uint64_t held_messages() const override { return mode_ == SinkMode::hold ? held_.size() : 0; }

 private:
  void on_message(const Message& m) {
    switch (mode_) {
      case SinkMode::deliver:
        sim().ledger().delivered(m, now());
        sim().ledger().release(m.id);
        break;
      case SinkMode::hold:
      case SinkMode::hold_untold:
        held_.push_back(m);
        break;
      case SinkMode::drop_silently:
        break;
      case SinkMode::lose:
        sim().ledger().lose(m.id, "overflow_rejected", path());
        break;
    }
  }
  SinkMode mode_;
  std::vector<Message> held_;
};

std::string run_with(SinkMode mode) {
  Simulation sim(1);
  Source& src = sim.add<Source>({"source", {}});
  Sink& sink = sim.add<Sink>({"sink", {}}, mode);
  connect(src.out, *sink.find_port("in"));
  sim.run();
  return conservation_error([&] { sim.check_conservation(); });
}

TEST(Conservation, CorrectModelsPass) {
  EXPECT_EQ(run_with(SinkMode::deliver), "(no error)");
  EXPECT_EQ(run_with(SinkMode::hold), "(no error)");
  EXPECT_EQ(run_with(SinkMode::lose), "(no error)");
}

TEST(Conservation, CatchesAMessageDroppedWithoutReport) {
  // The sink swallowed 5 messages: the components hold 0 copies, the ledger counts 5.
  const std::string err = run_with(SinkMode::drop_silently);
  EXPECT_NE(err.find("message conservation check failed"), std::string::npos) << err;
  EXPECT_NE(err.find("the components hold 0 message copies but the ledger counts 5"), std::string::npos) << err;
  EXPECT_NE(err.find("published 5"), std::string::npos) << err;
}

TEST(Conservation, CatchesCopiesHeldButNotDeclared) {
  const std::string err = run_with(SinkMode::hold_untold);
  EXPECT_NE(err.find("a model dropped or duplicated a message without reporting it"), std::string::npos) << err;
}

}  // namespace
}  // namespace faultline::sim
