#!/usr/bin/env bash
# Builds the libFuzzer targets (release, -sanitize=fuzzer,address, in .build-fuzz) and runs
# each for FUZZ_SECONDS. New corpus entries go to a temporary folder (the committed corpus
# under Fuzz/corpus/ is only read); a crash, hang or memory blow-up fails the run and leaves
# its input under .build-fuzz/artifacts/TARGET/.
#
#   bash Fuzz/run.sh [TARGET...]        default: every target in FUZZ_TARGETS
#   FUZZ_SECONDS=600 bash Fuzz/run.sh sip-message
#   FUZZ_BUILD_ONLY=1 bash Fuzz/run.sh  build, then replay the committed corpus once
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${FUZZ_SECONDS:-60}
SCRATCH=${FUZZ_BUILD_DIR:-$ROOT/.build-fuzz}
TARGETS=(${@:-${FUZZ_TARGETS:-sip-message sdp graph-json config-toml pidf}})
SWIFT=${SWIFT:-swift}
export SWIFT_BACKTRACE=enable=no   # libFuzzer prints the crash; Swift's backtracer only slows it down

# Dictionaries, where a target has one.
declare -A DICT=([sip-message]=sip.dict [sdp]=sdp.dict [graph-json]=json.dict [pidf]=pidf.dict)
# TOMLKit never frees a parsed document (no API to), so leak checks are off for the
# configuration loader; a run long enough to leak past -rss_limit_mb still fails.
declare -A LEAKS=([config-toml]=0)

build=("$SWIFT" build --package-path Fuzz --scratch-path "$SCRATCH" -c release
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
       -Xcxx -fsanitize=fuzzer-no-link,address)
work=$(mktemp -d "${TMPDIR:-/tmp}/softphone-fuzz.XXXXXX")
echo "building: ${TARGETS[*]} (log: $work/build.log)"
# One product per invocation: `swift build` honours only the last --product given.
for target in "${TARGETS[@]}"; do
    "${build[@]}" --product "fuzz-$target" >>"$work/build.log" 2>&1
    status=$?
    if [ "$status" -ne 0 ]; then echo "fuzz: build of fuzz-$target failed"; tail -40 "$work/build.log"; exit "$status"; fi
done
grep -a "error:\|Build of" "$work/build.log" | tail -20
BIN=$("${build[@]}" --show-bin-path 2>/dev/null)
failed=()
rows=()
for target in "${TARGETS[@]}"; do
    exe="$BIN/fuzz-$target"
    corpus="$ROOT/Fuzz/corpus/$target"
    artifacts="$SCRATCH/artifacts/$target"
    mkdir -p "$work/$target" "$artifacts"
    args=(-timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/"
          -detect_leaks="${LEAKS[$target]:-1}")
    [ -n "${DICT[$target]:-}" ] && args+=(-dict="$ROOT/Fuzz/dict/${DICT[$target]}")
    log="$work/$target.log"
    if [ -n "${FUZZ_BUILD_ONLY:-}" ]; then
        # Replay the committed corpus once (regression check), no fuzzing.
        args+=(-runs=0)
    else
        args+=(-max_total_time="$SECONDS_EACH")
    fi
    echo "fuzzing $target for ${SECONDS_EACH}s (new entries: $work/$target, log: $log)"
    # The first folder receives new entries; the committed corpus is only read.
    ASAN_OPTIONS="detect_leaks=${LEAKS[$target]:-1}${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    timeout --kill-after=30 $((SECONDS_EACH + 300)) "$exe" "${args[@]}" "$work/$target" "$corpus" >"$log" 2>&1
    code=$?
    execs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
    rate=$(grep -a '^stat::average_exec_per_sec:' "$log" | tail -1 | awk '{print $2}')
    added=$(find "$work/$target" -type f | wc -l)
    crash=$(grep -ao "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
    if [ "$code" -ne 0 ] || [ -n "$crash" ]; then
        failed+=("$target")
        result="FAILED (exit $code)"
        echo "---- $target failed: last lines of $log"
        grep -av '^#\|^INFO\|^    NEW_FUNC' "$log" | tail -25
        [ -n "$crash" ] && echo "---- input kept: $crash (replay: $exe $crash)"
    else
        result=ok
    fi
    rows+=("$(printf '%-12s %10s %14s %8s  %s' "$target" "${rate:-?}" "${execs:-?}" "$added" "$result")")
done

echo
printf '%-12s %10s %14s %8s  %s\n' target exec/s executions new result
for row in "${rows[@]}"; do echo "$row"; done
echo "new corpus entries (not committed): $work"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz: failed: ${failed[*]} (inputs under $SCRATCH/artifacts/)"
    exit 1
fi
