"""The softphone's sound (issue 11, SPEC section 7) against real peers, on a private
PulseAudio server with null sinks (`harness.pulse`).

The softphone plays on `sp_play`, rings on `sp_ring` and captures `sp_mic.monitor`
(`harness.softphone.sound_config`); the tests feed `sp_mic` with a tone and record
the monitors, and find tones with a Goertzel detector.  Peers: baresip (its `ausine`
440 Hz tone, one codec forced) and pjsua2 (records what it receives, reports DTMF).
`test_sound_harness.py` proves these pieces without the softphone.

Every wait is bounded and returns as soon as its condition holds (`wait_tone`
records one second at a time until the tone is there); recordings that are
measurements last a fixed time.  Nothing asserts speed.
"""
from __future__ import annotations

import re
import threading
import warnings

import pytest

from harness.baresip import Baresip
from harness.lossy_relay import SdpRelayProxy
from harness.pjsua import Account
from harness.procs import WaitTimeout, wait_until
from harness.pulse import RATE, PulseServer, blocks, dominant, rms, tone_fraction, tone_power
from harness.softphone import Softphone, sound_config

CALLER = "+4930123456"
DIGITS = "1234567890*#"
MIC_TONE = 1000          # what the agent "says": fed to sp_mic, captured from its monitor
CALLER_TONE = 440        # baresip's ausine
SILENCE_RMS = 30.0       # below this a 100 ms block counts as silent (s16 full scale 32767)


def sound_phone(pulse: PulseServer, codecs=("opus", "g722", "pcmu", "pcma"), **options) -> Softphone:
    """A line with sound on the private server; rings for a minute unless told otherwise."""
    options.setdefault("no_answer_seconds", 60)
    return Softphone(audio=sound_config(codecs), env=dict(pulse.env), **options)


# ------------------------------------------------------------------ helpers
def wait_tone(record, freq: float, rate: int, timeout: float = 20.0, present: bool = True):
    """Records one second at a time (`record(seconds) -> samples`) until `freq` is (or,
    with present=False, is no longer) dominant; returns that second's samples."""
    found = []

    def check():
        samples = record(1.0)
        if dominant(samples, freq, rate) == present:
            found.append(samples)
            return True
        return False
    try:
        wait_until(check, timeout=timeout, interval=0.01,
                   what=f"{freq} Hz to be {'heard' if present else 'gone'}")
    except WaitTimeout:
        raise AssertionError(f"{freq} Hz was {'never heard' if present else 'still heard'} "
                             f"within {timeout:.0f} s") from None
    return found[0]


def wait_ring(pulse: PulseServer, ringing: bool, timeout: float = 20.0) -> None:
    """Until a second of sp_ring.monitor has sound (ringing) or is silent (not ringing)."""
    def check():
        level = rms(pulse.record("sp_ring.monitor", 1.0))
        return (level > 10 * SILENCE_RMS) if ringing else (level < SILENCE_RMS)
    try:
        wait_until(check, timeout=timeout, interval=0.01,
                   what="the ring tone to " + ("play" if ringing else "stop"))
    except WaitTimeout:
        raise AssertionError(f"the ring device {'stayed silent' if ringing else 'kept ringing'}") from None


def loud_blocks(samples, rate: int = RATE) -> int:
    """How many 100 ms blocks are above the silence level."""
    return sum(1 for b in blocks(samples, rate) if rms(b) >= SILENCE_RMS)


def pjsua_call_answered(pj_env, phone: Softphone, caller: Account):
    """pjsua calls the line, the agent presses `a`; returns pjsua's call with RTP flowing."""
    call = caller.call(phone.uri)
    phone.wait_for("Incoming call")
    phone.keys("a")
    call.wait_confirmed()
    phone.wait_for("On a call")
    pj_env.wait_until(lambda: call.rx_packets() > 25, what="the softphone's RTP at pjsua")
    return call


def agent_calls_pjsua(pj_env, phone: Softphone, callee: Account):
    """The agent dials pjsua (`c`, the URI, Enter); returns pjsua's incoming call."""
    phone.dial(callee.contact_uri)
    incoming = callee.wait_incoming(timeout=20)
    incoming.wait_confirmed()
    phone.wait_for("On a call")
    pj_env.wait_until(lambda: incoming.rx_packets() > 25, what="the softphone's RTP at pjsua")
    return incoming


