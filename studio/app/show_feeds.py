"""Glue between the live layer and a running show: feeds, session log, counters, chat overlay.

The assembler (studio/app/assemble.py) calls `start_feeds` for every show, the window's and
`studio live`'s; the returned object is stopped when the show ends.

Threads: one per connector (`studio: live[NAME]`, see studio/live/runner.py) and, with
`--chat-overlay`, `studio: chat overlay`, which re-renders the chat card at most `OVERLAY_HZ` times a
second and only when a new message arrived. Names and text go through the blocklist and length caps
(studio/live/blocklist.py) before the renderer sees them, and are drawn as plain text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.live.blocklist import Blocklist, screen_line
from studio.live.counters import Counters
from studio.live.runner import LiveRunner
from studio.live.session import LiveSession
from studio.live.session_log import SessionLogError

log = get_logger("app.feeds")

OVERLAY_HZ = 4.0
OVERLAY_LINES = 6

Renderer = Callable[[list[tuple[str, str]], tuple[int, int]], tuple[Any, int, int]]

def _default_renderer() -> Renderer:
    try:
        from studio.app.show_commerce import chat_overlay_image
        from studio.commerce.overlays.qt import ensure_gui
    except ImportError as e:
        raise UserError("--chat-overlay needs the commerce overlays (studio.app.show_commerce)") from e
    ensure_gui()  # on the calling (main) thread: the QGuiApplication must not be born on the overlay thread
    return chat_overlay_image


class ChatOverlayUpdater:
    """Keeps the `chat` slot of the overlay board showing the last messages."""

    def __init__(self, session: LiveSession, board: Any, canvas_size: tuple[int, int], blocklist: Blocklist,
                 renderer: Renderer, hz: float = OVERLAY_HZ, lines: int = OVERLAY_LINES) -> None:
        self.session, self.board, self.canvas_size = session, board, canvas_size
        self.blocklist, self.renderer = blocklist, renderer
        self.period, self.lines = 1.0 / hz, lines
        self.renders = 0
        self._stop = threading.Event()
        self._last: tuple = ()
        self._thread = threading.Thread(target=self._loop, name="studio: chat overlay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def lines_now(self) -> list[tuple[str, str]]:
        return [screen_line(m.author, m.text, self.blocklist) for m in self.session.recent_chat(self.lines)]

    def _loop(self) -> None:
        from studio.media.overlay import Overlay

        while not self._stop.wait(self.period):
            recent = self.session.recent_chat(self.lines)
            key = tuple((m.source, m.id, m.at) for m in recent)
            if key == self._last:
                continue
            self._last = key
            try:
                img, x, y = self.renderer(self.lines_now(), self.canvas_size)
                self.board.set("chat", Overlay(img, x, y), z=200)
                self.renders += 1
            except Exception:
                log.exception("chat overlay render failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(2.0)
        try:
            self.board.set("chat", None, z=200)
        except Exception:
            log.exception("clearing the chat overlay")


class LiveFeeds:
    """What `attach` returns: `counters`, `session`, `stop()`."""

    def __init__(self, session: LiveSession, runner: LiveRunner, overlay: ChatOverlayUpdater | None) -> None:
        self.session, self.runner, self.overlay = session, runner, overlay
        self._started = self._stopped = False

    def start(self) -> None:
        """Start the connectors and the chat card (idempotent)."""
        if self._started or self._stopped:
            return
        self._started = True
        self.runner.start()
        if self.overlay is not None:
            self.overlay.start()

    @property
    def counters(self) -> Counters:
        return self.session.counters

    @property
    def log_path(self) -> Path | None:
        return self.session.log_path

    def totals(self) -> dict:
        return self.session.snapshot()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.overlay is not None:
            self.overlay.stop()
        if not self.runner.stop(timeout=3.0):
            log.warning("live feeds still running after stop: %s", ", ".join(self.runner.alive()))
        self.session.close()


def start_feeds(connectors: list[Any], board: Any, canvas_size: tuple[int, int], bus: Any,
                log_path: Path | None,
                *, chat_overlay: bool = False, blocklist: Blocklist | None = None,
                renderer: Renderer | None = None, meta: dict[str, Any] | None = None,
                catalog: dict[str, str] | None = None) -> LiveFeeds:
    """Open the session log (it subscribes to pins at once, so a pin made right after is counted) and
    set up `connectors` and, with `chat_overlay`, the chat card; `start()` on the result runs them.
    `log_path` None: count in memory until `session.begin(path)` (the window, at Go live).
    UserError when the session log cannot be opened."""
    blocklist = blocklist or Blocklist([])
    if chat_overlay and renderer is None:
        renderer = _default_renderer()
    try:
        session = LiveSession(log_path, bus, catalog=catalog, meta=meta)
    except SessionLogError as e:
        raise UserError(str(e)) from None
    def deliver(event: Any) -> None:
        session.handle(event)

    runner = LiveRunner(connectors, deliver)
    overlay = None
    if chat_overlay:
        assert renderer is not None
        size = (int(canvas_size[0]), int(canvas_size[1]))
        overlay = ChatOverlayUpdater(session, board, size, blocklist, renderer)
    log.info("live feeds: %s; session log %s", ", ".join(c.name for c in connectors) or "none",
             log_path or "from Go live")
    return LiveFeeds(session, runner, overlay)
