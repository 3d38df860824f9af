"""Coupon card: a ticket with notched edges, a "COUPON" stub and the offer text (plain, ellipsized)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QLinearGradient, QPainter, QPen

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import (
    draw_lines,
    fit_font,
    fit_lines,
    font,
    new_image,
    painter,
    rounded,
    to_bgra,
)
from studio.commerce.product import clean_text

MAX_COUPON = 80


def render_coupon(text: str, size: tuple[int, int], lang: str = "en") -> np.ndarray:
    w, h = size
    u = h / 96.0
    offer = clean_text(text, MAX_COUPON)
    img = new_image(w, h)
    p = painter(img)
    try:
        grad = QLinearGradient(0, 0, w, 0)
        grad.setColorAt(0, style.ACCENT)
        grad.setColorAt(1, style.LOW_STOCK)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(grad)
        p.drawPath(rounded(QRectF(0, 0, w, h), 14 * u))
        stub = style.label("coupon", lang)
        stub_w = min(w * 0.4, 118 * u)
        # notches at the perforation, punched out of the card
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        r = 11 * u
        for cy in (0.0, float(h)):
            p.drawEllipse(QPointF(stub_w, cy), r, r)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        dash = QPen(style.SALE_DARK, max(1.0, 2 * u), Qt.PenStyle.DashLine)
        p.setPen(dash)
        p.drawLine(QLineF(stub_w, r + 4 * u, stub_w, h - r - 4 * u))
        stub_font = fit_font(stub, 22 * u, 10 * u, stub_w - 8 * u, bold=True) or font(10 * u, bold=True)
        p.setFont(stub_font)
        p.setPen(style.SALE_DARK)
        p.drawText(QRectF(0, 0, stub_w, h), Qt.AlignmentFlag.AlignCenter, stub)
        body = QRectF(stub_w + 16 * u, 0, w - stub_w - 30 * u, h)
        # one line in the largest size that fits; two lines only when even 16 px-equivalent is too wide
        offer_font, lines = fit_lines(offer, 32 * u, 16 * u, body.width(), 2, bold=True)
        line_h = offer_font.pixelSize() * 1.3
        top = (h - line_h * len(lines)) / 2 - 2 * u
        draw_lines(p, lines, offer_font, style.SALE_DARK.darker(140), body.x(), top, line_h)
    finally:
        p.end()
    return to_bgra(img)
