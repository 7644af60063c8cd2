#!/bin/bash
# One fault step, applied now and logged (with its epoch time) as a JSON line to $EVENTS.
#   fault.sh rmq-kill I | rmq-start I | rmq-freeze I | rmq-thaw I | rmq-partition I | rmq-heal
#   fault.sh gal-kill I | gal-start I | gal-freeze I | gal-thaw I | gal-partition I | gal-heal
#   fault.sh gal-kill-all | gal-bootstrap-naive I | gal-restore
#   fault.sh delay PORTS MS | loss PORTS PROB | net-clear        (PORTS like 5672:5674)
# Environment: EVENTS (file, default /dev/stderr), RUN_T0 (epoch of the run's start, for t_s).
# Partitions match a server's packets with iptables -m cgroup (one cgroup2 label per server) and
# mark the connection (CONNMARK) so both directions drop; CLI tools are never cut off.
# Delay uses the NFQUEUE helper (no netem in this kernel); loss uses iptables statistic.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EVENTS=${EVENTS:-/dev/stderr}
RUN_T0=${RUN_T0:-0}

ev() {  # ev STEP TARGET DETAIL_JSON [T]
  local t=${4:-$(now)}
  printf '{"t": %s, "t_s": %s, "ev": "fault-step", "step": "%s", "target": "%s", "detail": %s}\n' \
    "$t" "$(awk -v a="$t" -v b="$RUN_T0" 'BEGIN{printf "%.3f", a-b}')" "$1" "$2" "${3:-{\}}" >>"$EVENTS"
  log "fault step $1 $2 ${3:-}"
}

ipt() { nsx iptables -w 5 "$@"; }
chain() {  # ensure chain $1 exists and is jumped to from OUTPUT
  ipt -N "$1" 2>/dev/null || true
  ipt -C OUTPUT -j "$1" 2>/dev/null || ipt -I OUTPUT -j "$1"
}

beam_pid() { pidfile_pid "$TB/rmq/n$1/beam.pid"; }
gal_pid() { pidfile_pid "$PIDS/mariadb-$1.pid"; }

partition() {  # partition KIND I BASEPORT : cut server I off from its two peers
  local kind=$1 i=$2 base=$3 j peers=()
  chain FLTB_PART
  for j in 0 1 2; do [[ $j == "$i" ]] || peers+=("$j"); done
  ipt -A FLTB_PART -p tcp -m cgroup --path "$NS/$kind-$i" -m multiport \
      --dports "$((base+peers[0])),$((base+peers[1]))" -j CONNMARK --set-mark 0x1
  for j in "${peers[@]}"; do
    ipt -A FLTB_PART -p tcp -m cgroup --path "$NS/$kind-$j" --dport "$((base+i))" -j CONNMARK --set-mark 0x1
  done
  ipt -A FLTB_PART -p tcp -m connmark --mark 0x1 -j DROP
}

heal() { ipt -F FLTB_PART 2>/dev/null || true; }

