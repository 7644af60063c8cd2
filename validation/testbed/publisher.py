#!/usr/bin/python3
"""Open-loop fixed-rate publisher with publisher confirms and per-message ground truth.

Message n is due at t0 + n/rate and goes to queue QUEUES[n % len(QUEUES)] (persistent,
delivery_mode 2, default exchange). Every message ends in one publisher state, logged to a CSV
(t,ev,id,queue,port):
  pub       handed to the broker on a confirm channel (then one of:)
  ack       basic.ack received (confirmed)           nack      basic.nack received
  indoubt   connection/channel died before its confirm, or no confirm by the end
  sendfail  due while there was no open channel: never sent
Connection events are logged as conn_open / conn_closed / conn_fail with id -1.
On a lost connection it reconnects round-robin over the broker ports (0.5 s pause).
"""
import argparse
import os
import signal
import sys
import time

import pika
from pika.adapters.select_connection import IOLoop

from tbconf import RMQ_PORTS, ensure_netns


class Publisher:
    def __init__(self, a):
        self.a = a
        self.queues = a.queues.split(",")
        self.port_idx = a.first_node
        self.ioloop = IOLoop()     # one loop across reconnections
        self.conn = None
        self.ch = None
        self.tag = 0
        self.outstanding = {}      # delivery tag -> (id, queue)
        self.n = 0
        self.total = int(round(a.rate * a.duration))
        self.stopping = False
        self.done = False
        self.log = open(a.log, "w", buffering=1 << 16)
        self.log.write("t,ev,id,queue,port\n")
        self.port = None

    def w(self, ev, mid, q=""):
        self.log.write(f"{time.time():.4f},{ev},{mid},{q},{self.port or ''}\n")

    # -- connection management
    def connect(self):
        if self.done:
            return
        self.port = RMQ_PORTS[self.port_idx % len(RMQ_PORTS)]
        self.port_idx += 1
        params = pika.ConnectionParameters("127.0.0.1", self.port, heartbeat=self.a.heartbeat,
                                           socket_timeout=3, connection_attempts=1, blocked_connection_timeout=None)
        self.conn = pika.SelectConnection(params, on_open_callback=self.on_open,
                                          on_open_error_callback=self.on_open_error,
                                          on_close_callback=self.on_closed, custom_ioloop=self.ioloop)

    def on_open(self, conn):
        self.w("conn_open", -1)
        conn.channel(on_open_callback=self.on_channel)

    def on_channel(self, ch):
        ch.add_on_close_callback(self.on_channel_closed)
        ch.confirm_delivery(self.on_confirm, callback=lambda _f: self._ready(ch))

    def _ready(self, ch):
        self.ch = ch
        self.tag = 0
        self.w("chan_ready", -1)
        if self.a.t0 <= 0:
            # first channel ready: the schedule starts 1 s from now; tell the harness
            self.a.t0 = round(time.time() + 1.0, 3)
            if self.a.t0_file:
                with open(self.a.t0_file + ".tmp", "w") as f:
                    f.write(f"{self.a.t0:.3f}\n")
                os.replace(self.a.t0_file + ".tmp", self.a.t0_file)
            self.ioloop.call_later(max(0.0, self.a.t0 - time.time()), self.tick)

    def on_open_error(self, conn, err):
        self.w("conn_fail", -1, str(err).replace(",", ";")[:80])
        self.ch = None
        self.ioloop.call_later(0.5, self.connect)

    def _all_indoubt(self):
        for _tag, (mid, q) in sorted(self.outstanding.items()):
            self.w("indoubt", mid, q)
        self.outstanding.clear()
        self.ch = None

    def on_channel_closed(self, ch, reason):
        self.w("chan_closed", -1, str(reason).replace(",", ";")[:80])
        self._all_indoubt()
        if self.conn and self.conn.is_open and not self.done:
            self.conn.close()

    def on_closed(self, conn, reason):
        self.w("conn_closed", -1, str(reason).replace(",", ";")[:80])
        self._all_indoubt()
        if self.done:
            self.ioloop.stop()
        else:
            self.ioloop.call_later(0.5, self.connect)

    # -- confirms
    def on_confirm(self, frame):
        m = frame.method
        ev = "ack" if isinstance(m, pika.spec.Basic.Ack) else "nack"
        tags = [t for t in self.outstanding if t <= m.delivery_tag] if m.multiple else [m.delivery_tag]
        for t in sorted(tags):
            if t in self.outstanding:
                mid, q = self.outstanding.pop(t)
                self.w(ev, mid, q)

    # -- the fixed-rate schedule
    def tick(self):
        now = time.time()
        while not self.stopping and self.n < self.total and self.a.t0 + self.n / self.a.rate <= now:
            self.publish(self.n)
            self.n += 1
        if self.n >= self.total or self.stopping:
            self.finish()
            return
        self.ioloop.call_later(0.004, self.tick)

    def publish(self, mid):
        q = self.queues[mid % len(self.queues)]
        if self.ch is None or not self.ch.is_open:
            self.w("sendfail", mid, q)
            return
        props = pika.BasicProperties(delivery_mode=2, message_id=str(mid), timestamp=int(time.time()))
        try:
            self.ch.basic_publish("", q, b'{"id":%d,"t":%.4f}' % (mid, time.time()), props)
        except Exception:  # noqa: BLE001 - a closing channel raises; the message was not sent
            self.w("sendfail", mid, q)
            return
        self.tag += 1
        self.outstanding[self.tag] = (mid, q)
        self.w("pub", mid, q)

    def finish(self):
        # wait (bounded) for the last confirms, then whatever is left is in doubt
        deadline = time.time() + self.a.confirm_wait

        def check():
            if self.outstanding and time.time() < deadline and self.ch is not None:
                self.ioloop.call_later(0.1, check)
                return
            self.done = True
            self._all_indoubt()
            if self.conn and (self.conn.is_open or self.conn.is_opening):
                try:
                    self.conn.close()
                except Exception:  # noqa: BLE001
                    self.ioloop.stop()
            else:
                self.ioloop.stop()
        check()

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "stopping", True))
        self.connect()
        if self.a.t0 > 0:
            self.ioloop.call_later(max(0.0, self.a.t0 - time.time()), self.tick)
        self.ioloop.start()
        self.log.close()


def main():
    ensure_netns()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=100.0, help="messages per second (total)")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of publishing from --t0")
    ap.add_argument("--t0", type=float, default=0.0,
                    help="epoch of message 0 (default: 1 s after the first confirm channel is ready)")
    ap.add_argument("--t0-file", default="", help="write the chosen t0 to this file")
    ap.add_argument("--queues", default="qq,cq")
    ap.add_argument("--first-node", type=int, default=0, help="index of the broker node to connect to first")
    ap.add_argument("--heartbeat", type=int, default=10)
    ap.add_argument("--confirm-wait", type=float, default=10.0)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    Publisher(a).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
