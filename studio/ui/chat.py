"""The chat dock: messages as plain text (never markup), auto-scroll that pauses while the host reads
older messages, questions and purchase intent highlighted, one click to show a message on stream,
blocked words masked."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.feed_status import FeedStatusBar
from studio.ui.i18n import tr

MAX_ITEMS = 500
INTENT = re.compile(r"how much|price|cost|size|link|buy|order|discount|coupon|多少钱|价格|价钱|尺码|码|链接|"
                    r"下单|拍|优惠|包邮|库存|还有吗", re.IGNORECASE)
QUESTION = re.compile(r"[?？]|吗|呢|^(what|how|is|are|do|does|can|when|where|which)\b", re.IGNORECASE)
INTENT_BG = QColor(255, 214, 102, 90)
QUESTION_BG = QColor(120, 180, 255, 70)


def classify(text: str) -> str:
    """"intent" (price, size, link…), "question", or ""."""
    if INTENT.search(text):
        return "intent"
    if QUESTION.search(text):
        return "question"
    return ""


class ChatDock(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller: Any = None  # the bound StudioController (bind() comes before any slot)
        lay = QVBoxLayout(self)
        self.feed_status = FeedStatusBar(self)  # each feed's state in words, DEMO DATA when simulated
        lay.addWidget(self.feed_status)
        self.list = QListWidget(self)
        self.list.setObjectName("chatList")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setToolTip(tr("Click a message to show it on stream"))
        self.list.itemClicked.connect(self.feature)
        lay.addWidget(self.list, 1)
        self.jump = QPushButton(tr("New messages ↓"), self)
        self.jump.clicked.connect(self.scroll_to_end)
        self.jump.hide()
        lay.addWidget(self.jump)
        row = QHBoxLayout()
        self.hide_btn = QPushButton(tr("Hide from stream"), self)
        self.hide_btn.clicked.connect(self.hide_featured)
        row.addWidget(self.hide_btn)
        lay.addLayout(row)
        bw = QHBoxLayout()
        self.blocked = QLineEdit(self)
        self.blocked.setPlaceholderText(tr("Blocked words, comma-separated"))
        self.blocked.editingFinished.connect(self.blocked_changed)
        bw.addWidget(self.blocked, 1)
        lay.addLayout(bw)
        self.list.verticalScrollBar().valueChanged.connect(self.scrolled)

    def bind(self, controller) -> None:
        self.feed_status.clear()
        self.feed_status.set_demo(controller.demo)
        self.controller = controller
        self.blocked.setText(", ".join(controller.spec.blocked_words))

    def at_bottom(self) -> bool:
        bar = self.list.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    @Slot(object)
    def add_message(self, msg) -> None:
        follow = self.at_bottom()
        name, text = self.controller.screen(msg.author, msg.text)
        kind = getattr(msg, "kind", "")
        paid = kind in ("superchat", "gift") and msg.amount
        prefix = ("🎁 " if kind == "gift" else "") + (f"[{msg.amount} {msg.currency}] " if paid else "")
        item = QListWidgetItem(f"{name}: {prefix}{text}")  # QListWidgetItem text is always plain text
        item.setData(Qt.ItemDataRole.UserRole, (msg.author, msg.text))
        signal = classify(text)
        item.setData(Qt.ItemDataRole.UserRole + 1, signal)
        if signal:
            item.setBackground(QBrush(INTENT_BG if signal == "intent" else QUESTION_BG))
        self.list.addItem(item)
        while self.list.count() > MAX_ITEMS:
            self.list.takeItem(0)
        if follow:
            self.list.scrollToBottom()
        else:
            self.jump.show()

    @Slot(int)
    def scrolled(self, _value: int) -> None:
        if self.at_bottom():
            self.jump.hide()

    @Slot()
    def scroll_to_end(self) -> None:
        self.list.scrollToBottom()
        self.jump.hide()

    @Slot(QListWidgetItem)
    def feature(self, item: QListWidgetItem) -> None:
        author, text = item.data(Qt.ItemDataRole.UserRole)
        self.controller.feature_chat(author, text)

    @Slot()
    def hide_featured(self) -> None:
        self.controller.clear_featured()

    @Slot()
    def blocked_changed(self) -> None:
        self.controller.set_blocked_words(self.blocked.text().replace("，", ",").split(","))
