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
# The first frame is the log's "first frame drawn" line (its own XDG_STATE_HOME per run; the
# log's timestamps have millisecond precision).
run() {
    local n=$1 log="$TMP/state-$1/softphone/softphone.log"
    local t0 line stamp
    t0=$(date +%s%3N)
    tmx new-session -d -s "r$n" -x 120 -y 40 \
        "echo \$\$ > '$TMP/r$n.pid'; exec env -i PATH='$PATH' HOME='$TMP' XDG_STATE_HOME='$TMP/state-$n' \
         TERM=xterm-256color LANG=C.UTF-8 '$BIN' --demo"
    for _ in $(seq 400); do grep -q "softphone.app: first frame drawn" "$log" 2>/dev/null && break; sleep 0.05; done   # bounded: 20 s
    line=$(grep -m1 "softphone.app: first frame drawn" "$log" 2>/dev/null) || { echo "no first frame in run $n" >&2; return 1; }
    stamp=$(date -d "${line%% *}" +%s%3N)
    echo $(( stamp - t0 ))
}

times=()
for n in $(seq "$RUNS"); do
    ms=$(run "$n") || exit 1
    times+=("$ms")
    if [ "$n" -lt "$RUNS" ]; then kill "$(cat "$TMP/r$n.pid")"; tmx kill-session -t "r$n" 2>/dev/null; rm -f "$TMP/r$n.pid"; fi
done
# idle PID: resident memory (MB) and CPU share while idle for 5 s.
idle() {
    local pid=$1 before after
    rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
    anon=$(awk '/^RssAnon/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
    pss=$(awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo "?")
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 5
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    cpu=$(awk -v d=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", d * 100 / (hz * 5)}')
}

# The last demo instance idles for a while (its script keeps running), then is measured.
sleep 5
idle "$(cat "$TMP/r$RUNS.pid")"
demo_rss=$rss demo_cpu=$cpu
kill "$(cat "$TMP/r$RUNS.pid")"

# The softphone alone: a configuration pointing at the Teams emulator in its own process.
"$BIN" teams-emulator --listen 127.0.0.1:18499 --user agent --colleagues 40 >/dev/null 2>&1 &
EMULATOR=$!
echo "$EMULATOR" > "$TMP/emulator.pid"
cat > "$TMP/config.toml" <<CONFIG
[user]
name = "Bench Agent"
extension = "1001"
[teams]
graph_url = "http://127.0.0.1:18499/v1.0"
token_url = "http://127.0.0.1:18499/emulator-tenant/oauth2/v2.0/token"
client_id = "emulator-client"
auth = "app"
user_id = "agent@emulator-tenant.onmicrosoft.com"
poll_interval_ms = 1000
CONFIG
sleep 1
tmx new-session -d -s alone -x 120 -y 40 \
    "echo \$\$ > '$TMP/alone.pid'; exec env -i PATH='$PATH' HOME='$TMP' XDG_DATA_HOME='$TMP/data' TERM=xterm-256color \
     LANG=C.UTF-8 SOFTPHONE_TEAMS_SECRET=emulator-secret '$BIN' --config '$TMP/config.toml'"
sleep 6
idle "$(cat "$TMP/alone.pid")"
alone_rss=$rss alone_cpu=$cpu alone_anon=$anon alone_pss=$pss

sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
worst=$(echo "$sorted" | tail -n 1)
best=$(echo "$sorted" | head -n 1)

printf '\n%-58s %12s %10s\n' "softphone in tmux (120x40), release build" "measured" "aim"
printf '%-58s %9s ms %10s\n' "--demo: start to first frame, median of $RUNS" "$median" "< 200 ms"
printf '%-58s %9s ms %10s\n' "--demo: start to first frame, best / worst" "$best / $worst" ""
printf '%-58s %9s MB %10s\n' "softphone alone at idle (Teams emulator elsewhere), RSS" "$alone_rss" "< 30 MB"
printf '%-58s %9s MB %10s\n' "  of which anonymous (heap, stacks); the rest is mapped code" "$alone_anon" ""
printf '%-58s %9s MB %10s\n' "  proportional share (PSS)" "$alone_pss" ""
printf '%-58s %10s %% %10s\n' "softphone alone at idle, CPU (polling Teams every 1 s)" "$alone_cpu" "near 0"
printf '%-58s %9s MB %10s\n' "--demo at idle, RSS (includes the in-process emulator)" "$demo_rss" ""
printf '%-58s %10s %% %10s\n' "--demo at idle, CPU (emulator, churn, 250 ms polling)" "$demo_cpu" ""
