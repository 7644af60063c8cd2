#!/bin/bash
# Starts the whole testbed from scratch: netns, 3 RabbitMQ nodes (clustered), 3 Galera nodes,
# exporters and Prometheus; declares the queues and the consumer's table. About 45-60 s.
# Any testbed left from before is stopped first. On failure everything started is stopped again.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
T0=$(now)

ok=0
cleanup() { ((ok)) || { log "start_all failed: stopping what was started"; ./stop_all.sh || true; }; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -d "$PIDS" ]] && ls "$PIDS"/*.pid >/dev/null 2>&1; then ./stop_all.sh; fi
./nodes.sh netns-up

# RabbitMQ: 3 fresh nodes in parallel, then nodes 1 and 2 join node 0 (one at a time).
./nodes.sh rmq-prepare
./nodes.sh epmd-start
pids=()
for i in 0 1 2; do ./nodes.sh rmq-start "$i" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || die "a RabbitMQ node failed to start"; done
./nodes.sh rmq-join 1
./nodes.sh rmq-join 2

# Galera: initialise and bootstrap node 0; nodes 1 and 2 join by rsync SST.
./nodes.sh gal-prepare
./nodes.sh gal-start 0 bootstrap
./nodes.sh gal-init-schema
./nodes.sh gal-start 1
./nodes.sh gal-start 2

./nodes.sh mon-start
$PY ./tbctl.py reset-queues
wait_for 30 $PY ./tbctl.py health --quiet || $PY ./tbctl.py health || die "health gate failed after start"
ok=1
log "testbed up in $(awk -v a="$T0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"
