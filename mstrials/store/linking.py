"""One row per trial across registries: which stored records describe the same trial.

Pure functions over small `LinkRecord`s (no I/O). Records are linked only by keys:
- NCT ids: a study's own, its aliases, and NCT numbers a CTIS record lists;
- EU numbers, found by their pattern in any secondary id whatever its `type` or `domain` says
  (ClinicalTrials.gov records often file them as OTHER, and sometimes drop the resubmission block:
  `2022-501332-42` stands for CTIS `2022-501332-42-00`), and EudraCT numbers;
- the sponsor's protocol code (ClinicalTrials.gov `orgStudyIdInfo.id` ↔ CTIS "Protocol code"),
  compared without case, spaces or dashes, and only between records of different registries.
Titles never link records: two very close titles only give a "possibly the same trial" hint.
A group that would put two ClinicalTrials.gov studies into one row is not merged.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from mstrials.markup_safety import REGISTRY_NAMES, is_ctis_number, is_nct_id

CTGOV, CTIS = "ctgov", "ctis"
_NCT = re.compile(r"NCT[0-9]{8}", re.ASCII)
# A CTIS number (with or without its resubmission block) or a EudraCT number, inside any id text.
_EU_NUMBER = re.compile(r"(?<![0-9])([0-9]{4}-[0-9]{6}-[0-9]{2})(-[0-9]{2})?(?![0-9])", re.ASCII)
_PROTOCOL_NOISE = re.compile(r"[\s\-\u2010-\u2015_./]+")
_PROTOCOL_BLANKS = {"na", "n/a", "none", "notapplicable", "unknown"}
TITLE_CLOSENESS = 0.8  # share of distinct title words in common (Jaccard) for a "possibly the same" hint
_TITLE_WORD = re.compile(r"[^\W_]{3,}")


@dataclass(frozen=True)
class LinkRecord:
    trial_id: str  # the cache key: NCT id or CTIS number
    registry: str  # "ctgov" or "ctis"
    ids: tuple[str, ...] = ()  # every id the record states, its own first
    protocol: str | None = None  # the sponsor's protocol code as written
    titles: tuple[str, ...] = ()
    mechanisms: frozenset[str] = frozenset()  # what the trial tests, as mechanism keys (empty: unknown)


# --- what one record states -----------------------------------------------------------------

def _texts(values: Iterable[Any]) -> list[str]:
    return [value for value in values if isinstance(value, str)]


def stated_ids(study: Any, trial_id: str) -> list[str]:
    """The ids a v2-shaped study states: its key first, then NCT ids (aliases included), CTIS and
    EudraCT numbers found by pattern in its secondary ids, in order, each once."""
    identification = study.get("protocolSection", {}).get("identificationModule", {}) if isinstance(study, dict) else {}
    identification = identification if isinstance(identification, dict) else {}
    found = [trial_id]
    own = identification.get("nctId")
    if is_nct_id(own):
        found.append(own)
    aliases = identification.get("nctIdAliases")
    found += [alias for alias in _texts(aliases if isinstance(aliases, list) else []) if is_nct_id(alias)]
    secondary = identification.get("secondaryIdInfos")
    for info in secondary if isinstance(secondary, list) else []:
        text = info.get("id") if isinstance(info, dict) else None
        if not isinstance(text, str):
            continue
        found += _NCT.findall(text)
        for match in _EU_NUMBER.finditer(text):
            found.append(match.group(0))
    return list(dict.fromkeys(found))


def stated_protocol(study: Any) -> str | None:
    """The sponsor's protocol code (`orgStudyIdInfo.id`) as written, if any."""
    try:
        code = study["protocolSection"]["identificationModule"]["orgStudyIdInfo"]["id"]
    except (KeyError, TypeError):
        return None
    return code.strip() or None if isinstance(code, str) else None


def protocol_key(code: object) -> str | None:
    """A protocol code compared without case, spaces or dashes; None when it is blank, "N/A" or too
    short or digit-free to tell trials apart (such codes would join unrelated trials)."""
    if not isinstance(code, str):
        return None
    key = _PROTOCOL_NOISE.sub("", code.casefold())
    if key in _PROTOCOL_BLANKS or len(key) < 5 or not any(ch.isdigit() for ch in key):
        return None
    return key


