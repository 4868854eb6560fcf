"""Score the mechanism classifier on the hand-labelled dev set and the frozen unseen split, and time it.

    .venv/bin/python scripts/bench_classify.py [--corpus PATH] [--ctis-export PATH] [--devset PATH ...] [--unseen PATH ...] [--mistakes]

Prints, side by side for the dev set, all unseen splits together and the CTIS split on its own:
per-key precision / recall / F1, macro-F1, exact key sets and progressive accuracy (and the same
totals for each unseen split); then whether the unseen splits together meet the
targets (macro-F1 >= 0.95 with every key >= 0.85, progressive >= 0.99); then classification
speed over every study in the corpus (first pass in a fresh process, which is what the ingest
sees, and a second pass with warm caches). `--mistakes` lists dev-set mistakes only: rules are
never tuned on the unseen split, so its mistakes are not printed. The dev side includes the
unseen splits retired into it (see RETIRED_UNSEEN_PATHS): once retired, a split is read like dev.
The corpus splits' studies come from the ClinicalTrials.gov corpus (--corpus); a CTIS split's
(CTIS_SPLIT_PATHS) from the EU CTIS CSV export (--ctis-export), read as the product imports it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from mstrials.labels.classify import classify_study, evidence_text  # noqa: E402
from mstrials.labels.ms_filter import is_ms_study  # noqa: E402
from mstrials.tooling.devset_scoring import (  # noqa: E402
    CTIS_EXPORT_NAME,
    DEV_PATHS,
    MACRO_F1_RULE,
    UNSEEN_PATHS,
    DevsetReport,
    ctis_split_studies,
    evaluate,
    is_ctis_split,
    iter_corpus,
    load_devset,
)
from mstrials.labels.vocabulary import default_vocabulary, vocabulary_hash  # noqa: E402

SHARED_DIR = Path(os.environ.get("MSTRIALS_SHARED", REPO_ROOT.parent / "shared"))
DEFAULT_CORPUS = SHARED_DIR / "ctgov" / "corpus" / "ms_studies_2025-09-25.jsonl.gz"
DEFAULT_CTIS_EXPORT = SHARED_DIR / "ctis" / CTIS_EXPORT_NAME

TARGET_MACRO_F1 = 0.95
TARGET_KEY_F1 = 0.85
TARGET_PROGRESSIVE = 0.99


def side_by_side(dev: DevsetReport, unseen: DevsetReport, extra: dict[str, DevsetReport] | None = None) -> str:
    """Per-key support / P / R / F1 for the dev set and the unseen splits together, then one column
    per `extra` report (name -> report, e.g. the CTIS split on its own), then the summary numbers."""
    columns = [("dev", dev), ("unseen", unseen), *(extra or {}).items()]
    widths = [max(5, len(name) + 2) for name, _ in columns]
    header = f"{'key':<22} | " + " | ".join(
        f"{name + ' n':>{width}} {'P':>6} {'R':>6} {'F1':>6}" for (name, _), width in zip(columns, widths))
    lines = [header, "-" * len(header)]
    for key in dev.scores:
        scores = [report.scores[key] for _, report in columns]
        if not any(score.present for score in scores):
            continue
        cells = [f"{score.support:>{width}} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f}" if score.present
                 else f"{'-':>{width}} {'':>6} {'':>6} {'':>6}" for score, width in zip(scores, widths)]
        lines.append(f"{key:<22} | " + " | ".join(cells))
    lines.append("-" * len(header))

    def summary(name: str, value) -> str:
        return f"{name:<22} | " + " | ".join(f"{value(report):>{width + 21}}" for (_, report), width in zip(columns, widths))

    lines.append(summary("macro-F1", lambda report: f"{report.macro_f1:.3f}"))
    lines.append(summary("exact key sets", lambda report: f"{report.exact_matches}/{report.size}"))
    lines.append(summary("progressive accuracy", lambda report: f"{report.progressive_accuracy:.3f}"))
    lines.append(f"({MACRO_F1_RULE}; '-' marks a key absent from a split)")
    return "\n".join(lines)


THIN_SUPPORT = 5


def target_lines(unseen: DevsetReport) -> list[str]:
    """MEETS / MISSES for each target, measured on the unseen split."""
    weak = [f"{key} {score.f1:.3f}" for key, score in unseen.scores.items() if score.present and score.f1 < TARGET_KEY_F1]
    checks = [
        (f"unseen macro-F1 >= {TARGET_MACRO_F1}", unseen.macro_f1 >= TARGET_MACRO_F1, f"{unseen.macro_f1:.3f}"),
        (f"unseen every key F1 >= {TARGET_KEY_F1}", not weak, "below: " + ", ".join(weak) if weak else "all keys pass"),
        (f"unseen progressive accuracy >= {TARGET_PROGRESSIVE}", unseen.progressive_accuracy >= TARGET_PROGRESSIVE, f"{unseen.progressive_accuracy:.3f}"),
    ]
    lines = [f"target {name}: {'MEETS' if ok else 'MISSES'} ({detail})" for name, ok, detail in checks]
    # Context, not a target: a key with a handful of gold trials swings between F1 0 and 1 on one
    # trial, so say which keys those are and what the mean is over the rest.
    thin = {key: score for key, score in unseen.scores.items() if score.present and score.support < THIN_SUPPORT}
    if thin:
        solid = [score.f1 for key, score in unseen.scores.items() if score.present and key not in thin]
        lines.append(f"context: keys with fewer than {THIN_SUPPORT} gold trials in the unseen split: "
                     + ", ".join(f"{key} ({score.support} gold, F1 {score.f1:.3f})" for key, score in thin.items())
                     + (f"; macro-F1 over the other keys {sum(solid) / len(solid):.3f}" if solid else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON-lines corpus (.jsonl or .jsonl.gz)")
    parser.add_argument("--ctis-export", type=Path, default=DEFAULT_CTIS_EXPORT,
                        help="the CTIS portal CSV export a CTIS split labels (needed only when a CTIS split is scored)")
    parser.add_argument("--devset", type=Path, nargs="+", default=list(DEV_PATHS),
                        help="hand-labelled dev set CSVs, scored together (the dev set and the retired unseen splits)")
    parser.add_argument("--unseen", type=Path, nargs="+", default=list(UNSEEN_PATHS),
                        help="frozen unseen split CSVs, scored together (scores only)")
    parser.add_argument("--mistakes", action="store_true", help="list the dev-set trials classified differently (never the unseen ones)")
    args = parser.parse_args(argv)

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (set MSTRIALS_SHARED or pass --corpus)", file=sys.stderr)
        return 2
    ctis_splits = [path for path in args.unseen if is_ctis_split(path)]
    if ctis_splits and not args.ctis_export.exists():
        print(f"CTIS export not found: {args.ctis_export}, needed by the CTIS split {', '.join(p.name for p in ctis_splits)} "
              "(set MSTRIALS_SHARED, pass --ctis-export, or leave the split out with --unseen)", file=sys.stderr)
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

    # CTIS numbers and NCT ids cannot collide, so one mapping serves every split.
    ctis_studies = ctis_split_studies(args.ctis_export) if ctis_splits else {}
    unseen_studies = {**by_id, **ctis_studies}
    report = evaluate([label for path in args.devset for label in load_devset(path)], by_id, classify_study)
    unseen_parts = {path.name: evaluate(load_devset(path), unseen_studies, classify_study) for path in args.unseen}
    unseen = evaluate([label for path in args.unseen for label in load_devset(path)], unseen_studies, classify_study)
    ctis_parts = {path.stem.removeprefix('mechanism_unseen_'): unseen_parts[path.name] for path in ctis_splits}

    names = " + ".join(f"{name} ({part.size})" for name, part in unseen_parts.items())
    dev_names = " + ".join(path.name for path in args.devset)
    print(f"vocabulary {vocabulary_hash()[:12]}  dev {dev_names} ({report.size})  unseen {names}")
    print(side_by_side(report, unseen, ctis_parts))
    for path in args.unseen:
        part = unseen_parts[path.name]
        source = f"CTIS export {args.ctis_export.name}" if is_ctis_split(path) else "corpus"
        print(f"  unseen part {path.name} ({source}): macro-F1 {part.macro_f1:.3f}, exact {part.exact_matches}/{part.size}, "
              f"progressive {part.progressive_accuracy:.3f}")
    for path in ctis_splits:
        numbers = [label.nct_id for label in load_devset(path)]
        judged_ms = sum(is_ms_study(ctis_studies[number]) for number in numbers)
        print(f"  {path.name}: the product's MS check keeps {judged_ms}/{len(numbers)} of its trials "
              "(a trial it leaves out gets no labels in the app)")
    print()
    for line in target_lines(unseen):
        print(line)
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
