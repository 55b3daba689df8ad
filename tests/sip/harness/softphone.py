"""The real softphone binary in a private tmux server, seen as a person sees it.

`Softphone(...)` writes a config.toml into a temp dir (a SIP line on a free
loopback port, optionally registering at a registrar), starts the built binary
in tmux with LANG=C.UTF-8, and offers `screen()`, `keys()`, `wait_for(text)`.
The app's PID is recorded by a wrapper; `stop()` ends it by that PID (SIGTERM,
which logs out and de-registers first) and then the tmux server by its PID.
Waits go through `procs.wait_until`, so pjsua keeps working while we wait.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile

from . import procs
from .ports import LOOPBACK, free_port

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_BINARY = os.path.join(REPO, ".build", "debug", "softphone")

# Bound of every wait on the screen: generous, because a loaded machine (a build beside the
# tests) can delay the debug binary's start, a key or a frame by seconds. A bound, not a pace:
# a wait returns as soon as its condition holds.
WAIT = 20.0
# The tab bar, left to right.
TABS = ("Calls", "Team", "History", "Log")

# The audio line of a connected call when RTP arrives ("no audio received (" does not match).
_AUDIO_IN = re.compile(r"(?<!no )audio [^(\n]*?(\d+) packets in")

# The picker's digits (SPEC section 6) and the label the status bar shows for each.
PRESENCE = {
    "Available": "1", "Busy": "2", "Do not disturb": "3", "Be right back": "4",
    "Away": "5", "Appear offline": "6",
}


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sound_config(codecs: list[str] | tuple[str, ...] = ("opus", "g722", "pcmu", "pcma")) -> dict:
    """The [audio] table for a private PulseAudio (`harness.pulse.PulseServer`): playback on
    sp_play, capture from sp_mic's monitor, ring on sp_ring, `codecs` in that order."""
    return {"backend": "pulse", "playback": "sp_play", "capture": "sp_mic.monitor", "ring": "sp_ring",
            "codecs": list(codecs)}


