"""A real Kamailio registrar/proxy on loopback for end-to-end SIP tests.

    with Kamailio({"1001": "secret1", "2001": "secret2"}) as kam:
        kam.uri("2001")            # 'sip:2001@127.0.0.1:<port>'
        kam.wait_registered("2001")

Behaviour of the generated routing script (see README.md for the table):

* REGISTER: digest challenge `401 Unauthorized` (WWW-Authenticate, qop=auth,
  realm = the From domain, normally 127.0.0.1).  A wrong password, an unknown
  user, or credentials of another user than the To user are re-challenged with
  another `401 Unauthorized` (Kamailio's usual answer): a client that already
  sent credentials gives up and reports 401.  Good credentials: `save("location")`
  answers `200 OK` with the bindings.  Expires 0 removes the binding.
* Initial requests whose From user is one of the configured users (a "line")
  must authenticate: `407 Proxy Authentication Required`; a wrong password is
  re-challenged with 407.  With `auth_invites=False` nothing but REGISTER is
  challenged.  Requests from any other From user (an outside caller such as
  `sip:+4930123@127.0.0.1`) are accepted without a challenge: loopback is a
  trusted trunk.
* Initial requests for this proxy (Request-URI host:port is Kamailio's, or the
  loopback host with no port): an unknown user gets `404 Not Found`; a known
  user with no registration gets `480 Temporarily Unavailable`; otherwise the
  request is relayed to the registered contact (`lookup("location")` +
  `t_relay()`), record-routed, so ACK/BYE/re-INVITE/REFER/CANCEL follow the
  dialog through Kamailio.  Requests for other hosts are relayed as they are.
* The callee's answers (180, 200, 486, 302, 603 ...) are relayed back
  unchanged.  No answer at all from a contact: `408 Request Timeout` from tm
  after `fr_timer` (5 s without a provisional answer; 120 s of ringing).
* OPTIONS to the proxy itself (no user part): `200 OK`.

With `presence=True` Kamailio is also the presence server of its domain
(modules `presence` + `presence_xml`, Event `presence`, PIDF aggregation,
`force_active`, database `db_text` in `<dir>/db`):

* PUBLISH for a configured user (after the same 407 challenge as INVITE when
  `auth_invites`): `handle_publish()` -> `200 OK` with `SIP-ETag` and
  `Expires`; refresh (no body) / modify with `SIP-If-Match` -> `200 OK` with
  a new ETag; `Expires: 0` removes the publication (watchers get a NOTIFY
  whose PIDF says `closed`).  Unknown `SIP-If-Match`: `412 Conditional
  request failed`; no body and no `SIP-If-Match`: `400 Invalid request`;
  another Event: `489 Bad Event`.  A configured user publishing another
  user's state: `407` again with `auth_invites` (the auth module compares
  the credentials with the To user for PUBLISH), `403 Forbidden` without.
* SUBSCRIBE with `Event: presence` (or `presence.winfo`) for a configured
  user: `handle_subscribe()` -> `200 OK` (never 202: force_active) and
  NOTIFYs from Kamailio (Contact `sip:127.0.0.1:port`) with the aggregated
  PIDF (no body while nothing is published).  In-dialog SUBSCRIBEs (refresh,
  Expires 0) to Kamailio's own address are handled the same way; the last
  NOTIFY says `terminated;reason=timeout`.  SUBSCRIBE/PUBLISH for a user that
  is not configured: `404 Not Found`.  SUBSCRIBEs with other events (dialog,
  message-summary ...) are relayed to the user as before.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping

from .ports import LOOPBACK, free_port
from .procs import WaitTimeout, children_of, keep_logs, kill_pids, pid_alive, stop_process, wait_until

KAMAILIO_BIN = shutil.which("kamailio") or "/usr/sbin/kamailio"
_MODULE_DIRS = ["/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules",
                "/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules"]
_SAFE_USER = re.compile(r"^[A-Za-z0-9_.+*#-]+$")

# Exact answers of the routing script, for assertions in tests.
REGISTER_CHALLENGE = (401, "Unauthorized")
PROXY_CHALLENGE = (407, "Proxy Authentication Required")
NOT_REGISTERED = (480, "Temporarily Unavailable")
UNKNOWN_USER = (404, "Not Found")
NO_ANSWER = (408, "Request Timeout")
# presence=True (Kamailio 5.6 presence module's own reason phrases)
PRESENCE_FORBIDDEN = (403, "Forbidden")          # a line publishing another user's state
PUBLISH_UNKNOWN_ETAG = (412, "Conditional request failed")   # SIP-If-Match matches nothing
PUBLISH_NOTHING = (400, "Invalid request")       # no body and no SIP-If-Match
PUBLISH_BAD_ETAG = (500, "Server Internal Error")   # SIP-If-Match without a '.' in it
BAD_EVENT = (489, "Bad Event")                   # Event other than presence (PUBLISH)
PRESENCE_EVENTS_LOCAL = ("presence", "presence.winfo")   # handled by the presence server

DBTEXT_TEMPLATES = "/usr/share/kamailio/dbtext/kamailio"
# db_text tables the presence + presence_xml modules open (version holds their versions)
PRESENCE_TABLES = ("version", "presentity", "active_watchers", "watchers", "xcap")


def module_dir() -> str:
    for path in _MODULE_DIRS:
        if os.path.exists(os.path.join(path, "tm.so")):
            return path
    raise FileNotFoundError("Kamailio modules not found; run tests/sip/setup.sh")


def _quote(value: str) -> str:
    if any(ch in value for ch in '"\\\r\n'):
        raise ValueError(f"unsupported character in {value!r}")
    return '"' + value + '"'


class KamailioError(RuntimeError):
    pass


class Kamailio:
    """Kamailio as a registrar + record-routing proxy on UDP and TCP 127.0.0.1:port.

    users: user -> plain password.  port: None picks a free one (and retries
    with another when Kamailio fails to bind).  auth_invites: challenge
    initial non-REGISTER requests from configured users with 407 (PUBLISH and
    SUBSCRIBE too).  presence: also be the presence server of the domain
    (PUBLISH/SUBSCRIBE/NOTIFY, PIDF; see the module docstring).
    presence_clean_period: seconds between the presence module's sweeps for
    expired publications and subscriptions.

    Account shapes of real PBXs (all off by default):
    domains: further SIP domains of the users (`alias=` lines, e.g. "pbx.test": a
    Request-URI `sip:2001@pbx.test` is then Kamailio's own).  extra_hosts: further
    loopback addresses Kamailio also listens on (same port, UDP and TCP; e.g. "127.0.0.4"
    as the line's outbound proxy address).  auth_user_check=False: the digest user need
    not be the To user (REGISTER) or From user (other requests): a PBX's generated
    authentication id such as `a7bx` for extension 1001; its password is looked up by
    the digest user, so list it in `users` too.  auth_algorithm: "SHA-256" makes every
    challenge SHA-256 (the auth module's `algorithm`; Kamailio 5.6 knows MD5 and SHA-256).
    """

    def __init__(self, users: Mapping[str, str], port: int | None = None, *,
                 auth_invites: bool = True, children: int = 2, debug: int = 2,
                 host: str = LOOPBACK, keep_dir: bool = False,
                 presence: bool = False, presence_clean_period: int = 5,
                 tls: tuple[str, str] | None = None,
                 domains: tuple[str, ...] | list[str] = (), extra_hosts: tuple[str, ...] | list[str] = (),
                 auth_user_check: bool = True, auth_algorithm: str | None = None):
        for user, password in users.items():
            if not _SAFE_USER.match(user):
                raise ValueError(f"unsupported user name {user!r}")
            _quote(password)
        self.users = dict(users)
        self.host = host
        self.requested_port = port
        self.port: int | None = port
        self.auth_invites = auth_invites
        self.presence = presence
        self.presence_clean_period = int(presence_clean_period)
        # tls=(certificate PEM, key PEM): also listen for SIP over TLS on `tls_port`
        self.tls = (str(tls[0]), str(tls[1])) if tls else None
        self.tls_port: int | None = None
        for name in [*domains, *extra_hosts]:
            if not _SAFE_USER.match(name):
                raise ValueError(f"unsupported domain or host {name!r}")
        if auth_algorithm not in (None, "MD5", "SHA-256"):
            raise ValueError(f"unsupported digest algorithm {auth_algorithm!r}")
        self.domains = list(domains)
        self.extra_hosts = list(extra_hosts)
        self.auth_user_check = auth_user_check
        self.auth_algorithm = auth_algorithm
        self.children = children
        self.debug = debug
        self.keep_dir = keep_dir
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.child_pids: list[int] = []
        self.stopped_pids: list[int] = []
        self._final_log: str | None = None
        self._rpc_ids = itertools.count(1)

    # ----------------------------------------------------------------- paths
    @property
    def cfg_path(self) -> Path:
        return self._need_dir() / "kamailio.cfg"

    @property
    def log_path(self) -> Path:
        """Kamailio's stderr (its whole log, at `debug` level)."""
        return self._need_dir() / "kamailio.log"

    @property
    def pid_file(self) -> Path:
        return self._need_dir() / "kamailio.pid"

    @property
    def rpc_socket(self) -> Path:
        return self._need_dir() / "rpc.sock"

    @property
    def db_dir(self) -> Path:
        """db_text directory (one file per table) of the presence modules."""
        return self._need_dir() / "db"

    @property
    def db_url(self) -> str:
        return "text://" + str(self.db_dir)   # text:///abs/path

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _need_dir(self) -> Path:
        if self.dir is None:
            raise KamailioError("Kamailio was not started")
        return self.dir

    # ------------------------------------------------------------ addressing
    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def domain(self) -> str:
        """The SIP domain of the configured users (also the digest realm)."""
        return self.host

    def uri(self, user: str | None = None, transport: str | None = None) -> str:
        """`sip:user@127.0.0.1:port` (or the proxy's own URI without user)."""
        base = f"sip:{user}@{self.hostport}" if user else f"sip:{self.hostport}"
        return base + (f";transport={transport}" if transport else "")

    def tls_uri(self, user: str | None = None, host: str | None = None) -> str:
        """`sip:[user@]127.0.0.1:tls_port;transport=tls` (tls= only; `host` instead of the IP)."""
        if self.tls_port is None:
            raise KamailioError("no TLS listener: Kamailio(..., tls=(cert, key))")
        base = f"{user}@" if user else ""
        return f"sip:{base}{host or self.host}:{self.tls_port};transport=tls"

    @property
    def tls_cfg_path(self) -> Path:
        return self._need_dir() / "tls.cfg"

    def _tls_parts(self) -> dict[str, str]:
        """Config fragments of the TLS listener (tls= only).

        A line registered over TLS has no TLS listener of its own (a softphone has no
        certificate): `fix_nated_register()` stores the connection's source address as the
        binding's `received`, and `lookup("location")` sends the INVITE to it, on the
        connection the line opened (as a PBX behind which phones sit on NAT does). The
        Contact of its INVITEs and of its answers to INVITEs gets an `alias` of that
        connection (`add_contact_alias()`), which `handle_ruri_alias()` turns back into the
        destination of in-dialog requests (ACK, BYE, re-INVITE)."""
        return {
            "listen": f"enable_tls=yes\nlisten=tls:{self.host}:{self.tls_port}\n",
            "modules": 'loadmodule "tls.so"\nloadmodule "nathelper.so"\n',
            "params": f"""modparam("tls", "config", "{self.tls_cfg_path}")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")
""",
            "register": """    if (proto == TLS) {
        fix_nated_register();
    }
""",
            "initial": """    if (proto == TLS && is_method("INVITE|SUBSCRIBE|REFER")) {
        add_contact_alias();
    }
""",
            "dlguri": """        if ($ru =~ ";alias=") {
            handle_ruri_alias();
        }
""",
            "routes": """
onreply_route {
    if (proto == TLS && is_method("INVITE|SUBSCRIBE|REFER") && $rs < 300) {
        add_contact_alias();
    }
}
""",
        }

    def _tls_config(self) -> str:
        cert, key = self.tls or ("", "")
        return f"""[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = {cert}
private_key = {key}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
"""

    def proxy_uri(self, transport: str | None = None) -> str:
        """Loose-routing outbound proxy / registrar URI."""
        return self.uri(None, transport) + ";lr"

    # -------------------------------------------------------------- config
    def render_config(self) -> str:
        mpath = module_dir()
        init_users = "\n".join(
            f"    $sht(users=>{user}) = {_quote(pw)};" for user, pw in sorted(self.users.items()))
        auth_off = "" if self.auth_invites else "    return;  # auth_invites=False\n"
        pres = self._presence_parts() if self.presence else {}
        tlsp = self._tls_parts() if self.tls else {}
        rr_methods = "INVITE|REFER" if self.presence else "INVITE|SUBSCRIBE|REFER"
        extra_listen = "".join(f"listen=udp:{h}:{self.port}\nlisten=tcp:{h}:{self.port}\nalias={h}:{self.port}\n"
                               for h in self.extra_hosts)
        extra_alias = "".join(f"alias={d}\n" for d in self.domains)
        auth_params = (f'modparam("auth", "algorithm", "{self.auth_algorithm}")\n' if self.auth_algorithm else "")
        check = "1" if self.auth_user_check else "0"
        return f"""#!KAMAILIO
# generated by tests/sip/harness/kamailio.py -- test registrar/proxy
debug={self.debug}
log_stderror=yes
log_prefix="{{$mt $hdr(CSeq) $ci}} "
memdbg=5
memlog=5
children={self.children}
tcp_children={self.children}
auto_aliases=no
listen=udp:{self.host}:{self.port}
listen=tcp:{self.host}:{self.port}
{tlsp.get("listen", "")}alias={self.host}:{self.port}
{extra_listen}{extra_alias}dns=no
rev_dns=no
use_dns_cache=no
tcp_connection_lifetime=3605
server_header="Server: softphone-test-kamailio"
user_agent_header="User-Agent: softphone-test-kamailio"

mpath="{mpath}"
loadmodule "jsonrpcs.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "htable.so"
loadmodule "auth.so"
{tlsp.get("modules", "")}{pres.get("modules", "")}
modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "{self.rpc_socket}")
modparam("jsonrpcs", "dgram_mode", 0666)
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", 10)
modparam("registrar", "max_expires", 3600)
modparam("htable", "htable", "users=>size=6;autoexpire=0;")
modparam("auth", "nonce_expire", 300)
{tlsp.get("params", "")}{auth_params}{pres.get("params", "")}
event_route[htable:mod-init] {{
{init_users}
}}

request_route {{
    xlog("L_INFO", "request $rm $ru from $fu via $pr:$si:$sp\\n");
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (!sanity_check("17895", "7")) {{
        xlog("L_WARN", "malformed request from $si:$sp\\n");
        exit;
    }}
    if (has_totag()) {{
        route(WITHINDLG);
        exit;
    }}
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{
            route(RELAY);
        }}
        exit;
    }}
    if (is_method("ACK")) {{
        # ACK of a non-2xx answer that was not ours: stateless, drop it
        t_check_trans();
        exit;
    }}
    # absorb retransmissions of requests we are already handling
    t_check_trans();
    remove_hf("Route");
    if (is_method("{rr_methods}")) {{
        record_route();
    }}
    if (is_method("REGISTER")) {{
        route(REGISTRAR);
        exit;
    }}
{tlsp.get("initial", "")}    route(AUTH);
    if (!route(FORME)) {{
{pres.get("relay_rr", "")}        route(RELAY);
        exit;
    }}
{pres.get("main", "")}    if (is_method("OPTIONS") && $rU == $null) {{
        sl_send_reply("200", "OK");
        exit;
    }}
    route(LOCATION);
}}

# Is the Request-URI ours?  Our host:port, or the loopback host with no port.
route[FORME] {{
    if (uri == myself) {{
        return 1;
    }}
    if (($rd == "{self.host}" || $rd == "localhost") && $(ru{{uri.port}}) == "") {{
        return 1;
    }}
    return -1;
}}

route[WITHINDLG] {{
{pres.get("withindlg", "")}    if (loose_route()) {{
{tlsp.get("dlguri", "")}        route(RELAY);
        exit;
    }}
    if (is_method("ACK")) {{
        if (t_check_trans()) {{
            t_relay();
        }}
        exit;
    }}
    sl_send_reply("404", "Not here");
    exit;
}}

route[PASSWORD] {{
    $var(pw) = "";
    if ($au != $null && $sht(users=>$au) != $null) {{
        $var(pw) = $sht(users=>$au);
    }}
}}

route[REGISTRAR] {{
    route(PASSWORD);
    if ($var(pw) == "") {{
        # no credentials yet, or an unknown user name in them
        auth_challenge("$td", "1");
        exit;
    }}
    if (!pv_auth_check("$td", "$var(pw)", "0", "{check}")) {{
        xlog("L_INFO", "REGISTER $tu by $au: auth result $rc, challenge again\\n");
        auth_challenge("$td", "1");
        exit;
    }}
{tlsp.get("register", "")}    if (!save("location")) {{
        sl_reply_error();
    }}
    exit;
}}

route[AUTH] {{
{auth_off}    if ($fU == $null || $sht(users=>$fU) == $null) {{
        # not one of our lines: a trusted caller on loopback
        return;
    }}
    route(PASSWORD);
    if ($var(pw) == "") {{
        auth_challenge("$fd", "1");
        exit;
    }}
    if (!pv_auth_check("$fd", "$var(pw)", "0", "{check}")) {{
        xlog("L_INFO", "$rm from $fu by $au: auth result $rc, challenge again\\n");
        auth_challenge("$fd", "1");
        exit;
    }}
    consume_credentials();
}}

route[LOCATION] {{
    if ($rU == $null || $sht(users=>$rU) == $null) {{
        sl_send_reply("{UNKNOWN_USER[0]}", "{UNKNOWN_USER[1]}");
        exit;
    }}
    $var(rc) = lookup("location");
    if ($var(rc) < 0) {{
        t_newtran();
        if ($var(rc) == -2) {{
            t_reply("405", "Method Not Allowed");
        }} else {{
            t_reply("{NOT_REGISTERED[0]}", "{NOT_REGISTERED[1]}");
        }}
        exit;
    }}
    route(RELAY);
    exit;
}}

route[RELAY] {{
    if (!t_relay()) {{
        sl_reply_error();
    }}
    exit;
}}
{pres.get("routes", "")}{tlsp.get("routes", "")}"""

    def _presence_parts(self) -> dict[str, str]:
        """Config fragments of the presence server (presence=True only)."""
        local_events = "|".join(e.replace(".", "\\\\.") for e in PRESENCE_EVENTS_LOCAL)
        return {
            "modules": """loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
""",
            "params": f"""# presence server: state in db_text tables (files in {self.db_dir})
modparam("db_text", "default_connection", "{self.db_url}")
modparam("presence", "db_url", "{self.db_url}")
modparam("presence", "server_address", "sip:{self.hostport}")
modparam("presence", "subs_db_mode", 1)
modparam("presence", "publ_cache", 1)
modparam("presence", "clean_period", {self.presence_clean_period})
modparam("presence", "max_expires", 3600)
modparam("presence_xml", "db_url", "{self.db_url}")
modparam("presence_xml", "force_active", 1)
modparam("presence_xml", "integrated_xcap_server", 1)
""",
            # SUBSCRIBEs relayed elsewhere are still record-routed
            "relay_rr": """        if (is_method("SUBSCRIBE")) {
            record_route();
        }
""",
            "main": f"""    if (is_method("PUBLISH") || (is_method("SUBSCRIBE") && $hdr(Event) =~ "^[[:space:]]*({local_events})[[:space:]]*(;|$)")) {{
        if ($rU == $null || $sht(users=>$rU) == $null) {{
            sl_send_reply("{UNKNOWN_USER[0]}", "{UNKNOWN_USER[1]}");
            exit;
        }}
        if (is_method("PUBLISH") && $fU != $null && $sht(users=>$fU) != $null && $fU != $rU) {{
            # a line publishes its own state only
            sl_send_reply("{PRESENCE_FORBIDDEN[0]}", "{PRESENCE_FORBIDDEN[1]}");
            exit;
        }}
        route(PRESENCE);
    }}
    if (is_method("SUBSCRIBE")) {{
        record_route();
    }}
""",
            # in-dialog SUBSCRIBE (refresh, Expires 0) sent to the presence server itself
            "withindlg": """    if (is_method("SUBSCRIBE") && uri == myself) {
        route(PRESENCE);
    }
""",
            "routes": """
route[PRESENCE] {
    xlog("L_INFO", "presence: $rm $ru event=$hdr(Event) expires=$hdr(Expires) if-match=$hdr(SIP-If-Match)\\n");
    if (!t_newtran()) {
        sl_reply_error();
        exit;
    }
    if (is_method("PUBLISH")) {
        handle_publish();
    } else {
        handle_subscribe();
    }
    t_release();
    exit;
}
""",
        }

    def _prepare_db(self) -> None:
        """A fresh db_text directory with the (empty) tables the presence modules use."""
        if self.db_dir.exists():
            shutil.rmtree(self.db_dir)
        self.db_dir.mkdir()
        for table in PRESENCE_TABLES:
            src = Path(DBTEXT_TEMPLATES) / table
            if not src.exists():
                raise KamailioError(f"db_text template {src} missing (kamailio package?)")
            shutil.copyfile(src, self.db_dir / table)

    # ----------------------------------------------------------- lifecycle
    def start(self, timeout: float = 15.0) -> "Kamailio":
        if self.proc is not None:
            raise KamailioError("already started")
        self.dir = Path(tempfile.mkdtemp(prefix="sip-kamailio-"))
        attempts = 1 if self.requested_port else 5
        last = ""
        for _ in range(attempts):
            self.port = self.requested_port or free_port()
            if self.tls:
                self.tls_port = free_port(udp=False)
                self.tls_cfg_path.write_text(self._tls_config())
            if self.presence:
                self._prepare_db()
            self.cfg_path.write_text(self.render_config())
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    [KAMAILIO_BIN, "-f", str(self.cfg_path), "-DD", "-E",
                     "-Y", str(self.dir), "-P", str(self.pid_file), "-m", "64", "-M", "8"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.dir)
            finally:
                log.close()
            try:
                self.wait_ready(timeout)
                return self
            except (WaitTimeout, KamailioError) as exc:
                last = str(exc)
                bind_failed = "Address already in use" in self.log_tail(4000)
                self._terminate()
                if not bind_failed:
                    break
        message = f"Kamailio did not start: {last}\n--- log ---\n{self.log_tail()}"
        self.stop()
        raise KamailioError(message)

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Wait until Kamailio answers RPC and holds its SIP sockets."""
        def ready() -> bool:
            if self.proc is None or self.proc.poll() is not None:
                raise KamailioError(f"kamailio exited with {self.proc and self.proc.returncode}")
            if not self.rpc_socket.exists():
                return False
            try:
                self.rpc("core.version", timeout=0.5)
            except (OSError, KamailioError):
                return False
            if self.tls_port is not None and _port_free_tcp(self.host, self.tls_port):
                return False
            return not _port_free_tcp(self.host, self.port)
        wait_until(ready, timeout, 0.05, what="kamailio to be ready")
        self.child_pids = children_of(self.proc.pid)

    def log_text(self) -> str:
        """Kamailio's log so far (still available after `stop()`)."""
        if self._final_log is not None:
            return self._final_log
        try:
            return self.log_path.read_text(errors="replace")
        except (FileNotFoundError, KamailioError):
            return ""

    def log_tail(self, chars: int = 6000) -> str:
        return self.log_text()[-chars:]

    def _terminate(self) -> None:
        if self.proc is None:
            return
        kids = set(self.child_pids) | set(children_of(self.proc.pid))
        stop_process(self.proc, grace=5.0)
        # the children exit with the main process; make sure, by their PIDs
        wait_until_gone = time.monotonic() + 5.0
        while time.monotonic() < wait_until_gone and any(pid_alive(p) for p in kids):
            time.sleep(0.05)
        kill_pids(kids)
        self.stopped_pids = sorted(kids | {self.proc.pid})
        self.proc = None

    def stop(self) -> None:
        """Stop Kamailio by its PID (and its children by theirs).

        The temporary directory is removed (kept with keep_dir=True or
        SIP_KEEP_LOGS=1); the log stays readable through `log_text()`.
        """
        self._terminate()
        if self.dir is not None and self._final_log is None:
            log = self.log_text()
            if not (self.keep_dir or keep_logs()):
                shutil.rmtree(self.dir, ignore_errors=True)
                self._final_log = log

    def all_pids(self) -> list[int]:
        """The main PID and its children (for checks that all are gone)."""
        if self.proc is None:
            return list(self.stopped_pids)
        return [self.proc.pid] + children_of(self.proc.pid)

    def __enter__(self) -> "Kamailio":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ rpc
    def rpc(self, method: str, *params, timeout: float = 3.0):
        """JSON-RPC over the jsonrpcs Unix datagram socket; returns `result`."""
        request = {"jsonrpc": "2.0", "method": method, "id": next(self._rpc_ids)}
        if params:
            request["params"] = list(params)
        reply_path = self._need_dir() / f"rpc-reply-{os.getpid()}-{request['id']}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(str(reply_path))
            sock.settimeout(timeout)
            sock.sendto(json.dumps(request).encode(), str(self.rpc_socket))
            data = sock.recv(1 << 20)
        except socket.timeout as exc:
            raise KamailioError(f"no RPC answer to {method}") from exc
        finally:
            sock.close()
            try:
                reply_path.unlink()
            except FileNotFoundError:
                pass
        reply = json.loads(data.decode(errors="replace"))
        if "error" in reply:
            raise KamailioError(f"{method}: {reply['error']}")
        return reply.get("result")

    # -------------------------------------------------------- registrations
    def contacts(self, user: str) -> list[str]:
        """The registered contact URIs of `user` (empty when none)."""
        try:
            result = self.rpc("ul.lookup", "location", user)
        except KamailioError as exc:
            if "not found" in str(exc).lower() or "404" in str(exc):
                return []
            raise
        contacts = []
        # result: {"AoR": "2001", "Contacts": [{"Contact": {"Address": ..., ...}}]}
        for item in (result or {}).get("Contacts", []) or []:
            contact = item.get("Contact", item)
            address = contact.get("Address")
            if address:
                contacts.append(address)
        return contacts

    def registrations(self) -> dict[str, list[str]]:
        """All registrations: user -> contact URIs (from `ul.dump`)."""
        result = self.rpc("ul.dump")
        out: dict[str, list[str]] = {}
        for domain in (result or {}).get("Domains", []):
            for aor in domain.get("Domain", {}).get("AoRs", []) or []:
                info = aor.get("Info", aor)
                out[info.get("AoR")] = [c.get("Contact", c).get("Address")
                                       for c in info.get("Contacts", []) or []]
        return out

    def is_registered(self, user: str) -> bool:
        return bool(self.contacts(user))

    def wait_registered(self, user: str, timeout: float = 20.0) -> list[str]:
        return wait_until(lambda: self.contacts(user), timeout, 0.05,
                          what=f"{user} to be registered at Kamailio")

    def wait_unregistered(self, user: str, timeout: float = 20.0) -> None:
        wait_until(lambda: not self.contacts(user), timeout, 0.05,
                   what=f"{user} to be unregistered at Kamailio")

    # ------------------------------------------------------------- presence
    def db_table(self, table: str) -> list[dict[str, str | None]]:
        """The rows of a presence table now (`db_text.dump` RPC, then the file).

        presence=True only.  Tables: presentity (publications: username,
        domain, event, etag, expires, body ...), active_watchers
        (subscriptions: presentity_uri, watcher_username, callid, expires,
        status ...), watchers, xcap.
        """
        if not self.presence:
            raise KamailioError("no database: Kamailio(presence=True) only")
        self.rpc("db_text.dump")
        return parse_dbtext((self.db_dir / table).read_text(errors="replace"))

    def presentities(self, user: str | None = None) -> list[dict[str, str | None]]:
        """Stored publications (all, or of `user`)."""
        rows = self.db_table("presentity")
        return [r for r in rows if user is None or r.get("username") == user]

    def active_watchers(self, user: str | None = None) -> list[dict[str, str | None]]:
        """Active subscriptions (all, or to `user`'s presence)."""
        rows = self.db_table("active_watchers")
        if user is None:
            return rows
        want = f"sip:{user}@{self.domain}"
        return [r for r in rows if r.get("presentity_uri") == want]

    def wait_published(self, user: str, timeout: float = 20.0) -> list[dict[str, str | None]]:
        return wait_until(lambda: self.presentities(user), timeout, 0.05,
                          what=f"a publication of {user} at Kamailio")

    def wait_unpublished(self, user: str, timeout: float = 20.0) -> None:
        wait_until(lambda: not self.presentities(user), timeout, 0.05,
                   what=f"{user}'s publication to be removed at Kamailio")

    def set_password(self, user: str, password: str) -> None:
        """Add a user, or change a password, while Kamailio runs (htable)."""
        if not _SAFE_USER.match(user):
            raise ValueError(f"unsupported user name {user!r}")
        self.rpc("htable.sets", "users", user, password)
        self.users[user] = password


def parse_dbtext(text: str) -> list[dict[str, str | None]]:
    """Rows of a db_text table file: header `name(type[,flags]) ...`, then
    `:`-separated values with `\\:` `\\\\` `\\n` ... escapes; empty = '' (or None
    for a null column)."""
    lines = text.split("\n")
    if not lines or not lines[0].strip():
        return []
    columns = [re.match(r"([^(]+)\(([^)]*)\)", c) for c in lines[0].split()]
    names = [(m.group(1), "null" in m.group(2)) for m in columns if m]
    rows = []
    escapes = {":": ":", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "0": "\0"}
    for line in lines[1:]:
        if not line:
            continue
        values, cur, i = [], [], 0
        while i < len(line):
            ch = line[i]
            if ch == "\\" and i + 1 < len(line):
                cur.append(escapes.get(line[i + 1], line[i + 1]))
                i += 2
                continue
            if ch == ":":
                values.append("".join(cur))
                cur = []
            else:
                cur.append(ch)
            i += 1
        values.append("".join(cur))
        row = {}
        for (name, nullable), value in zip(names, values):
            row[name] = None if (nullable and value == "") else value
        rows.append(row)
    return rows


def _port_free_tcp(host: str, port: int) -> bool:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        sock.close()
