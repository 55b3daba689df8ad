"""A small NAT between the softphone and its registrar, on loopback.

    with NatRelay(target=("127.0.0.1", kamailio.port), idle=30) as nat:
        Softphone(..., sip={"outbound_proxy": nat.uri()})   # the line sends everything to nat
        nat.udp_mappings_created                            # how many outside ports were handed out

The line sends to the relay's *inside* address (127.0.0.4:port, UDP and TCP).  Like a
home router, the relay gives each inside source (address and port) an *outside* port of
its own on 127.0.0.5 and forwards the traffic from it to `target`.  Whatever reaches an
outside port from anyone (endpoint-independent filtering, a "full cone") goes back to the
inside source from the inside socket.  A mapping is forgotten after `idle` seconds
without traffic from the inside (outbound refresh only, the strict common case): its
outside socket is closed, so a request sent to the old outside port is lost, and the next
inside packet gets a new outside port.  TCP alike: each inside connection is joined to a
new connection from an outside port to `target`; both are closed after `idle` seconds
without bytes from the inside.

One thread runs a select loop; `stop()` joins it and closes every socket.
"""
from __future__ import annotations

import select
import socket
import threading
import time

from .ports import free_port

INSIDE_HOST = "127.0.0.4"
OUTSIDE_HOST = "127.0.0.5"


class _UdpMapping:
    def __init__(self, inside_source: tuple[str, int], outside: socket.socket):
        self.inside_source = inside_source
        self.outside = outside
        self.last_out = time.monotonic()


class _TcpPair:
    def __init__(self, inside: socket.socket, outside: socket.socket):
        self.inside = inside
        self.outside = outside
        self.last_out = time.monotonic()


class NatRelay:
    def __init__(self, target: tuple[str, int], *, idle: float = 20.0, port: int | None = None,
                 inside_host: str = INSIDE_HOST, outside_host: str = OUTSIDE_HOST):
        self.target = target
        self.idle = float(idle)
        self.inside_host = inside_host
        self.outside_host = outside_host
        self.port = port or free_port(host=inside_host)
        self.udp_mappings_created = 0
        self.udp_mappings_expired = 0
        self.tcp_pairs_created = 0
        self.tcp_pairs_expired = 0
        self._udp: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._maps: dict[tuple[str, int], _UdpMapping] = {}
        self._by_outside: dict[socket.socket, _UdpMapping] = {}
        self._pairs: dict[socket.socket, _TcpPair] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ addressing
    @property
    def hostport(self) -> str:
        return f"{self.inside_host}:{self.port}"

    def uri(self, transport: str | None = None) -> str:
        """The relay's inside address as a SIP URI (the line's outbound proxy)."""
        return f"sip:{self.hostport}" + (f";transport={transport}" if transport else "")

    def outside_ports(self) -> list[int]:
        with self._lock:
            return [m.outside.getsockname()[1] for m in self._maps.values()]

    # ------------------------------------------------------------- lifecycle
    def start(self) -> "NatRelay":
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind((self.inside_host, self.port))
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.inside_host, self.port))
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._run, name="nat-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            for mapping in list(self._maps.values()):
                mapping.outside.close()
            self._maps.clear()
            self._by_outside.clear()
            for pair in {id(p): p for p in self._pairs.values()}.values():
                pair.inside.close()
                pair.outside.close()
            self._pairs.clear()
        for sock in (self._udp, self._listener):
            if sock is not None:
                sock.close()
        self._udp = self._listener = None

    def __enter__(self) -> "NatRelay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ loop
    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                readable = [self._udp, self._listener] + list(self._by_outside) + list(self._pairs)
            try:
                ready, _, _ = select.select(readable, [], [], 0.2)
            except (OSError, ValueError):
                ready = []   # a socket closed meanwhile
            for sock in ready:
                try:
                    self._readable(sock)
                except OSError:
                    pass     # ICMP errors and resets: a router drops and goes on
            self._expire()

    def _readable(self, sock: socket.socket) -> None:
        if sock is self._udp:
            data, source = sock.recvfrom(65535)
            with self._lock:
                mapping = self._maps.get(source)
                if mapping is None:
                    outside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    outside.bind((self.outside_host, 0))
                    mapping = _UdpMapping(source, outside)
                    self._maps[source] = mapping
                    self._by_outside[outside] = mapping
                    self.udp_mappings_created += 1
                mapping.last_out = time.monotonic()
            mapping.outside.sendto(data, self.target)
        elif sock is self._listener:
            inside, _ = sock.accept()
            outside = socket.create_connection(self.target, timeout=5, source_address=(self.outside_host, 0))
            pair = _TcpPair(inside, outside)
            with self._lock:
                self._pairs[inside] = pair
                self._pairs[outside] = pair
                self.tcp_pairs_created += 1
        elif sock in self._by_outside:
            data, _ = sock.recvfrom(65535)
            mapping = self._by_outside[sock]
            self._udp.sendto(data, mapping.inside_source)
        elif sock in self._pairs:
            pair = self._pairs[sock]
            data = sock.recv(65535)
            if not data:
                self._close_pair(pair)
                return
            if sock is pair.inside:
                pair.last_out = time.monotonic()
                pair.outside.sendall(data)
            else:
                pair.inside.sendall(data)

    def _close_pair(self, pair: _TcpPair) -> None:
        with self._lock:
            self._pairs.pop(pair.inside, None)
            self._pairs.pop(pair.outside, None)
        pair.inside.close()
        pair.outside.close()

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [m for m in self._maps.values() if now - m.last_out > self.idle]
            for mapping in stale:
                del self._maps[mapping.inside_source]
                del self._by_outside[mapping.outside]
                mapping.outside.close()
                self.udp_mappings_expired += 1
            pairs = {id(p): p for p in self._pairs.values() if now - p.last_out > self.idle}
        for pair in pairs.values():
            self._close_pair(pair)
            self.tcp_pairs_expired += 1
