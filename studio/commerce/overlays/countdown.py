"""Flash-sale countdown: `mm:ss` on a red pill, re-rendered once a second by its owner (not per frame)."""

from __future__ import annotations

import math
import re

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QLinearGradient

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import (
    DIGIT_FAMILIES,
    draw_lines,
    fit_lines,
    font,
    new_image,
    painter,
    rounded,
    to_bgra,
)

MAX_SECONDS = 99 * 60 + 59


def parse_mmss(text: str) -> int:
    """`05:00` → 300 seconds; ValueError for anything that is not mm:ss (or plain seconds)."""
    raw = (text or "").strip()
    m = re.fullmatch(r"(\d{1,2}):([0-5]\d)", raw) or re.fullmatch(r"(\d{1,4})", raw)
    if m is None:
        raise ValueError(f"countdown {raw[:20]!r} is not mm:ss, e.g. 05:00")
    seconds = int(m.group(1)) * 60 + int(m.group(2)) if m.lastindex == 2 else int(m.group(1))
    if seconds > MAX_SECONDS:
        raise ValueError(f"countdown {raw} is longer than 99:59")
    return seconds


def format_mmss(seconds: float) -> str:
    """Remaining time as the viewer sees it: rounded up, so 0.2 s left still shows 00:01."""
    s = max(0, min(MAX_SECONDS, math.ceil(seconds - 1e-9)))
    return f"{s // 60:02d}:{s % 60:02d}"


def render_countdown(remaining: float, size: tuple[int, int], label: str | None = None,
                     lang: str = "en") -> np.ndarray:
    """The countdown card (premultiplied BGRA, exactly `size`)."""
    w, h = size
    u = h / 96.0
    img = new_image(w, h)
    p = painter(img)
    try:
        rect = QRectF(0, 0, w, h)
        grad = QLinearGradient(0, 0, w, h)
        grad.setColorAt(0, style.SALE)
        grad.setColorAt(1, style.SALE_DARK)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(grad)
        p.drawPath(rounded(rect, 22 * u))
        pad = 18 * u
        digits = font(56 * u, bold=True, families=DIGIT_FAMILIES)
        clock = format_mmss(remaining)
        dw = QFontMetricsF(digits).horizontalAdvance("00:00")  # fixed width: the card never jitters
        label_rect = QRectF(pad, 0, max(0.0, w - dw - 3 * pad), h)
        text_font, lines = fit_lines(label or style.label("flash", lang), 24 * u, 13 * u, label_rect.width(),
                                     2, bold=True)
        line_h = text_font.pixelSize() * 1.2
        draw_lines(p, lines, text_font, style.WHITE, label_rect.x(), (h - line_h * len(lines)) / 2, line_h)
        p.setFont(digits)
        p.drawText(QRectF(w - pad - dw, 0, dw, h), Qt.AlignmentFlag.AlignCenter, clock)
    finally:
        p.end()
    return to_bgra(img)
