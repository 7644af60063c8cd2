#!/usr/bin/python3
"""Control and health of the testbed, run inside its network namespace.

  tbctl.py health [--quiet] [--heal] [--json FILE]   health gate; --heal repairs what it can
  tbctl.py reset-queues                               delete + re-declare qq/cq, empty tb.consumed
  tbctl.py queue-depth                                prints total messages in qq+cq (or -1)
  tbctl.py watch TARGET --events FILE --t0 EPOCH --until EPOCH
                                                      logs a 'recovered' event when TARGET serves again
  tbctl.py db-count                                   rows in tb.consumed
"""
import argparse
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pika
import pymysql

from tbconf import (DB_PASS, DB_USER, GAL_PORTS, HERE, PROM_URL, QUEUES, RMQ_PORTS, TB, ensure_netns,
                    rmq_node)

CTL_ENV = {"HOME": f"{TB}/rmq", "ERL_EPMD_ADDRESS": "127.0.0.1", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
           "RABBITMQ_CONF_ENV_FILE": f"{TB}/rmq/empty-env.conf", "LANG": "C.UTF-8"}


def ctl(i, *args, timeout=30, tool="rabbitmqctl"):
    """rabbitmqctl against node i; returns (rc, stdout)."""
    try:
        p = subprocess.run([f"/usr/lib/rabbitmq/bin/{tool}", "-q", "-n", rmq_node(i), *args], env=CTL_ENV,
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        return 124, ""


def pid_alive(path):
    """The PID in file `path` is alive and not a zombie."""
    try:
        pid = int(open(path).read().strip())
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, ValueError, IndexError):
        return False


def cluster_status(i, timeout=20):
    rc, out = ctl(i, "cluster_status", "--formatter", "json", timeout=timeout)
    if rc != 0:
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


