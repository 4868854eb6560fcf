"""One row per trial in the app's frame: the cache's rows of one trial in several registries, joined.

The grouping is store/linking.py's (keys only, never titles). Here it is applied to the frame as
it is loaded: each group keeps its primary row (ClinicalTrials.gov where there is one), empty
fields filled from the group's other rows, plus `registry_ids`, `registries` (names), `registry_keys`
("ctgov", "ctis": what the Registry filter and the address use) and `possibly_same`
(ids of trials of the other registry with a very close title, offered on the trial page).
"""
from __future__ import annotations

import pandas as pd

from mstrials.markup_safety import REGISTRY_NAMES, registry_of_id
from mstrials.store.linking import group_ids, group_registries, link_groups, possibly_same, record_of_row

LINK_COLUMNS: tuple[str, ...] = ("registry", "registry_ids", "protocol_code")


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype(object).eq("")


def link_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows of the studies table) with one row per trial and the registry columns added."""
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return frame.assign(registry_ids=pd.Series(dtype=object), registries=pd.Series(dtype=object),
                            registry_keys=pd.Series(dtype=object), possibly_same=pd.Series(dtype=object))
    wanted = ["nct_id", *(c for c in (*LINK_COLUMNS, "title", "official_title", "mechanisms") if c in frame.columns)]
    records = [record_of_row(row) for row in frame[wanted].to_dict("records")]
    groups = link_groups(records)
    hints = possibly_same(records, groups)
    merged = [group for group in groups if len(group) > 1]  # few: most trials are in one registry
    filled: dict[tuple[int, str], object] = {}
    for group in merged:
        rows = frame.iloc[group].to_dict("records")
        for column, value in rows[0].items():
            if _empty(value):
                donor = next((row[column] for row in rows[1:] if not _empty(row[column])), None)
                if donor is not None:
                    filled[(group[0], column)] = donor
    primaries = [group[0] for group in groups]
    linked = frame.iloc[primaries].copy() if merged else frame.copy()
    for (index, column), value in filled.items():
        linked.at[index, column] = value
    linked = linked.reset_index(drop=True)
    members = [[records[i] for i in group] for group in groups]
    linked["registry_ids"] = ["|".join(group_ids(m)) for m in members]
    linked["registries"] = ["|".join(group_registries(m)) for m in members]
    key_of_name = {name: key for key, name in REGISTRY_NAMES.items()}
    linked["registry_keys"] = ["|".join(key_of_name[n] for n in names.split("|")) for names in linked["registries"]]
    linked["possibly_same"] = ["|".join(hints.get(records[g[0]].trial_id, ())) for g in groups]
    return linked


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def fill_registry_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that did not come through `link_frame` (hand-made frames) get their registry from their id."""
    keys = frame["nct_id"].map(lambda trial_id: registry_of_id(trial_id) or "ctgov")
    missing = _blank(frame["registry_keys"])
    if missing.any():
        frame.loc[missing, "registry_keys"] = keys[missing]
        frame.loc[missing & _blank(frame["registries"]), "registries"] = keys[missing].map(REGISTRY_NAMES)
        frame.loc[missing & _blank(frame["registry_ids"]), "registry_ids"] = frame["nct_id"][missing]
    frame["possibly_same"] = frame["possibly_same"].where(~_blank(frame["possibly_same"]), "")
    return frame


def row_keys(frame: pd.DataFrame) -> dict[str, str]:
    """Every id of every row (its key and its other registries' numbers) -> the row's key: the change
    history is kept per registry record, the app shows it per trial."""
    keys = {}
    for key, joined in zip(frame["nct_id"], frame["registry_ids"].fillna("")):
        for trial_id in (*joined.split("|"), key):
            if trial_id:
                keys.setdefault(trial_id, key)
    return keys
