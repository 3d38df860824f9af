"""PNG charts for the report, drawn with QtGui's QPainter on a QImage (offscreen; no new dependency).

A QGuiApplication is needed for fonts; if the process has none, one is created lazily on the
`offscreen` platform, so this works on a headless server and inside the desktop app alike.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from studio.core.qtgui import ensure_gui
from studio.live.report.data import ReportData
from studio.live.report.words import say

PALETTE = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F"]
RIGHT_MIDDLE = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def png_bytes(img: QImage) -> bytes:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")  # type: ignore[call-overload]  # the stub says bytes; the binding wants str
    buf.close()
    return bytes(ba.data())


def sku_colors(skus: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sorted(set(skus)))}


def _nice_max(v: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= step * 4:
            return step * 4
    return int(v * 1.1) + 1


def timeline_png(rep: ReportData, words: dict[str, str] | None = None, width: int = 1000,
                 height: int = 360) -> bytes:
    """Pins as coloured bands, off-air time grey, orders per minute as bars, chat per minute as a line;
    everything drawn inside the plot's frame (the axis spans whole minutes, the painter is clipped)."""
    w = words or {}
    ensure_gui()
    img = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(12)
    p.setFont(font)
    left, right, top, bottom = 56, 56, 40, 48
    plot = QRectF(left, top, width - left - right, height - top - bottom)
    n = max(1, rep.minutes)
    span = n * 60.0   # whole minutes: the last bar and the last point of the line end at the frame

    def x_of(t: float) -> float:
        return plot.left() + (t - rep.start) / span * plot.width()

    colors = sku_colors([s for s, _, _ in rep.pins])
    p.setClipRect(plot.adjusted(0, -16, 0, 0))
    # off air: inside a show when nothing was up, and between two shows of one log
    grey = QColor("#9e9e9e")
    grey.setAlpha(70)
    between = [(a[1], b[0]) for a, b in zip(rep.windows, rep.windows[1:], strict=False)]
    for s, e in [*rep.off_air, *between]:
        p.fillRect(QRectF(x_of(s), plot.top(), max(x_of(e) - x_of(s), 1.0), plot.height()), grey)
    # pin bands
    for sku, s, e in rep.pins:
        c = QColor(colors[sku])
        c.setAlpha(60)
        x0, x1 = x_of(s), max(x_of(e), x_of(s) + 1)
        p.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), c)
        c.setAlpha(255)
        p.fillRect(QRectF(x0, plot.top() - 14, x1 - x0, 10), c)
    # axes
    p.setPen(QPen(QColor("#888"), 1))
    p.drawRect(plot)
    omax = _nice_max(max(rep.orders_per_minute or [0]))
    cmax = _nice_max(max(rep.chat_per_minute or [0]))
    bw = plot.width() * 60 / span
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#2f2f2f"))
    for i, v in enumerate(rep.orders_per_minute):
        if v:
            h = v / omax * plot.height()
            p.drawRect(QRectF(plot.left() + i * bw + bw * 0.15, plot.bottom() - h, max(bw * 0.7, 1.0), h))
    if rep.chat_per_minute:
        path = QPainterPath()
        for i, v in enumerate(rep.chat_per_minute):
            pt = QPointF(plot.left() + (i + 0.5) * bw, plot.bottom() - v / cmax * plot.height())
            path.moveTo(pt) if i == 0 else path.lineTo(pt)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor("#D62728"), 2))
        p.drawPath(path)
        if len(rep.chat_per_minute) == 1:  # one minute: a point, not a line
            p.setBrush(QColor("#D62728"))
            p.drawEllipse(path.currentPosition(), 4, 4)
    p.setClipping(False)
    # labels
    p.setPen(QColor("#333"))
    for k in range(5):
        y = plot.bottom() - k / 4 * plot.height()
        p.drawText(QRectF(0, y - 8, left - 6, 16), RIGHT_MIDDLE, str(omax * k // 4))
        p.setPen(QColor("#D62728"))
        p.drawText(QRectF(plot.right() + 6, y - 8, right - 6, 16), Qt.AlignmentFlag.AlignLeft,
                   str(cmax * k // 4))
        p.setPen(QColor("#333"))
    step = max(1, n // 10)
    for m in range(0, n + 1, step):
        x = plot.left() + m * bw
        p.drawText(QRectF(x - 30, plot.bottom() + 4, 60, 16), Qt.AlignmentFlag.AlignHCenter, f"{m}′")
    p.drawText(QRectF(0, height - 22, width, 18), Qt.AlignmentFlag.AlignHCenter,
               "  ·  ".join(say(w, x) for x in ("minutes since start", "bars: orders/min (left)",
                                                "red line: chat/min (right)", "bands: pinned product",
                                                "grey: off air")))
    # legend
    x = left
    for sku, col in colors.items():
        p.fillRect(QRectF(x, 8, 12, 12), QColor(col))
        label = sku if len(sku) <= 18 else sku[:17] + "…"
        p.drawText(QRectF(x + 16, 4, 150, 20), Qt.AlignmentFlag.AlignVCenter, label)
        x += 22 + p.fontMetrics().horizontalAdvance(label) + 12
        if x > width - 150:
            break
    p.end()
    return png_bytes(img)


def conversion_png(rows: list[tuple[str, float]], title: str = "orders per minute while pinned",
                   width: int = 1000, bar_h: int = 26) -> bytes:
    """Horizontal bars: orders per minute pinned, one per product (rows: (sku, value))."""
    ensure_gui()
    height = max(80, 40 + bar_h * len(rows))
    img = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor("white"))
    p = QPainter(img)
    font = QFont()
    font.setPixelSize(12)
    p.setFont(font)
    label_w, right = 200, 80
    vmax = max([v for _, v in rows] + [0.0]) or 1.0
    colors = sku_colors([s for s, _ in rows])
    p.setPen(QColor("#333"))
    p.drawText(QRectF(0, 4, width, 20), Qt.AlignmentFlag.AlignHCenter, title)
    for i, (sku, v) in enumerate(rows):
        y = 30 + i * bar_h
        p.setPen(QColor("#333"))
        label = sku if len(sku) <= 26 else sku[:25] + "…"
        p.drawText(QRectF(4, y, label_w - 10, bar_h - 4), RIGHT_MIDDLE, label)
        w = (width - label_w - right) * v / vmax
        p.fillRect(QRectF(label_w, y + 3, max(w, 1.0), bar_h - 8), QColor(colors[sku]))
        p.drawText(QRectF(label_w + w + 6, y, right, bar_h - 4), Qt.AlignmentFlag.AlignVCenter, f"{v:.2f}")
    p.end()
    return png_bytes(img)
