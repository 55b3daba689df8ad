"""Self-tests of the SIP test harness: real peers only, no softphone.

Run from the repository root:
    bash tests/sip/setup.sh
    .venv-sip/bin/python -m pytest tests/sip/test_harness.py -q
"""
from __future__ import annotations

from harness import kamailio as kam_mod
from harness.baresip import Baresip
from harness.kamailio import Kamailio
from harness.pjsua import Account
from harness.procs import pid_alive, start_time, still_alive


def line(kam: Kamailio, user: str, password: str | None = None, **kwargs) -> Account:
    """A pjsua account registered (or trying to) at `kam`."""
    return Account(user, kam.domain, registrar=kam.uri(),
                   password=kam.users[user] if password is None else password, **kwargs)


# ------------------------------------------------------------- registration
def test_register_with_right_password_and_fail_with_wrong(pj_env, kamailio):
    good = line(kamailio, "1001")
    good.wait_registered()
    assert good.reg_status == (200, "OK")
    assert good.registered()
    contacts = kamailio.wait_registered("1001")
    assert contacts == [good.contact_uri]

    wrong = line(kamailio, "2001", password="not-the-password")
    assert wrong.wait_reg_final() == kam_mod.REGISTER_CHALLENGE == (401, "Unauthorized")
    assert not wrong.registered()
    stranger = Account("4711", kamailio.domain, registrar=kamailio.uri(), password="x")
    assert stranger.wait_reg_final() == (401, "Unauthorized")
    assert kamailio.contacts("2001") == [] and kamailio.contacts("4711") == []

    # an INVITE from a configured line with a wrong password: proxy challenge
    wrong_caller = Account("2001", kamailio.domain, proxy=kamailio.proxy_uri(),
                           password="not-the-password")
    call = wrong_caller.call(kamailio.uri("1001"))
    assert call.wait_final() == kam_mod.PROXY_CHALLENGE == (407, "Proxy Authentication Required")
    assert not good.incoming

    good.unregister()
    kamailio.wait_unregistered("1001")
    # Kamailio drops the binding before pjsua reads the 200: wait for pjsua's own answer too
    assert good.wait_unregistration_answered() == (200, "OK")
    assert not good.registered()
    assert good.reg_events[-1][:2] == (200, "OK") and good.reg_events[-1][2] == 0


# --------------------------------------------------------- a call end to end
def test_call_through_kamailio_with_media_hold_resume_hangup(pj_env, kamailio):
    a, b = line(kamailio, "1001"), line(kamailio, "2001")
    a.wait_registered()
    b.wait_registered()

    call = a.call(kamailio.uri("2001"))
    call.wait_confirmed()
    assert call.final == (200, "OK")
    incoming = b.wait_incoming()
    incoming.wait_confirmed()
    # B sends 180 and 200 at once. Kamailio's UDP workers may relay the 200 before the 180
    # (tm then drops the late 1xx), so the caller sees [180, 200] or only [200]; the 180 is
    # checked where it is sent.
    assert [c for c, _ in call.responses if c >= 180] in ([180, 200], [200]), call.responses
    assert incoming.ringing
    assert "sip:1001@127.0.0.1" in incoming.invite.header("From")
    # Kamailio record-routed the dialog
    assert kamailio.hostport in (incoming.invite.header("Record-Route") or "")

    # RTP both ways
    assert call.wait_rtp(5) >= 5
    assert incoming.wait_rtp(5) >= 5
    assert call.media_status == incoming.media_status == "active"

    call.hold()
    call.wait_media("local_hold")
    incoming.wait_media("remote_hold")
    assert incoming.remote_hold and incoming.media_dirs[-1] == "recvonly"
    assert call.media_dirs[-1] == "sendonly"

    call.resume()
    call.wait_media("active")
    incoming.wait_media("active")
    assert not incoming.remote_hold
    call.wait_rtp_growing(5)
    incoming.wait_rtp_growing(5)

    call.hangup()
    call.wait_disconnected()
    incoming.wait_disconnected()
    assert incoming.remote_hangup and not call.remote_hangup
    assert any(r.first_line.startswith("BYE ") for r in incoming.requests)


