"""The ingest spreads work over worker processes only on idle cores, and keeps input order."""
from __future__ import annotations

import os

import pytest

from mstrials.store import workers

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@pytest.mark.parametrize(("busy", "expected"), [
    (0.0, min(4, CORES)),
    (float(CORES), 1),
    (CORES * 3.0, 1),
    (max(0.0, CORES - 1.0), 1),
])
def test_workers_are_started_only_for_idle_cores(busy, expected):
    assert workers.default_worker_count(busy) == expected


def test_results_keep_the_input_order_with_and_without_workers():
    items = list(range(2 * workers.MIN_ITEMS_FOR_WORKERS + 17))
    for count in (1, 2):
        assert list(workers.ordered_map(str, items, workers=count)) == [str(item) for item in items]
