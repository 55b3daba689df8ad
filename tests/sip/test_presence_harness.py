"""Self-tests of the presence part of the SIP harness (no softphone).

Kamailio as presence server (PUBLISH / SUBSCRIBE / NOTIFY, PIDF + RPID), a
hand-written SIP UA for Kamailio's exact answers, and pjsua accounts that
publish (A) and watch (B, C).

Run from the repository root:
    bash tests/sip/setup.sh
    .venv-sip/bin/python -m pytest tests/sip/test_presence_harness.py -q
"""
from __future__ import annotations

import re

import pytest

from conftest import USERS
from harness import kamailio as kam_mod
from harness.kamailio import Kamailio
from harness.pjsua import Account, PjEnv
from harness.procs import wait_until
from harness.rawsip import RawSipUA


@pytest.fixture
def kamailio(pj_env):
    """A presence-enabled Kamailio per test (same name as conftest's fixture,
    so a failing test gets its log attached)."""
    kam = Kamailio(USERS, presence=True)
    kam.start()
    try:
        yield kam
    finally:
        pj_env.close_accounts()      # unsubscribe / unpublish / unregister first
        kam.stop()


def line(kam: Kamailio, user: str, **kwargs) -> Account:
    return Account(user, kam.domain, registrar=kam.uri(), password=kam.users[user], **kwargs)


def pidf(entity: str, basic: str, activity: str | None = None, note: str | None = None) -> str:
    person = ""
    if activity or note:
        person = ('<dm:person id="p1"><rpid:activities>'
                  + (f"<rpid:{activity}/>" if activity else "") + "</rpid:activities>"
                  + (f"<dm:note>{note}</dm:note>" if note else "") + "</dm:person>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
            f'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="{entity}">'
            f'<tuple id="t1"><status><basic>{basic}</basic></status></tuple>{person}</presence>')


def wait_watchers(kam: Kamailio, user: str, expected: list[str]) -> None:
    """Bounded wait until the watchers of `user` in active_watchers are `expected`."""
    wait_until(lambda: sorted(r["watcher_username"] for r in kam.active_watchers(user))
               == sorted(expected), 15.0, 0.05, what=f"watchers of {user} == {expected}")


def basic_of(body: str | None) -> str | None:
    m = re.search(r"<basic>\s*(\w+)\s*</basic>", body or "")
    return m.group(1) if m else None


