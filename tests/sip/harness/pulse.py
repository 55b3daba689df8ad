"""A private PulseAudio server with null sinks, and a tone detector for what it records.

    with PulseServer(tmpdir) as pulse:             # or pulse.start() / pulse.stop()
        softphone_env = pulse.env                  # {"PULSE_SERVER": "unix:<dir>/native"}
        tone = pulse.play_tone("sp_mic", 1000, 30) # pacat feeding the capture device
        samples = pulse.record("sp_play.monitor", 2.0)
        assert dominant(samples, 440)

The server runs in user mode (also as root: `--system=no`), in the foreground
as our child, with its own HOME / XDG_RUNTIME_DIR / XDG_CONFIG_HOME under the
temp dir and no default script (`-n`): only what `SCRIPT` loads exists, so no
hardware, no D-Bus, no suspend-on-idle (a null sink's monitor delivers silence
in real time when nothing plays).  Clients find it by `PULSE_SERVER` (anonymous
auth on the Unix socket, no cookie).  It is stopped by its PID.

Sinks (48 kHz, mono, s16le), each with its `.monitor` source:
  sp_play  the softphone's playback device (what the agent hears)
  sp_ring  the ring device
  sp_mic   fed by the tests; its monitor `sp_mic.monitor` is the softphone's capture
  sp_peer  spare (a peer's device)

Needs Debian `pulseaudio` (the daemon, module-null-sink) and
`pulseaudio-utils` (pactl, pacat, parec).
"""
from __future__ import annotations

import array
import math
import os
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path

from .procs import WaitTimeout, keep_logs, stop_process, wait_until

RATE = 48000
SINKS = ("sp_play", "sp_ring", "sp_mic", "sp_peer")
PULSEAUDIO_BIN = shutil.which("pulseaudio") or "/usr/bin/pulseaudio"
PACAT = shutil.which("pacat") or "/usr/bin/pacat"
PAREC = shutil.which("parec") or "/usr/bin/parec"
PACTL = shutil.which("pactl") or "/usr/bin/pactl"


class PulseError(RuntimeError):
    pass


