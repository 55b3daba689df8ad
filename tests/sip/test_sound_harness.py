"""The sound harness proved with the peers alone (no softphone): PulseAudio's null sinks,
baresip's sine tone and codecs, pjsua2's recorder, tone, DTMF and SDP without
telephone-event, and the lossy relay between baresip and pjsua2.

Tones are found with a Goertzel detector (`harness.pulse`). Recordings last a
fixed time (they are measurements, not waits); every wait for a state is bounded.
"""
from __future__ import annotations

import pytest

from harness.baresip import Baresip
from harness.lossy_relay import RELAY_HOST, SdpRelayProxy
from harness.pjsua import Account, strip_telephone_event
from harness.pulse import dominant, read_wav, rms, tone_power

DIGITS = "1234567890*#"


def test_pulse_server_null_sinks_carry_a_tone(pulse):
    assert {"sp_play", "sp_ring", "sp_mic", "sp_peer"} <= set(pulse.sinks())
    assert "sp_mic.monitor" in pulse.sources()
    silent = pulse.record("sp_play.monitor", 0.5)
    assert len(silent) > 0 and rms(silent) < 10, "a null sink's monitor is silent while nothing plays"
    pulse.play_tone("sp_mic", 1000, 10)
    heard = pulse.record("sp_mic.monitor", 1.0)
    assert dominant(heard[4800:], 1000)
    assert not dominant(heard[4800:], 440)


def _answered_pjsua_call(pj_env, bs: Baresip, callee: Account, dial: str):
    bs.dial(dial)
    incoming = callee.wait_incoming()
    incoming.wait_confirmed()
    bs.wait_established()
    pj_env.wait_until(lambda: incoming.rx_packets() > 25, what="baresip's RTP at pjsua")
    return incoming


def test_baresip_sine_reaches_pjsua_recording(pj_env):
    callee = Account("2001", "127.0.0.1")
    with Baresip("3001", tone_hz=440, codecs=["pcmu"]) as bs:
        incoming = _answered_pjsua_call(pj_env, bs, callee, callee.contact_uri)
        samples, rate = incoming.record(2.0)
        assert rate == pj_env.clock_rate
        assert dominant(samples, 440, rate), f"rms {rms(samples):.0f}"
        assert "PCMU" in (incoming.invite.body if incoming.invite else "")
        bs.hangup()
        bs.wait_closed()


