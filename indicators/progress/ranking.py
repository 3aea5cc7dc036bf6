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
    """Rows worst status first, then furthest behind time; with `by_area`, grouped by area, the area whose worst
    target is in the worst state first (rows of one area stay together). Areas are ordered by their worst status,
    not their average: an all-green area never comes before one with a yellow target. Areas with the same worst
    status: the one with more targets in it first, then the lower average rank."""
    ordered = rows.assign(_rank=status_rank(rows, method))
    keys = ["_rank", "gap_pp"]
    ascending = [True, True]
    if by_area:
        by = ordered["_rank"].groupby(ordered["area"])
        worst = by.transform("min")
        ordered = ordered.assign(_area_worst=worst, _area_worst_n=(ordered["_rank"] == worst).groupby(ordered["area"]).transform("sum"),
                                 _area_mean=by.transform("mean"))
        keys = ["_area_worst", "_area_worst_n", "_area_mean", "area", *keys]
        ascending = [True, False, True, True, *ascending]
    ordered = ordered.sort_values(keys, ascending=ascending, na_position="last", kind="stable")
    return ordered.drop(columns=[c for c in ("_area_worst", "_area_worst_n", "_area_mean", "_rank") if c in ordered.columns])


def status_counts(rows: pd.DataFrame, method: str) -> dict[str, int]:
    """How many rows are in each of the method's statuses (every status present, worst first)."""
    found = rows[f"status_{method}"].astype(str).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES[method]}


def provisional_counts(rows: pd.DataFrame, method: str) -> dict[str, int]:
    """Of each status's rows, how many rest on a within-year figure (§8.5: a roll-up says how many are provisional)."""
    provisional = rows["provisional"].astype(bool) if "provisional" in rows.columns else pd.Series(False, index=rows.index)
    found = rows.loc[provisional, f"status_{method}"].astype(str).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES[method]}
