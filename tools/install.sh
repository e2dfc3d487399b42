#!/usr/bin/env bash
# Install requirements.lock into a venv, the same way on any machine and on any day. `make install` runs it.
#
#   tools/install.sh VENV            create VENV if missing, then install the lock and dvats (editable)
#   tools/install.sh VENV --dry-run  the same, but only ask pip what it would install (a report, no packages)
#
# Why it cannot depend on the registry's newest releases:
#  1. a pinned pip (tools/installer.lock, hash checked) replaces the one the machine's Python bundled, whose resolver
#     may read the lock differently (pip 23.2.1 resolved `uvicorn[standard]` to a release newer than the lock's);
#  2. the lock is installed with --no-deps: it is already the whole resolved set, so pip resolves nothing and can pick
#     nothing that is not in it; `pip check` then proves the set is consistent (every dependency present, in range).
set -euo pipefail
venv=${1:?usage: tools/install.sh VENV [--dry-run]}; mode=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
test -x "$venv/bin/python" || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --require-hashes --no-deps -r "$root/tools/installer.lock"
if [ "$mode" = --dry-run ]; then
  report=${REPORT:-$venv/install-report.json}
  "${pip[@]}" install --require-hashes --no-deps --ignore-installed --dry-run --report "$report" -r "$root/requirements.lock"
  echo "dry run: what would be installed is in $report"
  exit 0
fi
"${pip[@]}" install --require-hashes --no-deps -r "$root/requirements.lock"
"${pip[@]}" check
"${pip[@]}" install --no-deps --no-build-isolation -e "$root"
