#!/usr/bin/python3
"""Consumer with manual acks that writes each message to Galera before acking it.

One AMQP connection (first to --first-node, then round-robin), one channel per queue with
basic.qos(prefetch). For each delivery: INSERT IGNORE into tb.consumed on the current Galera
node (failover over the 3 nodes, retried until it succeeds), then basic.ack. Logged to a CSV:
  t,ev,id,queue,redelivered,t_deliver,db_node,db_ms,attempts,ack_ok
ev = consumed (the DB write committed; ack_ok says whether the ack could be sent), or the
events conn_open/conn_lost/cancelled/subscribe_fail/subscribed/db_error (id -1).
A queue whose consumer is cancelled (basic.cancel, 404 home node down) is re-subscribed every
second. SIGTERM: finish the current message, close (unacked deliveries go back to the queue).
"""
import argparse
import signal
import sys
import time

import pika
import pymysql

from tbconf import DB_PASS, DB_USER, GAL_PORTS, RMQ_PORTS, ensure_netns


class Consumer:
    def __init__(self, a):
        self.a = a
        self.queues = a.queues.split(",")
        self.port_idx = a.first_node
        self.db_idx = a.first_db
        self.db = None
        self.conn = None
        self.chans = {}
        self.resub = {}            # queue -> time to (re)subscribe
        self.stop = False
        self.log = open(a.log, "w", buffering=1 << 16)
        self.log.write("t,ev,id,queue,redelivered,t_deliver,db_node,db_ms,attempts,ack_ok\n")
        self.last_flush = time.time()

    def w(self, ev, mid=-1, q="", red="", t_del="", node="", ms="", att="", ack=""):
        self.log.write(f"{time.time():.4f},{ev},{mid},{q},{red},{t_del},{node},{ms},{att},{ack}\n")

    # ---------------------------------------------------------------- Galera
    def db_conn(self):
        if self.db is None:
            i = self.db_idx % 3
            self.db = pymysql.connect(host="127.0.0.1", port=GAL_PORTS[i], user=DB_USER, password=DB_PASS,
                                      database="tb", connect_timeout=2, read_timeout=5, write_timeout=5,
                                      autocommit=True)
        return self.db

    def db_write(self, mid, q, red):
        """Returns (node, attempts) once committed, or None if the consumer is stopping."""
        attempts = 0
        while True:
            attempts += 1
            try:
                c = self.db_conn()
                with c.cursor() as cur:
                    cur.execute("INSERT IGNORE INTO consumed (id, queue, redelivered, t) VALUES (%s,%s,%s,%s)",
                                (mid, q, int(red), time.time()))
                return self.db_idx % 3, attempts
            except Exception as e:  # noqa: BLE001 - any DB failure: fail over to the next node
                code = e.args[0] if getattr(e, "args", None) else ""
                self.w("db_error", -1, q, "", "", f"mariadb-{self.db_idx % 3}", "", attempts, str(code))
                try:
                    if self.db:
                        self.db.close()
                except Exception:  # noqa: BLE001
                    pass
                self.db = None
                self.db_idx += 1
                if self.stop:
                    return None
                # keep the AMQP connection alive (heartbeats) while we wait; consumer callbacks are
                # not re-entered by pika inside a callback
                self.conn.sleep(0.2)

    # ---------------------------------------------------------------- AMQP
    def on_message(self, ch, method, props, body):
        t_del = time.time()
        q = method.routing_key
        mid = int(props.message_id)
        t1 = time.time()
        r = self.db_write(mid, q, method.redelivered)
        if r is None:
            return
        node, att = r
        db_ms = (time.time() - t1) * 1000
        ack = 1
        try:
            ch.basic_ack(method.delivery_tag)
        except Exception:  # noqa: BLE001 - channel or connection gone: the broker will redeliver
            ack = 0
        self.w("consumed", mid, q, int(method.redelivered), f"{t_del:.4f}", f"mariadb-{node}", f"{db_ms:.1f}",
               att, ack)

    def subscribe(self, q):
        try:
            ch = self.chans.get(q)
            if ch is None or not ch.is_open:
                ch = self.conn.channel()
                ch.basic_qos(prefetch_count=self.a.prefetch)
                ch.add_on_cancel_callback(lambda _f, q=q: self.on_cancel(q))
                self.chans[q] = ch
            ch.basic_consume(q, self.on_message)
            self.w("subscribed", -1, q)
            self.resub.pop(q, None)
        except (pika.exceptions.ChannelClosed, pika.exceptions.ChannelWrongStateError) as e:
            self.w("subscribe_fail", -1, q, "", "", "", "", "", str(e).replace(",", ";")[:60])
            self.chans.pop(q, None)
            self.resub[q] = time.time() + 1.0

    def on_cancel(self, q):
        self.w("cancelled", -1, q)
        self.resub[q] = time.time() + 1.0

    def connect(self):
        while not self.stop:
            port = RMQ_PORTS[self.port_idx % len(RMQ_PORTS)]
            try:
                self.conn = pika.BlockingConnection(pika.ConnectionParameters(
                    "127.0.0.1", port, heartbeat=self.a.heartbeat, socket_timeout=3, connection_attempts=1,
                    blocked_connection_timeout=None))
                self.w("conn_open", -1, "", "", "", f"port-{port}")
                self.chans = {}
                for q in self.queues:
                    self.subscribe(q)
                return
            except pika.exceptions.AMQPError as e:
                self.w("conn_fail", -1, "", "", "", f"port-{port}", "", "", type(e).__name__)
                self.port_idx += 1
                time.sleep(0.5)

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stop", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "stop", True))
        self.connect()
        while not self.stop:
            try:
                self.conn.process_data_events(time_limit=0.2)
                now = time.time()
                for q, t in list(self.resub.items()):
                    if t <= now:
                        self.subscribe(q)
                if now - self.last_flush > 1:
                    self.log.flush()
                    self.last_flush = now
            except (pika.exceptions.AMQPError, OSError) as e:
                self.w("conn_lost", -1, "", "", "", "", "", "", type(e).__name__)
                self.port_idx += 1
                self.resub.clear()
                time.sleep(0.5)
                self.connect()
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass
        self.log.close()


def main():
    ensure_netns()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queues", default="qq,cq")
    ap.add_argument("--prefetch", type=int, default=10)
    ap.add_argument("--first-node", type=int, default=2, help="broker node to connect to first")
    ap.add_argument("--first-db", type=int, default=0, help="Galera node to write to first")
    ap.add_argument("--heartbeat", type=int, default=10)
    ap.add_argument("--log", required=True)
    Consumer(ap.parse_args()).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
