"""Spread pure, CPU-bound per-study work over the machine's cores, keeping input order.

Ingest spends most of its time classifying and parsing criteria, which is pure Python; a few
forked worker processes make it scale with the idle cores. Small runs, and runs on a machine
whose cores are busy, stay in-process, where a pool would cost more than it saves.
"""
from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

BATCH_SIZE = 200
MIN_ITEMS_FOR_WORKERS = 2 * BATCH_SIZE


# Per-study work allocates many short-lived containers, which refcounting frees; the cyclic
# collector only walks them (and the vocabulary). Rarer collections: 4 % less CPU on the corpus.
_WORKER_GC_THRESHOLD = (50_000, 20, 20)


def _start_worker(prepare: Callable[[], None] | None) -> None:
    gc.set_threshold(*_WORKER_GC_THRESHOLD)
    _die_with_parent()
    if prepare is not None:
        prepare()
        # What `prepare` built (a vocabulary, compiled patterns) lives as long as the worker: kept
        # out of every collection, as gc.freeze in ordered_map does for what the fork inherits.
        gc.freeze()


def _die_with_parent() -> None:
    """Linux: ask the kernel to end this worker when the process that forked it dies (even by
    SIGKILL), so an interrupted ingest leaves no orphans behind."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _apply_batch(function: Callable[[In], Out], batch: list[In]) -> list[Out]:
    return [function(item) for item in batch]


def _runnable_tasks() -> int | None:
    """How many tasks the kernel counts as runnable now, this process included (Linux), else None."""
    try:
        return int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


class BusyCoreSampler:
    """busy_cores, with its samples taken while the caller does work it has to do anyway (say,
    loading the vocabulary) instead of across sleeps: a sleep is left only for what of the interval
    the work between two samples did not fill. The first sample is taken on creation. Samples older
    than `max_age` (a fetch that waited for its first pages) no longer tell about now: taken again."""

    def __init__(self, samples: int = 3, interval: float = 0.01, max_age: float = 1.0):
        self._wanted = samples
        self._interval = interval
        self._max_age = max_age
        self._counts: list[int] = []
        self._taken = 0
        self._first = self._last = 0.0
        self.sample()

    def sample(self) -> None:
        if self._taken >= self._wanted:
            return
        wait = self._interval - (time.monotonic() - self._last) if self._taken else 0.0
        if wait > 0:
            time.sleep(wait)
        count = _runnable_tasks()
        self._last = time.monotonic()
        if not self._taken:
            self._first = self._last
        self._taken += 1
        if count is not None:
            self._counts.append(count)

    def busy(self) -> float:
        """How many cores other processes are using, from the fewest runnable tasks sampled."""
        if self._taken and time.monotonic() - self._first > self._max_age:
            self._counts.clear()
            self._taken = 0
        while self._taken < self._wanted:
            self.sample()
        if self._counts:
            return max(0.0, min(self._counts) - 1.0)
        try:
            return os.getloadavg()[0]
        except (OSError, AttributeError):  # no load figure on this system: assume the cores are free
            return 0.0


def busy_cores(samples: int = 3, interval: float = 0.01) -> float:
    """How many cores other processes are using now: the fewest runnable tasks the kernel counts
    in a few samples, less this process (Linux), else the one-minute load average. The load
    average lags by a minute, long enough to still count a run that just ended; one sample alone
    catches passing blips."""
    return BusyCoreSampler(samples, interval).busy()


def default_worker_count(busy: float | None = None) -> int:
    """Up to four workers, but only as many as there are idle cores (`busy`: see busy_cores).

    Workers pay only on cores nobody else uses. Measured on two cores: idle, two workers imported
    the corpus 1.9 times as fast as one process; kept busy by other processes, they took about a
    tenth more CPU time on distinct studies (studies and results travel between processes) and a
    third more on repeated ones (each worker fills its own memo caches), and finished no sooner.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    busy = busy_cores() if busy is None else busy
    return max(1, min(4, round(cores - busy)))


def ordered_map(
    function: Callable[[In], Out],
    items: Iterable[In],
    workers: int | None = None,
    sampler: BusyCoreSampler | None = None,
    prepare: Callable[[], None] | None = None,
) -> Iterator[Out]:
    """Yield function(item) for every item, in order, computed in worker processes when worthwhile
    (`workers` None: as many as there are idle cores, judged by `sampler` if given).

    `prepare`, if given, runs first in each worker: slow set-up `function` needs (imports, loading
    data) then happens in all workers at once, while this process goes on reading items, instead
    of here before the fork. In-process, `function` is left to set itself up when first called."""
    iterator = iter(items)
    head = list(itertools.islice(iterator, MIN_ITEMS_FOR_WORKERS))
    if workers is None:
        busy = sampler.busy() if sampler is not None else None
        workers = default_worker_count(busy) if len(head) >= MIN_ITEMS_FOR_WORKERS else 1
    if workers <= 1 or len(head) < MIN_ITEMS_FOR_WORKERS or "fork" not in multiprocessing.get_all_start_methods():
        threshold = gc.get_threshold()
        gc.set_threshold(*_WORKER_GC_THRESHOLD)
        try:
            yield from (function(item) for item in itertools.chain(head, iterator))
        finally:
            gc.set_threshold(*threshold)
        return
    # Imported here: a run too small for workers need not pay for loading the pool machinery.
    from concurrent.futures import ProcessPoolExecutor

    batches = _batched(itertools.chain(head, iterator))
    # fork: workers inherit what this process has loaded (the ingest's main process leaves the
    # vocabulary to `prepare`) instead of importing everything again.
    context = multiprocessing.get_context("fork")
    # Frozen, what exists before the fork is left out of every collection, so the collector neither
    # walks it nor touches its pages, which then stay shared.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                 initargs=(prepare,)) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.submit(_apply_batch, function, batch))
                if len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        gc.unfreeze()


def _batched(items: Iterator[In]) -> Iterator[list[In]]:
    while batch := list(itertools.islice(items, BATCH_SIZE)):
        yield batch
