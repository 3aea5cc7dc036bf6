"""Briefing benchmark: seconds per slide for the decks of every target of both plans, browser warm.

Starting Chromium costs seconds once per export; what grows with a plan is the work per slide
(drawing a chart through kaleido, laying out the slide). So the export browser is started and warmed
with one image first, then both plans' decks (17 target slides, 23 slides in all) are written
through it, REPEATS times; the median is reported. Goal: at most 0.5 s a slide.

Run: .venv/bin/python bench/bench_brief.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indicators.briefing.collect import collect_briefing  # noqa: E402
from indicators.briefing.files import slide_count, write_brief  # noqa: E402
from indicators.briefing.images import ImageSession  # noqa: E402
from indicators.catalogue import load_catalogue  # noqa: E402
from indicators.store import Store  # noqa: E402
from loaders.demo import seed_demo_if_first_run  # noqa: E402

REPEATS = 3  # runs of both decks; the median is reported
GOAL_S_PER_SLIDE = 0.5


def main() -> None:
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.duckdb")
        store.initialise(catalogue)
        seed_demo_if_first_run(store, catalogue)
        started = time.perf_counter()
        with ImageSession() as session:
            session.render([collect_briefing(catalogue, store, plan_id=next(iter(catalogue.plans))).barometer_image])
            warm = time.perf_counter() - started
            runs, slides, targets = [], 0, 0
            for _ in range(REPEATS):
                began = time.perf_counter()
                slides = targets = 0
                for plan_id in catalogue.plans:
                    briefing = collect_briefing(catalogue, store, plan_id=plan_id)
                    write_brief(briefing, Path(folder) / f"{plan_id}.pptx", session=session)
                    slides += slide_count(briefing)
                    targets += len(briefing.targets)
                runs.append(time.perf_counter() - began)
    elapsed = statistics.median(runs)
    per_slide = elapsed / slides
    print(f"browser start + first image: {warm:.1f} s (once per export)")
    print(f"both decks: {slides} slides ({targets} target slides with a chart), median of {REPEATS}: {elapsed:.2f} s")
    print(f"seconds per slide (browser warm): {per_slide:.3f} s/slide "
          f"({elapsed / targets:.3f} s per target slide) — goal ≤ {GOAL_S_PER_SLIDE} s/slide: "
          f"{'met' if per_slide <= GOAL_S_PER_SLIDE else 'NOT met'}")


if __name__ == "__main__":
    main()
