#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset) and runs them: a bounded smoke for the test command, or a
# long campaign. The committed seed corpora (tests/fuzz/corpus/<target>) are only read; new inputs go to
# build/fuzz/corpus-new/<target>, crashes to build/fuzz/crashes/. Exits non-zero when a fuzzer finds a crash.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

targets=(fuzz_codec fuzz_scenario fuzz_presets fuzz_gateway_request)
build="$root/build/fuzz"

usage() {
  cat <<EOF
usage: tests/fuzz/run.sh smoke
       tests/fuzz/run.sh campaign [SECONDS] [TARGET...]

  smoke      build, then run each target over its seed corpus plus ${SMOKE_RUNS:-20000} new inputs
             (at most ${SMOKE_SECONDS:-30} s each); the test command runs this.
  campaign   build, then run each target (or the TARGETs named) for SECONDS (default 3600) each, one after
             the other; new corpus entries go to build/fuzz/corpus-new/<target>, crashes to build/fuzz/crashes/.
             Fold useful new entries into tests/fuzz/corpus/<target> by hand (keep it small).

Per target it prints the executions, execs/s, coverage (edges) and features. Targets: ${targets[*]}.
Environment: SMOKE_RUNS, SMOKE_SECONDS, FUZZ_FLAGS (extra libFuzzer flags).
EOF
}

build_fuzzers() {
  echo "fuzz: configure and build (build/fuzz)" >&2
  nice cmake --preset fuzz >/dev/null
  nice cmake --build --preset fuzz -- -j2 >/dev/null
}

# Runs one target; prints its summary line; returns libFuzzer's exit status.
run_target() {
  local target=$1 log=$2
  shift 2
  local corpus_new="$build/corpus-new/$target"
  mkdir -p "$corpus_new" "$build/crashes"
  local status=0
  # The new-corpus directory comes first: libFuzzer writes new inputs only to the first one.
  nice "$build/tests/fuzz/$target" "$corpus_new" "tests/fuzz/corpus/$target" \
    -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 -detect_leaks=0 \
    ${FUZZ_FLAGS:-} "$@" >"$log" 2>&1 || status=$?
  local execs rate cov ft
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n 1)
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
  printf '%-22s execs %-10s execs/s %-7s cov %-6s ft %-6s %s\n' "$target" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$([ "$status" = 0 ] && echo ok || echo "CRASH (see $log)")"
  return "$status"
}

mode=${1:-}
case "$mode" in
  -h|--help|help) usage; exit 0 ;;
  smoke)
    build_fuzzers
    failed=0
    for target in "${targets[@]}"; do
      run_target "$target" "$build/smoke-$target.log" -runs="${SMOKE_RUNS:-20000}" \
        -max_total_time="${SMOKE_SECONDS:-30}" || failed=1
    done
    exit "$failed"
    ;;
  campaign)
    seconds=${2:-3600}
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2; }
    shift $(( $# >= 2 ? 2 : 1 ))
    chosen=("$@")
    [ "${#chosen[@]}" -gt 0 ] || chosen=("${targets[@]}")
    build_fuzzers
    failed=0
    for target in "${chosen[@]}"; do
      [ -x "$build/tests/fuzz/$target" ] || { echo "run.sh: no fuzz target '$target'" >&2; exit 2; }
      run_target "$target" "$build/campaign-$target.log" -max_total_time="$seconds" || failed=1
    done
    exit "$failed"
    ;;
  *) usage >&2; exit 2 ;;
esac
