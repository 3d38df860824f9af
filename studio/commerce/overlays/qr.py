"""QR code of the product URL (segno), on a white card with a "Scan to buy" caption."""

from __future__ import annotations

import numpy as np
import segno
from PySide6.QtCore import QRectF, Qt

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import elide, font, new_image, painter, rounded, to_bgra


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of `url` (error correction M, or better when it fits), without quiet zone."""
    code = segno.make_qr(url, error="m", boost_error=True)
    return [[bool(v) for v in row] for row in code.matrix]


def render_qr(url: str, size: tuple[int, int], caption: str | None = None, lang: str = "en") -> np.ndarray:
    """A QR card exactly `size`; the code is square, as large as fits, modules on whole pixels."""
    w, h = size
    u = w / 252.0
    matrix = qr_matrix(url)
    n = len(matrix)
    caption_text = caption if caption is not None else style.label("scan", lang)
    cap_h = 44 * u if caption_text else 0.0
    pad = 14 * u
    quiet = 2  # modules of white around the code (the card itself adds more)
    avail = min(w - 2 * pad, h - 2 * pad - cap_h)
    mod = max(1, int(avail // (n + 2 * quiet)))
    side = mod * (n + 2 * quiet)
    img = new_image(w, h)
    p = painter(img)
    try:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.WHITE)
        p.drawPath(rounded(QRectF(0, 0, w, h), 18 * u))
        x0 = round((w - side) / 2) + quiet * mod
        y0 = round(pad + (avail - side) / 2) + quiet * mod
        p.setRenderHint(p.RenderHint.Antialiasing, False)  # crisp modules scan best
        p.setBrush(style.BLACK)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    p.drawRect(x0 + c * mod, y0 + r * mod, mod, mod)
        p.setRenderHint(p.RenderHint.Antialiasing, True)
        if caption_text:
            f = font(26 * u, bold=True)
            p.setFont(f)
            p.setPen(style.BLACK)
            p.drawText(QRectF(pad, h - cap_h - pad / 2, w - 2 * pad, cap_h), Qt.AlignmentFlag.AlignCenter,
                       elide(caption_text, f, w - 2 * pad))
    finally:
        p.end()
    return to_bgra(img)
