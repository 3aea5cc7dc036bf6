"""`explain`: fill each result row's zh/en reason template with its formatted figures, vectorised."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from indicators.progress.reason_texts import CASE_FIELDS, decode_case, reason_sentences
from indicators.progress.rules import ASSESSABILITY, PERCENT_UNITS
from indicators.vocabulary import ANTICIPATED_STATUSES, BAROMETER_STATUSES, RATIO_STATUSES

# ---------------------------------------------------------------------------
# Reasons
#
# Rows fall into a few dozen categories (which sentences apply, which status, which
# edge rule). Each category gets one Chinese and one English template, built once from
# the sentence fragments (reason_texts); numbers are formatted once per column
# (vectorised over the rows that use them); then each row is one `str.format` call per
# language.
# ---------------------------------------------------------------------------

_MISSING_TEXT = "—"  # shown where a figure is null


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _compile(sentences: list[tuple[str, str]]) -> tuple[str, str, list[str]]:
    """Join sentences; turn {name} into positional {i}; list the names in that order."""
    zh = "；".join(z for z, _ in sentences) + "。"
    # English reasons take the English unit (" enterprises", "%"), spaced by the unit's own text.
    en = "; ".join(e for _, e in sentences).replace(" {unit}", "{unit_en}").replace("{unit}", "{unit_en}") + "."
    names: list[str] = []
    for name in _PLACEHOLDER.findall(zh + en):
        if name not in names:
            names.append(name)
    order = {name: i for i, name in enumerate(names)}

    def positional(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: "{" + str(order[m.group(1)]) + "}", text)

    return positional(zh), positional(en), names


# Placeholder → (result column, scale, format). Numbers are rounded to the shown
# decimals and each distinct value is formatted once.
_NUMBER_FIELDS: dict[str, tuple[str, float, str]] = {
    "latest": ("latest_value", 1.0, "{:.2f}"),
    "target": ("target", 1.0, "{:.2f}"),
    "base_value": ("base_value", 1.0, "{:.2f}"),
    "base_year": ("base_year", 1.0, "{:.0f}"),
    "eff_base_year": ("effective_base_year", 1.0, "{:.0f}"),
    "latest_year": ("latest_year", 1.0, "{:.0f}"),
    "target_year": ("target_year", 1.0, "{:.0f}"),
    "time": ("time_progress", 100.0, "{:.1f}"),
    "completion": ("completion_progress", 100.0, "{:.1f}"),
    "completion_geo": ("completion_progress_geometric", 100.0, "{:.1f}"),
    "gap": ("gap_pp", 1.0, "{:.2f}"),  # shown as a magnitude: the words say behind / ahead
    "bar_target": ("bar_progress_target", 1.0, "{:.2f}"),
    "shortfall": ("bar_shortfall", 100.0, "{:.1f}"),
    "observed": ("ratio_observed_rate", 1.0, "{:.2f}"),
    "observed_signed": ("ratio_observed_rate", 1.0, "{:+.2f}"),
    "required_rate": ("ratio_required_rate", 1.0, "{:.3f}"),
    "ratio": ("ratio", 1.0, "{:.2f}"),
    "projected": ("projected_value", 1.0, "{:.2f}"),
    "projected_linear": ("projected_value_linear", 1.0, "{:.2f}"),
    "p": ("ant_p", 1.0, "{:.2f}"),
    "required": ("required_annual_rate", 1.0, "{:.2f}"),
    "change": ("required_annual_change", 1.0, "{:.2f}"),  # shown as a magnitude: the words say up / down
    "change_units": ("required_annual_change", 1.0, "{:g}"),  # a count: 350, 2.5
    "delta": ("target_delta", 1.0, "{:g}"),
    "latest_month": ("latest_month", 1.0, "{:.0f}"),
    "judged_from": ("judged_from", 1.0, "{:.0f}"),
    "history_end": ("judged_from", 1.0, "{:.0f}"),  # less one year, below
    "last_failed_year": ("maintain_last_failed_year", 1.0, "{:.0f}"),
    "last_failed_value": ("maintain_last_failed_value", 1.0, "{:.2f}"),
    "remaining": ("remaining_years", 1.0, "{:g}"),
    "n_points": ("n_points", 1.0, "{:.0f}"),
    "missing_year": ("first_missing_rate_year", 1.0, "{:.0f}"),
    "tolerance": ("tolerance_pp", 1.0, "{:.0f}"),
    "failed_year": ("maintain_first_failed_year", 1.0, "{:.0f}"),
    "failed_value": ("maintain_first_failed_value", 1.0, "{:.2f}"),
    "failed_count": ("maintain_failed_years", 1.0, "{:.0f}"),
}
_DECIMALS = re.compile(r"\.(\d)f")
# Values in the indicator's own terms: shown at its catalogue decimals ("11900家", not "11900.00家") when the
# specs carry a `decimals` column; the template's decimals otherwise.
_LEVEL_FIELDS = frozenset({"latest", "target", "base_value", "bar_target", "projected", "projected_linear",
                           "last_failed_value", "failed_value", "threshold"})
_MAGNITUDES = frozenset({"gap", "change", "change_units"})  # the sentence's words carry the sign


def _number_text(values: np.ndarray, template: str, rows: np.ndarray) -> np.ndarray:
    """Text of `values` at `rows` ("—" for nulls), each distinct shown value formatted once."""
    out = np.full(len(values), _MISSING_TEXT, dtype=object)
    rows = rows[~np.isnan(values[rows])]
    if len(rows):
        decimals = _DECIMALS.search(template)
        chosen = np.round(values[rows], int(decimals.group(1)) if decimals else 2) + 0.0  # no "-0.00"
        uniq, inverse = np.unique(chosen, return_inverse=True)
        out[rows] = np.array(list(map(template.format, uniq.tolist())), dtype=object)[inverse.ravel()]
    return out


def explain(results: pd.DataFrame) -> pd.DataFrame:
    """Add explanation_zh / explanation_en: one short sentence per method, joined.

    Each sentence names the method, its inputs and the threshold crossed, e.g.
    "晴雨表：2023年累计下降7.33%，进度目标8.97%（几何路径），差距18.3%，超过10% → 红灯".
    """
    n = len(results)
    zh = np.full(n, "", dtype=object)
    en = np.full(n, "", dtype=object)
    if n:
        col = _ColumnReader(results)
        cases, which = np.unique(_case_keys(col), return_inverse=True)
        which = which.ravel()
        compiled = [_compile(reason_sentences(decode_case(int(k)))) for k in cases]
        order = np.argsort(which, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(which[order])) + 1)
        texts = _field_texts(col, compiled, groups)
        for (zh_t, en_t, names), rows in zip(compiled, groups, strict=True):
            args = [texts[name][rows] for name in names]
            zh[rows] = list(map(zh_t.format, *args)) if names else zh_t
            en[rows] = list(map(en_t.format, *args)) if names else en_t
    return results.assign(
        explanation_zh=_str_series(zh, results.index), explanation_en=_str_series(en, results.index)
    )


def _str_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    """A pandas "str" column; through Arrow when available (10× faster for long text)."""
    try:
        import pyarrow as pa
    except ImportError:  # pandas then stores str in Python objects
        return pd.Series(values, index=index, dtype=object).astype("str")
    text = pa.array(values.tolist(), type=pa.large_string())  # from a list: faster than from numpy
    return pd.Series(pd.array(text, dtype="str"), index=index)


def _field_texts(
    col: _ColumnReader, compiled: list[tuple[str, str, list[str]]], groups: list[np.ndarray]
) -> dict[str, np.ndarray]:
    """Text of every placeholder, formatted only for the rows whose template uses it."""
    used: dict[str, list[np.ndarray]] = {}
    for (_, _, names), rows in zip(compiled, groups, strict=True):
        for name in names:
            used.setdefault(name, []).append(rows)
    texts: dict[str, np.ndarray] = {}
    for name, parts in used.items():
        rows = np.sort(np.concatenate(parts))
        if name in _NUMBER_FIELDS:
            column, scale, template = _NUMBER_FIELDS[name]
            values = col(column) * scale
            if name in _MAGNITUDES:
                values = np.abs(values)
            elif name == "history_end":
                values = values - 1.0
            texts[name] = _level_text(col, values, template, rows) if name in _LEVEL_FIELDS else \
                _number_text(values, template, rows)
        elif name == "threshold":
            texts[name] = _level_text(col, col("target") - col("tolerance_pp"), "{:.2f}", rows)
    texts.update(_when_texts(col))
    texts["unit"] = _unit_texts(col)
    texts["unit_en"] = _unit_en_texts(col, texts["unit"])
    if used.keys() & {"about_zh", "about_en", "delta_unit", "delta_unit_en"}:
        texts.update(_about_and_delta_texts(col, texts["unit"]))
    return texts


def _level_text(col: _ColumnReader, values: np.ndarray, template: str, rows: np.ndarray) -> np.ndarray:
    """`values` at each row's own decimals (the `decimals` spec column), else at the template's."""
    if "decimals" not in col.r.columns:
        return _number_text(values, template, rows)
    decimals = col("decimals")
    out = np.full(len(values), _MISSING_TEXT, dtype=object)
    known = rows[~np.isnan(decimals[rows])]
    for digits in np.unique(decimals[known]).tolist():
        chosen = known[decimals[known] == digits]
        out[chosen] = _number_text(values, "{:." + str(int(digits)) + "f}", chosen)[chosen]
    unknown = rows[np.isnan(decimals[rows])]
    out[unknown] = _number_text(values, template, unknown)[unknown]
    return out


class _ColumnReader:
    """Result columns as numpy arrays (floats for numbers and flags, objects for labels)."""

    def __init__(self, results: pd.DataFrame) -> None:
        self.r = results
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        if name not in self.cache:
            c = self.r[name]
            numeric = pd.api.types.is_numeric_dtype(c.dtype) or pd.api.types.is_bool_dtype(c.dtype)
            if numeric and not isinstance(c.dtype, pd.CategoricalDtype):
                self.cache[name] = c.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                self.cache[name] = c.astype(object).to_numpy()
        return self.cache[name]

    def flag(self, name: str) -> np.ndarray:
        return self(name) == 1.0

    def codes(self, name: str, labels: tuple[str, ...]) -> np.ndarray:
        """Positions of a label column's values in `labels` (categorical codes when they match)."""
        c = self.r[name]
        if isinstance(c.dtype, pd.CategoricalDtype) and tuple(c.cat.categories) == labels:
            return c.cat.codes.to_numpy().astype(np.int64)
        return pd.Index(labels).get_indexer(c.astype(object)).astype(np.int64)


