"""SIP over TLS (SPEC section 8, issue 12 item 1): the softphone registers at Kamailio over
TLS, trusting a CA given in `tls_ca_file`, and takes a call through Kamailio on the
connection it opened (PJSIP calls over UDP); a certificate for another host name and one
from an unknown CA are refused, with the reason in words in the status bar and the Log."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.kamailio import Kamailio
from harness.pjsua import Account
from harness.softphone import Softphone

CALLER = "+4930123456"      # not a Kamailio user: a trusted trunk caller on loopback
USERS = {"1001": "secret1", "2001": "secret2"}


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ca(d: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"), "-days", "2",
             "-subj", f"/CN=Test {name}", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign")


def _leaf(d: Path, name: str, names: str, ca: str) -> tuple[str, str]:
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"), "-subj", f"/CN={name}")
    (d / f"{name}.ext").write_text(f"subjectAltName={names}\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / f"{ca}.pem"),
             "-CAkey", str(d / f"{ca}.key"), "-CAcreateserial", "-out", str(d / f"{name}.pem"),
             "-days", "2", "-extfile", str(d / f"{name}.ext"))
    return str(d / f"{name}.pem"), str(d / f"{name}.key")


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, object]:
    """A CA and its server certificate for 127.0.0.1 / pbx.test; one it signed for
    other.test; one for 127.0.0.1 from a CA the softphone does not know."""
    d = tmp_path_factory.mktemp("pki")
    _ca(d, "ca")
    _ca(d, "otherca")
    return {
        "ca": str(d / "ca.pem"),
        "good": _leaf(d, "pbx", "IP:127.0.0.1,DNS:pbx.test", "ca"),
        "otherhost": _leaf(d, "other", "DNS:other.test", "ca"),
        "unknownca": _leaf(d, "stranger", "IP:127.0.0.1,DNS:pbx.test", "otherca"),
    }


def test_register_and_take_a_call_over_tls(pj_env, pki):
    with Kamailio(USERS, tls=pki["good"]) as kam:
        with Softphone(registrar=kam.tls_uri(), password=USERS["1001"],
                       sip={"tls_ca_file": pki["ca"]}) as phone:
            phone.wait_for("line registered")
            contacts = kam.contacts("1001")
            assert any("transport=tls" in c for c in contacts), contacts
            # PJSIP calls over UDP; Kamailio relays over the TLS connection the line opened.
            call = Account(CALLER, "127.0.0.1", proxy=kam.proxy_uri()).call(kam.uri("1001"))
            phone.wait_for("Incoming call")
            phone.keys("a")
            call.wait_confirmed()
            phone.wait_for("On a call")
            call.wait_rtp(10)
            call.hangup()
            phone.wait_gone("On a call")
            assert "REGISTER" in kam.log_text() and "via tls:" in kam.log_text().lower()


def test_call_out_over_tls(pj_env, pki):
    with Kamailio(USERS, tls=pki["good"]) as kam:
        colleague = Account("2001", kam.domain, registrar=kam.uri(), password=USERS["2001"])
        colleague.wait_registered()
        with Softphone(registrar=kam.tls_uri(), password=USERS["1001"],
                       sip={"tls_ca_file": pki["ca"]}) as phone:
            phone.wait_for("line registered")
            phone.dial("2001")                 # over TLS to Kamailio (407, answered), then UDP to PJSIP
            incoming = colleague.wait_incoming(timeout=20)
            incoming.wait_confirmed()
            phone.wait_for("On a call")
            incoming.hangup()                  # the BYE comes back on the line's TLS connection
            phone.wait_gone("On a call")


@pytest.mark.parametrize("certificate,words", [
    ("otherhost", "TLS: certificate for other.test does not match host name 127.0.0.1"),
    ("unknownca", "TLS: certificate for 127.0.0.1 not trusted (issued by an unknown CA)"),
])
def test_refused_certificate_is_shown(pj_env, pki, certificate, words):
    with Kamailio(USERS, tls=pki[certificate]) as kam:
        with Softphone(registrar=kam.tls_uri(), password=USERS["1001"], width=160,
                       sip={"tls_ca_file": pki["ca"]}) as phone:
            phone.wait_status_bar("registration failed")
            assert words in phone.status_bar, phone.status_bar
            assert words in phone.tab("Log")
            assert not kam.contacts("1001")
