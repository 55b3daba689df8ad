"""Fixtures for SIP tests: one pjsua endpoint per session, a fresh Kamailio per test."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.kamailio import Kamailio  # noqa: E402
from harness.pjsua import PjEnv  # noqa: E402
from harness.procs import pid_alive  # noqa: E402
from harness.pulse import PulseServer  # noqa: E402

USERS = {"1001": "secret1", "2001": "secret2", "3001": "secret3"}


@pytest.fixture(scope="session")
def pj_env():
    """The process's only pjsua2 endpoint; destroyed after the last test."""
    env = PjEnv.get()
    yield env
    env.shutdown()


@pytest.fixture(autouse=True)
def _close_pjsua_accounts():
    """Accounts made by a test are hung up, unregistered and deleted after it."""
    yield
    env = PjEnv.current()
    if env is not None:
        env.close_accounts()


def _running_kamailio(pj_env, **options):
    kam = Kamailio(USERS, **options)
    kam.start()
    try:
        yield kam
    finally:
        # accounts unregister while Kamailio still runs
        pj_env.close_accounts()
        kam.stop()


@pytest.fixture
def kamailio(pj_env):
    """A Kamailio with USERS; its log is printed when the test fails."""
    yield from _running_kamailio(pj_env)


@pytest.fixture
def presence_server(pj_env):
    """A Kamailio with USERS that is also a presence server (presence, presence_xml)."""
    yield from _running_kamailio(pj_env, presence=True)


@pytest.fixture
def pulse():
    """A private PulseAudio server with the null sinks sp_play, sp_ring, sp_mic, sp_peer;
    stopped (by its PID) after the test."""
    server = PulseServer()
    server.start()
    try:
        yield server
    finally:
        pid = server.proc.pid if server.proc else None
        server.stop()
        assert pid is None or not pid_alive(pid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        kam = item.funcargs.get("kamailio") or item.funcargs.get("presence_server")
        if kam is not None:
            report.sections.append(("kamailio log (tail)", kam.log_tail(8000)))
        env = PjEnv.current()
        if env is not None:
            report.sections.append(("pjsua log (tail)", env.log_tail(12000)))
