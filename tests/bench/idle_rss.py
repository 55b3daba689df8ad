"""make bench: resident memory at idle — the softphone alone (no --demo) beside baresip.

The softphone: the release binary running its real TUI in tmux (harness `Softphone`, its
own HOME and XDG_* directories) with a minimal configuration: a SIP line listening on a
loopback port, no registrar, no presence, no Teams, no queues. baresip: the harness's
`Baresip` (answermode=manual, no registration). Both started in the same run and stopped
by PID. After IDLE_SECONDS (5) idle, reads /proc/PID/status: VmRSS, RssAnon (heap,
stacks), RssFile (mapped files: code, libraries), RssShmem; and Pss from smaps_rollup.

Prints a table with the aim (softphone under 30 MB RSS) in its "aim" column; no pass/fail.

usage: idle_rss.py [path/to/softphone]   (default .build/release/softphone)
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

from harness.baresip import Baresip  # noqa: E402
from harness.softphone import Softphone  # noqa: E402

FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")


def memory(pid: int) -> dict[str, float]:
    """The process's resident memory in MB: the FIELDS of /proc/PID/status, and Pss."""
    found: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in FIELDS:
                found[key] = int(value.split()[0]) / 1024
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    found["Pss"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        fields = fh.read().rsplit(b")", 1)[1].split()
    return int(fields[11]) + int(fields[12])      # utime + stime


def main() -> int:
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
    idle = float(os.environ.get("IDLE_SECONDS", "5"))
    xdg = tempfile.mkdtemp(prefix="bench-rss-xdg-")
    env = {f"XDG_{kind}_HOME": os.path.join(xdg, kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    for path in env.values():
        os.makedirs(path, exist_ok=True)
    phone = Softphone(binary=binary, presence=False, queues=[], env=env)
    bs = Baresip("3001", answermode="manual")
    rows = {}
    try:
        phone.start()
        bs.start()
        pids = {"softphone": phone.pid, "baresip": bs.pid}
        before = {name: cpu_ticks(pid) for name, pid in pids.items()}
        time.sleep(idle)                       # the idle period being measured (a benchmark, not a test)
        hz = os.sysconf("SC_CLK_TCK")
        for name, pid in pids.items():
            rows[name] = memory(pid)
            rows[name]["cpu"] = (cpu_ticks(pid) - before[name]) * 100 / (hz * idle)
    finally:
        bs.stop()
        phone.close()
        shutil.rmtree(xdg, ignore_errors=True)

    print("")
    print(f"Idle resident memory after {idle:.0f} s, same run (MB; /proc/PID/status, smaps_rollup; "
          f"{os.path.relpath(binary)})")
    print(f"{'':<44}{'RSS':>7}{'anon':>7}{'file':>7}{'shmem':>7}{'PSS':>7}{'CPU %':>7}{'aim':>10}")
    labels = {"softphone": "softphone alone (TUI, SIP line, no Teams)", "baresip": "baresip (ctrl_tcp, no audio device)"}
    for name in ("softphone", "baresip"):
        m = rows[name]
        aim = "< 30 MB" if name == "softphone" else ""
        print(f"{labels[name]:<44}{m.get('VmRSS', 0):>7.1f}{m.get('RssAnon', 0):>7.1f}{m.get('RssFile', 0):>7.1f}"
              f"{m.get('RssShmem', 0):>7.1f}{m.get('Pss', 0):>7.1f}{m['cpu']:>7.1f}{aim:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
