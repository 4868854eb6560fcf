#!/usr/bin/env python3
"""Time the app's data path on the real corpus and on scaled-up copies of it, and print the numbers.

Builds a cache from the real corpus, then caches of 10,000 and 100,000 trials by copying its
rows under new NCT ids (so the values are real, only repeated). For each it times the cold load,
a filter change (masks, counts, table rows) for several typical selections, a near-me query
("Boston, United States", within 50 km: nearest open site of every trial, kept and sorted, over
the cache's sites topped up to 10 per trial with real site rows), and an
AppTest rerun of the Explore page after a filter change. Targets: filter change ≤ 0.1 s on the
real corpus and ≤ 0.3 s at 100,000 trials; near-me query ≤ 0.3 s at 100,000 trials after the
first (the sites are placed once, when the site index is built); cold start ≤ 1 s at 10,000.

    python scripts/bench_app.py [--corpus PATH] [--sizes 10000 100000] [--repeat 5] [--no-apptest]
"""
from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"

from mstrials.explore import frame as trial_frame  # noqa: E402
from mstrials.store.cache import connect_readonly  # noqa: E402
from mstrials.labels.mechanism_catalogue import load_catalogue  # noqa: E402
from mstrials.explore import near_me  # noqa: E402

NEAR_PLACE = "Boston, United States"
NEAR_WITHIN_KM = 50.0

SELECTIONS: dict[str, trial_frame.FilterState] = {
    "default (progressive only)": trial_frame.FilterState(),
    "all MS, recruiting": trial_frame.FilterState(progressive_only=False, open_only=True),
    "mechanism + phase": trial_frame.FilterState(progressive_only=False, mechanisms=("b_cell", "microglia"),
                                                 phases=("PHASE2", "PHASE3")),
    "country + years": trial_frame.FilterState(progressive_only=False, countries=("United States", "Germany"),
                                               start_from=2015, start_to=2025),
    "text search (2 words)": trial_frame.FilterState(progressive_only=False, text="progressive placebo"),
}


def seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build_base_cache(corpus: Path, folder: Path) -> Path:
    import fetch_trials

    cache = folder / "real.sqlite"
    if fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(corpus)]) != 0:
        raise SystemExit("building the cache from the corpus failed")
    return cache


