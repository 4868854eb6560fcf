"""Quality metrics for the mechanism classifier, and the hand-labelled dev set they run on.

The dev set (tests/devset/mechanism_devset.csv) holds real corpus trials labelled by people who
read each record: `nct_id,mechanisms,progressive,why` with mechanisms joined by "|". The test
suite and scripts/bench_classify.py both score the classifier with these functions.

The unseen split (tests/devset/mechanism_unseen.csv, same columns) holds labels that rules are
never tuned on. Each batch of newly read trials was split at random before the next round of
rule changes (stratified by key set and progressive flag; seed 20251201 for the first batch of
371, 20251202 for the second of 91): about half went into the unseen file, the rest joined the
dev set. Only the unseen scores are looked at, never its individual mistakes. Later rounds are
whole frozen files (UNSEEN_PATHS), the oldest of which are retired into dev in turn
(RETIRED_UNSEEN_PATHS); the CTIS round labels EU registry trials by CTIS number, and its
studies come from the registry's CSV export through the product's CTIS reading path.

Macro-F1 is the usual one for multi-label sets, computed per split: the mean F1 over the keys
that occur in that split's gold labels or predictions. A key with neither (no trial of the split
carries it and none is predicted) is left out of the mean instead of counting as 0; a key that
is predicted but never gold scores F1 0 (precision 0, recall undefined and taken as 0), so a
spurious key still pulls the mean down. MACRO_F1_RULE says this in words for reports.
"""
from __future__ import annotations

import csv
import gzip
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mstrials.labels.vocabulary import MECHANISM_KEYS
from mstrials.sources.ctis_files import is_ctis_number

DEVSET_PATH = Path(__file__).resolve().parent.parent.parent / "tests" / "devset" / "mechanism_devset.csv"
UNSEEN_PATH = DEVSET_PATH.with_name("mechanism_unseen.csv")
# Round 2: written by a labeller who never saw the rules or their output (odd last NCT digit only).
UNSEEN_R2_PATH = DEVSET_PATH.with_name("mechanism_unseen_r2.csv")
UNSEEN_R3_PATH = DEVSET_PATH.with_name("mechanism_unseen_r3.csv")
# Round 4: the last odd-digit corpus trials with a drug, plus a seeded draw; the corpus has no rare-key trials left.
UNSEEN_R4_PATH = DEVSET_PATH.with_name("mechanism_unseen_r4.csv")
# Round 5 (corpus): a seeded draw of 170 of the last 310 unlabelled odd-digit corpus trials, labelled
# from the records and the contract only; almost all are non-drug or observational studies.
UNSEEN_R5_PATH = DEVSET_PATH.with_name("mechanism_unseen_r5.csv")
# Round 1 was scored in four rounds of rule changes, then retired into the dev set (2026-12-02):
# its mistakes may be read and learned from, so it no longer says how the rules do on new trials.
# Round 2 followed (2026-12-02), after it had been scored in rule rounds 3-6: the oldest frozen
# split then, retired by age, not by how it scored. Round 3 followed (2026-12-02), after it had been
# scored in rule rounds 4-7: again the oldest frozen split, retired by age. It was also the
# lowest-scoring corpus split (it held most of the rare-key trials), so retiring it raises the
# unseen estimate: the rise says which trials are left, not that the rules got better. Rounds 4-5
# and the CTIS round stay frozen and unread. Retiring the oldest split, not the newest or the
# best-looking, keeps the unseen estimate on the splits tuned against least.
RETIRED_UNSEEN_PATHS = (UNSEEN_PATH, UNSEEN_R2_PATH, UNSEEN_R3_PATH)
DEV_PATHS = (DEVSET_PATH, *RETIRED_UNSEEN_PATHS)
# Round 5: every trial of the EU CTIS portal export (a new pool; the corpus has no unread rare-key
# trials left). Its id column holds CTIS trial numbers, and its studies are the CSV's rows read the
# way the product reads them (ctis_split_studies), not corpus studies.
UNSEEN_CTIS_PATH = DEVSET_PATH.with_name("mechanism_unseen_ctis.csv")
CTIS_SPLIT_PATHS = (UNSEEN_CTIS_PATH,)
UNSEEN_PATHS = (UNSEEN_R4_PATH, UNSEEN_R5_PATH, UNSEEN_CTIS_PATH)
# The unseen splits whose studies are in the ClinicalTrials.gov corpus.
CORPUS_UNSEEN_PATHS = tuple(path for path in UNSEEN_PATHS if path not in CTIS_SPLIT_PATHS)
# The CTIS export the CTIS split labels, beside the repository (never committed).
CTIS_EXPORT_NAME = "ctis_ms_trials_2025-09-24.csv"
DEVSET_COLUMNS = ("nct_id", "mechanisms", "progressive", "why")
# EDSS-window texts: the dev texts, and the frozen unseen rounds, each written by someone who never
# opened the parser (bench_eligibility.py scores them; a new round's file is added here).
EDSS_DEV_FILES = ("eligibility_edss_dev.jsonl",)
EDSS_UNSEEN_FILES = ("eligibility_edss_unseen.jsonl", "eligibility_edss_unseen_r2.jsonl", "eligibility_edss_unseen_r3.jsonl",
                     "eligibility_edss_unseen_r4.jsonl", "eligibility_edss_unseen_r5.jsonl",
                     "eligibility_edss_unseen_r6.jsonl")
