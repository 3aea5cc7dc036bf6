"""Which targets come first and how many are in each state: the orderings and counts pages and exports show.

One place, so the overview, the comparison page, the barometer image and the deck never disagree about
what "worst first" means.
"""

from __future__ import annotations

import pandas as pd

from indicators.vocabulary import STATUSES


def status_rank(rows: pd.DataFrame, method: str) -> pd.Series:
    """Each row's position in the method's statuses, worst first (0 = worst)."""
    return rows[f"status_{method}"].astype(str).map({s: i for i, s in enumerate(STATUSES[method])})


def worst_first(rows: pd.DataFrame, method: str, *, by_area: bool = True) -> pd.DataFrame:
    """Rows worst status first, then furthest behind time; with `by_area`, grouped by area, the area in the
    worst state first (rows of one area stay together)."""
    ordered = rows.assign(_rank=status_rank(rows, method))
    keys = ["_rank", "gap_pp"]
    if by_area:
        ordered = ordered.assign(_area_rank=ordered["_rank"].groupby(ordered["area"]).transform("mean"))
        keys = ["_area_rank", "area", *keys]
    ordered = ordered.sort_values(keys, na_position="last", kind="stable")
    return ordered.drop(columns=[c for c in ("_area_rank", "_rank") if c in ordered.columns])


def status_counts(rows: pd.DataFrame, method: str) -> dict[str, int]:
    """How many rows are in each of the method's statuses (every status present, worst first)."""
    found = rows[f"status_{method}"].astype(str).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES[method]}


def provisional_counts(rows: pd.DataFrame, method: str) -> dict[str, int]:
    """Of each status's rows, how many rest on a within-year figure (§8.5: a roll-up says how many are provisional)."""
    provisional = rows["provisional"].astype(bool) if "provisional" in rows.columns else pd.Series(False, index=rows.index)
    found = rows.loc[provisional, f"status_{method}"].astype(str).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES[method]}
