// The Linux tbf queueing discipline of Chaos Mesh's bandwidth action ([CM-NET], chaos_formats
// §1.3): tokens (bytes) accrue at `rate` up to `buffer`; a packet leaves when the bucket holds
// its size, and waits in a FIFO of at most `limit` bytes otherwise; beyond the limit it is
// dropped. Modelled as a fluid: a message's bytes leave as soon as tokens allow, in order. A
// TCP sender keeps what does not fit in its own buffer (congestion control backs off at the
// drop), so a message over the limit still leaves in FIFO order; the drop is reported so that
// the sender pays its retransmission.
#pragma once

#include <cstdint>

#include "sim/core/time.hpp"

namespace faultline::models {

class TokenBucket {
 public:
  /// `rate` in bytes per second (> 0), `buffer` and `limit` in bytes. The bucket starts full.
  TokenBucket(double rate, double buffer, double limit, sim::SimTime now);
  struct Departure {
    sim::SimTime at;          // when the last byte of the message leaves
    bool over_limit = false;  // the queue held more than `limit` bytes: a packet was dropped
  };
  Departure send(sim::SimTime now, double bytes);

 private:
  double rate_, buffer_, limit_;
  double tokens_;            // at ref_
  sim::SimTime ref_;         // when tokens_ was computed: the last departure, or creation
  sim::SimTime backlog_until_;  // when the last queued byte leaves
};

}  // namespace faultline::models
