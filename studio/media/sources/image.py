"""`image:PATH`: a still picture (a "be right back" slide, a product shot) shown like a camera.

The picture is decoded and converted to I420 once; the capture thread then republishes the same
array at a low rate so the frame's capture time stays fresh for the stale-frame watchdog. The repeat
watchdog is off (`static_content`): a still picture is supposed to repeat.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from studio.core.errors import SourceError
from studio.media.sources.base import VideoSource, WatchdogPolicy


def load_image_i420(path: str | Path) -> NDArray[Any] | None:
    """The picture as an (H*3/2)xW I420 array (cropped to even sides), or None if it is not an image
    the studio may decode (a 12000×12000 PNG is refused from its header, before a pixel is decoded)."""
    from studio.core.errors import UserError
    from studio.media.still import check_image_file

    try:
        check_image_file(path)
        data = np.fromfile(str(path), np.uint8)  # not cv2.imread: it fails on non-ASCII Windows paths
    except (OSError, UserError):
        return None
    if data.size == 0:
        return None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None or bgr.shape[0] < 2 or bgr.shape[1] < 2:
        return None
    h, w = bgr.shape[0] & ~1, bgr.shape[1] & ~1
    return cv2.cvtColor(np.ascontiguousarray(bgr[:h, :w]), cv2.COLOR_BGR2YUV_I420)


class ImageSource(VideoSource):
    kind = "image"
    frame_format = "yuv420p"
    static_content = True

    def __init__(self, path: str | Path, refresh_hz: float = 5.0, name: str | None = None,
                 watchdog: WatchdogPolicy | None = None) -> None:
        self.path = Path(path)
        super().__init__(name or f"image:{self.path.name}", watchdog)
        self.refresh_hz = refresh_hz
        self._image: NDArray[Any] | None = None
        self._first = True

    def _open(self) -> None:
        image = load_image_i420(self.path)
        if image is None:
            raise SourceError(f"{self.path} is not a readable image")
        image.setflags(write=False)  # published frames are shared, never written to
        self._image = image
        self._first = True

    def _read(self) -> NDArray[Any] | None:
        if not self._first and self._stop.wait(1.0 / self.refresh_hz):
            return None
        self._first = False
        return self._image

    def _close(self) -> None:
        self._image = None
