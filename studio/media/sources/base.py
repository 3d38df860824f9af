"""Video sources: one capture thread each, keeping only the latest frame (no queue, no backlog).

A source subclass implements `_open`, `_read` and `_close`; this base runs the thread, stamps each
frame with `time.monotonic()`, watches for a dead device (no frames, or the same frame repeated — a
pulled USB camera can keep returning its last image) and reopens with backoff while the layer shows a
slate. The show goes on whatever a source does.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass
from enum import Enum

import numpy as np

from studio.core.log import get_logger

log = get_logger("media.sources")


class SourceState(str, Enum):
    STARTING = "starting"
    LIVE = "live"
    LOST = "lost"
    STOPPED = "stopped"


@dataclass(frozen=True)
class CapturedFrame:
    image: np.ndarray  # never written to after publication; layout given by `fmt`
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
    first_backoff: float = 0.5
    max_backoff: float = 5.0


def reopen_delay(attempt: int, policy: WatchdogPolicy) -> float:
    """Seconds to wait before reopen attempt `attempt` (0-based): doubling, capped."""
    return min(policy.first_backoff * (2 ** attempt), policy.max_backoff)


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
        self._latest: CapturedFrame | None = None
        self._seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state_listeners: list = []  # callables (source, state, message)

    # -- hooks ------------------------------------------------------------------------------------
    def _open(self) -> None:
        raise NotImplementedError  # noqa: hooks are abstract by design

    #: the layout `_read` returns: "bgr24" (OpenCV) or "yuv420p" (decoded video, no colour round trip)
    frame_format = "bgr24"

    def _read(self) -> np.ndarray | None:
        """Block until the next frame is available (in `frame_format`); None means the device failed."""
        raise NotImplementedError  # noqa

    def _close(self) -> None:
        pass

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._set_state(SourceState.STARTING)
        self._thread = threading.Thread(target=self._run, name=f"studio: capture[{self.name}]", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=3.0)
        self._thread = None
        self._set_state(SourceState.STOPPED)

    def latest(self) -> CapturedFrame | None:
        """The newest frame, or None while the source has never delivered or is lost."""
        if self.state is not SourceState.LIVE:
            return None
        frame = self._latest
        # A read blocked inside a driver never returns to the capture loop: judge staleness here too.
        if frame is not None and time.monotonic() - frame.t > self.watchdog.stale_after:
            return None
        return frame

    def publish(self, image: np.ndarray, t: float | None = None) -> None:
        self._seq += 1
        self._latest = CapturedFrame(image, time.monotonic() if t is None else t, self._seq, self.frame_format)

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

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._open()
            except Exception as e:  # device errors come in every shape; the detail goes to the log
                self._set_state(SourceState.LOST, f"{self.name}: cannot open ({e})")
                log.warning("%s: open failed: %s", self.name, e)
                self._stop.wait(reopen_delay(attempt, self.watchdog))
                attempt += 1
                continue
            if attempt:
                self.reopens += 1
            opened_at = time.monotonic()
            lost_reason = self._capture_loop()
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
            self._stop.wait(reopen_delay(attempt, self.watchdog))

    def _capture_loop(self) -> str:
        last_sum: int | None = None
        repeats = 0
        last_frame_at = time.monotonic()
        while not self._stop.is_set():
            try:
                img = self._read()
            except Exception as e:
                return f"read failed ({e})"
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
                return f"the same frame {repeats} times (device frozen?)"
            self.publish(img, now)
            if self.state is not SourceState.LIVE:
                self._set_state(SourceState.LIVE)
        return "stopped"
