"""pjsua2 user agents inside the test process.

pjsua2 allows one `pj.Endpoint` per process: `PjEnv.get()` creates it on first
use (null audio device, G.711 only, UDP and TCP transports on 127.0.0.1 with
ports picked by the kernel) and `PjEnv.shutdown()` destroys it.  No pjsua
worker thread runs (`threadCnt=0`, `mainThreadOnly=True`): SIP events and every
Python callback happen inside `env.pump()` / `env.wait_until()` on the calling
thread, so test code never races with callbacks.  Nothing happens on the SIP
side while the test is not pumping -- wait with `env.wait_until(...)`, never
with `time.sleep`.

    env = PjEnv.get()
    b = Account("2001", kam.domain, registrar=kam.uri(), password="secret2")
    b.wait_registered()
    call = a.call(kam.uri("2001"), headers={"X-Queue": "Sales"})
    call.wait_confirmed()
    env.wait_until(lambda: call.rx_packets() > 0, 10)

Incoming calls are recorded in `account.incoming` and answered according to
`account.answer_code` (200 default; None rings only; 486/480/603/302 ...).

Limits of the pjsua2-python 2.15.1.post1 wheel: at most 4 simultaneous call
legs per process (all accounts together; A->B through Kamailio is 2 legs).

Sound (calls carry the conference bridge's audio at 8 kHz; the null sound
device clocks the bridge on a thread of its own, so media flows while the test
does not pump):
* `call.record(seconds)` records what the call receives (`AudioMediaRecorder`
  to a WAV in the endpoint's temp dir) and returns `(samples, rate)`.
* `call.play_tone(hz)` sends a steady sine to the call (`ToneGenerator`, one
  `ToneDesc` with `freq2 = 0`, looped); `call.stop_tone()`.
* `call.dtmf` lists every digit received as `(digit, method)`, method
  "rfc4733" or "info" (`onDtmfDigit`; pjsua answers an INFO with
  `application/dtmf-relay` itself and reports it with method SIP_INFO);
  `call.wait_digits("123")`.  Sending: `call.send_dtmf(digits, "rfc4733"|"info")`.
* `Account(..., telephone_event=False)`: pjsua2 2.15 has no setting for it
  (neither `EpConfig.medConfig` (`MediaConfig`) nor `AccountMediaConfig` has
  one; PJMEDIA_RTP_PT_TELEPHONE_EVENTS is compile-time).  The account's calls
  therefore rewrite their own SDP in `onCallSdpCreated` (pjsua2 parses
  `prm.sdp.wholeSdp` back when it changed): the telephone-event payload type
  leaves the `m=audio` line with its `a=rtpmap`/`a=fmtp` lines, in offers and
  in answers (for an incoming call pjsua2 creates our Call object from inside
  that callback).  `call.local_sdp` keeps the last SDP we sent.

Presence (RFC 3856/3903, PIDF + RPID): `Account(..., publish=True)` sends
PUBLISH (after registering) and `account.publish("busy")` changes what it
publishes; `account.watch(uri)` SUBSCRIBEs and returns a `Buddy` recording
every state (`PresenceState`) and every NOTIFY received.
"""
from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, TypeVar

import pjsua2 as pj

from .ports import LOOPBACK
from . import procs
from .pulse import read_wav
from .procs import WaitTimeout

T = TypeVar("T")

INV_STATES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}
MEDIA_STATUS = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
MEDIA_DIR = {
    pj.PJMEDIA_DIR_NONE: "inactive",
    pj.PJMEDIA_DIR_ENCODING: "sendonly",
    pj.PJMEDIA_DIR_DECODING: "recvonly",
    pj.PJMEDIA_DIR_ENCODING_DECODING: "sendrecv",
}
BUDDY_STATUS = {
    pj.PJSUA_BUDDY_STATUS_UNKNOWN: "unknown",
    pj.PJSUA_BUDDY_STATUS_ONLINE: "online",
    pj.PJSUA_BUDDY_STATUS_OFFLINE: "offline",
}
RPID_ACTIVITY = {
    pj.PJRPID_ACTIVITY_UNKNOWN: "unknown",
    pj.PJRPID_ACTIVITY_AWAY: "away",
    pj.PJRPID_ACTIVITY_BUSY: "busy",
}
EVSUB_STATES = {
    pj.PJSIP_EVSUB_STATE_NULL: "NULL",
    pj.PJSIP_EVSUB_STATE_SENT: "SENT",
    pj.PJSIP_EVSUB_STATE_ACCEPTED: "ACCEPTED",
    pj.PJSIP_EVSUB_STATE_PENDING: "PENDING",
    pj.PJSIP_EVSUB_STATE_ACTIVE: "ACTIVE",
    pj.PJSIP_EVSUB_STATE_TERMINATED: "TERMINATED",
    pj.PJSIP_EVSUB_STATE_UNKNOWN: "UNKNOWN",
}
# What `Account.publish(name)` sends: (PIDF basic open?, RPID activity, note).
# pjsua's RPID knows only the activities away and busy, so "on the phone" is
# busy with its own note.  The watcher's status text is the note, or
# "Online"/"Offline" when the note is empty.
PRESENCE_PRESETS = {
    "online": (True, pj.PJRPID_ACTIVITY_UNKNOWN, ""),
    "available": (True, pj.PJRPID_ACTIVITY_UNKNOWN, ""),
    "busy": (True, pj.PJRPID_ACTIVITY_BUSY, "Busy"),
    "away": (True, pj.PJRPID_ACTIVITY_AWAY, "Away"),
    "on the phone": (True, pj.PJRPID_ACTIVITY_BUSY, "On the phone"),
    "offline": (False, pj.PJRPID_ACTIVITY_UNKNOWN, ""),
}
_ACTIVITY_BY_NAME = {name: value for value, name in RPID_ACTIVITY.items()}

# The pjsua2-python 2.15.1.post1 wheel is built with PJSUA_MAX_CALLS = 4: a
# larger uaConfig.maxCalls is silently capped, and a fifth simultaneous call
# leg (incoming or outgoing, all accounts together) fails with PJ_ETOOMANY.
MAX_CALLS = 4


class PjsuaError(RuntimeError):
    pass


REASONS = {180: "Ringing", 183: "Session Progress", 200: "OK", 302: "Moved Temporarily",
           404: "Not Found", 480: "Temporarily Unavailable", 486: "Busy Here",
           487: "Request Terminated", 603: "Decline"}


# ---------------------------------------------------------------- SIP text
def parse_sip_message(text: str) -> tuple[str, dict[str, list[str]]]:
    """(first line, {lower-case header name: [values]}) of a raw SIP message.

    Folded lines are joined; compact header names are expanded.
    """
    head = text.split("\r\n\r\n", 1)[0].replace("\r\n", "\n")
    lines = head.split("\n")
    unfolded: list[str] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        elif line:
            unfolded.append(line)
    compact = {"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
               "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
               "v": "via", "r": "refer-to", "b": "referred-by", "o": "event", "x": "session-expires"}
    headers: dict[str, list[str]] = {}
    for line in unfolded:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        key = compact.get(key, key)
        headers.setdefault(key, []).append(value.strip())
    return lines[0] if lines else "", headers


