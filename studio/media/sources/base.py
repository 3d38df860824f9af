"""Video sources: one capture thread each, keeping only the latest frame (no queue, no backlog).

A source subclass implements `_open`, `_read` and `_close`; this base runs the thread, stamps each
frame with `time.monotonic()`, watches for a dead device (no frames, or the same frame repeated — a
pulled USB camera can keep returning its last image) and reopens with backoff while the layer shows a
slate. The show goes on whatever a source does.

A `_read` blocked inside a driver never comes back to the capture loop, so the loop cannot notice
anything. A small watchdog thread per source watches how long the current read has been blocked; past
`stuck_after` it abandons that capture thread (a daemon: it may stay blocked for good) and starts a
fresh one that opens the device again. Each capture thread has a generation number; an abandoned one
that finally returns sees it is no longer current and exits without publishing, closing or changing
the state, so it cannot touch the device handle of its successor (its own handle is dropped with it).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from numpy.typing import NDArray

from studio.core.backoff import Backoff
from studio.core.log import get_logger

log = get_logger("media.sources")


class SourceState(str, Enum):
    STARTING = "starting"
    LIVE = "live"
    LOST = "lost"
    STOPPED = "stopped"


@dataclass(frozen=True)
class CapturedFrame:
    image: NDArray[Any]  # never written to after publication; layout given by `fmt`
    t: float           # time.monotonic() when it was captured
    seq: int           # increases by one per new frame
    fmt: str = "bgr24"  # "bgr24": HxWx3 uint8; "yuv420p": I420 as OpenCV lays it out, (H*3/2)xW uint8

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.image.shape[:2]
        return (w, h * 2 // 3) if self.fmt == "yuv420p" else (w, h)


@dataclass(frozen=True)
class WatchdogPolicy:
    stale_after: float = 2.0        # seconds without a frame → lost
    repeats_before_lost: int = 90   # identical frames in a row (3 s at 30 fps) → lost
    stuck_after: float = 5.0        # one read blocked this long in a driver → abandon the thread, reopen
    reopen: Backoff = Backoff(first=0.5, factor=2.0, cap=5.0, jitter=0.0)  # wait before reopen attempt n


class VideoSource:
    """Base of every video source. Subclasses set `kind` and implement the three hooks."""

    kind = "base"
    #: a still picture repeats the same frame on purpose: the frozen-device check must not fire
    static_content = False

    def __init__(self, name: str, watchdog: WatchdogPolicy | None = None) -> None:
        self.name = name
        self.watchdog = watchdog or WatchdogPolicy()
        self.state = SourceState.STOPPED
        self.last_error: str | None = None
        self.reopens = 0
        self._opened_once = False
        self._latest: CapturedFrame | None = None
        self._seq = 0
        self.abandoned = 0  # capture threads given up because a read never returned
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watch: threading.Thread | None = None
        self._gen = 0                             # generation of the current capture thread
        self._gen_lock = threading.Lock()
        self._reading_since: float | None = None  # when the current thread entered `_read`
        self._frozen_sum: int | None = None       # checksum of the picture a frozen device repeated
        self.state_listeners: list[Callable[[VideoSource, SourceState, str | None], None]] = []

    # -- hooks ------------------------------------------------------------------------------------
    def _open(self) -> None:
        raise NotImplementedError  # hooks are abstract by design

    #: the layout `_read` returns: "bgr24" (OpenCV) or "yuv420p" (decoded video, no colour round trip)
    frame_format = "bgr24"

    def _read(self) -> NDArray[Any] | None:
        """Block until the next frame is available (in `frame_format`); None means the device failed."""
        raise NotImplementedError

    def _close(self) -> None:
        pass

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._opened_once = False
        self._frozen_sum = None
        self._set_state(SourceState.STARTING)
        with self._gen_lock:
            self._spawn(0)
        self._watch = threading.Thread(target=self._watch_run, name=f"studio: capture-watch[{self.name}]",
                                       daemon=True)
        self._watch.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        with self._gen_lock:
            thread, self._thread = self._thread, None
        thread.join(timeout=3.0)  # a thread stuck in a driver is a daemon: left behind, not waited for
        if self._watch is not None:
            self._watch.join(timeout=1.0)
            self._watch = None
        self._set_state(SourceState.STOPPED)

    def _spawn(self, attempt: int) -> None:
        """Start a new capture thread generation (call with `_gen_lock` held)."""
        self._gen += 1
        self._reading_since = None
        self._thread = threading.Thread(target=self._run, args=(self._gen, attempt),
                                        name=f"studio: capture[{self.name}]", daemon=True)
        self._thread.start()

    def _watch_run(self) -> None:
        """Abandon a capture thread whose read has been blocked for `stuck_after` seconds."""
        limit = self.watchdog.stuck_after
        if not limit or limit <= 0:
            return
        while not self._stop.wait(min(0.25, limit / 4)):
            since = self._reading_since
            if since is None or time.monotonic() - since <= limit:
                continue
            with self._gen_lock:
                if self._stop.is_set() or self._reading_since != since:
                    continue  # the read returned meanwhile, or the show is stopping
                self._gen += 1  # from now on the blocked thread is a stranger: whatever it returns is ignored
                self._reading_since = None
            blocked = time.monotonic() - since
            self.abandoned += 1
            self._set_state(SourceState.LOST, f"{self.name}: read blocked for {blocked:.1f} s "
                                              "(device or driver stuck)")
            log.warning("%s: a read has been blocked for %.1f s; abandoning that capture thread and "
                        "reopening", self.name, blocked)
            with self._gen_lock:
                if self._stop.is_set():
                    break
                self._spawn(1)

    def latest(self) -> CapturedFrame | None:
        """The newest frame, or None while the source has never delivered or is lost."""
        if self.state is not SourceState.LIVE:
            return None
        frame = self._latest
        # A read blocked inside a driver never returns to the capture loop: judge staleness here too.
        if frame is not None and time.monotonic() - frame.t > self.watchdog.stale_after:
            return None
        return frame

    def publish(self, image: NDArray[Any], t: float | None = None) -> None:
        self._seq += 1
        at = time.monotonic() if t is None else t
        self._latest = CapturedFrame(image, at, self._seq, self.frame_format)

    def _set_state(self, state: SourceState, message: str | None = None) -> None:
        if state is self.state and message is None:
            return
        self.state = state
        if message:
            self.last_error = message
        for fn in list(self.state_listeners):
            try:
                fn(self, state, message)
            except Exception:  # a listener must never kill capture
                log.exception("source state listener failed")

    def _current(self, gen: int) -> bool:
        return gen == self._gen and not self._stop.is_set()

    def _run(self, gen: int = 0, attempt: int = 0) -> None:
        gen = gen or self._gen
        while self._current(gen):
            try:
                self._open()
            except Exception as e:  # device errors come in every shape; the detail goes to the log
                self._set_state(SourceState.LOST, f"{self.name}: cannot open ({e})")
                log.warning("%s: open failed: %s", self.name, e)
                self._stop.wait(self.watchdog.reopen.delay(attempt))
                attempt += 1
                continue
            # Every successful open after the first is a reopen (counting only after failed attempts
            # missed a source lost after a long run and opened again at the first try).
            if self._opened_once:
                self.reopens += 1
            self._opened_once = True
            opened_at = time.monotonic()
            lost_reason = self._capture_loop(gen)
            if lost_reason is None:
                return  # abandoned while blocked: the device handle is no longer this thread's
            try:
                self._close()
            except Exception:
                log.debug("%s: close failed", self.name, exc_info=True)
            if self._stop.is_set():
                break
            self._set_state(SourceState.LOST, f"{self.name}: {lost_reason}")
            log.warning("%s lost: %s; reopening", self.name, lost_reason)
            # A device that opens and fails at once must not be retried at full speed forever.
            attempt = 0 if time.monotonic() - opened_at > 3.0 else attempt + 1
            self._stop.wait(self.watchdog.reopen.delay(attempt))

    def _capture_loop(self, gen: int) -> str | None:
        """Read until the device fails; the reason, or None if this thread was abandoned meanwhile."""
        # A device reopened after freezing that shows the very picture it froze on is still frozen:
        # carry the count over instead of showing that picture again for `repeats_before_lost` frames.
        last_sum = self._frozen_sum
        repeats = self.watchdog.repeats_before_lost if last_sum is not None else 0
        last_frame_at = time.monotonic()
        while not self._stop.is_set():
            self._reading_since = time.monotonic()
            try:
                img = self._read()
                error = None
            except Exception as e:
                img, error = None, e
            with self._gen_lock:
                if gen != self._gen:
                    return None
                self._reading_since = None
            if error is not None:
                return f"read failed ({error})"
            now = time.monotonic()
            if img is None:
                return "no frame from the device"
            if now - last_frame_at > self.watchdog.stale_after and self.state is SourceState.LIVE:
                return f"no frame for {now - last_frame_at:.1f} s"
            last_frame_at = now
            # A cheap checksum on a sparse sample: a frozen device repeats bytes exactly.
            s = zlib.adler32(img[::max(1, img.shape[0] // 16), ::max(1, img.shape[1] // 16)].tobytes())
            repeats = repeats + 1 if s == last_sum else 0
            last_sum = s
            if self.watchdog.repeats_before_lost and repeats >= self.watchdog.repeats_before_lost \
                    and not self.static_content:
                self._frozen_sum = s
                return f"the same frame {repeats} times (device frozen?)"
            self._frozen_sum = None
            self.publish(img, now)
            if self.state is not SourceState.LIVE:
                self._set_state(SourceState.LIVE)
        return "stopped"
