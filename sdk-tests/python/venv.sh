#!/usr/bin/env bash
# Creates the pymilvus test's virtual environment, sdk-tests/python/.venv,
# with exactly the packages of requirements.txt (all pinned), from PyPI.
# Skipped when the venv was already built from the same requirements.txt.
# Prints the venv's python on the last line.
#   PYTHON   the interpreter that creates the venv (default python3, 3.10+)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.requirements-stamp"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    # --no-deps: requirements.txt lists every package, so nothing unpinned comes in.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
        --no-deps -r "$here/requirements.txt" >&2
    "$venv/bin/python" -m pip check >&2
    cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