# The other eligibility themes (MS types, prior anti-CD20, prior stem-cell transplant, relapse-free
# months, steroid-free days) on written criteria texts: 120 texts split 60/60 with
# random.Random(20261203) before any rule change. The unseen file is scored as totals only.
THEMES_DEV_FILES = ("eligibility_themes_dev.jsonl",)
THEMES_UNSEEN_FILES = ("eligibility_themes_unseen.jsonl",)
THEMES_FIELDS = ("ms_types_included", "ms_types_excluded", "prior_anti_cd20_excluded",
                 "prior_stem_cell_transplant_excluded", "relapse_free_months", "steroid_free_days")



MACRO_F1_RULE = (
    "macro-F1 = mean F1 over the keys present in the split (gold or predicted); "
    "keys with neither are left out, a key predicted but never gold scores 0"
)


class DevsetError(ValueError):
    """The dev-set file is malformed."""


@dataclass(frozen=True)
class DevLabel:
    nct_id: str
    mechanisms: frozenset[str]
    progressive: bool
    why: str


@dataclass(frozen=True)
class KeyScore:
    key: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def support(self) -> int:
        """How many gold labels carry the key."""
        return self.true_positives + self.false_negatives

    @property
    def present(self) -> bool:
        """The key appears in the gold labels or in the predictions."""
        return self.true_positives + self.false_positives + self.false_negatives > 0


def is_ctis_split(path: str | Path) -> bool:
    """Whether a split's id column holds CTIS trial numbers (CTIS_SPLIT_PATHS) rather than NCT ids."""
    resolved = Path(path).resolve()
    return any(resolved == split.resolve() for split in CTIS_SPLIT_PATHS)


def load_devset(path: str | Path = DEVSET_PATH, ctis: bool | None = None) -> list[DevLabel]:
    """Read and validate the dev set (unknown keys, bad booleans and duplicates are errors).
    Ids must be NCT ids, or CTIS trial numbers (YYYY-5NNNNN-NN-NN) in a CTIS split: `ctis`,
    by default whether `path` is one of CTIS_SPLIT_PATHS."""
    ctis = is_ctis_split(path) if ctis is None else ctis
    labels: list[DevLabel] = []
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != DEVSET_COLUMNS:
            raise DevsetError(f"{path}: columns must be {','.join(DEVSET_COLUMNS)}, found {reader.fieldnames}")
        for line_number, row in enumerate(reader, start=2):
            nct_id = (row["nct_id"] or "").strip()
            keys = frozenset(key.strip() for key in (row["mechanisms"] or "").split("|") if key.strip())
            unknown = sorted(keys - set(MECHANISM_KEYS))
            progressive = (row["progressive"] or "").strip().lower()
            if ctis and not is_ctis_number(nct_id):
                raise DevsetError(f"{path}:{line_number}: bad CTIS trial number {nct_id!r} (a CTIS split)")
            if not ctis and not nct_id.startswith("NCT"):
                raise DevsetError(f"{path}:{line_number}: bad nct_id {nct_id!r}")
            if nct_id in seen:
                raise DevsetError(f"{path}:{line_number}: {nct_id} is labelled twice")
            if not keys or unknown:
                raise DevsetError(f"{path}:{line_number}: mechanisms must be known keys joined by '|' (unknown: {unknown})")
            if progressive not in ("true", "false"):
                raise DevsetError(f"{path}:{line_number}: progressive must be true or false")
            seen.add(nct_id)
            labels.append(DevLabel(nct_id, keys, progressive == "true", (row["why"] or "").strip()))
    return labels


