#!/bin/bash
# One recorded run of one experiment on a running testbed:
#   run_experiment.sh EXPERIMENT K [OUTDIR]     (default OUTDIR validation/traces/EXPERIMENT/run-K)
# Health gate (heal, else exit 2 so record.sh can rebuild), reset queues and table, start the consumer
# and the publisher, apply the fault schedule, wait for the publisher, drain, stop the consumer,
# health gate again (heal; messages still queued after a heal are drained and counted late),
# export Prometheus, analyse. Exits non-zero when something fails; never leaves a process behind.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
source ./experiments.sh

EXP=${1:?usage: run_experiment.sh EXPERIMENT K [OUTDIR]}; K=${2:?run number}
[[ -n "${EXP_SCHED[$EXP]:-}" ]] || die "unknown experiment '$EXP' (known: ${EXP_NAMES[*]})"
OUT=${3:-$TRACES_DIR/$EXP/run-$K}
RATE=${RATE:-100}; DURATION=${DURATION:-120}; PREFETCH=${PREFETCH:-10}; HEARTBEAT=${HEARTBEAT:-10}
DRAIN_MAX=${DRAIN_MAX:-60}
RAW="$TB/runs/$EXP/run-$K"
rm -rf "$RAW"; mkdir -p "$RAW" "$PIDS"
EVENTS="$RAW/events.jsonl"; : >"$EVENTS"

