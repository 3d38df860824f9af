"""Small marks: the "explaining now" badge (sized to its text) and the logo/watermark."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import font, new_image, painter, rounded, text_width, to_bgra
from studio.commerce.product import clean_text


def render_badge(text: str | None, height: int, lang: str = "en", max_width: int | None = None) -> np.ndarray:
    """A red pill with a white dot and `text` (default "EXPLAINING NOW"/"讲解中"); width fits the text."""
    h = max(8, int(height))
    u = h / 56.0
    label = clean_text(text, 40) if text else style.label("now", lang)
    f = font(28 * u, bold=True)
    dot = 9 * u
    w = int(round(22 * u + 2 * dot + 12 * u + text_width(label, f) + 24 * u))
    if max_width:
        w = min(w, int(max_width))
    img = new_image(w, h)
    p = painter(img)
    try:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.SALE)
        p.drawPath(rounded(QRectF(0, 0, w, h), h / 2))
        p.setBrush(style.WHITE)
        p.drawEllipse(QPointF(22 * u + dot, h / 2), dot, dot)
        p.setFont(f)
        p.setPen(style.WHITE)
        p.drawText(QRectF(22 * u + 2 * dot + 12 * u, 0, w, h), Qt.AlignmentFlag.AlignVCenter, label)
    finally:
        p.end()
    return to_bgra(img)


def render_logo(logo: QImage, max_size: tuple[int, int], opacity: float = 0.85) -> np.ndarray:
    """`logo` scaled to fit `max_size` (aspect kept), faded to `opacity` as a watermark."""
    scaled = logo.scaled(max(1, max_size[0]), max(1, max_size[1]), Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    img = new_image(scaled.width(), scaled.height())
    p = painter(img)
    try:
        p.setOpacity(max(0.0, min(1.0, opacity)))
        p.drawImage(0, 0, scaled)
    finally:
        p.end()
    return to_bgra(img)
