"""Still images for overlay layers (logos, price cards made elsewhere): decoded once, premultiplied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from studio.core.errors import UserError
from studio.media.blend import premultiply


def load_rgba(path: str | Path, size: tuple[int, int] | None = None) -> NDArray[Any]:
    """A premultiplied BGRA array of the image at `path`, scaled to `size` (w, h) if given."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"image {p} does not exist: check the path")
    data = np.fromfile(str(p), dtype=np.uint8)  # np.fromfile + imdecode: non-ASCII paths work on Windows
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise UserError(f"{p} is not an image OpenCV can read: use a PNG, JPEG or WebP file")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA)
    elif img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)
    if img.dtype != np.uint8:  # 16-bit PNG
        img = (img // 257).astype(np.uint8)
    if size is not None and (img.shape[1], img.shape[0]) != size:
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return premultiply(img)
