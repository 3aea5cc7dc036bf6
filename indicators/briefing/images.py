"""PNG images of plotly figures through kaleido 1.x and Debian's chromium: one browser for a whole batch.

Starting Chromium costs seconds; an image then costs a fraction of one. So callers open one
`ImageSession` for a batch (a deck's charts and its barometer) and render everything through it.

kaleido reloads its page (and plotly.js) after every image, which is most of an image's cost; our
figures leave no state behind, so the session reloads a tab only every RELOAD_EVERY images (0.12 s
instead of 0.5 s an image, measured on a 2-core machine).

Why not kaleido's own `start_sync_server`: it is a process-wide singleton whose callers share one
result queue (two Streamlit sessions exporting at once could receive each other's images), and when
the browser cannot start, its worker thread dies and every later call waits forever. This session runs
kaleido's async API on a private event loop instead, so a failure comes back as an exception within a
time limit, and a lock keeps one export browser per process (2-core machines).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import plotly.graph_objects as go

from indicators.errors import UserError

log = logging.getLogger("gtm.images")

BROWSER_TABS = 1  # with tab reloads spaced out (below) one tab keeps up; a second only competes for 2 cores
RELOAD_EVERY = 25  # images per tab between reloads (kaleido reloads after every one: 0.35 s of 0.5 s per image)
START_TIMEOUT_S = 60.0  # Chromium's first start on a cold, busy machine
IMAGE_TIMEOUT_S = 60.0  # one image; a batch gets this per image it holds
CLOSE_TIMEOUT_S = 15.0
LOCK_TIMEOUT_S = 120.0  # wait this long for another export in this process to finish
FONT_CHECK_TIMEOUT_S = 10.0
BROWSER_PATH_ENV = "BROWSER_PATH"  # kaleido's (choreographer's) override for the browser location
SETUP_HINT = "请运行 scripts/setup.sh（或 ./run.sh）安装 chromium 与 fonts-noto-cjk。/ Run scripts/setup.sh to install them."

_EXPORT_LOCK = threading.Lock()  # one export browser per process at a time


class ExportUnavailable(UserError):
    """Exports cannot run on this machine (no browser or no Chinese font); the message says what to install."""


@dataclass(frozen=True)
class ImageSpec:
    """A figure and the size to draw it at: width × height CSS pixels, times `scale` in the PNG."""

    figure: go.Figure
    width: int
    height: int
    scale: float = 2.0

    @property
    def pixel_size(self) -> tuple[int, int]:
        """The PNG's size: the browser's canvas drops the fraction (705 px × 1.5 → 1057)."""
        return int(self.width * self.scale), int(self.height * self.scale)


def _engine_class() -> type:
    """kaleido.Kaleido, reloading a tab only every RELOAD_EVERY images (kaleido 1.x, pinned: this
    overrides its tab hand-back; were that method gone, the plain class would still work, only slower)."""
    import kaleido  # imported here: only exports pay for it

    if not hasattr(kaleido.Kaleido, "_return_kaleido_tab"):
        return kaleido.Kaleido

    class SparingKaleido(kaleido.Kaleido):
        _since_reload = 0

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self._since_reload += 1
            if self._since_reload >= RELOAD_EVERY * self._n:
                self._since_reload = 0
                await super()._return_kaleido_tab(tab)  # reloads the tab, then hands it back
            else:
                await self.tabs_ready.put(tab)

    return SparingKaleido


def find_browser() -> str | None:
    """The Chromium kaleido will use: $BROWSER_PATH, else the one choreographer finds (Debian's /usr/bin/chromium)."""
    explicit = os.environ.get(BROWSER_PATH_ENV)
    if explicit:
        return explicit if os.path.exists(explicit) else None
    from choreographer.browsers.chromium import Chromium  # kaleido's own finder, so both agree

    return Chromium.find_browser(skip_local=False)


def has_chinese_font() -> bool | None:
    """True when fontconfig knows a font covering Chinese; None when that cannot be checked (no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=FONT_CHECK_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(found.stdout.strip())


def export_problem() -> str | None:
    """Why images cannot be exported here (Chinese, then English), or None when they can."""
    if find_browser() is None:
        return f"导出图片需要 Chromium 浏览器，但本机没有找到。{SETUP_HINT}\nImage export needs Chromium, which was not found."
    if has_chinese_font() is False:
        return (f"导出图片需要中文字体（fonts-noto-cjk），否则汉字会显示为方框。{SETUP_HINT}\n"
                "Image export needs a Chinese font (fonts-noto-cjk); without it Chinese renders as boxes.")
    return None


class ImageSession:
    """One headless Chromium for a batch of images: `with ImageSession() as images: images.render(specs)`."""

    def __init__(self, tabs: int = BROWSER_TABS):
        self._tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._locked = False

    def __enter__(self) -> ImageSession:
        problem = export_problem()
        if problem:
            raise ExportUnavailable(problem)
        if not _EXPORT_LOCK.acquire(timeout=LOCK_TIMEOUT_S):
            raise UserError("另一个导出正在进行，请稍后重试。/ Another export is running; retry shortly.")
        self._locked = True
        try:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="gtm-kaleido", daemon=True)
            self._thread.start()
            self._kaleido = self._call(self._open(), START_TIMEOUT_S)
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._shutdown()

    async def _open(self) -> Any:
        # mathjax=False: no LaTeX in these charts, and the default would fetch MathJax from a CDN.
        engine = _engine_class()(n=self._tabs, mathjax=False, timeout=IMAGE_TIMEOUT_S)
        await engine.__aenter__()
        return engine

    def _call(self, coroutine: Coroutine[Any, Any, Any], timeout: float) -> Any:
        if self._loop is None:
            raise RuntimeError("ImageSession is not open")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=timeout)
        except TimeoutError as exc:
            future.cancel()
            raise UserError(f"生成图片超时（{timeout:.0f}秒）。/ Rendering the images timed out ({timeout:.0f} s).") from exc

    def render(self, specs: Sequence[ImageSpec]) -> list[bytes]:
        """PNG bytes for each spec, in order; the tabs work on several images at once."""
        if not specs:
            return []
        engine = self._kaleido

        async def render_all() -> list[bytes]:
            jobs = [engine.calc_fig(spec.figure.to_dict(), opts={"format": "png", "width": spec.width,
                                                                 "height": spec.height, "scale": spec.scale})
                    for spec in specs]
            return list(await asyncio.gather(*jobs))

        return self._call(render_all(), IMAGE_TIMEOUT_S * len(specs) + START_TIMEOUT_S)

    def _shutdown(self) -> None:
        try:
            if self._kaleido is not None:
                try:
                    self._call(self._kaleido.__aexit__(None, None, None), CLOSE_TIMEOUT_S)
                except Exception:  # closing must not hide the export's own result or error
                    log.warning("closing the export browser failed", exc_info=True)
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(CLOSE_TIMEOUT_S)
            if self._loop is not None and not self._loop.is_running():
                self._loop.close()
        finally:
            self._kaleido = self._loop = self._thread = None
            if self._locked:
                self._locked = False
                _EXPORT_LOCK.release()
