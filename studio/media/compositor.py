"""The compositor: draws the program canvas (I420) at the canvas rate, on absolute deadlines.

Each tick pulls the latest frame of every video layer's source (scaling only when a new frame
arrived), then blends the overlay board's cached images over their own rectangles. A tick that
starts more than one frame late is counted as lagged and skipped, never rendered late: the encoder
repeats the previous frame so time never shifts (constant frame rate).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from studio.core.log import get_logger
from studio.media.blend import Planes, blend_onto_i420, i420_planes
from studio.media.clock import frame_due, frame_index_at
from studio.media.overlay import OverlayBoard
from studio.media.sources.base import CapturedFrame, SourceState, VideoSource

log = get_logger("media.compositor")

FrameSink = Callable[[int, NDArray[Any], float | None], None]  # (index, canvas, capture time)

BLACK = (16, 128, 128)  # limited-range YUV black


@dataclass
class VideoLayer:
    """A source drawn into a rectangle of the canvas. `crop` is (left, top, right, bottom) pixels of the
    source to cut away before scaling."""

    source: VideoSource
    x: int = 0
    y: int = 0
    width: int | None = None   # None: the canvas size
    height: int | None = None
    crop: tuple[int, int, int, int] = (0, 0, 0, 0)
    visible: bool = True
    opacity: float = 1.0       # below 1 the layer is blended over what is under it
    z: int = 0                 # overlays of a lower z are drawn before (under) it, the others after
    _cached_seq: int = field(default=-1, repr=False)
    _cached: tuple[NDArray[Any], NDArray[Any], NDArray[Any]] | None = field(default=None, repr=False)
    _slate: tuple[NDArray[Any], NDArray[Any], NDArray[Any]] | None = field(default=None, repr=False)
    _slate_label: str = field(default="", repr=False)
    _crop_said: tuple[Any, ...] = field(default=(), repr=False)   # the impossible crop already reported
    failed: str = field(default="", repr=False)   # why the layer was switched off ("": it draws)


MIN_CROPPED = 4  # pixels a crop must leave of each side of the picture (two chroma samples)


def usable_crop(crop: tuple[int, int, int, int], fw: int, fh: int) -> tuple[int, int, int, int]:
    """The crop that can be applied to an fw x fh picture: negative sides count as 0, and a pair of
    sides (left+right, top+bottom) that would leave less than MIN_CROPPED pixels is not applied."""
    left, top, right, bottom = (max(0, int(v)) for v in crop)
    if fw - left - right < MIN_CROPPED:
        left = right = 0
    if fh - top - bottom < MIN_CROPPED:
        top = bottom = 0
    return left, top, right, bottom


def _even(v: int) -> int:
    return max(2, v - (v % 2))


def _scale_frame(frame: CapturedFrame, crop: tuple[int, int, int, int], w: int, h: int) -> Planes:
    """Crop and scale a captured frame to w x h, returned as I420 planes (Y, U, V)."""
    fw, fh = frame.size
    left, t, r, b = usable_crop(crop, fw, fh)
    if frame.fmt == "yuv420p":
        y, u, v = i420_planes(frame.image, fw, fh)
        left, t = left & ~1, t & ~1
        r_, b_ = _even(fw - r), _even(fh - b)
        y, u, v = (y[t:b_, left:r_], u[t // 2:b_ // 2, left // 2:r_ // 2],
                   v[t // 2:b_ // 2, left // 2:r_ // 2])
        if y.shape == (h, w):
            return y, u, v
        interp = cv2.INTER_AREA if y.shape[1] > w else cv2.INTER_LINEAR
        return (cv2.resize(y, (w, h), interpolation=interp),
                cv2.resize(u, (w // 2, h // 2), interpolation=interp),
                cv2.resize(v, (w // 2, h // 2), interpolation=interp))
    img = frame.image[t:fh - b, left:fw - r]
    if img.shape[:2] != (h, w):
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if img.shape[1] > w else cv2.INTER_LINEAR)
    return i420_planes(cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420), w, h)


def slate_label(source: VideoSource) -> str:
    """What the slate says: the source's name and why it shows no picture. Re-drawn when it changes
    (a slate drawn while "starting" must not keep saying so once the source is lost)."""
    state = source.state
    if state is SourceState.LIVE:  # live, but its newest frame is stale: a read blocked in the driver
        return f"{source.name}: no signal"
    return f"{source.name}: {state.value}"


def _slate(w: int, h: int, text: str) -> Planes:
    bgr = np.full((h, w, 3), 40, np.uint8)
    scale = max(0.4, h / 720)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, int(2 * scale)))
    cv2.putText(bgr, text, ((w - tw) // 2, (h + th) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (200, 200, 200),
                max(1, int(2 * scale)), cv2.LINE_AA)
    return i420_planes(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420), w, h)


class Compositor:
    def __init__(self, size: tuple[int, int], rate: Fraction, layers: list[VideoLayer],
                 board: OverlayBoard | None = None) -> None:
        w, h = size
        if w % 2 or h % 2 or w < 16 or h < 16:
            raise ValueError(f"canvas {w}x{h}: width and height must be even and at least 16")
        self.size = size
        self.rate = rate
        self.layers = layers
        self.board = board or OverlayBoard()
        self.canvas = np.empty((h * 3 // 2, w), np.uint8)
        self.planes = i420_planes(self.canvas, w, h)
        self.frames = 0
        self.lagged = 0
        self.render_ms = 0.0       # moving average of one compose
        self.last_capture_t: float | None = None
        self._index = 0
        self._tick_times: deque[float] = deque(maxlen=int(float(rate)) + 1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed_overlays: weakref.WeakSet[Any] = weakref.WeakSet()
        self.failures = 0          # ticks that could not be drawn or handed on
        self._last_failure = ""

    # -- one layer's failure is that layer's: said once, switched off, the picture goes on ------------
    def _layer_planes(self, layer: VideoLayer, w: int, h: int) -> tuple[Planes, float | None]:
        """The layer's picture at w x h (its slate when its source has no frame) and its capture time."""
        frame = layer.source.latest()
        if frame is None:
            label = slate_label(layer.source)
            if layer._slate is None or layer._slate[0].shape != (h, w) or layer._slate_label != label:
                layer._slate = _slate(w, h, label)
                layer._slate_label = label
            return layer._slate, None
        cached = layer._cached
        if frame.seq != layer._cached_seq or cached is None or cached[0].shape != (h, w):
            fw, fh = frame.size
            if usable_crop(layer.crop, fw, fh) != tuple(max(0, v) for v in layer.crop) and \
                    layer._crop_said != (layer.crop, frame.size):
                layer._crop_said = (layer.crop, frame.size)
                log.warning("layer %s: the crop %s is larger than its %dx%d picture: that crop is not "
                            "applied", layer.source.name, tuple(layer.crop), fw, fh)
            cached = layer._cached = _scale_frame(frame, layer.crop, w, h)
            layer._cached_seq = frame.seq
        return cached, frame.t

    def _switch_off(self, layer: VideoLayer, e: Exception) -> None:
        layer.failed = f"{type(e).__name__}: {e}"
        log.error("layer %s is switched off: it cannot be drawn (%s); the show goes on", layer.source.name,
                  layer.failed, exc_info=e)

    def _blend(self, o: Any, t: float) -> None:
        """Blend one overlay; one that fails is said once and left out from then on."""
        if o in self._failed_overlays:
            return
        try:
            ox, oy, op = o.placement(t)
            blend_onto_i420(self.planes, o.prepared, ox, oy, op)
        except Exception as e:  # noqa: BLE001 - a broken overlay must not stop the picture
            self._failed_overlays.add(o)
            log.error("an overlay is switched off: it cannot be drawn (%s: %s); the show goes on",
                      type(e).__name__, e, exc_info=e)

    def _blit(self, planes: Planes, x: int, y: int, w: int, h: int, opacity: float) -> None:
        """Copy (opaque) or blend a layer's w x h picture onto the canvas at (x, y), clipped."""
        cy, cu, cv = self.planes
        cw, ch = self.size
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, cw), min(y + h, ch)
        if x1 <= x0 or y1 <= y0:
            return
        sy, sx = y0 - y, x0 - x
        by0, by1, bx0, bx1 = y0 // 2, y1 // 2, x0 // 2, x1 // 2  # chroma: on the canvas
        py0, py1, px0, px1 = sy // 2, (sy + y1 - y0) // 2, sx // 2, (sx + x1 - x0) // 2  # the layer's
        parts = ((cy[y0:y1, x0:x1], planes[0][sy:sy + y1 - y0, sx:sx + x1 - x0]),
                 (cu[by0:by1, bx0:bx1], planes[1][py0:py1, px0:px1]),
                 (cv[by0:by1, bx0:bx1], planes[2][py0:py1, px0:px1]))
        for dst, src in parts:
            if opacity >= 1.0:
                dst[...] = src
            else:  # integer weights, rounded, in place: no float frame on the hot path
                cv2.addWeighted(src, opacity, dst, 1.0 - opacity, 0.0, dst=dst)

    # -- drawing ----------------------------------------------------------------------------------
    def compose(self, t: float) -> NDArray[Any]:
        """Draw the canvas for time t; returns the (reused) I420 canvas buffer."""
        cy, cu, cv = self.planes
        cw, ch = self.size
        covered = False
        capture_t = None
        overlays = self.board.layered(t)
        k = 0
        for layer in self.layers:
            if not layer.visible or layer.opacity <= 0.0 or layer.failed:
                continue
            if k < len(overlays) and overlays[k][0] < layer.z:   # image/text layers under this video layer
                if not covered:
                    cy.fill(BLACK[0]); cu.fill(BLACK[1]); cv.fill(BLACK[2])  # noqa: E702
                    covered = True
                while k < len(overlays) and overlays[k][0] < layer.z:
                    self._blend(overlays[k][1], t)
                    k += 1
            opaque = layer.opacity >= 1.0
            w = _even(layer.width or cw)
            h = _even(layer.height or ch)
            x, y = layer.x & ~1, layer.y & ~1
            try:
                planes, frame_t = self._layer_planes(layer, w, h)
                if not covered and opaque and x <= 0 and y <= 0 and x + w >= cw and y + h >= ch:
                    covered = True
                elif not covered:
                    cy.fill(BLACK[0]); cu.fill(BLACK[1]); cv.fill(BLACK[2])  # noqa: E702
                    covered = True
                self._blit(planes, x, y, w, h, layer.opacity)
            except Exception as e:  # noqa: BLE001 - this layer's failure is this layer's alone
                self._switch_off(layer, e)
                continue
            if frame_t is not None:
                capture_t = frame_t if capture_t is None else min(capture_t, frame_t)
        if not covered:
            cy.fill(BLACK[0]); cu.fill(BLACK[1]); cv.fill(BLACK[2])  # noqa: E702
        for _, o in overlays[k:]:
            self._blend(o, t)
        self.last_capture_t = capture_t
        return self.canvas

    # -- thread -----------------------------------------------------------------------------------
    def start(self, t0: float, on_frame: FrameSink) -> None:
        """Tick from t0; `on_frame(index, canvas, capture_t)` must copy the canvas before returning."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(t0, on_frame), name="studio: compositor",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=3.0)
            self._thread = None

    def next_index(self) -> int:
        """The index of the next frame the compositor will draw."""
        return self._index

    @property
    def fps(self) -> float:
        """Frames drawn per second over the last second."""
        ticks = list(self._tick_times)
        if len(ticks) < 2 or ticks[-1] == ticks[0]:
            return 0.0
        return (len(ticks) - 1) / (ticks[-1] - ticks[0])

    def _run(self, t0: float, on_frame: FrameSink) -> None:
        index = 0
        interval = float(1 / self.rate)
        while not self._stop.is_set():
            due = frame_due(t0, index, self.rate)
            now = time.monotonic()
            if now < due:
                if self._stop.wait(due - now):
                    break
            elif now - due > interval:
                current = frame_index_at(t0, now, self.rate)
                self.lagged += current - index
                index = self._index = current
                due = frame_due(t0, index, self.rate)
            start = time.perf_counter()
            try:
                canvas = self.compose(due)
                on_frame(index, canvas, self.last_capture_t)
            except Exception as e:  # noqa: BLE001 - the canvas goes on; the encoder repeats the last frame
                self.failures += 1
                said = f"{type(e).__name__}: {e}"
                if said != self._last_failure:  # the same failure on every frame is said once
                    self._last_failure = said
                    log.error("frame %d could not be drawn (%s); the encoder repeats the last frame",
                              index, said, exc_info=e)
            self.render_ms = 0.9 * self.render_ms + 0.1 * (time.perf_counter() - start) * 1000.0
            self._tick_times.append(time.monotonic())
            self.frames += 1
            index += 1
            self._index = index
