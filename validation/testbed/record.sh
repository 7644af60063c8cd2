#!/bin/bash
# Records named experiments into validation/traces/<experiment>/run-<k>/.
#   record.sh EXPERIMENT [EXPERIMENT...] [--repeat N] [--run K] [--keep-up]
#   record.sh --all [--repeat N] [--keep-up]
#   record.sh --list
# --repeat N: runs 1..N (default 3); --run K: only run K (re-record one run).
# Sets the testbed up if needed (install + start_all), rebuilds it when a health gate cannot be
# healed, retries a failed run once on a fresh testbed, regenerates validation/traces/README.md,
# and tears everything down at the end (unless --keep-up). Exit status 1 if any run failed.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
source ./experiments.sh

exps=(); repeat=3; only=""; keep=0
while (($#)); do
  case "$1" in
    --all) exps=("${EXP_NAMES[@]}") ;;
    --repeat) repeat=${2:?}; shift ;;
    --run) only=${2:?}; shift ;;
    --keep-up) keep=1 ;;
    --list) for e in "${EXP_NAMES[@]}"; do printf '%-24s %s\n' "$e" "${EXP_DESC[$e]}"; done; exit 0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [[ -n "${EXP_SCHED[$1]:-}" ]] || die "unknown experiment '$1' (record.sh --list)"; exps+=("$1") ;;
  esac
  shift
done
((${#exps[@]})) || die "name an experiment or --all (record.sh --list)"
runs=(); if [[ -n "$only" ]]; then runs=("$only"); else for ((k = 1; k <= repeat; k++)); do runs+=("$k"); done; fi

finish() {
  local rc=$?
  if ((keep == 0 || rc != 0)); then ./stop_all.sh || log "teardown reported a problem"; fi
  exit $rc
}
trap finish EXIT
trap 'log "interrupted"; exit 130' INT TERM

T0=$(date +%s)
./install.sh
if ! { [[ -s "$PIDS/prometheus.pid" ]] && $PY ./tbctl.py health --quiet; }; then
  log "testbed not up (or unhealthy): building it"
  ./start_all.sh
fi

failed=(); done_runs=()
for e in "${exps[@]}"; do
  for k in "${runs[@]}"; do
    dest="$TRACES_DIR/$e/run-$k"; tmp="$TRACES_DIR/$e/.run-$k.tmp"
    ok=0
    for attempt in 1 2; do
      rm -rf "$tmp"; mkdir -p "$TRACES_DIR/$e"
      t=$(date +%s)
      set +e; ./run_experiment.sh "$e" "$k" "$tmp"; rc=$?; set -e
      if ((rc == 0)); then ok=1; log "$e run $k took $(( $(date +%s) - t )) s"; break; fi
      log "$e run $k failed (exit $rc, attempt $attempt); rebuilding the testbed"
      ./stop_all.sh && ./start_all.sh || die "could not rebuild the testbed"
    done
    if ((ok)); then rm -rf "$dest"; mv "$tmp" "$dest"; done_runs+=("$e/run-$k"); else rm -rf "$tmp"; failed+=("$e/run-$k"); fi
  done
done
$PY ./make_traces_readme.py
log "recorded ${#done_runs[@]} run(s) in $(( $(date +%s) - T0 )) s: ${done_runs[*]:-none}"
if ((${#failed[@]})); then die "FAILED runs: ${failed[*]}"; fi
