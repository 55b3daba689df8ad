"""A private PulseAudio server for sound tests: user mode, null sinks, no hardware.

    server = PulseServer(tmpdir)          # or: with PulseServer(tmpdir) as server:
    server.start()
    tone = server.play_tone("sp_mic", 1000, seconds=5)      # Popen of pacat
    samples = server.record("sp_play.monitor", 1.0)         # parec, 48 kHz mono s16
    assert goertzel(samples, 440) > 0.5
    tone.terminate(); server.stop()

The server runs `pulseaudio -n --daemonize=no --system=no -F <script>` with its
own HOME, XDG_RUNTIME_DIR and XDG_CONFIG_HOME under `tmpdir`; the script loads
the native protocol on `<tmpdir>/native` (anonymous auth) and the null sinks
`sp_play`, `sp_ring`, `sp_mic`, `sp_peer` (48 kHz mono; each has a `.monitor`
source).  `env` holds what a client needs (PULSE_SERVER and nothing else of
the server's); pass `{**os.environ, **server.env}` to a child.  The server is
stopped by its PID.  Running as root works (pulseaudio only warns).
"""
from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import threading
from pathlib import Path

from .procs import WaitTimeout, stop_process

PULSEAUDIO_BIN = shutil.which("pulseaudio") or "/usr/bin/pulseaudio"
RATE = 48000
SINKS = ("sp_play", "sp_ring", "sp_mic", "sp_peer")
_READY = "Daemon startup complete"


def available() -> bool:
    """True when pulseaudio, parec and pacat are installed."""
    return all(shutil.which(tool) for tool in ("pulseaudio", "parec", "pacat"))


class PulseServer:
    def __init__(self, tmpdir: str | os.PathLike):
        self.dir = Path(tmpdir)
        self.socket = self.dir / "native"
        self.proc: subprocess.Popen | None = None
        self.log_lines: list[str] = []
        self._ready = threading.Event()

    @property
    def env(self) -> dict[str, str]:
        """The variables a client (softphone, pactl, baresip, pjsua) needs to use this server."""
        return {"PULSE_SERVER": f"unix:{self.socket}"}

    def _client_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PULSE_SERVER"}
        env.update(self.env)
        return env

    def start(self, timeout: float = 30.0) -> "PulseServer":
        for sub in ("home", "runtime", "config"):
            (self.dir / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        script = self.dir / "server.pa"
        lines = [f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1"]
        lines += [f"load-module module-null-sink sink_name={s} format=s16le rate={RATE} channels=1 channel_map=mono"
                  for s in SINKS]
        script.write_text("\n".join(lines) + "\n")
        env = {
            "HOME": str(self.dir / "home"),
            "XDG_RUNTIME_DIR": str(self.dir / "runtime"),
            "XDG_CONFIG_HOME": str(self.dir / "config"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        self.proc = subprocess.Popen(
            [PULSEAUDIO_BIN, "-n", "--daemonize=no", "--system=no", "--exit-idle-time=-1", "--disable-shm=yes",
             "--use-pid-file=no", "--realtime=no", "--high-priority=no", "--log-target=stderr", "--log-level=info",
             "-F", str(script)],
            env=env, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, errors="replace")
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(timeout) or self.proc.poll() is not None:
            log = "".join(self.log_lines[-30:])
            self.stop()
            raise WaitTimeout(f"pulseaudio did not start within {timeout:.0f}s:\n{log}")
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log_lines.append(line)
            if _READY in line:
                self._ready.set()
        self._ready.set()  # EOF: the server ended; start() checks poll()

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def __enter__(self) -> "PulseServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def record(self, source: str, seconds: float) -> list[int]:
        """`seconds` of 48 kHz mono signed 16-bit samples recorded from `source` (e.g. "sp_play.monitor")."""
        wanted = int(seconds * RATE) * 2
        proc = subprocess.Popen(
            ["parec", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1", f"--device={source}",
             "--latency-msec=20"],
            env=self._client_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        data = b""
        try:
            assert proc.stdout is not None
            while len(data) < wanted:
                chunk = proc.stdout.read(min(65536, wanted - len(data)))
                if not chunk:
                    break
                data += chunk
        finally:
            stop_process(proc)
        data = data[:len(data) // 2 * 2]
        return list(struct.unpack(f"<{len(data) // 2}h", data))

    def play_tone(self, sink: str, freq: float, seconds: float, amplitude: int = 8000) -> subprocess.Popen:
        """A sine of `freq` Hz played into `sink` by `pacat`, `seconds` long; stop it early with stop_process()."""
        count = int(seconds * RATE)
        step = 2 * math.pi * freq / RATE
        pcm = struct.pack(f"<{count}h", *(int(amplitude * math.sin(step * n)) for n in range(count)))
        proc = subprocess.Popen(
            ["pacat", "--playback", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1",
             f"--device={sink}", "--latency-msec=40"],
            env=self._client_env(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def feed() -> None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(pcm)
                proc.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass  # stopped early

        threading.Thread(target=feed, daemon=True).start()
        return proc


def goertzel(samples: list[int], freq: float, rate: int = RATE) -> float:
    """Power at `freq` relative to the samples' total energy: about 1.0 for a pure sine at `freq`, 0 for silence."""
    if not samples:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    prev = prev2 = 0.0
    energy = 0.0
    for x in samples:
        energy += x * x
        prev, prev2 = x + coeff * prev - prev2, prev
    power = prev * prev + prev2 * prev2 - coeff * prev * prev2
    return 0.0 if energy == 0 else 2 * power / (len(samples) * energy)
