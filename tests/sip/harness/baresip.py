"""baresip as a second, independent SIP peer (its own process).

    with Baresip("3001") as bs:                 # no registration
        bs.dial(pjsua_account.contact_uri)
        bs.wait_established()
        bs.hangup()
        bs.wait_closed()

baresip runs headless from a temporary config directory: G.711 by default
(`codecs=` chooses others), a sine tone as audio source (`ausine`, no device),
the `aubridge` player as a sink that needs no device, SIP on UDP/TCP 127.0.0.1:<free port>, and the
`ctrl_tcp` module on another free loopback port.  Commands go over ctrl_tcp
(netstring-framed JSON: {"command", "params", "token"}); its JSON events
(CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK, ...) are collected
by a reader thread into `events`.  The process is stopped by its PID.

Sound (baresip-core 1.0.0, read from its modules):
* `audio_source ausine,<Hz>` -- `ausine.so` takes the frequency as the device
  name (a full-scale sine, 48 kHz stereo here: `ausrc_srate`/`ausrc_channels`).
* codecs: the account's `;audio_codecs=` lists what is offered, in order, by
  baresip's names (`opus/48000/2`, `G722`, `PCMU`, `PCMA`); each needs its
  module loaded (`opus.so`, `g722.so`, `g711.so`): `Baresip(codecs=["opus"])`.
  With Opus, `opus_inbandfec yes` and `opus_packet_loss 10` (FEC sent).
* `record=True` loads `sndfile.so` (an audio filter): every call's decoded
  received audio and encoded sent audio are written to
  `<dir>/dump-<peer>-dec.wav` / `-enc.wav` (`snd_path`); `recordings()`.
* `mediaenc="srtp-mand"` (or "srtp", best effort; "srtp-mandf", ...) sets the
  account's `;mediaenc=` and loads `srtp.so`: SDES-keyed SRTP (RFC 4568).
"""
from __future__ import annotations

import itertools
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .ports import LOOPBACK, free_port
from .procs import WaitTimeout, keep_logs, pid_alive, stop_process, wait_until

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
BARESIP_BIN = shutil.which("baresip") or "/usr/bin/baresip"
MODULE_DIR = "/usr/lib/baresip/modules"

# Our codec names -> (baresip's name in ;audio_codecs=, the module that has it).
CODECS = {
    "opus": ("opus/48000/2", "opus.so"),
    "g722": ("G722", "g722.so"),
    "pcmu": ("PCMU", "g711.so"),
    "pcma": ("PCMA", "g711.so"),
}


class BaresipError(RuntimeError):
    pass


