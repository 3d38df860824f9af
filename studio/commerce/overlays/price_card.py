"""The price card: image, title, sale price, struck compare-at price, discount badge, stock left.

Sized by the layout (any width x height); every measure below is relative to the height so the card
looks the same at 720p and 4K. The product image is passed in already loaded (or None): rendering
never waits for the network.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPen

from studio.commerce.money import format_money
from studio.commerce.overlays import style
from studio.commerce.overlays.qt import (
    draw_image_cover,
    draw_lines,
    elide,
    font,
    new_image,
    painter,
    rounded,
    text_width,
    to_bgra,
    wrap_lines,
)
from studio.commerce.product import Product


def stock_text(stock: int | None, lang: str) -> tuple[str, bool]:
    """(text, urgent) for the stock line; empty when stock is not tracked."""
    if stock is None:
        return "", False
    if stock == 0:
        return style.label("sold_out", lang), True
    if stock <= style.LOW_STOCK_AT:
        return style.label("left", lang, n=stock), True
    return style.label("in_stock", lang, n=stock), False


def render_price_card(product: Product, size: tuple[int, int], image: QImage | None = None,
                      locale_name: str | None = None) -> np.ndarray:
    """The card for `product` as premultiplied BGRA, exactly `size` (w, h) pixels."""
    w, h = size
    u = h / 330.0  # design unit: the card is designed 330 px tall
    lang = style.language_for(product.currency, locale_name)
    img = new_image(w, h)
    p = painter(img)
    try:
        card = QRectF(0.5, 0.5, w - 1, h - 1)
        p.setPen(QPen(style.CARD_BORDER, max(1.0, 1.5 * u)))
        p.setBrush(style.CARD_BG)
        p.drawPath(rounded(card, 26 * u))
        pad = 22 * u
        x = pad
        if image is not None and not image.isNull():
            side = h - 2 * pad
            draw_image_cover(p, image, QRectF(pad, pad, side, side), 18 * u)
            x = pad + side + 22 * u
        right = w - pad
        badge_w = 0.0
        pct = product.discount_percent
        if pct is not None:
            badge_w = _discount_badge(p, style.label("off", lang, n=pct), right, pad, u)
        # title: up to two lines, ellipsized; the first line leaves room for the badge
        title_font = font(34 * u, bold=True)
        width = right - x
        lines = wrap_lines(product.title, title_font, width, 2,
                           first_width=width - (badge_w + 12 * u if badge_w else 0))
        y = draw_lines(p, lines, title_font, style.TEXT, x, pad - 4 * u, 44 * u)
        small = font(24 * u)
        if product.subtitle:
            y = draw_lines(p, [elide(product.subtitle, small, width)], small, style.TEXT_DIM, x, y + 2 * u)
        price_top = h - pad - 44 * u - 78 * u
        for point in product.selling_points:  # as many "why buy" bullets as fit above the price
            if y + 34 * u > price_top:
                break
            y = draw_lines(p, [elide("✓ " + point, small, width)], small, style.TEXT, x, y + 4 * u)
        _price_row(p, product, x, right, h - pad - 44 * u, u, locale_name)
        stock, urgent = stock_text(product.stock, lang)
        if stock:
            stock_font = font(24 * u, bold=urgent)
            draw_lines(p, [elide(stock, stock_font, width)], stock_font,
                       style.LOW_STOCK if urgent else style.TEXT_DIM, x, h - pad - 32 * u)
    finally:
        p.end()
    return to_bgra(img)


def _discount_badge(p, text: str, right: float, top: float, u: float) -> float:
    """A red pill at the top right; returns its width."""
    f = font(26 * u, bold=True)
    bw = text_width(text, f) + 24 * u
    bh = 40 * u
    rect = QRectF(right - bw, top, bw, bh)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(style.SALE)
    p.drawPath(rounded(rect, bh / 2))
    p.setFont(f)
    p.setPen(style.WHITE)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return bw


def _price_row(p, product: Product, x: float, right: float, bottom: float, u: float,
               locale_name: str | None) -> None:
    """Sale price big, compare-at price struck through beside it (baseline at `bottom`)."""
    price = format_money(product.price, product.currency, locale_name)
    size = 78 * u
    big = font(size, bold=True)
    while text_width(price, big) > (right - x) * 0.98 and size > 30 * u:  # a long price shrinks, never clips
        size *= 0.9
        big = font(size, bold=True)
    p.setFont(big)
    p.setPen(style.ACCENT)
    p.drawText(QPointF(x, bottom), price)
    if product.compare_at is None or product.compare_at <= product.price:
        return
    was = format_money(product.compare_at, product.currency, locale_name)
    small = font(28 * u)
    wx = x + text_width(price, big) + 16 * u
    if wx + text_width(was, small) > right:
        return  # no room: the discount badge already tells the saving
    p.setFont(small)
    p.setPen(style.TEXT_STRUCK)
    p.drawText(QPointF(wx, bottom), was)
    fm = QFontMetricsF(small)
    mid = bottom - fm.ascent() * 0.35
    p.setPen(QPen(style.TEXT_STRUCK, max(1.0, 2.2 * u)))
    p.drawLine(QLineF(wx - 2 * u, mid, wx + fm.horizontalAdvance(was) + 2 * u, mid))