class PulseServer:
    """One PulseAudio daemon of our own, on a Unix socket in `tmpdir`."""

    def __init__(self, tmpdir: str | os.PathLike | None = None):
        self._own_dir = tmpdir is None
        # a short path: a Unix socket's path has at most 107 bytes
        self.dir = Path(tmpdir) if tmpdir is not None else Path(tempfile.mkdtemp(prefix="sip-pulse-"))
        self.socket_path = self.dir / "native"
        self.proc: subprocess.Popen | None = None
        self._players: list[subprocess.Popen] = []

    # ------------------------------------------------------------ config
    @property
    def env(self) -> dict[str, str]:
        """What a client needs in its environment to find this server."""
        return {"PULSE_SERVER": f"unix:{self.socket_path}"}

    @property
    def log_path(self) -> Path:
        return self.dir / "pulseaudio.log"

    def script(self) -> str:
        lines = [f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket_path}"]
        for sink in SINKS:
            lines.append(f"load-module module-null-sink sink_name={sink} rate={RATE} channels=1 "
                         f"format=s16le sink_properties=device.description={sink}")
        return "\n".join(lines) + "\n"

    def _client_env(self) -> dict[str, str]:
        home = self.dir / "client-home"
        home.mkdir(exist_ok=True)
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
                "XDG_RUNTIME_DIR": str(self.dir / "run"), "XDG_CONFIG_HOME": str(home / ".config"),
                **self.env}

    # --------------------------------------------------------- lifecycle
    def start(self, timeout: float = 20.0) -> "PulseServer":
        if self.proc is not None:
            raise PulseError("already started")
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("home", "run", "config"):
            (self.dir / sub).mkdir(exist_ok=True)
        os.chmod(self.dir / "run", 0o700)
        script = self.dir / "default.pa"
        script.write_text(self.script())
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir / "home"),
               "XDG_RUNTIME_DIR": str(self.dir / "run"), "XDG_CONFIG_HOME": str(self.dir / "config"),
               "LANG": "C.UTF-8"}
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [PULSEAUDIO_BIN, "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes",
                 "--system=no", "--use-pid-file=no", "--log-target=stderr", "-F", str(script)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.dir)
        finally:
            log.close()

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise PulseError(f"pulseaudio exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            if not self.socket_path.exists():
                return False
            out = self._pactl("list", "short", "sinks", check=False)
            return all(sink in out for sink in SINKS)
        try:
            wait_until(ready, timeout, 0.05, what="pulseaudio to serve its null sinks")
        except WaitTimeout:
            log = self.log_text()[-3000:]
            self.stop()
            raise PulseError(f"pulseaudio did not come up:\n{log}") from None
        return self

    def stop(self) -> None:
        """Stops every tone still playing, then the server (SIGTERM to its PID, SIGKILL after 5 s)."""
        for player in self._players:
            stop_process(player, grace=2.0)
        self._players.clear()
        if self.proc is not None:
            stop_process(self.proc, grace=5.0)
            self.proc = None
        if self._own_dir and not keep_logs():
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PulseServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # ----------------------------------------------------------- clients
    def _pactl(self, *args: str, check: bool = True) -> str:
        done = subprocess.run([PACTL, *args], env=self._client_env(), capture_output=True, text=True,
                              timeout=10)
        if check and done.returncode != 0:
            raise PulseError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def sinks(self) -> list[str]:
        return [ln.split("\t")[1] for ln in self._pactl("list", "short", "sinks").splitlines() if "\t" in ln]

    def sources(self) -> list[str]:
        return [ln.split("\t")[1] for ln in self._pactl("list", "short", "sources").splitlines() if "\t" in ln]

    def record(self, source: str, seconds: float, timeout: float | None = None) -> array.array:
        """`seconds` of `source` (e.g. "sp_play.monitor") as s16 samples at 48 kHz mono, via parec.

        Returns what arrived within `timeout` (default seconds + 10) if the server is slower.
        """
        want = int(seconds * RATE) * 2
        proc = subprocess.Popen(
            [PAREC, f"--device={source}", "--format=s16le", f"--rate={RATE}", "--channels=1", "--raw",
             "--latency-msec=20"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            env=self._client_env())
        data = bytearray()
        deadline = time.monotonic() + (timeout if timeout is not None else seconds + 10.0)
        try:
            fd = proc.stdout.fileno()
            os.set_blocking(fd, False)
            while len(data) < want and time.monotonic() < deadline:
                try:
                    chunk = os.read(fd, want - len(data))
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    break
                if chunk:
                    data += chunk
                else:
                    time.sleep(0.01)
        finally:
            proc.stdout.close()
            stop_process(proc, grace=2.0)
        data = data[:len(data) // 2 * 2]
        return array.array("h", bytes(data))

    def play_tone(self, sink: str, freq: float, seconds: float, amplitude: float = 0.3) -> subprocess.Popen:
        """Plays a sine of `freq` Hz for `seconds` on `sink` (pacat, raw s16le 48 kHz mono).

        Returns the pacat process (running; `stop()` ends any still playing).  Stop one
        early with `stop_tone(proc)`.
        """
        path = self.dir / f"tone-{int(freq)}-{len(self._players)}.raw"
        path.write_bytes(sine(freq, seconds, amplitude=amplitude).tobytes())
        proc = subprocess.Popen(
            [PACAT, "--playback", f"--device={sink}", "--format=s16le", f"--rate={RATE}", "--channels=1",
             "--raw", "--latency-msec=20", str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=self._client_env())
        self._players.append(proc)
        return proc

    def stop_tone(self, proc: subprocess.Popen) -> None:
        stop_process(proc, grace=2.0)
        if proc in self._players:
            self._players.remove(proc)


# ------------------------------------------------------------ signals
def sine(freq: float, seconds: float, rate: int = RATE, amplitude: float = 0.3) -> array.array:
    """A sine as s16 samples."""
    n = int(seconds * rate)
    scale = amplitude * 32767
    step = 2 * math.pi * freq / rate
    return array.array("h", (int(scale * math.sin(step * i)) for i in range(n)))


def goertzel(samples, freq: float, rate: int = RATE) -> float:
    """Power of `freq` in `samples`, scaled so that a sine of amplitude A gives A²/2
    (its mean square) when the block holds whole periods."""
    n = len(samples)
    if n == 0:
        return 0.0
    coeff = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return 2.0 * power / (n * n)


def mean_square(samples) -> float:
    n = len(samples)
    return sum(x * x for x in samples) / n if n else 0.0


def blocks(samples, rate: int = RATE, seconds: float = 0.1):
    """Consecutive blocks of `seconds` (100 ms: whole periods of 440 Hz and 1 kHz)."""
    size = int(rate * seconds)
    for start in range(0, len(samples) - size + 1, size):
        yield samples[start:start + size]


def tone_power(samples, freq: float, rate: int = RATE) -> float:
    """Mean Goertzel power of `freq` over 100 ms blocks (A²/2 for a steady sine of amplitude A)."""
    values = [goertzel(b, freq, rate) for b in blocks(samples, rate)]
    return sum(values) / len(values) if values else 0.0


def tone_fraction(samples, freq: float, rate: int = RATE) -> float:
    """Share of the signal's energy at `freq` (0..1; near 1 for a clean sine)."""
    total = mean_square(samples)
    return tone_power(samples, freq, rate) / total if total > 0 else 0.0


def dominant(samples, freq: float, rate: int = RATE, others: tuple[float, ...] = (300.0, 700.0, 1000.0, 1500.0),
             min_rms: float = 300.0) -> bool:
    """`freq` is clearly there: audible (RMS ≥ min_rms), at least half the energy, and
    stronger than each of `others` (frequencies it must win over)."""
    if rms(samples) < min_rms:
        return False
    power = tone_power(samples, freq, rate)
    if power < 0.5 * mean_square(samples):
        return False
    return all(power > 4 * tone_power(samples, f, rate) for f in others if abs(f - freq) > 50)


def rms(samples) -> float:
    return math.sqrt(mean_square(samples))


def read_wav(path: str | os.PathLike) -> tuple[array.array, int]:
    """(s16 samples of the first channel, rate) of a 16-bit PCM WAV file."""
    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        frames = wav.readframes(wav.getnframes())
    if width != 2:
        raise PulseError(f"{path}: {8 * width}-bit samples, expected 16")
    samples = array.array("h", frames[:len(frames) // 2 * 2])
    if channels > 1:
        samples = samples[::channels]
    return samples, rate
