#!/usr/bin/env bash
# The one command to test: set up (with test packages) and run the whole suite.
# Browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium); without it
# they are skipped on a developer machine and fail in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements-dev.txt
# axe-core for the accessibility test (pinned in tests/browser/package-lock.json); skipped without npm outside CI.
if command -v npm > /dev/null && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    npm ci --prefix tests/browser --no-audit --no-fund --silent
fi
exec .venv/bin/python -m pytest "$@"
