#!/usr/bin/env bash
# Create .venv and install the pinned requirements; quick no-op when nothing changed.
# Usage: scripts/setup_env.sh [requirements file]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: Python 3.11 or newer is needed (found: $("$python" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv ..."
    "$python" -m venv .venv
fi
# Reinstall only when the requirement files change (their checksum is kept in .venv).
stamp=.venv/.installed-$(basename "$requirements")
wanted=$(cat requirements*.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing pinned packages from $requirements ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
fi
