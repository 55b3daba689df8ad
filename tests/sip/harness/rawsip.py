"""A tiny hand-written SIP user agent over UDP on loopback, for exact answers.

pjsua hides most of what a server answers to PUBLISH and SUBSCRIBE; this
client sends the request text we write and keeps every message it receives,
so tests can assert status lines, headers (SIP-ETag, Expires,
Subscription-State ...) and bodies exactly.

    ua = RawSipUA("+4930123", kam.domain, kam.hostport)
    r = ua.request("PUBLISH", "sip:1001@127.0.0.1", headers={"Event": "presence",
                   "Expires": "60"}, body=pidf, content_type="application/pidf+xml")
    r.final.status          # (200, 'OK')
    r.final.header("SIP-ETag")

Incoming requests (NOTIFY) are answered `200 OK` automatically and kept in
`ua.requests`.  Digest challenges (401/407) are answered once when the UA has
a password.  Nothing runs in the background: `wait_*` poll the socket
(through `procs.wait_until`, which also pumps pjsua when it exists).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import socket
from typing import Callable, Mapping

from .pjsua import SipMessage
from .ports import LOOPBACK
from .procs import wait_until

_counter = itertools.count(1)


def _token() -> str:
    return os.urandom(6).hex()


class Transaction:
    """One request we sent (and re-sent with credentials) and its answers."""

    def __init__(self, method: str, call_id: str, cseq: int, text: str):
        self.method = method
        self.call_id = call_id
        self.cseq = cseq
        self.text = text
        self.responses: list[SipMessage] = []

    @property
    def final(self) -> SipMessage | None:
        finals = [r for r in self.responses if r.status and r.status[0] >= 200]
        return finals[-1] if finals else None

    @property
    def codes(self) -> list[int]:
        return [r.status[0] for r in self.responses]

    def __repr__(self) -> str:
        return f"<Transaction {self.method} cseq={self.cseq} codes={self.codes}>"


class RawSipUA:
    """A SIP UA on a UDP socket at 127.0.0.1:<kernel port>, talking to `proxy` (host:port)."""

    def __init__(self, user: str, domain: str, proxy: str, password: str | None = None,
                 host: str = LOOPBACK):
        self.user = user
        self.domain = domain
        phost, _, pport = proxy.rpartition(":")
        self.proxy = (phost, int(pport))
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.host, self.port = self.sock.getsockname()
        self.from_tag = _token()
        self.received: list[SipMessage] = []
        self.requests: list[SipMessage] = []        # requests received (NOTIFY ...)
        self.transactions: list[Transaction] = []
        self.auto_answer: Callable[[SipMessage], tuple[int, str]] = lambda _msg: (200, "OK")

    # --------------------------------------------------------------- basics
    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{self.domain}"

    @property
    def contact(self) -> str:
        return f"<sip:{self.user}@{self.host}:{self.port}>"

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawSipUA":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, text: str) -> None:
        self.sock.sendto(text.encode(), self.proxy)

    # -------------------------------------------------------------- sending
    def request(self, method: str, ruri: str, *, to: str | None = None,
                headers: Mapping[str, str] | None = None, body: str = "",
                content_type: str | None = None, call_id: str | None = None,
                cseq: int | None = None, to_tag: str | None = None,
                wait: bool = True, timeout: float = 15.0) -> Transaction:
        """Send a request; with `wait` return after its final answer.

        A 401/407 is answered once with credentials (when `password` is set),
        with the next CSeq in the same Call-ID; both answers stay in
        `responses`.
        """
        call_id = call_id or f"{_token()}@{self.host}"
        cseq = cseq if cseq is not None else next(_counter)
        to_uri = to or ruri
        hdrs = dict(headers or {})
        tx = Transaction(method, call_id, cseq, "")
        tx.text = self._build(method, ruri, to_uri, to_tag, call_id, cseq, hdrs, body,
                              content_type)
        self.transactions.append(tx)
        self._send(tx.text)
        if not wait:
            return tx
        self.wait_final(tx, timeout)
        final = tx.final
        if final.status[0] in (401, 407) and self.password is not None:
            auth = self._authorization(final, method, ruri)
            if auth:
                name = "Authorization" if final.status[0] == 401 else "Proxy-Authorization"
                hdrs[name] = auth
                first = list(tx.responses)
                tx.cseq += 1
                tx.text = self._build(method, ruri, to_uri, to_tag, call_id, tx.cseq, hdrs,
                                      body, content_type)
                tx.responses = []
                self._send(tx.text)
                self.wait_final(tx, timeout)
                tx.responses = first + tx.responses
        return tx

    def _build(self, method, ruri, to_uri, to_tag, call_id, cseq, hdrs, body, content_type) -> str:
        branch = "z9hG4bK" + _token()
        to_hdr = f"<{to_uri}>" + (f";tag={to_tag}" if to_tag else "")
        lines = [f"{method} {ruri} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.host}:{self.port};rport;branch={branch}",
                 "Max-Forwards: 70",
                 f"From: <{self.uri}>;tag={self.from_tag}",
                 f"To: {to_hdr}",
                 f"Call-ID: {call_id}",
                 f"CSeq: {cseq} {method}",
                 f"Contact: {self.contact}",
                 "User-Agent: softphone-test-rawsip"]
        lines += [f"{name}: {value}" for name, value in hdrs.items()]
        if body:
            lines.append(f"Content-Type: {content_type or 'application/pidf+xml'}")
        lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def _authorization(self, challenge: SipMessage, method: str, ruri: str) -> str | None:
        value = challenge.header("proxy-authenticate") or challenge.header("www-authenticate")
        if not value:
            return None
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', value))
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        ha1 = hashlib.md5(f"{self.user}:{realm}:{self.password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{ruri}".encode()).hexdigest()
        if "auth" in params.get("qop", "").split(","):
            nc, cnonce = "00000001", _token()
            resp = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
            return (f'Digest username="{self.user}", realm="{realm}", nonce="{nonce}", '
                    f'uri="{ruri}", response="{resp}", algorithm=MD5, qop=auth, nc={nc}, '
                    f'cnonce="{cnonce}"')
        resp = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
        return (f'Digest username="{self.user}", realm="{realm}", nonce="{nonce}", '
                f'uri="{ruri}", response="{resp}", algorithm=MD5')

    # ------------------------------------------------------------ receiving
    def poll(self) -> int:
        """Read every datagram waiting; answer requests; returns how many were read."""
        count = 0
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                return count
            count += 1
            msg = SipMessage(data.decode(errors="replace"))
            msg.source = addr
            self.received.append(msg)
            if msg.status:
                self._match_response(msg)
            elif msg.request_uri:
                if not any(r.raw == msg.raw for r in self.requests[-8:]):
                    self.requests.append(msg)
                if msg.first_line.split()[0] != "ACK":
                    code, reason = self.auto_answer(msg)
                    self._reply(msg, addr, code, reason)

    def _match_response(self, msg: SipMessage) -> None:
        cseq = (msg.header("cseq") or "").split()
        call_id = msg.header("call-id")
        for tx in reversed(self.transactions):
            if tx.call_id == call_id and cseq and int(cseq[0]) == tx.cseq \
                    and cseq[-1] == tx.method:
                if not any(r.raw == msg.raw for r in tx.responses):
                    tx.responses.append(msg)
                return

    def _reply(self, req: SipMessage, addr, code: int, reason: str) -> None:
        to = req.header("to") or ""
        if ";tag=" not in to:
            to += f";tag={_token()}"
        lines = [f"SIP/2.0 {code} {reason}"]
        lines += [f"Via: {v}" for v in req.header_all("via")]
        lines += [f"From: {req.header('from')}", f"To: {to}",
                  f"Call-ID: {req.header('call-id')}", f"CSeq: {req.header('cseq')}",
                  "Content-Length: 0"]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), addr)

    def wait_final(self, tx: Transaction, timeout: float = 15.0) -> SipMessage:
        def done():
            self.poll()
            return tx.final
        return wait_until(done, timeout, 0.01, what=f"final answer to {tx.method}")

    def wait_request(self, predicate: Callable[[SipMessage], bool] | None = None,
                     count: int = 1, timeout: float = 15.0) -> list[SipMessage]:
        """Wait until `count` received requests match `predicate`; returns them."""
        predicate = predicate or (lambda _m: True)

        def done():
            self.poll()
            found = [r for r in self.requests if predicate(r)]
            return found if len(found) >= count else None
        return wait_until(done, timeout, 0.01, what=f"{count} matching request(s)")

    def notifies(self, call_id: str | None = None) -> list[SipMessage]:
        self.poll()
        return [r for r in self.requests if r.first_line.startswith("NOTIFY ")
                and (call_id is None or r.header("call-id") == call_id)]