class SipMessage:
    """A received SIP message: first line, headers (case-insensitive), body."""

    def __init__(self, raw: str):
        self.raw = raw
        self.first_line, self.headers = parse_sip_message(raw)
        self.body = raw.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in raw else ""

    def header(self, name: str, default: str | None = None) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else default

    def header_all(self, name: str) -> list[str]:
        return list(self.headers.get(name.lower(), []))

    @property
    def request_uri(self) -> str | None:
        parts = self.first_line.split()
        return parts[1] if len(parts) == 3 and parts[2].startswith("SIP/") else None

    @property
    def status(self) -> tuple[int, str] | None:
        if self.first_line.startswith("SIP/2.0 "):
            _, code, reason = (self.first_line.split(" ", 2) + [""])[:3]
            return int(code), reason
        return None

    def __repr__(self) -> str:
        return f"SipMessage({self.first_line!r})"


# --------------------------------------------------------------- endpoint
class PjEnv:
    """The process's single pjsua2 endpoint and its transports."""

    _instance: "PjEnv | None" = None

    @classmethod
    def get(cls, **kwargs) -> "PjEnv":
        if cls._instance is None:
            cls._instance = cls(**kwargs)
        return cls._instance

    @classmethod
    def current(cls) -> "PjEnv | None":
        return cls._instance

    def __init__(self, log_level: int = 4, console_level: int | None = None,
                 log_dir: str | None = None, host: str = LOOPBACK):
        if PjEnv._instance is not None:
            raise RuntimeError("pjsua2 allows one endpoint per process: use PjEnv.get()")
        self.host = host
        self._own_dir = log_dir is None
        self.dir = Path(log_dir or tempfile.mkdtemp(prefix="sip-pjsua-"))
        self.log_path = self.dir / "pjsua.log"
        if console_level is None:
            console_level = int(os.environ.get("PJSUA_CONSOLE_LEVEL", "0"))
        self.accounts: list[Account] = []
        self.accounts_ever: list[Account] = []
        self.calls: list[Call] = []      # every Call ever made: kept alive, see shutdown()
        self.buddies: list[Buddy] = []   # every Buddy ever made: kept alive, see shutdown()
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0            # no SIP worker thread: we pump
        cfg.uaConfig.mainThreadOnly = True    # callbacks only in our thread
        cfg.uaConfig.maxCalls = MAX_CALLS    # the wheel caps it at 4 anyway
        cfg.uaConfig.userAgent = "softphone-test-pjsua"
        cfg.uaConfig.stunServer = pj.StringVector()
        cfg.logConfig.level = log_level       # file log (SIP messages at 4+)
        cfg.logConfig.consoleLevel = console_level
        cfg.logConfig.filename = str(self.log_path)
        cfg.logConfig.msgLogging = True
        cfg.medConfig.noVad = True            # send RTP even for silence
        cfg.medConfig.clockRate = self.clock_rate = 8000   # the bridge, recordings, tones
        cfg.medConfig.sndClockRate = 8000
        cfg.medConfig.channelCount = 1
        cfg.medConfig.ecTailLen = 0
        self.ep.libInit(cfg)
        self.udp_id = self._transport(pj.PJSIP_TRANSPORT_UDP)
        self.tcp_id = self._transport(pj.PJSIP_TRANSPORT_TCP)
        self.ep.libStart()
        self.ep.audDevManager().setNullDev()
        self._only_g711()
        self._destroyed = False
        procs.set_idle(self.pump)
        atexit.register(self.shutdown)

    def _transport(self, kind: int) -> int:
        tcfg = pj.TransportConfig()
        tcfg.port = 0                         # the kernel picks a free port
        tcfg.boundAddress = self.host
        tcfg.publicAddress = self.host
        return self.ep.transportCreate(kind, tcfg)

    def _only_g711(self) -> None:
        for codec in self.ep.codecEnum2():
            cid = codec.codecId
            if cid.startswith("PCMU/"):
                prio = 255
            elif cid.startswith("PCMA/"):
                prio = 254
            else:
                prio = 0
            self.ep.codecSetPriority(cid, prio)

    # ----------------------------------------------------------- transport
    def transport_id(self, transport: str) -> int:
        return {"udp": self.udp_id, "tcp": self.tcp_id}[transport.lower()]

    def local_port(self, transport: str = "udp") -> int:
        name = self.ep.transportGetInfo(self.transport_id(transport)).localName
        return int(name.rsplit(":", 1)[1])

    def hostport(self, transport: str = "udp") -> str:
        return f"{self.host}:{self.local_port(transport)}"

    # ------------------------------------------------------------- pumping
    def pump(self, seconds: float = 0.05) -> None:
        """Handle SIP events (and run callbacks) for about `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            self.ep.libHandleEvents(max(0, min(int(left * 1000), 20)))
            self._tick()
            if left <= 0:
                break

    def _tick(self) -> None:
        """Delayed answers of incoming calls fall due here."""
        for acc in self.accounts:
            for call in acc.incoming:
                if call._answer_at is not None:
                    call.tick()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 20.0,
                   what: str | None = None) -> T:
        """Pump events until `predicate()` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for "
                                  f"{what or getattr(predicate, '__name__', 'condition')}")
            self.pump(0.01)

    # ------------------------------------------------------------ shutdown
    def close_accounts(self, timeout: float = 5.0) -> None:
        for acc in list(self.accounts):
            acc.close(timeout)

    def shutdown(self) -> None:
        """Hang up, unregister, destroy the endpoint.  Safe to call twice."""
        if getattr(self, "_destroyed", True):
            return
        try:
            self.close_accounts()
            self.ep.hangupAllCalls()
            self.pump(0.2)
        finally:
            self._destroyed = True
            procs.set_idle(None)
            for call in self.calls:      # tone generators are bridge ports: gone before the bridge
                call.stop_tone()
            # pjsua2's Call/Account destructors touch pjsua's tables; after
            # libDestroy those are gone (assertion in pjsua_call_set_user_data,
            # abort).  Disown the C++ objects so Python never destroys them.
            for call in self.calls:
                call.thisown = False
            for buddy in self.buddies:
                buddy.thisown = False
            for acc in self.accounts_ever:
                acc._acc.thisown = False
            self.ep.libDestroy()
            self.ep = None
            if PjEnv._instance is self:
                PjEnv._instance = None
            if not (self._own_dir is False or procs.keep_logs()):
                shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, chars: int = 8000) -> str:
        """The end of pjsua's log file (SIP messages at level 4+)."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def _env() -> PjEnv:
    return PjEnv.get()


# ---------------------------------------------------------------- account
class _PjAccount(pj.Account):
    def __init__(self, owner: "Account"):
        super().__init__()
        self.owner = owner

    def onRegState(self, prm):
        self.owner._on_reg_state(prm)

    def onIncomingCall(self, prm):
        self.owner._on_incoming_call(prm)


class Account:
    """A SIP account on the shared endpoint.

    registrar: e.g. kam.uri() -> registers on creation and uses the same
    address as loose-routing outbound proxy (unless `proxy` is given).
    password: digest credentials for any realm.
    answer_code: what incoming calls get: 200 (after a 180), None = ring only
    (180 and wait), or a final code such as 486/480/603/302 (302 needs
    `redirect_to`).  `answer_delay` pumps that long between 180 and the answer.
    publish: PUBLISH our presence (RFC 3903) once registered, starting with
    `initial_status` (pjsua would publish nothing before a status is set);
    change it with `publish(status)`.
    """

    def __init__(self, user: str, domain: str, registrar: str | None = None,
                 password: str | None = None, *, proxy: str | None = None,
                 transport: str = "udp", display_name: str | None = None,
                 answer_code: int | None = 200, redirect_to: str | None = None,
                 answer_delay: float = 0.0, register: bool = True,
                 reg_timeout: int = 300, publish: bool = False,
                 initial_status: str | None = "online", env: PjEnv | None = None,
                 telephone_event: bool = True, session_timers: str | None = None,
                 session_expires: int = 90, min_se: int = 90, prack: str | None = None):
        self.env = env or _env()
        self.user = user
        self.domain = domain
        self.registrar = registrar
        self.password = password
        self.transport = transport
        self.answer_code = answer_code
        self.redirect_to = redirect_to
        self.answer_delay = answer_delay
        self.telephone_event = telephone_event
        self.reg_events: list[tuple[int, str, int]] = []   # (code, reason, expiration)
        self.incoming: list[Call] = []
        self.outgoing: list[Call] = []
        self.closed = False
        self.buddies: list[Buddy] = []
        self.published: list[tuple[float, str, str, str]] = []   # (time, status, activity, note)
        self.publish_enabled = publish
        self._unregister_mark: int | None = None    # len(reg_events) when unregister() was called

        if transport.lower() == "tcp":
            # pjsua derives the Contact's transport from these URIs: without
            # ';transport=tcp' it registers over TCP a Contact that means UDP
            registrar = registrar and _with_tcp(registrar)
            proxy = proxy and _with_tcp(proxy)
        cfg = pj.AccountConfig()
        name = f'"{display_name}" ' if display_name else ""
        cfg.idUri = f"{name}<sip:{user}@{domain}>" if name else f"sip:{user}@{domain}"
        if registrar:
            cfg.regConfig.registrarUri = registrar
            cfg.regConfig.registerOnAdd = register
            cfg.regConfig.timeoutSec = reg_timeout
            cfg.regConfig.retryIntervalSec = 0      # a failure stays final
            cfg.regConfig.dropCallsOnFail = False
        outbound = proxy or (_loose(registrar) if registrar else None)
        self.registrar = registrar
        if outbound:
            cfg.sipConfig.proxies.append(outbound)
        if password is not None:
            cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        cfg.sipConfig.transportId = self.env.transport_id(transport)
        nat = cfg.natConfig
        nat.sipOutboundUse = 0
        nat.contactRewriteUse = 0
        nat.viaRewriteUse = 0
        nat.sdpNatRewriteUse = 0
        nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        nat.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
        nat.iceEnabled = False
        nat.udpKaIntervalSec = 0
        cfg.mediaConfig.transportConfig.boundAddress = self.env.host
        cfg.mediaConfig.transportConfig.publicAddress = self.env.host
        cfg.mediaConfig.transportConfig.port = random.randrange(20000, 50000, 2)
        cfg.mediaConfig.transportConfig.portRange = 2000
        cfg.callConfig.timerUse = pj.PJSUA_SIP_TIMER_INACTIVE
        if session_timers is not None:
            # RFC 4028: "optional" | "required" | "always"
            cfg.callConfig.timerUse = {"optional": pj.PJSUA_SIP_TIMER_OPTIONAL,
                                       "required": pj.PJSUA_SIP_TIMER_REQUIRED,
                                       "always": pj.PJSUA_SIP_TIMER_ALWAYS}[session_timers]
            cfg.callConfig.timerSessExpiresSec = session_expires
            cfg.callConfig.timerMinSESec = min_se
        if prack is not None:
            # RFC 3262: "supported" | "mandatory"
            cfg.callConfig.prackUse = {"supported": pj.PJSUA_100REL_OPTIONAL,
                                       "mandatory": pj.PJSUA_100REL_MANDATORY}[prack]
        # PUBLISH (RFC 3903) our presence to the registrar's domain; pjsua
        # starts publishing once the registration succeeded
        cfg.presConfig.publishEnabled = publish
        self._cfg = cfg
        self._acc = _PjAccount(self)
        self._acc.create(cfg, True)
        self.env.accounts.append(self)
        self.env.accounts_ever.append(self)
        if publish and initial_status:
            # pjsua publishes nothing until a status is set; once set, the
            # first PUBLISH goes out when the registration succeeds
            self.publish(initial_status)

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{self.domain}"

    @property
    def contact_uri(self) -> str:
        """Where this account can be reached directly (no proxy)."""
        params = ";transport=tcp" if self.transport == "tcp" else ""
        return f"sip:{self.user}@{self.env.hostport(self.transport)}{params}"

    # -------------------------------------------------------- registration
    def _on_reg_state(self, prm) -> None:
        self.reg_events.append((prm.code, prm.reason, prm.expiration))

    def info(self):
        return self._acc.getInfo()

    def registered(self) -> bool:
        """True while the registrar holds our binding (last REGISTER got 2xx)."""
        info = self._acc.getInfo()
        return bool(info.regIsActive) and 200 <= info.regStatus < 300

    @property
    def reg_status(self) -> tuple[int, str] | None:
        """Status code and reason of the last final REGISTER answer."""
        return self.reg_events[-1][:2] if self.reg_events else None

    @property
    def reg_code(self) -> int | None:
        return self.reg_events[-1][0] if self.reg_events else None

    def register(self) -> None:
        """REGISTER again; a publishing account also publishes its last status again.

        pjsua's unregistration unpublishes, forgets the status and switches
        publishing off inside pjsua-lib: without `enable_publish()` it would
        register but never PUBLISH again.  That re-enabling (Account.modify)
        itself re-registers.
        """
        self.wait_unregistration_answered()      # a REGISTER still under way makes pjsua busy
        if self.publish_enabled and self.published and not self._cfg.presConfig.publishEnabled:
            _, key, activity, note = self.published[-1]
            self.enable_publish(key, note=note, activity=activity)
            try:
                self._acc.setRegistration(True)
            except pj.Error:
                pass            # the modify() already sent a REGISTER (PJSIP_EBUSY)
        else:
            self._acc.setRegistration(True)

    def unregister(self) -> None:
        """Send REGISTER with Expires: 0 (wait with `registered()` false).

        A publishing account also withdraws its publication (PUBLISH
        Expires: 0): pjsua does that and switches publishing off.
        """
        self._unregister_mark = len(self.reg_events)
        self._acc.setRegistration(False)
        if self._cfg.presConfig.publishEnabled:
            self._cfg.presConfig.publishEnabled = False     # as pjsua-lib did

    def wait_unregistration_answered(self, timeout: float = 20.0) -> tuple[int, str] | None:
        """After `unregister()`: wait until pjsua itself got the final answer (None if it was
        never asked). Kamailio drops the binding before pjsua reads the 200: a test that saw
        `kam.wait_unregistered()` may still find pjsua's REGISTER in progress."""
        mark = self._unregister_mark
        if mark is None:
            return None
        self.env.wait_until(lambda: any(code >= 200 for code, _, _ in self.reg_events[mark:]), timeout,
                            what=f"{self.user}: final answer to the unregistration")
        return next((c, r) for c, r, _ in self.reg_events[mark:] if c >= 200)

    def _modify(self, timeout: float = 20.0) -> None:
        """Account.modify with our config; while pjsua is busy with an earlier REGISTER or
        PUBLISH transaction (an error), tried again until it is accepted (bounded)."""
        failure: list[str] = []

        def accepted() -> bool:
            try:
                self._acc.modify(self._cfg)
                return True
            except pj.Error as exc:
                failure[:] = [f"{exc.status} {exc.reason}"]
                return False
        try:
            self.env.wait_until(accepted, timeout, what=f"{self.user}: account modify")
        except WaitTimeout:
            raise PjsuaError(f"{self.user}: Account.modify kept failing: {failure}") from None

    def wait_registered(self, timeout: float = 20.0) -> None:
        self.env.wait_until(lambda: self.registered() or self._reg_failed(), timeout,
                            what=f"{self.user} to register")
        if not self.registered():
            raise AssertionError(f"{self.user}: registration failed with {self.reg_status}")

    def wait_reg_final(self, timeout: float = 20.0) -> tuple[int, str]:
        """Wait for the first final answer to REGISTER; (code, reason)."""
        self.env.wait_until(lambda: any(code >= 200 for code, _, _ in self.reg_events),
                            timeout, what=f"{self.user}: final REGISTER answer")
        return next((c, r) for c, r, _ in reversed(self.reg_events) if c >= 200)

    def _reg_failed(self) -> bool:
        return bool(self.reg_events) and self.reg_events[-1][0] >= 300

    # -------------------------------------------------------------- calls
    def call(self, uri: str, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
             to: str | None = None) -> "Call":
        """INVITE `uri` (the Request-URI) with extra `headers`.

        `to` replaces the To header's URI (default: the Request-URI), e.g. to
        call a queue number through a proxy address.
        """
        call = Call(self, outgoing=True, target=uri)
        prm = pj.CallOpParam(True)
        items = headers.items() if isinstance(headers, Mapping) else (headers or [])
        for name, value in items:
            prm.txOption.headers.append(_header(name, value))
        if to is not None:
            prm.txOption.targetUri = uri
            uri = to
        try:
            call.makeCall(uri, prm)
        except pj.Error as exc:
            call.failed_to_start = exc.info()
            hint = ""
            if "ETOOMANY" in call.failed_to_start:
                hint = (f" -- this pjsua2 wheel allows {MAX_CALLS} call legs per process; "
                        "hang up finished calls or use another peer (baresip)")
            raise PjsuaError(f"makeCall({uri}) failed: {call.failed_to_start}{hint}") from None
        self.outgoing.append(call)
        return call

    def _on_incoming_call(self, prm) -> None:
        call = Call(self, outgoing=False, call_id=prm.callId)
        call.invite = SipMessage(prm.rdata.wholeMsg)
        self.incoming.append(call)
        code = self.answer_code
        ring = pj.CallOpParam()
        ring.statusCode = 180
        call.answer(ring)
        if code is None:
            return
        if self.answer_delay:
            call._answer_at = time.monotonic() + self.answer_delay
            call._answer_code = code
            return
        call._answer_final(code)

    def last_incoming(self) -> "Call":
        if not self.incoming:
            raise AssertionError(f"{self.user} received no call")
        return self.incoming[-1]

    def wait_incoming(self, count: int = 1, timeout: float = 20.0) -> "Call":
        self.env.wait_until(lambda: len(self.incoming) >= count, timeout,
                            what=f"{self.user} to receive call #{count}")
        return self.incoming[count - 1]

    # -------------------------------------------------------------- close
    # ----------------------------------------------------------- presence
    def publish(self, status: str = "online", note: str | None = None,
                activity: str | None = None) -> None:
        """Set our presence: "online", "busy", "away", "on the phone", "offline".

        `note` and `activity` ("busy", "away", "unknown") override the preset.
        With `publish=True` pjsua sends a PUBLISH (PIDF with an RPID person
        element); without it the status only goes into NOTIFYs pjsua itself
        sends to direct subscribers.
        """
        key = status.lower()
        if key not in PRESENCE_PRESETS:
            raise ValueError(f"unknown presence {status!r}; one of {sorted(PRESENCE_PRESETS)}")
        basic_open, act, default_note = PRESENCE_PRESETS[key]
        if activity is not None:
            act = _ACTIVITY_BY_NAME[activity.lower()]
        ps = pj.PresenceStatus()
        ps.status = pj.PJSUA_BUDDY_STATUS_ONLINE if basic_open else pj.PJSUA_BUDDY_STATUS_OFFLINE
        ps.activity = act
        ps.note = default_note if note is None else note
        self._acc.setOnlineStatus(ps)
        self.published.append((time.monotonic(), key, RPID_ACTIVITY[act], ps.note))

    def unpublish(self) -> None:
        """Withdraw our publication (PUBLISH Expires: 0) and stop publishing.

        Done by modifying the account with publishing disabled (pjsua has no
        other way); the registration is kept.
        """
        self._cfg.presConfig.publishEnabled = False
        self.publish_enabled = False
        self._modify()

    def enable_publish(self, status: str = "online", note: str | None = None,
                       activity: str | None = None) -> None:
        """Start publishing (again, after `unpublish()` or an unregistration) with `status`.

        pjsua re-REGISTERs for it and PUBLISHes once that succeeded.
        """
        self.publish(status, note=note, activity=activity)
        self.publish_enabled = True
        if not self._cfg.presConfig.publishEnabled:
            self._cfg.presConfig.publishEnabled = True
            self._modify()

    def watch(self, uri: str, subscribe: bool = True) -> "Buddy":
        """SUBSCRIBE to `uri`'s presence (through our proxy); returns the Buddy.

        pjsua-lib ignores the Account given to `Buddy.create()`: it picks the
        account for a buddy's SUBSCRIBE by the buddy URI's domain, in account
        priority order (all our lines share 127.0.0.1, so the first account
        would always win).  While the SUBSCRIBE is created we therefore raise
        this account's priority above all others, then restore it.
        """
        with self.preferred_for_outgoing():
            return Buddy(self, uri, subscribe=subscribe)

    def _set_priority(self, priority: int) -> None:
        self._cfg.priority = priority
        self._modify()

    @contextlib.contextmanager
    def preferred_for_outgoing(self):
        """Meanwhile this account wins pjsua's choice of an account for outgoing requests."""
        old = self._cfg.priority
        top = max((a._cfg.priority for a in self.env.accounts if a is not self), default=0) + 1
        if old < top:
            self._set_priority(top)
        try:
            yield self
        finally:
            if self._cfg.priority != old and not self.closed:
                self._set_priority(old)

    def close(self, timeout: float = 5.0) -> None:
        """Hang up this account's calls, unsubscribe its buddies, unregister, delete the account.

        A publishing account's publication is withdrawn (PUBLISH Expires: 0)
        by pjsua when it unregisters or the account is deleted.
        """
        if self.closed:
            return
        self.closed = True
        for buddy in list(self.buddies):
            buddy.delete(timeout=min(timeout, 2.0))
        live = [c for c in self.incoming + self.outgoing if not c.disconnected]
        for call in live:
            call.hangup()
        try:
            self.env.wait_until(lambda: all(c.disconnected for c in live), timeout,
                                what=f"{self.user}: calls to end")
        except WaitTimeout:
            pass
        if self.registrar and self.registered():
            self.unregister()
            try:
                self.env.wait_until(lambda: not self.registered(), timeout,
                                    what=f"{self.user} to unregister")
            except WaitTimeout:
                pass
        self._acc.shutdown()
        self.env.pump(0.05)
        if self in self.env.accounts:
            self.env.accounts.remove(self)

    def __enter__(self) -> "Account":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _with_tcp(uri: str) -> str:
    return uri if "transport=" in uri.lower() else uri + ";transport=tcp"


