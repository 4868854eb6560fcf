#!/usr/bin/env python3
"""Benchmark: ingest of the real corpus and of a 10x scale-up, against a naive baseline.

The baseline is what a quick notebook would do: json.loads every record and
pandas.json_normalize them into a DataFrame. Our ingest also validates, checks MS, classifies,
extracts eligibility themes and writes SQLite with history. Each measurement is a whole process
(interpreter start, imports and vocabulary loading included), timed from outside; the two methods
alternate, `--repeat` rounds each, and the median of the rounds is reported, because other work
on the machine shifts single runs. The CPU time of each process with its workers is printed too,
and the load average before and after. Peak memory is the maximum resident set size of the
measuring process and, separately, of its largest worker process; `--scale 37` gives a
100,000-study import, whose memory stays bounded because the ingest streams.

`--check-labels CHECKOUT` instead imports the corpus with this checkout's code and with another
checkout's (say the main branch before a speed change) and compares every stored study row,
site and history entry: a speed change must not change a single label.

Usage: python scripts/bench_ingest.py [--corpus PATH] [--scale 10] [--repeat 3]
       python scripts/bench_ingest.py --check-labels /path/to/other/checkout
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"
TARGET_RATIO = 2.0


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


def dump_rows(path: Path, out: Path) -> int:
    """Import `path` into a fresh cache and write every study row, site and change as JSON lines."""
    from mstrials.store.refresh import import_files

    with tempfile.TemporaryDirectory() as folder:
        cache_path = Path(folder) / "labels.sqlite"
        summary = import_files(cache_path, [path])
        connection = sqlite3.connect(cache_path)
        with open(out, "w", encoding="utf-8") as dump:
            for table, order in (("studies", "nct_id"), ("sites", "nct_id, position"),
                                 ("changes", "nct_id, kind, old_value, new_value")):
                cursor = connection.execute(f"SELECT * FROM {table} ORDER BY {order}")
                names = [column[0] for column in cursor.description]
                for row in cursor:
                    dump.write(json.dumps({"table": table, **dict(zip(names, row))}, sort_keys=True) + "\n")
        connection.close()
    return summary.seen


def run_one(method: str, path: Path) -> None:
    count = measure_naive(path) if method == "naive" else measure_ingest(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"studies": count, "peak_mb": peak_mb, "worker_peak_mb": worker_peak_mb}))


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


def _environment(checkout: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(checkout)}


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(method: str, path: Path) -> dict:
    """One whole measuring process: its wall time, and the CPU time of it and its workers."""
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, __file__, "--one", method, str(path)],
        check=True, capture_output=True, text=True, env=_environment(REPO_ROOT),
    ).stdout
    seconds = time.perf_counter() - started
    cpu_seconds = _children_cpu_seconds() - cpu_before
    return {**json.loads(output.strip().splitlines()[-1]), "seconds": seconds, "cpu_seconds": cpu_seconds}


def check_labels(corpus: Path, other: Path) -> int:
    with tempfile.TemporaryDirectory() as folder:
        dumps = {}
        for name, checkout in (("other", other), ("this", REPO_ROOT)):
            dumps[name] = Path(folder) / f"{name}.jsonl"
            subprocess.run([sys.executable, __file__, "--dump", str(corpus), str(dumps[name])],
                           check=True, env=_environment(checkout))
        other_rows = dumps["other"].read_text(encoding="utf-8").splitlines()
        these_rows = dumps["this"].read_text(encoding="utf-8").splitlines()
    differing = [(old, new) for old, new in zip(other_rows, these_rows) if old != new]
    print(f"rows compared: {len(these_rows)} here, {len(other_rows)} in {other}; differing: {len(differing)}")
    for old, new in differing[:5]:
        old_row, new_row = json.loads(old), json.loads(new)
        columns = sorted(name for name in old_row.keys() | new_row.keys() if old_row.get(name) != new_row.get(name))
        print(f"  {old_row.get('table')} {old_row.get('nct_id')}: {', '.join(columns)}")
    return 0 if not differing and len(other_rows) == len(these_rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check-labels", type=Path, metavar="CHECKOUT",
                        help="compare every row an import of the corpus stores with the rows of another checkout")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", nargs=2, metavar=("PATH", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], Path(args.one[1]))
        return 0
    if args.dump:
        dump_rows(Path(args.dump[0]), Path(args.dump[1]))
        return 0
    if not args.corpus.exists():
        print(f"error: corpus not found at {args.corpus}", file=sys.stderr)
        return 1
    if args.check_labels:
        if not (args.check_labels / "mstrials").is_dir():
            print(f"error: {args.check_labels} is not a checkout of this project (no mstrials/ in it)", file=sys.stderr)
            return 1
        return check_labels(args.corpus, args.check_labels)
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        datasets = [("real corpus", args.corpus)]
        if args.scale > 1:
            datasets.append((f"{args.scale}x scale-up", scaled_copy(args.corpus, args.scale, Path(folder))))
        print(f"{'dataset':<16} {'method':<34} {'studies':>8} {'seconds':>8} {'studies/s':>10} {'CPU s':>7} "
              f"{'peak MB':>8} {'worker MB':>9}")
        labels = {"naive": "naive: json.loads + json_normalize", "ingest": "ingest: classify + SQLite"}
        for name, path in datasets:
            rounds: dict[str, list[dict]] = {"naive": [], "ingest": []}
            for _ in range(args.repeat):
                for method in ("naive", "ingest"):
                    rounds[method].append(measure(method, path))
            for method, results in rounds.items():
                seconds = statistics.median(result["seconds"] for result in results)
                cpu_seconds = statistics.median(result["cpu_seconds"] for result in results)
                studies = results[0]["studies"]
                peak = max(result["peak_mb"] for result in results)
                worker_peak = max(result["worker_peak_mb"] for result in results)
                print(f"{name:<16} {labels[method]:<34} {studies:>8} {seconds:>8.2f} {studies / seconds:>10.0f} "
                      f"{cpu_seconds:>7.2f} {peak:>8.0f} {worker_peak:>9.0f}")
            ratios = [naive["seconds"] / ingest["seconds"] for naive, ingest in zip(rounds["naive"], rounds["ingest"])]
            ratio = statistics.median(ratios)
            verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
            print(f"{name:<16} ingest/naive speed ratio {ratio:.2f}, median of {', '.join(f'{r:.2f}' for r in ratios)} "
                  f"({verdict} the target of >= {TARGET_RATIO})")
            cpu_ratio = statistics.median(naive["cpu_seconds"] / ingest["cpu_seconds"]
                                          for naive, ingest in zip(rounds["naive"], rounds["ingest"]))
            print(f"{name:<16} naive/ingest CPU-time ratio {cpu_ratio:.2f} (less sensitive to other load; "
                  "workers count in the ingest's CPU time)")
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
