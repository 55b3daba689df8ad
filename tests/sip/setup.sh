#!/usr/bin/env bash
# Installs what the SIP interoperability tests need, only what is missing:
#   Debian: kamailio (+ presence and TLS modules), baresip-core, tmux, dnsmasq-base, openssl,
#           pulseaudio + pulseaudio-utils (the sound tests' private server, pacat/parec)
#   .venv-sip/ in the repository root: pjsua2-python and pytest, pinned
# Idempotent; a second run only checks (about a second).  Needs root for apt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${SIP_VENV:-$ROOT/.venv-sip}"
PYTHON="${PYTHON:-python3}"
APT_PACKAGES=(kamailio kamailio-presence-modules kamailio-tls-modules baresip-core tmux pulseaudio pulseaudio-utils dnsmasq-base openssl)
PIP_PACKAGES=("pjsua2-python==2.15.1.post1" "pytest==8.3.4")

# --- Debian packages ---------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# the venv module (a separate Debian package for Debian's own python3)
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "sip-env: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "sip-env: run as root, or install: ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python venv ---------------------------------------------------------------
venv_ok() {
    [ -x "$VENV/bin/python" ] || return 1
    "$VENV/bin/python" - "${PIP_PACKAGES[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, _, wanted = spec.partition("==")
    if version(name) != wanted:
        sys.exit(1)
import pjsua2, pytest  # noqa: F401  (the wheel loads)
EOF
}

if ! venv_ok; then
    if [ -d "$VENV" ] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
        echo "sip-env: $VENV is broken, recreating"
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "sip-env: creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    echo "sip-env: installing ${PIP_PACKAGES[*]}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PIP_PACKAGES[@]}"
    venv_ok || { echo "sip-env: $VENV still lacks ${PIP_PACKAGES[*]}" >&2; exit 1; }
fi
echo "sip-env: ready ($VENV)"
