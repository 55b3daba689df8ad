#!/usr/bin/env python3
"""Requests per 30 s that one softphone sends to Graph, with 0, 650 and 2,000 colleagues.

Issue 13's closing-note figure, measured end to end: the release binary in tmux, at the
default settings (poll every 1,000 ms, `max_requests_per_30s` = 30), against the Teams
emulator in its own process with that many colleagues whose presence changes every 2 s.
Colleagues are configured by object id (a UPN would add one `$batch` per 20 at start).
After a warm-up, the emulator's own counters are read every 5 s: every request it
answered (`total`) and its sliding 30 s count of presence requests; the table gives the
mean rate and the busiest 30 s seen.

Usage: graph_requests.py path/to/softphone [seconds-measured]
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
MEASURE = float(sys.argv[2]) if len(sys.argv) > 2 else 90.0
WARMUP = 20.0
BUDGET = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()


def wait_until(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def measure(colleagues: int, workdir: str) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    emulator = subprocess.Popen([BIN, "teams-emulator", "--listen", f"127.0.0.1:{port}", "--user", "agent",
                                 "--colleagues", str(colleagues)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = f"graph-bench-{os.getpid()}-{colleagues}"
    app_pid = None
    try:
        wait_until(lambda: get(base + "/_emulator") is not None, 15, "the emulator")
        users = get(base + "/_emulator/users")["value"]
        ids = [u["id"] for u in users if u.get("colleague")]
        assert len(ids) == colleagues, f"{len(ids)} colleagues, wanted {colleagues}"
        home = os.path.join(workdir, f"home{colleagues}")
        os.makedirs(home)
        config = os.path.join(workdir, f"config{colleagues}.toml")
        with open(config, "w") as f:
            f.write('[user]\nname = "Bench Agent"\n[teams]\n'
                    f'graph_url = "{base}/v1.0"\n'
                    f'token_url = "{base}/emulator-tenant/oauth2/v2.0/token"\n'
                    'client_id = "emulator-client"\nauth = "app"\n'
                    'user_id = "agent@emulator-tenant.onmicrosoft.com"\n')
            for i, cid in enumerate(ids):
                f.write(f'[[colleagues]]\nname = "Colleague {i}"\nteams_id = "{cid}"\n')
        pidfile = os.path.join(workdir, f"app{colleagues}.pid")
        env = (f"env -i PATH=/usr/bin:/bin HOME={home} XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state "
               f"TERM=xterm-256color LANG=C.UTF-8 SOFTPHONE_TEAMS_SECRET=emulator-secret")
        subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40",
                        f"sh -c 'echo $$ > {pidfile}; exec {env} {BIN} --config {config}'"], check=True)
        wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 10, "the softphone")
        app_pid = int(open(pidfile).read().strip())
        time.sleep(WARMUP)
        post(base + "/_emulator/stats/reset")
        start = time.monotonic()
        busiest_presence = 0
        totals = []
        while time.monotonic() - start < MEASURE:
            time.sleep(5)
            stats = get(base + "/_emulator/stats")
            elapsed = time.monotonic() - start
            by_client = stats["presenceLast30s"]["byClient"]
            if elapsed >= 30:
                busiest_presence = max(busiest_presence, sum(by_client.values()))
            totals.append((elapsed, stats["total"]))
        elapsed, total = totals[-1]
        # Busiest 30 s of all requests, from the 5 s samples (each 30 s span between samples).
        busiest_total = 0
        for i, (t0, n0) in enumerate([(0.0, 0)] + totals):
            for t1, n1 in totals:
                if 29.0 <= t1 - t0 <= 31.0:
                    busiest_total = max(busiest_total, n1 - n0)
        return {"colleagues": colleagues, "per30": total / elapsed * 30, "busiest_total": busiest_total,
                "busiest_presence": busiest_presence}
    finally:
        if app_pid:
            try:
                os.kill(app_pid, 15)
            except ProcessLookupError:
                pass
        subprocess.run(["tmux", "-L", sock, "kill-server"], stderr=subprocess.DEVNULL)
        emulator.terminate()
        try:
            emulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emulator.kill()


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="graph-bench-")
    try:
        rows = [measure(n, workdir) for n in (0, 650, 2000)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"Graph requests of one softphone (poll 1,000 ms, budget {BUDGET} per 30 s), {MEASURE:.0f} s measured")
    print(f"{'colleagues':>10} {'requests per 30 s (mean)':>26} {'busiest 30 s, all':>19} {'busiest 30 s, presence':>24} {'budget':>7}")
    ok = True
    for r in rows:
        print(f"{r['colleagues']:>10} {r['per30']:>26.1f} {r['busiest_total']:>19} {r['busiest_presence']:>24} {BUDGET:>7}")
        ok = ok and r["busiest_total"] <= BUDGET
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
