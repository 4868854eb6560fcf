#!/usr/bin/env python3
"""Time one-row-per-trial linking (mstrials/explore/registry_rows.link_frame) as the app runs it at load.

Imports the real ClinicalTrials.gov corpus, the full records beside it and the real CTIS export into a
temporary cache, then times link_frame on that frame and on copies scaled up under new ids (values
real, only repeated; repeated titles make the "possibly the same" search harder than real data).

    python scripts/bench_linking.py [--shared ../shared] [--sizes 10000 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from mstrials.explore.frame import TRIAL_COLUMNS  # noqa: E402
from mstrials.explore.registry_rows import LINK_COLUMNS, link_frame  # noqa: E402


def load_frame(cache: Path) -> pd.DataFrame:
    with sqlite3.connect(cache) as connection:
        present = {row[1] for row in connection.execute("PRAGMA table_info(studies)")}
        selected = [c for c in dict.fromkeys((*TRIAL_COLUMNS, *LINK_COLUMNS)) if c in present]
        return pd.read_sql_query(f"SELECT {', '.join(selected)} FROM studies WHERE is_ms = 1", connection)


def scaled(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    copies = []
    for copy in range(-(-size // len(frame))):
        part = frame.copy()
        part["nct_id"] = [f"NCT{copy:02d}{i:06d}" if registry == "ctgov" else f"20{copy:02d}-5{i:05d}-11-00"
                          for i, registry in enumerate(part["registry"])]
        part["registry_ids"] = part["nct_id"]
        copies.append(part)
    return pd.concat(copies, ignore_index=True).iloc[:size]


def median_seconds(frame: pd.DataFrame, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        link_frame(frame)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import fetch_trials

    ctgov = args.shared / "ctgov"
    files = [ctgov / "corpus" / "ms_studies_2025-09-25.jsonl.gz", *sorted((ctgov / "studies").glob("*.json")),
             *sorted((ctgov / "studies_partial").glob("*.json")), args.shared / "ctis" / "ctis_ms_trials_2025-09-24.csv"]
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "trials.sqlite"
        if fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *map(str, files)]) != 0:
            return 1
        frame = load_frame(cache)
    linked = link_frame(frame)
    print(f"real data: {len(frame):,} records -> {len(linked):,} rows, "
          f"{(linked['registries'].str.contains('|', regex=False)).sum()} in both registries, "
          f"{(linked['possibly_same'] != '').sum()} with a 'possibly the same' hint; "
          f"link_frame {median_seconds(frame, args.repeat):.3f} s")
    for size in args.sizes:
        print(f"{size:,} records: link_frame {median_seconds(scaled(frame, size), args.repeat):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
