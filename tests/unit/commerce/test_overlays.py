"""Overlay renderers: real QImages, checked for size, premultiplication, ink and placement."""

import sys
from decimal import Decimal

import cv2
import numpy as np
import pytest

from studio.commerce.overlays.layout import (
    VERTICAL_SAFE_BOTTOM,
    VERTICAL_SAFE_RIGHT,
    layout_for,
    parse_canvas,
)
from studio.commerce.product import make_product


@pytest.fixture
def product():
    return make_product(sku="TEA-1", title="西湖龙井 明前特级 🍵 Dragon Well green tea, spring harvest",
                        price="99", compare_at="159", currency="CNY", stock=7, url="https://shop.example.com/p/tea-1",
                        selling_points=["明前采摘"], subtitle="250 g")


def ink(arr: np.ndarray) -> int:
    return int((arr[..., 3] > 0).sum())


def premultiplied(arr: np.ndarray) -> bool:
    return bool((arr[..., :3].max(axis=2) <= arr[..., 3]).all())


def render_text(text: str) -> np.ndarray:
    from PySide6.QtCore import QPointF

    from studio.commerce.overlays.qt import font, new_image, painter, to_bgra
    img = new_image(200, 80)
    p = painter(img)
    p.setFont(font(48))
    p.setPen(__import__("PySide6.QtGui", fromlist=["QColor"]).QColor(255, 255, 255))
    p.drawText(QPointF(10, 60), text)
    p.end()
    return to_bgra(img)


def test_cjk_and_emoji_have_real_glyphs_not_tofu(gui):
    tofu = render_text("\U000e0fff\U000e0ffe")  # unassigned: what a missing glyph looks like (box or nothing)
    cjk = render_text("龙井")
    emoji = render_text("🍵")
    assert ink(cjk) > 400 and ink(emoji) > 400
    assert not np.array_equal(cjk, tofu) and not np.array_equal(emoji, tofu)
    colour = emoji[..., :3].astype(int)
    assert (np.abs(colour[..., 2] - colour[..., 1]) > 40).sum() > 50  # colour emoji, not a monochrome outline


def test_price_card_has_the_layout_size_and_is_premultiplied(gui, product):
    from studio.commerce.overlays.price_card import render_price_card
    arr = render_price_card(product, (720, 330))
    assert arr.shape == (330, 720, 4) and arr.dtype == np.uint8
    assert premultiplied(arr)
    assert arr[165, 360, 3] > 150  # the card is a translucent panel, not a hole


def test_price_card_shows_an_image_when_given_one_and_renders_without(gui, product):
    from PySide6.QtGui import QColor, QImage, QPainter

    from studio.commerce.overlays.price_card import render_price_card
    photo = QImage(50, 50, QImage.Format.Format_RGB32)
    p = QPainter(photo)
    p.fillRect(0, 0, 50, 50, QColor(0, 200, 0))
    p.end()
    with_img = render_price_card(product, (720, 330), photo)
    without = render_price_card(product, (720, 330), None)
    assert with_img[165, 100, 1] > 150 and with_img[165, 100, 2] < 60  # green photo on the left
    assert without[165, 100, 1] < 100


def test_stock_and_discount_words_follow_the_audience():
    from studio.commerce.overlays.price_card import stock_text
    assert stock_text(7, "zh") == ("仅剩 7 件", True)
    assert stock_text(0, "en") == ("Sold out", True)
    assert stock_text(500, "en") == ("500 in stock", False)
    assert stock_text(None, "en") == ("", False)