# ------------------------------------------------- Kamailio's exact answers
def test_kamailio_presence_server_answers(kamailio):
    kam = kamailio
    aor = "sip:1001@127.0.0.1"
    watcher = RawSipUA("+4930123", kam.domain, kam.hostport)          # trusted, no auth
    publisher = RawSipUA("1001", kam.domain, kam.hostport, password=kam.users["1001"])

    def notifies(n):
        return watcher.wait_request(lambda m: m.first_line.startswith("NOTIFY "), count=n)

    def notify_after(seen, predicate):
        """The first NOTIFY after the first `seen` that satisfies `predicate` (waits for it):
        another NOTIFY still under way (a retransmission, an earlier state) must not take its place."""
        def found():
            later = watcher.notifies()[seen:]
            return next((m for m in later if predicate(m)), None)
        return wait_until(found, 10.0, 0.01, what=f"a matching NOTIFY after #{seen}")

    # SUBSCRIBE before anything is published: 200 OK (not 202), NOTIFY without body
    sub = watcher.request("SUBSCRIBE", kam.uri("1001"),
                          headers={"Event": "presence", "Expires": "120",
                                   "Accept": "application/pidf+xml"})
    assert sub.final.status == (200, "OK")
    assert sub.final.header("expires") == "120"
    assert sub.final.header("contact") == f"<sip:{kam.hostport}>"
    first = notifies(1)[0]
    assert first.header("event") == "presence"
    assert first.header("subscription-state") == "active;expires=120"
    assert first.header("content-length") == "0" and first.body == ""
    wait_watchers(kam, "1001", ["+4930123"])

    # PUBLISH from a line: challenged like INVITE (407), then 200 OK with SIP-ETag
    pub = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60"},
                            body=pidf(aor, "open"))
    assert pub.codes == [407, 200]
    assert pub.responses[0].status == kam_mod.PROXY_CHALLENGE
    assert pub.final.header("expires") == "60"
    etag1 = pub.final.header("sip-etag")
    assert etag1
    opened = notify_after(1, lambda m: basic_of(m.body) == "open")
    assert opened.header("content-type") == "application/pidf+xml"
    stored = kam.presentities("1001")
    assert [(r["event"], r["etag"]) for r in stored] == [("presence", etag1)]

    # refresh: no body, SIP-If-Match -> 200 OK with a new ETag
    ref = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60",
                                                     "SIP-If-Match": etag1})
    assert ref.final.status == (200, "OK")
    etag2 = ref.final.header("sip-etag")
    assert etag2 and etag2 != etag1

    # modify: new body with SIP-If-Match -> 200 OK, new ETag, NOTIFY with RPID busy
    mod = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60",
                                                     "SIP-If-Match": etag2},
                            body=pidf(aor, "open", "busy", "Busy"))
    assert mod.final.status == (200, "OK")
    etag3 = mod.final.header("sip-etag")
    assert etag3 not in (etag1, etag2)
    busy = watcher.wait_request(lambda m: "<rpid:busy/>" in m.body)[-1]
    assert basic_of(busy.body) == "open" and "<dm:note>Busy</dm:note>" in busy.body

    # an unknown (well-formed) ETag, a PUBLISH with neither body nor ETag, a bad event
    stale = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60",
                                                       "SIP-If-Match": "a.1.1.1.0"})
    assert stale.final.status == kam_mod.PUBLISH_UNKNOWN_ETAG == (412, "Conditional request failed")
    broken = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60",
                                                        "SIP-If-Match": "nodots"})
    assert broken.final.status == kam_mod.PUBLISH_BAD_ETAG == (500, "Server Internal Error")
    empty = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "60"})
    assert empty.final.status == kam_mod.PUBLISH_NOTHING == (400, "Invalid request")
    bad = publisher.request("PUBLISH", aor, headers={"Event": "not-an-event", "Expires": "60"},
                            body=pidf(aor, "open"))
    assert bad.final.status == kam_mod.BAD_EVENT == (489, "Bad Event")
    # a line publishing another line's state with its own credentials: the auth
    # module checks the To user for PUBLISH -> challenged again (final for a client)
    other = publisher.request("PUBLISH", "sip:2001@127.0.0.1",
                              headers={"Event": "presence", "Expires": "60"},
                              body=pidf("sip:2001@127.0.0.1", "open"))
    assert other.codes == [407, 407]
    # SUBSCRIBE to a user that is not configured
    unknown = watcher.request("SUBSCRIBE", kam.uri("9999"),
                              headers={"Event": "presence", "Expires": "120"})
    assert unknown.final.status == kam_mod.UNKNOWN_USER == (404, "Not Found")

    # remove the publication: Expires 0 -> 200 OK; watchers get a PIDF saying closed
    seen = len(watcher.notifies())
    gone = publisher.request("PUBLISH", aor, headers={"Event": "presence", "Expires": "0",
                                                      "SIP-If-Match": etag3})
    assert gone.final.status == (200, "OK") and gone.final.header("expires") == "0"
    closed = notify_after(seen, lambda m: basic_of(m.body) == "closed")   # waiting is the check
    assert closed.header("event") == "presence"
    assert kam.presentities("1001") == []

    # unsubscribe in the dialog (to Kamailio's Contact): 200 OK, final NOTIFY
    to_tag = sub.final.header("to").split("tag=")[1]
    unsub = watcher.request("SUBSCRIBE", f"sip:{kam.hostport}", to=kam.uri("1001"),
                            to_tag=to_tag, call_id=sub.call_id, cseq=sub.cseq + 10,
                            headers={"Event": "presence", "Expires": "0"})
    assert unsub.final.status == (200, "OK") and unsub.final.header("expires") == "0"
    final = notify_after(seen, lambda m: (m.header("subscription-state") or "").startswith("terminated"))
    assert final.header("subscription-state") == "terminated;reason=timeout"
    wait_watchers(kam, "1001", [])
    watcher.close()
    publisher.close()


def test_presence_without_auth_forbids_publishing_for_another_line(pj_env):
    with Kamailio(USERS, presence=True, auth_invites=False) as kam:
        ua = RawSipUA("1001", kam.domain, kam.hostport)
        other = ua.request("PUBLISH", "sip:2001@127.0.0.1",
                           headers={"Event": "presence", "Expires": "60"},
                           body=pidf("sip:2001@127.0.0.1", "open"))
        assert other.codes == [403] and other.final.status == kam_mod.PRESENCE_FORBIDDEN
        own = ua.request("PUBLISH", "sip:1001@127.0.0.1",
                         headers={"Event": "presence", "Expires": "60"},
                         body=pidf("sip:1001@127.0.0.1", "open"))
        assert own.codes == [200]
        ua.close()


def test_presence_off_keeps_subscribe_relayed_to_the_user(pj_env):
    """presence=False: no presence server, a SUBSCRIBE reaches the user agent."""
    with Kamailio(USERS) as kam:
        b = line(kam, "2001")
        b.wait_registered()
        ua = RawSipUA("+4930123", kam.domain, kam.hostport)
        sub = ua.request("SUBSCRIBE", kam.uri("2001"), headers={"Event": "presence",
                                                               "Expires": "60"})
        # answered by pjsua itself (its own presence agent), record-routed by Kamailio
        assert sub.final.status == (200, "OK")
        assert sub.final.header("contact") == f"<{b.contact_uri}>"
        assert sub.final.header("record-route", "").startswith(f"<sip:{kam.hostport};lr")
        assert not kam.log_text().count("presence:")     # no presence route in this config
        ua.close()
        PjEnv.current().close_accounts()


