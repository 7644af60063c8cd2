#!/usr/bin/env bash
# Builds the importers' libFuzzer targets with clang-14 (ASan + UBSan) in build-fuzz/ and runs
# each on a seed corpus made of the project's fixtures plus ../shared/corpus when present.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [RUNS_PER_TARGET]
# The suite's pass (the defaults, 8 s and 15000 inputs) is reproducible: a fixed libFuzzer seed,
# the same seed corpus every time, and a run count that ends before the time cap on this
# hardware, so CI explores the inputs a developer's run explored. For a real search give a long
# time and 0 runs (no limit), e.g. `tests/fuzz/run.sh 600 0`; new inputs are then kept in
# build-fuzz/fuzz/found/<target>/ and seed later runs too.
# Crashes are written to build-fuzz/fuzz/crashes/<target>/ and fail the script.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-8}"
runs="${2:-15000}"
root="$PWD"
shared="$root/../shared/corpus"
build="$root/build-fuzz"
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFAULTLINE_FUZZ=ON -DFAULTLINE_SANITIZE=ON -DFAULTLINE_BUILD_TESTS=OFF >/dev/null
fi
targets=(fuzz_chaos_mesh fuzz_k8s_events fuzz_litmus fuzz_chaos_toolkit fuzz_k6 fuzz_k6_records fuzz_describe
         fuzz_timeline fuzz_cron)
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"
fixtures="$root/tests/fixtures/records"
seed() {  # target → the folders and files that seed it
  case "$1" in
    fuzz_chaos_mesh) echo "$fixtures/chaos-mesh $shared/chaos-mesh $shared/istio $root/tests/fixtures/importers" ;;
    fuzz_k8s_events) echo "$fixtures/chaos-mesh $fixtures/litmus $fixtures/errors" ;;
    fuzz_litmus) echo "$fixtures/litmus $shared/litmus" ;;
    fuzz_chaos_toolkit) echo "$fixtures/chaostoolkit $shared/chaostoolkit" ;;
    fuzz_k6) echo "$fixtures/k6 $fixtures/litmus/k6-orders-100rps.json" ;;
    fuzz_k6_records) echo "$fixtures/k6 $shared/prometheus" ;;
    fuzz_describe) echo "$fixtures/chaos-mesh/podchaos-describe.txt $shared/litmus/litmus-mkdocs/chaos-result" ;;
    fuzz_timeline) echo "$fixtures/timeline" ;;
    fuzz_cron) echo "$fixtures/cron" ;;
  esac
}
status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz/corpus/$t"
  crashes="$build/fuzz/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  for src in $(seed "$t") "$root/tests/fuzz/regressions/$t"; do  # past findings always run
    [ -e "$src" ] || continue
    find "$src" -type f ! -name MANIFEST.tsv ! -name README.md -size -200k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  done
  found="$build/fuzz/found/$t"
  mkdir -p "$found"
  dirs=("$corpus")
  if [ "$runs" -eq 0 ]; then
    dirs=("$found" "$corpus")   # a long search keeps what it finds
  else
    scratch="$(mktemp -d)"; dirs=("$scratch" "$corpus")
  fi
  echo "fuzz: $t for at most ${seconds}s / ${runs} inputs on $(ls "$corpus" | wc -l) seeds"
  if ! "$build/fuzz/$t" "${dirs[@]}" -seed=1 -runs="$([ "$runs" -eq 0 ] && echo -1 || echo "$runs")" -max_total_time="$seconds" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$crashes/" -print_final_stats=0 \
        >"$build/fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FAILED, see $build/fuzz/$t.log and $crashes" >&2
    tail -30 "$build/fuzz/$t.log" >&2
    status=1
  else
    grep -E "^(Done [0-9]+ runs|#[0-9]+ *DONE)" "$build/fuzz/$t.log" | tail -1 || true
  fi
  [ "$runs" -eq 0 ] || rm -rf "$scratch"
done
exit $status
