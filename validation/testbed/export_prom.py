#!/usr/bin/python3
"""Exports a run's window from the testbed's Prometheus as query_range responses.

Writes ONE minified JSON file: {"<query>": <the unmodified /api/v1/query_range response>, ...},
1 s step, start/end = the run's window. The queries are the series the comparison needs; the
names are those the RabbitMQ 3.10 prometheus plugin and mysqld_exporter 0.14 expose.
"""
import argparse
import json
import sys
import urllib.parse
import urllib.request

from tbconf import PROM_URL, ensure_netns

QUERIES = [
    # RabbitMQ per-queue gauges (return_per_object_metrics = true; only the hosting node exports them)
    "rabbitmq_queue_messages_ready",
    "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_messages",
    "rabbitmq_queue_consumers",
    # RabbitMQ global counters, per node, AMQP 0-9-1 only (other protocols are always 0)
    'rabbitmq_global_messages_received_total{protocol="amqp091"}',
    'rabbitmq_global_messages_received_confirm_total{protocol="amqp091"}',
    'rabbitmq_global_messages_confirmed_total{protocol="amqp091"}',
    'rabbitmq_global_messages_routed_total{protocol="amqp091"}',
    'rabbitmq_global_messages_unroutable_dropped_total{protocol="amqp091"}',
    'rabbitmq_global_messages_delivered_total{protocol="amqp091",queue_type!="rabbit_stream_queue"}',
    'rabbitmq_global_messages_redelivered_total{protocol="amqp091",queue_type!="rabbit_stream_queue"}',
    'rabbitmq_global_messages_acknowledged_total{protocol="amqp091",queue_type!="rabbit_stream_queue"}',
    "rabbitmq_raft_term_total",
    # Galera through mysqld_exporter
    "mysql_global_status_wsrep_cluster_size",
    "mysql_global_status_wsrep_cluster_status",
    "mysql_global_status_wsrep_local_state",
    "mysql_global_status_wsrep_flow_control_paused",
    "mysql_global_status_wsrep_flow_control_paused_ns",
    "mysql_global_status_wsrep_local_recv_queue",
    # scrape health of every target, and the shared machine's CPU (noise context)
    "up",
    'sum by (mode) (rate(node_cpu_seconds_total{mode!="idle"}[5s]))',
]


def query_range(q, start, end, step=1):
    url = f"{PROM_URL}/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": q, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)})
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def main():
    ensure_netns()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", type=float, required=True)
    ap.add_argument("--end", type=float, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = {}
    for q in QUERIES:
        r = query_range(q, a.start, a.end)
        if r.get("status") != "success":
            print(f"export_prom: query failed: {q}: {r}", file=sys.stderr)
            return 1
        out[q] = r
    with open(a.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    n = sum(len(r["data"]["result"]) for r in out.values())
    print(f"export_prom: {len(out)} queries, {n} series -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