step=${1:-}; shift || true
case "$step" in
  rmq-kill)
    p=$(beam_pid "$1"); pid_alive "$p" || die "rabbitmq-$1 not running"
    t=$(now); kill -9 "$p"; wait_dead "$p"; ev rmq-kill "rabbitmq/rabbitmq-$1" "{\"signal\": \"SIGKILL\", \"pid\": $p}" "$t" ;;
  rmq-start)
    ev rmq-start "rabbitmq/rabbitmq-$1" '{}'
    "$TESTBED_SRC/nodes.sh" rmq-start "$1"
    ev rmq-started "rabbitmq/rabbitmq-$1" '{"note": "rabbitmqctl wait returned (app running)"}' ;;
  rmq-freeze)
    p=$(beam_pid "$1"); t=$(now); kill -STOP "$p"; ev rmq-freeze "rabbitmq/rabbitmq-$1" "{\"signal\": \"SIGSTOP\", \"pid\": $p}" "$t" ;;
  rmq-thaw)
    p=$(beam_pid "$1"); t=$(now); kill -CONT "$p"; ev rmq-thaw "rabbitmq/rabbitmq-$1" "{\"signal\": \"SIGCONT\", \"pid\": $p}" "$t" ;;
  rmq-partition)
    partition rabbitmq "$1" "$RMQ_DIST0"
    ev rmq-partition "rabbitmq/rabbitmq-$1" "{\"cut\": \"erlang distribution ports $RMQ_DIST0-$((RMQ_DIST0+2)) to/from peers\"}" ;;
  rmq-heal|gal-heal)
    t=$(now); heal; ev "$step" "" '{}' "$t" ;;
  gal-kill)
    p=$(gal_pid "$1"); pid_alive "$p" || die "mariadb-$1 not running"
    t=$(now); kill -9 "$p"; wait_dead "$p"; ev gal-kill "mariadb/mariadb-$1" "{\"signal\": \"SIGKILL\", \"pid\": $p}" "$t" ;;
  gal-kill-all)
    ps=(); for i in 0 1 2; do ps+=("$(gal_pid "$i")"); done
    t=$(now); kill -9 "${ps[@]}"; for p in "${ps[@]}"; do wait_dead "$p"; done
    ev gal-kill-all "mariadb/mariadb-0,mariadb/mariadb-1,mariadb/mariadb-2" "{\"signal\": \"SIGKILL\", \"pids\": [${ps[0]}, ${ps[1]}, ${ps[2]}]}" "$t" ;;
  gal-start)
    ev gal-start "mariadb/mariadb-$1" '{}'
    "$TESTBED_SRC/nodes.sh" gal-start "$1"
    ev gal-started "mariadb/mariadb-$1" '{"note": "wsrep_local_state_comment = Synced"}' ;;
  gal-freeze)
    p=$(gal_pid "$1"); kill -STOP "$p"; ev gal-freeze "mariadb/mariadb-$1" "{\"signal\": \"SIGSTOP\", \"pid\": $p}" ;;
  gal-thaw)
    p=$(gal_pid "$1"); kill -CONT "$p"; ev gal-thaw "mariadb/mariadb-$1" "{\"signal\": \"SIGCONT\", \"pid\": $p}" ;;
  gal-partition)
    partition mariadb "$1" "$GAL_GCOMM0"
    ev gal-partition "mariadb/mariadb-$1" "{\"cut\": \"gcomm ports $GAL_GCOMM0-$((GAL_GCOMM0+2)) to/from peers\"}" ;;
  gal-bootstrap-naive)
    # What an entrypoint that always bootstraps node 0 does after a full crash: refused by
    # safe_to_bootstrap: 0 (R-G14). The refusal text is copied into the event.
    i=$1; el="$TB/galera/n$i/error.log"; n0=$(wc -l <"$el")
    ev gal-bootstrap-attempt "mariadb/mariadb-$i" "{\"safe_to_bootstrap\": $(awk '/^safe_to_bootstrap:/{print $2}' "$TB/galera/n$i/data/grastate.dat"), \"seqno\": $(awk '/^seqno:/{print $2}' "$TB/galera/n$i/data/grastate.dat")}"
    "$TESTBED_SRC/nodes.sh" gal-start-nowait "$i" bootstrap norecover
    p=$(gal_pid "$i")
    for _ in $(seq 1 100); do pid_alive "$p" || break; sleep 0.1; done
    if pid_alive "$p"; then
      ev gal-bootstrap-accepted "mariadb/mariadb-$i" '{}'
    else
      msg=$(tail -n +"$((n0+1))" "$el" | grep -m1 -o 'It may not be safe to bootstrap[^.]*' || echo "exited")
      ev gal-bootstrap-refused "mariadb/mariadb-$i" "{\"error\": \"$msg\"}"
    fi ;;
  gal-restore)
    ev manual-restore "mariadb/mariadb-0,mariadb/mariadb-1,mariadb/mariadb-2" '{"procedure": "galera_recovery on each node, safe_to_bootstrap: 1 on the most advanced, bootstrap it, start the others"}'
    out=$("$TESTBED_SRC/nodes.sh" gal-restore)
    node=$(sed -n 's/.*RESTORE_BOOTSTRAP_NODE=\([^ ]*\).*/\1/p' <<<"$out"); seq=$(sed -n 's/.*RESTORE_SEQNO=\([^ ]*\).*/\1/p' <<<"$out")
    ev manual-restore-done "mariadb/mariadb-0,mariadb/mariadb-1,mariadb/mariadb-2" "{\"bootstrap_node\": \"mariadb/$node\", \"seqno\": ${seq:-null}}" ;;
  delay)
    ports=$1 ms=$2
    chain FLTB_NET
    p=$(cg_spawn nfq-delay "$TB/nfq_delay.log" "$TB/bin/nfq_delay" 0 "$ms")
    echo "$p" >"$PIDS/nfq_delay.pid"; sleep 0.3; pid_alive "$p" || die "nfq_delay did not start (see $TB/nfq_delay.log)"
    # both directions of the AMQP connections pass OUTPUT once on lo: +ms each way
    ipt -A FLTB_NET -p tcp --dport "$ports" -j NFQUEUE --queue-num 0 --queue-bypass
    ipt -A FLTB_NET -p tcp --sport "$ports" -j NFQUEUE --queue-num 0 --queue-bypass
    ev delay "ports:$ports" "{\"delay_ms_each_way\": $ms, \"ports\": \"$ports\", \"helper_pid\": $p}" ;;
  loss)
    ports=$1 prob=$2
    chain FLTB_NET
    ipt -A FLTB_NET -p tcp --dport "$ports" -m statistic --mode random --probability "$prob" -j DROP
    ipt -A FLTB_NET -p tcp --sport "$ports" -m statistic --mode random --probability "$prob" -j DROP
    ev loss "ports:$ports" "{\"loss_each_way\": $prob, \"ports\": \"$ports\"}" ;;
  net-clear)
    ipt -F FLTB_NET 2>/dev/null || true
    p=$(pidfile_pid "$PIDS/nfq_delay.pid")
    if pid_alive "$p"; then kill -TERM "$p"; for _ in $(seq 1 20); do pid_alive "$p" || break; sleep 0.1; done; fi
    rm -f "$PIDS/nfq_delay.pid"
    ev net-clear "" '{}' ;;
  *) die "unknown fault step '$step' (see the header of $0)" ;;
esac