def eu_key(number: str) -> str | None:
    """An EU number without its resubmission block: the part a short-form mention shares."""
    match = _EU_NUMBER.fullmatch(number)
    return match.group(1) if match else None


def _keys(record: LinkRecord) -> set[str]:
    keys = set()
    for value in record.ids:
        if is_nct_id(value):
            keys.add("nct:" + value)
        elif (short := eu_key(value)) is not None:
            keys.add("eu:" + short)
    return keys


# --- grouping --------------------------------------------------------------------------------

class _Groups:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _primary_order(records: Sequence[LinkRecord], index: int) -> tuple:
    record = records[index]
    # ClinicalTrials.gov first (its fields win), then the highest CTIS resubmission.
    return (record.registry != CTGOV, record.trial_id[:-3] if record.registry == CTIS else record.trial_id,
            tuple(-ord(ch) for ch in record.trial_id[-2:]))


def link_groups(records: Sequence[LinkRecord]) -> list[list[int]]:
    """Indices of the records that are one trial, primary (the row's id and fields) first; every
    record is in exactly one group, groups in the order of their first record."""
    groups = _Groups(len(records))
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in _keys(record):
            by_key[key].append(index)
    for members in by_key.values():
        for other in members[1:]:
            groups.join(members[0], other)
    by_protocol: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, record in enumerate(records):
        key = protocol_key(record.protocol)
        if key is not None:
            by_protocol[key][record.registry].append(index)
    for per_registry in by_protocol.values():
        ctgov, ctis = per_registry.get(CTGOV, []), per_registry.get(CTIS, [])
        # Only an unambiguous pair: one study each side (CTIS resubmissions of one trial count once).
        if len(ctgov) == 1 and ctis and len({records[i].trial_id[:-3] for i in ctis}) == 1:
            for index in ctis:
                groups.join(ctgov[0], index)
    members_of: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        members_of[groups.find(index)].append(index)
    result = []
    for members in members_of.values():
        ctis_trials = {records[i].trial_id[:-3] for i in members if records[i].registry == CTIS}
        if sum(records[i].registry == CTGOV for i in members) > 1 or len(ctis_trials) > 1:
            # Two ClinicalTrials.gov studies, or two CTIS trials (not resubmissions of one), are never one row:
            # a record naming two others' numbers says they are related, not that they are one trial.
            result += [[i] for i in members]
        else:
            result.append(sorted(members, key=lambda i: _primary_order(records, i)))
    return sorted(result, key=min)


def group_ids(records: Sequence[LinkRecord]) -> list[str]:
    """A group's ids for `registry_ids`: NCT ids, then CTIS numbers, then EudraCT numbers; a short-form
    mention is left out when the full CTIS number is there."""
    stated = [value for record in records for value in (record.trial_id, *record.ids)]
    nct = [v for v in stated if is_nct_id(v)]
    ctis = [v for v in stated if is_ctis_number(v)]
    full_prefixes = {number[:-3] for number in ctis}
    others = [v for v in stated if eu_key(v) and not is_ctis_number(v) and v not in full_prefixes]
    return list(dict.fromkeys([*nct, *ctis, *others]))


def group_registries(records: Sequence[LinkRecord]) -> list[str]:
    present = {record.registry for record in records}
    return [REGISTRY_NAMES[name] for name in REGISTRY_NAMES if name in present]


# --- hints -----------------------------------------------------------------------------------

def _title_words(text: str) -> frozenset[str]:
    return frozenset(_TITLE_WORD.findall(text.casefold()))


