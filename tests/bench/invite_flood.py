"""make bench: INVITE → 180 Ringing of a legitimate caller while a stranger floods the line.

The softphone (the release binary in tmux, harness `Softphone`) registers at a Kamailio of
its own (harness `Kamailio`, 127.0.0.1), so the inbound policy is on (`accept_from =
"registrar"`). The legitimate caller is the raw UDP caller of invite_latency.py on
127.0.0.1 — the registrar's address — sending straight to the line (no proxy in the
measured path). The stranger (harness `Flooder`, its own process on 127.0.0.2) sends
20,000 mixed datagrams (40 % valid INVITEs with new Call-IDs, 30 % mutated, 30 % random
bytes) at FLOOD_RATE per second; calls are placed one after another while it runs,
FLOOD_ROUNDS times. The same number of calls without a flood is the baseline.

Prints n, median, p90, p99 and max (milliseconds) with and without the flood, and the
line's RSS before and after. No pass/fail on the numbers (aim: p99 under 5 ms during the
flood); exits non-zero when a call gets no 180.

usage: invite_flood.py [path/to/softphone]   (default .build/release/softphone)
environment: FLOOD_ROUNDS (3), FLOOD_COUNT (20000), FLOOD_RATE (5000), FLOOD_GAP_MS (20)
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
sys.path.insert(0, HERE)

from harness.flooder import STRANGER, Flooder  # noqa: E402
from harness.kamailio import Kamailio  # noqa: E402
from harness.ports import LOOPBACK  # noqa: E402
from harness.softphone import Softphone  # noqa: E402
from invite_latency import Caller, NoAnswer, percentile  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
    rounds = int(os.environ.get("FLOOD_ROUNDS", "3"))
    count = int(os.environ.get("FLOOD_COUNT", "20000"))
    rate = float(os.environ.get("FLOOD_RATE", "5000"))
    gap = int(os.environ.get("FLOOD_GAP_MS", "20")) / 1000
    xdg = tempfile.mkdtemp(prefix="bench-flood-xdg-")
    env = {f"XDG_{kind}_HOME": os.path.join(xdg, kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    for path in env.values():
        os.makedirs(path, exist_ok=True)
    caller = Caller()
    quiet: list[float] = []
    flooded: list[float] = []
    kam = Kamailio({"1001": "secret1"})
    phone = None
    rss = (0, 0)
    try:
        kam.start()
        phone = Softphone(binary=binary, registrar=kam.uri(), password="secret1", no_answer_seconds=60,
                          presence=False, queues=[], env=env)
        phone.start()
        phone.wait_for("line registered")
        target = (LOOPBACK, phone.port)
        caller.call(target, phone.extension)               # warm-up, not measured
        caller.drain(0.2)
        before = rss_kib(phone.pid)
        for _ in range(rounds):
            with Flooder(target, count, source=STRANGER, rate=rate) as flood:
                while flood.proc.poll() is None:
                    flooded.append(caller.call(target, phone.extension) / 1e6)
                    caller.drain(gap)
                flood.wait()
            caller.drain(1.0)
        calls = max(len(flooded), 25)
        for _ in range(calls):
            quiet.append(caller.call(target, phone.extension) / 1e6)
            caller.drain(gap)
        caller.drain(2.0)
        rss = (before, rss_kib(phone.pid))
    except NoAnswer as exc:
        print(f"invite_flood: {exc}", file=sys.stderr)
        return 1
    finally:
        caller.close()
        if phone is not None:
            phone.close()
        kam.stop()
        shutil.rmtree(xdg, ignore_errors=True)

    print("")
    print(f"INVITE → 180 Ringing of a caller at the registrar's address, during {rounds} floods of {count:,} "
          f"datagrams at {rate:,.0f}/s from {STRANGER} and without (milliseconds; {os.path.relpath(binary)}; "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"{'':<34}{'n':>5}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    for label, values in (("without flood", sorted(quiet)), ("during the flood", sorted(flooded))):
        if not values:
            print(f"{label:<34}{0:>5}")
            continue
        print(f"{label:<34}{len(values):>5}{statistics.median(values):>9.2f}{percentile(values, 0.9):>9.2f}"
              f"{percentile(values, 0.99):>9.2f}{values[-1]:>9.2f}")
    print(f"{'line RSS before / after (MiB)':<34}{rss[0] / 1024:>14.1f}{rss[1] / 1024:>9.1f}   (aim: p99 < 5 ms during the flood)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
