"""Impaired media between two SIP peers: a UDP relay with loss and jitter, and a SIP
forwarder that steers the peers' RTP through it.

    with SdpRelayProxy(target=("127.0.0.1", softphone.port), loss=0.05, jitter=0.040, seed=7) as proxy:
        baresip.dial(f"sip:1001@{proxy.hostport}")    # INVITE via the proxy
        ...
        proxy.relays[0].stats                         # forwarded / dropped / reordered

`LossyRelay` is a symmetric two-sided UDP relay on 127.0.0.3 (any 127/8 address
is loopback on Linux): side "a" faces one peer, side "b" the other; each side
is an RTP socket on an even port and an RTCP socket on the next one.  A peer
sends to its side's socket and receives from that same socket, so peers that
latch onto the source address (symmetric RTP) keep sending to the relay.
RTP packets are dropped at random with probability `loss` and the others are
held back a uniform random 0..`jitter` seconds (packets 20 ms apart with up to
40 ms of delay arrive reordered); RTCP passes untouched.  The randomness is a
seeded `random.Random`, so a run's drops are reproducible for a given seed.

`SdpRelayProxy` is a small stateless SIP forwarder (UDP, 127.0.0.1) in front of
`target` (the softphone): a request whose Request-URI names the proxy goes to
the target with the Request-URI's host:port replaced; other requests go to the
Request-URI's host:port; it adds its Via to requests and removes it from
responses (the branch is derived from the request's own branch, so CANCEL and
the ACK of a failure follow their INVITE).  It does not Record-Route: the
INVITE transaction passes through it, and ACK/BYE go end to end.  Every SDP
body (offer and answer) has its `c=` addresses, `m=audio` port and `a=rtcp`
port rewritten to the relay side facing the receiver of that message, with
Content-Length fixed; the relay then knows each peer's real RTP address from
the SDP.  One relay per Call-ID.
"""
from __future__ import annotations

import hashlib
import heapq
import random
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from .ports import LOOPBACK

RELAY_HOST = "127.0.0.3"


@dataclass
class RelayStats:
    forwarded: int = 0
    dropped: int = 0
    reordered: int = 0
    by_side: dict = field(default_factory=lambda: {"a": 0, "b": 0})


def _bind_pair(host: str) -> tuple[socket.socket, socket.socket]:
    """An RTP socket on an even port and an RTCP socket on the next one."""
    for _ in range(200):
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtp.bind((host, 0))
        port = rtp.getsockname()[1]
        if port % 2:
            rtp.close()
            continue
        rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            rtcp.bind((host, port + 1))
        except OSError:
            rtp.close()
            rtcp.close()
            continue
        return rtp, rtcp
    raise RuntimeError(f"no RTP/RTCP port pair free on {host}")


class LossyRelay:
    """Two sides, each an RTP+RTCP socket pair; what one side receives leaves by the other."""

    def __init__(self, host: str = RELAY_HOST, loss: float = 0.05, jitter: float = 0.040,
                 seed: int = 1, impair: tuple[str, ...] = ("a", "b")):
        self.host = host
        self.loss = loss
        self.jitter = jitter
        self.impair = impair          # the sides whose received RTP is impaired
        self.random = random.Random(seed)
        self.stats = RelayStats()
        self.socks = {"a": _bind_pair(host), "b": _bind_pair(host)}
        self.peer: dict[str, tuple[str, int] | None] = {"a": None, "b": None}   # a peer's RTP address
        self._queue: list[tuple[float, int, socket.socket, bytes, tuple[str, int]]] = []
        self._seq = 0
        self._last_due = {"a": 0.0, "b": 0.0}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lossy-relay", daemon=True)
        self._thread.start()

    def port(self, side: str) -> int:
        """The RTP port of `side` (RTCP is the next one)."""
        return self.socks[side][0].getsockname()[1]

    def set_peer(self, side: str, address: tuple[str, int]) -> None:
        """The RTP address of the peer on `side` (where that side's socket sends)."""
        with self._lock:
            self.peer[side] = address

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for rtp, rtcp in self.socks.values():
            rtp.close()
            rtcp.close()

    def _run(self) -> None:
        owner = {}
        for side, (rtp, rtcp) in self.socks.items():
            owner[rtp] = (side, False)
            owner[rtcp] = (side, True)
        readable = list(owner)
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                wait = max(0.0, self._queue[0][0] - now) if self._queue else 0.05
            try:
                ready, _, _ = select.select(readable, [], [], min(wait, 0.05))
            except (OSError, ValueError):
                return
            for sock in ready:
                try:
                    data, _ = sock.recvfrom(65536)
                except OSError:
                    continue
                side, is_rtcp = owner[sock]
                self._forward(side, is_rtcp, data)
            self._send_due()

    def _forward(self, side: str, is_rtcp: bool, data: bytes) -> None:
        other = "b" if side == "a" else "a"
        with self._lock:
            dest = self.peer[other]
            if dest is None:
                return
            out_rtp, out_rtcp = self.socks[other]
            if is_rtcp:
                out, addr, delay = out_rtcp, (dest[0], dest[1] + 1), 0.0
            else:
                out, addr = out_rtp, dest
                if side in self.impair:
                    if self.random.random() < self.loss:
                        self.stats.dropped += 1
                        return
                    delay = self.random.uniform(0.0, self.jitter)
                else:
                    delay = 0.0
            due = time.monotonic() + delay
            if not is_rtcp:
                if due < self._last_due[side]:
                    self.stats.reordered += 1
                self._last_due[side] = max(self._last_due[side], due)
                self.stats.forwarded += 1
                self.stats.by_side[side] += 1
            self._seq += 1
            heapq.heappush(self._queue, (due, self._seq, out, data, addr))

    def _send_due(self) -> None:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._queue or self._queue[0][0] > now:
                    return
                _, _, out, data, addr = heapq.heappop(self._queue)
            try:
                out.sendto(data, addr)
            except OSError:
                pass


