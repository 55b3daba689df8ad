"""dnsmasq as a tiny authoritative DNS server on loopback, for RFC 3263 tests.

    with Dnsmasq(naptr=[("pbx.test", 10, 10, "s", "SIP+D2U", "", "_sip._udp.pbx.test")],
                 srv=[("_sip._udp.pbx.test", "kam1.pbx.test", 5060, 10, 0)],
                 hosts=[("kam1.pbx.test", "127.0.0.5")]) as dns:
        env = {"SOFTPHONE_DNS_SERVER": dns.address}     # "127.0.0.1:<port>"

`dnsmasq --no-daemon --port=P --listen-address=127.0.0.1 --bind-interfaces --no-resolv
--no-hosts --conf-file=/dev/null` with `--naptr-record`, `--srv-host` and `--host-record`
for each record given: it answers only those names (no upstream, no hosts file). Started
as our child and stopped by its PID. `wait_ready()` sends a real query (A of the first
host record, or of `ready.test`) until an answer comes.
"""
from __future__ import annotations

import os
import random
import shutil
import socket
import struct
import subprocess
import tempfile

from .ports import LOOPBACK, free_port
from .procs import keep_logs, stop_process, wait_until

DNSMASQ_BIN = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"


class DnsmasqError(RuntimeError):
    pass


class Dnsmasq:
    def __init__(self, *, naptr=(), srv=(), hosts=(), host: str = LOOPBACK):
        """naptr: (name, order, preference, flags, service, regexp, replacement);
        srv: (name, target, port, priority, weight); hosts: (name, address)."""
        self.naptr = list(naptr)
        self.srv = list(srv)
        self.hosts = list(hosts) + [("ready.test", "127.0.0.1")]
        self.host = host
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.dir: str | None = None

    @property
    def address(self) -> str:
        """`host:port`, the value of SOFTPHONE_DNS_SERVER."""
        return f"{self.host}:{self.port}"

    def arguments(self) -> list[str]:
        args = [DNSMASQ_BIN, "--no-daemon", f"--port={self.port}", f"--listen-address={self.host}",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
                "--log-queries", "--log-facility=-"]
        if os.getuid() == 0:
            args.append("--user=root")
        for name, order, preference, flags, service, regexp, replacement in self.naptr:
            args.append(f"--naptr-record={name},{order},{preference},{flags},{service},{regexp},{replacement}")
        for name, target, port, priority, weight in self.srv:
            args.append(f"--srv-host={name},{target},{port},{priority},{weight}")
        for name, address in self.hosts:
            args.append(f"--host-record={name},{address}")
        return args

    def start(self) -> "Dnsmasq":
        self.dir = tempfile.mkdtemp(prefix="sip-dnsmasq-")
        last = ""
        for _ in range(5):
            self.port = free_port(udp=True, tcp=True, host=self.host)
            log = open(os.path.join(self.dir, "dnsmasq.log"), "ab")
            try:
                self.proc = subprocess.Popen(self.arguments(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.dir)
            finally:
                log.close()
            try:
                self.wait_ready()
                return self
            except (AssertionError, DnsmasqError) as exc:
                last = str(exc)
                stop_process(self.proc, grace=3.0)
                self.proc = None
        raise DnsmasqError(f"dnsmasq did not start: {last}\n{self.log_text()[-3000:]}")

    def query_a(self, name: str, timeout: float = 0.3) -> bytes | None:
        """One A query over UDP; the raw answer, or None when none came in time."""
        ident = random.randrange(1 << 16)
        question = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
        packet = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + question + struct.pack("!HH", 1, 1)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.sendto(packet, (self.host, self.port))
            try:
                data, _ = sock.recvfrom(4096)
            except socket.timeout:
                return None
        return data if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == ident else None

    def wait_ready(self, timeout: float = 10.0) -> None:
        def ready() -> bool:
            if self.proc is None or self.proc.poll() is not None:
                raise DnsmasqError(f"dnsmasq exited with {self.proc and self.proc.returncode}")
            return self.query_a("ready.test") is not None
        wait_until(ready, timeout, 0.05, what="dnsmasq to answer")

    def log_text(self) -> str:
        if not self.dir:
            return ""
        try:
            with open(os.path.join(self.dir, "dnsmasq.log"), errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """Stop dnsmasq by its PID; the temp dir goes unless SIP_KEEP_LOGS=1."""
        if self.proc is not None:
            stop_process(self.proc, grace=3.0)
            self.proc = None
        if self.dir and not keep_logs():
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> "Dnsmasq":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
