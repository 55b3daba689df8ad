#!/usr/bin/env bash
# Measures the real binary in tmux: time from start to the first frame, and resident
# memory at idle. Prints a table. Usage: tests/bench/tui.sh [path/to/softphone] [runs]
set -u
BIN=$(realpath "${1:-.build/release/softphone}")
RUNS=${2:-7}
TMP=$(mktemp -d)
SOCK="softphone-bench-$$"
tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
# A session that lives for the whole run keeps the tmux server up between runs.
tmx new-session -d -s keeper -x 40 -y 5 "sleep 3600"
SERVER=$(tmx display-message -p '#{pid}')
cleanup() {
    for f in "$TMP"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    kill "$SERVER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# run N: starts the demo, waits for its first frame; prints milliseconds from launch to first frame.
run() {
    local n=$1 frame="$TMP/frame-$1"
    local t0
    t0=$(date +%s%N)
    tmx new-session -d -s "r$n" -x 120 -y 40 \
        "echo \$\$ > '$TMP/r$n.pid'; exec env -i PATH='$PATH' HOME='$TMP' TERM=xterm-256color LANG=C.UTF-8 \
         SOFTPHONE_FIRST_FRAME_FILE='$frame' '$BIN' --demo"
    for _ in $(seq 100); do [ -s "$frame" ] && break; sleep 0.05; done
    [ -s "$frame" ] || { echo "no first frame in run $n" >&2; return 1; }
    echo $(( ($(cat "$frame") - t0) / 1000000 ))
}

times=()
for n in $(seq "$RUNS"); do
    ms=$(run "$n") || exit 1
    times+=("$ms")
    if [ "$n" -lt "$RUNS" ]; then kill "$(cat "$TMP/r$n.pid")"; tmx kill-session -t "r$n" 2>/dev/null; rm -f "$TMP/r$n.pid"; fi
done
# The last instance idles for a while (the demo keeps running), then its memory is read.
sleep 5
pid=$(cat "$TMP/r$RUNS.pid")
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
cpu_ticks_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 5
cpu_ticks_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
hz=$(getconf CLK_TCK)

sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
worst=$(echo "$sorted" | tail -n 1)
best=$(echo "$sorted" | head -n 1)
cpu_pct=$(awk -v d=$((cpu_ticks_after - cpu_ticks_before)) -v hz="$hz" 'BEGIN {printf "%.1f", d * 100 / (hz * 5)}')

printf '\n%-44s %12s %10s\n' "softphone --demo in tmux (120x40)" "measured" "aim"
printf '%-44s %9s ms %10s\n' "start to first frame, median of $RUNS" "$median" "< 200 ms"
printf '%-44s %9s ms %10s\n' "start to first frame, best / worst" "$best / $worst" ""
printf '%-44s %9s MB %10s\n' "resident memory at idle (VmRSS)" "$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k/1024}')" "< 30 MB"
printf '%-44s %9s MB %10s\n' "peak resident memory (VmHWM)" "$(awk -v k="$hwm_kb" 'BEGIN {printf "%.1f", k/1024}')" ""
printf '%-44s %10s %% %10s\n' "CPU while idle (demo running, 5 s)" "$cpu_pct" "near 0"