def key_scores(gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], keys: Sequence[str] = MECHANISM_KEYS) -> dict[str, KeyScore]:
    """Per-key true/false positives and false negatives over paired label sets."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    counts = {key: [0, 0, 0] for key in keys}
    for gold_keys, predicted_keys in zip(gold, predicted):
        gold_set, predicted_set = set(gold_keys), set(predicted_keys)
        for key in keys:
            if key in gold_set and key in predicted_set:
                counts[key][0] += 1
            elif key in predicted_set:
                counts[key][1] += 1
            elif key in gold_set:
                counts[key][2] += 1
    return {key: KeyScore(key, *values) for key, values in counts.items()}


def macro_f1(scores: Mapping[str, KeyScore]) -> float:
    """Mean F1 over the keys that appear in the gold labels or the predictions (MACRO_F1_RULE)."""
    present = [score.f1 for score in scores.values() if score.present]
    return sum(present) / len(present) if present else 0.0


def accuracy(gold: Sequence[bool], predicted: Sequence[bool]) -> float:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    return sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0


@dataclass(frozen=True)
class Mistake:
    nct_id: str
    gold: frozenset[str]
    predicted: frozenset[str]
    gold_progressive: bool
    predicted_progressive: bool
    why: str


@dataclass(frozen=True)
class DevsetReport:
    scores: dict[str, KeyScore]
    macro_f1: float
    progressive_accuracy: float
    size: int
    mistakes: tuple[Mistake, ...]

    @property
    def exact_matches(self) -> int:
        """Trials whose predicted key set equals the gold key set."""
        return self.size - sum(mistake.gold != mistake.predicted for mistake in self.mistakes)

    def table(self) -> str:
        lines = [f"{'key':<22} {'support':>7} {'precision':>9} {'recall':>7} {'f1':>6}"]
        for key, score in self.scores.items():
            if score.present:
                lines.append(f"{key:<22} {score.support:>7} {score.precision:>9.3f} {score.recall:>7.3f} {score.f1:>6.3f}")
        lines.append(f"macro-F1 {self.macro_f1:.3f} | progressive accuracy {self.progressive_accuracy:.3f} | {self.size} trials")
        return "\n".join(lines)


def evaluate(
    labels: Sequence[DevLabel],
    studies: Mapping[str, Any],
    classify: Callable[[Any], Any],
) -> DevsetReport:
    """Score `classify` (returning an object with .mechanisms and .progressive) on the dev set.
    Every labelled trial must be present in `studies` (nct_id -> raw study)."""
    missing = [label.nct_id for label in labels if label.nct_id not in studies]
    if missing:
        raise KeyError(f"dev-set trials missing from the corpus: {', '.join(missing)}")
    predictions = [classify(studies[label.nct_id]) for label in labels]
    predicted_keys = [frozenset(prediction.mechanisms) for prediction in predictions]
    scores = key_scores([label.mechanisms for label in labels], predicted_keys)
    mistakes = tuple(
        Mistake(label.nct_id, label.mechanisms, keys, label.progressive, bool(prediction.progressive), label.why)
        for label, keys, prediction in zip(labels, predicted_keys, predictions)
        if keys != label.mechanisms or bool(prediction.progressive) != label.progressive
    )
    return DevsetReport(
        scores=scores,
        macro_f1=macro_f1(scores),
        progressive_accuracy=accuracy([label.progressive for label in labels], [bool(p.progressive) for p in predictions]),
        size=len(labels),
        mistakes=mistakes,
    )


def iter_corpus(path: str | Path) -> Iterator[dict]:
    """Studies of a JSON-lines corpus (optionally gzip-compressed), one dict per line."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def corpus_by_id(path: str | Path) -> dict[str, dict]:
    studies = {}
    for study in iter_corpus(path):
        nct_id = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
        if nct_id:
            studies[nct_id] = study
    return studies


