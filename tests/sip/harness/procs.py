"""Process and polling helpers shared by the peers.

Every program the harness starts is a `subprocess.Popen` child of the test
process; it is stopped by its own PID (SIGTERM, then SIGKILL after a grace
period) and reaped.  Nothing is ever killed by name.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A bounded wait ended before its condition held."""


# While a test waits for something outside pjsua (Kamailio's location table,
# baresip's events), the in-process pjsua endpoint must keep handling SIP, or
# the awaited thing may never happen.  PjEnv installs its pump here.
_idle: Callable[[float], None] | None = None


def set_idle(step: Callable[[float], None] | None) -> None:
    """Install (or remove with None) the default pause of `wait_until`."""
    global _idle
    _idle = step


def idle(seconds: float) -> None:
    """Pause for `seconds`, pumping pjsua when a PjEnv exists."""
    if _idle is not None:
        _idle(seconds)
    else:
        time.sleep(seconds)


def wait_until(predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.05,
               what: str | None = None, step: Callable[[float], None] | None = None) -> T:
    """Poll `predicate` until it returns a truthy value and return that value.

    `step(seconds)` replaces the pause between polls; by default the pause
    pumps pjsua's events when a PjEnv exists (see `set_idle`), else sleeps.
    Raises WaitTimeout naming `what` when `timeout` runs out.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what or predicate!r}")
        (step or idle)(min(interval, left))


def keep_logs() -> bool:
    """SIP_KEEP_LOGS=1 keeps the peers' temporary directories (configs, logs)."""
    return os.environ.get("SIP_KEEP_LOGS", "") not in ("", "0")


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # the state follows the last ')' (the command name may hold spaces or parens)
    state = stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3]
    return state not in (b"Z", b"X")


def start_time(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot, /proc/PID/stat field 22); None when gone.
    With the PID it names one process: a PID (or thread id) reused later has another."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[19]) if len(fields) > 19 else None


def still_alive(pid: int, started: int | None) -> bool:
    """True while the process that was `pid` when it had start time `started` lives."""
    return pid_alive(pid) and start_time(pid) == started


def children_of(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (from /proc), zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def stop_process(proc: subprocess.Popen, grace: float = 5.0, sig: int = signal.SIGTERM) -> int | None:
    """Stop `proc` by its PID: `sig`, then SIGKILL after `grace` seconds; reap it.

    Returns the exit status (None if it could not be reaped, which should not
    happen for our own children).
    """
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                return None
    return proc.returncode


def kill_pids(pids: Iterable[int], grace: float = 3.0) -> None:
    """SIGTERM each still-living PID, then SIGKILL what is left after `grace`."""
    pids = [p for p in pids if pid_alive(p)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    # SIGKILL is delivered asynchronously: return once they are gone (bounded), so that a
    # caller checking right after sees them dead.
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.02)
