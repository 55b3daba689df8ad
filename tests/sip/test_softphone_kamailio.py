"""Kamailio as registrar and proxy with a password: the softphone registers, calls come
through Kamailio, logout de-registers (callers get Kamailio's own answer), login brings
calls back."""
from __future__ import annotations

from harness.kamailio import Kamailio
from harness.pjsua import Account
from harness.softphone import Softphone

CALLER = "+4930123456"      # not a Kamailio user: a trusted trunk caller on loopback


def call_line(kamailio: Kamailio):
    return Account(CALLER, "127.0.0.1", proxy=kamailio.proxy_uri()).call(kamailio.uri("1001"))


def test_register_call_logout_login(pj_env, kamailio):
    with Softphone(registrar=kamailio.uri(), password=kamailio.users["1001"]) as phone:
        phone.wait_for("line registered")
        assert kamailio.wait_registered("1001")

        call = call_line(kamailio)             # through Kamailio to the registered contact
        phone.wait_for("Incoming call")
        phone.keys("a")
        call.wait_confirmed()
        phone.wait_for("On a call")
        call.wait_rtp(10)
        call.hangup()
        phone.wait_gone("On a call")

        phone.logout()                         # R1: de-register
        kamailio.wait_unregistered("1001")
        call = call_line(kamailio)
        assert call.wait_final()[0] == 480     # Kamailio's answer for a user with no registration
        assert "Incoming call" not in phone.screen()

        phone.login()
        phone.wait_for("line registered")
        assert kamailio.wait_registered("1001")
        call = call_line(kamailio)
        phone.wait_for("Incoming call")
        call.hangup()
        phone.wait_gone("Incoming call")


def test_register_over_tcp(pj_env, kamailio):
    registrar = kamailio.uri(transport="tcp")
    with Softphone(registrar=registrar, password=kamailio.users["1001"]) as phone:
        phone.wait_for("line registered")
        contacts = kamailio.contacts("1001")
        assert any("transport=tcp" in c for c in contacts), contacts
        call = call_line(kamailio)
        phone.wait_for("Incoming call")
        phone.keys("a")
        call.wait_confirmed()
        phone.keys("e")
        call.wait_disconnected()


def test_wrong_password_is_shown(pj_env, kamailio):
    with Softphone(registrar=kamailio.uri(), password="not-the-password") as phone:
        phone.wait_for("registration failed: 401")
        phone.tab("Log")
        phone.wait_for("wrong user name or password")


def test_quitting_de_registers(pj_env, kamailio):
    phone = Softphone(registrar=kamailio.uri(), password=kamailio.users["1001"]).start()
    try:
        phone.wait_for("line registered")
        assert kamailio.wait_registered("1001")
    finally:
        phone.close()                          # SIGTERM: logout first, so the binding goes
    kamailio.wait_unregistered("1001")


def test_softphone_calls_a_colleague_through_kamailio(pj_env, kamailio):
    colleague = Account("2001", kamailio.domain, registrar=kamailio.uri(), password=kamailio.users["2001"])
    colleague.wait_registered()
    with Softphone(registrar=kamailio.uri(), password=kamailio.users["1001"]) as phone:
        phone.wait_for("line registered")
        phone.dial("2001")                     # a bare number: sip:2001@ the registrar's domain
        incoming = colleague.wait_incoming(timeout=20)   # after Kamailio's 407 and our answer
        incoming.wait_confirmed()
        phone.wait_for("On a call")
        incoming.hangup()
        phone.wait_gone("On a call")
