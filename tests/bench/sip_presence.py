"""make bench: from a presence the agent picks to the NOTIFY reaching a watcher through Kamailio.

The line under test is `sip-bench --line --registrar URI` (the real runtime, reducer and
SIP line, headless) registered at a Kamailio presence server on loopback; it reads the
presence to pick from its standard input. A PJSIP (pjsua2) account watches the agent
through Kamailio. Each sample: write the choice, note the time, and wait until pjsua
reports the NOTIFY carrying the new state (its note is the softphone's label).
Prints n, median, p99 and max in milliseconds. `SIP_PRESENCE_SAMPLES` (default 100).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

from harness import procs  # noqa: E402
from harness.kamailio import Kamailio  # noqa: E402
from harness.pjsua import Account, PjEnv  # noqa: E402

USERS = {"1001": "secret1", "2001": "secret2"}
CHOICES = [("dnd", "Do not disturb"), ("available", "Available"), ("busy", "Busy"), ("brb", "Be right back")]


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, int(-(-len(sorted_values) * p // 1)) - 1))
    return sorted_values[index]


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/sip-bench"
    samples = int(os.environ.get("SIP_PRESENCE_SAMPLES", "100"))
    env = PjEnv.get()
    kam = Kamailio(USERS, presence=True)
    kam.start()
    child = None
    try:
        child = subprocess.Popen([binary, "--line", "--registrar", kam.uri()], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "SIP_BENCH_PASSWORD": USERS["1001"]})
        assert child.stdout.readline().startswith("port "), "the line under test did not start"
        kam.wait_published("1001", timeout=15)
        watcher = Account("2001", kam.domain, registrar=kam.uri(), password=USERS["2001"])
        watcher.wait_registered()
        buddy = watcher.watch("sip:1001@127.0.0.1")
        buddy.wait_for(lambda s: "Available" in (s.note or s.status_text or ""), timeout=10, what="Available")
        delays: list[float] = []
        for n in range(samples):
            command, label = CHOICES[n % len(CHOICES)]   # each differs from the one before
            mark = buddy.mark()
            procs.idle(0.02 + (n % 7) * 0.01)          # spread the changes over time
            started = time.monotonic()
            child.stdin.write(command + "\n")
            child.stdin.flush()
            state = buddy.wait_for(lambda s: (s.note or s.status_text or "") == label, since=mark, timeout=10,
                                   what=label)
            delays.append((state.time - started) * 1000)
        delays.sort()
        print("")
        print("SIP presence through Kamailio: agent picks a state → NOTIFY at a PJSIP watcher (milliseconds)")
        print(f"{'n':>6}{'median':>9}{'p99':>9}{'max':>9}{'aim':>9}")
        p99 = percentile(delays, 0.99)
        print(f"{len(delays):>6}{percentile(delays, 0.5):>9.1f}{p99:>9.1f}{delays[-1]:>9.1f}{'< 1000':>9}"
              + ("  ok" if p99 < 1000 else "  MISSED"))
        return 0
    finally:
        if child is not None:
            child.stdin.close()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        env.close_accounts()
        kam.stop()
        env.shutdown()


if __name__ == "__main__":
    sys.exit(main())