def possibly_same(records: Sequence[LinkRecord], groups: Sequence[Sequence[int]],
                  closeness: float = TITLE_CLOSENESS) -> dict[str, list[str]]:
    """Primary id of a group -> primary ids of groups from the other registry whose titles are very
    close, for CTIS trials no key linked to a ClinicalTrials.gov study. Only a hint, never a merge.

    Exact for the Jaccard bound, without comparing every pair: two word sets with Jaccard >= t share
    at least t·|A| words, so a candidate must hold one of the |A| - ceil(t·|A|) + 1 rarest words of A
    (prefix filtering); rare words have short posting lists."""
    hints: dict[str, list[str]] = defaultdict(list)
    word_sets: list[list[frozenset[str]]] = []
    registries_of: list[set[str]] = []
    for group in groups:
        registries_of.append({records[i].registry for i in group})
        word_sets.append([w for i in group for t in records[i].titles if t and (w := _title_words(t))])
    postings: dict[str, list[int]] = defaultdict(list)  # word -> ClinicalTrials.gov groups whose titles hold it
    for number, sets in enumerate(word_sets):
        if registries_of[number] == {CTGOV}:
            for word in set().union(*sets) if sets else ():
                postings[word].append(number)
    for number, sets in enumerate(word_sets):
        if registries_of[number] != {CTIS}:
            continue  # hints are for CTIS trials no key linked
        candidates: set[int] = set()
        for words in sets:
            rare_first = sorted(words, key=lambda word: (len(postings.get(word, ())), word))
            prefix = len(words) - math.ceil(closeness * len(words)) + 1
            for word in rare_first[:prefix]:
                candidates.update(postings.get(word, ()))
        mine_tests = _tested_mechanisms(records, groups[number])
        for other in sorted(candidates):
            theirs_tests = _tested_mechanisms(records, groups[other])
            if mine_tests and theirs_tests and not mine_tests & theirs_tests:
                continue  # phase 3 titles are boilerplate: trials of different kinds of drug are not one trial
            # Jaccard >= t needs t·|A| <= |B| <= |A|/t: a cheap test before intersecting.
            pairs = [(a, b) for a in sets for b in word_sets[other]
                     if closeness * len(a) <= len(b) <= len(a) / closeness]
            if pairs and max(len(a & b) / len(a | b) for a, b in pairs) >= closeness:
                mine, theirs = records[groups[number][0]].trial_id, records[groups[other][0]].trial_id
                hints[mine].append(theirs)
                hints[theirs].append(mine)
    return {key: list(dict.fromkeys(values)) for key, values in hints.items()}


# "other" and "non_drug" say too little about what is tested to tell two trials apart.
_UNINFORMATIVE_MECHANISMS = frozenset({"other", "non_drug"})


def _tested_mechanisms(records: Sequence[LinkRecord], group: Sequence[int]) -> frozenset[str]:
    return frozenset().union(*(records[i].mechanisms for i in group)) - _UNINFORMATIVE_MECHANISMS


# --- rows --------------------------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def record_of_row(row: dict, id_field: str = "nct_id") -> LinkRecord:
    """A cache row (studies columns) as what linking reads."""
    trial_id = row[id_field]
    stated = row.get("registry_ids")
    return LinkRecord(
        trial_id=trial_id,
        registry=row.get("registry") or CTGOV,
        ids=tuple(v for v in stated.split("|") if v) if isinstance(stated, str) else (trial_id,),
        protocol=row.get("protocol_code") if isinstance(row.get("protocol_code"), str) else None,
        titles=tuple(t for t in (row.get("title"), row.get("official_title")) if isinstance(t, str) and t),
        mechanisms=frozenset(m for m in row["mechanisms"].split("|") if m)
        if isinstance(row.get("mechanisms"), str) else frozenset(),
    )


def merge_rows(rows: Sequence[dict], id_field: str = "nct_id") -> list[dict]:
    """One row per trial: each group's primary row (ClinicalTrials.gov where there is one) with its
    empty fields filled from the group's other rows in order, and `registry_ids` / `registries`
    ("|"-joined) for the whole group. Rows come out in the order of their group's first row."""
    records = [record_of_row(row, id_field) for row in rows]
    merged = []
    for group in link_groups(records):
        row = dict(rows[group[0]])
        for index in group[1:]:
            for key, value in rows[index].items():
                if _empty(row.get(key)) and not _empty(value):
                    row[key] = value
        members = [records[i] for i in group]
        row["registry_ids"] = "|".join(group_ids(members))
        row["registries"] = "|".join(group_registries(members))
        merged.append(row)
    return merged
