#!/usr/bin/env bash
# End-to-end test of the softphone command line: --version, --help, --check on good
# and bad configuration files, and the honest "no terminal UI yet" exit.
#
# usage: tests/e2e/cli.sh [PATH-TO-softphone]     (default .build/debug/softphone)
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits non-zero when any case failed. Every run gets a clean environment,
# stdin from /dev/null and stdout/stderr into files, so none is a terminal.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:-.build/debug/softphone}"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
EXAMPLE="$ROOT/Resources/config.example.toml"

if [ ! -x "$BIN" ]; then
    echo "not ok - the binary $BIN exists and is executable"
    echo "0 passed, 1 failed"
    exit 1
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/softphone-e2e.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home"
: >"$TMP/all-output"

SIP_SECRET="e2e-sip-pa55word"
TEAMS_SECRET="e2e-teams-s3cret"
SECRETS=("SOFTPHONE_SIP_PASSWORD=$SIP_SECRET" "SOFTPHONE_TEAMS_SECRET=$TEAMS_SECRET")

passed=0
failed=0
why=""

# run [VAR=value ...] -- ARG...
# Runs the binary with only PATH, HOME, TERM and the given variables set.
# Sets $status; the output is in $TMP/out and $TMP/err.
run() {
    local vars=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do vars+=("$1"); shift; done
    shift
    env -i PATH="$PATH" HOME="$TMP/home" TERM=xterm-256color ${vars[@]+"${vars[@]}"} \
        "$BIN" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    status=$?
    cat "$TMP/out" "$TMP/err" >>"$TMP/all-output"
}

# Assertions: each returns non-zero and notes why.
expect_status() {
    [ "$status" -eq "$1" ] || { why+="exit status $status, expected $1; "; return 1; }
}
expect_line() {  # FILE LINE: LINE is one whole line of FILE
    grep -Fxq -- "$2" "$TMP/$1" || { why+="$1 lacks the line [$2]; "; return 1; }
}
expect_text() {  # FILE TEXT: TEXT occurs in FILE
    grep -Fq -- "$2" "$TMP/$1" || { why+="$1 lacks [$2]; "; return 1; }
}
expect_no_text() {
    ! grep -Fq -- "$2" "$TMP/$1" || { why+="$1 contains [$2]; "; return 1; }
}
expect_empty() {
    [ ! -s "$TMP/$1" ] || { why+="$1 is not empty; "; return 1; }
}

# case NAME FUNCTION
case_() {
    why=""
    if "$2"; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1"
        echo "#   $why"
        sed 's/^/#   stdout: /' "$TMP/out"
        sed 's/^/#   stderr: /' "$TMP/err"
        failed=$((failed + 1))
    fi
}

write() {  # NAME CONTENT: writes $TMP/NAME
    printf '%s\n' "$2" >"$TMP/$1"
}

# --- cases -------------------------------------------------------------------

t_version() {
    run -- --version
    expect_status 0 && expect_line out "softphone 0.1.0" && [ "$(wc -l <"$TMP/out")" -eq 1 ] \
        || { why+="unexpected --version output; "; return 1; }
}

t_help() {
    run -- --help
    expect_status 0 || return 1
    local option
    for option in --config --check --demo --ascii --version --help; do
        expect_text out "$option" || return 1
    done
    expect_text out "terminal softphone"
}

t_check_example() {
    run "${SECRETS[@]}" -- --check --config "$EXAMPLE"
    expect_status 0 && expect_line out "$EXAMPLE: configuration OK" && expect_empty err \
        && expect_line out "user: Ada Agent, extension 1001" && expect_text out "teams: on, sync both" \
        && expect_line out "colleagues: 3" && expect_text out "queues: 2" && expect_text out "answering: forward"
}

t_check_hides_secrets() {
    run "${SECRETS[@]}" -- --check --config "$EXAMPLE"
    expect_status 0 && expect_no_text out "$SIP_SECRET" && expect_no_text out "$TEAMS_SECRET" \
        && expect_text out '$SOFTPHONE_SIP_PASSWORD'
}

t_invalid_value() {
    write bad.toml $'[answering]\nrule = "bounce"'
    run -- --check --config "$TMP/bad.toml"
    expect_status 1 && expect_empty out \
        && expect_line err "$TMP/bad.toml: answering.rule: must be one of reject, forward, voicemail (got \"bounce\")"
}

