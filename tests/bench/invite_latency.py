"""make bench: INVITE → 180 Ringing on loopback, the softphone beside baresip, same caller.

One caller for both: a raw SIP UDP client in this process. Each call: send an INVITE
(G.711 offer) and time with `time.perf_counter_ns()` from the `sendto` to the 180's
arrival (a blocking socket wakes at once); then CANCEL, wait for the 200 to the CANCEL and
the 487 to the INVITE, and ACK the 487, so no call or transaction is left behind.

The peers:
  * the softphone, the release binary running its real TUI in tmux (harness `Softphone`,
    its own HOME and XDG_* directories), a SIP line listening on a loopback port, no
    registrar, no Teams, calls ringing for a minute;
  * baresip (harness `Baresip`, answermode=manual, so an incoming call rings).
Both are started and stopped by PID by the harness. Rounds alternate (softphone, baresip,
softphone, ...): ROUNDS × CALLS calls each, after one unmeasured warm-up call each.

Prints n, median, p90, p99 and max per peer (milliseconds) and the ratio of the medians.
No pass/fail on the numbers (a benchmark measures); exits non-zero when a call gets no 180,
or its CANCEL does not end it with 487.

usage: invite_latency.py [path/to/softphone]   (default .build/release/softphone)
environment: INVITE_ROUNDS (3), INVITE_CALLS (25), INVITE_GAP_MS (200, pause between calls)
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

from harness.baresip import Baresip  # noqa: E402
from harness.ports import LOOPBACK  # noqa: E402
from harness.softphone import Softphone  # noqa: E402

CALLER = "+4930123456"     # not a configured user anywhere: a trunk caller


class NoAnswer(RuntimeError):
    pass


def header(msg: str, name: str) -> str | None:
    """The first value of header `name` (long form, case-insensitive) in a raw SIP message."""
    head = msg.split("\r\n\r\n", 1)[0]
    for line in head.split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name:
            return value.strip()
    return None


def status(msg: str) -> int | None:
    if msg.startswith("SIP/2.0 "):
        try:
            return int(msg.split(" ", 2)[1])
        except (IndexError, ValueError):
            return None
    return None


class Caller:
    """A UDP SIP client on 127.0.0.1:<kernel port> that places one call at a time."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.port = self.sock.getsockname()[1]
        self.rtp_port = 40000 + (os.getpid() % 10000) // 2 * 2
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def _sdp(self) -> str:
        session = int(time.time())
        return "\r\n".join([
            "v=0", f"o=bench {session} {session} IN IP4 {LOOPBACK}", "s=bench", f"c=IN IP4 {LOOPBACK}", "t=0 0",
            f"m=audio {self.rtp_port} RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=sendrecv", ""])

    def _request(self, method: str, ruri: str, call_id: str, from_tag: str, branch: str, cseq: int,
                 to_tag: str | None = None, body: str = "") -> bytes:
        to = f"<{ruri}>" + (f";tag={to_tag}" if to_tag else "")
        lines = [f"{method} {ruri} SIP/2.0",
                 f"Via: SIP/2.0/UDP {LOOPBACK}:{self.port};rport;branch={branch}",
                 "Max-Forwards: 70",
                 f"From: <sip:{CALLER}@{LOOPBACK}>;tag={from_tag}",
                 f"To: {to}",
                 f"Call-ID: {call_id}",
                 f"CSeq: {cseq} {method}",
                 f"Contact: <sip:{CALLER}@{LOOPBACK}:{self.port}>",
                 "User-Agent: softphone-bench"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def _receive(self, deadline: float) -> tuple[str, int] | None:
        """One datagram (text, arrival in perf_counter_ns) before `deadline`, else None."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65535)
        except socket.timeout:
            return None
        return data.decode(errors="replace"), time.perf_counter_ns()

    def call(self, target: tuple[str, int], user: str, timeout: float = 10.0) -> int:
        """One call to `user` at `target`; returns INVITE → 180 in nanoseconds."""
        host, port = target
        ruri = f"sip:{user}@{host}:{port}"
        call_id = f"{uuid.uuid4().hex}@{LOOPBACK}"
        from_tag = uuid.uuid4().hex[:10]
        branch = "z9hG4bK" + uuid.uuid4().hex[:16]
        self.cseq += 1
        cseq = self.cseq
        invite = self._request("INVITE", ruri, call_id, from_tag, branch, cseq, body=self._sdp())
        answers: dict[tuple[str, int], str] = {}     # (method, code) → message, this call only

        def wait_for(method: str, code: int, deadline: float) -> tuple[str, int] | None:
            while (method, code) not in answers:
                got = self._receive(deadline)
                if got is None:
                    return None
                text, arrived = got
                if header(text, "call-id") != call_id:
                    continue                          # a late answer of an earlier call
                if (got_code := status(text)) is None:
                    self._answer_request(text, target)
                    continue
                got_method = (header(text, "cseq") or " ").split()[-1]
                answers.setdefault((got_method, got_code), text)
                if (got_method, got_code) == (method, code):
                    return text, arrived
                if method == got_method == "INVITE" and got_code >= 200:
                    raise NoAnswer(f"{ruri}: INVITE ended with {got_code} before {code}")
            return answers[(method, code)], 0

        deadline = time.monotonic() + timeout
        sent = time.perf_counter_ns()
        self.sock.sendto(invite, target)
        ringing = wait_for("INVITE", 180, deadline)
        if ringing is None:
            raise NoAnswer(f"{ruri}: no 180 within {timeout:.0f} s (seen {sorted(answers)})")
        elapsed = ringing[1] - sent
        # CANCEL (same branch and CSeq number as the INVITE), then ACK the 487
        self.sock.sendto(self._request("CANCEL", ruri, call_id, from_tag, branch, cseq), target)
        deadline = time.monotonic() + timeout
        if wait_for("CANCEL", 200, deadline) is None:
            raise NoAnswer(f"{ruri}: no 200 to CANCEL (seen {sorted(answers)})")
        terminated = wait_for("INVITE", 487, deadline)
        if terminated is None:
            raise NoAnswer(f"{ruri}: no 487 after CANCEL (seen {sorted(answers)})")
        to = header(terminated[0], "to") or ""
        to_tag = to.split("tag=", 1)[1].split(";")[0] if "tag=" in to else None
        self.sock.sendto(self._request("ACK", ruri, call_id, from_tag, branch, cseq, to_tag=to_tag), target)
        return elapsed

    def _answer_request(self, text: str, target: tuple[str, int]) -> None:
        """A request to the caller (none expected): answer 200 so it is not retransmitted."""
        if text.startswith("ACK "):
            return
        vias = [ln for ln in text.split("\r\n\r\n", 1)[0].split("\r\n") if ln.lower().startswith(("via:", "v:"))]
        lines = ["SIP/2.0 200 OK", *vias]
        for name in ("from", "to", "call-id", "cseq"):
            lines.append(f"{name.title()}: {header(text, name) or ''}")
        lines.append("Content-Length: 0")
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), target)

    def drain(self, seconds: float) -> None:
        """Pauses `seconds`, reading away whatever arrives (a retransmitted 487 ...)."""
        deadline = time.monotonic() + seconds
        while self._receive(deadline) is not None:
            pass


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    index = min(len(values) - 1, max(0, int(-(-len(values) * p // 1)) - 1))
    return values[index]


def main() -> int:
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
    rounds = int(os.environ.get("INVITE_ROUNDS", "3"))
    calls = int(os.environ.get("INVITE_CALLS", "25"))
    gap = int(os.environ.get("INVITE_GAP_MS", "200")) / 1000
    xdg = tempfile.mkdtemp(prefix="bench-invite-xdg-")
    env = {f"XDG_{kind}_HOME": os.path.join(xdg, kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    for path in env.values():
        os.makedirs(path, exist_ok=True)
    caller = Caller()
    samples: dict[str, list[float]] = {"softphone": [], "baresip": []}
    phone = Softphone(binary=binary, no_answer_seconds=60, presence=False, queues=[], env=env)
    bs = Baresip("3001", answermode="manual")
    try:
        phone.start()
        bs.start()
        peers = {"softphone": ((LOOPBACK, phone.port), phone.extension),
                 "baresip": ((LOOPBACK, bs.sip_port), bs.user)}
        for name, (target, user) in peers.items():       # warm-up, not measured
            caller.call(target, user)
            caller.drain(gap)
        for r in range(rounds):
            for name in ("softphone", "baresip") if r % 2 == 0 else ("baresip", "softphone"):
                target, user = peers[name]
                for _ in range(calls):
                    samples[name].append(caller.call(target, user) / 1e6)
                    caller.drain(gap)                  # let the UI settle and stragglers arrive
    except NoAnswer as exc:
        print(f"invite_latency: {exc}", file=sys.stderr)
        return 1
    finally:
        caller.close()
        bs.stop()
        phone.close()
        shutil.rmtree(xdg, ignore_errors=True)

    print("")
    print(f"INVITE → 180 Ringing on loopback, same raw-UDP caller, {rounds} alternating rounds × {calls} calls "
          f"(milliseconds; {os.path.relpath(binary)}; load average {os.getloadavg()[0]:.1f})")
    print(f"{'peer':<34}{'n':>5}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    medians = {}
    for name, label in (("softphone", "softphone (TUI in tmux)"), ("baresip", "baresip (answermode=manual)")):
        values = sorted(samples[name])
        medians[name] = statistics.median(values)
        print(f"{label:<34}{len(values):>5}{medians[name]:>9.2f}{percentile(values, 0.9):>9.2f}"
              f"{percentile(values, 0.99):>9.2f}{values[-1]:>9.2f}")
    ratio = medians["softphone"] / medians["baresip"] if medians["baresip"] else float("inf")
    print(f"{'median softphone / median baresip':<34}{ratio:>14.2f}   (aim: ≤ 1.00)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
