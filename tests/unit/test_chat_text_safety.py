"""Chat from viewers is shown literally, capped, and never breaks the layout: HTML and rich text stay
visible as typed, control and bidi-override characters are dropped, emoji sequences survive whole,
100 000-character messages are capped, and the overlay box keeps its size."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from studio.app.show_commerce import chat_overlay_image
from studio.live.blocklist import MAX_NAME, MAX_TEXT, Blocklist, plain, screen_line

# Widgets need a QApplication, made before anything makes a plain QGuiApplication (as tests/ui does).
_APP = QApplication.instance() or QApplication(["studio-tests"])

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
HOSTILE = [
    "<b>bold</b> <a href='https://evil.example'>link</a> <img src=x onerror=alert(1)>",
    "<qt><font color=red size=72>BIG</font></qt>",
    "a\x00b\x07c\x1b[31md\x7fe\u0085f",
    "\u202eevil override\u202c and \u2066isolate\u2069 and \u200fmark",
    "zero\u200bwidth\ufeffspace\u2060joiner",
    "b\u200dad",
    FAMILY + " " + SCOTLAND + " 👍🏽 ❤️\u200d🔥 🇨🇳",
    "Z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a" * 20,
    "line1\nline2\rline3\u2028line4\u2029line5",
    "مرحبا بالعالم שלום עולם",
    "x" * 100_000,
    "🍵" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_screened_text_is_plain_single_line_and_capped(text):
    name, body = screen_line(text, text)
    assert len(name) <= MAX_NAME and len(body) <= MAX_TEXT
    for s in (name, body):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in s)
        invisible = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b"
        assert not any(c in s for c in invisible)
        assert "\u2028" not in s and "\u2029" not in s


def test_markup_is_kept_literally_not_stripped():
    _, body = screen_line("a", "<b>bold</b> & <i>x</i>")
    assert body == "<b>bold</b> & <i>x</i>"


def test_emoji_sequences_survive_whole():
    _, body = screen_line("a", f"{FAMILY} {SCOTLAND} 👍🏽 ❤️\u200d🔥")
    assert FAMILY in body and SCOTLAND in body and "👍🏽" in body and "❤️\u200d🔥" in body


def test_a_joiner_cannot_split_a_blocked_word():
    assert screen_line("a", "so b\u200dad", Blocklist(["bad"]))[1] == "so ***"
    assert screen_line("a", "so b\u200bad", Blocklist(["bad"]))[1] == "so ***"


def test_stacked_accents_are_limited():
    body = plain("Z" + "\u0301" * 200, 90)
    assert body.startswith(("Z", "\u0179")) and 2 <= len(body) <= 5  # NFKC may compose the first one


def test_cap_never_leaves_half_a_joined_emoji():
    body = plain("a" * (MAX_TEXT - 2) + FAMILY, MAX_TEXT)
    assert body.endswith("…") and not body[:-1].endswith("\u200d")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text(max_size=60))
def test_screening_any_text_is_capped_and_control_free(text, name):
    n, b = screen_line(name, text, Blocklist(["bad", "坏"]))
    assert 1 <= len(n) <= MAX_NAME and len(b) <= MAX_TEXT
    assert not any(ord(c) < 32 for c in n + b)


@pytest.mark.parametrize("canvas", [(1280, 720), (720, 1280)])
def test_overlay_renders_hostile_chat_in_its_box(canvas):
    messages = [(t, t) for t in HOSTILE]  # raw, unscreened: the renderer cleans and caps on its own
    img, x, y = chat_overlay_image(messages, canvas)
    ref, rx, ry = chat_overlay_image([("Tom", "hi")], canvas)
    assert img.shape == ref.shape and (x, y) == (rx, ry)  # the box never grows
    assert img.dtype == np.uint8 and img[..., 3].max() > 0
    assert x >= 0 and y >= 0 and x + img.shape[1] <= canvas[0] and y + img.shape[0] <= canvas[1]


def test_markup_is_drawn_as_text_not_interpreted():
    """`<font size=72>` drawn as plain text covers about as much as the same number of ordinary
    characters; interpreted, it would draw one huge word."""
    canvas = (1280, 720)
    tagged, _, _ = chat_overlay_image([("a", "<font size=72>BIG</font>")], canvas)
    literal, _, _ = chat_overlay_image([("a", "[font size=72]BIG[/font]")], canvas)
    def ink(im):
        return int((im[..., 3] > 200).sum())
    assert abs(ink(tagged) - ink(literal)) < 0.25 * ink(literal)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=400)), max_size=10))
def test_overlay_renders_any_chat(messages):
    img, _, _ = chat_overlay_image(messages, (640, 360))
    ref, _, _ = chat_overlay_image([], (640, 360))
    assert img.shape == ref.shape


@pytest.mark.skipif(not isinstance(QApplication.instance(), QApplication),
                    reason="a plain QGuiApplication exists already: widgets cannot be made in this process")
def test_chat_dock_shows_markup_literally(qtbot):
    from PySide6.QtCore import Qt

    from studio.live.events import ChatMessage
    from studio.ui.chat import ChatDock

    class Controller:
        def screen(self, author, text):
            return screen_line(author, text)

    dock = ChatDock()
    qtbot.addWidget(dock)
    dock.controller = Controller()
    dock.add_message(ChatMessage("t", "1", "<b>Eve</b>", "<a href='x'>click</a>\u202e" + "x" * 100_000, 0.0))
    item = dock.list.item(0)
    assert item.text().startswith("<b>Eve</b>: <a href='x'>click</a>")
    assert len(item.text()) <= MAX_NAME + 2 + MAX_TEXT and "\u202e" not in item.text()
    assert item.data(Qt.ItemDataRole.DisplayRole) == item.text()
