"""The ingest spreads work over worker processes only on idle cores, and keeps input order."""
from __future__ import annotations

import os

import pytest

from mstrials.store import workers


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@pytest.mark.parametrize(("load", "expected"), [
    (0.0, min(4, _cores())),
    (float(_cores()), 1),
    (_cores() * 3.0, 1),
    (max(0.0, _cores() - 1.0), 1),
])
def test_workers_are_started_only_for_idle_cores(monkeypatch, load, expected):
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert workers.default_worker_count() == expected


def test_results_keep_the_input_order_with_and_without_workers():
    items = list(range(2 * workers.MIN_ITEMS_FOR_WORKERS + 17))
    for count in (1, 2):
        assert list(workers.ordered_map(str, items, workers=count)) == [str(item) for item in items]
