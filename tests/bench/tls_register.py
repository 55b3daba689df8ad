"""make bench: TLS registration time, REGISTER over a fresh TLS connection → 200 OK.

The registrar is a small TLS server in this process (Python's ssl module, a certificate for
127.0.0.1 from a CA made here with openssl); the softphone (the release binary, its real TUI
in tmux, `tls_ca_file` = that CA) registers at `sip:127.0.0.1:PORT;transport=tls`. The server
answers every REGISTER `200 OK` and then closes the connection, so each REGISTER the line
sends (login, logout's de-registration) opens a fresh connection: TCP connect, TLS handshake
(certificate checked against 127.0.0.1), REGISTER, 200. Each sample runs from the server's
accept (the line's connect arriving) to the 200 written, in `time.perf_counter_ns()`; on
loopback that is the line's REGISTER-to-200 time less a few microseconds of SYN.

Prints n, median, p90 and max (milliseconds). No pass/fail on the numbers; exits non-zero
when a registration does not come.

usage: tls_register.py [path/to/softphone]   (default .build/release/softphone)
environment: TLS_ROUNDS (10; each is a logout and a login, two samples)
"""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

from harness.ports import LOOPBACK  # noqa: E402
from harness.softphone import Softphone  # noqa: E402


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(d: str) -> tuple[str, str, str]:
    """A CA and a server certificate for 127.0.0.1 it signed: (ca, certificate, key)."""
    p = lambda name: os.path.join(d, name)  # noqa: E731
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"),
            "-out", p("ca.pem"), "-days", "2", "-subj", "/CN=bench CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("pbx.key"),
            "-out", p("pbx.csr"), "-subj", "/CN=pbx")
    with open(p("pbx.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", p("pbx.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
            "-out", p("pbx.pem"), "-days", "2", "-extfile", p("pbx.ext"))
    return p("ca.pem"), p("pbx.pem"), p("pbx.key")


def reply_200(request: str) -> bytes:
    """200 OK to a REGISTER: Via, From, To (with a tag), Call-ID, CSeq, Contact, Expires echoed."""
    head = request.split("\r\n\r\n", 1)[0].split("\r\n")
    keep = []
    for line in head[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line + ";tag=bench")
        elif name in ("contact", "m"):
            keep.append(line)
    keep.append("Expires: 3600")
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n").encode()


class Registrar:
    """Accepts TLS connections; answers one REGISTER per connection 200, then closes it."""

    def __init__(self, certificate: str, key: str):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(certificate, key)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                raw, _ = self.sock.accept()
            except socket.timeout:
                continue
            start = time.perf_counter_ns()
            try:
                raw.settimeout(5)
                conn = self.context.wrap_socket(raw, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                text = data.decode(errors="replace").lstrip("\r\n")
                if text.startswith("REGISTER "):
                    conn.sendall(reply_200(text))
                    self.samples.append((time.perf_counter_ns() - start) / 1e6)
                conn.close()
            except (OSError, ssl.SSLError) as exc:
                self.errors.append(str(exc))
                raw.close()

    def wait(self, count: int, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while len(self.samples) < count:
            if time.monotonic() > end:
                raise RuntimeError(f"only {len(self.samples)} of {count} registrations; errors: {self.errors[-3:]}")
            time.sleep(0.02)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
    rounds = int(os.environ.get("TLS_ROUNDS", "10"))
    d = tempfile.mkdtemp(prefix="tls-bench-")
    xdg = {f"XDG_{kind}_HOME": os.path.join(d, kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    for path in xdg.values():
        os.makedirs(path, exist_ok=True)
    registrar = None
    phone = None
    try:
        ca, certificate, key = make_pki(d)
        registrar = Registrar(certificate, key)
        phone = Softphone(binary=binary, registrar=f"sip:{LOOPBACK}:{registrar.port};transport=tls",
                          password="bench", presence=False, queues=[], env=xdg,
                          sip={"tls_ca_file": ca})
        phone.start()
        phone.wait_for("line registered")
        registrar.wait(1)
        registrar.samples.clear()                     # the first one warms up, not measured
        for r in range(rounds):
            phone.logout()
            registrar.wait(2 * r + 1)
            phone.login()
            phone.wait_for("line registered")
            registrar.wait(2 * r + 2)
        measured = list(registrar.samples)            # not the de-registration when the phone stops
    except (RuntimeError, AssertionError) as exc:
        print(f"tls_register: {exc}", file=sys.stderr)
        return 1
    finally:
        if phone:
            phone.close()
        if registrar:
            registrar.close()
        shutil.rmtree(d, ignore_errors=True)

    values = sorted(measured)
    print("")
    print(f"TLS registration on loopback, fresh connection each: connect → handshake → REGISTER → 200 "
          f"(milliseconds; {os.path.relpath(binary)}; load average {os.getloadavg()[0]:.1f})")
    print(f"{'peer':<34}{'n':>5}{'median':>9}{'p90':>9}{'max':>9}")
    print(f"{'softphone → TLS registrar':<34}{len(values):>5}{statistics.median(values):>9.2f}"
          f"{percentile(values, 0.9):>9.2f}{values[-1]:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
