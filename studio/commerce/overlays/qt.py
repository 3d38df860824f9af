"""The QtGui plumbing every overlay shares: the lazy QGuiApplication, fonts, text layout, and the
conversion of a QImage to the premultiplied BGRA ndarray the compositor blends.

QPainter on a QImage is allowed off the GUI thread, so renderers may run on a worker thread; the
QGuiApplication must exist first (fonts come from it), which `ensure_gui()` guarantees.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QTextLayout,
    QTextOption,
)

from studio.core.errors import UserError
from studio.core.qtgui import ensure_gui

# Latin and CJK from Noto Sans CJK, colour emoji from Noto Color Emoji, DejaVu for the rest.
FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", "Noto Color Emoji"]
DIGIT_FAMILIES = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Noto Sans CJK SC"]



def font(px: float, bold: bool = False, families: list[str] | None = None) -> QFont:
    """A font of `px` pixels (overlays are sized in canvas pixels, not points)."""
    f = QFont()
    f.setFamilies(families or FONT_FAMILIES)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f


def new_image(width: int, height: int) -> QImage:
    """A fully transparent premultiplied ARGB32 image."""
    ensure_gui()
    w, h = max(1, int(width)), max(1, int(height))
    # Not QImage.fill(): in PySide6 6.12 every fill() call drops a reference to None, and on
    # Python 3.11 (None is not immortal) that aborts the process after a few thousand renders.
    zeros = bytes(w * h * 4)
    return QImage(zeros, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied).copy()


def painter(img: QImage) -> QPainter:
    p = QPainter(img)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                     | QPainter.RenderHint.SmoothPixmapTransform)
    return p


def to_bgra(img: QImage) -> np.ndarray:
    """The premultiplied BGRA bytes of `img` as an owned HxWx4 uint8 array (little-endian ARGB32)."""
    if img.format() != QImage.Format.Format_ARGB32_Premultiplied:
        img = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : w * 4].reshape(h, w, 4).copy()


def from_bgra(arr: np.ndarray) -> QImage:
    """A QImage (deep copy) from premultiplied BGRA bytes."""
    ensure_gui()
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied).copy()


def save_png(arr: np.ndarray, path: str | Path) -> None:
    """Write premultiplied BGRA as a PNG (straight alpha, as image files store it)."""
    if not from_bgra(arr).save(str(path), "PNG"):  # type: ignore[call-overload]  # stub: bytes; binding: str
        raise UserError(f"{path}: cannot write the PNG (does the folder exist?)")


def compose(canvas_size: tuple[int, int], placed: list[tuple[np.ndarray, int, int]]) -> np.ndarray:
    """Premultiplied "over" of every (image, x, y) onto a transparent canvas, in order; for review."""
    w, h = canvas_size
    out = np.zeros((h, w, 4), dtype=np.uint16)
    for img, x, y in placed:
        ih, iw = img.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + iw, w), min(y + ih, h)
        if x1 <= x0 or y1 <= y0:
            continue
        src = img[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.uint16)
        dst = out[y0:y1, x0:x1]
        dst[...] = src + (dst * (255 - src[..., 3:4]) + 127) // 255
    return out.astype(np.uint8)


def rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


def wrap_lines(text: str, fnt: QFont, width: float, max_lines: int,
               first_width: float | None = None) -> list[str]:
    """`text` broken into at most `max_lines` lines of `width` px, the last one ellipsized if cut.

    Breaks at word boundaries, or anywhere when a word (or CJK run) is wider than the line.
    `first_width` narrows the first line (to leave room for a badge beside it).
    """
    if not text or max_lines <= 0 or width <= 1:
        return []
    layout = QTextLayout(text, fnt)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(first_width if first_width is not None and not spans else width)
        spans.append((line.textStart(), line.textLength()))
        if len(spans) > max_lines:
            break
    layout.endLayout()
    units = text.encode("utf-16-le")  # Qt positions count UTF-16 code units (an emoji is two)

    def cut(start: int, length: int | None = None) -> str:
        end = len(units) if length is None else 2 * (start + length)
        return units[2 * start:end].decode("utf-16-le", errors="ignore").strip()

    lines = [cut(s, n) for s, n in spans[:max_lines]]
    if len(spans) > max_lines:
        rest = cut(spans[max_lines - 1][0])
        lines[-1] = elide(rest, fnt, first_width if max_lines == 1 and first_width is not None else width)
    return lines


def fit_font(text: str, px: float, min_px: float, width: float, bold: bool = False) -> QFont | None:
    """The largest font from `px` down to `min_px` in which `text` fits `width` on one line; None when
    it does not fit even at `min_px` (then wrap it): a label is made smaller, never cut."""
    size = px
    while size >= min_px:
        f = font(size, bold=bold)
        if text_width(text, f) <= width:
            return f
        size *= 0.92
    return None


def fit_lines(text: str, px: float, min_px: float, width: float, max_lines: int,
              bold: bool = False) -> tuple[QFont, list[str]]:
    """`text` on one line in the largest size that fits, else wrapped at the Unicode line-break
    opportunities (QTextLayout: spaces, and between CJK characters) in the largest size that fits in
    `max_lines` without cutting; ellipsized only when even that is too long."""
    one = fit_font(text, px, min_px, width, bold)
    if one is not None:
        return one, [text]
    size = px
    while size >= min_px:
        f = font(size, bold=bold)
        lines = wrap_lines(text, f, width, max_lines + 1)
        if len(lines) <= max_lines:
            return f, lines
        size *= 0.92
    f = font(min_px, bold=bold)
    return f, wrap_lines(text, f, width, max_lines)


def elide(text: str, fnt: QFont, width: float) -> str:
    return QFontMetricsF(fnt).elidedText(text, Qt.TextElideMode.ElideRight, width)


def text_width(text: str, fnt: QFont) -> float:
    return QFontMetricsF(fnt).horizontalAdvance(text)


def draw_lines(p: QPainter, lines: list[str], fnt: QFont, color: QColor, x: float, top: float,
               line_height: float | None = None) -> float:
    """Draw plain-text lines from `top`; returns the y below the last line."""
    fm = QFontMetricsF(fnt)
    step = line_height or fm.lineSpacing()
    p.setFont(fnt)
    p.setPen(color)
    y = top
    for line in lines:
        p.drawText(QPointF(x, y + fm.ascent()), line)
        y += step
    return y


def draw_shadow_text(p: QPainter, text: str, fnt: QFont, color: QColor, x: float, baseline: float) -> None:
    """Text with a soft dark outline so it reads over any video."""
    p.setFont(fnt)
    p.setPen(QColor(0, 0, 0, 110))
    for dx, dy in ((1, 1), (2, 2)):
        p.drawText(QPointF(x + dx, baseline + dy), text)
    p.setPen(color)
    p.drawText(QPointF(x, baseline), text)


def draw_image_cover(p: QPainter, img: QImage, rect: QRectF, radius: float) -> None:
    """`img` scaled to fill `rect` (cropped, centred), with rounded corners."""
    if img.isNull() or rect.width() < 1 or rect.height() < 1:
        return
    scaled = img.scaled(round(rect.width()), round(rect.height()),
                        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                        Qt.TransformationMode.SmoothTransformation)
    sx = (scaled.width() - rect.width()) / 2
    sy = (scaled.height() - rect.height()) / 2
    p.save()
    p.setClipPath(rounded(rect, radius))
    p.drawImage(rect, scaled, QRectF(sx, sy, rect.width(), rect.height()))
    p.restore()