def press_digits(phone: Softphone, call, digits: str) -> list[tuple[str, str]]:
    """The agent presses each digit; the next only once pjsua has the previous one."""
    for i, digit in enumerate(digits):
        phone.type(digit)
        call.wait_digits(digits[:i + 1])
    return call.dtmf[:len(digits)]


# -------------------------------------------------------- the caller is heard
@pytest.mark.parametrize("codec", ["opus", "g722", "pcmu"])
def test_caller_is_heard_on_the_playback_device(pj_env, pulse, codec):
    with sound_phone(pulse, codecs=[codec]) as phone, \
            Baresip("3001", tone_hz=CALLER_TONE, codecs=[codec]) as bs:
        bs.dial(phone.uri)
        phone.wait_for("Incoming call")
        phone.keys("a")
        bs.wait_established()
        phone.wait_for("On a call")
        name = {"opus": "opus", "g722": "g722", "pcmu": "pcmu"}[codec]
        assert f"set audio encoder: {name} " in bs.log_text().lower(), "baresip sends the forced codec"
        wait_tone(lambda s: pulse.record("sp_play.monitor", s), CALLER_TONE, RATE)
        heard = pulse.record("sp_play.monitor", 2.0)
        assert dominant(heard, CALLER_TONE), f"{codec}: rms {rms(heard):.0f}"
        bs.hangup()
        bs.wait_closed()
        phone.wait_gone("On a call")


# --------------------------------------------------------- the agent is heard
def test_agent_is_heard_after_answering(pj_env, pulse):
    pulse.play_tone("sp_mic", MIC_TONE, 120)
    with sound_phone(pulse) as phone:
        call = pjsua_call_answered(pj_env, phone, Account(CALLER, "127.0.0.1"))
        rate = pj_env.clock_rate
        wait_tone(lambda s: call.record(s)[0], MIC_TONE, rate)
        samples, _ = call.record(2.0)
        assert dominant(samples, MIC_TONE, rate), f"rms {rms(samples):.0f}"
        call.hangup()
        phone.wait_gone("On a call")


def test_agent_is_heard_after_placing_a_call(pj_env, pulse):
    pulse.play_tone("sp_mic", MIC_TONE, 120)
    with sound_phone(pulse) as phone:
        callee = Account("2001", "127.0.0.1", answer_code=200, answer_delay=0.5)
        incoming = agent_calls_pjsua(pj_env, phone, callee)
        rate = pj_env.clock_rate
        wait_tone(lambda s: incoming.record(s)[0], MIC_TONE, rate)
        samples, _ = incoming.record(2.0)
        assert dominant(samples, MIC_TONE, rate), f"rms {rms(samples):.0f}"
        incoming.hangup()
        phone.wait_gone("On a call")


# ------------------------------------------------------- ringback and early media
def test_ringback_while_the_callee_rings_then_its_early_media(pj_env, pulse):
    """The agent calls pjsua, which answers 180 without SDP: the ringback (440 + 480 Hz)
    plays on the playback device.  Then pjsua sends 183 with SDP and a 1 kHz tone: the
    ringback stops and the far side's early media is heard; the 200 keeps it."""
    with sound_phone(pulse, codecs=["pcmu"]) as phone, \
            Account("2001", "127.0.0.1", answer_code=None) as callee:
        phone.dial(callee.contact_uri)
        call = callee.wait_incoming(timeout=20)

        def ringback() -> bool:
            heard = pulse.record("sp_play.monitor", 1.0)
            return rms(heard) > SILENCE_RMS and tone_fraction(heard, 440) + tone_fraction(heard, 480) > 0.6
        wait_until(ringback, timeout=20, interval=0.01, what="the ringback on the playback device")

        call.answer_now(183)                      # early media: 183 with SDP
        pj_env.wait_until(lambda: bool(call._connected_media), what="pjsua's early media")
        call.play_tone(MIC_TONE)
        wait_tone(lambda s: pulse.record("sp_play.monitor", s), MIC_TONE, RATE)
        early = pulse.record("sp_play.monitor", 1.0)
        assert tone_fraction(early, 440) + tone_fraction(early, 480) < 0.05, "the ringback went on over early media"
        phone.wait_for("early media")

        call.answer_now(200)
        phone.wait_for("On a call")
        wait_tone(lambda s: pulse.record("sp_play.monitor", s), MIC_TONE, RATE)
        call.hangup()
        phone.wait_gone("On a call")


