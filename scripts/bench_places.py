"""How well and how fast `mstrials.explore.places` puts sites on the map.

Prints the placement rate over the corpus' first sites (the corpus has no geoPoints, so every
site is placed by city or country name) and the time to place 100,000 site rows, once with the
one-time gazetteer build included and once with it already built.

    .venv/bin/python scripts/bench_places.py [--corpus PATH] [--rows 100000]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from mstrials import places  # noqa: E402

DEFAULT_SHARED = Path(os.environ.get("MSTRIALS_SHARED", REPO_ROOT.parent / "shared"))
DEFAULT_CORPUS = DEFAULT_SHARED / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"


def corpus_sites(path: Path) -> pd.DataFrame:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            study = json.loads(line)
            nct_id = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
            rows.extend({"nct_id": nct_id, **site} for site in places.study_sites(study))
    return pd.DataFrame(rows, columns=["nct_id", "facility", "city", "state", "zip", "country", "status", "latitude", "longitude"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    sites = corpus_sites(args.corpus)
    # Repeating the real sites keeps the mix of names realistic; the lookup dedupes them, as it
    # would dedupe the many repeated cities of a real 100k-site table.
    repeats = -(-args.rows // len(sites))
    big = pd.concat([sites] * repeats, ignore_index=True).iloc[: args.rows]

    started = time.perf_counter()
    placed_big = places.place_sites(big)
    cold_seconds = time.perf_counter() - started
    places._place_by_name.cache_clear()
    started = time.perf_counter()
    places.place_sites(big)
    warm_seconds = time.perf_counter() - started

    placed = places.place_sites(sites)
    summary = places.placement_summary(placed)
    placed_share = (summary["city"] + summary["country"]) / summary["total"]
    print(f"corpus first sites: {summary['total']}")
    print(f"  placed by city:    {summary['city']} ({summary['city'] / summary['total']:.1%})")
    print(f"  placed by country: {summary['country']} ({summary['country'] / summary['total']:.1%})")
    print(f"  not placed:        {summary['not_placed']}")
    print(f"  placed at city or country level: {placed_share:.1%}")
    print(f"{len(placed_big)} rows: {cold_seconds:.2f} s including the one-time gazetteer build, "
          f"{warm_seconds:.2f} s with it built (name lookups not memoised)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
