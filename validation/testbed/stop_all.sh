#!/bin/bash
# Teardown: stops every testbed process by PID (helpers, clients, Prometheus, RabbitMQ, Galera,
# epmd), verifies that none remains, then removes the namespace, its iptables rules and the cgroups.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
T0=$(now)
mkdir -p "$PIDS"

# workload clients and fault helpers first (pid files written by run_experiment.sh / fault.sh)
for f in "$PIDS"/publisher*.pid "$PIDS"/consumer*.pid "$PIDS"/watch*.pid "$PIDS"/nfq_delay*.pid; do
  [[ -f "$f" ]] || continue
  p=$(pidfile_pid "$f")
  if pid_alive "$p"; then kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; sleep 0.5; pid_alive "$p" && kill -9 "$p"; fi
  rm -f "$f"
done
if ip netns list | grep -qw "$NS"; then nsx iptables -F 2>/dev/null || true; fi  # lift faults first

./nodes.sh mon-stop
pids=()
for i in 0 1 2; do ./nodes.sh rmq-stop "$i" & pids+=($!); done
for i in 0 1 2; do ./nodes.sh gal-stop "$i" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || true; done
p=$(pidfile_pid "$PIDS/epmd.pid"); if pid_alive "$p"; then kill -TERM "$p"; sleep 0.3; pid_alive "$p" && kill -9 "$p"; fi

# Verification: no PID we recorded is alive, and no process is left in the namespace or cgroups.
left=()
for f in "$PIDS"/*.pid "$TB"/rmq/n*/beam.pid "$TB"/galera/n*/mysqld.pid; do
  [[ -f "$f" ]] || continue
  p=$(pidfile_pid "$f"); pid_alive "$p" && left+=("$p($(basename "$f"))")
done
if ip netns list | grep -qw "$NS"; then
  for p in $(ip netns pids "$NS" 2>/dev/null); do left+=("$p(netns)"); done
fi
if [[ -d "$CG" ]]; then
  for f in "$CG"/*/cgroup.procs; do [[ -f "$f" ]] && for p in $(cat "$f"); do left+=("$p(cgroup)"); done; done
fi
if ((${#left[@]})); then
  log "processes still alive, sending SIGKILL: ${left[*]}"
  for x in "${left[@]}"; do kill -CONT "${x%%(*}" 2>/dev/null || true; kill -9 "${x%%(*}" 2>/dev/null || true; done
  sleep 1
  for x in "${left[@]}"; do pid_alive "${x%%(*}" && die "could not stop ${x}"; done
fi
rm -f "$PIDS"/*.pid
./nodes.sh netns-down
log "VERIFIED: no testbed process remains; namespace $NS, its iptables rules and cgroups removed ($(awk -v a="$T0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s)"