class Baresip:
    """One baresip user agent with one account.

    user: the account's user part; its AOR is sip:user@domain.
    registrar/password: register there (regint 300) when given; otherwise
    no REGISTER is sent and calls go straight to the dialled URI (or through
    `outbound` when given).
    answermode: 'manual' (ring; `accept()` answers) or 'auto'.
    """

    def __init__(self, user: str = "3001", domain: str = LOOPBACK, *,
                 registrar: str | None = None, password: str | None = None,
                 outbound: str | None = None, answermode: str = "manual",
                 host: str = LOOPBACK, tone_hz: int = 440, keep_dir: bool = False,
                 codecs: list[str] | tuple[str, ...] = ("pcmu", "pcma"), record: bool = False,
                 mediaenc: str | None = None):
        self.user = user
        self.domain = domain
        self.registrar = registrar
        self.password = password
        self.outbound = outbound or (registrar + ";lr" if registrar and ";lr" not in registrar else registrar)
        self.answermode = answermode
        self.host = host
        self.tone_hz = tone_hz
        self.keep_dir = keep_dir
        unknown = [c for c in codecs if c.lower() not in CODECS]
        if unknown or not codecs:
            raise ValueError(f"codecs must be some of {sorted(CODECS)}: {list(codecs)}")
        self.codecs = [c.lower() for c in codecs]
        self.record = record
        self.mediaenc = mediaenc
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.sip_port: int | None = None
        self.ctrl_port: int | None = None
        self.events: list[dict] = []
        self.responses: dict[str, dict] = {}
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)
        self.stopped_pid: int | None = None
        self._final_log: str | None = None

    # ------------------------------------------------------------ paths
    @property
    def log_path(self) -> Path:
        if self.dir is None:
            raise BaresipError("not started")
        return self.dir / "baresip.log"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain}"

    @property
    def contact_uri(self) -> str:
        """Where baresip can be called directly."""
        return f"sip:{self.user}@{self.host}:{self.sip_port}"

    # ----------------------------------------------------------- config
    def _account_line(self) -> str:
        names = ",".join(CODECS[c][0] for c in self.codecs)
        params = [f"answermode={self.answermode}", f"audio_codecs={names}"]
        if self.mediaenc:
            params.append(f"mediaenc={self.mediaenc}")
        if self.registrar:
            params.append("regint=300")
            if self.password is not None:
                params.append(f"auth_pass={self.password}")
            if self.outbound:
                params.append(f'outbound="{self.outbound}"')
        else:
            params.append("regint=0")
            if self.outbound:
                params.append(f'outbound="{self.outbound}"')
        return f"<{self.aor}>;" + ";".join(params) + "\n"

    def _config(self) -> str:
        modules = []
        for codec in self.codecs:
            module = CODECS[codec][1]
            if module not in modules:
                modules.append(module)
        extra = [f"module\t\t\t{m}" for m in modules]
        if "opus" in self.codecs:
            # in-band FEC as a real phone sends it (useinbandfec=1 in the SDP), tuned for loss
            extra += ["opus_inbandfec\t\tyes", "opus_packet_loss\t10"]
        if self.record:
            extra += ["module\t\t\tsndfile.so", f"snd_path\t\t{self.dir}"]
        if self.mediaenc:
            extra += ["module\t\t\tsrtp.so"]
        return "\n".join([
            "poll_method\t\tepoll",
            f"sip_listen\t\t{self.host}:{self.sip_port}",
            "call_local_timeout\t120",
            "call_max_calls\t\t4",
            f"audio_player\t\taubridge,sink-{self.sip_port}",
            f"audio_source\t\tausine,{self.tone_hz}",
            f"audio_alert\t\taubridge,alert-{self.sip_port}",
            "ausrc_srate\t\t48000",
            "ausrc_channels\t\t2",
            "auplay_srate\t\t48000",
            "auplay_channels\t\t2",
            "audio_level\t\tno",
            "rtp_ports\t\t20000-50000",
            "rtcp_mux\t\tno",
            "jitter_buffer_delay\t5-10",
            "rtp_stats\t\tyes",
            f"module_path\t\t{MODULE_DIR}",
            *extra,
            "module\t\t\tausine.so",
            "module\t\t\taubridge.so",
            "module_tmp\t\tuuid.so",
            "module_tmp\t\taccount.so",
            "module_app\t\tmenu.so",
            "module_app\t\tctrl_tcp.so",
            f"ctrl_tcp_listen\t\t{self.host}:{self.ctrl_port}",
            "",
        ])

    # -------------------------------------------------------- lifecycle
    def start(self, timeout: float = 15.0) -> "Baresip":
        if self.proc is not None:
            raise BaresipError("already started")
        self.dir = Path(tempfile.mkdtemp(prefix="sip-baresip-"))
        last = ""
        for _ in range(5):
            self.sip_port = free_port()
            self.ctrl_port = free_port(udp=False)
            (self.dir / "config").write_text(self._config())
            (self.dir / "accounts").write_text(self._account_line())
            (self.dir / "contacts").write_text("")
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    [BARESIP_BIN, "-f", str(self.dir)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.dir)
            finally:
                log.close()
            try:
                self._connect(timeout)
                return self
            except (WaitTimeout, BaresipError, OSError) as exc:
                last = str(exc)
                in_use = "in use" in self.log_text().lower()
                self._terminate()
                if not in_use:
                    break
        message = f"baresip did not start: {last}\n--- log ---\n{self.log_text()[-4000:]}"
        self.stop()
        raise BaresipError(message)

    def _connect(self, timeout: float) -> None:
        def connected():
            if self.proc.poll() is not None:
                raise BaresipError(f"baresip exited with {self.proc.returncode}")
            try:
                return socket.create_connection((self.host, self.ctrl_port), timeout=0.5)
            except OSError:
                return None
        self._sock = wait_until(connected, timeout, 0.05, what="baresip ctrl_tcp")
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, name="baresip-ctrl", daemon=True)
        self._reader.start()
        # a round trip proves that the UA is up (SIP is bound before ctrl_tcp)
        info = self.command("reginfo", timeout=timeout)
        if self.aor not in info.get("data", ""):
            raise BaresipError(f"baresip has no account {self.aor}: {info}")

    def _read_loop(self) -> None:
        buf = b""
        sock = self._sock
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while True:
                colon = buf.find(b":")
                if colon < 0:
                    break
                try:
                    size = int(buf[:colon])
                except ValueError:
                    buf = b""
                    break
                if len(buf) < colon + 1 + size + 1:
                    break
                payload = buf[colon + 1:colon + 1 + size]
                buf = buf[colon + 1 + size + 1:]
                try:
                    msg = json.loads(payload.decode(errors="replace"))
                except ValueError:
                    continue
                with self._lock:
                    if msg.get("event"):
                        msg["_t"] = time.monotonic()
                        self.events.append(msg)
                    elif msg.get("response"):
                        self.responses[str(msg.get("token"))] = msg

    def log_text(self) -> str:
        """baresip's output so far (still available after `stop()`)."""
        if self._final_log is not None:
            return self._final_log
        try:
            return self.log_path.read_text(errors="replace")
        except (FileNotFoundError, BaresipError):
            return ""

    def _terminate(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)   # wakes the reader thread
            except OSError:
                pass
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        if self.proc is not None:
            self.stopped_pid = self.proc.pid
            stop_process(self.proc, grace=5.0)
            self.proc = None
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None

    def stop(self) -> None:
        """Quit baresip: SIGTERM to its PID (SIGKILL after 5 s), reap it."""
        self._terminate()
        if self.dir is not None and self._final_log is None:
            log = self.log_text()
            if not (self.keep_dir or keep_logs()):
                shutil.rmtree(self.dir, ignore_errors=True)
                self._final_log = log

    def recordings(self, kind: str = "dec") -> list[Path]:
        """The WAV files `sndfile` wrote (record=True): "dec" = received, "enc" = sent."""
        if self.dir is None:
            return []
        return sorted(self.dir.glob(f"dump-*-{kind}.wav"))

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and pid_alive(self.proc.pid)

    def __enter__(self) -> "Baresip":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---------------------------------------------------------- control
    def command(self, command: str, params: str | None = None, timeout: float = 5.0,
                check: bool = True) -> dict:
        """Send a ctrl_tcp command (a menu command: dial, hangup, accept,
        callstat, listcalls, reginfo, ...); wait for and return its response
        {"ok", "data"}.  `check`: raise BaresipError when ok is false."""
        if self._sock is None:
            raise BaresipError("not connected")
        token = str(next(self._tokens))
        body = {"command": command, "token": token}
        if params is not None:
            body["params"] = params
        data = json.dumps(body).encode()
        self._sock.sendall(str(len(data)).encode() + b":" + data + b",")
        reply = wait_until(lambda: self.responses.get(token), timeout, 0.02,
                           what=f"baresip response to {command}")
        if check and not reply.get("ok"):
            raise BaresipError(f"baresip {command} {params or ''}: {reply.get('data')}")
        return reply

    def dial(self, uri: str) -> dict:
        return self.command("dial", uri)

    def hangup(self) -> dict:
        return self.command("hangup")

    def accept(self) -> dict:
        return self.command("accept")

    # ----------------------------------------------------------- events
    def event_types(self) -> list[str]:
        with self._lock:
            return [e.get("type", "") for e in self.events]

    def find_events(self, kind: str) -> list[dict]:
        with self._lock:
            return [e for e in self.events if e.get("type") == kind]

    def wait_event(self, kind: str, timeout: float = 20.0, count: int = 1) -> dict:
        found = wait_until(lambda: (lambda es: es if len(es) >= count else None)(self.find_events(kind)),
                           timeout, 0.02, what=f"baresip event {kind} (seen {self.event_types()})")
        return found[count - 1]

    def wait_established(self, timeout: float = 20.0) -> dict:
        return self.wait_event("CALL_ESTABLISHED", timeout)

    def wait_closed(self, timeout: float = 20.0) -> dict:
        return self.wait_event("CALL_CLOSED", timeout)

    def wait_incoming(self, timeout: float = 20.0) -> dict:
        """An incoming call rings (answermode=manual only: auto-answered
        calls go straight to CALL_ESTABLISHED)."""
        return self.wait_event("CALL_INCOMING", timeout)

    def registered(self) -> bool:
        """The account's registration is OK now (asks baresip: `reginfo`).

        REGISTER_OK events are not enough: the first REGISTER may be answered
        before our ctrl_tcp connection exists, and its event is then lost.
        """
        data = _ANSI.sub("", self.command("reginfo").get("data", ""))
        return any(self.aor in ln and " OK " in ln + " " for ln in data.splitlines())

    def wait_registered(self, timeout: float = 20.0) -> None:
        wait_until(self.registered, timeout, 0.1, what=f"baresip {self.aor} to register")

    @property
    def established(self) -> bool:
        return bool(self.find_events("CALL_ESTABLISHED"))

    @property
    def closed(self) -> dict | None:
        found = self.find_events("CALL_CLOSED")
        return found[-1] if found else None

    @property
    def remote_hung_up(self) -> bool:
        """The last call was ended by the other side (not by our `hangup`)."""
        last = self.closed
        if last is None:
            return False
        reason = (last.get("param") or "").lower()
        return "peer" in reason or "remote" in reason