def ctis_split_studies(export: str | Path, warn: Callable[[str], None] | None = None) -> dict[str, dict]:
    """The trials of a CTIS file as the product reads them, by trial number: the import's reader
    (refresh.ctis_download: each trial at its highest resubmission) and the v2 view the classifier
    reads (registries.v2_view). Rows the reader skips are reported through `warn` (default stderr)."""
    # Imported here: the store's modules are only needed by a bench that scores a CTIS split.
    from mstrials.sources.registries import v2_view
    from mstrials.store.refresh import ctis_download

    studies: dict[str, dict] = {}
    for item in ctis_download(Path(export), warn or (lambda line: print(line, file=sys.stderr))):
        view = v2_view(item.parsed())
        if view.trial_id is not None:
            studies[view.trial_id] = view.study
    return studies


# -- eligibility themes on written criteria texts ----------------------------------------------

@dataclass(frozen=True)
class ThemesMistake:
    criteria: str
    field: str
    gold: Any
    predicted: Any


@dataclass(frozen=True)
class ThemesReport:
    """Per-field exact accuracy of the theme readers over labelled criteria texts."""

    size: int
    right: dict[str, int]  # field -> texts whose value equals the label exactly
    all_exact: int  # texts with every field right
    mistakes: tuple[ThemesMistake, ...]

    def accuracy(self, field: str) -> float:
        return self.right[field] / self.size if self.size else 0.0


def _comparable(field: str, value: Any) -> Any:
    # MS types are ordered tuples in the themes and lists in the files; both compare as tuples.
    if field.startswith("ms_types_"):
        return tuple(value or ())
    return value


def load_themes_rows(path: str | Path) -> list[dict]:
    """Rows of a themes devset file: every field present, types from MS_TYPES, bools/ints/None as the contract says."""
    from mstrials.labels.eligibility.ms_types import MS_TYPES

    rows = []
    for line_number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if set(row) != {"criteria", *THEMES_FIELDS}:
            raise DevsetError(f"{path}:{line_number}: keys must be criteria and {', '.join(THEMES_FIELDS)}")
        if not isinstance(row["criteria"], str) or not row["criteria"].strip():
            raise DevsetError(f"{path}:{line_number}: criteria must be a text")
        for field in ("ms_types_included", "ms_types_excluded"):
            if not isinstance(row[field], list) or list(row[field]) != [kind for kind in MS_TYPES if kind in row[field]]:
                raise DevsetError(f"{path}:{line_number}: {field} must list MS_TYPES keys in their order")
        if set(row["ms_types_included"]) & set(row["ms_types_excluded"]):
            raise DevsetError(f"{path}:{line_number}: a type cannot be both included and excluded")
        for field in ("prior_anti_cd20_excluded", "prior_stem_cell_transplant_excluded"):
            if row[field] not in (True, False, None):
                raise DevsetError(f"{path}:{line_number}: {field} must be true, false or null")
        for field in ("relapse_free_months", "steroid_free_days"):
            value = row[field]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise DevsetError(f"{path}:{line_number}: {field} must be a positive whole number or null")
        rows.append(row)
    return rows


def score_themes(rows: Sequence[Mapping[str, Any]], read: Callable[[str], Mapping[str, Any]]) -> ThemesReport:
    """Score `read` (criteria text -> theme values, as themes_from_text gives them) field by field."""
    right = dict.fromkeys(THEMES_FIELDS, 0)
    all_exact = 0
    mistakes: list[ThemesMistake] = []
    for row in rows:
        predicted = read(row["criteria"])
        exact = True
        for field in THEMES_FIELDS:
            gold, got = _comparable(field, row[field]), _comparable(field, predicted.get(field))
            if gold == got:
                right[field] += 1
            else:
                exact = False
                mistakes.append(ThemesMistake(row["criteria"], field, gold, got))
        all_exact += exact
    return ThemesReport(len(rows), right, all_exact, tuple(mistakes))
