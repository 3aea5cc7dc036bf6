"""Data gaps (数据缺口): for every assessed series (plan × region × target), which years have a figure, of which
data status (正式 / 修订 / 初步 / 估计, or only a within-year figure), and which are missing — the question an analyst
asks before the annual assessment.

Years run from the first year the target's series needs (the base year for a level; the year after it for annual
decline rates, which start counting after the base) to the last year any series has data for, and never past the
plan's target year. A year after the last one with any annual figure is "not due" where a series has nothing for it
yet (the year's figures are not published): only the years some series has an annual figure for can be missing.
"""

from __future__ import annotations

from typing import Literal, get_args

import pandas as pd

Cell = Literal["final", "revised", "preliminary", "estimated", "within_year", "missing", "not_due"]
CELLS: tuple[str, ...] = get_args(Cell)
# The data status (vocabulary.DATA_STATUSES) of an annual figure → its cell.
CELL_OF_STATUS = {"正式": "final", "修订": "revised", "初步": "preliminary", "估计": "estimated"}
NEEDS_ATTENTION = frozenset({"preliminary", "estimated", "within_year", "missing"})  # what an analyst chases before assessing
GAP_COLUMNS = ["series_id", "plan", "region", "indicator", "input_indicator", "year", "cell", "month", "data_status"]


def first_needed_year(spec: pd.Series | dict) -> int:
    """Annual decline rates start the year after the base; every other series needs its base year."""
    return int(spec["base_year"]) + (1 if spec["input_form"] == "annual_rate" else 0)


def gap_cells(specs: pd.DataFrame, observations: pd.DataFrame, *, last_year: int | None = None) -> pd.DataFrame:
    """One row per series × year (GAP_COLUMNS): the cell (CELLS), and for a within-year figure its latest month.

    specs: the engine's specs (status.build_inputs); observations: the store's current observations (with data
    status). last_year: the last year shown (default: the latest year any observation has)."""
    if specs.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    if last_year is None:
        last_year = int(observations["year"].max()) if not observations.empty else int(specs["base_year"].min())
    annual_years = observations.loc[observations["month"].isna(), "year"] if not observations.empty else pd.Series(dtype="int64")
    last_annual = int(annual_years.max()) if not annual_years.empty else None
    found = observations.rename(columns={"region_id": "region", "indicator_id": "input_indicator"})
    annual = found[found["month"].isna()].drop_duplicates(["region", "input_indicator", "year"], keep="last")
    monthly = (found[found["month"].notna()].sort_values("month")
               .drop_duplicates(["region", "input_indicator", "year"], keep="last"))
    annual_status = {(r, i, int(y)): str(s) for r, i, y, s in
                     zip(annual["region"], annual["input_indicator"], annual["year"], annual["status"], strict=True)}
    latest_month = {(r, i, int(y)): (int(m), str(s)) for r, i, y, m, s in
                    zip(monthly["region"], monthly["input_indicator"], monthly["year"], monthly["month"], monthly["status"],
                        strict=True)}
    rows = []
    for spec in specs.to_dict("records"):
        for year in range(first_needed_year(spec), min(last_year, int(spec["target_year"])) + 1):
            key = (spec["region"], spec["input_indicator"], year)
            status, month = annual_status.get(key), None
            if status is not None:
                cell = CELL_OF_STATUS.get(status, "final")
            elif key in latest_month:
                month, status = latest_month[key]
                cell = "within_year"
            elif last_annual is None or year > last_annual:
                cell = "not_due"
            else:
                cell = "missing"
            rows.append({"series_id": spec["series_id"], "plan": spec["plan"], "region": spec["region"],
                         "indicator": spec["indicator"], "input_indicator": spec["input_indicator"], "year": year,
                         "cell": cell, "month": month, "data_status": status})
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def gap_counts(cells: pd.DataFrame) -> dict[str, int]:
    """How many cells are in each state (every state, in CELLS order)."""
    found = cells["cell"].value_counts() if not cells.empty else pd.Series(dtype="int64")
    return {c: int(found.get(c, 0)) for c in CELLS}
