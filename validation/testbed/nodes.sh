#!/bin/bash
# Lifecycle of single testbed components, by PID. Used by start_all.sh, stop_all.sh, fault.sh
# and health.py. Usage:
#   nodes.sh netns-up | netns-down
#   nodes.sh rmq-prepare | rmq-start I | rmq-stop I | rmq-join I | rmq-restart-app I | rmq-force-restart I
#   nodes.sh gal-prepare | gal-start I [bootstrap] [norecover] | gal-stop I | gal-wait-synced I [TIMEOUT]
#   nodes.sh gal-restore            (manual restoration after a full crash: most advanced node bootstraps)
#   nodes.sh mon-start | mon-stop   (mysqld_exporters, node exporter, Prometheus)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

netns_up() {
  mkdir -p "$TB" "$PIDS"
  if ! ip netns list | grep -qw "$NS"; then
    log "creating network namespace $NS"
    ip netns add "$NS"
  fi
  nsx ip link set lo up
  # cgroup2 labels (no controllers) so iptables -m cgroup can match one server's packets
  mkdir -p "$CG"
}

netns_down() {
  if ip netns list | grep -qw "$NS"; then
    if [[ -n "$(ip netns pids "$NS" 2>/dev/null)" ]]; then
      die "namespace $NS still has processes: $(ip netns pids "$NS" | tr '\n' ' ')"
    fi
    # rules live in the namespace only; flush anyway before deleting it
    nsx iptables -F 2>/dev/null || true
    ip netns del "$NS"
    log "namespace $NS removed"
  fi
  if [[ -d "$CG" ]]; then
    for d in "$CG"/*/; do [[ -d "$d" ]] && rmdir "$d"; done
    rmdir "$CG"
    log "cgroups $CG removed"
  fi
}

# ---------------------------------------------------------------- RabbitMQ
rmq_prepare() {
  rm -rf "$TB/rmq"; mkdir -p "$TB/rmq"
  : >"$TB/rmq/empty-env.conf"
  head -c 20 /dev/urandom | base64 | tr -dc 'A-Z' | head -c 20 >"$TB/rmq/.erlang.cookie"
  [[ -s "$TB/rmq/.erlang.cookie" ]] || echo FAULTLINETESTBEDCOOKIE >"$TB/rmq/.erlang.cookie"
  chmod 400 "$TB/rmq/.erlang.cookie"
  for i in $(seq 0 $((RMQ_N-1))); do
    local d="$TB/rmq/n$i"; mkdir -p "$d/log" "$d/mnesia"
    cat >"$d/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$((RMQ_PORT0+i))
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $((RMQ_PROM0+i))
prometheus.return_per_object_metrics = true
collect_statistics_interval = 1000
cluster_partition_handling = pause_minority
log.file.level = info
log.console = false
CONF
    echo "[{kernel, [{net_ticktime, $NET_TICKTIME}]}]." >"$d/advanced.config"
    echo "[rabbitmq_prometheus]." >"$d/enabled_plugins"
  done
}

epmd_start() {
  local p; p=$(pidfile_pid "$PIDS/epmd.pid")
  pid_alive "$p" && return 0
  # foreground epmd, spawned by us, so we own its PID (pitfall 3)
  ip netns exec "$NS" epmd -address 127.0.0.1 -port 4369 >>"$TB/epmd.log" 2>&1 </dev/null &
  echo $! >"$PIDS/epmd.pid"
  sleep 0.3
}

rmq_start() {
  local i=$1 d="$TB/rmq/n$1" t0 pid
  epmd_start
  local old; old=$(pidfile_pid "$d/beam.pid")
  if pid_alive "$old"; then log "rabbitmq-$i already running (pid $old)"; return 0; fi
  rm -f "$d/beam.pid"
  rmq_env "$i"
  t0=$(now)
  pid=$(cg_spawn "rabbitmq-$i" "$d/log/console.out" env "${RMQ_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server)
  echo "$pid" >"$PIDS/rabbitmq-$i.pid"
  log "rabbitmq-$i starting (pid $pid)"
  for _ in $(seq 1 100); do [[ -s "$d/beam.pid" ]] && break; pid_alive "$pid" || break; sleep 0.1; done
  CTL_TIMEOUT=200 rmqctl "$i" wait --timeout 180 "$d/beam.pid" >/dev/null || die "rabbitmq-$i did not start (see $d/log)"
  log "rabbitmq-$i running after $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"
}

rmq_stop() {
  local i=$1 d="$TB/rmq/n$1" pid
  pid=$(pidfile_pid "$PIDS/rabbitmq-$i.pid")
  [[ -n "$pid" ]] || pid=$(pidfile_pid "$d/beam.pid")
  if ! pid_alive "$pid"; then log "rabbitmq-$i not running"; return 0; fi
  kill -CONT "$pid" 2>/dev/null || true            # a frozen node cannot stop
  CTL_TIMEOUT=40 rmqctl "$i" stop "$d/beam.pid" >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.2; done
  if pid_alive "$pid"; then log "rabbitmq-$i: graceful stop timed out, SIGKILL"; kill -9 "$pid"; sleep 0.5; fi
  log "rabbitmq-$i stopped"
}

rmq_join() {
  local i=$1
  # generous timeouts: on the shared machine under load a start_app took more than 30 s
  CTL_TIMEOUT=120 rmqctl "$i" stop_app >/dev/null
  CTL_TIMEOUT=120 rmqctl "$i" join_cluster "$(rmq_node 0)" >/dev/null
  CTL_TIMEOUT=180 rmqctl "$i" start_app >/dev/null
  log "rabbitmq-$i joined $(rmq_node 0)"
}

# Heals a partitioned or paused node (pitfall 8).
rmq_restart_app() {
  local i=$1
  CTL_TIMEOUT=25 rmqctl "$i" stop_app >/dev/null
  CTL_TIMEOUT=120 rmqctl "$i" start_app >/dev/null
  log "rabbitmq-$i: stop_app/start_app done"
}

rmq_force_restart() {
  local i=$1 p; p=$(pidfile_pid "$TB/rmq/n$i/beam.pid")
  if pid_alive "$p"; then kill -CONT "$p" 2>/dev/null || true; kill -9 "$p"; wait_dead "$p" || true; fi
  log "rabbitmq-$i killed for a forced restart"
  rmq_start "$i"
}

# ---------------------------------------------------------------- Galera
gal_prepare() {
  rm -rf "$TB/galera"; mkdir -p "$TB/galera"
  local members="gcomm://127.0.0.1:$GAL_GCOMM0,127.0.0.1:$((GAL_GCOMM0+1)),127.0.0.1:$((GAL_GCOMM0+2))"
  for i in 0 1 2; do
    local d="$TB/galera/n$i"; mkdir -p "$d/data"
    cat >"$d/my.cnf" <<CNF
[mysqld]
user=mysql
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
port=$((GAL_PORT0+i))
bind-address=127.0.0.1
skip-name-resolve
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=fltbgalera
wsrep_node_name=mariadb-$i
wsrep_node_address=127.0.0.1
wsrep_node_incoming_address=127.0.0.1:$((GAL_PORT0+i))
wsrep_cluster_address=$members
wsrep_provider_options="base_host=127.0.0.1;base_port=$((GAL_GCOMM0+i));gmcast.listen_addr=tcp://127.0.0.1:$((GAL_GCOMM0+i));ist.recv_addr=127.0.0.1:$((GAL_IST0+i));gcache.size=$GCACHE_SIZE;pc.recovery=TRUE;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((GAL_SST0+i))
wsrep_slave_threads=2
CNF
  done
  chown -R mysql:mysql "$TB/galera"   # rsync SST runs as the server user (pitfall 4)
  chmod o+x "$TB"
  timeout 120 mariadb-install-db --defaults-file="$TB/galera/n0/my.cnf" --user=mysql --skip-test-db >"$TB/galera/install-db.log" 2>&1 \
    || die "mariadb-install-db failed (see $TB/galera/install-db.log)"
}

gal_seqno() { awk '/^seqno:/{print $2}' "$TB/galera/n$1/data/grastate.dat" 2>/dev/null || true; }
gal_safe() { awk '/^safe_to_bootstrap:/{print $2}' "$TB/galera/n$1/data/grastate.dat" 2>/dev/null || true; }

# Recovered position (uuid:seqno) of node $1, the way the systemd unit's ExecStartPre gets it (pitfall 5).
gal_recover_pos() {
  local i=$1
  timeout 120 ip netns exec "$NS" galera_recovery --defaults-file="$TB/galera/n$i/my.cnf" 2>>"$TB/galera/n$i/recovery.log" \
    | sed -n 's/.*--wsrep[-_]start[-_]position=\([^ ]*\).*/\1/p'
}

