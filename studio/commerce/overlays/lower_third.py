"""Lower-third: a headline and a line of text on a glass bar with an accent edge."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import draw_lines, elide, font, new_image, painter, rounded, to_bgra
from studio.commerce.product import clean_text


def render_lower_third(headline: str, text: str, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    u = h / 100.0
    head, body = clean_text(headline, 200), clean_text(text, 300)
    img = new_image(w, h)
    p = painter(img)
    try:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.CARD_BG)
        p.drawPath(rounded(QRectF(0, 0, w, h), 16 * u))
        p.setBrush(style.SALE)
        p.drawPath(rounded(QRectF(0, 0, 12 * u, h), 6 * u))
        x, width = 30 * u, w - 50 * u
        head_font, body_font = font(36 * u, bold=True), font(26 * u)
        if body:
            y = draw_lines(p, [elide(head, head_font, width)], head_font, style.TEXT, x, 8 * u)
            draw_lines(p, [elide(body, body_font, width)], body_font, style.TEXT_DIM, x, y - 2 * u)
        else:
            draw_lines(p, [elide(head, head_font, width)], head_font, style.TEXT, x, (h - 52 * u) / 2)
    finally:
        p.end()
    return to_bgra(img)