t_all_errors() {
    write many.toml $'[user]\nextension = 1001\n[teams]\npoll_interval_ms = 0\nsync = "off"\n[wrapup]\nseconds = -1'
    run -- --check --config "$TMP/many.toml"
    expect_status 1 \
        && expect_line err "$TMP/many.toml: user.extension: must be a string" \
        && expect_line err "$TMP/many.toml: teams.token_url: required" \
        && expect_line err "$TMP/many.toml: teams.client_id: required" \
        && expect_line err "$TMP/many.toml: teams.user_id: required" \
        && expect_line err "$TMP/many.toml: teams.poll_interval_ms: must be a positive integer" \
        && expect_line err "$TMP/many.toml: wrapup.seconds: must be 0 or more" \
        && [ "$(wc -l <"$TMP/err")" -eq 6 ] || { why+="expected exactly 6 error lines; "; return 1; }
}

t_missing_secret() {
    run "SOFTPHONE_TEAMS_SECRET=$TEAMS_SECRET" -- --check --config "$EXAMPLE"
    expect_status 1 && expect_empty out \
        && expect_line err "$EXAMPLE: sip.password_env: environment variable SOFTPHONE_SIP_PASSWORD is not set (needed because sip.registrar and sip.username are set)" \
        && [ "$(wc -l <"$TMP/err")" -eq 1 ] || { why+="expected exactly 1 error line; "; return 1; }
}

t_unknown_key() {
    write typo.toml $'[sip]\nregistar = "sip:127.0.0.1:5060"'
    run -- --check --config "$TMP/typo.toml"
    expect_status 1 && expect_line err "$TMP/typo.toml: sip.registar: unknown key (did you mean registrar?)"
}

t_unknown_section() {
    write section.toml $'[answerin]\nrule = "reject"'
    run -- --check --config "$TMP/section.toml"
    expect_status 1 && expect_line err "$TMP/section.toml: answerin: unknown section (did you mean answering?)"
}

t_secret_in_file() {
    write secret.toml $'[sip]\npassword = "hunter2"'
    run -- --check --config "$TMP/secret.toml"
    expect_status 1 && expect_no_text err "hunter2" \
        && expect_line err "$TMP/secret.toml: sip.password: secrets do not belong in the file; set the environment variable named by sip.password_env (default SOFTPHONE_SIP_PASSWORD) instead"
}

t_missing_file() {
    run -- --check --config "$TMP/nope.toml"
    expect_status 1 && expect_empty out && expect_line err "$TMP/nope.toml: file not found"
}

t_syntax_error() {
    write syntax.toml $'[user]\nname = "Ada\nextension = "1001"'
    run -- --check --config "$TMP/syntax.toml"
    expect_status 1 || return 1
    grep -Eq "^$TMP/syntax.toml:2:[0-9]+: .+" "$TMP/err" || { why+="no PATH:2:COLUMN: message line; "; return 1; }
}

t_empty_file() {
    write empty.toml ""
    run -- --check --config "$TMP/empty.toml"
    expect_status 0 && expect_line out "$TMP/empty.toml: configuration OK" && expect_line out "user: Agent" \
        && expect_line out "teams: off (no [teams] section)"
}

t_default_path_home() {
    mkdir -p "$TMP/home/.config/softphone"
    write home/.config/softphone/config.toml $'[user]\nname = "Home Agent"'
    run -- --check
    local result=0
    expect_status 0 && expect_line out "$TMP/home/.config/softphone/config.toml: configuration OK" \
        && expect_line out "user: Home Agent" || result=1
    rm -rf "$TMP/home/.config"
    return $result
}

t_default_path_xdg() {
    mkdir -p "$TMP/xdg/softphone"
    write xdg/softphone/config.toml $'[user]\nname = "XDG Agent"'
    run "XDG_CONFIG_HOME=$TMP/xdg" -- --check
    expect_status 0 && expect_line out "$TMP/xdg/softphone/config.toml: configuration OK" \
        && expect_line out "user: XDG Agent"
}

t_default_path_missing() {
    run -- --check
    expect_status 1 && expect_line err "$TMP/home/.config/softphone/config.toml: file not found"
}

