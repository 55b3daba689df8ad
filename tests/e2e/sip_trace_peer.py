#!/usr/bin/env python3
"""A tiny SIP peer for tests/e2e/tui.sh's --trace-sip case (plain UDP sockets, no SIP library).

usage: sip_trace_peer.py SOFTPHONE_PORT PORT_FILE

Binds a UDP port on 127.0.0.1 and writes it to PORT_FILE; acts as the softphone's registrar
(challenges the first REGISTER with a digest 401, accepts the one with credentials), then sends
an OPTIONS to the softphone's line and waits for its 200. Exits 0 when all of that happened,
1 otherwise (after 30 seconds at most), saying what was missing.
"""
import socket
import sys
import time

softphone_port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
with open(sys.argv[2], "w") as f:
    f.write(str(port))
deadline = time.time() + 30


def head(text):
    lines = text.split("\r\n")
    return lines[0], lines[1:lines.index("")] if "" in lines else lines[1:]


def reply(text, addr, status, extra):
    _, headers = head(text)
    keep = [h for h in headers
            if h.split(":", 1)[0].strip().lower() in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m")]
    keep = [h + ";tag=e2e-peer" if h.split(":", 1)[0].strip().lower() in ("to", "t") and "tag=" not in h else h
            for h in keep]
    response = "SIP/2.0 " + status + "\r\n" + "\r\n".join(keep + extra) + "\r\nContent-Length: 0\r\n\r\n"
    sock.sendto(response.encode(), addr)


def receive():
    remaining = deadline - time.time()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)
    data, addr = sock.recvfrom(65535)
    return data.decode("utf-8", "replace"), addr


registered = False
try:
    while not registered:
        text, addr = receive()
        start, headers = head(text)
        if start.startswith("REGISTER"):
            if any(h.lower().startswith("authorization:") for h in headers):
                reply(text, addr, "200 OK", ["Expires: 600"])
                registered = True
            else:
                reply(text, addr, "401 Unauthorized",
                      ['WWW-Authenticate: Digest realm="e2e", nonce="e2e-nonce-1", algorithm=MD5, qop="auth"'])
        elif not start.startswith("SIP/2.0"):
            reply(text, addr, "405 Method Not Allowed", [])
    options = ("OPTIONS sip:line@127.0.0.1:%d SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-e2e-trace-1;rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1>;tag=e2e-1\r\nTo: <sip:line@127.0.0.1>\r\n"
               "Call-ID: e2e-trace-options-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (softphone_port, port)
    sock.sendto(options.encode(), ("127.0.0.1", softphone_port))
    while True:
        text, addr = receive()
        if text.startswith("SIP/2.0 200") and "e2e-trace-options-1" in text:
            print("registered, OPTIONS answered")
            sys.exit(0)
except TimeoutError:
    print("timed out: " + ("no 200 to the OPTIONS" if registered else "no REGISTER with credentials"))
    sys.exit(1)
