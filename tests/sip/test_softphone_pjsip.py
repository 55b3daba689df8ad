"""The softphone's SIP line against PJSIP (pjsua2, null audio device), on loopback.

Each test starts the real binary in tmux with its own configuration, lets a
pjsua account call it (or be called), and checks both sides: the SIP answer
the caller got, and what the agent sees (popup, status bar, Calls tab, Log).
"""
from __future__ import annotations

import pytest

from harness.pjsua import Account
from harness.softphone import Softphone

CALLER = "+4930123456"

# SPEC section 3 for a direct call in each state the agent can pick (answering rule: reject).
# Signalled calls ring past the no-answer time (2 s) and then follow the rule: 486 (R9).
DIRECT = [
    ("Available", True, 486),
    ("Busy", True, 486),
    ("Be right back", True, 486),
    ("Away", True, 486),
    ("Appear offline", True, 486),
    ("Do not disturb", False, 486),   # R2: not signalled, straight to the answering rule
]


@pytest.fixture
def phone(pj_env):
    """A line whose calls give up after 2 s: for the tests of what happens then."""
    with Softphone(no_answer_seconds=2) as softphone:
        yield softphone


@pytest.fixture
def agent(pj_env):
    """A line that rings for a minute: for tests where the agent (or the caller) acts on a
    ringing call. With 2 s the answering rule could win on a loaded machine, between the
    popup showing and the key (or CANCEL) arriving."""
    with Softphone(no_answer_seconds=60) as softphone:
        yield softphone


def ring_and_watch(phone: Softphone, call, pj_env) -> bool:
    """Pumps until the call has its final answer; returns whether the popup ever showed."""
    popup = False

    def done() -> bool:
        nonlocal popup
        screen = phone.screen()
        popup = popup or "Incoming call" in screen or "Call waiting" in screen
        return call.final is not None

    pj_env.wait_until(done, timeout=30, what="the call's final answer")
    return popup


@pytest.mark.parametrize("state,signalled,final", DIRECT, ids=[d[0] for d in DIRECT])
def test_direct_call_in_each_presence_state(pj_env, phone, state, signalled, final):
    if state != "Available":
        phone.choose(state)
    caller = Account(CALLER, "127.0.0.1")
    call = caller.call(phone.uri)
    popup = ring_and_watch(phone, call, pj_env)
    assert call.final[0] == final, call.responses
    assert popup == signalled
    assert call.ringing == signalled, "180 Ringing only for a signalled call (R9)"
    phone.tab("Log")
    if signalled:
        phone.wait_for("not answered within 2 s")
    else:
        phone.wait_for("not signalled: Do not disturb")


def test_logged_out_line_refuses_with_480_and_records_nothing(pj_env, phone):
    phone.logout()
    caller = Account(CALLER, "127.0.0.1")
    call = caller.call(phone.uri)
    assert not ring_and_watch(phone, call, pj_env)
    assert call.final[0] == 480 and not call.ringing
    phone.tab("History")
    assert CALLER not in phone.screen(), "R1: nothing is recorded while logged out"


@pytest.mark.parametrize("queue,state,signalled,final", [
    ("Sales", "Available", True, 480),        # R6: presence-based routing, Available rings; unanswered → 480
    ("Sales", "Busy", False, 480),            # R6: not Available → answering rule at once
    ("Support", "Busy", True, 480),           # R7: routing off, Busy rings
    ("Support", "Do not disturb", False, 480),  # R7: never in ⛔ states
], ids=["R6-available", "R6-busy", "R7-busy", "R7-dnd"])
def test_queue_calls_follow_presence_based_routing(pj_env, phone, queue, state, signalled, final):
    if state != "Available":
        phone.choose(state)
    caller = Account(CALLER, "127.0.0.1")
    call = caller.call(phone.uri, headers={"X-Queue": queue})
    popup = ring_and_watch(phone, call, pj_env)
    assert (popup, call.ringing, call.final[0]) == (signalled, signalled, final)
    phone.tab("History")
    phone.wait_for(queue)


def test_queue_recognised_by_diversion_header(pj_env, phone):
    phone.choose("Busy")
    call = Account(CALLER, "127.0.0.1").call(phone.uri, headers={"Diversion": "<sip:700@127.0.0.1>;reason=unconditional"})
    assert not ring_and_watch(phone, call, pj_env)
    assert call.final[0] == 480


def test_forward_rule_answers_302_with_the_target(pj_env):
    with Softphone(answering="forward", target="sip:2001@127.0.0.1", no_answer_seconds=2) as phone:
        phone.choose("Do not disturb")
        call = Account(CALLER, "127.0.0.1").call(phone.uri)
        assert not ring_and_watch(phone, call, pj_env)
        assert call.final[0] == 302
        assert "sip:2001@127.0.0.1" in (call.redirect_contact or "")


def test_declining_answers_603(pj_env, agent):
    call = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("d")
    pj_env.wait_until(lambda: call.final, what="603")
    assert call.final[0] == 603
    agent.tab("History")
    agent.wait_for("declined")


def test_caller_hanging_up_while_ringing_is_a_missed_call(pj_env, agent):
    call = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    call.hangup()
    pj_env.wait_until(lambda: call.final, what="487")
    assert call.final[0] == 487
    agent.wait_gone("Incoming call")
    agent.wait_for("1 missed")


