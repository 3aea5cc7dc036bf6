"""A briefing's files: the deck, and optionally every chart and the barometer as PNG, from one browser.

Used by `python -m indicators brief` and the pages' export buttons (through ui/exports.py).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from indicators.briefing.collect import Briefing
from indicators.briefing.deck import build_deck, slide_total
from indicators.briefing.images import ImageSession
from indicators.errors import InvalidArgument, UserError
from indicators.tabular_files import titled_csv_bytes, titled_xlsx_bytes

DECK_SUFFIX = ".pptx"
BAROMETER_FILE = "00_barometer.png"  # sorts first beside the charts '01_…png'


@dataclass(frozen=True)
class BriefFiles:
    deck: Path
    slides: int
    images: list[Path]


def render_images(briefing: Briefing, session: ImageSession) -> tuple[list[bytes], bytes]:
    """Every target's chart and the barometer, in one batch through an open session."""
    pngs = session.render(briefing.images())
    return pngs[:-1], pngs[-1]


def deck_bytes(briefing: Briefing, session: ImageSession | None = None) -> bytes:
    """The deck as bytes (for a download button); opens a browser unless a session is given."""
    if session is None:
        with ImageSession() as own:
            return deck_bytes(briefing, own)
    charts, _ = render_images(briefing, session)
    return build_deck(briefing, charts)


def barometer_png(briefing: Briefing) -> bytes:
    with ImageSession() as session:
        return session.render([briefing.barometer_image])[0]


def chart_png(briefing: Briefing, indicator: str) -> bytes:
    """One target's chart, as on its slide."""
    for target in briefing.targets:
        if target.row["indicator"] == indicator:
            with ImageSession() as session:
                return session.render([target.image])[0]
    raise UserError(f"本次汇报中没有指标“{indicator}”。/ Indicator '{indicator}' is not in this briefing.")


def chart_csv(briefing: Briefing, indicator: str) -> bytes:
    """The data behind one target's chart, as CSV with its title lines."""
    for target in briefing.targets:
        if target.row["indicator"] == indicator:
            return titled_csv_bytes(target.data.title_lines, target.data.frame)
    raise UserError(f"本次汇报中没有指标“{indicator}”。/ Indicator '{indicator}' is not in this briefing.")


def briefing_xlsx(briefing: Briefing) -> bytes:
    """The data behind every chart of the deck: the barometer, then one sheet per target, in the deck's order."""
    tables = [briefing.barometer_data, *(t.data for t in briefing.targets)]
    return titled_xlsx_bytes([(table.sheet, table.title_lines, table.frame) for table in tables])


def write_data(briefing: Briefing, out: Path) -> None:
    """The data behind every chart (briefing_xlsx) to `out`, whole or not at all."""
    write_file(out, briefing_xlsx(briefing), ".xlsx")


def write_file(out: Path, data: bytes, suffix: str) -> None:
    """`data` to `out` (which must end in `suffix`), whole or not at all."""
    if out.suffix.lower() != suffix:
        raise InvalidArgument(f"输出文件须以 {suffix} 结尾：{out} / The output must be a {suffix} file.")
    try:
        _write_atomic(out, data)
    except OSError as exc:
        raise UserError(f"无法写入文件：{exc.filename or out}（{exc.strerror}）。/ Cannot write the file: {exc}") from exc


def slide_count(briefing: Briefing) -> int:
    """Cover, the summary slide(s), one per target, sources."""
    return slide_total(briefing)


def write_brief(briefing: Briefing, out: Path, png_dir: Path | None = None, session: ImageSession | None = None) -> BriefFiles:
    """Write the deck to `out` (and the PNGs to `png_dir`); files appear whole or not at all."""
    if out.suffix.lower() != DECK_SUFFIX:
        raise InvalidArgument(f"输出文件须以 {DECK_SUFFIX} 结尾：{out} / The output must be a {DECK_SUFFIX} file.")
    if session is None:
        with ImageSession() as own:
            return write_brief(briefing, out, png_dir, own)
    charts, barometer = render_images(briefing, session)
    deck = build_deck(briefing, charts)
    images: list[Path] = []
    try:
        _write_atomic(out, deck)
        if png_dir is not None:
            named = [(f"{t.file_stem}.png", png) for t, png in zip(briefing.targets, charts, strict=True)]
            for name, data in [(BAROMETER_FILE, barometer), *named]:
                _write_atomic(png_dir / name, data)
                images.append(png_dir / name)
    except OSError as exc:
        raise UserError(f"无法写入文件：{exc.filename or out}（{exc.strerror}）。/ Cannot write the file: {exc}") from exc
    return BriefFiles(deck=out, slides=slide_count(briefing), images=images)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a file. (Not mkstemp: its files are
    private to the owner, and a deck is meant to be shared; this one follows the umask.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with temporary.open("xb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
