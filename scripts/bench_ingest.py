#!/usr/bin/env python3
"""Benchmark: ingest of the real corpus and of a 10x scale-up, against a naive baseline.

The baseline is what a quick notebook would do: json.loads every record and
pandas.json_normalize them into a DataFrame. Our ingest also validates, checks MS, classifies,
extracts eligibility themes and writes SQLite with history. Each measurement runs in its own
process so the peak memory printed (max resident set size) belongs to that measurement alone.

Usage: python scripts/bench_ingest.py [--corpus PATH] [--scale 10]
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"


def measure_naive(path: Path) -> int:
    import pandas as pd

    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    frame = pd.json_normalize(records)
    return len(frame)


def measure_ingest(path: Path) -> int:
    from mstrials.store.refresh import import_files

    with tempfile.TemporaryDirectory() as folder:
        summary = import_files(Path(folder) / "bench.sqlite", [path])
    return summary.seen


def run_one(method: str, path: Path) -> None:
    started = time.perf_counter()
    count = measure_naive(path) if method == "naive" else measure_ingest(path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"studies": count, "seconds": seconds, "peak_mb": peak_mb}))


def scaled_copy(corpus: Path, scale: int, folder: Path) -> Path:
    """The real records repeated `scale` times, each copy re-identified with new NCT ids."""
    target = folder / f"corpus_x{scale}.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as out:
        for copy_number in range(scale):
            for index, record in enumerate(records):
                record["protocolSection"]["identificationModule"]["nctId"] = f"NCT{copy_number * 1_000_000 + index:08d}"
                out.write(json.dumps(record) + "\n")
    return target


def measure(method: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--one", method, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], Path(args.one[1]))
        return 0
    if not args.corpus.exists():
        print(f"error: corpus not found at {args.corpus}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        datasets = [("real corpus", args.corpus), (f"{args.scale}x scale-up", scaled_copy(args.corpus, args.scale, Path(folder)))]
        print(f"{'dataset':<16} {'method':<34} {'studies':>8} {'seconds':>8} {'studies/s':>10} {'peak MB':>8}")
        for name, path in datasets:
            results = {}
            for method, label in (("naive", "naive: json.loads + json_normalize"), ("ingest", "ingest: classify + SQLite")):
                result = results[method] = measure(method, path)
                rate = result["studies"] / result["seconds"]
                print(f"{name:<16} {label:<34} {result['studies']:>8} {result['seconds']:>8.2f} {rate:>10.0f} {result['peak_mb']:>8.0f}")
            ratio = (results["ingest"]["studies"] / results["ingest"]["seconds"]) / (
                results["naive"]["studies"] / results["naive"]["seconds"]
            )
            verdict = "meets" if ratio >= 1 else "MISSES"
            print(f"{name:<16} ingest/naive speed ratio {ratio:.2f} ({verdict} the target of >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