# ------------------------------------------------------------------ SIP forwarder
_URI_HOSTPORT = re.compile(r"^(sips?:(?:[^@;>]*@)?)([^;>?]+)(.*)$", re.IGNORECASE)
_COMPACT = {"v": "via", "i": "call-id", "l": "content-length", "c": "content-type"}


def _split(message: bytes) -> tuple[str, list[str], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", errors="replace").split("\r\n")
    return lines[0], lines[1:], body


def _name(line: str) -> str:
    name = line.split(":", 1)[0].strip().lower()
    return _COMPACT.get(name, name)


def _hostport(text: str, default_port: int = 5060) -> tuple[str, int]:
    host, _, port = text.strip().partition(":")
    return host, int(port) if port.isdigit() else default_port


def rewrite_sdp(body: bytes, host: str, port: int) -> tuple[bytes, tuple[str, int] | None]:
    """(the SDP with its audio at host:port (RTCP port+1), the original RTP address)."""
    text = body.decode("utf-8", errors="replace")
    eol = "\r\n" if "\r\n" in text else "\n"
    original_host = None
    original_port = None
    out = []
    for line in text.split(eol):
        if line.startswith("c=IN IP4 "):
            original_host = original_host or line[len("c=IN IP4 "):].split("/")[0].strip()
            line = f"c=IN IP4 {host}"
        elif line.startswith("m=audio "):
            fields = line.split(" ")
            original_port = int(fields[1])
            fields[1] = str(port)
            line = " ".join(fields)
        elif line.startswith("a=rtcp:"):
            rest = line[len("a=rtcp:"):].split(" ", 1)
            line = f"a=rtcp:{port + 1}" + (f" IN IP4 {host}" if len(rest) > 1 else "")
        out.append(line)
    original = (original_host, original_port) if original_host and original_port is not None else None
    return eol.join(out).encode(), original


class SdpRelayProxy:
    """A stateless SIP forwarder (UDP) that puts a LossyRelay on each call's audio.

    target: (host, port) where requests for the proxy itself go (the softphone's line).
    The side of a relay facing the target is "b"; the other peer's side is "a".
    `impair`: which sides' received RTP is impaired ("a" = the caller's media towards
    the target, "b" = the target's media towards the caller); both by default.
    """

    def __init__(self, target: tuple[str, int], host: str = LOOPBACK, relay_host: str = RELAY_HOST,
                 loss: float = 0.05, jitter: float = 0.040, seed: int = 1,
                 impair: tuple[str, ...] = ("a", "b")):
        self.target = target
        self.host = host
        self.relay_host = relay_host
        self.loss, self.jitter, self.seed, self.impair = loss, jitter, seed, impair
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.relays: list[LossyRelay] = []
        self._by_call: dict[str, LossyRelay] = {}
        self._inviter: dict[str, str] = {}      # Call-ID -> the side that sent the INVITE
        self.messages: list[str] = []            # first lines seen, for diagnostics
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.hostport}"

    def start(self) -> "SdpRelayProxy":
        self._thread = threading.Thread(target=self._run, name="sdp-relay-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.sock.close()
        for relay in self.relays:
            relay.close()

    def __enter__(self) -> "SdpRelayProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.sock], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                data, source = self.sock.recvfrom(65535)
            except OSError:
                return
            try:
                self._handle(data, source)
            except Exception as exc:   # a message we cannot handle is dropped, the proxy goes on
                self.messages.append(f"error {exc!r}")

    # ----------------------------------------------------------------- messages
    def _relay_for(self, call_id: str) -> LossyRelay:
        relay = self._by_call.get(call_id)
        if relay is None:
            relay = LossyRelay(self.relay_host, self.loss, self.jitter, self.seed + len(self.relays),
                               self.impair)
            self._by_call[call_id] = relay
            self.relays.append(relay)
        return relay

    def _handle(self, data: bytes, source: tuple[str, int]) -> None:
        if not data.strip():
            return                                 # keep-alive
        first, headers, body = _split(data)
        self.messages.append(first)
        is_response = first.startswith("SIP/2.0")
        call_id = next((h.split(":", 1)[1].strip() for h in headers if _name(h) == "call-id"), "")
        content_type = next((h.split(":", 1)[1].strip().lower() for h in headers if _name(h) == "content-type"), "")
        if body and "application/sdp" in content_type:
            relay = self._relay_for(call_id)
            # the SDP's sender is on side b when it is the target, else on side a; the
            # receiver must send to its own side of the relay.  A request's sender is known
            # by its source; a response comes from the other side than its INVITE.
            if is_response:
                sender = "a" if self._inviter.get(call_id, "a") == "b" else "b"
            else:
                sender = "b" if source == self.target else "a"
                self._inviter.setdefault(call_id, sender)
            receiver = "a" if sender == "b" else "b"
            body, original = rewrite_sdp(body, self.relay_host, relay.port(receiver))
            if original is not None:
                relay.set_peer(sender, original)
        if is_response:
            self._response(first, headers, body)
        else:
            self._request(first, headers, body)

    def _request(self, first: str, headers: list[str], body: bytes) -> None:
        method, uri, version = first.split(" ", 2)
        match = _URI_HOSTPORT.match(uri)
        if match is None:
            return
        host, port = _hostport(match.group(2))
        if (host, port) == (self.host, self.port):
            dest = self.target
            uri = f"{match.group(1)}{self.target[0]}:{self.target[1]}{match.group(3)}"
        else:
            dest = (host, port)
        top_branch = ""
        for h in headers:
            if _name(h) == "via":
                found = re.search(r";\s*branch=([^;,\s]+)", h)
                top_branch = found.group(1) if found else h
                break
        branch = "z9hG4bK" + hashlib.md5(top_branch.encode()).hexdigest()[:16]
        via = f"Via: SIP/2.0/UDP {self.hostport};branch={branch};rport"
        out_headers = [via] + [h for h in headers if not (_name(h) == "route" and self.hostport in h)]
        self._send(f"{method} {uri} {version}", out_headers, body, dest)

    def _response(self, first: str, headers: list[str], body: bytes) -> None:
        vias = [i for i, h in enumerate(headers) if _name(h) == "via"]
        if not vias:
            return
        top = headers[vias[0]]
        value = top.split(":", 1)[1].strip()
        if "," in value:                           # several Vias in one line: drop the first
            rest = value.split(",", 1)[1].strip()
            headers = headers[:vias[0]] + [f"Via: {rest}"] + headers[vias[0] + 1:]
        else:
            headers = headers[:vias[0]] + headers[vias[0] + 1:]
        nxt = next((h for h in headers if _name(h) == "via"), None)
        if nxt is None:
            return
        sent_by = nxt.split(":", 1)[1].strip().split(",")[0]
        hostport = sent_by.split(None, 1)[1].split(";")[0]
        host, port = _hostport(hostport)
        received = re.search(r";\s*received=([^;,\s]+)", sent_by)
        rport = re.search(r";\s*rport=(\d+)", sent_by)
        dest = (received.group(1) if received else host, int(rport.group(1)) if rport else port)
        self._send(first, headers, body, dest)

    def _send(self, first: str, headers: list[str], body: bytes, dest: tuple[str, int]) -> None:
        lines = [first] + [h for h in headers if _name(h) != "content-length"]
        lines.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            self.sock.sendto(message, dest)
        except OSError as exc:
            self.messages.append(f"send to {dest} failed: {exc}")
