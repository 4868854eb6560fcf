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


def fake_counts(monkeypatch, counts):
    """Runnable-task counts the sampler reads in turn, and a record of the sleeps it asks for."""
    remaining = iter(counts)
    slept: list[float] = []
    monkeypatch.setattr(workers, "_runnable_tasks", lambda: next(remaining))
    monkeypatch.setattr(workers.time, "sleep", slept.append)
    return slept


def test_the_sampler_counts_the_fewest_runnable_tasks_less_this_process(monkeypatch):
    fake_counts(monkeypatch, [4, 2, 3])
    assert workers.BusyCoreSampler(interval=0.0).busy() == 1.0


def test_work_between_samples_replaces_the_sleep(monkeypatch):
    slept = fake_counts(monkeypatch, [1, 1, 1])
    sampler = workers.BusyCoreSampler(interval=0.01)
    clock = workers.time.monotonic() + 0.02
    monkeypatch.setattr(workers.time, "monotonic", lambda: clock)  # the caller worked 20 ms
    sampler.sample()
    assert sampler.busy() == 0.0
    assert slept and max(slept) <= 0.01  # only the last sample, taken at once after the second, waited
    assert len(slept) == 1


def test_samples_older_than_the_run_set_up_are_taken_again(monkeypatch):
    fake_counts(monkeypatch, [1, 1, 5, 5, 5])  # idle at the start, busy by the time the work begins
    sampler = workers.BusyCoreSampler(interval=0.0, max_age=1.0)
    sampler.sample()
    later = workers.time.monotonic() + 5.0
    monkeypatch.setattr(workers.time, "monotonic", lambda: later)
    assert sampler.busy() == 4.0


def test_busy_cores_still_samples_on_its_own(monkeypatch):
    slept = fake_counts(monkeypatch, [2, 3, 2])
    assert workers.busy_cores(samples=3, interval=0.01) == 1.0
    assert len(slept) == 2