gal_local_state() { galsql "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | awk '{print $2}'; }
gal_is_synced() { [[ "$(gal_local_state "$1")" == Synced ]]; }

gal_wait_synced() {
  local i=$1 t=${2:-180} pid
  local end=$(( $(date +%s) + t ))
  pid=$(pidfile_pid "$PIDS/mariadb-$i.pid")
  until gal_is_synced "$i"; do
    pid_alive "$pid" || { log "mariadb-$i exited (see $TB/galera/n$i/error.log)"; return 1; }
    (( $(date +%s) < end )) || { log "mariadb-$i not Synced after ${t}s"; return 1; }
    sleep 0.2
  done
}

# gal_start I [bootstrap] [norecover]: recovery first when the node did not stop cleanly, then start.
# Does not wait; gal-start (the subcommand) waits for Synced.
gal_start_nowait() {
  local i=$1 mode=${2:-} rec=${3:-} d="$TB/galera/n$1" pos="" args=()
  local old; old=$(pidfile_pid "$PIDS/mariadb-$i.pid")
  if pid_alive "$old"; then log "mariadb-$i already running (pid $old)"; return 0; fi
  rm -f "$d/mysqld.pid" "$d/mysqld.sock"
  if [[ "$rec" != norecover && -f "$d/data/grastate.dat" && "$(gal_seqno "$i")" == "-1" ]]; then
    pos=$(gal_recover_pos "$i")
    log "mariadb-$i recovered position $pos"
    [[ -n "$pos" ]] && args+=("--wsrep_start_position=$pos")
  fi
  [[ "$mode" == bootstrap ]] && args+=(--wsrep-new-cluster)
  local pid
  pid=$(cg_spawn "mariadb-$i" "$d/console.out" mariadbd --defaults-file="$d/my.cnf" "${args[@]}")
  echo "$pid" >"$PIDS/mariadb-$i.pid"
  log "mariadb-$i starting (pid $pid${mode:+, $mode})"
}

gal_start() {
  local t0; t0=$(now)
  gal_start_nowait "$@"
  gal_wait_synced "$1" 180 || die "mariadb-$1 did not reach Synced"
  log "mariadb-$1 Synced after $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"
}

gal_stop() {
  local i=$1 pid
  pid=$(pidfile_pid "$PIDS/mariadb-$i.pid")
  if ! pid_alive "$pid"; then log "mariadb-$i not running"; return 0; fi
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid"
  for _ in $(seq 1 150); do pid_alive "$pid" || break; sleep 0.2; done
  if pid_alive "$pid"; then log "mariadb-$i: SIGTERM timed out, SIGKILL"; kill -9 "$pid"; sleep 0.5; fi
  log "mariadb-$i stopped"
}

# Manual restoration after an all-node crash (the operator's fix of the bootstrap trap, R-G15):
# recover every node's position, mark the most advanced safe_to_bootstrap, bootstrap it, start the rest.
gal_restore() {
  local best=-1 bestseq=-2 i pos seq
  for i in 0 1 2; do
    pid_alive "$(pidfile_pid "$PIDS/mariadb-$i.pid")" && die "mariadb-$i is running; restore expects all stopped"
    pos=$(gal_recover_pos "$i"); seq=${pos##*:}
    log "mariadb-$i recovered position ${pos:-none}"
    echo "mariadb-$i $pos" >>"$TB/galera/restore.log"
    [[ "$seq" =~ ^-?[0-9]+$ ]] || seq=-1
    if (( seq > bestseq )); then bestseq=$seq; best=$i; fi
  done
  log "most advanced: mariadb-$best (seqno $bestseq); setting safe_to_bootstrap: 1"
  echo "RESTORE_BOOTSTRAP_NODE=mariadb-$best RESTORE_SEQNO=$bestseq"
  sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$TB/galera/n$best/data/grastate.dat"
  gal_start "$best" bootstrap
  for i in 0 1 2; do [[ $i == "$best" ]] || gal_start_nowait "$i"; done
  for i in 0 1 2; do [[ $i == "$best" ]] || gal_wait_synced "$i" 180 || die "mariadb-$i did not rejoin"; done
  log "Galera restored: 3 nodes Synced"
}

gal_init_schema() {
  galsql 0 "CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
    GRANT ALL ON tb.* TO '$DB_USER'@'127.0.0.1';
    GRANT PROCESS, REPLICATION CLIENT, SELECT, SLAVE MONITOR ON *.* TO '$DB_USER'@'127.0.0.1';
    CREATE DATABASE IF NOT EXISTS tb;
    CREATE TABLE IF NOT EXISTS tb.consumed (id BIGINT PRIMARY KEY, queue VARCHAR(16) NOT NULL,
      redelivered TINYINT NOT NULL, t DOUBLE NOT NULL) ENGINE=InnoDB;"
}

# ---------------------------------------------------------------- monitoring
mon_start() {
  mkdir -p "$TB/prom/data"
  for i in 0 1 2; do
    local p; p=$(pidfile_pid "$PIDS/mysqld-exporter-$i.pid")
    pid_alive "$p" && continue
    p=$(cg_spawn "mysqld-exporter-$i" "$TB/prom/mysqld-exporter-$i.log" env \
      "DATA_SOURCE_NAME=$DB_USER:$DB_PASS@(127.0.0.1:$((GAL_PORT0+i)))/" \
      /usr/bin/prometheus-mysqld-exporter --web.listen-address=127.0.0.1:$((EXP_PORT0+i)))
    echo "$p" >"$PIDS/mysqld-exporter-$i.pid"
  done
  local p; p=$(pidfile_pid "$PIDS/node-exporter.pid")
  if ! pid_alive "$p"; then
    p=$(cg_spawn node-exporter "$TB/prom/node-exporter.log" /usr/bin/prometheus-node-exporter \
      --web.listen-address=127.0.0.1:$NODEEXP_PORT --collector.disable-defaults --collector.cpu \
      --collector.meminfo --collector.loadavg --collector.pressure)
    echo "$p" >"$PIDS/node-exporter.pid"
  fi
  {
    echo "global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}"
    echo "scrape_configs:"
    echo "  - job_name: rabbitmq"
    echo "    static_configs:"
    for i in 0 1 2; do echo "      - {targets: ['127.0.0.1:$((RMQ_PROM0+i))'], labels: {pod: rabbitmq-$i}}"; done
    echo "  - job_name: mysqld"
    echo "    static_configs:"
    for i in 0 1 2; do echo "      - {targets: ['127.0.0.1:$((EXP_PORT0+i))'], labels: {pod: mariadb-$i}}"; done
    echo "  - job_name: node"
    echo "    static_configs:"
    echo "      - {targets: ['127.0.0.1:$NODEEXP_PORT'], labels: {pod: testbed-host}}"
  } >"$TB/prom/prometheus.yml"
  p=$(pidfile_pid "$PIDS/prometheus.pid")
  if ! pid_alive "$p"; then
    p=$(cg_spawn prometheus "$TB/prom/prometheus.log" /usr/bin/prometheus --config.file="$TB/prom/prometheus.yml" \
      --storage.tsdb.path="$TB/prom/data" --storage.tsdb.retention.time=2d --web.listen-address=127.0.0.1:$PROM_PORT)
    echo "$p" >"$PIDS/prometheus.pid"
    wait_for 30 nsx curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" || die "Prometheus not ready"
  fi
  log "monitoring up (Prometheus 127.0.0.1:$PROM_PORT, 1 s scrape)"
}

mon_stop() {
  for n in prometheus node-exporter mysqld-exporter-0 mysqld-exporter-1 mysqld-exporter-2; do
    local p; p=$(pidfile_pid "$PIDS/$n.pid")
    if pid_alive "$p"; then
      kill -TERM "$p"
      for _ in $(seq 1 50); do pid_alive "$p" || break; sleep 0.1; done
      pid_alive "$p" && kill -9 "$p"
      log "$n stopped"
    fi
  done
}

cmd=${1:-}; shift || true
case "$cmd" in
  netns-up) netns_up ;;
  netns-down) netns_down ;;
  rmq-prepare) rmq_prepare ;;
  rmq-start) rmq_start "$1" ;;
  rmq-stop) rmq_stop "$1" ;;
  rmq-join) rmq_join "$1" ;;
  rmq-restart-app) rmq_restart_app "$1" ;;
  rmq-force-restart) rmq_force_restart "$1" ;;
  epmd-start) epmd_start ;;
  gal-prepare) gal_prepare ;;
  gal-start) gal_start "$@" ;;
  gal-start-nowait) gal_start_nowait "$@" ;;
  gal-stop) gal_stop "$1" ;;
  gal-wait-synced) gal_wait_synced "$@" ;;
  gal-restore) gal_restore ;;
  gal-init-schema) gal_init_schema ;;
  mon-start) mon_start ;;
  mon-stop) mon_stop ;;
  *) die "unknown subcommand '$cmd' (see the header of $0)" ;;
esac
