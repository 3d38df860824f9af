"""Chat overlay: the last N messages (name + text) on a translucent box, newest at the bottom.

Names and texts come from viewers: they are cleaned to plain text and length-capped here, whatever
the caller did, and drawn as plain text (never markup).
"""

from __future__ import annotations

import unicodedata

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from studio.commerce.overlays import style
from studio.commerce.overlays.qt import (
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
from studio.commerce.product import clean_text
from studio.core.qtgui import ensure_gui

MAX_NAME = 24
MAX_TEXT = 200
MAX_MESSAGES = 8
NAME_COLORS = [QColor(255, 214, 64), QColor(120, 220, 255), QColor(160, 255, 160), QColor(255, 160, 220),
               QColor(255, 180, 120)]


MAX_MARKS = 4  # combining marks kept on one character; "Zalgo" stacks would paint over other lines


def _cap(text: str, limit: int) -> str:
    out, marks = [], 0
    for ch in clean_text(text, limit):
        marks = marks + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        if marks <= MAX_MARKS:
            out.append(ch)
    return "".join(out)


def render_chat(messages: list[tuple[str, str]], size: tuple[int, int],
                max_messages: int = MAX_MESSAGES) -> np.ndarray:
    """The box exactly `size`; older messages that do not fit are dropped from the top."""
    ensure_gui()  # fonts need the QGuiApplication; without it Qt aborts the process
    w, h = size
    u = w / 400.0
    pad = 14 * u
    name_font, text_font = font(22 * u, bold=True), font(22 * u)
    line_h = 30 * u
    width = w - 2 * pad
    blocks: list[tuple[str, QColor, list[str]]] = []
    used = pad
    for name, text in reversed(messages[-max_messages:]):
        name_s, text_s = _cap(name, MAX_NAME) or "?", _cap(text, MAX_TEXT)
        color = NAME_COLORS[sum(map(ord, name_s)) % len(NAME_COLORS)]
        prefix = name_s + ": "
        indent = text_width(prefix, name_font)
        if indent > width * 0.6:
            prefix = elide(name_s, name_font, width * 0.5) + ": "
            indent = text_width(prefix, name_font)
        lines = wrap_lines(text_s, text_font, width, 2, first_width=width - indent) or [""]
        need = line_h * len(lines) + 6 * u
        if used + need > h - pad:
            break
        used += need
        blocks.append((prefix, color, lines))
    img = new_image(w, h)
    p = painter(img)
    try:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 120))
        p.drawPath(rounded(QRectF(0, 0, w, h), 16 * u))
        y = h - pad
        for prefix, color, lines in blocks:  # newest first, drawn upwards from the bottom
            y -= line_h * len(lines) + 6 * u
            draw_lines(p, [prefix], name_font, color, pad, y, line_h)
            indent = text_width(prefix, name_font)
            draw_lines(p, lines[:1], text_font, style.TEXT, pad + indent, y, line_h)
            draw_lines(p, lines[1:], text_font, style.TEXT, pad, y + line_h, line_h)
    finally:
        p.end()
    return to_bgra(img)
