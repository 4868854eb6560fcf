#!/usr/bin/env python3
"""Benchmark: the eligibility extractor on a 10 MB criteria text and on many ordinary texts.

The claim this backs: `extract_eligibility` reads a 10 MB criteria text in under a second (the
ingest runs it once per study, and a pathological record must not stall it), and ordinary
criteria texts at thousands per second.

The ordinary texts are the real eligibility texts in ../shared/ctgov (when present) plus
registry-style texts made up here, each made distinct so no cache can help.

Usage: python scripts/bench_eligibility.py [--count 5000] [--megabytes 10] [--scores-only] [--dev-mistakes]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
SHARED = Path(os.environ.get("MSTRIALS_SHARED", REPO_ROOT.parent / "shared")) / "ctgov"

from mstrials.labels.eligibility import extract_eligibility  # noqa: E402
from mstrials.labels.eligibility.themes import themes_from_text  # noqa: E402
from mstrials.tooling.devset_scoring import (  # noqa: E402
    EDSS_DEV_FILES,
    EDSS_UNSEEN_FILES,
    THEMES_DEV_FILES,
    THEMES_FIELDS,
    THEMES_UNSEEN_FILES,
    ThemesReport,
    load_themes_rows,
    score_themes,
)

MADE_UP = [
    "Inclusion Criteria:\n\n* Age 18 to 65 years\n* Diagnosis of SPMS per the 2017 McDonald criteria\n"
    "* EDSS score of 3.0 to 6.5, inclusive, at screening\n\nExclusion Criteria:\n\n* Diagnosis of PPMS\n"
    "* Relapse within 30 days prior to screening\n* Prior treatment with ocrelizumab or rituximab\n",
    "Key Inclusion Criteria:\n\n1. Relapsing forms of MS\n2. EDSS \\<= 5.5\n3. At least one relapse in the previous 12 months\n\n"
    "Key Exclusion Criteria:\n\n1. Systemic corticosteroids within 4 weeks\n2. History of AHSCT\n",
    "INCLUSION CRITERIA\n\n- Primary progressive MS\n- EDSS between 2,0 and 6,5\n- Disease duration less than 15 years if EDSS\n"
    "greater than 5.0\n\nEXCLUSION CRITERIA\n\n- Progressive multifocal leukoencephalopathy\n- B-cell depleting therapy at any time\n",
]


def criteria_texts() -> list[str]:
    texts = list(MADE_UP)
    for folder in ("studies", "studies_partial"):
        for path in sorted((SHARED / folder).glob("NCT*.json")):
            module = json.loads(path.read_text()).get("protocolSection", {}).get("eligibilityModule", {})
            if isinstance(module.get("eligibilityCriteria"), str):
                texts.append(module["eligibilityCriteria"])
    return texts


def study(criteria: str) -> dict:
    return {"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria, "minimumAge": "18 Years"}}}


def bench_big(megabytes: int, texts: list[str]) -> None:
    size = megabytes * 1_000_000
    joined = "\n\n".join(texts) + "\n\n"
    repeated = (joined * (size // len(joined) + 1))[:size]
    filler_line = "* Able to comply with all study visits and procedures in the opinion of the investigator.\n"
    filler = "Inclusion Criteria:\n\n" + filler_line * (size // len(filler_line)) + "* EDSS 2.0 to 6.5\n"
    for name, text in (("real and made-up criteria repeated", repeated), ("one long list, EDSS at the end", filler)):
        started = time.perf_counter()
        themes = extract_eligibility(study(text))
        seconds = time.perf_counter() - started
        print(f"{len(text) / 1e6:.1f} MB ({name}): {seconds:.3f} s  -> EDSS {themes.edss_min}-{themes.edss_max}")


def bench_many(count: int, texts: list[str]) -> None:
    # A distinct prefix per text keeps every call honest (no reuse of earlier work).
    studies = [study(f"Study {index}.\n\n" + texts[index % len(texts)]) for index in range(count)]
    started = time.perf_counter()
    for one in studies:
        extract_eligibility(one)
    seconds = time.perf_counter() - started
    average = sum(len(s["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]) for s in studies) / count
    print(f"{count} criteria texts (average {average:,.0f} characters): {seconds:.2f} s = {count / seconds:,.0f} texts/second")


DEVSET = REPO_ROOT / "tests" / "devset"
TARGET_UNSEEN_EXACT = 0.95


def bench_windows() -> None:
    """Exact EDSS-window accuracy on the written dev texts and the frozen unseen texts."""
    # The unseen split is every frozen file, each written by someone who never saw the parser; each
    # round's file is also scored alone, so a new round shows how the parser does on texts it never met.
    splits = {"dev": list(EDSS_DEV_FILES), "unseen": list(EDSS_UNSEEN_FILES)}
    for split, names in splits.items():
        right_of: dict[str, tuple[int, int]] = {}
        for name in names:
            rows = [json.loads(line) for line in (DEVSET / name).read_text().splitlines() if line.strip()]
            right = sum((themes.edss_min, themes.edss_max) == (row["edss_min"], row["edss_max"])
                        for row in rows for themes in [extract_eligibility(study(row["criteria"]))])
            right_of[name] = (right, len(rows))
        right, total = (sum(values) for values in zip(*right_of.values()))
        share = right / total
        line = f"EDSS window exact, {split} ({' + '.join(names)}): {right}/{total} ({share:.0%})"
        if split == "unseen":
            line += f"  target >= {TARGET_UNSEEN_EXACT:.0%}: {'MEETS' if share >= TARGET_UNSEEN_EXACT else 'MISSES'}"
        print(line)
        if len(names) > 1:
            for name, (part_right, part_total) in right_of.items():
                print(f"  {split} part {name}: {part_right}/{part_total} ({part_right / part_total:.0%})")


def themes_reports() -> dict[str, ThemesReport]:
    """The other themes scored on the dev texts and on the frozen unseen texts."""
    splits = {"dev": THEMES_DEV_FILES, "unseen": THEMES_UNSEEN_FILES}
    return {split: score_themes([row for name in names for row in load_themes_rows(DEVSET / name)], themes_from_text)
            for split, names in splits.items()}


def themes_table(reports: dict[str, ThemesReport]) -> str:
    """Per-field exact accuracy, one column per split (the unseen column is a total, never its items)."""
    splits = list(reports)
    lines = [f"{'theme (exact)':<38}" + "".join(f"{split:>16}" for split in splits)]
    for field in THEMES_FIELDS:
        cells = "".join(f"{f'{r.right[field]}/{r.size} ({r.accuracy(field):.0%})':>16}" for r in reports.values())
        lines.append(f"{field:<38}{cells}")
    cells = "".join(f"{f'{r.all_exact}/{r.size} ({r.all_exact / r.size:.0%})':>16}" for r in reports.values())
    lines.append(f"{'all fields exact':<38}{cells}")
    return "\n".join(lines)


def bench_themes(dev_mistakes: bool = False) -> None:
    reports = themes_reports()
    print(f"Eligibility themes, dev ({' + '.join(THEMES_DEV_FILES)}) and unseen ({' + '.join(THEMES_UNSEEN_FILES)}):")
    print(themes_table(reports))
    if dev_mistakes:  # dev only: the unseen split is never read item by item
        for mistake in reports["dev"].mistakes:
            print(f"--- {mistake.field}: gold {mistake.gold!r}, read {mistake.predicted!r}\n{mistake.criteria}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--megabytes", type=int, default=10)
    parser.add_argument("--scores-only", action="store_true", help="print the devset scores and skip the speed runs")
    parser.add_argument("--dev-mistakes", action="store_true", help="also list the themes dev mistakes (never the unseen ones)")
    args = parser.parse_args()
    bench_windows()
    bench_themes(args.dev_mistakes)
    if args.scores_only:
        return
    texts = criteria_texts()
    print(f"{len(texts)} distinct criteria texts ({len(texts) - len(MADE_UP)} real ones from {SHARED})")
    bench_big(args.megabytes, texts)
    bench_many(args.count, texts)


if __name__ == "__main__":
    main()