def port_open(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def db(i, timeout=3):
    return pymysql.connect(host="127.0.0.1", port=GAL_PORTS[i], user=DB_USER, password=DB_PASS,
                           connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, autocommit=True)


def galera_status(i):
    try:
        c = db(i)
        with c.cursor() as cur:
            cur.execute("SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_local_state_comment',"
                        "'wsrep_cluster_status','wsrep_ready','wsrep_last_committed')")
            st = dict(cur.fetchall())
        c.close()
        return st
    except Exception as e:  # noqa: BLE001 - any failure means "not healthy"
        return {"error": str(e)[:120]}


# ------------------------------------------------------------------ health gate
def check():
    res = {"ok": True, "problems": [], "rabbitmq": {}, "galera": {}, "prometheus": {}}

    def bad(msg):
        res["ok"] = False
        res["problems"].append(msg)

    views = [None] * 3

    def get(i):
        if pid_alive(f"{TB}/rmq/n{i}/beam.pid"):
            views[i] = cluster_status(i)
    ts = [threading.Thread(target=get, args=(i,)) for i in range(3)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    for i, v in enumerate(views):
        if v is None:
            bad(f"rabbitmq-{i}: not running or not answering")
            res["rabbitmq"][f"rabbitmq-{i}"] = None
            continue
        running = v.get("running_nodes", [])
        parts = v.get("partitions", {}) or {}
        res["rabbitmq"][f"rabbitmq-{i}"] = {"running_nodes": running, "partitions": parts}
        if len(running) != 3:
            bad(f"rabbitmq-{i} sees {len(running)} running nodes")
        if parts:
            bad(f"rabbitmq-{i} reports partitions {parts}")
    up = next((i for i, v in enumerate(views) if v), None)
    if up is not None:
        rc, out = ctl(up, "list_queues", "name", "type", "state", "leader", "members", "online",
                      "--formatter", "json")
        try:
            qs = {q["name"]: q for q in json.loads(out)} if rc == 0 else {}
        except ValueError:
            qs = {}
        res["rabbitmq"]["queues"] = qs
        for q in QUEUES:
            if q not in qs:
                bad(f"queue {q} missing")
            elif qs[q].get("state") != "running":
                bad(f"queue {q} state {qs[q].get('state')}")
            elif qs[q].get("type") == "quorum" and len(qs[q].get("online") or []) != 3:
                bad(f"queue {q} has {len(qs[q].get('online') or [])} of 3 members online")
    for i in range(3):
        st = galera_status(i)
        res["galera"][f"mariadb-{i}"] = st
        if st.get("wsrep_cluster_size") != "3" or st.get("wsrep_local_state_comment") != "Synced":
            bad(f"mariadb-{i}: {st}")
    try:
        with urllib.request.urlopen(f"{PROM_URL}/api/v1/targets", timeout=5) as r:
            tg = json.load(r)["data"]["activeTargets"]
        res["prometheus"] = {t["labels"].get("pod", t["scrapeUrl"]): t["health"] for t in tg}
        for k, h in res["prometheus"].items():
            if h != "up":
                bad(f"prometheus target {k} is {h}")
        if len(tg) != 7:
            bad(f"prometheus has {len(tg)} targets, expected 7")
    except Exception as e:  # noqa: BLE001
        bad(f"prometheus: {e}")
    return res


def nodes(*args):
    return subprocess.run([f"{HERE}/nodes.sh", *args], timeout=600).returncode


def heal(res):
    """Repairs the usual leftovers of a fault run. Returns True when something was done."""
    acted = False
    for i in range(3):
        if not pid_alive(f"{TB}/rmq/n{i}/beam.pid"):
            print(f"heal: starting rabbitmq-{i}", file=sys.stderr)
            nodes("rmq-start", str(i))
            acted = True
        elif res["rabbitmq"].get(f"rabbitmq-{i}") is None:
            # beam alive but the rabbit app is not running: paused by pause_minority, or a boot hung
            # after a partition (seen with 3.10 + OTP 25: "Global hang workaround"). Restart the app;
            # if that does not work, kill and restart the node.
            print(f"heal: rabbitmq-{i} app not running; stop_app/start_app", file=sys.stderr)
            if nodes("rmq-restart-app", str(i)) != 0:
                print(f"heal: rabbitmq-{i} restart_app failed; kill -9 and restart", file=sys.stderr)
                nodes("rmq-force-restart", str(i))
            acted = True
    if acted:
        return True
    # Partitioned nodes (pitfall 8): restart the app of the node the others name most.
    count = {}
    for v in res["rabbitmq"].values():
        if isinstance(v, dict) and "partitions" in v:
            # {"node": [nodes it is partitioned from]}: the isolated node is in every pair
            for node, others in (v["partitions"] or {}).items():
                for o in others:
                    count[o] = count.get(o, 0) + 1
                    count[node] = count.get(node, 0) + 1
    if count:
        worst = max(sorted(count), key=lambda n: count[n])
        i = int(worst.split("@")[0].replace("rabbit", ""))
        print(f"heal: partitions {count}; stop_app/start_app on rabbitmq-{i}", file=sys.stderr)
        if nodes("rmq-restart-app", str(i)) != 0:
            nodes("rmq-force-restart", str(i))
        acted = True
    else:
        # a node running but missing from the others' view
        for i in range(3):
            v = res["rabbitmq"].get(f"rabbitmq-{i}")
            if v is not None and rmq_node(i) not in v["running_nodes"]:
                print(f"heal: rabbitmq-{i} not in its own running set; restart app", file=sys.stderr)
                if nodes("rmq-restart-app", str(i)) != 0:
                    nodes("rmq-force-restart", str(i))
                acted = True
    gal = res["galera"]
    alive = [pid_alive(f"{TB}/pids/mariadb-{i}.pid") for i in range(3)]
    primary = [i for i in range(3) if gal[f"mariadb-{i}"].get("wsrep_cluster_status") == "Primary"]
    if not primary:
        print("heal: no Galera primary component; full manual restore", file=sys.stderr)
        for i in range(3):
            nodes("gal-stop", str(i))
        nodes("gal-restore")
        acted = True
    else:
        for i in range(3):
            if not alive[i]:
                print(f"heal: starting mariadb-{i}", file=sys.stderr)
                nodes("gal-start", str(i))
                acted = True
    if not acted and any(p.startswith("queue ") for p in res["problems"]):
        print("heal: queue missing or not running; re-declaring the queues", file=sys.stderr)
        cmd_reset_queues(None)
        acted = True
    return acted


def cmd_health(a):
    res = check()
    if not res["ok"] and a.heal:
        for attempt in range(3):
            if not heal(res):
                time.sleep(5)
            time.sleep(2)
            res = check()
            if res["ok"]:
                res["healed"] = attempt + 1
                break
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    if not a.quiet:
        print(("HEALTH OK" if res["ok"] else "HEALTH FAILED: " + "; ".join(res["problems"])), file=sys.stderr)
    return 0 if res["ok"] else 1


# ------------------------------------------------------------------ queues / DB
def cmd_reset_queues(a):
    for q, spec in QUEUES.items():
        # declare through the node that must host it: qq leader on rabbitmq-0, cq home on rabbitmq-1
        i = spec["declare_via"]
        for attempt in range(20):
            # a quorum queue re-declared right after its deletion can fail with cluster_not_formed
            # while the old Raft members shut down: retry
            try:
                conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", RMQ_PORTS[i],
                                                                         socket_timeout=5))
                ch = conn.channel()
                if attempt == 0:
                    ch.queue_delete(q)
                    # a quorum queue's Raft members shut down asynchronously; declaring the new queue
                    # too early leaves one member not started (seen: "1 servers failed to start"), and
                    # a consumer attached through that node then gets nothing. Give them time.
                    if spec["type"] == "quorum":
                        conn.sleep(6.0)
                ch.queue_declare(q, durable=True, arguments={"x-queue-type": spec["type"]})
                conn.close()
                break
            except pika.exceptions.AMQPError as e:
                print(f"reset-queues: declaring {q} failed ({e}); retrying", file=sys.stderr)
                time.sleep(1.0)
        else:
            print(f"reset-queues: could not declare {q}", file=sys.stderr)
            return 1
    c = None
    for i in range(3):
        try:
            c = db(i, timeout=5)
            break
        except Exception:  # noqa: BLE001
            continue
    if c is None:
        print("reset-queues: no Galera node reachable", file=sys.stderr)
        return 1
    with c.cursor() as cur:
        cur.execute("TRUNCATE TABLE tb.consumed")
    c.close()
    print("queues qq (quorum, leader rabbitmq-0) and cq (classic durable, home rabbitmq-1) declared empty; "
          "tb.consumed truncated", file=sys.stderr)
    return 0