def _case_keys(col: _ColumnReader) -> np.ndarray:
    """One integer per row naming its category (mixed radix over CASE_FIELDS)."""
    maintain = np.where(
        col.flag("is_maintain"),
        np.where(col.flag("met"), 1, np.where(col.flag("maintain_latest_failed"), 2, 3)),
        0,
    )
    provisional = np.where(col.flag("provisional"), np.where(col.flag("met"), 2, 1), 0)
    digits = {
        "why": col.codes("assessability", ASSESSABILITY),
        "reduction": col.flag("is_reduction"),
        # with fewer than two points the "base" is the only point: no note about it
        "base_missing": col.flag("base_year_missing") & (col("n_points") >= 2),
        "zero_substituted": col.flag("zero_substituted"),
        "completion": ~np.isnan(col("completion_progress")),
        "behind": col("gap_pp") < 0,
        "maintain": maintain,
        "barometer": col.codes("status_barometer", BAROMETER_STATUSES),
        "shortfall_known": ~np.isnan(col("bar_shortfall")),
        "ratio": col.codes("status_ratio", RATIO_STATUSES),
        "ratio_known": ~np.isnan(col("ratio")),
        "opposite": col.flag("opposite_sign") | col.flag("target_opposite_sign"),
        "anticipated": col.codes("status_anticipated", ANTICIPATED_STATUSES),
        "p_known": ~np.isnan(col("ant_p")),
        "required": col("change_form"),
        "change_down": col("required_annual_change") < 0,
        "down": col.flag("is_reduction") | (col("direction") == "lower"),
        "provisional": provisional,
        "base_met": np.where(col.flag("base_met"), np.where(col.flag("met"), 1, 2), 0),
        "relative": col.flag("is_relative") & ~col.flag("target_pending"),
        "clipped": col.flag("projection_clipped"),
        "history": np.where(col.flag("is_maintain") & (col("effective_base_year") < col("judged_from")),
                            np.where(col("effective_base_year") == col("judged_from") - 1, 1, 2), 0),
        "tolerance": col("tolerance_pp") > 0,
        "judged": np.where(col.flag("maintain_judged_stand_in"), 2, col("judged_from") == col("latest_year")),
    }
    key = np.zeros(len(col.r), dtype=np.int64)
    for name, radix in CASE_FIELDS:
        key = key * radix + np.asarray(digits[name], dtype=np.int64)
    return key


