"""Render any overlay kind for a product at its layout position: the one entry point shared by the
`studio overlay render` command and the live show, so review PNGs show exactly what viewers see."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtGui import QImage

from studio.commerce.overlays import style
from studio.commerce.overlays.badge import render_badge, render_logo
from studio.commerce.overlays.chat import render_chat
from studio.commerce.overlays.countdown import render_countdown
from studio.commerce.overlays.coupon import render_coupon
from studio.commerce.overlays.layout import Layout
from studio.commerce.overlays.lower_third import render_lower_third
from studio.commerce.overlays.price_card import render_price_card
from studio.commerce.overlays.qr import render_qr
from studio.commerce.product import Product

# Drawing order, bottom first.
ORDER = ("logo", "chat", "lower_third", "qr", "coupon", "countdown", "price_card", "badge")
Z = {kind: 100 + 10 * i for i, kind in enumerate(ORDER)}


@dataclass(frozen=True)
class Placed:
    """A rendered overlay: premultiplied BGRA and its top-left corner on the canvas."""

    image: np.ndarray
    x: int
    y: int


@dataclass(frozen=True)
class SceneOptions:
    countdown_seconds: float | None = None
    coupon: str | None = None
    lower_third: tuple[str, str] | None = None  # (headline, text); default from the product
    badge_text: str | None = None
    locale: str | None = None
    logo: QImage | None = None
    chat: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def lang_of(product: Product | None, opts: SceneOptions) -> str:
    return style.language_for(product.currency if product else "USD", opts.locale)


def lower_third_text(product: Product) -> tuple[str, str]:
    """Headline and line for the product's lower-third: its title and why to buy it."""
    text = " · ".join(product.selling_points[:3]) or product.subtitle
    return product.title, text


def render_kind(kind: str, layout: Layout, product: Product | None, opts: SceneOptions,
                image: QImage | None = None) -> Placed | None:
    """One overlay, or None when it has nothing to show (no product, no URL, no coupon…)."""
    box = layout.box(kind)
    lang = lang_of(product, opts)
    if kind == "price_card":
        if product is None:
            return None
        return Placed(render_price_card(product, box.size, image, opts.locale), box.x, box.y)
    if kind == "countdown":
        if opts.countdown_seconds is None:
            return None
        return Placed(render_countdown(opts.countdown_seconds, box.size, lang=lang), box.x, box.y)
    if kind == "coupon":
        if not opts.coupon:
            return None
        return Placed(render_coupon(opts.coupon, box.size, lang=lang), box.x, box.y)
    if kind == "qr":
        if product is None or not product.url:
            return None
        return Placed(render_qr(product.url, box.size, lang=lang), box.x, box.y)
    if kind == "lower_third":
        headline, text = opts.lower_third or (lower_third_text(product) if product else ("", ""))
        if not headline:
            return None
        return Placed(render_lower_third(headline, text, box.size), box.x, box.y)
    if kind == "badge":
        if product is None:
            return None
        return Placed(render_badge(opts.badge_text, box.h, lang, max_width=box.w * 2), box.x, box.y)
    if kind == "logo":
        if opts.logo is None or opts.logo.isNull():
            return None
        img = render_logo(opts.logo, box.size)
        return Placed(img, box.right() - img.shape[1], box.y)  # hug the box's outer corner
    if kind == "chat":
        if not opts.chat:
            return None
        return Placed(render_chat(list(opts.chat), box.size), box.x, box.y)
    raise ValueError(f"unknown overlay kind {kind!r}")
