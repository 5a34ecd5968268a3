#!/bin/sh
# Installs the test environment and runs every test. Safe to run again: it only installs
# what is missing.
#  - Dovecot (Debian package dovecot-imapd): the real IMAP server the tests start on loopback
#    with their own configuration; no system service is started or changed.
#  - a virtualenv in .venv with arbot and its test tools.
set -eu
cd "$(dirname "$0")/.."
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "installing dovecot-imapd (the tests start their own IMAP server on 127.0.0.1)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Package scripts must not start the system's Dovecot: without systemd, policy-rc.d
  # answering 101 tells invoke-rc.d "not now".
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    dovecot-imapd >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
set +e
PATH="$PATH:/usr/sbin" .venv/bin/python -m pytest -q "$@"
rc=$?
set -e
# pytest's 5 means no test ran: that is a failure here
[ "$rc" -eq 5 ] && { echo "no tests collected" >&2; exit 1; }
exit "$rc"
