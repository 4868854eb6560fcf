"""Drug classes: the finer layer under the mechanism keys (data/drug_classes.toml).

A mechanism says what a drug aims at ("B cells"); a class says what kind of drug it is
("BTK inhibitor", "anti-CD20 antibody"), which is what advocates compare. Each class sits under
one or more mechanism keys and lists its members' generic names, brands and code names.

`classes_from_evidence(evidence)` assigns classes from the classifier's mechanism evidence, so
only the interventions the classifier judged *investigational* count (comparators, background
therapy and premedication were already removed there). An evidence item gives a class when the
class sits under that item's mechanism key and the matched vocabulary entry (or, failing that,
the intervention's name) names a member of the class. Matching reuses the classifier's
normalisation and its one-misspelling tolerance for single-word names of 7+ letters.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from mstrials.labels.vocabulary import MECHANISM_KEYS, TermIndex, TermMatch, normalise_text

DEFAULT_DRUG_CLASSES_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "drug_classes.toml"

# The classifier marks evidence it read from a title with this suffix on the matched entry.
_TITLE_MARK = "[title]"


class DrugClassError(ValueError):
    """The drug-class file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Member:
    """One drug (or non-drug treatment) of a class, with every name it goes by."""

    generic: str
    brands: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.generic, *self.brands, *self.codes)


@dataclass(frozen=True)
class DrugClass:
    key: str
    label: str
    explanation: str
    mechanisms: tuple[str, ...]
    class_words: tuple[str, ...]
    members: tuple[Member, ...]


@dataclass(frozen=True, eq=False)  # identity hash: memoised look-ups are keyed on the loaded file
class DrugClasses:
    classes: dict[str, DrugClass]  # in file order, which is the display order
    sha256: str
    index: TermIndex  # every member name, keyed by the classes it belongs to

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.classes)

    def label(self, key: str) -> str:
        drug_class = self.classes.get(key)
        return drug_class.label if drug_class else key

    def under_mechanism(self, mechanism: str) -> tuple[str, ...]:
        return tuple(key for key, c in self.classes.items() if mechanism in c.mechanisms)


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise DrugClassError(f"{path}: {where} must be a list of non-empty strings")
    return tuple(value)


def _parse(data: Mapping[str, Any], path: Path, sha256: str) -> DrugClasses:
    table = data.get("classes")
    if not isinstance(table, dict) or not table:
        raise DrugClassError(f"{path}: no [classes.<key>] tables")
    classes: dict[str, DrugClass] = {}
    keys_of_name: dict[str, list[str]] = {}
    written_of_name: dict[str, str] = {}
    for key, entry in table.items():
        where = f"classes.{key}"
        if not isinstance(entry, dict):
            raise DrugClassError(f"{path}: {where} must be a table")
        unknown = set(entry) - {"label", "explanation", "mechanisms", "class_words", "members"}
        if unknown:
            raise DrugClassError(f"{path}: {where} has unknown field(s) {', '.join(sorted(unknown))}")
        for text_field in ("label", "explanation"):
            if not isinstance(entry.get(text_field), str) or not entry[text_field].strip():
                raise DrugClassError(f"{path}: {where}.{text_field} must be a non-empty string")
        mechanisms = _strings(entry.get("mechanisms"), f"{where}.mechanisms", path)
        if not mechanisms or set(mechanisms) - set(MECHANISM_KEYS):
            raise DrugClassError(f"{path}: {where}.mechanisms must name mechanism keys from mechanisms.md")
        members = []
        for position, item in enumerate(entry.get("members") or []):
            item_where = f"{where}.members[{position}]"
            if not isinstance(item, dict) or not isinstance(item.get("generic"), str) or set(item) - {"generic", "brands", "codes"}:
                raise DrugClassError(f"{path}: {item_where} must be {{ generic = ..., brands = [...], codes = [...] }}")
            members.append(Member(item["generic"], _strings(item.get("brands"), item_where, path),
                                  _strings(item.get("codes"), item_where, path)))
        if not members:
            raise DrugClassError(f"{path}: {where} has no members")
        classes[key] = DrugClass(key, entry["label"], entry["explanation"], mechanisms,
                                 _strings(entry.get("class_words"), f"{where}.class_words", path), tuple(members))
        for member in members:
            for name in member.names:
                normalised = normalise_text(name)
                if normalised:
                    written_of_name.setdefault(normalised, name)
                    if key not in keys_of_name.setdefault(normalised, []):
                        keys_of_name[normalised].append(key)
    # One entry per normalised name, carrying every class that lists it (a name may sit in two
    # classes under different mechanisms, e.g. CNM-Au8 for repair and for mitochondria).
    index = TermIndex((written_of_name[name], tuple(keys)) for name, keys in keys_of_name.items())
    return DrugClasses(classes=classes, sha256=sha256, index=index)


def _resolve(path: str | Path | None) -> Path:
    return Path(path) if path is not None else DEFAULT_DRUG_CLASSES_PATH


def drug_classes_hash(path: str | Path | None = None) -> str:
    return hashlib.sha256(_resolve(path).read_bytes()).hexdigest()


@lru_cache(maxsize=8)
def _load(path: Path) -> DrugClasses:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DrugClassError(f"{path}: not valid TOML ({error})") from None
    return _parse(data, path, hashlib.sha256(raw).hexdigest())


def load_drug_classes(path: str | Path | None = None) -> DrugClasses:
    return _load(_resolve(path))


def _matches(text: str, vocabulary: DrugClasses) -> list[TermMatch]:
    words = normalise_text(text).split()
    return vocabulary.index.find(words) + vocabulary.index.find_near_misses(words)


@lru_cache(maxsize=16384)
def _classes_in(text: str, mechanism: str, vocabulary: DrugClasses) -> tuple[str, ...]:
    """Class keys of `mechanism` named in one evidence text; a pure function of its arguments,
    and the same evidence ("Ocrelizumab" ~ ocrelizumab) recurs across studies: remembered."""
    found = []
    for match in _matches(text, vocabulary):
        for key in match.keys:
            if mechanism in vocabulary.classes[key].mechanisms and key not in found:
                # Plain words of non-drug programmes are not product names: no misspelling tolerance.
                if match.fuzzy and vocabulary.classes[key].mechanisms == ("non_drug",):
                    continue
                found.append(key)
    return tuple(found)


def classes_from_evidence(
    evidence: Mapping[str, Iterable[Mapping[str, str]]], vocabulary: DrugClasses | None = None
) -> tuple[str, ...]:
    """The class keys of a study, in file order, from its mechanism evidence
    ({mechanism key: [{"intervention": name, "matched": entry}, ...]})."""
    vocabulary = vocabulary or load_drug_classes()
    found: set[str] = set()
    if not isinstance(evidence, Mapping):
        return ()
    for mechanism, items in evidence.items():
        for item in items or ():
            if not isinstance(item, Mapping):
                continue
            matched = str(item.get("matched") or "").replace(_TITLE_MARK, " ")
            classes = _classes_in(matched, mechanism, vocabulary)
            if not classes:
                classes = _classes_in(str(item.get("intervention") or ""), mechanism, vocabulary)
            found.update(classes)
    return tuple(key for key in vocabulary.classes if key in found)