def test_answered_call_holds_resumes_and_ends_both_ways(pj_env, agent):
    caller = Account(CALLER, "127.0.0.1")
    call = caller.call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("a")
    call.wait_confirmed()
    agent.wait_for("On a call")
    # RTP flows both ways: pjsua receives our packets, the Calls tab counts theirs.
    pj_env.wait_until(lambda: call.rx_packets() > 20, what="RTP from the softphone")
    agent.wait_audio_in(5)                    # "audio PCMU, N packets in", not "no audio received"

    call.hold()                               # the caller holds: re-INVITE sendonly
    call.wait_media("local_hold")
    agent.wait_for("held by them")
    call.resume()
    call.wait_media("active")
    agent.wait_gone("held by them")

    agent.keys("h")                           # the agent holds: re-INVITE sendonly from us
    pj_env.wait_until(lambda: call.remote_hold, what="pjsua to see the hold")
    agent.wait_for("on hold")
    agent.keys("h")
    pj_env.wait_until(lambda: not call.remote_hold, what="pjsua to see the resume")

    call.hangup()                             # the caller hangs up: BYE to us
    agent.wait_gone("On a call")
    agent.tab("History")
    agent.wait_for("ended by the other party")


def test_agent_ends_the_call(pj_env, agent):
    call = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("a")
    call.wait_confirmed()
    agent.keys("e")
    pj_env.wait_until(lambda: call.remote_hangup, what="our BYE")
    agent.tab("History")
    agent.wait_for("ended by you")


def test_blind_transfer_by_refer(pj_env, agent):
    target = Account("2001", "127.0.0.1")
    caller = Account(CALLER, "127.0.0.1")
    call = caller.call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("a")
    call.wait_confirmed()
    agent.keys("t")
    agent.wait_for("Transfer")
    agent.type(target.contact_uri)
    agent.keys("Enter")
    # pjsua follows our REFER: it calls the target, reports success, and we hang up.
    transferred = target.wait_incoming(timeout=20)
    pj_env.wait_until(lambda: call.remote_hangup, timeout=20, what="the transferor's BYE")
    assert transferred is not None
    agent.tab("Log")
    agent.wait_for("transfer to")
    agent.wait_for("succeeded")


def test_transfer_asked_by_the_caller_is_refused(pj_env, agent):
    target = Account("2001", "127.0.0.1")
    call = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("a")
    call.wait_confirmed()
    call.transfer(target.contact_uri, hangup_on_success=False)
    agent.tab("Log")
    agent.wait_for("asked to transfer this call")
    pj_env.wait_until(lambda: call.transfer_final, what="the answer to the REFER")
    assert call.transfer_final[0] == 603
    assert "On a call" in agent.status_bar, "the call goes on"
    call.hangup()


def test_softphone_calls_pjsua(pj_env, phone):
    callee = Account("2001", "127.0.0.1", answer_code=200, answer_delay=0.5)
    phone.dial(callee.contact_uri)
    incoming = callee.wait_incoming(timeout=20)
    incoming.wait_confirmed()
    phone.wait_for("On a call")
    pj_env.wait_until(lambda: incoming.rx_packets() > 10, what="our RTP at the callee")
    incoming.hangup()
    phone.wait_gone("On a call")


def test_outbound_call_refused_in_do_not_disturb(pj_env, phone):
    phone.choose("Do not disturb")
    phone.keys("c")
    phone.wait_for("cannot call in Do not disturb")   # R2: the dial prompt does not even open
    assert "Call:" not in phone.screen()


def test_garbage_does_not_hurt_the_line(pj_env, agent):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.bind(("127.0.0.1", 0))
        raw.settimeout(20)
        port = raw.getsockname()[1]
        raw.sendto(bytes(range(256)) * 4, ("127.0.0.1", agent.port))
        broken = (f"INVITE {agent.uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-x1\r\n"
                  "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: broken@x\r\n"
                  "CSeq: one INVITE\r\nContent-Length: 0\r\n\r\n")
        raw.sendto(broken.encode(), ("127.0.0.1", agent.port))
        answer = raw.recvfrom(4096)[0].decode(errors="replace")
        assert answer.startswith("SIP/2.0 400 "), answer
    call = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    call.hangup()


def test_call_waiting_and_queue_calls_during_a_call(pj_env, agent):
    first = Account(CALLER, "127.0.0.1").call(agent.uri)
    agent.wait_for("Incoming call")
    agent.keys("a")
    first.wait_confirmed()
    # R8: a queue call while on a call is not signalled (answering rule: 480 for queue calls).
    queued = Account("+4940555", "127.0.0.1").call(agent.uri, headers={"X-Queue": "Sales"})
    assert queued.wait_final()[0] == 480 and not queued.ringing
    # R5: a direct call while on a call is signalled as call waiting.
    second = Account("+4989777", "127.0.0.1").call(agent.uri)
    agent.wait_for("Call waiting")
    pj_env.wait_until(lambda: second.ringing, what="180 for the waiting call")
    agent.keys("a")                           # answering it holds the first call
    second.wait_confirmed()
    pj_env.wait_until(lambda: first.remote_hold, what="the first call put on hold")
    agent.wait_for("on hold")
    second.hangup()
    first.hangup()
    agent.wait_gone("On a call")