class Softphone:
    def __init__(self, *, extension: str = "1001", registrar: str | None = None, password: str | None = None,
                 transport: str = "udp", answering: str = "reject", target: str | None = None,
                 no_answer_seconds: int = 20, queues: list[tuple[str, str, bool]] | None = None,
                 wrapup: int = 0, width: int = 110, height: int = 32, binary: str | None = None,
                 colleagues: list[tuple[str, str]] | None = None, presence: bool = True,
                 env: dict[str, str] | None = None, audio: dict | None = None, sip: dict | None = None,
                 srtp: str | None = None):
        self.binary = binary or os.environ.get("SOFTPHONE_BIN", DEFAULT_BINARY)
        self.extension = extension
        self.registrar = registrar
        self.password = password
        self.transport = transport
        self.answering = answering
        self.target = target
        self.no_answer_seconds = no_answer_seconds
        self.queues = queues if queues is not None else [("Sales", "700", True), ("Support", "701", False)]
        self.wrapup = wrapup
        self.colleagues = colleagues or []
        self.presence = presence
        self.extra_env = dict(env or {})      # e.g. XDG_* directories of its own, PULSE_SERVER
        self.audio = dict(audio or {})        # the [audio] table (SPEC section 7), e.g. sound_config()
        self.sip = dict(sip or {})            # more [sip] keys, e.g. {"domain": "pbx.test", "auth_user": "a7bx"}
        if srtp:                              # sip.srtp: off | optional | mandatory (None: the default)
            self.sip["srtp"] = srtp
        self.width, self.height = width, height
        self.dir = tempfile.mkdtemp(prefix="softphone-e2e-")
        self.socket = f"sp-{os.getpid()}-{os.path.basename(self.dir)}"
        self.port = 0
        self.pid: int | None = None
        self.server_pid: int | None = None

    # ------------------------------------------------------------- lifecycle
    @property
    def uri(self) -> str:
        """The line's own address (calls straight to it, no proxy)."""
        params = ";transport=tcp" if self.transport == "tcp" else ""
        return f"sip:{self.extension}@{LOOPBACK}:{self.port}{params}"

    def config_text(self) -> str:
        lines = ["[user]", 'name = "Ada Agent"', f'extension = "{self.extension}"', "",
                 "[sip]", f'listen = "{LOOPBACK}:{self.port}"']
        if self.registrar:
            lines += [f'registrar = "{self.registrar}"', f'username = "{self.extension}"']
        lines.append(f"presence = {'true' if self.presence else 'false'}")
        for key, value in self.sip.items():
            lines.append(f"{key} = {_toml(value)}")
        lines += ["", "[answering]", f'rule = "{self.answering}"', f"no_answer_seconds = {self.no_answer_seconds}"]
        if self.target:
            lines.append(f'target = "{self.target}"')
        for name, number, pbr in self.queues:
            lines += ["", "[[queues]]", f'name = "{name}"', f'number = "{number}"',
                      f"presence_based_routing = {'true' if pbr else 'false'}"]
        for name, uri in self.colleagues:
            lines += ["", "[[colleagues]]", f'name = "{name}"', f'sip = "{uri}"']
        lines += ["", "[wrapup]", f"seconds = {self.wrapup}", ""]
        if self.audio:
            lines.append("[audio]")
            for key, value in self.audio.items():
                lines.append(f"{key} = {_toml(value)}")
            lines.append("")
        return "\n".join(lines)

    def start(self) -> "Softphone":
        for _ in range(5):
            self.port = free_port()
            self._launch()
            try:
                procs.wait_until(lambda: any(t in self.screen() for t in ("line listening", "line regist")),
                                 timeout=30, what="the softphone's line to start")
            except procs.WaitTimeout:
                raise AssertionError(f"the softphone did not start; screen:\n{self.screen()}\n"
                                     f"stderr:\n{self.stderr_text()[-3000:]}") from None
            if "cannot listen" not in self.screen():
                return self
            self.stop()
        raise AssertionError("no free port for the softphone's line after 5 attempts")

    def _launch(self) -> None:
        config = os.path.join(self.dir, "config.toml")
        with open(config, "w") as handle:
            handle.write(self.config_text())
        home = os.path.join(self.dir, "home")
        os.makedirs(home, exist_ok=True)
        pidfile = os.path.join(self.dir, "app.pid")
        if os.path.exists(pidfile):
            os.remove(pidfile)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TERM": "xterm-256color",
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        if self.password is not None:
            env["SOFTPHONE_SIP_PASSWORD"] = self.password
        env.update(self.extra_env)
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # The wrapper records the app's own PID, then becomes the app; the pane stays for reading.
        script = (f"sh -c 'echo $$ > {shlex.quote(pidfile)}; exec env -i {assignments} "
                  f"{shlex.quote(self.binary)} --config {shlex.quote(config)}' "
                  f"2>{shlex.quote(os.path.join(self.dir, 'stderr'))}; exec sleep 60")
        self._tmux("new-session", "-d", "-s", "app", "-x", str(self.width), "-y", str(self.height), script)
        self.server_pid = int(self._tmux("display-message", "-p", "#{pid}").strip())
        procs.wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), timeout=10,
                         what="the softphone's PID")
        self.pid = int(open(pidfile).read().strip())

    def stop(self) -> None:
        """SIGTERM to the app (it logs out and de-registers), then the tmux server, by PID."""
        if self.pid and procs.pid_alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            try:
                procs.wait_until(lambda: not procs.pid_alive(self.pid), timeout=20, what="the softphone to exit")
            except procs.WaitTimeout:
                os.kill(self.pid, signal.SIGKILL)
        if self.server_pid and procs.pid_alive(self.server_pid):
            os.kill(self.server_pid, signal.SIGTERM)
            try:
                procs.wait_until(lambda: not procs.pid_alive(self.server_pid), timeout=5, what="tmux to exit")
            except procs.WaitTimeout:
                os.kill(self.server_pid, signal.SIGKILL)
        self.pid = None
        self.server_pid = None

    def close(self) -> None:
        self.stop()
        if not os.environ.get("SIP_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Softphone":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------- the screen
    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True,
                              capture_output=True, text=True).stdout

    def screen(self) -> str:
        try:
            return self._tmux("capture-pane", "-p", "-t", "app")
        except subprocess.CalledProcessError:
            return ""

    @property
    def status_bar(self) -> str:
        lines = self.screen().splitlines()     # one capture: two could see two frames
        return lines[0] if lines else ""

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "app", "-l", text)

    def dial(self, target: str) -> None:
        """The agent places a call: `c`, the number or URI in the prompt, Enter."""
        self.keys("c")
        self.wait_for("Call")
        self.type(target)
        self.keys("Enter")

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        try:
            procs.wait_until(lambda: text in self.screen(), timeout=timeout, what=f'"{text}" on screen')
        except procs.WaitTimeout:
            raise AssertionError(f'the screen never showed "{text}":\n{self.screen()}{self._death_notice()}') from None
        return self.screen()

    def _death_notice(self) -> str:
        """If the softphone is no longer running, its stderr (a Swift trap says where it
        happened there), so that a crash is diagnosable from the test report alone."""
        if self.pid and procs.pid_alive(self.pid):
            return ""
        return f"\nthe softphone is not running; its stderr:\n{self.stderr_text()[-3000:]}"

    def wait_gone(self, text: str, timeout: float = WAIT) -> None:
        try:
            procs.wait_until(lambda: text not in self.screen(), timeout=timeout, what=f'"{text}" to go')
        except procs.WaitTimeout:
            raise AssertionError(f'the screen kept showing "{text}":\n{self.screen()}') from None

    def selected_tab(self) -> str | None:
        """The tab shown in brackets on the tab bar ([Calls], [Team], [History], [Log]), or None."""
        for line in self.screen().splitlines()[:3]:
            for tab in TABS:
                if f"[{tab}]" in line:
                    return tab
        return None

    def wait_audio_in(self, min_packets: int = 1, timeout: float = WAIT) -> int:
        """Waits until the call's audio line counts RTP from the other side: "audio PCMU, N packets
        in, M out" with N >= min_packets. Not just "packets in": the warning "no audio received
        (PCMU, 0 packets in, ...)" says it too, when the first packet takes over 3 s (load)."""
        def received() -> int:
            counts = [int(n) for n in _AUDIO_IN.findall(self.screen())]
            return max(counts) if counts and max(counts) >= min_packets else 0
        try:
            return procs.wait_until(received, timeout=timeout, what=f"{min_packets} RTP packets in")
        except procs.WaitTimeout:
            raise AssertionError(f"no audio counted on screen:\n{self.screen()}") from None

    def tab(self, name: str, timeout: float = WAIT) -> str:
        """Presses Tab until `name` is the selected one ([Name]).

        One key at a time, each followed by a wait until the selection moved: on a loaded
        machine the app may read keys late, and keys sent ahead would overshoot the tab.
        """
        for _ in range(len(TABS) + 1):
            current = procs.wait_until(self.selected_tab, timeout=timeout, what="the tab bar")
            if current == name:
                return self.screen()
            self.keys("Tab")
            try:
                procs.wait_until(lambda: self.selected_tab() not in (None, current), timeout=timeout,
                                 what=f"the tab after {current}")
            except procs.WaitTimeout:
                raise AssertionError(f"Tab did not leave [{current}]:\n{self.screen()}") from None
        raise AssertionError(f"never reached the tab [{name}]:\n{self.screen()}")

    def choose(self, label: str) -> None:
        """Picks a presence with `p` and its digit; waits until the status bar shows it."""
        self.keys("p")
        self.wait_for("Appear offline")
        self.keys(PRESENCE[label])
        self.wait_status_bar(f"{label} (set by you)")

    def wait_status_bar(self, text: str, present: bool = True, timeout: float = WAIT) -> str:
        """Waits until the status bar (the first line) shows `text` (or, with present=False, not)."""
        try:
            procs.wait_until(lambda: (text in self.status_bar) == present, timeout=timeout,
                             what=f'"{text}" {"on" if present else "off"} the status bar')
        except procs.WaitTimeout:
            raise AssertionError(f'the status bar {"never showed" if present else "kept showing"} '
                                 f'"{text}":\n{self.screen()}') from None
        return self.status_bar

    def logout(self) -> None:
        """L, then waits until the status bar says Logout (not just any "Logout" on screen)."""
        self.keys("L")
        self.wait_status_bar("Logout")

    def login(self) -> None:
        self.keys("L")
        self.wait_status_bar("Logout", present=False)

    @property
    def app_log_path(self) -> str:
        """The app's own log file (swift-log): $HOME/.local/state/softphone/softphone.log."""
        return os.path.join(self.dir, "home", ".local", "state", "softphone", "softphone.log")

    def stderr_text(self) -> str:
        try:
            with open(os.path.join(self.dir, "stderr"), errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def app_log_text(self) -> str:
        try:
            with open(self.app_log_path, errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    @property
    def log_path(self) -> str:
        return os.path.join(self.dir, "stderr")