# --------------------------------------------------------------------- ring tone
def test_ring_tone_plays_while_a_signalled_call_rings_and_stops_on_answer(pj_env, pulse):
    with sound_phone(pulse) as phone:
        assert rms(pulse.record("sp_ring.monitor", 0.5)) < SILENCE_RMS, "no ring before a call"
        call = Account(CALLER, "127.0.0.1").call(phone.uri)
        phone.wait_for("Incoming call")
        wait_ring(pulse, ringing=True)
        phone.keys("a")
        call.wait_confirmed()
        phone.wait_for("On a call")
        wait_ring(pulse, ringing=False)
        # and it stays off for longer than any ring cadence's pause
        after = pulse.record("sp_ring.monitor", 6.0)
        assert loud_blocks(after) == 0, f"the ring tone came back after the answer (rms {rms(after):.0f})"
        call.hangup()


def test_no_ring_tone_for_a_call_diverted_by_do_not_disturb(pj_env, pulse):
    with sound_phone(pulse) as phone:
        phone.choose("Do not disturb")
        recorded = []
        recorder = threading.Thread(target=lambda: recorded.append(pulse.record("sp_ring.monitor", 6.0)))
        recorder.start()
        try:
            call = Account(CALLER, "127.0.0.1").call(phone.uri)
            call.wait_final(timeout=30)
        finally:
            recorder.join(timeout=30)
        assert call.final[0] == 486 and not call.ringing, call.responses   # R2: not signalled
        assert "Incoming call" not in phone.screen()
        [samples] = recorded
        assert len(samples) >= RATE * 5
        assert loud_blocks(samples) == 0, f"the ring device played for a diverted call (rms {rms(samples):.0f})"


def test_ring_tone_stops_when_the_caller_gives_up(pj_env, pulse):
    with sound_phone(pulse) as phone:
        call = Account(CALLER, "127.0.0.1").call(phone.uri)
        phone.wait_for("Incoming call")
        wait_ring(pulse, ringing=True)
        call.hangup()                                  # CANCEL
        pj_env.wait_until(lambda: call.final, what="487")
        phone.wait_gone("Incoming call")
        wait_ring(pulse, ringing=False)
        assert loud_blocks(pulse.record("sp_ring.monitor", 6.0)) == 0


# -------------------------------------------------------------------------- DTMF
def test_agent_dtmf_reaches_pjsua_by_rfc4733(pj_env, pulse):
    with sound_phone(pulse) as phone:
        call = pjsua_call_answered(pj_env, phone, Account(CALLER, "127.0.0.1"))
        received = press_digits(phone, call, DIGITS)
        assert "".join(d for d, _ in received) == DIGITS
        assert {m for _, m in received} == {"rfc4733"}, received
        assert len(call.dtmf) == len(DIGITS), f"each digit once: {call.dtmf}"
        call.hangup()


def test_agent_dtmf_goes_by_info_when_pjsua_offers_no_telephone_event(pj_env, pulse):
    with sound_phone(pulse) as phone:
        caller = Account(CALLER, "127.0.0.1", telephone_event=False)
        call = pjsua_call_answered(pj_env, phone, caller)
        assert "telephone-event" not in (call.local_sdp or "x telephone-event")
        received = press_digits(phone, call, DIGITS)
        assert "".join(d for d, _ in received) == DIGITS
        assert {m for _, m in received} == {"info"}, received
        assert len(call.dtmf) == len(DIGITS), f"each digit once: {call.dtmf}"
        call.hangup()


