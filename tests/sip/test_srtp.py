"""SRTP keyed by SDES (RFC 4568, AES_CM_128_HMAC_SHA1_80; issue 12, SPEC section 8) against
real peers on loopback: baresip with `mediaenc=srtp-mand` (RTP/SAVP, its srtp.so) both ways,
the caller's 440 Hz tone heard through SRTP on the private PulseAudio, the lock in the Calls
tab, and a plain-RTP offer refused with 488 under `sip.srtp = "mandatory"` without ringing.

SDES over UDP is allowed here only because the signalling stays on loopback (`--check`
refuses it elsewhere).
"""
from __future__ import annotations

from harness.baresip import Baresip
from harness.pjsua import Account
from harness.pulse import RATE, dominant, rms
from test_sound import CALLER, CALLER_TONE, sound_phone, wait_tone

LOCK = "🔒"


def test_baresip_srtp_mandatory_calls_the_line_encrypted_and_its_tone_is_heard(pj_env, pulse):
    with sound_phone(pulse, codecs=["pcmu"], srtp="optional") as phone, \
            Baresip("3001", tone_hz=CALLER_TONE, codecs=["pcmu"], mediaenc="srtp-mand") as bs:
        bs.dial(phone.uri)
        phone.wait_for("Incoming call")
        phone.keys("a")
        bs.wait_established()
        phone.wait_for("On a call")
        phone.wait_for(LOCK)                              # the Calls tab: an encrypted call
        phone.wait_audio_in(5)                            # SRTP that authenticated and decrypted
        wait_tone(lambda s: pulse.record("sp_play.monitor", s), CALLER_TONE, RATE)
        heard = pulse.record("sp_play.monitor", 2.0)
        assert dominant(heard, CALLER_TONE), f"rms {rms(heard):.0f}"
        bs.hangup()
        bs.wait_closed()
        phone.wait_gone("On a call")


def test_the_line_calls_baresip_srtp_mandatory(pj_env):
    from harness.softphone import Softphone
    with Softphone(srtp="mandatory") as phone, \
            Baresip("3002", answermode="auto", mediaenc="srtp-mand") as bs:
        phone.dial(bs.contact_uri)
        bs.wait_established()
        phone.wait_for("On a call")
        phone.wait_for(LOCK)
        phone.wait_audio_in(5)                            # baresip's SRTP, decrypted by the line
        phone.keys("e")
        bs.wait_closed()
        assert bs.remote_hung_up


def test_mandatory_refuses_a_plain_offer_with_488_without_ringing(pj_env):
    from harness.softphone import Softphone
    with Softphone(srtp="mandatory") as phone:
        call = Account(CALLER, "127.0.0.1").call(phone.uri)
        final = call.wait_final()
        assert final[0] == 488, call.responses
        assert not call.ringing
        assert "Incoming call" not in phone.screen()
        phone.tab("Log")
        phone.wait_for("488")


def test_mandatory_refuses_baresip_without_srtp(pj_env):
    from harness.softphone import Softphone
    with Softphone(srtp="mandatory") as phone, Baresip("3003") as bs:
        bs.dial(phone.uri)
        closed = bs.wait_closed()
        assert "488" in (closed.get("param") or ""), closed
        assert not bs.established
        assert "Incoming call" not in phone.screen()
