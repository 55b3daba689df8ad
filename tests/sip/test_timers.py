"""Session timers (RFC 4028) and reliable provisional responses (RFC 3262) against PJSIP.

PJSIP with 100rel mandatory and session timers required (90 s sessions) calls the line:
our 180 goes reliably and is PRACKed, our 200 makes PJSIP the refresher, and the call
survives two refresh intervals (PJSIP refreshes at 45 s and 90 s; the test lasts ~100 s).
The line calling such a PJSIP: its reliable 180 gets our PRACK and the call connects with
the session interval we asked for.
"""
from __future__ import annotations

import time

import pytest

from harness.pjsua import Account
from harness.softphone import Softphone

CALLER = "+4930123456"


@pytest.fixture
def agent(pj_env):
    with Softphone(no_answer_seconds=60) as softphone:
        yield softphone


def _method(message) -> str:
    return (message.header("CSeq") or "").split()[-1].upper()


def _sequence(message) -> int:
    return int((message.header("CSeq") or "0").split()[0])


def test_pjsip_with_100rel_and_timers_required_calls_the_line(pj_env, agent):
    caller = Account(CALLER, "127.0.0.1", session_timers="required", session_expires=90, min_se=90,
                     prack="mandatory")
    call = caller.call(agent.uri)
    agent.wait_for("Incoming call")
    ringing = [m for m in call.response_messages if m.status and m.status[0] == 180]
    assert ringing, call.responses
    assert "100rel" in (ringing[0].header("Require") or "") and ringing[0].header("RSeq"), ringing[0].raw
    agent.keys("a")
    call.wait_confirmed()
    ok = [m for m in call.response_messages if m.status and m.status[0] == 200][0]
    assert (ok.header("Session-Expires") or "").replace(" ", "") == "90;refresher=uac", ok.raw
    assert "timer" in (ok.header("Require") or ""), ok.raw
    invite_sequence = _sequence(ok)
    agent.wait_for("On a call")

    def refreshes():
        # PJSIP's refreshes (UPDATE, or re-INVITE) after the call was set up, answered 200 by us.
        return [m for m in call.answers
                if m.status and m.status[0] == 200 and _method(m) in ("UPDATE", "INVITE")
                and _sequence(m) > invite_sequence]

    started = time.monotonic()
    pj_env.wait_until(lambda: len(refreshes()) >= 2, timeout=120, what="two session refreshes by PJSIP")
    answered = refreshes()
    assert all("90" in (m.header("Session-Expires") or "") for m in answered), [m.raw for m in answered]
    # Past the second refresh the call is still up on both sides, and nobody sent a BYE.
    pj_env.wait_until(lambda: time.monotonic() - started > 95, timeout=60, what="two intervals")
    assert "CONFIRMED" == call.states[-1], call.states
    assert not call.remote_hangup
    assert "On a call" in agent.status_bar
    call.hangup()
    agent.wait_gone("On a call")


def test_the_line_calls_pjsip_with_100rel_and_timers_required(pj_env, agent):
    callee = Account("2001", "127.0.0.1", answer_code=200, answer_delay=0.5, session_timers="required",
                     session_expires=90, min_se=90, prack="mandatory")
    agent.dial(callee.contact_uri)
    incoming = callee.wait_incoming(timeout=20)
    incoming.wait_confirmed()
    agent.wait_for("On a call")
    invite = incoming.invite
    assert invite is not None
    assert (invite.header("Session-Expires") or "").strip() == "1800", invite.raw
    supported = (invite.header("Supported") or "").replace(" ", "").split(",")
    assert "timer" in supported and "100rel" in supported and "replaces" not in supported, invite.raw
    # PJSIP's reliable 180 was acknowledged by our PRACK (else it would have refused the call).
    pj_env.wait_until(lambda: any(m.first_line.startswith("PRACK ") for m in incoming.requests),
                      what="our PRACK")
    prack = next(m for m in incoming.requests if m.first_line.startswith("PRACK "))
    assert prack.header("RAck"), prack.raw
    pj_env.wait_until(lambda: incoming.rx_packets() > 10, what="our RTP at the callee")
    incoming.hangup()
    agent.wait_gone("On a call")
