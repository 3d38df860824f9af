"""On-stream words are translated and fitted: a label is made smaller or re-laid out, never cut with an
ellipsis, on every canvas the studio offers; a short CJK offer stays on one line."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetricsF

from studio.commerce.overlays import style
from studio.commerce.overlays.layout import layout_for
from studio.commerce.overlays.qt import DIGIT_FAMILIES, ensure_gui, fit_lines, font, text_width

SIZES = [(1280, 720), (1920, 1080), (854, 480), (720, 1280), (1080, 1920)]


@pytest.fixture(autouse=True)
def _gui():
    ensure_gui()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_countdown_label_is_never_ellipsized(size, lang):
    w, h = layout_for(size).box("countdown").size
    u = h / 96.0
    dw = QFontMetricsF(font(56 * u, bold=True, families=DIGIT_FAMILIES)).horizontalAdvance("00:00")
    width = max(0.0, w - dw - 3 * 18 * u)
    label = style.label("flash", lang)
    f, lines = fit_lines(label, 24 * u, 13 * u, width, 2, bold=True)
    assert "…" not in "".join(lines)
    assert "".join(lines).replace(" ", "") == label.replace(" ", "")
    assert all(text_width(line, f) <= width + 0.5 for line in lines)


def test_a_short_chinese_offer_stays_on_one_line_on_a_landscape_card():
    w, h = layout_for((1280, 720)).box("coupon").size
    u = h / 96.0
    stub_w = min(w * 0.4, 118 * u)
    body = w - stub_w - 30 * u - 16 * u
    f, lines = fit_lines("新客专享立减20元", 32 * u, 16 * u, body, 2, bold=True)
    assert lines == ["新客专享立减20元"]


def test_a_long_offer_wraps_at_spaces_not_inside_words():
    f, lines = fit_lines("Free shipping on every order over fifty dollars today", 32, 30, 300, 2)
    assert len(lines) == 2 and all(not line.endswith("-") for line in lines)
    words = ["Free", "shipping", "on", "every", "order", "over", "fifty", "dollars", "today"]
    assert " ".join(lines).split() == words or "…" in lines[-1]


def test_the_words_on_stream_follow_the_catalogs_audience():
    from studio.app.assemble import on_screen_language
    from studio.app.profile.model import ShowSpec
    from studio.commerce.catalog import load_catalog
    from studio.core.paths import resources_dir

    cny = load_catalog(resources_dir() / "catalog" / "demo.json")
    assert cny.products[0].currency == "CNY" and on_screen_language(ShowSpec(), cny) == "zh"
    assert on_screen_language(ShowSpec(language="zh_CN"), None) == "zh"
    assert on_screen_language(ShowSpec(language="en"), None) == "en"
    assert style.label("flash", "zh") == "限时秒杀" and style.label("coupon", "zh") == "优惠券"