def _loose(uri: str) -> str:
    return uri if ";lr" in uri else uri + ";lr"


def _header(name: str, value: str):
    h = pj.SipHeader()
    h.hName = name
    h.hValue = value
    return h


# ------------------------------------------------------------------- call
class Call(pj.Call):
    """One call and everything seen on it.

    states: invite-session states in order ('CALLING', 'EARLY', 'CONFIRMED',
    'DISCONNECTED', ...).  responses: (code, reason) of every answer received
    to our INVITE (outgoing calls).  final: (code, reason) of the call's final
    answer (200 when answered).  media: media status history ('active',
    'local_hold', 'remote_hold', ...).
    """

    def __init__(self, account: Account, outgoing: bool, call_id: int | None = None,
                 target: str | None = None):
        if call_id is None:
            super().__init__(account._acc)
        else:
            super().__init__(account._acc, call_id)
        self.account = account
        self.env = account.env
        self.env.calls.append(self)
        self.outgoing = outgoing
        self.target = target
        self.invite: SipMessage | None = None         # received INVITE (incoming)
        self.states: list[str] = []
        self.responses: list[tuple[int, str]] = []          # to the initial INVITE
        self.response_messages: list[SipMessage] = []       # every INVITE answer, re-INVITEs too
        self.requests: list[SipMessage] = []          # in-dialog requests received
        self.answers: list[SipMessage] = []           # every response received, any method
        self.final: tuple[int, str] | None = None
        self.last_status: tuple[int, str] | None = None
        self.media: list[str] = []
        self.media_dirs: list[str] = []
        self.transfer_status: list[tuple[int, str]] = []
        self.transfer_requests: list[str] = []
        self.redirect_targets: list[str] = []
        self.local_hangup = False
        self.rx_packets_max = 0
        self.tx_packets_max = 0
        self._answer_at: float | None = None
        self._answer_code: int | None = None
        self._connected_media: list = []
        self._hangup_after_transfer = False
        self._hangup_when_confirmed = False
        self.transferred_to: Call | None = None     # the call a REFER made us place
        self.failed_to_start: str | None = None
        self.dtmf: list[tuple[str, str]] = []        # (digit, "rfc4733" | "info") received
        self.local_sdp: str | None = None              # the last SDP we sent (after rewriting)
        self._tone = None                              # the ToneGenerator playing to the call

    # ---------------------------------------------------------- callbacks
    def onCallState(self, prm):
        self._record_event(prm.e)
        info = self.getInfo()
        state = INV_STATES.get(info.state, str(info.state))
        self.states.append(state)
        self.last_status = (info.lastStatusCode, info.lastReason)
        if state in ("CONNECTING", "CONFIRMED") and self.final is None:
            self.final = (200, "OK")
        if state == "DISCONNECTED":
            if self.final is None:
                received = [r for r in self.responses if r[0] >= 200]
                self.final = received[0] if self.outgoing and received else \
                    (info.lastStatusCode, info.lastReason)
            self._connected_media = []
        if state == "CONFIRMED" and self._hangup_when_confirmed:
            self.hangup()

    def onCallTsxState(self, prm):
        self._record_event(prm.e)

    def onCallSdpCreated(self, prm):
        sdp = prm.sdp.wholeSdp
        if not self.account.telephone_event:
            stripped = strip_telephone_event(sdp)
            if stripped != sdp:
                prm.sdp.wholeSdp = stripped
                sdp = stripped
        self.local_sdp = sdp

    def onDtmfDigit(self, prm):
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self.dtmf.append((prm.digit, method))

    def _record_event(self, event) -> None:
        """Keep SIP messages received on this call (responses to INVITE, requests)."""
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        if event.body.tsxState.type != pj.PJSIP_EVENT_RX_MSG:
            return
        raw = event.body.tsxState.src.rdata.wholeMsg
        if not raw:
            return
        tsx = event.body.tsxState.tsx
        msg = SipMessage(raw)
        if msg.status and tsx.role == pj.PJSIP_ROLE_UAC:
            if all(m.raw != raw for m in self.answers[-4:]):
                self.answers.append(msg)
        if msg.status and tsx.role == pj.PJSIP_ROLE_UAC and tsx.method == "INVITE":
            if all(m.raw != raw for m in self.response_messages[-4:]):
                self.response_messages.append(msg)
                if "CONFIRMED" not in self.states:     # not a re-INVITE's answer
                    self.responses.append(msg.status)
        elif msg.request_uri and tsx.role == pj.PJSIP_ROLE_UAS:
            if all(m.raw != raw for m in self.requests[-4:]):
                self.requests.append(msg)

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for mi in info.media:
            if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            self.media.append(MEDIA_STATUS.get(mi.status, str(mi.status)))
            self.media_dirs.append(MEDIA_DIR.get(mi.dir, str(mi.dir)))
            if mi.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                aud = self.getAudioMedia(mi.index)
                mgr = self.env.ep.audDevManager()
                mgr.getCaptureDevMedia().startTransmit(aud)   # null device: silence
                aud.startTransmit(mgr.getPlaybackDevMedia())
                self._connected_media = [aud]

    def onCallRedirected(self, prm):
        # the 3xx is not followed: the call ends with it as final answer
        self._record_event(prm.e)
        self.redirect_targets.append(prm.targetUri)
        return pj.PJSIP_REDIRECT_STOP

    def onCallTransferStatus(self, prm):
        self.transfer_status.append((prm.statusCode, prm.reason))
        if prm.finalNotify or prm.statusCode >= 200:
            if 200 <= prm.statusCode < 300 and self._hangup_after_transfer:
                self.hangup()

    def onCallTransferRequest(self, prm):
        # a REFER arrived: pjsua accepts it (202) and calls the target; give
        # that new call a recording Call object of ours
        self.transfer_requests.append(prm.dstUri)
        new_call = Call(self.account, outgoing=True, target=prm.dstUri)
        self.account.outgoing.append(new_call)
        self.transferred_to = new_call
        prm.newCall = new_call

    # ------------------------------------------------------------ actions
    def _answer_final(self, code: int) -> None:
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        prm.reason = REASONS.get(code, "")
        if 300 <= code < 400:
            target = self.account.redirect_to
            if not target:
                raise ValueError("a 3xx answer needs Account(redirect_to=...)")
            prm.txOption.headers.append(_header("Contact", f"<{target}>"))
        self.answer(prm)

    def answer_now(self, code: int = 200) -> None:
        """Answer a ringing incoming call."""
        self._answer_at = None
        self._answer_final(code)

    def tick(self) -> None:
        if self._answer_at is not None and time.monotonic() >= self._answer_at:
            code = self._answer_code
            self._answer_at = None
            if not self.disconnected:
                self._answer_final(code)

    def hangup(self, code: int | None = None) -> None:
        """BYE when confirmed, CANCEL while ringing out, reject when ringing in."""
        if self.disconnected or self.getId() == pj.PJSUA_INVALID_ID:
            return
        self.local_hangup = True
        prm = pj.CallOpParam(True)
        if code:
            prm.statusCode = code
        try:
            super().hangup(prm)
        except pj.Error:
            pass

    def hold(self) -> None:
        self.setHold(pj.CallOpParam(True))

    def resume(self) -> None:
        prm = pj.CallOpParam(True)
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        self.reinvite(prm)

    def transfer(self, uri: str, hangup_on_success: bool = True) -> None:
        """Blind transfer: REFER with Refer-To `uri`.

        The NOTIFYs' sipfrag codes land in `transfer_status`; like a desk
        phone we hang up once the target answered (2xx), unless told not to.
        """
        self._hangup_after_transfer = hangup_on_success
        self.xfer(uri, pj.CallOpParam(True))

    @property
    def transfer_final(self) -> tuple[int, str] | None:
        finals = [s for s in self.transfer_status if s[0] >= 200]
        return finals[-1] if finals else None

    # -------------------------------------------------------------- state
    @property
    def state(self) -> str | None:
        return self.states[-1] if self.states else None

    @property
    def confirmed(self) -> bool:
        return "CONFIRMED" in self.states and not self.disconnected

    @property
    def was_confirmed(self) -> bool:
        return "CONFIRMED" in self.states

    @property
    def disconnected(self) -> bool:
        return "DISCONNECTED" in self.states

    @property
    def ringing(self) -> bool:
        """A 180/183 was received (outgoing) or sent (incoming)."""
        if self.outgoing:
            return any(code in (180, 183) for code, _ in self.responses)
        return "EARLY" in self.states

    @property
    def remote_hangup(self) -> bool:
        return self.disconnected and not self.local_hangup

    @property
    def cancelled(self) -> bool:
        """Incoming call ended by the caller's CANCEL before it was answered."""
        return (not self.outgoing and self.disconnected and not self.was_confirmed
                and (any(r.first_line.startswith("CANCEL ") for r in self.requests)
                     or (self.last_status or (0,))[0] == 487))

    @property
    def media_status(self) -> str | None:
        return self.media[-1] if self.media else None

    @property
    def remote_hold(self) -> bool:
        return self.media_status == "remote_hold"

    @property
    def local_hold(self) -> bool:
        return self.media_status == "local_hold"

    @property
    def redirect_contact(self) -> str | None:
        """The Contact of a 3xx answer (outgoing calls)."""
        for msg in reversed(self.response_messages):
            status = msg.status
            if status and 300 <= status[0] < 400:
                return msg.header("contact")
        return self.redirect_targets[-1] if self.redirect_targets else None

    def header(self, name: str) -> str | None:
        """A header of the received INVITE (incoming calls)."""
        return self.invite.header(name) if self.invite else None

    def stream_stats(self) -> tuple[int, int]:
        """(packets received, packets sent) of the audio stream now, (0, 0) if none."""
        if self.disconnected:
            return (0, 0)
        try:
            info = self.getInfo()
            for mi in info.media:
                if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status != pj.PJSUA_CALL_MEDIA_NONE:
                    stat = self.getStreamStat(mi.index)
                    rx, tx = stat.rtcp.rxStat.pkt, stat.rtcp.txStat.pkt
                    self.rx_packets_max = max(self.rx_packets_max, rx)
                    self.tx_packets_max = max(self.tx_packets_max, tx)
                    return (rx, tx)
        except pj.Error:
            pass
        return (0, 0)

    def rx_packets(self) -> int:
        return self.stream_stats()[0]

    # -------------------------------------------------------------- sound
    def audio_media(self):
        """The call's audio port on the conference bridge (raises when there is none)."""
        if not self._connected_media:
            raise PjsuaError(f"{self!r} has no active audio")
        return self._connected_media[0]

    def record(self, seconds: float, path: str | os.PathLike | None = None):
        """Records `seconds` of what the call receives to a WAV; returns (samples, rate).

        pjsua keeps being pumped meanwhile (SIP goes on); the recorder is destroyed
        before reading, which completes the WAV header.
        """
        aud = self.audio_media()
        if path is None:
            path = self.env.dir / f"call-{self.getId()}-{next(_RECORDINGS)}.wav"
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(path))
        aud.startTransmit(recorder)
        try:
            self.env.pump(seconds)
        finally:
            try:
                aud.stopTransmit(recorder)
            except pj.Error:
                pass
            del recorder
        # pjsua 2.15 removes a bridge port asynchronously (in the bridge's clock thread):
        # the WAV writer is closed, and its header written, a moment after the destructor
        self.env.wait_until(lambda: _wav_complete(path), 10, what=f"the recording {path} to be closed")
        return read_wav(path)

    def play_tone(self, freq: float) -> None:
        """Sends a steady sine of `freq` Hz into the call (until `stop_tone()` or the end)."""
        self.stop_tone()
        tone = pj.ToneGenerator()
        tone.createToneGenerator(self.env.clock_rate, 1)
        desc = pj.ToneDesc()
        desc.freq1 = int(freq)
        desc.freq2 = 0
        desc.on_msec = 30000        # a C short; the tone loops
        desc.off_msec = 0
        desc.volume = 0             # pjmedia's default level
        tones = pj.ToneDescVector()
        tones.append(desc)
        tone.play(tones, True)
        tone.startTransmit(self.audio_media())
        self._tone = tone

    def stop_tone(self) -> None:
        tone, self._tone = self._tone, None
        if tone is not None:
            try:
                tone.stop()
                if self._connected_media:
                    tone.stopTransmit(self._connected_media[0])
            except pj.Error:
                pass

    def send_dtmf(self, digits: str, method: str = "rfc4733") -> None:
        """Sends `digits` as RFC 4733 events ("rfc4733") or SIP INFO ("info")."""
        prm = pj.CallSendDtmfParam()
        prm.digits = digits
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO if method == "info" else pj.PJSUA_DTMF_METHOD_RFC2833
        self.sendDtmf(prm)

    def digits(self) -> str:
        return "".join(d for d, _ in self.dtmf)

    def wait_digits(self, digits: str, timeout: float = 20.0) -> list[tuple[str, str]]:
        """Waits until as many digits as `digits` has were received; returns the first
        len(digits) (digit, method) pairs (the caller compares them)."""
        self.env.wait_until(lambda: len(self.dtmf) >= len(digits), timeout,
                            what=f"DTMF {digits!r} (received {self.digits()!r})")
        return self.dtmf[:len(digits)]

    def tx_packets(self) -> int:
        return self.stream_stats()[1]

    # -------------------------------------------------------------- waits
    def wait_state(self, state: str, timeout: float = 20.0) -> None:
        self.env.wait_until(lambda: state in self.states, timeout,
                            what=f"call state {state} (seen {self.states})")

    def wait_confirmed(self, timeout: float = 20.0) -> None:
        self.env.wait_until(lambda: self.was_confirmed or self.disconnected,
                            timeout, what=f"call to be answered (seen {self.states})")
        if not self.was_confirmed:
            raise AssertionError(f"call ended with {self.final} before it was answered")

    def wait_disconnected(self, timeout: float = 20.0) -> tuple[int, str] | None:
        self.env.wait_until(lambda: self.disconnected, timeout,
                            what=f"call to end (seen {self.states})")
        return self.final

    def wait_final(self, timeout: float = 20.0) -> tuple[int, str]:
        self.env.wait_until(lambda: self.final is not None, timeout,
                            what=f"a final answer (seen {self.responses})")
        return self.final

    def wait_media(self, status: str, timeout: float = 20.0) -> None:
        self.env.wait_until(lambda: self.media_status == status, timeout,
                            what=f"media {status} (seen {self.media})")

    def wait_rtp(self, min_packets: int = 1, timeout: float = 20.0) -> int:
        """Wait until at least `min_packets` RTP packets were received."""
        return self.env.wait_until(
            lambda: (lambda rx: rx if rx >= min_packets else 0)(self.rx_packets()), timeout,
            what=f"{min_packets} RTP packets received")

    def wait_rtp_growing(self, more: int = 5, timeout: float = 20.0) -> int:
        """Wait until `more` packets arrive after now (RTP is flowing now)."""
        start = self.rx_packets()
        return self.wait_rtp(start + more, timeout)

    def __repr__(self) -> str:
        kind = "out" if self.outgoing else "in"
        return f"<Call {kind} {self.target or ''} states={self.states} final={self.final}>"


