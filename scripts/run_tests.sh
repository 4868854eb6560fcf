#!/usr/bin/env bash
# The one command to test: set up (with test packages) and run the whole suite.
# Browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium); without it
# they are skipped on a developer machine and fail in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
