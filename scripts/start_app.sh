#!/usr/bin/env bash
# The one command to use the explorer: set up, fetch trials when there is no cache yet, start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements.txt
cache=${MSTRIALS_CACHE:-data/cache/trials.sqlite}
if [ ! -f "$cache" ]; then
    echo "No trial cache yet: fetching multiple sclerosis trials from ClinicalTrials.gov and the EU CTIS (a few minutes) ..."
    # Few retries here: without network the app should start soon and explain what to do.
    if ! .venv/bin/python scripts/fetch_trials.py --retries 3; then
        echo "Could not fetch the trials now. The app starts anyway and shows how to fetch or import them."
    fi
else
    # Once a day, catch up with what changed (a few requests per registry); offline, give up within seconds.
    if ! .venv/bin/python scripts/fetch_trials.py --if-older-than 24 --quiet --retries 1 --deadline 20; then
        echo "Could not refresh the trials now (offline?): starting with the copy you already have."
    fi
    # Cheap when nothing changed: re-labels stored trials only after a vocabulary or code update.
    .venv/bin/python scripts/fetch_trials.py --reclassify --quiet || true
fi
echo "Starting the explorer; it opens in your browser (stop it with Ctrl+C) ..."
exec .venv/bin/streamlit run dashboard/app.py "$@"
