#!/usr/bin/env bash
# End-to-end tests of the terminal UI: the real binary in tmux, as a person sees it.
# Usage: tests/e2e/tui.sh [path/to/softphone]
# Each case starts its own `softphone --demo` in a private tmux server and stops it by PID.
set -u
BIN=$(realpath "${1:-.build/debug/softphone}")
TMP=$(mktemp -d)
SOCK="softphone-e2e-$$"
passed=0
failed=0
why=""

tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }

# A session that lives for the whole run keeps the tmux server up between cases.
tmx new-session -d -s keeper -x 40 -y 5 "sleep 3600"
SERVER=$(tmx display-message -p '#{pid}')

cleanup() {
    local server=$SERVER
    for pid in $(cat "$TMP"/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null; done
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# The pane runs this wrapper: the app gets its own PID (recorded in NAME.pid) and its
# exit status is written to NAME.status when it ends.
cat >"$TMP/run-app.sh" <<WRAPPER
#!/bin/sh
name=\$1; shift
sh -c 'echo \$\$ > "\$0.pid"; exec "\$@"' "$TMP/\$name" env -i PATH="$PATH" HOME="$TMP/home" \\
    TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$BIN" --demo "\$@"
echo \$? > "$TMP/\$name.status"
# Keep the pane alive so the test can read what the app left behind (tmux's own
# "Pane is dead" banner would reset the cursor flag).
exec sleep 60
WRAPPER

# Every wait below is bounded, never a pace: it returns as soon as its condition holds. The
# bounds are generous (WAIT seconds by default) because a loaded machine — a build beside the
# tests — can delay the debug binary's start, a key or a frame by seconds.
WAIT=${E2E_WAIT:-20}

# start NAME [ARGS...]: runs softphone --demo ARGS in a 100x30 window; remembers the app's PID.
start() {
    local name=$1; shift
    mkdir -p "$TMP/home"
    tmx new-session -d -s "$name" -x 100 -y 30 "sh '$TMP/run-app.sh' $name $*"
    for _ in $(seq $((WAIT * 10))); do [ -s "$TMP/$name.pid" ] && break; sleep 0.1; done
}

# exited NAME: waits (bounded) until the app has ended; its status is then in NAME.status.
exited() {
    for _ in $(seq $((WAIT * 10))); do [ -s "$TMP/$1.status" ] && return 0; sleep 0.1; done
    why+="the app did not end; "
    return 1
}

# stop NAME: ends the app by its PID if it still runs, then the window.
stop() {
    local pid
    pid=$(cat "$TMP/$1.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
    tmx kill-session -t "$1" 2>/dev/null
    return 0
}

screen() { tmx capture-pane -p -t "$1"; }
keys() { local name=$1; shift; tmx send-keys -t "$name" "$@"; }

# wait_for NAME TEXT [SECONDS]: until the screen shows TEXT (bounded wait, not a timing assertion).
wait_for() {
    local name=$1 text=$2 limit=${3:-$WAIT}
    local tries=$((limit * 10))
    for _ in $(seq "$tries"); do
        screen "$name" | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    why+="never showed \"$text\"; "
    screen "$name" >"$TMP/last-screen.txt"
    return 1
}

# flag NAME FORMAT VALUE: waits (bounded) until tmux reports VALUE for the pane's FORMAT;
# tmux may still be reading the app's last output when the app has just ended.
flag() {
    for _ in $(seq $((WAIT * 10))); do [ "$(tmx display-message -p -t "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
    return 1
}

shows() { screen "$1" | grep -qF -- "$2" || { why+="does not show \"$2\"; "; return 1; }; }
hides() { ! screen "$1" | grep -qF -- "$2" || { why+="shows \"$2\"; "; return 1; }; }
# The first line of the screen: the status bar.
status_bar() { screen "$1" | head -n 1; }

# wait_bar NAME TEXT: until the status bar shows TEXT. Text elsewhere on the screen (the
# picker lists every state) does not count: the key may not have been read yet.
wait_bar() {
    local name=$1 text=$2
    for _ in $(seq $((WAIT * 10))); do
        status_bar "$name" | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    why+="the status bar never showed \"$text\"; "
    screen "$name" >"$TMP/last-screen.txt"
    return 1
}

# wait_last_line NAME ROWS TEXT: until the screen has ROWS lines and the last one shows TEXT
# (after a resize: the app's new frame, not what tmux kept of the old one).
wait_last_line() {
    local name=$1 rows=$2 text=$3 s
    for _ in $(seq $((WAIT * 10))); do
        s=$(screen "$name")
        [ "$(wc -l <<<"$s")" -eq "$rows" ] && tail -n 1 <<<"$s" | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    why+="no $rows-row frame ending in \"$text\"; "
    screen "$name" >"$TMP/last-screen.txt"
    return 1
}

# wait_gone NAME TEXT: until the screen no longer shows TEXT.
wait_gone() {
    local name=$1 text=$2
    for _ in $(seq $((WAIT * 10))); do
        screen "$name" | grep -qF -- "$text" || return 0
        sleep 0.1
    done
    why+="kept showing \"$text\"; "
    screen "$name" >"$TMP/last-screen.txt"
    return 1
}

case_() {
    local title=$1 fn=$2
    # E2E_ONLY=PATTERN runs only the cases whose function name matches.
    [ -n "${E2E_ONLY:-}" ] && [[ "$fn" != *$E2E_ONLY* ]] && return 0
    why=""
    if "$fn"; then
        passed=$((passed + 1)); echo "ok - $title"
    else
        failed=$((failed + 1)); echo "not ok - $title: $why"
        [ -f "$TMP/last-screen.txt" ] && sed 's/^/    | /' "$TMP/last-screen.txt" && rm -f "$TMP/last-screen.txt"
    fi
}

t_starts_available() {
    start a
    wait_bar a "🟢 Available"
    local ok=$?
    stop a
    return $ok
}

t_picker_do_not_disturb() {
    start b
    wait_for b "Available" || { stop b; return 1; }
    keys b p
    wait_for b "3 ⛔ Do not disturb" && wait_for b "7 ❌ Logout" && keys b 3 \
        && wait_bar b "⛔ Do not disturb"
    local ok=$?
    stop b
    return $ok
}

t_incoming_call_accept() {
    start c
    wait_for c "Available" && wait_for c "Incoming call" && wait_for c "Carla Caller" && keys c a \
        && wait_for c "On a call" && wait_gone c "Incoming call"
    local ok=$?
    stop c
    return $ok
}

# The demo's first call (Carla, direct) comes 3 s after start. On a loaded machine the app
# may read "p 3" after it: that call is then signalled (Available) and pops up, as it should.
# Such a call is declined and the test waits for the next one (Dan, a Sales queue call at
# 25 s): every call that arrives once Do not disturb is on must not pop up, and the Log
# must say why.
t_no_popup_when_not_signalled() {
    start d
    wait_bar d "Available" || { stop d; return 1; }
    local tries=0
    until status_bar d | grep -qF "⛔ Do not disturb"; do
        tries=$((tries + 1))
        [ "$tries" -le 3 ] || { why+="could not pick Do not disturb; "; screen d >"$TMP/last-screen.txt"; stop d; return 1; }
        if screen d | grep -qF "Incoming call"; then
            keys d d; wait_gone d "Incoming call" || { stop d; return 1; }
        fi
        keys d p
        wait_for d "3 ⛔ Do not disturb" 5 || continue
        keys d 3
        wait_bar d "⛔ Do not disturb" || why=""
    done
    # Popups from now on: a call that rang before Do not disturb (the Log says "signalled:
    # direct call") is declined and does not count.
    keys d Tab Tab Tab   # the Log tab
    wait_for d "[Log]" || { stop d; return 1; }
    local seen_popup=0 logged=0 s
    for _ in $(seq $(((45 + WAIT) * 10))); do
        s=$(screen d)
        grep -qF "not signalled: Do not disturb" <<<"$s" && { logged=1; break; }
        if grep -qF "Incoming call" <<<"$s"; then
            if grep -qF "signalled: direct call, Available" <<<"$s" && ! grep -qF "declined" <<<"$s"; then
                keys d d
                wait_gone d "Incoming call" || break
            else
                seen_popup=1
            fi
        fi
        sleep 0.1
    done
    stop d
    [ "$logged" -eq 1 ] || why+="the Log never said \"not signalled: Do not disturb\"; "
    [ "$seen_popup" -eq 0 ] || why+="a popup appeared for a call that was not signalled; "
    [ "$logged" -eq 1 ] && [ "$seen_popup" -eq 0 ]
}

t_logout() {
    start e
    wait_for e "Available" && keys e L && wait_bar e "❌ Logout"
    local ok=$?
    stop e
    return $ok
}

t_resize() {
    start f
    wait_for f "Available" || { stop f; return 1; }
    tmx resize-window -t f -x 80 -y 24
    local ok=0
    # tmux cuts the old frame at once; wait for the app's new one (the key bar on the last row)
    wait_last_line f 24 "q quit" && wait_for f "Available" && shows f "Calls" || ok=1
    tmx resize-window -t f -x 40 -y 10
    wait_for f "terminal too small" || ok=1
    tmx resize-window -t f -x 120 -y 40
    wait_last_line f 40 "q quit" && wait_for f "Available" && shows f "History" || ok=1
    stop f
    return $ok
}

# ends_restored NAME STATUS HOW...: starts the app, ends it by running HOW (a command,
# with NAME's PID as its last argument when HOW ends in "pid"), and checks that it
# exited with STATUS and left the alternate screen off and the cursor visible.
ends_restored() {
    local name=$1 status=$2; shift 2
    start "$name"
    wait_for "$name" "Available" || { stop "$name"; return 1; }
    flag "$name" '#{alternate_on}' 1 || why+="the UI did not use the alternate screen; "
    if [ "${*: -1}" = "pid" ]; then "${@:1:$#-1}" "$(cat "$TMP/$name.pid")"; else "$@"; fi
    local ok=0
    exited "$name" || { stop "$name"; return 1; }
    flag "$name" '#{alternate_on}' 0 || { why+="alternate screen still on; "; ok=1; }
    flag "$name" '#{cursor_flag}' 1 || { why+="cursor still hidden; "; ok=1; }
    [ "$(cat "$TMP/$name.status")" = "$status" ] || { why+="exit status $(cat "$TMP/$name.status"), expected $status; "; ok=1; }
    stop "$name"
    return $ok
}

t_quit_restores_terminal() { ends_restored g 0 keys g q; }
t_sigterm_restores_terminal() { ends_restored h 0 kill -TERM pid; }
# SIGABRT is what a Swift trap or abort() raises; 134 = 128 + SIGABRT.
t_crash_restores_terminal() { ends_restored k 134 kill -ABRT pid; }

# teams_shows URL USER AVAILABILITY: until the emulator's aggregate presence of USER has
# AVAILABILITY (bounded wait, read through the control API).
teams_shows() {
    local shown=""
    for _ in $(seq $((WAIT * 10))); do
        shown=$(curl -s "$1/_emulator/users/$2" | grep -o '"aggregate":{[^}]*}')
        grep -q "\"availability\":\"$3\"" <<<"$shown" && return 0
        sleep 0.1
    done
    why+="Teams never showed $3 for $2 ($shown); "
    return 1
}

t_teams_both_ways() {
    start t
    wait_for t "Available" || { stop t; return 1; }
    keys t Tab Tab Tab   # the Log tab names the demo's Teams emulator
    wait_for t "Teams emulator at http://127.0.0.1:" || { stop t; return 1; }
    wait_for t "Teams change notifications on (41 people" || { stop t; return 1; }   # the demo uses the webhook
    local url
    url=$(screen t | grep -o 'Teams emulator at http://127\.0\.0\.1:[0-9]*' | grep -o 'http://.*' | head -n 1)
    wait_for t "Incoming call" && keys t d   # the demo's first call: declined, so presence shows
    local ok=0
    # Teams -> softphone: the Teams app starts presenting.
    curl -s -X PUT -H 'Content-Type: application/json' \
        -d '{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}' \
        "$url/_emulator/users/ada/sessions/teams-desktop" >/dev/null || { why+="control API unreachable; "; ok=1; }
    wait_for t "⛔ Presenting" || ok=1
    curl -s -X PUT -H 'Content-Type: application/json' \
        -d '{"kind":"teamsClient","availability":"Available","activity":"Available"}' \
        "$url/_emulator/users/ada/sessions/teams-desktop" >/dev/null
    wait_for t "🟢 Available" || ok=1
    # softphone -> Teams: the agent picks Busy.
    keys t p 2
    teams_shows "$url" ada Busy || ok=1
    stop t
    return $ok
}

# A person's first day with a real tenant, against the strict emulator in its own process:
# `softphone teams login` shows a code, the test approves it as the agent would on the
# verification page (through the emulator's control API), then the TUI syncs both ways
# with the delegated token — no client secret anywhere.
t_teams_device_code_sign_in() {
    local d="$TMP/dc" port url ok=0
    mkdir -p "$d/home" "$d/data" "$d/state" "$d/run"
    chmod 700 "$d/run"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    url="http://127.0.0.1:$port"
    "$BIN" teams-emulator --listen "127.0.0.1:$port" --user ada --user bob --device-code-interval 1 --token-lifetime 30 \
        >"$d/emulator.log" 2>&1 &
    echo $! >"$TMP/dc-emulator.pid"
    for _ in $(seq $((WAIT * 10))); do curl -sf "$url/_emulator" >/dev/null && break; sleep 0.1; done
    cat >"$d/config.toml" <<CONFIG
[user]
name = "Ada"
[teams]
graph_url = "$url/v1.0"
token_url = "$url/emulator-tenant/oauth2/v2.0/token"
client_id = "emulator-client"
user_id = "ada@emulator-tenant.onmicrosoft.com"
poll_interval_ms = 500
[[colleagues]]
name = "Bob"
teams_id = "bob@emulator-tenant.onmicrosoft.com"
CONFIG
    local envs="env -i PATH='$PATH' HOME='$d/home' XDG_DATA_HOME='$d/data' XDG_STATE_HOME='$d/state' XDG_RUNTIME_DIR='$d/run' TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
    # 1. Sign in by device code.
    tmx new-session -d -s dclogin -x 120 -y 30 \
        "sh -c 'echo \$\$ > \"$TMP/dclogin.pid\"; exec $envs \"$BIN\" teams login --config \"$d/config.toml\"'; echo \$? > '$TMP/dclogin.status'; exec sleep 60"
    wait_for dclogin "code: " || { stop dclogin; return 1; }
    local code
    code=$(screen dclogin | sed -n 's/^ *code: *\([A-Z0-9-]*\).*/\1/p' | head -n 1)
    [ -n "$code" ] || { why+="no user code on screen; "; stop dclogin; return 1; }
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"user":"ada"}' \
        "$url/_emulator/devicecode/$code/approve" >/dev/null || { why+="approving $code failed; "; ok=1; }
    wait_for dclogin "Signed in as ada@emulator-tenant.onmicrosoft.com" || ok=1
    for _ in $(seq $((WAIT * 10))); do [ -s "$TMP/dclogin.status" ] && break; sleep 0.1; done
    [ "$(cat "$TMP/dclogin.status" 2>/dev/null)" = "0" ] || { why+="login exit status $(cat "$TMP/dclogin.status" 2>/dev/null); "; ok=1; }
    stop dclogin
    local file="$d/state/softphone/teams-token.json"
    [ "$(stat -c %a "$file" 2>/dev/null)" = "600" ] || { why+="token file missing or not 0600; "; ok=1; }
    grep -q "emulator-secret" "$file" 2>/dev/null && { why+="a secret in the token file; "; ok=1; }
    # 2. The TUI with the delegated token: Teams -> softphone and softphone -> Teams.
    tmx new-session -d -s dctui -x 120 -y 30 \
        "sh -c 'echo \$\$ > \"$TMP/dctui.pid\"; exec $envs \"$BIN\" --config \"$d/config.toml\"'; exec sleep 60"
    wait_bar dctui "in sync" || ok=1
    hides dctui "❎" || ok=1
    curl -s -X PUT -H 'Content-Type: application/json' \
        -d '{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}' \
        "$url/_emulator/users/ada/sessions/teams-desktop" >/dev/null
    wait_for dctui "⛔ Presenting" || ok=1
    curl -s -X DELETE "$url/_emulator/users/ada/sessions/teams-desktop" >/dev/null
    wait_for dctui "🟢 Available" || ok=1
    keys dctui p 2
    teams_shows "$url" ada Busy || ok=1
    # Bob, configured by UPN, was resolved to his object id (User.ReadBasic.All) and shows on the Team tab.
    keys dctui Tab
    local row=""
    for _ in $(seq $((WAIT * 10))); do
        row=$(screen dctui | grep "Bob" | head -n 1)
        grep -q "Available" <<<"$row" && break
        sleep 0.1
    done
    grep -q "Available" <<<"$row" || { why+="Bob's row never showed Available ($row); "; screen dctui >"$TMP/last-screen.txt"; ok=1; }
    keys dctui Tab Tab Tab   # back to the Calls tab
    # Access tokens live 30 s here, so every request renews one: the refresh token rotates,
    # and the file holds the newest.
    local before after
    before=$(md5sum <"$file")
    for _ in $(seq $((WAIT * 10))); do after=$(md5sum <"$file"); [ "$after" != "$before" ] && break; sleep 0.1; done
    [ "$after" != "$before" ] || { why+="the stored refresh token never rotated; "; ok=1; }
    # The tenant revokes the agent's sign-in: at the next renewal the TUI asks to sign in again.
    curl -sf -X POST "$url/_emulator/users/ada/refreshTokens/revoke" >/dev/null || { why+="revoke failed; "; ok=1; }
    wait_for dctui "sign in with" || ok=1
    shows dctui "❎" || ok=1
    stop dctui
    kill "$(cat "$TMP/dc-emulator.pid")" 2>/dev/null
    return $ok
}

t_ascii() {
    start i --ascii
    wait_for i "[+] Available" || { stop i; return 1; }
    local ok=0
    if screen i | LC_ALL=C grep -q '[^ -~]'; then why+="non-ASCII characters on screen; "; ok=1; fi
    stop i
    return $ok
}

t_help() {
    start j
    wait_for j "Available" && keys j '?' && wait_for j "resynchronize" && wait_for j "Shift-Tab" && keys j x \
        && wait_gone j "resynchronize" && wait_for j "q quit"
    local ok=$?
    stop j
    return $ok
}

# options_answer_logged LOG: LOG holds a trace record of a 200 sent for the peer's OPTIONS.
options_answer_logged() {
    [ -f "$1" ] && awk '/^[0-9]/ { rec = $0; next } { rec = rec "\n" $0 }
        /Call-ID: e2e-trace-options-1/ && rec ~ /sent UDP/ && rec ~ /SIP\/2.0 200/ { found = 1 }
        END { exit !found }' "$1"
}

# --trace-sip: the softphone with a configuration (not the demo), its own XDG_STATE_HOME and
# a SIP peer (tests/e2e/sip_trace_peer.py) that is its registrar and then sends it OPTIONS.
# The log file must hold the whole REGISTER exchange and OPTIONS → 200, and never the password.
t_trace_sip() {
    local name=tr state="$TMP/state-tr" secret="e2e-trace-pa55word"
    local sport
    sport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 "$(dirname "$0")/sip_trace_peer.py" "$sport" "$TMP/peer.port" >"$TMP/peer.out" 2>&1 &
    local peer=$!
    echo "$peer" >"$TMP/peer.pid"
    for _ in $(seq 50); do [ -s "$TMP/peer.port" ] && break; sleep 0.1; done
    [ -s "$TMP/peer.port" ] || { why+="the SIP peer did not start; "; return 1; }
    cat >"$TMP/trace.toml" <<TOML
[user]
name = "Trace Tester"
extension = "1001"
[sip]
listen = "127.0.0.1:$sport"
registrar = "sip:127.0.0.1:$(cat "$TMP/peer.port")"
username = "1001"
password_env = "SOFTPHONE_SIP_PASSWORD"
presence = false
TOML
    mkdir -p "$TMP/home"
    tmx new-session -d -s "$name" -x 100 -y 30 \
        "sh -c 'echo \$\$ > \"$TMP/$name.pid\"; exec env -i PATH=\"$PATH\" HOME=\"$TMP/home\" XDG_STATE_HOME=\"$state\" \
         SOFTPHONE_SIP_PASSWORD=$secret TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
         \"$BIN\" --config \"$TMP/trace.toml\" --trace-sip'; exec sleep 60"
    local ok=0
    wait "$peer" || { why+="the SIP peer said: $(cat "$TMP/peer.out"); "; ok=1; }
    local log="$state/softphone/softphone.log"
    # The log is written in the background: wait (bounded) for the last traced message.
    for _ in $(seq 100); do options_answer_logged "$log" && break; sleep 0.1; done
    stop "$name"
    [ -f "$log" ] || { why+="no log file at $log; "; return 1; }
    grep -q "^[0-9T:.-]*Z info softphone.app: softphone .* starting" "$log" || { why+="no start line; "; ok=1; }
    grep -q "^[0-9T:.-]*Z trace softphone.sip.trace: received UDP 127.0.0.1:$sport <- 127.0.0.1:[0-9]* (" "$log" \
        || { why+="no received trace line; "; ok=1; }
    grep -q "^[0-9T:.-]*Z trace softphone.sip.trace: sent UDP 127.0.0.1:$sport -> 127.0.0.1:[0-9]* (" "$log" \
        || { why+="no sent trace line; "; ok=1; }
    grep -qF "    OPTIONS sip:line@127.0.0.1:$sport SIP/2.0" "$log" || { why+="the received OPTIONS is not in the log; "; ok=1; }
    grep -qF "    Call-ID: e2e-trace-options-1" "$log" || { why+="the OPTIONS headers are not in the log; "; ok=1; }
    grep -qF "    REGISTER sip:127.0.0.1:" "$log" || { why+="the REGISTER sent is not in the log; "; ok=1; }
    grep -qF "    SIP/2.0 401 Unauthorized" "$log" || { why+="the 401 received is not in the log; "; ok=1; }
    grep -q "^    Authorization: Digest .*response=" "$log" || { why+="the REGISTER with credentials is not in the log; "; ok=1; }
    grep -q "info softphone.events: line registered \[kind=line\]" "$log" || { why+="the registration is not logged; "; ok=1; }
    # The OPTIONS' 200: a trace record whose message is a 200 carrying the OPTIONS' Call-ID.
    options_answer_logged "$log" || { why+="the 200 sent for the OPTIONS is not in the log; "; ok=1; }
    if grep -rqF "$secret" "$state"; then why+="the SIP password is in the log; "; ok=1; fi
    local mode
    mode=$(stat -c %a "$log")
    [ "$mode" = 600 ] || { why+="the log file is mode $mode, not 600; "; ok=1; }
    [ $ok -eq 0 ] || sed 's/^/    log| /' "$log" | head -80 >"$TMP/last-screen.txt"
    return $ok
}

command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN"; exit 1; }

case_ "the demo starts and shows 🟢 Available" t_starts_available
case_ "p 3 shows ⛔ Do not disturb" t_picker_do_not_disturb
case_ "an incoming call pops up and a accepts it" t_incoming_call_accept
case_ "no popup for a call the policy did not signal; the Log says why" t_no_popup_when_not_signalled
case_ "L shows ❌ Logout" t_logout
case_ "a resize keeps the layout; too small says so" t_resize
case_ "q quits and restores the terminal" t_quit_restores_terminal
case_ "SIGTERM restores the terminal" t_sigterm_restores_terminal
case_ "a crash (SIGABRT) still restores the terminal" t_crash_restores_terminal
case_ "Teams and the TUI: a change on either side shows on the other (emulator control API)" t_teams_both_ways
case_ "device-code sign-in against the strict emulator, then the TUI syncs both ways with the delegated token" t_teams_device_code_sign_in
case_ "--ascii shows only ASCII" t_ascii
case_ "? shows help; any key closes it" t_help
case_ "--trace-sip writes the SIP messages sent and received to the log file, never the password" t_trace_sip

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
