#!/usr/bin/python3
"""Turns one raw run (publisher/consumer logs, events, Prometheus export) into its records.

  analyze.py RAW_DIR --out TRACE_DIR

Writes to TRACE_DIR: run.json, faults.jsonl (DESIGN §5), events.jsonl (the harness's events file
that faults.jsonl points into), query_range.json, messages.csv.gz (per-message ground truth),
timeseries.csv (1 s series from the ground truth and from Prometheus), truth.json (summary),
server_logs.txt (the servers' log lines about failure detection and recovery in the window).

Definitions (also in validation/testbed/README.md):
- published: every scheduled message id (sendfail included); sent: handed to a channel.
- delivered: written to Galera by the consumer at least once (the business effect); delivered_late:
  only after the harness healed the testbed at the end of the run.
- lost: never delivered. Cause: publish_failed (sendfail / nacked / in doubt: the publisher knew it
  was not confirmed) or confirmed_dropped_queue_down (confirmed by the broker while the queue's
  home node was down or cut off, never delivered) or confirmed_lost_other.
- duplicates: deliveries beyond the first of an id.
- backlog (truth): messages sent and later delivered, counted from the send until their first
  delivery. backlog (prometheus): sum over qq and cq of messages_ready + messages_unacked.
- drain_time_s: from the peak until the backlog first returns to its level before the first
  fault (within 10 % or 10 messages, whichever is larger); null if it never does.
"""
import argparse
import csv
import gzip
import json
import math
import os
import re
import shutil
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
TB = os.environ.get("TESTBED", "/var/tmp/faultline-testbed")
QUEUE_HOME = {"cq": "rabbitmq/rabbitmq-1"}     # classic queue home node (declared through it)


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                d = json.loads(line)
                d["_line"] = n
                out.append(d)
    return out


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(p / 100 * len(xs))) - 1)]


def r3(x):
    return None if x is None else round(x, 3)


