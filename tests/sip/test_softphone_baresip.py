"""baresip calls the softphone's line directly and completes an answered call."""
from __future__ import annotations

from harness.baresip import Baresip
from harness.procs import pid_alive
from harness.softphone import Softphone


def test_baresip_call_answered_talked_and_hung_up(pj_env):
    with Softphone() as phone, Baresip("3001") as bs:
        bs.dial(phone.uri)
        phone.wait_for("Incoming call")
        phone.wait_for("3001")                 # the caller's number in the popup
        phone.keys("a")
        bs.wait_established()
        phone.wait_for("On a call")
        phone.wait_audio_in(5)                 # baresip's tone reaches us as RTP
        bs.hangup()
        bs.wait_closed()
        assert not bs.remote_hung_up
        phone.wait_gone("On a call")
        phone.tab("History")
        phone.wait_for("ended by the other party")
        pid = bs.pid
    assert not pid_alive(pid)


def test_agent_hangs_up_on_baresip(pj_env):
    with Softphone() as phone, Baresip("3002") as bs:
        bs.dial(phone.uri)
        phone.wait_for("Incoming call")
        phone.keys("a")
        bs.wait_established()
        phone.keys("e")
        bs.wait_closed()
        assert bs.remote_hung_up