_RECORDINGS = itertools.count(1)
_TE_RTPMAP = re.compile(r"^a=rtpmap:(\d+)\s+telephone-event/", re.IGNORECASE | re.MULTILINE)


def _wav_complete(path) -> bool:
    """The RIFF header's size matches the file (pjmedia writes it when the writer closes)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        size = os.path.getsize(path)
    except OSError:
        return False
    return len(head) == 8 and head[:4] == b"RIFF" and int.from_bytes(head[4:8], "little") + 8 == size


def strip_telephone_event(sdp: str) -> str:
    """The SDP without any telephone-event payload type (m= format, a=rtpmap, a=fmtp)."""
    pts = set(_TE_RTPMAP.findall(sdp))
    if not pts:
        return sdp
    eol = "\r\n" if "\r\n" in sdp else "\n"
    out = []
    for line in sdp.split(eol):
        if line.startswith("m=audio "):
            fields = line.split(" ")
            line = " ".join(fields[:3] + [f for f in fields[3:] if f not in pts])
        elif any(line.startswith(f"a={kind}:{pt} ") or line == f"a={kind}:{pt}"
                 for kind in ("rtpmap", "fmtp") for pt in pts):
            continue
        out.append(line)
    return eol.join(out)


# --------------------------------------------------------------- presence
@dataclass
class PresenceState:
    """One `onBuddyState` of a watched buddy, as pjsua saw it."""
    time: float                 # time.monotonic() when pjsua reported it
    status: str                 # "online" / "offline" / "unknown" (PIDF basic open/closed, none)
    status_text: str            # the RPID note, else "Online"/"Offline"; "?" when unknown
    activity: str               # RPID activity: "busy" / "away" / "unknown"
    note: str                   # RPID note (dm:note or the tuple's note)
    rpid_id: str
    sub_state: int              # PJSIP_EVSUB_STATE_*
    sub_state_name: str         # pjsua's name: "NULL", "SENT", "ACCEPTED", "PENDING", "ACTIVE", "TERMINATED"
    sub_term_code: int          # final SIP code of a terminated subscription (200 otherwise)
    sub_term_reason: str        # e.g. "noresource", "timeout", or the SUBSCRIBE's reason
    contact: str
    monitoring: bool            # BuddyInfo.presMonitorEnabled
    notify: SipMessage | None = None   # the NOTIFY that caused this state (None: another cause)

    @property
    def pidf(self) -> str | None:
        """The PIDF body of that NOTIFY ('' for a NOTIFY without body)."""
        return self.notify.body if self.notify is not None else None

    @property
    def terminated(self) -> bool:
        return self.sub_state == pj.PJSIP_EVSUB_STATE_TERMINATED


class Buddy(pj.Buddy):
    """A presence subscription of an Account (pjsua2 Buddy) and all it saw.

    states: every PresenceState (one per `onBuddyState`).
    messages: every SIP message pjsua reported on the subscription
    (`onBuddyEvSubState` events: answers to SUBSCRIBE, NOTIFYs).
    notifies: the NOTIFY requests among them, in order.
    """

    def __init__(self, account: Account, uri: str, subscribe: bool = True):
        super().__init__()
        self.account = account
        self.env = account.env
        self.uri = uri
        self.states: list[PresenceState] = []
        self.messages: list[SipMessage] = []
        self.notifies: list[SipMessage] = []
        self.sub_events: list[tuple[float, str, str | None]] = []  # (time, state name, first line)
        self.deleted = False
        self._trigger: SipMessage | None = None   # message of the evsub event being reported
        cfg = pj.BuddyConfig()
        cfg.uri = uri
        cfg.subscribe = subscribe
        self.env.buddies.append(self)          # keep the SWIG object alive
        self.create(account._acc, cfg)
        account.buddies.append(self)

    # ---------------------------------------------------------- callbacks
    def onBuddyEvSubState(self, prm):
        # pjsua calls this just before onBuddyState, for every NOTIFY and
        # every answer to SUBSCRIBE
        msg = self._received(prm.e)
        self._trigger = msg
        try:
            name = EVSUB_STATES.get(self.getInfo().subState, "?")
        except pj.Error:
            name = "?"
        self.sub_events.append((time.monotonic(), name, msg.first_line if msg else None))

    def onBuddyState(self):
        try:
            info = self.getInfo()
        except pj.Error:
            return
        pres = info.presStatus
        trigger, self._trigger = self._trigger, None
        notify = trigger if trigger is not None and trigger.first_line.startswith("NOTIFY ") else None
        self.states.append(PresenceState(
            time=time.monotonic(),
            status=BUDDY_STATUS.get(pres.status, str(pres.status)),
            status_text=pres.statusText,
            activity=RPID_ACTIVITY.get(pres.activity, str(pres.activity)),
            note=pres.note,
            rpid_id=pres.rpidId,
            sub_state=info.subState,
            sub_state_name=info.subStateName,
            sub_term_code=info.subTermCode,
            sub_term_reason=info.subTermReason,
            contact=info.contact,
            monitoring=bool(info.presMonitorEnabled),
            notify=notify))

    def _received(self, event) -> SipMessage | None:
        """Keep a received message carried by an evsub event (NOTIFY, SUBSCRIBE answer)."""
        try:
            if event.type != pj.PJSIP_EVENT_TSX_STATE:
                return None
            tsx_state = event.body.tsxState
            if tsx_state.type != pj.PJSIP_EVENT_RX_MSG:
                return None
            raw = tsx_state.src.rdata.wholeMsg
        except (AttributeError, pj.Error):
            return None
        if not raw:
            return None
        for old in self.messages[-6:]:
            if old.raw == raw:
                return old
        msg = SipMessage(raw)
        self.messages.append(msg)
        if msg.first_line.startswith("NOTIFY "):
            self.notifies.append(msg)
        return msg

    # ------------------------------------------------------------ actions
    def unsubscribe(self) -> None:
        """SUBSCRIBE with Expires: 0 (the buddy stays; `resubscribe()` again)."""
        self.subscribePresence(False)

    def resubscribe(self) -> None:
        self.subscribePresence(True)

    def refresh(self) -> None:
        """Ask for a fresh NOTIFY (pjsua refreshes the subscription)."""
        self.updatePresence()

    def delete(self, timeout: float = 2.0) -> None:
        """Unsubscribe and delete the pjsua buddy (the recorded data stays)."""
        if self.deleted:
            return
        self.deleted = True
        if self in self.account.buddies:
            self.account.buddies.remove(self)
        try:
            if self.isValid():
                state = self.state
                if state is not None and not state.terminated and state.monitoring:
                    self.subscribePresence(False)
                    try:
                        self.env.wait_until(
                            lambda: self.state is not None and self.state.terminated,
                            timeout, what=f"{self.uri}: subscription to end")
                    except WaitTimeout:
                        pass
                # the C++ destructor runs pjsua_buddy_del(); SWIG disowns the proxy
                pj._pjsua2.delete_Buddy(self)
        except pj.Error:
            pass

    # -------------------------------------------------------------- state
    @property
    def state(self) -> PresenceState | None:
        return self.states[-1] if self.states else None

    @property
    def status(self) -> str | None:
        return self.state.status if self.state else None

    @property
    def status_text(self) -> str | None:
        return self.state.status_text if self.state else None

    @property
    def activity(self) -> str | None:
        return self.state.activity if self.state else None

    @property
    def note(self) -> str | None:
        return self.state.note if self.state else None

    def info(self):
        """pjsua's BuddyInfo now."""
        return self.getInfo()

    def last_notify(self) -> SipMessage | None:
        """The last NOTIFY received on this subscription (whole message), or None."""
        return self.notifies[-1] if self.notifies else None

    def last_pidf(self) -> str | None:
        """The body of the last NOTIFY ('' when it had none), or None."""
        msg = self.last_notify()
        return msg.body if msg is not None else None

    def responses(self) -> list[tuple[int, str]]:
        """(code, reason) of every answer to our SUBSCRIBEs pjsua reported."""
        return [m.status for m in self.messages if m.status]

    def mark(self) -> int:
        """An index into `states`, for `wait_for(..., since=mark)`."""
        return len(self.states)

    # -------------------------------------------------------------- waits
    def wait_for(self, predicate: Callable[[PresenceState], bool], timeout: float = 20.0,
                 since: int | None = None, what: str | None = None) -> PresenceState:
        """Wait until a state satisfies `predicate`; returns that state.

        Without `since` only the latest state counts; with `since=buddy.mark()`
        any state recorded after the mark does.
        """
        def found():
            if since is None:
                return self.state if self.state is not None and predicate(self.state) else None
            return next((s for s in self.states[since:] if predicate(s)), None)
        return self.env.wait_until(
            found, timeout,
            what=f"{self.uri}: {what or 'presence condition'} (seen {self._summary()})")

    def wait_status(self, text: str, timeout: float = 20.0, since: int | None = None) -> PresenceState:
        """Wait until the status text (note, or Online/Offline) is `text` (any case)."""
        want = text.lower()
        return self.wait_for(lambda s: (s.status_text or "").lower() == want, timeout, since,
                             what=f"status text {text!r}")

    def wait_basic(self, status: str, timeout: float = 20.0, since: int | None = None) -> PresenceState:
        """Wait until the status is "online" / "offline" / "unknown"."""
        return self.wait_for(lambda s: s.status == status, timeout, since, what=f"status {status}")

    def wait_terminated(self, timeout: float = 20.0) -> PresenceState:
        return self.wait_for(lambda s: s.terminated, timeout, what="subscription terminated")

    def _summary(self) -> str:
        return ", ".join(f"{s.sub_state_name}:{s.status}/{s.status_text}/{s.activity}"
                         for s in self.states[-6:]) or "nothing"

    def __repr__(self) -> str:
        return f"<Buddy {self.uri} {self._summary()}>"