t_no_terminal() {
    run "${SECRETS[@]}" -- --config "$EXAMPLE"
    expect_status 1 && expect_empty out && expect_text err "terminal" \
        && [ "$(wc -l <"$TMP/err")" -eq 1 ] || { why+="expected one line; "; return 1; }
}

t_no_tui_validates_first() {
    write bad2.toml $'[wrapup]\nseconds = -1'
    run -- --config "$TMP/bad2.toml" --ascii
    expect_status 1 && expect_line err "$TMP/bad2.toml: wrapup.seconds: must be 0 or more" \
        && expect_no_text err "terminal"
}

t_demo_no_terminal() {
    run -- --demo --ascii
    expect_status 1 && expect_empty out && expect_text err "terminal"
}

t_demo_with_check() {
    run -- --demo --check
    expect_status 64 && expect_text err "--demo"
}

t_teams_emulator() {
    # a port the kernel just gave out (a random one may be taken); generous bounds for a
    # loaded machine, where the debug binary can take seconds to start or to stop
    local port pid answer
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    env -i PATH="$PATH" HOME="$TMP/home" "$BIN" teams-emulator --listen "127.0.0.1:$port" --user ada \
        >"$TMP/emu.out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do
        answer=$(curl -s "http://127.0.0.1:$port/_emulator/users/ada") && [ -n "$answer" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; why+="SIGTERM did not stop it; "; return 1; fi
    # the user is known by its short name; Graph knows it by object id and UPN
    grep -q '"alias":"ada"' <<<"$answer" && grep -q '"userPrincipalName":"ada@' <<<"$answer" \
        || { why+="no user ada: $answer; "; return 1; }
    grep -q "Teams emulator on http://127.0.0.1:$port" "$TMP/emu.out" || { why+="no start-up line; "; return 1; }
}

t_help_logging() {
    run -- --help
    expect_status 0 && expect_text out "--log-level" && expect_text out "--trace-sip"
}

t_log_level_invalid() {
    run -- --demo --log-level chatty
    expect_status 64 && expect_text err "log-level"
}

t_log_file() {
    local state="$TMP/state" log="$TMP/state/softphone/softphone.log"
    run XDG_STATE_HOME="$state" "${SECRETS[@]}" -- --config "$EXAMPLE" --log-level debug
    expect_status 1 && expect_empty out && [ "$(wc -l <"$TMP/err")" -eq 1 ] || { why+="expected one line on stderr; "; return 1; }
    [ -f "$log" ] || { why+="no log file at $log; "; return 1; }
    grep -q '^[0-9-]*T[0-9:]*\.[0-9][0-9][0-9]Z info softphone.app: softphone 0.1.0 starting \[.*log-level=debug' "$log" \
        || { why+="no start line; "; return 1; }
    grep -qF "    line: listens on 127.0.0.1:5070" "$log" || { why+="no configuration summary; "; return 1; }
    grep -q "info softphone.app: softphone exits \[status=1\]" "$log" || { why+="no exit line; "; return 1; }
    ! grep -qF -e "$SIP_SECRET" -e "$TEAMS_SECRET" "$log" || { why+="a secret is in the log; "; return 1; }
    [ "$(stat -c %a "$log")" = 600 ] && [ "$(stat -c %a "$state/softphone")" = 700 ] \
        || { why+="log file or directory not private; "; return 1; }
}

t_log_unwritable() {
    printf 'x' >"$TMP/not-a-dir"
    run XDG_STATE_HOME="$TMP/not-a-dir" "${SECRETS[@]}" -- --config "$EXAMPLE"
    # The log cannot be written: the program neither crashes nor writes about it on the terminal.
    expect_status 1 && expect_empty out && expect_text err "terminal" \
        && [ "$(wc -l <"$TMP/err")" -eq 1 ] || { why+="expected the usual one line; "; return 1; }
}

t_teams_help() {
    run -- teams --help
    expect_status 0 && expect_text out "login" && expect_text out "logout" && expect_text out "status" || return 1
    run -- teams login --help
    expect_status 0 && expect_text out "--config" && expect_text out "Exit status: 0 signed in" || return 1
    run -- teams status --help
    expect_status 0 && expect_text out "Exit status: 0 signed in, 1 not signed in" || return 1
    run -- --help
    expect_status 0 && expect_text out "teams" && expect_text out "teams-emulator"
}

t_teams_status_not_signed_in() {
    run XDG_STATE_HOME="$TMP/teams-state" -- teams status
    expect_status 1 && expect_line out "Not signed in to Teams (run \`softphone teams login\`)."
}

t_teams_logout_not_signed_in() {
    run XDG_STATE_HOME="$TMP/teams-state" -- teams logout
    expect_status 0 && expect_text out "Not signed in"
}

t_teams_status_and_logout() {
    mkdir -p "$TMP/teams-state/softphone"
    cat >"$TMP/teams-state/softphone/teams-token.json" <<'JSON'
{
  "version" : 1,
  "tenant" : "contoso.example",
  "token_url" : "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
  "client_id" : "client-1",
  "account" : { "userPrincipalName" : "ada@contoso.example", "objectID" : "00000000-0000-0000-0000-0000000000a1" },
  "refresh_token" : "e2e-refresh-s3cret",
  "access_token_expires_at" : "2027-01-15T09:00:00Z",
  "signed_in_at" : "2027-01-15T08:00:00Z"
}
JSON
    chmod 644 "$TMP/teams-state/softphone/teams-token.json"
    run XDG_STATE_HOME="$TMP/teams-state" -- teams status
    expect_status 0 && expect_text out "Signed in as ada@contoso.example (object id 00000000-0000-0000-0000-0000000000a1)" \
        && expect_text out "since: 2027-01-15" && expect_text out "access token valid until: 2027-01-15" \
        && expect_no_text out "e2e-refresh-s3cret" || return 1
    [ "$(stat -c %a "$TMP/teams-state/softphone/teams-token.json")" = 600 ] || { why+="mode not tightened to 600; "; return 1; }
    run XDG_STATE_HOME="$TMP/teams-state" -- teams logout
    expect_status 0 && expect_text out "Signed out" || return 1
    [ ! -e "$TMP/teams-state/softphone/teams-token.json" ] || { why+="file still there; "; return 1; }
    run XDG_STATE_HOME="$TMP/teams-state" -- teams status
    expect_status 1
}

t_teams_status_corrupt() {
    mkdir -p "$TMP/teams-state/softphone"
    printf '{"version":' >"$TMP/teams-state/softphone/teams-token.json"
    run XDG_STATE_HOME="$TMP/teams-state" -- teams status
    expect_status 2 && expect_text err "is not a Teams sign-in" || return 1
    rm -f "$TMP/teams-state/softphone/teams-token.json"
}

t_teams_login_app() {
    write app.toml $'[teams]\ntoken_url = "https://login.example/t/oauth2/v2.0/token"\nclient_id = "c"\nuser_id = "u"\nauth = "app"'
    run "${SECRETS[@]}" -- teams login --config "$TMP/app.toml"
    expect_status 0 && expect_text out "no login is needed"
}

t_teams_login_without_sip_password() {
    # A registrar is set but SOFTPHONE_SIP_PASSWORD is not: signing in to Teams does not need it.
    local sip=$'[user]\nextension = "1001"\n[sip]\nregistrar = "sip:127.0.0.1:5060"\nusername = "1001"\n'
    write regapp.toml "$sip"$'[teams]\ntoken_url = "https://login.example/t/oauth2/v2.0/token"\nclient_id = "c"\nuser_id = "u"\nauth = "app"'
    run SOFTPHONE_TEAMS_SECRET="$TEAMS_SECRET" -- teams login --config "$TMP/regapp.toml"
    expect_status 0 && expect_text out "no login is needed" || return 1
    # auth = "device": the configuration is accepted and the device-code endpoint is asked
    # (a one-request stand-in that refuses the app: exit 1, not 2).
    local pid port=""
    python3 -c '
import http.server
class Refuse(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"{\"error\":\"unauthorized_client\",\"error_description\":\"AADSTS700016: Application not found.\"}"
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Refuse)
print(server.server_address[1], flush=True)
server.handle_request()
' >"$TMP/idp.port" 2>/dev/null &
    pid=$!
    for _ in $(seq 200); do port=$(cat "$TMP/idp.port"); [ -n "$port" ] && break; sleep 0.05; done
    write regdevice.toml "$sip"$'[teams]\ntoken_url = "http://127.0.0.1:'"$port"$'/t/oauth2/v2.0/token"\nclient_id = "c"\nuser_id = "u"'
    run XDG_STATE_HOME="$TMP/teams-state" -- teams login --config "$TMP/regdevice.toml"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    expect_status 1 && expect_text err "sign-in failed: unauthorized_client: AADSTS700016" \
        && expect_no_text err "password_env" || return 1
    # The app itself still needs the password.
    run -- --check --config "$TMP/regdevice.toml"
    expect_status 1 && expect_text err "sip.password_env"
}

t_teams_login_no_teams() {
    write noteams.toml $'[user]\nname = "Ada"'
    run -- teams login --config "$TMP/noteams.toml"
    expect_status 2 && expect_text err "has no [teams] section"
}

t_teams_check_auth() {
    write device.toml $'[teams]\ntoken_url = "https://login.example/t/oauth2/v2.0/token"\nclient_id = "c"\nuser_id = "ada@contoso.example"'
    run -- --check --config "$TMP/device.toml"
    expect_status 0 && expect_text out "sign-in by device code (softphone teams login)" || return 1
    write badtoken.toml $'[teams]\ntoken_url = "https://login.example/t/oauth2/v2.0/access"\nclient_id = "c"\nuser_id = "u"'
    run -- --check --config "$TMP/badtoken.toml"
    expect_status 1 && expect_text err "teams.token_url: its last path segment is not \"token\""
}

t_no_escape_bytes() {
    # After all the cases above: nothing any run printed holds an ESC byte.
    if LC_ALL=C grep -q $'\x1b' "$TMP/all-output"; then
        why+="an ESC byte was printed; "
        return 1
    fi
    [ -s "$TMP/all-output" ] || { why+="no output was collected; "; return 1; }
}

case_ "--version prints softphone 0.1.0" t_version
case_ "--help mentions every option" t_help
case_ "--check accepts Resources/config.example.toml with the secrets set" t_check_example
case_ "--check never prints a secret" t_check_hides_secrets
case_ "--check reports an invalid value as key: reason, exit 1" t_invalid_value
case_ "--check reports every problem, one per line" t_all_errors
case_ "--check reports a missing secret variable" t_missing_secret
case_ "--check reports an unknown key" t_unknown_key
case_ "--check reports an unknown section" t_unknown_section
case_ "--check rejects a secret written into the file" t_secret_in_file
case_ "--check reports a missing file" t_missing_file
case_ "--check reports a TOML syntax error as PATH:LINE:COLUMN" t_syntax_error
case_ "--check accepts an empty file" t_empty_file
case_ "--check finds ~/.config/softphone/config.toml" t_default_path_home
case_ "--check finds \$XDG_CONFIG_HOME/softphone/config.toml" t_default_path_xdg
case_ "--check without any file reports the default path" t_default_path_missing
case_ "without --check and without a terminal: one clear line, exit 1" t_no_terminal
case_ "without --check: an invalid file is still reported, exit 1" t_no_tui_validates_first
case_ "--demo needs no configuration; without a terminal it says so, exit 1" t_demo_no_terminal
case_ "--demo with --check is a usage error" t_demo_with_check
case_ "teams-emulator serves the control API and stops on SIGTERM" t_teams_emulator
case_ "--help mentions --log-level and --trace-sip" t_help_logging
case_ "--log-level with an unknown level is a usage error" t_log_level_invalid
case_ "the log file in \$XDG_STATE_HOME: start, configuration, exit; no secret; private" t_log_file
case_ "a log directory that cannot be created: no crash, nothing on the terminal" t_log_unwritable
case_ "teams --help lists login, logout and status with their exit statuses" t_teams_help
case_ "teams status without a sign-in: not signed in, exit 1" t_teams_status_not_signed_in
case_ "teams logout without a sign-in is not an error" t_teams_logout_not_signed_in
case_ "teams status names the account and hides the token; logout deletes the file" t_teams_status_and_logout
case_ "teams status on a corrupt token file: a clear error, exit 2" t_teams_status_corrupt
case_ "teams login with auth = app says no login is needed" t_teams_login_app
case_ "teams login does not need the SIP password" t_teams_login_without_sip_password
case_ "teams login without [teams]: exit 2" t_teams_login_no_teams
case_ "--check says the auth mode and rejects an underivable device-code URL" t_teams_check_auth
case_ "no output contains an ESC byte" t_no_escape_bytes

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
