"""Shared settings of the testbed's Python tools (mirrors lib.sh)."""
import os
import sys

TB = os.environ.get("TESTBED", "/var/tmp/faultline-testbed")
NS = os.environ.get("TB_NS", "fltb")
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
RMQ_PORTS = [5672, 5673, 5674]
RMQ_PROM_PORTS = [15692, 15693, 15694]
GAL_PORTS = [3306, 3307, 3308]
PROM_URL = "http://127.0.0.1:9090"
DB_USER = DB_PASS = "tb"
QUEUES = {"qq": {"type": "quorum", "declare_via": 0}, "cq": {"type": "classic", "declare_via": 1}}


def rmq_node(i):
    return f"rabbit{i}@localhost"


def ensure_netns():
    """Moves this process into the testbed's network namespace (its listeners are there).

    setns(2) on the network namespace only, not `ip netns exec`: that would also remount /sys and
    hide the cgroup2 tree that nodes.sh labels servers with (and PID 1's namespaces are not
    enterable here). Call before starting threads; children inherit the namespace.
    """
    if os.environ.get("FLTB_IN_NS") == NS:
        return
    import ctypes
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    fd = os.open(f"/var/run/netns/{NS}", os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:          # CLONE_NEWNET
        err = ctypes.get_errno()
        raise OSError(err, f"setns into network namespace {NS}: {os.strerror(err)}")
    os.close(fd)
    os.environ["FLTB_IN_NS"] = NS