def scaled_copy(base: Path, size: int, folder: Path) -> Path:
    """A cache of `size` MS trials: the real rows repeated under new NCT ids (NCT9…), sites included."""
    target = folder / f"scaled-{size}.sqlite"
    shutil.copyfile(base, target)
    connection = sqlite3.connect(target)
    try:
        real = connection.execute("SELECT count(*) FROM studies WHERE is_ms = 1").fetchone()[0]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(studies)")]
        site_columns = [row[1] for row in connection.execute("PRAGMA table_info(sites)")]
        copies = -(-size // real) - 1
        for copy in range(1, copies + 1):
            # NCT9 + copy number + the original row's number: unique, and never a real registry id.
            new_id = f"printf('NCT9%03d%04d', {copy}, original.rowid)"
            select = ", ".join(new_id if c == "nct_id" else f"original.{c}" for c in columns)
            connection.execute(f"INSERT INTO studies ({', '.join(columns)}) SELECT {select} FROM studies AS original "
                               "WHERE original.is_ms = 1 AND original.nct_id NOT LIKE 'NCT9%'")
            site_select = ", ".join(new_id if c == "nct_id" else f"site.{c}" for c in site_columns)
            connection.execute(f"INSERT INTO sites ({', '.join(site_columns)}) SELECT {site_select} FROM sites AS site "
                               "JOIN studies AS original ON original.nct_id = site.nct_id "
                               "WHERE original.is_ms = 1 AND original.nct_id NOT LIKE 'NCT9%'")
        surplus = connection.execute("SELECT count(*) FROM studies WHERE is_ms = 1").fetchone()[0] - size
        if surplus > 0:
            doomed = "SELECT nct_id FROM studies WHERE nct_id LIKE 'NCT9%' ORDER BY nct_id DESC LIMIT ?"
            connection.execute(f"DELETE FROM sites WHERE nct_id IN ({doomed})", (surplus,))
            connection.execute(f"DELETE FROM studies WHERE nct_id IN ({doomed})", (surplus,))
        connection.commit()
    finally:
        connection.close()
    return target


def load(cache: Path) -> trial_frame.TrialTable:
    connection = connect_readonly(cache)
    try:
        return trial_frame.load_trials(connection)
    finally:
        connection.close()


def filter_change(table: trial_frame.TrialTable, state: trial_frame.FilterState, label) -> int:
    """What the app does on a filter change: counts for every filter, the matches, the shown rows."""
    trial_frame.facet_counts(table, state)
    matches = trial_frame.people_first_order(trial_frame.filter_trials(table, state))
    trial_frame.results_view(matches, label)
    return len(matches)


def near_me_query(table: trial_frame.TrialTable, index: near_me.SiteIndex, place: near_me.Place) -> int:
    """What the app does for "near a place, within 50 km": nearest site per trial, keep, sort."""
    nearest = near_me.nearest_sites(table.frame, index, place, NEAR_WITHIN_KM)
    kept = nearest[nearest["within"].to_numpy()]
    kept.sort_values("nearest_distance", kind="stable")
    return len(kept)


SITES_PER_TRIAL = 10


def bench_sites(cache: Path, trials: int) -> tuple[pd.DataFrame, pd.Series]:
    """The cache's sites, topped up to SITES_PER_TRIAL per trial with real site rows given to random trials.

    The corpus carries only each trial's first sites; big multi-centre trials list dozens, so
    at 100,000 trials about a million sites is the load to plan for.
    """
    connection = connect_readonly(cache)
    try:
        sites = pd.read_sql_query("SELECT s.nct_id, s.facility, s.city, s.state, s.country, s.status, s.latitude, "
                                  "s.longitude FROM sites s JOIN studies t USING (nct_id) WHERE t.is_ms = 1", connection)
        status = pd.read_sql_query("SELECT nct_id, status FROM studies WHERE is_ms = 1", connection)
    finally:
        connection.close()
    missing = trials * SITES_PER_TRIAL - len(sites)
    if missing > 0 and len(sites):
        random = np.random.default_rng(9)
        extra = sites.iloc[random.integers(0, len(sites), missing)].copy()
        extra["nct_id"] = status["nct_id"].to_numpy()[random.integers(0, len(status), missing)]
        sites = pd.concat([sites, extra], ignore_index=True)
    return sites, status.set_index("nct_id")["status"]


def bench_near_me(cache: Path, table: trial_frame.TrialTable, repeat: int) -> None:
    place = near_me.find_place(NEAR_PLACE)
    sites, status = bench_sites(cache, len(table))
    near_me.SiteIndex.build(sites.head(10), status)  # the gazetteer's one-time build is not the index's cost
    started = time.perf_counter()
    index = near_me.SiteIndex.build(sites, status)
    build = time.perf_counter() - started
    started = time.perf_counter()
    count = near_me_query(table, index, place)
    first = time.perf_counter() - started
    took = seconds(lambda: near_me_query(table, index, place), repeat)
    print(f"  near-me site index ({len(index.lat):,} sites)     {build * 1000:8.1f} ms (once per cache)")
    print(f"  near-me query, first                     {first * 1000:8.1f} ms")
    print(f"  near-me query: {NEAR_WITHIN_KM:.0f} km of Boston          {took * 1000:8.1f} ms  → {count:,} trials")


def apptest_rerun(cache: Path, repeat: int) -> tuple[float, float]:
    """(first run, median rerun after a filter change) of the Explore page, in seconds."""
    from streamlit.testing.v1 import AppTest
    import streamlit as st

    os.environ["MSTRIALS_CACHE"] = str(cache)
    st.cache_data.clear()
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.query_params["scope"] = "all"
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the app failed: {at.exception[0].value}")
    times = []
    for index in range(repeat):
        box = at.checkbox(key="f_open")
        (box.uncheck() if index % 2 else box.check())
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def bench(name: str, cache: Path, repeat: int, with_apptest: bool) -> None:
    cold = seconds(lambda: (load(cache), load_catalogue()), max(1, repeat // 2))
    table = load(cache)
    catalogue = load_catalogue(table.values_of("mechanisms"))
    copy_time = seconds(lambda: pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)), repeat)
    print(f"\n== {name}: {len(table):,} MS trials ({cache.stat().st_size / 1e6:.0f} MB cache)")
    print(f"  cold load (read + prepare + labels)      {cold * 1000:8.1f} ms")
    print(f"  st.cache_data would copy the table in    {copy_time * 1000:8.1f} ms per rerun (the app uses cache_resource)")
    for label, state in SELECTIONS.items():
        count = filter_change(table, state, catalogue.label)
        took = seconds(lambda state=state: filter_change(table, state, catalogue.label), repeat)
        print(f"  filter change: {label:<26} {took * 1000:8.1f} ms  → {count:,} trials")
    bench_near_me(cache, table, repeat)
    if with_apptest:
        first, rerun = apptest_rerun(cache, repeat)
        print(f"  AppTest Explore first run                {first * 1000:8.1f} ms")
        print(f"  AppTest Explore rerun after a filter     {rerun * 1000:8.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest reruns")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"error: no corpus at {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="bench_app_") as folder:
        base = build_base_cache(args.corpus, Path(folder))
        bench("real corpus", base, args.repeat, not args.no_apptest)
        for size in args.sizes:
            bench(f"scaled to {size:,}", scaled_copy(base, size, Path(folder)), args.repeat, not args.no_apptest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