def test_call_to_tcp_registered_line(pj_env, kamailio):
    a = line(kamailio, "1001")
    b = line(kamailio, "2001", transport="tcp")
    a.wait_registered()
    b.wait_registered()
    assert kamailio.contacts("2001")[0].lower().endswith(";transport=tcp")
    call = a.call(kamailio.uri("2001"))
    call.wait_confirmed()
    b.last_incoming().wait_rtp(3)
    b.last_incoming().hangup()
    call.wait_disconnected()
    assert call.remote_hangup


# ------------------------------------------------------ Kamailio's own answers
def test_unregistered_and_unknown_users(pj_env, kamailio):
    a, b = line(kamailio, "1001"), line(kamailio, "2001")
    a.wait_registered()
    b.wait_registered()
    b.unregister()
    kamailio.wait_unregistered("2001")

    call = a.call(kamailio.uri("2001"))
    assert call.wait_final() == kam_mod.NOT_REGISTERED == (480, "Temporarily Unavailable")
    assert not b.incoming

    call = a.call(kamailio.uri("5555"))
    assert call.wait_final() == kam_mod.UNKNOWN_USER == (404, "Not Found")


# ------------------------------------------------------------ what the callee sees
def test_extra_headers_and_to_user_reach_the_callee(pj_env, kamailio):
    a, b = line(kamailio, "1001"), line(kamailio, "2001")
    a.wait_registered()
    b.wait_registered()

    call = a.call(kamailio.uri("2001"), headers={"X-Queue": "Sales",
                                                  "Diversion": "<sip:700@127.0.0.1>;reason=unconditional"})
    incoming = b.wait_incoming()
    assert incoming.header("X-Queue") == "Sales"
    assert incoming.header("diversion") == "<sip:700@127.0.0.1>;reason=unconditional"
    call.wait_confirmed()
    call.hangup()
    incoming.wait_disconnected()

    # To names the queue while the Request-URI reaches the line
    call = a.call(kamailio.uri("2001"), to="sip:700@127.0.0.1")
    incoming = b.wait_incoming(2)
    assert incoming.header("To").strip("<>") == "sip:700@127.0.0.1"
    assert incoming.invite.request_uri.startswith("sip:2001@")
    call.hangup()
    call.wait_disconnected()
    incoming.wait_disconnected()


def test_busy_and_cancel(pj_env, kamailio):
    a = line(kamailio, "1001")
    b = line(kamailio, "2001", answer_code=486)
    a.wait_registered()
    b.wait_registered()

    call = a.call(kamailio.uri("2001"))
    assert call.wait_final() == (486, "Busy Here")
    busy = b.wait_incoming(1)
    busy.wait_disconnected()
    # The harness sends 180 before any answer (checked at the callee). B sends the 180 and
    # the 486 together; Kamailio's two UDP workers may relay the 486 first and then drop
    # the 180 (no 1xx after a final), so the caller may or may not see it.
    assert busy.ringing and busy.final == (486, "Busy Here")
    assert [c for c, _ in call.responses if c >= 180] in ([180, 486], [486]), call.responses

    b.answer_code = None  # ring only
    call = a.call(kamailio.uri("2001"))
    incoming = b.wait_incoming(2)
    # ringing alone: the 180 reaches the caller (a response, not an invite-session state)
    pj_env.wait_until(lambda: call.ringing, what=f"180 at the caller (seen {call.responses})")
    assert not incoming.disconnected
    call.hangup()         # CANCEL
    assert call.wait_disconnected() == (487, "Request Terminated")
    incoming.wait_disconnected()
    assert incoming.cancelled
    assert any(r.first_line.startswith("CANCEL ") for r in incoming.requests)


