"""make bench: sound — the delay the softphone adds to what it hears, and the CPU of an Opus call,
the softphone beside baresip in the same run (issue 11).

Everything runs on loopback and on a private PulseAudio server (harness `PulseServer`: null sinks,
no hardware). Every process is started by the harness and stopped by its PID; every wait is bounded.

1. Delay, packet arrival → playback device. baresip (its `ausine` 440 Hz tone, one codec forced)
   calls the softphone (release binary, real TUI in tmux, [audio] backend "pulse" playing on
   `sp_play`, capturing `sp_mic.monitor`); the agent answers with `a`; the call lasts
   SOUND_SECONDS (20); baresip hangs up. When a call's media closes the softphone logs one line
       audio: call <id> <codec>: … delay median <N> ms p99 <N> ms …
   (arrival → hand-over to the device, plus the device stream's reported latency); we read it from
   its log file ($HOME/.local/state/softphone/softphone.log; the harness gives it its own HOME).
   Opus first (that call is also the CPU call below), then PCMU.
2. CPU per active Opus call: utime+stime of the process (/proc/PID/stat, all threads, clock ticks →
   ms) over SOUND_SECONDS of a connected Opus call, minus the same process's CPU over SOUND_SECONDS
   idle just before the call (up, no call), as ms of CPU per second (= % of one core).
     * softphone: Opus 48 kHz mono 20 ms both ways, PulseAudio playback + capture (a 1 kHz tone
       fed to sp_mic by pacat in both windows, so it encodes sound, not silence), its jitter buffer,
       no resampling; the PulseAudio server's own CPU for those streams is shown on a line of its own;
     * baresip: A (ausine 440 Hz) calls B (auto answer); B is measured. B's source is ausine too;
       its player is `aubridge` with no source attached, the lightest player baresip 1.0 has (no
       device thread, nothing pulls: baresip decodes each packet on arrival into its buffer and no
       further; its `aufile` is a source only and `sndfile` is a filter that writes WAV files).
       Both baresips run Opus mono (opus_stereo no: stereo=0 in the SDP; ausine is 2 channels only,
       mixed down before the encoder; player 1 channel), 48 kHz, 20 ms, in-band FEC on (the
       harness's setting), baresip's jitter buffer (5–10 frames).
A row that fails prints `n/a (reason)` and the rest goes on. No pass/fail on the numbers (a
benchmark measures); exits 0 unless nothing at all could be measured.

usage: sound.py [path/to/softphone]   (default .build/release/softphone)
environment: SOUND_SECONDS (20: each idle and call window), SIP_KEEP_LOGS=1 keeps the peers' dirs
"""
from __future__ import annotations

import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

from harness.baresip import Baresip  # noqa: E402
from harness.procs import WaitTimeout, pid_alive, wait_until  # noqa: E402
from harness.pulse import PulseServer  # noqa: E402
from harness.softphone import Softphone, sound_config  # noqa: E402

CALLER_TONE = 440
MIC_TONE = 1000
AIM_DELAY_MS = 60
# "audio: call <id> <codec>: … delay median <N> ms p99 <N> ms …"
DELAY_LINE = re.compile(r"audio: call (\S+) ([^:\s]+):.*?delay median ([0-9.]+) ?ms p99 ([0-9.]+) ?ms",
                        re.IGNORECASE)


class Unmeasured(RuntimeError):
    """A row that could not be measured; its message is the reason shown in the table."""


def reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 90 else text[:87] + "..."


