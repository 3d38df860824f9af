"""The products panel: the catalog as cards (click or keys 1–9 to pin, Esc to unpin), the flash-sale
countdown and the coupon, and each product's stock left and units sold, updated as orders arrive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.commerce.money import format_money
from studio.commerce.product import Product
from studio.ui.i18n import tr

if TYPE_CHECKING:
    from studio.app.controller import StudioController


def plain_label(text: str = "", parent=None) -> QLabel:
    """A label that never interprets its text as markup (chat, product names: untrusted)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class ProductCard(QFrame):
    clicked = Signal(str)

    def __init__(self, number: int, product: Product, parent=None) -> None:
        super().__init__(parent)
        self.product = product
        self.setObjectName("productCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        key = plain_label(str(number) if number <= 9 else "", self)
        key.setObjectName("cardKey")
        self.title = plain_label(product.title, self)
        self.title.setWordWrap(True)
        self.title.setObjectName("cardTitle")
        # three lines, CJK and emoji
        self.title.setMinimumHeight(self.title.fontMetrics().lineSpacing() * 3 + 6)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top.addWidget(key)
        top.addWidget(self.title, 1)
        lay.addLayout(top)
        self.price = plain_label(format_money(product.price, product.currency), self)
        self.price.setObjectName("cardPrice")
        lay.addWidget(self.price)
        self.counts = plain_label("", self)
        self.counts.setObjectName("cardCounts")
        lay.addWidget(self.counts)
        self.set_counts(0)
        self.set_pinned(False)

    def set_counts(self, sold: int, gone: int | None = None) -> None:
        """`sold`: units this show; `gone`: units since the catalog was loaded (the stock left, as the
        card on stream shows it)."""
        p = self.product
        if p.stock is None:
            self.counts.setText(tr("Sold: %1").replace("%1", str(sold)))
        else:
            left = max(0, p.stock - (sold if gone is None else gone))
            self.counts.setText(tr("Stock: %1 · Sold: %2").replace("%1", str(left)).replace("%2", str(sold)))

    def set_pinned(self, pinned: bool) -> None:
        self.setProperty("pinned", pinned)
        self.setStyleSheet("#productCard { border: 2px solid %s; border-radius: 6px; }"
                           % ("#e0202c" if pinned else "#555"))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.product.sku)
        super().mousePressEvent(event)


class ProductsPanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller: StudioController | None = None
        self.cards: dict[str, ProductCard] = {}
        lay = QVBoxLayout(self)
        self.scroll_area = QScrollArea(self)  # not `scroll`: that is QWidget.scroll(dx, dy)
        self.scroll_area.setWidgetResizable(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setWidget(self.grid_host)
        lay.addWidget(self.scroll_area, 1)

        row = QHBoxLayout()
        self.unpin_btn = QPushButton(tr("Unpin (Esc)"), self)
        self.unpin_btn.clicked.connect(self.unpin)
        row.addWidget(self.unpin_btn)
        lay.addLayout(row)

        cd = QHBoxLayout()
        cd.addWidget(plain_label(tr("Countdown"), self))
        self.minutes = QSpinBox(self)
        self.minutes.setRange(0, 99)
        self.minutes.setValue(5)
        self.minutes.setSuffix(tr(" min"))
        self.seconds = QSpinBox(self)
        self.seconds.setRange(0, 59)
        self.seconds.setSuffix(tr(" s"))
        self.countdown_btn = QPushButton(tr("Start"), self)
        self.countdown_btn.clicked.connect(self.start_countdown)
        self.countdown_stop = QPushButton(tr("Clear"), self)
        self.countdown_stop.clicked.connect(self.clear_countdown)
        for w in (self.minutes, self.seconds, self.countdown_btn, self.countdown_stop):
            cd.addWidget(w)
        lay.addLayout(cd)

        cp = QHBoxLayout()
        self.coupon = QLineEdit(self)
        self.coupon.setPlaceholderText(tr("Coupon text, e.g. SAVE10 — 10% off"))
        self.coupon_btn = QPushButton(tr("Show"), self)
        self.coupon_btn.clicked.connect(self.show_coupon)
        self.coupon_hide = QPushButton(tr("Hide"), self)
        self.coupon_hide.clicked.connect(self.hide_coupon)
        cp.addWidget(self.coupon, 1)
        cp.addWidget(self.coupon_btn)
        cp.addWidget(self.coupon_hide)
        lay.addLayout(cp)

    def bind(self, controller: StudioController) -> None:
        self.controller = controller
        for card in self.cards.values():
            card.deleteLater()
        self.cards.clear()
        for i, p in enumerate(controller.products):
            card = ProductCard(i + 1, p, self.grid_host)
            card.clicked.connect(self.pin)
            self.grid.addWidget(card, i // 2, i % 2)
            self.cards[p.sku] = card
        self.refresh_pinned()

    @Slot(str)
    def pin(self, sku: str) -> None:
        if self.controller is None:
            return
        self.controller.pin(sku)
        self.refresh_pinned()

    def pin_number(self, n: int) -> None:
        if self.controller is None:
            return
        if self.controller.pin_index(n) is not None:
            self.refresh_pinned()

    @Slot()
    def unpin(self) -> None:
        if self.controller is None:
            return
        self.controller.unpin()
        self.refresh_pinned()

    @Slot(object)
    def on_pin_event(self, _event) -> None:
        self.refresh_pinned()

    def refresh_pinned(self) -> None:
        pinned = self.controller.pinned if self.controller else None
        for sku, card in self.cards.items():
            card.set_pinned(pinned is not None and pinned.sku == sku)

    def update_counts(self, sales: dict) -> None:
        units = {p["sku"]: p["units"] for p in sales.get("products", [])}
        gone = sales.get("stock_sold", {})
        for sku, card in self.cards.items():
            card.set_counts(units.get(sku, 0), gone.get(sku, 0))

    @Slot()
    def start_countdown(self) -> None:
        secs = self.minutes.value() * 60 + self.seconds.value()
        if self.controller is None:
            return
        self.controller.set_countdown(secs if secs > 0 else None)

    @Slot()
    def clear_countdown(self) -> None:
        if self.controller is None:
            return
        self.controller.set_countdown(None)

    @Slot()
    def show_coupon(self) -> None:
        if self.controller is None:
            return
        self.controller.set_coupon(self.coupon.text())

    @Slot()
    def hide_coupon(self) -> None:
        if self.controller is None:
            return
        self.controller.set_coupon(None)
