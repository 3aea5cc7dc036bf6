"""Roll-ups: counts by status of one method, mean score and severity per group (area, plan, ...)."""

from __future__ import annotations

import pandas as pd

from indicators.progress.types import check_choice
from indicators.vocabulary import METHODS, STATUSES, UNRANKED_STATUSES, Method


def rollup(results: pd.DataFrame, by: list[str], method: Method = "ratio") -> pd.DataFrame:
    """Counts by status of one method per group, mean score, worst group first.

    Severity ranks a method's statuses (worst = highest); not assessable / not set are
    counted but not ranked. `mean_score` is always the growth-rate-ratio score (the only
    method with a score), so the output names both `method` and `score_method`.
    `n_provisional` counts the statuses judged on a within-year figure (§8.5), which a
    roll-up must say it includes.
    """
    check_choice("method", method, METHODS)
    statuses = STATUSES[method]
    col = f"status_{method}"
    ranked = [s for s in statuses if s not in UNRANKED_STATUSES]
    severity = {s: float(len(ranked) - 1 - i) for i, s in enumerate(ranked)}
    provisional = results["provisional"].astype(bool) if "provisional" in results.columns else False
    frame = results[[*by, col, "score"]].assign(
        _severity=results[col].astype(object).map(severity).astype("float64"),
        _status=results[col].astype(object),
        _provisional=provisional,
    )
    counts = (
        frame.groupby([*by, "_status"], observed=True, dropna=False)
        .size()
        .unstack("_status", fill_value=0)
        .reindex(columns=list(statuses), fill_value=0)
        .add_prefix("n_")
    )
    grouped = frame.groupby(by, observed=True, dropna=False)
    summary = pd.DataFrame({
        "n": grouped.size(),
        "mean_score": grouped["score"].mean(),
        "mean_severity": grouped["_severity"].mean(),
        "n_provisional": grouped["_provisional"].sum().astype("int64"),
    })
    out = summary.join(counts, how="left").fillna({f"n_{s}": 0 for s in statuses})
    out = out.astype({f"n_{s}": "int64" for s in statuses})
    out = out.sort_values(["mean_severity", "mean_score"], ascending=[False, True], na_position="last")
    out = out.reset_index()
    out.insert(len(by), "method", method)
    out.insert(len(by) + 1, "score_method", "ratio")
    return out