# ------------------------------------------------------------------ faults from events
def build_faults(events, t_end_s):
    """Pairs the harness's fault steps into DESIGN §5 timeline entries."""
    steps = [e for e in events if e.get("ev") == "fault-step"]
    rec = {}
    for e in events:
        if e.get("ev") == "recovered":
            rec.setdefault(e["target"], e["t_s"])
    faults = []

    def src(e):
        return {"file": "events.jsonl", "line": e["_line"]}

    def after(i, name, target=None):
        for e in steps[i + 1:]:
            if e["step"] == name and (target is None or e["target"] == target):
                return e
        return None

    for i, e in enumerate(steps):
        s, tgt, t = e["step"], e["target"], e["t_s"]
        if s in ("rmq-kill", "gal-kill"):
            st = after(i, "rmq-start" if s == "rmq-kill" else "gal-start", tgt)
            faults.append({"start_s": t, "end_s": None, "kind": "container-kill", "targets": [tgt],
                           "params": {"signal": "SIGKILL", "restart": "in place by the harness",
                                      "restart_delay_s": r3(st["t_s"] - t) if st else None},
                           "recovered_s": rec.get(tgt), "source": src(e)})
        elif s == "gal-kill-all":
            tg = tgt.split(",")
            ba = after(i, "gal-bootstrap-refused") or after(i, "gal-bootstrap-accepted")
            at = after(i, "gal-bootstrap-attempt")
            rs = [rec.get(x) for x in tg]
            faults.append({"start_s": t, "end_s": None, "kind": "container-kill", "targets": tg,
                           "params": {"signal": "SIGKILL", "all_members": True,
                                      "restart": "naive bootstrap of mariadb-0, then manual restoration",
                                      "bootstrap_attempt_s": r3(at["t_s"]) if at else None,
                                      "bootstrap_result": (ba["step"].replace("gal-bootstrap-", "") if ba else None),
                                      "bootstrap_result_s": r3(ba["t_s"]) if ba else None,
                                      "recovered_s_by_target": {x: rec.get(x) for x in tg},
                                      "bootstrap_error": (ba.get("detail", {}).get("error") if ba else None)},
                           "recovered_s": max(rs) if all(x is not None for x in rs) else None, "source": src(e)})
        elif s == "manual-restore":
            done = after(i, "manual-restore-done")
            tg = tgt.split(",")
            rs = [rec.get(x) for x in tg]
            p = {"procedure": e["detail"].get("procedure"), "recovered_s_by_target": {x: rec.get(x) for x in tg}}
            if done:
                p.update(done["detail"])
            faults.append({"start_s": t, "end_s": done["t_s"] if done else None, "kind": "manual-restore",
                           "targets": tg, "params": p,
                           "recovered_s": max(rs) if all(x is not None for x in rs) else None, "source": src(e)})
        elif s in ("rmq-freeze", "gal-freeze"):
            en = after(i, s.replace("freeze", "thaw"), tgt)
            faults.append({"start_s": t, "end_s": en["t_s"] if en else None, "kind": "process-freeze",
                           "targets": [tgt], "params": {"signal": "SIGSTOP", "resume": "SIGCONT"},
                           "recovered_s": rec.get(tgt), "source": src(e)})
        elif s in ("rmq-partition", "gal-partition"):
            en = after(i, s.replace("partition", "heal"))
            comp = tgt.split("/")[0]
            peers = [f"{comp}/{comp}-{j}" for j in range(3) if f"{comp}-{j}" != tgt.split("/")[1]]
            faults.append({"start_s": t, "end_s": en["t_s"] if en else None, "kind": "network-partition",
                           "targets": [tgt], "params": {"direction": "both", "from": peers,
                                                        "cut": e["detail"].get("cut"),
                                                        "clients_unaffected": True},
                           "recovered_s": rec.get(tgt), "source": src(e)})
        elif s in ("delay", "loss"):
            en = after(i, "net-clear")
            d = e["detail"]
            tg = ["rabbitmq/rabbitmq-0", "rabbitmq/rabbitmq-1", "rabbitmq/rabbitmq-2"]
            params = {"direction": "both", "ports": d.get("ports"),
                      "links": "every AMQP client connection (publisher-0, consumer-0) to every broker node",
                      "peers": ["publisher/publisher-0", "consumer/consumer-0"]}
            if s == "delay":
                params.update({"latency_ms": d["delay_ms_each_way"], "jitter_ms": 0, "each_way": True,
                               "mechanism": "NFQUEUE user-space hold (netem absent)"})
                kind = "network-delay"
            else:
                params.update({"loss": d["loss_each_way"], "each_way": True, "mechanism": "iptables statistic"})
                kind = "network-loss"
            end = en["t_s"] if en else None
            faults.append({"start_s": t, "end_s": end, "kind": kind, "targets": tg, "params": params,
                           "recovered_s": end, "source": src(e)})
    for f in faults:
        for k in ("start_s", "end_s", "recovered_s"):
            f[k] = r3(f[k])
    return faults


def down_windows(faults, t_end_s):
    """Per component path: intervals [a, b) during which it was not serving (fault start -> recovered)."""
    w = defaultdict(list)
    for f in faults:
        if f["kind"] == "manual-restore":
            continue
        b = f["recovered_s"] if f["recovered_s"] is not None else t_end_s
        for t in f["targets"]:
            w[t].append((f["start_s"], b))
    return w


# ------------------------------------------------------------------ backlog figures
def backlog_figures(series, first_fault_s):
    """series: list of (t_s, value or None). DESIGN §6 definitions."""
    pts = [(t, v) for t, v in series if v is not None]
    if not pts:
        return {"peak": None, "peak_time_s": None, "drain_time_s": None, "baseline": None}
    pre = [v for t, v in pts if (first_fault_s is None or t < first_fault_s) and t >= 5]
    base = sum(pre) / len(pre) if pre else pts[0][1]
    peak_t, peak = max(pts, key=lambda p: (p[1], -p[0]))
    tol = max(0.1 * base, 10)
    drain = None
    for t, v in pts:
        if t > peak_t and v <= base + tol:
            drain = t - peak_t
            break
    if peak <= base + tol:
        drain = 0.0
    return {"peak": peak, "peak_time_s": r3(peak_t), "drain_time_s": r3(drain), "baseline": round(base, 1)}


