"""QR code of the product URL (segno), on a white card with a "Scan to buy" caption.

A link can be too long for any QR code (a version 40 code holds 2 953 bytes at the lowest error
correction), or need more modules than the card has pixels: then `QRDoesNotFit` says so, and the show
draws no QR rather than a cropped one that no phone can scan."""

from __future__ import annotations

import numpy as np
import segno
from PySide6.QtCore import QRectF, Qt

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import elide, font, new_image, painter, rounded, to_bgra


class QRDoesNotFit(ValueError):
    """The link cannot be drawn as a QR code of this size; the message says why, in one sentence."""


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of `url` (error correction M, or better when it fits; L when only L holds it),
    without quiet zone. QRDoesNotFit when no QR code can hold it."""
    for level in ("m", "l"):
        try:
            code = segno.make_qr(url, error=level, boost_error=True)
        except segno.DataOverflowError:
            continue
        return [[bool(v) for v in row] for row in code.matrix]
    raise QRDoesNotFit(f"the link is too long for a QR code ({len(url.encode('utf-8'))} bytes; a QR code "
                       "holds at most 2953): use a shorter link")


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
    mod = int(avail // (n + 2 * quiet))
    if mod < 1:
        raise QRDoesNotFit(f"the link needs a QR code of {n}×{n} modules, more than the {w}×{h} card has "
                           "pixels for: use a shorter link or a larger canvas")
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
