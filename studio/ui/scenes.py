"""The scene dock: the video layers, top of the list drawn last (on top), with visibility, order,
add and remove. Position and size are edited by dragging on the preview."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import UserError
from studio.ui.i18n import tr


class ScenesDock(QWidget):
    changed = Signal()
    selected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.controller = None
        lay = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.itemChanged.connect(self.item_changed)
        self.list.currentRowChanged.connect(self.row_changed)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        for text, slot in ((tr("Add…"), self.add), (tr("Remove"), self.remove), (tr("Up"), self.up),
                           (tr("Down"), self.down)):
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            row.addWidget(b)
        lay.addLayout(row)

    def bind(self, controller) -> None:
        self.controller = controller
        self.refresh()

    def _index_of_row(self, row: int) -> int:
        return len(self.controller.layers) - 1 - row   # the list shows the top layer first

    def refresh(self, select_index: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for i in reversed(range(len(self.controller.layers))):
            spec = self.controller.layer_settings[i]
            item = QListWidgetItem(spec.name or spec.source)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if self.controller.layers[i].visible else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if select_index is not None and select_index >= 0:
            self.list.setCurrentRow(self._index_of_row(select_index))
        self.list.blockSignals(False)
        self.changed.emit()

    @Slot(QListWidgetItem)
    def item_changed(self, item: QListWidgetItem) -> None:
        i = self._index_of_row(self.list.row(item))
        self.controller.set_layer_visible(i, item.checkState() == Qt.CheckState.Checked)
        self.changed.emit()

    @Slot(int)
    def row_changed(self, row: int) -> None:
        if row >= 0:
            self.selected.emit(self._index_of_row(row))

    def select_layer(self, index: int) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(self._index_of_row(index))
        self.list.blockSignals(False)

    def _current(self) -> int:
        row = self.list.currentRow()
        return -1 if row < 0 else self._index_of_row(row)

    @Slot()
    def add(self) -> None:
        spec, ok = QInputDialog.getText(self, tr("Add layer"),
                                        tr("Source: testsrc, camera:0, image:PATH, file:PATH or url:URL"))
        if not ok or not spec.strip():
            return
        try:
            i = self.controller.add_layer(spec.strip())
        except UserError as e:
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Add layer"), str(e), parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
            return
        self.refresh(i)

    @Slot()
    def remove(self) -> None:
        i = self._current()
        if i >= 0 and len(self.controller.layers) > 1:
            self.controller.remove_layer(i)
            self.refresh()

    @Slot()
    def up(self) -> None:
        i = self._current()
        if i >= 0:
            self.refresh(self.controller.move_layer(i, +1))

    @Slot()
    def down(self) -> None:
        i = self._current()
        if i >= 0:
            self.refresh(self.controller.move_layer(i, -1))
