"""Product images by path or URL: fetched with httpx under a hard deadline, cached on disk.

A bad, missing or slow image never blocks the show: `load_image` returns None after at most
`timeout` seconds and the card renders without it. `ImageFetcher` does the same on its own thread
("studio: images") and calls back when an image arrives, so the live show re-renders the card then.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
from PySide6.QtGui import QImage

from studio.commerce.overlays.qt import ensure_gui
from studio.core.http import (
    Deadline,
    DeadlineExceeded,
    ResponseTooLarge,
    SocketWatch,
    guard,
    make_client,
    read_capped,
    request_extensions,
)
from studio.core.log import get_logger
from studio.core.paths import cache_dir

log = get_logger("commerce.images")

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_SIDE = 2048  # product photos are shown at a few hundred pixels; keep memory bounded


def is_url(ref: str) -> bool:
    return ref.lower().startswith(("http://", "https://"))


def image_cache_path(url: str) -> Path:
    return cache_dir() / "images" / hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def _decode(data: bytes, what: str) -> QImage | None:
    from studio.core.errors import UserError
    from studio.core.imagesize import check_pixels

    try:
        check_pixels(data[:65536], what)   # a 12000×12000 PNG is a few KB: refused before it is decoded
    except UserError as e:
        log.warning("image %s: %s", what, e)
        return None
    ensure_gui()
    img = QImage.fromData(data)
    if img.isNull():
        log.warning("image %s: not a readable image", what)
        return None
    if max(img.width(), img.height()) > MAX_IMAGE_SIDE:
        img = img.scaled(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, aspectMode=_keep_aspect(), mode=_smooth())
    return img


def _keep_aspect():
    from PySide6.QtCore import Qt
    return Qt.AspectRatioMode.KeepAspectRatio


def _smooth():
    from PySide6.QtCore import Qt
    return Qt.TransformationMode.SmoothTransformation


def fetch_bytes(url: str, timeout: float = 3.0) -> bytes | None:
    """The body of `url`, or None on any error, status ≥ 400, oversize, or after `timeout` seconds.

    `timeout` is wall-clock time for the whole fetch — connect, headers, redirects and body — so a server
    that drips its headers or its body costs `timeout` and no more (studio/core/http.py's Deadline); the
    body is capped at MAX_IMAGE_BYTES while it streams, never read whole first."""
    deadline, watch = Deadline(timeout), SocketWatch()
    try:
        with (make_client(timeout, connect_timeout=timeout, follow_redirects=True) as client,
              guard(deadline, watch),
              client.stream("GET", url, extensions=request_extensions(deadline, client, watch)) as resp):
            if resp.status_code >= 400:
                log.warning("image %s: HTTP %d", url, resp.status_code)
                return None
            return read_capped(resp, MAX_IMAGE_BYTES)
    except ResponseTooLarge:
        log.warning("image %s: larger than %d bytes", url, MAX_IMAGE_BYTES)
    except DeadlineExceeded:
        log.warning("image %s: too slow (over %g s)", url, timeout)
    except httpx.HTTPError as e:
        log.warning("image %s: %s", url, type(e).__name__)
    except (OSError, ValueError) as e:  # a socket error httpx did not wrap; a URL it could not parse
        log.warning("image %s: %s", url, type(e).__name__)
    return None


def load_image(ref: str | None, base_dir: str | Path | None = None, timeout: float = 3.0) -> QImage | None:
    """The image at a path (relative to `base_dir`) or URL (disk-cached), or None; never raises."""
    if not ref:
        return None
    if is_url(ref):
        cached = image_cache_path(ref)
        if cached.is_file():
            img = _decode(cached.read_bytes(), ref)
            if img is not None:
                return img
        data = fetch_bytes(ref, timeout)
        if data is None:
            return None
        img = _decode(data, ref)
        if img is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, cached)
            except OSError as e:
                log.warning("image cache %s: %s", cached, e)
        return img
    path = Path(ref).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            log.warning("image %s: larger than %d bytes", path, MAX_IMAGE_BYTES)
            return None
        return _decode(path.read_bytes(), str(path))
    except OSError as e:
        log.warning("image %s: %s", path, e.strerror or e)
        return None


class ImageFetcher:
    """Loads images on one background thread; results are kept, callbacks run on that thread."""

    def __init__(self, base_dir: str | Path | None = None, timeout: float = 3.0) -> None:
        self._base_dir = base_dir
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, Callable[[str, QImage | None], None] | None] | None] = \
            queue.Queue(maxsize=1024)
        self._done: dict[str, QImage | None] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="studio: images", daemon=True)
        self._thread.start()

    def get(self, ref: str | None) -> QImage | None:
        """The image if it has already arrived, else None (never waits)."""
        if not ref:
            return None
        with self._lock:
            return self._done.get(ref)

    def request(self, ref: str | None, on_ready: Callable[[str, QImage | None], None] | None = None) -> None:
        """Start loading `ref` unless it is loaded or loading; `on_ready(ref, image)` when done."""
        if not ref:
            return
        with self._lock:
            if ref in self._done or ref in self._pending:
                return
            self._pending.add(ref)
        try:
            self._queue.put_nowait((ref, on_ready))
        except queue.Full:
            with self._lock:
                self._pending.discard(ref)
            log.warning("image queue full, %s skipped", ref)

    def stop(self, timeout: float = 1.0) -> None:
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            ref, on_ready = item
            img = load_image(ref, self._base_dir, self._timeout)
            with self._lock:
                self._done[ref] = img
                self._pending.discard(ref)
            if on_ready is not None:
                try:
                    on_ready(ref, img)
                except Exception:
                    log.exception("image callback failed for %s", ref)
