"""The sales dock: big numbers (GMV, orders, units, viewers) and a per-product table, refreshed as
orders and viewer counts arrive."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from studio.commerce.money import format_money
from studio.ui.feed_status import FeedStatusBar
from studio.ui.i18n import tr
from studio.ui.products import plain_label


def gmv_text(gmv: dict) -> str:
    if not gmv:
        return "0"
    return " + ".join(format_money(Decimal(v), c) for c, v in sorted(gmv.items()))


class SalesDock(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller = None
        lay = QVBoxLayout(self)
        self.feed_status = FeedStatusBar(self)  # each feed's state in words, DEMO DATA when simulated
        lay.addWidget(self.feed_status)
        grid = QGridLayout()
        self.values = {}
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.9)
        big.setBold(True)
        tiles = [("gmv", tr("GMV")), ("orders", tr("Orders")), ("units", tr("Units")),
                 ("viewers", tr("Viewers"))]
        for i, (key, title) in enumerate(tiles):
            caption = plain_label(title, self)
            value = plain_label("0", self)
            value.setObjectName(f"sales_{key}")
            value.setFont(big)
            grid.addWidget(caption, (i // 2) * 2, i % 2)
            grid.addWidget(value, (i // 2) * 2 + 1, i % 2)
            self.values[key] = value
        lay.addLayout(grid)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([tr("Product"), tr("Orders"), tr("Units"), tr("GMV")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        lay.addWidget(self.table, 1)

    def bind(self, controller) -> None:
        self.feed_status.clear()
        self.feed_status.set_demo(controller.demo)
        self.controller = controller

    def update_sales(self, sales: dict) -> None:
        self.values["gmv"].setText(gmv_text(sales.get("gmv", {})))
        self.values["orders"].setText(str(sales.get("orders", 0)))
        self.values["units"].setText(str(sales.get("units", 0)))
        self.values["viewers"].setText(str(sales.get("viewers", 0)))
        rows = [p for p in sales.get("products", []) if p["orders"]]
        rows.sort(key=lambda p: -p["units"])
        self.table.setRowCount(len(rows))
        for r, p in enumerate(rows):
            cells = [p["title"] or p["sku"], str(p["orders"]), str(p["units"]), gmv_text(p["gmv"])]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)  # table items are plain text
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
