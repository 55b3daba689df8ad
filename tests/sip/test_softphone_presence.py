"""SIP presence with Kamailio (presence, presence_xml): the softphone PUBLISHes the
agent's presence, a PJSIP buddy watching the agent sees every change, and the
softphone's Team tab shows a colleague's presence published by PJSIP."""
from __future__ import annotations

from harness.kamailio import Kamailio
from harness.pjsua import Account
from harness.softphone import Softphone


def line(kam: Kamailio, user: str, **kwargs) -> Account:
    account = Account(user, kam.domain, registrar=kam.uri(), password=kam.users[user], **kwargs)
    account.wait_registered()
    return account


def test_the_agents_presence_reaches_a_watcher(pj_env, presence_server):
    kam = presence_server
    watcher = line(kam, "2001")
    with Softphone(registrar=kam.uri(), password=kam.users["1001"]) as phone:
        phone.wait_for("line registered")
        kam.wait_published("1001")
        buddy = watcher.watch("sip:1001@127.0.0.1")
        buddy.wait_for(lambda s: s.status == "online" and "Available" in (s.note or s.status_text), timeout=20,
                       what="Available")

        mark = buddy.mark()
        phone.choose("Do not disturb")
        state = buddy.wait_for(lambda s: "Do not disturb" in (s.note or s.status_text), since=mark, timeout=20,
                               what="Do not disturb")
        assert state.activity == "busy"
        assert "<rpid:busy" in (buddy.last_pidf() or "") or "busy" in (buddy.last_pidf() or "")

        mark = buddy.mark()
        phone.logout()                       # the publication is removed: watchers see closed
        buddy.wait_for(lambda s: s.status == "offline", since=mark, timeout=20, what="offline after logout")


def test_a_colleagues_presence_shows_on_the_team_tab(pj_env, presence_server):
    kam = presence_server
    colleague = line(kam, "3001", publish=True, initial_status="online")
    kam.wait_published("3001")
    with Softphone(registrar=kam.uri(), password=kam.users["1001"],
                   colleagues=[("Carol Colleague", "sip:3001@127.0.0.1")]) as phone:
        phone.wait_for("line registered")
        phone.tab("Team")
        phone.wait_for("Carol Colleague")
        procs_wait(phone, "Carol Colleague", "Available")   # her row (the status bar says Available too)

        colleague.publish("busy")
        procs_wait(phone, "Carol Colleague", "Busy")
        colleague.publish("away")
        procs_wait(phone, "Carol Colleague", "Away")
        colleague.publish("on the phone")
        procs_wait(phone, "Carol Colleague", "In a call")


def procs_wait(phone: Softphone, who: str, label: str) -> None:
    """Waits until the Team tab's row of `who` shows `label`."""
    from harness import procs

    def row() -> bool:
        return any(who in line and label in line for line in phone.screen().splitlines())

    try:
        procs.wait_until(row, timeout=20, what=f"{who} as {label}")
    except procs.WaitTimeout:
        raise AssertionError(f"{who} never showed as {label}:\n{phone.screen()}") from None
