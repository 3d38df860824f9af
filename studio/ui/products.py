"""The products panel: the catalog as cards (click or keys 1–9 to pin, Esc to unpin), the flash-sale
countdown and the coupon, and each product's stock left and units sold, updated as orders arrive."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontMetricsF, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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


def rich_plain(text: str) -> str:
    """Untrusted text for a tooltip: Qt guesses whether a tooltip is markup, so make it markup that
    shows the text literally."""
    return "<p>" + html.escape(text) + "</p>"


def elide_lines(text: str, font: QFont, width: float, max_lines: int) -> str:
    """`text` in at most `max_lines` lines of `width` px, broken at the Unicode line-break opportunities
    (spaces; between CJK characters); when it is longer, the last line ends at a word boundary with "…"."""
    if width <= 1 or not text:
        return text
    fm = QFontMetricsF(font)
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while len(spans) <= max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    units = text.encode("utf-16-le")

    def part(start: int, length: int) -> str:
        return units[2 * start:2 * (start + length)].decode("utf-16-le", errors="ignore")

    if len(spans) <= max_lines:
        return "\n".join(part(s, n).strip() for s, n in spans)
    lines = [part(s, n).strip() for s, n in spans[:max_lines]]
    last = lines[-1]
    while last and fm.horizontalAdvance(last + "…") > width:
        cut = last.rstrip().rfind(" ")
        last = last[:cut] if cut > 0 else last[:-1]   # a word at a time; a CJK run a character at a time
    lines[-1] = last.rstrip(" ,·-—") + "…"
    return "\n".join(lines)


class TitleLabel(QLabel):
    """A product title in at most `lines` lines, ellipsized at a word boundary, the whole title on hover."""

    def __init__(self, text: str, lines: int = 2, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.full, self.lines = text, lines
        self.setToolTip(rich_plain(text))
        self.setFixedHeight(int(self.fontMetrics().lineSpacing() * lines) + 4)
        self.setText(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setText(elide_lines(self.full, self.font(), self.width() - 2, self.lines))


def group_variants(products: tuple[Product, ...] | list[Product]) -> list[list[Product]]:
    """Variants of one product (a Shopify handle: same title and page, in a row) as one group."""
    groups: list[list[Product]] = []
    for p in products:
        last = groups[-1][0] if groups else None
        if last is not None and last.title == p.title and last.url == p.url and p.subtitle:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


class ProductCard(QFrame):
    """One product; its variants (size, colour) share the card, chosen in a picker."""

    clicked = Signal(str)

    def __init__(self, number: int, product: Product | list[Product], parent=None) -> None:
        super().__init__(parent)
        self.variants = list(product) if isinstance(product, list) else [product]
        self.product = self.variants[0]
        product = self.product
        self._sold: tuple[dict, dict] = ({}, {})
        self.setObjectName("productCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        key = plain_label(str(number) if number <= 9 else "", self)
        key.setObjectName("cardKey")
        self.title = TitleLabel(product.title, 2, self)
        self.title.setObjectName("cardTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top.addWidget(key)
        top.addWidget(self.title, 1)
        lay.addLayout(top)
        self.variant = QComboBox(self)
        self.variant.setObjectName("cardVariant")
        for v in self.variants:
            self.variant.addItem(f"{v.subtitle} · {format_money(v.price, v.currency)}", v.sku)
        self.variant.setVisible(len(self.variants) > 1)
        self.variant.currentIndexChanged.connect(self.choose)
        lay.addWidget(self.variant)
        self.price = plain_label(format_money(product.price, product.currency), self)
        self.price.setObjectName("cardPrice")
        lay.addWidget(self.price)
        self.counts = plain_label("", self)
        self.counts.setObjectName("cardCounts")
        lay.addWidget(self.counts)
        self.set_counts(0)
        self.set_pinned(False)

    @property
    def skus(self) -> list[str]:
        return [v.sku for v in self.variants]

    @Slot(int)
    def choose(self, index: int) -> None:
        """Another variant: its price and stock on the card (clicking pins it)."""
        if 0 <= index < len(self.variants):
            self.product = self.variants[index]
            self.price.setText(format_money(self.product.price, self.product.currency))
            self.show_counts(*self._sold)

    def show_counts(self, units: dict, gone: dict) -> None:
        self._sold = (units, gone)
        self.set_counts(units.get(self.product.sku, 0), gone.get(self.product.sku, 0))

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
        self.cards: dict[str, ProductCard] = {}    # every variant's SKU → its product's card
        self.groups: list[list[Product]] = []
        lay = QVBoxLayout(self)
        self.scroll_area = QScrollArea(self)  # not `scroll`: that is QWidget.scroll(dx, dy)
        self.scroll_area.setWidgetResizable(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setWidget(self.grid_host)
        lay.addWidget(self.scroll_area, 1)
        self.rejected_btn = QPushButton("", self)
        self.rejected_btn.setObjectName("rejectedRows")
        self.rejected_btn.setStyleSheet("color:#8a4b00")
        self.rejected_btn.clicked.connect(self.show_rejected)
        self.rejected_btn.hide()
        lay.addWidget(self.rejected_btn)
        self.rejected_dialog: QDialog | None = None

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
        self.groups = group_variants(controller.products)
        for i, variants in enumerate(self.groups):
            card = ProductCard(i + 1, variants, self.grid_host)
            card.clicked.connect(self.pin)
            self.grid.addWidget(card, i // 2, i % 2)
            for v in variants:
                self.cards[v.sku] = card
        issues = controller.catalog.issues if controller.catalog is not None else ()
        self.rejected_btn.setVisible(bool(issues))
        why = tr("%1 catalog row(s) not imported — show why")
        self.rejected_btn.setText(why.replace("%1", str(len(issues))))
        self.refresh_pinned()

    @Slot()
    def show_rejected(self) -> QDialog | None:
        """The catalog's rows that were not imported, each with its line and reason (plain text)."""
        catalog = self.controller.catalog if self.controller else None
        if catalog is None:
            return None
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Catalog rows not imported"))
        v = QVBoxLayout(dialog)
        v.addWidget(plain_label(tr("%1: these rows were left out; fix them in the file and open Settings → "
                                   "General again.").replace("%1", catalog.source), dialog))
        rows = QListWidget(dialog)
        for issue in catalog.issues:
            rows.addItem(QListWidgetItem(tr("line %1: %2").replace("%1", str(issue.line))
                                         .replace("%2", issue.reason)))
        v.addWidget(rows)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        close.rejected.connect(dialog.reject)
        v.addWidget(close)
        dialog.resize(560, 320)
        dialog.show()
        self.rejected_dialog = dialog
        return dialog

    @Slot(str)
    def pin(self, sku: str) -> None:
        if self.controller is None:
            return
        self.controller.pin(sku)
        self.refresh_pinned()

    def pin_number(self, n: int) -> None:
        """Key n: the n-th card, with the variant its picker shows."""
        if self.controller is None or not 1 <= n <= len(self.groups):
            return
        self.pin(self.cards[self.groups[n - 1][0].sku].product.sku)

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
        for card in set(self.cards.values()):
            on = pinned is not None and pinned.sku in card.skus
            card.set_pinned(on)
            if on and pinned is not None and card.product.sku != pinned.sku:
                card.variant.setCurrentIndex(card.skus.index(pinned.sku))

    def update_counts(self, sales: dict) -> None:
        units = {p["sku"]: p["units"] for p in sales.get("products", [])}
        gone = sales.get("stock_sold", {})
        for card in set(self.cards.values()):
            card.show_counts(units, gone)

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
