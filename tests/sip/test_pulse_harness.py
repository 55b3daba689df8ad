"""The private PulseAudio server of harness/pulse.py, proven alone (and `softphone devices` against it)."""
from __future__ import annotations

import os
import subprocess

import pytest

from harness import pulse
from harness.procs import pid_alive, stop_process
from harness.softphone import DEFAULT_BINARY

def test_tone_reaches_the_monitor_and_nothing_else(tmp_path):
    with pulse.PulseServer(tmp_path) as server:
        assert server.env == {"PULSE_SERVER": f"unix:{tmp_path}/native"}
        tone = server.play_tone("sp_mic", 1000, seconds=10)
        try:
            samples = server.record("sp_mic.monitor", 1.0)
            assert len(samples) == 48000
            assert pulse.tone_fraction(samples[24000:], 1000) > 0.5
            assert pulse.tone_fraction(samples[24000:], 440) < 0.05
            quiet = server.record("sp_ring.monitor", 0.2)
            assert max(map(abs, quiet)) == 0
        finally:
            stop_process(tone)
        pid = server.proc.pid
    assert not pid_alive(pid)


@pytest.mark.skipif(not os.path.exists(os.environ.get("SOFTPHONE_BIN", DEFAULT_BINARY)), reason="softphone not built")
def test_softphone_devices_lists_the_sinks(tmp_path):
    binary = os.environ.get("SOFTPHONE_BIN", DEFAULT_BINARY)
    with pulse.PulseServer(tmp_path) as server:
        listing = subprocess.run([binary, "devices"], env={**os.environ, **server.env},
                                 capture_output=True, text=True, timeout=30)
        assert listing.returncode == 0, listing.stderr
        for sink in pulse.SINKS:
            assert f"  {sink} " in listing.stdout
            assert f"  {sink}.monitor " in listing.stdout
    dead = subprocess.run([binary, "devices"], env={**os.environ, **server.env},
                          capture_output=True, text=True, timeout=30)
    assert dead.returncode == 1
    assert "no sound server (PulseAudio/PipeWire): connection refused at unix:" in dead.stderr