def test_redirect_decline_and_blind_transfer(pj_env, kamailio):
    a = line(kamailio, "1001")
    b = line(kamailio, "2001", answer_code=302, redirect_to="sip:3001@127.0.0.1")
    c = line(kamailio, "3001")
    for acc in (a, b, c):
        acc.wait_registered()

    call = a.call(kamailio.uri("2001"))
    assert call.wait_final() == (302, "Moved Temporarily")
    assert call.redirect_contact == "<sip:3001@127.0.0.1>"

    b.answer_code = 603
    assert a.call(kamailio.uri("2001")).wait_final() == (603, "Decline")

    # A talks to B, then transfers B to C (REFER); A hangs up when C answered
    b.answer_code = 200
    call = a.call(kamailio.uri("2001"))
    call.wait_confirmed()
    at_b = b.last_incoming()
    call.transfer(kamailio.uri("3001"))
    at_c = c.wait_incoming()
    at_c.wait_confirmed()
    assert at_c.header("Referred-By")
    call.wait_disconnected()
    assert call.transfer_final == (200, "OK")
    assert at_b.transfer_requests == [kamailio.uri("3001")]
    b_to_c = at_b.transferred_to
    b_to_c.wait_confirmed()
    at_b.wait_disconnected()
    b_to_c.hangup()
    at_c.wait_disconnected()


# ----------------------------------------------------------------- baresip
def test_baresip_calls_pjsua_directly(pj_env):
    target = Account("4001", "127.0.0.1")      # no registrar: reachable directly
    with Baresip("3001") as bs:
        pid = bs.pid
        assert pid_alive(pid)
        bs.dial(target.contact_uri)
        incoming = target.wait_incoming()
        bs.wait_established()
        incoming.wait_confirmed()
        assert incoming.wait_rtp(10) >= 10          # baresip's tone arrives
        bs.hangup()
        closed = bs.wait_closed()
        assert not bs.remote_hung_up, closed
        incoming.wait_disconnected()
        assert incoming.remote_hangup
        assert bs.alive
    assert bs.stopped_pid == pid and not pid_alive(pid)


def test_pjsua_calls_baresip_which_sees_remote_hangup(pj_env):
    caller = Account("4002", "127.0.0.1")
    with Baresip("3002", answermode="auto") as bs:
        call = caller.call(bs.contact_uri)
        call.wait_confirmed()
        assert call.final[0] == 200
        bs.wait_established()
        call.wait_rtp(5)
        call.hangup()
        bs.wait_closed()
        assert bs.remote_hung_up
        pid = bs.pid
    assert not pid_alive(pid)


def test_baresip_registered_at_kamailio_both_directions(pj_env, kamailio):
    a = line(kamailio, "1001")
    a.wait_registered()
    with Baresip("3001", domain=kamailio.domain, registrar=kamailio.uri(),
                 password=kamailio.users["3001"], answermode="auto") as bs:
        bs.wait_registered()
        assert kamailio.wait_registered("3001")
        # pjsua -> Kamailio -> baresip (auto answer)
        call = a.call(kamailio.uri("3001"))
        call.wait_confirmed()
        bs.wait_established()
        call.wait_rtp(5)
        call.hangup()
        bs.wait_closed()
        assert bs.remote_hung_up
        # baresip -> Kamailio (407, credentials) -> pjsua
        bs.dial(kamailio.uri("1001"))
        incoming = a.wait_incoming()
        incoming.wait_confirmed()
        assert "sip:3001@" in incoming.header("From")
        bs.wait_event("CALL_ESTABLISHED", count=2)
        bs.hangup()
        incoming.wait_disconnected()
        assert incoming.remote_hangup
        pid = bs.pid
    assert not pid_alive(pid)


# ---------------------------------------------------------------- processes
def test_kamailio_processes_are_stopped_by_pid(pj_env):
    kam = Kamailio({"1001": "secret1"})
    with kam:
        pids = kam.all_pids()
        assert len(pids) > 1 and all(pid_alive(p) for p in pids)
        # a PID is one process only with its start time: a child that ends early frees its
        # number for the kernel to hand out again (even as a thread id of this test)
        started = {p: start_time(p) for p in pids}
        assert kam.rpc("core.version")
        kam.set_password("1002", "later")
        acc = Account("1002", kam.domain, registrar=kam.uri(), password="later")
        acc.wait_registered()
        assert "1002" in kam.registrations()
        acc.close()
        kam.wait_unregistered("1002")
    assert not any(still_alive(p, started[p]) for p in pids)
    assert "Listening on" in kam.log_text()