@pytest.mark.parametrize("method", ["rfc4733", "info"])
def test_dtmf_received_shows_in_the_calls_tab(pj_env, pulse, method):
    with sound_phone(pulse) as phone:
        call = pjsua_call_answered(pj_env, phone, Account(CALLER, "127.0.0.1"))
        phone.tab("Calls")
        call.send_dtmf("159#", method)
        phone.wait_for("DTMF received")

        def shown() -> bool:     # "DTMF received: 159#" (separators between digits allowed)
            line = next((ln for ln in phone.screen().splitlines() if "DTMF received" in ln), "")
            return re.sub(r"[^0-9*#]", "", line.split("DTMF received", 1)[-1]).startswith("159#")
        try:
            pj_env.wait_until(shown, timeout=20, what="DTMF received: 159#")
        except WaitTimeout:
            raise AssertionError(f"the Calls tab never showed DTMF received: 159#\n{phone.screen()}") from None
        call.hangup()


# -------------------------------------------------------------------------- mute
def test_mute_silences_the_capture_while_rtp_keeps_flowing(pj_env, pulse):
    pulse.play_tone("sp_mic", MIC_TONE, 180)
    with sound_phone(pulse) as phone:
        call = pjsua_call_answered(pj_env, phone, Account(CALLER, "127.0.0.1"))
        rate = pj_env.clock_rate
        unmuted = wait_tone(lambda s: call.record(s)[0], MIC_TONE, rate)
        phone.keys("m")
        wait_until(lambda: "muted" in phone.status_bar.lower(), timeout=20, what="Muted on the status bar")
        wait_tone(lambda s: call.record(s)[0], MIC_TONE, rate, present=False)
        before = call.rx_packets()
        muted, _ = call.record(3.0)
        after = call.rx_packets()
        assert after > before + 25, f"RTP keeps flowing while muted ({before} -> {after} packets)"
        assert tone_power(muted, MIC_TONE, rate) < 0.01 * tone_power(unmuted, MIC_TONE, rate)
        phone.keys("m")                                   # unmute: the tone comes back
        wait_until(lambda: "muted" not in phone.status_bar.lower(), timeout=20, what="Muted off the status bar")
        wait_tone(lambda s: call.record(s)[0], MIC_TONE, rate)
        call.hangup()


# ------------------------------------------------------------------ loss and jitter
_DELAY = re.compile(r"delay[^\n]*?median[^\d\n]*(\d+(?:\.\d+)?)\s*ms[^\n]*?p99[^\d\n]*(\d+(?:\.\d+)?)\s*ms",
                    re.IGNORECASE)


def _tone_energy(pj_env, pulse, phone, user: str, dial: str, codec: str) -> float:
    with Baresip(user, tone_hz=CALLER_TONE, codecs=[codec]) as bs:
        bs.dial(dial)
        phone.wait_for("Incoming call")
        phone.keys("a")
        bs.wait_established()
        phone.wait_for("On a call")
        wait_tone(lambda s: pulse.record("sp_play.monitor", s), CALLER_TONE, RATE)
        heard = pulse.record("sp_play.monitor", 4.0)
        bs.hangup()
        bs.wait_closed()
        phone.wait_gone("On a call")
    return tone_power(heard, CALLER_TONE)


@pytest.mark.parametrize("codec", ["opus", "pcmu"])
def test_tone_survives_loss_and_jitter_with_bounded_delay(pj_env, pulse, codec):
    """A clean call, then one through a relay with 5 % loss and 40 ms jitter both ways:
    the 440 Hz tone keeps at least 90 % of its clean energy on the playback device."""
    with sound_phone(pulse, codecs=[codec]) as phone:
        clean = _tone_energy(pj_env, pulse, phone, "3001", phone.uri, codec)
        with SdpRelayProxy(("127.0.0.1", phone.port), loss=0.05, jitter=0.040, seed=5) as proxy:
            lossy = _tone_energy(pj_env, pulse, phone, "3002", proxy.uri(phone.extension), codec)
            [relay] = proxy.relays
            stats = relay.stats
        assert stats.dropped > 0 and stats.reordered > 0, stats
        assert lossy >= 0.9 * clean, f"{codec}: {lossy / clean:.0%} of the clean tone's energy"
        log = phone.app_log_text()
    delays = [(float(m), float(p)) for m, p in _DELAY.findall(log)]
    if not delays:
        warnings.warn("the softphone's log reports no receive delay (median/p99): delay not checked")
        return
    median, p99 = delays[-1]          # the lossy call ended last
    assert p99 <= 400, f"receive delay median {median} ms, p99 {p99} ms under 40 ms jitter"
