"""A text layer: one or more lines of plain text in a colour, on an optional background, sized to fit."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF

from studio.commerce.overlays.qt import draw_lines, font, new_image, painter, rounded, text_width, to_bgra
from studio.commerce.product import clean_text

MAX_LINES = 6


def _color(text: str, fallback: str) -> QColor:
    c = QColor(text or fallback)
    if len(text) == 9:  # #rrggbbaa: Qt reads #aarrggbb
        c = QColor(text[:7])
        c.setAlpha(int(text[7:], 16))
    return c if c.isValid() else QColor(fallback)


def render_text(text: str, font_size: int, color: str = "#ffffff", background: str = "",
                size: tuple[int, int] | None = None, max_width: int = 4096) -> np.ndarray:
    """Premultiplied BGRA of `text` (plain, never markup); `size` fixes the box, else it fits the text."""
    lines = [clean_text(line, 300) for line in (text or "").splitlines()[:MAX_LINES]] or [""]
    fnt = font(font_size, bold=True)
    pad = max(4, font_size // 3) if background else max(2, font_size // 10)
    line_h = QFontMetricsF(fnt).lineSpacing()
    if size is None:
        w = int(min(max_width, max(text_width(line, fnt) for line in lines) + 2 * pad + 2))
        h = int(line_h * len(lines) + 2 * pad)
    else:
        w, h = size
    w, h = max(2, w), max(2, h)
    img = new_image(w, h)
    p = painter(img)
    try:
        if background:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_color(background, "#000000"))
            p.drawPath(rounded(QRectF(0, 0, w, h), min(h / 4, font_size / 2)))
        draw_lines(p, lines, fnt, _color(color, "#ffffff"), pad, pad)
    finally:
        p.end()
    return to_bgra(img)
