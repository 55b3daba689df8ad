"""RFC 3263 server location and failover (issue 12 item 5).

dnsmasq on loopback serves NAPTR and SRV records for `pbx.test` naming two Kamailios
(127.0.0.5 first by SRV priority, 127.0.0.6 second); the softphone's registrar is
`sip:pbx.test` and its resolver asks that dnsmasq (SOFTPHONE_DNS_SERVER). The line
registers at the first; once the first is killed, the line's next REGISTER goes
unanswered and it registers at the second within the registration retry time; a call
through the second reaches the line.
"""
from __future__ import annotations

import time

import pytest

from conftest import USERS
from harness.dnsmasq import Dnsmasq
from harness.kamailio import Kamailio
from harness.pjsua import Account
from harness.softphone import Softphone

CALLER = "+4930123456"      # not a Kamailio user: a trusted trunk caller on loopback
EXPIRES = 60                # the shortest register_expires: the line refreshes every 30 s
REFRESH = EXPIRES // 2
RETRY = 30                  # the line's registration retry delay (LineAgentConfiguration)


@pytest.fixture
def two_kamailios(pj_env):
    first = Kamailio(USERS, host="127.0.0.5")
    second = Kamailio(USERS, host="127.0.0.6")
    first.start()
    try:
        second.start()
    except Exception:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def zone(first: Kamailio, second: Kamailio) -> Dnsmasq:
    return Dnsmasq(
        naptr=[("pbx.test", 10, 10, "s", "SIP+D2U", "", "_sip._udp.pbx.test"),
               ("pbx.test", 20, 10, "s", "SIP+D2T", "", "_sip._tcp.pbx.test")],
        srv=[("_sip._udp.pbx.test", "kam1.pbx.test", first.port, 10, 0),
             ("_sip._udp.pbx.test", "kam2.pbx.test", second.port, 20, 0),
             ("_sip._tcp.pbx.test", "kam1.pbx.test", first.port, 10, 0),
             ("_sip._tcp.pbx.test", "kam2.pbx.test", second.port, 20, 0)],
        hosts=[("kam1.pbx.test", first.host), ("kam2.pbx.test", second.host)])


def test_registers_at_first_srv_target_and_fails_over_to_second(two_kamailios):
    first, second = two_kamailios
    with zone(first, second) as dns, Softphone(
            registrar="sip:pbx.test", password=USERS["1001"], presence=False,
            env={"SOFTPHONE_DNS_SERVER": dns.address},
            sip={"register_expires": EXPIRES}) as phone:
        phone.wait_for("line registered")
        assert first.wait_registered("1001")
        assert not second.is_registered("1001")
        phone.tab("Log")
        phone.wait_for("servers of sip:pbx.test")

        first.stop()                                   # the first server is gone
        killed = time.monotonic()
        # The next refresh (within REFRESH s) goes unanswered; the line moves on to the
        # second well within the retry time instead of waiting Timer F (32 s) and then 30 s.
        assert second.wait_registered("1001", timeout=REFRESH + RETRY + 10)
        elapsed = time.monotonic() - killed
        assert elapsed < REFRESH + RETRY, f"registered at the second after {elapsed:.1f} s"
        phone.wait_for(f"registered at UDP {second.host}:{second.port}")

        phone.tab("Calls")
        call = Account(CALLER, "127.0.0.1", proxy=second.proxy_uri()).call(second.uri("1001"))
        phone.wait_for("Incoming call")
        call.hangup()
        phone.wait_gone("Incoming call")


def test_unknown_domain_is_shown_and_nothing_registers(two_kamailios):
    first, second = two_kamailios
    with zone(first, second) as dns, Softphone(
            registrar="sip:nowhere.test", password=USERS["1001"], presence=False,
            env={"SOFTPHONE_DNS_SERVER": dns.address}) as phone:
        phone.wait_for("registration failed")
        phone.tab("Log")
        phone.wait_for("no server found for sip:nowhere.test")
        assert not first.is_registered("1001") and not second.is_registered("1001")
