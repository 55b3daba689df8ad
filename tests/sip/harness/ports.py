"""Free loopback ports for peers started by the tests.

A port found here is free at the moment it is returned; another process may
take it before our peer binds it.  Callers that hand the number to a separate
program (Kamailio, baresip) retry with a fresh port when that program fails to
bind; pjsua binds to port 0 itself and needs none of this.
"""
from __future__ import annotations

import errno
import socket

LOOPBACK = "127.0.0.1"


def free_port(udp: bool = True, tcp: bool = True, host: str = LOOPBACK, attempts: int = 50) -> int:
    """A port number free for UDP and/or TCP on `host` (both by default).

    The kernel picks a free port for the first protocol (bind to port 0); the
    number is then checked for the other protocol, retrying when it is taken.
    """
    if not (udp or tcp):
        raise ValueError("ask for udp, tcp or both")
    kinds = []
    if udp:
        kinds.append(socket.SOCK_DGRAM)
    if tcp:
        kinds.append(socket.SOCK_STREAM)
    last_error: OSError | None = None
    for _ in range(attempts):
        held: list[socket.socket] = []
        try:
            first = socket.socket(socket.AF_INET, kinds[0])
            held.append(first)
            first.bind((host, 0))
            port = first.getsockname()[1]
            for kind in kinds[1:]:
                other = socket.socket(socket.AF_INET, kind)
                held.append(other)
                if kind == socket.SOCK_STREAM:
                    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                other.bind((host, port))
            return port
        except OSError as exc:  # the other protocol's port is taken: try again
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            last_error = exc
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"no free port on {host} after {attempts} attempts: {last_error}")


def port_is_free(port: int, udp: bool = True, tcp: bool = True, host: str = LOOPBACK) -> bool:
    """True when `port` can be bound right now for the asked protocols."""
    kinds = ([socket.SOCK_DGRAM] if udp else []) + ([socket.SOCK_STREAM] if tcp else [])
    for kind in kinds:
        sock = socket.socket(socket.AF_INET, kind)
        try:
            if kind == socket.SOCK_STREAM:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError:
            return False
        finally:
            sock.close()
    return True
