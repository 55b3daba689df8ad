"""A scanner's flood, for the open-internet tests and `make bench`.

`datagrams(count, target, seed)` builds `count` mixed datagrams for a SIP line at `target`
(host, port), as a stranger on the internet sends them: 40 % well-formed INVITEs (each a
new Call-ID, From tag and branch, an SDP offer), 30 % mutated INVITEs (truncated, bytes
flipped, a header dropped, a bad CSeq or Content-Length, doubled lines) and 30 % random
bytes. `Flooder(target, count, source=127.0.0.2, rate=None)` sends them from its own
process (so pjsua in the test process keeps running): `start()`, `wait(timeout)`, `stop()`
by PID. The flooder never reads what comes back (the kernel drops it when its buffer fills).

Run as a script: `python flooder.py HOST PORT COUNT [SOURCE] [RATE] [SEED]`; prints the
number of datagrams sent and the seconds it took.
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time

STRANGER = "127.0.0.2"

_KINDS = ("invite",) * 4 + ("mutated",) * 3 + ("random",) * 3


def invite(target: tuple[str, int], source: tuple[str, int], n: int, rng: random.Random) -> bytes:
    host, port = target
    shost, sport = source
    sdp = "\r\n".join(["v=0", f"o=scan {n} 1 IN IP4 {shost}", "s=-", f"c=IN IP4 {shost}", "t=0 0",
                       f"m=audio {10000 + n % 50000} RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", ""])
    user = rng.choice(["1001", "100", "alice", "+4930123", str(rng.randrange(10 ** 6))])
    lines = [f"INVITE sip:{user}@{host}:{port} SIP/2.0",
             f"Via: SIP/2.0/UDP {shost}:{sport};branch=z9hG4bK{rng.getrandbits(64):x};rport",
             "Max-Forwards: 70",
             f'From: "scanner" <sip:{rng.randrange(10 ** 9)}@{shost}>;tag={rng.getrandbits(40):x}',
             f"To: <sip:{user}@{host}>",
             f"Call-ID: {rng.getrandbits(96):x}@{shost}",
             f"CSeq: {rng.randrange(1, 1000)} INVITE",
             f"Contact: <sip:scan@{shost}:{sport}>",
             "User-Agent: friendly-scanner",
             "Content-Type: application/sdp",
             f"Content-Length: {len(sdp)}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + sdp).encode()


def mutate(message: bytes, rng: random.Random) -> bytes:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    how = rng.randrange(7)
    if how == 0:                                      # truncated anywhere
        return message[: rng.randrange(1, len(message))]
    if how == 1:                                      # bytes flipped
        data = bytearray(message)
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if how == 2:                                      # a header dropped (Via, From, To, Call-ID or CSeq)
        del lines[rng.randrange(1, 7)]
    elif how == 3:
        lines = [b"CSeq: x INVITE" if ln.startswith(b"CSeq") else ln for ln in lines]
    elif how == 4:
        lines = [b"Content-Length: 99999" if ln.startswith(b"Content-Length") else ln for ln in lines]
    elif how == 5:                                    # a header repeated many times
        lines += [lines[rng.randrange(1, len(lines))]] * rng.randrange(2, 60)
    else:                                             # a broken request line
        lines[0] = rng.choice([b"INVITE", b"INVITE sip: SIP/2.0", b"INVITE sip:x@y SIP/3.0", b"\x00INVITE x SIP/2.0"])
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def datagrams(count: int, target: tuple[str, int], source: tuple[str, int], seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        kind = _KINDS[n % len(_KINDS)]
        if kind == "invite":
            out.append(invite(target, source, n, rng))
        elif kind == "mutated":
            out.append(mutate(invite(target, source, n, rng), rng))
        else:
            out.append(rng.randbytes(rng.randrange(1, 1400)))
    return out


def flood(target: tuple[str, int], count: int, source_host: str = STRANGER, rate: float | None = None,
          seed: int = 1) -> tuple[int, float]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source_host, 0))
    packets = datagrams(count, target, sock.getsockname(), seed)
    sent = 0
    start = time.monotonic()
    for n, packet in enumerate(packets):
        if rate:
            due = start + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        try:
            sock.sendto(packet, target)
            sent += 1
        except OSError:
            pass                                      # ENOBUFS and the like: a flood loses some
    elapsed = time.monotonic() - start
    sock.close()
    return sent, elapsed


class Flooder:
    """The flood from a process of its own, started and stopped by PID."""

    def __init__(self, target: tuple[str, int], count: int = 20_000, source: str = STRANGER,
                 rate: float | None = None, seed: int = 1):
        self.args = [sys.executable, os.path.abspath(__file__), target[0], str(target[1]), str(count), source,
                     str(rate or 0), str(seed)]
        self.proc: subprocess.Popen | None = None
        self.output = ""

    def start(self) -> "Flooder":
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def wait(self, timeout: float = 120) -> str:
        assert self.proc is not None
        self.output, _ = self.proc.communicate(timeout=timeout)
        if self.proc.returncode != 0:
            raise AssertionError(f"the flooder failed: {self.output}")
        return self.output

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait()

    def __enter__(self) -> "Flooder":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    source = sys.argv[4] if len(sys.argv) > 4 else STRANGER
    rate = float(sys.argv[5]) if len(sys.argv) > 5 and float(sys.argv[5]) > 0 else None
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    sent, elapsed = flood((host, port), count, source, rate, seed)
    print(f"{sent} {elapsed:.3f}")