def prom_backlog(qr, t0, n_s):
    """Per-second ready+unacked summed over qq and cq from the query_range export (None = gap)."""
    per = defaultdict(dict)  # second -> (queue, metric) -> value
    for m in ("rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked"):
        for r in qr.get(m, {}).get("data", {}).get("result", []):
            q = r["metric"].get("queue")
            if q not in ("qq", "cq"):
                continue
            for ts, v in r["values"]:
                s = int(round(float(ts) - t0))
                per[s][(q, m)] = per[s].get((q, m), 0) + float(v)
    out = []
    for s in range(n_s):
        d = per.get(s)
        if not d:
            out.append((s, None, None, None, False))
            continue
        ready = sum(v for (q, m), v in d.items() if m.endswith("ready"))
        unacked = sum(v for (q, m), v in d.items() if m.endswith("unacked"))
        complete = len(d) == 4
        out.append((s, ready + unacked, ready, unacked, complete))
    return out


# ------------------------------------------------------------------ server log excerpt
RMQ_RE = re.compile(r"net_tick|nodedown|node down|partition|pause_minority|detected a new leader|leader|"
                    r"Starting RabbitMQ|Server startup complete|home node|Stopping|stopped|Running boot step rabbit_core_metrics|"
                    r"Node .* is down|connection_closed_abruptly|autoheal", re.I)
GAL_RE = re.compile(r"view\(|NON_PRIM|PRIMARY|Synced|IST|SST|safe_to_bootstrap|bootstrap|suspect|initial position|"
                    r"inactive|State transfer|Shifting|Recovered position|donor|joiner|"
                    r"It may not be safe|ready for connections|Quorum results", re.I)


def log_excerpt(t0, t1):
    from datetime import datetime, timezone
    lines = []
    for i in range(3):
        for path in sorted(__import__("glob").glob(f"{TB}/rmq/n{i}/log/*.log")):
            with open(path, errors="replace") as f:
                for line in f:
                    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)([+-]\d\d:\d\d)", line)
                    if not m or not RMQ_RE.search(line):
                        continue
                    ts = datetime.fromisoformat(m.group(1) + m.group(2)).timestamp()
                    if t0 - 2 <= ts <= t1:
                        lines.append((ts, f"rabbitmq-{i}", line.rstrip()[:300]))
        path = f"{TB}/galera/n{i}/error.log"
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                for line in f:
                    m = re.match(r"(\d{4}-\d\d-\d\d) +(\d+:\d\d:\d\d)", line)
                    if not m or not GAL_RE.search(line):
                        continue
                    ts = datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S").replace(
                        tzinfo=timezone.utc).timestamp()
                    if t0 - 2 <= ts <= t1:
                        lines.append((ts, f"mariadb-{i}", line.rstrip()[:300]))
    lines.sort(key=lambda x: x[0])
    return lines