def _when_texts(col: _ColumnReader) -> dict[str, np.ndarray]:
    """"2023年" / "2024年1—6月" and "2023" / "2024 (months 1–6)" for the latest figure."""
    year, month = col("latest_year"), col("latest_month")
    code = np.where(np.isnan(year), -1, np.nan_to_num(year) * 100 + np.nan_to_num(month, nan=0))
    uniq, inverse = np.unique(code, return_inverse=True)
    zh, en = [], []
    for v in uniq.tolist():
        y, m = divmod(int(v), 100) if v >= 0 else (None, 0)
        zh.append(_MISSING_TEXT if y is None else f"{y}年" + (f"1—{m}月" if m else ""))
        en.append(_MISSING_TEXT if y is None else f"{y}" + (f" (months 1–{m})" if m else ""))
    inverse = inverse.ravel()
    return {"when_zh": np.array(zh, dtype=object)[inverse], "when_en": np.array(en, dtype=object)[inverse]}


def _about_and_delta_texts(col: _ColumnReader, unit: np.ndarray) -> dict[str, np.ndarray]:
    """"左右" / "about " for a target "about" a value (§8.6); a relative target's unit of change ("个百分点")."""
    about = col.flag("about")
    percent = np.isin(unit, list(PERCENT_UNITS))
    return {
        "about_zh": np.where(about, "左右", ""),
        "about_en": np.where(about, "about ", ""),
        "delta_unit": np.where(percent, "个百分点", unit),
        "delta_unit_en": np.where(percent, "percentage points", np.char.strip(_unit_en_texts(col, unit).astype(str))),
    }


def _unit_texts(col: _ColumnReader) -> np.ndarray:
    """The spec's unit after level values ("" when not given)."""
    if "unit" not in col.r.columns:
        return np.full(len(col.r), "", dtype=object)
    units = col.r["unit"].astype(object).to_numpy()
    return np.array(["" if u is None or u != u else str(u) for u in units.tolist()], dtype=object)


def _unit_en_texts(col: _ColumnReader, unit: np.ndarray) -> np.ndarray:
    """The English unit after values: "%" as is, a word with a space before it (" enterprises"); the spec's
    `unit_en` when given, else its unit."""
    english = col.r["unit_en"].astype(object).to_numpy() if "unit_en" in col.r.columns else np.full(len(col.r), None)
    out = []
    for u, e in zip(unit.tolist(), english.tolist(), strict=True):
        text = str(e) if e is not None and e == e and str(e).strip() else u
        out.append(text if text in PERCENT_UNITS or text == "" else " " + text)
    return np.array(out, dtype=object)
