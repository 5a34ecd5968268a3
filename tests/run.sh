#!/bin/sh
# Installs the test environment (a virtualenv in .venv with arbot and its test tools) and
# runs every test. Safe to run again: it only installs what is missing.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
set +e
.venv/bin/python -m pytest -q "$@"
rc=$?
set -e
# pytest's 5 means no test ran: that is a failure here
[ "$rc" -eq 5 ] && { echo "no tests collected" >&2; exit 1; }
exit "$rc"