# ------------------------------------------------------- pjsua end to end
def test_watcher_follows_publisher_through_all_states(pj_env, kamailio):
    kam = kamailio
    b = line(kam, "2001")
    b.wait_registered()
    # B watches A before A exists: active subscription, nothing known yet
    buddy = b.watch(kam.uri("1001"))
    st = buddy.wait_for(lambda s: s.sub_state_name == "ACTIVE")
    assert st.status == "unknown" and st.status_text == "?" and st.pidf == ""
    wait_watchers(kam, "1001", ["2001"])

    a = line(kam, "1001", publish=True)          # publishes "online" once registered
    a.wait_registered()
    st = buddy.wait_status("Online")
    assert (st.status, st.activity, st.note) == ("online", "unknown", "")
    assert basic_of(st.pidf) == "open"
    assert st.notify.header("from").startswith("<sip:1001@127.0.0.1>")
    assert st.notify.header("subscription-state").startswith("active")
    kam.wait_published("1001")

    expected = {
        "busy": ("online", "Busy", "busy"),
        "away": ("online", "Away", "away"),
        "on the phone": ("online", "On the phone", "busy"),
        "offline": ("offline", "Offline", "unknown"),
        "online": ("online", "Online", "unknown"),
    }
    for name, (status, text, activity) in expected.items():
        mark = buddy.mark()
        a.publish(name)
        st = buddy.wait_for(lambda s: (s.status, s.status_text, s.activity) == (status, text, activity),
                            since=mark, what=f"A {name}")
        assert basic_of(st.pidf) == ("closed" if status == "offline" else "open")
        if activity != "unknown":
            assert f"<rpid:{activity}/>" in st.pidf
            assert f"<dm:note>{text}</dm:note>" in st.pidf

    # A unregisters: pjsua withdraws its publication, B sees closed
    mark = buddy.mark()
    a.unregister()
    st = buddy.wait_for(lambda s: s.status == "offline", since=mark, what="A unregistered")
    assert basic_of(st.pidf) == "closed" and st.status_text == "Offline"
    kam.wait_unpublished("1001")
    kam.wait_unregistered("1001")

    # A registers again: the harness publishes its last status again
    mark = buddy.mark()
    a.register()
    a.wait_registered()
    buddy.wait_for(lambda s: s.status == "online", since=mark, what="A back online")

    # A closes (unregister + account deleted): B sees closed, subscription stays up
    mark = buddy.mark()
    a.close()
    st = buddy.wait_for(lambda s: s.status == "offline", since=mark, what="A closed")
    assert basic_of(st.pidf) == "closed" and st.sub_state_name == "ACTIVE"
    kam.wait_unpublished("1001")
    times = [s.time for s in buddy.states]
    assert times == sorted(times)


def test_second_watcher_unpublish_and_unsubscribe(pj_env, kamailio):
    kam = kamailio
    a = line(kam, "1001", publish=True, initial_status="busy")
    b, c = line(kam, "2001"), line(kam, "3001")
    for acc in (a, b, c):
        acc.wait_registered()
    kam.wait_published("1001")
    bb, cb = b.watch(kam.uri("1001")), c.watch(kam.uri("1001"))
    for buddy in (bb, cb):
        st = buddy.wait_status("Busy")
        assert st.activity == "busy"
    wait_watchers(kam, "1001", ["2001", "3001"])

    mark_b, mark_c = bb.mark(), cb.mark()
    a.publish("away")
    bb.wait_for(lambda s: s.activity == "away", since=mark_b)
    cb.wait_for(lambda s: s.activity == "away", since=mark_c)

    # A withdraws its publication but stays registered
    mark_b, mark_c = bb.mark(), cb.mark()
    a.unpublish()
    for buddy, mark in ((bb, mark_b), (cb, mark_c)):
        st = buddy.wait_for(lambda s: s.status == "offline", since=mark)
        assert basic_of(st.pidf) == "closed"      # the NOTIFY of that state, whatever came after
    kam.wait_unpublished("1001")
    assert a.registered()

    # C unsubscribes: Kamailio ends it with reason=timeout; B still follows A
    cb.unsubscribe()
    st = cb.wait_terminated()
    assert st.sub_term_code == 200 and st.sub_term_reason == "timeout"
    assert cb.last_notify().header("subscription-state") == "terminated;reason=timeout"
    wait_watchers(kam, "1001", ["2001"])
    n_c = len(cb.states)
    a.enable_publish("online")           # publishing again after unpublish()
    bb.wait_status("Online")
    kam.wait_published("1001")
    assert len(cb.states) == n_c         # C heard nothing more


def test_watching_an_unknown_user_is_refused_cleanly(pj_env, kamailio):
    b = line(kamailio, "2001")
    b.wait_registered()
    buddy = b.watch(kamailio.uri("9999"))
    st = buddy.wait_terminated()
    assert (st.sub_term_code, st.sub_term_reason) == (404, "Not Found")
    assert st.status == "unknown" and st.status_text == "?"
    assert buddy.responses() == [(404, "Not Found")]
    assert buddy.notifies == [] and buddy.last_notify() is None
    # a watcher that is not one of our lines is not challenged, and gets 404 too
    ua = RawSipUA("+4930123", kamailio.domain, kamailio.hostport)
    tx = ua.request("SUBSCRIBE", kamailio.uri("9999"), headers={"Event": "presence"})
    assert tx.codes == [404]
    ua.close()