def test_title_wraps_and_ellipsizes_at_two_lines(gui):
    from studio.commerce.overlays.qt import font, wrap_lines
    lines = wrap_lines("桑蚕丝真丝丝巾 🌸 " * 20, font(34), 400, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert wrap_lines("short 🍵", font(34), 400, 2) == ["short 🍵"]


def test_countdown_shows_mm_ss_rounded_up():
    from studio.commerce.overlays.countdown import format_mmss, parse_mmss
    assert parse_mmss("05:00") == 300 and parse_mmss("90") == 90
    assert format_mmss(299.2) == "05:00" and format_mmss(0.2) == "00:01" and format_mmss(0) == "00:00"
    with pytest.raises(ValueError, match="mm:ss"):
        parse_mmss("5 minutes")


def test_qr_code_decodes_to_the_product_url(gui, product):
    from studio.commerce.overlays.qr import render_qr
    arr = render_qr(product.url, (252, 300))
    bgr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(bgr)
    assert text == product.url


@pytest.mark.parametrize("kind", ["countdown", "coupon", "lower_third", "chat"])
def test_every_card_fills_its_box_with_premultiplied_ink(gui, kind, product):
    from studio.commerce.overlays.scene import SceneOptions, render_kind
    lay = layout_for((1280, 720))
    opts = SceneOptions(countdown_seconds=65, coupon="满199减30 🎁",
                        chat=(("小美", "好看！🥰"), ("Al", "hi")))
    placed = render_kind(kind, lay, product, opts)
    assert placed.image.shape[:2] == (lay.box(kind).h, lay.box(kind).w)
    assert ink(placed.image) > 0.3 * placed.image.shape[0] * placed.image.shape[1]
    assert premultiplied(placed.image)


def test_chat_text_is_plain_and_capped(gui):
    from studio.commerce.overlays.chat import render_chat
    arr = render_chat([("<b>x</b>" * 50, "<img src=x>" + "字" * 5000)] * 30, (400, 300))
    assert arr.shape == (300, 400, 4)


def test_badge_width_fits_its_text(gui):
    from studio.commerce.overlays.badge import render_badge
    assert render_badge(None, 56, "zh").shape[1] < render_badge(None, 56, "en").shape[1]


@pytest.mark.parametrize("canvas", [(1080, 1920), (720, 1280), (1440, 2560)])
def test_vertical_cards_stay_out_of_the_platform_ui(canvas):
    lay = layout_for(canvas)
    assert lay.vertical
    w, h = canvas
    for kind, box in lay.boxes.items():
        assert box.bottom() <= VERTICAL_SAFE_BOTTOM * h, kind
        assert box.right() <= VERTICAL_SAFE_RIGHT * w, kind
        assert box.x >= 0 and box.y >= 0.1 * h, kind


@pytest.mark.parametrize("canvas", [(1920, 1080), (1280, 720), (854, 480), (3840, 2160)])
def test_landscape_boxes_scale_and_stay_on_canvas(canvas):
    lay = layout_for(canvas)
    w, h = canvas
    assert not lay.vertical and lay.box("price_card").w == round(720 * w / 1920)
    for box in lay.boxes.values():
        assert box.x >= 0 and box.right() <= w and box.y >= 0 and box.bottom() <= h


def test_canvas_parsing():
    assert parse_canvas("1280x720") == (1280, 720)
    with pytest.raises(ValueError):
        parse_canvas("big")


def test_rendering_does_not_leak_references_to_none(gui, product):
    """PySide6 6.12.0 dropped a reference to None per void call (QImage.fill, QPainter.setPen…): on
    Python 3.11 the process aborted after a few thousand calls. pyproject pins PySide6 below 6.12."""
    from studio.commerce.overlays.price_card import render_price_card
    render_price_card(product, (360, 165))
    before = sys.getrefcount(None)
    for _ in range(50):
        render_price_card(product, (360, 165))
    assert sys.getrefcount(None) >= before - 50, "rendering drops references to None"


def test_compose_is_premultiplied_over(gui):
    from studio.commerce.overlays.qt import compose
    a = np.zeros((2, 2, 4), np.uint8)
    a[...] = (0, 0, 128, 128)  # half-transparent red, premultiplied
    b = np.full((2, 2, 4), 255, np.uint8)
    out = compose((2, 2), [(b, 0, 0), (a, 0, 0)])
    assert tuple(out[0, 0]) == (127, 127, 255, 255)
    assert Decimal("1") == 1
