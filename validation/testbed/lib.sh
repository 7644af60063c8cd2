# shellcheck shell=bash
# Common settings and helpers of the faultline reference testbed. Sourced by every script here.
# Everything runs as root inside the network namespace $NS on 127.0.0.1; state lives in $TB
# (outside the repository). Nothing here touches the host's own iptables.

TESTBED_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRACES_DIR="$(cd "$TESTBED_SRC/.." && pwd)/traces"
TB="${TESTBED:-/var/tmp/faultline-testbed}"      # runtime state: data dirs, logs, pid files
NS="${TB_NS:-fltb}"                                 # network namespace
CGROOT=/sys/fs/cgroup/unified                       # cgroup2 hierarchy (no controllers; labels only)
CG="$CGROOT/$NS"                                    # one sub-directory per server process
PY=/usr/bin/python3                                 # Debian's python (pika, pymysql)
PIDS="$TB/pids"

RMQ_N=3
RMQ_PORT0=5672        # AMQP 5672..5674
RMQ_DIST0=25672       # Erlang distribution 25672..25674
RMQ_PROM0=15692       # prometheus plugin 15692..15694
GAL_PORT0=3306        # mysql 3306..3308
GAL_GCOMM0=4567       # gcomm 4567..4569
GAL_IST0=4577         # IST receive 4577..4579
GAL_SST0=4444         # rsync SST receive 4444..4446
EXP_PORT0=9104        # mysqld_exporter 9104..9106
PROM_PORT=9090
NODEEXP_PORT=9100
NET_TICKTIME=15
GCACHE_SIZE=128M
DB_USER=tb
DB_PASS=tb

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }                  # run inside the namespace (foreground only)
now() { date +%s.%N | cut -c1-14; }                 # epoch seconds with ms

rmq_node() { echo "rabbit$1@localhost"; }            # Erlang node name of rabbitmq-$1
rmq_name() { echo "rabbitmq-$1"; }
gal_name() { echo "mariadb-$1"; }

# Environment of RabbitMQ node $1 (0..2), as the array RMQ_ENV (values may hold spaces).
rmq_env() {
  local i=$1 d="$TB/rmq/n$1"
  RMQ_ENV=(HOME="$TB/rmq" RABBITMQ_NODENAME="$(rmq_node "$i")"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$((RMQ_PORT0+i)) RABBITMQ_DIST_PORT=$((RMQ_DIST0+i))
    RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" RABBITMQ_PID_FILE="$d/beam.pid"
    RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" RABBITMQ_PLUGINS_EXPAND_DIR="$d/plugins-expand"
    RABBITMQ_CONF_ENV_FILE="$TB/rmq/empty-env.conf" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=4369
    RABBITMQ_SCHEDULER_BIND_TYPE=u
    RUNNING_UNDER_SYSTEMD=1   # makes the start script exec erl: the spawned PID is beam.smp itself
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")
}

# rabbitmqctl (or rabbitmq-queues ...) against node $1, inside the namespace, bounded in time.
rmqctl() {
  local i=$1; shift
  # shellcheck disable=SC2046
  timeout "${CTL_TIMEOUT:-30}" ip netns exec "$NS" env HOME="$TB/rmq" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONF_ENV_FILE="$TB/rmq/empty-env.conf" \
    /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$(rmq_node "$i")" "$@"
}

# SQL against Galera node $1 through its socket; never hangs (pitfall 9: a frozen node).
galsql() {
  local i=$1; shift
  timeout 10 ip netns exec "$NS" mariadb --connect-timeout=3 -uroot -S "$TB/galera/n$i/mysqld.sock" -N -B -e "$*"
}

# Start a command in the background inside the namespace and inside cgroup $1; prints its PID.
# The shell writes its own PID into the cgroup, then execs: $! is the server's own PID (pitfall 3).
cg_spawn() {
  local cg=$1 out=$2; shift 2
  mkdir -p "$CG/$cg"
  setsid bash -c 'echo $$ > "$0/cgroup.procs"; exec ip netns exec "$1" "${@:2}"' "$CG/$cg" "$NS" "$@" \
    >>"$out" 2>&1 </dev/null &
  echo $!
}

# Alive and not a zombie (a killed server is re-parented and reaped a little later; kill -0 would
# still succeed on the zombie).
pid_alive() {
  [[ -n "${1:-}" && -r "/proc/$1/stat" ]] || return 1
  local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n "$st" && "$st" != Z && "$st" != X ]]
}
wait_dead() { local i; for i in $(seq 1 100); do pid_alive "$1" || return 0; sleep 0.05; done; return 1; }
pidfile_pid() { [[ -s "$1" ]] && tr -d '\n ' <"$1" || true; }   # beam.pid has no newline (pitfall 2)

# Wait until $2 (a command) succeeds, at most $1 seconds.
wait_for() {
  local t=$1; shift
  local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < end )) || return 1
    sleep 0.2
  done
}
