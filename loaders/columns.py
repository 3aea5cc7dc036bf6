"""Whole-column helpers for the importer's hot path: work once per distinct cell value, spread the result at C speed.

A template column of 200,000 cells holds a few dozen distinct region names, indicator names, years or
units. Each column is turned into integer codes once (a dict pass); a function is applied per distinct
value and the results are spread back with a numpy take, where a Python call per cell would cost seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import TypeAlias, cast

import numpy as np
import pandas as pd

Column: TypeAlias = Sequence[object] | pd.Series | np.ndarray


def as_list(values: Column) -> list[object]:
    if isinstance(values, pd.Series | np.ndarray):
        return values.tolist()
    return list(values)


def is_null(value: object) -> bool:
    """None, NaN or pd.NA: a cell with nothing in it (blank text is judged separately)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def is_blank(value: object) -> bool:
    return is_null(value) or (isinstance(value, str) and not value.strip())


def objects(items: Sequence[object]) -> np.ndarray:
    """A 1-d object array of the items, even when they are tuples (numpy would otherwise make those a dimension)."""
    if not any(isinstance(v, tuple | list) for v in items[:1]):
        array = np.array(items, dtype=object)
        if array.ndim == 1:
            return array
    return np.fromiter(items, dtype=object, count=len(items))


def codes(values: Column) -> tuple[np.ndarray, list[object]]:
    """(code of each cell, distinct values in order of first appearance): values[i] == distinct[code[i]]."""
    seq = as_list(values)
    distinct = list(dict.fromkeys(seq))
    if len(distinct) <= 1:  # a constant column (all blank notes, one source): no second pass
        return np.zeros(len(seq), dtype=np.intp), distinct
    index = {u: k for k, u in enumerate(distinct)}
    return np.fromiter(map(index.__getitem__, seq), dtype=np.intp, count=len(seq)), distinct


class Coded:
    """A column as integer codes into its distinct values: one dict pass, then every question is a numpy take."""

    def __init__(self, where: np.ndarray, distinct: list[object]) -> None:
        self.where, self.distinct = where, distinct

    @classmethod
    def of(cls, values: Column) -> Coded:
        return cls(*codes(values))

    def map(self, func: Callable[[object], object], missing: object = None) -> np.ndarray:
        """func(value) per cell (called once per distinct value) as an object array; null cells give `missing`."""
        results = objects([missing if is_null(u) else func(u) for u in self.distinct])
        return results[self.where] if len(results) else np.empty(0, dtype=object)

    def blank(self) -> np.ndarray:
        """True where the cell is None, NaN or text of spaces."""
        return np.array([is_blank(u) for u in self.distinct], dtype=bool)[self.where] if self.distinct else np.zeros(0, bool)

    def recode(self, func: Callable[[object], object]) -> Coded:
        """func(value) per cell, as a Coded column itself: func is called once per distinct value, no pass over the cells."""
        results = [None if is_null(u) else func(u) for u in self.distinct]
        distinct = list(dict.fromkeys(results))
        index = {v: k for k, v in enumerate(distinct)}
        remap = np.array([index[r] for r in results], dtype=np.intp)
        return Coded(remap[self.where] if len(remap) else self.where, distinct)

    def take(self, mask: np.ndarray) -> Coded:
        return Coded(self.where[mask], self.distinct)

    def values(self) -> np.ndarray:
        return objects(self.distinct)[self.where] if self.distinct else np.empty(0, dtype=object)


MAX_COMBINATION_SHARE = 0.25  # coding columns together pays while their distinct combinations stay this few
SAMPLE_ROWS = 4096  # rows looked at to tell the few-valued columns from the many-valued ones
ALONE_SHARE = 0.05  # a column with more distinct values than this share of the sample is coded on its own


def code_rows(rows: Sequence[Sequence[object]], positions: Sequence[int]) -> list[Coded]:
    """The columns at `positions` of each row, coded through their distinct combinations: one pass over the rows.

    A template's text columns (region, indicator, unit, status, source, note) have few combinations, since each
    indicator has one unit and a file one source; each column is then coded from the combinations alone. A column
    with many values of its own (a source naming the month, a note per row) would make every row a combination of
    its own, so a sample of the first rows picks those out and codes them alone, the others still together.
    Gives exactly what Coded.of gives per column (distinct values in order of first appearance).
    """
    if not positions:
        return []
    if len(positions) == 1 or not rows:
        return [Coded.of(list(map(itemgetter(p), rows))) for p in positions]
    sample = rows[:SAMPLE_ROWS]
    alone = {p for p in positions if len(dict.fromkeys(map(itemgetter(p), sample))) > ALONE_SHARE * len(sample)}
    together = list(dict.fromkeys(p for p in positions if p not in alone))
    coded = {p: Coded.of(list(map(itemgetter(p), rows))) for p in dict.fromkeys(positions) if p in alone}
    coded |= dict(zip(together, _code_together(rows, together), strict=True))
    return [coded[p] for p in positions]


def _code_together(rows: Sequence[Sequence[object]], positions: list[int]) -> list[Coded]:
    """The columns at `positions` coded through their distinct combinations (each alone if those are too many)."""
    if len(positions) < 2:
        return [Coded.of(list(map(itemgetter(p), rows))) for p in positions]
    where, combinations = codes(list(map(itemgetter(*positions), rows)))
    if len(combinations) > MAX_COMBINATION_SHARE * len(rows):
        return [Coded.of(list(map(itemgetter(p), rows))) for p in positions]
    coded = []
    for k in range(len(positions)):
        per_combination = Coded.of([cast(tuple, combination)[k] for combination in combinations])
        coded.append(Coded(per_combination.where[where], per_combination.distinct))
    return coded


_TYPE_OF = np.frompyfunc(type, 1, 1)  # type() over an object array without a Python frame per cell


def of_type(values: np.ndarray, *kinds: type) -> np.ndarray:
    """True where a cell's type is exactly one of `kinds` (so a bool is not an int here)."""
    mask = np.zeros(len(values), dtype=bool)
    if len(values):
        found = _TYPE_OF(values)
        for kind in kinds:
            mask |= found == kind  # elementwise: an array of types compared with one type
    return mask


def lookup(values: Column, func: Callable[[object], object], missing: object = None) -> np.ndarray:
    """func(v) for every cell as an object array, calling func once per distinct value; null cells give `missing`."""
    return Coded.of(values).map(func, missing)


def floats(values: np.ndarray) -> np.ndarray:
    """An object array of numbers and None as float64 (None → NaN)."""
    out = np.full(len(values), np.nan)
    present = ~pd.isna(values)
    out[present] = values[present].astype("float64")
    return out


def frame(data: Mapping[str, object], n: int, columns: list[str]) -> pd.DataFrame:
    """A DataFrame whose text columns stay object dtype (pandas 3 would infer its Arrow string dtype, then every
    later step converts back): scalars are broadcast to n rows, arrays are used as they are."""
    series = {}
    for name in columns:
        value = data[name]
        if isinstance(value, pd.api.extensions.ExtensionArray) or (isinstance(value, np.ndarray) and value.dtype != object):
            series[name] = pd.Series(value, copy=False)
        elif isinstance(value, np.ndarray):
            series[name] = pd.Series(value, dtype=object, copy=False)
        elif isinstance(value, list):
            series[name] = pd.Series(objects(value), dtype=object, copy=False)
        else:
            series[name] = pd.Series(np.full(n, value, dtype=object), dtype=object, copy=False)
    return pd.DataFrame(series, columns=columns, copy=False)
