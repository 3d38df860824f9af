"""The live preview of the program canvas: the latest composed frame, scaled smoothly into the widget
(letterboxed, 16:9 or 9:16), a LIVE badge with the elapsed time, and the layers' outlines, which the host
drags to move and resize a layer (the compositor uses the new rectangle from its next tick)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.ui.i18n import tr

HANDLE = 12  # logical pixels of the resize grip at a layer's bottom-right corner


class PreviewWidget(QWidget):
    layer_moved = Signal(int, int, int, int, int)   # index, x, y, width, height (canvas pixels), dragging
    layer_edited = Signal(int)                      # drag finished
    layer_selected = Signal(int)

    def __init__(self, canvas_size: tuple[int, int], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.canvas_size = canvas_size
        self.image: QImage | None = None
        self._frame_ref: np.ndarray | None = None  # the QImage borrows this array's memory
        self.frame_index = -1
        self.live_text = ""          # "" when not live, else "LIVE 00:12:34"
        self.layer_rects: list[tuple[int, int, int, int]] = []
        self.selected = -1
        self._drag: tuple[str, int, QPointF, tuple[int, int, int, int]] | None = None
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:
        w, h = self.canvas_size
        return QSize(640, 360) if w >= h else QSize(300, 533)

    def wanted_frame_size(self) -> tuple[int, int]:
        """Device pixels of the picture area: the preview tap scales to this (high-DPI sharp)."""
        r = self.picture_rect()
        dpr = self.devicePixelRatioF()
        return max(2, int(r.width() * dpr)), max(2, int(r.height() * dpr))

    def set_frame(self, index: int, bgr: np.ndarray) -> None:
        bgr = np.ascontiguousarray(bgr)
        h, w = bgr.shape[:2]
        self._frame_ref = bgr
        self.image = QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888)
        self.frame_index = index
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    def picture_rect(self) -> QRectF:
        cw, ch = self.canvas_size
        W, H = self.width(), self.height()
        scale = min(W / cw, H / ch)
        w, h = cw * scale, ch * scale
        return QRectF((W - w) / 2, (H - h) / 2, w, h)

    def _to_widget(self, rect: tuple[int, int, int, int]) -> QRectF:
        p = self.picture_rect()
        s = p.width() / self.canvas_size[0]
        x, y, w, h = rect
        return QRectF(p.x() + x * s, p.y() + y * s, w * s, h * s)

    def _scale(self) -> float:
        return self.picture_rect().width() / self.canvas_size[0]

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(18, 18, 20))
        target = self.picture_rect()
        if self.image is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, self.image)
        else:
            p.setPen(QColor(160, 160, 160))
            p.drawText(target, Qt.AlignmentFlag.AlignCenter, tr("Starting the preview…"))
        for i, rect in enumerate(self.layer_rects):
            if i != self.selected:
                continue
            r = self._to_widget(rect)
            p.setPen(QPen(QColor(255, 200, 0), 2, Qt.PenStyle.DashLine))
            p.drawRect(r)
            p.fillRect(QRectF(r.right() - HANDLE, r.bottom() - HANDLE, HANDLE, HANDLE), QColor(255, 200, 0))
        if self.live_text:
            f = QFont(self.font())
            f.setBold(True)
            f.setPointSizeF(max(9.0, f.pointSizeF() * 1.1))
            p.setFont(f)
            text_w = p.fontMetrics().horizontalAdvance(self.live_text) + 20
            badge = QRect(int(target.right()) - text_w - 10, int(target.y()) + 10, text_w,
                          p.fontMetrics().height() + 8)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setBrush(QColor(220, 30, 40))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(badge, 4, 4)
            p.setPen(QColor(255, 255, 255))
            p.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.live_text)
        p.end()

    # -- layer dragging ----------------------------------------------------------------------------
    def _hit(self, pos: QPointF) -> tuple[int, str] | None:
        for i in reversed(range(len(self.layer_rects))):
            r = self._to_widget(self.layer_rects[i])
            grip = QRectF(r.right() - HANDLE, r.bottom() - HANDLE, HANDLE * 1.5, HANDLE * 1.5)
            if i == self.selected and grip.contains(pos):
                return i, "resize"
            if r.contains(pos):
                return i, "move"
        return None

    def mousePressEvent(self, event) -> None:
        hit = self._hit(event.position())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        i, mode = hit
        if i != self.selected:
            self.selected = i
            self.layer_selected.emit(i)
            mode = "move"
        self._drag = (mode, i, event.position(), self.layer_rects[i])
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            hit = self._hit(event.position())
            shape = Qt.CursorShape.SizeFDiagCursor if hit and hit[1] == "resize" else (
                Qt.CursorShape.SizeAllCursor if hit else Qt.CursorShape.ArrowCursor)
            self.setCursor(shape)
            return
        mode, i, start, (x, y, w, h) = self._drag
        s = self._scale()
        dx, dy = (event.position().x() - start.x()) / s, (event.position().y() - start.y()) / s
        if mode == "move":
            x, y = int(x + dx) & ~1, int(y + dy) & ~1
        else:
            w, h = max(32, int(w + dx)) & ~1, max(32, int(h + dy)) & ~1
        self.layer_rects[i] = (x, y, w, h)
        self.layer_moved.emit(i, x, y, w, h)
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is not None:
            i = self._drag[1]
            self._drag = None
            self.layer_edited.emit(i)
        super().mouseReleaseEvent(event)
