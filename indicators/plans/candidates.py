"""An uploaded plan → its text and matched candidates: the one call the command line and the plans page make."""

from __future__ import annotations

from pathlib import Path

from indicators.catalogue import Catalogue
from indicators.plans.extract import Candidate, extract_candidates
from indicators.plans.matching import match_candidates
from indicators.plans.reading import read_plan_bytes, read_plan_file


def candidates_in_text(text: str, catalogue: Catalogue) -> list[Candidate]:
    """Every candidate target of a plan's text, each matched to a catalogue indicator or given suggestions."""
    return match_candidates(catalogue, extract_candidates(text))


def read_upload(data: bytes, name: str, catalogue: Catalogue) -> tuple[str, list[Candidate]]:
    """The text of an uploaded plan file and its candidates (`Candidate.start` locates each quote in the text)."""
    text = read_plan_bytes(data, name)
    return text, candidates_in_text(text, catalogue)


def read_path(path: Path, catalogue: Catalogue) -> tuple[str, list[Candidate]]:
    text = read_plan_file(path)
    return text, candidates_in_text(text, catalogue)