def cmd_queue_depth(a):
    rc, out = ctl(0, "list_queues", "name", "messages", "--formatter", "json", timeout=15)
    if rc != 0:
        rc, out = ctl(2, "list_queues", "name", "messages", "--formatter", "json", timeout=15)
    try:
        qs = json.loads(out)
        print(sum(int(q.get("messages") or 0) for q in qs if q["name"] in QUEUES))
    except (ValueError, KeyError):
        print(-1)
    return 0


def cmd_db_count(a):
    for i in range(3):
        try:
            c = db(i, timeout=5)
            with c.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM tb.consumed")
                print(cur.fetchone()[0])
            return 0
        except Exception:  # noqa: BLE001
            continue
    print(-1)
    return 1


# ------------------------------------------------------------------ recovery watcher
def log_event(path, ev):
    with open(path, "a") as f:
        f.write(json.dumps(ev, sort_keys=True) + "\n")


def cmd_watch(a):
    """Polls TARGET until it serves again; logs {"ev":"recovered"} with the time it first did."""
    comp, name = a.target.split("/")
    i = int(name.rsplit("-", 1)[1])
    # start polling only once the fault step this recovery follows has been applied
    while a.after_step and time.time() < a.until:
        try:
            with open(a.events) as f:
                if any(json.loads(l).get("step") == a.after_step for l in f if l.strip()):
                    break
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    time.sleep(0.2)
    while time.time() < a.until:
        t = time.time()
        if comp == "rabbitmq":
            # serving = AMQP listener open, and both its own view and a peer's view show the full
            # cluster without partitions (a thawed node still believes in its old view for a while)
            ok = port_open(RMQ_PORTS[i])
            detail = {}
            if ok:
                peer = (i + 1) % 3
                views = {}
                ths = [threading.Thread(target=lambda n=n: views.__setitem__(n, cluster_status(n, timeout=10)))
                       for n in (i, peer)]
                [th.start() for th in ths]
                [th.join() for th in ths]
                ok = all(v and len(v.get("running_nodes", [])) == 3 and not v.get("partitions")
                         for v in views.values())
                detail = {"running_nodes": {rmq_node(n): len(v.get("running_nodes", [])) if v else None
                                            for n, v in views.items()}}
        else:
            st = galera_status(i)
            # serving = Synced in a primary component (accepts writes); after a restore the
            # bootstrap node serves before the others have joined
            ok = st.get("wsrep_local_state_comment") == "Synced" and st.get("wsrep_cluster_status") == "Primary"
            detail = {"state": st.get("wsrep_local_state_comment")}
        if ok:
            log_event(a.events, {"t": round(t, 3), "t_s": round(t - a.t0, 3), "ev": "recovered",
                                 "target": a.target, "detail": detail})
            return 0
        time.sleep(max(0.0, a.interval - (time.time() - t)))
    log_event(a.events, {"t": round(time.time(), 3), "t_s": round(time.time() - a.t0, 3), "ev": "not-recovered",
                         "target": a.target, "detail": {"watched_until_s": round(a.until - a.t0, 3)}})
    return 0


def main():
    ensure_netns()
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("health")
    h.add_argument("--quiet", action="store_true")
    h.add_argument("--heal", action="store_true")
    h.add_argument("--json")
    sub.add_parser("reset-queues")
    sub.add_parser("queue-depth")
    sub.add_parser("db-count")
    w = sub.add_parser("watch")
    w.add_argument("target")
    w.add_argument("--events", required=True)
    w.add_argument("--t0", type=float, required=True)
    w.add_argument("--after-step", default="", help="wait for this fault step in the events file")
    w.add_argument("--until", type=float, required=True)
    w.add_argument("--interval", type=float, default=0.25)
    a = ap.parse_args()
    return {"health": cmd_health, "reset-queues": cmd_reset_queues, "queue-depth": cmd_queue_depth,
            "db-count": cmd_db_count, "watch": cmd_watch}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
