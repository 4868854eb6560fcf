"""One row per trial in the app's frame: the cache's rows of one trial in several registries, joined.

The grouping is store/linking.py's (keys only, never titles). Here it is applied to the frame as
it is loaded: each group keeps its primary row (ClinicalTrials.gov where there is one), empty
fields filled from the group's other rows, plus `registry_ids`, `registries` and `possibly_same`
(ids of trials of the other registry with a very close title, offered on the trial page).
"""
from __future__ import annotations

import pandas as pd

from mstrials.store.linking import group_ids, group_registries, link_groups, possibly_same, record_of_row

LINK_COLUMNS: tuple[str, ...] = ("registry", "registry_ids", "protocol_code")


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype(object).eq("")


def link_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows of the studies table) with one row per trial and the registry columns added."""
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return frame.assign(registry_ids=pd.Series(dtype=object), registries=pd.Series(dtype=object),
                            possibly_same=pd.Series(dtype=object))
    wanted = ["nct_id", *(c for c in (*LINK_COLUMNS, "title", "official_title") if c in frame.columns)]
    records = [record_of_row(row) for row in frame[wanted].to_dict("records")]
    groups = link_groups(records)
    hints = possibly_same(records, groups)
    primaries = [group[0] for group in groups]
    linked = frame.iloc[primaries].reset_index(drop=True)
    for position, group in enumerate(groups):
        for other in group[1:]:
            donor = frame.iloc[other]
            row = linked.iloc[position]
            gaps = [column for column in frame.columns if _blank(pd.Series([row[column]])).iloc[0]
                    and not _blank(pd.Series([donor[column]])).iloc[0]]
            for column in gaps:
                linked.at[position, column] = donor[column]
    members = [[records[i] for i in group] for group in groups]
    linked["registry_ids"] = ["|".join(group_ids(m)) for m in members]
    linked["registries"] = ["|".join(group_registries(m)) for m in members]
    linked["possibly_same"] = ["|".join(hints.get(records[g[0]].trial_id, ())) for g in groups]
    return linked
