"""PBX account shapes and NAT (SPEC section 8, issue 12 items 3 and 4).

* A Kamailio that authenticates the generated id `a7bx` for extension 1001 of domain
  `pbx.test`, reached through an outbound proxy address (Kamailio's second address
  127.0.0.4): the line registers, takes a PJSIP call and places one; the same with
  SHA-256 digest challenges only.
* A NAT (`harness.nat_relay`) between the line and Kamailio that forgets an idle mapping:
  the line learns its public address from the REGISTER response's Via, registers it, and
  its keep-alives (every 15 s, under the NAT's 20 s) hold the mapping, so a call placed
  60 s after registration still reaches it; without keep-alives the same call is lost
  (the test can fail).
"""
from __future__ import annotations

import time

from harness.kamailio import Kamailio
from harness.nat_relay import OUTSIDE_HOST, NatRelay
from harness.pjsua import Account
from harness.procs import wait_until
from harness.softphone import Softphone

CALLER = "+4930123456"      # not a Kamailio user: a trusted trunk caller on loopback
PBX_PASSWORD = "pw-a7bx"
PROXY_HOST = "127.0.0.4"
NAT_IDLE = 20.0             # the relay forgets a mapping after 20 s idle (as the NAT does)
KEEPALIVE = 15              # so the line is set to a keep-alive under it (sip.keepalive_seconds)


def pbx(**options) -> Kamailio:
    users = {"1001": "unused-1001", "a7bx": PBX_PASSWORD, "2001": "secret2"}
    return Kamailio(users, domains=["pbx.test"], extra_hosts=[PROXY_HOST], auth_user_check=False,
                    **options).start()


def pbx_line(kam: Kamailio) -> Softphone:
    return Softphone(extension="1001", registrar=kam.uri(), password=PBX_PASSWORD, presence=False,
                     sip={"domain": "pbx.test", "auth_user": "a7bx",
                          "outbound_proxy": f"sip:{PROXY_HOST}:{kam.port}"})


def call_line(kam: Kamailio):
    return Account(CALLER, "127.0.0.1", proxy=kam.proxy_uri()).call(kam.uri("1001"))


def registers_and_calls_both_ways(kam: Kamailio) -> None:
    colleague = Account("2001", kam.domain, registrar=kam.uri(), password=kam.users["2001"])
    colleague.wait_registered()
    with pbx_line(kam) as phone:
        phone.wait_for("line registered")
        contacts = kam.wait_registered("1001")
        assert contacts, "the binding is stored under the extension, not the auth id"
        assert not kam.contacts("a7bx")

        call = call_line(kam)                  # in: through Kamailio (it sends from 127.0.0.4)
        phone.wait_for("Incoming call")
        phone.keys("a")
        call.wait_confirmed()
        phone.wait_for("On a call")
        call.hangup()
        phone.wait_gone("On a call")

        phone.dial("2001")                     # out: sip:2001@pbx.test via the proxy, 407 by a7bx
        incoming = colleague.wait_incoming(timeout=20)
        incoming.wait_confirmed()
        phone.wait_for("On a call")
        incoming.hangup()
        phone.wait_gone("On a call")
    assert "request REGISTER sip:pbx.test from sip:1001@pbx.test" in kam.log_text(), \
        "the REGISTER's Request-URI is the account's domain, its From the extension at that domain"


def test_pbx_account_with_auth_id_domain_and_outbound_proxy(pj_env):
    kam = pbx()
    try:
        registers_and_calls_both_ways(kam)
    finally:
        kam.stop()


def test_pbx_account_with_sha256_digest(pj_env):
    kam = pbx(auth_algorithm="SHA-256")
    try:
        with pbx_line(kam) as phone:
            phone.wait_for("line registered")
            assert kam.wait_registered("1001")
            call = call_line(kam)
            phone.wait_for("Incoming call")
            call.hangup()
            phone.wait_gone("Incoming call")
    finally:
        kam.stop()


def nat_line(kam: Kamailio, nat: NatRelay, keepalive: int = KEEPALIVE) -> Softphone:
    return Softphone(extension="1001", registrar=kam.uri(), password=kam.users["1001"], presence=False,
                     sip={"outbound_proxy": nat.uri(), "keepalive_seconds": keepalive})


def test_keepalives_hold_the_nat_mapping(pj_env, kamailio):
    with NatRelay(target=("127.0.0.1", kamailio.port), idle=NAT_IDLE) as nat, nat_line(kamailio, nat) as phone:
        phone.wait_for("line registered")
        kamailio.wait_registered("1001")
        # The Contact learned from received/rport: the NAT's outside address, the old one removed.
        wait_until(lambda: (contacts := kamailio.contacts("1001")) and all(OUTSIDE_HOST in c for c in contacts),
                   timeout=10, what="the learned contact alone to be registered")
        contacts = kamailio.contacts("1001")
        assert len(contacts) == 1 and OUTSIDE_HOST in contacts[0], contacts
        idle_until = time.monotonic() + 60   # three times as long as the NAT keeps an idle mapping
        wait_until(lambda: time.monotonic() >= idle_until, timeout=70, interval=0.5,
                   what="a minute after registration")
        call = call_line(kamailio)
        phone.wait_for("Incoming call")
        call.hangup()
        phone.wait_gone("Incoming call")
        assert nat.udp_mappings_created == 1 and nat.udp_mappings_expired == 0, \
            (nat.udp_mappings_created, nat.udp_mappings_expired)


def test_without_keepalives_the_call_is_lost(pj_env, kamailio):
    """Proves the test above can fail: the same NAT, keep-alives off (keepalive_seconds = 0)."""
    with NatRelay(target=("127.0.0.1", kamailio.port), idle=NAT_IDLE) as nat, \
            nat_line(kamailio, nat, keepalive=0) as phone:
        phone.wait_for("line registered")
        wait_until(lambda: any(OUTSIDE_HOST in c for c in kamailio.contacts("1001")),
                   timeout=10, what="the learned contact to be registered")
        wait_until(lambda: nat.udp_mappings_expired >= 1, timeout=NAT_IDLE + 10, interval=0.5,
                   what="the NAT to forget the idle mapping")
        call = call_line(kamailio)
        status, _ = call.wait_final(timeout=30)
        assert status >= 400, status
        assert "Incoming call" not in phone.screen()


def test_tcp_through_the_nat(pj_env, kamailio):
    """Over TCP the registrar's requests come back on the line's connection through the NAT:
    the Contact is the connection's outside address, learned from received/rport."""
    with NatRelay(target=("127.0.0.1", kamailio.port), idle=NAT_IDLE) as nat, \
            Softphone(extension="1001", registrar=kamailio.uri(transport="tcp"), password=kamailio.users["1001"],
                      presence=False, sip={"outbound_proxy": nat.uri("tcp")}) as phone:
        phone.wait_for("line registered")
        contacts = wait_until(lambda: (c := kamailio.contacts("1001")) and all(OUTSIDE_HOST in x for x in c) and c,
                              timeout=10, what="the connection's outside address to be registered")
        assert len(contacts) == 1 and "transport=tcp" in contacts[0], contacts
        call = call_line(kamailio)
        phone.wait_for("Incoming call")
        call.hangup()
        phone.wait_gone("Incoming call")
        assert nat.tcp_pairs_created == 1