bg_pids=()
cleanup() {
  local rc=$?
  export EVENTS=/dev/null   # the run's events file is closed
  for p in "${bg_pids[@]}"; do
    if pid_alive "$p"; then kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; fi
  done
  sleep 0.5
  for p in "${bg_pids[@]}"; do pid_alive "$p" && kill -9 "$p" 2>/dev/null || true; done
  # lift any fault still applied, and thaw what may be frozen
  ./fault.sh net-clear >/dev/null 2>&1 </dev/null || true
  ./fault.sh rmq-heal >/dev/null 2>&1 </dev/null || true
  for i in 0 1 2; do
    p=$(pidfile_pid "$TB/rmq/n$i/beam.pid"); [[ -n "$p" ]] && kill -CONT "$p" 2>/dev/null || true
    p=$(pidfile_pid "$PIDS/mariadb-$i.pid"); [[ -n "$p" ]] && kill -CONT "$p" 2>/dev/null || true
  done
  rm -f "$PIDS"/publisher.pid "$PIDS"/consumer.pid "$PIDS"/watch-*.pid
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

log "=== $EXP run $K: ${EXP_DESC[$EXP]}"
# ---- health gate before
if ! $PY ./tbctl.py health --heal --json "$RAW/health_before.json"; then
  log "health gate before the run failed (after healing); a rebuild is needed"
  exit 2
fi
$PY ./tbctl.py reset-queues || { log "resetting the queues failed"; exit 2; }
./tbctl.py health --quiet --json "$RAW/health_before.json" || { log "health after reset failed"; exit 2; }

# ---- workload: the consumer subscribes first; then the publisher connects and fixes t0 = 1 s after
# its confirm channel is ready (a fixed lead time was not enough on the loaded machine: messages due
# before the connection existed were counted as send-failed)
$PY ./consumer.py --prefetch "$PREFETCH" --heartbeat "$HEARTBEAT" --first-node 2 --first-db 0 \
  --log "$RAW/consumer.csv" 2>"$RAW/consumer.err" &
CPID=$!; bg_pids+=("$CPID"); echo "$CPID" >"$PIDS/consumer.pid"
wait_for 60 bash -c "[[ \$(grep -c ',subscribed,' '$RAW/consumer.csv' 2>/dev/null) -ge 2 ]]" \
  || die "the consumer did not subscribe to both queues within 60 s"
$PY ./publisher.py --rate "$RATE" --duration "$DURATION" --t0-file "$RAW/t0" --first-node 0 --heartbeat "$HEARTBEAT" \
  --log "$RAW/publisher.csv" 2>"$RAW/publisher.err" &
PPID_=$!; bg_pids+=("$PPID_"); echo "$PPID_" >"$PIDS/publisher.pid"
wait_for 60 test -s "$RAW/t0" || die "the publisher did not connect within 60 s"
T0=$(cat "$RAW/t0")
export EVENTS RUN_T0=$T0
cat >"$RAW/run.json" <<JSON
{"experiment": "$EXP", "run": $K, "description": "${EXP_DESC[$EXP]}",
 "start_epoch": $T0, "start_time": "$(date -u -d "@$T0" +%Y-%m-%dT%H:%M:%S.%3NZ)",
 "rate_msg_per_s": $RATE, "duration_s": $DURATION, "prefetch": $PREFETCH, "heartbeat_s": $HEARTBEAT,
 "queues": ["qq", "cq"], "schedule": "${EXP_SCHED[$EXP]}", "watch": "${EXP_WATCH[$EXP]}",
 "host": "$(hostname)", "kernel": "$(uname -r)"}
JSON

UNTIL=$(awk -v t="$T0" -v d="$DURATION" 'BEGIN{printf "%.3f", t+d+30}')
for w in ${EXP_WATCH[$EXP]}; do
  tgt=${w%@*}; off=${w#*@}
  $PY ./tbctl.py watch "$tgt" --events "$EVENTS" --t0 "$T0" --after-step "$off" --until "$UNTIL" 2>>"$RAW/watch.err" &
  bg_pids+=("$!"); echo "$!" >"$PIDS/watch-${tgt//\//_}.pid"
done

# ---- fault schedule (in this shell: each step waits for its offset, then runs to completion)
step_fail=0
IFS=';' read -ra STEPS <<<"${EXP_SCHED[$EXP]}"
for s in "${STEPS[@]}"; do
  off=${s%%:*}; cmd=${s#*:}
  wait_s=$(awk -v t="$T0" -v o="$off" -v n="$(now)" 'BEGIN{w=t+o-n; printf "%.3f", (w>0?w:0)}')
  sleep "$wait_s"
  # shellcheck disable=SC2086
  if ! ./fault.sh $cmd </dev/null 2>>"$RAW/fault.err"; then
    log "fault step '$cmd' failed (see $RAW/fault.err)"; step_fail=1
    printf '{"t": %s, "ev": "step-failed", "step": "%s"}\n' "$(now)" "$cmd" >>"$EVENTS"
  fi
done

# ---- end of publishing, then drain
wait "$PPID_" || log "publisher exited with $?"
T_PUB_END=$(now)
log "publisher done; draining (at most ${DRAIN_MAX}s)"
end=$(( $(date +%s) + DRAIN_MAX )); zero=0
while (( $(date +%s) < end )); do
  d=$($PY ./tbctl.py queue-depth 2>/dev/null || echo -1)
  if [[ "$d" == 0 ]]; then zero=$((zero+1)); ((zero >= 2)) && break; else zero=0; fi
  sleep 1
done
kill -TERM "$CPID"; wait "$CPID" || true
T_END=$(now)
log "run window ends (depth at end: ${d:-?})"
for p in "${bg_pids[@]}"; do pid_alive "$p" && kill -TERM "$p" 2>/dev/null || true; done

# ---- health gate after; heal, then drain what a heal brought back (counted as late deliveries)
healthy_after=true
if ! $PY ./tbctl.py health --json "$RAW/health_after.json"; then
  healthy_after=false
  printf '{"t": %s, "t_s": %s, "ev": "heal-start"}\n' "$(now)" "$(awk -v a="$(now)" -v b="$T0" 'BEGIN{printf "%.3f", a-b}')" >>"$EVENTS"
  $PY ./tbctl.py health --heal --json "$RAW/health_after_heal.json" || { log "health gate failed after healing"; step_fail=1; }
  printf '{"t": %s, "t_s": %s, "ev": "heal-done"}\n' "$(now)" "$(awk -v a="$(now)" -v b="$T0" 'BEGIN{printf "%.3f", a-b}')" >>"$EVENTS"
fi
d=$($PY ./tbctl.py queue-depth 2>/dev/null || echo -1)
if [[ "$d" != 0 ]]; then
  log "$d messages still queued after the run: late drain"
  $PY ./consumer.py --prefetch "$PREFETCH" --first-node 2 --log "$RAW/consumer_late.csv" 2>>"$RAW/consumer.err" &
  LPID=$!; bg_pids+=("$LPID")
  end=$(( $(date +%s) + DRAIN_MAX ))
  while (( $(date +%s) < end )); do
    [[ "$($PY ./tbctl.py queue-depth 2>/dev/null)" == 0 ]] && break; sleep 1
  done
  kill -TERM "$LPID"; wait "$LPID" || true
fi
DB_ROWS=$($PY ./tbctl.py db-count 2>/dev/null || echo -1)

# ---- records
cat >"$RAW/window.json" <<JSON
{"start_epoch": $T0, "publish_end_epoch": $T_PUB_END, "end_epoch": $T_END, "healthy_after": $healthy_after,
 "db_rows": $DB_ROWS, "step_failures": $step_fail}
JSON
$PY ./export_prom.py --start "$T0" --end "$T_END" --out "$RAW/query_range.json"
$PY ./analyze.py "$RAW" --out "$OUT"
./tbctl.py health --quiet --json "$RAW/health_final.json" || { log "testbed unhealthy after the run"; }
((step_fail == 0)) || die "$EXP run $K: a fault step or the healing failed"
log "=== $EXP run $K recorded in $OUT"
