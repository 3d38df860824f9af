"""A moving test pattern with a running clock: the default video when there is no camera."""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from studio.media.sources.base import VideoSource

_BARS = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0), (192, 0, 192), (0, 0, 192), (192, 0, 0)]


class TestPatternSource(VideoSource):
    __test__ = False  # not a pytest test class, whatever its name
    kind = "testsrc"

    def __init__(self, size: tuple[int, int] = (1280, 720), fps: float = 30.0, name: str = "testsrc") -> None:
        super().__init__(name)
        self.size = size
        self.fps = fps
        self._base: NDArray[Any] | None = None
        self._t0 = 0.0
        self._n = 0

    def _open(self) -> None:
        w, h = self.size
        base = np.zeros((h, w, 3), np.uint8)
        bw = max(1, w // len(_BARS))
        for i, c in enumerate(_BARS):
            base[: h * 2 // 3, i * bw:(i + 1) * bw] = c
        ramp = np.linspace(0, 255, w, dtype=np.uint8)
        base[h * 2 // 3:, :] = ramp[None, :, None]
        self._base = base
        self._t0 = time.monotonic()
        self._n = 0

    def _read(self) -> NDArray[Any]:
        assert self._base is not None
        # Pace on absolute deadlines, like a camera delivering at its own rate.
        self._n += 1
        delay = self._t0 + self._n / self.fps - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        img: NDArray[Any] = self._base.copy()
        h, w = img.shape[:2]
        elapsed = time.monotonic() - self._t0
        box = max(8, h // 8)
        x = int((elapsed * w / 4) % max(1, w - box))
        cv2.rectangle(img, (x, h // 2 - box // 2), (x + box, h // 2 + box // 2), (255, 255, 255), -1)
        m, s = divmod(elapsed, 60)
        scale = max(0.5, h / 360)
        cv2.putText(img, f"{int(m):02d}:{s:06.3f}  #{self._n}", (w // 20, h // 6), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, (255, 255, 255), max(1, int(scale * 2)), cv2.LINE_AA)
        return img