def cpu_ms(pid: int) -> float:
    """utime + stime of `pid` (all its threads) in milliseconds."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        raise Unmeasured(f"process {pid} is gone") from None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_rates(pids: dict[str, int], seconds: float, alive) -> dict[str, float]:
    """CPU of each process over a window of `seconds` (ms of CPU per s of wall time); `alive()`
    is checked every second so a call that ends early is noticed, not measured."""
    before = {name: cpu_ms(pid) for name, pid in pids.items()}
    start = time.monotonic()
    end = start + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(1.0, left))          # the window being measured (a benchmark, not a test)
        if not alive():
            raise Unmeasured("the call ended during the measurement")
    wall = time.monotonic() - start
    return {name: (cpu_ms(pid) - before[name]) / wall for name, pid in pids.items()}


class MonoOpusBaresip(Baresip):
    """The harness's baresip with its Opus in mono: `opus_stereo no` (baresip 1.0 then names the
    codec opus/48000/1 inside, still offers opus/48000/2 with stereo=0;sprop-stereo=0), a 1-channel
    player. The source stays 2 channels (ausine supports only 2); baresip mixes it down to mono
    before the encoder."""

    def _config(self) -> str:
        text = super()._config().replace("auplay_channels\t\t2", "auplay_channels\t\t1")
        return text + "opus_stereo\t\tno\nopus_sprop_stereo\tno\n"

    def _account_line(self) -> str:
        return super()._account_line().replace("opus/48000/2", "opus/48000/1")


def delay_line(phone: Softphone, codec: str, seen: int, timeout: float = 15.0) -> tuple[float, float]:
    """(median, p99) in ms from the first delay line for `codec` after the first `seen` ones."""
    def found():
        lines = [m for m in DELAY_LINE.finditer(phone.app_log_text())][seen:]
        return next((m for m in lines if m.group(2).lower().split("/")[0] == codec.lower()), None)
    try:
        match = wait_until(found, timeout, 0.1, what=f"the softphone's {codec} delay line")
    except WaitTimeout:
        raise Unmeasured(f'no "audio: call … {codec}: … delay median … p99 …" line in the softphone\'s log '
                         f"within {timeout:.0f} s of the hang-up") from None
    return float(match.group(3)), float(match.group(4))


def delay_lines(phone: Softphone) -> int:
    return len(DELAY_LINE.findall(phone.app_log_text()))


def phone_call(phone: Softphone, codec: str, seconds: float, measure: dict[str, int] | None = None,
               ) -> tuple[tuple[float, float] | str, dict[str, float] | None]:
    """baresip (ausine 440 Hz, `codec` only) calls the line; the agent answers; after `seconds`
    baresip hangs up. With `measure` (name → PID), the CPU over those seconds. Returns the delay
    line's (median, p99), or why there is none, and the CPU rates."""
    try:
        phone.wait_gone("On a call", timeout=15)       # an earlier call that went wrong has ended
    except AssertionError:
        raise Unmeasured("the softphone is still on an earlier call") from None
    seen = delay_lines(phone)
    with MonoOpusBaresip("3001", tone_hz=CALLER_TONE, codecs=[codec]) as caller:
        caller.dial(phone.uri)
        try:
            phone.wait_for("Incoming call", timeout=30)
        except AssertionError:
            raise Unmeasured("the call did not ring at the softphone") from None
        phone.keys("a")
        try:
            caller.wait_established(timeout=30)
            phone.wait_for("On a call", timeout=30)
            phone.wait_audio_in(min_packets=10, timeout=30)
        except (AssertionError, WaitTimeout):
            raise Unmeasured("the call was not connected with audio flowing") from None
        if f"set audio encoder: {codec} " not in caller.log_text().lower():
            raise Unmeasured(f"baresip did not send {codec}")
        time.sleep(1.0)                        # the streams settle (jitter buffer, device start)
        connected = lambda: caller.closed is None and "On a call" in phone.screen()  # noqa: E731
        if measure is not None:
            rates = cpu_rates(measure, seconds, connected)
        else:
            time.sleep(seconds)
            rates = None
            if not connected():
                raise Unmeasured("the call ended early")
        caller.hangup()
        caller.wait_closed(timeout=15)
    try:
        return delay_line(phone, codec, seen), rates
    except Unmeasured as exc:
        return str(exc), rates


def baresip_pair(seconds: float) -> tuple[dict[str, float], dict[str, float]]:
    """baresip B idle for `seconds`, then A → B Opus for `seconds`: B's (and A's) CPU rates."""
    with MonoOpusBaresip("4001", tone_hz=CALLER_TONE, codecs=["opus"], answermode="auto") as b, \
            MonoOpusBaresip("3001", tone_hz=CALLER_TONE, codecs=["opus"]) as a:
        pids = {"B": b.pid, "A": a.pid}
        idle = cpu_rates(pids, seconds, lambda: a.alive and b.alive)
        a.dial(b.contact_uri)
        try:
            a.wait_established(timeout=30)
            b.wait_established(timeout=30)
        except WaitTimeout:
            raise Unmeasured("baresip A → B was not established") from None
        for side in (a, b):
            if "set audio encoder: opus " not in side.log_text().lower():
                raise Unmeasured("a baresip did not send Opus")
        time.sleep(1.0)
        call = cpu_rates(pids, seconds, lambda: a.closed is None and b.closed is None)
        a.hangup()
        a.wait_closed(timeout=15)
    return idle, call


