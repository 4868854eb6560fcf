"""Score the mechanism classifier on the hand-labelled dev set and time it on the full corpus.

    .venv/bin/python scripts/bench_classify.py [--corpus PATH] [--devset PATH] [--mistakes]

Prints per-key precision / recall / F1, macro-F1 and progressive accuracy on the dev set, then
classification speed over every study in the corpus (first pass in a fresh process, which is
what the ingest sees, and a second pass with warm caches).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from mstrials.classify import classify_study, evidence_text  # noqa: E402
from mstrials.quality import DEVSET_PATH, evaluate, iter_corpus, load_devset  # noqa: E402
from mstrials.vocabulary import default_vocabulary, vocabulary_hash  # noqa: E402

SHARED_DIR = Path(os.environ.get("MSTRIALS_SHARED", REPO_ROOT.parent / "shared"))
DEFAULT_CORPUS = SHARED_DIR / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON-lines corpus (.jsonl or .jsonl.gz)")
    parser.add_argument("--devset", type=Path, default=DEVSET_PATH, help="hand-labelled dev set CSV")
    parser.add_argument("--mistakes", action="store_true", help="list the dev-set trials classified differently")
    args = parser.parse_args(argv)

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (set MSTRIALS_SHARED or pass --corpus)", file=sys.stderr)
        return 2

    studies = list(iter_corpus(args.corpus))
    by_id = {study["protocolSection"]["identificationModule"]["nctId"]: study for study in studies}

    started = time.perf_counter()
    default_vocabulary()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for study in studies:
        classify_study(study)
    cold_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for study in studies:
        classify_study(study)
    warm_seconds = time.perf_counter() - started

    labels = load_devset(args.devset)
    report = evaluate(labels, by_id, classify_study)

    print(f"vocabulary {vocabulary_hash()[:12]}  dev set {args.devset.name}")
    print(report.table())
    print()
    print(f"speed: {len(studies)} studies in {cold_seconds:.2f} s first pass ({len(studies) / cold_seconds:,.0f} studies/s), "
          f"{warm_seconds:.2f} s second pass ({len(studies) / warm_seconds:,.0f} studies/s); vocabulary load {load_seconds * 1000:.0f} ms")
    if args.mistakes:
        print()
        for mistake in report.mistakes:
            result = classify_study(by_id[mistake.nct_id])
            print(f"{mistake.nct_id}: gold {'|'.join(sorted(mistake.gold))} progressive={mistake.gold_progressive}; "
                  f"got {'|'.join(result.mechanisms)} progressive={result.progressive}  ({mistake.why})")
            print(f"    {evidence_text(result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