@pytest.mark.parametrize("codec,sdp_name", [("opus", "opus/48000/2"), ("g722", "G722/8000"), ("pcmu", "PCMU/8000")])
def test_baresip_codecs_carry_the_sine(pj_env, codec, sdp_name):
    """baresip ↔ baresip with one codec forced: the callee's sndfile recording of what it
    decoded holds the caller's tone (pjsua2's wheel has no Opus, so baresip records)."""
    with Baresip("3001", tone_hz=440, codecs=[codec]) as caller, \
            Baresip("3002", tone_hz=1000, codecs=[codec], record=True, answermode="auto") as callee:
        caller.dial(callee.contact_uri)
        caller.wait_established()
        callee.wait_established()
        pj_env.pump(2.0)                       # two seconds of tone (a measurement, not a wait)
        caller.hangup()
        callee.wait_closed()
        caller.wait_closed()
        [recording] = callee.recordings("dec")
        samples, rate = read_wav(recording)
        assert dominant(samples[rate // 2:], 440, rate), f"{codec}: rms {rms(samples):.0f} at {rate} Hz"
        codec_name = sdp_name.split("/")[0].lower()
        assert f"set audio decoder: {codec_name} " in callee.log_text().lower()


def test_pjsua_tone_generator_reaches_the_other_call(pj_env):
    a = Account("1001", "127.0.0.1")
    b = Account("2001", "127.0.0.1")
    call = a.call(b.contact_uri)
    call.wait_confirmed()
    incoming = b.wait_incoming()
    pj_env.wait_until(lambda: incoming.rx_packets() > 5, what="RTP")
    call.play_tone(1000)
    samples, rate = incoming.record(1.5)
    assert dominant(samples[rate // 2:], 1000, rate)
    call.stop_tone()
    pj_env.wait_until(lambda: rms(incoming.record(0.5)[0]) < 50, timeout=10, what="the tone to stop")


@pytest.mark.parametrize("method", ["rfc4733", "info"])
def test_pjsua_receives_dtmf_each_way(pj_env, method):
    a = Account("1001", "127.0.0.1")
    b = Account("2001", "127.0.0.1")
    call = a.call(b.contact_uri)
    call.wait_confirmed()
    incoming = b.wait_incoming()
    pj_env.wait_until(lambda: incoming.rx_packets() > 5, what="RTP")
    call.send_dtmf(DIGITS, method)
    received = incoming.wait_digits(DIGITS)
    assert "".join(d for d, _ in received) == DIGITS
    assert {m for _, m in received} == {method}


@pytest.mark.parametrize("direction", ["offer", "answer"])
def test_pjsua_without_telephone_event(pj_env, direction):
    """telephone_event=False removes it from pjsua's offer (outgoing) or answer (incoming);
    the other side then cannot send RFC 4733, and INFO still works."""
    plain = Account("1001", "127.0.0.1")
    no_te = Account("2001", "127.0.0.1", telephone_event=False)
    if direction == "offer":
        mine = no_te.call(plain.contact_uri)
        mine.wait_confirmed()
        other = plain.wait_incoming()
        assert "telephone-event" not in other.invite.body
    else:
        other = plain.call(no_te.contact_uri)
        other.wait_confirmed()
        mine = no_te.wait_incoming()
        answer = next(m for m in other.response_messages if m.status and m.status[0] == 200)
        assert "telephone-event" not in answer.body
    assert mine.local_sdp and "telephone-event" not in mine.local_sdp
    pj_env.wait_until(lambda: mine.rx_packets() > 5, what="RTP")
    with pytest.raises(Exception):
        other.send_dtmf("1", "rfc4733")           # pjsua: the remote offered no telephone-event
    other.send_dtmf("5#", "info")
    assert mine.wait_digits("5#") == [("5", "info"), ("#", "info")]


def test_strip_telephone_event_keeps_the_rest():
    sdp = ("v=0\r\nm=audio 4000 RTP/AVP 0 8 101\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:0 PCMU/8000\r\n"
           "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")
    assert strip_telephone_event(sdp) == ("v=0\r\nm=audio 4000 RTP/AVP 0 8\r\nc=IN IP4 127.0.0.1\r\n"
                                          "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")


def _tone_through(pj_env, callee: Account, proxy: SdpRelayProxy | None, user: str) -> tuple[float, object]:
    with Baresip(user, tone_hz=440, codecs=["pcmu"]) as bs:
        dial = proxy.uri(callee.user) if proxy else callee.contact_uri
        count = len(callee.incoming) + 1
        bs.dial(dial)
        incoming = callee.wait_incoming(count)
        incoming.wait_confirmed()
        bs.wait_established()
        pj_env.wait_until(lambda: incoming.rx_packets() > 25, what="RTP at pjsua")
        samples, rate = incoming.record(3.0)
        bs.hangup()
        bs.wait_closed()
        incoming.wait_disconnected()
    return tone_power(samples[rate // 2:], 440, rate), samples


def test_lossy_relay_between_baresip_and_pjsua(pj_env):
    """5 % loss and 40 ms jitter on baresip's RTP towards pjsua: the relay drops and
    reorders packets, and pjsua's recording still holds the tone."""
    callee = Account("2001", "127.0.0.1")
    clean, _ = _tone_through(pj_env, callee, None, "3001")
    target = ("127.0.0.1", pj_env.local_port("udp"))
    with SdpRelayProxy(target, loss=0.05, jitter=0.040, seed=11) as proxy:
        lossy, samples = _tone_through(pj_env, callee, proxy, "3002")
        [relay] = proxy.relays
        stats = relay.stats
    incoming = callee.incoming[-1]
    assert f"c=IN IP4 {RELAY_HOST}" in incoming.invite.body, "pjsua got the relay's address in the offer"
    assert stats.by_side["a"] > 50 and stats.by_side["b"] > 50, stats
    assert stats.dropped > 0 and stats.reordered > 0, stats
    assert dominant(samples[4000:], 440, pj_env.clock_rate)
    # a tone survives 5 % loss with pjsua's PLC; this bounds how much the harness itself loses
    assert lossy >= 0.5 * clean, (lossy, clean)
