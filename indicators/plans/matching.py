"""A candidate's name → the catalogue indicator it measures, or None with the closest names as suggestions.

The plan's own words are tried first as the catalogue spells them (name_zh, aliases, with the verb for a
reduction: "单位地区生产总值能源消耗" + "降低"); a reduction or a target set elsewhere for an intensity maps to the
cumulative reduction built on that intensity (co2_intensity → co2_intensity_reduction). Only then a close
spelling of the same kind and unit; anything less certain is left to the reviewer as suggestions.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from indicators.catalogue import Catalogue, Indicator, match_key
from indicators.plans.extract import REDUCTION_VERBS, Candidate

MATCH_CUTOFF = 0.72  # difflib ratio from which a same-kind, same-unit name is taken as the indicator
SUGGESTION_CUTOFF = 0.45  # below this a catalogue name is not worth offering
SUGGESTIONS = 3
NAME_SUFFIXES = ("", "数量", "率", "比重")
PERCENT_UNITS = ("%", "个百分点")


def _reduction_of(catalogue: Catalogue, indicator: Indicator) -> Indicator | None:
    return next((i for i in catalogue.indicators.values() if i.inputs and indicator.id in (i.inputs.level, i.inputs.annual_rate)), None)


def _units_agree(candidate: Candidate, indicator: Indicator) -> bool:
    if candidate.unit is None:
        return True
    if candidate.unit in PERCENT_UNITS:
        return indicator.unit.strip() in ("%", "％")
    return candidate.unit == indicator.unit


def _fits(candidate: Candidate, indicator: Indicator) -> bool:
    reduction = candidate.kind == "cumulative_reduction"
    return reduction == (indicator.kind == "cumulative_reduction") and _units_agree(candidate, indicator)


def match_candidate(catalogue: Catalogue, candidate: Candidate) -> Candidate:
    """The candidate with `indicator` set, or None and `suggestions` (catalogue names, closest first)."""
    forms = catalogue.indicator_forms()
    name = match_key(candidate.name_zh)
    tries = [name + suffix for suffix in NAME_SUFFIXES] + [name + verb for verb in REDUCTION_VERBS]
    for key in tries:
        found = forms.get(key)
        if found is None:
            continue
        indicator = catalogue.indicators[found]
        if candidate.kind == "cumulative_reduction" and indicator.kind != "cumulative_reduction":
            indicator = _reduction_of(catalogue, indicator) or indicator
        if _fits(candidate, indicator):
            return replace(candidate, indicator=indicator.id, suggestions=())
    scored = sorted(((difflib.SequenceMatcher(None, name, form).ratio(), ind_id) for form, ind_id in forms.items()), reverse=True)
    for ratio, ind_id in scored:
        if ratio < MATCH_CUTOFF:
            break
        if _fits(candidate, catalogue.indicators[ind_id]):
            return replace(candidate, indicator=ind_id, suggestions=())
    names = [catalogue.indicators[i].name_zh for r, i in scored if r >= SUGGESTION_CUTOFF]
    return replace(candidate, indicator=None, suggestions=tuple(dict.fromkeys(names))[:SUGGESTIONS])


def match_candidates(catalogue: Catalogue, candidates: list[Candidate]) -> list[Candidate]:
    return [match_candidate(catalogue, c) for c in candidates]