def main() -> int:
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/softphone")
    seconds = float(os.environ.get("SOUND_SECONDS", "20"))
    delays: dict[str, tuple[float, float] | str] = {}
    cpu: dict[str, tuple[float, float] | str] = {}       # name → (idle, call) ms/s, or the reason

    pulse = PulseServer()
    phone: Softphone | None = None
    try:
        try:
            pulse.start()
            phone = Softphone(binary=binary, presence=False, queues=[], no_answer_seconds=60,
                              audio=sound_config(["opus", "pcmu"]), env=dict(pulse.env))
            phone.start()
        except Exception as exc:                 # noqa: BLE001 — a row's failure, not the run's
            said = [ln.strip() for ln in (phone.stderr_text() if phone else "").splitlines() if ln.strip()]
            why = "softphone with sound did not start: " + (said[-1] if said else reason(exc))
            why = why if len(why) <= 110 else why[:107] + "..."
            delays.update(opus=why, pcmu=why)
            cpu.update(softphone=why, pulseaudio=why)
        else:
            pids = {"softphone": phone.pid, "pulseaudio": pulse.proc.pid}
            idle: dict[str, float] | None = None
            try:
                # what the agent says; playing in both windows, so the server's delta is the call's
                pulse.play_tone("sp_mic", MIC_TONE, 2 * seconds + 90)
                idle = cpu_rates(pids, seconds, lambda: pid_alive(phone.pid))
                delays["opus"], call = phone_call(phone, "opus", seconds, measure=pids)
                for name in pids:        # measured whether or not the delay line came
                    cpu[name] = (idle[name], call[name])
            except Exception as exc:             # noqa: BLE001
                why = reason(exc)
                delays.setdefault("opus", why)
                cpu.setdefault("softphone", why)
                cpu.setdefault("pulseaudio", why)
            try:
                if not pid_alive(phone.pid):
                    raise Unmeasured("the softphone is gone")
                delays["pcmu"], _ = phone_call(phone, "pcmu", seconds)
            except Exception as exc:             # noqa: BLE001
                delays["pcmu"] = reason(exc)
    except KeyboardInterrupt:
        raise
    except Exception:                            # noqa: BLE001 — say what broke, keep the rest
        traceback.print_exc()
    finally:
        if phone is not None:
            phone.close()
        pulse.stop()

    try:
        idle_b, call_b = baresip_pair(seconds)
        cpu["baresip"] = (idle_b["B"], call_b["B"])
        cpu["baresip A"] = (idle_b["A"], call_b["A"])
    except Exception as exc:                     # noqa: BLE001
        cpu["baresip"] = reason(exc)

    load = os.getloadavg()[0]
    print("")
    print(f"Sound: delay the softphone adds, RTP packet arrival → playback device (ms; its log line at the "
          f"call's end: arrival → hand-over to PulseAudio + the stream's latency)")
    print(f"baresip ausine {CALLER_TONE} Hz → softphone on a private PulseAudio (null sinks), 20 ms packets, "
          f"no loss, {seconds:.0f} s per call; {os.path.relpath(binary)}; load average {load:.1f}")
    print(f"{'codec':<34}{'median':>9}{'p99':>9}{'aim':>12}")
    for codec, label in (("opus", "Opus 48 kHz (no resampling)"), ("pcmu", "PCMU 8 kHz (resampled to 48)")):
        row = delays.get(codec, "not run")
        if isinstance(row, tuple):
            print(f"{label:<34}{row[0]:>9.1f}{row[1]:>9.1f}{'≤ ' + str(AIM_DELAY_MS) + ' ms':>12}")
        else:
            print(f"{label:<34}  n/a ({row})")

    print("")
    print(f"CPU per active Opus call, same run (ms of CPU per s = % of one core; utime+stime of the "
          f"process from /proc/PID/stat over {seconds:.0f} s of a connected call minus {seconds:.0f} s idle "
          f"before it)")
    print(f"{'process':<36}{'idle':>8}{'call':>8}{'per call':>10}   what it does in the call")
    rows = (
        ("softphone", "softphone (TUI in tmux)",
         "Opus 48 kHz mono 20 ms enc+dec, FEC; PulseAudio playback + capture; jitter buffer; no resampling"),
        ("baresip", "baresip B (answers A)",
         "Opus 48 kHz mono 20 ms enc+dec, FEC; source ausine 440 Hz; player aubridge (nothing pulls); "
         "jitter buffer; menu's call status line to its log"),
        ("baresip A", "baresip A (calls B, for reference)", "the same as B"),
        ("pulseaudio", "PulseAudio server (softphone's call)",
         "serves the softphone's playback and capture streams (not counted above; pacat feeds "
         "the mic tone in both windows)"),
    )
    per_call: dict[str, float] = {}
    for key, label, what in rows:
        row = cpu.get(key)
        if row is None:
            continue
        if isinstance(row, tuple):
            per_call[key] = row[1] - row[0]
            print(f"{label:<36}{row[0]:>8.1f}{row[1]:>8.1f}{per_call[key]:>10.1f}   {what}")
        else:
            print(f"{label:<36}  n/a ({row})")
    if "softphone" in per_call and "baresip" in per_call:
        ratio = per_call["softphone"] / per_call["baresip"] if per_call["baresip"] > 0 else float("inf")
        print(f"{'per call: softphone / baresip B':<36}{ratio:>26.2f}   (aim: ≤ 1.00)")
    measured = any(isinstance(v, tuple) for v in (*delays.values(), *cpu.values()))
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main())