def rejoin_method(lines, node):
    """IST or SST for a Galera joiner, from its own log lines in the window.

    With rsync, MariaDB runs the SST script even for an IST; the script then bypasses the data
    copy. So: the state the joiner had at start ("initial position") equal to the state "SST
    received" means no snapshot was copied (IST); a different one means a full SST."""
    txt = "\n".join(l for _, n, l in lines if n == node)
    init = re.findall(r"initial position: (\S+)", txt)
    sst = re.findall(r"SST received: (\S+)", txt)
    if init and sst:
        return "IST" if init[-1] == sst[-1] else "SST"
    if re.search(r"Prepared IST receiver|IST received", txt):
        return "IST"
    return None


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    raw, out = a.raw, a.out
    run = json.load(open(f"{raw}/run.json"))
    win = json.load(open(f"{raw}/window.json"))
    testbed = json.load(open(f"{HERE}/testbed.json"))
    t0 = run["start_epoch"]
    t_end_s = win["end_epoch"] - t0
    n_s = int(math.ceil(t_end_s)) + 1
    events = read_jsonl(f"{raw}/events.jsonl")
    faults = build_faults(events, t_end_s)
    rec_t = {}
    for e in events:
        if e.get("ev") == "recovered":
            rec_t.setdefault(e["target"], e["t_s"])
    first_fault = min((f["start_s"] for f in faults), default=None)
    downs = down_windows(faults, t_end_s)

    # ---- per-message ground truth
    msgs = {}
    for r in read_csv(f"{raw}/publisher.csv"):
        mid = int(r["id"])
        if mid < 0:
            continue
        t = float(r["t"]) - t0
        m = msgs.setdefault(mid, {"queue": r["queue"], "state": None, "t_pub": None, "t_conf": None,
                                  "deliveries": [], "late": False})
        ev = r["ev"]
        if ev == "pub":
            m["t_pub"] = t
            m["state"] = "published"
        elif ev in ("ack", "nack", "indoubt", "sendfail"):
            m["state"] = {"ack": "confirmed", "nack": "nacked", "indoubt": "in-doubt", "sendfail": "send-failed"}[ev]
            if ev != "sendfail":
                m["t_conf"] = t
            else:
                m["t_pub"] = t
    total_sched = int(round(run["rate_msg_per_s"] * run["duration_s"]))
    for mid in range(total_sched):       # a message the publisher never reached counts as send-failed
        msgs.setdefault(mid, {"queue": ["qq", "cq"][mid % 2], "state": "send-failed", "t_pub": None,
                              "t_conf": None, "deliveries": [], "late": False})
    cons_events = defaultdict(int)
    db_errors = defaultdict(int)
    ack_fail = 0
    for path, late in ((f"{raw}/consumer.csv", False), (f"{raw}/consumer_late.csv", True)):
        for r in read_csv(path):
            if r["ev"] != "consumed":
                cons_events[r["ev"]] += 1
                if r["ev"] == "db_error":
                    db_errors[r["ack_ok"] or "?"] += 1
                continue
            mid = int(r["id"])
            m = msgs.get(mid)
            if m is None:
                continue
            m["deliveries"].append((float(r["t"]) - t0, int(r["redelivered"]), late, float(r["db_ms"])))
            if r["ack_ok"] == "0":
                ack_fail += 1

    lost_by_cause = defaultdict(int)
    lost_by_component = defaultdict(int)
    lost_detail = defaultdict(int)
    rows = []
    for mid in sorted(msgs):
        m = msgs[mid]
        d = sorted(m["deliveries"])
        fate, cause = "delivered", ""
        if d and all(x[2] for x in d):
            fate = "delivered_late"
        if not d:
            fate = "lost"
            if m["state"] in ("send-failed", "nacked", "in-doubt"):
                cause = "publish_failed"
                lost_detail[m["state"]] += 1
            else:
                home = QUEUE_HOME.get(m["queue"])
                t = m["t_pub"] or 0
                if m["queue"] == "qq":
                    hit = [c for c, ws in downs.items() if c.startswith("rabbitmq/") and
                           any(a_ <= t < b_ for a_, b_ in ws)]
                else:
                    hit = [home] if home and any(a_ <= t < b_ for a_, b_ in downs.get(home, [])) else []
                cause = "confirmed_dropped_queue_down" if hit else "confirmed_lost_other"
                lost_detail["confirmed"] += 1
                for c in hit or ["unknown"]:
                    lost_by_component[c] += 1
            lost_by_cause[cause] += 1
        rows.append([mid, m["queue"], m["state"], r3(m["t_pub"]), r3(m["t_conf"]), len(d),
                     r3(d[0][0]) if d else "", d[0][1] if d else "", int(bool(d) and d[0][2]), fate, cause])
        m["fate"] = fate
        m["first"] = d[0][0] if d else None

    os.makedirs(out, exist_ok=True)
    with gzip.open(f"{out}/messages.csv.gz", "wt", newline="", compresslevel=9) as f:
        w = csv.writer(f)
        w.writerow(["id", "queue", "publisher_state", "t_pub_s", "t_confirm_s", "deliveries",
                    "t_first_delivery_s", "first_redelivered", "late", "fate", "lost_cause"])
        w.writerows(rows)

    # ---- per-second series
    cnt = defaultdict(lambda: defaultdict(int))
    conf_lat, e2e = [], []
    for m in msgs.values():
        if m["t_pub"] is not None:
            s = int(m["t_pub"])
            cnt[s]["sendfail" if m["state"] == "send-failed" else "sent"] += 1
        if m["t_conf"] is not None:
            cnt[int(m["t_conf"])][{"confirmed": "confirmed", "nacked": "nacked", "in-doubt": "indoubt"}.get(
                m["state"], "other")] += 1
            if m["state"] == "confirmed":
                conf_lat.append(m["t_conf"] - m["t_pub"])
        for (t, red, late, _ms) in m["deliveries"]:
            cnt[int(t)]["deliveries"] += 1
        if m["first"] is not None and m["t_pub"] is not None:
            e2e.append(m["first"] - m["t_pub"])
    # truth backlog: sent and later delivered, counted from send to first delivery
    delta = defaultdict(int)
    for m in msgs.values():
        if m["first"] is not None and m["t_pub"] is not None and m["state"] != "send-failed":
            delta[int(math.floor(m["t_pub"]))] += 1
            delta[int(math.floor(m["first"]))] -= 1
    prom = prom_backlog(json.load(open(f"{raw}/query_range.json")), t0, n_s)
    series_truth, series_prom = [], []
    level = 0
    ts_rows = []
    for s in range(n_s):
        level += delta.get(s, 0)
        c = cnt[s]
        p = prom[s]
        series_truth.append((s, level))
        series_prom.append((s, p[1]))
        ts_rows.append([s, c["sent"], c["sendfail"], c["confirmed"], c["nacked"], c["indoubt"], c["deliveries"],
                        level, "" if p[1] is None else int(p[1]), "" if p[2] is None else int(p[2]),
                        "" if p[3] is None else int(p[3]), int(p[4])])
    with open(f"{out}/timeseries.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s", "sent", "send_failed", "confirmed", "nacked", "in_doubt", "deliveries",
                    "backlog_truth", "backlog_prometheus", "ready_prometheus", "unacked_prometheus",
                    "prometheus_complete"])
        w.writerows(ts_rows)

    # ---- per-queue outage figures from the ground truth (longest gap in confirms / deliveries)
    def longest_gap(times, lo, hi):
        times = sorted(t for t in times if lo <= t <= hi)
        if not times:
            return None, None
        pts = [lo] + times + [hi]
        g, at = max(((b - a_, a_) for a_, b in zip(pts, pts[1:])), key=lambda x: x[0])
        return r3(g), r3(at)

    per_queue = {}
    lo = (first_fault or 0) - 5
    pub_end = win["publish_end_epoch"] - t0
    for q in ("qq", "cq"):
        ms = [m for m in msgs.values() if m["queue"] == q]
        gc, gca = longest_gap([m["t_conf"] for m in ms if m["state"] == "confirmed"], lo, pub_end - 10)
        gd, gda = longest_gap([t for m in ms for (t, *_x) in m["deliveries"]], lo, pub_end - 10)
        per_queue[q] = {"published": len(ms), "confirmed": sum(m["state"] == "confirmed" for m in ms),
                        "delivered": sum(m["fate"] != "lost" for m in ms),
                        "lost": sum(m["fate"] == "lost" for m in ms),
                        "lost_confirmed": sum(m["fate"] == "lost" and m["state"] == "confirmed" for m in ms),
                        "longest_confirm_gap_s": gc, "confirm_gap_start_s": gca,
                        "longest_delivery_gap_s": gd, "delivery_gap_start_s": gda}

    lines = log_excerpt(t0, win["end_epoch"] + 5)
    with open(f"{out}/server_logs.txt", "w") as f:
        for ts, node, line in lines:
            f.write(f"{ts - t0:9.3f} {node} {line}\n")
    for fl in faults:
        if fl["kind"] == "container-kill" and fl["targets"][0].startswith("mariadb/") and len(fl["targets"]) == 1:
            fl["params"]["rejoin"] = rejoin_method(lines, fl["targets"][0].split("/")[1])
        if fl["kind"] == "manual-restore":
            fl["params"]["joiners_rejoin"] = {t: rejoin_method(lines, t.split("/")[1]) for t in fl["targets"]
                                              if t != fl["params"].get("bootstrap_node")}

    with open(f"{out}/faults.jsonl", "w") as f:
        for fl in faults:
            f.write(json.dumps(fl, sort_keys=False) + "\n")
    with open(f"{out}/events.jsonl", "w") as f:
        for e in events:
            e = dict(e)
            e.pop("_line")
            f.write(json.dumps(e, sort_keys=True) + "\n")
    shutil.copy(f"{raw}/query_range.json", f"{out}/query_range.json")

    delivered_ids = sum(1 for m in msgs.values() if m["deliveries"])
    n_deliv = sum(len(m["deliveries"]) for m in msgs.values())
    dup_ids = sum(1 for m in msgs.values() if len(m["deliveries"]) > 1)
    state_count = defaultdict(int)
    for m in msgs.values():
        state_count[m["state"]] += 1
    health = {}
    for k in ("health_before", "health_after", "health_after_heal", "health_final"):
        p = f"{raw}/{k}.json"
        if os.path.exists(p):
            h = json.load(open(p))
            health[k] = {"ok": h["ok"], "problems": h["problems"]}
    lost = sum(lost_by_cause.values())
    truth = {
        "experiment": run["experiment"], "run": run["run"], "start_time": run["start_time"],
        "duration_s": run["duration_s"], "rate_msg_per_s": run["rate_msg_per_s"],
        "window_s": r3(t_end_s),
        "messages": {
            "published": len(msgs), "sent": len(msgs) - state_count["send-failed"],
            "confirmed": state_count["confirmed"], "nacked": state_count["nacked"],
            "in_doubt": state_count["in-doubt"], "send_failed": state_count["send-failed"],
            "delivered": delivered_ids, "delivered_late": sum(m["fate"] == "delivered_late" for m in msgs.values()),
            "deliveries": n_deliv, "duplicates": n_deliv - delivered_ids, "duplicate_ids": dup_ids,
            "redelivered_flagged": sum(x[1] for m in msgs.values() for x in m["deliveries"]),
            "in_flight": 0, "lost": lost, "lost_by_cause": dict(lost_by_cause),
            "lost_by_publisher_state": dict(lost_detail), "lost_by_component": dict(lost_by_component),
            "lost_confirmed": lost_detail.get("confirmed", 0),
            "acks_not_sent": ack_fail, "db_rows": win["db_rows"],
            "conservation_ok": len(msgs) == delivered_ids + lost,
        },
        "backlog": {"truth": backlog_figures(series_truth, first_fault),
                    "prometheus": backlog_figures(series_prom, first_fault)},
        "latency_s": {"confirm_p50": r3(pct(conf_lat, 50)), "confirm_p99": r3(pct(conf_lat, 99)),
                      "end_to_end_p50": r3(pct(e2e, 50)), "end_to_end_p99": r3(pct(e2e, 99))},
        "queues": per_queue,
        "faults": [{k: f[k] for k in ("kind", "targets", "start_s", "end_s", "recovered_s")} for f in faults],
        "recovery_s": {t: r3(rec_t[t] - f["start_s"]) if rec_t.get(t) is not None else
                       (r3(f["recovered_s"] - f["start_s"]) if f["kind"].startswith("network-") and
                        f["kind"] != "network-partition" and f["recovered_s"] is not None else None)
                       for f in faults if f["kind"] != "manual-restore" for t in f["targets"]},
        "consumer_events": dict(cons_events), "db_errors_by_code": dict(db_errors),
        "health": health, "healthy_after_run_without_heal": win["healthy_after"],
    }
    for f in faults:
        if "rejoin" in f["params"]:
            truth["galera_rejoin"] = f["params"]["rejoin"]
        if f["kind"] == "manual-restore":
            truth["manual_restore"] = {"start_s": f["start_s"], "done_s": f["end_s"],
                                       "bootstrap_node": f["params"].get("bootstrap_node"),
                                       "joiners_rejoin": f["params"].get("joiners_rejoin")}
    with open(f"{out}/truth.json", "w") as f:
        json.dump(truth, f, indent=1)
    meta = dict(run)
    meta.update({"window": {"start_epoch": t0, "publish_end_s": r3(pub_end), "end_s": r3(t_end_s)},
                 "records": {"query_range.json": "one JSON object {query: Prometheus query_range response}, "
                                                 "1 s step, the run's window",
                             "faults.jsonl": "DESIGN §5 fault timeline; source points into events.jsonl",
                             "messages.csv.gz": "per-message ground truth", "truth.json": "summary",
                             "timeseries.csv": "1 s series (ground truth and Prometheus backlog)",
                             "server_logs.txt": "server log lines on detection/recovery, t_s first"},
                 "testbed": testbed})
    with open(f"{out}/run.json", "w") as f:
        json.dump(meta, f, indent=1)
    mm = truth["messages"]
    print(f"analyze: {run['experiment']} run {run['run']}: published {mm['published']} confirmed {mm['confirmed']} "
          f"delivered {mm['delivered']} lost {mm['lost']} {dict(lost_by_cause)} dups {mm['duplicates']} "
          f"peak backlog {truth['backlog']['prometheus']['peak']} (truth {truth['backlog']['truth']['peak']}) "
          f"recovery {truth['recovery_s']}", file=sys.stderr)
    return 0 if truth["messages"]["conservation_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
