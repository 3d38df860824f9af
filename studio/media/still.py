"""Still images for overlay layers (logos, price cards made elsewhere): decoded once, premultiplied.

Bounded before decoding: the file must be a regular file of at most MAX_FILE_BYTES, and its header
must say a size within studio.core.imagesize's pixel ceiling — a tiny PNG can decode to gigabytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from studio.core.errors import UserError
from studio.core.files import check_regular_file
from studio.core.imagesize import HEADER_BYTES, check_pixels
from studio.media.blend import premultiply

MAX_FILE_BYTES = 64 * 1024 * 1024


def check_image_file(path: str | Path) -> tuple[int, int]:
    """The (width, height) of the image file at `path` when it may be decoded, read from its header;
    UserError (one sentence) for a missing or irregular file, one too large in bytes or in pixels."""
    p = Path(path)
    if not p.is_file():
        check_regular_file(p, MAX_FILE_BYTES, "image")  # a device or FIFO: say what it is
        raise UserError(f"image {p} does not exist: check the path")
    check_regular_file(p, MAX_FILE_BYTES, "image")
    try:
        with p.open("rb") as f:
            header = f.read(HEADER_BYTES)
    except OSError as e:
        raise UserError(f"image {p} cannot be read ({e.strerror or e})") from None
    return check_pixels(header, str(p))


def load_rgba(path: str | Path, size: tuple[int, int] | None = None) -> NDArray[Any]:
    """A premultiplied BGRA array of the image at `path`, scaled to `size` (w, h) if given."""
    p = Path(path)
    check_image_file(p)
    data = np.fromfile(str(p), dtype=np.uint8, count=MAX_FILE_BYTES)  # fromfile + imdecode: non-ASCII paths
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
