"""The Messages dock: every sentence the studio has for the host (start-up fallbacks, a destination
that dropped, a setting that waits for the show to end), newest last, as plain text. The status bar
keeps the figures; a message never covers them."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from studio.core.secrets import mask_text

MAX_MESSAGES = 500
COLORS = {"warning": "#b26a00", "error": "#c62828"}


class MessagesDock(QWidget):
    added = Signal(str, str)   # text, level

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        lay.addWidget(self.list)

    def add(self, text: str, level: str = "info") -> None:
        text = mask_text(" ".join(str(text).split()))[:1000]
        item = QListWidgetItem(time.strftime("%H:%M:%S ") + text)   # QListWidgetItem text is never markup
        item.setData(Qt.ItemDataRole.UserRole, level)
        if level in COLORS:
            item.setForeground(QColor(COLORS[level]))
        self.list.addItem(item)
        while self.list.count() > MAX_MESSAGES:
            self.list.takeItem(0)
        self.list.scrollToBottom()
        self.added.emit(text, level)

    def texts(self) -> list[str]:
        return [self.list.item(i).text()[9:] for i in range(self.list.count())]
